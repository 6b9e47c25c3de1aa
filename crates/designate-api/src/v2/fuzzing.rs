//! What the `api_bodies` fuzz target drives (through [`crate::fuzzing`]): one body, as bytes,
//! through the JSON-object decoding of every JSON endpoint and then every create / update body
//! parser, plus the zone-import body reader under both of its content types. Parsers that
//! compare a body with the object it changes get a fixed rendered object.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use designate_core::objects::{
    Action, Pool, RecordSet, TransferStatus, Zone, ZoneStatus, ZoneTransferRequest, ZoneType,
};
use uuid::Uuid;

use super::{
    blacklists, floatingips, pools, quotas, recordsets, shares, tlds, transfers, tsigkeys,
    zone_tasks, zones,
};

const BASE: &str = "http://127.0.0.1:9001";

fn zone() -> Zone {
    Zone {
        id: Uuid::from_u128(1),
        version: 1,
        created_at: chrono::NaiveDateTime::default(),
        updated_at: None,
        deleted: "0".to_owned(),
        deleted_at: None,
        shard: 0,
        tenant_id: Some("p1".to_owned()),
        name: "example.org.".to_owned(),
        email: "hostmaster@example.org".to_owned(),
        description: None,
        zone_type: ZoneType::Primary,
        transferred_at: None,
        ttl: 3600,
        serial: 1,
        refresh: 3500,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        status: ZoneStatus::Active,
        parent_zone_id: None,
        action: Action::None,
        pool_id: None,
        reverse_name: ".gro.elpmaxe".to_owned(),
        delayed_notify: false,
        increment_serial: false,
        attributes: Default::default(),
        masters: Vec::new(),
    }
}

fn recordset() -> RecordSet {
    RecordSet {
        id: Uuid::from_u128(2),
        version: 1,
        created_at: chrono::NaiveDateTime::default(),
        updated_at: None,
        zone_shard: 0,
        tenant_id: Some("p1".to_owned()),
        zone_id: Uuid::from_u128(1),
        zone_name: "example.org.".to_owned(),
        name: "www.example.org.".to_owned(),
        rtype: "A".to_owned(),
        ttl: None,
        description: None,
        reverse_name: ".gro.elpmaxe.www".to_owned(),
        records: Vec::new(),
    }
}

fn transfer_request() -> ZoneTransferRequest {
    ZoneTransferRequest {
        id: Uuid::from_u128(3),
        version: 1,
        created_at: chrono::NaiveDateTime::default(),
        updated_at: None,
        key: "ABCDEFGH".to_owned(),
        zone_id: Uuid::from_u128(1),
        zone_name: Some("example.org.".to_owned()),
        description: None,
        tenant_id: "p1".to_owned(),
        target_tenant_id: None,
        status: TransferStatus::Active,
    }
}

fn pool() -> Pool {
    Pool {
        id: Uuid::from_u128(4),
        name: "default".to_owned(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: Vec::new(),
        nameservers: Vec::new(),
        targets: Vec::new(),
        also_notifies: Vec::new(),
    }
}

/// Feeds `bytes` to every body parser; any outcome but a panic is fine.
pub(crate) fn bodies(bytes: &[u8]) {
    for content_type in ["text/dns", "application/json"] {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        let _ = zone_tasks::zone_file_of(&headers, bytes);
    }
    let Ok(body) = crate::body::parse_object(bytes) else {
        return;
    };
    let zone_shown = zones::zone_json(&zone(), BASE);
    let rs = recordset();
    let rs_shown = recordsets::recordset_json(&rs, BASE);
    let request_shown = transfers::request_json(&transfer_request(), BASE, true);
    let _ = zones::parse_new_zone(&body);
    let _ = zones::parse_zone_update(&body, &zone_shown);
    let _ = recordsets::parse_new_recordset(&body);
    let _ = recordsets::parse_update(&body, &rs, &rs_shown);
    let _ = tlds::parse(&body, false);
    let _ = tlds::parse(&body, true);
    let _ = blacklists::parse(&body, false);
    let _ = blacklists::parse(&body, true);
    let _ = quotas::parse(&body);
    let _ = pools::apply(&body, &mut pool(), false);
    let _ = pools::apply(&body, &mut pool(), true);
    let _ = tsigkeys::parse(&body);
    let _ = tsigkeys::parse_new(&body);
    let _ = transfers::parse_new_request(&body);
    let _ = transfers::parse_request_update(&body, &request_shown);
    let _ = transfers::parse_new_accept(&body);
    let _ = shares::parse_new(&body);
    let _ = floatingips::parse_update(&body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_of_every_shape_are_survived() {
        for body in [
            &b"{}"[..],
            b"{\"name\": \"example.org.\", \"email\": \"a@example.org\", \"ttl\": 300}",
            b"{\"records\": [\"192.0.2.1\"], \"type\": \"A\", \"name\": \"www.example.org.\"}",
            b"{\"zonefile\": \"$ORIGIN example.org.\\n\"}",
            b"[]",
            b"null",
            b"\xff",
        ] {
            bodies(body);
        }
    }
}
