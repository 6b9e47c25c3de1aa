//! CERT: `type key_tag algorithm certificate` (RFC 4398).
//!
//! Upstream: the type is a mnemonic from its list or a number 0..=65535, the key tag 0..=65535,
//! the algorithm a DNSSEC mnemonic from its list or a number 0..=255, and the certificate base64
//! that may be broken by spaces. Upstream's base64 check silently drops non-alphabet characters;
//! we require clean base64 (padding included, as upstream also does), and at least one character.

use super::{parse_int, Check};

/// Certificate type mnemonics upstream accepts.
const CERT_TYPES: &[&str] = &[
    "PKIX", "SPKI", "PGP", "IPKIX", "ISPKI", "IPGP", "ACPKIX", "IACPKIX", "URI", "OID", "DPKIX",
    "DPTR",
];

/// Algorithm mnemonics upstream accepts.
const CERT_ALGORITHMS: &[&str] = &[
    "RSAMD5",
    "DSA",
    "RSASHA1",
    "DSA-NSEC3-SHA1",
    "RSASHA1-NSEC3-SHA1",
    "RSASHA256",
    "RSASHA512",
    "ECC-GOST",
    "ECDSAP256SHA256",
    "ECDSAP384SHA384",
    "ED25519",
    "ED448",
];

/// CERT data.
pub(super) fn cert(data: &str) -> Check {
    let f: Vec<&str> = data.splitn(4, ' ').collect();
    let [cert_type, key_tag, algorithm, certificate] = f[..] else {
        return Err(format!("expected 4 fields, found {}", f.len()));
    };
    if !CERT_TYPES.contains(&cert_type) {
        if !cert_type.bytes().all(|b| b.is_ascii_digit()) || cert_type.is_empty() {
            return Err("Cert type is not valid Mnemonic.".to_owned());
        }
        parse_int("cert_type", cert_type, 0, 65_535)
            .map_err(|_| "Cert type value should be between 0 and 65535".to_owned())?;
    }
    parse_int("key_tag", key_tag, 0, 65_535)?;
    if !CERT_ALGORITHMS.contains(&algorithm) {
        if !algorithm.bytes().all(|b| b.is_ascii_digit()) || algorithm.is_empty() {
            return Err("Cert algorithm is not valid Mnemonic.".to_owned());
        }
        parse_int("cert_algo", algorithm, 0, 255)
            .map_err(|_| "Cert algorithm value should be between 0 and 255".to_owned())?;
    }
    let b64: String = certificate.split(' ').collect();
    if !is_base64(&b64) {
        return Err("Cert certificate is not valid.".to_owned());
    }
    Ok(())
}

/// Whether `s` is non-empty standard base64 with correct padding.
fn is_base64(s: &str) -> bool {
    if s.is_empty() || !s.len().is_multiple_of(4) {
        return false;
    }
    let body = s.trim_end_matches('=');
    s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}
