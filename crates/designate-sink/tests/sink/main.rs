//! The sink against the real RabbitMQ of this machine (`DESIGNATE_TEST_TRANSPORT_URL`, default
//! `rabbit://guest:guest@127.0.0.1:5672/`) and a real central (SQLite) reached over AMQP RPC.
//!
//! Notifications are published as Nova and Neutron publish them: oslo.messaging v2 envelope
//! (and the bare v1 form) on the service's topic exchange with routing key
//! `notifications.info`, real event types and payload fields. Every test uses its own
//! exchanges, topics and queues (unique suffix) and deletes them at the end. A missing broker
//! fails the tests.

mod faults;
mod handlers;
mod harness;
