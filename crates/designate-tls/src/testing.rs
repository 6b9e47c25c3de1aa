//! Test certificates (feature `testing`): a CA made by the test, a server certificate for
//! 127.0.0.1 and a client certificate, both signed by it, as PEM files in a temporary directory
//! (what the clients' options name) and as a rustls server configuration (what a test server in
//! Rust serves with; Python servers such as gunicorn take the files).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Certificates made for one test.
pub struct TestPki {
    /// The CA certificate.
    pub ca: PathBuf,
    /// The server's certificate (an IP SAN for 127.0.0.1).
    pub server_cert: PathBuf,
    /// The server's key.
    pub server_key: PathBuf,
    /// The client's certificate.
    pub client_cert: PathBuf,
    /// The client's key.
    pub client_key: PathBuf,
    ca_der: CertificateDer<'static>,
    server_der: CertificateDer<'static>,
    server_key_der: Vec<u8>,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPki")
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

impl TestPki {
    /// A fresh CA and the certificates it signs.
    ///
    /// # Panics
    /// When a key cannot be made or a file written (a test environment failure).
    pub fn generate() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, pem: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, pem).expect("write pem");
            path
        };
        let ca_key = KeyPair::generate().expect("ca key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "designate test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
        let leaf = |names: Vec<String>, cn: &str| {
            let key = KeyPair::generate().expect("key");
            let mut params = CertificateParams::new(names).expect("params");
            params.distinguished_name.push(DnType::CommonName, cn);
            let cert = params
                .signed_by(&key, &ca_cert, &ca_key)
                .expect("signed cert");
            (cert, key)
        };
        // An IP SAN: the test servers are reached as https://127.0.0.1:<port>.
        let (server_cert, server_key) = leaf(vec!["127.0.0.1".into()], "127.0.0.1");
        let (client_cert, client_key) = leaf(vec!["designate".into()], "designate");
        Self {
            ca: write("ca.pem", ca_cert.pem()),
            server_cert: write("server.pem", server_cert.pem()),
            server_key: write("server-key.pem", server_key.serialize_pem()),
            client_cert: write("client.pem", client_cert.pem()),
            client_key: write("client-key.pem", client_key.serialize_pem()),
            ca_der: ca_cert.der().clone(),
            server_der: server_cert.der().clone(),
            server_key_der: server_key.serialize_der(),
            dir,
        }
    }

    /// Where the files are.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// One file holding the client's certificate and then its key (what `requests`' `cert=<file>`
    /// takes), written on first use.
    ///
    /// # Panics
    /// When the files cannot be read or written.
    pub fn client_combined(&self) -> PathBuf {
        let path = self.dir().join("client-combined.pem");
        if !path.exists() {
            let mut both = std::fs::read(&self.client_cert).expect("read client cert");
            both.extend(std::fs::read(&self.client_key).expect("read client key"));
            std::fs::write(&path, both).expect("write combined");
        }
        path
    }

    /// A rustls server configuration presenting the server certificate, requiring a client
    /// certificate signed by the CA when `require_client_cert`.
    ///
    /// # Panics
    /// When rustls refuses the certificates (they are made above, so never in practice).
    pub fn server_config(&self, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
        // ring, the provider the rest of the tree (reqwest, hickory) uses.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca_der.clone()).expect("test CA");
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone()));
        Arc::new(
            builder
                .with_single_cert(vec![self.server_der.clone()], key)
                .expect("server certificate"),
        )
    }
}
