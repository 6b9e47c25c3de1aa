//! Pins the RPC wire format between processes: the JSON of every [`CentralRequest`], its
//! `method()` name, and the shape of [`Envelope`] / [`Reply`]. A process of one build must
//! understand a process of the build before it, so these bytes only change on purpose.

use designate_core::criteria::{Filter, SortDir};
use designate_core::objects::{PoolAttribute, PoolNameserver, TsigAlgorithm, TsigScope};

use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn criteria() -> Criteria {
    Criteria::new()
        .eq("name", "example.org.")
        .with("description", Filter::IsNull)
}

fn page() -> Page {
    Page {
        marker: Some(id(9)),
        limit: Some(20),
        sort_key: "name".to_owned(),
        sort_dir: SortDir::Desc,
    }
}

fn pool() -> Pool {
    Pool {
        id: id(7),
        name: "gold".to_owned(),
        description: None,
        tenant_id: Some("admin".to_owned()),
        attributes: vec![PoolAttribute {
            key: "tier".to_owned(),
            value: "gold".to_owned(),
        }],
        ns_records: vec![PoolNsRecord {
            priority: 1,
            hostname: "ns1.example.org.".to_owned(),
        }],
        nameservers: vec![PoolNameserver {
            id: id(8),
            host: "192.0.2.1".to_owned(),
            port: 53,
        }],
        targets: Vec::new(),
        also_notifies: Vec::new(),
    }
}

fn owner() -> ManagedOwner {
    ManagedOwner {
        plugin_name: "nova_fixed".to_owned(),
        plugin_type: "handler".to_owned(),
        resource_type: "instance".to_owned(),
        resource_id: id(5),
    }
}

