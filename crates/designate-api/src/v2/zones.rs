//! `/v2/zones`: create (202), list, show, update (PATCH), delete (202) — upstream's
//! `ZonesController` with the `ZoneAPIv2Adapter` body shape.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use designate_core::error::ValidationError;
use designate_core::objects::{
    Action, NewZone, Zone, ZoneMaster, ZoneStatus, ZoneType, ZoneUpdate,
};
use designate_core::DesignateError;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{write_status, Ids};
use crate::body::{self, JsonObject};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::policy::{self, own_project_target, zone_target};
use crate::query::{collection_body, ListRequest, ListSpec};
use crate::render::{base_url, created, opt_timestamp, timestamp};
use crate::AppState;

const LIST: ListSpec = ListSpec {
    sort_keys: &[
        "created_at",
        "id",
        "updated_at",
        "name",
        "tenant_id",
        "serial",
        "ttl",
        "status",
    ],
    filters: &[
        ("name", "name"),
        ("type", "type"),
        ("email", "email"),
        ("status", "status"),
        ("description", "description"),
        ("ttl", "ttl"),
    ],
};

/// Fields a create body may set.
const CREATE_FIELDS: &[&str] = &[
    "name",
    "email",
    "description",
    "ttl",
    "type",
    "masters",
    "attributes",
    "pool_id",
];
/// Fields an update body may change; any other rendered field must be echoed unchanged.
const UPDATE_FIELDS: &[&str] = &["email", "description", "ttl", "masters"];
/// Fields of the rendered zone (upstream's adapter); keys outside this set are never valid.
const RENDERED_FIELDS: &[&str] = &[
    "id",
    "pool_id",
    "project_id",
    "name",
    "email",
    "description",
    "ttl",
    "serial",
    "shared",
    "status",
    "action",
    "version",
    "attributes",
    "type",
    "masters",
    "created_at",
    "updated_at",
    "transferred_at",
];

/// The zone as upstream renders it.
pub(crate) fn zone_json(zone: &Zone, base: &str) -> Value {
    json!({
        "id": zone.id,
        "pool_id": zone.pool_id,
        "project_id": zone.tenant_id,
        "name": zone.name,
        "email": zone.email,
        "description": zone.description,
        "ttl": zone.ttl,
        "serial": zone.serial,
        // Set from the zone's shares by `shares::mark_shared` where it can be true.
        "shared": false,
        "status": zone.status.as_str(),
        "action": zone.action.as_str(),
        "version": zone.version,
        "attributes": zone.attributes,
        "type": zone.zone_type.as_str(),
        "masters": zone.masters.iter().map(ZoneMaster::render).collect::<Vec<_>>(),
        "created_at": timestamp(&zone.created_at),
        "updated_at": opt_timestamp(zone.updated_at.as_ref()),
        "transferred_at": opt_timestamp(zone.transferred_at.as_ref()),
        "links": { "self": format!("{base}/v2/zones/{}", zone.id) },
    })
}

/// `POST /v2/zones`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let new = parse_new_zone(&body)?;
    let mut target = own_project_target(&ctx);
    target.insert("zone_name".to_owned(), new.name.clone());
    policy::enforce(&state.policy, &ctx, "create_zone", &target)?;
    // --- zone placement: forcing a pool is upstream's `zone_create_forced_pool` (admin) ---
    if new.pool_id.is_some() || new.attributes.contains_key("pool_id") {
        policy::enforce(&state.policy, &ctx, "zone_create_forced_pool", &target)?;
    }
    let zone = state.central.create_zone(&ctx, new).await?;
    let rendered = zone_json(&zone, &base_url(&headers, &state.config));
    let status = write_status(zone.status == ZoneStatus::Pending, StatusCode::CREATED);
    Ok(created(status, rendered))
}

/// Zone placement hints, `attributes` (upstream's `ZoneAttributeList`: key ≤ 50, value ≤ 255
/// characters, strings), of a zone create or a zone import.
pub(super) fn parse_attributes(
    value: Option<&Value>,
) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
    let mut attributes = std::collections::BTreeMap::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(attrs)) => {
            for (key, value) in attrs {
                let Value::String(value) = value else {
                    return Err(body::value_error(format!(
                        "A string is required in field value, not a {}",
                        body::python_type(value)
                    )));
                };
                if key.chars().count() > 50 || value.chars().count() > 255 {
                    return Err(schema_error(
                        "attributes",
                        "maxLength",
                        key,
                        "zone attribute key or value is too long",
                    ));
                }
                attributes.insert(key.clone(), value.clone());
            }
        }
        Some(other) => {
            return Err(body::value_error(format!(
                "A dict is required in field attributes, not a {}",
                body::python_type(other)
            )))
        }
    }
    Ok(attributes)
}

