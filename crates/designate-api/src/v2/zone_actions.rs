//! Small zone actions: `GET /v2/zones/{zone_id}/nameservers` (upstream's
//! `NameServersController`) and `POST /v2/zones/{zone_id}/tasks/abandon` (`AbandonController`:
//! admin only, 204, the nameservers keep the zone).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::Ids;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, zone_target};
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
