//! Per-request plumbing: the request id, the noauth caller context, and the error rendering that
//! needs both.
//!
//! - [`request_middleware`] gives every request a `req-<uuid>` id (upstream's oslo `RequestId`
//!   middleware), echoes it in `X-OpenStack-Request-Id`, and turns any error response into the
//!   JSON envelope carrying that id.
//! - [`Ctx`] builds the [`RequestContext`] as upstream's `NoAuthContextMiddleware` does: project
//!   from `X-Auth-Project-ID` (default `noauth-project`), roles from `X-Roles` (default `admin`),
//!   plus the all-projects / sudo / edit-managed / hard-delete switches.
//!
//! This module does no policy beyond what upstream's context itself enforces (all-projects and
//! sudo need admin); per-action rules belong to central.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{HeaderValue, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use designate_core::{ErrorKind, RequestContext};

use crate::error::{ApiError, PendingError};

/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-openstack-request-id";

/// The id of the current request, stored in the request's extensions by [`request_middleware`].
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Assigns the request id, and renders error envelopes on the way out.
pub(crate) async fn request_middleware(mut request: Request, next: Next) -> Response {
    let id = format!("req-{}", uuid::Uuid::new_v4());
    request.extensions_mut().insert(RequestId(id.clone()));
    let response = next.run(request).await;
    let mut response = render_error(response, &id);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Replaces the body of an error response with the JSON envelope.
///
/// Errors we raised carry a [`PendingError`]; anything else that is an error status without a JSON
/// body (a framework rejection) gets an envelope derived from its status, so clients only ever
/// see one error shape.
fn render_error(response: Response, request_id: &str) -> Response {
    let status = response.status();
    let pending = response.extensions().get::<PendingError>().cloned();
    let error = match pending {
        Some(PendingError(e)) => e,
        None if status.is_client_error() || status.is_server_error() => {
            let is_json = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if is_json {
                return response;
            }
            error_for_status(status)
        }
        None => return response,
    };
    let (mut parts, _) = response.into_parts();
    parts.extensions.remove::<PendingError>();
    parts.status = error.status;
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let body = error.body(Some(request_id)).to_string();
    Response::from_parts(parts, Body::from(body))
}

/// The envelope for a bare error status produced by the framework.
fn error_for_status(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            ErrorKind::MethodNotAllowed,
            "The method is not allowed for this resource.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_content_type(),
        s if s.is_client_error() => ApiError {
            status: s,
            ..ApiError::bad_request("The request could not be understood.")
        },
        s => ApiError {
            status: s,
            ..ApiError::new(ErrorKind::UnknownFailure, "An unknown error occurred.")
        },
    }
}

/// `413` for bodies over the configured limit (upstream's sizelimit middleware).
pub(crate) fn too_large() -> ApiError {
    ApiError::custom(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request_too_large",
        "Request is too large.",
    )
}

/// `415` for bodies that are not JSON.
pub(crate) fn unsupported_content_type() -> ApiError {
    ApiError::new(
        ErrorKind::UnsupportedContentType,
        "Content-type must be application/json",
    )
}

/// The caller's context, extracted from the noauth headers.
#[derive(Debug, Clone)]
pub struct Ctx(pub RequestContext);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| format!("req-{}", uuid::Uuid::new_v4()));
        noauth_context(&parts.headers, parts.uri.query(), request_id).map(Ctx)
    }
}

