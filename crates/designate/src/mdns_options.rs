//! `[service:mdns]` → [`MdnsConfig`]: upstream's options (`listen`, `max_message_size`,
//! `query_enforce_tsig`) and
//! ours (`query_acl`, `acl_refresh`, `client_rate_limit`, `client_rate_burst`), each
//! documented in `docs/MDNS.md`.

use anyhow::{anyhow, Result};
use designate_mdns::{AclEntry, MdnsConfig};

use crate::conf_file::ConfFile;

const SECTION: &str = "service:mdns";

/// The MiniDNS options of `f`, listening on `listen` (read by the caller with the other roles'
/// `listen` options).
pub(crate) fn from_file(f: &ConfFile, listen: std::net::SocketAddr) -> Result<MdnsConfig> {
    let defaults = MdnsConfig::default();
    let query_acl = match f.get_list(SECTION, "query_acl") {
        Some(entries) => entries
            .iter()
            .map(|e| {
                e.parse::<AclEntry>().map_err(|error| {
                    anyhow!("invalid value for option [{SECTION}] query_acl: {error}")
                })
            })
            .collect::<Result<Vec<_>>>()?,
        None => defaults.query_acl.clone(),
    };
    Ok(MdnsConfig {
        listen,
        max_message_size: f
            .get(SECTION, "max_message_size")?
            .unwrap_or(defaults.max_message_size),
        query_acl,
        acl_refresh: f
            .get_secs(SECTION, "acl_refresh")?
            .unwrap_or(defaults.acl_refresh),
        client_rate_limit: f
            .get(SECTION, "client_rate_limit")?
            .unwrap_or(defaults.client_rate_limit),
        client_rate_burst: f
            .get(SECTION, "client_rate_burst")?
            .unwrap_or(defaults.client_rate_burst),
        query_enforce_tsig: f
            .get_bool(SECTION, "query_enforce_tsig")?
            .unwrap_or(defaults.query_enforce_tsig),
        ..defaults
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<MdnsConfig> {
        from_file(&ConfFile::parse(text)?, "127.0.0.1:5354".parse()?)
    }

    #[test]
    fn defaults_and_values() {
        let d = read("").unwrap();
        assert_eq!(d.query_acl, vec![AclEntry::Pools]);
        assert_eq!(
            d.client_rate_limit,
            designate_mdns::config::DEFAULT_CLIENT_RATE_LIMIT
        );
        let c = read(
            "[service:mdns]\nquery_acl = pools, 192.0.2.0/24\nacl_refresh = 1.5\n\
             client_rate_limit = 0\nclient_rate_burst = 7\nmax_message_size = 4096\n\
             query_enforce_tsig = true\n",
        )
        .unwrap();
        assert_eq!(c.query_acl.len(), 2);
        assert_eq!(c.acl_refresh, std::time::Duration::from_millis(1500));
        assert_eq!((c.client_rate_limit, c.client_rate_burst), (0, 7));
        assert_eq!(c.max_message_size, 4096);
        assert!(c.query_enforce_tsig && !d.query_enforce_tsig);
        let err = read("[service:mdns]\nquery_acl = pools, nowhere\n").unwrap_err();
        assert!(
            err.to_string().contains("[service:mdns] query_acl"),
            "{err}"
        );
    }
}
