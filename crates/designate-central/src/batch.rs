//! Recordset changes — creates, updates, deletes — of one zone that arrive together share
//! one transaction (docs/WRITE-BATCHING.md).
//!
//! Every zone has its own queue and at most one batch running: the change that finds its
//! zone idle starts a batch task, which takes what the zone's queue holds (at most
//! [`MAX_BATCH`]), runs it as one transaction and answers every change in it, then takes the
//! queue again until it is empty. There is no timer: a change that arrives alone is a batch of
//! one, and a batch forms from the changes that arrive while the zone's previous batch
//! commits — which they would have waited for anyway, queued on the zone's row lock. Zones
//! never wait for each other: a batch locks one zone, as a single change does, so batches
//! of different zones run side by side and meet no lock of another zone's work.
//!
//! In the transaction the zone is locked and the changes are applied in arrival order, each
//! against the zone as the batch's earlier changes left it. A run of consecutive creates reads
//! the placement and quota facts of all its creates in one statement each and applies the
//! rules create by create against those facts *and the run's own earlier creates* (two creates
//! of one name and type: the second is the duplicate), then inserts them together; an update
//! or a delete reads its recordset, applies its rules and writes. A change that fails a rule
//! has written nothing: it is answered with its own error and leaves the batch. The zone gets
//! one serial bump, one SOA rewrite and one journal change (from the state before the batch
//! to the state after it) for all of them. After COMMIT one zone task is cast, then each
//! change is answered.
//!
//! A failure of the transaction itself that is not a lost lock (those retry the batch) — a
//! racing writer's unique key, the database going away — is not any one change's: each
//! change of the batch then runs alone, as a batch of one, so each gets the answer
//! it would have had without batching.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Mutex;

use designate_bus::ZoneTask;
use designate_core::objects::{Action, NewRecordSet, RecordSet, RecordSetUpdate, Zone, ZoneStatus};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::{ContentCounts, JournalEntry, Placement, StorageTx};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::build::{mark_records, new_recordset, now};
use crate::errors::{bad_request, from_storage, recordset_not_found, zone_not_found};
use crate::journal;
use crate::recordsets::{
    already_created, check_name_rules, check_placement, check_placement_facts, check_zone_writable,
    duplicate_recordset, normalise_records, replace_records,
};
use crate::txn::{begin, commit, new_serial, plan_soa, retry, rewrite_first_soa, Bumped, SoaWrite};
use crate::zones::check_visible;
use crate::{payload, Central};

/// Changes in one batch at most.
const MAX_BATCH: usize = 64;

/// The queues of changes waiting for a batch, per zone, shared by every clone of a
/// [`Central`].
#[derive(Default)]
pub(crate) struct ChangeBatcher {
    state: Mutex<HashMap<Uuid, Vec<Pending>>>,
}

/// A recordset change, as checked before it queues (see [`Central::rs_create`],
/// [`Central::rs_update`], [`Central::rs_delete`]).
pub(crate) enum Change {
    Create(NewRecordSet),
    Update { id: Uuid, update: RecordSetUpdate },
    Delete { id: Uuid },
}

impl Change {
    /// The notification a committed change sends.
    fn event(&self) -> &'static str {
        match self {
            Self::Create(_) => "dns.recordset.create",
            Self::Update { .. } => "dns.recordset.update",
            Self::Delete { .. } => "dns.recordset.delete",
        }
    }
}

/// A change waiting in the queue.
struct Pending {
    ctx: RequestContext,
    zone_id: Uuid,
    change: Change,
    reply: oneshot::Sender<Result<RecordSet>>,
}

/// How one change of a committed batch ended.
enum Answer {
    /// Written by this batch: notified, then answered.
    Done(RecordSet),
    /// A create committed before under its own id (a redelivered request): answered again.
    Replayed(RecordSet),
    /// Refused by a rule.
    Refused(DesignateError),
}

/// What a committed batch leaves to do: answers in queue order, one cast per bumped zone
/// (the index of the zone's first written change: whose context the cast carries).
struct Committed {
    answers: Vec<Answer>,
    casts: Vec<(usize, Zone)>,
}

/// One zone of a batch: its row as locked, the serial its changes get, and what they did.
struct ZoneBatch {
    zone: Zone,
    serial: u32,
    /// The index of the first change written.
    first: Option<usize>,
    /// Every recordset the batch wrote: as it was before the batch (`None`: created by it)
    /// and as it is after (`None`: deleted).
    touched: Vec<Touched>,
    /// Whether what the zone serves changed (a recordset without records changes nothing).
    serves_new: bool,
}

