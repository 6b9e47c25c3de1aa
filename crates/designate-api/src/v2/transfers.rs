//! Zone transfers: upstream's `TransferRequestsController` and `TransferAcceptsController`.
//!
//! - `POST /v2/zones/{zone_id}/tasks/transfer_requests` (201; the body may be empty),
//!   `GET /v2/zones/tasks/transfer_requests`, `GET|PATCH|DELETE
//!   /v2/zones/tasks/transfer_requests/{id}` (200 / 200 / 204);
//! - `POST /v2/zones/tasks/transfer_accepts` (201), `GET /v2/zones/tasks/transfer_accepts`,
//!   `GET /v2/zones/tasks/transfer_accepts/{id}`.
//!
//! A request is rendered in full only to callers passing `get_zone_transfer_request_detailed`
//! (its owner, an admin); its target sees id, zone, description and status — never the key,
//! which the owner hands over out of band.

use axum::body::Body;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use designate_core::objects::{
    NewZoneTransferAccept, NewZoneTransferRequest, TransferStatus, ZoneTransferAccept,
    ZoneTransferRequest, ZoneTransferRequestUpdate, TRANSFER_FIELD_MAX,
};
use designate_core::{ErrorKind, RequestContext};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::Ids;
use crate::body::{self, JsonObject};
use crate::context::{too_large, Ctx};
use crate::error::ApiError;
use crate::policy::{self, target, zone_target, Target};
use crate::query::{collection_body, ListRequest, ListSpec};
use crate::render::{base_url, created, opt_timestamp, timestamp};
use crate::AppState;

const LIST: ListSpec = ListSpec {
    sort_keys: &["created_at", "id", "updated_at"],
    filters: &[("status", "status")],
};

const REQUESTS_PATH: &str = "/v2/zones/tasks/transfer_requests";
const ACCEPTS_PATH: &str = "/v2/zones/tasks/transfer_accepts";

/// A body that may be empty (upstream's create of a request treats an empty body as `{}`).
pub(crate) struct OptionalJsonObject(Map<String, Value>);

impl FromRequest<AppState> for OptionalJsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, payload) = request.into_parts();
        let bytes = axum::body::to_bytes(payload, state.config.max_body_bytes)
            .await
            .map_err(|_| too_large())?;
        // No body, or JSON `null` (what clients send for "no data", tempest included): upstream
        // creates the request with its defaults.
        if bytes.iter().all(u8::is_ascii_whitespace) || bytes.trim_ascii() == b"null" {
            return Ok(Self(Map::new()));
        }
        let request = Request::from_parts(parts, Body::from(bytes));
        let JsonObject(map) = JsonObject::from_request(request, state).await?;
        Ok(Self(map))
    }
}

fn none_or(v: Option<&String>) -> String {
    v.cloned().unwrap_or_else(|| "None".to_owned())
}

/// Upstream's target of `get_zone_transfer_request`: owner and target project.
fn request_target(request: &ZoneTransferRequest) -> Target {
    target([
        ("project_id", request.tenant_id.clone()),
        ("tenant_id", request.tenant_id.clone()),
        (
            "target_project_id",
            none_or(request.target_tenant_id.as_ref()),
        ),
        (
            "target_tenant_id",
            none_or(request.target_tenant_id.as_ref()),
        ),
    ])
}

/// Upstream's owner-only target (`update_`, `delete_`, `…_detailed`).
fn owner_target(project: &str) -> Target {
    target([
        ("project_id", project.to_owned()),
        ("tenant_id", project.to_owned()),
    ])
}

pub(super) fn request_json(request: &ZoneTransferRequest, base: &str, detailed: bool) -> Value {
    let mut v = json!({
        "id": request.id,
        "zone_id": request.zone_id,
        "zone_name": request.zone_name,
        "description": request.description,
        "status": request.status.as_str(),
        "links": { "self": format!("{base}{REQUESTS_PATH}/{}", request.id) },
    });
    if detailed {
        if let Some(o) = v.as_object_mut() {
            o.insert("project_id".into(), json!(request.tenant_id));
            o.insert("target_project_id".into(), json!(request.target_tenant_id));
            o.insert("key".into(), json!(request.key));
            o.insert("created_at".into(), json!(timestamp(&request.created_at)));
            o.insert(
                "updated_at".into(),
                opt_timestamp(request.updated_at.as_ref()),
            );
        }
    }
    v
}

