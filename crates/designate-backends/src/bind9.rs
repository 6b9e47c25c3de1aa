//! The `bind9` backend: provisions zones on a BIND9 server through `rndc`, as upstream's
//! `impl_bind9` does — `addzone` / `modzone` / `delzone` of a secondary zone whose primaries are
//! the target's masters (MiniDNS). BIND then transfers the zone by itself; later changes reach it
//! by the worker's NOTIFY.
//!
//! The `rndc` binary is run as a child process (with a timeout), exactly as upstream shells out
//! to it, so every rndc feature (key files, config files, TLS-less control channels) works as
//! operators already set it up. This module owns only argument building and the reading of
//! rndc's answers; it never parses BIND's configuration.

use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use designate_core::objects::{PoolTarget, Zone};

use crate::{Backend, BackendError};

/// rndc's default control port.
const DEFAULT_RNDC_PORT: u16 = 953;
/// How long one rndc call may take when the target sets no `rndc_timeout`. Upstream waits
/// forever by default; a bounded wait lets the worker's retry loop make progress instead.
const DEFAULT_RNDC_TIMEOUT: Duration = Duration::from_secs(10);

/// A pool target that is a BIND9 server controlled by rndc.
#[derive(Debug, Clone)]
pub struct Bind9Backend {
    /// `rndc -s HOST -p PORT [-c CONF] [-k KEY]`: the program and its leading arguments.
    rndc_base: Vec<String>,
    /// Per-call limit.
    timeout: Duration,
    /// BIND view the zones go into (`view` option), if any.
    view: Option<String>,
    /// `delzone -clean`: also remove the zone file.
    clean_zonefile: bool,
    /// `HOST port PORT` of every master, in configured order.
    masters: Vec<String>,
}

impl Bind9Backend {
    /// Builds the backend from a target's options (upstream names): `rndc_host` (127.0.0.1),
    /// `rndc_port` (953), `rndc_bin_path` (`rndc`), `rndc_config_file`, `rndc_key_file`,
    /// `rndc_timeout` (seconds; 0 means the default), `clean_zonefile` (false), `view`.
    ///
    /// # Errors
    /// [`BackendError::Config`] for a bad port, timeout or boolean, or a target without masters.
    pub fn from_target(target: &PoolTarget) -> Result<Self, BackendError> {
        let bad = |what: String| BackendError::Config(format!("target {}: {what}", target.id));
        let host = target.option("rndc_host").unwrap_or("127.0.0.1");
        let port = match target.option("rndc_port") {
            None => DEFAULT_RNDC_PORT,
            Some(p) => p
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(format!("rndc_port {p:?} is not a port number")))?,
        };
        let mut rndc_base = vec![
            target.option("rndc_bin_path").unwrap_or("rndc").to_owned(),
            "-s".to_owned(),
            host.to_owned(),
            "-p".to_owned(),
            port.to_string(),
        ];
        if let Some(conf) = target.option("rndc_config_file").filter(|s| !s.is_empty()) {
            rndc_base.extend(["-c".to_owned(), conf.to_owned()]);
        }
        if let Some(key) = target.option("rndc_key_file").filter(|s| !s.is_empty()) {
            rndc_base.extend(["-k".to_owned(), key.to_owned()]);
        }
        let timeout = match target.option("rndc_timeout").map(str::trim) {
            None | Some("") | Some("0") => DEFAULT_RNDC_TIMEOUT,
            Some(t) => t
                .parse::<f64>()
                .ok()
                .filter(|t| t.is_finite() && *t > 0.0 && *t < 86_400.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| bad(format!("rndc_timeout {t:?} is not a number of seconds")))?,
        };
        let clean_zonefile = match target.option("clean_zonefile") {
            None => false,
            Some(v) => parse_bool(v)
                .ok_or_else(|| bad(format!("clean_zonefile {v:?} is not a boolean")))?,
        };
        if target.masters.is_empty() {
            return Err(bad(
                "type bind9 needs at least one master (MiniDNS address)".to_owned(),
            ));
        }
        let masters = target
            .masters
            .iter()
            .map(|m| {
                let host = m.host.trim_start_matches('[').trim_end_matches(']');
                format!("{host} port {}", m.port)
            })
            .collect();
        Ok(Self {
            rndc_base,
            timeout,
            view: target
                .option("view")
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            clean_zonefile,
            masters,
        })
    }

    /// `NAME [in VIEW]` as rndc takes a zone (name without the trailing dot).
    fn zone_arg(&self, zone: &Zone) -> Result<String, BackendError> {
        let name = rndc_zone_name(&zone.name)?;
        Ok(match &self.view {
            Some(view) => format!("{name} in {view}"),
            None => name.to_owned(),
        })
    }

    /// The `addzone`/`modzone` argument: the zone and its configuration block.
    fn zone_config(&self, zone: &Zone) -> Result<String, BackendError> {
        // Upstream names the file `slave.<zone name><zone id>`; a '/' (RFC 2317 names) would
        // make it a path, so it is replaced.
        let file = format!("slave.{}{}", zone.name, zone.id).replace('/', "_");
        Ok(format!(
            "{} {{ type secondary; primaries {{ {}; }}; file \"{file}\"; }};",
            self.zone_arg(zone)?,
            self.masters.join("; ")
        ))
    }

    /// Runs `rndc ARGS…`; Ok(stdout) on exit status 0, else the error with rndc's message.
    async fn rndc(&self, args: &[&str]) -> Result<String, RndcFailure> {
        let (program, base) = self
            .rndc_base
            .split_first()
            .ok_or_else(|| RndcFailure::Spawn("empty rndc command".to_owned()))?;
        let mut command = tokio::process::Command::new(program);
        command
            .args(base)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // A timed-out rndc must not linger: dropping the future kills it.
            .kill_on_drop(true);
        tracing::debug!(?base, ?args, "running rndc");
        let child = command
            .spawn()
            .map_err(|e| RndcFailure::Spawn(format!("cannot run {program}: {e}")))?;
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| RndcFailure::Spawn(format!("rndc timed out after {:?}", self.timeout)))?
            .map_err(|e| RndcFailure::Spawn(format!("rndc failed: {e}")))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let mut message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if message.is_empty() {
            message = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        }
        Err(RndcFailure::Failed(format!(
            "{} ({})",
            message, output.status
        )))
    }
}

