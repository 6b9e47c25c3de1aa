//! The typed configuration of every role, read from an upstream-style `designate.conf`.
//!
//! Option names and sections are upstream's; every option has a default that makes `designate all`
//! work with no file at all. Options we do not know are reported as warnings.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};

use designate_worker::{ProducerConfig, WorkerConfig};
use uuid::Uuid;

use crate::conf_file::ConfFile;

/// Default address of the API.
pub(crate) const DEFAULT_API_LISTEN: &str = "127.0.0.1:9001";
/// Default address of MiniDNS.
pub(crate) const DEFAULT_MDNS_LISTEN: &str = "127.0.0.1:5354";
/// Default address of the built-in nameserver.
pub(crate) const DEFAULT_NAMESERVER_LISTEN: &str = "127.0.0.1:5353";
/// Default NS record of the default pool.
pub(crate) const DEFAULT_NS_RECORD: &str = "ns1.example.org.";

/// Everything the roles need.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// `[DEFAULT] state_path`: where SQLite and the nameserver keep their files.
    pub(crate) state_path: PathBuf,
    /// `[storage:sqlalchemy] connection`.
    pub(crate) database_url: String,
    /// `[storage:sqlalchemy]` pool options (max_pool_size, max_overflow, pool_timeout, …).
    pub(crate) database_pool: designate_storage::PoolOptions,
    /// `[service:api] listen` (first address).
    pub(crate) api_listen: SocketAddr,
    /// `[service:api] api_base_uri`, when set.
    pub(crate) api_base_uri: Option<String>,
    /// `[healthcheck] disable_by_file_path` (oslo.middleware; upstream's paste file uses
    /// `/etc/designate/healthcheck_disable`).
    pub(crate) healthcheck_disable_file: Option<PathBuf>,
    /// `[service:api] default_limit_v2`.
    pub(crate) default_limit: u32,
    /// `[service:api] max_limit_v2`.
    pub(crate) max_limit: u32,
    /// `[service:api] auth_strategy` with `[keystone_authtoken]`.
    pub(crate) api_auth: designate_api::AuthStrategy,
    /// `[oslo_middleware] max_request_body_size` (oslo's sizelimit middleware; 114688 bytes by
    /// default, which is also what limits a zone import's file).
    pub(crate) max_body_bytes: usize,
    /// The effective policy: defaults plus `[oslo_policy] policy_file`, checked at load time.
    pub(crate) api_policy: std::sync::Arc<designate_api::Policy>,
    /// `[service:mdns] listen` (first address).
    pub(crate) mdns_listen: SocketAddr,
    /// `[service:nameserver] listen` (ours): the built-in nameserver.
    pub(crate) nameserver_listen: SocketAddr,
    /// `[service:nameserver] ns_records` (ours): NS hostnames of the default pool in `all`.
    pub(crate) ns_records: Vec<String>,
    /// `[service:central] default_pool_id`.
    pub(crate) default_pool_id: Uuid,
    /// `[service:central]` and `[DEFAULT]` zone defaults.
    pub(crate) central: designate_central::CentralConfig,
    /// `[service:worker]`.
    pub(crate) worker: WorkerConfig,
    /// `[service:producer]` / `[producer_task:*]`.
    pub(crate) producer: ProducerConfig,
    /// The message bus (`[DEFAULT] transport_url`, notifications).
    pub(crate) bus: crate::transport::BusConfig,
    /// `[service:sink]` and `[handler:*]`.
    pub(crate) sink: designate_sink::SinkConfig,
    /// `[service:sink] metrics_listen` (ours): where `designate sink` serves `GET /metrics`;
    /// `None` (the default) serves nothing.
    pub(crate) sink_metrics_listen: Option<SocketAddr>,
    /// Every `[service:mdns]` option, `listen` included (see `mdns_options`).
    pub(crate) mdns: designate_mdns::MdnsConfig,
}

impl Config {
    /// Reads `path`, or the defaults when `None`, and warns about options we do not know.
    ///
    /// # Errors
    /// An unreadable file, or an invalid value (the message names section and option).
    pub(crate) fn load(path: Option<&Path>) -> Result<Self> {
        let file = match path {
            Some(path) => ConfFile::load(path)?,
            None => ConfFile::empty(),
        };
        let config = Self::from_file(&file)?;
        for (section, option) in file.unread() {
            tracing::warn!("ignoring unknown or unsupported option [{section}] {option}");
        }
        Ok(config)
    }

