//! TLDs, blacklists and quotas in central: their CRUD and the rules they impose on zone,
//! recordset and record creation (upstream's `_is_valid_zone_name` and `_enforce_*_quota`).

mod common;

use common::*;
use designate_bus::CentralApi;
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{BlacklistUpdate, NewBlacklist, NewTld, RecordSetUpdate, TldUpdate};
use designate_core::ErrorKind;
use uuid::Uuid;

fn tld(name: &str) -> NewTld {
    NewTld {
        name: name.to_owned(),
        description: None,
    }
}

#[tokio::test]
async fn tld_crud_and_errors() {
    let h = harness().await;
    let admin = admin_all();
    let com = h.central.create_tld(&admin, tld("com")).await.unwrap();
    assert_eq!(h.central.get_tld(&admin, com.id).await.unwrap(), com);
    assert_eq!(
        kind(h.central.create_tld(&admin, tld("com")).await),
        ErrorKind::DuplicateTld
    );
    assert_eq!(
        kind(h.central.create_tld(&admin, tld("bad.")).await),
        ErrorKind::InvalidObject
    );
    let update = TldUpdate {
        name: Some("net".to_owned()),
        description: Some(Some("nets".to_owned())),
    };
    let net = h.central.update_tld(&admin, com.id, update).await.unwrap();
    assert_eq!((net.name.as_str(), net.version), ("net", 2));
    let (c, p) = all();
    assert_eq!(
        h.central.find_tlds(&admin, c, p).await.unwrap().total_count,
        1
    );
    h.central.delete_tld(&admin, com.id).await.unwrap();
    assert_eq!(
        kind(h.central.get_tld(&admin, com.id).await),
        ErrorKind::TldNotFound
    );
    assert_eq!(
        kind(h.central.delete_tld(&admin, Uuid::new_v4()).await),
        ErrorKind::TldNotFound
    );
}

#[tokio::test]
async fn zones_must_lie_under_a_known_tld_once_any_exists() {
    let h = harness().await;
    let admin = admin_all();
    let c = ctx("p1");
    // No TLDs: anything goes.
    h.central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.central.create_tld(&admin, tld("com")).await.unwrap();
    h.central.create_tld(&admin, tld("co.uk")).await.unwrap();
    h.central
        .create_zone(&c, new_zone("example.com."))
        .await
        .unwrap();
    h.central
        .create_zone(&c, new_zone("example.co.uk."))
        .await
        .unwrap();
    let e = h
        .central
        .create_zone(&c, new_zone("example.net."))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::InvalidZoneName, "Invalid TLD")
    );
    let e = h
        .central
        .create_zone(&c, new_zone("co.uk."))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidZoneName);
    assert_eq!(e.message, "Zone name cannot be the same as a TLD");
}

#[tokio::test]
async fn blacklisted_names_are_refused_except_to_admins() {
    let h = harness().await;
    let admin = admin_all();
    let c = ctx("p1");
    let bl = h
        .central
        .create_blacklist(
            &admin,
            NewBlacklist {
                pattern: "^blocked\\.example\\.com\\.$".to_owned(),
                description: Some("no".to_owned()),
            },
        )
        .await
        .unwrap();
    let e = h
        .central
        .create_zone(&c, new_zone("blocked.example.com."))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidZoneName);
    assert_eq!(e.message, "Blacklisted zone name");
    h.central
        .create_zone(&c, new_zone("fine.example.com."))
        .await
        .unwrap();
    // use_blacklisted_zone: admins may.
    let mut admin_p = ctx("p2");
    admin_p.roles = vec!["admin".to_owned()];
    h.central
        .create_zone(&admin_p, new_zone("blocked.example.com."))
        .await
        .unwrap();

    assert_eq!(
        kind(
            h.central
                .create_blacklist(
                    &admin,
                    NewBlacklist {
                        pattern: bl.pattern.clone(),
                        description: None,
                    },
                )
                .await
        ),
        ErrorKind::DuplicateBlacklist
    );
    assert_eq!(
        kind(
            h.central
                .create_blacklist(
                    &admin,
                    NewBlacklist {
                        pattern: "(".to_owned(),
                        description: None,
                    },
                )
                .await
        ),
        ErrorKind::InvalidObject
    );
    let update = BlacklistUpdate {
        pattern: Some("^other\\.".to_owned()),
        description: Some(None),
    };
    let changed = h
        .central
        .update_blacklist(&admin, bl.id, update)
        .await
        .unwrap();
    assert_eq!(changed.pattern, "^other\\.");
    assert_eq!(changed.description, None);
    let listed = h
        .central
        .find_blacklists(
            &admin,
            Criteria::new().eq("pattern", "^other\\."),
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(listed.items, vec![changed]);
    h.central.delete_blacklist(&admin, bl.id).await.unwrap();
    assert_eq!(
        kind(h.central.get_blacklist(&admin, bl.id).await),
        ErrorKind::BlacklistNotFound
    );
}

