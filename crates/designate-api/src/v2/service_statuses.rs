//! `/v2/service_statuses`: the roles' heartbeats as upstream's `ServiceStatusController` and
//! `ServiceStatusAPIv2Adapter` show them (admin only, read only).

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::ServiceStatus;
use designate_core::ErrorKind;
use serde_json::{json, Value};

use super::Ids;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, own_project_target};
use crate::query::{collection_body, ListRequest, ListSpec};
use crate::render::{base_url, opt_timestamp, timestamp};
use crate::AppState;

/// Upstream's `SORT_KEYS` and accepted filters of the controller.
const LIST: ListSpec = ListSpec {
    sort_keys: &[
        "created_at",
        "id",
        "updated_at",
        "hostname",
        "service_name",
        "status",
    ],
    filters: &[
        ("hostname", "hostname"),
        ("service_name", "service_name"),
        ("status", "status"),
    ],
};

/// One status as the adapter renders it.
fn status_json(s: &ServiceStatus, base: &str) -> Value {
    json!({
        "id": s.id,
        "hostname": s.hostname,
        "service_name": s.service_name,
        "status": s.status,
        "stats": s.stats,
        "capabilities": s.capabilities,
        "heartbeated_at": opt_timestamp(s.heartbeated_at.as_ref()),
        "created_at": timestamp(&s.created_at),
        "updated_at": opt_timestamp(s.updated_at.as_ref()),
        "links": { "self": format!("{base}/v2/service_statuses/{}", s.id) },
    })
}

/// `GET /v2/service_statuses`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        &ctx,
        "find_service_statuses",
        &own_project_target(&ctx),
    )?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_service_statuses(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "service_statuses",
        &base,
        "/v2/service_statuses",
        &request,
        &listing,
        |s| s.id,
        |s| status_json(s, &base),
    )))
}

/// `GET /v2/service_statuses/{service_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("service_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "find_service_status",
        &own_project_target(&ctx),
    )?;
    let page = Page {
        limit: Some(1),
        ..Page::default()
    };
    let listing = state
        .central
        .find_service_statuses(&ctx, Criteria::new().eq("id", id.to_string()), page)
        .await?;
    let status = listing.items.first().ok_or_else(|| {
        ApiError::new(
            ErrorKind::ServiceStatusNotFound,
            "Could not find ServiceStatus",
        )
    })?;
    Ok(Json(status_json(
        status,
        &base_url(&headers, &state.config),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_has_every_adapter_field() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 5_000)
            .unwrap()
            .naive_utc();
        let s = ServiceStatus {
            id: uuid::Uuid::from_u128(7),
            service_name: "worker".into(),
            hostname: "h1".into(),
            heartbeated_at: Some(at),
            status: "UP".into(),
            stats: json!({}),
            capabilities: json!({}),
            created_at: at,
            updated_at: None,
        };
        let v = status_json(&s, "http://x");
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "capabilities",
                "created_at",
                "heartbeated_at",
                "hostname",
                "id",
                "links",
                "service_name",
                "stats",
                "status",
                "updated_at"
            ]
        );
        assert_eq!(
            v["links"]["self"],
            "http://x/v2/service_statuses/00000000-0000-0000-0000-000000000007"
        );
        assert_eq!(v["updated_at"], Value::Null);
    }
}
