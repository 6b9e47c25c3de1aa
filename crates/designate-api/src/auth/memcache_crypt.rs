//! `[keystone_authtoken] memcache_security_strategy`: how validations stored in memcached are
//! protected, as keystonemiddleware's `_memcache_crypt` does it (same options, same meaning;
//! not the same bytes — a keystonemiddleware and a Designate API sharing one memcached never
//! read each other's entries, and need not, their entries being of different shapes anyway).
//!
//! - `None`: entries are plain JSON under the token's SHA-256; whoever can write to memcached
//!   can forge a validation (keystonemiddleware's default and trade-off).
//! - `MAC`: entries are authenticated with HMAC-SHA256; one that does not verify — tampered
//!   with, or written by someone without the secret — is a cache miss and Keystone is asked.
//! - `ENCRYPT`: entries are encrypted and authenticated with AES-256-GCM (random nonce), so
//!   memcached holds nothing about the caller in clear.
//!
//! With a strategy, every key comes from `memcache_secret_key` through HKDF-SHA256, per token
//! and per strategy: the memcached key (so entries written under another secret or strategy
//! are never even looked at), and the entry's MAC or encryption key (so an entry moved under
//! another token's key does not verify there).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Length of an AES-GCM nonce.
const NONCE_LEN: usize = 12;
/// Length of an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;
/// HKDF salt: names what the keys are for, so the secret can never yield another protocol's keys.
const SALT: &[u8] = b"designate-api keystone_authtoken token cache v1";

/// `memcache_security_strategy`, carrying its `memcache_secret_key`.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum MemcacheSecurity {
    /// `None` (the default): plain entries.
    #[default]
    None,
    /// `MAC`: entries authenticated with a key derived from the secret.
    Mac(String),
    /// `ENCRYPT`: entries encrypted and authenticated with a key derived from the secret.
    Encrypt(String),
}

impl std::fmt::Debug for MemcacheSecurity {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why `memcache_security_strategy` / `memcache_secret_key` cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemcacheSecurityError {
    /// Not `None`, `MAC` or `ENCRYPT`.
    #[error("invalid value {0:?} for option [keystone_authtoken] memcache_security_strategy: expected None, MAC or ENCRYPT")]
    UnknownStrategy(String),
    /// A strategy without a secret.
    #[error("option [keystone_authtoken] memcache_secret_key is required with memcache_security_strategy = {0}")]
    MissingSecret(&'static str),
}

impl MemcacheSecurity {
    /// The strategy named `strategy` (case-insensitive, as keystonemiddleware; `None` when
    /// unset) with `secret`.
    ///
    /// # Errors
    /// An unknown strategy, or `MAC` / `ENCRYPT` without a (non-empty) secret.
    pub fn from_options(
        strategy: Option<&str>,
        secret: Option<&str>,
    ) -> Result<Self, MemcacheSecurityError> {
        let strategy = strategy.map(str::trim).unwrap_or("None");
        let secret = secret.filter(|s| !s.is_empty()).map(str::to_owned);
        let with_secret = |name, make: fn(String) -> Self| {
            secret
                .clone()
                .map(make)
                .ok_or(MemcacheSecurityError::MissingSecret(name))
        };
        match strategy.to_ascii_lowercase().as_str() {
            "none" => Ok(Self::None),
            "mac" => with_secret("MAC", Self::Mac),
            "encrypt" => with_secret("ENCRYPT", Self::Encrypt),
            _ => Err(MemcacheSecurityError::UnknownStrategy(strategy.to_owned())),
        }
    }

