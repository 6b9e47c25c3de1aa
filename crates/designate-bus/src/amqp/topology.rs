//! Declarations shared by publishers and consumers: the control exchange and the topic queues.
//! Both sides declare what they use (declarations are idempotent), so whichever starts first —
//! or reconnects first after a broker restart — creates them.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Channel, ExchangeKind};

use super::{AmqpConfig, BusError};

/// Declares the topic exchange `control_exchange`.
pub(crate) async fn declare_exchange(ch: &Channel, config: &AmqpConfig) -> Result<(), BusError> {
    ch.exchange_declare(
        config.control_exchange.as_str().into(),
        ExchangeKind::Topic,
        ExchangeDeclareOptions {
            durable: config.durable_exchange,
            ..ExchangeDeclareOptions::default()
        },
        FieldTable::default(),
    )
    .await?;
    Ok(())
}

/// Declares the queue `name` bound to the control exchange with routing key `name`.
pub(crate) async fn declare_topic_queue(
    ch: &Channel,
    config: &AmqpConfig,
    name: &str,
    durable: bool,
) -> Result<(), BusError> {
    declare_exchange(ch, config).await?;
    ch.queue_declare(
        name.into(),
        QueueDeclareOptions {
            durable,
            ..QueueDeclareOptions::default()
        },
        FieldTable::default(),
    )
    .await?;
    ch.queue_bind(
        name.into(),
        config.control_exchange.as_str().into(),
        name.into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await?;
    Ok(())
}
