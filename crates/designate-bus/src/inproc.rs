//! The in-process transport: casts go through a tokio channel to a consumer task; calls are
//! direct method calls on the shared implementation. [`WorkerCast`] and its [`Receipt`] are
//! shared with the AMQP transport, which feeds the same worker loop.

use std::sync::{Arc, Mutex, PoisonError};

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
    /// Tells the transport the worker is done with the cast (AMQP acks the message then);
    /// `None` for the in-process queue.
    pub receipt: Option<Receipt>,
}

/// Runs an action once the last clone is dropped — i.e. when the worker has finished with a cast
/// (or merged it into a newer one for the same zone). A worker killed before that never runs it,
/// so the transport hands the message to another worker.
#[derive(Clone)]
pub struct Receipt {
    _guard: Arc<ReceiptGuard>,
}

type DoneFn = Box<dyn FnOnce() + Send>;

struct ReceiptGuard(Mutex<Option<DoneFn>>);

impl Receipt {
    /// A receipt running `done` when dropped for the last time.
    pub fn on_done(done: impl FnOnce() + Send + 'static) -> Self {
        Self {
            _guard: Arc::new(ReceiptGuard(Mutex::new(Some(Box::new(done))))),
        }
    }
}

impl Drop for ReceiptGuard {
    fn drop(&mut self) {
        let done = self
            .0
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(done) = done {
            done();
        }
    }
}

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Receipt")
    }
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
            receipt: None,
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn receipt_fires_once_when_the_last_clone_goes() {
        let fired = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&fired);
        let receipt = Receipt::on_done(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        let copy = receipt.clone();
        drop(receipt);
        assert_eq!(fired.load(Ordering::SeqCst), 0);
        drop(copy);
        assert_eq!(fired.load(Ordering::SeqCst), 1);
    }
}
