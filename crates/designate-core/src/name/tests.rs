//! Table-driven tests of the name, e-mail and TTL rules (cases after upstream's
//! `test_fields.py`, the zone/recordset API tests and central's name checks).

use proptest::prelude::*;

use super::*;

/// Expected outcome of one case: accepted, or refused with this error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Ok,
    Err(&'static str),
}
use Want::{Err as E, Ok as K};

const OBJ: Want = E("invalid_object");

fn check(f: impl Fn(&str) -> Result<()>, cases: &[(&str, Want)]) {
    for (input, want) in cases {
        let got = match f(input) {
            Ok(()) => K,
            Err(e) => E(e.error_type()),
        };
        assert_eq!(got, *want, "input {input:?}");
    }
}

fn long_name(labels: usize, label_len: usize) -> String {
    let mut s = String::new();
    for _ in 0..labels {
        s.push_str(&"a".repeat(label_len));
        s.push('.');
    }
    s
}

#[test]
fn zone_names() {
    let max_label = format!("{}.org.", "a".repeat(63));
    let long_label = format!("{}.org.", "a".repeat(64));
    // 4 × 63 + 4 dots = 256 octets: too long. 3 × 63 + 61 + 4 = 254: the longest accepted.
    let too_long = long_name(4, 63);
    let longest = format!("{}{}.", long_name(3, 63), "b".repeat(61));
    assert_eq!(longest.len(), 254);
    let just_over = format!("{}{}.", long_name(3, 63), "b".repeat(62));
    check(
        validate_zone_name,
        &[
            ("example.org.", K),
            ("EXAMPLE.org.", K),
            ("sub-1.example.org.", K),
            ("_tcp.example.org.", K),
            ("1.0.192.in-addr.arpa.", K),
            (max_label.as_str(), K),
            (longest.as_str(), K),
            (just_over.as_str(), OBJ),
            (too_long.as_str(), OBJ),
            (long_label.as_str(), OBJ),
            ("example.org", OBJ),
            ("org.", E("invalid_zone_name")),
            (".", OBJ),
            ("", OBJ),
            ("example..org.", OBJ),
            (".example.org.", OBJ),
            ("-example.org.", OBJ),
            ("example-.org.", OBJ),
            ("*.example.org.", OBJ),
            ("exa mple.org.", OBJ),
            ("exa$mple.org.", OBJ),
            ("example.org.\n", OBJ),
            ("ex\nample.org.", OBJ),
            ("exämple.org.", OBJ),
        ],
    );
}

#[test]
fn zone_name_error_details() {
    let Err(e) = validate_zone_name("example.org") else {
        panic!("accepted a relative name");
    };
    assert_eq!(e.code(), 400);
    assert_eq!(e.errors[0].path, vec!["name"]);
    assert_eq!(e.errors[0].validator, "format");
    assert!(e.errors[0].message.contains("does not end with a dot"));
    let Err(e) = validate_zone_name("org.") else {
        panic!("accepted a TLD");
    };
    assert_eq!(e.message, "More than one label is required");
}

#[test]
fn recordset_names() {
    let long_label = format!("{}.example.org.", "a".repeat(64));
    check(
        validate_recordset_name,
        &[
            ("example.org.", K),
            ("www.example.org.", K),
            ("*.example.org.", K),
            ("_dmarc.example.org.", K),
            ("_sip._tcp.example.org.", K),
            ("a.b.c.d.example.org.", K),
            ("org.", K),
            ("www.*.example.org.", OBJ),
            ("**.example.org.", OBJ),
            ("*a.example.org.", OBJ),
            ("www.example.org", OBJ),
            ("www..example.org.", OBJ),
            (long_label.as_str(), OBJ),
            ("www example.org.", OBJ),
            ("www.example.org.\r", OBJ),
            ("", OBJ),
        ],
    );
}

#[test]
fn recordset_names_by_type() {
    let srv = |n: &str| validate_recordset_name_for_type(n, "SRV");
    check(
        srv,
        &[
            ("_sip._tcp.example.org.", K),
            ("_xmpp-server._tcp.example.org.", K),
            ("_sip.tcp.example.org.", OBJ),
            ("sip._tcp.example.org.", OBJ),
            ("_sip._tcp.", OBJ),
            ("_sip._tcp.example.org", OBJ),
            ("*.example.org.", OBJ),
        ],
    );
    let ns = |n: &str| validate_recordset_name_for_type(n, "NS");
    check(
        ns,
        &[
            ("sub.example.org.", K),
            ("*.example.org.", OBJ),
            ("sub.example.org", OBJ),
        ],
    );
    let a = |n: &str| validate_recordset_name_for_type(n, "A");
    check(a, &[("*.example.org.", K), ("www.example.org", OBJ)]);
}

