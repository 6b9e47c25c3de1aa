//! Fills a zone with many recordsets straight in the database: the template recordset (and its
//! records) cloned N times in one `INSERT … SELECT` per table, every column copied except the
//! ids, the name, the record hash and `created_at` (one second apart, as if created one after another), so the
//! rows are exactly what central writes; our per-zone counts (`designate_zone_counts`) are
//! recounted for the zone as our storage would have kept them.

use anyhow::{bail, Context, Result};
use sqlx::Connection as _;

/// `postgresql+psycopg2://…` / `mysql+pymysql://…` as sqlx takes them.
fn sqlx_url(connection: &str) -> Result<(bool, String)> {
    let base = connection.split('?').next().unwrap_or(connection);
    if let Some(rest) = base.strip_prefix("postgresql+psycopg2://") {
        return Ok((true, format!("postgres://{rest}")));
    }
    if let Some(rest) = base.strip_prefix("mysql+pymysql://") {
        return Ok((false, format!("mysql://{rest}")));
    }
    bail!("not a PostgreSQL or MySQL connection: {connection}")
}

/// Refreshes the planner statistics of every table of the database (PostgreSQL `ANALYZE`,
/// MySQL `ANALYZE TABLE`), as the engine's own background analysis would on a store in use.
pub(crate) async fn analyze(connection: &str) -> Result<()> {
    let (postgres, url) = sqlx_url(connection)?;
    if postgres {
        let mut c = sqlx::PgConnection::connect(&url).await?;
        sqlx::query("ANALYZE").execute(&mut c).await?;
    } else {
        let mut c = sqlx::MySqlConnection::connect(&url).await?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&mut c)
        .await?;
        let list: Vec<String> = tables.iter().map(|t| format!("`{t}`")).collect();
        sqlx::query(&format!("ANALYZE TABLE {}", list.join(", ")))
            .execute(&mut c)
            .await?;
    }
    Ok(())
}

/// The column list of `INSERT INTO table (…) SELECT …` and the select expressions, with `id`,
/// `name` and `recordset_id` replaced by `overrides`.
fn clone_lists(columns: &[String], quote: char, overrides: &[(&str, String)]) -> (String, String) {
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("{quote}{c}{quote}"))
        .collect();
    let exprs: Vec<String> = columns
        .iter()
        .map(|c| {
            overrides
                .iter()
                .find(|(name, _)| name == c)
                .map_or_else(|| format!("t.{quote}{c}{quote}"), |(_, e)| e.clone())
        })
        .collect();
    (names.join(", "), exprs.join(", "))
}

