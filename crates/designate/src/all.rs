//! Wiring of the roles into processes: `designate all` (everything in one process on the
//! in-process bus, or RabbitMQ when `transport_url` is set) and `designate mdns`; the other
//! roles alone are in `roles.rs`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use designate_api::ApiConfig;
use designate_backends::BackendContext;
use designate_bus::amqp::{consume_fanout, CentralClient, Link};
use designate_bus::Broadcast;
use designate_central::Central;
use designate_core::objects::{
    Pool, PoolAttribute, PoolNameserver, PoolNsRecord, PoolTarget, PoolTargetMaster,
};
use designate_mdns::MdnsConfig;
use designate_nameserver::NameserverConfig;
use designate_storage::{SqlStorage, Storage};
use designate_worker::{Producer, Worker};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::config::Config;

/// Opens the store and brings its schema up to date.
pub(crate) async fn open_storage(config: &Config) -> Result<Arc<dyn Storage>> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.state_path)
            .with_context(|| format!("cannot create state_path {}", config.state_path.display()))?;
    }
    let storage = SqlStorage::connect_with(&config.database_url, &config.database_pool)
        .await
        .with_context(|| {
            format!(
                "cannot open database {}",
                crate::manage::redact(&config.database_url)
            )
        })?;
    storage
        .migrate()
        .await
        .context("database migration failed")?;
    Ok(Arc::new(storage))
}

/// The roles `designate all` runs, each reported in `service_statuses` under this name.
const ALL_ROLES: [&str; 6] = ["api", "central", "mdns", "worker", "producer", "nameserver"];

/// `designate all`: every role in this process.
pub(crate) async fn run(config: Config, shutdown: CancellationToken) -> Result<()> {
    let started = std::time::Instant::now();
    let storage = open_storage(&config).await?;
    let mut tasks = JoinSet::new();

    let (nameserver, nameserver_task) = designate_nameserver::start(
        NameserverConfig {
            listen: config.nameserver_listen,
            state_dir: config.state_path.join("nameserver"),
            ..NameserverConfig::default()
        },
        shutdown.clone(),
    )
    .await
    .context("cannot start the built-in nameserver")?;
    let nameserver_addr = nameserver.local_addr();

    let mdns = designate_mdns::bind(mdns_config(&config), Arc::clone(&storage))
        .await
        .context("cannot start MiniDNS")?;
    let mdns_addr = mdns.local_addr();

    // In-process bus, or RabbitMQ when [DEFAULT] transport_url is set (then other processes
    // may join: more centrals, workers, APIs).
    let bus = crate::roles::Bus::for_all(&config, shutdown.clone());
    // NOTIFYs from SECONDARY zones' masters become transfers.
    mdns.set_worker(Arc::clone(&bus.worker));
    tasks.spawn(log_exit("mdns", mdns.serve(shutdown.clone())));
    let central = Arc::new(Central::new(
        Arc::clone(&storage),
        Arc::clone(&bus.worker),
        Arc::clone(&bus.notifier),
        config.central.clone(),
    ));
    bus.serve_central(central.clone(), &mut tasks);
    // One heartbeat row per role this process runs, as if each ran alone (upstream's
    // service_statuses shows them; the in-process central records them directly).
    for role in ALL_ROLES {
        tasks.spawn(crate::roles::heartbeat(
            central.clone(),
            role,
            config.clone(),
            shutdown.clone(),
        ));
    }
    // A default pool installed by `designate manage pool update` (no built-in target) is the
    // operator's: keep it; otherwise (re)write the built-in one so changed ports take effect.
    if crate::manage::pool::operator_owns_default_pool(storage.as_ref(), &config).await? {
        tracing::info!(pool_id = %config.default_pool_id, "default pool comes from pools.yaml; keeping it");
    } else {
        central
            .ensure_pool(builtin_pool(&config, nameserver_addr, mdns_addr))
            .await
            .map_err(|e| anyhow::anyhow!("cannot set up the default pool: {}", e.message))?;
    }

    // The nameserver reloaded its zones with the masters it had last time; MiniDNS may have moved
    // (another port in the config), so point every zone at this process's MiniDNS.
    let repointed = nameserver
        .zones()
        .into_iter()
        .map(|zone| (zone, vec![mdns_addr]));
    nameserver
        .add_zones(repointed)
        .await
        .context("cannot re-point the zones at MiniDNS")?;

    let worker = Worker::new(
        Arc::clone(&storage),
        central.clone(),
        BackendContext {
            builtin: Some(nameserver),
            ..BackendContext::default()
        },
        config.worker.clone(),
    );
    tasks.spawn(worker.run(bus.casts, shutdown.clone()));
    let producer = Producer::new(Arc::clone(&storage), bus.worker, config.producer.clone())
        .with_central(central.clone())
        .with_notifier(Arc::clone(&bus.notifier));
    tasks.spawn(producer.run(shutdown.clone()));

    let listener = tokio::net::TcpListener::bind(config.api_listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} ([service:api] listen)",
                config.api_listen
            )
        })?;
    let api_addr = listener.local_addr()?;
    let router = designate_api::router(central, api_config(&config, api_addr));
    tasks.spawn(log_exit(
        "api",
        designate_api::serve(listener, router, shutdown.clone()),
    ));

    // The e2e tests and operators read the bound addresses from this line.
    tracing::info!(
        "designate all ready in {} ms: api=http://{api_addr} mdns={mdns_addr} nameserver={nameserver_addr}",
        started.elapsed().as_millis()
    );
    shutdown.cancelled().await;
    while tasks.join_next().await.is_some() {}
    let _ = nameserver_task.await;
    tracing::info!("stopped");
    Ok(())
}

