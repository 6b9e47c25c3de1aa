//! TSIG keys in central: CRUD, upstream's pool / zone resource rule, and the `dns.tsigkey.*`
//! notifications.

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::*;
use designate_bus::{CentralApi, Notifier};
use designate_central::{Central, CentralConfig};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{NewTsigKey, TsigAlgorithm, TsigKeyUpdate, TsigScope};
use designate_core::{ErrorKind, RequestContext};
use designate_storage::SqlStorage;
use serde_json::Value;
use uuid::Uuid;

/// A notifier of our own trait that remembers every event.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, Value)>>);

#[async_trait]
impl Notifier for Recorder {
    async fn notify(&self, _ctx: &RequestContext, event_type: &str, payload: Value) {
        self.0
            .lock()
            .unwrap()
            .push((event_type.to_owned(), payload));
    }
}

async fn central_with_recorder() -> (tempfile::TempDir, Central, Arc<Recorder>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("d.db").display());
    let storage = SqlStorage::connect(&url).await.unwrap();
    storage.migrate().await.unwrap();
    let config = CentralConfig::default();
    let recorder = Arc::new(Recorder::default());
    let central = Central::new(
        Arc::new(storage),
        Arc::new(RecordingWorker::default()),
        recorder.clone(),
        config.clone(),
    );
    central.ensure_pool(default_pool(&config)).await.unwrap();
    (dir, central, recorder)
}

fn key(name: &str, scope: TsigScope, resource_id: Uuid) -> NewTsigKey {
    NewTsigKey {
        name: name.to_owned(),
        algorithm: TsigAlgorithm::HmacSha256,
        secret: "c2VjcmV0".to_owned(),
        scope,
        resource_id,
    }
}

#[tokio::test]
async fn tsigkey_crud_rules_and_notifications() {
    let (_dir, central, events) = central_with_recorder().await;
    let admin = admin_all();
    let pool_id = CentralConfig::default().default_pool_id;

    let pool_key = central
        .create_tsigkey(&admin, key("pool-key", TsigScope::Pool, pool_id))
        .await
        .unwrap();
    assert_eq!(pool_key.version, 1);
    assert_eq!(
        central.get_tsigkey(&admin, pool_key.id).await.unwrap(),
        pool_key
    );
    assert_eq!(
        kind(
            central
                .create_tsigkey(&admin, key("pool-key", TsigScope::Pool, pool_id))
                .await
        ),
        ErrorKind::DuplicateTsigKey
    );

    // The resource must exist in the key's scope; a zone of any project will do.
    let e = central
        .create_tsigkey(&admin, key("k2", TsigScope::Pool, Uuid::new_v4()))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidTsigKey);
    assert!(e.message.ends_with("is not a valid pool"), "{}", e.message);
    let e = central
        .create_tsigkey(&admin, key("k2", TsigScope::Zone, pool_id))
        .await
        .unwrap_err();
    assert!(e.message.ends_with("is not a valid zone"), "{}", e.message);
    let zone = central
        .create_zone(&ctx("p1"), new_zone("tsig.example.org."))
        .await
        .unwrap();
    let zone_key = central
        .create_tsigkey(&admin, key("zone-key", TsigScope::Zone, zone.id))
        .await
        .unwrap();
    let too_long = NewTsigKey {
        name: "x".repeat(161),
        ..key("k3", TsigScope::Pool, pool_id)
    };
    assert_eq!(
        kind(central.create_tsigkey(&admin, too_long).await),
        ErrorKind::InvalidObject
    );

    let found = central
        .find_tsigkeys(&admin, Criteria::new().eq("scope", "ZONE"), Page::default())
        .await
        .unwrap();
    assert_eq!(found.items, vec![zone_key.clone()]);

    // Moving a key re-checks its resource; other changes do not need one.
    let moved = TsigKeyUpdate {
        scope: Some(TsigScope::Pool),
        ..TsigKeyUpdate::default()
    };
    assert_eq!(
        kind(central.update_tsigkey(&admin, zone_key.id, moved).await),
        ErrorKind::InvalidTsigKey
    );
    let update = TsigKeyUpdate {
        scope: Some(TsigScope::Pool),
        resource_id: Some(pool_id),
        algorithm: Some(TsigAlgorithm::HmacSha512),
        secret: Some("bmV3".to_owned()),
        ..TsigKeyUpdate::default()
    };
    let updated = central
        .update_tsigkey(&admin, zone_key.id, update)
        .await
        .unwrap();
    assert_eq!(
        (updated.scope, updated.algorithm, updated.version),
        (TsigScope::Pool, TsigAlgorithm::HmacSha512, 2)
    );
    let rename = TsigKeyUpdate {
        name: Some("pool-key".to_owned()),
        ..TsigKeyUpdate::default()
    };
    assert_eq!(
        kind(central.update_tsigkey(&admin, zone_key.id, rename).await),
        ErrorKind::DuplicateTsigKey
    );

    let deleted = central.delete_tsigkey(&admin, pool_key.id).await.unwrap();
    assert_eq!(deleted, pool_key);
    assert_eq!(
        kind(central.get_tsigkey(&admin, pool_key.id).await),
        ErrorKind::TsigKeyNotFound
    );
    assert_eq!(
        kind(central.delete_tsigkey(&admin, pool_key.id).await),
        ErrorKind::TsigKeyNotFound
    );

    let events: Vec<(String, Value)> = events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(e, _)| e.starts_with("dns.tsigkey."))
        .cloned()
        .collect();
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        names,
        [
            "dns.tsigkey.create",
            "dns.tsigkey.create",
            "dns.tsigkey.update",
            "dns.tsigkey.delete"
        ]
    );
    assert_eq!(events[0].1["name"], "pool-key");
    assert_eq!(events[0].1["algorithm"], "hmac-sha256");
    assert_eq!(events[0].1["scope"], "POOL");
    assert_eq!(events[2].1["algorithm"], "hmac-sha512");
}

