//! Keystone over https (gunicorn `--certfile` / `--keyfile`, certificates made by the test):
//! `cafile` trusted, an unknown CA refused (`503`, never an open door, with the certificate
//! problem in the error), `insecure`, and a Keystone that requires our client certificate
//! (`certfile` / `keyfile`).

use std::time::Duration;

use designate_api::auth::AuthError;
use designate_api::{ApiConfig, AuthStrategy, KeystoneConfig, KeystoneTls};
use reqwest::{Method, StatusCode};

use crate::common::{start_with, Api};
use crate::harness::{HttpsServer, Keystone, TestPki};

fn authtoken(keystone: &Keystone, tls: KeystoneTls) -> KeystoneConfig {
    KeystoneConfig {
        tls,
        ..keystone.authtoken(Duration::from_secs(300))
    }
}

async fn api(keystone: &Keystone, tls: KeystoneTls) -> Api {
    start_with(ApiConfig {
        auth: AuthStrategy::Keystone(Box::new(authtoken(keystone, tls))),
        ..ApiConfig::default()
    })
    .await
}

async fn zones(api: &Api, token: &str) -> StatusCode {
    api.call(Method::GET, "/v2/zones", None, &[("x-auth-token", token)])
        .await
        .status
}

/// What the API logs for a `503`: the validation's error.
async fn unavailable_reason(keystone: &Keystone, tls: KeystoneTls, token: &str) -> String {
    match designate_api::auth::KeystoneAuth::new(authtoken(keystone, tls))
        .validate(token)
        .await
    {
        Err(AuthError::Unavailable(reason)) => reason,
        other => panic!("expected keystone to be unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn cafile_trusts_keystone_an_unknown_ca_is_refused_insecure_skips_checks() {
    let pki = TestPki::generate();
    let keystone = Keystone::start_https(
        3600,
        HttpsServer {
            pki: &pki,
            require_client_cert: false,
        },
    )
    .await;
    assert!(keystone.url.starts_with("https://127.0.0.1:"));
    let token = keystone.persona("alice").await;

    let trusted = KeystoneTls::load(Some(&pki.ca), false, None, None).expect("cafile");
    assert_eq!(
        zones(&api(&keystone, trusted).await, &token).await,
        StatusCode::OK
    );

    // The system's CAs do not know the test CA, nor does a bundle of another CA (of the same
    // name: its signature does not match): 503, and the error says why.
    let other = TestPki::generate();
    for (tls, why) in [
        (KeystoneTls::default(), "UnknownIssuer"),
        (
            KeystoneTls::load(Some(&other.ca), false, None, None).expect("other cafile"),
            "BadSignature",
        ),
    ] {
        assert_eq!(
            zones(&api(&keystone, tls.clone()).await, &token).await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let reason = unavailable_reason(&keystone, tls, &token).await;
        assert!(
            reason.contains("invalid peer certificate") && reason.contains(why),
            "{reason}"
        );
    }

    let insecure = KeystoneTls::load(None, true, None, None).expect("insecure");
    assert_eq!(
        zones(&api(&keystone, insecure).await, &token).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn client_certificate_from_certfile_and_keyfile() {
    let pki = TestPki::generate();
    let keystone = Keystone::start_https(
        3600,
        HttpsServer {
            pki: &pki,
            require_client_cert: true,
        },
    )
    .await;
    let token = keystone.persona("rita").await;

    let with_cert = KeystoneTls::load(
        Some(&pki.ca),
        false,
        Some(&pki.client_cert),
        Some(&pki.client_key),
    )
    .expect("client certificate");
    assert_eq!(
        zones(&api(&keystone, with_cert).await, &token).await,
        StatusCode::OK
    );

    // certfile alone may hold the key too.
    let combined = pki.dir().join("combined.pem");
    let mut both = std::fs::read(&pki.client_cert).expect("cert");
    both.extend(std::fs::read(&pki.client_key).expect("key"));
    std::fs::write(&combined, both).expect("write combined");
    let combined =
        KeystoneTls::load(Some(&pki.ca), false, Some(&combined), None).expect("combined");
    assert_eq!(
        zones(&api(&keystone, combined).await, &token).await,
        StatusCode::OK
    );

    // Without it Keystone's TLS server refuses us: 503.
    let without = KeystoneTls::load(Some(&pki.ca), false, None, None).expect("cafile");
    assert_eq!(
        zones(&api(&keystone, without).await, &token).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
