//! Nova and Neutron notifications through a sink, bad notifications, two sinks sharing a queue,
//! and the managed-record RPC.

use designate_bus::{ManagedOwner, ManagedRecords};
use designate_core::objects::NewRecordSet;
use designate_core::RequestContext;
use designate_sink::SinkConfig;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;

#[tokio::test]
async fn nova_instance_create_and_delete_manage_a_and_aaaa() {
    let mut h = Harness::new().await;
    let mut config = h.sink_config();
    config.handlers[0].formatv4 = vec![
        "%(hostname)s.%(zone)s".to_owned(),
        "%(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s".to_owned(),
    ];
    config.handlers[0].formatv6 = vec!["%(hostname)s.%(project)s.%(zone)s".to_owned()];
    h.start_sink(config).await;
    // A tenant record at the same name the sink will use: it must survive the delete.
    h.central
        .create_recordset(
            &tenant(),
            h.zone.id,
            NewRecordSet {
                name: "web1.cloud.example.org.".to_owned(),
                rtype: "A".to_owned(),
                records: vec!["198.51.100.1".to_owned()],
                ..NewRecordSet::default()
            },
        )
        .await
        .unwrap();

    let vm = Uuid::new_v4();
    h.publish(
        &h.nova_exchange,
        &[nova_create(vm, "web1", &[("10.0.0.5", 4), ("fd00::5", 6)])],
    )
    .await;
    h.wait_metrics(|handled, _, _| handled >= 1).await;
    assert_eq!(
        h.names().await,
        [
            (
                "10-0-0-5.cloud.example.org.".to_owned(),
                "A".to_owned(),
                vec!["10.0.0.5".to_owned()]
            ),
            (
                "web1.cloud.example.org.".to_owned(),
                "A".to_owned(),
                vec!["10.0.0.5".to_owned(), "198.51.100.1".to_owned()]
            ),
            (
                "web1.demo.cloud.example.org.".to_owned(),
                "AAAA".to_owned(),
                vec!["fd00::5".to_owned()]
            ),
        ]
    );
    let sets = h.address_recordsets().await;
    let managed = sets
        .iter()
        .flat_map(|rs| rs.records.iter())
        .find(|r| r.data == "fd00::5")
        .unwrap();
    assert!(managed.managed);
    assert_eq!(managed.managed_plugin_name.as_deref(), Some("nova_fixed"));
    assert_eq!(managed.managed_plugin_type.as_deref(), Some("handler"));
    assert_eq!(managed.managed_resource_type.as_deref(), Some("instance"));
    assert_eq!(managed.managed_resource_id, Some(vm));
    // The zone's serial moved: the change went through central's normal path.
    let zone = h
        .central
        .get_zone(&RequestContext::admin(), h.zone.id)
        .await
        .unwrap();
    assert!(zone.serial > h.zone.serial);

    // A redelivered create (same instance) adds nothing.
    h.publish(
        &h.nova_exchange,
        &[nova_create(vm, "web1", &[("10.0.0.5", 4), ("fd00::5", 6)])],
    )
    .await;
    h.wait_metrics(|handled, _, _| handled >= 2).await;
    assert_eq!(h.names().await.len(), 3);
    assert_eq!(h.names().await[1].2.len(), 2);

    h.publish(&h.nova_exchange, &[nova_delete(vm, "web1")])
        .await;
    h.wait_metrics(|handled, _, _| handled >= 3).await;
    assert_eq!(
        h.names().await,
        [(
            "web1.cloud.example.org.".to_owned(),
            "A".to_owned(),
            vec!["198.51.100.1".to_owned()]
        )]
    );
    h.finish().await;
}

