//! The worker's DNS client (`designate_backends::dnsutils`) against a real MiniDNS: the serial
//! poll and NOTIFY exchanges the worker depends on.

mod common;

use std::time::Duration;

use common::*;
use designate_backends::dnsutils::{notify, query_soa_serial, DnsError};
use hickory_proto::op::ResponseCode;

#[tokio::test]
async fn soa_serial_poll_against_minidns() {
    let fx = start().await;
    let zone = zone("poll.example.", 123_456);
    store(&fx.storage, &zone, &managed_sets(&zone)).await;
    let timeout = Duration::from_secs(2);
    assert_eq!(
        query_soa_serial("poll.example.", fx.addr, timeout)
            .await
            .unwrap(),
        Some(123_456)
    );
    // Dotless and mixed-case names are the same zone.
    assert_eq!(
        query_soa_serial("Poll.Example", fx.addr, timeout)
            .await
            .unwrap(),
        Some(123_456)
    );
    // MiniDNS refuses zones it does not hold: "not there".
    assert_eq!(
        query_soa_serial("other.example.", fx.addr, timeout)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn notify_to_minidns_for_a_primary_zone_is_notauth() {
    let fx = start().await;
    let zone = zone("notify.example.", 1);
    store(&fx.storage, &zone, &managed_sets(&zone)).await;
    let err = notify("notify.example.", fx.addr, Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DnsError::Rcode {
                rcode: ResponseCode::NotAuth,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn nothing_listening_is_a_transient_error() {
    let fx = start().await;
    let addr = fx.addr;
    fx.shutdown.cancel();
    fx.server.await.unwrap().unwrap();
    let err = query_soa_serial("poll.example.", addr, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
}
