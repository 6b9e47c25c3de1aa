//! `/v2/pools`: upstream's `PoolsController` (admin; create 201 with `Location`, update 202 as
//! upstream answers it, delete 204) with the `PoolAPIv2Adapter` body shape. Pools are few (one
//! per group of nameservers), so the list is filtered, sorted and paged here over central's full
//! list.
//!
//! Upstream deprecates pool writes through the API in favour of `designate manage pool update`
//! (pools.yaml) but still serves them; the API writes only the fields it renders (name,
//! description, attributes, NS records, project) and keeps a pool's targets, nameservers and
//! also-notifies.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use designate_core::criteria::{Filter, SortDir};
use designate_core::objects::{Pool, PoolAttribute, PoolNsRecord};
use designate_core::ErrorKind;
use serde_json::{json, Map, Value};

use super::Ids;
use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, target};
use crate::query::{collection_links, ListRequest, ListSpec};
use crate::render::{base_url, created};
use crate::AppState;

const LIST: ListSpec = ListSpec {
    sort_keys: &["created_at", "id", "updated_at", "name"],
    filters: &[("name", "name")],
};

/// The pool as upstream renders it. Our pool rows carry no timestamps, so `created_at` and
/// `updated_at` are null.
fn pool_json(pool: &Pool, base: &str) -> Value {
    let attributes: Map<String, Value> = pool
        .attributes
        .iter()
        .map(|a| (a.key.clone(), json!(a.value)))
        .collect();
    let ns_records: Vec<Value> = pool
        .ns_records
        .iter()
        .map(|ns| json!({ "hostname": ns.hostname, "priority": ns.priority }))
        .collect();
    json!({
        "id": pool.id,
        "name": pool.name,
        "description": pool.description,
        "attributes": attributes,
        "ns_records": ns_records,
        "project_id": pool.tenant_id,
        "created_at": null,
        "updated_at": null,
        "links": { "self": format!("{base}/v2/pools/{}", pool.id) },
    })
}

/// Fields a body may set.
const FIELDS: &[&str] = &[
    "name",
    "description",
    "attributes",
    "ns_records",
    "project_id",
];

/// Applies the fields of `body` to `pool`; `name` is required unless `partial`.
///
/// # Errors
/// `invalid_object` for an unknown or read-only key, a project other than the one the pool
/// already has (immutable once set, as upstream), a missing name, or a field of the wrong type,
/// length or range.
pub(super) fn apply(
    body: &Map<String, Value>,
    pool: &mut Pool,
    partial: bool,
) -> Result<(), ApiError> {
    body::reject_unknown_keys(body, FIELDS, "pool")?;
    match body.get("name") {
        Some(v) => match body::string("name", v, 50, false)? {
            Some(name) => pool.name = name,
            None => return Err(body::required("name")),
        },
        None if partial => {}
        None => return Err(body::required("name")),
    }
    if let Some(v) = body.get("description") {
        pool.description = body::string("description", v, 160, true)?;
    }
    if let Some(v) = body.get("project_id") {
        let project = body::string("project_id", v, 36, true)?;
        if pool.tenant_id.is_some() && pool.tenant_id != project {
            return Err(body::keys_not_valid(&["'project_id'".to_owned()], "pool"));
        }
        pool.tenant_id = project;
    }
    if let Some(v) = body.get("attributes") {
        pool.attributes = attributes(v)?;
    }
    if let Some(v) = body.get("ns_records") {
        pool.ns_records = ns_records(v)?;
    }
    Ok(())
}

/// `attributes`: an object of string values (`null` clears them).
fn attributes(v: &Value) -> Result<Vec<PoolAttribute>, ApiError> {
    let map = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => map,
        other => {
            return Err(body::value_error(format!(
                "A dict is required in field attributes, not a {}",
                body::python_type(other)
            )))
        }
    };
    map.iter()
        .map(|(key, value)| {
            if key.chars().count() > 50 {
                return Err(body::value_error("Value too long for key"));
            }
            let value = body::string("value", value, 50, false)?.unwrap_or_default();
            Ok(PoolAttribute {
                key: key.clone(),
                value,
            })
        })
        .collect()
}

