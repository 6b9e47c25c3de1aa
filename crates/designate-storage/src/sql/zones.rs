//! The `zones` table ↔ [`Zone`]. Column `type` holds `Zone::zone_type`.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::Zone;
use uuid::Uuid;

use super::codec::RowReader;
use super::dialect::{self, Engine};
use super::listing::{col, push_criteria, push_page, Kind, Table};
use super::query::{Conn, Sql, Val, IN_CHUNK};
use crate::{Result, StorageError};

/// Columns of `zones`, in upstream's order; also the filter and sort allow-list.
pub(crate) static ZONES: Table = Table {
    name: "zones",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("deleted", Kind::Text, false),
        col("deleted_at", Kind::Ts, true),
        col("shard", Kind::Int, false),
        col("tenant_id", Kind::Text, true),
        col("name", Kind::DnsName, false),
        col("email", Kind::Text, false),
        col("description", Kind::Text, true),
        col("type", Kind::Enum, false),
        col("transferred_at", Kind::Ts, true),
        col("ttl", Kind::Int, false),
        col("serial", Kind::Int, false),
        col("refresh", Kind::Int, false),
        col("retry", Kind::Int, false),
        col("expire", Kind::Int, false),
        col("minimum", Kind::Int, false),
        col("status", Kind::Enum, false),
        col("parent_zone_id", Kind::Uuid, true),
        col("action", Kind::Enum, false),
        col("pool_id", Kind::Uuid, true),
        col("reverse_name", Kind::Text, false),
        col("delayed_notify", Kind::Bool, true),
        col("increment_serial", Kind::Bool, true),
    ],
};

/// `deleted` is `'0'` or the zone's id as 32 hex digits (upstream's soft-delete marker); an id
/// given with dashes is stored in that form so that lookups by either spelling agree.
fn deleted_to_db(deleted: &str) -> String {
    dialect::uuid_from_db(deleted).map_or_else(|| deleted.to_owned(), |id| dialect::uuid_to_db(&id))
}

/// The values of every column but `id`, `version`, `created_at`, `updated_at`, in
/// [`ZONES`] order from `deleted` on.
fn data_values(z: &Zone) -> Vec<Val> {
    vec![
        deleted_to_db(&z.deleted).into(),
        z.deleted_at.into(),
        z.shard.into(),
        z.tenant_id.clone().into(),
        z.name.clone().into(),
        z.email.clone().into(),
        z.description.clone().into(),
        z.zone_type.as_str().into(),
        z.transferred_at.into(),
        z.ttl.into(),
        z.serial.into(),
        z.refresh.into(),
        z.retry.into(),
        z.expire.into(),
        z.minimum.into(),
        z.status.as_str().into(),
        z.parent_zone_id.into(),
        z.action.as_str().into(),
        z.pool_id.into(),
        z.reverse_name.clone().into(),
        z.delayed_notify.into(),
        z.increment_serial.into(),
    ]
}

/// Decodes a row selected with [`Table::select_list`] of [`ZONES`].
pub(crate) fn zone_from_row(row: &super::query::Row) -> Result<Zone> {
    from_row(row)
}

fn from_row(row: &super::query::Row) -> Result<Zone> {
    let r = RowReader::new(row, "zones");
    Ok(Zone {
        id: r.uuid("id")?,
        version: r.int_as("version")?,
        created_at: r.created_at()?,
        updated_at: r.opt_ts("updated_at")?,
        deleted: r.text("deleted")?,
        deleted_at: r.opt_ts("deleted_at")?,
        shard: r.int_as("shard")?,
        tenant_id: r.opt_text("tenant_id")?,
        name: r.text("name")?,
        email: r.text("email")?,
        description: r.opt_text("description")?,
        zone_type: r.parse("type")?,
        transferred_at: r.opt_ts("transferred_at")?,
        ttl: r.int_as("ttl")?,
        serial: r.int_as("serial")?,
        refresh: r.int_as("refresh")?,
        retry: r.int_as("retry")?,
        expire: r.int_as("expire")?,
        minimum: r.int_as("minimum")?,
        status: r.parse("status")?,
        parent_zone_id: r.opt_uuid("parent_zone_id")?,
        action: r.parse("action")?,
        pool_id: r.opt_uuid("pool_id")?,
        reverse_name: r.text("reverse_name")?,
        delayed_notify: r.flag("delayed_notify")?,
        increment_serial: r.flag("increment_serial")?,
        attributes: Default::default(),
        masters: Vec::new(),
    })
}