struct Touched {
    id: Uuid,
    before: Option<RecordSet>,
    after: Option<RecordSet>,
}

impl ZoneBatch {
    fn new(zone: Zone) -> Self {
        let serial = new_serial(&zone);
        Self {
            zone,
            serial,
            first: None,
            touched: Vec::new(),
            serves_new: false,
        }
    }

    /// Notes change `index` turning `before` into `after` (the same recordset); `serves_new`:
    /// whether the zone's serial must move for it.
    fn wrote(
        &mut self,
        index: usize,
        before: Option<&RecordSet>,
        after: Option<&RecordSet>,
        serves_new: bool,
    ) {
        self.first.get_or_insert(index);
        let id = before.or(after).map(|rs| rs.id).unwrap_or_default();
        self.serves_new |= serves_new;
        match self.touched.iter_mut().find(|t| t.id == id) {
            // Touched before in this batch: its state before the batch stays.
            Some(seen) => seen.after = after.cloned(),
            None => self.touched.push(Touched {
                id,
                before: before.cloned(),
                after: after.cloned(),
            }),
        }
    }
}

/// The quota facts of one zone for a run of creates, and what the run adds to them.
struct RunQuota {
    quotas: Vec<designate_core::objects::Quota>,
    counts: ContentCounts,
    created: Vec<RecordSet>,
}

/// Gives a zone's batch task up if the task ends without doing so itself (a panic): the
/// zone's next change then starts a task of its own.
struct Running<'a> {
    batcher: &'a ChangeBatcher,
    zone_id: Uuid,
    armed: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if self.armed {
            if let Ok(mut queues) = self.batcher.state.lock() {
                queues.remove(&self.zone_id);
            }
        }
    }
}

/// A rule's refusal (`Ok(Err)`) apart from a failure of the transaction (`Err`): see [`ruled`].
type Ruled<T> = Result<std::result::Result<T, DesignateError>>;

