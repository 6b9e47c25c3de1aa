//! Zone imports and exports: upstream's `ZoneImportController`, `ZoneExportCreateController`,
//! `ZoneExportsController` and `ZoneExportController`, with the `ZoneImportAPIv2Adapter` /
//! `ZoneExportAPIv2Adapter` shapes.
//!
//! - `POST /v2/zones/{zone_id}/tasks/export` → 202, a PENDING export with `Location`;
//! - `GET /v2/zones/tasks/exports[/{id}]`, `DELETE …/{id}` (204);
//! - `GET /v2/zones/tasks/exports/{id}/export` → the zone file, `text/dns`;
//! - `POST /v2/zones/tasks/imports` (`text/dns` body, or JSON `{"zonefile": …}`) → 202;
//! - `GET /v2/zones/tasks/imports[/{id}]`, `DELETE …/{id}` (204).

use std::collections::BTreeMap;

use axum::extract::{RawQuery, Request, State};
use axum::http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use designate_core::criteria::Listing;
use designate_core::objects::{TaskType, ZoneTaskRow};
use designate_core::ErrorKind;
use serde_json::{json, Value};

use super::Ids;
use crate::context::{too_large, Ctx};
use crate::error::ApiError;
use crate::policy::{self, own_project_target, zone_target};
use crate::query::{collection_body, ListRequest, ListSpec};
use crate::render::{base_url, created, opt_timestamp, timestamp};
use crate::AppState;

/// Sorting and filters of both task lists (upstream's `SORT_KEYS` and accepted filters).
const LIST: ListSpec = ListSpec {
    sort_keys: &["created_at", "id", "updated_at"],
    filters: &[
        ("status", "status"),
        ("message", "message"),
        ("zone_id", "zone_id"),
    ],
};

/// Collection path of a task type.
fn collection(task_type: TaskType) -> &'static str {
    match task_type {
        TaskType::Import => "/v2/zones/tasks/imports",
        TaskType::Export => "/v2/zones/tasks/exports",
    }
}

/// A task as upstream's adapters render it: imports link their zone once created, completed
/// exports link their zone file.
fn task_json(task: &ZoneTaskRow, base: &str) -> Value {
    let this = format!("{base}{}/{}", collection(task.task_type), task.id);
    let mut body = json!({
        "id": task.id,
        "status": task.status.as_str(),
        "message": task.message,
        "zone_id": task.zone_id,
        "project_id": task.tenant_id,
        "created_at": timestamp(&task.created_at),
        "updated_at": opt_timestamp(task.updated_at.as_ref()),
        "version": task.version,
        "links": { "self": this },
    });
    match task.task_type {
        TaskType::Import => {
            if let Some(zone_id) = task.zone_id {
                body["links"]["zone"] = json!(format!("{base}/v2/zones/{zone_id}"));
            }
        }
        TaskType::Export => {
            body["location"] = json!(task.location);
            if let Some(path) = task
                .location
                .as_deref()
                .and_then(|l| l.strip_prefix("designate://"))
            {
                body["links"]["export"] = json!(format!("{base}/{path}"));
            }
        }
    }
    body
}

/// The list body of `listing`.
fn list_json(
    task_type: TaskType,
    listing: &Listing<ZoneTaskRow>,
    request: &ListRequest,
    base: &str,
) -> Value {
    let key = match task_type {
        TaskType::Import => "imports",
        TaskType::Export => "exports",
    };
    collection_body(
        key,
        base,
        collection(task_type),
        request,
        listing,
        |t| t.id,
        |t| task_json(t, base),
    )
}

/// 202 with the task and its `Location`.
fn accepted(task: &ZoneTaskRow, base: &str) -> Response {
    let rendered = task_json(task, base);
    created(StatusCode::ACCEPTED, rendered)
}

// --- exports ----------------------------------------------------------------------------------

