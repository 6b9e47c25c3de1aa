//! Table-driven tests of every record type (cases after upstream's `test_rrdata_*.py` and its
//! recordset API tests), the newline-injection regression (upstream bug #2162105) and
//! properties over arbitrary input.

use proptest::prelude::*;

use super::*;

/// Checks each datum of `rtype`: `true` means accepted (and returned unchanged).
fn check(rtype: &str, cases: &[(&str, bool)]) {
    for (data, ok) in cases {
        match validate(rtype, data) {
            Ok(stored) => {
                assert!(ok, "{rtype} {data:?} was accepted");
                assert_eq!(&stored, data, "{rtype} {data:?} was changed");
            }
            Err(e) => {
                assert!(!ok, "{rtype} {data:?} was refused: {e:?}");
                assert_eq!(e.error_type(), "invalid_object");
                assert_eq!(e.errors.len(), 1);
                assert_eq!(e.errors[0].validator, "format");
                assert_eq!(e.errors[0].path, vec!["records"]);
            }
        }
    }
}

#[test]
fn a() {
    check(
        "A",
        &[
            ("192.0.2.1", true),
            ("0.0.0.0", true),
            ("255.255.255.255", true),
            ("192.0.002.1", false),
            ("192.0.2", false),
            ("192.0.2.256", false),
            ("192.0.2.1 ", false),
            (" 192.0.2.1", false),
            ("192.0.2.1/32", false),
            ("2001:db8:0:1::1", false),
            ("TXT", false),
            ("", false),
        ],
    );
}

#[test]
fn aaaa() {
    check(
        "AAAA",
        &[
            ("2001:db8:0:1::1", true),
            ("2001:DB8::1", true),
            ("::1", true),
            ("::", true),
            ("::ffff:192.0.2.1", true),
            ("2001:0db8:0000:0000:0000:0000:0000:0001", true),
            ("192.0.2.1", false),
            ("2001:db8::1::2", false),
            ("fe80::1%eth0", false),
            ("2001:db8::/32", false),
            ("2001:db8::g", false),
            ("TXT", false),
        ],
    );
}

#[test]
fn cname_ns_ptr() {
    let long_label = format!("{}.example.org.", "a".repeat(64));
    for rtype in ["CNAME", "NS", "PTR"] {
        check(
            rtype,
            &[
                ("www.example.org.", true),
                ("WWW.Example.ORG.", true),
                ("ns1.example.org.", true),
                ("_x.example.org.", true),
                ("www.example.org", false),
                ("*.example.org.", false),
                (".", false),
                ("www..example.org.", false),
                ("-www.example.org.", false),
                (long_label.as_str(), false),
                ("www.example.org. extra.", false),
                ("192.0.2.1", false),
            ],
        );
    }
}

#[test]
fn mx() {
    check(
        "MX",
        &[
            ("0 mail.example.org.", true),
            ("10 mail.example.org.", true),
            ("65535 mail.example.org.", true),
            ("0 .", true),
            ("65536 mail.example.org.", false),
            ("-0 mail.example.test.", false),
            ("+5 mail.example.test.", false),
            ("010 mail.example.test.", false),
            ("10 mail.example.test", false),
            ("10  mail.example.test.", false),
            ("10", false),
            ("mail.example.org.", false),
            ("10 mail.example.org. extra", false),
            ("10 mail!.example.org.", false),
        ],
    );
}

#[test]
fn srv() {
    check(
        "SRV",
        &[
            ("10 0 5060 server1.example.org.", true),
            ("0 0 0 server1.example.org.", true),
            ("65535 65535 65535 server1.example.org.", true),
            ("10 0", false),
            ("10 0 5060", false),
            ("10 0 65536 server1.example.org.", false),
            ("10 -1 5060 server1.example.org.", false),
            ("10 0 5060 server1.example.org", false),
            ("10 0 5060 .", false),
            ("a 0 5060 server1.example.org.", false),
        ],
    );
}

