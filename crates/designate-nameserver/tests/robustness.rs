//! Hostile and unusual input, TCP connection handling, and interoperability with `dig`.

mod common;

use std::time::Duration;

use common::*;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RecordType;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn garbage_never_kills_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let addr = server.addr();

    // Too short for a header: silently dropped.
    assert!(udp_raw(addr, &[1, 2, 3], "127.0.0.1:0").await.is_none());
    assert!(udp_raw(addr, &[], "127.0.0.1:0").await.is_none());

    // A header claiming a question that is not there: FORMERR with the same id.
    let header_only = [0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    let formerr = udp_raw(addr, &header_only, "127.0.0.1:0")
        .await
        .expect("FORMERR");
    let formerr = Message::from_vec(&formerr).unwrap();
    assert_eq!(formerr.id(), 0xabcd);
    assert_eq!(formerr.response_code(), ResponseCode::FormErr);

    // A label pointer loop.
    let mut looped = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    looped.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
    let response = udp_raw(addr, &looped, "127.0.0.1:0").await.expect("answer");
    assert_eq!(
        Message::from_vec(&response).unwrap().response_code(),
        ResponseCode::FormErr
    );

    // A response (QR=1) is never answered: no reflection loops.
    let mut response_bit = query("www.example.org.", RecordType::A, None)
        .to_vec()
        .unwrap();
    response_bit[2] |= 0x80;
    assert!(udp_raw(addr, &response_bit, "127.0.0.1:0").await.is_none());

    // Pseudo-random bytes of many lengths, sent without waiting for answers.
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut seed: u32 = 0x1234_5678;
    for len in (0..2000).step_by(3) {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 24) as u8
            })
            .collect();
        socket.send_to(&bytes, addr).await.unwrap();
        // Same bytes behind a valid query header, so the decoder gets past the header.
        let mut framed = vec![0x55, 0x55, 0x00, 0x00, 0, 1, 0, 1, 0, 1, 0, 1];
        framed.extend_from_slice(&bytes);
        socket.send_to(&framed, addr).await.unwrap();
    }
    // Garbage over TCP: a length prefix promising more than is sent, then close.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&[0x10, 0x00, 1, 2, 3]).await.unwrap();
    drop(stream);

    let still = udp(addr, &query("www.example.org.", RecordType::A, None)).await;
    assert_eq!(still.answers().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn tcp_pipelining_idle_timeout_and_connection_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.tcp_idle_timeout = Duration::from_millis(400);
    cfg.max_tcp_connections = 1;
    let (_master, server) = loaded_with(cfg, zone_records(1), 1).await;

    // Three queries in one write; three answers in order.
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let queries: Vec<_> = ["www.example.org.", "mx.example.org.", "nope.example.org."]
        .iter()
        .map(|q| query(q, RecordType::A, None))
        .collect();
    let mut batch = Vec::new();
    for q in &queries {
        let bytes = q.to_vec().unwrap();
        batch.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        batch.extend_from_slice(&bytes);
    }
    stream.write_all(&batch).await.unwrap();
    for q in &queries {
        let len = stream.read_u16().await.unwrap();
        let mut body = vec![0u8; usize::from(len)];
        stream.read_exact(&mut body).await.unwrap();
        assert_eq!(Message::from_vec(&body).unwrap().id(), q.id());
    }

    // The limit is one connection: a second one is closed at once.
    let mut second = TcpStream::connect(server.addr()).await.unwrap();
    let mut buf = [0u8; 2];
    let closed = tokio::time::timeout(Duration::from_secs(2), second.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "second connection refused"
    );

    // Idle past the timeout: the server closes the first connection.
    let idle = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf)).await;
    assert!(
        matches!(idle, Ok(Ok(0)) | Ok(Err(_))),
        "idle connection closed"
    );

    // Its slot is free again.
    let response = tcp(
        server.addr(),
        &query("www.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(response.answers().len(), 1);
    server.stop().await;
}

/// Real `dig` must see an authoritative answer. A missing `dig` fails the test: install
/// bind9-dnsutils.
#[tokio::test]
async fn dig_sees_authoritative_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let addr = server.addr();
    let output = tokio::process::Command::new("dig")
        .args([
            &format!("@{}", addr.ip()),
            "-p",
            &addr.port().to_string(),
            "www.example.org",
            "A",
            "+norec",
            "+time=2",
            "+tries=1",
        ])
        .output()
        .await
        .expect("dig must be installed (apt-get install bind9-dnsutils)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "dig failed: {text}");
    assert!(text.contains("status: NOERROR"), "{text}");
    let flags = text
        .lines()
        .find(|l| l.contains("flags:"))
        .unwrap_or_default()
        .to_owned();
    assert!(flags.contains(" aa"), "aa flag missing: {flags}");
    assert!(text.contains("192.0.2.1"), "{text}");

    let tcp_out = tokio::process::Command::new("dig")
        .args([
            &format!("@{}", addr.ip()),
            "-p",
            &addr.port().to_string(),
            "big.example.org",
            "TXT",
            "+norec",
            "+time=2",
            "+tries=1",
        ])
        .output()
        .await
        .expect("dig runs");
    let text = String::from_utf8_lossy(&tcp_out.stdout);
    // dig retries truncated answers over TCP by itself.
    assert!(text.contains("ANSWER: 60"), "{text}");
    server.stop().await;
}

#[tokio::test]
async fn udp_workers_share_the_socket_and_a_second_server_cannot_take_the_port() {
    let dir = tempfile::tempdir().unwrap();
    let config_with_workers = designate_nameserver::NameserverConfig {
        udp_workers: 4,
        ..config(dir.path())
    };
    let (_master, server) = loaded_with(config_with_workers, zone_records(1), 1).await;
    let addr = server.addr();

    // 64 clients at once, received by four threads on one socket: every query answered once.
    let all_answered = |addr| async move {
        let mut clients = tokio::task::JoinSet::new();
        for _ in 0..64 {
            clients.spawn(async move {
                let request = query("www.example.org.", RecordType::A, None);
                udp_raw(addr, &request.to_vec().unwrap(), "127.0.0.1:0").await
            });
        }
        clients.join_all().await.iter().flatten().count()
    };
    assert_eq!(all_answered(addr).await, 64);

    // The port is ours: a second server on it fails to bind, and the first keeps answering.
    let other = tempfile::tempdir().unwrap();
    let second = designate_nameserver::start(
        designate_nameserver::NameserverConfig {
            listen: addr,
            udp_workers: 4,
            ..config(other.path())
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await;
    assert!(
        matches!(
            second,
            Err(designate_nameserver::NameserverError::Bind { .. })
        ),
        "second server on {addr}: {second:?}"
    );
    assert_eq!(all_answered(addr).await, 64);
    server.stop().await;
}