    /// Builds the typed configuration.
    ///
    /// # Errors
    /// An invalid value (the message names section and option).
    pub(crate) fn from_file(f: &ConfFile) -> Result<Self> {
        let state_path = PathBuf::from(
            f.get_str("DEFAULT", "state_path")
                .unwrap_or_else(|| "./designate-state".into()),
        );
        let database_url = f
            .get_str("storage:sqlalchemy", "connection")
            .unwrap_or_else(|| {
                format!(
                    "sqlite:///{}",
                    state_path.join("designate.sqlite").display()
                )
            });
        let api_auth = api_auth(f)?;
        let api_policy = std::sync::Arc::new(api_policy(f)?);
        let bus = crate::transport::from_file(f)?;
        let mut central = designate_central::CentralConfig::default();
        central.default_pool_id = parse_or(
            f,
            "service:central",
            "default_pool_id",
            central.default_pool_id,
        )?;
        if let Some(v) = f.get("service:central", "min_ttl")? {
            central.min_ttl = Some(v).filter(|t: &i32| *t > 0);
        }
        // --- zone placement ---
        if let Some(names) = f.get_list("service:central", "scheduler_filters") {
            central.scheduler_filters = names
                .iter()
                .map(|n| n.parse())
                .collect::<std::result::Result<_, String>>()
                .map_err(|e| anyhow!("[service:central] scheduler_filters: {e}"))?;
            if central.scheduler_filters.is_empty() {
                bail!("[service:central] scheduler_filters: There are no scheduling filters configured");
            }
        }
        central.max_zone_name_len = f
            .get("service:central", "max_zone_name_len")?
            .unwrap_or(central.max_zone_name_len);
        central.max_recordset_name_len = f
            .get("service:central", "max_recordset_name_len")?
            .unwrap_or(central.max_recordset_name_len);
        central.managed_resource_email = f
            .get_str("service:central", "managed_resource_email")
            .unwrap_or(central.managed_resource_email);
        central.managed_resource_tenant_id = f
            .get_str("service:central", "managed_resource_tenant_id")
            .unwrap_or(central.managed_resource_tenant_id);
        central.neutron = neutron_config(f)?;
        central.default_ttl = f
            .get("DEFAULT", "default_ttl")?
            .unwrap_or(central.default_ttl);
        central.default_soa_refresh_min = f
            .get("DEFAULT", "default_soa_refresh_min")?
            .unwrap_or(central.default_soa_refresh_min);
        central.default_soa_refresh_max = f
            .get("DEFAULT", "default_soa_refresh_max")?
            .unwrap_or(central.default_soa_refresh_max);
        central.default_soa_retry = f
            .get("DEFAULT", "default_soa_retry")?
            .unwrap_or(central.default_soa_retry);
        central.default_soa_expire = f
            .get("DEFAULT", "default_soa_expire")?
            .unwrap_or(central.default_soa_expire);
        central.default_soa_minimum = f
            .get("DEFAULT", "default_soa_minimum")?
            .unwrap_or(central.default_soa_minimum);
        // `[DEFAULT] quota_<resource>`: the limits of projects without quotas of their own.
        for (resource, limit) in central.quotas.iter_mut() {
            if let Some(v) = f.get("DEFAULT", &format!("quota_{resource}"))? {
                *limit = v;
            }
        }

        let mut worker = WorkerConfig::default();
        let w = "service:worker";
        worker.threshold_percentage = f
            .get(w, "threshold_percentage")?
            .unwrap_or(worker.threshold_percentage);
        if worker.threshold_percentage > 100 {
            bail!(
                "invalid value {} for option [{w}] threshold_percentage: expected 0..=100",
                worker.threshold_percentage
            );
        }
        worker.poll_timeout = f
            .get_secs(w, "poll_timeout")?
            .unwrap_or(worker.poll_timeout);
        worker.poll_retry_interval = f
            .get_secs(w, "poll_retry_interval")?
            .unwrap_or(worker.poll_retry_interval);
        worker.poll_max_retries = f
            .get(w, "poll_max_retries")?
            .unwrap_or(worker.poll_max_retries);
        worker.poll_delay = f.get_secs(w, "poll_delay")?.unwrap_or(worker.poll_delay);
        worker.notify = f.get_bool(w, "notify")?.unwrap_or(worker.notify);
        worker.xfr_timeout = f.get_secs(w, "xfr_timeout")?.unwrap_or(worker.xfr_timeout);

        let mut producer = ProducerConfig::default();
        let r = "producer_task:worker_periodic_recovery";
        producer.recovery_interval = f
            .get_secs(r, "interval")?
            .unwrap_or(producer.recovery_interval);
        producer.pending_grace = f
            .get_secs(r, "pending_grace")?
            .unwrap_or(producer.pending_grace);
        producer.enabled_tasks = f.get_list("service:producer", "enabled_tasks");
        producer.lease_period = f
            .get_secs("service:producer", "lease_period")?
            .unwrap_or(producer.lease_period);
        let p = "producer_task:zone_purge";
        let purge = &mut producer.zone_purge;
        purge.interval = f.get_secs(p, "interval")?.unwrap_or(purge.interval);
        purge.time_threshold = f
            .get_secs(p, "time_threshold")?
            .unwrap_or(purge.time_threshold);
        purge.batch_size = f.get(p, "batch_size")?.unwrap_or(purge.batch_size);
        producer.exists_interval = f
            .get_secs("producer_task:periodic_exists", "interval")?
            .unwrap_or(producer.exists_interval);
        let d = "producer_task:delayed_notify";
        let delayed = &mut producer.delayed_notify;
        delayed.interval = f.get_secs(d, "interval")?.unwrap_or(delayed.interval);
        delayed.batch_size = f.get(d, "batch_size")?.unwrap_or(delayed.batch_size);
        let i = "producer_task:increment_serial";
        let inc = &mut producer.increment_serial;
        inc.interval = f.get_secs(i, "interval")?.unwrap_or(inc.interval);
        inc.batch_size = f.get(i, "batch_size")?.unwrap_or(inc.batch_size);
        producer.per_page = f.get(p, "per_page")?.unwrap_or(producer.per_page);
        producer.secondary_refresh_interval = f
            .get_secs("producer_task:periodic_secondary_refresh", "interval")?
            .unwrap_or(producer.secondary_refresh_interval);

        let ns_records = f
            .get_list("service:nameserver", "ns_records")
            .unwrap_or_else(|| vec![DEFAULT_NS_RECORD.to_owned()]);
        if ns_records.is_empty() {
            bail!("invalid value for option [service:nameserver] ns_records: at least one hostname is needed");
        }
        let default_pool_id = central.default_pool_id;
        let database_pool =
            designate_storage::PoolOptions::from_options(|k| f.get_str("storage:sqlalchemy", k));
        Ok(Self {
            state_path,
            database_url,
            database_pool,
            api_listen: listen(f, "service:api", DEFAULT_API_LISTEN)?,
            api_base_uri: f.get_str("service:api", "api_base_uri"),
            healthcheck_disable_file: Some(
                f.get_str("healthcheck", "disable_by_file_path")
                    .unwrap_or_else(|| designate_api::DEFAULT_HEALTHCHECK_DISABLE_FILE.to_owned())
                    .into(),
            ),
            default_limit: f.get("service:api", "default_limit_v2")?.unwrap_or(20),
            max_limit: f.get("service:api", "max_limit_v2")?.unwrap_or(1000),
            api_auth,
            max_body_bytes: f
                .get("oslo_middleware", "max_request_body_size")?
                .unwrap_or(designate_api::MAX_BODY_BYTES),
            api_policy,
            mdns_listen: listen(f, "service:mdns", DEFAULT_MDNS_LISTEN)?,
            nameserver_listen: listen(f, "service:nameserver", DEFAULT_NAMESERVER_LISTEN)?,
            ns_records,
            default_pool_id,
            central,
            worker,
            producer,
            bus,
            sink: crate::sink_role::from_file(f)?,
            sink_metrics_listen: f.get("service:sink", "metrics_listen")?,
            mdns: crate::mdns_options::from_file(
                f,
                listen(f, "service:mdns", DEFAULT_MDNS_LISTEN)?,
            )?,
        })
    }
}

