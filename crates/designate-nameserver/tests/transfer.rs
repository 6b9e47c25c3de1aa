//! Zone list and transfers: add/remove, NOTIFY, SOA timers, master outages, restart.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use designate_nameserver::NameserverConfig;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::RecordType;

fn notify(zone: &str) -> Message {
    let mut m = Message::new();
    m.set_id(rand_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Notify)
        .set_authoritative(true)
        .add_query(Query::query(name(zone), RecordType::SOA));
    m
}

async fn send_notify(server: std::net::SocketAddr, zone: &str, from: &str) -> Message {
    let request = notify(zone);
    let bytes = udp_raw(server, &request.to_vec().unwrap(), from)
        .await
        .expect("NOTIFY answered");
    let response = Message::from_vec(&bytes).unwrap();
    assert_eq!(response.id(), request.id());
    assert_eq!(response.op_code(), OpCode::Notify);
    response
}

#[tokio::test]
async fn add_zone_is_idempotent_and_remove_stops_serving() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 1).await;
    server
        .handle
        .add_zone("Example.ORG", vec![master.addr])
        .await
        .unwrap();
    assert_eq!(server.handle.zones(), ["example.org."]);
    assert_eq!(server.handle.zone_serial(ZONE), Some(1));
    assert!(server
        .handle
        .add_zone("bad..name", vec![master.addr])
        .await
        .is_err());

    server.handle.remove_zone(ZONE).await.unwrap();
    server.handle.remove_zone(ZONE).await.unwrap();
    assert_eq!(server.handle.zone_serial(ZONE), None);
    let response = udp(
        server.addr(),
        &query("www.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(response.response_code(), ResponseCode::Refused);
    server.stop().await;
}

#[tokio::test]
async fn notify_from_master_triggers_transfer_of_new_serial() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 1).await;
    let axfrs = master.axfrs.load(Ordering::SeqCst);

    // Same serial: acknowledged, SOA checked, no transfer.
    let ack = send_notify(server.addr(), ZONE, "127.0.0.1:0").await;
    assert_eq!(ack.response_code(), ResponseCode::NoError);
    assert!(ack.authoritative());
    assert_eq!(ack.message_type(), MessageType::Response);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(master.axfrs.load(Ordering::SeqCst), axfrs);

    master.set_records(zone_records(2));
    let ack = send_notify(server.addr(), "EXAMPLE.org.", "127.0.0.1:0").await;
    assert_eq!(ack.response_code(), ResponseCode::NoError);
    server.wait_serial(2).await;
    let response = udp(
        server.addr(),
        &query("s2.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(response.answers().len(), 1);
    let gone = udp(
        server.addr(),
        &query("s1.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(gone.response_code(), ResponseCode::NXDomain);

    // RFC 1982: a serial that wrapped around is still newer.
    master.set_records(zone_records(2u32.wrapping_add(1 << 30)));
    send_notify(server.addr(), ZONE, "127.0.0.1:0").await;
    server.wait_serial(2u32.wrapping_add(1 << 30)).await;
    // And an older serial is ignored.
    master.set_records(zone_records(3));
    send_notify(server.addr(), ZONE, "127.0.0.1:0").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        server.handle.zone_serial(ZONE),
        Some(2u32.wrapping_add(1 << 30))
    );
    server.stop().await;
}

#[tokio::test]
async fn notify_for_unknown_zone_or_from_stranger_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 1).await;
    let unknown = send_notify(server.addr(), "example.net.", "127.0.0.1:0").await;
    assert_eq!(unknown.response_code(), ResponseCode::NotAuth);

    master.set_records(zone_records(5));
    // 127.0.0.2 is loopback but not the zone's master.
    let stranger = send_notify(server.addr(), ZONE, "127.0.0.2:0").await;
    assert_eq!(stranger.response_code(), ResponseCode::Refused);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.handle.zone_serial(ZONE), Some(1));
    server.stop().await;
}

#[tokio::test]
async fn notifies_during_a_transfer_coalesce() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 1).await;
    let before = master.axfrs.load(Ordering::SeqCst);
    master.set_axfr_delay(Duration::from_millis(500));
    master.set_records(zone_records(2));
    for _ in 0..10 {
        send_notify(server.addr(), ZONE, "127.0.0.1:0").await;
    }
    server.wait_serial(2).await;
    // Let the one coalesced follow-up refresh run.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        master.axfrs.load(Ordering::SeqCst),
        before + 1,
        "one transfer for ten NOTIFYs"
    );
    server.stop().await;
}

