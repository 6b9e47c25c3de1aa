//! Fills a zone with many recordsets straight in the database: the template recordset (and its
//! records) cloned N times in one `INSERT … SELECT` per table, every column copied except the
//! ids, the name, the record hash and `created_at` (one second apart, as if created one after another), so the
//! rows are exactly what central writes.

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
        sqlx::query("ANALYZE TABLE recordsets, records")
            .execute(&mut c)
            .await?;
    }
    Ok(())
}
