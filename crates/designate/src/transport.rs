//! The message-bus options of `designate.conf`, under upstream's names: `[DEFAULT]
//! transport_url` / `control_exchange` / `rpc_response_timeout`, the `[service:*] topic`s,
//! `[oslo_messaging_rabbit]` and `[oslo_messaging_notifications]`.
//!
//! Without a `transport_url` the roles can only meet in one process (`designate all`).

use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use designate_bus::amqp::{AmqpConfig, NotificationConfig, TransportUrl};

use crate::conf_file::ConfFile;

/// The bus settings.
#[derive(Debug, Clone)]
pub(crate) struct BusConfig {
    /// The AMQP transport, when `[DEFAULT] transport_url` is set.
    pub(crate) amqp: Option<AmqpConfig>,
    /// `[oslo_messaging_notifications]`; `publisher_id` still has the `<service>` to fill in.
    pub(crate) notifications: NotificationConfig,
    /// `[DEFAULT] host` (default: the machine's host name).
    pub(crate) host: String,
    /// `[heartbeat_emitter] heartbeat_interval` (default 10 s): how often each role reports
    /// itself into `service_statuses`.
    pub(crate) heartbeat_interval: Duration,
}

impl BusConfig {
    /// The notification settings for `service` (upstream's publisher id is `<service>.<host>`).
    pub(crate) fn notifications_for(&self, service: &str) -> NotificationConfig {
        NotificationConfig {
            publisher_id: format!("{service}.{}", self.notifications.publisher_id),
            ..self.notifications.clone()
        }
    }
}

/// Reads the bus options.
///
/// # Errors
/// An invalid value (the message names section and option).
pub(crate) fn from_file(f: &ConfFile) -> Result<BusConfig> {
    let host = f.get_str("DEFAULT", "host").unwrap_or_else(hostname);
    let notifications = notifications(f, host.clone())?;
    let heartbeat_interval = f
        .get_secs("heartbeat_emitter", "heartbeat_interval")?
        .unwrap_or(Duration::from_secs(10));
    if heartbeat_interval.is_zero() {
        bail!("invalid value 0 for option [heartbeat_emitter] heartbeat_interval");
    }
    let Some(url) = f.get_str("DEFAULT", "transport_url") else {
        return Ok(BusConfig {
            amqp: None,
            notifications,
            host,
            heartbeat_interval,
        });
    };
    let url = TransportUrl::parse(&url)
        .map_err(|e| anyhow!("invalid value for option [DEFAULT] transport_url: {e}"))?;
    let mut amqp = AmqpConfig::new(url);
    let text = |section: &str, option: &str, into: &mut String| -> Result<()> {
        if let Some(v) = f.get_str(section, option) {
            if v.is_empty() {
                bail!("invalid empty value for option [{section}] {option}");
            }
            *into = v;
        }
        Ok(())
    };
    text("DEFAULT", "control_exchange", &mut amqp.control_exchange)?;
    text("service:central", "topic", &mut amqp.central_topic)?;
    text("service:worker", "topic", &mut amqp.worker_topic)?;
    text("service:mdns", "topic", &mut amqp.mdns_topic)?;
    let secs = |section: &str, option: &str, into: &mut Duration| -> Result<()> {
        if let Some(v) = f.get_secs(section, option)? {
            *into = v;
        }
        Ok(())
    };
    secs("DEFAULT", "rpc_response_timeout", &mut amqp.rpc_timeout)?;
    let r = "oslo_messaging_rabbit";
    secs(r, "heartbeat_timeout_threshold", &mut amqp.heartbeat)?;
    secs(r, "rabbit_retry_interval", &mut amqp.retry_interval)?;
    secs(r, "rabbit_retry_backoff", &mut amqp.retry_backoff)?;
    secs(r, "rabbit_interval_max", &mut amqp.interval_max)?;
    amqp.durable_exchange = f
        .get_bool(r, "amqp_durable_queues")?
        .unwrap_or(amqp.durable_exchange);
    if let Some(prefetch) = f.get::<u16>(r, "rabbit_qos_prefetch_count")? {
        // Upstream's 0 means "no limit"; keep a bound so one central cannot hoard the queue.
        amqp.central_prefetch = if prefetch == 0 { 1024 } else { prefetch };
    }
    if amqp.rpc_timeout.is_zero() {
        bail!("invalid value 0 for option [DEFAULT] rpc_response_timeout");
    }
    Ok(BusConfig {
        amqp: Some(amqp),
        notifications,
        host,
        heartbeat_interval,
    })
}

