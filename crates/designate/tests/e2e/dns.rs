//! Real DNS packets: queries with hickory-proto over UDP/TCP, and the real `dig`.

use std::net::SocketAddr;
use std::process::Command;
use std::str::FromStr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// Builds a query message (no recursion desired).
pub(crate) fn query_message(name: &str, rtype: RecordType) -> Message {
    let mut msg = Message::new();
    msg.set_id(rand_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(false)
        .add_query(Query::query(Name::from_str(name).expect("name"), rtype));
    msg
}

fn rand_id() -> u16 {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(7)
        & 0xffff) as u16
}

/// One UDP query; panics on timeout.
pub(crate) async fn udp(server: SocketAddr, name: &str, rtype: RecordType) -> Message {
    let msg = query_message(name, rtype);
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    sock.send_to(&msg.to_vec().expect("encode"), server)
        .await
        .expect("send");
    let mut buf = vec![0u8; 65535];
    let len = tokio::time::timeout(Duration::from_secs(2), sock.recv(&mut buf))
        .await
        .expect("udp answer within 2 s")
        .expect("recv");
    let answer = Message::from_vec(&buf[..len]).expect("decode answer");
    assert_eq!(answer.id(), msg.id());
    answer
}

/// One TCP query (one message back).
pub(crate) async fn tcp(server: SocketAddr, name: &str, rtype: RecordType) -> Message {
    let msg = query_message(name, rtype).to_vec().expect("encode");
    let mut stream = TcpStream::connect(server).await.expect("connect");
    stream
        .write_all(&(msg.len() as u16).to_be_bytes())
        .await
        .expect("write");
    stream.write_all(&msg).await.expect("write");
    let mut len = [0u8; 2];
    tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut len))
        .await
        .expect("tcp answer within 2 s")
        .expect("read");
    let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
    stream.read_exact(&mut buf).await.expect("read");
    Message::from_vec(&buf).expect("decode")
}

/// Waits until `name`/`rtype` is answered by `server` with rcode NOERROR and at least one answer
/// record satisfying `pred`; returns the elapsed time.
pub(crate) async fn wait_answer(
    server: SocketAddr,
    name: &str,
    rtype: RecordType,
    within: Duration,
    pred: impl Fn(&Message) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let msg = udp(server, name, rtype).await;
        if msg.response_code() == ResponseCode::NoError && pred(&msg) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "{name} {rtype} not answered as expected within {within:?}: {msg:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs the real `dig` and returns its stdout. A missing `dig` fails the test.
pub(crate) fn dig(server: SocketAddr, args: &[&str]) -> String {
    let out = Command::new("dig")
        .arg(format!("@{}", server.ip()))
        .arg("-p")
        .arg(server.port().to_string())
        .args(["+time=2", "+tries=1"])
        .args(args)
        .output()
        .expect(
            "`dig` must be installed (Debian package bind9-dnsutils); scripts/test installs it",
        );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The records of a `dig` answer section as (name, type, rdata) triples, ignoring TTL and class.
pub(crate) fn dig_records(output: &str) -> Vec<(String, String, String)> {
    output
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next()?.to_owned();
            let _ttl = parts.next()?;
            let _class = parts.next()?;
            let rtype = parts.next()?.to_owned();
            let rdata = parts.collect::<Vec<_>>().join(" ");
            Some((name, rtype, rdata))
        })
        .collect()
}
