//! TLS of our https clients, from upstream-style options: a CA bundle to trust, `insecure`, and
//! a client certificate (with its key in the same file or in a file of its own).
//!
//! Upstream's sections name these options differently — keystonemiddleware's
//! `[keystone_authtoken]` has `cafile` / `insecure` / `certfile` / `keyfile`, Designate's
//! `[network_api:neutron]` has `ca_certificates_file` / `insecure` / `client_certificate_file`
//! (one file holding the certificate and its key, as `requests`' `cert=<file>`) — so
//! [`ClientTls::load`] takes the names ([`OptionNames`]) and its errors carry the one at fault.
//!
//! The files are read and checked once, when the configuration is loaded, so a missing or broken
//! file stops the start with an error naming its option instead of failing every request.
//! Without a CA bundle the system's CA store is trusted (what `requests` does with
//! `verify=True`); with one, only the bundle's CAs are (`verify=<file>`). TLS is rustls; nothing
//! links OpenSSL.

use std::path::{Path, PathBuf};

#[cfg(any(test, feature = "testing"))]
pub mod testing;

/// The option names of one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionNames {
    /// The CA bundle to trust instead of the system's CAs.
    pub ca: &'static str,
    /// The client certificate (which may hold its key too).
    pub cert: &'static str,
    /// The client certificate's key in a file of its own, where the section has such an option.
    pub key: Option<&'static str>,
}

impl OptionNames {
    /// keystonemiddleware's `[keystone_authtoken]`.
    pub const KEYSTONE: Self = Self {
        ca: "cafile",
        cert: "certfile",
        key: Some("keyfile"),
    };
    /// Designate's `[network_api:neutron]`.
    pub const NEUTRON: Self = Self {
        ca: "ca_certificates_file",
        cert: "client_certificate_file",
        key: None,
    };
}

