//! The `designate_leases` table (ours, not upstream's) ↔ [`Lease`]: named, expiring claims that
//! let producer instances share work through the store alone — membership rows, shard-bucket
//! ownership and per-period run gates are all leases.
//!
//! Claims are one conditional UPDATE (take it when expired, or renew it when ours) and, when the
//! row does not exist yet, an INSERT whose unique-key race is lost gracefully. The statements are
//! the same on every engine; no table or row lock is held beyond the statement.

use chrono::NaiveDateTime;

use super::codec::RowReader;
use super::query::{Conn, Sql};
use crate::{Lease, Result, StorageError};

/// Takes or renews `lease`: succeeds when the row is absent, expired at `now`, or (with
/// `renew`) already held by `lease.holder`. Returns whether the caller now holds it.
pub(crate) async fn claim(
    conn: &mut Conn,
    lease: &Lease,
    now: NaiveDateTime,
    renew: bool,
) -> Result<bool> {
    let mut q = Sql::new("UPDATE designate_leases SET holder = ");
    q.bind(lease.holder.clone())
        .push(", expires_at = ")
        .bind(lease.expires_at)
        .push(" WHERE name = ")
        .bind(lease.name.clone())
        .push(" AND (expires_at <= ")
        .bind(now);
    if renew {
        q.push(" OR holder = ").bind(lease.holder.clone());
    }
    q.push(")");
    if q.execute(conn).await? > 0 {
        return Ok(true);
    }
    let mut exists = Sql::new("SELECT COUNT(*) FROM designate_leases WHERE name = ");
    exists.bind(lease.name.clone());
    if exists.fetch_count(conn).await? > 0 {
        return Ok(false);
    }
    let insert = Sql::insert(
        "designate_leases",
        &["name", "holder", "expires_at"],
        vec![
            lease.name.clone().into(),
            lease.holder.clone().into(),
            lease.expires_at.into(),
        ],
    );
    match insert.execute(conn).await {
        Ok(_) => Ok(true),
        // Another instance inserted it between our SELECT and INSERT: it holds the lease.
        Err(StorageError::Duplicate(_)) => Ok(false),
        Err(error) => Err(error),
    }
}

/// Gives `name` up if `holder` holds it; returns whether a row went.
pub(crate) async fn release(conn: &mut Conn, name: &str, holder: &str) -> Result<bool> {
    let mut q = Sql::new("DELETE FROM designate_leases WHERE name = ");
    q.bind(name.to_owned())
        .push(" AND holder = ")
        .bind(holder.to_owned());
    Ok(q.execute(conn).await? > 0)
}

/// Every lease whose name starts with `prefix`, by name (expired ones included: the caller
/// compares `expires_at` with its own clock).
pub(crate) async fn find(conn: &mut Conn, prefix: &str) -> Result<Vec<Lease>> {
    let rows = Sql::new("SELECT name, holder, expires_at FROM designate_leases ORDER BY name")
        .fetch_all(conn)
        .await?;
    let mut leases = Vec::new();
    for row in &rows {
        let r = RowReader::new(row, "designate_leases");
        let name = r.text("name")?;
        if !name.starts_with(prefix) {
            continue;
        }
        let expires_at = r.opt_ts("expires_at")?.ok_or(StorageError::Corrupt {
            table: "designate_leases",
            column: "expires_at",
            message: "null".to_owned(),
        })?;
        leases.push(Lease {
            name,
            holder: r.text("holder")?,
            expires_at,
        });
    }
    Ok(leases)
}
