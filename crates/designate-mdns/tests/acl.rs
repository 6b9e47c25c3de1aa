//! MiniDNS's access list against real sockets: clients bound to other loopback addresses
//! (all of 127/8 is local on Linux), pools written to a real SQLite store.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::*;
use designate_core::objects::{Pool, PoolAttribute, PoolNameserver, PoolTarget, Zone};
use designate_mdns::{AclEntry, MdnsConfig};
use designate_storage::{SqlStorage, Storage};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RecordType;
use tokio::net::{TcpSocket, UdpSocket};
use uuid::Uuid;

const TARGET: [u8; 4] = [127, 0, 0, 3];
const STRANGER: [u8; 4] = [127, 0, 0, 2];

fn ip(octets: [u8; 4]) -> IpAddr {
    IpAddr::from(octets)
}

/// One UDP exchange from a socket bound to `src`.
async fn udp_from(src: IpAddr, addr: SocketAddr, request: &Message) -> Message {
    let socket = UdpSocket::bind((src, 0)).await.unwrap();
    socket
        .send_to(&request.to_vec().unwrap(), addr)
        .await
        .unwrap();
    let mut buf = vec![0u8; 65535];
    let len = tokio::time::timeout(Duration::from_secs(2), socket.recv(&mut buf))
        .await
        .expect("no UDP answer")
        .unwrap();
    Message::from_vec(&buf[..len]).unwrap()
}

/// The first response message of a TCP exchange from a socket bound to `src`.
async fn tcp_from(src: IpAddr, addr: SocketAddr, request: &Message) -> Message {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(src, 0)).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    send_frame(&mut stream, &request.to_vec().unwrap()).await;
    read_frame(&mut stream).await.expect("no TCP answer")
}

fn pool(name: &str, target_host: &str, nameservers: &[&str]) -> Pool {
    Pool {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: Vec::new(),
        nameservers: nameservers
            .iter()
            .map(|h| PoolNameserver {
                id: Uuid::new_v4(),
                host: (*h).to_owned(),
                port: 53,
            })
            .collect(),
        targets: vec![PoolTarget {
            id: Uuid::new_v4(),
            target_type: "bind9".to_owned(),
            description: None,
            masters: Vec::new(),
            options: vec![PoolAttribute {
                key: "host".to_owned(),
                value: target_host.to_owned(),
            }],
        }],
        also_notifies: Vec::new(),
    }
}

async fn store_pool(storage: &SqlStorage, pool: &Pool) {
    let mut tx = storage.begin().await.unwrap();
    tx.create_pool(pool).await.unwrap();
    tx.commit().await.unwrap();
}

async fn update_pool(storage: &SqlStorage, pool: &Pool) {
    let mut tx = storage.begin().await.unwrap();
    tx.update_pool(pool).await.unwrap();
    tx.commit().await.unwrap();
}

async fn zone_in(fx: &Fixture, name: &str, pool: &Pool) -> Zone {
    let mut zone = zone(name, 2024);
    zone.pool_id = Some(pool.id);
    store(&fx.storage, &zone, &managed_sets(&zone)).await;
    zone
}

fn acl_config(refresh: Duration) -> MdnsConfig {
    MdnsConfig {
        acl_refresh: refresh,
        ..MdnsConfig::default()
    }
}

