//! `/v2/blacklists`: upstream's `BlacklistsController` (admin CRUD; create 201 with `Location`, update 200,
//! delete 204) with the `BlacklistAPIv2Adapter` body shape.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use designate_core::objects::{Blacklist, BlacklistUpdate, NewBlacklist};
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
    sort_keys: &["created_at", "id", "updated_at", "pattern"],
    filters: &[("pattern", "pattern")],
};

/// Fields a body may set.
const FIELDS: &[&str] = &["pattern", "description"];

/// The blacklist entry as upstream renders it.
fn blacklist_json(bl: &Blacklist, base: &str) -> Value {
    json!({
        "id": bl.id,
        "pattern": bl.pattern,
        "description": bl.description,
        "created_at": timestamp(&bl.created_at),
        "updated_at": opt_timestamp(bl.updated_at.as_ref()),
        "links": { "self": format!("{base}/v2/blacklists/{}", bl.id) },
    })
}

/// `pattern` and `description` of a body; `pattern` is required unless `partial`.
pub(super) fn parse(
    body: &Map<String, Value>,
    partial: bool,
) -> Result<(Option<String>, Option<Option<String>>), ApiError> {
    body::reject_unknown_keys(body, FIELDS, "blacklist")?;
    let name = match body.get("pattern") {
        Some(v) => match body::string("pattern", v, 255, false)? {
            Some(n) => Some(n),
            None => return Err(body::required("pattern")),
        },
        None if partial => None,
        None => return Err(body::required("pattern")),
    };
    let description = body
        .get("description")
        .map(|v| body::string("description", v, 160, true))
        .transpose()?;
    Ok((name, description))
}

/// `POST /v2/blacklists`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    policy::enforce(&state.policy, &ctx, "create_blacklist", &target([]))?;
    let (name, description) = parse(&body, false)?;
    let new = NewBlacklist {
        pattern: name.unwrap_or_default(),
        description: description.flatten(),
    };
    let bl = state.central.create_blacklist(&ctx, new).await?;
    let rendered = blacklist_json(&bl, &base_url(&headers, &state.config));
    Ok(created(StatusCode::CREATED, rendered))
}

/// `GET /v2/blacklists`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(&state.policy, &ctx, "find_blacklists", &target([]))?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_blacklists(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "blacklists",
        &base,
        "/v2/blacklists",
        &request,
        &listing,
        |b| b.id,
        |b| blacklist_json(b, &base),
    )))
}

/// `GET /v2/blacklists/{blacklist_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("blacklist_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_blacklist",
        &target([("blacklist_id", id.to_string())]),
    )?;
    let bl = state.central.get_blacklist(&ctx, id).await?;
    Ok(Json(blacklist_json(
        &bl,
        &base_url(&headers, &state.config),
    )))
}

/// `PATCH /v2/blacklists/{blacklist_id}`.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("blacklist_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_blacklist",
        &target([("blacklist_id", id.to_string())]),
    )?;
    let (name, description) = parse(&body, true)?;
    let bl = state
        .central
        .update_blacklist(
            &ctx,
            id,
            BlacklistUpdate {
                pattern: name,
                description,
            },
        )
        .await?;
    Ok(Json(blacklist_json(
        &bl,
        &base_url(&headers, &state.config),
    )))
}

/// `DELETE /v2/blacklists/{blacklist_id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("blacklist_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_blacklist",
        &target([("blacklist_id", id.to_string())]),
    )?;
    state.central.delete_blacklist(&ctx, id).await?;
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
        let (n, d) = parse(
            &obj(json!({"pattern": "^com\\.$", "description": null})),
            false,
        )
        .unwrap();
        assert_eq!((n.as_deref(), d), (Some("^com\\.$"), Some(None)));
        assert!(parse(&obj(json!({})), false).is_err());
        assert!(parse(&obj(json!({})), true).is_ok());
        assert!(parse(&obj(json!({"pattern": 1})), false).is_err());
        assert!(parse(&obj(json!({"id": "x", "pattern": "x"})), false).is_err());
    }
}
