//! TSIG (RFC 8945) on MiniDNS against independent implementations: the real `dig -y` and a real
//! BIND9 secondary transferring with `primaries { … key "k"; }`. MiniDNS runs with an empty ACL,
//! so only signed requests are answered at all.

mod common;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use designate_backends::testing::{free_port, program};
use designate_core::objects::{Pool, TsigAlgorithm, TsigKey, TsigScope, Zone};
use designate_mdns::MdnsConfig;
use designate_storage::{SqlStorage, Storage};
use uuid::Uuid;

const SECRET: &str = "bWluaWRucy10c2lnLXRlc3Qtc2VjcmV0LTAxMjM0NTY3";
const OTHER_SECRET: &str = "c29tZXRoaW5nLWVsc2UtZW50aXJlbHk=";

fn pool() -> Pool {
    Pool {
        id: Uuid::new_v4(),
        name: "tsig".to_owned(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: Vec::new(),
        nameservers: Vec::new(),
        targets: Vec::new(),
        also_notifies: Vec::new(),
    }
}

fn key(name: &str, algorithm: TsigAlgorithm, scope: TsigScope, resource_id: Uuid) -> TsigKey {
    TsigKey {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        name: name.to_owned(),
        algorithm,
        secret: SECRET.to_owned(),
        scope,
        resource_id,
    }
}

async fn store_key(storage: &SqlStorage, key: &TsigKey) {
    let mut tx = storage.begin().await.unwrap();
    tx.create_tsigkey(key).await.unwrap();
    tx.commit().await.unwrap();
}

/// MiniDNS answering signed requests only, with one pool and `records` A records per zone.
async fn signed_only(max_message_size: usize) -> (Fixture, Pool) {
    let fx = start_with(MdnsConfig {
        query_acl: Vec::new(),
        max_message_size,
        ..MdnsConfig::default()
    })
    .await;
    let p = pool();
    let mut tx = fx.storage.begin().await.unwrap();
    tx.create_pool(&p).await.unwrap();
    tx.commit().await.unwrap();
    (fx, p)
}

async fn zone_in(fx: &Fixture, pool: &Pool, name: &str, records: u32) -> Zone {
    let mut z = zone(name, 4242);
    z.pool_id = Some(pool.id);
    let mut sets = managed_sets(&z);
    for i in 0..records {
        let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        sets.push(recordset(&z, &format!("h{i}.{name}"), "A", None, &[&ip]));
    }
    store(&fx.storage, &z, &sets).await;
    z
}

/// `dig @MiniDNS ARGS…` → stdout.
fn dig(addr: SocketAddr, args: &[&str]) -> String {
    let out = Command::new("dig")
        .args([
            "@127.0.0.1",
            "-p",
            &addr.port().to_string(),
            "+norec",
            "+tries=1",
            "+time=3",
        ])
        .args(args)
        .output()
        .expect("dig must be installed (apt-get install bind9-dnsutils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn status(text: &str) -> &str {
    text.split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or("<none>")
}

/// Answer lines of a `+nocmd +nocomments +nostats` AXFR listing.
fn answer_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
        .filter(|l| l.split_whitespace().nth(3) != Some("TSIG"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_with_the_key_transfers_and_queries_and_without_it_is_refused() {
    let (fx, p) = signed_only(65535).await;
    zone_in(&fx, &p, "tsig.example.", 3).await;
    store_key(
        &fx.storage,
        &key("pool-key", TsigAlgorithm::HmacSha256, TsigScope::Pool, p.id),
    )
    .await;
    let good = format!("hmac-sha256:pool-key:{SECRET}");

    let axfr = dig(
        fx.addr,
        &[
            "-y",
            &good,
            "tsig.example.",
            "AXFR",
            "+nocmd",
            "+nocomments",
            "+nostats",
        ],
    );
    let lines = answer_lines(&axfr);
    // SOA, NS×2, three A, SOA — and dig verified our signature (it prints a failure otherwise).
    assert_eq!(lines.len(), 7, "{axfr}");
    assert!(
        !axfr.contains("failed") && !axfr.contains("verify"),
        "{axfr}"
    );
    assert!(
        axfr.lines()
            .any(|l| l.split_whitespace().nth(3) == Some("TSIG")),
        "the transfer is signed: {axfr}"
    );

    let soa = dig(fx.addr, &["-y", &good, "tsig.example.", "SOA"]);
    assert_eq!(status(&soa), "NOERROR", "{soa}");
    assert!(soa.contains("4242"), "{soa}");
    assert!(!soa.contains("tsig verify failure"), "{soa}");
    assert!(soa.contains("pool-key."), "the response is signed: {soa}");

    // No key: the (empty) ACL refuses.
    let unsigned = dig(fx.addr, &["tsig.example.", "SOA"]);
    assert_eq!(status(&unsigned), "REFUSED", "{unsigned}");
    let unsigned_axfr = dig(fx.addr, &["tsig.example.", "AXFR"]);
    assert!(unsigned_axfr.contains("Transfer failed"), "{unsigned_axfr}");

    // Wrong secret: NOTAUTH with BADSIG; unknown key name: NOTAUTH with BADKEY.
    let bad_sig = dig(
        fx.addr,
        &[
            "-y",
            &format!("hmac-sha256:pool-key:{OTHER_SECRET}"),
            "tsig.example.",
            "SOA",
        ],
    );
    assert_eq!(status(&bad_sig), "NOTAUTH", "{bad_sig}");
    assert!(bad_sig.contains("BADSIG"), "{bad_sig}");
    let bad_key = dig(
        fx.addr,
        &[
            "-y",
            &format!("hmac-sha256:nobody:{SECRET}"),
            "tsig.example.",
            "SOA",
        ],
    );
    assert_eq!(status(&bad_key), "NOTAUTH", "{bad_key}");
    assert!(bad_key.contains("BADKEY"), "{bad_key}");
    // The right name with another algorithm is BADKEY too.
    let wrong_alg = dig(
        fx.addr,
        &[
            "-y",
            &format!("hmac-sha512:pool-key:{SECRET}"),
            "tsig.example.",
            "SOA",
        ],
    );
    assert_eq!(status(&wrong_alg), "NOTAUTH", "{wrong_alg}");
    let bad_axfr = dig(
        fx.addr,
        &[
            "-y",
            &format!("hmac-sha256:pool-key:{OTHER_SECRET}"),
            "tsig.example.",
            "AXFR",
        ],
    );
    assert!(answer_lines(&bad_axfr).is_empty(), "{bad_axfr}");

    // NOTIFY is verified the same way: signed with the key, it reaches the NOTIFY rules (no
    // SECONDARY zone of that name: NOTAUTH, as upstream) with TSIG error NOERROR and a signed
    // answer dig verifies; with a wrong secret it is NOTAUTH with BADSIG before any rule.
    let notify = dig(
        fx.addr,
        &["-y", &good, "+opcode=notify", "tsig.example.", "SOA"],
    );
    assert!(notify.contains("opcode: NOTIFY"), "{notify}");
    assert_eq!(status(&notify), "NOTAUTH", "{notify}");
    let tsig_line = notify
        .lines()
        .find(|l| l.starts_with("pool-key.") && l.contains("TSIG"))
        .unwrap_or_else(|| panic!("the response is signed: {notify}"));
    assert!(tsig_line.contains(" NOERROR "), "{tsig_line}");
    assert!(!notify.contains("verify failure"), "{notify}");
    let bad_notify = dig(
        fx.addr,
        &[
            "-y",
            &format!("hmac-sha256:pool-key:{OTHER_SECRET}"),
            "+opcode=notify",
            "tsig.example.",
            "SOA",
        ],
    );
    assert_eq!(status(&bad_notify), "NOTAUTH", "{bad_notify}");
    assert!(bad_notify.contains("BADSIG"), "{bad_notify}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_algorithm_and_zone_scope() {
    let (fx, p) = signed_only(65535).await;
    let a = zone_in(&fx, &p, "a.example.", 1).await;
    zone_in(&fx, &p, "b.example.", 1).await;
    let algorithms = [
        ("k-md5", TsigAlgorithm::HmacMd5, "hmac-md5"),
        ("k-sha1", TsigAlgorithm::HmacSha1, "hmac-sha1"),
        ("k-sha224", TsigAlgorithm::HmacSha224, "hmac-sha224"),
        ("k-sha384", TsigAlgorithm::HmacSha384, "hmac-sha384"),
        ("k-sha512", TsigAlgorithm::HmacSha512, "hmac-sha512"),
    ];
    for (name, alg, _) in algorithms {
        store_key(&fx.storage, &key(name, alg, TsigScope::Pool, p.id)).await;
    }
    store_key(
        &fx.storage,
        &key("zone-key", TsigAlgorithm::HmacSha256, TsigScope::Zone, a.id),
    )
    .await;
    store_key(
        &fx.storage,
        &key(
            "other-pool",
            TsigAlgorithm::HmacSha256,
            TsigScope::Pool,
            Uuid::new_v4(),
        ),
    )
    .await;
    // All created after MiniDNS started: the first unknown key name reloads the ring.
    for (name, _, dig_alg) in algorithms {
        let out = dig(
            fx.addr,
            &[
                "-y",
                &format!("{dig_alg}:{name}:{SECRET}"),
                "b.example.",
                "SOA",
            ],
        );
        assert_eq!(status(&out), "NOERROR", "{dig_alg}: {out}");
        assert!(!out.contains("failure"), "{dig_alg}: {out}");
    }
    // A ZONE key opens its zone only.
    let y = format!("hmac-sha256:zone-key:{SECRET}");
    assert_eq!(
        status(&dig(fx.addr, &["-y", &y, "a.example.", "SOA"])),
        "NOERROR"
    );
    assert_eq!(
        status(&dig(fx.addr, &["-y", &y, "b.example.", "SOA"])),
        "REFUSED"
    );
    // A POOL key of another pool sees nothing here.
    let y = format!("hmac-sha256:other-pool:{SECRET}");
    assert_eq!(
        status(&dig(fx.addr, &["-y", &y, "a.example.", "SOA"])),
        "REFUSED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_message_transfers_are_signed_message_by_message() {
    // Small messages: 2,000 records come in many messages, each signed and chained.
    let (fx, p) = signed_only(2048).await;
    zone_in(&fx, &p, "big.example.", 2000).await;
    store_key(
        &fx.storage,
        &key("xfr-key", TsigAlgorithm::HmacSha512, TsigScope::Pool, p.id),
    )
    .await;
    let out = dig(
        fx.addr,
        &[
            "-y",
            &format!("hmac-sha512:xfr-key:{SECRET}"),
            "big.example.",
            "AXFR",
            "+nocmd",
            "+nocomments",
        ],
    );
    assert_eq!(
        answer_lines(&out).len(),
        2004,
        "{}",
        &out[out.len().saturating_sub(500)..]
    );
    assert!(
        !out.contains("failed"),
        "{}",
        &out[out.len().saturating_sub(500)..]
    );
    let messages: usize = out
        .lines()
        .find_map(|l| l.strip_prefix(";; XFR size: "))
        .and_then(|l| l.split("messages ").nth(1))
        .and_then(|n| n.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(messages > 10, "expected many messages: {out:.200}");
}

/// A private named whose `named.conf` holds `extra`.
struct Secondary {
    child: std::process::Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Secondary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_named(extra: &str) -> Secondary {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    std::fs::write(
        d.join("named.conf"),
        format!(
            "options {{\n  directory \"{dir}\"; pid-file \"{dir}/named.pid\";\n  \
             listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};\n  \
             recursion no; dnssec-validation no; notify no;\n  \
             session-keyfile \"{dir}/session.key\";\n}};\n{extra}",
            dir = d.display(),
        ),
    )
    .unwrap();
    let child = Command::new(program("named"))
        .args(["-f", "-c"])
        .arg(d.join("named.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot run `named` (apt-get install bind9)");
    Secondary {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind9_secondary_transfers_with_the_key_and_not_without_it() {
    let (fx, p) = signed_only(65535).await;
    zone_in(&fx, &p, "good.example.", 50).await;
    zone_in(&fx, &p, "wrong.example.", 5).await;
    store_key(
        &fx.storage,
        &key("bind-key", TsigAlgorithm::HmacSha256, TsigScope::Pool, p.id),
    )
    .await;
    let mdns = fx.addr.port();
    let named = start_named(&format!(
        "key \"bind-key\" {{ algorithm hmac-sha256; secret \"{SECRET}\"; }};\n\
         key \"bind-key-bad\" {{ algorithm hmac-sha256; secret \"{OTHER_SECRET}\"; }};\n\
         zone \"good.example\" {{ type secondary; file \"good.db\";\n  \
           primaries {{ 127.0.0.1 port {mdns} key \"bind-key\"; }}; }};\n\
         zone \"wrong.example\" {{ type secondary; file \"wrong.db\";\n  \
           primaries {{ 127.0.0.1 port {mdns} key \"bind-key-bad\"; }}; }};\n"
    ));
    let ns = named.addr;
    let served = |zone: &str, name: &str| {
        let out = Command::new("dig")
            .args([
                "@127.0.0.1",
                "-p",
                &ns.port().to_string(),
                "+norec",
                "+short",
                "+tries=1",
                "+time=1",
            ])
            .args([name, if name == zone { "SOA" } else { "A" }])
            .output()
            .expect("dig");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let soa = served("good.example.", "good.example.");
        if soa.contains(" 4242 ") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "BIND never transferred the zone: {soa:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(served("good.example.", "h49.good.example."), "10.0.0.49");
    // The zone whose key has the wrong secret never loads (BIND asked, MiniDNS said BADSIG).
    assert!(!served("wrong.example.", "wrong.example.").contains("4242"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_enforce_tsig_refuses_unsigned_queries_even_from_listed_clients() {
    let fx = start_with(MdnsConfig {
        query_acl: vec![designate_mdns::AclEntry::Any],
        query_enforce_tsig: true,
        ..MdnsConfig::default()
    })
    .await;
    let p = pool();
    let mut tx = fx.storage.begin().await.unwrap();
    tx.create_pool(&p).await.unwrap();
    tx.commit().await.unwrap();
    zone_in(&fx, &p, "enforced.example.", 1).await;
    store_key(
        &fx.storage,
        &key(
            "enforce-key",
            TsigAlgorithm::HmacSha256,
            TsigScope::Pool,
            p.id,
        ),
    )
    .await;
    assert_eq!(
        status(&dig(fx.addr, &["enforced.example.", "SOA"])),
        "REFUSED"
    );
    let y = format!("hmac-sha256:enforce-key:{SECRET}");
    assert_eq!(
        status(&dig(fx.addr, &["-y", &y, "enforced.example.", "SOA"])),
        "NOERROR"
    );
}