/// The first address of a `listen` list option.
fn listen(f: &ConfFile, section: &str, default: &str) -> Result<SocketAddr> {
    let raw = f
        .get_list(section, "listen")
        .and_then(|l| l.into_iter().next())
        .unwrap_or_else(|| default.to_owned());
    raw.parse()
        .map_err(|e| anyhow!("invalid value {raw:?} for option [{section}] listen: {e}"))
}

/// `[service:api] auth_strategy` (ours defaults to `noauth` so `designate all` needs no Keystone)
/// and, for `keystone`, the `[keystone_authtoken]` options under keystonemiddleware's names.
fn api_auth(f: &ConfFile) -> Result<designate_api::AuthStrategy> {
    let strategy = f
        .get_str("service:api", "auth_strategy")
        .unwrap_or_else(|| "noauth".to_owned());
    match strategy.as_str() {
        "noauth" => Ok(designate_api::AuthStrategy::NoAuth),
        "keystone" => {
            let s = "keystone_authtoken";
            let defaults = designate_api::KeystoneConfig::default();
            let Some(auth_url) = f.get_str(s, "auth_url") else {
                // Without it every request would be refused; say so now rather than with 503s.
                bail!("option [{s}] auth_url is required with [service:api] auth_strategy = keystone");
            };
            // keystonemiddleware loads a keystoneauth plugin; we implement the password one.
            if let Some(kind) = f.get_str(s, "auth_type") {
                if kind != "password" {
                    bail!("invalid value {kind:?} for option [{s}] auth_type: only \"password\" is supported");
                }
            }
            let text = |option: &str, default: &str| {
                f.get_str(s, option).unwrap_or_else(|| default.to_owned())
            };
            let path = |option: &str| f.get_str(s, option).map(PathBuf::from);
            let tls = designate_api::KeystoneTls::load(
                path("cafile").as_deref(),
                f.get_bool(s, "insecure")?.unwrap_or(false),
                path("certfile").as_deref(),
                path("keyfile").as_deref(),
            )
            .map_err(|e| anyhow!("invalid value for option [{s}] {}: {e}", e.option()))?;
            let memcache_security = designate_api::MemcacheSecurity::from_options(
                f.get_str(s, "memcache_security_strategy").as_deref(),
                f.get_str(s, "memcache_secret_key").as_deref(),
            )?;
            Ok(designate_api::AuthStrategy::Keystone(Box::new(
                designate_api::KeystoneConfig {
                    www_authenticate_uri: f
                        .get_str(s, "www_authenticate_uri")
                        .or_else(|| f.get_str(s, "auth_uri")),
                    username: text("username", &defaults.username),
                    password: text("password", &defaults.password),
                    project_name: text("project_name", &defaults.project_name),
                    user_domain_name: text("user_domain_name", &defaults.user_domain_name),
                    project_domain_name: text("project_domain_name", &defaults.project_domain_name),
                    memcached_servers: f.get_list(s, "memcached_servers").unwrap_or_default(),
                    token_cache_time: f
                        .get_secs(s, "token_cache_time")?
                        .unwrap_or(defaults.token_cache_time),
                    memcache_security,
                    tls,
                    auth_url,
                },
            )))
        }
        other => bail!(
            "invalid value {other:?} for option [service:api] auth_strategy: expected \"keystone\" or \"noauth\""
        ),
    }
}