#[test]
fn txt() {
    let max_single = format!("\"{}\"", "a".repeat(253));
    let over_single = format!("\"{}\"", "a".repeat(254));
    let unquoted_long = "a".repeat(256);
    let split = format!("\"{}\" \"{}\"", "a".repeat(253), "b".repeat(100));
    let split_too_long = format!("\"{}\" \"{}\"", "a".repeat(254), "b".repeat(100));
    let split_unwrapped = format!("{}\" \"{}", "a".repeat(253), "b".repeat(100));
    // An escaped quote followed by a space does not end a string.
    let split_escaped = format!("\"{}\\\" x\" \"{}\"", "a".repeat(200), "b".repeat(100));
    let one_escaped_long = format!("\"{}\\\" \\\"{}\"", "a".repeat(200), "b".repeat(100));
    check(
        "TXT",
        &[
            ("foo", true),
            ("\"foo bar\"", true),
            ("\"v=spf1 include:_spf.example.org ~all\"", true),
            ("\"foo\\\"bar\"", true),
            ("\"a\\\\b\"", true),
            ("\"caf\\195\\169\"", true),
            ("\"\"", true),
            ("\"naïve\"", true),
            ("a\\;b", true),
            (max_single.as_str(), true),
            (split.as_str(), true),
            (split_escaped.as_str(), true),
            ("foo bar", false),
            ("\"foo\"bar\"", false),
            ("\"foo\" \"bar\"", false),
            ("\"foo", false),
            ("foo\"", false),
            ("\"", false),
            ("foo\\", false),
            ("\"foo\\\"", false),
            ("\"foo\\1x\"", false),
            ("\"foo\\256\"", false),
            ("foo;bar", false),
            ("foo(bar", false),
            ("fo\"o", false),
            ("", false),
            (over_single.as_str(), false),
            (unquoted_long.as_str(), false),
            (split_too_long.as_str(), false),
            (split_unwrapped.as_str(), false),
            (one_escaped_long.as_str(), false),
        ],
    );
}

#[test]
fn spf_follows_txt() {
    check(
        "SPF",
        &[
            ("\"v=spf1 include:_spf.example.org ~all\"", true),
            ("v=spf1", true),
            ("foo bar", false),
            ("\"foo\"bar\"", false),
            ("\"v=spf1 -all", false),
        ],
    );
}

#[test]
fn naptr() {
    check(
        "NAPTR",
        &[
            (
                "0 0 S SIP+D2U !^.*$!sip:customer-service@example.com! _sip._udp.example.com.",
                true,
            ),
            (
                "0 0 \"S\" \"SIP+D2U\" \"!^.*$!sip:support@example.com!\" _sip._udp.example.com.",
                true,
            ),
            ("0 0 \"\" \"\" \"\" test.", true),
            ("65535 65535 \"SAUP\" \"bloop\" \":beep::\" test.", true),
            (
                "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!i\" test.",
                true,
            ),
            ("100 10 \"u\" \"E2U+sip\" \"/a/b/\" test.", true),
            ("65536 0 S SIP+D2U \"\" test.", false),
            ("0 0 X SIP+D2U \"\" test.", false),
            ("0 0 S +SIP \"\" test.", false),
            ("0 0 S 1SIP \"\" test.", false),
            ("0 0 S SIP+D2U 1abc1 test.", false),
            ("0 0 S SIP+D2U iabci test.", false),
            ("0 0 S SIP+D2U !abc test.", false),
            ("0 0 S SIP+D2U !a\"b!c! test.", false),
            ("0 0 S SIP+D2U \"!a!b!\\\" test.", false),
            ("0 0 S SIP+D2U \"\" test", false),
            ("0 0 S SIP+D2U \"\" .", false),
            ("0 0 S SIP+D2U \"\"", false),
        ],
    );
}

#[test]
fn caa() {
    let long = "a".repeat(64);
    let long_issue = format!("0 issue {long}.net");
    let long_mail = format!("0 iodef mailto:me@{long}.net");
    let long_url = format!("0 iodef https://{long}.net/");
    check(
        "CAA",
        &[
            ("0 issue ca.example.net", true),
            ("1 issuewild ca.example.net; policy=ev", true),
            ("0 iodef https://example.net/", true),
            ("0 iodef http://example.net/report", true),
            ("0 iodef mailto:security@example.net", true),
            ("0 iodef mailto:security+caa@example.net", true),
            ("2 issue ca.example.net", false),
            ("0 1 2", false),
            ("0 ISSUE ca.example.net", false),
            ("0 issue", false),
            ("0", false),
            (long_issue.as_str(), false),
            ("0 issue abc.", false),
            ("0 issue abc;def", false),
            ("0 issue \"ca.example.net\"", false),
            (long_mail.as_str(), false),
            ("0 iodef mailto:me@example.net.", false),
            (long_url.as_str(), false),
            ("0 iodef https://example.net./", false),
            ("0 iodef https://", false),
            ("0 iodef ftp://example.net/", false),
        ],
    );
}