/// Why an rndc call failed: it could not run, or rndc reported a failure.
#[derive(Debug)]
enum RndcFailure {
    Spawn(String),
    Failed(String),
}

impl RndcFailure {
    /// True when rndc ran and its message contains `needle` (how upstream tells "already
    /// exists" and "not found" apart from real failures).
    fn says(&self, needle: &str) -> bool {
        matches!(self, Self::Failed(m) if m.contains(needle))
    }
}

impl From<RndcFailure> for BackendError {
    fn from(f: RndcFailure) -> Self {
        match f {
            RndcFailure::Spawn(m) | RndcFailure::Failed(m) => Self::Target(m),
        }
    }
}

#[async_trait]
impl Backend for Bind9Backend {
    async fn create_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let config = self.zone_config(zone)?;
        match self.rndc(&["addzone", &config]).await {
            Ok(_) => Ok(()),
            // Idempotent: a repeated create finds the zone there. It is a re-drive (recovery,
            // a retried task), so ask BIND to check the primaries' serial now rather than at
            // its next SOA refresh: the zone may have missed changes while it was unreachable.
            Err(f) if f.says("already exists") => {
                if let Err(f) = self.rndc(&["refresh", &self.zone_arg(zone)?]).await {
                    tracing::debug!(zone = %zone.name, failure = ?f, "rndc refresh failed");
                }
                Ok(())
            }
            Err(f) => Err(f.into()),
        }
    }

    /// A zone missing on the server (lost, or the server was rebuilt) is created; one whose
    /// primaries differ from the target's masters is corrected with `modzone`. Otherwise there
    /// is nothing to do: the worker's NOTIFY makes BIND transfer the new serial.
    async fn update_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let shown = match self.rndc(&["showzone", &self.zone_arg(zone)?]).await {
            Ok(shown) => shown,
            Err(f) if f.says("not found") => return self.create_zone(zone).await,
            Err(f) => return Err(f.into()),
        };
        if self.masters.iter().all(|m| shown.contains(m.as_str())) {
            return Ok(());
        }
        let config = self.zone_config(zone)?;
        self.rndc(&["modzone", &config]).await?;
        Ok(())
    }

    async fn delete_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let name = self.zone_arg(zone)?;
        let mut args = vec!["delzone"];
        if self.clean_zonefile {
            args.push("-clean");
        }
        args.push(&name);
        match self.rndc(&args).await {
            Ok(_) => Ok(()),
            // Idempotent: deleting a zone the server does not have is success.
            Err(f) if f.says("not found") => Ok(()),
            Err(f) => Err(f.into()),
        }
    }
}

/// The zone name as rndc takes it: without the trailing dot, and only characters that cannot
/// break out of rndc's configuration grammar (central validated the name; this is the last
/// line of defence before text goes to named's parser).
fn rndc_zone_name(name: &str) -> Result<&str, BackendError> {
    let bare = name.strip_suffix('.').unwrap_or(name);
    let safe = !bare.is_empty()
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'*'));
    if safe {
        Ok(bare)
    } else {
        Err(BackendError::Config(format!(
            "zone name {name:?} cannot be passed to rndc"
        )))
    }
}

/// oslo's `bool_from_string` for the values operators write.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Some(true),
        "0" | "f" | "false" | "off" | "n" | "no" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
