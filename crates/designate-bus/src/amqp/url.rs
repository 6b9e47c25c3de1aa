//! Parsing of upstream's `[DEFAULT] transport_url`
//! (`rabbit://user:pw@h1:5672,user:pw@h2:5672/vhost?options`): every cluster member, each turned
//! into an AMQP URI lapin connects to.

use lapin::uri::{AMQPAuthority, AMQPQueryString, AMQPScheme, AMQPUri, AMQPUserInfo};

use super::BusError;

/// The default AMQP port.
const DEFAULT_PORT: u16 = 5672;

/// The largest AMQP frame we ask for (the broker may lower it). lapin keeps a receive and a
/// send buffer of 32 frames per connection, zero-filled, so RabbitMQ's default of 128 KiB
/// costs 8 MiB of resident memory per connection — most of an idle role process. With 16 KiB
/// frames it is 1 MiB; our messages (a cast, a call, most answers) fit in one frame, and a
/// larger body is split into frames by lapin and joined by the receiver.
pub const FRAME_MAX: u32 = 16 * 1024;

/// One broker of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// User name (percent-decoded).
    pub username: String,
    /// Password (percent-decoded).
    pub password: String,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port.
    pub port: u16,
}

/// A parsed `transport_url`: the members to try in order and the virtual host they share.
#[derive(Clone, PartialEq, Eq)]
pub struct TransportUrl {
    /// Every member, in the order given.
    pub members: Vec<Member>,
    /// The virtual host (`/` when the URL names none).
    pub vhost: String,
    /// `amqps` when the scheme asks for TLS (`rabbit+ssl`/`amqps`).
    pub tls: bool,
}

impl std::fmt::Debug for TransportUrl {
    // Passwords stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl TransportUrl {
    /// Parses `url`.
    ///
    /// # Errors
    /// [`BusError::Config`] for an unknown scheme, an empty host list, a bad port or bad
    /// percent-encoding.
    pub fn parse(url: &str) -> Result<Self, BusError> {
        let bad = |why: &str| BusError::Config(format!("invalid transport_url: {why}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected <scheme>://"))?;
        let tls = match scheme {
            "rabbit" | "amqp" | "kombu+amqp" => false,
            "amqps" | "rabbit+ssl" => true,
            other => {
                return Err(bad(&format!(
                    "unsupported scheme {other:?} (use rabbit://)"
                )))
            }
        };
        // The query holds oslo.messaging options we do not need here.
        let rest = rest.split_once('?').map_or(rest, |(head, _)| head);
        // The host list ends at the first '/' after the last '@' of the list (a password may
        // contain a percent-encoded '/', never a raw one, as upstream requires).
        let (hosts, vhost) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let vhost = decode(vhost).map_err(|e| bad(&e))?;
        let vhost = if vhost.is_empty() {
            "/".to_owned()
        } else {
            vhost
        };
        let mut members = Vec::new();
        for raw in hosts.split(',').filter(|m| !m.is_empty()) {
            members.push(parse_member(raw).map_err(|e| bad(&e))?);
        }
        if members.is_empty() {
            return Err(bad("no host given"));
        }
        Ok(Self {
            members,
            vhost,
            tls,
        })
    }

    /// The URL with passwords replaced by `***`, for logs and errors.
    pub fn redacted(&self) -> String {
        let hosts: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("{}:***@{}", m.username, m.endpoint()))
            .collect();
        format!("rabbit://{}/{}", hosts.join(","), self.vhost)
    }

    /// The lapin URI of member `index` with the given heartbeat (seconds, 0 = off), asking
    /// for frames of at most [`FRAME_MAX`].
    pub(crate) fn uri(&self, index: usize, heartbeat: u16, connect_timeout_ms: u64) -> AMQPUri {
        let m = &self.members[index % self.members.len()];
        AMQPUri {
            scheme: if self.tls {
                AMQPScheme::AMQPS
            } else {
                AMQPScheme::AMQP
            },
            authority: AMQPAuthority {
                userinfo: AMQPUserInfo {
                    username: m.username.clone(),
                    password: m.password.clone(),
                },
                host: m.host.clone(),
                port: m.port,
            },
            vhost: self.vhost.clone(),
            query: AMQPQueryString {
                frame_max: Some(FRAME_MAX),
                heartbeat: Some(heartbeat),
                connection_timeout: Some(connect_timeout_ms),
                ..AMQPQueryString::default()
            },
        }
    }
}

impl Member {
    /// `host:port` (IPv6 hosts bracketed).
    pub fn endpoint(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn parse_member(raw: &str) -> Result<Member, String> {
    let (userinfo, hostport) = match raw.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, raw),
    };
    let (username, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, pw)) => (decode(user)?, decode(pw)?),
            None => (decode(u)?, String::new()),
        },
        // oslo.messaging falls back to the broker's default account.
        None => ("guest".to_owned(), "guest".to_owned()),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("unclosed '[' in {hostport:?}"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => DEFAULT_PORT,
            None => return Err(format!("unexpected {after:?} after IPv6 address")),
        };
        (host.to_owned(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), parse_port(p)?),
            None => (hostport.to_owned(), DEFAULT_PORT),
        }
    };
    if host.is_empty() {
        return Err(format!("empty host in {raw:?}"));
    }
    Ok(Member {
        username,
        password,
        host,
        port,
    })
}

fn parse_port(p: &str) -> Result<u16, String> {
    p.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("bad port {p:?}"))
}

/// Percent-decoding (RFC 3986); `+` stays a plus.
fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent-encoding in {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("percent-encoding in {s:?} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_member_and_the_vhost() {
        let url =
            TransportUrl::parse("rabbit://u1:p%40ss@h1:5673,u2:pw@h2,[::1]:5674/my%2Fvhost?x=1")
                .unwrap();
        assert_eq!(url.members.len(), 3);
        assert_eq!(url.members[0].username, "u1");
        assert_eq!(url.members[0].password, "p@ss");
        assert_eq!(url.members[0].endpoint(), "h1:5673");
        assert_eq!(url.members[1].port, 5672);
        assert_eq!(url.members[2].host, "::1");
        assert_eq!(url.members[2].endpoint(), "[::1]:5674");
        assert_eq!(url.vhost, "my/vhost");
        assert!(!url.tls);
        assert!(!format!("{url:?}").contains("p@ss"));
    }

    #[test]
    fn default_vhost_and_credentials() {
        let url = TransportUrl::parse("rabbit://localhost").unwrap();
        assert_eq!(url.vhost, "/");
        assert_eq!(url.members[0].username, "guest");
        let url = TransportUrl::parse("rabbit://guest:guest@127.0.0.1:5672/").unwrap();
        assert_eq!(url.vhost, "/");
        let uri = url.uri(1, 30, 1000);
        assert_eq!(uri.authority.port, 5672);
        assert_eq!(uri.query.heartbeat, Some(30));
        assert_eq!(uri.query.frame_max, Some(FRAME_MAX));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "http://h",
            "rabbit://",
            "rabbit://h:port",
            "rabbit://h:0",
            "rabbit://u:%zz@h",
            "rabbit://[::1",
        ] {
            assert!(TransportUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
