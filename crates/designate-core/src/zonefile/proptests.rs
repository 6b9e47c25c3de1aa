//! Property tests: render → parse gives back the same recordsets, and no input makes `parse`
//! panic (arbitrary text, zone-file-like text, and mutations of a valid file).

use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

use super::*;

const ZONE: &str = "example.org.";

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}"
}

fn ttl() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![Just(None), (0..=i32::MAX).prop_map(Some)]
}

/// A character-string body in quotes: plain characters, zone-file delimiters and escapes.
fn quoted_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 =.;()@_-]{1,6}",
        Just("\\\"".to_owned()),
        Just("\\\\".to_owned()),
        (0u8..=255).prop_map(|b| format!("\\{b:03}")),
        Just("é".to_owned()),
    ];
    vec(piece, 0..8).prop_map(|p| format!("\"{}\"", p.concat()))
}

/// Data for `rtype`, valid for our record-data rules, names inside the zone or outside it.
fn data(rtype: &'static str) -> BoxedStrategy<String> {
    let host = prop_oneof![
        label().prop_map(|l| format!("{l}.{ZONE}")),
        (label(), label()).prop_map(|(a, b)| format!("{a}.{b}.net.")),
    ];
    match rtype {
        "A" => any::<[u8; 4]>()
            .prop_map(|o| std::net::Ipv4Addr::from(o).to_string())
            .boxed(),
        "AAAA" => any::<[u16; 8]>()
            .prop_map(|s| std::net::Ipv6Addr::from(s).to_string())
            .boxed(),
        "MX" => (0u16..=65535, host)
            .prop_map(|(p, h)| format!("{p} {h}"))
            .boxed(),
        "NS" | "PTR" => host.boxed(),
        "SRV" => (any::<u16>(), any::<u16>(), any::<u16>(), host)
            .prop_map(|(a, b, c, h)| format!("{a} {b} {c} {h}"))
            .boxed(),
        "TXT" | "SPF" => prop_oneof![
            "[a-zA-Z0-9=._-]{1,30}",
            quoted_string(),
            // Over 255 characters: several quoted strings.
            vec("[a-z ;]{200,250}", 2..4).prop_map(|parts| format!("\"{}\"", parts.join("\" \""))),
        ]
        .boxed(),
        "CAA" => (0u8..=1, label(), label(), prop::option::of("[a-z0-9]{1,8}"))
            .prop_map(|(f, a, b, acct)| match acct {
                Some(acct) => format!("{f} issue {a}.{b}; account={acct}"),
                None => format!("{f} issuewild {a}.{b}"),
            })
            .boxed(),
        "TLSA" => (0u8..=3, 0u8..=1, "[0-9a-f]{64}")
            .prop_map(|(u, sel, h)| format!("{u} {sel} 1 {h}"))
            .boxed(),
        "CERT" => (
            prop_oneof![
                Just("PGP".to_owned()),
                (0u16..=65535).prop_map(|n| n.to_string())
            ],
            any::<u16>(),
            prop_oneof![
                Just("RSASHA256".to_owned()),
                (0u8..=255).prop_map(|n| n.to_string())
            ],
            vec("[A-Za-z0-9+/]{4}", 1..4),
        )
            .prop_map(|(t, tag, alg, b64)| format!("{t} {tag} {alg} {}", b64.join(" ")))
            .boxed(),
        "NAPTR" => (
            any::<u16>(),
            any::<u16>(),
            prop_oneof![Just("\"U\""), Just("S"), Just("\"\"")],
            prop_oneof![Just("\"E2U+sip\""), Just("SIP+D2U"), Just("\"\"")],
            prop_oneof![Just("\"!^.*$!sip:info@example.com!\""), Just("\"\"")],
            host,
        )
            .prop_map(|(o, p, f, s, r, h)| format!("{o} {p} {f} {s} {r} {h}"))
            .boxed(),
        "SSHFP" => (0u8..=4, 0u8..=2, "[0-9a-f]{40}")
            .prop_map(|(a, t, fp)| format!("{a} {t} {fp}"))
            .boxed(),
        _ => unreachable!("no generator for {rtype}"),
    }
}

