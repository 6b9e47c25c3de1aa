//! Tests of pools.yaml parsing, planning and rendering, on upstream's sample shapes and on the
//! bad inputs operators write.

use super::*;

const MULTIPLE: &str = r#"
---
- name: pool-1
  description: Default PowerDNS Pool
  attributes:
    internal: true
  ns_records:
    - hostname: ns1-1.example.org.
      priority: 1
    - hostname: ns1-2.example.org.
      priority: 2
  nameservers:
    - host: 192.0.2.2
      port: 53
  targets:
    - type: pdns4
      description: PowerDNS Database Cluster
      masters:
        - host: 192.0.2.1
          port: 5354
      options:
        host: 192.0.2.2
        port: 53
        api_endpoint: http://192.0.2.1:8081
        api_token: api_key
  also_notifies:
   - host: 192.0.2.4
     port: 53

- name: pool-2
  id: cf2e8eab-76cd-4162-bf76-8aeee3556de0
  description: Default BIND Pool
  attributes:
    external: true
  ns_records:
    - hostname: ns1-1.example.org.
      priority: 1
  nameservers:
    - host: 192.0.2.2
      port: "53"
    - host: 192.0.2.3
  targets:
    - type: bind9
      description: BIND9 Server 1
      masters:
        - host: 192.0.2.1
      options:
        rndc_host: 192.0.2.2
        rndc_port: 953
        rndc_key_file: /etc/designate/rndc.key
"#;

