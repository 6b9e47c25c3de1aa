//! `designate sink`: the notification handlers alone, consuming Nova / Neutron notifications
//! from RabbitMQ and writing records through central over the bus; plus the reading of
//! `[service:sink]` and `[handler:nova_fixed]` / `[handler:neutron_floatingip]`.

use std::sync::Arc;

use anyhow::{anyhow, bail, Context as _, Result};
use designate_bus::amqp::{CentralClient, Link};
use designate_bus::CentralApi;
use designate_sink::{HandlerConfig, HandlerKind, SinkConfig, SinkMetrics};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::conf_file::ConfFile;
use crate::config::Config;

/// Reads `[service:sink]` and the sections of the enabled handlers (upstream's names and
/// defaults). `formatv4` / `formatv6` are MultiStrOpts (repeat the line for several names per
/// address); the deprecated `format` stands in for either when it is absent.
///
/// # Errors
/// An unknown handler name or an invalid `zone_id`.
pub(crate) fn from_file(f: &ConfFile) -> Result<SinkConfig> {
    let names = f
        .get_list("service:sink", "enabled_notification_handlers")
        .unwrap_or_default();
    // Read (and so not reported as unknown) even though we run no worker pool.
    let _ = f.get_str("service:sink", "workers");
    let _ = f.get_str("service:sink", "threads");
    let mut handlers = Vec::new();
    for name in names {
        let Some(kind) = HandlerKind::from_name(&name) else {
            bail!(
                "invalid value {name:?} for option [service:sink] enabled_notification_handlers: \
                 expected nova_fixed or neutron_floatingip"
            );
        };
        let section = format!("handler:{name}");
        let mut handler = HandlerConfig::new(kind);
        if let Some(id) = f.get_str(&section, "zone_id").filter(|s| !s.is_empty()) {
            handler.zone_id = Some(Uuid::parse_str(&id).map_err(|e| {
                anyhow!("invalid value {id:?} for option [{section}] zone_id: {e}")
            })?);
        }
        if let Some(topics) = f.get_list(&section, "notification_topics") {
            handler.notification_topics = topics;
        }
        if let Some(exchange) = f.get_str(&section, "control_exchange") {
            handler.control_exchange = exchange;
        }
        // MultiStrOpts: the option may be repeated, one format per line.
        let legacy = f.get_all(&section, "format");
        let v4 = f.get_all(&section, "formatv4");
        let v6 = f.get_all(&section, "formatv6");
        for (given, into) in [(v4, &mut handler.formatv4), (v6, &mut handler.formatv6)] {
            let formats = if given.is_empty() { &legacy } else { &given };
            if !formats.is_empty() {
                into.clone_from(formats);
            }
        }
        handlers.push(handler);
    }
    Ok(SinkConfig {
        handlers,
        listener_pool_name: f
            .get_str("service:sink", "listener_pool_name")
            .filter(|s| !s.is_empty()),
    })
}

/// `designate sink`: runs until `shutdown`.
pub(crate) async fn run(config: Config, shutdown: CancellationToken) -> Result<()> {
    let amqp = config.bus.amqp.clone().context(
        "`designate sink` needs a message bus: set [DEFAULT] transport_url \
         (e.g. rabbit://guest:guest@127.0.0.1:5672/)",
    )?;
    // Separate connections: RPC answers never wait behind a burst of notifications.
    let central: Arc<dyn CentralApi> =
        Arc::new(CentralClient::new(Link::new(amqp.clone(), "sink-rpc")));
    let beat = tokio::spawn(crate::roles::heartbeat(
        Arc::clone(&central),
        "sink",
        config.clone(),
        shutdown.clone(),
    ));
    let metrics = Arc::new(SinkMetrics::default());
    let metrics_server = match config.sink_metrics_listen {
        Some(addr) => Some(serve_metrics(addr, &metrics, shutdown.clone()).await?),
        None => None,
    };
    tracing::info!(handlers = config.sink.handlers.len(), "sink ready");
    designate_sink::run(
        config.sink.clone(),
        central,
        Link::new(amqp, "sink"),
        Arc::clone(&metrics),
        shutdown,
    )
    .await;
    let (handled, ignored, bad, retried) = metrics.snapshot();
    tracing::info!(handled, ignored, bad, retried, "sink stopped");
    let _ = beat.await;
    if let Some(server) = metrics_server {
        let _ = server.await;
    }
    Ok(())
}

/// Serves the sink's counters at `GET /metrics` on `addr` (`[service:sink] metrics_listen`)
/// until `shutdown`.
async fn serve_metrics(
    addr: std::net::SocketAddr,
    metrics: &SinkMetrics,
    shutdown: CancellationToken,
) -> Result<tokio::task::JoinHandle<()>> {
    let registry = prometheus::Registry::new();
    metrics.register(&registry)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} ([service:sink] metrics_listen)"))?;
    let bound = listener.local_addr()?;
    tracing::info!("sink metrics at http://{bound}/metrics");
    let app = designate_api::metrics::metrics_router(registry);
    Ok(tokio::spawn(crate::all::log_exit(
        "sink metrics",
        designate_api::serve(listener, app, shutdown),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_read_with_upstream_defaults() {
        let f = ConfFile::parse(
            "[service:sink]\nenabled_notification_handlers = nova_fixed, neutron_floatingip\n\
             [handler:nova_fixed]\nzone_id = 7e8f3a4c-1d2b-4c5d-8e9f-0a1b2c3d4e5f\n\
             formatv4 = %(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s\n\
             formatv4 = %(hostname)s.%(zone)s\n\
             [handler:neutron_floatingip]\ncontrol_exchange = neutron2\nnotification_topics = n1, n2\n",
        )
        .unwrap();
        let sink = from_file(&f).unwrap();
        assert_eq!(sink.handlers.len(), 2);
        let nova = &sink.handlers[0];
        assert_eq!(nova.control_exchange, "nova");
        assert_eq!(nova.notification_topics, ["notifications"]);
        assert!(nova.zone_id.is_some());
        assert_eq!(
            nova.formatv4,
            [
                "%(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s",
                "%(hostname)s.%(zone)s"
            ]
        );
        assert_eq!(nova.formatv6, ["%(hostname)s.%(zone)s"]);
        let neutron = &sink.handlers[1];
        assert_eq!(neutron.control_exchange, "neutron2");
        assert_eq!(neutron.notification_topics, ["n1", "n2"]);
        assert!(neutron.zone_id.is_none());
    }

    #[test]
    fn bad_values_name_the_option() {
        for (text, needle) in [
            (
                "[service:sink]\nenabled_notification_handlers = fake\n",
                "enabled_notification_handlers",
            ),
            (
                "[service:sink]\nenabled_notification_handlers = nova_fixed\n[handler:nova_fixed]\nzone_id = x\n",
                "[handler:nova_fixed] zone_id",
            ),
        ] {
            let err = from_file(&ConfFile::parse(text).unwrap())
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