/// One recordset at a name of its own (so no two sets share (name, type) and CNAMEs are alone).
fn recordset(index: usize) -> BoxedStrategy<ZoneRecordSet> {
    let types = prop_oneof![
        Just("A"),
        Just("AAAA"),
        Just("MX"),
        Just("NS"),
        Just("PTR"),
        Just("SRV"),
        Just("TXT"),
        Just("CAA"),
        Just("SSHFP"),
        Just("CNAME"),
        Just("TLSA"),
        Just("CERT"),
        Just("NAPTR"),
        Just("SPF"),
    ];
    // Where the set lives: its own name, a wildcard, or (once, at index 0) the apex.
    let place = prop_oneof![Just(0u8), Just(1u8), Just(2u8)];
    (types, label(), ttl(), place)
        .prop_flat_map(move |(rtype, l, ttl, place)| {
            let name = match (rtype, place) {
                ("SRV", _) => format!("_sip._tcp.{l}{index}.{ZONE}"),
                ("NS" | "CNAME", 1) => format!("{l}{index}.{ZONE}"),
                (_, 1) => format!("*.{l}{index}.{ZONE}"),
                ("CNAME", 2) => format!("{l}{index}.{ZONE}"),
                (_, 2) if index == 0 => ZONE.to_owned(),
                _ => format!("{l}{index}.{ZONE}"),
            };
            let records = if rtype == "CNAME" {
                data("NS").prop_map(|d| vec![d]).boxed()
            } else {
                btree_set(data(rtype), 1..4)
                    .prop_map(|s| s.into_iter().collect())
                    .boxed()
            };
            records.prop_map(move |records| ZoneRecordSet {
                name: name.clone(),
                rtype: rtype.to_owned(),
                ttl,
                records,
            })
        })
        .boxed()
}

/// SOA data with names inside or outside the zone and an escaped dot in the mailbox.
fn soa_data() -> impl Strategy<Value = String> {
    let rname = prop_oneof![
        label().prop_map(|l| format!("{l}.{ZONE}")),
        (label(), label()).prop_map(|(a, b)| format!("{a}\\.{b}.example.net.")),
    ];
    (label(), rname, 1..=u32::MAX, any::<[u16; 4]>()).prop_map(|(m, r, serial, t)| {
        format!(
            "{m}.{ZONE} {r} {serial} {} {} {} {}",
            t[0], t[1], t[2], t[3]
        )
    })
}

fn zone_sets() -> impl Strategy<Value = Vec<ZoneRecordSet>> {
    (0usize..12, soa_data(), ttl())
        .prop_flat_map(|(n, soa, soa_ttl)| {
            let sets = (0..n).map(recordset).collect::<Vec<_>>();
            (sets, Just(soa), Just(soa_ttl))
        })
        .prop_map(|(mut sets, soa, ttl)| {
            sets.insert(
                0,
                ZoneRecordSet {
                    name: ZONE.to_owned(),
                    rtype: "SOA".to_owned(),
                    ttl,
                    records: vec![soa],
                },
            );
            sets
        })
}

/// A valid file to mutate.
fn sample_file() -> String {
    "$ORIGIN example.org.\n$TTL 1h\n@ IN SOA ns1 admin ( 1 3600 600\n 86400 300 ) ; soa\n\
     @ NS ns1\nns1 60 IN A 192.0.2.1\n\t AAAA 2001:db8::1\nt TXT \"a;b\\\"c\\065\"\n\
     _x._tcp SRV 1 2 3 @\nc CAA 0 issue \"ca.example.net\"\nm MX 10 mail.example.net.\n"
        .to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn render_then_parse_round_trips(sets in zone_sets(), default_ttl in 0..=i32::MAX) {
        let text = render(ZONE, default_ttl, &sets);
        let zone = parse(&text, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&zone.name, ZONE);
        prop_assert_eq!(zone.default_ttl, Some(default_ttl));
        prop_assert_eq!(zone.recordsets, sets);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse(&text, None);
        let _ = parse(&text, Some("example.org."));
    }

    #[test]
    fn parse_never_panics_on_zone_like_text(
        text in "(\\$ORIGIN |\\$TTL |@ |IN |SOA |A |TXT |MX |CAA |[a-z0-9.]{1,6}|[ \t\n();\"\\\\]){0,60}"
    ) {
        let _ = parse(&text, None);
        let _ = parse(&text, Some("example.org"));
    }

    #[test]
    fn parse_never_panics_on_mutated_files(
        edits in vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..8)
    ) {
        let mut chars: Vec<char> = sample_file().chars().collect();
        for (at, op, c) in edits {
            let i = at.index(chars.len() + 1);
            match op {
                0 => chars.insert(i, c),
                1 if i < chars.len() => { chars.remove(i); }
                _ if i < chars.len() => chars[i] = c,
                _ => chars.push(c),
            }
        }
        let text: String = chars.into_iter().collect();
        if let Err(e) = parse(&text, None) {
            // Every error points inside the text (or just past its end).
            prop_assert!(e.line >= 1 && e.line <= text.lines().count() + 1, "{}", e);
            prop_assert!(e.column >= 1);
        }
    }
}

#[test]
fn sample_file_is_valid() {
    let zone = parse(&sample_file(), None).unwrap();
    assert_eq!(zone.recordsets.len(), 8);
    // Re-rendering what was parsed parses to the same recordsets.
    let text = render(
        &zone.name,
        zone.default_ttl.unwrap_or(3600),
        &zone.recordsets,
    );
    assert_eq!(parse(&text, None).unwrap().recordsets, zone.recordsets);
}
