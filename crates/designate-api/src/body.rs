//! Request bodies: the JSON-object extractor (content type, size limit, parse) and the field
//! coercions upstream's object fields apply when a body is parsed (`designate/objects/fields.py`).
//!
//! This owns the *shape* of input — types, lengths, name syntax — with upstream's error types
//! and messages. Business rules (TLDs, quotas, record-data semantics) are central's.

use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde_json::{Map, Value};

use crate::context::{too_large, unsupported_content_type};
use crate::error::ApiError;
use crate::AppState;
use designate_core::ErrorKind;

/// A request body that parsed as a JSON object.
#[derive(Debug, Clone)]
pub(crate) struct JsonObject(pub(crate) Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonValue(value) = JsonValue::from_request(request, state).await?;
        into_object(value).map(JsonObject)
    }
}

/// A JSON body of any shape, for handlers that, like upstream's, check the target before they
/// look at the body's shape ([`into_object`] then gives [`JsonObject`]'s answer).
pub(crate) struct JsonValue(pub(crate) Value);

impl FromRequest<AppState> for JsonValue {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        // Upstream's `body_dict` accepts exactly these two media types (parameters ignored).
        if !matches!(
            content_type.as_deref(),
            Some("application/json" | "application/json-patch+json")
        ) {
            return Err(unsupported_content_type());
        }
        let limit = state.config.max_body_bytes;
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        // A chunked body has no declared length; the read itself stops at the limit.
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| too_large())?;
        parse_value(&bytes).map(JsonValue)
    }
}

/// Parses a body as upstream's `body_dict` does.
fn parse_value(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ErrorKind::EmptyRequestBody,
            "Request Body is empty",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::new(ErrorKind::InvalidJson, e.to_string()))
}

/// Parses a body as upstream's `body_dict` + adapter do (what [`JsonObject`] answers).
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    parse_value(bytes).and_then(into_object)
}

/// The object a body must be, as upstream's adapter sees it.
pub(crate) fn into_object(value: Value) -> Result<Map<String, Value>, ApiError> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Err(ApiError::new(ErrorKind::EmptyRequestBody, "Request Body is empty")),
        other => Err(ApiError::invalid_object(format!(
            "Provided object is not valid. Got an AttributeError with message '{}' object has no attribute 'items'",
            python_type(&other)
        ))),
    }
}

/// Python's name for the type a JSON value decodes to, for upstream-like messages.
pub(crate) fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Rejects keys outside `allowed`, as upstream's adapter does for unknown or read-only fields.
///
/// # Errors
/// `invalid_object` naming the offending keys and the resource.
pub(crate) fn reject_unknown_keys(
    body: &Map<String, Value>,
    allowed: &[&str],
    resource: &str,
) -> Result<(), ApiError> {
    let bad: Vec<String> = body
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| format!("'{k}'"))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(keys_not_valid(&bad, resource))
    }
}

/// Upstream's message for fields a body may not set.
pub(crate) fn keys_not_valid(keys: &[String], resource: &str) -> ApiError {
    ApiError::invalid_object(format!(
        "Provided object does not match schema. Keys [{}] are not valid for {resource}",
        keys.join(", ")
    ))
}

/// A field that failed coercion: upstream wraps the field's `ValueError`.
pub(crate) fn value_error(message: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_object(format!(
        "Provided object is not valid. Got a ValueError error with message {message}"
    ))
}

/// A required field is missing: upstream's schema error with the field in the path.
pub(crate) fn required(field: &str) -> ApiError {
    let mut e = designate_core::DesignateError::invalid_object(
        &[field],
        "required",
        format!("'{field}' is a required property"),
    );
    if let Some(detail) = e.errors.first_mut() {
        detail.validator_value = Some(field.to_owned());
    }
    e.into()
}

/// A string field; `null` is `None` when `nullable`.
///
/// # Errors
/// `invalid_object` for a non-string or a value over `max_len` characters.
pub(crate) fn string(
    field: &str,
    v: &Value,
    max_len: usize,
    nullable: bool,
) -> Result<Option<String>, ApiError> {
    match v {
        Value::Null if nullable => Ok(None),
        Value::String(s) if s.chars().count() > max_len => {
            Err(value_error(format!("Value too long for {field}")))
        }
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(value_error(format!(
            "A string is required in field {field}, not a {}",
            python_type(other)
        ))),
    }
}

/// An integer field in `min..=max`; `null` is `None` when `nullable`.
///
/// # Errors
/// `invalid_object` for a non-integer or a value out of range.
pub(crate) fn integer(
    field: &str,
    v: &Value,
    min: i64,
    max: i64,
    nullable: bool,
) -> Result<Option<i32>, ApiError> {
    let n = match v {
        Value::Null if nullable => return Ok(None),
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            if n.is_f64() {
                value_error(format!(
                    "An integer is required in field {field}, not a float"
                ))
            } else {
                value_error(format!("Value too high for {field}"))
            }
        })?,
        other => {
            return Err(value_error(format!(
                "An integer is required in field {field}, not a {}",
                python_type(other)
            )))
        }
    };
    if n < min {
        return Err(value_error(format!(
            "Value must be >= {min} for field {field}"
        )));
    }
    if n > max {
        return Err(value_error(format!("Value too high for {field}")));
    }
    i32::try_from(n)
        .map(Some)
        .map_err(|_| value_error(format!("Value too high for {field}")))
}