/// Upstream's defaults, overridden by `[oslo_policy] policy_file` and then by every file of the
/// `policy_dirs` directories, in oslo.policy's order; and `enforce_scope`. A file that cannot be
/// used stops the start with the parser's message.
///
/// As oslo.policy: the default `policy_file` (`policy.yaml`) and the `policy_dirs` (default
/// `policy.d`) are optional, an explicitly named `policy_file` must exist, and relative names are
/// looked up beside the config file, then in `/etc/designate`.
fn api_policy(f: &ConfFile) -> Result<designate_api::Policy> {
    let mut policy = designate_api::Policy::defaults();
    let named = f.get_str("oslo_policy", "policy_file");
    let file = named
        .clone()
        .unwrap_or_else(|| DEFAULT_POLICY_FILE.to_owned());
    match f.find_file(&file) {
        Some(path) => {
            policy = policy
                .with_file(&path)
                .map_err(|e| anyhow!("invalid [oslo_policy] policy_file: {e}"))?;
        }
        None if named.is_some() => {
            bail!("invalid [oslo_policy] policy_file: {file} not found (looked beside the config file and in /etc/designate)")
        }
        None => {}
    }
    let dirs = f
        .get_list("oslo_policy", "policy_dirs")
        .unwrap_or_else(|| vec![DEFAULT_POLICY_DIR.to_owned()]);
    for dir in dirs.iter().filter_map(|d| f.find_file(d)) {
        for path in policy_dir_files(&dir)
            .with_context(|| format!("cannot read [oslo_policy] policy_dirs {}", dir.display()))?
        {
            policy = policy
                .with_file(&path)
                .map_err(|e| anyhow!("invalid file in [oslo_policy] policy_dirs: {e}"))?;
        }
    }
    let enforce_scope = f.get_bool("oslo_policy", "enforce_scope")?.unwrap_or(true);
    Ok(policy.with_enforce_scope(enforce_scope))
}

