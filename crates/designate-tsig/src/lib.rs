//! TSIG (RFC 8945): signing and verifying DNS messages with shared-secret keys, as MiniDNS
//! and the worker need it — verifying signed requests, signing single and multi-message
//! responses (zone transfers), signing requests (NOTIFY), and the unsigned or signed error
//! responses of §5.2. The MACs come from the `hmac` crate; this crate only lays out what they
//! cover.
//!
//! - [`Algorithm`]: the HMACs and their names.
//! - [`Key`]: a key as stored in upstream's `tsigkeys` table (name, algorithm, base64 secret).
//! - [`wire`]: the TSIG record on the wire ([`wire::split`], [`wire::append`]).
//! - [`verify_request`], [`ResponseSigner`], [`sign_request`], [`error_tsig`].
//!
//! **Invariant:** nothing here panics on bytes from the network; a malformed TSIG record is a
//! [`TsigError::Malformed`] (FORMERR for the caller).
#![warn(missing_docs)]

mod algorithm;
pub mod wire;

use base64::Engine as _;

pub use algorithm::Algorithm;
pub use wire::{Signed, TsigRecord};

/// The fudge we sign with and the clock skew we accept (RFC 8945 §10 recommends 300 s).
pub const FUDGE: u16 = 300;
/// TSIG error: bad signature.
pub const BADSIG: u16 = 16;
/// TSIG error: unknown key or algorithm.
pub const BADKEY: u16 = 17;
/// TSIG error: signature expired or not yet valid.
pub const BADTIME: u16 = 18;

/// What can be wrong with a key or a TSIG record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TsigError {
    /// The TSIG record (or the message around it) does not parse.
    #[error("malformed TSIG message: {0}")]
    Malformed(&'static str),
    /// A key or algorithm name that cannot be a DNS name.
    #[error("invalid key or algorithm name")]
    BadName,
    /// An algorithm we do not implement.
    #[error("unsupported TSIG algorithm {0:?}")]
    UnknownAlgorithm(String),
    /// A secret that is not base64.
    #[error("TSIG secret is not valid base64")]
    BadSecret,
}

/// A TSIG key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    /// Key name, lower-case and fully qualified.
    pub name: String,
    /// Its HMAC.
    pub algorithm: Algorithm,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, not even in debug logs.
        f.debug_struct("Key")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Key {
    /// A key from its stored form: name, Designate algorithm name (`hmac-sha256`), base64 secret.
    ///
    /// # Errors
    /// [`TsigError::BadName`], [`TsigError::UnknownAlgorithm`], [`TsigError::BadSecret`].
    pub fn new(name: &str, algorithm: &str, secret_base64: &str) -> Result<Self, TsigError> {
        let algorithm = Algorithm::from_designate_name(algorithm)
            .or_else(|| Algorithm::from_wire_name(algorithm))
            .ok_or_else(|| TsigError::UnknownAlgorithm(algorithm.to_owned()))?;
        let secret = base64::engine::general_purpose::STANDARD
            .decode(secret_base64.trim())
            .map_err(|_| TsigError::BadSecret)?;
        Self::from_secret(name, algorithm, secret)
    }

    /// A key from raw secret bytes.
    ///
    /// # Errors
    /// [`TsigError::BadName`] when `name` cannot be a DNS name.
    pub fn from_secret(
        name: &str,
        algorithm: Algorithm,
        secret: Vec<u8>,
    ) -> Result<Self, TsigError> {
        wire::name_to_wire(name)?;
        let mut name = name.trim_end_matches('.').to_ascii_lowercase();
        name.push('.');
        Ok(Self {
            name,
            algorithm,
            secret,
        })
    }

    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.algorithm.mac(&self.secret, parts)
    }
}

/// Why a signed request is rejected (RFC 8945 §5.2): the TSIG error to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Unknown key or algorithm (BADKEY, answered unsigned).
    BadKey,
    /// The MAC does not verify (BADSIG, answered unsigned).
    BadSig,
    /// Outside the fudge window (BADTIME, answered signed with our time).
    BadTime,
}

impl Rejection {
    /// The TSIG error code.
    pub fn code(self) -> u16 {
        match self {
            Self::BadKey => BADKEY,
            Self::BadSig => BADSIG,
            Self::BadTime => BADTIME,
        }
    }
}