#[test]
fn sshfp() {
    let sha256 = "a".repeat(64);
    let with_sha256 = format!("4 2 {sha256}");
    check(
        "SSHFP",
        &[
            ("0 0 72d30d211ce8c464de2811e534de23b9be9b4dc4", true),
            ("1 1 72D30D211CE8C464DE2811E534DE23B9BE9B4DC4", true),
            (with_sha256.as_str(), true),
            ("1 1 0123456789", true),
            ("-0 0 72d30d211ce8c464de2811e534de23b9be9b4dc4", false),
            ("0 -0 72d30d211ce8c464de2811e534de23b9be9b4dc4", false),
            ("01 1 72d30d211ce8c464de2811e534de23b9be9b4dc4", false),
            ("5 1 72d30d211ce8c464de2811e534de23b9be9b4dc4", false),
            ("1 3 72d30d211ce8c464de2811e534de23b9be9b4dc4", false),
            ("1 1 012345678", false),
            ("1 1 72d30d211ce8c464de2811e534de23b9be9b4dc4aa", false),
            ("1 1 zzd30d211ce8c464de2811e534de23b9be9b4dc4", false),
            ("1 1", false),
        ],
    );
}

#[test]
fn cert() {
    const B64: &str = "KR1L0GbocaIOOim1+qdHtOSrDcOsGiI2NCcxuX2/Tqc=";
    let cases: Vec<(String, bool)> = vec![
        (format!("1 1 255 {B64}"), true),
        (format!("DPKIX 1 RSASHA256 {B64}"), true),
        (format!("PGP 65535 ED448 {B64}"), true),
        ("PKIX 0 8 KR1L 0Gbo caIO".to_owned(), true),
        (format!("99999 1 RSASHA256 {B64}"), false),
        (format!("FAKETYPE 1 RSASHA256 {B64}"), false),
        (format!("pkix 1 RSASHA256 {B64}"), false),
        (format!("DPKIX 1 256 {B64}"), false),
        (format!("DPKIX 1 FAKESHA256 {B64}"), false),
        (format!("DPKIX 65536 RSASHA256 {B64}"), false),
        (
            "DPKIX 1 RSASHA256 KR1L0GbocaIOOim1+qdHtOSrDcOsGiI2NCcxuX2/Tqc".to_owned(),
            false,
        ),
        ("DPKIX 1 RSASHA256 !!!!".to_owned(), false),
        ("DPKIX 1 RSASHA256 ".to_owned(), false),
        ("DPKIX 1 RSASHA256".to_owned(), false),
        (format!("3\n 1 RSASHA256 {B64}"), false),
        (format!("DPKIX 1 5\n {B64}"), false),
    ];
    let cases: Vec<(&str, bool)> = cases.iter().map(|(d, ok)| (d.as_str(), *ok)).collect();
    check("CERT", &cases);
}

#[test]
fn soa() {
    check(
        "SOA",
        &[
            ("example.org. bar.example.org. 1 60 5 999 1", true),
            (
                "ns1.example.org. first\\.last.example.org. 4294967295 0 0 0 0",
                true,
            ),
            (
                "ns1.example.org. h.example.org. 1 2147483647 2147483647 2147483647 2147483647",
                true,
            ),
            ("example.org. bar.example.org. 0 60 5 999 1", false),
            ("example.org. bar.example.org. 4294967296 60 5 999 1", false),
            ("example.org. bar.example.org. 1 2147483648 5 999 1", false),
            ("example.org bar.example.org. 1 60 5 999 1", false),
            ("example.org. bar@example.org. 1 60 5 999 1", false),
            ("example.org. bar.example.org. 1 60 5 999", false),
        ],
    );
}

