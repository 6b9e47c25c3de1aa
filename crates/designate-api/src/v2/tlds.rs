//! `/v2/tlds`: upstream's `TldsController` (admin CRUD; create 201 with `Location`, update 200,
//! delete 204) with the `TldAPIv2Adapter` body shape.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use designate_core::objects::{NewTld, Tld, TldUpdate};
use serde_json::{json, Map, Value};

use super::Ids;
use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, target};
use crate::query::{collection_body, ListRequest, ListSpec};
use crate::render::{base_url, created, opt_timestamp, timestamp};
use crate::AppState;

const LIST: ListSpec = ListSpec {
    sort_keys: &["created_at", "id", "updated_at", "name"],
    filters: &[("name", "name")],
};

/// Fields a body may set.
const FIELDS: &[&str] = &["name", "description"];

/// The TLD as upstream renders it.
fn tld_json(tld: &Tld, base: &str) -> Value {
    json!({
        "id": tld.id,
        "name": tld.name,
        "description": tld.description,
        "created_at": timestamp(&tld.created_at),
        "updated_at": opt_timestamp(tld.updated_at.as_ref()),
        "links": { "self": format!("{base}/v2/tlds/{}", tld.id) },
    })
}

/// `name` and `description` of a body; `name` is required unless `partial`.
pub(super) fn parse(
    body: &Map<String, Value>,
    partial: bool,
) -> Result<(Option<String>, Option<Option<String>>), ApiError> {
    body::reject_unknown_keys(body, FIELDS, "tld")?;
    let name = match body.get("name") {
        Some(v) => match body::string("name", v, 255, false)? {
            Some(n) => Some(n),
            None => return Err(body::required("name")),
        },
        None if partial => None,
        None => return Err(body::required("name")),
    };
    let description = body
        .get("description")
        .map(|v| body::string("description", v, 160, true))
        .transpose()?;
    Ok((name, description))
}

/// `POST /v2/tlds`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    policy::enforce(&state.policy, &ctx, "create_tld", &target([]))?;
    let (name, description) = parse(&body, false)?;
    let new = NewTld {
        name: name.unwrap_or_default(),
        description: description.flatten(),
    };
    let tld = state.central.create_tld(&ctx, new).await?;
    let rendered = tld_json(&tld, &base_url(&headers, &state.config));
    Ok(created(StatusCode::CREATED, rendered))
}

/// `GET /v2/tlds`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(&state.policy, &ctx, "find_tlds", &target([]))?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_tlds(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "tlds",
        &base,
        "/v2/tlds",
        &request,
        &listing,
        |t| t.id,
        |t| tld_json(t, &base),
    )))
}

/// `GET /v2/tlds/{tld_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("tld_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_tld",
        &target([("tld_id", id.to_string())]),
    )?;
    let tld = state.central.get_tld(&ctx, id).await?;
    Ok(Json(tld_json(&tld, &base_url(&headers, &state.config))))
}

/// `PATCH /v2/tlds/{tld_id}`.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("tld_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_tld",
        &target([("tld_id", id.to_string())]),
    )?;
    let (name, description) = parse(&body, true)?;
    let tld = state
        .central
        .update_tld(&ctx, id, TldUpdate { name, description })
        .await?;
    Ok(Json(tld_json(&tld, &base_url(&headers, &state.config))))
}

/// `DELETE /v2/tlds/{tld_id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("tld_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_tld",
        &target([("tld_id", id.to_string())]),
    )?;
    state.central.delete_tld(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let (n, d) = parse(&obj(json!({"name": "com", "description": null})), false).unwrap();
        assert_eq!((n.as_deref(), d), (Some("com"), Some(None)));
        assert!(parse(&obj(json!({})), false).is_err());
        assert!(parse(&obj(json!({})), true).is_ok());
        assert!(parse(&obj(json!({"name": 1})), false).is_err());
        assert!(parse(&obj(json!({"id": "x", "name": "com"})), false).is_err());
    }
}