/// `designate mdns`: MiniDNS alone (it only reads the store).
pub(crate) async fn run_mdns(config: Config, shutdown: CancellationToken) -> Result<()> {
    let storage = open_storage(&config).await?;
    let mdns = designate_mdns::bind(mdns_config(&config), storage)
        .await
        .context("cannot start MiniDNS")?;
    // With a bus: heartbeats through central, central's broadcasts (pool / TSIG key writes)
    // make this MiniDNS reload its access data at once, and NOTIFYs from SECONDARY zones'
    // masters become transfers cast to the workers. One connection for all three.
    let mut bus_tasks = JoinSet::new();
    let mut link = None;
    if let Some(amqp) = config.bus.amqp.clone() {
        let bus = Link::new(amqp, "mdns");
        mdns.set_worker(Arc::new(designate_bus::amqp::WorkerClient::new(
            Arc::clone(&bus),
        )));
        bus_tasks.spawn(crate::roles::heartbeat(
            Arc::new(CentralClient::new(Arc::clone(&bus))),
            "mdns",
            config.clone(),
            shutdown.clone(),
        ));
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let topic = bus.config().mdns_topic.clone();
        bus_tasks.spawn(consume_fanout(
            Arc::clone(&bus),
            topic,
            tx,
            shutdown.clone(),
        ));
        let reload = mdns.access_reload();
        bus_tasks.spawn(async move {
            while let Some(event) = events.recv().await {
                match event {
                    Broadcast::MdnsAccessChanged => reload.reload_now(),
                }
            }
        });
        link = Some(bus);
    }
    tracing::info!("mdns ready: mdns={}", mdns.local_addr());
    mdns.serve(shutdown).await?;
    // The heartbeat's STOPPED report is sent before the connection closes.
    while bus_tasks.join_next().await.is_some() {}
    if let Some(link) = link {
        link.close().await;
    }
    Ok(())
}

fn mdns_config(config: &Config) -> MdnsConfig {
    config.mdns.clone()
}

pub(crate) fn api_config(config: &Config, bound: SocketAddr) -> ApiConfig {
    ApiConfig {
        listen: bound,
        api_base_uri: config.api_base_uri.clone(),
        healthcheck_disable_file: config.healthcheck_disable_file.clone(),
        default_limit: config.default_limit,
        max_limit: config.max_limit,
        max_body_bytes: config.max_body_bytes,
        auth: config.api_auth.clone(),
        policy: config.api_policy.clone(),
    }
}

pub(crate) async fn log_exit<E: std::fmt::Display>(
    role: &'static str,
    fut: impl std::future::Future<Output = Result<(), E>>,
) {
    if let Err(error) = fut.await {
        tracing::error!(role, %error, "role stopped with an error");
    }
}

/// The default pool of `all`: the built-in nameserver as only target and nameserver, MiniDNS as
/// its master. Rewritten at every start so that changed ports take effect.
pub(crate) fn builtin_pool(config: &Config, nameserver: SocketAddr, mdns: SocketAddr) -> Pool {
    // Stable child ids: derived from the pool id so a restart updates rows instead of adding them.
    let child = |n: u128| Uuid::from_u128(config.default_pool_id.as_u128() ^ n);
    Pool {
        id: config.default_pool_id,
        name: "default".to_owned(),
        description: Some("Default pool: the built-in nameserver".to_owned()),
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: config
            .ns_records
            .iter()
            .enumerate()
            .map(|(i, hostname)| PoolNsRecord {
                priority: i as i32 + 1,
                hostname: hostname.clone(),
            })
            .collect(),
        nameservers: vec![PoolNameserver {
            id: child(1),
            host: nameserver.ip().to_string(),
            port: nameserver.port(),
        }],
        targets: vec![PoolTarget {
            id: child(2),
            target_type: "builtin".to_owned(),
            description: Some("built-in nameserver".to_owned()),
            masters: vec![PoolTargetMaster {
                host: mdns.ip().to_string(),
                port: mdns.port(),
            }],
            options: vec![
                PoolAttribute {
                    key: "host".to_owned(),
                    value: nameserver.ip().to_string(),
                },
                PoolAttribute {
                    key: "port".to_owned(),
                    value: nameserver.port().to_string(),
                },
            ],
        }],
        also_notifies: Vec::new(),
    }
}