#[test]
fn soa_data_round_trip() {
    let soa = SoaData::for_zone(
        "ns1.example.org.",
        "first.last@example.org",
        1_700_000_000,
        [3600, 600, 86400, 3600],
    );
    let text = soa.to_string();
    assert_eq!(
        text,
        "ns1.example.org. first\\.last.example.org. 1700000000 3600 600 86400 3600"
    );
    assert!(validate("SOA", &text).is_ok());
    assert_eq!(text.parse::<SoaData>(), Ok(soa));
    assert!("garbage".parse::<SoaData>().is_err());
}

/// Upstream bug #2162105: a newline (or any control character) in record data broke zone
/// rendering and aborted AXFR for the whole zone. Every type must refuse it, wherever it sits.
#[test]
fn control_characters_are_refused_everywhere() {
    let samples: &[(&str, &str)] = &[
        ("A", "192.0.2.1"),
        ("AAAA", "2001:db8::1"),
        ("CNAME", "www.example.org."),
        ("NS", "ns1.example.org."),
        ("PTR", "www.example.org."),
        ("MX", "10 mail.example.org."),
        ("SRV", "10 0 5060 sip.example.org."),
        ("TXT", "\"foo bar\""),
        ("SPF", "\"v=spf1 -all\""),
        (
            "NAPTR",
            "0 0 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@example.com!\" _sip._udp.example.com.",
        ),
        ("CAA", "0 issue ca.example.net"),
        ("SSHFP", "1 1 72d30d211ce8c464de2811e534de23b9be9b4dc4"),
        (
            "CERT",
            "PKIX 1 RSASHA256 KR1L0GbocaIOOim1+qdHtOSrDcOsGiI2NCcxuX2/Tqc=",
        ),
        (
            "SOA",
            "ns1.example.org. h.example.org. 1 3600 600 86400 3600",
        ),
        ("TLSA", "3 1 0 308201a2"),
        ("SVCB", "1 svc.example.org. alpn=h2 port=8443"),
        ("HTTPS", "1 . alpn=h3,h2 ipv4hint=192.0.2.1"),
    ];
    for (rtype, good) in samples {
        assert!(validate(rtype, good).is_ok(), "{rtype} sample {good:?}");
        for ctl in ['\n', '\r', '\t', '\0', '\u{7f}', '\u{85}'] {
            for at in [0, good.len() / 2, good.len() - 1, good.len()] {
                let Some(at) = (at..=good.len()).find(|i| good.is_char_boundary(*i)) else {
                    continue;
                };
                let mut bad = (*good).to_owned();
                bad.insert(at, ctl);
                assert!(validate(rtype, &bad).is_err(), "{rtype} accepted {bad:?}");
            }
        }
    }
    // The exact payloads of upstream's regression tests.
    for (rtype, bad) in [
        ("TXT", "\"foo\nbar\""),
        ("SPF", "\"foo\nbar\""),
        (
            "NAPTR",
            "0 0 \"S\n\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
        ),
        (
            "NAPTR",
            "0 0 \"S\" \"SIP+D2U\n\" \"\" _sip._udp.example.com.",
        ),
        (
            "NAPTR",
            "0 0 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@example.com!\n\" _sip._udp.example.com.",
        ),
        (
            "CERT",
            "DPKIX 1 RSASHA256 KR1L0GbocaIOOim1+qdHtOSrDcOsGiI2\nNCcxuX2/Tqc=",
        ),
    ] {
        assert!(validate(rtype, bad).is_err(), "{rtype} accepted {bad:?}");
    }
}

#[test]
fn unknown_types() {
    for rtype in ["", "a", "ANY", "AXFR", "DNSKEY", "TXT "] {
        let Err(e) = validate(rtype, "192.0.2.1") else {
            panic!("accepted type {rtype:?}");
        };
        assert_eq!(e.error_type(), "invalid_object");
        assert_eq!(e.errors[0].path, vec!["recordset", "type"]);
        assert_eq!(
            e.errors[0].message,
            format!("'{rtype}' is not a valid record type")
        );
    }
    for rtype in SUPPORTED_TYPES {
        assert!(is_supported(rtype));
    }
}