/// The request rendered for this caller: in full when `get_zone_transfer_request_detailed`
/// allows it.
fn render_request(
    state: &AppState,
    ctx: &RequestContext,
    request: &ZoneTransferRequest,
    base: &str,
) -> Value {
    let detailed = policy::enforce(
        &state.policy,
        ctx,
        "get_zone_transfer_request_detailed",
        &owner_target(&request.tenant_id),
    )
    .is_ok();
    request_json(request, base, detailed)
}

fn accept_json(accept: &ZoneTransferAccept, base: &str) -> Value {
    json!({
        "id": accept.id,
        "zone_transfer_request_id": accept.zone_transfer_request_id,
        "project_id": accept.tenant_id,
        "key": accept.key,
        "status": accept.status.as_str(),
        "zone_id": accept.zone_id,
        "created_at": timestamp(&accept.created_at),
        "updated_at": opt_timestamp(accept.updated_at.as_ref()),
        "links": {
            "self": format!("{base}{ACCEPTS_PATH}/{}", accept.id),
            "zone": format!("{base}/v2/zones/{}", accept.zone_id),
        },
    })
}

/// A project id field: a string of at most 36 characters, or null.
fn project_field(field: &str, v: &Value) -> Result<Option<String>, ApiError> {
    body::string(field, v, 36, true)
}

/// A create body: `description` and `target_project_id`; `zone_id` / `zone_name` are
/// replaced by the path's zone, as upstream's controller does.
pub(super) fn parse_new_request(
    b: &Map<String, Value>,
) -> Result<NewZoneTransferRequest, ApiError> {
    body::reject_unknown_keys(
        b,
        &["description", "target_project_id", "zone_id", "zone_name"],
        "transfer_request",
    )?;
    let description = b
        .get("description")
        .map(|v| body::string("description", v, TRANSFER_FIELD_MAX, true))
        .transpose()?
        .flatten();
    let target_tenant_id = b
        .get("target_project_id")
        .map(|v| project_field("target_project_id", v))
        .transpose()?
        .flatten();
    Ok(NewZoneTransferRequest {
        description,
        target_tenant_id,
    })
}

/// A PATCH body, as upstream's adapter reads it: `description` may change; the immutable
/// `target_project_id` may be set while unset; every other rendered field only echoed.
pub(super) fn parse_request_update(
    b: &Map<String, Value>,
    current: &Value,
) -> Result<ZoneTransferRequestUpdate, ApiError> {
    let bad: Vec<String> = b
        .iter()
        .filter(|(k, v)| match k.as_str() {
            "description" => false,
            "target_project_id" => {
                !(current["target_project_id"].is_null() || current.get(k.as_str()) == Some(*v))
            }
            "links" => true,
            other => current.get(other) != Some(*v),
        })
        .map(|(k, _)| format!("'{k}'"))
        .collect();
    if !bad.is_empty() {
        return Err(body::keys_not_valid(&bad, "transfer_request"));
    }
    let description = b
        .get("description")
        .map(|v| body::string("description", v, TRANSFER_FIELD_MAX, true))
        .transpose()?;
    let target_tenant_id = b
        .get("target_project_id")
        .map(|v| project_field("target_project_id", v))
        .transpose()?
        .flatten();
    Ok(ZoneTransferRequestUpdate {
        description,
        target_tenant_id,
    })
}