/// `ns_records`: a list of `{hostname, priority}` (`null` clears them).
fn ns_records(v: &Value) -> Result<Vec<PoolNsRecord>, ApiError> {
    let list = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        other => {
            return Err(body::value_error(format!(
                "A list is required in field ns_records, not a {}",
                body::python_type(other)
            )))
        }
    };
    list.iter()
        .map(|item| {
            let Value::Object(record) = item else {
                return Err(body::value_error(format!(
                    "A dict is required in field ns_records, not a {}",
                    body::python_type(item)
                )));
            };
            body::reject_unknown_keys(record, &["hostname", "priority"], "ns_record")?;
            let hostname = record
                .get("hostname")
                .ok_or_else(|| body::required("hostname"))?;
            let priority = record
                .get("priority")
                .ok_or_else(|| body::required("priority"))?;
            Ok(PoolNsRecord {
                hostname: body::zone_name("hostname", hostname)?,
                priority: body::integer("priority", priority, 1, 10000, false)?.unwrap_or(1),
            })
        })
        .collect()
}

/// Upstream's `*` wildcard match (everything else literal).
fn wildcard_match(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return value.is_empty();
    };
    let Some(mut tail) = value.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for part in middle {
        match tail.find(part) {
            Some(i) => tail = &tail[i + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

/// Filters, sorts and pages `pools` as `request` asks.
fn select(mut pools: Vec<Pool>, request: &ListRequest) -> Result<(Vec<Pool>, u64), ApiError> {
    for (column, filter) in &request.criteria.0 {
        if column != "name" {
            continue;
        }
        pools.retain(|p| match filter {
            Filter::Eq(v) => &p.name == v,
            Filter::Ne(v) => &p.name != v,
            Filter::Wildcard(v) => wildcard_match(v, &p.name),
            Filter::IsNull => false,
        });
    }
    let total = pools.len() as u64;
    // No timestamps on pools: those keys fall back to the id order, a stable total order.
    if request.page.sort_key == "name" {
        pools.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    } else {
        pools.sort_by_key(|p| p.id);
    }
    if request.page.sort_dir == SortDir::Desc {
        pools.reverse();
    }
    if let Some(marker) = request.page.marker {
        let Some(at) = pools.iter().position(|p| p.id == marker) else {
            return Err(ApiError::new(
                ErrorKind::MarkerNotFound,
                format!("Marker {marker} could not be found"),
            ));
        };
        pools.drain(..=at);
    }
    if let Some(limit) = request.page.limit {
        pools.truncate(limit as usize);
    }
    Ok((pools, total))
}

/// `GET /v2/pools`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(&state.policy, &ctx, "find_pools", &target([]))?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let pools = state.central.find_pools(&ctx).await?;
    let (page, total) = select(pools, &request)?;
    let base = base_url(&headers, &state.config);
    let last = request.next_marker(&page, |p| p.id);
    let items: Vec<Value> = page.iter().map(|p| pool_json(p, &base)).collect();
    Ok(Json(json!({
        "pools": items,
        "links": collection_links(&base, "/v2/pools", &request, last),
        "metadata": { "total_count": total },
    })))
}

/// `GET /v2/pools/{pool_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("pool_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_pool",
        &target([("pool_id", id.to_string())]),
    )?;
    let pool = state.central.get_pool(&ctx, id).await?;
    Ok(Json(pool_json(&pool, &base_url(&headers, &state.config))))
}

/// `POST /v2/pools`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    policy::enforce(&state.policy, &ctx, "create_pool", &target([]))?;
    let mut pool = Pool {
        id: uuid::Uuid::new_v4(),
        name: String::new(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: Vec::new(),
        nameservers: Vec::new(),
        targets: Vec::new(),
        also_notifies: Vec::new(),
    };
    apply(&body, &mut pool, false)?;
    let pool = state.central.create_pool(&ctx, pool).await?;
    let rendered = pool_json(&pool, &base_url(&headers, &state.config));
    Ok(created(StatusCode::CREATED, rendered))
}

/// `PATCH /v2/pools/{pool_id}`: 202, as upstream answers it.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let id = ids.uuid("pool_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_pool",
        &target([("pool_id", id.to_string())]),
    )?;
    let mut pool = state.central.get_pool(&ctx, id).await?;
    apply(&body, &mut pool, true)?;
    let pool = state.central.update_pool(&ctx, pool).await?;
    let rendered = pool_json(&pool, &base_url(&headers, &state.config));
    Ok((StatusCode::ACCEPTED, Json(rendered)).into_response())
}

/// `DELETE /v2/pools/{pool_id}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ids: Ids,
) -> Result<StatusCode, ApiError> {
    let id = ids.uuid("pool_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_pool",
        &target([("pool_id", id.to_string())]),
    )?;
    state.central.delete_pool(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("def*", "default"));
        assert!(wildcard_match("*ault", "default"));
        assert!(wildcard_match("d*f*t", "default"));
        assert!(wildcard_match("default", "default"));
        assert!(!wildcard_match("x*", "default"));
        assert!(!wildcard_match("*ulta", "default"));
        assert!(!wildcard_match("de*fault*x", "default"));
    }
}
