//! From entries to a zone: directives (`$ORIGIN`, `$TTL`), owner, TTL and class handling,
//! per-record validation, grouping into recordsets, and the whole-zone rules (one SOA at the
//! apex, CNAME alone at its name).

use std::collections::{HashMap, HashSet};

use super::data::{absolute, assemble, ends_with_unescaped_dot};
use super::error::{ZoneFileError, ZoneFileErrorKind as Kind};
use super::generate::{substitute, Range};
use super::lexer::{Entry, Lexer, Token};
use super::ttl::parse_ttl;
use super::{rname_to_email, ParseLimits, ParsedZone, ZoneRecordSet};
use crate::error::DesignateError;
use crate::name;
use crate::rdata::{self, SoaData};

/// A recordset being collected, with what the final TTL and errors need.
struct Collected {
    set: ZoneRecordSet,
    /// The data already in `set`, so a large set is deduplicated in linear time.
    seen: HashSet<String>,
    /// Smallest effective TTL of its records (upstream keeps the smallest).
    min_ttl: u32,
    /// Whether every record took the zone's default TTL.
    all_default: bool,
    line: usize,
    column: usize,
}

/// Parser state, in dnspython's terms: zone origin, current origin, default and last TTL, last
/// owner name.
struct State {
    limits: ParseLimits,
    zone: Option<String>,
    origin: Option<String>,
    default_ttl: Option<u32>,
    /// The first default TTL seen: the one a rendered file's `$TTL` line stands for.
    zone_default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_name: Option<String>,
    records: usize,
    /// Bytes `$GENERATE` may still produce: the size limit bounds the expanded file too, or a
    /// few short lines could expand to gigabytes (found by fuzz/zonefile_parse).
    generate_room: usize,
    sets: Vec<Collected>,
    index: HashMap<(String, String), usize>,
    soa: Option<(SoaData, u32)>,
}

pub(super) fn parse(
    text: &str,
    origin: Option<&str>,
    limits: ParseLimits,
) -> Result<ParsedZone, ZoneFileError> {
    if text.len() > limits.max_bytes {
        return Err(ZoneFileError::new(
            1,
            1,
            Kind::TooLarge {
                limit: limits.max_bytes,
            },
        ));
    }
    let mut state = State {
        limits,
        zone: None,
        origin: None,
        default_ttl: None,
        zone_default_ttl: None,
        last_ttl: None,
        last_name: None,
        records: 0,
        generate_room: limits.max_bytes.saturating_sub(text.len()),
        sets: Vec::new(),
        index: HashMap::new(),
        soa: None,
    };
    if let Some(origin) = origin {
        let origin = if origin.ends_with('.') {
            origin.to_owned()
        } else {
            format!("{origin}.")
        };
        check_zone_name(&origin, 1, 1)?;
        state.zone = Some(origin.clone());
        state.origin = Some(origin.clone());
        state.last_name = Some(origin);
    }
    let mut lexer = Lexer::new(text);
    while let Some(entry) = lexer.next_entry()? {
        state.entry(&entry)?;
    }
    let (line, column) = lexer.position();
    state.finish(line, column)
}

fn check_zone_name(name: &str, line: usize, column: usize) -> Result<(), ZoneFileError> {
    name::validate_zone_name(name).map_err(|e| {
        ZoneFileError::new(
            line,
            column,
            Kind::InvalidZoneName {
                name: name.to_owned(),
                reason: reason(&e),
            },
        )
    })
}

/// The most specific text of a domain error: its first detail, else its message.
fn reason(err: &DesignateError) -> String {
    err.errors
        .first()
        .map_or_else(|| err.message.clone(), |d| d.message.clone())
}

/// Class mnemonics: `Some(true)` for IN, `Some(false)` for another class, `None` if not a class.
fn class_of(token: &str) -> Option<bool> {
    let upper = token.to_ascii_uppercase();
    match upper.as_str() {
        "IN" | "CLASS1" => Some(true),
        "CH" | "CS" | "HS" | "NONE" | "ANY" => Some(false),
        _ => {
            let num = upper.strip_prefix("CLASS")?;
            (!num.is_empty() && num.bytes().all(|b| b.is_ascii_digit())).then_some(false)
        }
    }
}