/// One request of every operation, with fixed arguments.
fn every_request() -> Vec<CentralRequest> {
    use CentralRequest as R;
    let zone = NewZone {
        id: Some(id(1)),
        name: "example.org.".to_owned(),
        email: Some("admin@example.org".to_owned()),
        ttl: Some(3600),
        ..NewZone::default()
    };
    let recordset = NewRecordSet {
        name: "www.example.org.".to_owned(),
        ..NewRecordSet::default()
    };
    let status = ServiceStatus {
        id: id(4),
        service_name: "worker".to_owned(),
        hostname: "host-1".to_owned(),
        heartbeated_at: None,
        status: "UP".to_owned(),
        stats: serde_json::json!({}),
        capabilities: serde_json::json!({"pools": 1}),
        created_at: chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .expect("valid timestamp")
            .naive_utc(),
        updated_at: None,
    };
    let tsigkey = NewTsigKey {
        name: "key-1".to_owned(),
        algorithm: TsigAlgorithm::HmacSha256,
        secret: "c2VjcmV0".to_owned(),
        scope: TsigScope::Pool,
        resource_id: id(7),
    };
    let attributes = BTreeMap::from([("pool_level".to_owned(), "gold".to_owned())]);
    vec![
        R::CreateZone { zone },
        R::GetZone { id: id(1) },
        R::FindZones {
            criteria: criteria(),
            page: page(),
        },
        R::UpdateZone {
            id: id(1),
            update: ZoneUpdate {
                ttl: Some(300),
                ..ZoneUpdate::default()
            },
        },
        R::DeleteZone { id: id(1) },
        R::CreateRecordset {
            zone_id: id(1),
            recordset,
        },
        R::GetRecordset {
            zone_id: None,
            id: id(2),
        },
        R::FindRecordsets {
            criteria: Criteria::new(),
            page: Page::default(),
        },
        R::UpdateRecordset {
            zone_id: id(1),
            id: id(2),
            update: RecordSetUpdate::default(),
        },
        R::DeleteRecordset {
            zone_id: id(1),
            id: id(2),
        },
        R::GetPool { id: id(7) },
        R::FindPools,
        R::UpdateStatus {
            zone_id: id(1),
            outcome: PushOutcome::NoZone,
            serial: 1_700_000_001,
        },
        R::UpdateServiceStatus { status },
        R::FindServiceStatuses {
            criteria: criteria(),
            page: page(),
        },
        R::Ping,
        R::CreateManagedRecords {
            zone_id: id(1),
            records: ManagedRecords {
                name: "vm.example.org.".to_owned(),
                rtype: "A".to_owned(),
                data: vec!["192.0.2.10".to_owned()],
                owner: owner(),
            },
        },
        R::DeleteManagedRecords {
            zone_id: id(1),
            owner: owner(),
        },
        R::CreateTld {
            tld: NewTld::default(),
        },
        R::GetTld { id: id(10) },
        R::FindTlds {
            criteria: criteria(),
            page: page(),
        },
        R::UpdateTld {
            id: id(10),
            update: TldUpdate::default(),
        },
        R::DeleteTld { id: id(10) },
        R::CreateBlacklist {
            blacklist: NewBlacklist::default(),
        },
        R::GetBlacklist { id: id(11) },
        R::FindBlacklists {
            criteria: criteria(),
            page: page(),
        },
        R::UpdateBlacklist {
            id: id(11),
            update: BlacklistUpdate::default(),
        },
        R::DeleteBlacklist { id: id(11) },
        R::GetQuotas {
            project_id: "p1".to_owned(),
        },
        R::SetQuota {
            project_id: "p1".to_owned(),
            resource: "zones".to_owned(),
            hard_limit: -1,
        },
        R::ResetQuotas {
            project_id: "p1".to_owned(),
        },
        R::GetAbsoluteLimits,
        R::PurgeZones {
            zone_ids: vec![id(1), id(3)],
        },
        R::FinishDelayedNotify { zone_id: id(1) },
        R::CreateZoneExport { zone_id: id(1) },
        R::GetZoneExport { id: id(12) },
        R::FindZoneExports {
            criteria: criteria(),
            page: page(),
        },
        R::DeleteZoneExport { id: id(12) },
        R::ExportZone { zone_id: id(1) },
        R::CreateZoneImport {
            zone_file: "$ORIGIN example.org.\n".to_owned(),
            attributes,
        },
        R::GetZoneImport { id: id(13) },
        R::FindZoneImports {
            criteria: criteria(),
            page: page(),
        },
        R::DeleteZoneImport { id: id(13) },
        R::GetZoneNsRecords { zone_id: id(1) },
        R::AbandonZone { zone_id: id(1) },
        R::CreateTsigkey { key: tsigkey },
        R::GetTsigkey { id: id(14) },
        R::FindTsigkeys {
            criteria: criteria(),
            page: page(),
        },
        R::UpdateTsigkey {
            id: id(14),
            update: TsigKeyUpdate::default(),
        },
        R::DeleteTsigkey { id: id(14) },
        R::CreateZoneTransferRequest {
            zone_id: id(1),
            request: NewZoneTransferRequest::default(),
        },
        R::GetZoneTransferRequest { id: id(15) },
        R::FindZoneTransferRequests {
            criteria: criteria(),
            page: page(),
        },
        R::UpdateZoneTransferRequest {
            id: id(15),
            update: ZoneTransferRequestUpdate::default(),
        },
        R::DeleteZoneTransferRequest { id: id(15) },
        R::CreateZoneTransferAccept {
            accept: NewZoneTransferAccept {
                zone_transfer_request_id: id(15),
                key: "KEY".to_owned(),
            },
        },
        R::GetZoneTransferAccept { id: id(16) },
        R::FindZoneTransferAccepts {
            criteria: criteria(),
            page: page(),
        },
        R::ShareZone {
            zone_id: id(1),
            target_project_id: "p2".to_owned(),
        },
        R::GetSharedZone {
            zone_id: id(1),
            share_id: id(17),
        },
        R::FindSharedZones {
            criteria: criteria(),
            page: page(),
        },
        R::UnshareZone {
            zone_id: id(1),
            share_id: id(17),
        },
        R::SharedZoneIds {
            zone_ids: vec![id(1)],
        },
        R::IncrementZoneSerial { zone_id: id(1) },
        R::CreatePool { pool: pool() },
        R::UpdatePool { pool: pool() },
        R::DeletePool { id: id(7) },
        R::XfrZone { zone_id: id(1) },
        R::FinishZoneXfr {
            zone_id: id(1),
            outcome: XfrOutcome::Transferred {
                master: "192.0.2.1:53".to_owned(),
                zonefile: "example.org. 300 IN A 192.0.2.2\n".to_owned(),
            },
        },
        R::PoolMoveZone {
            zone_id: id(1),
            target_pool_id: Some(id(7)),
        },
        R::ListFloatingips,
        R::GetFloatingip {
            region: "RegionOne".to_owned(),
            id: id(18),
        },
        R::UpdateFloatingip {
            region: "RegionOne".to_owned(),
            id: id(18),
            update: FloatingIpUpdate::default(),
        },
    ]
}

/// `method()` and the serialised request, one line per operation, as they travel today. After a
/// deliberate change (a new operation), `DESIGNATE_BLESS_WIRE=1` makes the test below rewrite
/// it; review its diff, then run the tests again.
const GOLDEN: &str = include_str!("central_requests.golden");

fn rendered() -> String {
    every_request()
        .iter()
        .map(|request| {
            let json = serde_json::to_string(request).expect("requests serialise");
            format!("{} {json}\n", request.method())
        })
        .collect()
}

#[test]
fn every_request_travels_as_pinned() {
    let rendered = rendered();
    if std::env::var_os("DESIGNATE_BLESS_WIRE").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/amqp/rpc/central_requests.golden"
        );
        std::fs::write(path, &rendered).expect("golden file written");
        return;
    }
    for (now, pinned) in rendered.lines().zip(GOLDEN.lines()) {
        assert_eq!(now, pinned);
    }
    assert_eq!(rendered.lines().count(), GOLDEN.lines().count());
}