/// Upstream's `DomainField`: labels of `[A-Za-z0-9_-]{1,63}` not starting or ending with `-`,
/// a trailing dot, under 255 characters.
///
/// # Errors
/// `invalid_object` with upstream's message for the first rule broken.
pub(crate) fn zone_name(field: &str, v: &Value) -> Result<String, ApiError> {
    let name = string(field, v, 255, false)?.unwrap_or_default();
    check_name(&name, false).map_err(|kind| match kind {
        NameFault::LabelTooLong(l) => value_error(format!("Host {l} is too long")),
        NameFault::NoDot => value_error(format!("Domain {name} does not end with a dot")),
        NameFault::Invalid => value_error(format!("Domain {name} is invalid")),
    })?;
    Ok(name)
}

/// Upstream's `HostField` for recordset names: like a domain, but `*` may be the first label.
///
/// # Errors
/// `invalid_object` with upstream's message for the first rule broken.
pub(crate) fn host_name(field: &str, v: &Value) -> Result<String, ApiError> {
    let name = string(field, v, 255, false)?.unwrap_or_default();
    check_name(&name, true).map_err(|kind| match kind {
        NameFault::LabelTooLong(l) => value_error(format!("Host {l} is too long")),
        NameFault::NoDot => value_error(format!("Host name {name} does not end with a dot")),
        NameFault::Invalid => value_error(format!("Host name {name} is invalid")),
    })?;
    Ok(name)
}

/// Upstream's `EmailField`: one `@`, and the address read as a name must be a valid domain.
///
/// # Errors
/// `invalid_object` with upstream's message.
pub(crate) fn email(field: &str, v: &Value) -> Result<Option<String>, ApiError> {
    let Some(email) = string(field, v, 255, true)? else {
        return Ok(None);
    };
    if email.matches('@').count() != 1 {
        return Err(value_error(format!("{email} is not an email")));
    }
    let as_name = format!("{}.", email.replace('@', "."));
    if check_name(&as_name, false).is_err() {
        return Err(value_error(format!("Email {email} is invalid")));
    }
    Ok(Some(email))
}

enum NameFault {
    LabelTooLong(String),
    NoDot,
    Invalid,
}

fn check_name(name: &str, allow_wildcard: bool) -> Result<(), NameFault> {
    if let Some(long) = name.split('.').find(|l| l.len() > 63) {
        return Err(NameFault::LabelTooLong(long.to_owned()));
    }
    let Some(stem) = name.strip_suffix('.') else {
        return Err(NameFault::NoDot);
    };
    if name.chars().count() >= 255 || stem.is_empty() {
        return Err(NameFault::Invalid);
    }
    for (i, label) in stem.split('.').enumerate() {
        if allow_wildcard && i == 0 && label == "*" {
            continue;
        }
        let ok = !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(NameFault::Invalid);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_parsing_errors() {
        assert_eq!(
            parse_object(b"  ").unwrap_err().error_type,
            "empty_request_body"
        );
        assert_eq!(
            parse_object(b"null").unwrap_err().error_type,
            "empty_request_body"
        );
        assert_eq!(
            parse_object(b"{\"a\": ").unwrap_err().error_type,
            "invalid_json"
        );
        assert_eq!(
            parse_object(b"[1]").unwrap_err().error_type,
            "invalid_object"
        );
        assert_eq!(parse_object(b"{\"a\": 1}").unwrap()["a"], 1);
    }

    #[test]
    fn names() {
        assert!(zone_name("name", &json!("example.org.")).is_ok());
        assert!(zone_name("name", &json!("under_score.example.")).is_ok());
        for bad in [
            "example.org",
            "-a.org.",
            "a-.org.",
            "a..org.",
            ".",
            "exa mple.org.",
            "*.example.org.",
        ] {
            assert!(zone_name("name", &json!(bad)).is_err(), "{bad}");
        }
        assert!(host_name("name", &json!("*.example.org.")).is_ok());
        assert!(host_name("name", &json!("a.*.example.org.")).is_err());
        let long = format!("{}.org.", "a".repeat(64));
        let e = zone_name("name", &json!(long)).unwrap_err();
        assert!(e.message.unwrap().contains("is too long"));
        let huge = format!("{}org.", "abcdefghi.".repeat(26));
        assert!(zone_name("name", &json!(huge)).is_err());
        assert!(zone_name("name", &json!(5)).is_err());
    }

    #[test]
    fn emails_and_numbers() {
        assert_eq!(
            email("email", &json!("a@b.org")).unwrap().as_deref(),
            Some("a@b.org")
        );
        assert!(email("email", &json!("a@@b.org")).is_err());
        assert!(email("email", &json!("ab.org")).is_err());
        assert_eq!(
            integer("ttl", &json!(300), 0, 2147483647, true).unwrap(),
            Some(300)
        );
        assert_eq!(
            integer("ttl", &json!(null), 0, 2147483647, true).unwrap(),
            None
        );
        for bad in [
            json!(-1),
            json!(2147483648_i64),
            json!("300"),
            json!(1.5),
            json!(true),
        ] {
            assert!(integer("ttl", &bad, 0, 2147483647, true).is_err(), "{bad}");
        }
        assert!(string("description", &json!("x".repeat(161)), 160, true).is_err());
        let e = required("name");
        assert_eq!(e.errors[0].path, vec!["name"]);
    }
}