/// `POST /v2/zones/{zone_id}/tasks/transfer_requests`: 201.
pub(crate) async fn request_create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    OptionalJsonObject(b): OptionalJsonObject,
) -> Result<Response, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    policy::enforce(&state.policy, &ctx, "get_zone", &zone_target(&ctx, &zone))?;
    let new = parse_new_request(&b)?;
    let owner = zone.tenant_id.clone().unwrap_or_else(|| "None".to_owned());
    policy::enforce(
        &state.policy,
        &ctx,
        "create_zone_transfer_request",
        &owner_target(&owner),
    )?;
    let request = state
        .central
        .create_zone_transfer_request(&ctx, zone_id, new)
        .await?;
    let base = base_url(&headers, &state.config);
    Ok(created(
        StatusCode::CREATED,
        render_request(&state, &ctx, &request, &base),
    ))
}

/// `GET /v2/zones/tasks/transfer_requests`.
pub(crate) async fn request_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        &ctx,
        "find_zone_transfer_requests",
        &target([]),
    )?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_zone_transfer_requests(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "transfer_requests",
        &base,
        REQUESTS_PATH,
        &request,
        &listing,
        |r| r.id,
        |r| render_request(&state, &ctx, r, &base),
    )))
}

/// The request `id`, if the caller passes `get_zone_transfer_request`.
async fn readable_request(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
) -> Result<ZoneTransferRequest, ApiError> {
    let request = state.central.get_zone_transfer_request(ctx, id).await?;
    policy::enforce(
        &state.policy,
        ctx,
        "get_zone_transfer_request",
        &request_target(&request),
    )?;
    Ok(request)
}

/// `GET /v2/zones/tasks/transfer_requests/{zone_transfer_request_id}`.
pub(crate) async fn request_show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("zone_transfer_request_id")?;
    let request = readable_request(&state, &ctx, id).await?;
    let base = base_url(&headers, &state.config);
    Ok(Json(render_request(&state, &ctx, &request, &base)))
}

/// `PATCH /v2/zones/tasks/transfer_requests/{zone_transfer_request_id}`: 200.
pub(crate) async fn request_update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(b): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("zone_transfer_request_id")?;
    let current = readable_request(&state, &ctx, id).await?;
    let base = base_url(&headers, &state.config);
    let update = parse_request_update(&b, &request_json(&current, &base, true))?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_zone_transfer_request",
        &owner_target(&current.tenant_id),
    )?;
    let request = state
        .central
        .update_zone_transfer_request(&ctx, id, update)
        .await?;
    Ok(Json(render_request(&state, &ctx, &request, &base)))
}

/// `DELETE /v2/zones/tasks/transfer_requests/{zone_transfer_request_id}`: 204.
pub(crate) async fn request_delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("zone_transfer_request_id")?;
    let request = state.central.get_zone_transfer_request(&ctx, id).await?;
    // Upstream's storage only finds requests the caller offered or is the target of.
    let visible = ctx
        .project_filter()
        .is_none_or(|p| request.tenant_id == p || request.target_tenant_id.as_deref() == Some(p));
    if !visible {
        return Err(ApiError::new(
            ErrorKind::ZoneTransferRequestNotFound,
            "Could not find ZoneTransferRequest",
        ));
    }
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_zone_transfer_request",
        &owner_target(&request.tenant_id),
    )?;
    state.central.delete_zone_transfer_request(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn parse_new_accept(b: &Map<String, Value>) -> Result<NewZoneTransferAccept, ApiError> {
    body::reject_unknown_keys(b, &["zone_transfer_request_id", "key"], "transfer_accept")?;
    let key = match b.get("key") {
        Some(v) => body::string("key", v, TRANSFER_FIELD_MAX, false)?.unwrap_or_default(),
        None => return Err(body::required("key")),
    };
    let request_id = match b.get("zone_transfer_request_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Uuid::parse_str(s).map_err(|_| {
            body::value_error(format!("badly formed hexadecimal UUID string: {s}"))
        })?),
        Some(other) => {
            return Err(body::value_error(format!(
                "A string is required in field zone_transfer_request_id, not a {}",
                body::python_type(other)
            )))
        }
    };
    // Upstream's field is nullable; a missing request is simply not found.
    let zone_transfer_request_id = request_id.ok_or_else(|| {
        ApiError::new(
            ErrorKind::ZoneTransferRequestNotFound,
            "Could not find ZoneTransferRequest",
        )
    })?;
    Ok(NewZoneTransferAccept {
        zone_transfer_request_id,
        key,
    })
}

