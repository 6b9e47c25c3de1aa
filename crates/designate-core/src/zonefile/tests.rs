//! Table-driven parse cases: valid files and their recordsets, invalid files and where they fail.

use super::*;

/// A zone head used by most cases.
const HEAD: &str = "$ORIGIN example.org.\n$TTL 3600\n\
                    @ IN SOA ns1 admin 1 3600 600 86400 300\n";

fn rs(name: &str, rtype: &str, ttl: Option<i32>, records: &[&str]) -> ZoneRecordSet {
    ZoneRecordSet {
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        ttl,
        records: records.iter().map(|r| (*r).to_owned()).collect(),
    }
}

/// Parses `HEAD` + `body` and returns the recordsets other than the SOA.
fn sets(body: &str) -> Vec<ZoneRecordSet> {
    let text = format!("{HEAD}{body}");
    match parse(&text, None) {
        Ok(zone) => zone
            .recordsets
            .into_iter()
            .filter(|r| r.rtype != "SOA")
            .collect(),
        Err(e) => panic!("{body:?}: {e}"),
    }
}

#[test]
fn parses_the_head() {
    let zone = parse(HEAD, None).unwrap();
    assert_eq!(zone.name, "example.org.");
    assert_eq!(zone.default_ttl, Some(3600));
    assert_eq!(zone.soa_ttl, 3600);
    assert_eq!(zone.soa.mname, "ns1.example.org.");
    assert_eq!(zone.soa.rname, "admin.example.org.");
    assert_eq!(zone.soa.minimum, 300);
    assert_eq!(zone.email, "admin@example.org");
    assert_eq!(
        zone.recordsets,
        vec![rs(
            "example.org.",
            "SOA",
            None,
            &["ns1.example.org. admin.example.org. 1 3600 600 86400 300"]
        )]
    );
}

