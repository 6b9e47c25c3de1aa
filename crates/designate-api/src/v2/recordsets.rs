//! Recordsets: `/v2/zones/{zone_id}/recordsets[/{id}]` (create 202, list, show, replace 202,
//! delete 202) and the cross-zone view `/v2/recordsets[/{id}]` — upstream's
//! `RecordSetsController` / `RecordSetsViewController` with the `RecordSetAPIv2Adapter` shape.

use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use designate_core::criteria::Filter;
use designate_core::error::ValidationError;
use designate_core::objects::{NewRecordSet, RecordSet, RecordSetUpdate, RecordStatus};
use designate_core::{rdata, DesignateError, ErrorKind, RequestContext};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{write_status, Ids};
use crate::body::{self, JsonObject, JsonValue};
use crate::context::{bool_from_string, Ctx};
use crate::error::ApiError;
use crate::policy::{self, own_project_target, recordset_target, zone_target};
use crate::query::{collection_links, ListRequest, ListSpec};
use crate::render::{base_url, created, opt_timestamp, timestamp};
use crate::AppState;

const FILTERS: &[(&str, &str)] = &[
    ("name", "name"),
    ("type", "type"),
    ("ttl", "ttl"),
    ("data", "data"),
    ("status", "status"),
    ("description", "description"),
];

/// Listing inside a zone. Upstream also lists `records`, which no storage column backs, so it
/// always failed there; we reject it up front with the same error type.
const IN_ZONE: ListSpec = ListSpec {
    sort_keys: &[
        "created_at",
        "id",
        "updated_at",
        "zone_id",
        "tenant_id",
        "name",
        "type",
        "ttl",
    ],
    filters: FILTERS,
};

/// Listing across zones.
const ALL: ListSpec = ListSpec {
    sort_keys: &[
        "created_at",
        "updated_at",
        "zone_id",
        "tenant_id",
        "name",
        "type",
        "ttl",
    ],
    filters: FILTERS,
};

/// Fields a create body may set.
const CREATE_FIELDS: &[&str] = &["name", "type", "records", "description", "ttl"];
/// Fields a replace body may change; other rendered fields must be echoed unchanged.
const UPDATE_FIELDS: &[&str] = &["records", "description", "ttl"];
/// Fields of the rendered recordset.
const RENDERED_FIELDS: &[&str] = &[
    "id",
    "zone_id",
    "project_id",
    "name",
    "zone_name",
    "type",
    "records",
    "description",
    "ttl",
    "status",
    "action",
    "version",
    "created_at",
    "updated_at",
];

/// The recordset as upstream renders it; its canonical link is always under its zone.
pub(crate) fn recordset_json(rs: &RecordSet, base: &str) -> Value {
    let records: Vec<&str> = rs.records.iter().map(|r| r.data.as_str()).collect();
    json!({
        "id": rs.id,
        "project_id": rs.tenant_id,
        "zone_id": rs.zone_id,
        "zone_name": rs.zone_name,
        "name": rs.name,
        "type": rs.rtype,
        "records": records,
        "ttl": rs.ttl,
        "description": rs.description,
        "status": rs.status().as_str(),
        "action": rs.action().as_str(),
        "version": rs.version,
        "created_at": timestamp(&rs.created_at),
        "updated_at": opt_timestamp(rs.updated_at.as_ref()),
        "links": { "self": canonical_link(base, rs.zone_id, rs.id) },
    })
}

fn canonical_link(base: &str, zone_id: Uuid, id: Uuid) -> String {
    format!("{base}/v2/zones/{zone_id}/recordsets/{id}")
}

/// `POST /v2/zones/{zone_id}/recordsets`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let new = parse_new_recordset(&body)?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    let mut target = zone_target(&ctx, &zone);
    target.insert("recordset_name".to_owned(), new.name.clone());
    policy::enforce(&state.policy, &ctx, "create_recordset", &target)?;
    let rs = state.central.create_recordset(&ctx, zone_id, new).await?;
    let rendered = recordset_json(&rs, &base_url(&headers, &state.config));
    let status = write_status(rs.status() == RecordStatus::Pending, StatusCode::CREATED);
    Ok(created(status, rendered))
}