    /// keystonemiddleware's spelling of the strategy.
    pub fn name(&self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Mac(_) => "MAC",
            Self::Encrypt(_) => "ENCRYPT",
        }
    }
}

/// Why a memcached entry was not trusted.
#[derive(Debug, thiserror::Error)]
#[error("memcached entry fails authentication (tampered with, or written with another secret)")]
pub(crate) struct Untrusted;

/// The keys of one token's entry.
pub(crate) struct EntryKeys {
    /// Where the entry lives in memcached.
    pub(crate) memcached_key: String,
    /// The entry's MAC or encryption key (`None` without a strategy).
    secret: Option<[u8; 32]>,
}

/// Seals and opens entries under the configured strategy.
#[derive(Clone)]
pub(crate) struct EntryProtection {
    strategy: &'static str,
    /// The secret after HKDF's extract step; `None` without a strategy.
    kdf: Option<Hkdf<Sha256>>,
    encrypt: bool,
}

impl std::fmt::Debug for EntryProtection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.strategy)
    }
}

impl EntryProtection {
    pub(crate) fn new(security: &MemcacheSecurity) -> Self {
        let kdf = |secret: &String| Some(Hkdf::<Sha256>::new(Some(SALT), secret.as_bytes()));
        let (kdf, encrypt) = match security {
            MemcacheSecurity::None => (None, false),
            MemcacheSecurity::Mac(secret) => (kdf(secret), false),
            MemcacheSecurity::Encrypt(secret) => (kdf(secret), true),
        };
        Self {
            strategy: security.name(),
            kdf,
            encrypt,
        }
    }

    /// The keys of the entry of the token whose SHA-256 is `token_digest` (hex).
    pub(crate) fn keys(&self, token_digest: &str) -> EntryKeys {
        let Some(kdf) = &self.kdf else {
            return EntryKeys {
                memcached_key: format!("designate/token/{token_digest}"),
                secret: None,
            };
        };
        let mut okm = [0_u8; 16 + 32];
        // 48 bytes are far below HKDF-SHA256's limit (255 × 32): expand cannot fail.
        let _ = kdf.expand_multi_info(
            &[self.strategy.as_bytes(), b"\0", token_digest.as_bytes()],
            &mut okm,
        );
        let (id, key) = okm.split_at(16);
        let mut secret = [0_u8; 32];
        secret.copy_from_slice(key);
        EntryKeys {
            memcached_key: format!("designate/token/{}", hex(id)),
            secret: Some(secret),
        }
    }

    /// The bytes to store for `plain`; `None` if they cannot be made (then nothing is stored).
    pub(crate) fn seal(&self, keys: &EntryKeys, plain: &[u8]) -> Option<Vec<u8>> {
        let Some(secret) = &keys.secret else {
            return Some(plain.to_vec());
        };
        if self.encrypt {
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(secret));
            let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
            let sealed = cipher.encrypt(&nonce, plain).ok()?;
            let mut out = nonce.to_vec();
            out.extend_from_slice(&sealed);
            Some(out)
        } else {
            let mut out = mac(secret)?
                .chain_update(plain)
                .finalize()
                .into_bytes()
                .to_vec();
            out.extend_from_slice(plain);
            Some(out)
        }
    }

    /// The entry stored as `stored`, if it verifies.
    ///
    /// # Errors
    /// [`Untrusted`] when it does not (the caller treats that as a miss).
    pub(crate) fn open(&self, keys: &EntryKeys, stored: &[u8]) -> Result<Vec<u8>, Untrusted> {
        let Some(secret) = &keys.secret else {
            return Ok(stored.to_vec());
        };
        if self.encrypt {
            if stored.len() < NONCE_LEN {
                return Err(Untrusted);
            }
            let (nonce, sealed) = stored.split_at(NONCE_LEN);
            Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(secret))
                .decrypt(Nonce::from_slice(nonce), sealed)
                .map_err(|_| Untrusted)
        } else {
            if stored.len() < TAG_LEN {
                return Err(Untrusted);
            }
            let (tag, plain) = stored.split_at(TAG_LEN);
            mac(secret)
                .ok_or(Untrusted)?
                .chain_update(plain)
                .verify_slice(tag)
                .map_err(|_| Untrusted)?;
            Ok(plain.to_vec())
        }
    }
}