pub(super) fn parse_new_zone(body: &Map<String, Value>) -> Result<NewZone, ApiError> {
    body::reject_unknown_keys(body, CREATE_FIELDS, "zone")?;
    let zone_type = match body.get("type") {
        None | Some(Value::Null) => "PRIMARY".to_owned(),
        Some(v) => body::string("type", v, 255, false)?.unwrap_or_default(),
    };
    if !matches!(zone_type.as_str(), "PRIMARY" | "SECONDARY" | "CATALOG") {
        return Err(body::value_error(format!(
            "Field value {zone_type} is invalid"
        )));
    }
    let name = match body.get("name") {
        Some(v) => body::zone_name("name", v)?,
        None => return Err(body::required("name")),
    };
    let email = body
        .get("email")
        .map(|v| body::email("email", v))
        .transpose()?
        .flatten();
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
    let pool_id = match body.get("pool_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Uuid::parse_str(s).map_err(|_| {
            body::value_error(format!("badly formed hexadecimal UUID string: {s}"))
        })?),
        Some(other) => {
            return Err(body::value_error(format!(
                "A string is required in field pool_id, not a {}",
                body::python_type(other)
            )))
        }
    };
    let masters = parse_masters(body)?.unwrap_or_default();
    let attributes = parse_attributes(body.get("attributes"))?;

    if zone_type == "CATALOG" {
        // Catalog zones are made by pools, not by tenants.
        return Err(ApiError::bad_request(format!(
            "Zone type {zone_type} is not supported by this deployment"
        )));
    }
    if zone_type == "SECONDARY" {
        // Upstream's Zone.validate: masters required; e-mail and TTL come from the master
        // (central sets its managed e-mail).
        if masters.is_empty() {
            return Err(schema_error(
                "type",
                "required",
                "masters",
                "'masters' is a required property",
            ));
        }
        for field in ["email", "ttl"] {
            if body.contains_key(field) {
                return Err(schema_error(
                    "type",
                    "not_allowed",
                    field,
                    &format!("'{field}' can't be specified when type is SECONDARY"),
                ));
            }
        }
        return Ok(NewZone {
            id: None,
            name,
            email: None,
            ttl: None,
            description,
            zone_type: Some(ZoneType::Secondary),
            pool_id,
            attributes,
            masters,
        });
    }
    if !masters.is_empty() {
        return Err(schema_error(
            "type",
            "maxItems",
            "masters",
            "'masters' has more items than allowed",
        ));
    }
    if email.is_none() {
        return Err(schema_error(
            "type",
            "required",
            "email",
            "'email' is a required property",
        ));
    }
    Ok(NewZone {
        id: None,
        name,
        email,
        ttl,
        description,
        zone_type: Some(ZoneType::Primary),
        pool_id,
        attributes,
        masters: Vec::new(),
    })
}

/// `masters`: a list of `"host[:port]"` strings (upstream's ZoneMaster adapter); `None` when
/// absent.
fn parse_masters(body: &Map<String, Value>) -> Result<Option<Vec<ZoneMaster>>, ApiError> {
    let items = match body.get("masters") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(body::value_error(format!(
                "A list is required in field masters, not a {}",
                body::python_type(other)
            )))
        }
    };
    let mut masters = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(text) = item else {
            return Err(body::value_error(format!(
                "A string is required in field masters, not a {}",
                body::python_type(item)
            )));
        };
        let master = ZoneMaster::parse(text)?;
        if !masters.contains(&master) {
            masters.push(master);
        }
    }
    Ok(Some(masters))
}

/// Upstream's `Zone.validate` failures: one detail under `errors.errors`.
fn schema_error(path: &str, validator: &str, value: &str, message: &str) -> ApiError {
    let mut e = DesignateError::invalid_object(&[path], validator, message);
    e.errors = vec![ValidationError {
        path: vec![path.to_owned()],
        message: message.to_owned(),
        validator: validator.to_owned(),
        validator_value: Some(value.to_owned()),
        raw: None,
    }];
    e.into()
}

/// `GET /v2/zones`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    policy::enforce(&state.policy, &ctx, "find_zones", &own_project_target(&ctx))?;
    let request = ListRequest::parse(query.as_deref(), LIST, &state.config, ctx.all_projects)?;
    let listing = state
        .central
        .find_zones(&ctx, request.criteria.clone(), request.page.clone())
        .await
        .map_err(|e| request.listing_error(e))?;
    let base = base_url(&headers, &state.config);
    let mut body = collection_body(
        "zones",
        &base,
        "/v2/zones",
        &request,
        &listing,
        |z| z.id,
        |z| zone_json(z, &base),
    );
    let ids: Vec<Uuid> = listing.items.iter().map(|z| z.id).collect();
    if let Some(zones) = body["zones"].as_array_mut() {
        super::shares::mark_shared(&state, &ctx, zones, &ids).await?;
    }
    Ok(Json(body))
}

/// `GET /v2/zones/{zone_id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.uuid("zone_id")?;
    let zone = state.central.get_zone(&ctx, id).await?;
    policy::enforce(&state.policy, &ctx, "get_zone", &zone_target(&ctx, &zone))?;
    let mut rendered = [zone_json(&zone, &base_url(&headers, &state.config))];
    super::shares::mark_shared(&state, &ctx, &mut rendered, &[zone.id]).await?;
    let [rendered] = rendered;
    Ok(Json(rendered))
}

