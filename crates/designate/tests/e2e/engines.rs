//! The real binary on every storage engine: `designate all` with `[storage:sqlalchemy]
//! connection` pointing at PostgreSQL (`postgresql+psycopg2://…`) and MariaDB
//! (`mysql+pymysql://…`) — each test its own fresh database on the shared servers, dropped at
//! the end — runs the spine flow, and 16 API clients writing one zone at once lose nothing
//! on any engine (SQLite included).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use designate_storage::contract::server::{Server, TestDatabase};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Connection as _;

use crate::dns::udp;
use crate::harness::{Ports, Service};

/// Where a test's service keeps its data.
enum Store {
    Sqlite,
    Shared(TestDatabase),
}

impl Store {
    async fn new(server: Option<Server>) -> Self {
        match server {
            None => Self::Sqlite,
            Some(s) => Self::Shared(TestDatabase::create(s).await),
        }
    }

    /// The `[storage:sqlalchemy]` section (none: SQLite under state_path).
    fn section(&self) -> String {
        match self {
            Self::Sqlite => String::new(),
            Self::Shared(db) => format!(
                "[storage:sqlalchemy]\nconnection = {}\n",
                db.sqlalchemy_url()
            ),
        }
    }

    /// `(recordset name, record serial)` of every A record, read straight from the database.
    async fn a_record_serials(&self, state: &std::path::Path) -> Vec<(String, i64)> {
        let sql = "SELECT rs.name, r.serial FROM recordsets rs \
                   JOIN records r ON r.recordset_id = rs.id WHERE rs.type = 'A'";
        match self {
            Self::Sqlite => {
                let url = format!("sqlite://{}", state.join("designate.sqlite").display());
                let mut c = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
                sqlx::query_as(sql).fetch_all(&mut c).await.expect("query")
            }
            Self::Shared(db) if db.server() == Server::Postgres => {
                let mut c = sqlx::PgConnection::connect(&db.url()).await.expect("pg");
                let rows: Vec<(String, i32)> =
                    sqlx::query_as(sql).fetch_all(&mut c).await.expect("query");
                rows.into_iter().map(|(n, s)| (n, i64::from(s))).collect()
            }
            Self::Shared(db) => {
                let mut c = sqlx::MySqlConnection::connect(&db.url())
                    .await
                    .expect("mysql");
                let rows: Vec<(String, i32)> =
                    sqlx::query_as(sql).fetch_all(&mut c).await.expect("query");
                rows.into_iter().map(|(n, s)| (n, i64::from(s))).collect()
            }
        }
    }

    async fn drop_database(self) {
        if let Self::Shared(db) = self {
            db.drop_database().await;
        }
    }
}

