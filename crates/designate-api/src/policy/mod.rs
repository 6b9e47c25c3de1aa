//! The policy engine: upstream's default rules for every API action (secure RBAC: admin, project
//! member, project reader; `designate/common/policies/*.py`) plus an operator override file in
//! oslo.policy syntax (`[oslo_policy] policy_file`, YAML or JSON).
//!
//! - `check`: the rule language (parse and evaluate).
//! - `defaults`: upstream's rules as data.
//! - this module: [`Policy`] (the effective rule set), loading and validating the override file,
//!   enforcement with oslo.policy's scope check, and the glue that turns a [`RequestContext`] into
//!   credentials and a denial into upstream's `403`.
//!
//! The engine decides; it never fetches. Handlers build the target from the object they already
//! read through central (whose project filter makes another project's object a `404` before any
//! rule is asked).

mod check;
mod defaults;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use designate_core::objects::{RecordSet, Zone};
use designate_core::{ErrorKind, RequestContext};

pub use check::{CredValue, Creds, SyntaxError, Target};

use crate::error::ApiError;
use check::{Check, RuleLookup};

/// A policy file that cannot be used; the service refuses to start with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is neither a YAML nor a JSON mapping of rule names to strings.
    #[error("policy file {path} is not a mapping of rule names to check strings: {message}")]
    Format {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A rule's check string does not parse.
    #[error("policy rule {name:?} in {path}: {source}")]
    Syntax {
        /// The file.
        path: String,
        /// The rule.
        name: String,
        /// The parse failure.
        source: SyntaxError,
    },
    /// A rule refers to a rule that exists nowhere.
    #[error("policy rule {name:?} in {path} refers to undefined rule {reference:?}")]
    UndefinedRule {
        /// The file.
        path: String,
        /// The referring rule.
        name: String,
        /// The missing rule.
        reference: String,
    },
    /// Rules refer to each other in a loop.
    #[error("policy rule {name:?} in {path} refers back to itself through rule: checks")]
    Cycle {
        /// The file.
        path: String,
        /// A rule on the loop.
        name: String,
    },
}

/// Why a check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The rule said no: `403 forbidden`.
    Forbidden,
    /// The rule is project scoped and the token is not: `403 invalid_token_scope`.
    InvalidScope,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    source: String,
    check: Check,
    /// Upstream's `scope_types=[project]`.
    project_scoped: bool,
    /// Set by the operator's file rather than upstream's defaults.
    overridden: bool,
}

/// The effective policy: upstream's defaults with the operator's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    rules: HashMap<String, Rule>,
    /// Rule names in display order: defaults first (upstream's order), then file-only rules.
    order: Vec<String>,
    /// oslo.policy's `enforce_scope`: project-scoped rules refuse system-scoped tokens.
    enforce_scope: bool,
}

impl RuleLookup for Policy {
    fn lookup(&self, name: &str) -> Option<&Check> {
        self.rules.get(name).map(|r| &r.check)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::defaults()
    }
}

impl Policy {
    /// Upstream's default rules only.
    pub fn defaults() -> Self {
        let mut rules = HashMap::new();
        let mut order = Vec::new();
        for (name, source, scoped) in defaults::DEFAULT_RULES {
            // The defaults are compiled in and covered by a unit test, so they always parse.
            let check = check::parse(source).unwrap_or(Check::Never);
            rules.insert(
                (*name).to_owned(),
                Rule {
                    source: (*source).to_owned(),
                    check,
                    project_scoped: *scoped,
                    overridden: false,
                },
            );
            order.push((*name).to_owned());
        }
        Self {
            rules,
            order,
            enforce_scope: true,
        }
    }

    /// The defaults overridden by the file at `path` (oslo.policy's `policy_file`).
    ///
    /// # Errors
    /// [`PolicyError`] when the file cannot be read or holds a rule that cannot be used.
    pub fn from_file(path: &Path) -> Result<Self, PolicyError> {
        Self::defaults().with_file(path)
    }

    /// This policy overridden by the file at `path` (a `policy_file`, or one file of the
    /// `policy_dirs`, applied in turn).
    ///
    /// # Errors
    /// [`PolicyError`] when the file cannot be read or holds a rule that cannot be used.
    pub fn with_file(self, path: &Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.with_overrides(&text, &path.display().to_string())
    }