/// Inserts a zone row.
pub(crate) async fn create(conn: &mut Conn, z: &Zone) -> Result<()> {
    let names: Vec<&str> = ZONES.cols.iter().map(|c| c.name).collect();
    let mut values: Vec<Val> = vec![
        z.id.into(),
        z.version.into(),
        z.created_at.into(),
        z.updated_at.into(),
    ];
    values.extend(data_values(z));
    Sql::insert("zones", &names, values).execute(conn).await?;
    super::zone_counts::create(conn, z.id).await?;
    super::zone_attributes::insert(conn, z).await?;
    super::zone_masters::insert(conn, z).await
}

/// A zone by id; `live_only` hides soft-deleted zones.
///
/// `lock` (a write transaction) reads it `FOR UPDATE` on the server engines: every change to a
/// zone ends by bumping its serial and version, so writers of one zone must queue on its row.
/// Without the lock two writers each take a shared lock on the zone row (the foreign-key checks
/// of their recordset inserts) and then both want it exclusively for the serial bump: a deadlock
/// on every collision, which InnoDB/Galera resolve by failing one of them. With it, the second
/// writer waits, then reads the first one's committed version, and its version check holds.
/// SQLite needs no lock: its writers are serialised already.
pub(crate) async fn get(conn: &mut Conn, id: Uuid, live_only: bool, lock: bool) -> Result<Zone> {
    // The row and its attributes in one statement (a row per attribute, one without any):
    // every API call on a zone's contents reads the zone first.
    let mut q = Sql::new(&format!(
        "SELECT {}, a.{} AS attribute_key, a.value AS attribute_value FROM zones z \
         LEFT JOIN zone_attributes a ON a.zone_id = z.id WHERE z.id = ",
        ZONES.select_list("z"),
        dialect::KEY
    ));
    q.bind(id);
    if live_only {
        q.push(" AND z.deleted = '0'");
    }
    match conn.engine() {
        Engine::Sqlite => {}
        // PostgreSQL cannot lock the nullable side of an outer join; the zone row is the lock.
        Engine::Postgres if lock => {
            q.push(" FOR UPDATE OF z");
        }
        _ if lock => {
            q.push(" FOR UPDATE");
        }
        _ => {}
    }
    let rows = q.fetch_all(conn).await?;
    let Some(first) = rows.first() else {
        return Err(StorageError::NotFound("zone"));
    };
    let mut zone = from_row(first)?;
    for row in &rows {
        let r = RowReader::new(row, "zone_attributes");
        if let Some(key) = r.opt_text("attribute_key")? {
            let value = r.opt_text("attribute_value")?.unwrap_or_default();
            zone.attributes.insert(key, value);
        }
    }
    super::zone_masters::load(conn, std::slice::from_mut(&mut zone)).await?;
    Ok(zone)
}

/// A live zone's own row, read and locked as [`get`]; attributes and masters left empty.
pub(crate) async fn get_row(conn: &mut Conn, id: Uuid, lock: bool) -> Result<Zone> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM zones z WHERE z.id = ",
        ZONES.select_list("z")
    ));
    q.bind(id).push(" AND z.deleted = '0'");
    if lock && conn.engine() != Engine::Sqlite {
        q.push(" FOR UPDATE");
    }
    match q.fetch_optional(conn).await? {
        Some(row) => from_row(&row),
        None => Err(StorageError::NotFound("zone")),
    }
}

/// The live zones `ids` (at most [`IN_CHUNK`] a statement), ascending by id, locked in that
/// order when `lock` (a batch of recordset creates: one statement where [`get_row`] takes one
/// per zone).
pub(crate) async fn get_rows(conn: &mut Conn, ids: &[Uuid], lock: bool) -> Result<Vec<Zone>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut zones = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let mut q = Sql::new(&format!(
            "SELECT {} FROM zones z WHERE z.deleted = '0' AND z.id IN ",
            ZONES.select_list("z")
        ));
        q.bind_list(chunk.iter().copied()).push(" ORDER BY z.id");
        if lock && conn.engine() != Engine::Sqlite {
            q.push(" FOR UPDATE");
        }
        for row in q.fetch_all(conn).await? {
            zones.push(from_row(&row)?);
        }
    }
    // Uuid's order and the engines' (native uuid, CHAR(32) hex) agree, but say so once here.
    zones.sort_by_key(|z| z.id);
    Ok(zones)
}