/// oslo.policy's `policy_file` default.
const DEFAULT_POLICY_FILE: &str = "policy.yaml";
/// oslo.policy's `policy_dirs` default.
const DEFAULT_POLICY_DIR: &str = "policy.d";

/// The files of a `policy_dirs` directory in the order oslo.policy applies them (`os.walk`, top
/// down, each directory's files sorted by name); later files override earlier ones.
fn policy_dir_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    let (subdirs, mut files): (Vec<_>, Vec<_>) = entries.into_iter().partition(|p| p.is_dir());
    for sub in subdirs {
        files.extend(policy_dir_files(&sub)?);
    }
    Ok(files)
}

fn parse_or(f: &ConfFile, section: &str, option: &str, default: Uuid) -> Result<Uuid> {
    Ok(f.get(section, option)?.unwrap_or(default))
}

/// `[network_api:neutron]`: `endpoints` (`<region>|<url>`, comma separated; `http://` or
/// `https://`), `endpoint_type`, `timeout` (seconds), and the TLS options `insecure`,
/// `ca_certificates_file` and `client_certificate_file` (one PEM file with the certificate and
/// its key, as `requests`' `cert=<file>`). The files are read and checked here, so a missing or
/// broken one stops the start naming its option.
fn neutron_config(f: &ConfFile) -> Result<designate_central::NeutronConfig> {
    let section = "network_api:neutron";
    let mut neutron = designate_central::NeutronConfig::default();
    for entry in f.get_list(section, "endpoints").unwrap_or_default() {
        let Some((region, url)) = entry.split_once('|') else {
            bail!("[{section}] endpoints: {entry:?} is not <region>|<url>");
        };
        if !url.starts_with("http://") && !url.starts_with("https://") {
            bail!("[{section}] endpoints: {url:?} is not an http:// or https:// URL");
        }
        neutron.endpoints.push((region.to_owned(), url.to_owned()));
    }
    let insecure = f.get_bool(section, "insecure")?.unwrap_or(false);
    let path = |option: &str| f.get_str(section, option).map(PathBuf::from);
    // Upstream's get_client: `verify = False` when insecure, else the CA file; so with
    // `insecure` the CA file is never opened.
    let ca_file = path("ca_certificates_file").filter(|_| !insecure);
    neutron.tls = designate_tls::ClientTls::load(
        designate_tls::OptionNames::NEUTRON,
        ca_file.as_deref(),
        insecure,
        path("client_certificate_file").as_deref(),
        None,
    )
    .map_err(|e| anyhow!("invalid value for option [{section}] {}: {e}", e.option()))?;
    if let Some(endpoint_type) = f.get_str(section, "endpoint_type") {
        neutron.endpoint_type = endpoint_type;
    }
    if let Some(seconds) = f.get::<u64>(section, "timeout")? {
        neutron.timeout = std::time::Duration::from_secs(seconds);
    }
    Ok(neutron)
}

#[cfg(test)]
mod tests {
    use super::*;
    use designate_core::objects::DEFAULT_POOL_ID;

    #[test]
    fn defaults_without_a_file() {
        let c = Config::from_file(&ConfFile::empty()).unwrap();
        assert_eq!(c.api_listen.to_string(), DEFAULT_API_LISTEN);
        assert_eq!(c.mdns_listen.to_string(), DEFAULT_MDNS_LISTEN);
        assert_eq!(c.nameserver_listen.to_string(), DEFAULT_NAMESERVER_LISTEN);
        assert_eq!(c.default_pool_id.to_string(), DEFAULT_POOL_ID);
        assert!(
            c.database_url.ends_with("designate-state/designate.sqlite"),
            "{}",
            c.database_url
        );
        assert_eq!(c.ns_records, vec![DEFAULT_NS_RECORD]);
    }

