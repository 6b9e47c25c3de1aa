//! `GET /v2/limits`: upstream's `LimitsController` — the caller's project quotas plus the
//! field and paging limits the service enforces.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::context::Ctx;
use crate::error::ApiError;
use crate::AppState;

/// `GET /v2/limits`. Upstream checks no policy here beyond authentication.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
) -> Result<Json<Value>, ApiError> {
    let limits = state.central.get_absolute_limits(&ctx).await?;
    let quota = |k: &str| limits.quotas.get(k).copied();
    Ok(Json(json!({
        "max_zones": quota("zones"),
        "max_zone_recordsets": quota("zone_recordsets"),
        "max_zone_records": quota("zone_records"),
        "max_recordset_records": quota("recordset_records"),
        "min_ttl": limits.min_ttl,
        "max_zone_name_length": limits.max_zone_name_len,
        "max_recordset_name_length": limits.max_recordset_name_len,
        "max_page_limit": state.config.max_limit,
    })))
}