/// One page of live zones matching `criteria`, with the total count.
pub(crate) async fn find(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<Zone>> {
    let total_count = match super::project_zone_counts::live_zones(conn, criteria).await? {
        Some(n) => n,
        None => {
            let mut count = Sql::new("SELECT COUNT(*) FROM zones z WHERE z.deleted = '0'");
            push_criteria(&mut count, conn.engine(), &ZONES, "z", criteria, None)?;
            count.fetch_count(conn).await?
        }
    };

    // `limit: 0` asks for the count alone (the quota checks): no page to read.
    let items = if page.limit == Some(0) {
        Vec::new()
    } else {
        find_page(conn, criteria, page, true).await?
    };
    Ok(Listing { items, total_count })
}

/// One page of live zones matching `criteria`, uncounted.
pub(crate) async fn find_page(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
    with_children: bool,
) -> Result<Vec<Zone>> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM zones z WHERE z.deleted = '0'",
        ZONES.select_list("z")
    ));
    push_criteria(&mut q, conn.engine(), &ZONES, "z", criteria, None)?;
    push_page(&mut q, conn, &ZONES, "z", page).await?;
    let mut items = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    if with_children {
        super::zone_attributes::load(conn, &mut items).await?;
        super::zone_masters::load(conn, &mut items).await?;
    }
    Ok(items)
}

/// One page of live zones whose `shard` lies in `shards` (both ends included) and that match
/// `criteria`, with the total count: the producer's view of the shards it owns.
pub(crate) async fn find_in_shards(
    conn: &mut Conn,
    shards: (u16, u16),
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<Zone>> {
    let head = |select: &str| {
        let mut q = Sql::new(&format!(
            "SELECT {select} FROM zones z WHERE z.deleted = '0' AND z.shard BETWEEN "
        ));
        q.bind(i64::from(shards.0))
            .push(" AND ")
            .bind(i64::from(shards.1));
        q
    };
    let mut count = head("COUNT(*)");
    push_criteria(&mut count, conn.engine(), &ZONES, "z", criteria, None)?;
    let total_count = count.fetch_count(conn).await?;
    let mut q = head(&ZONES.select_list("z"));
    push_criteria(&mut q, conn.engine(), &ZONES, "z", criteria, None)?;
    push_page(&mut q, conn, &ZONES, "z", page).await?;
    let items = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing { items, total_count })
}

