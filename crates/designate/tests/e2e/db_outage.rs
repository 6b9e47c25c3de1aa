//! A database outage under write load, through the real binary: `designate all` on a MariaDB
//! or PostgreSQL server of the test's own, recordset creates, updates and deletes pouring in
//! through the API, the server crashed and restarted in the middle. During the outage the API
//! answers `503 service_unavailable` within a few seconds although `pool_timeout` is upstream's
//! 30 s (the storage notices the server is unreachable and fails fast; never a 500, never a
//! hang), and once that is known at once; afterwards it recovers by itself, and every change it
//! answered 202 is in the store and served by the built-in nameserver: a name's last accepted
//! change decides what it holds (its create's or its update's address, or nothing after its
//! delete), and a change answered 503 after it left the name in one of the two states.

use std::collections::BTreeMap;
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

/// Concurrent API clients changing recordsets.
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
    /// What the change leaves the name holding: an address, or nothing (a delete).
    leaves: Option<String>,
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
    // Per name, in order: what its accepted changes and its last refused one would leave.
    let mut names: BTreeMap<String, Vec<&Answer>> = BTreeMap::new();
    for a in &answers {
        names.entry(a.name.clone()).or_default().push(a);
    }
    let mut expected: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for (name, tries) in &names {
        let accepted = tries.iter().rev().find(|a| a.status == 202);
        let Some(last) = accepted else {
            continue; // never created (its create was answered 503): anything goes
        };
        let mut allowed = vec![last.leaves.clone()];
        // A change answered 503 after the last accepted one may or may not have committed.
        if let Some(refused) = tries.last().filter(|a| a.status != 202) {
            allowed.push(refused.leaves.clone());
        }
        expected.insert(name.clone(), allowed);
    }
    let accepted = answers.iter().filter(|a| a.status == 202).count();
    eprintln!(
        "{engine:?}: {accepted} changes of {} names accepted, {unavailable} answered 503, writes accepted again {recovered_in:?} after the restart",
        expected.len()
    );
    assert!(
        answers
            .iter()
            .any(|a| a.status == 202 && a.leaves.is_none()),
        "no delete accepted"
    );

    // Everything accepted is in the store (read behind the service's back) …
    let stored = stored_a_records(engine, &db.sqlx_url()).await;
    for (name, allowed) in &expected {
        let holds = stored.get(name).cloned();
        assert!(
            allowed.contains(&holds),
            "{name} holds {holds:?} in the store, not one of {allowed:?}"
        );
    }
    // … and, once the zone has settled, served by the built-in nameserver.
    service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(60))
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    for (name, allowed) in &expected {
        let holds = stored.get(name).cloned();
        loop {
            let m = udp(service.nameserver, name, RecordType::A).await;
            let served: Vec<String> = m.answers().iter().map(|r| r.data().to_string()).collect();
            let ok = match &holds {
                Some(address) => {
                    m.response_code() == ResponseCode::NoError && served == [address.clone()]
                }
                None => m.response_code() == ResponseCode::NXDomain,
            };
            if ok {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{name} holds {holds:?} (one of {allowed:?}) but the nameserver answers {m:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    drop(service);
}

/// One client until `stop`: creates recordsets `w<w>-<n>.outage.test.`, updates every second
/// one it created (a new address), then deletes every third one it created, recording every
/// answer. A change answered 503 ends that name's changes.
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
        let address = format!("192.0.2.{}", n % 250 + 1);
        let body = json!({"name": name, "type": "A", "records": [address]});
        let Some(created) = change(
            &http,
            Method::POST,
            &url,
            Some(body),
            &name,
            Some(address),
            &answers,
        )
        .await
        else {
            continue;
        };
        let Some(id) = created["id"].as_str().map(str::to_owned) else {
            panic!("create of {name} answered without an id: {created}");
        };
        let one = format!("{url}/{id}");
        if n.is_multiple_of(2) {
            let address = format!("198.51.100.{}", n % 250 + 1);
            let body = json!({"records": [address]});
            if change(
                &http,
                Method::PUT,
                &one,
                Some(body),
                &name,
                Some(address),
                &answers,
            )
            .await
            .is_none()
            {
                continue;
            }
        }
        if n.is_multiple_of(3) {
            change(&http, Method::DELETE, &one, None, &name, None, &answers).await;
        }
    }
}

/// Sends one change of `name` (which would leave it holding `leaves`) and records the answer;
/// the answer's body when it was accepted. After a 503 it waits a little.
async fn change(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
    name: &str,
    leaves: Option<String>,
    answers: &Mutex<Vec<Answer>>,
) -> Option<Value> {
    let started = Instant::now();
    let mut request = http.request(method.clone(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let (status, body) = match request.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
        Err(e) => panic!("{method} {name} failed after {:?}: {e}", started.elapsed()),
    };
    let answer = Answer {
        name: name.to_owned(),
        leaves,
        status,
        error_type: body["type"].as_str().unwrap_or_default().to_owned(),
        took: started.elapsed(),
        at: Instant::now(),
    };
    answers.lock().expect("answers").push(answer);
    if status == 202 {
        return Some(body);
    }
    if status == 503 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// Every A recordset that has records and its (first) address, straight from the database.
async fn stored_a_records(engine: Engine, url: &str) -> BTreeMap<String, String> {
    let sql = "SELECT rs.name, r.data FROM recordsets rs \
               JOIN records r ON r.recordset_id = rs.id WHERE rs.type = 'A'";
    let rows: Vec<(String, String)> = match engine {
        Engine::MariaDb => {
            let mut c = sqlx::MySqlConnection::connect(url).await.expect("connect");
            sqlx::query_as(sql).fetch_all(&mut c).await.expect("query")
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query_as(sql).fetch_all(&mut c).await.expect("query")
        }
    };
    rows.into_iter().collect()
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
