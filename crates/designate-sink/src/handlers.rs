//! The notification handlers (upstream's `nova_fixed` and `neutron_floatingip`): which
//! exchange/topics each listens on, which event types it takes, and what a notification means
//! for DNS — a [`Plan`] of managed-record writes, computed without I/O.
//!
//! Upstream's behaviour kept: a handler without `zone_id` ignores its events; names come from
//! `formatv4` / `formatv6` (default `%(hostname)s.%(zone)s`) with the payload's scalar fields,
//! `zone`, `project` (the context's project name) and the per-address fields; deletes remove
//! exactly the records whose `managed_*` columns name this handler and the resource.

use designate_bus::{ManagedOwner, ManagedRecords};
use serde_json::Value;
use uuid::Uuid;

use crate::envelope::Notification;
use crate::format::{address_fields, payload_fields, render, Fields, FormatError};

/// Upstream's default name format for both address families.
pub const DEFAULT_FORMAT: &str = "%(hostname)s.%(zone)s";

/// The plugin type upstream stamps on sink records.
const PLUGIN_TYPE: &str = "handler";

/// Which handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerKind {
    /// `nova_fixed`: compute instances' fixed IPs.
    NovaFixed,
    /// `neutron_floatingip`: floating IPs.
    NeutronFloatingIp,
}

impl HandlerKind {
    /// The name in `enabled_notification_handlers` and `[handler:<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            Self::NovaFixed => "nova_fixed",
            Self::NeutronFloatingIp => "neutron_floatingip",
        }
    }

    /// The handler called `name`, if we have it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "nova_fixed" => Some(Self::NovaFixed),
            "neutron_floatingip" => Some(Self::NeutronFloatingIp),
            _ => None,
        }
    }

    /// Upstream's default `control_exchange` of the handler.
    pub fn default_exchange(self) -> &'static str {
        match self {
            Self::NovaFixed => "nova",
            Self::NeutronFloatingIp => "neutron",
        }
    }

    /// The event types the handler takes.
    pub fn event_types(self) -> &'static [&'static str] {
        match self {
            Self::NovaFixed => &[
                "compute.instance.create.end",
                "compute.instance.delete.start",
            ],
            Self::NeutronFloatingIp => &["floatingip.update.end", "floatingip.delete.start"],
        }
    }
}

/// `[handler:<name>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerConfig {
    /// Which handler.
    pub kind: HandlerKind,
    /// `zone_id`: where the records go; `None` makes the handler ignore its events (upstream).
    pub zone_id: Option<Uuid>,
    /// `notification_topics` (default `notifications`).
    pub notification_topics: Vec<String>,
    /// `control_exchange` (default `nova` / `neutron`).
    pub control_exchange: String,
    /// `formatv4` (default [`DEFAULT_FORMAT`]; the deprecated `format` when only it is set).
    pub formatv4: Vec<String>,
    /// `formatv6` (default [`DEFAULT_FORMAT`]).
    pub formatv6: Vec<String>,
}

impl HandlerConfig {
    /// Upstream's defaults for `kind`.
    pub fn new(kind: HandlerKind) -> Self {
        Self {
            kind,
            zone_id: None,
            notification_topics: vec!["notifications".to_owned()],
            control_exchange: kind.default_exchange().to_owned(),
            formatv4: vec![DEFAULT_FORMAT.to_owned()],
            formatv6: vec![DEFAULT_FORMAT.to_owned()],
        }
    }
}

/// What one notification asks of central.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Add managed records to `zone_id`.
    Create(Uuid, ManagedRecords),
    /// Remove every record of `owner` from `zone_id`.
    Delete(Uuid, ManagedOwner),
}

/// The steps of one notification, in order (empty: nothing to do).
pub type Plan = Vec<Step>;