async fn start(server: Option<Server>) -> (Store, tempfile::TempDir, Service) {
    let store = Store::new(server).await;
    let state = tempfile::tempdir().expect("tempdir");
    let service = Service::start_in_with(state.path(), &Ports::any(), &store.section()).await;
    (store, state, service)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spine_on_postgres() {
    let (store, _state, mut service) = start(Some(Server::Postgres)).await;
    crate::spine::zone_and_recordset_lifecycle(&service).await;
    crate::spine::mixed_case_zone(&service).await;
    service.kill();
    store.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spine_on_mariadb() {
    let (store, _state, mut service) = start(Some(Server::MySql)).await;
    crate::spine::zone_and_recordset_lifecycle(&service).await;
    crate::spine::mixed_case_zone(&service).await;
    service.kill();
    store.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_clients_one_zone_on_sqlite() {
    sixteen_clients_one_zone(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_clients_one_zone_on_postgres() {
    sixteen_clients_one_zone(Some(Server::Postgres)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_clients_one_zone_on_mariadb() {
    sixteen_clients_one_zone(Some(Server::MySql)).await;
}

/// Concurrent API clients.
const CLIENTS: usize = 16;
/// Recordsets each client creates (and then updates; every third one it deletes).
const PER_CLIENT: usize = 8;

/// What one client left behind: surviving name → its last address, and the deleted names.
#[derive(Default)]
struct Outcome {
    surviving: BTreeMap<String, String>,
    deleted: BTreeSet<String>,
}

async fn sixteen_clients_one_zone(server: Option<Server>) {
    let (store, state, mut service) = start(server).await;
    let zone = service.create_zone("busy.test.").await;
    let zone_id = zone["id"].as_str().expect("zone id").to_owned();
    let first = service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(10))
        .await;

    // A watcher reads the zone throughout: its serial never goes back.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let url = format!("{}/v2/zones/{zone_id}", service.api);
        let stop = Arc::clone(&stop);
        let http = service.http.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let zone: Value = http
                    .get(&url)
                    .send()
                    .await
                    .expect("get zone")
                    .json()
                    .await
                    .expect("zone json");
                seen.push(zone["serial"].as_u64().expect("serial"));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            seen
        })
    };

    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let base = format!("{}/v2/zones/{zone_id}/recordsets", service.api);
            let http = service.http.clone();
            tokio::spawn(async move { client(c, &base, &http).await })
        })
        .collect();
    let mut expected = Outcome::default();
    for c in clients {
        let o = c.await.expect("client");
        expected.surviving.extend(o.surviving);
        expected.deleted.extend(o.deleted);
    }
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let seen = watcher.await.expect("watcher");
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "the zone serial went back: {seen:?}"
    );

    // No lost write: the API lists exactly the survivors, each with its last data.
    let listed = list_a_records(&service, &zone_id).await;
    assert_eq!(
        listed, expected.surviving,
        "API listing vs what the clients did"
    );

    // Each surviving recordset's records carry the serial of their last change, above the
    // zone's first and at most the zone's last. Changes batched together share a serial
    // (that a shared serial names exactly their content, the journal's change to it, is
    // central's engines test).
    let settled = service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(60))
        .await;
    let zone_serial = settled["serial"].as_u64().expect("serial");
    let rows = store.a_record_serials(state.path()).await;
    let per_name: BTreeMap<String, i64> = rows.iter().cloned().collect();
    assert_eq!(
        per_name.keys().cloned().collect::<BTreeSet<_>>(),
        expected.surviving.keys().cloned().collect::<BTreeSet<_>>(),
        "stored A recordsets"
    );
    let distinct: BTreeSet<i64> = per_name.values().copied().collect();
    let first_serial = first["serial"].as_u64().expect("serial");
    assert!(
        distinct
            .iter()
            .all(|s| (first_serial as i64) < *s && *s <= zone_serial as i64),
        "record serials outside ({first_serial}, {zone_serial}]: {distinct:?}"
    );

    // The nameserver serves the final state: that SOA serial, every survivor's last data, and
    // none of the deleted names.
    let soa = udp(service.nameserver, "busy.test.", RecordType::SOA).await;
    assert!(
        soa.answers()
            .iter()
            .any(|r| matches!(r.data(), RData::SOA(s) if u64::from(s.serial()) == zone_serial)),
        "SOA serial {zone_serial} not served: {soa:?}"
    );
    for (name, address) in &expected.surviving {
        let m = udp(service.nameserver, name, RecordType::A).await;
        let served: Vec<String> = m.answers().iter().map(|r| r.data().to_string()).collect();
        assert_eq!(served, vec![address.clone()], "{name}: {m:?}");
    }
    for name in &expected.deleted {
        let m = udp(service.nameserver, name, RecordType::A).await;
        assert_eq!(m.response_code(), ResponseCode::NXDomain, "{name}: {m:?}");
    }
    eprintln!(
        "{server:?}: {} clients, {} changes in {took:?}",
        CLIENTS,
        CLIENTS * PER_CLIENT * 2 + expected.deleted.len()
    );
    service.kill();
    store.drop_database().await;
}

/// One client: creates its recordsets, updates each, deletes every third; every answer must be
/// a 202 (the API retries lost races itself, so concurrency is never the client's problem).
async fn client(c: usize, base: &str, http: &reqwest::Client) -> Outcome {
    let mut out = Outcome::default();
    for k in 0..PER_CLIENT {
        let name = format!("c{c}-{k}.busy.test.");
        let created = send(
            http,
            Method::POST,
            base.to_owned(),
            json!({"name": name, "type": "A", "records": [format!("192.0.2.{}", k + 1)]}),
        )
        .await;
        let id = created["id"].as_str().expect("id").to_owned();
        let address = format!("198.51.100.{}", c * PER_CLIENT + k + 1);
        send(
            http,
            Method::PUT,
            format!("{base}/{id}"),
            json!({"records": [address]}),
        )
        .await;
        if k % 3 == 2 {
            let resp = http
                .delete(format!("{base}/{id}"))
                .send()
                .await
                .expect("delete");
            assert_eq!(resp.status().as_u16(), 202, "delete {name}");
            out.deleted.insert(name);
        } else {
            out.surviving.insert(name, address);
        }
    }
    out
}

async fn send(http: &reqwest::Client, method: Method, url: String, body: Value) -> Value {
    let resp = http
        .request(method.clone(), &url)
        .json(&body)
        .send()
        .await
        .expect("http");
    let status = resp.status().as_u16();
    let answer: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 202, "{method} {url} {body}: {answer}");
    answer
}

/// Every A recordset of the zone through the API (all pages): name → its one address.
async fn list_a_records(service: &Service, zone_id: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut url = format!("/v2/zones/{zone_id}/recordsets?type=A&limit=50");
    loop {
        let (status, body) = service.call(Method::GET, &url, None).await;
        assert_eq!(status, 200, "{body}");
        for rs in body["recordsets"].as_array().expect("recordsets") {
            let records = rs["records"].as_array().expect("records");
            assert_eq!(records.len(), 1, "{rs}");
            out.insert(
                rs["name"].as_str().expect("name").to_owned(),
                records[0].as_str().expect("data").to_owned(),
            );
        }
        match body["links"]["next"].as_str() {
            Some(next) => {
                url = next
                    .split_once("/v2/")
                    .map(|(_, p)| format!("/v2/{p}"))
                    .expect("next link");
            }
            None => break,
        }
    }
    out
}