    /// Applies overrides given as YAML or JSON text; `origin` names the source in errors.
    ///
    /// # Errors
    /// [`PolicyError`] for a malformed document, an unparsable rule, an undefined `rule:`
    /// reference, or a loop of `rule:` references.
    pub fn with_overrides(mut self, text: &str, origin: &str) -> Result<Self, PolicyError> {
        let format_error = |message: String| PolicyError::Format {
            path: origin.to_owned(),
            message,
        };
        // JSON is YAML, so one parser reads both; an empty file overrides nothing.
        let doc: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| format_error(e.to_string()))?;
        let map = match doc {
            serde_yaml::Value::Null => serde_yaml::Mapping::new(),
            serde_yaml::Value::Mapping(m) => m,
            _ => return Err(format_error("the document is not a mapping".into())),
        };
        for (key, value) in map {
            let Some(name) = key.as_str().map(str::to_owned) else {
                return Err(format_error(format!("rule name {key:?} is not a string")));
            };
            let source = match value {
                serde_yaml::Value::String(s) => s,
                // oslo.policy's legacy list syntax: only the empty list ("always") is supported.
                serde_yaml::Value::Sequence(s) if s.is_empty() => String::new(),
                other => {
                    return Err(format_error(format!(
                        "rule {name:?} is not a string: {other:?}"
                    )))
                }
            };
            let check = check::parse(&source).map_err(|source| PolicyError::Syntax {
                path: origin.to_owned(),
                name: name.clone(),
                source,
            })?;
            match self.rules.get_mut(&name) {
                Some(rule) => {
                    rule.source = source;
                    rule.check = check;
                    rule.overridden = true;
                }
                None => {
                    self.order.push(name.clone());
                    self.rules.insert(
                        name,
                        Rule {
                            source,
                            check,
                            project_scoped: false,
                            overridden: true,
                        },
                    );
                }
            }
        }
        self.validate(origin)?;
        Ok(self)
    }

    /// Sets oslo.policy's `enforce_scope`.
    pub fn with_enforce_scope(mut self, enforce_scope: bool) -> Self {
        self.enforce_scope = enforce_scope;
        self
    }

    fn validate(&self, origin: &str) -> Result<(), PolicyError> {
        for name in &self.order {
            let mut refs = Vec::new();
            self.rules[name].check.references(&mut refs);
            if let Some(missing) = refs.iter().find(|r| !self.rules.contains_key(*r)) {
                return Err(PolicyError::UndefinedRule {
                    path: origin.to_owned(),
                    name: name.clone(),
                    reference: missing.clone(),
                });
            }
        }
        // Depth-first search for a loop of rule: references.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Active,
            Done,
        }
        fn visit<'a>(
            policy: &'a Policy,
            name: &'a str,
            marks: &mut HashMap<&'a str, Mark>,
        ) -> Result<(), String> {
            match marks.get(name) {
                Some(Mark::Done) => return Ok(()),
                Some(Mark::Active) => return Err(name.to_owned()),
                None => {}
            }
            marks.insert(name, Mark::Active);
            if let Some((key, rule)) = policy.rules.get_key_value(name) {
                let mut refs = Vec::new();
                rule.check.references(&mut refs);
                for r in refs {
                    if let Some((k, _)) = policy.rules.get_key_value(&r) {
                        visit(policy, k, marks)?;
                    }
                }
                marks.insert(key, Mark::Done);
            }
            Ok(())
        }
        let mut marks = HashMap::new();
        for name in &self.order {
            visit(self, name, &mut marks).map_err(|name| PolicyError::Cycle {
                path: origin.to_owned(),
                name,
            })?;
        }
        Ok(())
    }

    /// Checks `action` for `creds` on `target` as oslo.policy's `enforce` does: scope first (when
    /// enforced), then the rule; an action with no rule falls back to the `default` rule.
    ///
    /// # Errors
    /// [`Denied`] saying why.
    pub fn check(&self, action: &str, creds: &Creds, target: &Target) -> Result<(), Denied> {
        let rule = self.rules.get(action).or_else(|| self.rules.get("default"));
        let Some(rule) = rule else {
            return Err(Denied::Forbidden);
        };
        if self.enforce_scope && rule.project_scoped && !is_project_token(creds) {
            return Err(Denied::InvalidScope);
        }
        if rule.check.eval(target, creds, self) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }

    /// The effective policy as a YAML document (what `designate manage policy show` prints):
    /// every rule with its check string, operator overrides marked.
    pub fn render(&self) -> String {
        let mut out =
            String::from("# Effective policy: upstream defaults, operator overrides marked.\n");
        for name in &self.order {
            let rule = &self.rules[name];
            if rule.overridden {
                out.push_str("# overridden by the policy file\n");
            }
            // JSON strings are valid YAML double-quoted scalars.
            out.push_str(&format!(
                "{}: {}\n",
                serde_json::Value::String(name.clone()),
                serde_json::Value::String(rule.source.clone())
            ));
        }
        out
    }

    /// The effective check string of `name`, if the rule exists.
    pub fn rule(&self, name: &str) -> Option<&str> {
        self.rules.get(name).map(|r| r.source.as_str())
    }
}

