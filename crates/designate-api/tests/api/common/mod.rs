//! The test harness: a real central over a temporary SQLite file, the API served on
//! 127.0.0.1:0, and a reqwest client.

use std::sync::Arc;

use async_trait::async_trait;
use designate_api::ApiConfig;
use designate_bus::amqp::{CallHook, CentralRequest, Intercepted};
use designate_bus::inproc::{LogNotifier, WorkerCast, WorkerQueue};
use designate_bus::{CentralApi, PushOutcome};
use designate_central::{Central, CentralConfig};
use designate_core::objects::{Pool, PoolNsRecord};
use designate_core::{RequestContext, Result};
use designate_storage::SqlStorage;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A running API.
pub(crate) struct Api {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base: String,
    /// Client that does not follow redirects (so 301s are visible).
    pub(crate) client: reqwest::Client,
    /// The central behind the API, for driving worker feedback.
    pub(crate) central: Arc<Central>,
    shutdown: CancellationToken,
    casts: std::sync::Mutex<UnboundedReceiver<WorkerCast>>,
    _dir: tempfile::TempDir,
}

impl Drop for Api {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A response: status, headers, parsed JSON (or `Value::Null`) and raw text.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
    pub(crate) text: String,
}

impl Reply {
    /// Length of the array at `key` (`usize::MAX` when absent, so comparisons fail loudly).
    pub(crate) fn count(&self, key: &str) -> usize {
        self.body[key].as_array().map_or(usize::MAX, Vec::len)
    }

    /// Asserts an error envelope of `code` / `error_type` whose request id matches the header.
    #[track_caller]
    pub(crate) fn assert_error(&self, code: u16, error_type: &str) {
        assert_eq!(self.status.as_u16(), code, "body: {}", self.text);
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["type"], error_type, "body: {}", self.text);
        let header = self
            .headers
            .get("x-openstack-request-id")
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            self.body["request_id"].as_str(),
            header,
            "request id in body and header"
        );
        assert!(header.is_some_and(|h| h.starts_with("req-")));
    }
}

pub(crate) async fn start() -> Api {
    start_with(ApiConfig::default()).await
}

pub(crate) async fn start_with(config: ApiConfig) -> Api {
    start_full(config, CentralConfig::default()).await
}

/// An API over a central configured with `central_config`.
pub(crate) async fn start_full(mut config: ApiConfig, central_config: CentralConfig) -> Api {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite:///{}",
        dir.path().join("designate.sqlite").display()
    );
    let storage = SqlStorage::connect(&url).await.expect("connect");
    storage.migrate().await.expect("migrate");
    let (worker, casts) = WorkerQueue::new();
    let pool = Pool {
        id: central_config.default_pool_id,
        name: "default".into(),
        description: Some("Default Pool".into()),
        tenant_id: None,
        attributes: vec![],
        ns_records: vec![PoolNsRecord {
            priority: 1,
            hostname: "ns1.example.net.".into(),
        }],
        nameservers: vec![],
        targets: vec![],
        also_notifies: vec![],
    };
    let central = Arc::new(Central::new(
        Arc::new(storage),
        Arc::new(worker),
        Arc::new(LogNotifier),
        central_config,
    ));
    central.ensure_pool(pool).await.expect("pool");

    config.listen = "127.0.0.1:0".parse().expect("addr");
    let listener = designate_api::bind(&config).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = CancellationToken::new();
    let app = designate_api::router(
        Arc::new(Intercepted {
            inner: central.clone(),
            hook: Faulty,
        }),
        config,
    );
    tokio::spawn(designate_api::serve(listener, app, shutdown.clone()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Api {
        base: format!("http://{addr}"),
        client,
        central,
        shutdown,
        casts: std::sync::Mutex::new(casts),
        _dir: dir,
    }
}

impl Api {
    /// The worker tasks central has cast for `zone_id` since the last call (casts for other
    /// zones are dropped). Central casts before it answers, so a reply means its casts are here.
    pub(crate) fn casts_for(&self, zone_id: &str) -> Vec<designate_bus::ZoneTask> {
        let mut casts = self.casts.lock().expect("casts");
        std::iter::from_fn(|| casts.try_recv().ok())
            .filter(|c| c.zone.id.to_string() == zone_id)
            .map(|c| c.task)
            .collect()
    }

    /// Sends `method path` with an optional JSON body and extra headers.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        reply(req.send().await.expect("send")).await
    }

    /// Sends a raw body with a given content type.
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        reply(req.send().await.expect("send")).await
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body), &[]).await
    }

    /// Creates `name` and returns its body (asserting 202).
    pub(crate) async fn zone(&self, name: &str) -> Value {
        let r = self
            .post(
                "/v2/zones",
                json!({"name": name, "email": format!("admin@{}", name.trim_end_matches('.'))}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        r.body
    }

    /// Creates a recordset and returns its body (asserting 202).
    pub(crate) async fn recordset(
        &self,
        zone_id: &str,
        name: &str,
        rtype: &str,
        records: &[&str],
    ) -> Value {
        let r = self
            .post(
                &format!("/v2/zones/{zone_id}/recordsets"),
                json!({"name": name, "type": rtype, "records": records}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        r.body
    }

    /// Polls the task at `path` until it leaves PENDING (at most `secs` seconds); returns it.
    pub(crate) async fn settled_task(&self, path: &str, secs: u64) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let r = self.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            if r.body["status"] != "PENDING" || std::time::Instant::now() > deadline {
                return r.body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Reports the zone's targets as up to date, as the worker would.
    pub(crate) async fn mark_active(&self, zone_id: &str) {
        let id = Uuid::parse_str(zone_id).expect("uuid");
        let ctx = RequestContext::admin();
        let zone = self.central.get_zone(&ctx, id).await.expect("zone");
        self.central
            .update_status(&ctx, id, PushOutcome::Success, zone.serial)
            .await
            .expect("update_status");
    }
}

pub(crate) async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// The real central, with one injected fault: creating a zone named `panic.*` panics, so the
/// tests can check that a handler panic becomes a 500 envelope rather than a dropped connection.
struct Faulty;

#[async_trait]
impl CallHook for Faulty {
    async fn before(&self, _: &RequestContext, call: &CentralRequest) -> Result<()> {
        if let CentralRequest::CreateZone { zone } = call {
            assert!(!zone.name.starts_with("panic."), "injected fault");
        }
        Ok(())
    }
}

/// Upstream's timestamp shape: `2014-10-24T19:59:44.000000`.
#[track_caller]
pub(crate) fn assert_timestamp(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    let b = s.as_bytes();
    assert_eq!(b.len(), 26, "{s}");
    for (i, c) in b.iter().enumerate() {
        let expected_sep = match i {
            4 | 7 => Some(b'-'),
            10 => Some(b'T'),
            13 | 16 => Some(b':'),
            19 => Some(b'.'),
            _ => None,
        };
        match expected_sep {
            Some(sep) => assert_eq!(*c, sep, "{s}"),
            None => assert!(c.is_ascii_digit(), "{s}"),
        }
    }
}

/// The sorted keys of a JSON object.
pub(crate) fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}
