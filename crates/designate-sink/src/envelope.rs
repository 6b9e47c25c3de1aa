//! Decoding of a notification as it arrives from RabbitMQ: the oslo.messaging v2 envelope
//! (`{"oslo.version": "2.0", "oslo.message": "<json>"}`) or the bare v1 form (the message
//! object itself), into [`Notification`].
//!
//! Pure: no I/O, every malformed input is an [`EnvelopeError`], never a panic.

use serde_json::{Map, Value};

/// One notification, as the handlers need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `message_id` (logged with every outcome; empty when the sender gave none).
    pub message_id: String,
    /// `event_type`, e.g. `compute.instance.create.end`.
    pub event_type: String,
    /// `payload`.
    pub payload: Value,
    /// `_context_project_name`: upstream's `project` placeholder.
    pub project_name: Option<String>,
}

/// Why a message is not a notification.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The body is not JSON (or the v2 `oslo.message` string is not).
    #[error("malformed JSON: {0}")]
    Json(String),
    /// The JSON is not a notification object.
    #[error("not a notification: {0}")]
    Shape(&'static str),
}

/// Decodes a message body in either envelope form.
///
/// # Errors
/// [`EnvelopeError`] for anything that is not a notification.
pub fn decode(body: &[u8]) -> Result<Notification, EnvelopeError> {
    let outer: Value =
        serde_json::from_slice(body).map_err(|e| EnvelopeError::Json(e.to_string()))?;
    let Value::Object(outer) = outer else {
        return Err(EnvelopeError::Shape("body is not a JSON object"));
    };
    let message = match outer.get("oslo.message") {
        Some(Value::String(inner)) => match serde_json::from_str(inner) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(EnvelopeError::Shape("oslo.message is not a JSON object")),
            Err(e) => return Err(EnvelopeError::Json(e.to_string())),
        },
        Some(_) => return Err(EnvelopeError::Shape("oslo.message is not a string")),
        None => outer,
    };
    from_message(message)
}

fn from_message(mut m: Map<String, Value>) -> Result<Notification, EnvelopeError> {
    let message_id = match m.get("message_id") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let Some(Value::String(event_type)) = m.remove("event_type") else {
        return Err(EnvelopeError::Shape("no event_type"));
    };
    let payload = m.remove("payload").unwrap_or(Value::Null);
    let project_name = match m.get("_context_project_name") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(Notification {
        message_id,
        event_type,
        payload,
        project_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message() -> Value {
        json!({
            "message_id": "m-1",
            "event_type": "compute.instance.create.end",
            "priority": "INFO",
            "publisher_id": "compute.host1",
            "payload": {"hostname": "vm1"},
            "_context_project_name": "demo",
        })
    }

    #[test]
    fn v2_and_v1_decode_alike() {
        let v2 = json!({"oslo.version": "2.0", "oslo.message": message().to_string()});
        let a = decode(v2.to_string().as_bytes()).unwrap();
        let b = decode(message().to_string().as_bytes()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.message_id, "m-1");
        assert_eq!(a.project_name.as_deref(), Some("demo"));
        assert_eq!(a.payload["hostname"], "vm1");
    }

    #[test]
    fn malformed_bodies_are_errors() {
        assert!(matches!(decode(b"{not json"), Err(EnvelopeError::Json(_))));
        assert!(matches!(decode(b"[1]"), Err(EnvelopeError::Shape(_))));
        assert!(matches!(decode(b"{}"), Err(EnvelopeError::Shape(_))));
        let bad_inner = json!({"oslo.version": "2.0", "oslo.message": "{x"});
        assert!(matches!(
            decode(bad_inner.to_string().as_bytes()),
            Err(EnvelopeError::Json(_))
        ));
        let not_string = json!({"oslo.version": "2.0", "oslo.message": 5});
        assert!(decode(not_string.to_string().as_bytes()).is_err());
    }
}
