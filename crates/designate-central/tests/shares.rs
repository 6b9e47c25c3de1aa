//! Zone shares in central: sharing, what the target project may then see and write, the
//! unshare rule (refused while the target owns recordsets) and delete-shares on zone delete.

mod common;

use common::*;
use designate_bus::CentralApi;
use designate_core::criteria::{Criteria, Page};
use designate_core::{ErrorKind, RequestContext};
use uuid::Uuid;

#[tokio::test]
async fn shared_zone_is_visible_and_writable_for_the_target_until_unshared() {
    let h = harness().await;
    let (p1, p2, p3) = (ctx("p1"), ctx("p2"), ctx("p3"));
    let zone = h
        .central
        .create_zone(&p1, new_zone("shared.example.org."))
        .await
        .unwrap();
    h.central
        .create_recordset(
            &p1,
            zone.id,
            new_rs("www.shared.example.org.", "A", &["192.0.2.1"]),
        )
        .await
        .unwrap();
    assert_eq!(
        kind(h.central.get_zone(&p2, zone.id).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.share_zone(&p2, zone.id, "p3".to_owned()).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.share_zone(&p1, zone.id, "p1".to_owned()).await),
        ErrorKind::BadRequest
    );
    let share = h
        .central
        .share_zone(&p1, zone.id, "p2".to_owned())
        .await
        .unwrap();
    assert_eq!(
        (share.project_id.as_str(), share.target_project_id.as_str()),
        ("p1", "p2")
    );
    assert_eq!(
        kind(h.central.share_zone(&p1, zone.id, "p2".to_owned()).await),
        ErrorKind::DuplicateSharedZone
    );
    assert_eq!(
        h.central
            .shared_zone_ids(&p1, vec![zone.id, Uuid::new_v4()])
            .await
            .unwrap(),
        vec![zone.id]
    );

    // The target sees the zone (get and list) and all of its recordsets; a third project not.
    assert_eq!(h.central.get_zone(&p2, zone.id).await.unwrap().id, zone.id);
    let (c, p) = all();
    let listed = h.central.find_zones(&p2, c, p).await.unwrap();
    assert_eq!(
        listed.items.iter().map(|z| z.id).collect::<Vec<_>>(),
        [zone.id]
    );
    let (c, p) = all();
    assert_eq!(
        h.central.find_zones(&p3, c, p).await.unwrap().total_count,
        0
    );
    let in_zone = Criteria::new().eq("zone_id", zone.id.to_string());
    let rsets = h
        .central
        .find_recordsets(&p2, in_zone.clone(), Page::default())
        .await
        .unwrap();
    assert!(rsets
        .items
        .iter()
        .any(|r| r.name == "www.shared.example.org."));
    assert_eq!(
        kind(
            h.central
                .find_recordsets(&p3, in_zone, Page::default())
                .await
        ),
        ErrorKind::ZoneNotFound
    );

    // The target adds a recordset: it is the target's.
    let theirs = h
        .central
        .create_recordset(
            &p2,
            zone.id,
            new_rs("p2.shared.example.org.", "A", &["192.0.2.2"]),
        )
        .await
        .unwrap();
    assert_eq!(theirs.tenant_id.as_deref(), Some("p2"));
    assert!(theirs
        .records
        .iter()
        .all(|r| r.tenant_id.as_deref() == Some("p2")));

    // Shares are seen by their two projects only.
    let of_zone = Criteria::new().eq("zone_id", zone.id.to_string());
    for (who, n) in [(&p1, 1), (&p2, 1), (&p3, 0)] {
        let found = h
            .central
            .find_shared_zones(who, of_zone.clone(), Page::default())
            .await
            .unwrap();
        assert_eq!(found.total_count, n, "{:?}", who.project_id);
    }
    assert_eq!(
        h.central
            .get_shared_zone(&p2, zone.id, share.id)
            .await
            .unwrap(),
        share
    );
    assert_eq!(
        kind(h.central.get_shared_zone(&p3, zone.id, share.id).await),
        ErrorKind::SharedZoneNotFound
    );
    assert_eq!(
        kind(
            h.central
                .get_shared_zone(&p1, Uuid::new_v4(), share.id)
                .await
        ),
        ErrorKind::SharedZoneNotFound
    );

    // Unsharing waits for the target's recordsets to go; deleting the zone for the switch.
    let e = h
        .central
        .unshare_zone(&p1, zone.id, share.id)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::SharedZoneHasRecordSets);
    assert!(e.message.contains("project p2"), "{}", e.message);
    assert_eq!(
        kind(h.central.delete_zone(&p1, zone.id).await),
        ErrorKind::ZoneShared
    );
    h.central
        .delete_recordset(&p2, zone.id, theirs.id)
        .await
        .unwrap();
    let gone = h
        .central
        .unshare_zone(&p1, zone.id, share.id)
        .await
        .unwrap();
    assert_eq!(gone.id, share.id);
    assert_eq!(
        kind(h.central.get_zone(&p2, zone.id).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.unshare_zone(&p1, zone.id, share.id).await),
        ErrorKind::SharedZoneNotFound
    );

    h.central
        .share_zone(&p1, zone.id, "p3".to_owned())
        .await
        .unwrap();
    let with_switch = RequestContext {
        delete_shares: true,
        ..ctx("p1")
    };
    h.central.delete_zone(&with_switch, zone.id).await.unwrap();
    assert!(h
        .central
        .shared_zone_ids(&p1, vec![zone.id])
        .await
        .unwrap()
        .is_empty());
}

/// Remembers every notification.
#[derive(Default)]
struct Notes(std::sync::Mutex<Vec<(String, serde_json::Value)>>);

#[async_trait::async_trait]
impl designate_bus::Notifier for Notes {
    async fn notify(&self, _ctx: &RequestContext, event_type: &str, payload: serde_json::Value) {
        self.0
            .lock()
            .unwrap()
            .push((event_type.to_owned(), payload));
    }
}

impl Notes {
    /// `shared` of the last `event` notification.
    fn shared_of(&self, event: &str) -> serde_json::Value {
        let notes = self.0.lock().unwrap();
        let (_, payload) = notes
            .iter()
            .rev()
            .find(|(e, _)| e == event)
            .unwrap_or_else(|| panic!("no {event}"));
        payload["shared"].clone()
    }
}

#[tokio::test]
async fn zone_notifications_say_whether_the_zone_is_shared() {
    let h = harness().await;
    let notes = std::sync::Arc::new(Notes::default());
    let central = designate_central::Central::new(
        h.storage.clone(),
        h.worker.clone(),
        notes.clone(),
        designate_central::CentralConfig::default(),
    );
    let p1 = ctx("p1");
    let zone = central
        .create_zone(&p1, new_zone("notes.example.org."))
        .await
        .unwrap();
    assert_eq!(notes.shared_of("dns.zone.create"), false);
    central
        .share_zone(&p1, zone.id, "p2".to_owned())
        .await
        .unwrap();
    let update = designate_core::objects::ZoneUpdate {
        ttl: Some(600),
        ..Default::default()
    };
    central.update_zone(&p1, zone.id, update).await.unwrap();
    assert_eq!(notes.shared_of("dns.zone.update"), true);
    assert_eq!(notes.shared_of("dns.domain.update"), true);
    let with_switch = RequestContext {
        delete_shares: true,
        ..ctx("p1")
    };
    central.delete_zone(&with_switch, zone.id).await.unwrap();
    // The deleted zone is described as it was: shared (its shares went with it).
    assert_eq!(notes.shared_of("dns.zone.delete"), true);
}
