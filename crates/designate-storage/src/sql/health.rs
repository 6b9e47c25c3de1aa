//! Failing fast while a database server is unreachable.
//!
//! sqlx's pool answers a refused connection by retrying until `pool_timeout` runs out, so during
//! an outage every request would wait that long (30 s by default) before its 503. A pool that
//! is merely exhausted must keep waiting that long, though: its server is fine, the connections
//! are busy. [`Health`] tells the two apart by a direct connection attempt of its own (a
//! *probe*, outside the pool): a transaction still waiting for a connection after
//! [`PROBE_AFTER`] probes, and gives up at once when the server cannot be reached. The outcome
//! is remembered: while the server is known down, a transaction fails at once, and at most one
//! probe per [`PROBE_EVERY`] checks whether it is back (then the pool reconnects by itself).

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::mysql::MySqlConnectOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use super::dialect;
use super::query::map_err;
use crate::{Result, StorageError};

/// How long a transaction waits for a connection before it checks the server is reachable.
const PROBE_AFTER: Duration = Duration::from_secs(1);
/// How long a probe may take to connect before the server counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// While the server is known down, how often a transaction probes instead of failing at once.
const PROBE_EVERY: Duration = Duration::from_millis(250);

/// How to open a probe connection.
#[derive(Debug, Clone)]
pub(crate) enum Probe {
    Postgres(PgConnectOptions),
    MySql(MySqlConnectOptions),
}

impl Probe {
    /// Connects and disconnects once: `Err` (the connect error) when the server cannot be
    /// reached. A server that answers with an error of its own (too many connections, …) is
    /// reachable.
    async fn reach(&self) -> std::result::Result<(), sqlx::Error> {
        let attempt = async {
            match self {
                Self::Postgres(o) => o.connect().await.map(|c| drop(tokio::spawn(c.close()))),
                Self::MySql(o) => o.connect().await.map(|c| drop(tokio::spawn(c.close()))),
            }
        };
        match tokio::time::timeout(PROBE_TIMEOUT, attempt).await {
            Ok(Err(e)) if dialect::is_unavailable(&e) => Err(e),
            Ok(_) => Ok(()),
            Err(_) => Err(sqlx::Error::PoolTimedOut),
        }
    }
}

/// What is known about the server.
#[derive(Debug, Default)]
struct State {
    /// When the last probe failed, and with what; `None` while the server is reachable.
    down: Option<(Instant, String)>,
}

/// The reachability of one server, shared by every transaction on its pool.
#[derive(Debug)]
pub(crate) struct Health {
    probe: Probe,
    state: Mutex<State>,
}

impl Health {
    pub(crate) fn new(probe: Probe) -> Self {
        Self {
            probe,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Probes, remembering the outcome.
    async fn check(&self) -> Result<()> {
        match self.probe.reach().await {
            Ok(()) => {
                if self.state().down.take().is_some() {
                    tracing::info!("database server reachable again");
                }
                Ok(())
            }
            Err(e) => {
                let mut state = self.state();
                if state.down.is_none() {
                    tracing::warn!(error = %e, "database server unreachable; failing fast");
                }
                state.down = Some((Instant::now(), e.to_string()));
                Err(StorageError::Unavailable(e))
            }
        }
    }

    /// Runs `begin` (a pool acquire and BEGIN), failing fast when the server is unreachable;
    /// otherwise `begin` gets the pool's whole `pool_timeout`.
    pub(crate) async fn guard<T>(
        &self,
        begin: impl Future<Output = std::result::Result<T, sqlx::Error>>,
    ) -> Result<T> {
        let known_down = self.state().down.as_ref().map(|(at, e)| (*at, e.clone()));
        if let Some((at, error)) = known_down {
            if at.elapsed() < PROBE_EVERY {
                return Err(StorageError::Unavailable(sqlx::Error::Io(
                    std::io::Error::new(std::io::ErrorKind::ConnectionRefused, error),
                )));
            }
            self.check().await?;
        }
        tokio::pin!(begin);
        let watchdog = async {
            tokio::time::sleep(PROBE_AFTER).await;
            loop {
                if let Err(e) = self.check().await {
                    return e;
                }
                tokio::time::sleep(PROBE_AFTER).await;
            }
        };
        tokio::select! {
            began = &mut begin => began.map_err(map_err),
            unreachable = watchdog => Err(unreachable),
        }
    }
}