impl Central {
    /// Queues a checked change of `zone_id` and waits for its batch's answer.
    pub(crate) async fn rs_change_batched(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        change: Change,
    ) -> Result<RecordSet> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            ctx: ctx.clone(),
            zone_id,
            change,
            reply,
        };
        // A zone with a queue has a task running that will take it.
        let start = {
            let mut queues = self.batcher.state.lock().map_err(|_| interrupted())?;
            match queues.get_mut(&zone_id) {
                Some(queue) => {
                    queue.push(pending);
                    false
                }
                None => {
                    queues.insert(zone_id, vec![pending]);
                    true
                }
            }
        };
        if start {
            // A task of its own: the batch must run to its end even when the request that
            // started it is dropped (its client went away).
            let central = self.clone();
            tokio::spawn(async move { central.run_batches(zone_id).await });
        }
        answer.await.unwrap_or_else(|_| Err(interrupted()))
    }

    /// Runs batches of `zone_id`'s changes until its queue is empty.
    async fn run_batches(&self, zone_id: Uuid) {
        let mut running = Running {
            batcher: &self.batcher,
            zone_id,
            armed: true,
        };
        loop {
            let batch = {
                let Ok(mut queues) = self.batcher.state.lock() else {
                    return;
                };
                let Some(queue) = queues.get_mut(&zone_id) else {
                    return;
                };
                if queue.is_empty() {
                    // Under the lock that changes queue under: a change of this zone queued
                    // after this finds no queue and starts a task of its own.
                    queues.remove(&zone_id);
                    running.armed = false;
                    return;
                }
                let n = queue.len().min(MAX_BATCH);
                queue.drain(..n).collect::<Vec<_>>()
            };
            self.run_batch(batch).await;
        }
    }

    /// Runs one batch and answers every change in it.
    async fn run_batch(&self, batch: Vec<Pending>) {
        let started = std::time::Instant::now();
        let outcome = retry(|| self.try_batch(&batch)).await;
        tracing::debug!(
            changes = batch.len(),
            committed_in = ?started.elapsed(),
            ok = outcome.is_ok(),
            "change batch"
        );
        match outcome {
            Ok(committed) => {
                for (first, zone) in committed.casts {
                    self.worker
                        .cast_zone_task(&batch[first].ctx, ZoneTask::Update, zone)
                        .await;
                }
                for (pending, answer) in batch.into_iter().zip(committed.answers) {
                    let result = match answer {
                        Answer::Done(rs) => {
                            self.notifier
                                .notify(
                                    &pending.ctx,
                                    pending.change.event(),
                                    payload::recordset(&rs),
                                )
                                .await;
                            Ok(rs)
                        }
                        Answer::Replayed(rs) => Ok(rs),
                        Answer::Refused(e) => Err(e),
                    };
                    // The caller may have gone away; the change stands.
                    let _ = pending.reply.send(result);
                }
            }
            Err(e) if batch.len() == 1 => {
                for pending in batch {
                    let _ = pending.reply.send(Err(e.clone()));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, changes = batch.len(), "batch failed; each change alone");
                // Each a batch of one: its failure is then its own answer.
                let alone = batch
                    .into_iter()
                    .map(|pending| self.run_batch(vec![pending]));
                futures::future::join_all(alone).await;
            }
        }
    }

    /// One attempt at a batch: everything up to COMMIT.
    async fn try_batch(&self, batch: &[Pending]) -> Result<Committed> {
        let mut tx = begin(self.storage.as_ref()).await?;
        // One id per zone: a batch holds one zone, and an `IN` list of 64 copies of it would
        // be a statement of its own for every batch size.
        let mut ids: Vec<Uuid> = batch.iter().map(|p| p.zone_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut zones: HashMap<Uuid, ZoneBatch> = tx
            .get_zone_rows(&ids)
            .await
            .map_err(from_storage)?
            .into_iter()
            .map(|z| (z.id, ZoneBatch::new(z)))
            .collect();
        let mut answers: Vec<Option<Answer>> = (0..batch.len()).map(|_| None).collect();
        let mut at = 0;
        while at < batch.len() {
            let (id, update) = match &batch[at].change {
                Change::Create(_) => {
                    let end = (at..batch.len())
                        .find(|&i| !matches!(batch[i].change, Change::Create(_)))
                        .unwrap_or(batch.len());
                    self.create_run(tx.as_mut(), batch, at..end, &mut zones, &mut answers)
                        .await?;
                    at = end;
                    continue;
                }
                Change::Update { id, update } => (*id, Some(update)),
                Change::Delete { id } => (*id, None),
            };
            let answer = self
                .change_one(tx.as_mut(), batch, at, id, update, &mut zones)
                .await?;
            answers[at] = Some(answer);
            at += 1;
        }
        let mut bumping: Vec<&ZoneBatch> = zones.values().filter(|zb| zb.serves_new).collect();
        bumping.sort_by_key(|zb| zb.first);
        let casts = bump_zones(tx.as_mut(), &bumping).await?;
        commit(tx).await?;
        Ok(Committed {
            answers: answers
                .into_iter()
                .map(|a| a.unwrap_or_else(|| Answer::Refused(zone_not_found())))
                .collect(),
            casts,
        })
    }

    /// A run of consecutive creates: gated, their facts read in one statement each, the rules
    /// applied create by create, the accepted ones inserted together.
    async fn create_run(
        &self,
        tx: &mut dyn StorageTx,
        batch: &[Pending],
        run: Range<usize>,
        zones: &mut HashMap<Uuid, ZoneBatch>,
        answers: &mut [Option<Answer>],
    ) -> Result<()> {
        let mut live: Vec<(usize, &NewRecordSet)> = Vec::with_capacity(run.len());
        for i in run {
            let Change::Create(spec) = &batch[i].change else {
                continue;
            };
            match self.gate(tx, &batch[i], spec, zones).await? {
                Some(answer) => answers[i] = Some(answer),
                None => live.push((i, spec)),
            }
        }
        if live.is_empty() {
            return Ok(());
        }
        let names: Vec<(Uuid, &str)> = live
            .iter()
            .map(|&(i, spec)| (batch[i].zone_id, spec.name.as_str()))
            .collect();
        let placements = tx
            .recordset_placements(&names)
            .await
            .map_err(from_storage)?;
        let mut quotas = run_quotas(tx, batch, &live, zones).await?;
        let mut created: Vec<(usize, RecordSet)> = Vec::new();
        for (&(i, spec), placement) in live.iter().zip(placements) {
            let pending = &batch[i];
            let (Some(zb), Some(quota)) = (
                zones.get(&pending.zone_id),
                quotas.get_mut(&pending.zone_id),
            ) else {
                continue;
            };
            answers[i] = Some(match self.accept(pending, spec, zb, quota, placement) {
                Ok(rs) => {
                    quota.created.push(rs.clone());
                    created.push((i, rs.clone()));
                    Answer::Done(rs)
                }
                Err(e) => Answer::Refused(e),
            });
        }
        let rows: Vec<RecordSet> = created.iter().map(|(_, rs)| rs.clone()).collect();
        tx.create_recordsets(&rows).await.map_err(from_storage)?;
        for (i, rs) in &created {
            if let Some(zb) = zones.get_mut(&rs.zone_id) {
                zb.wrote(*i, None, Some(rs), !rs.records.is_empty());
            }
        }
        Ok(())
    }

    /// The checks of one create that need only its zone row: `Some` answers it at once
    /// (refused, or replayed), `None` leaves it in the batch.
    async fn gate(
        &self,
        tx: &mut dyn StorageTx,
        pending: &Pending,
        spec: &NewRecordSet,
        zones: &HashMap<Uuid, ZoneBatch>,
    ) -> Result<Option<Answer>> {
        let zone = match ruled(visible(tx, pending, zones).await)? {
            Ok(zone) => zone,
            Err(e) => return Ok(Some(Answer::Refused(e))),
        };
        match ruled(already_created(tx, &zone, spec).await)? {
            Ok(Some(rs)) => return Ok(Some(Answer::Replayed(rs))),
            Ok(None) => {}
            Err(e) => return Ok(Some(Answer::Refused(e))),
        }
        let checks = check_zone_writable(&zone)
            .and_then(|()| check_name_rules(&zone, &spec.name, &spec.rtype));
        Ok(checks.err().map(Answer::Refused))
    }

    /// Applies the placement, duplicate and quota rules to one create against what was read
    /// and what the run already accepted in its zone; the recordset to insert.
    fn accept(
        &self,
        pending: &Pending,
        spec: &NewRecordSet,
        zb: &ZoneBatch,
        quota: &mut RunQuota,
        mut placement: Placement,
    ) -> Result<RecordSet> {
        placement.at_name.extend(
            quota
                .created
                .iter()
                .filter(|rs| rs.name.eq_ignore_ascii_case(&spec.name))
                .map(|rs| (rs.id, rs.rtype.clone())),
        );
        let at_name = check_placement_facts(&zb.zone, &spec.name, &spec.rtype, None, placement)?;
        if at_name.iter().any(|(_, rtype)| *rtype == spec.rtype) {
            return Err(duplicate_recordset());
        }
        self.check_recordset_quota(quota.quotas.clone(), quota.counts, None, spec.records.len())?;
        let mut rs = new_recordset(&zb.zone, spec.clone(), zb.serial, false);
        // In a zone shared with the caller the recordset is the caller's (upstream's storage
        // stamps the context's project), so unsharing can tell whose it is.
        if let Some(project) = pending.ctx.project_filter() {
            if zb.zone.tenant_id.as_deref() != Some(project) {
                rs.tenant_id = Some(project.to_owned());
                for record in &mut rs.records {
                    record.tenant_id = Some(project.to_owned());
                }
            }
        }
        quota.counts.recordsets += 1;
        quota.counts.records += rs.records.iter().filter(|r| !r.managed).count() as u64;
        Ok(rs)
    }

    /// An update or a delete, against the zone as the batch's earlier changes left it: its
    /// rules first, then its write.
    async fn change_one(
        &self,
        tx: &mut dyn StorageTx,
        batch: &[Pending],
        index: usize,
        id: Uuid,
        update: Option<&RecordSetUpdate>,
        zones: &mut HashMap<Uuid, ZoneBatch>,
    ) -> Result<Answer> {
        let pending = &batch[index];
        let (rs, zone) = match ruled(target(tx, pending, id, zones).await)? {
            Ok(found) => found,
            Err(e) => return Ok(Answer::Refused(e)),
        };
        let Some(zb) = zones.get_mut(&pending.zone_id) else {
            return Ok(Answer::Refused(zone_not_found()));
        };
        let checked = match update {
            Some(update) => self
                .updated(tx, pending, update, &rs, &zone, zb.serial)
                .await
                .map(Some),
            None => check_delete(pending, &rs, &zone).map(|()| None),
        };
        let next = match ruled(checked)? {
            Ok(next) => next,
            Err(e) => return Ok(Answer::Refused(e)),
        };
        let after = match next {
            Some(next) => {
                let mut stored = tx.update_recordset(&next).await.map_err(from_storage)?;
                stored.zone_name.clone_from(&zone.name);
                Some(stored)
            }
            None => {
                tx.delete_recordset(rs.id).await.map_err(from_storage)?;
                None
            }
        };
        let answer = after.clone().unwrap_or_else(|| marked(&rs, zb.serial));
        // Upstream bumps the serial for every update and delete, whatever it changed.
        zb.wrote(index, Some(&rs), after.as_ref(), true);
        Ok(Answer::Done(answer))
    }

    /// Upstream's update rules: the recordset to write.
    async fn updated(
        &self,
        tx: &mut dyn StorageTx,
        pending: &Pending,
        update: &RecordSetUpdate,
        current: &RecordSet,
        zone: &Zone,
        serial: u32,
    ) -> Result<RecordSet> {
        let mut rs = current.clone();
        if rs.managed() && !pending.ctx.edit_managed_records {
            return Err(bad_request("Managed records may not be updated"));
        }
        if rs.rtype == "SOA" {
            return Err(bad_request("Updating SOA recordsets is not allowed"));
        }
        if rs.rtype == "NS" && rs.name.eq_ignore_ascii_case(&zone.name) {
            return Err(bad_request("Updating a root zone NS record is not allowed"));
        }
        check_zone_writable(zone)?;
        check_placement(tx, zone, &rs.name, &rs.rtype, Some(rs.id)).await?;
        if let Some(ttl) = update.ttl {
            rs.ttl = ttl;
        }
        if let Some(description) = &update.description {
            rs.description.clone_from(description);
        }
        if let Some(data) = &update.records {
            let data = normalise_records(&rs.rtype, &rs.name, data)?;
            if !rs.managed() {
                self.enforce_recordset_quota(tx, zone, Some(&rs), data.len())
                    .await?;
            }
            rs.records = replace_records(zone, &rs, data, serial);
        }
        // Upstream marks every remaining record UPDATE / PENDING at the new serial.
        mark_records(&mut rs, Action::Update, serial);
        rs.updated_at = Some(now());
        Ok(rs)
    }
}