/// Verifies a signed request with `key` (found by the request's key name) at time `now`.
/// Truncated MACs (RFC 8945 §5.2.2.1) are not accepted: they count as a bad signature.
///
/// # Errors
/// The [`Rejection`] to answer with.
pub fn verify_request(signed: &Signed, key: &Key, now: u64) -> Result<(), Rejection> {
    let tsig = &signed.tsig;
    if Algorithm::from_wire_name(&tsig.algorithm) != Some(key.algorithm)
        || tsig.key_name != key.name
    {
        return Err(Rejection::BadKey);
    }
    if tsig.mac.len() != key.algorithm.mac_len() {
        return Err(Rejection::BadSig);
    }
    let Ok(vars) = wire::variables(tsig, false) else {
        return Err(Rejection::BadKey);
    };
    let message = signed.as_signed();
    if !key
        .algorithm
        .verify(&key.secret, &[&message, &vars], &tsig.mac)
    {
        return Err(Rejection::BadSig);
    }
    if now.abs_diff(tsig.time_signed) > u64::from(tsig.fudge) {
        return Err(Rejection::BadTime);
    }
    Ok(())
}

/// Signs the messages of one response to a signed request: the first covers the request's MAC
/// and all TSIG variables, each later one the previous message's MAC and the timers only
/// (RFC 8945 §5.3.1), so a zone transfer is signed message by message as it streams.
#[derive(Debug, Clone)]
pub struct ResponseSigner {
    key: Key,
    previous_mac: Vec<u8>,
    original_id: u16,
    first: bool,
}

impl ResponseSigner {
    /// A signer for the response to `request` (already verified with `key`).
    pub fn new(key: Key, request: &Signed) -> Self {
        Self {
            key,
            previous_mac: request.tsig.mac.clone(),
            original_id: request.tsig.original_id,
            first: true,
        }
    }

    /// Room to leave free in each message for the TSIG record.
    pub fn reserve(&self) -> usize {
        wire::record_len(
            &self.key.name,
            self.key.algorithm.wire_name(),
            self.key.algorithm.mac_len(),
            0,
        )
    }

    /// Appends the TSIG record of the next message to `message`, signed at `now`.
    ///
    /// # Errors
    /// [`TsigError::Malformed`] when `message` has no header.
    pub fn sign(&mut self, message: &mut Vec<u8>, now: u64) -> Result<(), TsigError> {
        let mut tsig = TsigRecord {
            key_name: self.key.name.clone(),
            algorithm: self.key.algorithm.wire_name().to_owned(),
            time_signed: now,
            fudge: FUDGE,
            mac: Vec::new(),
            original_id: self.original_id,
            error: 0,
            other: Vec::new(),
        };
        let vars = wire::variables(&tsig, !self.first)?;
        let prior_len = u16::try_from(self.previous_mac.len())
            .unwrap_or(0)
            .to_be_bytes();
        tsig.mac = self
            .key
            .mac(&[&prior_len, &self.previous_mac, message, &vars]);
        wire::append(message, &tsig)?;
        self.previous_mac = tsig.mac;
        self.first = false;
        Ok(())
    }
}

