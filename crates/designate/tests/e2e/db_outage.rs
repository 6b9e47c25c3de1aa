//! A database outage under write load, through the real binary: `designate all` on a MariaDB
//! or PostgreSQL server of the test's own, recordset creates pouring in through the API, the
//! server crashed and restarted in the middle. During the outage the API answers
//! `503 service_unavailable` within a few seconds although `pool_timeout` is upstream's 30 s
//! (the storage notices the server is unreachable and fails fast; never a 500, never a hang),
//! and once that is known at once; afterwards it
//! recovers by itself, and every create it answered 202 is in the store and served by the
//! built-in nameserver.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Connection as _;

use crate::db_servers::{Engine, OwnServer};
use crate::dns::udp;
use crate::harness::{Ports, Service};

/// Concurrent API clients creating recordsets.
const WRITERS: usize = 4;
/// `[storage:sqlalchemy] pool_timeout` of the service: upstream's default. A request waits that
/// long for a connection of an exhausted pool, but not for a server that is down.
const POOL_TIMEOUT_SECS: u64 = 30;
/// The longest any answer may take: the storage's check of the server (a probe after 1 s, of
/// at most 2 s, for each of the request's transactions) plus slack for a loaded machine — a
/// third of the pool timeout.
const MAX_ANSWER: Duration = Duration::from_secs(10);
/// Once the outage is known, a 503 comes at once: the median of the later ones stays below this.
const KNOWN_DOWN_ANSWER: Duration = Duration::from_secs(1);

/// One API answer of the load.
#[derive(Debug, Clone)]
struct Answer {
    name: String,
    status: u16,
    error_type: String,
    took: Duration,
    at: Instant,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_outage_under_load_is_503_then_recovers_losing_nothing() {
    outage_under_load(Engine::MariaDb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_under_load_is_503_then_recovers_losing_nothing() {
    outage_under_load(Engine::Postgres).await;
}

async fn outage_under_load(engine: Engine) {
    let mut db = OwnServer::start(engine).await;
    let state = tempfile::tempdir().expect("tempdir");
    let extra = format!(
        "[storage:sqlalchemy]\nconnection = {}\npool_timeout = {POOL_TIMEOUT_SECS}\n",
        db.sqlalchemy_url()
    );
    let service = Service::start_in_with(state.path(), &Ports::any(), &extra).await;
    let zone = service.create_zone("outage.test.").await;
    let zone_id = zone["id"].as_str().expect("zone id").to_owned();
    service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(10))
        .await;

    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let url = format!("{}/v2/zones/{zone_id}/recordsets", service.api);
            let answers = Arc::clone(&answers);
            let stop = Arc::clone(&stop);
            tokio::spawn(async move { write_load(w, url, answers, stop).await })
        })
        .collect();
    let accepted = |answers: &Mutex<Vec<Answer>>| {
        answers
            .lock()
            .expect("answers")
            .iter()
            .filter(|a| a.status == 202)
            .count()
    };