#[test]
fn recordset_validation_reports_each_bad_record() {
    let ok = validate_records("A", "x.example.org.", &["192.0.2.1", "192.0.2.2"]);
    assert_eq!(ok, Ok(vec!["192.0.2.1".to_owned(), "192.0.2.2".to_owned()]));
    let Err(e) = validate_records(
        "A",
        "x.example.org.",
        &["192.0.2.1", "nope", "192.0.2.3", "2001:db8::1"],
    ) else {
        panic!("accepted bad records");
    };
    let paths: Vec<_> = e.errors.iter().map(|d| d.path.clone()).collect();
    assert_eq!(paths, vec![vec!["records", "1"], vec!["records", "3"]]);
    assert!(e.errors[0]
        .message
        .starts_with("'nope' is not a 'A' Record"));
    assert_eq!(e.errors[0].validator_value.as_deref(), Some("A"));
    assert!(validate_records::<&str>("BOGUS", "x.example.org.", &[]).is_err());
}

proptest! {
    /// Arbitrary text never panics any type's rules, an accepted datum is returned unchanged,
    /// carries no control character, and validates again to itself.
    #[test]
    fn validate_is_total_and_idempotent(
        rtype in proptest::sample::select(SUPPORTED_TYPES.to_vec()),
        data in "\\PC{0,60}|[ -~\\n\\r\\t]{0,80}|[0-9a-z.:\" \\\\!;=@/+-]{0,60}",
    ) {
        if let Ok(stored) = validate(rtype, &data) {
            prop_assert_eq!(&stored, &data);
            prop_assert!(!stored.chars().any(char::is_control));
            prop_assert_eq!(validate(rtype, &stored), Ok(stored.clone()));
        }
    }

    /// Structured data near the valid space: numbers and names in the right places.
    #[test]
    fn structured_inputs(
        a in 0u32..70_000, b in 0u32..70_000, c in 0u32..70_000,
        host in "[a-z0-9_-]{1,10}(\\.[a-z0-9-]{1,10}){0,3}\\.?",
    ) {
        let mx = format!("{a} {host}");
        let expect = a <= 65_535 && crate::name::is_valid_domain(&host);
        prop_assert_eq!(validate("MX", &mx).is_ok(), expect);
        let srv = format!("{a} {b} {c} {host}");
        let expect = a.max(b).max(c) <= 65_535 && crate::name::is_valid_domain(&host);
        prop_assert_eq!(validate("SRV", &srv).is_ok(), expect);
    }

    /// Any quoted printable-ASCII string without quotes or backslashes is valid TXT up to the
    /// length limit.
    #[test]
    fn quoted_txt(body in "[ -!#-\\[\\]-~]{0,300}") {
        let data = format!("\"{body}\"");
        prop_assert_eq!(validate("TXT", &data).is_ok(), data.len() <= 255);
    }
}

#[test]
fn tlsa() {
    let sha256 = "d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971";
    let sha512 = "a".repeat(128);
    let cases: Vec<(String, bool)> = vec![
        (format!("3 1 1 {sha256}"), true),
        (format!("3 1 1 {}", sha256.to_uppercase()), true),
        (format!("3 1 1 {} {}", &sha256[..32], &sha256[32..]), true),
        (format!("2 0 2 {sha512}"), true),
        ("3 1 0 308201a2".to_owned(), true),
        (format!("256 1 1 {sha256}"), false),
        (format!("3 1 1 {}", &sha256[..62]), false),
        (format!("3 1 2 {sha256}"), false),
        ("3 1 0 308201a".to_owned(), false),
        ("3 1 0 30820zz2".to_owned(), false),
        ("3 1 1".to_owned(), false),
        (format!("x 1 1 {sha256}"), false),
        (format!("3 1 1 (( {sha256} )"), false),
        (format!("3 1 1 ( {sha256} ) x"), false),
        (format!("3 1 1 ) {sha256} ("), false),
        ("3 1 1 ( )".to_owned(), false),
        (format!("3 1 1 {sha256}\n"), false),
    ];
    let cases: Vec<(&str, bool)> = cases.iter().map(|(d, ok)| (d.as_str(), *ok)).collect();
    check("TLSA", &cases);
}

