//! oslo.policy's rule language: parsing a check string into a [`Check`] tree and evaluating it
//! against the caller's credentials and the action's target.
//!
//! The grammar is oslo.policy's: whitespace-separated tokens, `(` / `)` for grouping, the
//! keywords `not`, `and`, `or` (case-insensitive, binding in that order), `@` (always) and `!`
//! (never), `rule:NAME`, `role:NAME`, and generic `KIND:MATCH` checks, where `MATCH` may hold
//! `%(field)s` substitutions from the target and `KIND` is either a credential name (dotted paths
//! allowed) or a Python literal (`True`, `None`, `'PRIMARY'`, numbers). The empty string means
//! "always", as in oslo.policy.
//!
//! Unlike oslo.policy, which logs and silently turns an unparsable rule into "never", a rule we
//! cannot understand is an error: the operator learns about it at start-up, not from a 403.
//! `http:` / `https:` checks (a remote call per decision) are refused for the same reason.

use std::collections::BTreeMap;

/// A parsed check string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// `@` (and the empty rule): always passes.
    Always,
    /// `!`: never passes.
    Never,
    /// `not X`.
    Not(Box<Self>),
    /// `X and Y and …`.
    And(Vec<Self>),
    /// `X or Y or …`.
    Or(Vec<Self>),
    /// `rule:NAME`: the named rule's outcome (false when it does not exist).
    Rule(String),
    /// `role:NAME`: the caller holds the role (case-insensitive); `NAME` may use `%(field)s`.
    Role(String),
    /// `KIND:MATCH`: a credential or a literal compared with the substituted `MATCH`.
    Generic {
        /// Credential path or Python literal.
        kind: String,
        /// Right-hand side, with `%(field)s` taken from the target.
        matches: String,
    },
}

/// A check string that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SyntaxError(pub String);

/// A credential value: a string or a list of strings (roles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredValue {
    /// One value, already rendered as Python's `str()` would (`True`, `None`, …).
    One(String),
    /// A list (the test is membership).
    Many(Vec<String>),
}

/// The caller's credentials as oslo.policy sees them (`RequestContext.to_policy_values()`).
pub type Creds = BTreeMap<String, CredValue>;

/// The object acted on: field name → value rendered as Python's `str()` would.
pub type Target = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Check(Check),
}

/// Parses an oslo.policy check string.
///
/// # Errors
/// Unbalanced parentheses, dangling operators, or a token that is not a check.
pub(crate) fn parse(rule: &str) -> Result<Check, SyntaxError> {
    let tokens = tokenize(rule)?;
    if tokens.is_empty() {
        return Ok(Check::Always);
    }
    let mut parser = Parser { tokens, pos: 0 };
    let check = parser.or_expr()?;
    if parser.pos != parser.tokens.len() {
        return Err(SyntaxError(format!(
            "unexpected {} in {rule:?}",
            describe(&parser.tokens[parser.pos])
        )));
    }
    Ok(check)
}

fn describe(token: &Token) -> &'static str {
    match token {
        Token::Open => "'('",
        Token::Close => "')'",
        Token::And => "'and'",
        Token::Or => "'or'",
        Token::Not => "'not'",
        Token::Check(_) => "check",
    }
}

fn tokenize(rule: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut tokens = Vec::new();
    for word in rule.split_whitespace() {
        let trimmed_start = word.trim_start_matches('(');
        for _ in 0..(word.len() - trimmed_start.len()) {
            tokens.push(Token::Open);
        }
        let core = trimmed_start.trim_end_matches(')');
        let closes = trimmed_start.len() - core.len();
        if !core.is_empty() {
            tokens.push(match core.to_ascii_lowercase().as_str() {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                _ => Token::Check(parse_check(core)?),
            });
        }
        for _ in 0..closes {
            tokens.push(Token::Close);
        }
    }
    Ok(tokens)
}