#[tokio::test]
async fn only_pool_servers_are_answered_and_pool_changes_apply_without_restart() {
    let fx = start_with(acl_config(Duration::from_millis(200))).await;
    let mut p = pool("p", "127.0.0.3", &[]);
    store_pool(&fx.storage, &p).await;
    zone_in(&fx, "acl.example.", &p).await;
    let soa = query(1, "acl.example.", RecordType::SOA);
    let axfr = query(2, "acl.example.", RecordType::AXFR);

    // A stranger: REFUSED over UDP and TCP, for SOA and AXFR alike, and no data.
    for r in [
        udp_from(ip(STRANGER), fx.addr, &soa).await,
        tcp_from(ip(STRANGER), fx.addr, &soa).await,
        tcp_from(ip(STRANGER), fx.addr, &axfr).await,
    ] {
        assert_eq!(r.response_code(), ResponseCode::Refused);
        assert!(r.answers().is_empty());
    }
    // The target's address: answered.
    let r = udp_from(ip(TARGET), fx.addr, &soa).await;
    assert_eq!(r.response_code(), ResponseCode::NoError);
    assert_eq!(r.answers().len(), 1);
    let r = tcp_from(ip(TARGET), fx.addr, &axfr).await;
    assert_eq!(r.response_code(), ResponseCode::NoError);
    assert_eq!(r.answers().first().unwrap().record_type(), RecordType::SOA);

    // The stranger becomes a nameserver of the pool: answered without a restart.
    p.nameservers.push(PoolNameserver {
        id: Uuid::new_v4(),
        host: "127.0.0.2".to_owned(),
        port: 53,
    });
    update_pool(&fx.storage, &p).await;
    tokio::time::sleep(designate_mdns_miss_reload()).await;
    let r = udp_from(ip(STRANGER), fx.addr, &soa).await;
    assert_eq!(r.response_code(), ResponseCode::NoError);

    // The target leaves the pool: refused after the next refresh.
    p.targets[0].options[0].value = "192.0.2.53".to_owned();
    update_pool(&fx.storage, &p).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = udp_from(ip(TARGET), fx.addr, &soa).await;
        if r.response_code() == ResponseCode::Refused {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a removed target is still answered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Slightly more than the shortest interval between two miss-triggered reloads.
fn designate_mdns_miss_reload() -> Duration {
    Duration::from_millis(300)
}

#[tokio::test]
async fn a_pool_server_sees_only_its_own_pools_zones() {
    let fx = start_with(acl_config(Duration::from_secs(60))).await;
    let p = pool("p", "127.0.0.3", &[]);
    let q = pool("q", "127.0.0.4", &["127.0.0.5"]);
    store_pool(&fx.storage, &p).await;
    store_pool(&fx.storage, &q).await;
    zone_in(&fx, "p.example.", &p).await;
    zone_in(&fx, "q.example.", &q).await;

    let p_soa = query(1, "p.example.", RecordType::SOA);
    let q_soa = query(2, "q.example.", RecordType::SOA);
    let code = |m: Message| m.response_code();
    assert_eq!(
        code(udp_from(ip(TARGET), fx.addr, &p_soa).await),
        ResponseCode::NoError
    );
    assert_eq!(
        code(udp_from(ip(TARGET), fx.addr, &q_soa).await),
        ResponseCode::Refused
    );
    let q_ns = ip([127, 0, 0, 5]);
    assert_eq!(
        code(udp_from(q_ns, fx.addr, &q_soa).await),
        ResponseCode::NoError
    );
    assert_eq!(
        code(udp_from(q_ns, fx.addr, &p_soa).await),
        ResponseCode::Refused
    );
    let q_axfr = query(3, "q.example.", RecordType::AXFR);
    assert_eq!(
        code(tcp_from(ip(TARGET), fx.addr, &q_axfr).await),
        ResponseCode::Refused
    );
    assert_eq!(
        code(tcp_from(q_ns, fx.addr, &q_axfr).await),
        ResponseCode::NoError
    );
}

#[tokio::test]
async fn listed_networks_see_every_pool_and_an_empty_list_refuses_all() {
    let fx = start_with(MdnsConfig {
        query_acl: vec![AclEntry::Pools, "127.0.0.6/31".parse().unwrap()],
        ..MdnsConfig::default()
    })
    .await;
    let p = pool("p", "127.0.0.3", &[]);
    store_pool(&fx.storage, &p).await;
    zone_in(&fx, "p.example.", &p).await;
    let soa = query(1, "p.example.", RecordType::SOA);
    for octet in [6, 7] {
        let r = udp_from(ip([127, 0, 0, octet]), fx.addr, &soa).await;
        assert_eq!(r.response_code(), ResponseCode::NoError, "127.0.0.{octet}");
    }
    let r = udp_from(ip([127, 0, 0, 8]), fx.addr, &soa).await;
    assert_eq!(r.response_code(), ResponseCode::Refused);

    let closed = start_with(MdnsConfig {
        query_acl: Vec::new(),
        ..MdnsConfig::default()
    })
    .await;
    store_pool(&closed.storage, &p).await;
    zone_in(&closed, "p.example.", &p).await;
    let r = udp_from(ip(TARGET), closed.addr, &soa).await;
    assert_eq!(r.response_code(), ResponseCode::Refused);
}

/// Sends `n` queries at once from `src` and counts the answers arriving within half a second.
async fn udp_burst(src: IpAddr, addr: SocketAddr, n: u16) -> usize {
    let socket = UdpSocket::bind((src, 0)).await.unwrap();
    for id in 0..n {
        let wire = query(id, "p.example.", RecordType::SOA).to_vec().unwrap();
        socket.send_to(&wire, addr).await.unwrap();
    }
    let mut answered = 0;
    let mut buf = vec![0u8; 65535];
    while let Ok(Ok(len)) =
        tokio::time::timeout(Duration::from_millis(500), socket.recv(&mut buf)).await
    {
        let m = Message::from_vec(&buf[..len]).unwrap();
        assert_eq!(m.response_code(), ResponseCode::NoError);
        answered += 1;
    }
    answered
}

#[tokio::test]
async fn clients_over_the_rate_limit_are_dropped_but_pool_servers_never() {
    let fx = start_with(MdnsConfig {
        query_acl: vec![AclEntry::Pools, AclEntry::Any],
        client_rate_limit: 5,
        client_rate_burst: 10,
        acl_refresh: Duration::from_millis(100),
        ..MdnsConfig::default()
    })
    .await;
    let p = pool("p", "127.0.0.3", &[]);
    store_pool(&fx.storage, &p).await;
    zone_in(&fx, "p.example.", &p).await;
    // Let a refresh of the ACL see the pool (pool members are exempt from the limit).
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stranger = udp_burst(ip(STRANGER), fx.addr, 40).await;
    // The burst of 10, plus at most a few tokens refilled at 5/s while sending.
    assert!(
        (10..=14).contains(&stranger),
        "stranger got {stranger} answers"
    );
    assert_eq!(udp_burst(ip(TARGET), fx.addr, 40).await, 40);
    // Another stranger has a bucket of its own.
    assert!(udp_burst(ip([127, 0, 0, 9]), fx.addr, 5).await == 5);

    // Over TCP the connection of a client out of tokens is closed.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(ip(STRANGER), 0)).unwrap();
    let mut stream = socket.connect(fx.addr).await.unwrap();
    let wire = query(1, "p.example.", RecordType::SOA).to_vec().unwrap();
    let started = std::time::Instant::now();
    for _ in 0..30 {
        send_frame(&mut stream, &wire).await;
    }
    let mut answered = 0;
    while read_frame(&mut stream).await.is_some() {
        answered += 1;
    }
    // At most a full bucket (the UDP bursts above took long enough to refill it on a slow
    // machine) plus what refilled at 5/s during this exchange; then the connection is closed.
    let refilled = (started.elapsed().as_secs_f64() * 5.0).ceil() as usize;
    assert!(
        answered <= 10 + refilled && answered < 30,
        "{answered} answers over the limit ({refilled} refilled during the exchange)"
    );
    // The pool's server pipelines as much as it likes.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(ip(TARGET), 0)).unwrap();
    let mut stream = socket.connect(fx.addr).await.unwrap();
    for _ in 0..50 {
        send_frame(&mut stream, &wire).await;
    }
    for _ in 0..50 {
        assert!(read_frame(&mut stream).await.is_some());
    }
}

#[tokio::test]
async fn a_reload_request_takes_access_away_at_once() {
    // A refresh period far beyond the test: only the reload request can apply the change.
    let fx = start_with(acl_config(Duration::from_secs(3600))).await;
    let mut p = pool("p", "127.0.0.3", &["127.0.0.2"]);
    store_pool(&fx.storage, &p).await;
    zone_in(&fx, "reload.example.", &p).await;
    let soa = query(1, "reload.example.", RecordType::SOA);
    let r = udp_from(ip(STRANGER), fx.addr, &soa).await;
    assert_eq!(r.response_code(), ResponseCode::NoError);

    // The nameserver leaves the pool; a known address never triggers a reload by itself, so
    // it would keep access for an hour. A reload request (what central's broadcast to every
    // MiniDNS turns into) applies the removal now.
    p.nameservers.clear();
    update_pool(&fx.storage, &p).await;
    fx.reload.reload_now();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = udp_from(ip(STRANGER), fx.addr, &soa).await;
        if r.response_code() == ResponseCode::Refused {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "removed server still answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