#[test]
fn valid_records() {
    let o = "example.org.";
    let cases: Vec<(&str, Vec<ZoneRecordSet>)> = vec![
        (
            "www A 192.0.2.1\n",
            vec![rs("www.example.org.", "A", None, &["192.0.2.1"])],
        ),
        (
            "www IN A 192.0.2.1\n",
            vec![rs("www.example.org.", "A", None, &["192.0.2.1"])],
        ),
        (
            "www 60 IN A 192.0.2.1\n",
            vec![rs("www.example.org.", "A", Some(60), &["192.0.2.1"])],
        ),
        (
            "www IN 1h A 192.0.2.1\n",
            vec![rs("www.example.org.", "A", Some(3600), &["192.0.2.1"])],
        ),
        (
            "www in 1H30m a 192.0.2.1\n",
            vec![rs("www.example.org.", "A", Some(5400), &["192.0.2.1"])],
        ),
        (
            "www.example.org. A 192.0.2.1\n",
            vec![rs("www.example.org.", "A", None, &["192.0.2.1"])],
        ),
        (
            "@ MX 10 mail\n",
            vec![rs(o, "MX", None, &["10 mail.example.org."])],
        ),
        ("@ MX 0 .\n", vec![rs(o, "MX", None, &["0 ."])]),
        (
            "@ NS ns1.other.net.\n",
            vec![rs(o, "NS", None, &["ns1.other.net."])],
        ),
        (
            "ftp CNAME @\n",
            vec![rs("ftp.example.org.", "CNAME", None, &["example.org."])],
        ),
        (
            "_sip._tcp SRV 10 60 5060 sip\n",
            vec![rs(
                "_sip._tcp.example.org.",
                "SRV",
                None,
                &["10 60 5060 sip.example.org."],
            )],
        ),
        (
            "1 PTR host\n",
            vec![rs("1.example.org.", "PTR", None, &["host.example.org."])],
        ),
        (
            "*.w AAAA 2001:db8::1\n",
            vec![rs("*.w.example.org.", "AAAA", None, &["2001:db8::1"])],
        ),
        // Owner inheritance, duplicates merged, smallest TTL wins.
        (
            "www 60 A 192.0.2.1\n 30 A 192.0.2.2\n\tA 192.0.2.1\n",
            vec![rs(
                "www.example.org.",
                "A",
                Some(30),
                &["192.0.2.1", "192.0.2.2"],
            )],
        ),
        // Names compare without case; the first spelling is kept.
        (
            "WWW A 192.0.2.1\nwww A 192.0.2.2\n",
            vec![rs(
                "WWW.example.org.",
                "A",
                None,
                &["192.0.2.1", "192.0.2.2"],
            )],
        ),
        // Comments, parentheses across lines, blank lines.
        (
            "; comment\n\nwww ( 60 ; ttl\n  IN A\n 192.0.2.1 )  ; done\n",
            vec![rs("www.example.org.", "A", Some(60), &["192.0.2.1"])],
        ),
        // TXT: one string kept as written, several each quoted, `;` inside quotes is data.
        (
            "t TXT hello\n",
            vec![rs("t.example.org.", "TXT", None, &["hello"])],
        ),
        (
            "t TXT \"a;b \\\" c\"\n",
            vec![rs("t.example.org.", "TXT", None, &["\"a;b \\\" c\""])],
        ),
        (
            "t TXT \"\\065\\\\\"\n",
            vec![rs("t.example.org.", "TXT", None, &["\"\\065\\\\\""])],
        ),
        (
            "s SPF \"v=spf1 -all\"\n",
            vec![rs("s.example.org.", "SPF", None, &["\"v=spf1 -all\""])],
        ),
        // $ORIGIN changes relative names; owner `@` follows it.
        (
            "$ORIGIN sub.example.org.\nhost A 192.0.2.9\n@ MX 5 mx\n",
            vec![
                rs("host.sub.example.org.", "A", None, &["192.0.2.9"]),
                rs("sub.example.org.", "MX", None, &["5 mx.sub.example.org."]),
            ],
        ),
        // A relative $ORIGIN is taken relative to the current one.
        (
            "$ORIGIN b\nc A 192.0.2.3\n",
            vec![rs("c.b.example.org.", "A", None, &["192.0.2.3"])],
        ),
        // A changed $TTL becomes an explicit TTL.
        (
            "$TTL 60\nx A 192.0.2.4\n",
            vec![rs("x.example.org.", "A", Some(60), &["192.0.2.4"])],
        ),
        (
            "c CAA 0 issue \"ca.example.net; account=1\"\n",
            vec![rs(
                "c.example.org.",
                "CAA",
                None,
                &["0 issue ca.example.net; account=1"],
            )],
        ),
        (
            "n NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" sip\n",
            vec![rs(
                "n.example.org.",
                "NAPTR",
                None,
                &["100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" sip.example.org."],
            )],
        ),
        (
            "h SSHFP 1 1 ( 123456789abcdef6 7890123456789abcdef67890 )\n",
            vec![rs(
                "h.example.org.",
                "SSHFP",
                None,
                &["1 1 123456789abcdef67890123456789abcdef67890"],
            )],
        ),
    ];
    for (body, want) in cases {
        assert_eq!(sets(body), want, "{body:?}");
    }
}

#[test]
fn origin_argument_and_soa_rules() {
    // The origin may be given instead of $ORIGIN; without $TTL the SOA minimum is the default.
    let zone = parse(
        "@ IN SOA ns1 admin ( 7 1h 10m 1w 5m )\nwww A 192.0.2.1\nmail 60 A 192.0.2.2\n",
        Some("example.com"),
    )
    .unwrap();
    assert_eq!(zone.name, "example.com.");
    assert_eq!(zone.default_ttl, Some(300));
    assert_eq!(zone.soa_ttl, 300);
    assert_eq!(
        zone.soa.to_string(),
        "ns1.example.com. admin.example.com. 7 3600 600 604800 300"
    );
    assert_eq!(
        zone.recordsets[1],
        rs("www.example.com.", "A", None, &["192.0.2.1"])
    );
    assert_eq!(zone.recordsets[2].ttl, Some(60));
    // Upstream's tempest zone file.
    let zone = parse(
        "$ORIGIN t.com.\nt.com. 1234 IN SOA ns.t.com. nsadmin.t.com. 1234 1234 1234 1234 1234\n\
         t.com. 1234 IN NS ns.t.com.\nt.com. 1234 IN MX 10 mail.t.com.\nns.t.com. 360 IN A 1.0.0.1",
        None,
    )
    .unwrap();
    assert_eq!(zone.soa_ttl, 1234);
    assert_eq!(zone.email, "nsadmin@t.com");
    let kept: Vec<_> = zone
        .importable_recordsets()
        .map(|r| r.rtype.as_str())
        .collect();
    assert_eq!(kept, ["MX", "A"]);
}

#[test]
fn rname_to_email_as_upstream() {
    assert_eq!(
        rname_to_email("first\\.last.example.org."),
        "first.last@example.org"
    );
    assert_eq!(rname_to_email("admin.example.org."), "admin@example.org");
    assert_eq!(rname_to_email("admin."), "admin");
}

/// `(text, line, column, kind check)` for files that must fail.
#[test]
fn invalid_files() {
    type Check = fn(&ZoneFileErrorKind) -> bool;
    let soa = "@ SOA ns1 admin 1 2 3 4 5\n";
    let cases: Vec<(String, usize, usize, Check)> = vec![
        ("www A 192.0.2.1\n".into(), 1, 1, |k| {
            matches!(k, ZoneFileErrorKind::UnknownOrigin)
        }),
        ("$TTL 60\n  A 192.0.2.1\n".into(), 2, 3, |k| {
            matches!(k, ZoneFileErrorKind::UnknownOrigin)
        }),
        ("".into(), 1, 1, |k| {
            matches!(k, ZoneFileErrorKind::UnknownOrigin)
        }),
        (
            "$ORIGIN example.org.\n$TTL 60\nwww A 192.0.2.1\n".into(),
            4,
            1,
            |k| matches!(k, ZoneFileErrorKind::MissingSoa),
        ),
        (
            "$ORIGIN example.org.\n$INCLUDE /etc/passwd\n".into(),
            2,
            1,
            |k| matches!(k, ZoneFileErrorKind::IncludeNotAllowed),
        ),
        ("$ORIGIN example.org.\n$DATE 20240101\n".into(), 2, 1, |k| {
            matches!(k, ZoneFileErrorKind::UnknownDirective(_))
        }),
        ("$ORIGIN @@@\n".into(), 1, 9, |k| {
            matches!(k, ZoneFileErrorKind::InvalidZoneName { .. })
        }),
        ("$ORIGIN org.\n".into(), 1, 9, |k| {
            matches!(k, ZoneFileErrorKind::InvalidZoneName { .. })
        }),
        ("$ORIGIN a.org. extra\n".into(), 1, 1, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
        ("$ORIGIN a.org.\n$TTL 1h30\n".into(), 2, 6, |k| {
            matches!(k, ZoneFileErrorKind::InvalidTtl(_))
        }),
        // Upstream's invalid-TTL tempest case.
        (
            "$ORIGIN a.org.\na.org. zahlabut IN SOA ns.a.org. n.a.org. 1 1 1 1 1\n".into(),
            2,
            8,
            |k| matches!(k, ZoneFileErrorKind::InvalidTtl(t) if t == "zahlabut"),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}www 99999999999 A 192.0.2.1\n"),
            3,
            5,
            |k| matches!(k, ZoneFileErrorKind::InvalidTtl(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}www CH A 192.0.2.1\n"),
            3,
            5,
            |k| matches!(k, ZoneFileErrorKind::WrongClass(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}www DNSKEY 256 3 8 AAAA\n"),
            3,
            5,
            |k| matches!(k, ZoneFileErrorKind::UnsupportedType(t) if t == "DNSKEY"),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}www A 192.0.2.300\n"),
            3,
            7,
            |k| matches!(k, ZoneFileErrorKind::InvalidData { rtype, .. } if rtype == "A"),
        ),
        (format!("$ORIGIN a.org.\n{soa}www A\n"), 3, 5, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
        (format!("$ORIGIN a.org.\n{soa}www 60\n"), 3, 5, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
        (format!("$ORIGIN a.org.\n{soa}www MX 10\n"), 3, 5, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
        (
            format!("$ORIGIN a.org.\n{soa}www CNAME a b\n"),
            3,
            13,
            |k| matches!(k, ZoneFileErrorKind::Syntax(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}other.net. A 192.0.2.1\n"),
            3,
            1,
            |k| matches!(k, ZoneFileErrorKind::OutsideZone { .. }),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}bad!name A 192.0.2.1\n"),
            3,
            1,
            |k| matches!(k, ZoneFileErrorKind::InvalidName { .. }),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}www ( A 192.0.2.1\n"),
            3,
            5,
            |k| matches!(k, ZoneFileErrorKind::Syntax(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}www A 192.0.2.1 )\n"),
            3,
            17,
            |k| matches!(k, ZoneFileErrorKind::Syntax(_)),
        ),
        (format!("$ORIGIN a.org.\n{soa}t TXT \"open\n"), 3, 7, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
        (format!("$ORIGIN a.org.\n{soa}t TXT a\\\n"), 3, 8, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
        (
            format!("$ORIGIN a.org.\n{soa}t TXT \"\\999\"\n"),
            3,
            7,
            |k| matches!(k, ZoneFileErrorKind::InvalidData { .. }),
        ),
        (format!("$ORIGIN a.org.\n{soa}t TXT a\u{7}b\n"), 3, 7, |k| {
            matches!(k, ZoneFileErrorKind::InvalidData { .. })
        }),
        (
            format!("$ORIGIN a.org.\n{soa}sub SOA ns1 admin 1 2 3 4 5\n"),
            3,
            1,
            |k| matches!(k, ZoneFileErrorKind::BadSoa(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}@ SOA ns2 admin 1 2 3 4 5\n"),
            3,
            1,
            |k| matches!(k, ZoneFileErrorKind::BadSoa(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}@ SOA ns1 admin 1 2 3 4 5x\n"),
            3,
            25,
            |k| matches!(k, ZoneFileErrorKind::InvalidTtl(_)),
        ),
        (
            format!("$ORIGIN a.org.\n{soa}w CNAME x\nw A 192.0.2.1\n"),
            3,
            1,
            |k| matches!(k, ZoneFileErrorKind::CnameConflict(_)),
        ),
        (format!("$ORIGIN a.org.\n{soa}@ CNAME x\n"), 3, 1, |k| {
            matches!(k, ZoneFileErrorKind::CnameConflict(_))
        }),
        (
            format!("$ORIGIN a.org.\n{soa}w CNAME x\nw CNAME y\n"),
            3,
            1,
            |k| matches!(k, ZoneFileErrorKind::CnameConflict(_)),
        ),
        ("$ORIGIN a.org.\nw A 192.0.2.1\n".into(), 2, 3, |k| {
            matches!(k, ZoneFileErrorKind::Syntax(_))
        }),
    ];
    for (text, line, column, check) in cases {
        match parse(&text, None) {
            Ok(z) => panic!("{text:?} parsed: {z:?}"),
            Err(e) => {
                assert!(check(&e.kind), "{text:?}: wrong kind {e}");
                assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
            }
        }
    }
}

#[test]
fn limits_are_enforced() {
    let limits = ParseLimits {
        max_bytes: 10,
        max_records: 100,
    };
    let err = parse_with_limits(HEAD, None, limits).unwrap_err();
    assert_eq!(err.kind, ZoneFileErrorKind::TooLarge { limit: 10 });
    let limits = ParseLimits {
        max_bytes: 1 << 20,
        max_records: 2,
    };
    let err = parse_with_limits(
        &format!("{HEAD}a A 192.0.2.1\nb A 192.0.2.1\n"),
        None,
        limits,
    )
    .unwrap_err();
    assert_eq!(err.kind, ZoneFileErrorKind::TooManyRecords { limit: 2 });
    assert_eq!((err.line, err.column), (5, 1));
}

#[test]
fn task_messages_follow_upstream() {
    let err = parse("www A 192.0.2.1", None).unwrap_err();
    assert_eq!(
        err.task_message(),
        "The $ORIGIN statement is required and must be the first statement in the zonefile."
    );
    let err = parse("$ORIGIN a.org.\n$TTL 5\n", None).unwrap_err();
    assert_eq!(err.task_message(), "An SOA record is required.");
    let err = parse("$ORIGIN a.org.\n$INCLUDE x\n", None).unwrap_err();
    assert_eq!(
        err.task_message(),
        "Malformed zonefile. line 2, column 1: $INCLUDE is not allowed"
    );
    let long = format!("$ORIGIN a.org.\n$TTL {}\n", "9".repeat(300));
    assert_eq!(
        parse(&long, None)
            .unwrap_err()
            .task_message()
            .chars()
            .count(),
        160
    );
    assert_eq!(err.to_designate_error().code(), 400);
}

#[test]
fn a_large_zone_parses() {
    let mut text = String::from(HEAD);
    for i in 0..20_000 {
        text.push_str(&format!("h{i} A 10.0.{}.{}\n", i / 256, i % 256));
    }
    let zone = parse(&text, None).unwrap();
    assert_eq!(zone.recordsets.len(), 20_001);
}

#[test]
fn bind_full_dump_with_root_origin() {
    // named-compilezone -s full style: `$ORIGIN .`, the SOA names the zone.
    let text = "$ORIGIN .\n$TTL 300\nexample.net IN SOA ns1.example.net. host.example.net. \
                ( 2024010101 3600 900 604800 300 )\n\
                \tNS ns1.example.net.\n$ORIGIN example.net.\nns1 A 192.0.2.53\n";
    let zone = parse(text, None).unwrap();
    assert_eq!(zone.name, "example.net.");
    assert_eq!(zone.soa.serial, 2_024_010_101);
    let names: Vec<_> = zone.recordsets.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["example.net.", "example.net.", "ns1.example.net."]);
    // Anything but the SOA first is refused.
    let err = parse("$ORIGIN .\nwww.example.net. A 192.0.2.1\n", None).unwrap_err();
    assert!(matches!(err.kind, ZoneFileErrorKind::Syntax(_)), "{err}");
    assert_eq!((err.line, err.column), (2, 1));
}

#[test]
fn a_large_recordset_is_deduplicated_quickly() {
    let mut text = String::from(HEAD);
    for i in 0..30_000 {
        text.push_str(&format!(
            "big A 10.{}.{}.{}\n",
            i / 65536,
            (i / 256) % 256,
            i % 256
        ));
    }
    text.push_str("big A 10.0.0.0\n");
    let zone = parse(&text, None).unwrap();
    assert_eq!(zone.recordsets[1].records.len(), 30_000);
}

#[test]
fn generate_expands_records() {
    let zone = parse(
        &format!("{HEAD}$GENERATE 1-3 host-$ 60 IN A 192.0.2.$\n$GENERATE 0-2/2 ${{0,2,x}}.r PTR h$.net.\n"),
        None,
    )
    .unwrap();
    let want = [
        rs("host-1.example.org.", "A", Some(60), &["192.0.2.1"]),
        rs("host-2.example.org.", "A", Some(60), &["192.0.2.2"]),
        rs("host-3.example.org.", "A", Some(60), &["192.0.2.3"]),
        rs("00.r.example.org.", "PTR", None, &["h0.net."]),
        rs("02.r.example.org.", "PTR", None, &["h2.net."]),
    ];
    assert_eq!(zone.recordsets[1..], want[..]);
    // Bad ranges, bad data and ranges past the record limit fail at the directive.
    for (text, line, column) in [
        ("$GENERATE 5-1 h$ A 192.0.2.$\n", 4, 11),
        ("$GENERATE 1-300 h$ A 192.0.2.$\n", 4, 22),
        ("$GENERATE 1-2\n", 4, 1),
        ("$GENERATE 1-2 h${x} A 192.0.2.1\n", 4, 15),
        ("$GENERATE 0-4294967295 h$ A 192.0.2.1\n", 4, 1),
    ] {
        let err = parse(&format!("{HEAD}{text}"), None).unwrap_err();
        assert_eq!((err.line, err.column), (line, column), "{text}: {err}");
    }
}

/// Found by fuzz/zonefile_parse: a few short `$GENERATE` lines expanded to far more text than
/// the size limit allows (a 300-byte file made 13 MB of records). The expansion now counts
/// against the limit.
#[test]
fn generate_expansion_counts_against_the_size_limit() {
    let txt = "x".repeat(200);
    let text = format!("{HEAD}$GENERATE 1-100 h$ TXT \"{txt}$\"\n");
    let limits = ParseLimits {
        max_bytes: 10_000,
        max_records: 1_000,
    };
    let err = parse_with_limits(&text, None, limits).unwrap_err();
    assert_eq!(err.kind, ZoneFileErrorKind::TooLarge { limit: 10_000 });
    assert_eq!((err.line, err.column), (4, 1));
    let fits = format!("{HEAD}$GENERATE 1-20 h$ TXT \"{txt}$\"\n");
    let zone = parse_with_limits(&fits, None, limits).unwrap();
    assert_eq!(zone.recordsets.len(), 21);
}
