//! SSHFP: `algorithm fp_type fingerprint` (RFC 4255).
//!
//! Upstream's ranges: algorithm 0..=4, fingerprint type 0..=2, both in canonical spelling; the
//! fingerprint is 10 to 40 or exactly 64 hexadecimal digits.

use super::{parse_canonical_int, split_exact, Check};

/// SSHFP data.
pub(super) fn sshfp(data: &str) -> Check {
    let f = split_exact(data, 3)?;
    parse_canonical_int("algorithm", f[0], 0, 4)?;
    parse_canonical_int("fp_type", f[1], 0, 2)?;
    let fp = f[2];
    let hex = fp.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex || !((10..=40).contains(&fp.len()) || fp.len() == 64) {
        return Err(format!("Host name {fp} is not a SSHFP record"));
    }
    Ok(())
}
