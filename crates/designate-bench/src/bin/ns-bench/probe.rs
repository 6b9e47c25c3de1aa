//! Waiting until a server answers every zone: SOA queries over UDP in rounds, in batches of
//! a few hundred in flight, until each zone has been answered authoritatively with its SOA.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Result};
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use tokio::net::UdpSocket;
use tokio::time::Instant;

/// Queries in flight at once.
const BATCH: usize = 256;

/// Returns once every zone of `names` is answered; fails after `timeout`.
pub(crate) async fn wait_all_served(
    addr: SocketAddr,
    names: &[String],
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let mut pending: Vec<usize> = (0..names.len()).collect();
    let mut buf = vec![0u8; 4096];
    while !pending.is_empty() {
        if Instant::now() > deadline {
            bail!(
                "{} of {} zones still unanswered",
                pending.len(),
                names.len()
            );
        }
        let mut still = Vec::new();
        for chunk in pending.chunks(BATCH) {
            let mut answered = vec![false; chunk.len()];
            for (k, &i) in chunk.iter().enumerate() {
                socket
                    .send_to(&soa_query(&names[i], k as u16)?, addr)
                    .await?;
            }
            let until = Instant::now() + Duration::from_millis(300);
            let mut left = chunk.len();
            while left > 0 {
                let Ok(received) = tokio::time::timeout_at(until, socket.recv(&mut buf)).await
                else {
                    break;
                };
                let Ok(m) = Message::from_vec(&buf[..received?]) else {
                    continue;
                };
                let k = usize::from(m.id());
                let fits = k < chunk.len()
                    && m.queries().first().is_some_and(|q| {
                        q.name().to_ascii().eq_ignore_ascii_case(&names[chunk[k]])
                    });
                if fits && !answered[k] && serves(&m) {
                    answered[k] = true;
                    left -= 1;
                }
            }
            still.extend(
                chunk
                    .iter()
                    .zip(&answered)
                    .filter(|(_, a)| !**a)
                    .map(|(i, _)| *i),
            );
        }
        if !still.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        pending = still;
    }
    Ok(())
}

/// An authoritative answer holding the SOA.
fn serves(m: &Message) -> bool {
    m.response_code() == ResponseCode::NoError
        && m.authoritative()
        && m.answers()
            .iter()
            .any(|r| r.record_type() == RecordType::SOA)
}

fn soa_query(zone: &str, id: u16) -> Result<Vec<u8>> {
    let mut m = Message::new();
    m.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(Name::from_ascii(zone)?, RecordType::SOA));
    Ok(m.to_vec()?)
}
