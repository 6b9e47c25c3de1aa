//! Converting stored recordsets (owner name, type, TTL and presentation-format record data) into
//! wire records, and the zone's SOA.
//!
//! Stored data was validated by the API, but MiniDNS still treats it as untrusted: data that does
//! not parse (or carries line breaks, upstream's AXFR-injection bug) is skipped with an error log,
//! never sent and never a panic.

use std::str::FromStr;

use std::borrow::Cow;

use designate_core::objects::{Action, RecordSet, Zone};
use hickory_proto::rr::rdata::svcb::{SvcParamKey, SVCB};
use hickory_proto::rr::rdata::{HTTPS, NULL, SOA};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;
use hickory_proto::serialize::txt::RDataParser;

/// SPF (RFC 4408 type 99) has TXT's data format but no variant in hickory's `RData`.
const SPF_TYPE_CODE: u16 = 99;

/// Designate's spelling of a wire record type (`SPF` for 99, hickory's names otherwise).
pub(crate) fn type_name(rtype: RecordType) -> String {
    if rtype == RecordType::Unknown(SPF_TYPE_CODE) || u16::from(rtype) == SPF_TYPE_CODE {
        "SPF".to_owned()
    } else {
        rtype.to_string()
    }
}

/// The wire record type of a stored recordset type.
fn parse_type(rtype: &str) -> Option<RecordType> {
    if rtype.eq_ignore_ascii_case("SPF") {
        return Some(RecordType::Unknown(SPF_TYPE_CODE));
    }
    // Designate stores types upper-case; only other spellings pay for a copy (hickory's parser
    // takes upper case only).
    if rtype.bytes().any(|b| b.is_ascii_lowercase()) {
        RecordType::from_str(&rtype.to_ascii_uppercase()).ok()
    } else {
        RecordType::from_str(rtype).ok()
    }
}

/// Parses one record's presentation-format data for `rtype`.
pub(crate) fn parse_rdata(rtype: &str, data: &str) -> Result<RData, String> {
    // Line breaks would let data smuggle extra lines into zone files and AXFR output of other
    // implementations; there is no legitimate use for them in one record's data.
    if data.chars().any(|c| c.is_control() && c != '\t') {
        return Err("record data contains control characters".to_owned());
    }
    let wire_type =
        parse_type(rtype).ok_or_else(|| format!("unsupported record type {rtype:?}"))?;
    if wire_type == RecordType::Unknown(SPF_TYPE_CODE) {
        let txt = parse_typed(RecordType::TXT, data)?;
        let bytes = txt.to_bytes().map_err(|e| e.to_string())?;
        return Ok(RData::Unknown {
            code: wire_type,
            rdata: NULL::with(bytes),
        });
    }
    match wire_type {
        RecordType::SVCB | RecordType::HTTPS => parse_service_binding(wire_type, data),
        _ => parse_typed(wire_type, data),
    }
}

/// SvcParam keys Designate accepts that hickory's presentation parser has no name for (as the
/// `key=` prefix of their parameter), with their registered numbers: hickory reads them in the
/// generic `keyNNNNN` form, whose value is the opaque octets — exactly their wire format.
const UNNAMED_SVC_KEYS: &[(&str, u16)] = &[("dohpath=", 7)];

/// SVCB / HTTPS data (RFC 9460). Two things stand between stored data and the wire: a key
/// hickory cannot name (`dohpath`, RFC 9461) is rewritten to its `keyNNNNN` form, and the
/// parameters are put in increasing key order — presentation format may list them in any order
/// (`alpn=… ipv4hint=… port=…` is 1, 4, 3), the wire format must not, and hickory refuses to
/// encode them otherwise.
fn parse_service_binding(wire_type: RecordType, data: &str) -> Result<RData, String> {
    let data = generic_svc_keys(data);
    let svcb = match parse_typed(wire_type, &data)? {
        RData::SVCB(svcb) => svcb,
        RData::HTTPS(HTTPS(svcb)) => svcb,
        other => return Ok(other),
    };
    let mut params = svcb.svc_params().to_vec();
    params.sort_by_key(|(key, _)| u16::from(*key));
    if params.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err("a SvcParam key is repeated".to_owned());
    }
    let ordered = SVCB::new(svcb.svc_priority(), svcb.target_name().clone(), params);
    Ok(match wire_type {
        RecordType::HTTPS => RData::HTTPS(HTTPS(ordered)),
        _ => RData::SVCB(ordered),
    })
}

