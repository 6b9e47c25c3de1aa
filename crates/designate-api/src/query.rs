//! The one pagination/filter helper: turns a list request's query string into [`Page`] and
//! [`Criteria`], with upstream's validation (`utils.get_paging_params` and
//! `RestController._apply_filter_params`), and builds the `links` of a list body.
//!
//! Also holds the small form-urlencoding codec both directions need (decode the query, re-encode
//! it into `links.self` / `links.next` as Python's `urlencode` does).

use designate_core::criteria::{Criteria, Filter, Listing, Page, SortDir};
use designate_core::{DesignateError, ErrorKind};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::context::CONTEXT_PARAMS;
use crate::error::ApiError;
use crate::ApiConfig;

/// The paging keys, consumed before filters are looked at.
const PAGING_PARAMS: &[&str] = &["marker", "limit", "sort_key", "sort_dir"];

/// What one list resource accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListSpec {
    /// Allowed `sort_key` values (upstream's `SORT_KEYS` of the controller).
    pub(crate) sort_keys: &'static [&'static str],
    /// Allowed filters, each mapped to the storage column it filters.
    pub(crate) filters: &'static [(&'static str, &'static str)],
}

/// A validated list request.
#[derive(Debug, Clone)]
pub(crate) struct ListRequest {
    /// Page to fetch.
    pub(crate) page: Page,
    /// Filters to apply.
    pub(crate) criteria: Criteria,
    /// The query pairs that go back into links (context switches removed).
    pub(crate) link_params: Vec<(String, String)>,
}

impl ListRequest {
    /// Validates `query` against `spec`.
    ///
    /// # Errors
    /// `invalid_limit`, `invalid_marker`, `invalid_sort_dir`, `invalid_sort_key`, or `bad_request`
    /// for duplicate or unknown filters — upstream's messages.
    pub(crate) fn parse(
        query: Option<&str>,
        spec: ListSpec,
        config: &ApiConfig,
        all_projects: bool,
    ) -> Result<Self, ApiError> {
        let link_params: Vec<(String, String)> = parse_pairs(query.unwrap_or(""))
            .into_iter()
            .filter(|(k, _)| !CONTEXT_PARAMS.contains(&k.as_str()))
            .collect();
        let last = |name: &str| {
            link_params
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };

        let mut page = Page {
            limit: Some(parse_limit(last("limit"), config)?),
            ..Page::default()
        };
        if let Some(marker) = last("marker") {
            page.marker = Some(
                Uuid::parse_str(marker)
                    .map_err(|_| ApiError::new(ErrorKind::InvalidMarker, "Invalid marker"))?,
            );
        }
        if let Some(dir) = last("sort_dir") {
            page.sort_dir = match dir {
                "asc" => SortDir::Asc,
                "desc" => SortDir::Desc,
                _ => {
                    return Err(ApiError::new(
                        ErrorKind::InvalidSortDir,
                        "Unknown sort direction, must be 'desc' or 'asc'",
                    ))
                }
            };
        }
        if let Some(key) = last("sort_key") {
            if !spec.sort_keys.contains(&key) {
                let keys: Vec<String> = spec.sort_keys.iter().map(|k| format!("'{k}'")).collect();
                return Err(ApiError::new(
                    ErrorKind::InvalidSortKey,
                    format!("sort key must be one of [{}]", keys.join(", ")),
                ));
            }
            // Upstream silently drops a tenant sort unless the caller sees every project.
            if key != "tenant_id" || all_projects {
                page.sort_key = key.to_owned();
            }
        }

        let criteria = parse_filters(&link_params, spec)?;
        Ok(Self {
            page,
            criteria,
            link_params,
        })
    }

    /// Maps a failed listing: the only thing a listing can fail to find is its marker, which
    /// upstream reports as `400 marker_not_found` (storage may only say "not found").
    pub(crate) fn listing_error(&self, e: DesignateError) -> ApiError {
        match self.page.marker {
            Some(marker) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::MarkerNotFound) => {
                ApiError::new(
                    ErrorKind::MarkerNotFound,
                    format!("Marker {marker} could not be found"),
                )
            }
            _ => e.into(),
        }
    }
}

/// Upstream's limit rule: default when absent, `max` means the configured maximum, otherwise an
/// integer in 1..=max.
fn parse_limit(value: Option<&str>, config: &ApiConfig) -> Result<u32, ApiError> {
    let Some(value) = value else {
        return Ok(config.default_limit);
    };
    if value.eq_ignore_ascii_case("max") {
        return Ok(config.max_limit);
    }
    let invalid = || {
        ApiError::new(
            ErrorKind::InvalidLimit,
            format!(
                "limit should be an integer between 1 and {}",
                config.max_limit
            ),
        )
    };
    match value.trim().parse::<i64>() {
        Ok(n) if n >= 1 && n <= i64::from(config.max_limit) => {
            u32::try_from(n).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

fn parse_filters(params: &[(String, String)], spec: ListSpec) -> Result<Criteria, ApiError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut duplicate: Vec<&str> = Vec::new();
    let mut invalid: Vec<&str> = Vec::new();
    let mut criteria = Criteria::new();
    for (key, value) in params {
        let key = key.as_str();
        if PAGING_PARAMS.contains(&key) {
            continue;
        }
        if seen.contains(&key) {
            if !duplicate.contains(&key) {
                duplicate.push(key);
            }
            continue;
        }
        seen.push(key);
        match spec.filters.iter().find(|(name, _)| *name == key) {
            Some((_, column)) => criteria = criteria.with(column, Filter::from_api_value(value)),
            None => invalid.push(key),
        }
    }
    if !duplicate.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Duplicate filters {}",
            duplicate.join(", ")
        )));
    }
    if !invalid.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Invalid filters {}",
            invalid.join(", ")
        )));
    }
    Ok(criteria)
}

