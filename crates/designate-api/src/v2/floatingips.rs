//! `/v2/reverse/floatingips`: upstream's `FloatingIPController` — the caller's Neutron floating
//! IPs with their PTRs (`GET` list and one, no pagination), and `PATCH` to set (`ptrdname` a
//! name) or unset (`ptrdname: null`) a PTR, answered 202. The id is `<region>:<floatingip_id>`.
//!
//! Policy: upstream's central checks `find_records` for both reads with the caller's context
//! *elevated* (admin role added), against a target without a project — so with the default
//! rules every authenticated caller passes, and only an operator override can refuse. Its
//! writes run elevated too, so the API checks no rule for `PATCH`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use designate_core::objects::{parse_fip_key, FloatingIp, FloatingIpUpdate};
use designate_core::RequestContext;
use serde_json::{json, Map, Value};

use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, target};
use crate::render::base_url;
use crate::AppState;

/// The collection's path.
const PATH: &str = "/v2/reverse/floatingips";

/// Fields a body may set; upstream's adapter refuses its read-only ones (`id`, `address`,
/// `status`, `action`) like unknown keys.
const FIELDS: &[&str] = &["ptrdname", "description", "ttl"];

/// The floating IP as upstream's `FloatingIPAPIv2Adapter` renders it, in its field order.
fn fip_json(fip: &FloatingIp, base: &str) -> Value {
    let key = fip.key();
    json!({
        "id": key,
        "description": fip.description,
        "address": fip.address.to_string(),
        "ptrdname": fip.ptrdname,
        "ttl": fip.ttl,
        "action": fip.action.as_str(),
        "status": fip.status,
        "links": { "self": format!("{base}{PATH}/{key}") },
    })
}

/// A PATCH body: `ptrdname` (upstream's nullable `DomainField`), `description` (≤ 160),
/// `ttl` (0..=2147483647), each nullable.
pub(super) fn parse_update(body: &Map<String, Value>) -> Result<FloatingIpUpdate, ApiError> {
    body::reject_unknown_keys(body, FIELDS, "floatingip")?;
    let ptrdname = match body.get("ptrdname") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => Some(Some(body::zone_name("ptrdname", v)?)),
    };
    let description = match body.get("description") {
        Some(v) => body::string("description", v, 160, true)?,
        None => None,
    };
    let ttl = match body.get("ttl") {
        Some(v) => body::integer("ttl", v, 0, 2_147_483_647, true)?,
        None => None,
    };
    Ok(FloatingIpUpdate {
        ptrdname,
        description,
        ttl,
    })
}

/// Upstream's reads check `find_records` with the context elevated.
fn enforce_find_records(state: &AppState, ctx: &RequestContext) -> Result<(), ApiError> {
    let mut elevated = ctx.clone();
    elevated.roles.push("admin".to_owned());
    policy::enforce(
        &state.policy,
        &elevated,
        "find_records",
        &target([
            ("project_id", "None".to_owned()),
            ("tenant_id", "None".to_owned()),
        ]),
    )
}

/// The `{region}:{floatingip_id}` path segment.
fn key_of(uri: &axum::http::Uri) -> &str {
    uri.path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// `GET /v2/reverse/floatingips`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    enforce_find_records(&state, &ctx)?;
    let fips = state.central.list_floatingips(&ctx).await?;
    let base = base_url(&headers, &state.config);
    let rendered: Vec<Value> = fips.iter().map(|f| fip_json(f, &base)).collect();
    // Upstream's collection link repeats the query; the list has no pagination, so no `next`.
    let query = query.filter(|q| !q.is_empty());
    let self_link = match query {
        Some(q) => format!("{base}{PATH}?{q}"),
        None => format!("{base}{PATH}"),
    };
    Ok(Json(json!({
        "floatingips": rendered,
        "links": { "self": self_link },
    })))
}

/// `GET /v2/reverse/floatingips/{region}:{floatingip_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Json<Value>, ApiError> {
    let (region, id) = parse_fip_key(&percent_decoded(key_of(&uri)))?;
    enforce_find_records(&state, &ctx)?;
    let fip = state.central.get_floatingip(&ctx, region, id).await?;
    Ok(Json(fip_json(&fip, &base_url(&headers, &state.config))))
}

/// `PATCH /v2/reverse/floatingips/{region}:{floatingip_id}`: 202, with the floating IP after a
/// set, and no body after an unset or a body without `ptrdname` (upstream returns nothing).
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    uri: axum::http::Uri,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let (region, id) = parse_fip_key(&percent_decoded(key_of(&uri)))?;
    let update = parse_update(&body)?;
    match state
        .central
        .update_floatingip(&ctx, region, id, update)
        .await?
    {
        Some(fip) => Ok((
            StatusCode::ACCEPTED,
            Json(fip_json(&fip, &base_url(&headers, &state.config))),
        )
            .into_response()),
        None => Ok(StatusCode::ACCEPTED.into_response()),
    }
}

/// The path segment with `%XX` escapes decoded (a client may escape the `:`); bytes that do not
/// decode to UTF-8 are kept escaped, so the key is then refused as malformed.
fn percent_decoded(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_owned())
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
        let u = parse_update(&obj(json!({"ptrdname": "a.example.org.", "ttl": 300}))).unwrap();
        assert_eq!(u.ptrdname, Some(Some("a.example.org.".to_owned())));
        assert_eq!(u.ttl, Some(300));
        let u = parse_update(&obj(json!({"ptrdname": null}))).unwrap();
        assert_eq!(u.ptrdname, Some(None));
        assert_eq!(parse_update(&obj(json!({}))).unwrap().ptrdname, None);
        for bad in [
            json!({"ptrdname": "no-dot"}),
            json!({"ptrdname": 5}),
            json!({"ttl": -1}),
            json!({"ttl": 2_147_483_648_i64}),
            json!({"description": "x".repeat(161)}),
            json!({"address": "192.0.2.1"}),
            json!({"id": "r:x"}),
        ] {
            let e = parse_update(&obj(bad.clone())).unwrap_err();
            assert_eq!(e.error_type, "invalid_object", "{bad}");
        }
    }

    #[test]
    fn keys_are_percent_decoded() {
        assert_eq!(percent_decoded("RegionOne%3Aabc"), "RegionOne:abc");
        assert_eq!(percent_decoded("a%zz"), "a%zz");
        assert_eq!(percent_decoded("%ff"), "%ff");
    }
}