/// Why a notification cannot be handled (logged, acked and counted as bad).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandlerError {
    /// A payload field the event needs is absent or of the wrong type.
    #[error("payload field {0:?} missing or invalid")]
    Missing(&'static str),
    /// A name format could not be rendered.
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// One address to publish.
struct Address {
    ip: String,
    version: u8,
    /// Extra per-address fields (nova's `label`).
    extra: Fields,
}

fn owner(kind: HandlerKind, resource_type: &str, id: Uuid) -> ManagedOwner {
    ManagedOwner {
        plugin_name: kind.name().to_owned(),
        plugin_type: PLUGIN_TYPE.to_owned(),
        resource_type: resource_type.to_owned(),
        resource_id: id,
    }
}

fn uuid_field(obj: &Value, field: &'static str) -> Result<Uuid, HandlerError> {
    obj.get(field)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or(HandlerError::Missing(field))
}

/// The plan of `n` for handler `config` in `zone_name` (the zone of `config.zone_id`).
///
/// # Errors
/// [`HandlerError`] when the payload lacks what the event needs or a name cannot be rendered.
pub fn plan(
    config: &HandlerConfig,
    zone_name: &str,
    n: &Notification,
) -> Result<Plan, HandlerError> {
    let Some(zone_id) = config.zone_id else {
        return Ok(Vec::new());
    };
    let p = &n.payload;
    match (config.kind, n.event_type.as_str()) {
        (HandlerKind::NovaFixed, "compute.instance.create.end") => {
            let id = uuid_field(p, "instance_id")?;
            let ips = p
                .get("fixed_ips")
                .and_then(Value::as_array)
                .ok_or(HandlerError::Missing("fixed_ips"))?;
            let mut addresses = Vec::with_capacity(ips.len());
            for ip in ips {
                let address = ip
                    .get("address")
                    .and_then(Value::as_str)
                    .ok_or(HandlerError::Missing("fixed_ips.address"))?;
                let version = ip
                    .get("version")
                    .and_then(Value::as_u64)
                    .filter(|v| *v == 4 || *v == 6)
                    .ok_or(HandlerError::Missing("fixed_ips.version"))?;
                let mut extra = Fields::new();
                if let Some(label) = ip.get("label").and_then(Value::as_str) {
                    extra.insert("label".to_owned(), label.to_owned());
                }
                addresses.push(Address {
                    ip: address.to_owned(),
                    version: version as u8,
                    extra,
                });
            }
            let owner = owner(config.kind, "instance", id);
            creates(config, zone_id, zone_name, n, p, &addresses, &owner)
        }
        (HandlerKind::NovaFixed, "compute.instance.delete.start") => {
            let id = uuid_field(p, "instance_id")?;
            Ok(vec![Step::Delete(
                zone_id,
                owner(config.kind, "instance", id),
            )])
        }
        (HandlerKind::NeutronFloatingIp, "floatingip.delete.start") => {
            let id = uuid_field(p, "floatingip_id")?;
            Ok(vec![Step::Delete(
                zone_id,
                owner(config.kind, "floatingip", id),
            )])
        }
        (HandlerKind::NeutronFloatingIp, "floatingip.update.end") => {
            let fip = p
                .get("floatingip")
                .filter(|f| f.is_object())
                .ok_or(HandlerError::Missing("floatingip"))?;
            let id = uuid_field(fip, "id")?;
            let owner = owner(config.kind, "floatingip", id);
            let associated = fip
                .get("fixed_ip_address")
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()));
            if !associated {
                // Disassociated: the records of this floating IP go.
                return Ok(vec![Step::Delete(zone_id, owner)]);
            }
            let address = fip
                .get("floating_ip_address")
                .and_then(Value::as_str)
                .ok_or(HandlerError::Missing("floatingip.floating_ip_address"))?;
            // Upstream always publishes a floating IP as IPv4 (an A record).
            let addresses = [Address {
                ip: address.to_owned(),
                version: 4,
                extra: Fields::new(),
            }];
            creates(config, zone_id, zone_name, n, fip, &addresses, &owner)
        }
        _ => Ok(Vec::new()),
    }
}