/// Sorts a change's failure before any of its writes: a transaction that failed (a lost lock,
/// the database gone, a storage fault: `Err`, for the whole batch) or a rule that refused the
/// change (`Ok(Err)`, its answer alone). Taking a failure for a refusal costs nothing either
/// way round: a statement that failed aborts the transaction, COMMIT fails, and every change
/// then runs alone.
fn ruled<T>(result: Result<T>) -> Ruled<T> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::Conflict | ErrorKind::ServiceUnavailable | ErrorKind::UnknownFailure
            ) =>
        {
            Err(e)
        }
        Err(e) => Ok(Err(e)),
    }
}

/// The recordset an update or delete names and its zone, as the caller may see them:
/// upstream looks the recordset up first (`recordset_not_found`), then gates on the zone's
/// project (`zone_not_found`).
async fn target(
    tx: &mut dyn StorageTx,
    pending: &Pending,
    id: Uuid,
    zones: &HashMap<Uuid, ZoneBatch>,
) -> Result<(RecordSet, Zone)> {
    let zone = visible(tx, pending, zones).await;
    let mut rs = tx.get_recordset(id).await.map_err(from_storage)?;
    if rs.zone_id != pending.zone_id {
        return Err(recordset_not_found());
    }
    let zone = zone?;
    rs.zone_name.clone_from(&zone.name);
    Ok((rs, zone))
}