pub(super) fn parse_new_recordset(body: &Map<String, Value>) -> Result<NewRecordSet, ApiError> {
    body::reject_unknown_keys(body, CREATE_FIELDS, "recordset")?;
    let name = match body.get("name") {
        Some(v) => body::host_name("name", v)?,
        None => return Err(body::required("name")),
    };
    let rtype = match body.get("type") {
        Some(v) => body::string("type", v, 255, false)?.unwrap_or_default(),
        None => return Err(body::required("type")),
    };
    let ttl = body
        .get("ttl")
        .map(|v| body::integer("ttl", v, 0, 2_147_483_647, true))
        .transpose()?
        .flatten();
    let description = body
        .get("description")
        .map(|v| body::string("description", v, 160, true))
        .transpose()?
        .flatten();
    let records = match body.get("records") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => parse_records(v)?,
    };
    check_type(&rtype)?;
    if rtype == "SOA" {
        return Err(ApiError::bad_request(
            "Creating a SOA recordset is not allowed",
        ));
    }
    check_records(&rtype, &records)?;
    if rtype == "TLSA" {
        check_tlsa_name(&name)?;
    }
    Ok(NewRecordSet {
        id: None,
        name,
        rtype,
        ttl,
        description,
        records,
    })
}

/// The `records` list: strings, duplicates folded (upstream holds them in a set).
fn parse_records(v: &Value) -> Result<Vec<String>, ApiError> {
    let Value::Array(items) = v else {
        return Err(detail_error(
            vec!["records".into()],
            "type",
            "[\"list\"]",
            format!("'{}' is not a valid list of records", python_repr(v)),
        ));
    };
    let mut records: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let data = body::string("records", item, 65_535, false)?.unwrap_or_default();
        if !records.contains(&data) {
            records.push(data);
        }
    }
    Ok(records)
}

fn check_type(rtype: &str) -> Result<(), ApiError> {
    if rdata::SUPPORTED_TYPES.contains(&rtype) {
        Ok(())
    } else {
        Err(detail_error(
            vec!["recordset".into(), "type".into()],
            "value",
            rtype,
            format!("'{rtype}' is not a valid record type"),
        ))
    }
}

/// Upstream parses every datum and reports each bad one at `records/<index>`.
fn check_records(rtype: &str, records: &[String]) -> Result<(), ApiError> {
    let errors: Vec<ValidationError> = records
        .iter()
        .enumerate()
        .filter(|(_, data)| rdata::validate(rtype, data).is_err())
        .map(|(i, data)| ValidationError {
            path: vec!["records".into(), i.to_string()],
            message: format!("'{data}' is not a '{rtype}' Record"),
            validator: "format".into(),
            validator_value: Some(rtype.to_owned()),
            raw: None,
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        let mut e = DesignateError::new(
            ErrorKind::InvalidObject,
            "Provided object does not match schema",
        );
        e.errors = errors;
        Err(e.into())
    }
}

fn detail_error(path: Vec<String>, validator: &str, value: &str, message: String) -> ApiError {
    let mut e = DesignateError::new(
        ErrorKind::InvalidObject,
        "Provided object does not match schema",
    );
    e.errors = vec![ValidationError {
        path,
        message,
        validator: validator.to_owned(),
        validator_value: Some(value.to_owned()),
        raw: None,
    }];
    e.into()
}

/// Roughly Python's `str()` of a decoded JSON value, for upstream-like messages.
fn python_repr(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// `GET /v2/zones/{zone_id}/recordsets/{recordset_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let id = ids.uuid("recordset_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    let rs = state.central.get_recordset(&ctx, Some(zone_id), id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_recordset",
        &recordset_target(&ctx, &zone, &rs),
    )?;
    Ok(Json(recordset_json(
        &rs,
        &base_url(&headers, &state.config),
    )))
}

/// `PUT /v2/zones/{zone_id}/recordsets/{recordset_id}`: records, ttl, description.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonValue(body): JsonValue,
) -> Result<Response, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let id = ids.uuid("recordset_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    let current = state.central.get_recordset(&ctx, Some(zone_id), id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_recordset",
        &recordset_target(&ctx, &zone, &current),
    )?;
    // As upstream: the recordset's own guards come before the body's shape.
    check_replaceable(&ctx, &current)?;
    let body = body::into_object(body)?;
    let base = base_url(&headers, &state.config);
    let update = parse_update(&body, &current, &recordset_json(&current, &base))?;
    let rs = state
        .central
        .update_recordset(&ctx, zone_id, id, update)
        .await?;
    let status = write_status(rs.status() == RecordStatus::Pending, StatusCode::OK);
    Ok((status, Json(recordset_json(&rs, &base))).into_response())
}

