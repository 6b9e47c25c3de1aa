//! Role checks for the actions this API serves: upstream's secure-RBAC defaults
//! (`designate/common/policies/{zone,recordset}.py`, `enforce_new_defaults`), reduced to the part
//! the API can decide alone.
//!
//! Reads need `admin` or `reader`, writes need `admin` or `member`. The project half of upstream's
//! `project_id:%(project_id)s` is enforced by central, which only ever shows the caller's own
//! project (or all of them for an admin with all-projects). Keystone expands its default implied
//! roles (admin → member → reader) into every token; noauth has no Keystone, so the same
//! expansion is applied here. An operator override file is not supported yet.

use designate_core::{ErrorKind, RequestContext};

use crate::error::ApiError;

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// `ADMIN_OR_PROJECT_READER`: get/find zones and recordsets.
    Read,
    /// `ADMIN_OR_PROJECT_MEMBER`: create/update/delete zones and recordsets.
    Write,
}

/// Checks `rule` for the caller.
///
/// # Errors
/// `403 forbidden`, without a message, as upstream's policy failures render.
pub(crate) fn enforce(ctx: &RequestContext, rule: Rule) -> Result<(), ApiError> {
    let has = |role: &str| ctx.roles.iter().any(|r| r.eq_ignore_ascii_case(role));
    let allowed = has("admin")
        || match rule {
            Rule::Write => has("member"),
            Rule::Read => has("member") || has("reader"),
        };
    if allowed {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// Upstream's `Forbidden()` raised by a failed policy check: no message.
pub(crate) fn forbidden() -> ApiError {
    ApiError {
        message: None,
        ..ApiError::new(ErrorKind::Forbidden, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(roles: &[&str]) -> RequestContext {
        RequestContext {
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            ..RequestContext::default()
        }
    }

    #[test]
    fn implied_roles() {
        for (roles, read, write) in [
            (&["admin"][..], true, true),
            (&["Member"][..], true, true),
            (&["reader"][..], true, false),
            (&["observer"][..], false, false),
            (&[][..], false, false),
        ] {
            assert_eq!(enforce(&ctx(roles), Rule::Read).is_ok(), read, "{roles:?}");
            assert_eq!(
                enforce(&ctx(roles), Rule::Write).is_ok(),
                write,
                "{roles:?}"
            );
        }
        assert!(forbidden().body(None).get("message").is_none());
    }
}
