//! `GET /v2/pools` and `GET /v2/pools/{pool_id}`: upstream's `PoolsController` reads (admin),
//! with the `PoolAPIv2Adapter` body shape. Pools are few (one per group of nameservers), so the
//! list is filtered, sorted and paged here over central's full list.
//!
//! Pool writes stay with `designate manage pool update` (pools.yaml): upstream itself deprecates
//! writing pools through the API.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use designate_core::criteria::{Filter, SortDir};
use designate_core::objects::Pool;
use designate_core::ErrorKind;
use serde_json::{json, Map, Value};

use super::Ids;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, target};
use crate::query::{collection_links, ListRequest, ListSpec};
use crate::render::base_url;
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