fn notifications(f: &ConfFile, host: String) -> Result<NotificationConfig> {
    let s = "oslo_messaging_notifications";
    let drivers = f.get_list(s, "driver").unwrap_or_default();
    let mut enabled = false;
    for driver in &drivers {
        match driver.as_str() {
            "messagingv2" | "messaging" => enabled = true,
            "noop" => {}
            other => bail!(
                "invalid value {other:?} for option [{s}] driver: expected \"messagingv2\" or \"noop\""
            ),
        }
    }
    let topics = f
        .get_list(s, "topics")
        .unwrap_or_else(|| vec!["notifications".to_owned()]);
    if enabled && topics.is_empty() {
        bail!("invalid empty value for option [{s}] topics");
    }
    Ok(NotificationConfig {
        enabled,
        topics,
        publisher_id: host,
    })
}

/// The host name upstream puts into `publisher_id` (`[DEFAULT] host` overrides it).
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_transport_url_means_in_process() {
        let bus = from_file(&ConfFile::empty()).unwrap();
        assert!(bus.amqp.is_none());
        assert!(!bus.notifications.enabled);
        assert_eq!(bus.notifications.topics, ["notifications"]);
    }

    #[test]
    fn upstream_options_are_read() {
        let f = ConfFile::parse(
            "[DEFAULT]\nhost = node1\ntransport_url = rabbit://u:p@h1:5672,u:p@h2:5673/dns\n\
             control_exchange = dnsx\nrpc_response_timeout = 5\n\
             [service:central]\ntopic = c2\n[service:worker]\ntopic = w2\n\
             [oslo_messaging_rabbit]\nheartbeat_timeout_threshold = 20\namqp_durable_queues = true\n\
             [oslo_messaging_notifications]\ndriver = messagingv2\ntopics = notifications, audit\n",
        )
        .unwrap();
        let bus = from_file(&f).unwrap();
        let amqp = bus.amqp.clone().unwrap();
        assert_eq!(amqp.url.members.len(), 2);
        assert_eq!(amqp.url.vhost, "dns");
        assert_eq!(amqp.control_exchange, "dnsx");
        assert_eq!(amqp.central_topic, "c2");
        assert_eq!(amqp.worker_topic, "w2");
        assert_eq!(amqp.rpc_timeout, Duration::from_secs(5));
        assert_eq!(amqp.heartbeat, Duration::from_secs(20));
        assert!(amqp.durable_exchange);
        let n = bus.notifications_for("central");
        assert!(n.enabled);
        assert_eq!(n.topics, ["notifications", "audit"]);
        assert_eq!(n.publisher_id, "central.node1");
    }

    #[test]
    fn bad_values_name_the_option() {
        for (text, needle) in [
            (
                "[DEFAULT]\ntransport_url = http://x\n",
                "[DEFAULT] transport_url",
            ),
            (
                "[oslo_messaging_notifications]\ndriver = kafka\n",
                "[oslo_messaging_notifications] driver",
            ),
            (
                "[DEFAULT]\ntransport_url = rabbit://h\nrpc_response_timeout = 0\n",
                "rpc_response_timeout",
            ),
        ] {
            let err = from_file(&ConfFile::parse(text).unwrap())
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
