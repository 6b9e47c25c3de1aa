//! https to Keystone: keystonemiddleware's `[keystone_authtoken] cafile`, `insecure`,
//! `certfile` and `keyfile`, loaded by the shared [`designate_tls::ClientTls`] under those
//! names.
//!
//! The files are read and checked once, when the configuration is loaded ([`KeystoneTls::load`]),
//! so a missing or broken file stops the start with an error naming its option instead of
//! turning every request into a `503`. Without `cafile` the system's CA store is trusted, as
//! keystonemiddleware does; with it, only the bundle's CAs are (as `requests` does with
//! `verify=<file>`).

use std::path::Path;

pub use designate_tls::TlsConfigError;
use designate_tls::{ClientTls, OptionNames};

pub(crate) use designate_tls::error_chain;

/// The TLS settings of the Keystone client, files already read and parsed.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct KeystoneTls(ClientTls);

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
        ClientTls::load(OptionNames::KEYSTONE, cafile, insecure, certfile, keyfile).map(Self)
    }

    /// `insecure = true`: certificates are not verified.
    pub fn insecure(&self) -> bool {
        self.0.insecure()
    }

    /// The Keystone client with these settings and `timeout`, or why it cannot be built.
    pub(crate) fn client(&self, timeout: std::time::Duration) -> Result<reqwest::Client, String> {
        self.0.client(timeout, "keystone_authtoken", "keystone")
    }
}
