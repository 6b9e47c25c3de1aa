//! `designate_core::zonefile::parse_with_limits` (what `parse` calls) on arbitrary text, with and without a given origin.
//!
//! Checks: no panic; when a file parses, rendering the result and parsing that again gives the
//! same zone name and recordsets, and every record datum passes `rdata::validate`.
#![no_main]

use designate_core::zonefile::ParseLimits;
use designate_core::{rdata, zonefile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&pick, text)) = input.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let origin = (pick & 1 == 1).then_some("example.org.");
    // The default limits (32 MiB, 250,000 records) make single inputs take seconds under the
    // sanitizer; smaller ones reach the same code and keep the fuzzer fast.
    let limits = ParseLimits {
        max_bytes: 1 << 20,
        max_records: 20_000,
    };
    let Ok(zone) = zonefile::parse_with_limits(&text, origin, limits) else {
        return;
    };
    for set in &zone.recordsets {
        for data in &set.records {
            assert!(
                rdata::validate(&set.rtype, data).is_ok(),
                "parse produced data validate refuses: {} {data:?}",
                set.rtype
            );
        }
    }
    let default_ttl = zone.default_ttl.unwrap_or(zone.soa_ttl);
    let rendered = zonefile::render(&zone.name, default_ttl, &zone.recordsets);
    let again = match zonefile::parse(&rendered, None) {
        Ok(again) => again,
        Err(e) => panic!("rendered zone does not parse: {e}\n{rendered}"),
    };
    assert_eq!(again.name, zone.name);
    assert_eq!(
        again.recordsets, zone.recordsets,
        "round trip differs:\n{rendered}"
    );
    assert_eq!(again.soa, zone.soa);
    assert_eq!(again.email, zone.email);
});