/// Upstream's controller-level guards on replacing a recordset.
fn check_replaceable(ctx: &RequestContext, rs: &RecordSet) -> Result<(), ApiError> {
    if rs.managed() && !ctx.edit_managed_records {
        return Err(ApiError::bad_request("Managed records may not be updated"));
    }
    if rs.rtype == "SOA" {
        return Err(ApiError::bad_request(
            "Updating SOA recordsets is not allowed",
        ));
    }
    if rs.rtype == "NS" && rs.name.eq_ignore_ascii_case(&rs.zone_name) {
        return Err(ApiError::bad_request(
            "Updating a root zone NS record is not allowed",
        ));
    }
    if rs.rtype == "TLSA" {
        check_tlsa_name(&rs.name)?;
    }
    Ok(())
}

/// Upstream's rule for TLSA owner names (RFC 6698 §3): `_port._protocol.` then the host, the
/// port at most 65535.
fn check_tlsa_name(name: &str) -> Result<(), ApiError> {
    let mut labels = name.splitn(3, '.');
    let (port, protocol) = (labels.next().unwrap_or(""), labels.next().unwrap_or(""));
    let port_digits = port.strip_prefix('_').unwrap_or("");
    let well_formed = (1..=5).contains(&port_digits.len())
        && port_digits.bytes().all(|b| b.is_ascii_digit())
        && protocol
            .strip_prefix('_')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphabetic()))
        && labels.next().is_some();
    if !well_formed {
        return Err(ApiError::bad_request(
            "TLSA recordset name must follow the format _port._protocol.domain (e.g. \
             _443._tcp.example.com.) as required by RFC 6698 Section 3",
        ));
    }
    match port_digits.parse::<u32>() {
        Ok(port) if port <= 65_535 => Ok(()),
        _ => Err(ApiError::bad_request(format!(
            "TLSA recordset name contains invalid port {port_digits}: port must be in range 0-65535"
        ))),
    }
}

pub(super) fn parse_update(
    body: &Map<String, Value>,
    current: &RecordSet,
    rendered: &Value,
) -> Result<RecordSetUpdate, ApiError> {
    let bad: Vec<String> = body
        .iter()
        .filter(|(k, v)| {
            !UPDATE_FIELDS.contains(&k.as_str())
                && (!RENDERED_FIELDS.contains(&k.as_str()) || rendered.get(k.as_str()) != Some(*v))
        })
        .map(|(k, _)| format!("'{k}'"))
        .collect();
    if !bad.is_empty() {
        return Err(body::keys_not_valid(&bad, "recordset"));
    }
    let ttl = body
        .get("ttl")
        .map(|v| body::integer("ttl", v, 0, 2_147_483_647, true))
        .transpose()?;
    let description = body
        .get("description")
        .map(|v| body::string("description", v, 160, true))
        .transpose()?;
    let records = match body.get("records") {
        None => None,
        Some(v) => {
            let records = parse_records(v)?;
            check_records(&current.rtype, &records)?;
            Some(records)
        }
    };
    Ok(RecordSetUpdate {
        ttl,
        description,
        records,
    })
}

/// `DELETE /v2/zones/{zone_id}/recordsets/{recordset_id}`: 202 with the recordset.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Response, ApiError> {
    let zone_id = ids.uuid("zone_id")?;
    let id = ids.uuid("recordset_id")?;
    let zone = state.central.get_zone(&ctx, zone_id).await?;
    let current = state.central.get_recordset(&ctx, Some(zone_id), id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_recordset",
        &recordset_target(&ctx, &zone, &current),
    )?;
    if current.rtype == "SOA" {
        return Err(ApiError::bad_request(
            "Deleting a SOA recordset is not allowed",
        ));
    }
    let rs = state.central.delete_recordset(&ctx, zone_id, id).await?;
    let rendered = recordset_json(&rs, &base_url(&headers, &state.config));
    Ok((StatusCode::ACCEPTED, Json(rendered)).into_response())
}

