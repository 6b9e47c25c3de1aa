//! The external masters of a SECONDARY zone (upstream table `zone_masters`, object `ZoneMaster`).

use serde::{Deserialize, Serialize};

use crate::DesignateError;

/// Upstream's `zone_masters.host` column is `VARCHAR(32)`.
pub const ZONE_MASTER_HOST_MAX: usize = 32;

/// Upstream's default port of a master written without one.
pub const DEFAULT_MASTER_PORT: u16 = 53;

/// One master a SECONDARY zone is transferred from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZoneMaster {
    /// Address or host name.
    pub host: String,
    /// DNS port.
    pub port: u16,
}

impl ZoneMaster {
    /// Reads the API form as upstream's `split_host_port` does: `host:port` splits at the
    /// first `:` when what follows is a number, anything else is a host on port 53 (so an
    /// IPv6 address without brackets is a host). The port must lie in 1..=65535 and the host
    /// fit upstream's column.
    ///
    /// # Errors
    /// `invalid_object` naming `masters`.
    pub fn parse(value: &str) -> Result<Self, DesignateError> {
        let (host, port) = match value.split_once(':') {
            Some((host, port)) => match port.parse::<i64>() {
                Ok(port) => (host, port),
                Err(_) => (value, i64::from(DEFAULT_MASTER_PORT)),
            },
            None => (value, i64::from(DEFAULT_MASTER_PORT)),
        };
        let port = u16::try_from(port)
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| {
                DesignateError::invalid_object(
                    &["masters"],
                    "minimum",
                    format!("{port} is not a valid port"),
                )
            })?;
        if host.is_empty() || host.chars().count() > ZONE_MASTER_HOST_MAX {
            return Err(DesignateError::invalid_object(
                &["masters"],
                "maxLength",
                format!("'{host}' is not a valid master host"),
            ));
        }
        Ok(Self {
            host: host.to_owned(),
            port,
        })
    }

    /// The API form, as upstream renders it: the host alone on port 53, else `host:port`.
    pub fn render(&self) -> String {
        if self.port == DEFAULT_MASTER_PORT {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Whether `ip` (a sender's address as text) is this master's host.
    pub fn is_host(&self, ip: &str) -> bool {
        self.host.eq_ignore_ascii_case(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_upstream_splits() {
        let m = ZoneMaster::parse("192.0.2.1:5300").unwrap();
        assert_eq!((m.host.as_str(), m.port), ("192.0.2.1", 5300));
        assert_eq!(m.render(), "192.0.2.1:5300");
        let m = ZoneMaster::parse("192.0.2.1").unwrap();
        assert_eq!((m.host.as_str(), m.port), ("192.0.2.1", 53));
        assert_eq!(m.render(), "192.0.2.1");
        // No number after the first colon: the whole value is the host.
        let m = ZoneMaster::parse("2001:db8::1").unwrap();
        assert_eq!((m.host.as_str(), m.port), ("2001:db8::1", 53));
        assert_eq!(
            ZoneMaster::parse("192.0.2.1:53").unwrap().render(),
            "192.0.2.1"
        );
    }

    #[test]
    fn refuses_bad_ports_and_hosts() {
        for bad in ["192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:-1", "", ":53"] {
            let e = ZoneMaster::parse(bad).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::InvalidObject, "{bad}");
        }
        assert!(ZoneMaster::parse(&"h".repeat(33)).is_err());
        assert!(ZoneMaster::parse(&"h".repeat(32)).is_ok());
    }
}
