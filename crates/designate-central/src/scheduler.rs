//! Zone placement: upstream's pool scheduler (`designate/scheduler/`). The filters named in
//! `[service:central] scheduler_filters` run in order over every stored pool, each narrowing the
//! candidates by the new zone's attributes; exactly one pool must remain. Pure: the caller
//! passes the stored pools.
//!
//! Filters (upstream's names and semantics):
//! - `attribute`: keeps pools without attributes (besides `pool_id`), and pools having every
//!   attribute key the zone asks for with an equal value (`true`/`yes`/`1`… and
//!   `false`/`no`/`0`… compare as booleans, as oslo's `bool_from_string`). `pool_id` is left
//!   out on both sides: it is `pool_id_attribute`'s hint. (Upstream leaves it out of the pool's
//!   attributes only, so there a zone asking for a pool id never matches a pool that has other
//!   attributes — evidently not the intent of its own comment, and it would make the default
//!   filter set ignore `pool_id` for such pools.)
//! - `pool_id_attribute`: a zone attribute `pool_id` naming a stored pool that is still a
//!   candidate leaves only that pool; naming no stored pool leaves none; otherwise no change.
//!   (Upstream checks the `zone_create_forced_pool` policy here; the API checks it before the
//!   call reaches central.)
//! - `in_doubt_default_pool`: with several candidates one of which is the default pool, keeps
//!   only the default pool.
//! - `default_pool`: always the default pool.
//! - `fallback`: no candidate left → the default pool.
//! - `random`: several candidates → one of them at random.

use std::collections::BTreeMap;
use std::str::FromStr;

use designate_core::objects::Pool;
use designate_core::{DesignateError, ErrorKind, Result};
use uuid::Uuid;

/// One scheduler filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerFilter {
    /// `attribute`.
    Attribute,
    /// `pool_id_attribute`.
    PoolIdAttribute,
    /// `in_doubt_default_pool`.
    InDoubtDefaultPool,
    /// `default_pool`.
    DefaultPool,
    /// `fallback`.
    Fallback,
    /// `random`.
    Random,
}

impl FromStr for SchedulerFilter {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.trim() {
            "attribute" => Self::Attribute,
            "pool_id_attribute" => Self::PoolIdAttribute,
            "in_doubt_default_pool" => Self::InDoubtDefaultPool,
            "default_pool" => Self::DefaultPool,
            "fallback" => Self::Fallback,
            "random" => Self::Random,
            other => {
                return Err(format!(
                "unknown scheduler filter {other:?} (attribute, pool_id_attribute, in_doubt_default_pool, default_pool, fallback, random)"
            ))
            }
        })
    }
}

/// Our default `scheduler_filters`. Upstream's code default is `default_pool` alone, which
/// ignores every placement hint; we default to the set upstream's devstack documents
/// (`attribute, pool_id_attribute, in_doubt_default_pool`), so that `attributes: {"pool_id": …}`
/// places a zone without extra configuration, while zones without hints still land in the
/// default pool.
pub const DEFAULT_FILTERS: &[SchedulerFilter] = &[
    SchedulerFilter::Attribute,
    SchedulerFilter::PoolIdAttribute,
    SchedulerFilter::InDoubtDefaultPool,
];

/// oslo's `bool_from_string(value, default=value)`: a recognised boolean word, else the text.
#[derive(PartialEq, Eq)]
enum Hint<'a> {
    Bool(bool),
    Text(&'a str),
}

fn hint(value: &str) -> Hint<'_> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Hint::Bool(true),
        "0" | "f" | "false" | "off" | "n" | "no" => Hint::Bool(false),
        _ => Hint::Text(value),
    }
}

fn attribute_match(pool: &Pool, wanted: &BTreeMap<String, String>) -> bool {
    let offered: BTreeMap<&str, &str> = pool
        .attributes
        .iter()
        .filter(|a| a.key != "pool_id")
        .map(|a| (a.key.as_str(), a.value.as_str()))
        .collect();
    if offered.is_empty() {
        return true;
    }
    wanted
        .iter()
        .filter(|(key, _)| *key != "pool_id")
        .all(|(key, value)| {
            offered
                .get(key.as_str())
                .is_some_and(|have| hint(have) == hint(value))
        })
}