#[tokio::test]
async fn quotas_default_set_reset_and_scope() {
    let h = harness().await;
    let admin = admin_all();
    let q = h
        .central
        .get_quotas(&ctx("p1"), "p1".to_owned())
        .await
        .unwrap();
    assert_eq!(q["zones"], 10);
    assert_eq!(q["zone_recordsets"], 500);
    assert_eq!(q["zone_records"], 500);
    assert_eq!(q["recordset_records"], 20);
    assert_eq!(q["api_export_size"], 1000);
    // Another project's quotas need all-projects.
    assert_eq!(
        kind(h.central.get_quotas(&ctx("p1"), "p2".to_owned()).await),
        ErrorKind::Forbidden
    );
    h.central
        .set_quota(&admin, "p1".to_owned(), "zones".to_owned(), 1)
        .await
        .unwrap();
    assert_eq!(
        h.central.get_quotas(&admin, "p1".to_owned()).await.unwrap()["zones"],
        1
    );
    assert_eq!(
        kind(
            h.central
                .set_quota(&admin, "p1".to_owned(), "bogus".to_owned(), 1)
                .await
        ),
        ErrorKind::QuotaResourceUnknown
    );
    assert_eq!(
        kind(
            h.central
                .set_quota(&admin, "p1".to_owned(), "zones".to_owned(), -2)
                .await
        ),
        ErrorKind::InvalidObject
    );
    h.central
        .reset_quotas(&admin, "p1".to_owned())
        .await
        .unwrap();
    assert_eq!(
        h.central.get_quotas(&admin, "p1".to_owned()).await.unwrap()["zones"],
        10
    );
}

#[tokio::test]
async fn quotas_are_enforced_at_create() {
    let h = harness().await;
    let admin = admin_all();
    let c = ctx("p1");
    let set = |resource: &str, limit: i64| {
        h.central
            .set_quota(&admin, "p1".to_owned(), resource.to_owned(), limit)
    };
    set("zones", 1).await.unwrap();
    let zone = h
        .central
        .create_zone(&c, new_zone("one.org."))
        .await
        .unwrap();
    let e = h
        .central
        .create_zone(&c, new_zone("two.org."))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::OverQuota, "Quota exceeded for zones.")
    );
    // Other projects keep the default.
    h.central
        .create_zone(&ctx("p2"), new_zone("two.org."))
        .await
        .unwrap();

    // SOA and NS are recordsets too (upstream counts them): 2 exist, so 3 allows one more.
    set("zone_recordsets", 3).await.unwrap();
    set("recordset_records", 2).await.unwrap();
    set("zone_records", 3).await.unwrap();
    let too_many = new_rs("a.one.org.", "A", &["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
    assert_eq!(
        kind(h.central.create_recordset(&c, zone.id, too_many).await),
        ErrorKind::OverQuota
    );
    let rs = h
        .central
        .create_recordset(
            &c,
            zone.id,
            new_rs("a.one.org.", "A", &["192.0.2.1", "192.0.2.2"]),
        )
        .await
        .unwrap();
    let e = h
        .central
        .create_recordset(&c, zone.id, new_rs("b.one.org.", "A", &["192.0.2.9"]))
        .await
        .unwrap_err();
    assert_eq!(e.message, "Quota exceeded for zone_recordsets.");
    // Updates count the records they would leave: 2 → 3 in the set is over recordset_records.
    let grow = RecordSetUpdate {
        records: Some(vec![
            "192.0.2.1".into(),
            "192.0.2.2".into(),
            "192.0.2.3".into(),
        ]),
        ..RecordSetUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_recordset(&c, zone.id, rs.id, grow).await),
        ErrorKind::OverQuota
    );
    // Unlimited.
    set("zone_recordsets", -1).await.unwrap();
    set("zone_records", -1).await.unwrap();
    h.central
        .create_recordset(&c, zone.id, new_rs("b.one.org.", "A", &["192.0.2.9"]))
        .await
        .unwrap();
}