    // Load is flowing; then the server dies.
    wait_until(Duration::from_secs(60), || accepted(&answers) >= 40).await;
    db.crash();
    let crashed = Instant::now();
    // Down until the API has answered 503 a few times (so requests that were waiting for a
    // connection when it died are among them), at least 2 s.
    wait_until(Duration::from_secs(30), || {
        crashed.elapsed() > Duration::from_secs(2)
            && answers
                .lock()
                .expect("answers")
                .iter()
                .filter(|a| a.at > crashed && a.status == 503)
                .count()
                >= WRITERS
    })
    .await;
    let before_restart = accepted(&answers);
    db.start_again().await;
    let restarted = Instant::now();
    // The service finds the server again by itself and accepts writes.
    wait_until(Duration::from_secs(60), || {
        accepted(&answers) >= before_restart + 40
    })
    .await;
    let recovered_in = restarted.elapsed();
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.expect("writer");
    }
    let answers = answers.lock().expect("answers").clone();

    // Every answer was a 202 or a 503 service_unavailable, and none took long.
    for a in &answers {
        assert!(
            a.status == 202 || (a.status == 503 && a.error_type == "service_unavailable"),
            "unexpected answer during the outage: {a:?}"
        );
        assert!(a.took <= MAX_ANSWER, "an answer took too long: {a:?}");
    }
    let unavailable = answers.iter().filter(|a| a.status == 503).count();
    assert!(unavailable >= WRITERS, "no 503 during the outage");
    // The first 503s may each have waited for the check of the server; the later ones not.
    let mut later: Vec<Duration> = answers
        .iter()
        .filter(|a| a.status == 503)
        .skip(2 * WRITERS)
        .map(|a| a.took)
        .collect();
    later.sort();
    if let Some(median) = later.get(later.len() / 2) {
        assert!(
            *median <= KNOWN_DOWN_ANSWER,
            "503s while the outage is known are slow: median {median:?} of {later:?}"
        );
    }
    let created: BTreeSet<String> = answers
        .iter()
        .filter(|a| a.status == 202)
        .map(|a| a.name.clone())
        .collect();
    eprintln!(
        "{engine:?}: {} accepted, {unavailable} answered 503, writes accepted again {recovered_in:?} after the restart",
        created.len()
    );

    // Everything accepted is in the store (read behind the service's back) …
    let stored = stored_a_names(engine, &db.sqlx_url()).await;
    let missing: Vec<_> = created.difference(&stored).collect();
    assert!(missing.is_empty(), "accepted but not stored: {missing:?}");
    // … and, once the zone has settled, served by the built-in nameserver.
    service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(60))
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    for name in &created {
        loop {
            let m = udp(service.nameserver, name, RecordType::A).await;
            if m.response_code() == ResponseCode::NoError && !m.answers().is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{name} accepted but not served: {m:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    drop(service);
}

/// One client: creates recordsets `w<w>-<n>.outage.test.` until `stop`, recording every answer.
async fn write_load(
    w: usize,
    url: String,
    answers: Arc<Mutex<Vec<Answer>>>,
    stop: Arc<AtomicBool>,
) {
    // Far above MAX_ANSWER: a hang shows up as a slow answer, not as a client error.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut n = 0_u32;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let name = format!("w{w}-{n}.outage.test.");
        let started = Instant::now();
        let reply = http
            .request(Method::POST, &url)
            .json(&json!({"name": name, "type": "A", "records": [format!("192.0.2.{}", n % 250 + 1)]}))
            .send()
            .await;
        let (status, body) = match reply {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
            Err(e) => panic!("request {name} failed after {:?}: {e}", started.elapsed()),
        };
        let answer = Answer {
            name,
            status,
            error_type: body["type"].as_str().unwrap_or_default().to_owned(),
            took: started.elapsed(),
            at: Instant::now(),
        };
        let retry_soon = status == 503;
        answers.lock().expect("answers").push(answer);
        if retry_soon {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The names of the A recordsets that have records, straight from the database.
async fn stored_a_names(engine: Engine, url: &str) -> BTreeSet<String> {
    let sql = "SELECT DISTINCT rs.name FROM recordsets rs \
               JOIN records r ON r.recordset_id = rs.id WHERE rs.type = 'A'";
    let names: Vec<String> = match engine {
        Engine::MariaDb => {
            let mut c = sqlx::MySqlConnection::connect(url).await.expect("connect");
            sqlx::query_scalar(sql)
                .fetch_all(&mut c)
                .await
                .expect("query")
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query_scalar(sql)
                .fetch_all(&mut c)
                .await
                .expect("query")
        }
    };
    names.into_iter().collect()
}

/// Polls `check` every 20 ms until it holds; panics after `within`.
async fn wait_until(within: Duration, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < within,
            "condition not met within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
