//! The SQL side of the `powerdns-sql` backend: PowerDNS's generic SQL schema (`domains`,
//! `records`, …) on MySQL/MariaDB (gmysql) or PostgreSQL (gpgsql), each zone operation one
//! transaction. Queries are written once with `?` placeholders; the engine difference is the
//! placeholder syntax alone, and the [`on_engine!`] macro expands one body per driver.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use designate_core::serial::serial_gt;
use designate_storage::ServerUrl;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{MySqlPool, PgPool};

use super::rows::{soa_serial, PdnsRecord};

/// How long a backend operation waits for a free connection to the PowerDNS database.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections per PowerDNS database and worker process; zone tasks are short transactions.
const MAX_CONNECTIONS: u32 = 4;
/// Rows per INSERT statement (8 values each, well under both engines' placeholder limits).
const ROWS_PER_INSERT: usize = 500;

/// A PowerDNS database.
#[derive(Debug, Clone)]
pub(crate) enum Database {
    /// gmysql.
    MySql(MySqlPool),
    /// gpgsql.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the engine's pool, once per engine; `$pg` says whether
/// the engine is PostgreSQL (for [`sql`]).
macro_rules! on_engine {
    ($db:expr, |$pool:ident, $pg:ident| $body:expr) => {
        match $db {
            Database::MySql($pool) => {
                let $pg = false;
                $body
            }
            Database::Postgres($pool) => {
                let $pg = true;
                $body
            }
        }
    };
}

/// `text` with `?` placeholders numbered (`$1`, …) for PostgreSQL.
fn sql(pg: bool, text: &str) -> String {
    if !pg {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// What a zone write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// The zone's rows were replaced.
    Replaced,
    /// PowerDNS already held a newer serial (a later task got there first); nothing written.
    Newer(u32),
}

impl Database {
    /// Opens (lazily: the first operation connects) a pool for `url`.
    fn open(url: &ServerUrl) -> Result<Self, String> {
        Ok(match url {
            ServerUrl::MySql(u) => {
                let options = MySqlConnectOptions::from_str(u).map_err(|e| e.to_string())?;
                Self::MySql(
                    MySqlPoolOptions::new()
                        .max_connections(MAX_CONNECTIONS)
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .connect_lazy_with(options),
                )
            }
            ServerUrl::Postgres(u) => {
                let options = PgConnectOptions::from_str(u).map_err(|e| e.to_string())?;
                Self::Postgres(
                    PgPoolOptions::new()
                        .max_connections(MAX_CONNECTIONS)
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .connect_lazy_with(options),
                )
            }
        })
    }

    /// In one transaction: makes `domain` a zone of `kind` whose records are exactly `rows`,
    /// unless PowerDNS already serves a serial newer than `serial` (two workers may run tasks
    /// of one zone at once; the older must not overwrite the newer).
    pub(crate) async fn replace_zone(
        &self,
        domain: &str,
        kind: &str,
        rows: &[PdnsRecord],
        serial: u32,
    ) -> Result<Written, sqlx::Error> {
        on_engine!(self, |pool, pg| {
            let mut tx = pool.begin().await?;
            let existing: Option<i32> =
                sqlx::query_scalar(&sql(pg, "SELECT id FROM domains WHERE name = ? FOR UPDATE"))
                    .bind(domain)
                    .fetch_optional(&mut *tx)
                    .await?;
            let id = match existing {
                Some(id) => {
                    let held: Option<String> = sqlx::query_scalar(&sql(
                        pg,
                        "SELECT content FROM records WHERE domain_id = ? AND type = 'SOA'",
                    ))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(held) = held.as_deref().and_then(soa_serial) {
                        if serial_gt(held, serial) {
                            tx.rollback().await?;
                            return Ok(Written::Newer(held));
                        }
                    }
                    sqlx::query(&sql(
                        pg,
                        "UPDATE domains SET type = ?, master = NULL WHERE id = ?",
                    ))
                    .bind(kind)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(&sql(pg, "DELETE FROM records WHERE domain_id = ?"))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    id
                }
                None => {
                    sqlx::query(&sql(pg, "INSERT INTO domains (name, type) VALUES (?, ?)"))
                        .bind(domain)
                        .bind(kind)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query_scalar(&sql(pg, "SELECT id FROM domains WHERE name = ?"))
                        .bind(domain)
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut text = String::from(
                    "INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES ",
                );
                for i in 0..chunk.len() {
                    text.push_str(if i == 0 { "" } else { ", " });
                    text.push_str("(?, ?, ?, ?, ?, ?, ?, ?)");
                }
                let text = sql(pg, &text);
                let mut insert = sqlx::query(&text);
                for row in chunk {
                    insert = insert
                        .bind(id)
                        .bind(row.name.as_str())
                        .bind(row.rtype.as_str())
                        .bind(row.content.as_str())
                        .bind(row.ttl)
                        .bind(row.prio)
                        .bind(false)
                        .bind(row.auth);
                }
                insert.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(Written::Replaced)
        })
    }

    /// In one transaction: removes `domain` with its records and the rows PowerDNS keeps about
    /// it (metadata, keys, comments). True when there was something to remove.
    pub(crate) async fn delete_zone(&self, domain: &str) -> Result<bool, sqlx::Error> {
        on_engine!(self, |pool, pg| {
            let mut tx = pool.begin().await?;
            let existing: Option<i32> =
                sqlx::query_scalar(&sql(pg, "SELECT id FROM domains WHERE name = ? FOR UPDATE"))
                    .bind(domain)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(id) = existing else {
                tx.rollback().await?;
                return Ok(false);
            };
            for table in ["records", "comments", "domainmetadata", "cryptokeys"] {
                sqlx::query(&sql(
                    pg,
                    &format!("DELETE FROM {table} WHERE domain_id = ?"),
                ))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(&sql(pg, "DELETE FROM domains WHERE id = ?"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}

/// Pools to PowerDNS databases, one per `connection` URL, shared by every backend built from
/// one [`crate::BackendContext`] (the worker builds a backend per task; connections outlive
/// it).
#[derive(Debug, Clone, Default)]
pub struct Databases {
    open: Arc<Mutex<HashMap<String, Database>>>,
}

impl Databases {
    /// The pool for `url`, opened on first use.
    pub(crate) fn get(&self, url: &ServerUrl) -> Result<Database, String> {
        let key = match url {
            ServerUrl::MySql(u) | ServerUrl::Postgres(u) => u.clone(),
        };
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(db) = open.get(&key) {
            return Ok(db.clone());
        }
        let db = Database::open(url)?;
        open.insert(key, db.clone());
        Ok(db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_engine() {
        assert_eq!(sql(false, "a = ? AND b = ?"), "a = ? AND b = ?");
        assert_eq!(sql(true, "a = ? AND b = ?"), "a = $1 AND b = $2");
    }
}
