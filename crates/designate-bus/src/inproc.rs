//! The in-process transport: casts go through a tokio channel to a consumer task; calls are
//! direct method calls on the shared implementation.

use async_trait::async_trait;
use designate_core::objects::Zone;
use designate_core::RequestContext;
use tokio::sync::mpsc;

use crate::{Notifier, WorkerApi, ZoneTask};

/// One queued worker cast.
#[derive(Debug, Clone)]
pub struct WorkerCast {
    /// Caller.
    pub ctx: RequestContext,
    /// What to do.
    pub task: ZoneTask,
    /// The zone as committed.
    pub zone: Zone,
}

/// Sending half: implements [`WorkerApi`] by queueing.
#[derive(Debug, Clone)]
pub struct WorkerQueue {
    tx: mpsc::UnboundedSender<WorkerCast>,
}

impl WorkerQueue {
    /// A queue and the receiver the worker consumes.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<WorkerCast>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx }, rx)
    }
}

#[async_trait]
impl WorkerApi for WorkerQueue {
    async fn cast_zone_task(&self, ctx: &RequestContext, task: ZoneTask, zone: Zone) {
        let cast = WorkerCast {
            ctx: ctx.clone(),
            task,
            zone,
        };
        // A closed queue means the worker is shutting down; the producer's recovery re-drives
        // whatever is still PENDING, so nothing is lost by dropping the cast here.
        if self.tx.send(cast).is_err() {
            tracing::warn!("worker queue closed; cast dropped (recovery will re-drive it)");
        }
    }
}

/// A notifier that only logs: notifications have no consumer in a single process.
#[derive(Debug, Clone, Default)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn notify(&self, ctx: &RequestContext, event_type: &str, payload: serde_json::Value) {
        tracing::debug!(request_id = %ctx.request_id, event_type, %payload, "notification");
    }
}
