//! Small zone actions: `GET /v2/zones/{zone_id}/nameservers` (upstream's
//! `NameServersController`) and `POST /v2/zones/{zone_id}/tasks/abandon` (`AbandonController`:
//! admin only, 204, the nameservers keep the zone); the zone tasks `POST
//! /v2/zones/{zone_id}/tasks/xfr` (`XfrController`: 202, a transfer of a SECONDARY zone from
//! its masters) and `POST /v2/zones/{zone_id}/tasks/pool_move` (`PoolMoveController`: admin,
//! 202, the zone moves to the body's `pool_id` or to the pool the scheduler picks).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use designate_core::objects::{Action, ZoneStatus};
use serde_json::{json, Value};
use uuid::Uuid;

use super::Ids;
use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, own_project_target, zone_target};
use crate::AppState;

/// `GET /v2/zones/{zone_id}/nameservers`: the pool's NS records with their priority.
pub(crate) async fn nameservers(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_zone_ns_records",
        &zone_target(&ctx, &zone),
    )?;
    let records = state.central.get_zone_ns_records(&ctx, zone_id).await?;
    let nameservers: Vec<Value> = records
        .iter()
        .map(|r| json!({ "hostname": r.hostname, "priority": r.priority }))
        .collect();
    Ok(Json(json!({ "nameservers": nameservers })))
}

/// `POST /v2/zones/{zone_id}/tasks/abandon`: 204, no body.
pub(crate) async fn abandon(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "abandon_zone",
        &zone_target(&ctx, &zone),
    )?;
    state.central.abandon_zone(&ctx, zone_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v2/zones/{zone_id}/tasks/xfr`: 202, empty body; `400 bad_request` for a zone that is
/// not SECONDARY.
pub(crate) async fn xfr(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    policy::enforce(&state.policy, &ctx, "xfr_zone", &zone_target(&ctx, &zone))?;
    state.central.xfr_zone(&ctx, zone_id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Fields of a pool move body: upstream parses it as a zone, of which only `pool_id` is used.
const POOL_MOVE_FIELDS: &[&str] = &["pool_id", "email", "description", "ttl"];

/// `POST /v2/zones/{zone_id}/tasks/pool_move`: 202, empty body. Upstream's errors: a deleting
/// zone, the zone's own pool as target, no other pool from the scheduler, a target pool that
/// does not exist (all `400 bad_request`).
pub(crate) async fn pool_move(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
    JsonObject(request): JsonObject,
) -> Result<StatusCode, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    if zone.action == Action::Delete {
        return Err(ApiError::bad_request("Can not move a deleting zone"));
    }
    body::reject_unknown_keys(&request, POOL_MOVE_FIELDS, "zone")?;
    let target = match request.get("pool_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Uuid::parse_str(s).map_err(|_| {
            body::value_error(format!("badly formed hexadecimal UUID string: {s}"))
        })?),
        Some(other) => {
            return Err(body::value_error(format!(
                "A string is required in field pool_id, not a {}",
                body::python_type(other)
            )))
        }
    };
    if target.is_some() && target == zone.pool_id {
        return Err(ApiError::bad_request(
            "Target pool must be different for zone pool move",
        ));
    }
    // Upstream's controller checks the body before central's `pool_move_zone` rule, so a
    // caller without the rule still sees the body's 400s first; the rule's target is the
    // caller's own project (as upstream's central builds it), not the zone's.
    let mut rule_target = own_project_target(&ctx);
    rule_target.insert("zone_id".to_owned(), zone_id.to_string());
    policy::enforce(&state.policy, &ctx, "pool_move_zone", &rule_target)?;
    let moved = state.central.pool_move_zone(&ctx, zone_id, target).await?;
    // Upstream answers 500 when the moved zone is not PENDING.
    Ok(if moved.status == ZoneStatus::Pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    })
}