/// Builds the noauth context from headers and the query string.
///
/// # Errors
/// `403 forbidden` when a non-admin asks for all projects or sudo.
pub fn noauth_context(
    headers: &HeaderMap,
    query: Option<&str>,
    request_id: String,
) -> Result<RequestContext, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let project_id = header("x-auth-project-id")
        .unwrap_or("noauth-project")
        .to_owned();
    let user_id = header("x-auth-user-id").unwrap_or("noauth-user").to_owned();
    let roles: Vec<String> = header("x-roles")
        .unwrap_or("admin")
        .split(',')
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();

    let mut ctx = RequestContext {
        request_id,
        project_id: Some(project_id),
        user_id: Some(user_id),
        roles,
        ..RequestContext::default()
    };

    // Query parameters win over headers, as in upstream's ContextMiddleware.
    let params = crate::query::parse_pairs(query.unwrap_or(""));
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    let sudo = header("x-auth-sudo-project-id").or_else(|| header("x-auth-sudo-tenant-id"));
    if let Some(sudo) = sudo.filter(|s| !s.is_empty()) {
        if !ctx.is_admin() {
            return Err(crate::policy::forbidden());
        }
        ctx.project_id = Some(sudo.to_owned());
    }

    let mut all_projects = header("x-auth-all-projects").is_some_and(bool_from_string);
    for name in ["all_projects", "all_tenants"] {
        if let Some(v) = param(name) {
            all_projects = bool_from_string(v);
        }
    }
    if all_projects && !ctx.is_admin() {
        return Err(crate::policy::forbidden());
    }
    ctx.all_projects = all_projects;

    ctx.edit_managed_records = match param("edit_managed_records") {
        Some(v) => bool_from_string(v),
        None => header("x-designate-edit-managed-records").is_some_and(bool_from_string),
    };
    ctx.hard_delete = header("x-designate-hard-delete").is_some_and(bool_from_string);
    Ok(ctx)
}

/// oslo's `strutils.bool_from_string` (non-strict): the listed spellings are true, all else false.
pub fn bool_from_string(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "t" | "true" | "on" | "y" | "yes"
    )
}

/// Query parameters the context consumes; they are neither filters nor echoed in links.
pub(crate) const CONTEXT_PARAMS: &[&str] = &["all_projects", "all_tenants", "edit_managed_records"];

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn defaults_are_noauth_project_and_admin() {
        let ctx = noauth_context(&HeaderMap::new(), None, "req-x".into()).unwrap();
        assert_eq!(ctx.project_id.as_deref(), Some("noauth-project"));
        assert_eq!(ctx.roles, vec!["admin"]);
        assert!(!ctx.all_projects && !ctx.edit_managed_records && !ctx.hard_delete);
    }

    #[test]
    fn headers_and_query_switches() {
        let h = headers(&[
            ("x-auth-project-id", "p1"),
            ("x-roles", "member, reader"),
            ("x-designate-edit-managed-records", "True"),
            ("x-designate-hard-delete", "yes"),
        ]);
        let ctx = noauth_context(&h, Some("edit_managed_records=false"), "req-x".into()).unwrap();
        assert_eq!(ctx.project_id.as_deref(), Some("p1"));
        assert_eq!(ctx.roles, vec!["member", "reader"]);
        assert!(!ctx.edit_managed_records, "query overrides header");
        assert!(ctx.hard_delete);
    }

    #[test]
    fn all_projects_and_sudo_need_admin() {
        let h = headers(&[("x-roles", "member"), ("x-auth-all-projects", "true")]);
        let e = noauth_context(&h, None, "r".into()).unwrap_err();
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        let h = headers(&[("x-roles", "member"), ("x-auth-sudo-project-id", "other")]);
        assert!(noauth_context(&h, None, "r".into()).is_err());
        let h = headers(&[
            ("x-auth-sudo-project-id", "other"),
            ("x-auth-all-projects", "1"),
        ]);
        let ctx = noauth_context(&h, None, "r".into()).unwrap();
        assert_eq!(ctx.project_id.as_deref(), Some("other"));
        assert!(ctx.all_projects);
    }

    #[test]
    fn bool_spellings() {
        for t in ["1", "t", "TRUE", " on ", "y", "Yes"] {
            assert!(bool_from_string(t), "{t}");
        }
        for f in ["0", "false", "no", "", "maybe"] {
            assert!(!bool_from_string(f), "{f}");
        }
    }
}
