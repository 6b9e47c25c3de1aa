//! The `/v2` resources, one module each, and the helpers they share (path ids, write statuses).

mod blacklists;
mod limits;
mod pools;
mod quotas;
mod recordsets;
mod service_statuses;
mod tlds;
mod zones;
// --- cross-project and key resources ---
mod shares;
mod transfers;
mod tsigkeys;
// zone tasks: imports and exports
mod zone_tasks;
// small zone actions: nameservers, abandon
mod zone_actions;
// floating-IP PTRs
mod floatingips;
// the OpenAPI document of these routes
mod openapi;
// every body parser at once, for the api_bodies fuzz target
pub(crate) mod fuzzing;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Router;
use designate_core::ErrorKind;
use uuid::Uuid;

use crate::error::ApiError;
use crate::AppState;

/// Declares the `/v2` routes once: [`routes`] builds the axum router from them and
/// [`ROUTE_TABLE`] lists them (path template, methods), so the OpenAPI document can be checked
/// against exactly what is routed.
macro_rules! api_routes {
    ($( $path:literal => { $($method:ident : $handler:path),+ $(,)? } ),* $(,)?) => {
        pub(crate) fn routes() -> Router<AppState> {
            Router::new() $( .route($path, api_routes!(@chain $($method : $handler),+)) )*
        }

        /// Every `/v2` route: its path template and its methods (lowercase).
        #[cfg(test)]
        pub(crate) const ROUTE_TABLE: &[(&str, &[&str])] =
            &[ $( ($path, &[ $( stringify!($method) ),+ ]) ),* ];
    };
    (@chain $m:ident : $h:path $(, $rm:ident : $rh:path)*) => {
        axum::routing::$m($h) $( .$rm($rh) )*
    };
}

api_routes! {
    "/v2/zones" => { get: zones::list, post: zones::create },
    "/v2/zones/{zone_id}" => { get: zones::show, patch: zones::update, delete: zones::delete },
    "/v2/zones/{zone_id}/recordsets" => { get: recordsets::list_in_zone, post: recordsets::create },
    "/v2/zones/{zone_id}/recordsets/{recordset_id}" => { get: recordsets::show, put: recordsets::update, delete: recordsets::delete },
    "/v2/recordsets" => { get: recordsets::list_all },
    "/v2/recordsets/{recordset_id}" => { get: recordsets::redirect },
    "/v2/tlds" => { get: tlds::list, post: tlds::create },
    "/v2/tlds/{tld_id}" => { get: tlds::show, patch: tlds::update, delete: tlds::delete },
    "/v2/blacklists" => { get: blacklists::list, post: blacklists::create },
    "/v2/blacklists/{blacklist_id}" => { get: blacklists::show, patch: blacklists::update, delete: blacklists::delete },
    "/v2/quotas" => { get: quotas::show_own },
    "/v2/quotas/{project_id}" => { get: quotas::show, patch: quotas::update, delete: quotas::reset },
    "/v2/limits" => { get: limits::show },
    "/v2/pools" => { get: pools::list, post: pools::create },
    "/v2/pools/{pool_id}" => { get: pools::show, patch: pools::update, delete: pools::delete },
    "/v2/service_statuses" => { get: service_statuses::list },
    "/v2/service_statuses/{service_id}" => { get: service_statuses::show },
    // --- zone tasks: imports and exports (helper zonetasks) ---
    "/v2/zones/{zone_id}/tasks/export" => { post: zone_tasks::create_export },
    "/v2/zones/tasks/exports" => { get: zone_tasks::list_exports },
    "/v2/zones/tasks/exports/{export_id}" => { get: zone_tasks::show_export, delete: zone_tasks::delete_export },
    "/v2/zones/tasks/exports/{export_id}/export" => { get: zone_tasks::export_file },
    "/v2/zones/tasks/imports" => { get: zone_tasks::list_imports, post: zone_tasks::create_import },
    "/v2/zones/tasks/imports/{import_id}" => { get: zone_tasks::show_import, delete: zone_tasks::delete_import },
    // --- small zone actions (helper zonetasks) ---
    "/v2/zones/{zone_id}/nameservers" => { get: zone_actions::nameservers },
    "/v2/zones/{zone_id}/tasks/abandon" => { post: zone_actions::abandon },
    // --- secondary zones and zone tasks ---
    "/v2/zones/{zone_id}/tasks/xfr" => { post: zone_actions::xfr },
    "/v2/zones/{zone_id}/tasks/pool_move" => { post: zone_actions::pool_move },
    // --- cross-project and key resources ---
    "/v2/tsigkeys" => { get: tsigkeys::list, post: tsigkeys::create },
    "/v2/tsigkeys/{tsigkey_id}" => { get: tsigkeys::show, patch: tsigkeys::update, delete: tsigkeys::delete },
    "/v2/zones/{zone_id}/tasks/transfer_requests" => { post: transfers::request_create },
    "/v2/zones/tasks/transfer_requests" => { get: transfers::request_list },
    "/v2/zones/tasks/transfer_requests/{zone_transfer_request_id}" => { get: transfers::request_show, patch: transfers::request_update, delete: transfers::request_delete },
    "/v2/zones/tasks/transfer_accepts" => { get: transfers::accept_list, post: transfers::accept_create },
    "/v2/zones/tasks/transfer_accepts/{transfer_accept_id}" => { get: transfers::accept_show },
    "/v2/zones/{zone_id}/shares" => { get: shares::list, post: shares::create },
    "/v2/zones/{zone_id}/shares/{zone_share_id}" => { get: shares::show, delete: shares::delete },
    // --- floating-IP PTRs ---
    "/v2/reverse/floatingips" => { get: floatingips::list },
    "/v2/reverse/floatingips/{fip_key}" => { get: floatingips::show, patch: floatingips::update },
    // --- the OpenAPI document of these routes ---
    "/v2/openapi.json" => { get: openapi::document },
}

/// The ids captured from the path, checked as upstream's `validate_uuid` decorator does: a
/// malformed id (including one that does not even decode as UTF-8) is `400 invalid_uuid`.
pub(crate) struct Ids(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => Ok(Self(
                params
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            )),
            Err(_) => Err(ApiError::new(
                ErrorKind::InvalidUuid,
                format!("Invalid UUID in path: {}", parts.uri.path()),
            )),
        }
    }
}

impl Ids {
    /// The id captured as `name`.
    fn uuid(&self, name: &str) -> Result<Uuid, ApiError> {
        let value = self
            .0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str());
        path_uuid(name, value)
    }
}

fn path_uuid(name: &str, value: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(value).map_err(|_| {
        ApiError::new(
            ErrorKind::InvalidUuid,
            format!("Invalid UUID {name}: {value}"),
        )
    })
}

/// Writes answer 202 while the change is still on its way to the nameservers, else `done`.
fn write_status(pending: bool, done: StatusCode) -> StatusCode {
    if pending {
        StatusCode::ACCEPTED
    } else {
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ids() {
        assert!(path_uuid("zone_id", "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3").is_ok());
        let e = path_uuid("zone_id", "nope").unwrap_err();
        assert_eq!(e.error_type, "invalid_uuid");
        assert_eq!(e.message.as_deref(), Some("Invalid UUID zone_id: nope"));
        assert_eq!(
            write_status(true, StatusCode::CREATED),
            StatusCode::ACCEPTED
        );
        assert_eq!(write_status(false, StatusCode::OK), StatusCode::OK);
    }
}