/// Clones the recordset `template_id` (hyphenated UUID) `n` times as `r<i>.<its zone>`.
pub(crate) async fn clone_recordsets(connection: &str, template_id: &str, n: usize) -> Result<()> {
    let (postgres, url) = sqlx_url(connection)?;
    if postgres {
        let mut c = sqlx::PgConnection::connect(&url).await?;
        let columns = |table: &'static str| {
            sqlx::query_scalar::<_, String>(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position",
            )
            .bind(table)
        };
        let rs_cols = columns("recordsets").fetch_all(&mut c).await?;
        let rec_cols = columns("records").fetch_all(&mut c).await?;
        let (names, exprs) = clone_lists(
            &rs_cols,
            '"',
            &[
                ("id", "md5('rs' || g.n)::uuid".to_owned()),
                ("name", "'r' || g.n || '.big.bench.'".to_owned()),
                (
                    "created_at",
                    "t.created_at + g.n * interval '1 second'".to_owned(),
                ),
            ],
        );
        sqlx::query(&format!(
            "INSERT INTO recordsets ({names}) SELECT {exprs} FROM recordsets t, \
             generate_series(1, $2) AS g(n) WHERE t.id = $1::uuid"
        ))
        .bind(template_id)
        .bind(i32::try_from(n).context("n")?)
        .execute(&mut c)
        .await?;
        let (names, exprs) = clone_lists(
            &rec_cols,
            '"',
            &[
                ("id", "md5('rec' || g.n)::uuid".to_owned()),
                ("recordset_id", "md5('rs' || g.n)::uuid".to_owned()),
                ("hash", "md5('hash' || g.n)".to_owned()),
            ],
        );
        sqlx::query(&format!(
            "INSERT INTO records ({names}) SELECT {exprs} FROM records t, \
             generate_series(1, $2) AS g(n) WHERE t.recordset_id = $1::uuid"
        ))
        .bind(template_id)
        .bind(i32::try_from(n).context("n")?)
        .execute(&mut c)
        .await?;
        // Our per-zone counts (absent from upstream's database), as our storage keeps them.
        let ours: Option<String> =
            sqlx::query_scalar("SELECT to_regclass('designate_zone_counts')::text")
                .fetch_one(&mut c)
                .await?;
        if ours.is_some() {
            sqlx::query(
                "UPDATE designate_zone_counts c SET \
                 recordsets = (SELECT COUNT(*) FROM recordsets rs WHERE rs.zone_id = c.zone_id), \
                 records = (SELECT COUNT(*) FROM records r WHERE r.zone_id = c.zone_id \
                            AND (r.managed IS NULL OR r.managed = false)) \
                 WHERE c.zone_id = (SELECT zone_id FROM recordsets WHERE id = $1::uuid)",
            )
            .bind(template_id)
            .execute(&mut c)
            .await?;
        }
        sqlx::query("ANALYZE recordsets").execute(&mut c).await?;
        sqlx::query("ANALYZE records").execute(&mut c).await?;
    } else {
        let mut c = sqlx::MySqlConnection::connect(&url).await?;
        let id = template_id.replace('-', "");
        let columns = |table: &'static str| {
            sqlx::query_scalar::<_, String>(
                "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
                 WHERE table_name = ? AND table_schema = DATABASE() ORDER BY ordinal_position",
            )
            .bind(table)
        };
        let rs_cols = columns("recordsets").fetch_all(&mut c).await?;
        let rec_cols = columns("records").fetch_all(&mut c).await?;
        let (names, exprs) = clone_lists(
            &rs_cols,
            '`',
            &[
                ("id", "MD5(CONCAT('rs', g.seq))".to_owned()),
                ("name", "CONCAT('r', g.seq, '.big.bench.')".to_owned()),
                (
                    "created_at",
                    "t.created_at + INTERVAL g.seq SECOND".to_owned(),
                ),
            ],
        );
        // MariaDB's sequence engine provides seq_1_to_<n>.
        sqlx::query(&format!(
            "INSERT INTO recordsets ({names}) SELECT {exprs} FROM recordsets t \
             JOIN seq_1_to_{n} g WHERE t.id = ?"
        ))
        .bind(&id)
        .execute(&mut c)
        .await?;
        let (names, exprs) = clone_lists(
            &rec_cols,
            '`',
            &[
                ("id", "MD5(CONCAT('rec', g.seq))".to_owned()),
                ("recordset_id", "MD5(CONCAT('rs', g.seq))".to_owned()),
                ("hash", "MD5(CONCAT('hash', g.seq))".to_owned()),
            ],
        );
        sqlx::query(&format!(
            "INSERT INTO records ({names}) SELECT {exprs} FROM records t \
             JOIN seq_1_to_{n} g WHERE t.recordset_id = ?"
        ))
        .bind(&id)
        .execute(&mut c)
        .await?;
        let ours: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = 'designate_zone_counts'",
        )
        .fetch_one(&mut c)
        .await?;
        if ours > 0 {
            sqlx::query(
                "UPDATE designate_zone_counts c SET \
                 recordsets = (SELECT COUNT(*) FROM recordsets rs WHERE rs.zone_id = c.zone_id), \
                 records = (SELECT COUNT(*) FROM records r WHERE r.zone_id = c.zone_id \
                            AND (r.managed IS NULL OR r.managed = 0)) \
                 WHERE c.zone_id = (SELECT zone_id FROM recordsets WHERE id = ?)",
            )
            .bind(&id)
            .execute(&mut c)
            .await?;
        }
        sqlx::query("ANALYZE TABLE recordsets, records")
            .execute(&mut c)
            .await?;
    }
    Ok(())
}

/// Zones per `INSERT … SELECT` of [`clone_zones`]: each batch commits on its own, so that
/// neither engine holds a million-row transaction (with a million updates of the project's
/// zone-count row by the `zones` triggers) open.
const CLONE_BATCH: usize = 50_000;