/// `data` with every parameter of [`UNNAMED_SVC_KEYS`] in its generic `keyNNNNN=` spelling.
fn generic_svc_keys(data: &str) -> Cow<'_, str> {
    if !UNNAMED_SVC_KEYS
        .iter()
        .any(|(prefix, _)| data.contains(prefix))
    {
        return Cow::Borrowed(data);
    }
    let words: Vec<String> = data
        .split_whitespace()
        .map(|word| {
            UNNAMED_SVC_KEYS
                .iter()
                .find_map(|(prefix, number)| {
                    word.strip_prefix(prefix)
                        .map(|value| format!("{}={value}", SvcParamKey::Key(*number)))
                })
                .unwrap_or_else(|| word.to_owned())
        })
        .collect();
    Cow::Owned(words.join(" "))
}

/// Characters the zone-file lexer treats specially somewhere in record data: quotes, lists,
/// comments, `@` and `$` directives.
const LEXER_SPECIAL: &[char] = &['"', '(', ')', ';', '@', '$'];

/// Parses data for a known wire type. Data without any lexer-special character is exactly its
/// whitespace-separated words to the lexer, so those are handed to the type's parser directly
/// (no token allocations: the data of most records, `192.0.2.1`, `10 mail.example.org.`);
/// anything else goes through the lexer.
fn parse_typed(wire_type: RecordType, data: &str) -> Result<RData, String> {
    let parsed = if data.contains(LEXER_SPECIAL) {
        RData::try_from_str(wire_type, data)
    } else {
        RData::parse(wire_type, data.split_whitespace(), None)
    };
    parsed.map_err(|e| e.to_string())
}

/// The TTL of a recordset: its own, else the zone's (upstream `recordset.ttl or zone.ttl`).
pub(crate) fn ttl_of(zone: &Zone, recordset: &RecordSet) -> u32 {
    let ttl = recordset.ttl.filter(|t| *t > 0).unwrap_or(zone.ttl);
    u32::try_from(ttl).unwrap_or(0)
}

/// A recordset's owner name as a wire name.
fn owner_name(recordset: &RecordSet) -> Result<Name, String> {
    let mut name = Name::from_ascii(&recordset.name).map_err(|e| e.to_string())?;
    name.set_fqdn(true);
    Ok(name)
}

/// The wire records of a recordset, leaving out records being deleted (upstream's
/// `action != 'DELETE'`) and data that does not parse (logged).
pub(crate) fn recordset_records(zone: &Zone, recordset: &RecordSet) -> Vec<Record> {
    let name = match owner_name(recordset) {
        Ok(name) => name,
        Err(error) => {
            tracing::error!(zone_id = %zone.id, recordset_id = %recordset.id, name = %recordset.name,
                %error, "skipping recordset with an invalid name");
            return Vec::new();
        }
    };
    let ttl = ttl_of(zone, recordset);
    recordset
        .records
        .iter()
        .filter(|record| record.action != Action::Delete)
        .filter_map(|record| match parse_rdata(&recordset.rtype, &record.data) {
            Ok(rdata) => {
                let mut rr = Record::from_rdata(name.clone(), ttl, rdata);
                rr.set_dns_class(DNSClass::IN);
                Some(rr)
            }
            Err(error) => {
                tracing::error!(zone_id = %zone.id, recordset_id = %recordset.id, rtype = %recordset.rtype,
                    name = %recordset.name, %error, "skipping unparsable record");
                None
            }
        })
        .collect()
}

/// The zone's SOA record, built from its managed SOA recordset with the serial taken from the zone
/// row: the row's serial is what central bumps and what the worker polls targets for, so the two
/// can never disagree in what MiniDNS serves. `None` when the zone has no usable SOA recordset.
pub(crate) fn zone_soa(zone: &Zone, recordsets: &[RecordSet]) -> Option<Record> {
    let soa_set = recordsets
        .iter()
        .find(|rs| rs.rtype.eq_ignore_ascii_case("SOA"))?;
    let stored = recordset_records(zone, soa_set).into_iter().next()?;
    Some(with_zone_serial(zone, stored))
}

