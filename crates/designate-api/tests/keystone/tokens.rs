//! Token validation: personas, missing/bad tokens, system scope, revocation and expiry after
//! the cache time, Keystone outage.

use std::time::Duration;

use designate_api::{ApiConfig, AuthStrategy};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{start_with, Api, Reply};
use crate::harness::{Keystone, Memcached};

async fn api_for(keystone: &Keystone, cache: Duration) -> Api {
    api_with_memcached(keystone, cache, &[]).await
}

async fn api_with_memcached(keystone: &Keystone, cache: Duration, servers: &[&str]) -> Api {
    let mut authtoken = keystone.authtoken(cache);
    authtoken.memcached_servers = servers.iter().map(|s| (*s).to_owned()).collect();
    start_with(ApiConfig {
        auth: AuthStrategy::Keystone(Box::new(authtoken)),
        ..ApiConfig::default()
    })
    .await
}

async fn get(api: &Api, path: &str, token: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = token.map(|t| ("x-auth-token", t)).into_iter().collect();
    api.call(Method::GET, path, None, &headers).await
}

#[track_caller]
fn assert_unauthorized(r: &Reply, keystone: &Keystone) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(
        r.headers["www-authenticate"],
        format!("Keystone uri=\"{}/v3\"", keystone.url).as_str()
    );
    assert_eq!(r.body["error"]["code"], 401, "{}", r.text);
}

#[tokio::test]
async fn personas_unauthorized_revocation_and_outage() {
    let mut keystone = Keystone::start(3600).await;
    // Long enough that a revocation on a loaded machine (Keystone answering in seconds) still
    // ends inside the cache time of the validation before it.
    const CACHE: Duration = Duration::from_secs(8);
    let api = api_for(&keystone, CACHE).await;

    // Public paths need no token; everything under /v2 does.
    assert_eq!(get(&api, "/", None).await.status, StatusCode::OK);
    assert_eq!(get(&api, "/healthcheck", None).await.status, StatusCode::OK);
    for path in ["/v2/zones", "/v2/recordsets", "/v2/nowhere"] {
        assert_unauthorized(&get(&api, path, None).await, &keystone);
        assert_unauthorized(&get(&api, path, Some("not-a-token")).await, &keystone);
    }
    assert_unauthorized(&get(&api, "/v2/zones", Some("  ")).await, &keystone);

    // Every persona's token is accepted and scoped to its project.
    let alpha = keystone.project_id("alpha").await;
    for user in ["admin", "alice", "rita", "bob"] {
        let token = keystone.persona(user).await;
        let r = get(&api, "/v2/zones", Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text);
    }
    let alice = keystone.persona("alice").await;
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "tokens.example.org.", "email": "a@example.org"})),
            &[("x-auth-token", &alice)],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(
        r.body["project_id"],
        alpha.as_str(),
        "zone belongs to the token's project"
    );

    // A system-scoped token fails project-scoped rules (enforce_scope).
    let system = keystone.system_token().await;
    get(&api, "/v2/zones", Some(&system))
        .await
        .assert_error(403, "invalid_token_scope");

    // Revocation is honoured once the cached validation runs out (token_cache_time = CACHE).
    let bob = keystone.persona("bob").await;
    assert_eq!(
        get(&api, "/v2/zones", Some(&bob)).await.status,
        StatusCode::OK
    );
    keystone.revoke(&bob).await;
    assert_eq!(
        get(&api, "/v2/zones", Some(&bob)).await.status,
        StatusCode::OK,
        "still cached"
    );
    tokio::time::sleep(CACHE + Duration::from_millis(500)).await;
    assert_unauthorized(&get(&api, "/v2/zones", Some(&bob)).await, &keystone);

    // memcached shares validations between API processes; a dead memcached is only a miss.
    let memcached = Memcached::start().await;
    let shared_a =
        api_with_memcached(&keystone, Duration::from_secs(300), &[&memcached.address]).await;
    let shared_b =
        api_with_memcached(&keystone, Duration::from_secs(300), &[&memcached.address]).await;
    let dead = api_with_memcached(&keystone, Duration::from_secs(300), &["127.0.0.1:9"]).await;
    let shared_token = keystone.persona("alice").await;
    assert_eq!(
        get(&shared_a, "/v2/zones", Some(&shared_token))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&dead, "/v2/zones", Some(&shared_token)).await.status,
        StatusCode::OK
    );
    assert_unauthorized(
        &get(&shared_a, "/v2/zones", Some("forged")).await,
        &keystone,
    );

    // Keystone down: a token seen within the cache time still works, an unseen one is 503,
    // and once the cache runs out the known one is 503 too — never an open door. This API
    // caches for 20 s, so that stopping Keystone (slow on a loaded machine) ends well inside
    // the cache time of the validation before it.
    const OUTAGE_CACHE: Duration = Duration::from_secs(20);
    let outage = api_for(&keystone, OUTAGE_CACHE).await;
    let rita = keystone.persona("rita").await;
    let fresh = keystone.persona("alice").await;
    assert_eq!(
        get(&outage, "/v2/zones", Some(&rita)).await.status,
        StatusCode::OK
    );
    let seen = std::time::Instant::now();
    keystone.stop();
    assert_eq!(
        get(&outage, "/v2/zones", Some(&rita)).await.status,
        StatusCode::OK
    );
    // The other API process never saw these tokens: memcached answers for Keystone, for the
    // valid one and the forged one alike.
    assert_eq!(
        get(&shared_b, "/v2/zones", Some(&shared_token))
            .await
            .status,
        StatusCode::OK
    );
    assert_unauthorized(
        &get(&shared_b, "/v2/zones", Some("forged")).await,
        &keystone,
    );
    assert_eq!(
        get(&dead, "/v2/zones", Some(&fresh)).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let r = get(&outage, "/v2/zones", Some(&fresh)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.body["error"]["code"], 503);
    let expired = seen + OUTAGE_CACHE + Duration::from_millis(500);
    tokio::time::sleep(expired.saturating_duration_since(std::time::Instant::now())).await;
    let r = get(&outage, "/v2/zones", Some(&rita)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    let r = get(&outage, "/v2/zones", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "no token is still 401");
}

#[tokio::test]
async fn expired_tokens_are_refused_despite_a_long_cache_time() {
    // Tokens (ours included) live 15 s; the cache would keep validations for 300 s.
    const LIFETIME: Duration = Duration::from_secs(15);
    let keystone = Keystone::start(LIFETIME.as_secs()).await;
    let api = api_for(&keystone, Duration::from_secs(300)).await;
    let token = keystone.persona("alice").await;
    // Keystone issued the token before it answered, so it expires by now + LIFETIME (taking
    // the instant before the request would under-wait when Keystone is slow to answer).
    let issued = std::time::Instant::now();
    assert_eq!(
        get(&api, "/v2/zones", Some(&token)).await.status,
        StatusCode::OK
    );
    tokio::time::sleep((issued + LIFETIME + Duration::from_secs(1)) - std::time::Instant::now())
        .await;
    assert_unauthorized(&get(&api, "/v2/zones", Some(&token)).await, &keystone);
    // Our own service token expired as well: it is renewed and new tokens validate.
    let token = keystone.persona("rita").await;
    let r = get(&api, "/v2/zones", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