#[tokio::test]
async fn neutron_floatingip_associate_disassociate_and_delete() {
    let mut h = Harness::new().await;
    let mut config = h.sink_config();
    config.handlers[1].formatv4 = vec!["fip-%(ip_address)s.%(zone)s".to_owned()];
    h.start_sink(config).await;
    let fip = Uuid::new_v4();
    let name = "fip-203-0-113-7.cloud.example.org.".to_owned();

    h.publish(
        &h.neutron_exchange,
        &[neutron_update(fip, "203.0.113.7", Some("10.0.0.9"))],
    )
    .await;
    h.wait_metrics(|handled, _, _| handled >= 1).await;
    assert_eq!(
        h.names().await,
        [(name.clone(), "A".to_owned(), vec!["203.0.113.7".to_owned()])]
    );
    let rs = &h.address_recordsets().await[0];
    assert_eq!(
        rs.records[0].managed_resource_type.as_deref(),
        Some("floatingip")
    );
    assert_eq!(
        rs.records[0].managed_plugin_name.as_deref(),
        Some("neutron_floatingip")
    );

    // Disassociated (fixed_ip_address null): the record goes.
    h.publish(
        &h.neutron_exchange,
        &[neutron_update(fip, "203.0.113.7", None)],
    )
    .await;
    h.wait_metrics(|handled, _, _| handled >= 2).await;
    assert!(h.names().await.is_empty());

    // Associated again, sent in the bare v1 form, then the floating IP is deleted.
    let bare = neutron_update(fip, "203.0.113.7", Some("10.0.0.10")).to_string();
    h.publish_raw(&h.neutron_exchange, &[bare.into_bytes()])
        .await;
    h.wait_metrics(|handled, _, _| handled >= 3).await;
    assert_eq!(h.names().await.len(), 1);
    h.publish(&h.neutron_exchange, &[neutron_delete(fip)]).await;
    h.wait_metrics(|handled, _, _| handled >= 4).await;
    assert!(h.names().await.is_empty());
    h.finish().await;
}

/// Publishes `bad` then a good Nova create; the bad one is counted and acked, the good one
/// still lands (the sink kept running), and nothing stays in the queue.
async fn bad_notification_case(bad: Vec<u8>, config: impl FnOnce(&mut SinkConfig)) {
    let mut h = Harness::new().await;
    let mut c = h.sink_config();
    config(&mut c);
    h.start_sink(c).await;
    let good_vm = Uuid::new_v4();
    h.publish_raw(&h.nova_exchange, &[bad]).await;
    h.wait_metrics(|_, _, bad| bad >= 1).await;
    h.publish(
        &h.nova_exchange,
        &[nova_create(good_vm, "good", &[("10.1.0.1", 4)])],
    )
    .await;
    h.wait_metrics(|handled, _, _| handled >= 1).await;
    let names: Vec<String> = h.names().await.into_iter().map(|n| n.0).collect();
    assert_eq!(names, ["good.cloud.example.org."]);
    assert_eq!(h.sinks[0].0.bad.get(), 1);
    h.finish().await;
}

#[tokio::test]
async fn bad_notification_malformed_json_is_acked_and_counted() {
    bad_notification_case(
        b"{\"oslo.version\": \"2.0\", \"oslo.message\": \"{oops".to_vec(),
        |_| {},
    )
    .await;
}

#[tokio::test]
async fn bad_notification_missing_fields_is_acked_and_counted() {
    let mut m = nova_create(Uuid::new_v4(), "nofixed", &[]);
    m["payload"].as_object_mut().unwrap().remove("fixed_ips");
    bad_notification_case(v2(&m).into_bytes(), |_| {}).await;
}

#[tokio::test]
async fn bad_notification_unknown_zone_is_acked_and_counted() {
    // Neutron's handler points at a zone that does not exist; Nova's is fine.
    let m = neutron_update(Uuid::new_v4(), "203.0.113.50", Some("10.0.0.1"));
    let mut h = Harness::new().await;
    let mut c = h.sink_config();
    c.handlers[1].zone_id = Some(Uuid::new_v4());
    h.start_sink(c).await;
    h.publish(&h.neutron_exchange, &[m]).await;
    h.wait_metrics(|_, _, bad| bad >= 1).await;
    h.publish(
        &h.nova_exchange,
        &[nova_create(Uuid::new_v4(), "good", &[("10.1.0.1", 4)])],
    )
    .await;
    h.wait_metrics(|handled, _, _| handled >= 1).await;
    let names: Vec<String> = h.names().await.into_iter().map(|n| n.0).collect();
    assert_eq!(names, ["good.cloud.example.org."]);
    h.finish().await;
}

