//! Every role in its own process: `designate central | worker | producer | api`, meeting through
//! RabbitMQ (`[DEFAULT] transport_url`). Each process connects to the cluster on its own and
//! reconnects by itself; any number of each may run (they share work through the queues).
//! [`Bus`] is the bus of `designate all`: in-process unless `transport_url` is set.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use designate_backends::BackendContext;
use designate_bus::amqp::{
    consume_worker, serve_central, AmqpConfig, AmqpNotifier, CentralClient, FanoutClient, Link,
    WorkerClient,
};
use designate_bus::inproc::{LogNotifier, WorkerCast, WorkerQueue};
use designate_bus::{CentralApi, Notifier, WorkerApi};
use designate_central::Central;
use designate_core::objects::ServiceStatus;
use designate_core::RequestContext;
use designate_worker::{Producer, Worker};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::all::{api_config, builtin_pool, log_exit, open_storage};
use crate::config::Config;

/// The AMQP settings, or the reason this role cannot run alone.
fn amqp(config: &Config, role: &str) -> Result<AmqpConfig> {
    config.bus.amqp.clone().with_context(|| {
        format!(
            "`designate {role}` on its own needs a message bus: set [DEFAULT] transport_url \
             (e.g. rabbit://guest:guest@127.0.0.1:5672/), or run `designate all`"
        )
    })
}

/// `designate central`: answers the central queue (competing with other centrals).
pub(crate) async fn run_central(config: Config, shutdown: CancellationToken) -> Result<()> {
    let amqp = amqp(&config, "central")?;
    let mdns_topic = amqp.mdns_topic.clone();
    let link = Link::new(amqp, "central");
    let storage = open_storage(&config).await?;
    let central = Arc::new(
        Central::new(
            storage,
            Arc::new(WorkerClient::new(Arc::clone(&link))),
            Arc::new(AmqpNotifier::new(
                Arc::clone(&link),
                config.bus.notifications_for("central"),
            )),
            config.central.clone(),
        )
        // Pool and TSIG key writes reach every MiniDNS at once (fanout).
        .with_broadcaster(Arc::new(FanoutClient::new(Arc::clone(&link), &mdns_topic))),
    );
    // A fresh deployment gets the default pool of `designate all` (the built-in nameserver at
    // [service:nameserver] listen, MiniDNS at [service:mdns] listen); an existing pool is the
    // operator's and is left alone.
    let admin = RequestContext::admin();
    let pools = central
        .find_pools(&admin)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read pools: {}", e.message))?;
    if !pools.iter().any(|p| p.id == config.default_pool_id) {
        central
            .ensure_pool(builtin_pool(
                &config,
                config.nameserver_listen,
                config.mdns_listen,
            ))
            .await
            .map_err(|e| anyhow::anyhow!("cannot set up the default pool: {}", e.message))?;
    }
    tokio::spawn(heartbeat(
        central.clone(),
        "central",
        config.clone(),
        shutdown.clone(),
    ));
    tracing::info!("central ready");
    serve_central(link, central, shutdown).await;
    Ok(())
}

/// `designate worker`: takes zone tasks off the worker queue (competing with other workers).
pub(crate) async fn run_worker(config: Config, shutdown: CancellationToken) -> Result<()> {
    let amqp = amqp(&config, "worker")?;
    let storage = open_storage(&config).await?;
    // Separate connections: a burst of casts never delays the status reports to central.
    let central = Arc::new(CentralClient::new(Link::new(amqp.clone(), "worker-rpc")));
    let beat = tokio::spawn(heartbeat(
        central.clone(),
        "worker",
        config.clone(),
        shutdown.clone(),
    ));
    let (tx, casts) = mpsc::unbounded_channel();
    let consumer = tokio::spawn(consume_worker(
        Link::new(amqp, "worker"),
        tx,
        shutdown.clone(),
    ));
    let worker = Worker::new(
        storage,
        central,
        // The built-in nameserver, if a pool uses it, runs as `designate nameserver`.
        BackendContext::default(),
        config.worker.clone(),
    );
    tracing::info!("worker ready");
    worker.run(casts, shutdown).await;
    let _ = consumer.await;
    let _ = beat.await;
    Ok(())
}

/// `designate producer`: the periodic tasks on this instance's shards, casting to the workers
/// and calling central.
pub(crate) async fn run_producer(config: Config, shutdown: CancellationToken) -> Result<()> {
    let link = Link::new(amqp(&config, "producer")?, "producer");
    let storage = open_storage(&config).await?;
    let producer = Producer::new(
        storage,
        Arc::new(WorkerClient::new(Arc::clone(&link))),
        config.producer.clone(),
    )
    .with_central(Arc::new(CentralClient::new(Arc::clone(&link))))
    .with_notifier(Arc::new(AmqpNotifier::new(
        Arc::clone(&link),
        config.bus.notifications_for("producer"),
    )));
    let beat = tokio::spawn(heartbeat(
        Arc::new(CentralClient::new(Arc::clone(&link))),
        "producer",
        config.clone(),
        shutdown.clone(),
    ));
    tracing::info!("producer ready");
    producer.run(shutdown).await;
    let _ = beat.await;
    link.close().await;
    Ok(())
}

