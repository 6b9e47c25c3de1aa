//! Tests of the bind9 backend: option handling, and every operation against a real `named`.

use std::net::SocketAddr;

use designate_core::objects::{Action, PoolAttribute, Zone, ZoneStatus, ZoneType};
use uuid::Uuid;

use super::*;
use crate::testing::Named;

pub(crate) fn zone(name: &str) -> Zone {
    Zone {
        id: Uuid::new_v4(),
        version: 1,
        created_at: Default::default(),
        updated_at: None,
        deleted: "0".to_owned(),
        deleted_at: None,
        shard: 0,
        tenant_id: None,
        name: name.to_owned(),
        email: "admin@example.org".to_owned(),
        description: None,
        zone_type: ZoneType::Primary,
        transferred_at: None,
        ttl: 3600,
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        status: ZoneStatus::Pending,
        parent_zone_id: None,
        action: Action::Create,
        pool_id: None,
        reverse_name: String::new(),
        delayed_notify: false,
        increment_serial: false,
        attributes: Default::default(),
        masters: Vec::new(),
    }
}

fn master() -> SocketAddr {
    "127.0.0.1:5354".parse().unwrap()
}

fn with_option(mut target: PoolTarget, key: &str, value: &str) -> PoolTarget {
    target.options.retain(|o| o.key != key);
    target.options.push(PoolAttribute {
        key: key.to_owned(),
        value: value.to_owned(),
    });
    target
}

fn plain_target() -> PoolTarget {
    PoolTarget {
        id: Uuid::new_v4(),
        target_type: "bind9".to_owned(),
        description: None,
        masters: vec![designate_core::objects::PoolTargetMaster {
            host: "127.0.0.1".to_owned(),
            port: 5354,
        }],
        options: Vec::new(),
    }
}

#[test]
fn options_follow_upstream_names_and_defaults() {
    let b = Bind9Backend::from_target(&plain_target()).unwrap();
    assert_eq!(b.rndc_base, ["rndc", "-s", "127.0.0.1", "-p", "953"]);
    assert_eq!(b.timeout, DEFAULT_RNDC_TIMEOUT);
    assert!(!b.clean_zonefile);

    let t = [
        ("rndc_host", "192.0.2.1"),
        ("rndc_port", "1953"),
        ("rndc_config_file", "/etc/rndc.conf"),
        ("rndc_key_file", "/etc/rndc.key"),
        ("rndc_timeout", "2.5"),
        ("clean_zonefile", "True"),
        ("view", "internal"),
        ("rndc_bin_path", "/usr/sbin/rndc"),
    ]
    .iter()
    .fold(plain_target(), |t, (k, v)| with_option(t, k, v));
    let b = Bind9Backend::from_target(&t).unwrap();
    assert_eq!(
        b.rndc_base,
        [
            "/usr/sbin/rndc",
            "-s",
            "192.0.2.1",
            "-p",
            "1953",
            "-c",
            "/etc/rndc.conf",
            "-k",
            "/etc/rndc.key"
        ]
    );
    assert_eq!(b.timeout, Duration::from_millis(2500));
    assert!(b.clean_zonefile);
    let z = zone("example.org.");
    assert_eq!(b.zone_arg(&z).unwrap(), "example.org in internal");
    assert_eq!(
        b.zone_config(&z).unwrap(),
        format!(
            "example.org in internal {{ type secondary; primaries {{ 127.0.0.1 port 5354; }}; \
             file \"slave.example.org.{}\"; }};",
            z.id
        )
    );
}

#[test]
fn bad_options_are_config_errors() {
    for (key, value) in [
        ("rndc_port", "x"),
        ("rndc_port", "0"),
        ("rndc_port", "70000"),
        ("rndc_timeout", "-1"),
        ("rndc_timeout", "soon"),
        ("clean_zonefile", "maybe"),
    ] {
        let t = with_option(plain_target(), key, value);
        assert!(
            matches!(Bind9Backend::from_target(&t), Err(BackendError::Config(_))),
            "{key}={value}"
        );
    }
    let mut t = plain_target();
    t.masters.clear();
    assert!(matches!(
        Bind9Backend::from_target(&t),
        Err(BackendError::Config(_))
    ));
    // "0" means "no timeout" upstream; we keep a bounded default.
    let t = with_option(plain_target(), "rndc_timeout", "0");
    assert_eq!(
        Bind9Backend::from_target(&t).unwrap().timeout,
        DEFAULT_RNDC_TIMEOUT
    );
}

#[test]
fn zone_names_that_could_inject_config_are_refused() {
    let b = Bind9Backend::from_target(&plain_target()).unwrap();
    for name in ["a\"b.org.", "a;b.org.", "a{b}.org.", "a b.org.", ".", ""] {
        assert!(b.zone_config(&zone(name)).is_err(), "{name:?}");
    }
    let z = zone("0/25.2.0.192.in-addr.arpa.");
    assert!(b.zone_config(&z).unwrap().contains("file \"slave.0_25.2.0"));
}

#[tokio::test]
async fn add_show_modify_delete_on_a_real_named() {
    let named = Named::start();
    let backend = Bind9Backend::from_target(&named.target(&[master()])).unwrap();
    let z = zone("bind9-backend.example.");

    backend.create_zone(&z).await.unwrap();
    // A repeated create is success ("already exists").
    backend.create_zone(&z).await.unwrap();
    let (ok, shown) = named.rndc(&["showzone", "bind9-backend.example"]);
    assert!(ok, "{shown}");
    assert!(shown.contains("127.0.0.1 port 5354"), "{shown}");

    // New masters: update corrects the zone with modzone.
    let moved =
        Bind9Backend::from_target(&named.target(&["127.0.0.1:5355".parse().unwrap()])).unwrap();
    moved.update_zone(&z).await.unwrap();
    let (_, shown) = named.rndc(&["showzone", "bind9-backend.example"]);
    assert!(shown.contains("127.0.0.1 port 5355"), "{shown}");

    backend.delete_zone(&z).await.unwrap();
    let (ok, shown) = named.rndc(&["showzone", "bind9-backend.example"]);
    assert!(!ok && shown.contains("not found"), "{shown}");
    // A repeated delete is success ("not found").
    backend.delete_zone(&z).await.unwrap();

    // Update of a zone the server lost re-creates it.
    backend.update_zone(&z).await.unwrap();
    assert!(named.rndc(&["showzone", "bind9-backend.example"]).0);

    // clean_zonefile: delzone -clean is accepted.
    let clean = Bind9Backend::from_target(&with_option(
        named.target(&[master()]),
        "clean_zonefile",
        "true",
    ))
    .unwrap();
    clean.delete_zone(&z).await.unwrap();
    assert!(!named.rndc(&["showzone", "bind9-backend.example"]).0);
}

#[tokio::test]
async fn unreachable_rndc_is_a_target_error() {
    let named = Named::start();
    let t = with_option(
        with_option(
            named.target(&[master()]),
            "rndc_port",
            &crate::testing::free_port().to_string(),
        ),
        "rndc_timeout",
        "5",
    );
    let backend = Bind9Backend::from_target(&t).unwrap();
    let err = backend.create_zone(&zone("down.example.")).await;
    assert!(matches!(err, Err(BackendError::Target(_))), "{err:?}");

    let missing = with_option(
        named.target(&[master()]),
        "rndc_bin_path",
        "/nonexistent/rndc",
    );
    let backend = Bind9Backend::from_target(&missing).unwrap();
    let err = backend.delete_zone(&zone("down.example.")).await;
    assert!(matches!(err, Err(BackendError::Target(_))), "{err:?}");
}
