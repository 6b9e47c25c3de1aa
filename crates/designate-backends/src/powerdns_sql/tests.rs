//! Tests of the powerdns-sql backend: option handling, and every operation against a real
//! pdns_server reading its zones from MariaDB (gmysql) and from PostgreSQL (gpgsql), checked with
//! real DNS queries to it.

use std::net::SocketAddr;
use std::time::Duration;

use designate_core::objects::PoolAttribute;
use designate_storage::contract::{pool, recordset, zone as stored_zone};
use designate_storage::SqlStorage;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use tokio::net::UdpSocket;

use super::*;
use crate::testing::{PdnsSql, PdnsSqlEngine};

fn target(options: &[(&str, &str)]) -> PoolTarget {
    PoolTarget {
        id: Uuid::new_v4(),
        target_type: "powerdns-sql".to_owned(),
        description: None,
        masters: Vec::new(),
        options: options
            .iter()
            .map(|(k, v)| PoolAttribute {
                key: (*k).to_owned(),
                value: (*v).to_owned(),
            })
            .collect(),
    }
}

#[test]
fn options_are_checked_before_anything_is_applied() {
    let ctx = BackendContext::default();
    for good in [
        &[(
            "connection",
            "mysql+pymysql://pdns:secret@192.0.2.1/pdns?charset=utf8",
        )][..],
        &[
            ("connection", "postgresql://pdns@192.0.2.1:5433/pdns"),
            ("domain_type", "master"),
        ][..],
    ] {
        PowerDnsSqlBackend::from_target(&target(good), &ctx).unwrap();
    }
    for bad in [
        &[][..],
        &[("connection", " ")][..],
        &[("connection", "sqlite:///pdns.sqlite3")][..],
        &[("connection", "oracle://x@y/z")][..],
        &[("connection", "mysql://root@127.0.0.1")][..],
        &[
            ("connection", "mysql://root@127.0.0.1/pdns"),
            ("domain_type", "SLAVE"),
        ][..],
    ] {
        assert!(
            matches!(
                PowerDnsSqlBackend::from_target(&target(bad), &ctx),
                Err(BackendError::Config(_))
            ),
            "{bad:?}"
        );
    }
    // The password stays out of logs.
    let b = PowerDnsSqlBackend::from_target(
        &target(&[("connection", "mysql://pdns:hunter2@192.0.2.1/pdns")]),
        &ctx,
    )
    .unwrap();
    assert!(!format!("{b:?}").contains("hunter2"));
}