/// `GET /v2/zones/{zone_id}/recordsets`.
pub(crate) async fn list_in_zone(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("zone_id")?;
    policy::enforce(
        &state.policy,
        &ctx,
        "find_recordsets",
        &own_project_target(&ctx),
    )?;
    let mut request =
        ListRequest::parse(query.as_deref(), IN_ZONE, &state.config, ctx.all_projects)?;
    // A missing zone is zone_not_found, not an empty list (upstream central checks first).
    state.central.get_zone(&ctx, id).await?;
    request.criteria = request.criteria.with("zone_id", Filter::Eq(id.to_string()));
    let path = format!("/v2/zones/{id}/recordsets");
    list(&state, &ctx, &headers, &request, &path).await
}

/// `GET /v2/recordsets`.
pub(crate) async fn list_all(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(
        &state.policy,
        &ctx,
        "find_recordsets",
        &own_project_target(&ctx),
    )?;
    let request = ListRequest::parse(query.as_deref(), ALL, &state.config, ctx.all_projects)?;
    list(&state, &ctx, &headers, &request, "/v2/recordsets").await
}

async fn list(
    state: &AppState,
    ctx: &RequestContext,
    headers: &HeaderMap,
    request: &ListRequest,
    path: &str,
) -> Result<Json<Value>, ApiError> {
    let listing = state
        .central
        .find_recordsets(ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(headers, &state.config);
    let items: Vec<Value> = listing
        .items
        .iter()
        .map(|rs| recordset_json(rs, &base))
        .collect();
    let last = request.next_marker(&listing.items, |rs| rs.id);
    // Upstream's `OpenStack-DNS-Hide-Counts` drops the (costly) recordset count from the reply.
    let hide_counts = headers
        .get("openstack-dns-hide-counts")
        .and_then(|v| v.to_str().ok())
        .is_some_and(bool_from_string);
    // Upstream's storage returns a count of 0 for an empty page before it even looks at the
    // header (`_find_recordsets_with_records`), so a page past the end says 0 either way.
    let metadata = if listing.items.is_empty() {
        json!({ "total_count": 0 })
    } else if hide_counts {
        json!({})
    } else {
        json!({ "total_count": listing.total_count })
    };
    Ok(Json(json!({
        "recordsets": items,
        "links": collection_links(&base, path, request, last),
        "metadata": metadata,
    })))
}

/// `GET /v2/recordsets/{recordset_id}`: upstream answers `301` to the canonical location.
pub(crate) async fn redirect(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.uuid("recordset_id")?;
    let rs = state.central.get_recordset(&ctx, None, id).await?;
    let zone = state.central.get_zone(&ctx, rs.zone_id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "get_recordset",
        &recordset_target(&ctx, &zone, &rs),
    )?;
    let location = canonical_link(&base_url(&headers, &state.config), rs.zone_id, id);
    Ok((StatusCode::MOVED_PERMANENTLY, [(LOCATION, location)]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn create_body_rules() {
        let ok = parse_new_recordset(&obj(json!({
            "name": "www.example.org.", "type": "A", "records": ["192.0.2.1", "192.0.2.1", "192.0.2.2"]
        })))
        .unwrap();
        assert_eq!(ok.records, vec!["192.0.2.1", "192.0.2.2"]);
        let err = |v: Value| parse_new_recordset(&obj(v)).unwrap_err();
        let e = err(json!({"name": "www.example.org.", "type": "A", "records": "192.0.2.1"}));
        assert_eq!(e.errors[0].path, vec!["records"]);
        let e = err(json!({"name": "www.example.org.", "type": "BOGUS", "records": []}));
        assert_eq!(e.errors[0].message, "'BOGUS' is not a valid record type");
        let e = err(json!({"name": "example.org.", "type": "SOA", "records": []}));
        assert_eq!(e.error_type, "bad_request");
        assert_eq!(err(json!({"type": "A"})).errors[0].validator, "required");
        assert!(
            err(json!({"name": "www.example.org.", "type": "A", "records": [1]}))
                .message
                .is_some()
        );
        assert!(
            err(json!({"name": "www.example.org.", "type": "A", "id": "x"}))
                .message
                .is_some()
        );
    }
}
