//! `/v2/tsigkeys`: upstream's `TsigKeysController` (admin CRUD; create 201 with `Location`,
//! PATCH 200, delete 204) with the `TsigKeyAPIv2Adapter` body shape.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use designate_core::objects::{
    NewTsigKey, TsigAlgorithm, TsigKey, TsigKeyUpdate, TsigScope, TSIGKEY_FIELD_MAX,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

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
    filters: &[
        ("name", "name"),
        ("algorithm", "algorithm"),
        ("scope", "scope"),
    ],
};

/// Fields a body may set.
const FIELDS: &[&str] = &["name", "algorithm", "secret", "scope", "resource_id"];

/// The TSIG key as upstream renders it (the secret included: the resource is admin-only).
fn tsigkey_json(key: &TsigKey, base: &str) -> Value {
    json!({
        "id": key.id,
        "name": key.name,
        "algorithm": key.algorithm.as_str(),
        "secret": key.secret,
        "scope": key.scope.as_str(),
        "resource_id": key.resource_id,
        "created_at": timestamp(&key.created_at),
        "updated_at": opt_timestamp(key.updated_at.as_ref()),
        "links": { "self": format!("{base}/v2/tsigkeys/{}", key.id) },
    })
}

/// A required-when-creating string field of at most 160 characters.
fn text(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    body.get(field)
        .map(|v| body::string(field, v, TSIGKEY_FIELD_MAX, false))
        .transpose()
        .map(Option::flatten)
}

/// One of an enum field's spellings.
fn choice<T: std::str::FromStr>(
    body: &Map<String, Value>,
    field: &str,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = text(body, field)? else {
        return Ok(None);
    };
    raw.parse()
        .map(Some)
        .map_err(|_| body::value_error(format!("Field value {raw} is invalid")))
}

/// A UUID field.
fn uuid(body: &Map<String, Value>, field: &str) -> Result<Option<Uuid>, ApiError> {
    let Some(raw) = text(body, field)? else {
        return Ok(None);
    };
    Uuid::parse_str(&raw)
        .map(Some)
        .map_err(|_| body::value_error(format!("badly formed hexadecimal UUID string: {raw}")))
}

/// Every field of a body, each `None` when absent.
pub(super) fn parse(body: &Map<String, Value>) -> Result<TsigKeyUpdate, ApiError> {
    body::reject_unknown_keys(body, FIELDS, "tsigkey")?;
    Ok(TsigKeyUpdate {
        name: text(body, "name")?,
        algorithm: choice::<TsigAlgorithm>(body, "algorithm")?,
        secret: text(body, "secret")?,
        scope: choice::<TsigScope>(body, "scope")?,
        resource_id: uuid(body, "resource_id")?,
    })
}

/// A create body: every field required, as upstream's non-nullable fields are.
pub(super) fn parse_new(body: &Map<String, Value>) -> Result<NewTsigKey, ApiError> {
    let fields = parse(body)?;
    Ok(NewTsigKey {
        name: fields.name.ok_or_else(|| body::required("name"))?,
        algorithm: fields
            .algorithm
            .ok_or_else(|| body::required("algorithm"))?,
        secret: fields.secret.ok_or_else(|| body::required("secret"))?,
        scope: fields.scope.ok_or_else(|| body::required("scope"))?,
        resource_id: fields
            .resource_id
            .ok_or_else(|| body::required("resource_id"))?,
    })
}

/// `POST /v2/tsigkeys`: 201.
pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    policy::enforce(&state.policy, &ctx, "create_tsigkey", &target([]))?;
    let new = parse_new(&body)?;
    let key = state.central.create_tsigkey(&ctx, new).await?;
    let rendered = tsigkey_json(&key, &base_url(&headers, &state.config));
    Ok(created(StatusCode::CREATED, rendered))
}

/// `GET /v2/tsigkeys`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(&state.policy, &ctx, "find_tsigkeys", &target([]))?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_tsigkeys(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    Ok(Json(collection_body(
        "tsigkeys",
        &base,
        "/v2/tsigkeys",
        &request,
        &listing,
        |k| k.id,
        |k| tsigkey_json(k, &base),
    )))
}

/// `GET /v2/tsigkeys/{tsigkey_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("tsigkey_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_tsigkey",
        &target([("tsigkey_id", id.to_string())]),
    )?;
    let key = state.central.get_tsigkey(&ctx, id).await?;
    Ok(Json(tsigkey_json(&key, &base_url(&headers, &state.config))))
}

/// `PATCH /v2/tsigkeys/{tsigkey_id}`: 200.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("tsigkey_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_tsigkey",
        &target([("tsigkey_id", id.to_string())]),
    )?;
    let update = parse(&body)?;
    let key = state.central.update_tsigkey(&ctx, id, update).await?;
    Ok(Json(tsigkey_json(&key, &base_url(&headers, &state.config))))
}

/// `DELETE /v2/tsigkeys/{tsigkey_id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("tsigkey_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_tsigkey",
        &target([("tsigkey_id", id.to_string())]),
    )?;
    state.central.delete_tsigkey(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
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
    fn bodies() {
        let full = json!({
            "name": "k", "algorithm": "hmac-sha1", "secret": "s", "scope": "ZONE",
            "resource_id": "d96851d0-765c-4ee9-bbdf-153345270bd3",
        });
        let new = parse_new(&obj(full.clone())).unwrap();
        assert_eq!(
            (new.algorithm, new.scope),
            (TsigAlgorithm::HmacSha1, TsigScope::Zone)
        );
        for missing in FIELDS {
            let mut body = obj(full.clone());
            body.remove(*missing);
            let e = parse_new(&body).unwrap_err();
            assert_eq!(e.errors[0].path, vec![missing.to_string()], "{missing}");
        }
        let bad = |v: Value| parse(&obj(v)).unwrap_err().error_type;
        assert_eq!(bad(json!({"algorithm": "hmac-sha3"})), "invalid_object");
        assert_eq!(bad(json!({"scope": "pool"})), "invalid_object");
        assert_eq!(bad(json!({"resource_id": "nope"})), "invalid_object");
        assert_eq!(bad(json!({"name": "x".repeat(161)})), "invalid_object");
        assert_eq!(bad(json!({"name": null})), "invalid_object");
        assert_eq!(bad(json!({"id": "x"})), "invalid_object");
        assert_eq!(parse(&obj(json!({}))).unwrap(), TsigKeyUpdate::default());
    }
}