/// The message of a parse failure.
fn error(text: &str) -> String {
    match parse(text) {
        Err(Error::Invalid(m)) => m,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn parses_upstream_sample_shape() {
    let defs = parse(MULTIPLE).unwrap();
    assert_eq!(defs.len(), 2);
    let p1 = &defs[0].pool;
    assert_eq!(defs[0].id, None);
    assert_eq!(p1.name, "pool-1");
    assert_eq!(p1.description.as_deref(), Some("Default PowerDNS Pool"));
    assert_eq!(
        p1.attributes,
        [PoolAttribute {
            key: "internal".to_owned(),
            value: "True".to_owned()
        }]
    );
    assert_eq!(p1.ns_records.len(), 2);
    assert_eq!(p1.ns_records[1].hostname, "ns1-2.example.org.");
    assert_eq!(p1.nameservers[0].port, 53);
    assert_eq!(p1.also_notifies[0].host, "192.0.2.4");
    let t = &p1.targets[0];
    assert_eq!(t.target_type, "pdns4");
    assert_eq!(t.masters[0].port, 5354);
    assert_eq!(t.option("port"), Some("53"));
    assert_eq!(t.option("api_token"), Some("api_key"));

    let p2 = &defs[1];
    assert_eq!(
        p2.id,
        Some("cf2e8eab-76cd-4162-bf76-8aeee3556de0".parse().unwrap())
    );
    // A port given as a string is accepted; a missing one defaults (53; 5354 for masters).
    assert_eq!(p2.pool.nameservers[0].port, 53);
    assert_eq!(p2.pool.nameservers[1].port, 53);
    assert_eq!(p2.pool.targets[0].masters[0].port, 5354);
    assert_eq!(p2.pool.targets[0].option("rndc_port"), Some("953"));
}

#[test]
fn bad_files_name_the_field_and_line() {
    let cases: &[(&str, &[&str])] = &[
        (
            "- name: a\n  targets:\n    - type: bind8\n",
            &["Unable to find designate backend driver type: bind8", "line 3"],
        ),
        (
            "- name: a\n  targets:\n    - description: no type\n",
            &["missing field `type`", "line 3"],
        ),
        ("- description: x\n", &["missing field `name`", "line 1"]),
        (
            "- name: a\n  nameservers:\n    - host: 192.0.2.1\n      port: 70000\n",
            &["pools[0].nameservers[0]: invalid port \"70000\"", "line 3"],
        ),
        (
            "- name: a\n  nameservers:\n    - host: 192.0.2.1\n      port: 0\n",
            &["invalid port", "line 3"],
        ),
        (
            "- name: a\n  nameservers:\n    - host: 192.0.2.1\n      port: domain\n",
            &["invalid port", "line 3"],
        ),
        (
            "- name: a\n- name: b\n- name: a\n",
            &["pools[2].name: duplicate pool name \"a\" (first at pools[0])"],
        ),
        (
            "- name: a\n  id: cf2e8eab-76cd-4162-bf76-8aeee3556de0\n- name: b\n  id: cf2e8eab-76cd-4162-bf76-8aeee3556de0\n",
            &["pools[1].id: duplicate pool id"],
        ),
        ("- name: a\n  nmeservers: []\n", &["unknown field `nmeservers`", "line 2"]),
        (
            "- name: a\n  ns_records:\n    - hostname: ns1.example.org\n      priority: 1\n",
            &["not a fully qualified host name", "line 3"],
        ),
        (
            "- name: a\n  ns_records:\n    - hostname: ns1.example.org.\n",
            &["missing field `priority`"],
        ),
        ("- name: a\n  id: not-a-uuid\n", &["line 2"]),
        ("- name: \"\"\n", &["must not be empty", "line 1"]),
        ("name: a\n", &["a list of pools"]),
        ("- name: a\n  targets: [ {type: bind9\n", &["line"]),
        ("", &["lists no pools"]),
        (
            "- name: a\n  catalog_zone:\n    catalog_zone_fqdn: cat.example.\n",
            &["catalog zones are not supported", "line 1"],
        ),
        (
            "- name: a\n  targets:\n    - type: bind9\n      options:\n        rndc_port: [1]\n",
            &["expected a single value", "line 5"],
        ),
    ];
    for (text, wanted) in cases {
        let message = error(text);
        for w in *wanted {
            assert!(message.contains(w), "{text:?}: {message:?} lacks {w:?}");
        }
    }
}

fn stored(name: &str) -> Pool {
    let mut p = parse(&format!(
        "- name: {name}\n  ns_records:\n    - hostname: ns1.example.org.\n      priority: 1\n  \
         nameservers:\n    - host: 127.0.0.1\n  targets:\n    - type: bind9\n      masters:\n        \
         - host: 127.0.0.1\n      options:\n        rndc_port: 953\n        host: 127.0.0.1\n"
    ))
    .unwrap()
    .remove(0)
    .pool;
    p = with_ids(&p, Uuid::new_v4(), None);
    p
}

#[test]
fn plan_matches_by_name_or_id_and_keeps_child_ids() {
    let a = stored("a");
    let b = stored("b");
    let text = render(std::slice::from_ref(&a)).unwrap();
    // Unchanged: rendering then planning the same pool changes nothing, ids kept.
    let defs = parse(&text).unwrap();
    assert_eq!(
        plan(&defs, &[a.clone(), b.clone()], false).unwrap(),
        [Change::Unchanged(a.clone())]
    );
    // Without an id the pool is matched by name; a new one is created.
    let text = "- name: a\n  ns_records:\n    - hostname: ns2.example.org.\n      priority: 1\n  \
                nameservers:\n    - host: 127.0.0.1\n- name: c\n";
    let changes = plan(&parse(text).unwrap(), &[a.clone(), b.clone()], true).unwrap();
    assert_eq!(changes.len(), 3, "{changes:?}");
    match &changes[0] {
        Change::Update { before, after } => {
            assert_eq!(**before, a);
            assert_eq!(after.id, a.id);
            // The nameserver row is the same host and port: same id.
            assert_eq!(after.nameservers[0].id, a.nameservers[0].id);
            assert!(after.targets.is_empty());
            assert_eq!(after.ns_records[0].hostname, "ns2.example.org.");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&changes[1], Change::Create(p) if p.name == "c" && !p.id.is_nil()));
    assert_eq!(changes[2], Change::Delete(b.clone()));
    // Without --delete, pools absent from the file stay.
    assert_eq!(
        plan(&parse(text).unwrap(), &[a.clone(), b.clone()], false)
            .unwrap()
            .len(),
        2
    );
    // A file pool whose id is new but whose name is taken: upstream's DuplicatePool.
    let text = format!("- name: a\n  id: {}\n", Uuid::new_v4());
    assert!(matches!(
        plan(&parse(&text).unwrap(), &[a], false),
        Err(Error::DuplicatePool { .. })
    ));
}

#[test]
fn render_is_upstream_shaped_and_parses_back() {
    let a = stored("a");
    let text = render(std::slice::from_ref(&a)).unwrap();
    assert!(
        text.starts_with("- also_notifies: []\n  attributes: {}\n"),
        "{text}"
    );
    assert!(text.contains(&format!("  id: {}\n", a.id)), "{text}");
    assert!(text.contains("    type: bind9\n"), "{text}");
    let back = parse(&text).unwrap().remove(0);
    assert_eq!(back.id, Some(a.id));
    assert_eq!(back.pool.targets[0].option("rndc_port"), Some("953"));
    assert_eq!(back.pool.targets[0].masters, a.targets[0].masters);
}