#[test]
fn every_method_name_is_its_serde_tag_and_unique() {
    let mut seen = std::collections::HashSet::new();
    for request in every_request() {
        let json = serde_json::to_value(&request).expect("requests serialise");
        assert_eq!(json["method"], request.method());
        assert!(seen.insert(request.method()), "{} twice", request.method());
    }
}

/// serde's `rename_all = "snake_case"` of a variant name.
fn snake_case(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.char_indices() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn every_listed_operation_travels_under_its_method_name() {
    // The tag comes from the variant's name, `method()` from the method's: the list must keep
    // the two in step.
    for (variant, method) in OPERATIONS {
        assert_eq!(&snake_case(variant), method, "{variant}");
    }
}

#[test]
fn every_listed_operation_is_pinned() {
    // A new operation needs its request in `every_request` (and the golden file).
    let listed: Vec<&str> = OPERATIONS.iter().map(|(_, method)| *method).collect();
    let pinned: Vec<&str> = GOLDEN
        .lines()
        .filter_map(|line| line.split_once(' ').map(|(method, _)| method))
        .collect();
    let mut missing: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|m| !pinned.contains(m))
        .collect();
    missing.sort_unstable();
    assert!(missing.is_empty(), "not pinned: {missing:?}");
    assert_eq!(listed.len(), pinned.len());
}

#[test]
fn every_request_reads_back_as_written() {
    for request in every_request() {
        let json = serde_json::to_string(&request).expect("requests serialise");
        let back: CentralRequest = serde_json::from_str(&json).expect("requests deserialise");
        assert_eq!(serde_json::to_string(&back).expect("serialise"), json);
    }
}

#[test]
fn field_kinds_travel_as_pinned() {
    let cases = [
        // Unit variants carry no `args` at all.
        (CentralRequest::Ping, r#"{"method":"ping"}"#),
        (CentralRequest::FindPools, r#"{"method":"find_pools"}"#),
        (
            CentralRequest::GetZone { id: id(1) },
            r#"{"method":"get_zone","args":{"id":"00000000-0000-0000-0000-000000000001"}}"#,
        ),
        // An absent Option travels as null.
        (
            CentralRequest::GetRecordset {
                zone_id: None,
                id: id(2),
            },
            r#"{"method":"get_recordset","args":{"zone_id":null,"id":"00000000-0000-0000-0000-000000000002"}}"#,
        ),
        (
            CentralRequest::PoolMoveZone {
                zone_id: id(1),
                target_pool_id: Some(id(7)),
            },
            r#"{"method":"pool_move_zone","args":{"zone_id":"00000000-0000-0000-0000-000000000001","target_pool_id":"00000000-0000-0000-0000-000000000007"}}"#,
        ),
        // The trait's `rs` argument travels as `recordset`.
        (
            CentralRequest::CreateRecordset {
                zone_id: id(1),
                recordset: NewRecordSet {
                    name: "www.example.org.".to_owned(),
                    ..NewRecordSet::default()
                },
            },
            r#"{"method":"create_recordset","args":{"zone_id":"00000000-0000-0000-0000-000000000001","recordset":{"name":"www.example.org.","rtype":"","ttl":null,"description":null,"records":[]}}}"#,
        ),
        (
            CentralRequest::SetQuota {
                project_id: "p1".to_owned(),
                resource: "zones".to_owned(),
                hard_limit: -1,
            },
            r#"{"method":"set_quota","args":{"project_id":"p1","resource":"zones","hard_limit":-1}}"#,
        ),
    ];
    for (request, json) in cases {
        assert_eq!(serde_json::to_string(&request).expect("serialise"), json);
    }
}

#[test]
fn an_import_without_attributes_still_reads() {
    // Requests from builds before zone-import scheduling hints carry no `attributes`.
    let request: CentralRequest =
        serde_json::from_str(r#"{"method":"create_zone_import","args":{"zone_file":"x"}}"#)
            .expect("old import request reads");
    let CentralRequest::CreateZoneImport {
        zone_file,
        attributes,
    } = request
    else {
        panic!("wrong variant: {request:?}");
    };
    assert_eq!(zone_file, "x");
    assert!(attributes.is_empty());
}

#[test]
fn envelope_and_replies_travel_as_pinned() {
    let envelope = Envelope {
        context: RequestContext {
            request_id: "req-1".to_owned(),
            ..RequestContext::default()
        },
        call: CentralRequest::Ping,
    };
    let json = serde_json::to_value(&envelope).expect("serialise");
    assert_eq!(json["call"], serde_json::json!({"method": "ping"}));
    assert_eq!(json["context"]["request_id"], "req-1");
    assert_eq!(
        json.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["context".to_owned(), "call".to_owned()])
    );

    let ok = Reply::Result(serde_json::json!({"n": 1}));
    assert_eq!(
        serde_json::to_string(&ok).expect("serialise"),
        r#"{"result":{"n":1}}"#
    );
    let failure = Reply::Failure(DesignateError::new(ErrorKind::NotFound, "no zone"));
    assert_eq!(
        serde_json::to_string(&failure).expect("serialise"),
        r#"{"failure":{"kind":"NotFound","message":"no zone"}}"#
    );
}