#[test]
fn placement() {
    assert!(is_in_zone("example.org.", "example.org."));
    assert!(is_in_zone("www.Example.ORG.", "example.org."));
    assert!(!is_in_zone("wwwexample.org.", "example.org."));
    assert!(!is_in_zone("example.com.", "example.org."));
    assert!(check_recordset_location("a.example.org.", "example.org.").is_ok());
    let Err(e) = check_recordset_location("a.example.com.", "example.org.") else {
        panic!("accepted a name outside the zone");
    };
    assert_eq!(e.error_type(), "invalid_recordset_location");
}

#[test]
fn emails() {
    check(
        validate_email,
        &[
            ("hostmaster@example.org", K),
            ("first.last@example.org", K),
            ("a_b-c@example.org", K),
            ("admin@localhost", K),
            ("hostmaster", OBJ),
            ("a@b@example.org", OBJ),
            ("first+tag@example.org", OBJ),
            ("@example.org", OBJ),
            ("hostmaster@", OBJ),
            ("hostmaster@example.org.", OBJ),
            ("host master@example.org", OBJ),
            ("hostmaster@example.org\n", OBJ),
            ("", OBJ),
        ],
    );
    // Found by fuzz/name_validate: every dot-separated piece of the local part is a valid
    // label, but the RNAME makes the whole local part one label of 65 octets.
    let fuzzed = "f-rst.srtemple.oir._t_.tcp.ecp.exa._tap.sir.ir._t_.t_tcpex.rg.ast@e-c.m.temple.____------or";
    assert_eq!(
        validate_email(fuzzed).map_err(|e| e.error_type()),
        Err("invalid_object")
    );
    let local = format!("{}.{}", "a".repeat(31), "b".repeat(31));
    assert!(validate_email(&format!("{local}@example.org")).is_ok());
    assert!(validate_email(&format!("{local}c@example.org")).is_err());
    let long = format!("{}@example.org", "a".repeat(250));
    assert_eq!(
        validate_email(&long).map_err(|e| e.error_type()),
        Err("invalid_object")
    );
}

#[test]
fn rnames() {
    for (email, rname) in [
        ("hostmaster@example.org", "hostmaster.example.org."),
        ("first.last@example.org", "first\\.last.example.org."),
        ("a.b.c@example.org.", "a\\.b\\.c.example.org."),
        ("example.org", "example.org."),
    ] {
        assert_eq!(email_to_rname(email), rname, "email {email:?}");
    }
}

#[test]
fn ttls() {
    for ok in [0, 1, 300, 86_400, MAX_TTL] {
        assert!(validate_ttl(ok).is_ok(), "ttl {ok}");
    }
    for bad in [-1, MAX_TTL + 1, i64::MIN, i64::MAX] {
        let Err(e) = validate_ttl(bad) else {
            panic!("accepted ttl {bad}");
        };
        assert_eq!(e.error_type(), "invalid_object");
        assert_eq!(e.errors[0].path, vec!["ttl"]);
    }
    assert!(check_min_ttl(10, None).is_ok());
    assert!(check_min_ttl(300, Some(300)).is_ok());
    let Err(e) = check_min_ttl(299, Some(300)) else {
        panic!("accepted a ttl below the minimum");
    };
    assert_eq!(e.error_type(), "invalid_ttl");
    assert_eq!(e.message, "TTL is below the minimum: 300");
}

#[test]
fn tlds_and_suffixes() {
    for ok in ["com", "co.uk", "xn--p1ai"] {
        assert!(is_valid_tld(ok), "{ok}");
    }
    for bad in ["", "com.", ".com", "-com", "c m"] {
        assert!(!is_valid_tld(bad), "{bad:?}");
    }
    assert_eq!(
        name_suffixes("www.example.co.uk."),
        vec!["www.example.co.uk", "example.co.uk", "co.uk", "uk"]
    );
}

proptest! {
    /// The name rules never panic, and an accepted name is always absolute, bounded and free of
    /// control characters.
    #[test]
    fn name_rules_are_total(s in "\\PC{0,80}|[a-z0-9.*_-]{0,300}|[\\x00-\\x7f]{0,40}") {
        for ok in [validate_zone_name(&s).is_ok(), validate_recordset_name(&s).is_ok()] {
            if ok {
                prop_assert!(s.ends_with('.'));
                prop_assert!(s.len() <= MAX_NAME_LEN);
                prop_assert!(!s.chars().any(char::is_control));
            }
        }
        let _ = validate_email(&s);
        let _ = email_to_rname(&s);
        let _ = is_valid_srv_name(&s);
    }

    /// Names built from valid labels are accepted exactly when they fit the length limit.
    #[test]
    fn label_built_names(labels in proptest::collection::vec("[a-z0-9][a-z0-9_-]{0,61}[a-z0-9]", 2..6)) {
        let name = format!("{}.", labels.join("."));
        prop_assert_eq!(validate_zone_name(&name).is_ok(), name.len() <= 254);
        prop_assert_eq!(validate_recordset_name(&name).is_ok(), name.len() <= 254);
        let wildcard = format!("*.{name}");
        prop_assert_eq!(validate_recordset_name(&wildcard).is_ok(), wildcard.len() <= 254);
    }
}
