//! `/v2/quotas` and `/v2/quotas/{project_id}`: upstream's `QuotasController`. A project's
//! quotas render as one object `{resource: hard_limit}`; PATCH sets some (200 with all of
//! them), DELETE resets the project to the defaults (204).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use designate_core::objects::{MAX_QUOTA, MIN_QUOTA, QUOTA_RESOURCES};
use designate_core::{ErrorKind, RequestContext};
use serde_json::{Map, Value};

use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, py_bool, target, Target};
use crate::AppState;

fn quota_target(ctx: &RequestContext, project_id: &str) -> Target {
    target([
        ("project_id", project_id.to_owned()),
        ("tenant_id", project_id.to_owned()),
        ("all_tenants", py_bool(ctx.all_projects).to_owned()),
    ])
}

async fn show_for(
    state: &AppState,
    ctx: &RequestContext,
    project_id: String,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        ctx,
        "get_quotas",
        &quota_target(ctx, &project_id),
    )?;
    let quotas = state.central.get_quotas(ctx, project_id).await?;
    Ok(Json(serde_json::to_value(quotas).unwrap_or_default()))
}

/// `GET /v2/quotas`: the caller's own project.
pub(crate) async fn show_own(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
) -> Result<Json<Value>, ApiError> {
    let project = ctx.project_id.clone().unwrap_or_default();
    show_for(&state, &ctx, project).await
}

/// `GET /v2/quotas/{project_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(project_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    show_for(&state, &ctx, project_id).await
}

/// The `(resource, hard_limit)` pairs of a PATCH body, checked as upstream's `Quota` object:
/// `resource` one of the known ones, `hard_limit` an integer in -1..=2147483647.
pub(super) fn parse(body: &Map<String, Value>) -> Result<Vec<(String, i64)>, ApiError> {
    body.iter()
        .map(|(resource, v)| {
            if !QUOTA_RESOURCES.contains(&resource.as_str()) {
                return Err(body::value_error(format!(
                    "Field value {resource} is invalid"
                )));
            }
            let limit =
                body::integer(resource, v, MIN_QUOTA, MAX_QUOTA, false)?.map_or(0, i64::from);
            Ok((resource.clone(), limit))
        })
        .collect()
}

/// `PATCH /v2/quotas/{project_id}`: 200 with every quota of the project.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(project_id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let quotas = parse(&body)?;
    if ctx.project_id.is_none() && !ctx.all_projects {
        return Err(ApiError::new(
            ErrorKind::MissingProjectId,
            "The all-projects flag must be used when using non-project scoped tokens.",
        ));
    }
    for (resource, hard_limit) in quotas {
        let mut t = quota_target(&ctx, &project_id);
        t.insert("resource".to_owned(), resource.clone());
        t.insert("hard_limit".to_owned(), hard_limit.to_string());
        policy::enforce(&state.policy, &ctx, "set_quota", &t)?;
        state
            .central
            .set_quota(&ctx, project_id.clone(), resource, hard_limit)
            .await?;
    }
    show_for(&state, &ctx, project_id).await
}

/// `DELETE /v2/quotas/{project_id}`: 204.
pub(crate) async fn reset(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(project_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let t = target([
        ("project_id", project_id.clone()),
        ("tenant_id", project_id.clone()),
    ]);
    policy::enforce(&state.policy, &ctx, "reset_quotas", &t)?;
    state.central.reset_quotas(&ctx, project_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_bodies() {
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        assert_eq!(
            parse(&obj(json!({"zones": 5, "zone_records": -1}))).unwrap(),
            vec![("zones".to_owned(), 5), ("zone_records".to_owned(), -1)]
        );
        assert!(parse(&obj(json!({"bogus": 5}))).is_err());
        assert!(parse(&obj(json!({"zones": -2}))).is_err());
        assert!(parse(&obj(json!({"zones": "5x"}))).is_err());
        assert!(parse(&obj(json!({"zones": null}))).is_err());
    }
}