#[tokio::test]
async fn bad_notification_invalid_rendered_name_is_acked_and_counted() {
    // A hostname with a space and `!` renders a name central refuses.
    let m = nova_create(Uuid::new_v4(), "bad name!", &[("10.2.0.1", 4)]);
    bad_notification_case(v2(&m).into_bytes(), |_| {}).await;
}

#[tokio::test]
async fn bad_notification_unknown_placeholder_is_acked_and_counted() {
    // formatv6 names a field Nova does not send: the IPv6 instance is bad; the good
    // notification of the harness is IPv4 only and still lands.
    let m = nova_create(Uuid::new_v4(), "vm6", &[("fd00::6", 6)]);
    bad_notification_case(v2(&m).into_bytes(), |c| {
        c.handlers[0].formatv6 = vec!["%(no_such_field)s.%(zone)s".to_owned()];
    })
    .await;
}

#[tokio::test]
async fn two_sinks_share_the_queue_and_create_each_record_once() {
    let mut h = Harness::new().await;
    let a = h.start_sink(h.sink_config()).await;
    let b = h.start_sink(h.sink_config()).await;
    let messages: Vec<Value> = (0..60)
        .map(|i| {
            nova_create(
                Uuid::new_v4(),
                &format!("vm{i}"),
                &[(&format!("10.3.0.{i}"), 4)],
            )
        })
        .collect();
    h.publish(&h.nova_exchange, &messages).await;
    h.wait_metrics(|handled, _, _| handled >= 60).await;
    let (ha, hb) = (h.sinks[a].0.handled.get(), h.sinks[b].0.handled.get());
    assert!(ha > 0 && hb > 0, "both sinks take work: {ha} / {hb}");
    let names = h.names().await;
    assert_eq!(names.len(), 60);
    assert!(names.iter().all(|n| n.2.len() == 1));
    h.finish().await;
}

#[tokio::test]
async fn events_of_other_types_are_ignored() {
    let mut h = Harness::new().await;
    h.start_sink(h.sink_config()).await;
    h.publish(
        &h.nova_exchange,
        &[message(
            "compute.compute-1",
            "compute.instance.update",
            json!({"instance_id": Uuid::new_v4().to_string()}),
        )],
    )
    .await;
    h.wait_metrics(|_, ignored, _| ignored >= 1).await;
    assert!(h.names().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn managed_records_over_rpc_are_idempotent_and_owner_scoped() {
    let h = Harness::new().await;
    let owner = |id| ManagedOwner {
        plugin_name: "nova_fixed".to_owned(),
        plugin_type: "handler".to_owned(),
        resource_type: "instance".to_owned(),
        resource_id: id,
    };
    let (one, two) = (Uuid::new_v4(), Uuid::new_v4());
    let admin = RequestContext::admin();
    for (id, ip) in [(one, "10.9.0.1"), (one, "10.9.0.1"), (two, "10.9.0.2")] {
        h.central
            .create_managed_records(
                &admin,
                h.zone.id,
                ManagedRecords {
                    name: "shared.cloud.example.org.".to_owned(),
                    rtype: "A".to_owned(),
                    data: vec![ip.to_owned()],
                    owner: owner(id),
                },
            )
            .await
            .unwrap();
    }
    assert_eq!(h.names().await[0].2, ["10.9.0.1", "10.9.0.2"]);
    assert_eq!(
        h.central
            .delete_managed_records(&admin, h.zone.id, owner(one))
            .await
            .unwrap(),
        1
    );
    assert_eq!(h.names().await[0].2, ["10.9.0.2"]);
    assert_eq!(
        h.central
            .delete_managed_records(&admin, h.zone.id, owner(one))
            .await
            .unwrap(),
        0
    );
    h.central
        .delete_managed_records(&admin, h.zone.id, owner(two))
        .await
        .unwrap();
    assert!(h.names().await.is_empty());
    h.finish().await;
}
