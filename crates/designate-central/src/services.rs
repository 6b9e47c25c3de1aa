//! Service statuses (the roles' heartbeats, upstream's `service_statuses`) as the API reads
//! them, and the health probe behind `/healthcheck`.
//!
//! The table holds one row per (service, host), a handful in any deployment, so filters, sort
//! and marker pagination are applied here over the whole table rather than in SQL.

use std::cmp::Ordering;

use designate_core::criteria::{Criteria, Filter, Listing, Page, SortDir};
use designate_core::objects::ServiceStatus;
use designate_core::{DesignateError, ErrorKind, Result};

use crate::{errors, txn, Central};

impl Central {
    /// Heartbeat rows matching `criteria`, one page.
    pub(crate) async fn services_find(
        &self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<ServiceStatus>> {
        let mut tx = txn::begin_read(&*self.storage).await?;
        let rows = tx
            .find_service_statuses()
            .await
            .map_err(errors::from_storage)?;
        drop(tx);
        select(rows, criteria, page)
    }

    /// Reads the store once: proves a connection can be had and a query answered.
    pub(crate) async fn services_ping(&self) -> Result<()> {
        let probe = async {
            let mut tx = txn::begin_read(&*self.storage).await?;
            tx.find_service_statuses()
                .await
                .map_err(errors::from_storage)?;
            Ok::<(), DesignateError>(())
        };
        probe.await.map_err(|e| {
            DesignateError::new(
                ErrorKind::ServiceUnavailable,
                format!("database unreachable: {}", e.message),
            )
        })
    }
}

/// The text value of `column` in `row`, for filtering (`None` is SQL NULL).
fn column(row: &ServiceStatus, column: &str) -> Option<String> {
    match column {
        "id" => Some(row.id.to_string()),
        "service_name" => Some(row.service_name.clone()),
        "hostname" => Some(row.hostname.clone()),
        "status" => Some(row.status.clone()),
        _ => None,
    }
}

/// Upstream's `*` wildcard: `*` is any run of characters, everything else literal.
fn wildcard(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return value.is_empty();
    };
    let Some(mut remaining) = value.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

fn matches(row: &ServiceStatus, criteria: &Criteria) -> bool {
    criteria.0.iter().all(|(name, filter)| {
        let value = column(row, name);
        match filter {
            Filter::Eq(v) => value.as_deref() == Some(v.as_str()),
            Filter::Ne(v) => value.as_deref() != Some(v.as_str()),
            Filter::Wildcard(p) => value.is_some_and(|v| wildcard(p, &v)),
            Filter::IsNull => value.is_none(),
        }
    })
}

/// Orders by `key` (upstream's allowed sort keys for service statuses), then by id so that
/// marker pagination is stable.
fn compare(a: &ServiceStatus, b: &ServiceStatus, key: &str) -> Ordering {
    let primary = match key {
        "id" => Ordering::Equal,
        "updated_at" => a.updated_at.cmp(&b.updated_at),
        "hostname" => a.hostname.cmp(&b.hostname),
        "service_name" => a.service_name.cmp(&b.service_name),
        "status" => a.status.cmp(&b.status),
        _ => a.created_at.cmp(&b.created_at),
    };
    primary.then_with(|| a.id.cmp(&b.id))
}

/// Filters, sorts and pages `rows`.
fn select(
    mut rows: Vec<ServiceStatus>,
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<ServiceStatus>> {
    rows.retain(|row| matches(row, criteria));
    rows.sort_by(|a, b| {
        let order = compare(a, b, &page.sort_key);
        match page.sort_dir {
            SortDir::Asc => order,
            SortDir::Desc => order.reverse(),
        }
    });
    let total_count = rows.len() as u64;
    let start = match page.marker {
        None => 0,
        Some(marker) => match rows.iter().position(|r| r.id == marker) {
            Some(at) => at + 1,
            None => {
                return Err(DesignateError::new(
                    ErrorKind::MarkerNotFound,
                    format!("Marker {marker} could not be found"),
                ))
            }
        },
    };
    let items: Vec<ServiceStatus> = rows
        .into_iter()
        .skip(start)
        .take(page.limit.map_or(usize::MAX, |l| l as usize))
        .collect();
    Ok(Listing { items, total_count })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn row(n: u128, service: &str, host: &str, status: &str) -> ServiceStatus {
        let at = chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 0)
            .unwrap()
            .naive_utc();
        ServiceStatus {
            id: Uuid::from_u128(n),
            service_name: service.into(),
            hostname: host.into(),
            heartbeated_at: Some(at),
            status: status.into(),
            stats: serde_json::json!({}),
            capabilities: serde_json::json!({}),
            created_at: at,
            updated_at: None,
        }
    }

    fn ids(listing: &Listing<ServiceStatus>) -> Vec<u128> {
        listing.items.iter().map(|r| r.id.as_u128()).collect()
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("work*", "worker"));
        assert!(wildcard("*er", "worker"));
        assert!(wildcard("w*k*r", "worker"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("w*x", "worker"));
        assert!(!wildcard("worker", "workers"));
        assert!(!wildcard("a*a", "a"));
    }

    #[test]
    fn filter_sort_and_page() {
        let rows = vec![
            row(3, "worker", "h2", "UP"),
            row(1, "api", "h1", "UP"),
            row(2, "central", "h1", "STOPPED"),
        ];
        let all = select(rows.clone(), &Criteria::new(), &Page::default()).unwrap();
        assert_eq!((ids(&all), all.total_count), (vec![1, 2, 3], 3));

        let up = select(
            rows.clone(),
            &Criteria::new().eq("status", "UP"),
            &Page::default(),
        );
        assert_eq!(ids(&up.unwrap()), vec![1, 3]);
        let h1 = Criteria::new().with("hostname", Filter::Wildcard("h*1".into()));
        assert_eq!(
            ids(&select(rows.clone(), &h1, &Page::default()).unwrap()),
            vec![1, 2]
        );

        let page = Page {
            limit: Some(1),
            marker: Some(Uuid::from_u128(3)),
            sort_key: "service_name".into(),
            sort_dir: SortDir::Desc,
        };
        let second = select(rows.clone(), &Criteria::new(), &page).unwrap();
        assert_eq!((ids(&second), second.total_count), (vec![2], 3));

        let lost = Page {
            marker: Some(Uuid::from_u128(9)),
            ..Page::default()
        };
        let e = select(rows, &Criteria::new(), &lost).unwrap_err();
        assert_eq!(e.kind, ErrorKind::MarkerNotFound);
    }
}