/// Upstream's delete rules.
fn check_delete(pending: &Pending, rs: &RecordSet, zone: &Zone) -> Result<()> {
    if rs.rtype == "SOA" {
        return Err(bad_request("Deleting a SOA recordset is not allowed"));
    }
    check_zone_writable(zone)?;
    if rs.managed() && !pending.ctx.edit_managed_records {
        return Err(bad_request("Managed records may not be deleted"));
    }
    Ok(())
}

/// A deleted recordset as the delete answers it: its records marked DELETE / PENDING.
fn marked(rs: &RecordSet, serial: u32) -> RecordSet {
    let mut rs = rs.clone();
    mark_records(&mut rs, Action::Delete, serial);
    rs
}

/// The change's zone as locked, gated on the caller.
async fn visible(
    tx: &mut dyn StorageTx,
    pending: &Pending,
    zones: &HashMap<Uuid, ZoneBatch>,
) -> Result<Zone> {
    let zb = zones.get(&pending.zone_id).ok_or_else(zone_not_found)?;
    check_visible(tx, &pending.ctx, zb.zone.clone()).await
}

/// The quota rows and counts of every zone with a live create in the run, read now: after the
/// batch's earlier changes, which the counts include.
async fn run_quotas(
    tx: &mut dyn StorageTx,
    batch: &[Pending],
    live: &[(usize, &NewRecordSet)],
    zones: &HashMap<Uuid, ZoneBatch>,
) -> Result<HashMap<Uuid, RunQuota>> {
    let mut ids: Vec<Uuid> = Vec::new();
    for &(i, _) in live {
        if zones.contains_key(&batch[i].zone_id) && !ids.contains(&batch[i].zone_id) {
            ids.push(batch[i].zone_id);
        }
    }
    let tenants: Vec<String> = ids
        .iter()
        .map(|id| zones[id].zone.tenant_id.clone().unwrap_or_default())
        .collect();
    let keys: Vec<(Uuid, &str)> = ids
        .iter()
        .zip(&tenants)
        .map(|(id, tenant)| (*id, tenant.as_str()))
        .collect();
    let inputs = tx
        .recordset_quota_inputs_of(&keys)
        .await
        .map_err(from_storage)?;
    Ok(ids
        .into_iter()
        .zip(inputs)
        .map(|(id, (quotas, counts))| {
            let quota = RunQuota {
                quotas,
                counts,
                created: Vec::new(),
            };
            (id, quota)
        })
        .collect())
}

