//! Producer fail-over with real processes: two `designate producer` instances over RabbitMQ
//! share the 16 shard buckets through leases in the store; after one is killed with SIGKILL
//! (no release, no goodbye) the other holds every bucket once the dead one's leases lapse —
//! one lease period after its last renewal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use designate_storage::{SqlStorage, Storage};

use crate::bus_harness::{broker_url, uuid_tag, Role};

/// Short, so the test is quick; the producer renews every third of it.
const LEASE_PERIOD: Duration = Duration::from_secs(3);

/// Live bucket leases: bucket lease name → holder.
async fn bucket_holders(storage: &SqlStorage) -> BTreeMap<String, String> {
    let mut tx = storage.begin_read().await.expect("begin_read");
    let now = chrono::Utc::now().naive_utc();
    tx.find_leases("producer/bucket/")
        .await
        .expect("find_leases")
        .into_iter()
        .filter(|l| l.expires_at > now)
        .map(|l| (l.name, l.holder))
        .collect()
}

/// The holder id a producer logged at start (waits for the line; strips colour codes).
fn holder_of(role: &Role) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = role.lines().iter().find_map(|line| {
            let plain = strip_ansi(line);
            let rest = plain.split_once("holder=")?.1.to_owned();
            (plain.contains("producer started")).then(|| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .trim_matches('"')
                    .to_owned()
            })
        });
        if let Some(holder) = found.filter(|h| !h.is_empty()) {
            return holder;
        }
        assert!(
            Instant::now() < deadline,
            "{} logged no holder id: {:#?}",
            role.name,
            role.lines()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ … final byte in @..~
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) && d != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn write_config(dir: &Path, tag: &str) -> std::path::PathBuf {
    let path = dir.join("designate.conf");
    std::fs::write(
        &path,
        format!(
            "[DEFAULT]\nstate_path = {state}\ntransport_url = {url}\ncontrol_exchange = designate-e2e-{tag}\n\
             rpc_response_timeout = 5\n\n\
             [oslo_messaging_notifications]\ndriver = noop\n\n\
             [service:central]\ntopic = central-{tag}\n\n[service:worker]\ntopic = worker-{tag}\n\n\
             [service:producer]\nlease_period = {period}\n",
            state = dir.display(),
            url = broker_url(),
            period = LEASE_PERIOD.as_secs(),
        ),
    )
    .expect("write config");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_producers_shards_go_to_the_survivor_within_a_lease_period() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tag = uuid_tag();
    let config = write_config(dir.path(), &tag);
    let status = Command::new(env!("CARGO_BIN_EXE_designate"))
        .arg("--config")
        .arg(&config)
        .args(["manage", "database", "sync"])
        .stderr(Stdio::null())
        .status()
        .expect("manage");
    assert!(status.success(), "database sync failed");
    let _central = Role::start("central", &config, "central", "info", "central consuming");
    let mut first = Role::start("producer-1", &config, "producer", "info", "producer ready");
    let second = Role::start("producer-2", &config, "producer", "info", "producer ready");
    let (dead, survivor) = (holder_of(&first), holder_of(&second));
    assert_ne!(dead, survivor);
    let storage = SqlStorage::connect(&format!(
        "sqlite:///{}",
        dir.path().join("designate.sqlite").display()
    ))
    .await
    .expect("open the store");

    // Both instances share the 16 buckets, 8 each.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let holders = bucket_holders(&storage).await;
        let per: Vec<usize> = [&dead, &survivor]
            .iter()
            .map(|h| holders.values().filter(|v| v == h).count())
            .collect();
        if holders.len() == 16 && per == [8, 8] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "buckets not shared 8/8: {holders:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    first.kill();
    let killed = Instant::now();
    // The dead instance's leases lapse at most one period after its last renewal (which was
    // at most one tick, a third of the period, before the kill); the survivor claims them at
    // its next tick.
    let bound = LEASE_PERIOD + LEASE_PERIOD / 3 + LEASE_PERIOD / 3 + Duration::from_millis(500);
    loop {
        let holders = bucket_holders(&storage).await;
        let all: BTreeSet<&String> = holders.values().collect();
        if holders.len() == 16 && all == BTreeSet::from([&survivor]) {
            break;
        }
        assert!(
            killed.elapsed() < bound,
            "the survivor did not take every bucket within {bound:?}: {holders:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = killed.elapsed();
    eprintln!(
        "survivor held all 16 buckets {took:?} after the kill (lease period {LEASE_PERIOD:?})"
    );
    // Not before the dead instance's leases could lapse: a live lease is never stolen.
    assert!(
        took >= LEASE_PERIOD - LEASE_PERIOD / 3 - Duration::from_millis(200),
        "buckets changed hands before the lease period: {took:?}"
    );
}
