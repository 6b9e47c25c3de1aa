//! TSIG keys (upstream table `tsigkeys`): shared secrets that sign DNS messages between
//! MiniDNS and a pool's nameservers (scope `POOL`) or for one zone (scope `ZONE`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

string_enum! {
    /// The HMAC of a TSIG key (upstream's `TSIG_ALGORITHMS`).
    TsigAlgorithm {
        /// HMAC-MD5 (RFC 2845).
        HmacMd5 = "hmac-md5",
        /// HMAC-SHA1 (RFC 4635).
        HmacSha1 = "hmac-sha1",
        /// HMAC-SHA224.
        HmacSha224 = "hmac-sha224",
        /// HMAC-SHA256.
        HmacSha256 = "hmac-sha256",
        /// HMAC-SHA384.
        HmacSha384 = "hmac-sha384",
        /// HMAC-SHA512.
        HmacSha512 = "hmac-sha512",
    }
}

string_enum! {
    /// What a TSIG key belongs to.
    TsigScope {
        /// A pool: `resource_id` is a pool id.
        Pool = "POOL",
        /// A zone: `resource_id` is a zone id.
        Zone = "ZONE",
    }
}

/// Upstream's `maxLength` of `name` and `secret` on the object (the columns allow 255).
pub const TSIGKEY_FIELD_MAX: usize = 160;

/// A `tsigkeys` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsigKey {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// The key name as it appears in TSIG records; unique.
    pub name: String,
    /// The HMAC.
    pub algorithm: TsigAlgorithm,
    /// The shared secret, base64 as given (upstream stores it verbatim).
    pub secret: String,
    /// What the key belongs to.
    pub scope: TsigScope,
    /// The pool or zone id named by `scope`.
    pub resource_id: Uuid,
}

/// The fields a caller gives to create a TSIG key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTsigKey {
    /// Name.
    pub name: String,
    /// Algorithm.
    pub algorithm: TsigAlgorithm,
    /// Secret.
    pub secret: String,
    /// Scope.
    pub scope: TsigScope,
    /// Pool or zone id.
    pub resource_id: Uuid,
}

/// The fields a caller may change on a TSIG key (PATCH); `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsigKeyUpdate {
    /// New name.
    pub name: Option<String>,
    /// New algorithm.
    pub algorithm: Option<TsigAlgorithm>,
    /// New secret.
    pub secret: Option<String>,
    /// New scope.
    pub scope: Option<TsigScope>,
    /// New pool or zone id.
    pub resource_id: Option<Uuid>,
}

impl TsigKeyUpdate {
    /// Whether the scope or the resource changes (upstream re-checks the resource then).
    pub fn moves_resource(&self, current: &TsigKey) -> bool {
        self.scope.is_some_and(|s| s != current.scope)
            || self.resource_id.is_some_and(|r| r != current.resource_id)
    }

    /// `current` with this update applied (version and timestamps untouched).
    pub fn apply(&self, current: &TsigKey) -> TsigKey {
        let mut key = current.clone();
        if let Some(name) = &self.name {
            key.name.clone_from(name);
        }
        if let Some(algorithm) = self.algorithm {
            key.algorithm = algorithm;
        }
        if let Some(secret) = &self.secret {
            key.secret.clone_from(secret);
        }
        if let Some(scope) = self.scope {
            key.scope = scope;
        }
        if let Some(resource_id) = self.resource_id {
            key.resource_id = resource_id;
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_and_updates() {
        assert_eq!(
            "hmac-sha256".parse::<TsigAlgorithm>(),
            Ok(TsigAlgorithm::HmacSha256)
        );
        assert!("HMAC-SHA256".parse::<TsigAlgorithm>().is_err());
        assert_eq!("ZONE".parse::<TsigScope>(), Ok(TsigScope::Zone));
        let key = TsigKey {
            id: Uuid::new_v4(),
            version: 1,
            created_at: Timestamp::default(),
            updated_at: None,
            name: "k".to_owned(),
            algorithm: TsigAlgorithm::HmacMd5,
            secret: "c2VjcmV0".to_owned(),
            scope: TsigScope::Pool,
            resource_id: Uuid::new_v4(),
        };
        let same_scope = TsigKeyUpdate {
            scope: Some(TsigScope::Pool),
            secret: Some("bmV3".to_owned()),
            ..TsigKeyUpdate::default()
        };
        assert!(!same_scope.moves_resource(&key));
        assert_eq!(same_scope.apply(&key).secret, "bmV3");
        let moved = TsigKeyUpdate {
            resource_id: Some(Uuid::new_v4()),
            ..TsigKeyUpdate::default()
        };
        assert!(moved.moves_resource(&key));
    }
}