/// Clones the zone `template_id` (hyphenated UUID) `n` times as `z<i>.<its name>`, one
/// `created_at` second apart and spread over the 4096 shards, [`CLONE_BATCH`] zones per
/// `INSERT … SELECT` (only the zone rows: a zone listing reads nothing else of an
/// unattributed zone).
pub(crate) async fn clone_zones(connection: &str, template_id: &str, n: usize) -> Result<()> {
    let (postgres, url) = sqlx_url(connection)?;
    if postgres {
        let mut c = sqlx::PgConnection::connect(&url).await?;
        let cols = sqlx::query_scalar::<_, String>(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_name = 'zones' AND table_schema = current_schema() ORDER BY ordinal_position",
        )
        .fetch_all(&mut c)
        .await?;
        let (names, exprs) = clone_lists(
            &cols,
            '"',
            &[
                ("id", "md5('zone' || g.n)::uuid".to_owned()),
                ("name", "'z' || g.n || '.' || t.name".to_owned()),
                ("shard", "(g.n % 4096)::smallint".to_owned()),
                (
                    "created_at",
                    "t.created_at + g.n * interval '1 second'".to_owned(),
                ),
                // Served zones, as a store of a million would hold: a clone of the template
                // while it was still PENDING would have the producer's recovery re-drive
                // every one of them during the measurement.
                ("status", "'ACTIVE'".to_owned()),
                ("action", "'NONE'".to_owned()),
            ],
        );
        let sql = format!(
            "INSERT INTO zones ({names}) SELECT {exprs} FROM zones t, \
             generate_series($2, $3) AS g(n) WHERE t.id = $1::uuid"
        );
        // The per-row trigger that keeps `designate_project_zone_counts` updates one row per
        // inserted zone; PostgreSQL keeps every version of that row until the transaction
        // ends, so each update walks all the earlier ones and a batch is quadratic. Off for
        // the fill (a benchmark database of its own), the counts recomputed afterwards.
        sqlx::query("ALTER TABLE zones DISABLE TRIGGER designate_zone_count_insert")
            .execute(&mut c)
            .await?;
        for (first, last) in batches(n) {
            sqlx::query(&sql)
                .bind(template_id)
                .bind(i32::try_from(first)?)
                .bind(i32::try_from(last)?)
                .execute(&mut c)
                .await?;
        }
        sqlx::query("ALTER TABLE zones ENABLE TRIGGER designate_zone_count_insert")
            .execute(&mut c)
            .await?;
        sqlx::query(
            "INSERT INTO designate_project_zone_counts (tenant_id, zones) \
             SELECT COALESCE(tenant_id, ''), COUNT(*) FROM zones WHERE deleted = '0' \
             GROUP BY COALESCE(tenant_id, '') \
             ON CONFLICT (tenant_id) DO UPDATE SET zones = excluded.zones",
        )
        .execute(&mut c)
        .await?;
        sqlx::query("ANALYZE zones").execute(&mut c).await?;
    } else {
        let mut c = sqlx::MySqlConnection::connect(&url).await?;
        let cols = sqlx::query_scalar::<_, String>(
            "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
             WHERE table_name = 'zones' AND table_schema = DATABASE() ORDER BY ordinal_position",
        )
        .fetch_all(&mut c)
        .await?;
        let (names, exprs) = clone_lists(
            &cols,
            '`',
            &[
                ("id", "MD5(CONCAT('zone', g.seq))".to_owned()),
                ("name", "CONCAT('z', g.seq, '.', t.name)".to_owned()),
                ("shard", "g.seq % 4096".to_owned()),
                (
                    "created_at",
                    "t.created_at + INTERVAL g.seq SECOND".to_owned(),
                ),
                ("status", "'ACTIVE'".to_owned()),
                ("action", "'NONE'".to_owned()),
            ],
        );
        for (first, last) in batches(n) {
            sqlx::query(&format!(
                "INSERT INTO zones ({names}) SELECT {exprs} FROM zones t \
                 JOIN seq_{first}_to_{last} g WHERE t.id = ?"
            ))
            .bind(template_id.replace('-', ""))
            .execute(&mut c)
            .await?;
        }
        sqlx::query("ANALYZE TABLE zones").execute(&mut c).await?;
    }
    Ok(())
}

/// `1..=n` in inclusive ranges of at most [`CLONE_BATCH`].
fn batches(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (1..=n)
        .step_by(CLONE_BATCH)
        .map(move |first| (first, (first + CLONE_BATCH - 1).min(n)))
}

/// Ids of `count` live zones spread evenly over the whole listing order (`created_at`, `id`),
/// the deepest included: the markers the zone list is timed behind.
pub(crate) async fn zone_markers(connection: &str, count: usize) -> Result<Vec<String>> {
    let (postgres, url) = sqlx_url(connection)?;
    let total_sql = "SELECT COUNT(*) FROM zones WHERE deleted = '0'";
    let pick = |step: i64| {
        format!(
            "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS rn \
             FROM zones WHERE deleted = '0') t WHERE MOD(rn, {step}) = 0"
        )
    };
    let ids: Vec<String> = if postgres {
        let mut c = sqlx::PgConnection::connect(&url).await?;
        let total: i64 = sqlx::query_scalar(total_sql).fetch_one(&mut c).await?;
        let step = (total / i64::try_from(count.max(1))?).max(1);
        sqlx::query_scalar::<_, uuid::Uuid>(&pick(step))
            .fetch_all(&mut c)
            .await?
            .iter()
            .map(ToString::to_string)
            .collect()
    } else {
        let mut c = sqlx::MySqlConnection::connect(&url).await?;
        let total: i64 = sqlx::query_scalar(total_sql).fetch_one(&mut c).await?;
        let step = (total / i64::try_from(count.max(1))?).max(1);
        sqlx::query_scalar::<_, String>(&pick(step).replace(
            "SELECT id FROM (SELECT id",
            "SELECT CAST(id AS CHAR) FROM (SELECT id",
        ))
        .fetch_all(&mut c)
        .await?
        .iter()
        .filter_map(|hex| uuid::Uuid::parse_str(hex).ok())
        .map(|u| u.to_string())
        .collect()
    };
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_zone_once() {
        assert_eq!(batches(0).count(), 0);
        assert_eq!(batches(3).collect::<Vec<_>>(), [(1, 3)]);
        let n = 2 * CLONE_BATCH + 7;
        let all: Vec<_> = batches(n).collect();
        assert_eq!(
            all,
            [
                (1, CLONE_BATCH),
                (CLONE_BATCH + 1, 2 * CLONE_BATCH),
                (2 * CLONE_BATCH + 1, n)
            ]
        );
    }
}
