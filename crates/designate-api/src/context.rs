//! Per-request plumbing: the request id, the noauth caller context, and the error rendering that
//! needs both.
//!
//! - [`request_middleware`] gives every request a `req-<uuid>` id (upstream's oslo `RequestId`
//!   middleware), echoes it in `X-OpenStack-Request-Id`, and turns any error response into the
//!   JSON envelope carrying that id.
//! - [`Ctx`] builds the [`RequestContext`] from the [`Caller`] the auth middleware stored (noauth
//!   headers or a Keystone token) plus the all-projects / sudo / edit-managed / hard-delete
//!   switches, each allowed only where upstream's policy (`all_tenants`, `use_sudo`,
//!   `edit_managed_records`, `hard_delete`) allows.
//!
//! Per-action rules are checked by the handlers, which know the target.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{HeaderValue, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use designate_core::{ErrorKind, RequestContext};

use crate::auth::{noauth_caller, Caller};
use crate::error::{ApiError, PendingError};
use crate::policy::{Policy, Target};
use crate::AppState;

/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-openstack-request-id";

/// The id of the current request, stored in the request's extensions by [`request_middleware`].
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Marks a response whose error body is deliberate and must not become an envelope (the
/// `/healthcheck` 503, whose plain-text reasons load balancers and operators read).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OwnBody;

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
    if response.extensions().get::<OwnBody>().is_some() {
        return response;
    }
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

/// The caller's context: the authenticated [`Caller`] plus the request's switches.
#[derive(Debug, Clone)]
pub struct Ctx(pub RequestContext);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| format!("req-{}", uuid::Uuid::new_v4()));
        // The auth middleware stores a caller for every non-public path; its absence means the
        // request was not authenticated, and nothing may be served without an identity.
        let caller = parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            ApiError::custom(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "The request you have made requires authentication.",
            )
        })?;
        build_context(
            caller,
            &parts.headers,
            parts.uri.query(),
            request_id,
            &state.policy,
        )
        .map(Ctx)
    }
}

/// Builds the noauth context from headers and the query string, with upstream's default policy.
///
/// # Errors
/// `403 forbidden` when the caller may not use a switch it asked for.
pub fn noauth_context(
    headers: &HeaderMap,
    query: Option<&str>,
    request_id: String,
) -> Result<RequestContext, ApiError> {
    build_context(
        noauth_caller(headers),
        headers,
        query,
        request_id,
        &Policy::defaults(),
    )
}

/// The caller's context as upstream's `ContextMiddleware` makes it: identity from `caller`, then
/// sudo (`use_sudo`), all-projects (`all_tenants`), edit-managed-records and hard-delete, each
/// allowed only when its policy rule passes.
///
/// # Errors
/// `403 forbidden` when the caller may not use a switch it asked for.
pub fn build_context(
    caller: Caller,
    headers: &HeaderMap,
    query: Option<&str>,
    request_id: String,
    policy: &Policy,
) -> Result<RequestContext, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let mut ctx = RequestContext {
        request_id,
        project_id: caller.project_id,
        user_id: caller.user_id,
        roles: caller.roles,
        system_scope: caller.system_scope,
        // Forwarded to Neutron by central (floating-IP PTRs), as upstream's context carries it.
        auth_token: header("x-auth-token")
            .filter(|t| !t.is_empty())
            .map(|t| designate_core::AuthToken(t.to_owned())),
        service_catalog: caller.service_catalog,
        ..RequestContext::default()
    };
    let allowed = |ctx: &RequestContext, rule: &str| {
        crate::policy::enforce(policy, ctx, rule, &Target::new())
            .map_err(|_| crate::policy::forbidden())
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
        allowed(&ctx, "use_sudo")?;
        tracing::info!(user = ?ctx.user_id, project = sudo, "accepted sudo");
        ctx.project_id = Some(sudo.to_owned());
    }

    let mut all_projects = header("x-auth-all-projects").is_some_and(bool_from_string);
    for name in ["all_projects", "all_tenants"] {
        if let Some(v) = param(name) {
            all_projects = bool_from_string(v);
        }
    }
    if all_projects {
        allowed(&ctx, "all_tenants")?;
    }
    ctx.all_projects = all_projects;

    ctx.edit_managed_records = match param("edit_managed_records") {
        Some(v) => bool_from_string(v),
        None => header("x-designate-edit-managed-records").is_some_and(bool_from_string),
    };
    if ctx.edit_managed_records {
        allowed(&ctx, "edit_managed_records")?;
    }
    ctx.hard_delete = header("x-designate-hard-delete").is_some_and(bool_from_string);
    if ctx.hard_delete {
        allowed(&ctx, "hard_delete")?;
    }
    // Upstream checks no policy for it; deleting the zone is checked as usual.
    ctx.delete_shares = header("x-designate-delete-shares").is_some_and(bool_from_string);
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
        assert_eq!(ctx.roles, vec!["admin", "member", "reader"]);
        assert!(!ctx.all_projects && !ctx.edit_managed_records && !ctx.hard_delete);
    }

    #[test]
    fn headers_and_query_switches() {
        let h = headers(&[
            ("x-auth-project-id", "p1"),
            ("x-roles", "admin, reader"),
            ("x-designate-edit-managed-records", "True"),
            ("x-designate-hard-delete", "yes"),
        ]);
        let ctx = noauth_context(&h, Some("edit_managed_records=false"), "req-x".into()).unwrap();
        assert_eq!(ctx.project_id.as_deref(), Some("p1"));
        assert_eq!(ctx.roles, vec!["admin", "reader", "member"]);
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
        for switch in [
            "x-designate-hard-delete",
            "x-designate-edit-managed-records",
        ] {
            let h = headers(&[("x-roles", "member,reader"), (switch, "true")]);
            let e = noauth_context(&h, None, "r".into()).unwrap_err();
            assert_eq!(e.error_type, "forbidden", "{switch}");
        }
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
