//! Contract checks of the producer's store operations: leases and shard-range zone queries.

use chrono::Duration;
use designate_core::criteria::{Criteria, Page};
use uuid::Uuid;

use super::{now, project, zone};
use crate::{Lease, Storage};

/// Claims, renewals, expiry take-over, release and prefix listing of leases.
pub async fn lease_claims(s: &dyn Storage) {
    let prefix = format!("contract/{}/", Uuid::new_v4().simple());
    let name = format!("{prefix}bucket/0");
    let t0 = now();
    let lease = |holder: &str, until| Lease {
        name: name.clone(),
        holder: holder.to_owned(),
        expires_at: until,
    };
    let claim = |l: Lease, at, renew| async move {
        let mut tx = s.begin().await.expect("begin");
        let got = tx.claim_lease(&l, at, renew).await.expect("claim");
        tx.commit().await.expect("commit");
        got
    };
    let ten = t0 + Duration::seconds(10);
    assert!(
        claim(lease("a", ten), t0, true).await,
        "a takes a free lease"
    );
    assert!(
        !claim(lease("b", ten), t0, true).await,
        "b cannot take a's live lease"
    );
    assert!(
        claim(lease("a", t0 + Duration::seconds(20)), t0, true).await,
        "a renews"
    );
    assert!(
        !claim(lease("a", t0 + Duration::seconds(30)), t0, false).await,
        "without renew even the holder waits for expiry (run gates)"
    );
    let later = t0 + Duration::seconds(21);
    assert!(
        claim(lease("b", later + Duration::seconds(10)), later, true).await,
        "b takes the lease once it expired"
    );
    let mut tx = s.begin().await.expect("begin");
    let listed = tx.find_leases(&prefix).await.expect("find");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].holder, "b");
    assert_eq!(listed[0].expires_at, later + Duration::seconds(10));
    assert!(
        !tx.release_lease(&name, "a").await.expect("release"),
        "a no longer holds it"
    );
    assert!(tx.release_lease(&name, "b").await.expect("release"));
    assert!(tx.find_leases(&prefix).await.expect("find").is_empty());
    tx.commit().await.expect("commit");
}

/// Shard-range listing of live zones and selection of purgeable soft-deleted ones.
pub async fn zones_by_shard(s: &dyn Storage) {
    let tenant = project();
    let pool = Uuid::new_v4();
    let mut low = zone("low.shards.example.", &tenant, pool);
    low.shard = 10;
    let mut high = zone("high.shards.example.", &tenant, pool);
    high.shard = 4000;
    let mut gone = zone("gone.shards.example.", &tenant, pool);
    gone.shard = 11;
    gone.deleted = gone.id.simple().to_string();
    gone.deleted_at = Some(now() - Duration::seconds(100));
    let mut tx = s.begin().await.expect("begin");
    for z in [&low, &high, &gone] {
        tx.create_zone(z).await.expect("create");
    }
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin");
    let mine = Criteria::new().eq("tenant_id", tenant.clone());
    let first = tx
        .find_zones_in_shards((0, 2047), &mine, &Page::default())
        .await
        .expect("find");
    assert_eq!(first.total_count, 1);
    assert_eq!(
        first.items[0].id, low.id,
        "soft-deleted zones are not listed"
    );
    let all = tx
        .find_zones_in_shards((0, 4095), &mine, &Page::default())
        .await
        .expect("find");
    assert_eq!(all.total_count, 2);

    let purgeable = tx
        .find_purgeable_zones((0, 2047), now() - Duration::seconds(50), 100)
        .await
        .expect("purgeable");
    assert!(
        purgeable.iter().any(|z| z.id == gone.id),
        "old deletion found"
    );
    assert!(purgeable.iter().all(|z| z.deleted != "0"));
    let recent = tx
        .find_purgeable_zones((0, 2047), now() - Duration::seconds(500), 100)
        .await
        .expect("purgeable");
    assert!(
        recent.iter().all(|z| z.id != gone.id),
        "deleted too recently"
    );
    let other_shards = tx
        .find_purgeable_zones((12, 4095), now(), 100)
        .await
        .expect("purgeable");
    assert!(
        other_shards.iter().all(|z| z.id != gone.id),
        "outside the range"
    );
}
