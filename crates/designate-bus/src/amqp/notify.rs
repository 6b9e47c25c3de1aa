//! Notifications over AMQP, as oslo.messaging's `messagingv2` driver sends them: the message is
//! JSON-encoded into the `oslo.message` string of a `{"oslo.version": "2.0", …}` envelope and
//! published on `<topic>.info` of the control exchange, for each configured topic. Consumers
//! such as Ceilometer read them unchanged.

use std::sync::Arc;

use async_trait::async_trait;
use designate_core::RequestContext;
use lapin::BasicProperties;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::publisher::ConfirmPublisher;
use super::{BusError, Link};
use crate::Notifier;

/// `[oslo_messaging_notifications]` settings.
#[derive(Debug, Clone)]
pub struct NotificationConfig {
    /// `driver`: `messagingv2` sends, `noop` (or no driver) does not.
    pub enabled: bool,
    /// `topics` (default `notifications`).
    pub topics: Vec<String>,
    /// `publisher_id` of the messages, upstream's `<service>.<host>` (e.g. `central.node1`).
    pub publisher_id: String,
}

/// The envelope's priority: upstream emits every `dns.*` event at INFO.
const PRIORITY: &str = "INFO";

/// [`Notifier`] over AMQP.
pub struct AmqpNotifier {
    publisher: ConfirmPublisher,
    config: NotificationConfig,
}

impl std::fmt::Debug for AmqpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpNotifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AmqpNotifier {
    /// A notifier publishing through `link`. The `<topic>.info` queues are declared as upstream
    /// does, so notifications wait for their consumers.
    pub fn new(link: Arc<Link>, config: NotificationConfig) -> Self {
        let queues = config
            .topics
            .iter()
            .map(|t| format!("{t}.{}", PRIORITY.to_lowercase()))
            .collect();
        let durable = link.config().durable_exchange;
        Self {
            publisher: ConfirmPublisher::new(link, queues, durable),
            config,
        }
    }

    /// Publishes one notification on every topic.
    ///
    /// # Errors
    /// The transport failure of the first topic that could not be published.
    pub async fn try_notify(
        &self,
        ctx: &RequestContext,
        event_type: &str,
        payload: Value,
    ) -> Result<(), BusError> {
        if !self.config.enabled {
            return Ok(());
        }
        let body = envelope(ctx, &self.config.publisher_id, event_type, payload)?;
        let props = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_content_encoding("utf-8".into());
        for topic in &self.config.topics {
            let key = format!("{topic}.{}", PRIORITY.to_lowercase());
            self.publisher.publish(&key, &body, props.clone()).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Notifier for AmqpNotifier {
    async fn notify(&self, ctx: &RequestContext, event_type: &str, payload: Value) {
        if let Err(error) = self.try_notify(ctx, event_type, payload).await {
            tracing::warn!(event_type, %error, "notification lost");
        }
    }
}

/// The oslo.messaging v2 envelope of one notification.
fn envelope(
    ctx: &RequestContext,
    publisher_id: &str,
    event_type: &str,
    payload: Value,
) -> Result<Vec<u8>, BusError> {
    let mut message = Map::new();
    // oslo.messaging flattens the request context into `_context_*` keys.
    for (key, value) in context_fields(ctx) {
        message.insert(format!("_context_{key}"), value);
    }
    message.insert("message_id".into(), json!(Uuid::new_v4().to_string()));
    message.insert("publisher_id".into(), json!(publisher_id));
    message.insert("event_type".into(), json!(event_type));
    message.insert("priority".into(), json!(PRIORITY));
    message.insert("payload".into(), payload);
    // Python's str(datetime.utcnow()): "2024-01-02 03:04:05.123456".
    message.insert(
        "timestamp".into(),
        json!(chrono::Utc::now()
            .format("%Y-%m-%d %H:%M:%S%.6f")
            .to_string()),
    );
    let inner = serde_json::to_string(&Value::Object(message))?;
    Ok(serde_json::to_vec(
        &json!({"oslo.version": "2.0", "oslo.message": inner}),
    )?)
}

/// The context keys upstream's `DesignateContext.to_dict()` carries that we know.
fn context_fields(ctx: &RequestContext) -> Vec<(&'static str, Value)> {
    vec![
        ("request_id", json!(ctx.request_id)),
        ("global_request_id", Value::Null),
        ("user_id", json!(ctx.user_id)),
        ("user", json!(ctx.user_id)),
        ("project_id", json!(ctx.project_id)),
        ("tenant", json!(ctx.project_id)),
        ("roles", json!(ctx.roles)),
        ("is_admin", json!(ctx.is_admin())),
        ("system_scope", json!(ctx.system_scope.then_some("all"))),
        ("all_tenants", json!(ctx.all_projects)),
        ("edit_managed_records", json!(ctx.edit_managed_records)),
        ("hard_delete", json!(ctx.hard_delete)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_oslo_v2() {
        let ctx = RequestContext {
            request_id: "req-1".into(),
            project_id: Some("p1".into()),
            ..RequestContext::default()
        };
        let body = envelope(&ctx, "central.h", "dns.zone.create", json!({"id": "z"})).unwrap();
        let outer: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(outer["oslo.version"], "2.0");
        let inner: Value = serde_json::from_str(outer["oslo.message"].as_str().unwrap()).unwrap();
        assert_eq!(inner["event_type"], "dns.zone.create");
        assert_eq!(inner["priority"], "INFO");
        assert_eq!(inner["publisher_id"], "central.h");
        assert_eq!(inner["payload"]["id"], "z");
        assert_eq!(inner["_context_request_id"], "req-1");
        assert_eq!(inner["_context_project_id"], "p1");
        assert!(Uuid::parse_str(inner["message_id"].as_str().unwrap()).is_ok());
        let ts = inner["timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2024-01-02 03:04:05.123456".len(), "{ts}");
    }
}