/// The `links` object of a list body: `self` always, `next` when the page came back full
/// (upstream's rule, which also yields a `next` on a last page that happens to be full).
pub(crate) fn collection_links(
    base: &str,
    collection_path: &str,
    request: &ListRequest,
    last_id_if_full: Option<Uuid>,
) -> Value {
    let href = |params: &[(String, String)]| {
        let query = encode_pairs(params);
        if query.is_empty() {
            format!("{base}{collection_path}")
        } else {
            format!("{base}{collection_path}?{query}")
        }
    };
    let mut links = json!({ "self": href(&request.link_params) });
    if let Some(last) = last_id_if_full {
        let mut params: Vec<(String, String)> = request
            .link_params
            .iter()
            .filter(|(k, _)| k != "marker")
            .cloned()
            .collect();
        params.push(("marker".to_owned(), last.to_string()));
        links["next"] = json!(href(&params));
    }
    links
}

impl ListRequest {
    /// The marker of the next page: the last item's id when the page came back full (upstream
    /// links a `next` page by that rule alone).
    pub(crate) fn next_marker<T>(&self, items: &[T], id: impl Fn(&T) -> Uuid) -> Option<Uuid> {
        let full = self.page.limit.is_some_and(|l| l as usize == items.len());
        items.last().map(id).filter(|_| full)
    }
}

/// One page of a collection as upstream renders it: `{key: [...], "links": {...},
/// "metadata": {"total_count": n}}`, each item rendered by `render`.
pub(crate) fn collection_body<T>(
    key: &str,
    base: &str,
    collection_path: &str,
    request: &ListRequest,
    listing: &Listing<T>,
    id: impl Fn(&T) -> Uuid,
    render: impl Fn(&T) -> Value,
) -> Value {
    let items: Vec<Value> = listing.items.iter().map(render).collect();
    let next = request.next_marker(&listing.items, id);
    json!({
        key: items,
        "links": collection_links(base, collection_path, request, next),
        "metadata": { "total_count": listing.total_count },
    })
}

/// Decodes an `application/x-www-form-urlencoded` query into pairs, keeping blanks and order.
pub(crate) fn parse_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `urlencode` (quote_plus): unreserved bytes kept, space as `+`, the rest `%XX`.
fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        sort_keys: &["created_at", "id", "name", "tenant_id"],
        filters: &[("name", "name"), ("type", "type")],
    };

    fn parse(q: &str) -> Result<ListRequest, ApiError> {
        ListRequest::parse(Some(q), SPEC, &ApiConfig::default(), false)
    }

    fn kind(q: &str) -> String {
        parse(q).unwrap_err().error_type.into_owned()
    }

    #[test]
    fn codec_round_trips() {
        assert_eq!(
            parse_pairs("name=*.example.org.&x=a+b%2Fc&flag&bad=%zz%"),
            vec![
                ("name".into(), "*.example.org.".into()),
                ("x".into(), "a b/c".into()),
                ("flag".into(), "".into()),
                ("bad".into(), "%zz%".into()),
            ]
        );
        assert_eq!(encode("*.ex ample/é"), "%2A.ex+ample%2F%C3%A9");
    }

    #[test]
    fn limits() {
        assert_eq!(parse("").unwrap().page.limit, Some(20));
        assert_eq!(parse("limit=max").unwrap().page.limit, Some(1000));
        assert_eq!(parse("limit=5").unwrap().page.limit, Some(5));
        for bad in [
            "limit=0",
            "limit=-1",
            "limit=abc",
            "limit=1001",
            "limit=99999999999999999999",
        ] {
            assert_eq!(kind(bad), "invalid_limit", "{bad}");
        }
    }

    #[test]
    fn marker_sort_and_filters() {
        assert_eq!(kind("marker=nope"), "invalid_marker");
        assert_eq!(kind("sort_dir=up"), "invalid_sort_dir");
        assert_eq!(kind("sort_key=email"), "invalid_sort_key");
        assert_eq!(kind("name=a&name=b"), "bad_request");
        assert_eq!(kind("colour=red"), "bad_request");
        let r = parse("sort_key=name&sort_dir=desc&name=*.org.&type=PRIMARY").unwrap();
        assert_eq!(r.page.sort_key, "name");
        assert_eq!(r.page.sort_dir, SortDir::Desc);
        assert_eq!(
            r.criteria.0,
            vec![
                ("name".to_owned(), Filter::Wildcard("*.org.".into())),
                ("type".to_owned(), Filter::Eq("PRIMARY".into()))
            ]
        );
        // tenant sort is dropped unless all projects are visible
        assert_eq!(
            parse("sort_key=tenant_id").unwrap().page.sort_key,
            "created_at"
        );
    }

    #[test]
    fn links_replace_marker_and_drop_context_params() {
        let r =
            parse("limit=2&marker=6a0b9b8e-6b0b-4a7e-9d5c-0c1b7a0e6f11&all_projects=1").unwrap();
        let last = Uuid::nil();
        let links = collection_links("http://h", "/v2/zones", &r, Some(last));
        assert_eq!(
            links["self"],
            "http://h/v2/zones?limit=2&marker=6a0b9b8e-6b0b-4a7e-9d5c-0c1b7a0e6f11"
        );
        assert_eq!(
            links["next"],
            format!("http://h/v2/zones?limit=2&marker={last}")
        );
        let links = collection_links("http://h", "/v2/zones", &parse("").unwrap(), None);
        assert_eq!(links, json!({"self": "http://h/v2/zones"}));
    }
}
