//! Arbitrary bytes as the body of every `/v2` create / update request: the JSON-object
//! decoding, then each body parser (zones, recordsets, TLDs, blacklists, quotas, pools, TSIG
//! keys, transfer requests / accepts, shares, floating-IP PTRs) and the zone-import body under
//! `text/dns` and `application/json`. Must hold: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    designate_api::fuzzing::api_bodies(data);
});