/// One create step per address and format.
fn creates(
    config: &HandlerConfig,
    zone_id: Uuid,
    zone_name: &str,
    n: &Notification,
    extra: &Value,
    addresses: &[Address],
    owner: &ManagedOwner,
) -> Result<Plan, HandlerError> {
    let mut base = payload_fields(extra);
    base.insert("zone".to_owned(), zone_name.to_owned());
    base.insert(
        "project".to_owned(),
        n.project_name.clone().unwrap_or_else(|| "None".to_owned()),
    );
    let mut steps = Vec::new();
    for address in addresses {
        let mut fields = base.clone();
        fields.extend(address_fields(&address.ip, address.version));
        fields.extend(address.extra.clone());
        let (formats, rtype) = if address.version == 4 {
            (&config.formatv4, "A")
        } else {
            (&config.formatv6, "AAAA")
        };
        for format in formats {
            steps.push(Step::Create(
                zone_id,
                ManagedRecords {
                    name: render(format, &fields)?,
                    rtype: rtype.to_owned(),
                    data: vec![address.ip.clone()],
                    owner: owner.clone(),
                },
            ));
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nova() -> HandlerConfig {
        HandlerConfig {
            zone_id: Some(Uuid::nil()),
            ..HandlerConfig::new(HandlerKind::NovaFixed)
        }
    }

    fn note(event: &str, payload: Value) -> Notification {
        Notification {
            message_id: "m".into(),
            event_type: event.into(),
            payload,
            project_name: Some("demo".into()),
        }
    }

    #[test]
    fn nova_create_makes_a_and_aaaa() {
        let id = Uuid::new_v4();
        let n = note(
            "compute.instance.create.end",
            json!({"instance_id": id.to_string(), "hostname": "vm1", "tenant_id": "t1",
                   "fixed_ips": [{"address": "192.0.2.5", "version": 4, "label": "private"},
                                 {"address": "2001:db8::5", "version": 6, "label": "private"}]}),
        );
        let mut config = nova();
        config.formatv6 = vec!["%(hostname)s-%(label)s-%(project)s.%(zone)s".into()];
        let plan = plan(&config, "example.org.", &n).unwrap();
        let Step::Create(_, a) = &plan[0] else {
            panic!()
        };
        assert_eq!(
            (a.name.as_str(), a.rtype.as_str()),
            ("vm1.example.org.", "A")
        );
        assert_eq!(a.owner.resource_id, id);
        assert_eq!(a.owner.resource_type, "instance");
        assert_eq!(a.owner.plugin_name, "nova_fixed");
        let Step::Create(_, aaaa) = &plan[1] else {
            panic!()
        };
        assert_eq!(aaaa.name, "vm1-private-demo.example.org.");
        assert_eq!(aaaa.data, ["2001:db8::5"]);
    }

    #[test]
    fn missing_fields_are_errors() {
        let n = note("compute.instance.create.end", json!({"hostname": "vm1"}));
        assert_eq!(
            plan(&nova(), "example.org.", &n),
            Err(HandlerError::Missing("instance_id"))
        );
    }

    #[test]
    fn neutron_update_with_and_without_fixed_ip() {
        let config = HandlerConfig {
            zone_id: Some(Uuid::nil()),
            formatv4: vec!["%(octet3)s.%(zone)s".into()],
            ..HandlerConfig::new(HandlerKind::NeutronFloatingIp)
        };
        let id = Uuid::new_v4();
        let fip = |fixed: Value| {
            note(
                "floatingip.update.end",
                json!({"floatingip": {"id": id.to_string(), "floating_ip_address": "203.0.113.9",
                                      "fixed_ip_address": fixed, "tenant_id": "t1"}}),
            )
        };
        let p = plan(&config, "example.org.", &fip(json!("10.0.0.3"))).unwrap();
        assert!(matches!(&p[0], Step::Create(_, r) if r.name == "9.example.org."));
        let p = plan(&config, "example.org.", &fip(Value::Null)).unwrap();
        assert!(
            matches!(&p[0], Step::Delete(_, o) if o.resource_id == id && o.resource_type == "floatingip")
        );
    }

    #[test]
    fn no_zone_id_ignores_events() {
        let config = HandlerConfig::new(HandlerKind::NovaFixed);
        let n = note("compute.instance.delete.start", json!({}));
        assert_eq!(plan(&config, "", &n), Ok(vec![]));
    }
}
