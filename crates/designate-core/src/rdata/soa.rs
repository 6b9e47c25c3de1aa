//! SOA: `mname rname serial refresh retry expire minimum`, and [`SoaData`], the typed form central
//! builds the managed SOA from and MiniDNS reads it back with.
//!
//! Upstream's ranges: serial 1..=4294967295, the four timers 0..=2147483647, both names domain
//! names. Central writes the RNAME from the zone's e-mail with the dots of the local part escaped
//! (`first\.last.example.org.`), so `\.` is accepted inside RNAME labels.

use std::fmt;
use std::str::FromStr;

use super::{domain, parse_int, split_exact, Check};
use crate::error::{DesignateError, Result};
use crate::name::{email_to_rname, is_valid_domain, MAX_TTL};

/// SOA data.
pub(super) fn soa(data: &str) -> Check {
    SoaData::parse_fields(data).map(|_| ())
}

/// The fields of an SOA record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoaData {
    /// Primary nameserver (the pool's first NS record).
    pub mname: String,
    /// Responsible mailbox in name form (see [`email_to_rname`]).
    pub rname: String,
    /// Zone serial.
    pub serial: u32,
    /// Refresh timer, seconds.
    pub refresh: u32,
    /// Retry timer, seconds.
    pub retry: u32,
    /// Expire timer, seconds.
    pub expire: u32,
    /// Negative-caching TTL, seconds.
    pub minimum: u32,
}

impl SoaData {
    /// The SOA central writes for a zone: `mname` is the pool's first NS hostname, `email` the
    /// zone's e-mail, `timers` its `[refresh, retry, expire, minimum]`.
    pub fn for_zone(mname: &str, email: &str, serial: u32, timers: [u32; 4]) -> Self {
        let [refresh, retry, expire, minimum] = timers;
        Self {
            mname: mname.to_owned(),
            rname: email_to_rname(email),
            serial,
            refresh,
            retry,
            expire,
            minimum,
        }
    }

    fn parse_fields(data: &str) -> std::result::Result<Self, String> {
        let f = split_exact(data, 7)?;
        domain("Domain", f[0])?;
        if !is_valid_rname(f[1]) {
            return Err(format!("Domain {} is invalid", f[1]));
        }
        let timer = |name: &str, s: &str| -> std::result::Result<u32, String> {
            let v = parse_int(name, s, 0, MAX_TTL.unsigned_abs())?;
            u32::try_from(v).map_err(|_| format!("Value too high for {name}"))
        };
        let serial = parse_int("serial", f[2], 1, u64::from(u32::MAX))?;
        Ok(Self {
            mname: f[0].to_owned(),
            rname: f[1].to_owned(),
            serial: u32::try_from(serial).map_err(|_| "Value too high for serial".to_owned())?,
            refresh: timer("refresh", f[3])?,
            retry: timer("retry", f[4])?,
            expire: timer("expire", f[5])?,
            minimum: timer("minimum", f[6])?,
        })
    }
}

/// A domain name whose labels may contain `\.` (an escaped dot, one octet on the wire). Swapping
/// each escape for one plain label character keeps label lengths and lets the domain rule judge.
fn is_valid_rname(rname: &str) -> bool {
    is_valid_domain(&rname.replace("\\.", "x"))
}

impl FromStr for SoaData {
    type Err = DesignateError;

    /// Parses stored SOA data.
    fn from_str(data: &str) -> Result<Self> {
        super::validate("SOA", data)?;
        Self::parse_fields(data)
            .map_err(|reason| DesignateError::invalid_object(&["records"], "format", reason))
    }
}

impl fmt::Display for SoaData {
    /// Renders the data as central stores it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} {}",
            self.mname,
            self.rname,
            self.serial,
            self.refresh,
            self.retry,
            self.expire,
            self.minimum
        )
    }
}