/// The serial bump of every zone of a batch whose served content changed: SOAs read and
/// rewritten, zone rows written, journal changes appended — each in one statement for all
/// zones.
async fn bump_zones(tx: &mut dyn StorageTx, zones: &[&ZoneBatch]) -> Result<Vec<(usize, Zone)>> {
    if zones.is_empty() {
        return Ok(Vec::new());
    }
    let stamp = now();
    let bumped: Vec<Zone> = zones
        .iter()
        .map(|zb| {
            let mut zone = zb.zone.clone();
            zone.serial = zb.serial;
            zone.status = ZoneStatus::Pending;
            zone.action = Action::Update;
            zone.updated_at = Some(stamp);
            zone
        })
        .collect();
    let keys: Vec<(Uuid, Option<Uuid>)> = bumped.iter().map(|z| (z.id, z.pool_id)).collect();
    let soas = tx.zone_soa_records_of(&keys).await.map_err(from_storage)?;
    let mut swaps = Vec::with_capacity(zones.len());
    let mut rewrites = Vec::new();
    for (zone, soa) in bumped.iter().zip(soas) {
        let plan = plan_soa(zone, soa);
        match plan.write {
            SoaWrite::Nothing => {}
            SoaWrite::One(mut record) => {
                // One stamp for the batch: the rewrites then share one UPDATE.
                record.updated_at = Some(stamp);
                rewrites.push(record);
            }
            SoaWrite::Several(record) => rewrite_first_soa(tx, &record).await?,
        }
        swaps.push(plan.swap);
    }
    tx.rewrite_soa_records(&rewrites)
        .await
        .map_err(from_storage)?;
    let stored = tx.bump_zone_rows(&bumped).await.map_err(from_storage)?;
    let mut changes: Vec<(Uuid, Vec<JournalEntry>)> = Vec::with_capacity(zones.len());
    let mut casts = Vec::with_capacity(zones.len());
    for ((zb, zone), soa) in zones.iter().zip(stored).zip(swaps) {
        let bumped = Bumped { zone, soa };
        let before: Vec<&RecordSet> = zb
            .touched
            .iter()
            .filter_map(|t| t.before.as_ref())
            .collect();
        let after: Vec<&RecordSet> = zb.touched.iter().filter_map(|t| t.after.as_ref()).collect();
        let before = journal::known(&zb.zone, &before);
        changes.push((zb.zone.id, journal::known_change(&bumped, before, &after)));
        casts.push((zb.first.unwrap_or_default(), bumped.zone));
    }
    journal::append_changes(tx, changes).await?;
    Ok(casts)
}

/// The answer of a change whose batch task ended without answering (it cannot, short of a
/// panic): whether it was committed is unknown, so the client should read before retrying.
fn interrupted() -> DesignateError {
    DesignateError::new(
        ErrorKind::ServiceUnavailable,
        "the change was interrupted; it may or may not have been stored",
    )
}
