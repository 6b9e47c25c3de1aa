//! https to Keystone: keystonemiddleware's `[keystone_authtoken] cafile`, `insecure`,
//! `certfile` and `keyfile`.
//!
//! The files are read and checked once, when the configuration is loaded ([`KeystoneTls::load`]),
//! so a missing or broken file stops the start with an error naming its option instead of
//! turning every request into a `503`. Without `cafile` the system's CA store is trusted, as
//! keystonemiddleware does; with it, only the bundle's CAs are (as `requests` does with
//! `verify=<file>`). TLS is rustls; nothing links OpenSSL.

use std::path::{Path, PathBuf};

/// The TLS settings of the Keystone client, files already read and parsed.
#[derive(Clone, Default)]
pub struct KeystoneTls {
    /// `cafile` as read (compared by [`PartialEq`]); `None` trusts the system's CAs.
    ca_pem: Option<Vec<u8>>,
    ca_certs: Vec<reqwest::Certificate>,
    /// `insecure`: the server's certificate is not verified at all.
    insecure: bool,
    /// `keyfile` followed by `certfile` as read (compared by [`PartialEq`]).
    identity_pem: Option<Vec<u8>>,
    identity: Option<reqwest::Identity>,
}

/// Why a TLS option cannot be used; [`Self::option`] names it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The option naming the file.
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file was read but is not what the option needs.
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The option naming the file.
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl TlsConfigError {
    /// The `[keystone_authtoken]` option at fault.
    pub fn option(&self) -> &'static str {
        match self {
            Self::Read { option, .. } | Self::Invalid { option, .. } => option,
        }
    }
}

fn read(option: &'static str, path: &Path) -> Result<Vec<u8>, TlsConfigError> {
    std::fs::read(path).map_err(|source| TlsConfigError::Read {
        option,
        path: path.to_owned(),
        source,
    })
}

fn invalid(option: &'static str, path: &Path, reason: impl std::fmt::Display) -> TlsConfigError {
    TlsConfigError::Invalid {
        option,
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// An error with its whole chain of causes: reqwest's own message alone says only "builder
/// error" or "error sending request", never *which* certificate problem it met.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl KeystoneTls {
    /// Reads and checks `cafile`, `insecure`, `certfile` and `keyfile`.
    ///
    /// `certfile` alone must hold the certificate and its key (as `requests` accepts);
    /// `keyfile` needs `certfile`.
    ///
    /// # Errors
    /// [`TlsConfigError`] naming the option whose file is missing, unreadable, or holds no
    /// usable certificate / key.
    pub fn load(
        cafile: Option<&Path>,
        insecure: bool,
        certfile: Option<&Path>,
        keyfile: Option<&Path>,
    ) -> Result<Self, TlsConfigError> {
        let mut tls = Self {
            insecure,
            ..Self::default()
        };
        if let Some(path) = cafile {
            let pem = read("cafile", path)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| invalid("cafile", path, error_chain(&e)))?;
            if certs.is_empty() {
                return Err(invalid("cafile", path, "no PEM certificate in the file"));
            }
            tls.ca_pem = Some(pem);
            tls.ca_certs = certs;
            // A certificate that parses as PEM but not as X.509 is only refused by rustls.
            tls.client_builder()
                .build()
                .map_err(|e| invalid("cafile", path, error_chain(&e)))?;
        }
        match (certfile, keyfile) {
            (None, None) => {}
            (None, Some(path)) => {
                return Err(invalid("keyfile", path, "keyfile needs certfile"));
            }
            (Some(cert_path), key_path) => {
                let cert = read("certfile", cert_path)?;
                if !contains(&cert, b"-----BEGIN CERTIFICATE-----") {
                    return Err(invalid(
                        "certfile",
                        cert_path,
                        "no PEM certificate in the file",
                    ));
                }
                let (option, path, mut pem) = match key_path {
                    Some(path) => ("keyfile", path, read("keyfile", path)?),
                    None => ("certfile", cert_path, Vec::new()),
                };
                if !contains(&pem, b"PRIVATE KEY-----") && !contains(&cert, b"PRIVATE KEY-----") {
                    return Err(invalid(option, path, "no PEM private key in the file"));
                }
                pem.push(b'\n');
                pem.extend_from_slice(&cert);
                let identity = reqwest::Identity::from_pem(&pem)
                    .map_err(|e| invalid(option, path, error_chain(&e)))?;
                tls.identity = Some(identity);
                tls.identity_pem = Some(pem);
                tls.client_builder()
                    .build()
                    .map_err(|e| invalid(option, path, error_chain(&e)))?;
            }
        }
        Ok(tls)
    }

    /// `insecure = true`: certificates are not verified.
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// A client builder with these settings (rustls; the system's CAs unless `cafile`).
    pub(crate) fn client_builder(&self) -> reqwest::ClientBuilder {
        let mut builder = reqwest::Client::builder().use_rustls_tls();
        if self.ca_pem.is_some() {
            builder = builder.tls_built_in_root_certs(false);
            for cert in &self.ca_certs {
                builder = builder.add_root_certificate(cert.clone());
            }
        }
        if self.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.clone());
        }
        builder
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl PartialEq for KeystoneTls {
    fn eq(&self, other: &Self) -> bool {
        (&self.ca_pem, self.insecure, &self.identity_pem)
            == (&other.ca_pem, other.insecure, &other.identity_pem)
    }
}

impl Eq for KeystoneTls {}

impl std::fmt::Debug for KeystoneTls {
    // Never the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeystoneTls")
            .field("cafile", &self.ca_pem.as_ref().map(|_| "<bundle>"))
            .field("insecure", &self.insecure)
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}