/// `POST /v2/zones/{zone_id}/tasks/export` (no body).
pub(crate) async fn create_export(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Response, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "create_zone_export",
        &zone_target(&ctx, &zone),
    )?;
    let task = state.central.create_zone_export(&ctx, zone_id).await?;
    Ok(accepted(&task, &base_url(&headers, &state.config)))
}

/// `GET /v2/zones/tasks/exports`.
pub(crate) async fn list_exports(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        &ctx,
        "find_zone_exports",
        &own_project_target(&ctx),
    )?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_zone_exports(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(list_json(TaskType::Export, &listing, &request, &base)))
}

/// `GET /v2/zones/tasks/exports/{export_id}`.
pub(crate) async fn show_export(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("export_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_zone_export",
        &own_project_target(&ctx),
    )?;
    let task = state.central.get_zone_export(&ctx, id).await?;
    Ok(Json(task_json(&task, &base_url(&headers, &state.config))))
}

/// `DELETE /v2/zones/tasks/exports/{export_id}`: the task only, never the zone.
pub(crate) async fn delete_export(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("export_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_zone_export",
        &own_project_target(&ctx),
    )?;
    state.central.delete_zone_export(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the client accepts `text/dns` (no `Accept` header accepts anything).
fn accepts_text_dns(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(ACCEPT) else {
        return true;
    };
    let Ok(accept) = accept.to_str() else {
        return false;
    };
    accept.split(',').any(|range| {
        let media = range.split(';').next().unwrap_or("").trim();
        matches!(
            media.to_ascii_lowercase().as_str(),
            "text/dns" | "text/*" | "*/*"
        )
    })
}

/// `GET /v2/zones/tasks/exports/{export_id}/export`: the zone file of a completed export.
pub(crate) async fn export_file(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.uuid("export_id")?;
    if !accepts_text_dns(&headers) {
        return Err(ApiError::new(
            ErrorKind::UnsupportedAccept,
            "Accept must include text/dns",
        ));
    }
    policy::enforce(
        &state.policy,
        &ctx,
        "zone_export",
        &own_project_target(&ctx),
    )?;
    let task = state.central.get_zone_export(&ctx, id).await?;
    let synchronous = task
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("designate://"));
    let Some(zone_id) = task.zone_id.filter(|_| synchronous) else {
        return Err(ApiError::bad_request(
            "Zone can not be exported synchronously",
        ));
    };
    let text = state.central.export_zone(&ctx, zone_id).await?;
    Ok(([(CONTENT_TYPE, "text/dns")], text).into_response())
}

// --- imports ----------------------------------------------------------------------------------

/// What an import request asks for: the zone file, and the placement hints of the new zone.
#[derive(Debug)]
pub(super) struct ImportBody {
    pub(super) zone_file: String,
    pub(super) attributes: BTreeMap<String, String>,
}

/// The import request's body: a `text/dns` zone file as it is, or an `application/json`
/// `{"zonefile": …, "attributes": {…}}` (upstream's two accepted content types; `attributes`
/// parsed as a zone create's and used to schedule the new zone).
pub(super) fn zone_file_of(headers: &HeaderMap, body: &[u8]) -> Result<ImportBody, ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match content_type.as_deref() {
        Some("text/dns") => String::from_utf8(body.to_vec())
            .map(|zone_file| ImportBody {
                zone_file,
                attributes: BTreeMap::new(),
            })
            .map_err(|_| ApiError::bad_request("The zone file is not valid UTF-8")),
        Some("application/json") => {
            let value: Value = serde_json::from_slice(body)
                .map_err(|_| ApiError::bad_request("Invalid JSON body"))?;
            let Some(object) = value.as_object() else {
                return Err(ApiError::bad_request("Invalid JSON body"));
            };
            let zone_file = match object.get("zonefile") {
                Some(Value::String(text)) => text.clone(),
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "The \"zonefile\" field must be a string",
                    ))
                }
                None => return Err(ApiError::bad_request(
                    "The \"zonefile\" field is required when using application/json content type",
                )),
            };
            let attributes = super::zones::parse_attributes(object.get("attributes"))?;
            Ok(ImportBody {
                zone_file,
                attributes,
            })
        }
        _ => Err(ApiError::new(
            ErrorKind::UnsupportedContentType,
            "Content-type must be text/dns or application/json",
        )),
    }
}