/// `PATCH /v2/zones/{zone_id}`: email, ttl and description; other fields only if unchanged.
pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let id = ids.uuid("zone_id")?;
    let current = state.central.get_zone(&ctx, id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "update_zone",
        &zone_target(&ctx, &current),
    )?;
    if current.action == Action::Delete {
        return Err(ApiError::bad_request("Can not update a deleting zone"));
    }
    let base = base_url(&headers, &state.config);
    let mut shown = [zone_json(&current, &base)];
    super::shares::mark_shared(&state, &ctx, &mut shown, &[current.id]).await?;
    let update = parse_zone_update(&body, &shown[0])?;
    let zone = state.central.update_zone(&ctx, id, update).await?;
    let status = write_status(zone.status == ZoneStatus::Pending, StatusCode::OK);
    let mut rendered = [zone_json(&zone, &base)];
    rendered[0]["shared"] = shown[0]["shared"].clone();
    let [rendered] = rendered;
    Ok((status, Json(rendered)).into_response())
}

pub(super) fn parse_zone_update(
    body: &Map<String, Value>,
    current: &Value,
) -> Result<ZoneUpdate, ApiError> {
    // As upstream's adapter: unknown keys, and read-only/immutable keys whose value differs from
    // the stored one, are rejected together.
    let bad: Vec<String> = body
        .iter()
        .filter(|(k, v)| {
            !UPDATE_FIELDS.contains(&k.as_str())
                && (!RENDERED_FIELDS.contains(&k.as_str()) || current.get(k.as_str()) != Some(*v))
        })
        .map(|(k, _)| format!("'{k}'"))
        .collect();
    if !bad.is_empty() {
        return Err(body::keys_not_valid(&bad, "zone"));
    }
    let email = match body.get("email") {
        None => None,
        Some(v) => match body::email("email", v)? {
            Some(e) => Some(e),
            None => {
                return Err(schema_error(
                    "type",
                    "required",
                    "email",
                    "'email' is a required property",
                ))
            }
        },
    };
    let ttl = body
        .get("ttl")
        .map(|v| body::integer("ttl", v, 0, 2_147_483_647, false))
        .transpose()?
        .flatten();
    let description = body
        .get("description")
        .map(|v| body::string("description", v, 160, true))
        .transpose()?;
    let masters = parse_masters(body)?;
    Ok(ZoneUpdate {
        email,
        ttl,
        description,
        masters,
    })
}

/// `DELETE /v2/zones/{zone_id}`: 202 with the zone, now PENDING / DELETE.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.uuid("zone_id")?;
    let current = state.central.get_zone(&ctx, id).await?;
    policy::enforce(
        &state.policy,
        &ctx,
        "delete_zone",
        &zone_target(&ctx, &current),
    )?;
    let zone = state.central.delete_zone(&ctx, id).await?;
    let rendered = zone_json(&zone, &base_url(&headers, &state.config));
    Ok((StatusCode::ACCEPTED, Json(rendered)).into_response())
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
        let ok = parse_new_zone(&obj(
            json!({"name": "example.org.", "email": "a@example.org", "ttl": 60}),
        ))
        .unwrap();
        assert_eq!(ok.name, "example.org.");
        assert_eq!(ok.ttl, Some(60));
        let err = |v: Value| parse_new_zone(&obj(v)).unwrap_err();
        let e = err(json!({"name": "example.org.", "email": "a@example.org", "colour": "red"}));
        assert_eq!(
            e.message.as_deref(),
            Some("Provided object does not match schema. Keys ['colour'] are not valid for zone")
        );
        assert_eq!(
            err(json!({"email": "a@example.org"})).errors[0].validator,
            "required"
        );
        assert_eq!(
            err(json!({"name": "example.org."})).errors[0]
                .validator_value
                .as_deref(),
            Some("email")
        );
        assert_eq!(
            err(json!({"name": "example.org.", "email": "a@b.org", "masters": ["192.0.2.1"]}))
                .errors[0]
                .validator,
            "maxItems"
        );
        assert_eq!(
            err(json!({"name": "example.org.", "email": "a@b.org", "ttl": "x"})).error_type,
            "invalid_object"
        );
        assert_eq!(
            err(json!({"name": "example.org.", "email": "a@b.org", "type": "BOGUS"})).error_type,
            "invalid_object"
        );
    }

    #[test]
    fn update_body_rules() {
        let current = json!({"name": "example.org.", "type": "PRIMARY", "email": "a@b.org"});
        let u = parse_zone_update(
            &obj(json!({"ttl": 5, "description": null, "name": "example.org."})),
            &current,
        )
        .unwrap();
        assert_eq!(u.ttl, Some(5));
        assert_eq!(u.description, Some(None));
        let e = parse_zone_update(&obj(json!({"name": "other.org."})), &current).unwrap_err();
        assert!(e.message.unwrap().contains("['name']"));
        assert!(parse_zone_update(&obj(json!({"links": {}})), &current).is_err());
        assert!(parse_zone_update(&obj(json!({"email": null})), &current).is_err());
    }
}
