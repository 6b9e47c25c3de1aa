//! The zone change journal MiniDNS answers IXFR from (RFC 1995): what one change did to the
//! records a zone serves, written in the change's own transaction.
//!
//! A write operation takes the served records of the names it will change before touching
//! the zone — [`capture`] reads them (a [`Captured`], which [`record`] reads again after
//! [`crate::txn::bump_zone`]), [`known`] takes recordsets the operation has read anyway (a
//! [`Before`], which [`known_change`] compares with the recordsets as written). The SOA comes from the bump, which
//! read and rewrote it. The difference of the two sides becomes one journal change from the
//! old serial to the new, deletions (old SOA first) then additions (new SOA first).
//!
//! A serial bump that is not journaled (an operation without a [`Before`], or a store without a
//! journal) leaves a gap: MiniDNS chains changes by `prev_serial`, finds no path across the gap
//! and answers AXFR, so a gap costs bandwidth, never correctness.
//!
//! **Bounds**: the newest [`MAX_CHANGES`] changes of a zone, and no more than [`MAX_ROWS`] rows
//! together, enforced after about one append in [`PRUNE_EVERY`] (chosen at random; always after
//! a large change), so a zone may hold a few dozen changes more between prunes. A secondary
//! further behind gets an AXFR.

use std::collections::BTreeSet;

use designate_core::criteria::Criteria;
use designate_core::objects::{Action, RecordSet, Zone};
use designate_core::Result;
use designate_storage::{JournalEntry, JournalOp, StorageError, StorageTx};
use rand::Rng;

use crate::errors::from_storage;
use crate::txn::{find_all, uuid_value, Bumped};

/// Changes kept per zone.
pub(crate) const MAX_CHANGES: u32 = 100;
/// Journal rows kept per zone.
pub(crate) const MAX_ROWS: u64 = 100_000;
/// One append in this many (on average) prunes the zone's journal: pruning reads the zone's
/// whole journal, which costs more than the append itself.
pub(crate) const PRUNE_EVERY: u32 = 16;
/// A change of more rows than this prunes at once.
const PRUNE_AFTER_ROWS: usize = 1_000;

/// Which records a change may touch.
pub(crate) enum Scope {
    /// The recordsets of these (name, type) keys (the SOA is always included).
    Keys(Vec<(String, String)>),
    /// The whole zone (e.g. a zone TTL change alters every recordset without a TTL of its own).
    Zone,
}

/// One served record: owner, type, TTL, data. Ordered so that diffs come out deterministic.
type Rr = (String, String, u32, String);

/// The served records of some recordsets before a change (the SOA aside), as [`known`] took
/// them from recordsets in hand.
pub(crate) struct Before {
    serial: u32,
    zone_ttl: i32,
    rrs: BTreeSet<Rr>,
}

/// A [`Before`] that [`capture`] read, with the scope [`record`] reads again afterwards.
pub(crate) struct Captured {
    scope: Scope,
    before: Before,
}

/// Reads the served records of `scope` in `zone` (call before changing anything).
///
/// # Errors
/// Storage failures.
pub(crate) async fn capture(tx: &mut dyn StorageTx, zone: &Zone, scope: Scope) -> Result<Captured> {
    let rrs = served(tx, zone, &scope).await?;
    Ok(Captured {
        scope,
        before: Before {
            serial: zone.serial,
            zone_ttl: zone.ttl,
            rrs,
        },
    })
}

/// The served records of `recordsets` (as read, before the change) in `zone`; no I/O.
pub(crate) fn known(zone: &Zone, recordsets: &[&RecordSet]) -> Before {
    Before {
        serial: zone.serial,
        zone_ttl: zone.ttl,
        rrs: recordsets
            .iter()
            .flat_map(|rs| rrs_of(zone.ttl, rs))
            .collect(),
    }
}

/// Journals the change from `captured` to the current state of its scope, read again, in the
/// zone as [`crate::txn::bump_zone`] stored it.
///
/// # Errors
/// Storage failures (a store without a journal is not one: nothing is written).
pub(crate) async fn record(
    tx: &mut dyn StorageTx,
    bumped: &Bumped,
    captured: Captured,
) -> Result<()> {
    let after = served(tx, &bumped.zone, &captured.scope).await?;
    append(tx, bumped, captured.before, after).await
}

