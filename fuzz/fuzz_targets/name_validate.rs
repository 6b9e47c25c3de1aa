//! Zone and recordset name rules and e-mail rules in `designate_core::name` on arbitrary text.
//!
//! Checks: no panic; a name accepted as a zone or recordset name is one the DNS wire library
//! can encode (MiniDNS and the nameserver serve it); an accepted e-mail survives the trip to an
//! SOA RNAME and back.
#![no_main]

use designate_core::name;
use designate_core::rdata::SUPPORTED_TYPES;
use designate_core::zonefile::rname_to_email;
use hickory_proto::rr::Name;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let text = text.as_ref();
    let zone_ok = name::validate_zone_name(text).is_ok();
    let recordset_ok = name::validate_recordset_name(text).is_ok();
    for rtype in SUPPORTED_TYPES {
        let _ = name::validate_recordset_name_for_type(text, rtype);
    }
    let _ = name::validate_domain_field("name", text);
    let _ = (
        name::is_valid_label(text),
        name::is_valid_domain(text),
        name::is_valid_hostname(text),
        name::is_valid_srv_name(text),
        name::is_valid_tld(text),
    );
    let _ = name::is_in_zone(text, "example.org.");
    let _ = name::is_in_zone("www.example.org.", text);
    let _ = name::check_recordset_location(text, "example.org.");
    let _ = name::name_suffixes(text);
    if zone_ok || recordset_ok {
        if let Err(e) = Name::from_ascii(text) {
            panic!("valid name {text:?} is not a DNS name: {e}");
        }
    }
    if name::validate_email(text).is_ok() {
        let rname = name::email_to_rname(text);
        assert_eq!(
            rname_to_email(&rname),
            text,
            "e-mail round trip via {rname:?}"
        );
        if let Err(e) = Name::from_ascii(&rname) {
            panic!("RNAME {rname:?} of valid e-mail {text:?} is not a DNS name: {e}");
        }
    } else {
        let _ = name::email_to_rname(text);
    }
    let _ = rname_to_email(text);
});
