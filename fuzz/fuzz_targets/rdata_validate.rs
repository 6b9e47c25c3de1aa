//! `designate_core::rdata::validate` on arbitrary data for every record type (and a few names
//! that are not supported types).
//!
//! Input: the first byte picks the type, the rest (as UTF-8, lossily) is the datum.
//! Checks: no panic; accepted data is returned unchanged (but for TLSA's parenthesised form,
//! joined into one line), holds no control character, fits the
//! wire limit, and validates again to itself; `validate_records` agrees with `validate` for an
//! ordinary owner and is at most stricter for a `_dns` owner (where SVCB has an extra rule).
#![no_main]

use designate_core::rdata::{self, MAX_DATA_LEN, SUPPORTED_TYPES};
use libfuzzer_sys::fuzz_target;

/// Types outside the supported list, which must always be refused (six of them, so the first
/// byte of the seeds keeps picking the same type).
const UNSUPPORTED: &[&str] = &["a", "DNAME", "svcb", "ANY", "", "TXT "];

fuzz_target!(|input: &[u8]| {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let index = usize::from(pick) % (SUPPORTED_TYPES.len() + UNSUPPORTED.len());
    let rtype = SUPPORTED_TYPES
        .get(index)
        .copied()
        .unwrap_or_else(|| UNSUPPORTED[index - SUPPORTED_TYPES.len()]);
    let data = String::from_utf8_lossy(data);
    let result = rdata::validate(rtype, &data);
    let many = rdata::validate_records(rtype, "www.example.org.", &[data.as_ref()]);
    assert_eq!(
        result.is_ok(),
        many.is_ok(),
        "validate and validate_records disagree"
    );
    let dns_owner = rdata::validate_records(rtype, "_dns.ns1.example.org.", &[data.as_ref()]);
    assert!(
        result.is_ok() || dns_owner.is_err(),
        "validate_records for a _dns owner accepted what validate refuses"
    );
    if !rdata::is_supported(rtype) {
        assert!(result.is_err(), "unsupported type {rtype:?} accepted");
        return;
    }
    let Ok(stored) = result else {
        return;
    };
    if rtype == "TLSA" && data.contains('(') {
        // The one rewrite: TLSA's parenthesised multi-line form becomes one line (upstream's
        // TLSA parser does the same); what it becomes must stand as it is (checked below).
        assert!(!stored.contains(['(', ')']), "TLSA kept its parentheses");
    } else {
        assert_eq!(stored, data, "accepted data was changed");
    }
    assert!(
        !stored.chars().any(char::is_control),
        "accepted data with a control character: {stored:?}"
    );
    assert!(!stored.is_empty() && stored.len() <= MAX_DATA_LEN);
    assert_eq!(
        rdata::validate(rtype, &stored).ok().as_deref(),
        Some(stored.as_str())
    );
});