/// `designate api`: the HTTP API, calling central over the bus.
pub(crate) async fn run_api(config: Config, shutdown: CancellationToken) -> Result<()> {
    let link = Link::new(amqp(&config, "api")?, "api");
    let central: Arc<dyn CentralApi> = Arc::new(CentralClient::new(Arc::clone(&link)));
    let listener = tokio::net::TcpListener::bind(config.api_listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} ([service:api] listen)",
                config.api_listen
            )
        })?;
    let api_addr = listener.local_addr()?;
    let router = designate_api::router(Arc::clone(&central), api_config(&config, api_addr));
    let beat = tokio::spawn(heartbeat(
        Arc::clone(&central),
        "api",
        config.clone(),
        shutdown.clone(),
    ));
    // The e2e tests and operators read the bound address from this line.
    tracing::info!("api ready: api=http://{api_addr}");
    log_exit("api", designate_api::serve(listener, router, shutdown)).await;
    let _ = beat.await;
    link.close().await;
    Ok(())
}

/// The bus of `designate all`: in-process, or RabbitMQ when `transport_url` is set.
pub(crate) struct Bus {
    /// Where central (and the producer) cast zone tasks.
    pub(crate) worker: Arc<dyn WorkerApi>,
    /// Where central sends `dns.*` notifications.
    pub(crate) notifier: Arc<dyn Notifier>,
    /// The casts this process's worker consumes.
    pub(crate) casts: mpsc::UnboundedReceiver<WorkerCast>,
    link: Option<Arc<Link>>,
    shutdown: CancellationToken,
}

impl Bus {
    /// The bus for `config`; with AMQP, the worker queue consumer starts at once.
    pub(crate) fn for_all(config: &Config, shutdown: CancellationToken) -> Self {
        let Some(amqp) = config.bus.amqp.clone() else {
            let (queue, casts) = WorkerQueue::new();
            return Self {
                worker: Arc::new(queue),
                notifier: Arc::new(LogNotifier),
                casts,
                link: None,
                shutdown,
            };
        };
        let link = Link::new(amqp.clone(), "all");
        let (tx, casts) = mpsc::unbounded_channel();
        tokio::spawn(consume_worker(
            Link::new(amqp, "all-worker"),
            tx,
            shutdown.clone(),
        ));
        Self {
            worker: Arc::new(WorkerClient::new(Arc::clone(&link))),
            notifier: Arc::new(AmqpNotifier::new(
                Arc::clone(&link),
                config.bus.notifications_for("central"),
            )),
            casts,
            link: Some(link),
            shutdown,
        }
    }

    /// With AMQP, also answers the central queue, so roles in other processes can call this
    /// process's central.
    pub(crate) fn serve_central(&self, central: Arc<Central>, tasks: &mut JoinSet<()>) {
        if let Some(link) = &self.link {
            tasks.spawn(serve_central(
                Link::new(link.config().clone(), "all-central"),
                central,
                self.shutdown.clone(),
            ));
        }
    }
}

/// Upstream's heartbeat emitter: reports `service` (this process) into `service_statuses`
/// through central every `[heartbeat_emitter] heartbeat_interval`, and STOPPED at shutdown.
pub(crate) async fn heartbeat(
    central: Arc<dyn CentralApi>,
    service: &'static str,
    config: Config,
    shutdown: CancellationToken,
) {
    let ctx = RequestContext {
        request_id: format!("req-{}", uuid::Uuid::new_v4()),
        ..RequestContext::admin()
    };
    let created_at = chrono::Utc::now().naive_utc();
    let status = |state: &str| ServiceStatus {
        // Central keys the row on (service_name, hostname); the id is used when it is new.
        id: uuid::Uuid::new_v4(),
        service_name: service.to_owned(),
        hostname: config.bus.host.clone(),
        heartbeated_at: Some(chrono::Utc::now().naive_utc()),
        status: state.to_owned(),
        stats: serde_json::json!({}),
        capabilities: serde_json::json!({}),
        created_at,
        updated_at: None,
    };
    loop {
        // A heartbeat in flight never delays the shutdown.
        tokio::select! {
            () = shutdown.cancelled() => break,
            result = central.update_service_status(&ctx, status("UP")) => {
                if let Err(error) = result {
                    tracing::warn!(service, error = %error.message, "heartbeat not recorded");
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(config.bus.heartbeat_interval) => {}
        }
    }
    let stopped = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        central.update_service_status(&ctx, status("STOPPED")),
    )
    .await;
    if !matches!(stopped, Ok(Ok(()))) {
        tracing::debug!(service, "STOPPED status not recorded");
    }
}

/// Starts [`heartbeat`] for a role that has no central client of its own (mdns), when a bus is
/// configured; without one there is no central to report to.
pub(crate) fn spawn_heartbeat(
    config: &Config,
    service: &'static str,
    shutdown: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    let amqp = config.bus.amqp.clone()?;
    let central = Arc::new(CentralClient::new(Link::new(amqp, service)));
    Some(tokio::spawn(heartbeat(
        central,
        service,
        config.clone(),
        shutdown,
    )))
}