/// oslo.policy's token scope: system scope wins, then project.
fn is_project_token(creds: &Creds) -> bool {
    let set =
        |k: &str| matches!(creds.get(k), Some(CredValue::One(v)) if v != "None" && !v.is_empty());
    !set("system_scope") && set("project_id")
}

/// The credentials oslo.policy sees for `ctx` (upstream's `to_policy_values`).
pub fn creds(ctx: &RequestContext) -> Creds {
    let one = |v: Option<&str>| CredValue::One(v.unwrap_or("None").to_owned());
    let mut c = BTreeMap::new();
    c.insert("project_id".to_owned(), one(ctx.project_id.as_deref()));
    c.insert("tenant_id".to_owned(), one(ctx.project_id.as_deref()));
    c.insert("user_id".to_owned(), one(ctx.user_id.as_deref()));
    c.insert("roles".to_owned(), CredValue::Many(ctx.roles.clone()));
    c.insert(
        "system_scope".to_owned(),
        one(ctx.system_scope.then_some("all")),
    );
    c.insert("is_admin".to_owned(), one(Some(py_bool(ctx.is_admin()))));
    c
}

/// Python's `str()` of a bool, as targets carry them.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A target from `(field, value)` pairs.
pub(crate) fn target<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Target {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Checks `action` for the caller, rendering a denial as upstream does.
///
/// # Errors
/// `403 forbidden` (no message) or `403 invalid_token_scope`.
pub(crate) fn enforce(
    policy: &Policy,
    ctx: &RequestContext,
    action: &str,
    target: &Target,
) -> Result<(), ApiError> {
    match policy.check(action, &creds(ctx), target) {
        Ok(()) => Ok(()),
        Err(denied) => {
            tracing::info!(rule = action, ?target, "policy check failed");
            Err(match denied {
                Denied::Forbidden => forbidden(),
                Denied::InvalidScope => ApiError::new(
                    ErrorKind::Forbidden,
                    "The token's scope is not valid for this action",
                )
                .with_type("invalid_token_scope"),
            })
        }
    }
}

/// The target upstream uses for list actions: the caller's own project.
pub(crate) fn own_project_target(ctx: &RequestContext) -> Target {
    let project = ctx.project_id.clone().unwrap_or_else(|| "None".to_owned());
    target([("project_id", project.clone()), ("tenant_id", project)])
}

/// Upstream's target for a zone (central's `get_zone` / `update_zone` / `delete_zone`).
/// `zone_shared` is whether the zone is shared with the caller: central hands a caller that
/// neither owns the zone nor sees every project only zones shared with it.
pub(crate) fn zone_target(ctx: &RequestContext, zone: &Zone) -> Target {
    let project = zone.tenant_id.clone().unwrap_or_else(|| "None".to_owned());
    let shared = ctx
        .project_filter()
        .is_some_and(|p| zone.tenant_id.as_deref() != Some(p));
    target([
        ("zone_id", zone.id.to_string()),
        ("zone_name", zone.name.clone()),
        ("zone_type", zone.zone_type.as_str().to_owned()),
        ("zone_shared", py_bool(shared).to_owned()),
        ("project_id", project.clone()),
        ("tenant_id", project),
    ])
}

/// Upstream's target for a recordset of `zone`: the zone's fields plus the recordset's own.
pub(crate) fn recordset_target(ctx: &RequestContext, zone: &Zone, rs: &RecordSet) -> Target {
    let mut t = zone_target(ctx, zone);
    t.insert("recordset_id".to_owned(), rs.id.to_string());
    t.insert("recordset_name".to_owned(), rs.name.clone());
    t.insert(
        "recordset_project_id".to_owned(),
        rs.tenant_id.clone().unwrap_or_else(|| "None".to_owned()),
    );
    t
}

/// Upstream's `Forbidden()` raised by a failed policy check: no message.
pub(crate) fn forbidden() -> ApiError {
    ApiError {
        message: None,
        ..ApiError::new(ErrorKind::Forbidden, "")
    }
}

#[cfg(test)]
mod tests;