/// HMAC-SHA256 keyed with `key` (HMAC takes keys of any length: this is always `Some`).
fn mac(key: &[u8; 32]) -> Option<Hmac<Sha256>> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).ok()
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";
    const OTHER: &str = "11ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";

    #[test]
    fn options_as_keystonemiddleware_reads_them() {
        assert_eq!(
            MemcacheSecurity::from_options(None, None),
            Ok(MemcacheSecurity::None)
        );
        assert_eq!(
            MemcacheSecurity::from_options(Some("none"), None),
            Ok(MemcacheSecurity::None)
        );
        assert_eq!(
            MemcacheSecurity::from_options(Some("mac"), Some("s")),
            Ok(MemcacheSecurity::Mac("s".into()))
        );
        assert_eq!(
            MemcacheSecurity::from_options(Some("Encrypt"), Some("s")),
            Ok(MemcacheSecurity::Encrypt("s".into()))
        );
        for secret in [None, Some("")] {
            assert_eq!(
                MemcacheSecurity::from_options(Some("MAC"), secret),
                Err(MemcacheSecurityError::MissingSecret("MAC"))
            );
        }
        let err = MemcacheSecurity::from_options(Some("sign"), Some("s")).unwrap_err();
        assert!(
            err.to_string().contains("memcache_security_strategy"),
            "{err}"
        );
        let err = MemcacheSecurity::from_options(Some("ENCRYPT"), None).unwrap_err();
        assert!(err.to_string().contains("memcache_secret_key"), "{err}");
        assert_eq!(
            format!("{:?}", MemcacheSecurity::Mac("hidden".into())),
            "MAC"
        );
    }

    #[test]
    fn keys_depend_on_secret_strategy_and_token() {
        let none = EntryProtection::new(&MemcacheSecurity::None);
        let mac = EntryProtection::new(&MemcacheSecurity::Mac("s1".into()));
        let mac2 = EntryProtection::new(&MemcacheSecurity::Mac("s2".into()));
        let enc = EntryProtection::new(&MemcacheSecurity::Encrypt("s1".into()));
        let key = |p: &EntryProtection, d| p.keys(d).memcached_key;
        assert_eq!(key(&none, DIGEST), format!("designate/token/{DIGEST}"));
        let all = [
            key(&none, DIGEST),
            key(&mac, DIGEST),
            key(&mac2, DIGEST),
            key(&enc, DIGEST),
            key(&mac, OTHER),
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.len() < 250, "memcached keys are at most 250 bytes");
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(key(&mac, DIGEST), key(&mac, DIGEST), "stable");
    }

    #[test]
    fn mac_and_encrypt_round_trip_and_refuse_tampering() {
        let plain = br#"{"caller":{"project_id":"p1"}}"#;
        for security in [
            MemcacheSecurity::Mac("s".into()),
            MemcacheSecurity::Encrypt("s".into()),
        ] {
            let p = EntryProtection::new(&security);
            let keys = p.keys(DIGEST);
            let sealed = p.seal(&keys, plain).unwrap();
            assert_eq!(p.open(&keys, &sealed).unwrap(), plain, "{security:?}");
            // Any flipped byte, a truncation, an entry of another token or secret: refused.
            for i in 0..sealed.len() {
                let mut bad = sealed.clone();
                bad[i] ^= 1;
                assert!(p.open(&keys, &bad).is_err(), "{security:?} byte {i}");
            }
            assert!(p.open(&keys, &sealed[..sealed.len() - 1]).is_err());
            assert!(p.open(&keys, b"").is_err());
            assert!(p.open(&p.keys(OTHER), &sealed).is_err());
            let other = EntryProtection::new(&MemcacheSecurity::Mac("t".into()));
            assert!(other.open(&other.keys(DIGEST), &sealed).is_err());
        }
        let enc = EntryProtection::new(&MemcacheSecurity::Encrypt("s".into()));
        let sealed = enc.seal(&enc.keys(DIGEST), plain).unwrap();
        assert!(!contains(&sealed, b"p1"), "nothing in clear");
        assert_ne!(
            Some(sealed),
            enc.seal(&enc.keys(DIGEST), plain),
            "fresh nonce"
        );
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }
}
