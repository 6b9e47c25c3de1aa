//! The TSIG keys MiniDNS verifies requests with: upstream's `tsigkeys` table, read from the
//! store with the ACL's pool members (every `acl_refresh`) and at once when a request names a
//! key we do not hold (at most every [`MISS_RELOAD_MIN`](crate::acl::MISS_RELOAD_MIN)), so a key
//! created through the API works on its first use.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use designate_core::criteria::{Criteria, Page};
use designate_core::objects::TsigScope;
use designate_storage::{Storage, StorageError};
use designate_tsig::Key;
use uuid::Uuid;

use crate::acl::MISS_RELOAD_MIN;

/// What a key grants (upstream's scopes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyScope {
    /// The zones of pool `.0`.
    Pool(Uuid),
    /// Zone `.0` only.
    Zone(Uuid),
}

/// A usable key and what it grants.
#[derive(Debug, Clone)]
pub(crate) struct KeyEntry {
    pub(crate) key: Key,
    pub(crate) scope: KeyScope,
}

/// Keys by lower-case, fully qualified name.
pub(crate) struct Keyring {
    storage: Arc<dyn Storage>,
    keys: RwLock<Arc<HashMap<String, KeyEntry>>>,
    last_miss_reload: tokio::sync::Mutex<Option<Instant>>,
}

impl Keyring {
    pub(crate) fn new(storage: Arc<dyn Storage>) -> Self {
        Self {
            storage,
            keys: RwLock::new(Arc::new(HashMap::new())),
            last_miss_reload: tokio::sync::Mutex::new(None),
        }
    }

    /// The key named `name` (as in a TSIG record: lower-case, with the trailing dot); an unknown
    /// name triggers one (rate-limited) reload first.
    pub(crate) async fn find(&self, name: &str) -> Option<KeyEntry> {
        if let Some(entry) = self.get(name) {
            return Some(entry);
        }
        let mut last = self.last_miss_reload.lock().await;
        if last.is_none_or(|at| at.elapsed() >= MISS_RELOAD_MIN) {
            if let Err(error) = self.reload().await {
                tracing::warn!(%error, "cannot reload TSIG keys");
            }
            *last = Some(Instant::now());
        }
        drop(last);
        self.get(name)
    }

    fn get(&self, name: &str) -> Option<KeyEntry> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        keys.get(name).cloned()
    }

    /// Re-reads every key. A store without the table (or without keys) leaves the ring empty.
    pub(crate) async fn reload(&self) -> Result<(), StorageError> {
        let page = Page {
            limit: None,
            ..Page::default()
        };
        let rows = {
            let mut tx = self.storage.begin_read().await?;
            match tx.find_tsigkeys(&Criteria::new(), &page).await {
                Ok(listing) => listing.items,
                Err(StorageError::Unsupported(_)) => Vec::new(),
                Err(e) => return Err(e),
            }
        };
        let mut keys = HashMap::with_capacity(rows.len());
        for row in rows {
            let key = match Key::new(&row.name, row.algorithm.as_str(), &row.secret) {
                Ok(key) => key,
                Err(error) => {
                    tracing::error!(tsigkey_id = %row.id, name = %row.name, %error,
                        "unusable TSIG key; requests signed with it get BADKEY");
                    continue;
                }
            };
            let scope = match row.scope {
                TsigScope::Pool => KeyScope::Pool(row.resource_id),
                TsigScope::Zone => KeyScope::Zone(row.resource_id),
            };
            keys.insert(key.name.clone(), KeyEntry { key, scope });
        }
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys);
        Ok(())
    }
}