/// Up to `limit` soft-deleted zones in `shards` deleted at or before `deleted_before`, oldest
/// deletion first (upstream's `zone_purge` selection).
pub(crate) async fn find_purgeable(
    conn: &mut Conn,
    shards: (u16, u16),
    deleted_before: chrono::NaiveDateTime,
    limit: u32,
) -> Result<Vec<Zone>> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM zones z WHERE z.deleted <> '0' AND z.deleted_at <= ",
        ZONES.select_list("z")
    ));
    q.bind(deleted_before)
        .push(" AND z.shard BETWEEN ")
        .bind(i64::from(shards.0))
        .push(" AND ")
        .bind(i64::from(shards.1))
        .push(" ORDER BY z.deleted_at, z.id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// Whether a row with this id exists in `table` (to tell NotFound from Conflict).
pub(crate) async fn exists(conn: &mut Conn, table: &str, id: Uuid) -> Result<bool> {
    let mut q = Sql::new(&format!("SELECT COUNT(*) FROM {table} WHERE id = "));
    q.bind(id);
    Ok(q.fetch_count(conn).await? > 0)
}

/// Version-checked rewrite of every column; stores `version + 1` and `updated_at = now`.
/// Returns the zone as stored without reading it back: timestamps at the engine's precision,
/// `deleted` in its stored form, attributes and masters as given (this does not write them).
pub(crate) async fn update(conn: &mut Conn, z: &Zone) -> Result<Zone> {
    let engine = conn.engine();
    let stored = Zone {
        version: z.version.saturating_add(1),
        updated_at: Some(engine.stored_now()),
        created_at: engine.stored_ts(z.created_at),
        deleted: deleted_to_db(&z.deleted),
        deleted_at: z.deleted_at.map(|t| engine.stored_ts(t)),
        transferred_at: z.transferred_at.map(|t| engine.stored_ts(t)),
        ..z.clone()
    };
    let mut q = Sql::new("UPDATE zones SET version = ");
    q.bind(stored.version)
        .push(", updated_at = ")
        .bind(stored.updated_at);
    for (c, v) in ZONES.cols[4..].iter().zip(data_values(&stored)) {
        q.push(&format!(", {} = ", c.name)).bind(v);
    }
    q.push(" WHERE id = ")
        .bind(z.id)
        .push(" AND version = ")
        .bind(z.version);
    if q.execute(conn).await? == 0 {
        return Err(if exists(conn, "zones", z.id).await? {
            StorageError::Conflict("zone")
        } else {
            StorageError::NotFound("zone")
        });
    }
    Ok(stored)
}

/// The serial bumps of several zones in one UPDATE (`StorageTx::bump_zone_rows`): `serial`
/// per zone, `status`, `action` and `updated_at` as the first zone has them (a batch bumps
/// every zone alike; zones that differ are written one by one by [`update`]), each row
/// conditional on its version.
pub(crate) async fn bump_rows(conn: &mut Conn, zones: &[Zone]) -> Result<Vec<Zone>> {
    let Some(first) = zones.first() else {
        return Ok(Vec::new());
    };
    let alike = zones
        .iter()
        .all(|z| z.status == first.status && z.action == first.action);
    if !alike || zones.len() > IN_CHUNK {
        let mut out = Vec::with_capacity(zones.len());
        for zone in zones {
            out.push(update(conn, zone).await?);
        }
        return Ok(out);
    }
    let engine = conn.engine();
    let updated_at = engine.stored_now();
    let mut q = Sql::new("UPDATE zones SET version = version + 1, updated_at = ");
    q.bind(updated_at).push(", serial = CASE id");
    for z in zones {
        q.push(" WHEN ").bind(z.id).push(" THEN ").bind(z.serial);
    }
    q.push(" END, status = ")
        .bind(first.status.as_str())
        .push(", action = ")
        .bind(first.action.as_str())
        .push(" WHERE ");
    for (i, z) in zones.iter().enumerate() {
        q.push(if i == 0 { "(id = " } else { " OR (id = " })
            .bind(z.id)
            .push(" AND version = ")
            .bind(z.version)
            .push(")");
    }
    let changed = q.execute(conn).await?;
    if changed != zones.len() as u64 {
        // Which one moved (or went) matters only for the error's kind.
        for z in zones {
            if !exists(conn, "zones", z.id).await? {
                return Err(StorageError::NotFound("zone"));
            }
        }
        return Err(StorageError::Conflict("zone"));
    }
    Ok(zones
        .iter()
        .map(|z| Zone {
            version: z.version.saturating_add(1),
            updated_at: Some(updated_at),
            ..z.clone()
        })
        .collect())
}

/// Hard-deletes every record and recordset of a zone; returns how many recordsets went.
pub(crate) async fn delete_recordsets(conn: &mut Conn, zone_id: Uuid) -> Result<u64> {
    let mut q = Sql::new("DELETE FROM records WHERE zone_id = ");
    q.bind(zone_id);
    q.execute(conn).await?;
    let mut q = Sql::new("DELETE FROM recordsets WHERE zone_id = ");
    q.bind(zone_id);
    let deleted = q.execute(conn).await?;
    super::zone_counts::reset(conn, zone_id).await?;
    Ok(deleted)
}

/// Hard-deletes a zone, its recordsets and records (the other children go by ON DELETE CASCADE).
pub(crate) async fn delete(conn: &mut Conn, id: Uuid) -> Result<()> {
    // Children first, explicitly: foreign keys may be off on a database upstream created.
    for table in [
        "records",
        "recordsets",
        "zone_attributes",
        "zone_masters",
        "designate_zone_counts",
    ] {
        let mut q = Sql::new(&format!("DELETE FROM {table} WHERE zone_id = "));
        q.bind(id);
        q.execute(conn).await?;
    }
    let mut q = Sql::new("DELETE FROM zones WHERE id = ");
    q.bind(id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound("zone"));
    }
    Ok(())
}
