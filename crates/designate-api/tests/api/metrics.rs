//! `GET /metrics`: real requests are counted by method, route template and status, timed, and
//! scraped over real HTTP in Prometheus' text format.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::start;

/// The value of the sample line starting with `series` (`name{labels}`), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test]
async fn requests_are_counted_by_route_and_status() {
    let api = start().await;
    let zone = api.zone("metrics.example.org.").await;
    let zone_id = zone["id"].as_str().unwrap();
    for _ in 0..3 {
        let r = api.get(&format!("/v2/zones/{zone_id}/recordsets")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let missing = api
        .get("/v2/zones/7e8f3a4c-1d2b-4c5d-8e9f-0a1b2c3d4e5f")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = api.post("/v2/zones", json!({"name": "no-dot"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.get("/no/such/path").await.status, StatusCode::NOT_FOUND);

    // No token needed, plain text in the exposition format.
    let r = api.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let content_type = r.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = &r.text;
    assert!(
        text.contains("# TYPE designate_api_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE designate_api_request_duration_seconds histogram"),
        "{text}"
    );
    let count = |method: &str, route: &str, status: u16| {
        sample(
            text,
            &format!(
                "designate_api_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(count("POST", "/v2/zones", 202), Some(1.0), "{text}");
    assert_eq!(count("POST", "/v2/zones", 400), Some(1.0), "{text}");
    assert_eq!(
        count("GET", "/v2/zones/{zone_id}/recordsets", 200),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        count("GET", "/v2/zones/{zone_id}", 404),
        Some(1.0),
        "{text}"
    );
    assert_eq!(count("GET", "unmatched", 404), Some(1.0), "{text}");
    // Raw ids never become labels.
    assert!(!text.contains(zone_id), "{text}");
    // The latency histogram counted the same requests.
    assert_eq!(
        sample(
            text,
            "designate_api_request_duration_seconds_count{method=\"GET\",route=\"/v2/zones/{zone_id}/recordsets\"}"
        ),
        Some(3.0),
        "{text}"
    );

    // The scrape itself is counted for the next one.
    let again = api.get("/metrics").await;
    assert_eq!(
        sample(
            &again.text,
            "designate_api_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"
        ),
        Some(1.0),
        "{}",
        again.text
    );
}
