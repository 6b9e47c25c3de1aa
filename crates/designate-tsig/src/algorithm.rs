//! The HMACs a TSIG key may use (upstream's `TSIG_ALGORITHMS`), their names on the wire
//! (RFC 8945 §6) and in Designate, and the MAC computation itself (the `hmac` crate).

use hmac::{Hmac, Mac};

/// A TSIG algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-MD5 (`hmac-md5.sig-alg.reg.int.` on the wire).
    HmacMd5,
    /// HMAC-SHA1.
    HmacSha1,
    /// HMAC-SHA224.
    HmacSha224,
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA384.
    HmacSha384,
    /// HMAC-SHA512.
    HmacSha512,
}

const ALL: [Algorithm; 6] = [
    Algorithm::HmacMd5,
    Algorithm::HmacSha1,
    Algorithm::HmacSha224,
    Algorithm::HmacSha256,
    Algorithm::HmacSha384,
    Algorithm::HmacSha512,
];

impl Algorithm {
    /// Designate's spelling (`hmac-sha256`), as stored in `tsigkeys.algorithm`.
    pub fn designate_name(self) -> &'static str {
        match self {
            Self::HmacMd5 => "hmac-md5",
            Self::HmacSha1 => "hmac-sha1",
            Self::HmacSha224 => "hmac-sha224",
            Self::HmacSha256 => "hmac-sha256",
            Self::HmacSha384 => "hmac-sha384",
            Self::HmacSha512 => "hmac-sha512",
        }
    }

    /// The algorithm name in TSIG records, lower-case and fully qualified.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::HmacMd5 => "hmac-md5.sig-alg.reg.int.",
            Self::HmacSha1 => "hmac-sha1.",
            Self::HmacSha224 => "hmac-sha224.",
            Self::HmacSha256 => "hmac-sha256.",
            Self::HmacSha384 => "hmac-sha384.",
            Self::HmacSha512 => "hmac-sha512.",
        }
    }

    /// From Designate's spelling (case-insensitive).
    pub fn from_designate_name(name: &str) -> Option<Self> {
        ALL.into_iter()
            .find(|a| a.designate_name().eq_ignore_ascii_case(name))
    }

    /// From a wire name (case-insensitive, trailing dot optional).
    pub fn from_wire_name(name: &str) -> Option<Self> {
        let name = name.trim_end_matches('.');
        ALL.into_iter().find(|a| {
            a.wire_name()
                .trim_end_matches('.')
                .eq_ignore_ascii_case(name)
        })
    }

    /// Length of a full MAC.
    pub fn mac_len(self) -> usize {
        match self {
            Self::HmacMd5 => 16,
            Self::HmacSha1 => 20,
            Self::HmacSha224 => 28,
            Self::HmacSha256 => 32,
            Self::HmacSha384 => 48,
            Self::HmacSha512 => 64,
        }
    }

    /// The MAC of the concatenation of `parts` under `secret`.
    pub fn mac(self, secret: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(secret: &[u8], parts: &[&[u8]]) -> Vec<u8> {
            // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
            let mut mac = <M as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            for part in parts {
                mac.update(part);
            }
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Self::HmacMd5 => run::<Hmac<md5::Md5>>(secret, parts),
            Self::HmacSha1 => run::<Hmac<sha1::Sha1>>(secret, parts),
            Self::HmacSha224 => run::<Hmac<sha2::Sha224>>(secret, parts),
            Self::HmacSha256 => run::<Hmac<sha2::Sha256>>(secret, parts),
            Self::HmacSha384 => run::<Hmac<sha2::Sha384>>(secret, parts),
            Self::HmacSha512 => run::<Hmac<sha2::Sha512>>(secret, parts),
        }
    }

    /// Whether `mac` is the MAC of `parts` under `secret`, compared in constant time.
    pub fn verify(self, secret: &[u8], parts: &[&[u8]], mac: &[u8]) -> bool {
        fn run<M: Mac + hmac::digest::KeyInit>(secret: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
            let mut mac = <M as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            for part in parts {
                mac.update(part);
            }
            mac.verify_slice(tag).is_ok()
        }
        match self {
            Self::HmacMd5 => run::<Hmac<md5::Md5>>(secret, parts, mac),
            Self::HmacSha1 => run::<Hmac<sha1::Sha1>>(secret, parts, mac),
            Self::HmacSha224 => run::<Hmac<sha2::Sha224>>(secret, parts, mac),
            Self::HmacSha256 => run::<Hmac<sha2::Sha256>>(secret, parts, mac),
            Self::HmacSha384 => run::<Hmac<sha2::Sha384>>(secret, parts, mac),
            Self::HmacSha512 => run::<Hmac<sha2::Sha512>>(secret, parts, mac),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2 (key "Jefe") and RFC 2104's MD5 example.
    #[test]
    fn known_answers() {
        let data: &[&[u8]] = &[b"what do ya want ", b"for nothing?"];
        let hex = |v: Vec<u8>| v.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(Algorithm::HmacSha256.mac(b"Jefe", data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(Algorithm::HmacMd5.mac(b"Jefe", data)),
            "750c783e6ab0b503eaa86e310a5db738"
        );
        assert_eq!(
            hex(Algorithm::HmacSha1.mac(b"Jefe", data)),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        let mac = Algorithm::HmacSha512.mac(b"Jefe", data);
        assert_eq!(mac.len(), Algorithm::HmacSha512.mac_len());
        assert!(Algorithm::HmacSha512.verify(b"Jefe", data, &mac));
        assert!(!Algorithm::HmacSha512.verify(b"Jeff", data, &mac));
    }

    #[test]
    fn names() {
        for a in ALL {
            assert_eq!(Algorithm::from_designate_name(a.designate_name()), Some(a));
            assert_eq!(Algorithm::from_wire_name(a.wire_name()), Some(a));
            assert_eq!(a.mac(b"k", &[b"x"]).len(), a.mac_len());
        }
        assert_eq!(
            Algorithm::from_wire_name("HMAC-MD5.SIG-ALG.REG.INT"),
            Some(Algorithm::HmacMd5)
        );
        assert_eq!(Algorithm::from_wire_name("hmac-sha3."), None);
    }
}
