//! `memcache_security_strategy` against a real memcached: with `MAC` a forged or foreign entry
//! is never trusted (Keystone is asked), with `ENCRYPT` memcached holds nothing of the caller in
//! clear, and an API with another secret misses (asks Keystone) instead of failing.
//!
//! "Keystone was asked" is observed with Keystone stopped: an entry the API trusts answers
//! `200`, one it does not makes it ask Keystone, which is then `503`.

use std::time::Duration;

use designate_api::{ApiConfig, AuthStrategy, MemcacheSecurity};
use reqwest::{Method, StatusCode};

use crate::common::{start_with, Api};
use crate::harness::{Keystone, Memcached};

async fn api(keystone: &Keystone, memcached: &Memcached, security: MemcacheSecurity) -> Api {
    let mut authtoken = keystone.authtoken(Duration::from_secs(300));
    authtoken.memcached_servers = vec![memcached.address.clone()];
    authtoken.memcache_security = security;
    start_with(ApiConfig {
        auth: AuthStrategy::Keystone(Box::new(authtoken)),
        ..ApiConfig::default()
    })
    .await
}

async fn zones(api: &Api, token: &str) -> StatusCode {
    api.call(Method::GET, "/v2/zones", None, &[("x-auth-token", token)])
        .await
        .status
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Validates `token` through `api` and returns the one memcached key it added.
async fn entry_of(memcached: &Memcached, api: &Api, token: &str, status: StatusCode) -> String {
    let before = memcached.keys().await;
    assert_eq!(zones(api, token).await, status);
    let added: Vec<String> = memcached
        .keys()
        .await
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert_eq!(added.len(), 1, "one new entry: {added:?}");
    added.into_iter().next().unwrap_or_default()
}

#[tokio::test]
async fn mac_entries_that_do_not_verify_are_never_trusted() {
    let memcached = Memcached::start().await;
    let mut keystone = Keystone::start(3600).await;
    let mac = || MemcacheSecurity::Mac("first secret".into());
    let alpha = keystone.project_id("alpha").await;
    let alice = keystone.persona("alice").await;

    let writer = api(&keystone, &memcached, mac()).await;
    let alice_key = entry_of(&memcached, &writer, &alice, StatusCode::OK).await;
    let forged_key = entry_of(&memcached, &writer, "forged-1", StatusCode::UNAUTHORIZED).await;
    let foreign_key = entry_of(&memcached, &writer, "forged-2", StatusCode::UNAUTHORIZED).await;
    assert!(
        !alice_key.contains(&keystone_token_digest(&alice)),
        "the memcached key comes from the secret, not the token's plain digest"
    );
    let alice_entry = memcached.get(&alice_key).await;
    assert!(
        contains(&alice_entry, &alpha),
        "MAC does not hide the caller"
    );

    // A forger with write access to memcached turns the negative entry of `forged-1` into a
    // valid admin (the MAC left as it was), and copies alice's genuine entry under the key of
    // `forged-2`.
    let negative = String::from_utf8_lossy(&memcached.get(&forged_key).await).into_owned();
    assert!(negative.contains(r#""caller":null"#), "{negative}");
    let forged = negative.replace(
        r#""caller":null"#,
        &format!(
            r#""caller":{{"project_id":"{alpha}","user_id":"x","roles":["admin","member","reader"],"system_scope":false}}"#
        ),
    );
    memcached.set(&forged_key, forged.as_bytes()).await;
    memcached.set(&foreign_key, &alice_entry).await;

    // An API of the same secret trusts neither: Keystone is asked and says no.
    let reader = api(&keystone, &memcached, mac()).await;
    assert_eq!(zones(&reader, "forged-1").await, StatusCode::UNAUTHORIZED);
    assert_eq!(zones(&reader, "forged-2").await, StatusCode::UNAUTHORIZED);

    // An API of another secret looks elsewhere (a miss, not a failure) and stores its own.
    let other_secret = || MemcacheSecurity::Mac("second secret".into());
    let other = api(&keystone, &memcached, other_secret()).await;
    let other_key = entry_of(&memcached, &other, &alice, StatusCode::OK).await;
    assert_ne!(other_key, alice_key);

    // With Keystone gone, the genuine entries still answer for their own secret's APIs; the
    // tampered ones are still refused (asked Keystone: 503, never the forged identity).
    keystone.stop();
    let same = api(&keystone, &memcached, mac()).await;
    assert_eq!(zones(&same, &alice).await, StatusCode::OK);
    memcached.set(&forged_key, forged.as_bytes()).await;
    memcached.set(&foreign_key, &alice_entry).await;
    let late = api(&keystone, &memcached, mac()).await;
    assert_eq!(
        zones(&late, "forged-1").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        zones(&late, "forged-2").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let other_again = api(&keystone, &memcached, other_secret()).await;
    assert_eq!(zones(&other_again, &alice).await, StatusCode::OK);
    let third = api(&keystone, &memcached, MemcacheSecurity::Mac("third".into())).await;
    assert_eq!(zones(&third, &alice).await, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn encrypt_entries_hold_nothing_in_clear_and_refuse_tampering() {
    let memcached = Memcached::start().await;
    let mut keystone = Keystone::start(3600).await;
    let encrypt = || MemcacheSecurity::Encrypt("a secret".into());
    let alpha = keystone.project_id("alpha").await;
    let user = keystone.user_id("alice").await;
    let alice = keystone.persona("alice").await;

    // Without a strategy the entry shows the caller: what ENCRYPT must hide.
    let plain_api = api(&keystone, &memcached, MemcacheSecurity::None).await;
    let plain_key = entry_of(&memcached, &plain_api, &alice, StatusCode::OK).await;
    let plain = memcached.get(&plain_key).await;
    assert!(contains(&plain, &alpha) && contains(&plain, &user));

    let writer = api(&keystone, &memcached, encrypt()).await;
    let key = entry_of(&memcached, &writer, &alice, StatusCode::OK).await;
    let sealed = memcached.get(&key).await;
    for secret in [
        alpha.as_str(),
        user.as_str(),
        "member",
        "reader",
        "caller",
        "project",
    ] {
        assert!(
            !contains(&sealed, secret),
            "{secret:?} in clear in {sealed:?}"
        );
    }

    keystone.stop();
    // The genuine entry is read back by an API of the same secret ...
    let reader = api(&keystone, &memcached, encrypt()).await;
    assert_eq!(zones(&reader, &alice).await, StatusCode::OK);
    // ... not by one of another secret (a miss: Keystone is asked, and it is down) ...
    let other = api(
        &keystone,
        &memcached,
        MemcacheSecurity::Encrypt("other".into()),
    )
    .await;
    assert_eq!(zones(&other, &alice).await, StatusCode::SERVICE_UNAVAILABLE);
    // ... and not once one byte of it is changed.
    let mut tampered = sealed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    memcached.set(&key, &tampered).await;
    let late = api(&keystone, &memcached, encrypt()).await;
    assert_eq!(zones(&late, &alice).await, StatusCode::SERVICE_UNAVAILABLE);
}

/// The token's SHA-256 in hex (the memcached key without a strategy).
fn keystone_token_digest(token: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