/// Writes the difference, the SOA's swap included, and prunes now and then.
async fn append(
    tx: &mut dyn StorageTx,
    bumped: &Bumped,
    before: Before,
    after: BTreeSet<Rr>,
) -> Result<()> {
    write_change(tx, bumped.zone.id, change(bumped, before, after)).await
}

/// Writes one zone's journal change (nothing when empty) and prunes now and then.
async fn write_change(
    tx: &mut dyn StorageTx,
    zone_id: uuid::Uuid,
    entries: Vec<JournalEntry>,
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    match tx.append_zone_journal(zone_id, &entries).await {
        Ok(()) => {}
        Err(StorageError::Unsupported(_)) => return Ok(()),
        Err(e) => return Err(from_storage(e)),
    }
    prune_now_and_then(tx, zone_id, entries.len()).await
}

/// The journal change from `before` to `after` (the recordsets as written) of a zone bumped
/// as `bumped`; no I/O. Nothing when the serial did not move.
pub(crate) fn known_change(
    bumped: &Bumped,
    before: Before,
    after: &[&RecordSet],
) -> Vec<JournalEntry> {
    let ttl = bumped.zone.ttl;
    let after = after.iter().flat_map(|rs| rrs_of(ttl, rs)).collect();
    change(bumped, before, after)
}

/// Writes the journal changes of several zones (see [`known_change`]) at once, and prunes
/// now and then.
///
/// # Errors
/// Storage failures (a store without a journal is not one: nothing is written).
pub(crate) async fn append_changes(
    tx: &mut dyn StorageTx,
    changes: Vec<(uuid::Uuid, Vec<JournalEntry>)>,
) -> Result<()> {
    let changes: Vec<_> = changes.into_iter().filter(|(_, e)| !e.is_empty()).collect();
    if changes.is_empty() {
        return Ok(());
    }
    match tx.append_zone_journals(&changes).await {
        Ok(()) => {}
        Err(StorageError::Unsupported(_)) => return Ok(()),
        Err(e) => return Err(from_storage(e)),
    }
    for (zone_id, entries) in &changes {
        prune_now_and_then(tx, *zone_id, entries.len()).await?;
    }
    Ok(())
}

async fn prune_now_and_then(
    tx: &mut dyn StorageTx,
    zone_id: uuid::Uuid,
    rows: usize,
) -> Result<()> {
    if rows > PRUNE_AFTER_ROWS || rand::thread_rng().gen_ratio(1, PRUNE_EVERY) {
        tx.prune_zone_journal(zone_id, MAX_CHANGES, MAX_ROWS)
            .await
            .map_err(from_storage)?;
    }
    Ok(())
}

/// The difference, the SOA's swap included.
fn change(bumped: &Bumped, mut before: Before, mut after: BTreeSet<Rr>) -> Vec<JournalEntry> {
    let zone = &bumped.zone;
    if zone.serial == before.serial {
        return Vec::new();
    }
    if let Some(soa) = &bumped.soa {
        let ttl = |zone_ttl: i32| served_ttl(soa.ttl, zone_ttl);
        let owner = || zone.name.clone();
        before.rrs.insert((
            owner(),
            "SOA".to_owned(),
            ttl(before.zone_ttl),
            with_serial(&soa.old, before.serial),
        ));
        after.insert((
            owner(),
            "SOA".to_owned(),
            ttl(zone.ttl),
            with_serial(&soa.new, zone.serial),
        ));
    }
    diff(&before.rrs, &after, before.serial, zone.serial)
}

/// RFC 1995's difference sequence from `old` to `new`: removals (SOA first), then additions
/// (SOA first), numbered in order.
fn diff(
    old: &BTreeSet<Rr>,
    new: &BTreeSet<Rr>,
    prev_serial: u32,
    serial: u32,
) -> Vec<JournalEntry> {
    let is_soa = |rr: &Rr| rr.1 == "SOA";
    let mut ordered: Vec<(JournalOp, &Rr)> = Vec::new();
    for (op, set) in [
        (JournalOp::Del, old.difference(new).collect::<Vec<_>>()),
        (JournalOp::Add, new.difference(old).collect::<Vec<_>>()),
    ] {
        ordered.extend(set.iter().filter(|rr| is_soa(rr)).map(|rr| (op, *rr)));
        ordered.extend(set.iter().filter(|rr| !is_soa(rr)).map(|rr| (op, *rr)));
    }
    ordered
        .into_iter()
        .enumerate()
        .map(|(seq, (op, (name, rtype, ttl, data)))| JournalEntry {
            serial,
            prev_serial,
            seq: u32::try_from(seq).unwrap_or(u32::MAX),
            op,
            name: name.clone(),
            rtype: rtype.clone(),
            ttl: *ttl,
            data: data.clone(),
        })
        .collect()
}