/// One UDP query to `server`: (rcode, answer data in presentation format, sorted).
async fn ask(server: SocketAddr, name: &str, rtype: RecordType) -> (ResponseCode, Vec<String>) {
    let mut msg = Message::new();
    msg.set_id(rand_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(&msg.to_vec().unwrap(), server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    let len = tokio::time::timeout(Duration::from_secs(3), sock.recv(&mut buf))
        .await
        .expect("an answer within 3 s")
        .unwrap();
    let answer = Message::from_vec(&buf[..len]).unwrap();
    let mut data: Vec<String> = answer
        .answers()
        .iter()
        .filter(|r| r.record_type() == rtype)
        .map(|r| r.data().to_string())
        .collect();
    data.sort();
    (answer.response_code(), data)
}

fn rand_id() -> u16 {
    (Uuid::new_v4().as_u128() & 0xffff) as u16
}

async fn serial_of(server: SocketAddr, zone: &str) -> Option<u32> {
    crate::dnsutils::query_soa_serial(zone, server, Duration::from_secs(3))
        .await
        .unwrap()
}

/// A store with one zone and a recordset of each common type.
async fn store_with_zone(name: &str) -> (Arc<dyn Storage>, Zone) {
    let storage = SqlStorage::connect("sqlite::memory:").await.unwrap();
    storage.migrate().await.unwrap();
    let storage: Arc<dyn Storage> = Arc::new(storage);
    let p = pool("sql-test");
    let mut z = stored_zone(name, "project", p.id);
    z.serial = 1_700_000_100;
    let mut tx = storage.begin().await.unwrap();
    tx.create_pool(&p).await.unwrap();
    tx.create_zone(&z).await.unwrap();
    let at = |label: &str| format!("{label}.{name}");
    for (owner, rtype, data) in [
        (
            name.to_owned(),
            "SOA",
            format!("ns1.{name} hostmaster.{name} 1 3500 600 86400 3600"),
        ),
        (name.to_owned(), "NS", format!("ns1.{name}")),
        (at("www"), "A", "192.0.2.10".to_owned()),
        (name.to_owned(), "MX", format!("10 mail.{name}")),
        (at("txt"), "TXT", "\"hello world\"".to_owned()),
        (at("_sip._tcp"), "SRV", format!("10 5 5060 sip.{name}")),
        (at("alias"), "CNAME", at("www")),
    ] {
        tx.create_recordset(&recordset(&z, &owner, rtype, &[&data]))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    (storage, z)
}

async fn create_update_delete(engine: PdnsSqlEngine) {
    let pdns = PdnsSql::start(engine);
    let name = "sql-backend.example.";
    let (storage, zone) = store_with_zone(name).await;
    let ctx = BackendContext {
        storage: Some(Arc::clone(&storage)),
        ..BackendContext::default()
    };
    let backend = PowerDnsSqlBackend::from_target(&pdns.target(), &ctx).unwrap();

    backend.create_zone(&zone).await.unwrap();
    assert_eq!(serial_of(pdns.addr, name).await, Some(1_700_000_100));
    let www = format!("www.{name}");
    assert_eq!(
        ask(pdns.addr, &www, RecordType::A).await,
        (ResponseCode::NoError, vec!["192.0.2.10".to_owned()])
    );
    assert_eq!(
        ask(pdns.addr, name, RecordType::MX).await.1,
        [format!("10 mail.{name}")]
    );
    assert_eq!(
        ask(pdns.addr, &format!("txt.{name}"), RecordType::TXT)
            .await
            .1,
        ["hello world"]
    );
    assert_eq!(
        ask(pdns.addr, &format!("_sip._tcp.{name}"), RecordType::SRV)
            .await
            .1,
        [format!("10 5 5060 sip.{name}")]
    );
    assert_eq!(
        ask(pdns.addr, &format!("alias.{name}"), RecordType::CNAME)
            .await
            .1,
        std::slice::from_ref(&www)
    );
    assert_eq!(
        ask(pdns.addr, name, RecordType::NS).await.1,
        [format!("ns1.{name}")]
    );
    let domain = "sql-backend.example";
    let count = |sql: &str| pdns.query(sql).trim().to_owned();
    assert_eq!(count("SELECT type FROM domains"), "NATIVE");
    assert_eq!(count("SELECT COUNT(*) FROM records"), "7");

    // A repeated create (a re-driven task) leaves exactly the same rows.
    backend.create_zone(&zone).await.unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM records"), "7");

    // Update: the store changes (new serial, www replaced, a record added); the update writes
    // exactly the store's data.
    {
        let mut tx = storage.begin().await.unwrap();
        let mut z = tx.get_zone(zone.id).await.unwrap();
        z.serial = 1_700_000_200;
        tx.update_zone(&z).await.unwrap();
        let old = tx
            .zone_recordsets(zone.id)
            .await
            .unwrap()
            .into_iter()
            .find(|rs| rs.name == www)
            .unwrap();
        tx.delete_recordset(old.id).await.unwrap();
        tx.create_recordset(&recordset(&z, &www, "A", &["192.0.2.11", "192.0.2.12"]))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    backend.update_zone(&zone).await.unwrap();
    assert_eq!(serial_of(pdns.addr, name).await, Some(1_700_000_200));
    assert_eq!(
        ask(pdns.addr, &www, RecordType::A).await.1,
        ["192.0.2.11", "192.0.2.12"]
    );
    assert_eq!(count("SELECT COUNT(*) FROM records"), "8");

    // An older state (a task that read the store before the last change and finishes late)
    // never overwrites a newer serial.
    {
        let mut tx = storage.begin().await.unwrap();
        let mut z = tx.get_zone(zone.id).await.unwrap();
        z.serial = 1_700_000_150;
        tx.update_zone(&z).await.unwrap();
        tx.commit().await.unwrap();
    }
    backend.update_zone(&zone).await.unwrap();
    assert_eq!(serial_of(pdns.addr, name).await, Some(1_700_000_200));

    // MASTER zones on request.
    let mut master = pdns.target();
    master.options.push(PoolAttribute {
        key: "domain_type".to_owned(),
        value: "MASTER".to_owned(),
    });
    {
        let mut tx = storage.begin().await.unwrap();
        let mut z = tx.get_zone(zone.id).await.unwrap();
        z.serial = 1_700_000_300;
        tx.update_zone(&z).await.unwrap();
        tx.commit().await.unwrap();
    }
    PowerDnsSqlBackend::from_target(&master, &ctx)
        .unwrap()
        .update_zone(&zone)
        .await
        .unwrap();
    assert_eq!(count("SELECT type FROM domains"), "MASTER");
    assert_eq!(serial_of(pdns.addr, name).await, Some(1_700_000_300));

    // Delete: domain and records gone, PowerDNS no longer serves it; a repeated delete is success.
    backend.delete_zone(&zone).await.unwrap();
    assert_eq!(serial_of(pdns.addr, name).await, None);
    assert_eq!(count("SELECT COUNT(*) FROM domains"), "0");
    assert_eq!(count("SELECT COUNT(*) FROM records"), "0");
    backend.delete_zone(&zone).await.unwrap();
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) FROM domains WHERE name = '{domain}'"
        )),
        "0"
    );
}

#[tokio::test]
async fn create_update_delete_on_a_real_pdns_with_gmysql() {
    create_update_delete(PdnsSqlEngine::MySql).await;
}

#[tokio::test]
async fn create_update_delete_on_a_real_pdns_with_gpgsql() {
    create_update_delete(PdnsSqlEngine::Postgres).await;
}

#[tokio::test]
async fn an_unreachable_database_is_a_target_error() {
    let port = crate::testing::free_port();
    let (storage, zone) = store_with_zone("down.example.").await;
    let ctx = BackendContext {
        storage: Some(storage),
        ..BackendContext::default()
    };
    let url = format!("mysql://root@127.0.0.1:{port}/pdns");
    let backend = PowerDnsSqlBackend::from_target(&target(&[("connection", &url)]), &ctx).unwrap();
    let err = backend.create_zone(&zone).await;
    assert!(matches!(err, Err(BackendError::Target(_))), "{err:?}");
    let err = backend.delete_zone(&zone).await;
    assert!(matches!(err, Err(BackendError::Target(_))), "{err:?}");
    // Without a store the backend cannot know the data: a configuration error, not a panic.
    let backend = PowerDnsSqlBackend::from_target(
        &target(&[("connection", &url)]),
        &BackendContext::default(),
    )
    .unwrap();
    assert!(matches!(
        backend.create_zone(&zone).await,
        Err(BackendError::Config(_))
    ));
}