/// The pool a new zone with `attributes` goes to.
///
/// # Errors
/// `no_filters_configured` (no filter), `no_valid_pool_found` (none left),
/// `multiple_pools_found` (several left).
pub fn schedule(
    filters: &[SchedulerFilter],
    pools: Vec<Pool>,
    attributes: &BTreeMap<String, String>,
    default_pool_id: Uuid,
) -> Result<Uuid> {
    if filters.is_empty() {
        return Err(DesignateError::new(
            ErrorKind::NoFiltersConfigured,
            "There are no scheduling filters configured",
        ));
    }
    let stored: Vec<Uuid> = pools.iter().map(|p| p.id).collect();
    let mut candidates: Vec<Pool> = pools;
    // `default_pool` / `fallback` name the default pool by id, stored or not (as upstream).
    let default_only = |candidates: &mut Vec<Pool>, all: &[Pool]| {
        let pool = all
            .iter()
            .find(|p| p.id == default_pool_id)
            .cloned()
            .unwrap_or_else(|| Pool {
                id: default_pool_id,
                ..placeholder_pool()
            });
        *candidates = vec![pool];
    };
    let all = candidates.clone();
    for filter in filters {
        match filter {
            SchedulerFilter::Attribute => candidates.retain(|p| attribute_match(p, attributes)),
            SchedulerFilter::PoolIdAttribute => {
                if let Some(wanted) = attributes.get("pool_id").filter(|v| !v.is_empty()) {
                    match Uuid::parse_str(wanted.trim())
                        .ok()
                        .filter(|id| stored.contains(id))
                    {
                        None => candidates.clear(),
                        Some(id) => {
                            if candidates.iter().any(|p| p.id == id) {
                                candidates.retain(|p| p.id == id);
                            }
                        }
                    }
                }
            }
            SchedulerFilter::InDoubtDefaultPool => {
                if candidates.len() > 1 && candidates.iter().any(|p| p.id == default_pool_id) {
                    candidates.retain(|p| p.id == default_pool_id);
                }
            }
            SchedulerFilter::DefaultPool => default_only(&mut candidates, &all),
            SchedulerFilter::Fallback => {
                if candidates.is_empty() {
                    default_only(&mut candidates, &all);
                }
            }
            SchedulerFilter::Random => {
                if candidates.len() > 1 {
                    let pick = rand::random::<u64>() as usize % candidates.len();
                    let chosen = candidates.swap_remove(pick);
                    candidates = vec![chosen];
                }
            }
        }
    }
    match candidates.as_slice() {
        [one] => Ok(one.id),
        [] => Err(DesignateError::new(
            ErrorKind::NoValidPoolFound,
            "There are no pools that matched your request",
        )),
        _ => Err(DesignateError::new(
            ErrorKind::MultiplePoolsFound,
            "Multiple pools found",
        )),
    }
}

fn placeholder_pool() -> Pool {
    Pool {
        id: Uuid::nil(),
        name: String::new(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: Vec::new(),
        nameservers: Vec::new(),
        targets: Vec::new(),
        also_notifies: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use designate_core::objects::PoolAttribute;

    use super::*;
    use SchedulerFilter::*;

    fn pool(id: u128, attrs: &[(&str, &str)]) -> Pool {
        Pool {
            id: Uuid::from_u128(id),
            attributes: attrs
                .iter()
                .map(|(k, v)| PoolAttribute {
                    key: (*k).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
            ..placeholder_pool()
        }
    }

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const DEFAULT: u128 = 1;

    fn pools() -> Vec<Pool> {
        vec![
            pool(DEFAULT, &[]),
            pool(2, &[("pool_level", "gold"), ("fast_ttl", "true")]),
            pool(3, &[("pool_level", "silver"), ("fast_ttl", "False")]),
        ]
    }

    fn run(
        filters: &[SchedulerFilter],
        hints: &[(&str, &str)],
    ) -> std::result::Result<u128, ErrorKind> {
        schedule(filters, pools(), &attrs(hints), Uuid::from_u128(DEFAULT))
            .map(|id| id.as_u128())
            .map_err(|e| e.kind)
    }

    #[test]
    fn default_filters_place_by_pool_id_else_default() {
        assert_eq!(run(DEFAULT_FILTERS, &[]), Ok(DEFAULT));
        // The hint of a pool with attributes leaves it and the attribute-less default pool;
        // in doubt, the default pool.
        assert_eq!(run(DEFAULT_FILTERS, &[("pool_level", "gold")]), Ok(DEFAULT));
        assert_eq!(
            run(
                &[Attribute, PoolIdAttribute],
                &[("pool_level", "gold"), ("fast_ttl", "yes")]
            ),
            Err(ErrorKind::MultiplePoolsFound)
        );
        let forced = Uuid::from_u128(3).to_string();
        assert_eq!(run(DEFAULT_FILTERS, &[("pool_id", &forced)]), Ok(3));
        // With other hints the forced pool must still match them.
        assert_eq!(
            run(
                DEFAULT_FILTERS,
                &[("pool_id", &forced), ("pool_level", "gold")]
            ),
            Ok(DEFAULT)
        );
        // A pool id no pool has: nothing left.
        let unknown = Uuid::from_u128(9).to_string();
        assert_eq!(
            run(DEFAULT_FILTERS, &[("pool_id", &unknown)]),
            Err(ErrorKind::NoValidPoolFound)
        );
        assert_eq!(
            run(DEFAULT_FILTERS, &[("pool_id", "not-a-uuid")]),
            Err(ErrorKind::NoValidPoolFound)
        );
    }

    #[test]
    fn attribute_filter_compares_booleans_loosely_and_needs_every_key() {
        let only_attributed = |hints: &[(&str, &str)]| {
            let mut list: Vec<Pool> = pools().into_iter().skip(1).collect();
            list.retain(|p| attribute_match(p, &attrs(hints)));
            list.iter().map(|p| p.id.as_u128()).collect::<Vec<_>>()
        };
        assert_eq!(only_attributed(&[("fast_ttl", "1")]), [2]);
        assert_eq!(only_attributed(&[("fast_ttl", "no")]), [3]);
        assert_eq!(
            only_attributed(&[("pool_level", "Gold")]),
            Vec::<u128>::new()
        );
        assert_eq!(only_attributed(&[("pops", "global")]), Vec::<u128>::new());
        assert_eq!(only_attributed(&[]), [2, 3]);
    }

    #[test]
    fn default_pool_fallback_random_and_no_filters() {
        let gold = &[("pool_level", "gold"), ("fast_ttl", "true")][..];
        assert_eq!(run(&[DefaultPool], gold), Ok(DEFAULT));
        assert_eq!(run(&[Attribute, Fallback], &[("pops", "x")]), Ok(DEFAULT));
        let picked = run(&[Attribute, Random], &[]).unwrap();
        assert!([1, 2, 3].contains(&picked));
        assert_eq!(run(&[], &[]), Err(ErrorKind::NoFiltersConfigured));
    }
}