fn parse_check(token: &str) -> Result<Check, SyntaxError> {
    match token {
        "@" => return Ok(Check::Always),
        "!" => return Ok(Check::Never),
        _ => {}
    }
    let Some((kind, matches)) = token.split_once(':') else {
        return Err(SyntaxError(format!(
            "{token:?} is not a check (expected KIND:VALUE, '@' or '!')"
        )));
    };
    match kind {
        "rule" => Ok(Check::Rule(matches.to_owned())),
        "role" => Ok(Check::Role(matches.to_owned())),
        "http" | "https" => Err(SyntaxError(format!(
            "{token:?}: http(s) checks are not supported"
        ))),
        "" => Err(SyntaxError(format!("{token:?} has an empty kind"))),
        _ => Ok(Check::Generic {
            kind: kind.to_owned(),
            matches: matches.to_owned(),
        }),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or_expr(&mut self) -> Result<Check, SyntaxError> {
        let mut parts = vec![self.and_expr()?];
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            parts.push(self.and_expr()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Check::Or(parts)
        })
    }

    fn and_expr(&mut self) -> Result<Check, SyntaxError> {
        let mut parts = vec![self.not_expr()?];
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            parts.push(self.not_expr()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Check::And(parts)
        })
    }

    fn not_expr(&mut self) -> Result<Check, SyntaxError> {
        if self.peek() == Some(&Token::Not) {
            self.pos += 1;
            return Ok(Check::Not(Box::new(self.not_expr()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Check, SyntaxError> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        match token {
            Some(Token::Check(c)) => Ok(c),
            Some(Token::Open) => {
                let inner = self.or_expr()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(SyntaxError("missing ')'".into()));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(other) => Err(SyntaxError(format!(
                "unexpected {} where a check was expected",
                describe(&other)
            ))),
            None => Err(SyntaxError(
                "the rule ends where a check was expected".into(),
            )),
        }
    }
}

/// Python's `'...%(name)s...' % target`: `None` when a named field is missing (the check fails).
fn substitute(template: &str, target: &Target) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("%(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find(")s")?;
        out.push_str(target.get(&after[..end])?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// A `KIND` that Python's `ast.literal_eval` accepts, rendered as `str()` would.
fn literal(kind: &str) -> Option<String> {
    let quoted = |q: char| kind.len() >= 2 && kind.starts_with(q) && kind.ends_with(q);
    if quoted('\'') || quoted('"') {
        return Some(kind[1..kind.len() - 1].to_owned());
    }
    if matches!(kind, "True" | "False" | "None") || kind.parse::<i64>().is_ok() {
        return Some(kind.to_owned());
    }
    None
}

/// Evaluation needs the named rules for `rule:` checks.
pub(crate) trait RuleLookup {
    /// The parsed rule called `name`, if any.
    fn lookup(&self, name: &str) -> Option<&Check>;
}

/// Bound on `rule:` nesting; load-time checks reject cycles, this only guards evaluation.
const MAX_DEPTH: usize = 64;

impl Check {
    /// Whether the check passes for `creds` acting on `target`.
    pub(crate) fn eval(&self, target: &Target, creds: &Creds, rules: &dyn RuleLookup) -> bool {
        self.eval_at(target, creds, rules, 0)
    }

    fn eval_at(
        &self,
        target: &Target,
        creds: &Creds,
        rules: &dyn RuleLookup,
        depth: usize,
    ) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Not(c) => !c.eval_at(target, creds, rules, depth),
            Self::And(cs) => cs.iter().all(|c| c.eval_at(target, creds, rules, depth)),
            Self::Or(cs) => cs.iter().any(|c| c.eval_at(target, creds, rules, depth)),
            Self::Rule(name) => {
                depth < MAX_DEPTH
                    && rules
                        .lookup(name)
                        .is_some_and(|c| c.eval_at(target, creds, rules, depth + 1))
            }
            Self::Role(role) => {
                let Some(role) = substitute(role, target) else {
                    return false;
                };
                match creds.get("roles") {
                    Some(CredValue::Many(roles)) => {
                        roles.iter().any(|r| r.eq_ignore_ascii_case(&role))
                    }
                    Some(CredValue::One(r)) => r.eq_ignore_ascii_case(&role),
                    None => false,
                }
            }
            Self::Generic { kind, matches } => {
                let Some(wanted) = substitute(matches, target) else {
                    return false;
                };
                if let Some(value) = literal(kind) {
                    return value == wanted;
                }
                match creds.get(kind.as_str()) {
                    Some(CredValue::One(v)) => *v == wanted,
                    Some(CredValue::Many(vs)) => vs.contains(&wanted),
                    None => false,
                }
            }
        }
    }

    /// `rule:` names this check refers to.
    pub(crate) fn references(&self, out: &mut Vec<String>) {
        match self {
            Self::Rule(name) => out.push(name.clone()),
            Self::Not(c) => c.references(out),
            Self::And(cs) | Self::Or(cs) => cs.iter().for_each(|c| c.references(out)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoRules;
    impl RuleLookup for NoRules {
        fn lookup(&self, _: &str) -> Option<&Check> {
            None
        }
    }

    fn creds(project: &str, roles: &[&str]) -> Creds {
        let mut c = Creds::new();
        c.insert("project_id".into(), CredValue::One(project.into()));
        c.insert(
            "roles".into(),
            CredValue::Many(roles.iter().map(|r| (*r).to_owned()).collect()),
        );
        c.insert("is_admin".into(), CredValue::One("False".into()));
        c
    }

    fn target(pairs: &[(&str, &str)]) -> Target {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn check(rule: &str, c: &Creds, t: &Target) -> bool {
        parse(rule).unwrap().eval(t, c, &NoRules)
    }

    #[test]
    fn parses_precedence_and_parentheses() {
        let c = parse("role:a or role:b and not role:c").unwrap();
        assert_eq!(
            c,
            Check::Or(vec![
                Check::Role("a".into()),
                Check::And(vec![
                    Check::Role("b".into()),
                    Check::Not(Box::new(Check::Role("c".into())))
                ])
            ])
        );
        let c = parse("((role:a or role:b)) AND @").unwrap();
        assert!(matches!(c, Check::And(ref v) if v.len() == 2));
        assert_eq!(parse("").unwrap(), Check::Always);
        assert_eq!(parse("  ").unwrap(), Check::Always);
        assert_eq!(parse("!").unwrap(), Check::Never);
    }

    #[test]
    fn rejects_bad_syntax() {
        for bad in [
            "role:a or",
            "(role:a",
            "role:a)",
            "and role:a",
            "nonsense",
            "http://example.com",
            "role:a role:b",
            ":x",
            "not",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn evaluates_upstream_shapes() {
        let member = creds("p1", &["member", "reader"]);
        let reader = creds("p1", &["reader"]);
        let own = target(&[("project_id", "p1"), ("zone_type", "PRIMARY")]);
        let other = target(&[("project_id", "p2"), ("zone_type", "PRIMARY")]);
        let rule = "(role:admin) or (role:member and project_id:%(project_id)s)";
        assert!(check(rule, &member, &own));
        assert!(!check(rule, &member, &other));
        assert!(!check(rule, &reader, &own));
        assert!(
            check("role:MEMBER", &member, &own),
            "roles are case-insensitive"
        );
        assert!(check("'PRIMARY':%(zone_type)s", &member, &own));
        assert!(!check("'SECONDARY':%(zone_type)s", &member, &own));
        let all = target(&[("all_tenants", "True")]);
        assert!(check("True:%(all_tenants)s and role:reader", &reader, &all));
        assert!(
            !check("True:%(all_tenants)s", &reader, &own),
            "missing field fails"
        );
        assert!(check(
            "None:%(target_project_id)s",
            &reader,
            &target(&[("target_project_id", "None")])
        ));
        assert!(check("is_admin:False", &reader, &own));
        assert!(
            !check("user_id:%(user_id)s", &reader, &own),
            "missing cred fails"
        );
        assert!(check("not role:admin", &reader, &own));
        assert!(check("@", &reader, &own) && !check("!", &reader, &own));
        assert!(check("role:%(r)s", &reader, &target(&[("r", "reader")])));
        assert!(check("project_id:p1", &reader, &own), "literal match");
    }

    #[test]
    fn substitution() {
        let t = target(&[("a", "1"), ("b", "x")]);
        assert_eq!(substitute("%(a)s-%(b)s!", &t).as_deref(), Some("1-x!"));
        assert_eq!(substitute("plain", &t).as_deref(), Some("plain"));
        assert_eq!(substitute("%(c)s", &t), None);
        assert_eq!(substitute("%(a", &t), None);
    }
}
