//! The API's one error type and how it renders: upstream's fault envelope
//! `{"code": N, "type": "...", "message": "...", "request_id": "req-..."}`.
//!
//! Handlers and extractors return [`ApiError`]. Its `IntoResponse` cannot know the request id (an
//! extractor may fail before the id is looked at), so it only sets the status and parks the error
//! in the response's extensions; the request middleware in [`crate::context`] then writes the body
//! with the request id filled in. That also covers errors raised outside handlers (router
//! fallbacks, caught panics).
//!
//! Schema failures render as upstream's `APIv2ValidationErrorMiddleware` does: `errors.errors`
//! carries the details and there is no `message`.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use designate_core::error::ValidationError;
use designate_core::{DesignateError, ErrorKind};
use serde_json::{json, Map, Value};

/// A failed request, rendered as upstream's error envelope.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {error_type}: {}", message.as_deref().unwrap_or(""))]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Upstream's error `type` string.
    pub error_type: Cow<'static, str>,
    /// Human-readable message, if any.
    pub message: Option<String>,
    /// Schema-validation details (rendered under `errors.errors`).
    pub errors: Vec<ValidationError>,
}

impl ApiError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        DesignateError::new(kind, message).into()
    }

    /// An error whose status/type has no [`ErrorKind`] (e.g. 413 from the body-size limit).
    pub fn custom(
        status: StatusCode,
        error_type: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error_type: Cow::Borrowed(error_type),
            message: Some(message.into()),
            errors: Vec::new(),
        }
    }

    /// The same error under another upstream `type` string (e.g. `invalid_token_scope`).
    #[must_use]
    pub fn with_type(mut self, error_type: &'static str) -> Self {
        self.error_type = Cow::Borrowed(error_type);
        self
    }

    /// `400 bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    /// `400 invalid_object` with a message only (upstream's adapter-level failures).
    pub fn invalid_object(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidObject, message)
    }

    /// `404 not_found` for paths no route serves.
    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, "The resource could not be found.")
    }

    /// The JSON envelope, with `request_id` when known.
    pub fn body(&self, request_id: Option<&str>) -> Value {
        let mut body = Map::new();
        body.insert("code".into(), json!(self.status.as_u16()));
        body.insert("type".into(), json!(self.error_type));
        if self.errors.is_empty() {
            if let Some(message) = &self.message {
                body.insert("message".into(), json!(message));
            }
        } else {
            let errors: Vec<Value> = self.errors.iter().map(render_validation_error).collect();
            body.insert("errors".into(), json!({ "errors": errors }));
        }
        if let Some(id) = request_id {
            body.insert("request_id".into(), json!(id));
        }
        Value::Object(body)
    }
}

/// Upstream's `ValidationErrorAPIv2Adapter`: path, message, validator, validator_value.
fn render_validation_error(e: &ValidationError) -> Value {
    let path: Vec<Value> = e
        .path
        .iter()
        .map(|p| match p.parse::<u64>() {
            // Upstream paths hold list indexes as integers.
            Ok(i) => json!(i),
            Err(_) => json!(p),
        })
        .collect();
    json!({
        "path": path,
        "message": e.message,
        "validator": e.validator,
        "validator_value": e.validator_value,
    })
}

impl From<DesignateError> for ApiError {
    fn from(e: DesignateError) -> Self {
        let status = StatusCode::from_u16(e.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self {
            status,
            error_type: Cow::Borrowed(e.error_type()),
            message: Some(e.message),
            errors: e.errors,
        }
    }
}

/// Marker stored in a response's extensions: "render me as an envelope once the id is known".
#[derive(Debug, Clone)]
pub(crate) struct PendingError(pub(crate) ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request rejected");
        }
        let mut response = self.status.into_response();
        response.extensions_mut().insert(PendingError(self));
        response
    }
}

/// Router fallback: unknown path.
pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Router fallback: known path, wrong method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorKind::MethodNotAllowed,
        "The method is not allowed for this resource.",
    )
}

/// What a caught panic becomes: a 500 envelope, never a dropped connection.
pub(crate) fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::new(ErrorKind::UnknownFailure, "An unknown error occurred.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_code_type_message_and_request_id() {
        let e = ApiError::new(ErrorKind::ZoneNotFound, "Could not find Zone");
        let body = e.body(Some("req-1"));
        assert_eq!(
            body,
            json!({"code": 404, "type": "zone_not_found", "message": "Could not find Zone", "request_id": "req-1"})
        );
    }

    #[test]
    fn validation_errors_render_under_errors_errors_without_message() {
        let e: ApiError = DesignateError::invalid_object(&["records", "0"], "format", "bad").into();
        let body = e.body(None);
        assert_eq!(body["code"], 400);
        assert_eq!(body["type"], "invalid_object");
        assert!(body.get("message").is_none());
        assert_eq!(body["errors"]["errors"][0]["path"], json!(["records", 0]));
        assert_eq!(body["errors"]["errors"][0]["validator"], "format");
    }
}