/// `POST /v2/zones/tasks/imports`.
pub(crate) async fn create_import(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, ApiError> {
    let limit = state.config.max_body_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    // Read here rather than by an extractor, whose own default limit is not ours.
    let body = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| too_large())?;
    policy::enforce(
        &state.policy,
        &ctx,
        "create_zone_import",
        &own_project_target(&ctx),
    )?;
    let ImportBody {
        zone_file,
        attributes,
    } = zone_file_of(&headers, &body)?;
    // Forcing a pool is upstream's `zone_create_forced_pool` (admin), as on a zone create.
    if attributes.contains_key("pool_id") {
        policy::enforce(
            &state.policy,
            &ctx,
            "zone_create_forced_pool",
            &own_project_target(&ctx),
        )?;
    }
    let task = state
        .central
        .create_zone_import(&ctx, zone_file, attributes)
        .await?;
    Ok(accepted(&task, &base_url(&headers, &state.config)))
}

/// `GET /v2/zones/tasks/imports`.
pub(crate) async fn list_imports(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        &ctx,
        "find_zone_imports",
        &own_project_target(&ctx),
    )?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_zone_imports(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(list_json(TaskType::Import, &listing, &request, &base)))
}

/// `GET /v2/zones/tasks/imports/{import_id}`.
pub(crate) async fn show_import(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("import_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_zone_import",
        &own_project_target(&ctx),
    )?;
    let task = state.central.get_zone_import(&ctx, id).await?;
    Ok(Json(task_json(&task, &base_url(&headers, &state.config))))
}

/// `DELETE /v2/zones/tasks/imports/{import_id}`: the task only, never the zone.
pub(crate) async fn delete_import(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("import_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_zone_import",
        &own_project_target(&ctx),
    )?;
    state.central.delete_zone_import(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_header() {
        let mut h = HeaderMap::new();
        assert!(accepts_text_dns(&h));
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!accepts_text_dns(&h));
        h.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/dns;q=0.5"),
        );
        assert!(accepts_text_dns(&h));
    }

    #[test]
    fn import_bodies() {
        let mut h = HeaderMap::new();
        assert_eq!(
            zone_file_of(&h, b"x").unwrap_err().error_type,
            "unsupported_content_type"
        );
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/dns; charset=utf-8"),
        );
        assert_eq!(
            zone_file_of(&h, b"$ORIGIN a.\n").unwrap().zone_file,
            "$ORIGIN a.\n"
        );
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let parsed = zone_file_of(&h, br#"{"zonefile": "z"}"#).unwrap();
        assert_eq!(
            (parsed.zone_file.as_str(), parsed.attributes.len()),
            ("z", 0)
        );
        let parsed = zone_file_of(
            &h,
            br#"{"zonefile": "z", "attributes": {"pool_level": "gold"}}"#,
        )
        .unwrap();
        assert_eq!(parsed.attributes["pool_level"], "gold");
        for bad in [
            &br#"{"zonefile": "z", "attributes": ["a"]}"#[..],
            br#"{"zonefile": "z", "attributes": {"a": 1}}"#,
        ] {
            assert_eq!(
                zone_file_of(&h, bad).unwrap_err().error_type,
                "invalid_object"
            );
        }
        assert_eq!(
            zone_file_of(&h, b"{}").unwrap_err().error_type,
            "bad_request"
        );
        assert_eq!(
            zone_file_of(&h, b"{").unwrap_err().error_type,
            "bad_request"
        );
    }
}
