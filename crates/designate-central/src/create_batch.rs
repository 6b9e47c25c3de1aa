//! Recordset creates of one zone that arrive together share one transaction
//! (docs/WRITE-BATCHING.md).
//!
//! Every zone has its own queue and at most one batch running: the create that finds its
//! zone idle starts a batch task, which takes what the zone's queue holds (at most
//! [`MAX_BATCH`]), runs it as one transaction and answers every create in it, then takes the
//! queue again until it is empty. There is no timer: a create that arrives alone is a batch of
//! one, and a batch forms from the creates that arrive while the zone's previous batch
//! commits — which they would have waited for anyway, queued on the zone's row lock. Zones
//! never wait for each other: a batch locks one zone, as a single change does, so batches
//! of different zones run side by side and meet no lock of another zone's work.
//!
//! In the transaction the zone is locked, the placement and quota facts of every create are
//! read in one statement each, and the rules are applied create by create in arrival order
//! against those facts *and the batch's own earlier creates* (two creates of one name and
//! type: the second is the duplicate). A create that fails a rule is answered with its own
//! error and leaves the batch; the others are inserted together, and the zone gets one serial
//! bump, one SOA rewrite and one journal change for all of them. After COMMIT one zone task is
//! cast, then each create is answered.
//!
//! A failure of the transaction itself that is not a lost lock (those retry the batch) — a
//! racing writer's unique key, the database going away — is not any one create's: each
//! create of the batch then runs alone, as a batch of one, so each gets the answer
//! it would have had without batching.

use std::collections::HashMap;
use std::sync::Mutex;

use designate_bus::ZoneTask;
use designate_core::objects::{NewRecordSet, RecordSet, Zone, ZoneStatus};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::{ContentCounts, JournalEntry, Placement, StorageTx};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::build::{new_recordset, now};
use crate::errors::{from_storage, zone_not_found};
use crate::journal;
use crate::recordsets::{
    already_created, check_name_rules, check_placement_facts, check_zone_writable,
    duplicate_recordset,
};
use crate::txn::{begin, commit, new_serial, plan_soa, retry, rewrite_first_soa, Bumped, SoaWrite};
use crate::zones::check_visible;
use crate::{payload, Central};

/// Creates in one batch at most.
const MAX_BATCH: usize = 64;

/// The queues of creates waiting for a batch, per zone, shared by every clone of a
/// [`Central`].
#[derive(Default)]
pub(crate) struct CreateBatcher {
    state: Mutex<HashMap<Uuid, Vec<Pending>>>,
}

/// A create waiting in the queue.
struct Pending {
    ctx: RequestContext,
    zone_id: Uuid,
    spec: NewRecordSet,
    reply: oneshot::Sender<Result<RecordSet>>,
}

/// How one create of a committed batch ended.
enum Answer {
    /// Inserted by this batch: notified, then answered.
    Created(RecordSet),
    /// Committed before under the create's own id (a redelivered request): answered again.
    Replayed(RecordSet),
    /// Refused by a rule.
    Refused(DesignateError),
}

/// What a committed batch leaves to do: answers in queue order, one cast per bumped zone
/// (the index of the first create of the zone: whose context the cast carries).
struct Committed {
    answers: Vec<Answer>,
    casts: Vec<(usize, Zone)>,
}

/// One zone of a batch: its row as locked, and what the batch's accepted creates add to it.
struct ZoneBatch {
    zone: Zone,
    quotas: Vec<designate_core::objects::Quota>,
    counts: ContentCounts,
    serial: u32,
    first: usize,
    created: Vec<RecordSet>,
}

/// Gives a zone's batch task up if the task ends without doing so itself (a panic): the
/// zone's next create then starts a task of its own.
struct Running<'a> {
    batcher: &'a CreateBatcher,
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

impl Central {
    /// Queues a checked create (see [`Central::rs_create`]) and waits for its batch's answer.
    pub(crate) async fn rs_create_batched(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        spec: NewRecordSet,
    ) -> Result<RecordSet> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            ctx: ctx.clone(),
            zone_id,
            spec,
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