/// A broadcaster of our own trait that counts what it is asked to send.
#[derive(Default)]
struct Broadcasts(Mutex<Vec<designate_bus::Broadcast>>);

#[async_trait]
impl designate_bus::Broadcaster for Broadcasts {
    async fn broadcast(&self, event: designate_bus::Broadcast) {
        self.0.lock().unwrap().push(event);
    }
}

#[tokio::test]
async fn key_and_pool_writes_tell_every_mdns_to_reload_its_access_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("d.db").display());
    let storage = SqlStorage::connect(&url).await.unwrap();
    storage.migrate().await.unwrap();
    let config = CentralConfig::default();
    let broadcasts = Arc::new(Broadcasts::default());
    let central = Central::new(
        Arc::new(storage),
        Arc::new(RecordingWorker::default()),
        Arc::new(designate_bus::inproc::LogNotifier),
        config.clone(),
    )
    .with_broadcaster(broadcasts.clone());
    let count = || broadcasts.0.lock().unwrap().len();
    central.ensure_pool(default_pool(&config)).await.unwrap();
    assert_eq!(count(), 1, "a new pool");
    central.ensure_pool(default_pool(&config)).await.unwrap();
    assert_eq!(count(), 1, "an unchanged pool is no change");
    let mut pool = default_pool(&config);
    pool.description = Some("changed".to_owned());
    central.ensure_pool(pool).await.unwrap();
    assert_eq!(count(), 2, "a changed pool");

    let admin = RequestContext::admin();
    let created = central
        .create_tsigkey(&admin, key("k1", TsigScope::Pool, config.default_pool_id))
        .await
        .unwrap();
    // A new key needs no broadcast: MiniDNS reloads when a request names a key it lacks.
    assert_eq!(count(), 2);
    central
        .update_tsigkey(
            &admin,
            created.id,
            TsigKeyUpdate {
                secret: Some("b3RoZXI=".to_owned()),
                ..TsigKeyUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(count(), 3, "a changed key");
    central.delete_tsigkey(&admin, created.id).await.unwrap();
    assert_eq!(count(), 4, "a deleted key");
    assert!(broadcasts
        .0
        .lock()
        .unwrap()
        .iter()
        .all(|b| *b == designate_bus::Broadcast::MdnsAccessChanged));
}