/// The TLS settings of one client, files already read and parsed.
#[derive(Clone, Default)]
pub struct ClientTls {
    /// The CA bundle as read (compared by [`PartialEq`]); `None` trusts the system's CAs.
    ca_pem: Option<Vec<u8>>,
    ca_certs: Vec<reqwest::Certificate>,
    /// `insecure`: the server's certificate is not verified at all.
    insecure: bool,
    /// The key followed by the certificate as read (compared by [`PartialEq`]).
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
    /// The option at fault (one of the [`OptionNames`] given to [`ClientTls::load`]).
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
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
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

impl ClientTls {
    /// Reads and checks the CA bundle `ca`, `insecure`, the client certificate `cert` and its
    /// key file `key`, `names` being what the section calls them.
    ///
    /// `cert` alone may hold the certificate and its key (as `requests` accepts); `key` needs
    /// `cert`.
    ///
    /// # Errors
    /// [`TlsConfigError`] naming the option whose file is missing, unreadable, or holds no
    /// usable certificate / key.
    pub fn load(
        names: OptionNames,
        ca: Option<&Path>,
        insecure: bool,
        cert: Option<&Path>,
        key: Option<&Path>,
    ) -> Result<Self, TlsConfigError> {
        // A section without a key option never has a key path to give; should one come anyway,
        // the error still names an option of the section.
        let key_option = names.key.unwrap_or(names.cert);
        let mut tls = Self {
            insecure,
            ..Self::default()
        };
        if let Some(path) = ca {
            let pem = read(names.ca, path)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| invalid(names.ca, path, error_chain(&e)))?;
            if certs.is_empty() {
                return Err(invalid(names.ca, path, "no PEM certificate in the file"));
            }
            tls.ca_pem = Some(pem);
            tls.ca_certs = certs;
            // A certificate that parses as PEM but not as X.509 is only refused by rustls.
            tls.client_builder()
                .build()
                .map_err(|e| invalid(names.ca, path, error_chain(&e)))?;
        }
        match (cert, key) {
            (None, None) => {}
            (None, Some(path)) => {
                return Err(invalid(
                    key_option,
                    path,
                    format!("{key_option} needs {}", names.cert),
                ));
            }
            (Some(cert_path), key_path) => {
                let cert = read(names.cert, cert_path)?;
                if !contains(&cert, b"-----BEGIN CERTIFICATE-----") {
                    return Err(invalid(
                        names.cert,
                        cert_path,
                        "no PEM certificate in the file",
                    ));
                }
                let (option, path, mut pem) = match key_path {
                    Some(path) => (key_option, path, read(key_option, path)?),
                    None => (names.cert, cert_path, Vec::new()),
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

    /// Whether a client certificate is presented.
    pub fn has_client_certificate(&self) -> bool {
        self.identity.is_some()
    }

    /// A client builder with these settings (rustls; the system's CAs unless a bundle was
    /// given).
    pub fn client_builder(&self) -> reqwest::ClientBuilder {
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

    /// The client of `service` (configured in `[section]`) with these settings and `timeout`,
    /// or why it cannot be built. The files were checked when the configuration was loaded, so
    /// a failure here is the system CA store gone bad since; a default client would silently
    /// drop the configured CAs and client certificate, so callers keep the error and answer
    /// every request with it (logged here once). `insecure` is warned about once, here.
    pub fn client(
        &self,
        timeout: std::time::Duration,
        section: &str,
        service: &str,
    ) -> Result<reqwest::Client, String> {
        let client = self
            .client_builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("cannot build the {service} client: {}", error_chain(&e)));
        if let Err(error) = &client {
            tracing::error!(%error, "every request to {service} will fail");
        }
        if self.insecure {
            tracing::warn!("[{section}] insecure = true: {service}'s certificate is not verified");
        }
        client
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl PartialEq for ClientTls {
    fn eq(&self, other: &Self) -> bool {
        (&self.ca_pem, self.insecure, &self.identity_pem)
            == (&other.ca_pem, other.insecure, &other.identity_pem)
    }
}

impl Eq for ClientTls {}

impl std::fmt::Debug for ClientTls {
    // Never the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls")
            .field("ca_bundle", &self.ca_pem.as_ref().map(|_| "<bundle>"))
            .field("insecure", &self.insecure)
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestPki;

    fn load_neutron(ca: Option<&Path>, cert: Option<&Path>) -> Result<ClientTls, TlsConfigError> {
        ClientTls::load(OptionNames::NEUTRON, ca, false, cert, None)
    }

    #[test]
    fn files_are_read_and_errors_name_the_sections_option() {
        let pki = TestPki::generate();
        let dir = pki.dir();
        let combined = pki.client_combined();
        let tls = load_neutron(Some(&pki.ca), Some(&combined)).expect("loads");
        assert!(tls.has_client_certificate() && !tls.insecure());
        assert_ne!(tls, ClientTls::default());
        assert_eq!(tls, load_neutron(Some(&pki.ca), Some(&combined)).unwrap());
        assert!(!format!("{tls:?}").contains("PRIVATE"));

        let missing = dir.join("missing.pem");
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let cases = [
            (
                load_neutron(Some(&missing), None),
                "ca_certificates_file",
                "cannot read",
            ),
            (
                load_neutron(Some(&junk), None),
                "ca_certificates_file",
                "no PEM certificate",
            ),
            (
                load_neutron(None, Some(&missing)),
                "client_certificate_file",
                "cannot read",
            ),
            (
                load_neutron(None, Some(&junk)),
                "client_certificate_file",
                "no PEM certificate",
            ),
            // The certificate without its key: requests' `cert=<file>` needs both in it.
            (
                load_neutron(None, Some(&pki.client_cert)),
                "client_certificate_file",
                "no PEM private key",
            ),
            (
                ClientTls::load(
                    OptionNames::KEYSTONE,
                    None,
                    false,
                    None,
                    Some(&pki.client_key),
                ),
                "keyfile",
                "keyfile needs certfile",
            ),
            (
                ClientTls::load(
                    OptionNames::KEYSTONE,
                    None,
                    false,
                    Some(&pki.client_cert),
                    Some(&junk),
                ),
                "keyfile",
                "no PEM private key",
            ),
        ];
        for (result, option, why) in cases {
            let e = result.expect_err(option);
            assert_eq!(e.option(), option, "{e}");
            assert!(e.to_string().contains(why), "{option}: {e}");
        }
        // A PEM block that is no X.509 certificate is refused too.
        let bogus = dir.join("bogus.pem");
        std::fs::write(
            &bogus,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = load_neutron(Some(&bogus), None).unwrap_err();
        assert_eq!(e.option(), "ca_certificates_file", "{e}");
    }
}
