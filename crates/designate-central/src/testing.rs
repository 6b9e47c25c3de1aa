//! Test support (feature `testing`): a small real HTTP server on a loopback port that answers
//! Neutron's documented floating-IP listing, `GET /v2.0/floatingips?project_id=…`, so tests
//! drive the real network client over real sockets. Neutron itself cannot run here.
//!
//! It answers only tokens it was told about (others: `401`), lists the floating IPs of the
//! `project_id` asked for, in pages of [`NeutronServer::PAGE_SIZE`] linked by
//! `floatingips_links` `next` (as Neutron does with pagination on), and can be told to fail
//! with an HTTP status.
//!
//! [`NeutronServer::start_https`] serves the same over TLS (rustls) with the certificates of a
//! [`TestPki`], optionally requiring a client certificate signed by its CA.

use std::sync::{Arc, Mutex, PoisonError};

pub use designate_tls::testing::TestPki;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use uuid::Uuid;

/// One floating IP the server lists.
#[derive(Debug, Clone)]
pub struct ServedFloatingIp {
    /// Its id.
    pub id: Uuid,
    /// `floating_ip_address`.
    pub address: String,
    /// The owning project.
    pub project_id: String,
}

#[derive(Debug, Default)]
struct State {
    fips: Vec<ServedFloatingIp>,
    tokens: Vec<String>,
    fail_with: Option<u16>,
    requests: Vec<String>,
}

/// A running Neutron floating-IP endpoint.
#[derive(Debug)]
pub struct NeutronServer {
    url: String,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for NeutronServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl NeutronServer {
    /// Floating IPs per page.
    pub const PAGE_SIZE: usize = 2;

    /// Starts the server on `127.0.0.1:0`.
    ///
    /// # Panics
    /// When no loopback port can be bound (a test environment failure).
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// Starts the server on `127.0.0.1:0`, speaking https with `pki`'s server certificate (for
    /// `127.0.0.1`); when `require_client_cert`, a client without a certificate signed by
    /// `pki`'s CA fails the handshake.
    ///
    /// # Panics
    /// When no loopback port can be bound (a test environment failure).
    pub async fn start_https(pki: &TestPki, require_client_cert: bool) -> Self {
        let acceptor = tokio_rustls::TlsAcceptor::from(pki.server_config(require_client_cert));
        Self::start_with(Some(acceptor)).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let st = st.clone();
                match &tls {
                    None => {
                        tokio::spawn(serve(stream, st, scheme));
                    }
                    Some(acceptor) => {
                        let accept = acceptor.accept(stream);
                        tokio::spawn(async move {
                            // A refused handshake (unknown CA on the client's side, no or a
                            // wrong client certificate) is the client's error to report.
                            if let Ok(stream) = accept.await {
                                serve(stream, st, scheme).await;
                            }
                        });
                    }
                }
            }
        });
        Self { url, state, server }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The endpoint URL (`http://127.0.0.1:<port>`, `https://` from [`Self::start_https`]), as a
    /// catalog or `endpoints` names it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Accepts `token`.
    pub fn accept_token(&self, token: &str) {
        self.state().tokens.push(token.to_owned());
    }

    /// Lists a floating IP of `project_id`; returns its id.
    pub fn add(&self, address: &str, project_id: &str) -> Uuid {
        let id = Uuid::new_v4();
        self.state().fips.push(ServedFloatingIp {
            id,
            address: address.to_owned(),
            project_id: project_id.to_owned(),
        });
        id
    }

    /// Moves floating IP `id` to `project_id` (released and allocated by another project).
    pub fn reassign(&self, id: Uuid, project_id: &str) {
        for fip in &mut self.state().fips {
            if fip.id == id {
                project_id.clone_into(&mut fip.project_id);
            }
        }
    }

    /// From now on answer every request with `status` (`None`: answer normally).
    pub fn fail_with(&self, status: Option<u16>) {
        self.state().fail_with = status;
    }

    /// The request lines received so far.
    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }
}

/// The value of query parameter `name` in `query`.
fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The answer to one request: status and JSON body.
fn answer(state: &Mutex<State>, target: &str, token: Option<&str>, base: &str) -> (u16, Value) {
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state.requests.push(target.to_owned());
    if let Some(status) = state.fail_with {
        return (
            status,
            json!({"NeutronError": {"message": "injected failure"}}),
        );
    }
    if !token.is_some_and(|t| state.tokens.iter().any(|known| known == t)) {
        return (401, json!({"error": "Authentication required"}));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/v2.0/floatingips" {
        return (404, json!({"NeutronError": {"message": "not found"}}));
    }
    let project = param(query, "project_id").unwrap_or_default().to_owned();
    let owned: Vec<&ServedFloatingIp> = state
        .fips
        .iter()
        .filter(|f| project.is_empty() || f.project_id == project)
        .collect();
    let start = param(query, "marker")
        .and_then(|m| owned.iter().position(|f| f.id.to_string() == m))
        .map_or(0, |i| i + 1);
    let page: Vec<&ServedFloatingIp> = owned
        .iter()
        .skip(start)
        .take(NeutronServer::PAGE_SIZE)
        .copied()
        .collect();
    let rows: Vec<Value> = page
        .iter()
        .map(|f| {
            json!({
                "id": f.id, "floating_ip_address": f.address, "project_id": f.project_id,
                "tenant_id": f.project_id, "status": "ACTIVE", "router_id": null,
                "port_id": null, "fixed_ip_address": null,
                "floating_network_id": "376da547-b977-4cfe-9cba-275c80debf57",
                "description": "", "dns_domain": "", "dns_name": "", "tags": [],
            })
        })
        .collect();
    let mut links = Vec::new();
    if start + page.len() < owned.len() {
        if let Some(last) = page.last() {
            links.push(json!({
                "rel": "next",
                "href": format!("{base}/v2.0/floatingips?project_id={project}&limit={}&marker={}",
                    NeutronServer::PAGE_SIZE, last.id),
            }));
        }
    }
    (
        200,
        json!({"floatingips": rows, "floatingips_links": links}),
    )
}

/// Serves one connection: one request, then close.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    state: Arc<Mutex<State>>,
    scheme: &str,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65_536 {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let target = request_line.split(' ').nth(1).unwrap_or("/");
    let mut token = None;
    let mut host = String::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("x-auth-token") {
                token = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("host") {
                value.trim().clone_into(&mut host);
            }
        }
    }
    let (status, body) = answer(
        &state,
        target,
        token.as_deref(),
        &format!("{scheme}://{host}"),
    );
    let body = body.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