/// Signs a request (e.g. a NOTIFY) with `key` at `now`; returns the request's MAC, which the
/// response's signature covers.
///
/// # Errors
/// [`TsigError::Malformed`] when `message` has no header.
pub fn sign_request(message: &mut Vec<u8>, key: &Key, now: u64) -> Result<Vec<u8>, TsigError> {
    let id = message
        .get(..2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(TsigError::Malformed("shorter than a header"))?;
    let mut tsig = TsigRecord {
        key_name: key.name.clone(),
        algorithm: key.algorithm.wire_name().to_owned(),
        time_signed: now,
        fudge: FUDGE,
        mac: Vec::new(),
        original_id: id,
        error: 0,
        other: Vec::new(),
    };
    let vars = wire::variables(&tsig, false)?;
    tsig.mac = key.mac(&[message, &vars]);
    wire::append(message, &tsig)?;
    Ok(tsig.mac)
}

/// Verifies the (single-message) response to a request we signed with `key` whose MAC was
/// `request_mac`.
pub fn verify_response(response: &Signed, key: &Key, request_mac: &[u8]) -> bool {
    let tsig = &response.tsig;
    if tsig.key_name != key.name || tsig.mac.len() != key.algorithm.mac_len() {
        return false;
    }
    let Ok(vars) = wire::variables(tsig, false) else {
        return false;
    };
    let prior_len = u16::try_from(request_mac.len()).unwrap_or(0).to_be_bytes();
    key.algorithm.verify(
        &key.secret,
        &[&prior_len, request_mac, &response.as_signed(), &vars],
        &tsig.mac,
    )
}

/// Appends the TSIG record of an error response (RCODE NOTAUTH) to a rejected request: for
/// BADKEY and BADSIG unsigned, with the request's key and algorithm names (§5.2.1, §5.2.2);
/// for BADTIME signed with `key`, the request's time and ours in other data (§5.2.3).
///
/// # Errors
/// [`TsigError::Malformed`] when `message` has no header; [`TsigError::BadName`] when the
/// request's names cannot be written back.
pub fn error_tsig(
    message: &mut Vec<u8>,
    request: &Signed,
    rejection: Rejection,
    key: Option<&Key>,
    now: u64,
) -> Result<(), TsigError> {
    let mut tsig = TsigRecord {
        key_name: request.tsig.key_name.clone(),
        algorithm: request.tsig.algorithm.clone(),
        time_signed: now,
        fudge: FUDGE,
        mac: Vec::new(),
        original_id: request.tsig.original_id,
        error: rejection.code(),
        other: Vec::new(),
    };
    if let (Rejection::BadTime, Some(key)) = (rejection, key) {
        tsig.time_signed = request.tsig.time_signed;
        tsig.other = wire::time48(now).to_vec();
        let vars = wire::variables(&tsig, false)?;
        let prior = &request.tsig.mac;
        let prior_len = u16::try_from(prior.len()).unwrap_or(0).to_be_bytes();
        tsig.mac = key.mac(&[&prior_len, prior, message, &vars]);
    }
    wire::append(message, &tsig)
}

/// Seconds since the epoch, for signing and verifying.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query for `example.org. SOA` with id 0x1234 and no records.
    fn query() -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend(b"\x07example\x03org\x00\x00\x06\x00\x01");
        m
    }

    fn key() -> Key {
        Key::new("Test-Key.", "hmac-sha256", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=").unwrap()
    }

    #[test]
    fn sign_split_verify_round_trip() {
        let key = key();
        let mut m = query();
        let mac = sign_request(&mut m, &key, 1_700_000_000).unwrap();
        let signed = wire::split(&m).unwrap().unwrap();
        assert_eq!(signed.message, query());
        assert_eq!(signed.tsig.key_name, "test-key.");
        assert_eq!(signed.tsig.mac, mac);
        assert_eq!(verify_request(&signed, &key, 1_700_000_100), Ok(()));
        assert_eq!(
            verify_request(&signed, &key, 1_700_000_301),
            Err(Rejection::BadTime)
        );
        let other = Key::new("test-key", "hmac-sha256", "b3RoZXI=").unwrap();
        assert_eq!(
            verify_request(&signed, &other, 1_700_000_000),
            Err(Rejection::BadSig)
        );
        let md5 = Key::new("test-key", "hmac-md5", "c2VjcmV0").unwrap();
        assert_eq!(
            verify_request(&signed, &md5, 1_700_000_000),
            Err(Rejection::BadKey)
        );
        // One flipped bit anywhere in the signed part breaks the signature.
        let mut tampered = m.clone();
        tampered[13] ^= 1;
        let signed = wire::split(&tampered).unwrap().unwrap();
        assert_eq!(
            verify_request(&signed, &key, 1_700_000_000),
            Err(Rejection::BadSig)
        );
        assert_eq!(wire::split(&query()).unwrap(), None);
    }

    #[test]
    fn responses_chain_macs() {
        let key = key();
        let mut request = query();
        let request_mac = sign_request(&mut request, &key, 10).unwrap();
        let signed = wire::split(&request).unwrap().unwrap();
        let mut signer = ResponseSigner::new(key.clone(), &signed);
        let mut first = query();
        first[2] |= 0x80;
        signer.sign(&mut first, 11).unwrap();
        let response = wire::split(&first).unwrap().unwrap();
        assert!(verify_response(&response, &key, &request_mac));
        assert!(!verify_response(&response, &key, b"not the request mac"));
        let mut second = query();
        signer.sign(&mut second, 12).unwrap();
        let later = wire::split(&second).unwrap().unwrap();
        // The second covers the first's MAC and the timers only.
        let timers = [&wire::time48(12)[..], &FUDGE.to_be_bytes()[..]].concat();
        let len = (response.tsig.mac.len() as u16).to_be_bytes();
        let expected = key.mac(&[&len, &response.tsig.mac, &later.as_signed(), &timers]);
        assert_eq!(later.tsig.mac, expected);
    }

    #[test]
    fn garbage_never_panics() {
        let mut m = query();
        sign_request(&mut m, &key(), 10).unwrap();
        for cut in 0..m.len() {
            let _ = wire::split(&m[..cut]);
        }
        for i in 12..m.len() {
            let mut bad = m.clone();
            bad[i] ^= 0xff;
            let _ = wire::split(&bad);
        }
        assert!(Key::new("k", "hmac-sha3", "AAAA").is_err());
        assert!(Key::new("k", "hmac-sha256", "not base64!").is_err());
        assert!(Key::new(&"a".repeat(64), "hmac-sha256", "AAAA").is_err());
    }
}