    /// Runs batches of `zone_id`'s creates until its queue is empty.
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
                    // Under the lock that creates queue under: a create of this zone queued
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

    /// Runs one batch and answers every create in it.
    async fn run_batch(&self, batch: Vec<Pending>) {
        let started = std::time::Instant::now();
        let outcome = retry(|| self.try_batch(&batch)).await;
        tracing::debug!(
            creates = batch.len(),
            committed_in = ?started.elapsed(),
            ok = outcome.is_ok(),
            "create batch"
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
                        Answer::Created(rs) => {
                            self.notifier
                                .notify(
                                    &pending.ctx,
                                    "dns.recordset.create",
                                    payload::recordset(&rs),
                                )
                                .await;
                            Ok(rs)
                        }
                        Answer::Replayed(rs) => Ok(rs),
                        Answer::Refused(e) => Err(e),
                    };
                    // The caller may have gone away; the create stands.
                    let _ = pending.reply.send(result);
                }
            }
            Err(e) if batch.len() == 1 => {
                for pending in batch {
                    let _ = pending.reply.send(Err(e.clone()));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, creates = batch.len(), "batch failed; each create alone");
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
        let ids: Vec<Uuid> = batch.iter().map(|p| p.zone_id).collect();
        let zones: HashMap<Uuid, Zone> = tx
            .get_zone_rows(&ids)
            .await
            .map_err(from_storage)?
            .into_iter()
            .map(|z| (z.id, z))
            .collect();
        let mut answers: Vec<Option<Answer>> = Vec::with_capacity(batch.len());
        for pending in batch {
            answers.push(self.gate(tx.as_mut(), pending, &zones).await?);
        }
        let live: Vec<usize> = (0..batch.len()).filter(|i| answers[*i].is_none()).collect();
        let at: Vec<(Uuid, &str)> = live
            .iter()
            .map(|&i| (batch[i].zone_id, batch[i].spec.name.as_str()))
            .collect();
        let placements = tx.recordset_placements(&at).await.map_err(from_storage)?;
        let mut per_zone = self.zone_batches(tx.as_mut(), batch, &live, &zones).await?;
        let mut order: Vec<Uuid> = Vec::new();
        for (&i, placement) in live.iter().zip(placements) {
            let pending = &batch[i];
            let Some(zb) = per_zone.get_mut(&pending.zone_id) else {
                continue;
            };
            let answer = match self.accept(pending, zb, placement) {
                Ok(rs) => {
                    if !order.contains(&pending.zone_id) {
                        order.push(pending.zone_id);
                    }
                    zb.created.push(rs.clone());
                    Answer::Created(rs)
                }
                Err(e) => Answer::Refused(e),
            };
            answers[i] = Some(answer);
        }
        let created: Vec<RecordSet> = order
            .iter()
            .flat_map(|id| per_zone[id].created.iter().cloned())
            .collect();
        tx.create_recordsets(&created).await.map_err(from_storage)?;
        // A recordset without records changes nothing served: its zone is left alone.
        let bumping: Vec<&ZoneBatch> = order
            .iter()
            .map(|id| &per_zone[id])
            .filter(|zb| zb.created.iter().any(|rs| !rs.records.is_empty()))
            .collect();
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

    /// The checks of one create that need only its zone row: `Some` answers it at once
    /// (refused, or replayed), `None` leaves it in the batch.
    async fn gate(
        &self,
        tx: &mut dyn StorageTx,
        pending: &Pending,
        zones: &HashMap<Uuid, Zone>,
    ) -> Result<Option<Answer>> {
        let Some(zone) = zones.get(&pending.zone_id).cloned() else {
            return Ok(Some(Answer::Refused(zone_not_found())));
        };
        let zone = match check_visible(tx, &pending.ctx, zone).await {
            Ok(zone) => zone,
            Err(e) if e.kind == ErrorKind::ZoneNotFound => return Ok(Some(Answer::Refused(e))),
            Err(e) => return Err(e),
        };
        match already_created(tx, &zone, &pending.spec).await {
            Ok(Some(rs)) => return Ok(Some(Answer::Replayed(rs))),
            Ok(None) => {}
            Err(e) if e.kind == ErrorKind::DuplicateRecordSet => {
                return Ok(Some(Answer::Refused(e)))
            }
            Err(e) => return Err(e),
        }
        let checks = check_zone_writable(&zone)
            .and_then(|()| check_name_rules(&zone, &pending.spec.name, &pending.spec.rtype));
        Ok(checks.err().map(Answer::Refused))
    }

    /// The quota facts and the new serial of every zone with a create left in the batch.
    async fn zone_batches(
        &self,
        tx: &mut dyn StorageTx,
        batch: &[Pending],
        live: &[usize],
        zones: &HashMap<Uuid, Zone>,
    ) -> Result<HashMap<Uuid, ZoneBatch>> {
        let mut firsts: Vec<(Uuid, usize)> = Vec::new();
        for &i in live {
            if !firsts.iter().any(|(id, _)| *id == batch[i].zone_id) {
                firsts.push((batch[i].zone_id, i));
            }
        }
        let tenants: Vec<String> = firsts
            .iter()
            .map(|(id, _)| zones[id].tenant_id.clone().unwrap_or_default())
            .collect();
        let keys: Vec<(Uuid, &str)> = firsts
            .iter()
            .zip(&tenants)
            .map(|((id, _), tenant)| (*id, tenant.as_str()))
            .collect();
        let inputs = tx
            .recordset_quota_inputs_of(&keys)
            .await
            .map_err(from_storage)?;
        Ok(firsts
            .into_iter()
            .zip(inputs)
            .map(|((id, first), (quotas, counts))| {
                let zone = zones[&id].clone();
                let serial = new_serial(&zone);
                let zb = ZoneBatch {
                    zone,
                    quotas,
                    counts,
                    serial,
                    first,
                    created: Vec::new(),
                };
                (id, zb)
            })
            .collect())
    }

    /// Applies the placement, duplicate and quota rules to one create against what was read
    /// and what the batch already accepted in its zone; the recordset to insert.
    fn accept(
        &self,
        pending: &Pending,
        zb: &mut ZoneBatch,
        mut placement: Placement,
    ) -> Result<RecordSet> {
        let spec = &pending.spec;
        placement.at_name.extend(
            zb.created
                .iter()
                .filter(|rs| rs.name.eq_ignore_ascii_case(&spec.name))
                .map(|rs| (rs.id, rs.rtype.clone())),
        );
        let at_name = check_placement_facts(&zb.zone, &spec.name, &spec.rtype, None, placement)?;
        if at_name.iter().any(|(_, rtype)| *rtype == spec.rtype) {
            return Err(duplicate_recordset());
        }
        self.check_recordset_quota(zb.quotas.clone(), zb.counts, None, spec.records.len())?;
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
        zb.counts.recordsets += 1;
        zb.counts.records += rs.records.iter().filter(|r| !r.managed).count() as u64;
        Ok(rs)
    }
}

/// The serial bump of every zone of a batch with new records: SOAs read and rewritten, zone
/// rows written, journal changes appended — each in one statement for all zones.
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
            zone.action = designate_core::objects::Action::Update;
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
        // Nothing was served at the new recordsets' (name, type) before.
        let before = journal::known(&zb.zone, &[]);
        let after: Vec<&RecordSet> = zb.created.iter().collect();
        changes.push((zb.zone.id, journal::known_change(&bumped, before, &after)));
        casts.push((zb.first, bumped.zone));
    }
    journal::append_changes(tx, changes).await?;
    Ok(casts)
}

/// The answer of a create whose batch task ended without answering (it cannot, short of a
/// panic): whether it was committed is unknown, so the client should read before retrying.
fn interrupted() -> DesignateError {
    DesignateError::new(
        ErrorKind::ServiceUnavailable,
        "the create was interrupted; it may or may not have been stored",
    )
}