/// `POST /v2/zones/tasks/transfer_accepts`: 201.
pub(crate) async fn accept_create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    JsonObject(b): JsonObject,
) -> Result<Response, ApiError> {
    let new = parse_new_accept(&b)?;
    let request = readable_request(&state, &ctx, new.zone_transfer_request_id).await?;
    // Upstream checks the status and the key before `create_zone_transfer_accept`, so a
    // used request or a wrong key is reported as such (by central) rather than as 403.
    if request.status == TransferStatus::Active && request.key == new.key {
        let target_project = none_or(request.target_tenant_id.as_ref());
        policy::enforce(
            &state.policy,
            &ctx,
            "create_zone_transfer_accept",
            &target([
                ("target_project_id", target_project.clone()),
                ("target_tenant_id", target_project),
            ]),
        )?;
    }
    let accept = state.central.create_zone_transfer_accept(&ctx, new).await?;
    Ok(created(
        StatusCode::CREATED,
        accept_json(&accept, &base_url(&headers, &state.config)),
    ))
}

/// `GET /v2/zones/tasks/transfer_accepts`.
pub(crate) async fn accept_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        &ctx,
        "find_zone_transfer_accepts",
        &target([]),
    )?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_zone_transfer_accepts(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "transfer_accepts",
        &base,
        ACCEPTS_PATH,
        &request,
        &listing,
        |a| a.id,
        |a| accept_json(a, &base),
    )))
}

/// `GET /v2/zones/tasks/transfer_accepts/{transfer_accept_id}`.
pub(crate) async fn accept_show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("transfer_accept_id")?;
    let accept = state.central.get_zone_transfer_accept(&ctx, id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_zone_transfer_accept",
        &owner_target(&accept.tenant_id),
    )?;
    Ok(Json(accept_json(
        &accept,
        &base_url(&headers, &state.config),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn request_bodies() {
        let new =
            parse_new_request(&obj(json!({"target_project_id": "p2", "zone_id": "x"}))).unwrap();
        assert_eq!(new.target_tenant_id.as_deref(), Some("p2"));
        assert!(parse_new_request(&obj(json!({"key": "ABC"}))).is_err());
        assert!(parse_new_request(&obj(json!({"description": 5}))).is_err());

        let current = json!({"id": "i", "key": "K", "target_project_id": null, "status": "ACTIVE"});
        let u = parse_request_update(
            &obj(json!({"description": "d", "target_project_id": "p9", "key": "K"})),
            &current,
        )
        .unwrap();
        assert_eq!(u.description, Some(Some("d".to_owned())));
        assert_eq!(u.target_tenant_id.as_deref(), Some("p9"));
        let e = parse_request_update(&obj(json!({"key": "OTHER"})), &current).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Provided object does not match schema. Keys ['key'] are not valid for transfer_request")
        );
        let set = json!({"target_project_id": "p2"});
        assert!(parse_request_update(&obj(json!({"target_project_id": "p3"})), &set).is_err());
        assert!(parse_request_update(&obj(json!({"target_project_id": "p2"})), &set).is_ok());
    }

    #[test]
    fn accept_bodies() {
        let id = Uuid::new_v4();
        let ok = parse_new_accept(&obj(json!({"zone_transfer_request_id": id, "key": "K"})));
        assert_eq!(ok.unwrap().zone_transfer_request_id, id);
        let e = parse_new_accept(&obj(json!({"zone_transfer_request_id": id}))).unwrap_err();
        assert_eq!(e.error_type, "invalid_object");
        let e = parse_new_accept(&obj(json!({"key": "K"}))).unwrap_err();
        assert_eq!(e.error_type, "zone_transfer_request_not_found");
        assert!(parse_new_accept(&obj(json!({"key": "K", "zone_id": id}))).is_err());
    }
}