/// Replaces the serial of an SOA record with the zone row's serial.
pub(crate) fn with_zone_serial(zone: &Zone, mut record: Record) -> Record {
    if let RData::SOA(soa) = record.data() {
        let fixed = SOA::new(
            soa.mname().clone(),
            soa.rname().clone(),
            zone.serial,
            soa.refresh(),
            soa.retry(),
            soa.expire(),
            soa.minimum(),
        );
        *record.data_mut() = RData::SOA(fixed);
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_types() {
        for (rtype, data) in [
            ("A", "192.0.2.1"),
            ("AAAA", "2001:db8::1"),
            ("CNAME", "www.example.org."),
            ("MX", "10 mail.example.org."),
            ("NS", "ns1.example.org."),
            ("PTR", "www.example.org."),
            ("SRV", "10 60 5060 sip.example.org."),
            ("TXT", "\"hello world\""),
            ("TXT", "\"a\" \"b\""),
            ("SSHFP", "1 1 123456789abcdef67890123456789abcdef67890"),
            ("CAA", "0 issue \"letsencrypt.org\""),
            (
                "NAPTR",
                "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.org!\" _sip._udp.example.org.",
            ),
            (
                "SOA",
                "ns1.example.org. admin.example.org. 5 3600 600 86400 3600",
            ),
        ] {
            let rdata = parse_rdata(rtype, data).unwrap_or_else(|e| panic!("{rtype} {data}: {e}"));
            assert_eq!(type_name(rdata.record_type()), rtype);
        }
    }

    #[test]
    fn plain_data_parses_as_the_lexer_parses_it() {
        // Data without lexer-special characters skips the lexer; the result must be the same.
        for (rtype, data) in [
            (RecordType::A, "192.0.2.1"),
            (RecordType::A, " 192.0.2.1\t"),
            (RecordType::AAAA, "2001:db8::1"),
            (RecordType::CNAME, "www.example.org."),
            (RecordType::CNAME, "www"),
            (RecordType::MX, "10   mail.example.org."),
            (RecordType::NS, "ns1.example.org."),
            (RecordType::SRV, "10 60 5060 sip.example.org."),
            (RecordType::TXT, "unquoted words"),
            (
                RecordType::SSHFP,
                "1 1 123456789abcdef67890123456789abcdef67890",
            ),
            (RecordType::CAA, "0 issue letsencrypt.org"),
            (
                RecordType::SOA,
                "ns1.example.org. admin.example.org. 5 3600 600 86400 3600",
            ),
            (RecordType::A, "192.0.2.1 extra"),
            (RecordType::MX, "ten mail.example.org."),
            (RecordType::A, ""),
            (RecordType::CNAME, "a\\.b.example.org."),
        ] {
            let lexed = RData::try_from_str(rtype, data).map_err(|e| e.to_string());
            assert_eq!(parse_typed(rtype, data), lexed, "{rtype} {data:?}");
        }
    }

    #[test]
    fn spf_is_type_99_with_txt_wire_format() {
        let spf = parse_rdata("SPF", "\"v=spf1 -all\"").unwrap();
        assert_eq!(u16::from(spf.record_type()), 99);
        assert_eq!(type_name(spf.record_type()), "SPF");
        let txt = parse_rdata("TXT", "\"v=spf1 -all\"").unwrap();
        assert_eq!(spf.to_bytes().unwrap(), txt.to_bytes().unwrap());
    }

    /// Tempest's SVCB and HTTPS records (keys out of wire order, `dohpath` which hickory cannot
    /// name) parse, encode, and come back from the wire with every parameter, in key order.
    #[test]
    fn service_bindings_encode_in_wire_order_with_dohpath() {
        use hickory_proto::rr::rdata::svcb::SvcParamValue;
        use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

        for (rtype, data, keys) in [
            (
                "HTTPS",
                "1 sample.example.org. alpn=h3,h2,http/1.1 ipv4hint=1.2.3.4,9.8.7.6 port=4443",
                vec![1, 3, 4],
            ),
            (
                "SVCB",
                "1 sample.example.org. alpn=h3,h2,http/1.1 ipv4hint=1.2.3.4,9.8.7.6 port=888 \
                 dohpath=/dns-query{?dns}",
                vec![1, 3, 4, 7],
            ),
        ] {
            let rdata = parse_rdata(rtype, data).unwrap_or_else(|e| panic!("{rtype}: {e}"));
            let name = Name::from_ascii("svc.example.org.").unwrap();
            let record = Record::from_rdata(name, 300, rdata);
            let wire = record.to_bytes().unwrap_or_else(|e| panic!("{rtype}: {e}"));
            let back = Record::read(&mut BinDecoder::new(&wire)).expect("decode");
            let params = match back.data() {
                RData::SVCB(svcb) | RData::HTTPS(HTTPS(svcb)) => svcb.svc_params().to_vec(),
                other => panic!("{other:?}"),
            };
            let got: Vec<u16> = params.iter().map(|(k, _)| u16::from(*k)).collect();
            assert_eq!(got, keys, "{rtype}");
            if rtype == "SVCB" {
                let (_, doh) = params.last().unwrap();
                match doh {
                    SvcParamValue::Unknown(value) => assert_eq!(value.0, b"/dns-query{?dns}"),
                    other => panic!("{other:?}"),
                }
            }
        }
        assert!(parse_rdata("SVCB", "1 . port=1 port=2").is_err());
    }

    #[test]
    fn rejects_garbage_and_line_breaks() {
        assert!(parse_rdata("A", "not-an-ip").is_err());
        assert!(parse_rdata("A", "").is_err());
        assert!(parse_rdata("BOGUS", "x").is_err());
        assert!(parse_rdata("MX", "ten mail.example.org.").is_err());
        assert!(parse_rdata("TXT", "\"ok\"\nevil.example.org. 300 IN A 192.0.2.66").is_err());
        assert!(parse_rdata("TXT", "\"ok\r\"").is_err());
    }
}