#[tokio::test]
async fn soa_refresh_timer_picks_up_changes_and_expire_stops_answers() {
    let dir = tempfile::tempdir().unwrap();
    // refresh 1 s, retry 1 s, expire 3 s.
    let (master, server) = loaded_with(config(dir.path()), zone_with_timers(1, (1, 1, 3)), 1).await;

    // No NOTIFY: the refresh timer finds serial 2.
    master.set_records(zone_with_timers(2, (1, 1, 3)));
    server.wait_serial(2).await;

    // Master gone: after `expire` the zone answers SERVFAIL.
    master.stop();
    let ok = udp(
        server.addr(),
        &query("www.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(ok.response_code(), ResponseCode::NoError);
    wait_for(|| server.handle.zone_serial(ZONE).is_none()).await;
    let failed = udp(
        server.addr(),
        &query("www.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(failed.response_code(), ResponseCode::ServFail);
    server.stop().await;
}

#[tokio::test]
async fn master_down_at_start_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    // Reserve a port, then free it: the master is "down".
    let port_holder = TestMaster::start(zone_records(1)).await;
    let addr = port_holder.addr;
    drop(port_holder);
    tokio::time::sleep(Duration::from_millis(50)).await;

    let server = TestServer::start(config(dir.path())).await;
    server.handle.add_zone(ZONE, vec![addr]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.handle.zone_serial(ZONE), None);
    let pending = udp(
        server.addr(),
        &query("www.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(pending.response_code(), ResponseCode::ServFail);

    let _master = TestMaster::start_on(addr, zone_records(7)).await;
    server.wait_serial(7).await;
    server.stop().await;
}

#[tokio::test]
async fn restart_reloads_the_zone_list() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 3).await;
    server
        .handle
        .add_zone("other.test.", vec![master.addr])
        .await
        .unwrap();
    server.handle.remove_zone("other.test.").await.unwrap();
    server.stop().await;

    let server = TestServer::start(config(dir.path())).await;
    assert_eq!(server.handle.zones(), ["example.org."]);
    server.wait_serial(3).await;
    let response = udp(
        server.addr(),
        &query("www.example.org.", RecordType::A, None),
    )
    .await;
    assert!(response.authoritative());
    server.stop().await;
}

#[tokio::test]
async fn failing_master_falls_back_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let down = TestMaster::start(zone_records(1)).await;
    let down_addr = down.addr;
    drop(down);
    let master = TestMaster::start(zone_records(4)).await;
    let server = TestServer::start(config(dir.path())).await;
    server
        .handle
        .add_zone(ZONE, vec![down_addr, master.addr])
        .await
        .unwrap();
    server.wait_serial(4).await;
    server.stop().await;
}

#[tokio::test]
async fn add_zones_registers_many_at_once_one_refresh_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let master = TestMaster::start(zone_records(5)).await;
    let server = TestServer::start(NameserverConfig {
        max_concurrent_refreshes: 1,
        ..config(dir.path())
    })
    .await;
    // The master does not serve other.test.: its refreshes fail, and must not hold the one
    // permit from example.org.
    let result = server
        .handle
        .add_zones([
            ("other.test.".to_owned(), vec![master.addr]),
            ("bad..name".to_owned(), vec![master.addr]),
            ("Example.ORG".to_owned(), vec![master.addr]),
        ])
        .await;
    assert!(result.is_err(), "the invalid name is reported");
    assert_eq!(server.handle.zones(), ["example.org.", "other.test."]);
    server.wait_serial(5).await;
    server.stop().await;

    // One write of the zone list held both valid zones.
    let server = TestServer::start(config(dir.path())).await;
    assert_eq!(server.handle.zones(), ["example.org.", "other.test."]);
    server.wait_serial(5).await;
    server.stop().await;
}

#[tokio::test]
async fn a_new_zone_is_refreshed_once_then_left_to_its_timers() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 3).await;
    // Time for a second refresh to show up, were one queued behind the first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        (
            master.soa_queries.load(Ordering::SeqCst),
            master.axfrs.load(Ordering::SeqCst)
        ),
        (1, 1),
        "one SOA query and one transfer for a zone just added"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_notify_asks_ixfr_without_an_soa_query_first() {
    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 5).await;
    let soa_queries = master.soa_queries.load(Ordering::SeqCst);
    send_notify(server.addr(), ZONE, "127.0.0.1:0").await;
    for _ in 0..100 {
        if master.ixfrs.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        master.ixfrs.load(Ordering::SeqCst),
        1,
        "IXFR after the NOTIFY"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        master.soa_queries.load(Ordering::SeqCst),
        soa_queries,
        "no SOA query before the IXFR"
    );
    // Current already: the lone SOA answered it, nothing transferred.
    assert_eq!(server.handle.zone_serial(ZONE), Some(5));
    server.stop().await;
}

/// Every push of the worker registers its zone again: for a zone already held with the same
/// masters that is a refresh, and the zone list on disk (written with an fsync) is left alone.
#[tokio::test]
async fn adding_a_held_zone_again_refreshes_it_without_rewriting_the_zone_list() {
    use std::os::unix::fs::MetadataExt;

    let dir = tempfile::tempdir().unwrap();
    let (master, server) = loaded(dir.path(), 1).await;
    let list = dir.path().join("zones.list");
    let written = std::fs::metadata(&list).unwrap().ino();
    master.set_records(zone_records(2));
    server
        .handle
        .add_zone(ZONE, vec![master.addr])
        .await
        .unwrap();
    server.wait_serial(2).await;
    assert_eq!(
        std::fs::metadata(&list).unwrap().ino(),
        written,
        "list rewritten"
    );

    // New masters are news for the list.
    let second = TestMaster::start(zone_records(2)).await;
    server
        .handle
        .add_zone(ZONE, vec![master.addr, second.addr])
        .await
        .unwrap();
    assert_ne!(std::fs::metadata(&list).unwrap().ino(), written);
    let listed = std::fs::read_to_string(&list).unwrap();
    assert!(listed.contains(&second.addr.to_string()), "{listed}");
    server.stop().await;
}
