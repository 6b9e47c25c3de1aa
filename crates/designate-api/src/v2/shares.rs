//! `/v2/zones/{zone_id}/shares`: upstream's `SharedZonesController` (share 201, list, show,
//! unshare 204), and the `shared` field of zone bodies.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use designate_core::objects::{SharedZone, SHARE_PROJECT_MAX};
use designate_core::RequestContext;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::Ids;
use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, target, Target};
use crate::query::{collection_body, ListRequest, ListSpec};
use crate::render::{base_url, created, opt_timestamp, timestamp};
use crate::AppState;

const LIST: ListSpec = ListSpec {
    sort_keys: &["created_at", "updated_at"],
    filters: &[("target_project_id", "target_project_id")],
};

fn owner_target(project: &str) -> Target {
    target([
        ("project_id", project.to_owned()),
        ("tenant_id", project.to_owned()),
    ])
}

fn share_json(share: &SharedZone, base: &str) -> Value {
    json!({
        "id": share.id,
        "zone_id": share.zone_id,
        "project_id": share.project_id,
        "target_project_id": share.target_project_id,
        "created_at": timestamp(&share.created_at),
        "updated_at": opt_timestamp(share.updated_at.as_ref()),
        "links": {
            "self": format!("{base}/v2/zones/{}/shares/{}", share.zone_id, share.id),
            "zone": format!("{base}/v2/zones/{}", share.zone_id),
        },
    })
}

/// Sets `shared` in rendered zones (`zones[i]` renders `ids[i]`).
pub(crate) async fn mark_shared(
    state: &AppState,
    ctx: &RequestContext,
    zones: &mut [Value],
    ids: &[Uuid],
) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let shared = state.central.shared_zone_ids(ctx, ids.to_vec()).await?;
    for (zone, id) in zones.iter_mut().zip(ids) {
        zone["shared"] = Value::Bool(shared.contains(id));
    }
    Ok(())
}

/// `POST /v2/zones/{zone_id}/shares`: 201.
/// A create body: the `target_project_id` (required, at most `SHARE_PROJECT_MAX` characters).
pub(super) fn parse_new(b: &Map<String, Value>) -> Result<String, ApiError> {
    body::reject_unknown_keys(b, &["target_project_id"], "shared_zone")?;
    match b.get("target_project_id") {
        Some(v) => {
            Ok(body::string("target_project_id", v, SHARE_PROJECT_MAX, false)?.unwrap_or_default())
        }
        None => Err(body::required("target_project_id")),
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(b): JsonObject,
) -> Result<Response, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let target_project_id = parse_new(&b)?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    let owner = zone.tenant_id.clone().unwrap_or_else(|| "None".to_owned());
    policy::enforce(&state.policy, &ctx, "share_zone", &owner_target(&owner))?;
    let share = state
        .central
        .share_zone(&ctx, zone_id, target_project_id)
        .await?;
    let rendered = share_json(&share, &base_url(&headers, &state.config));
    Ok(created(StatusCode::CREATED, rendered))
}

/// `GET /v2/zones/{zone_id}/shares`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    policy::enforce(&state.policy, &ctx, "find_zone_shares", &target([]))?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    // Upstream: asking about a project's shares needs `find_project_zone_share` for it.
    if !ctx.all_projects {
        let asked = request
            .criteria
            .0
            .iter()
            .find(|(c, _)| c == "target_project_id")
            .and_then(|(_, f)| match f {
                designate_core::criteria::Filter::Eq(v) => Some(v.clone()),
                _ => None,
            })
            .or_else(|| ctx.project_id.clone())
            .unwrap_or_else(|| "None".to_owned());
        policy::enforce(
            &state.policy,
            &ctx,
            "find_project_zone_share",
            &owner_target(&asked),
        )?;
    }
    let criteria = request.criteria.clone().eq("zone_id", zone_id.to_string());
    let listing = state
        .central
        .find_shared_zones(&ctx, criteria, request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "shared_zones",
        &base,
        &format!("/v2/zones/{zone_id}/shares"),
        &request,
        &listing,
        |s| s.id,
        |s| share_json(s, &base),
    )))
}

/// `GET /v2/zones/{zone_id}/shares/{zone_share_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let share_id = ids.uuid("zone_share_id")?;
    let share = state
        .central
        .get_shared_zone(&ctx, zone_id, share_id)
        .await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_zone_share",
        &owner_target(&share.project_id),
    )?;
    Ok(Json(share_json(&share, &base_url(&headers, &state.config))))
}

/// `DELETE /v2/zones/{zone_id}/shares/{zone_share_id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let share_id = ids.uuid("zone_share_id")?;
    let share = state
        .central
        .get_shared_zone(&ctx, zone_id, share_id)
        .await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "unshare_zone",
        &owner_target(&share.project_id),
    )?;
    state.central.unshare_zone(&ctx, zone_id, share_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