/// The served records of `scope` but the SOA, as MiniDNS would serve them (records being
/// deleted left out, the recordset's TTL else the zone's).
async fn served(tx: &mut dyn StorageTx, zone: &Zone, scope: &Scope) -> Result<BTreeSet<Rr>> {
    let recordsets = match scope {
        Scope::Zone => tx.zone_recordsets(zone.id).await.map_err(from_storage)?,
        Scope::Keys(keys) => {
            let mut out = Vec::new();
            for (name, rtype) in keys {
                if rtype == "SOA" {
                    continue;
                }
                let criteria = Criteria::new()
                    .eq("zone_id", uuid_value(&zone.id))
                    .eq("name", name)
                    .eq("type", rtype);
                out.extend(find_all(tx, &criteria).await?);
            }
            out
        }
    };
    Ok(recordsets
        .iter()
        .filter(|rs| !rs.rtype.eq_ignore_ascii_case("SOA"))
        .flat_map(|rs| rrs_of(zone.ttl, rs))
        .collect())
}

/// The TTL served for a recordset TTL of `ttl` in a zone of `zone_ttl`.
fn served_ttl(ttl: Option<i32>, zone_ttl: i32) -> u32 {
    u32::try_from(ttl.filter(|t| *t > 0).unwrap_or(zone_ttl)).unwrap_or(0)
}

/// The served records of one recordset (not the SOA: its serial is the zone row's).
fn rrs_of(zone_ttl: i32, rs: &RecordSet) -> Vec<Rr> {
    let ttl = served_ttl(rs.ttl, zone_ttl);
    rs.records
        .iter()
        .filter(|r| r.action != Action::Delete)
        .map(|r| (rs.name.clone(), rs.rtype.clone(), ttl, r.data.clone()))
        .collect()
}

/// SOA data with its serial (third field) replaced, as MiniDNS serves the zone row's serial.
fn with_serial(data: &str, serial: u32) -> String {
    let mut fields: Vec<String> = data.split_whitespace().map(str::to_owned).collect();
    if let Some(field) = fields.get_mut(2) {
        *field = serial.to_string();
    }
    fields.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rr(name: &str, rtype: &str, data: &str) -> Rr {
        (name.to_owned(), rtype.to_owned(), 300, data.to_owned())
    }

    #[test]
    fn diff_puts_soas_first_and_numbers_in_order() {
        let old: BTreeSet<Rr> = [
            rr("z.", "SOA", "ns. h. 1 2 3 4 5"),
            rr("a.z.", "A", "192.0.2.1"),
            rr("b.z.", "A", "192.0.2.2"),
        ]
        .into();
        let new: BTreeSet<Rr> = [
            rr("z.", "SOA", "ns. h. 2 2 3 4 5"),
            rr("a.z.", "A", "192.0.2.1"),
            rr("c.z.", "A", "192.0.2.3"),
        ]
        .into();
        let d = diff(&old, &new, 1, 2);
        let summary: Vec<_> = d
            .iter()
            .map(|e| (e.seq, e.op, e.name.as_str(), e.data.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, JournalOp::Del, "z.", "ns. h. 1 2 3 4 5"),
                (1, JournalOp::Del, "b.z.", "192.0.2.2"),
                (2, JournalOp::Add, "z.", "ns. h. 2 2 3 4 5"),
                (3, JournalOp::Add, "c.z.", "192.0.2.3"),
            ]
        );
        assert!(d.iter().all(|e| e.serial == 2 && e.prev_serial == 1));
    }

    #[test]
    fn soa_serial_is_rewritten() {
        assert_eq!(
            with_serial("ns1.x. admin.x. 5 3600 600 86400 3600", 77),
            "ns1.x. admin.x. 77 3600 600 86400 3600"
        );
        assert_eq!(with_serial("garbage", 7), "garbage");
    }
}