    #[test]
    fn upstream_names_are_read() {
        let f = ConfFile::parse(
            "[DEFAULT]\nstate_path = /tmp/x\n[service:api]\nlisten = 127.0.0.1:19001, 127.0.0.2:9001\n\
             [service:worker]\nthreshold-percentage = 50\npoll_delay = 0.5\n",
        )
        .unwrap();
        let c = Config::from_file(&f).unwrap();
        assert_eq!(c.api_listen.port(), 19001);
        assert_eq!(c.worker.threshold_percentage, 50);
        assert_eq!(c.worker.poll_delay.as_millis(), 500);
        assert_eq!(c.database_url, "sqlite:////tmp/x/designate.sqlite");
    }

    #[test]
    fn quota_defaults_are_read() {
        let f =
            ConfFile::parse("[DEFAULT]\nquota_zones = 3\nquota_recordset_records = -1\n").unwrap();
        let c = Config::from_file(&f).unwrap();
        assert_eq!(c.central.quotas["zones"], 3);
        assert_eq!(c.central.quotas["recordset_records"], -1);
        assert_eq!(c.central.quotas["zone_records"], 500);
        assert!(f.unread().is_empty(), "{:?}", f.unread());
    }

    #[test]
    fn keystone_auth_and_policy_file() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.yaml");
        std::fs::write(&policy, "create_zone: rule:admin\n").unwrap();
        let text = format!(
            "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\nauth_type = password\n\
             auth_url = http://k:5000/v3\nusername = dns\npassword = pw\nproject_name = svc\n\
             memcached_servers = m1:11211, m2:11211\ntoken_cache_time = 30\n\
             [oslo_policy]\npolicy_file = {}\n",
            policy.display()
        );
        let c = Config::from_file(&ConfFile::parse(&text).unwrap()).unwrap();
        let designate_api::AuthStrategy::Keystone(k) = &c.api_auth else {
            panic!("keystone expected");
        };
        assert_eq!(
            (
                k.auth_url.as_str(),
                k.username.as_str(),
                k.password.as_str()
            ),
            ("http://k:5000/v3", "dns", "pw")
        );
        assert_eq!(k.project_name, "svc");
        assert_eq!(k.user_domain_name, "Default");
        assert_eq!(k.memcached_servers, vec!["m1:11211", "m2:11211"]);
        assert_eq!(k.token_cache_time.as_secs(), 30);
        assert_eq!(c.api_policy.rule("create_zone"), Some("rule:admin"));
        assert_eq!(k.memcache_security, designate_api::MemcacheSecurity::None);
        assert!(!k.tls.insecure());
        let c = Config::from_file(&ConfFile::empty()).unwrap();
        assert_eq!(c.api_auth, designate_api::AuthStrategy::NoAuth);
    }

    /// oslo.policy's order: defaults, then `policy_file`, then each `policy_dirs` file by name
    /// (subdirectories after their parent's files), each overriding the ones before; relative
    /// names are found beside the config file; a missing default file or directory is no error.
    #[test]
    fn policy_file_then_policy_dirs_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let conf_path = dir.path().join("designate.conf");
        std::fs::write(
            dir.path().join("policy.yaml"),
            "create_zone: rule:admin\nget_zone: rule:admin\n",
        )
        .unwrap();
        let d = dir.path().join("policy.d");
        std::fs::create_dir_all(d.join("later")).unwrap();
        std::fs::write(d.join("10-zones.yaml"), "get_zone: role:reader\n").unwrap();
        std::fs::write(d.join("20-zones.json"), r#"{"get_zone": "role:member"}"#).unwrap();
        std::fs::write(d.join("later/00.yaml"), "delete_zone: '!'\n").unwrap();
        let c = Config::from_file(&ConfFile::parse_at("", &conf_path).unwrap()).unwrap();
        assert_eq!(c.api_policy.rule("create_zone"), Some("rule:admin"));
        assert_eq!(c.api_policy.rule("get_zone"), Some("role:member"));
        assert_eq!(c.api_policy.rule("delete_zone"), Some("!"));

        // Named directories replace the default one; missing ones are skipped.
        std::fs::create_dir(dir.path().join("extra")).unwrap();
        std::fs::write(dir.path().join("extra/x.yaml"), "get_zone: role:admin\n").unwrap();
        let text = "[oslo_policy]\npolicy_dirs = missing.d, extra\n";
        let c = Config::from_file(&ConfFile::parse_at(text, &conf_path).unwrap()).unwrap();
        assert_eq!(c.api_policy.rule("get_zone"), Some("role:admin"));
        assert_ne!(c.api_policy.rule("delete_zone"), Some("!"));

        // A bad file in a directory stops the start, naming the file.
        std::fs::write(d.join("30-bad.yaml"), "get_zone: rule:no_such_rule\n").unwrap();
        let Err(e) = Config::from_file(&ConfFile::parse_at("", &conf_path).unwrap()) else {
            panic!("a bad policy_dirs file was accepted");
        };
        let e = format!("{e:#}");
        assert!(
            e.contains("policy_dirs") && e.contains("30-bad.yaml"),
            "{e}"
        );

        // Without files, the defaults.
        let empty = tempfile::tempdir().unwrap();
        let c = Config::from_file(
            &ConfFile::parse_at("", &empty.path().join("designate.conf")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            c.api_policy.rule("create_zone"),
            designate_api::Policy::defaults().rule("create_zone")
        );
    }

    #[test]
    fn network_api_neutron_options() {
        let c = Config::from_file(&ConfFile::parse("").unwrap()).unwrap();
        assert_eq!(
            c.central.neutron,
            designate_central::NeutronConfig::default()
        );
        let c = Config::from_file(
            &ConfFile::parse(
                "[network_api:neutron]\nendpoints = RegionOne|http://n1:9696, RegionTwo|http://n2:9696/v2.0\n\
                 endpoint_type = internalURL\ntimeout = 5\n\
                 [service:central]\nmanaged_resource_tenant_id = managed\n",
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            c.central.neutron.endpoints,
            [
                ("RegionOne".to_owned(), "http://n1:9696".to_owned()),
                ("RegionTwo".to_owned(), "http://n2:9696/v2.0".to_owned())
            ]
        );
        assert_eq!(c.central.neutron.endpoint_type, "internalURL");
        assert_eq!(c.central.neutron.timeout, std::time::Duration::from_secs(5));
        assert_eq!(c.central.managed_resource_tenant_id, "managed");
        for bad in [
            "endpoints = http://n1",
            "endpoints = r|ftp://n1",
            "timeout = soon",
            "insecure = maybe",
        ] {
            let text = format!("[network_api:neutron]\n{bad}\n");
            let e = Config::from_file(&ConfFile::parse(&text).unwrap()).unwrap_err();
            assert!(e.to_string().contains("network_api:neutron"), "{bad}: {e}");
        }
    }

    #[test]
    fn network_api_neutron_tls_options() {
        use designate_tls::{ClientTls, OptionNames};
        let pki = designate_tls::testing::TestPki::generate();
        let load = |extra: &str| {
            Config::from_file(
                &ConfFile::parse(&format!(
                    "[network_api:neutron]\nendpoints = RegionOne|https://n1:9696\n{extra}"
                ))
                .unwrap(),
            )
            .map(|c| c.central.neutron)
        };
        let plain = load("").unwrap();
        assert_eq!(
            plain.endpoints,
            [("RegionOne".to_owned(), "https://n1:9696".to_owned())]
        );
        // Without options: the system's CAs, verified, no client certificate.
        assert_eq!(plain.tls, ClientTls::default());

        let combined = pki.client_combined();
        let n = load(&format!(
            "ca_certificates_file = {}\nclient_certificate_file = {}\n",
            pki.ca.display(),
            combined.display()
        ))
        .unwrap();
        let expected = ClientTls::load(
            OptionNames::NEUTRON,
            Some(&pki.ca),
            false,
            Some(&combined),
            None,
        )
        .unwrap();
        assert_eq!(n.tls, expected);
        assert!(n.tls.has_client_certificate() && !n.tls.insecure());

        let n = load("insecure = true\n").unwrap();
        assert!(n.tls.insecure() && !n.tls.has_client_certificate());
        // As upstream's get_client: with insecure the CA file is not used, so not even read.
        let missing = pki.dir().join("missing.pem");
        let n = load(&format!(
            "insecure = true\nca_certificates_file = {}\n",
            missing.display()
        ))
        .unwrap();
        assert_eq!(
            n.tls,
            ClientTls::load(OptionNames::NEUTRON, None, true, None, None).unwrap()
        );

        // Missing and non-PEM files stop the start, naming the option.
        let junk = pki.dir().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        for (option, file, why) in [
            ("ca_certificates_file", &missing, "cannot read"),
            ("ca_certificates_file", &junk, "no PEM certificate"),
            ("client_certificate_file", &missing, "cannot read"),
            ("client_certificate_file", &junk, "no PEM certificate"),
            // The certificate without its key: the one file must hold both.
            (
                "client_certificate_file",
                &pki.client_cert,
                "no PEM private key",
            ),
        ] {
            let err = load(&format!("{option} = {}\n", file.display()))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("[network_api:neutron] {option}")) && err.contains(why),
                "{option} = {}: {err}",
                file.display()
            );
        }
    }

    #[test]
    fn keystone_tls_files_and_memcache_security() {
        let dir = tempfile::tempdir().unwrap();
        let base = "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\n\
                    auth_url = https://k:5000/v3\n";
        let load =
            |extra: &str| Config::from_file(&ConfFile::parse(&format!("{base}{extra}")).unwrap());
        let keystone = |c: Config| match c.api_auth {
            designate_api::AuthStrategy::Keystone(k) => k,
            designate_api::AuthStrategy::NoAuth => panic!("keystone expected"),
        };
        let k = keystone(
            load(
                "insecure = true\nmemcache_security_strategy = encrypt\nmemcache_secret_key = s3\n",
            )
            .unwrap(),
        );
        assert!(k.tls.insecure());
        assert_eq!(
            k.memcache_security,
            designate_api::MemcacheSecurity::Encrypt("s3".into())
        );
        // A file that is not a certificate bundle, an empty one, a key without its certificate.
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let err = load(&format!("cafile = {}\n", junk.display()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[keystone_authtoken] cafile") && err.contains("junk.pem"),
            "{err}"
        );
        let err = load(&format!("keyfile = {}\n", junk.display()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[keystone_authtoken] keyfile"), "{err}");
        let err = load(&format!("certfile = {}\n", junk.display()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[keystone_authtoken] certfile"), "{err}");
    }

    #[test]
    fn scheduler_filters_are_read_in_order() {
        use designate_central::scheduler::{SchedulerFilter, DEFAULT_FILTERS};
        let c = Config::from_file(&ConfFile::empty()).unwrap();
        assert_eq!(c.central.scheduler_filters, DEFAULT_FILTERS);
        let f =
            ConfFile::parse("[service:central]\nscheduler_filters = pool_id_attribute, fallback\n")
                .unwrap();
        let c = Config::from_file(&f).unwrap();
        assert_eq!(
            c.central.scheduler_filters,
            [SchedulerFilter::PoolIdAttribute, SchedulerFilter::Fallback]
        );
    }

    #[test]
    fn bad_values_name_the_option() {
        for (text, needle) in [
            ("[service:api]\nlisten = nowhere\n", "[service:api] listen"),
            (
                "[service:worker]\nthreshold_percentage = 150\n",
                "[service:worker] threshold_percentage",
            ),
            (
                "[service:central]\ndefault_pool_id = nope\n",
                "[service:central] default_pool_id",
            ),
            (
                "[service:central]\nscheduler_filters = attribute, bogus\n",
                "[service:central] scheduler_filters",
            ),
            (
                "[service:central]\nscheduler_filters = ,\n",
                "[service:central] scheduler_filters",
            ),
            (
                "[service:api]\nauth_strategy = bogus\n",
                "[service:api] auth_strategy",
            ),
            (
                "[service:api]\nauth_strategy = keystone\n",
                "[keystone_authtoken] auth_url",
            ),
            (
                "[oslo_policy]\npolicy_file = /nonexistent/policy.yaml\n",
                "[oslo_policy] policy_file",
            ),
            (
                "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\n\
                 auth_url = https://k:5000/v3\ncafile = /nonexistent/ca.pem\n",
                "[keystone_authtoken] cafile",
            ),
            (
                "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\n\
                 auth_url = https://k:5000/v3\ncertfile = /nonexistent/client.pem\n",
                "[keystone_authtoken] certfile",
            ),
            (
                "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\n\
                 auth_url = https://k:5000/v3\ninsecure = maybe\n",
                "[keystone_authtoken] insecure",
            ),
            (
                "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\n\
                 auth_url = http://k:5000/v3\nmemcache_security_strategy = MAC\n",
                "[keystone_authtoken] memcache_secret_key",
            ),
            (
                "[service:api]\nauth_strategy = keystone\n[keystone_authtoken]\n\
                 auth_url = http://k:5000/v3\nmemcache_security_strategy = sign\n\
                 memcache_secret_key = s\n",
                "[keystone_authtoken] memcache_security_strategy",
            ),
        ] {
            let err = Config::from_file(&ConfFile::parse(text).unwrap())
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