/// Whether `upper` looks like a record type name (a mnemonic or `TYPEnnn`), supported or not.
fn looks_like_type(upper: &str) -> bool {
    const OTHER_TYPES: &[&str] = &[
        "HINFO",
        "LOC",
        "DNAME",
        "DS",
        "DNSKEY",
        "RRSIG",
        "NSEC",
        "NSEC3",
        "NSEC3PARAM",
        "SVCB",
        "HTTPS",
        "URI",
        "RP",
        "AFSDB",
        "KX",
        "APL",
        "SMIMEA",
        "OPENPGPKEY",
        "CDS",
        "CDNSKEY",
        "ZONEMD",
        "DHCID",
        "HIP",
        "IPSECKEY",
        "TKEY",
        "TSIG",
        "MINFO",
        "MB",
        "MG",
        "MR",
        "WKS",
        "X25",
        "ISDN",
        "RT",
        "NSAP",
        "PX",
        "GPOS",
        "EUI48",
        "EUI64",
        "CSYNC",
        "NULL",
        "AVC",
    ];
    rdata::is_supported(upper)
        || OTHER_TYPES.contains(&upper)
        || upper
            .strip_prefix("TYPE")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl State {
    fn entry(&mut self, entry: &Entry) -> Result<(), ZoneFileError> {
        let first = &entry.tokens[0];
        if !entry.leading_blank && !first.quoted && first.text.starts_with('$') {
            return self.directive(&entry.tokens);
        }
        self.record(entry)
    }

    fn directive(&mut self, tokens: &[Token]) -> Result<(), ZoneFileError> {
        let keyword = &tokens[0];
        let args = &tokens[1..];
        let one_arg = || -> Result<&Token, ZoneFileError> {
            match args {
                [arg] if !arg.quoted => Ok(arg),
                _ => Err(keyword.error(Kind::Syntax(format!(
                    "{} takes exactly one argument",
                    keyword.text
                )))),
            }
        };
        match keyword.text.to_ascii_uppercase().as_str() {
            "$ORIGIN" => {
                let arg = one_arg()?;
                let name = match &self.origin {
                    Some(current) => absolute(&arg.text, current),
                    None if ends_with_unescaped_dot(&arg.text) => arg.text.clone(),
                    None => {
                        return Err(arg.error(Kind::InvalidZoneName {
                            name: arg.text.clone(),
                            reason: "the first $ORIGIN must be an absolute name".to_owned(),
                        }))
                    }
                };
                // `$ORIGIN .` first, as BIND's full-form dumps begin: the zone is then named by
                // the SOA record that must come next.
                if self.zone.is_none() && name != "." {
                    check_zone_name(&name, arg.line, arg.column)?;
                    self.zone = Some(name.clone());
                    self.last_name = Some(name.clone());
                }
                self.origin = Some(name);
                Ok(())
            }
            "$TTL" => {
                let arg = one_arg()?;
                let ttl = parse_ttl(&arg.text)
                    .ok_or_else(|| arg.error(Kind::InvalidTtl(arg.text.clone())))?;
                self.default_ttl = Some(ttl);
                self.zone_default_ttl.get_or_insert(ttl);
                Ok(())
            }
            "$GENERATE" => self.generate(keyword, args),
            "$INCLUDE" => Err(keyword.error(Kind::IncludeNotAllowed)),
            _ => Err(keyword.error(Kind::UnknownDirective(keyword.text.clone()))),
        }
    }

    /// Expands `$GENERATE` into ordinary records, refusing up front a range that would pass the
    /// record limit.
    fn generate(&mut self, keyword: &Token, args: &[Token]) -> Result<(), ZoneFileError> {
        let [range, lhs, rest @ ..] = args else {
            return Err(keyword.error(Kind::Syntax(
                "$GENERATE needs a range, an owner, a type and data".to_owned(),
            )));
        };
        if self.origin.is_none() {
            return Err(keyword.error(Kind::UnknownOrigin));
        }
        let range = Range::parse(&range.text)
            .filter(|_| !range.quoted)
            .ok_or_else(|| {
                range.error(Kind::Syntax(format!(
                    "invalid $GENERATE range {}",
                    range.text
                )))
            })?;
        let room = self.limits.max_records.saturating_sub(self.records);
        if usize::try_from(range.len()).map_or(true, |n| n > room) {
            return Err(keyword.error(Kind::TooManyRecords {
                limit: self.limits.max_records,
            }));
        }
        for counter in range.values() {
            let mut tokens = Vec::with_capacity(rest.len() + 1);
            for t in std::iter::once(lhs).chain(rest) {
                let text = substitute(&t.text, counter).map_err(|m| t.error(Kind::Syntax(m)))?;
                tokens.push(Token { text, ..t.clone() });
            }
            let size = tokens.iter().map(|t| t.text.len() + 1).sum::<usize>();
            self.generate_room = self.generate_room.checked_sub(size).ok_or_else(|| {
                keyword.error(Kind::TooLarge {
                    limit: self.limits.max_bytes,
                })
            })?;
            self.record(&Entry {
                leading_blank: false,
                tokens,
            })?;
        }
        Ok(())
    }

    fn record(&mut self, entry: &Entry) -> Result<(), ZoneFileError> {
        let tokens = &entry.tokens;
        let first = &tokens[0];
        let Some(origin) = self.origin.clone() else {
            return Err(first.error(Kind::UnknownOrigin));
        };
        let mut rest = &tokens[..];
        let owner = if entry.leading_blank {
            self.last_name.clone().ok_or_else(|| {
                first.error(Kind::Syntax("no previous owner name to repeat".to_owned()))
            })?
        } else {
            if first.quoted {
                return Err(first.error(Kind::Syntax(
                    "an owner name must not be a quoted string".to_owned(),
                )));
            }
            rest = &rest[1..];
            absolute(&first.text, &origin)
        };
        self.last_name = Some(owner.clone());

        // TTL and class, both optional, in either order.
        let mut ttl: Option<u32> = None;
        let mut class_seen = false;
        for _ in 0..2 {
            let Some(t) = rest.first().filter(|t| !t.quoted) else {
                break;
            };
            if ttl.is_none() && t.text.starts_with(|c: char| c.is_ascii_digit()) {
                ttl = Some(
                    parse_ttl(&t.text).ok_or_else(|| t.error(Kind::InvalidTtl(t.text.clone())))?,
                );
            } else if !class_seen {
                match class_of(&t.text) {
                    Some(true) => class_seen = true,
                    Some(false) => return Err(t.error(Kind::WrongClass(t.text.clone()))),
                    None => break,
                }
            } else {
                break;
            }
            rest = &rest[1..];
        }

        let Some((type_token, data_tokens)) = rest.split_first() else {
            let last = tokens.last().unwrap_or(first);
            return Err(last.error(Kind::Syntax("record has no type".to_owned())));
        };
        let rtype = type_token.text.to_ascii_uppercase();
        if type_token.quoted || !rdata::is_supported(&rtype) {
            return Err(self.type_error(type_token, data_tokens, &rtype, ttl.is_some()));
        }

        let owner_at = first;
        let zone = match &self.zone {
            Some(zone) => zone.clone(),
            None if rtype == "SOA" && !entry.leading_blank => {
                check_zone_name(&owner, owner_at.line, owner_at.column)?;
                self.zone = Some(owner.clone());
                owner.clone()
            }
            None => {
                return Err(owner_at.error(Kind::Syntax(
                    "after `$ORIGIN .` the first record must be the zone's SOA".to_owned(),
                )))
            }
        };
        if !name::is_in_zone(&owner, &zone) {
            return Err(owner_at.error(Kind::OutsideZone { name: owner, zone }));
        }
        name::validate_recordset_name_for_type(&owner, &rtype).map_err(|e| {
            owner_at.error(Kind::InvalidName {
                name: owner.clone(),
                reason: reason(&e),
            })
        })?;

        let data = assemble(&rtype, type_token, data_tokens, &origin)?;
        let data_at = data_tokens.first().unwrap_or(type_token);
        rdata::validate(&rtype, &data).map_err(|e| {
            data_at.error(Kind::InvalidData {
                rtype: rtype.clone(),
                reason: reason(&e),
            })
        })?;

        // The record's TTL, as dnspython settles it.
        let mut took_default = false;
        let mut effective = match ttl {
            Some(t) => {
                self.last_ttl = Some(t);
                Some(t)
            }
            None => match self.default_ttl {
                Some(d) => {
                    took_default = true;
                    Some(d)
                }
                None => self.last_ttl,
            },
        };
        if rtype == "SOA" {
            let soa: SoaData = data.parse().map_err(|e: DesignateError| {
                data_at.error(Kind::InvalidData {
                    rtype: rtype.clone(),
                    reason: reason(&e),
                })
            })?;
            if !owner.eq_ignore_ascii_case(&zone) {
                return Err(owner_at.error(Kind::BadSoa(format!(
                    "an SOA record is only allowed at the zone apex {zone}"
                ))));
            }
            if self.soa.is_some() {
                return Err(
                    owner_at.error(Kind::BadSoa("a zone has exactly one SOA record".to_owned()))
                );
            }
            // Pre-RFC 2308 rule dnspython keeps: without $TTL, the SOA minimum is the default.
            if self.default_ttl.is_none() {
                self.default_ttl = Some(soa.minimum);
                self.zone_default_ttl.get_or_insert(soa.minimum);
                if effective.is_none() {
                    effective = Some(soa.minimum);
                    took_default = true;
                }
            }
            self.soa = Some((soa, 0));
        }
        let Some(effective) = effective else {
            return Err(type_token.error(Kind::Syntax(
                "record has no TTL and no $TTL default is set".to_owned(),
            )));
        };
        if rtype == "SOA" {
            if let Some((_, soa_ttl)) = &mut self.soa {
                *soa_ttl = effective;
            }
        }
        let is_zone_default = took_default && Some(effective) == self.zone_default_ttl;

        self.records += 1;
        if self.records > self.limits.max_records {
            return Err(owner_at.error(Kind::TooManyRecords {
                limit: self.limits.max_records,
            }));
        }
        self.add(owner, rtype, data, effective, is_zone_default, owner_at);
        Ok(())
    }

    /// The error for a token where a type belongs: a misspelt TTL if what follows reads as a
    /// class or type, else an unsupported type.
    fn type_error(
        &self,
        token: &Token,
        after: &[Token],
        upper: &str,
        had_ttl: bool,
    ) -> ZoneFileError {
        if token.quoted {
            return token.error(Kind::Syntax("a record type must not be quoted".to_owned()));
        }
        let next_is_type_or_class = after.first().is_some_and(|n| {
            !n.quoted
                && (class_of(&n.text).is_some() || looks_like_type(&n.text.to_ascii_uppercase()))
        });
        if !had_ttl && !looks_like_type(upper) && next_is_type_or_class {
            return token.error(Kind::InvalidTtl(token.text.clone()));
        }
        token.error(Kind::UnsupportedType(upper.to_owned()))
    }

    fn add(
        &mut self,
        owner: String,
        rtype: String,
        data: String,
        ttl: u32,
        is_zone_default: bool,
        at: &Token,
    ) {
        let key = (owner.to_ascii_lowercase(), rtype.clone());
        if let Some(&i) = self.index.get(&key) {
            let c = &mut self.sets[i];
            c.min_ttl = c.min_ttl.min(ttl);
            c.all_default &= is_zone_default;
            // A recordset is a set: the same datum twice is one record, as dnspython keeps it.
            if c.seen.insert(data.clone()) {
                c.set.records.push(data);
            }
            return;
        }
        self.index.insert(key, self.sets.len());
        self.sets.push(Collected {
            seen: HashSet::from([data.clone()]),
            set: ZoneRecordSet {
                name: owner,
                rtype,
                ttl: None,
                records: vec![data],
            },
            min_ttl: ttl,
            all_default: is_zone_default,
            line: at.line,
            column: at.column,
        });
    }

    fn finish(self, line: usize, column: usize) -> Result<ParsedZone, ZoneFileError> {
        let Some(zone) = self.zone else {
            return Err(ZoneFileError::new(line, column, Kind::UnknownOrigin));
        };
        let Some((soa, soa_ttl)) = self.soa else {
            return Err(ZoneFileError::new(line, column, Kind::MissingSoa));
        };
        check_cnames(&self.sets, &zone)?;
        let recordsets = self
            .sets
            .into_iter()
            .map(|c| {
                let mut set = c.set;
                set.ttl = (!c.all_default).then(|| ttl_i32(c.min_ttl));
                set
            })
            .collect();
        Ok(ParsedZone {
            email: rname_to_email(&soa.rname),
            name: zone,
            default_ttl: self.zone_default_ttl.map(ttl_i32),
            soa_ttl: ttl_i32(soa_ttl),
            soa,
            recordsets,
        })
    }
}

/// TTLs are bounded by [`name::MAX_TTL`] when parsed, so they always fit.
fn ttl_i32(ttl: u32) -> i32 {
    i32::try_from(ttl).unwrap_or(i32::MAX)
}

/// A CNAME must be the only data at its name, alone in its set, and not at the apex.
fn check_cnames(sets: &[Collected], zone: &str) -> Result<(), ZoneFileError> {
    let mut per_name: HashMap<String, usize> = HashMap::new();
    for c in sets {
        *per_name.entry(c.set.name.to_ascii_lowercase()).or_default() += 1;
    }
    for c in sets.iter().filter(|c| c.set.rtype == "CNAME") {
        let at = |msg: String| ZoneFileError::new(c.line, c.column, Kind::CnameConflict(msg));
        let name = &c.set.name;
        if name.eq_ignore_ascii_case(zone) {
            return Err(at(format!(
                "a CNAME is not allowed at the zone apex {name}"
            )));
        }
        if c.set.records.len() > 1 {
            return Err(at(format!("{name} has more than one CNAME record")));
        }
        if per_name
            .get(&name.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
            > 1
        {
            return Err(at(format!("{name} has a CNAME and other data")));
        }
    }
    Ok(())
}