/// Upstream's multi-line form (tempest `test_create_TLSA_multiline`) is accepted and stored as
/// one line, the certificate joined and lower-cased; a bad certificate inside parentheses is
/// still refused for what it is.
#[test]
fn tlsa_multiline_is_stored_on_one_line() {
    let sha256 = "D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971";
    let sent = format!(
        "3 1 1 (\n            {}\n            {}\n        )",
        &sha256[..32],
        &sha256[32..]
    );
    let one_line = format!("3 1 1 {}", sha256.to_ascii_lowercase());
    assert_eq!(validate("TLSA", &sent).unwrap(), one_line);
    assert_eq!(
        validate("TLSA", &format!("3 1 1 ( {sha256} )")).unwrap(),
        one_line
    );
    assert_eq!(
        validate_records("TLSA", "_443._tcp.example.org.", &[sent]).unwrap(),
        vec![one_line]
    );
    let short = validate("TLSA", "3 1 1 (\n  d2abde24\n)").unwrap_err();
    assert!(
        short.errors[0].message.contains("exactly 64 hex"),
        "{short:?}"
    );
}

#[test]
fn svcb_and_https() {
    let shared: &[(&str, bool)] = &[
        ("1 sample.example.org. alpn=h2", true),
        ("0 sample.example.org.", true),
        ("1 . alpn=h3,h2,h2c,http/1.1,http/1.0 no-default-alpn", true),
        ("1 sample.example.org. ipv4hint=192.0.2.1,192.0.2.2", true),
        ("1 sample.example.org. ipv6hint=2001:db8::1,::1", true),
        ("1 sample.example.org. port=8888 ech=AEP+DQA/BAAgACA=", true),
        (
            "1 sample.example.org. alpn=h2 port=443 mandatory=alpn,port",
            true,
        ),
        // tempest's negative cases, after upstream's checks
        ("1 sample.example.org. alpn=foo", false),
        ("1 sample.example.org. port=foo", false),
        ("1 sample.example.org. port=8888 ech=foo//", false),
        (
            "1 sample.example.org. ipv6hint=2001:db8::1 mandatory=alpn,ipv4hint",
            false,
        ),
        ("1 sample.example.org. ipv4hint=foo,192.168.1.2", false),
        ("1 sample.example.org. ipv6hint=foo", false),
        // the rest of upstream's rules, and ours
        ("1 sample.example.org. no-default-alpn", false),
        ("1 sample.example.org. alpn", false),
        ("1 sample.example.org. key65=x", false),
        ("1 sample.example.org. port=65536", false),
        ("1 sample.example.org. port=80 port=81", false),
        ("1 sample.example.org. alpn=h2=x", false),
        ("1 sample.example.org. ech=QUJD\\", false),
        ("65536 sample.example.org.", false),
        ("x sample.example.org.", false),
        ("1 sample.example.org", false),
        ("1", false),
    ];
    check("SVCB", shared);
    check("HTTPS", shared);
    let doh = "1 doh.example.org. alpn=h2 dohpath=/dns-query{?dns}";
    check(
        "SVCB",
        &[
            (doh, true),
            ("1 d.example.org. alpn=h2 dohpath=dns-query{?dns}", false),
        ],
    );
    check(
        "SVCB",
        &[("1 d.example.org. alpn=h2 dohpath=/q{?x}", false)],
    );
    check(
        "SVCB",
        &[("1 d.example.org. alpn=h2 dohpath=/{?dns", false)],
    );
    check("HTTPS", &[(doh, false)]);
}

/// Upstream's owner rule: an SVCB record of a `_dns` name announcing DNS over HTTPS needs a
/// `dohpath`.
#[test]
fn svcb_for_dns_servers_needs_a_dohpath() {
    let owner = "_dns.resolver.example.org.";
    assert!(validate_records("SVCB", owner, &["1 r.example.org. alpn=h2"]).is_err());
    assert!(validate_records("SVCB", owner, &["1 r.example.org. alpn=h3,h2"]).is_err());
    assert!(validate_records(
        "SVCB",
        owner,
        &["1 r.example.org. alpn=h2 dohpath=/dns-query{?dns}"]
    )
    .is_ok());
    assert!(validate_records("SVCB", owner, &["1 r.example.org. alpn=http/1.1"]).is_ok());
    assert!(validate_records("SVCB", "svc.example.org.", &["1 r.example.org. alpn=h2"]).is_ok());
    assert!(validate_records("HTTPS", owner, &["1 r.example.org. alpn=h2"]).is_ok());
}
