//! The TSIG resource record on the wire (RFC 8945 §4.2): finding it at the end of a message,
//! taking it off, and appending one. Works on raw bytes so that MACs cover exactly what was
//! sent, whatever a DNS library would re-encode.

use crate::TsigError;

/// Record type of TSIG.
pub(crate) const TYPE_TSIG: u16 = 250;
/// Class ANY, the class of TSIG records.
pub(crate) const CLASS_ANY: u16 = 255;
const HEADER_LEN: usize = 12;
/// Longest name on the wire, and bound on compression pointers followed.
const MAX_NAME: usize = 255;

/// The fields of a TSIG record (RFC 8945 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsigRecord {
    /// Key name, lower-case, fully qualified (`name.`).
    pub key_name: String,
    /// Algorithm name, lower-case, fully qualified.
    pub algorithm: String,
    /// Seconds since the epoch (48 bits).
    pub time_signed: u64,
    /// Allowed clock difference in seconds.
    pub fudge: u16,
    /// The MAC (empty on unsigned error responses).
    pub mac: Vec<u8>,
    /// The message id when it was signed.
    pub original_id: u16,
    /// TSIG error (0, BADSIG 16, BADKEY 17, BADTIME 18, BADTRUNC 22).
    pub error: u16,
    /// Other data (the server's time on BADTIME).
    pub other: Vec<u8>,
}

/// A message whose last additional record is TSIG, split into that record and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The TSIG record.
    pub tsig: TsigRecord,
    /// The message without its TSIG record (ARCOUNT one less), id as received.
    pub message: Vec<u8>,
}

impl Signed {
    /// The message as it was signed: without TSIG, with the original id (RFC 8945 §4.3.1).
    pub(crate) fn as_signed(&self) -> Vec<u8> {
        let mut m = self.message.clone();
        m[..2].copy_from_slice(&self.tsig.original_id.to_be_bytes());
        m
    }
}

fn u16_at(buf: &[u8], pos: usize) -> Result<u16, TsigError> {
    buf.get(pos..pos + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(TsigError::Malformed("message cut short"))
}

/// Position after the name starting at `pos` (compression pointers end a name).
fn skip_name(buf: &[u8], mut pos: usize) -> Result<usize, TsigError> {
    loop {
        let len = *buf.get(pos).ok_or(TsigError::Malformed("name cut short"))?;
        match len {
            0 => return Ok(pos + 1),
            l if l & 0xC0 == 0xC0 => return Ok(pos + 2),
            l if l & 0xC0 != 0 => return Err(TsigError::Malformed("bad label type")),
            l => pos += 1 + usize::from(l),
        }
    }
}

/// The name starting at `pos`, lower-case with a trailing dot, following compression pointers.
fn read_name(buf: &[u8], mut pos: usize) -> Result<String, TsigError> {
    let mut out = String::new();
    let mut hops = 0;
    loop {
        let len = *buf.get(pos).ok_or(TsigError::Malformed("name cut short"))?;
        if len == 0 {
            break;
        }
        if len & 0xC0 == 0xC0 {
            hops += 1;
            if hops > MAX_NAME {
                return Err(TsigError::Malformed("compression loop"));
            }
            pos = usize::from(u16_at(buf, pos)? & 0x3FFF);
            continue;
        }
        if len & 0xC0 != 0 {
            return Err(TsigError::Malformed("bad label type"));
        }
        let label = buf
            .get(pos + 1..pos + 1 + usize::from(len))
            .ok_or(TsigError::Malformed("label cut short"))?;
        for &b in label {
            // Key and algorithm names are host names; escape anything else so that the
            // canonical form below stays unambiguous.
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                out.push(char::from(b.to_ascii_lowercase()));
            } else {
                out.push_str(&format!("\\{b:03}"));
            }
        }
        out.push('.');
        if out.len() > MAX_NAME {
            return Err(TsigError::Malformed("name too long"));
        }
        pos += 1 + usize::from(len);
    }
    if out.is_empty() {
        out.push('.');
    }
    Ok(out)
}

/// A presentation name (`key.example.`, trailing dot optional) in canonical wire form:
/// lower-case labels, no compression.
pub(crate) fn name_to_wire(name: &str) -> Result<Vec<u8>, TsigError> {
    let mut out = Vec::with_capacity(name.len() + 2);
    for label in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        let len = u8::try_from(label.len())
            .ok()
            .filter(|l| *l <= 63)
            .ok_or(TsigError::BadName)?;
        out.push(len);
        out.extend(label.bytes().map(|b| b.to_ascii_lowercase()));
    }
    out.push(0);
    if out.len() > MAX_NAME {
        return Err(TsigError::BadName);
    }
    Ok(out)
}

/// Splits off the TSIG record when it is the last additional record; `Ok(None)` for an
/// unsigned message.
///
/// # Errors
/// [`TsigError::Malformed`] when the message cannot be walked or its TSIG record is broken.
pub fn split(packet: &[u8]) -> Result<Option<Signed>, TsigError> {
    if packet.len() < HEADER_LEN {
        return Err(TsigError::Malformed("shorter than a header"));
    }
    let qd = u16_at(packet, 4)?;
    let records = usize::from(u16_at(packet, 6)?)
        + usize::from(u16_at(packet, 8)?)
        + usize::from(u16_at(packet, 10)?);
    let ar = u16_at(packet, 10)?;
    if ar == 0 {
        return Ok(None);
    }
    let mut pos = HEADER_LEN;
    for _ in 0..qd {
        pos = skip_name(packet, pos)? + 4;
    }
    let mut last_start = pos;
    for _ in 0..records {
        last_start = pos;
        pos = skip_name(packet, pos)?;
        let rdlen = usize::from(u16_at(packet, pos + 8)?);
        pos += 10 + rdlen;
        if pos > packet.len() {
            return Err(TsigError::Malformed("record cut short"));
        }
    }
    let name_end = skip_name(packet, last_start)?;
    if u16_at(packet, name_end)? != TYPE_TSIG {
        return Ok(None);
    }
    let key_name = read_name(packet, last_start)?;
    let rdata_start = name_end + 10;
    let rdata = packet
        .get(rdata_start..pos)
        .ok_or(TsigError::Malformed("TSIG cut short"))?;
    let tsig = parse_rdata(packet, rdata_start, rdata.len(), key_name)?;
    let mut message = packet[..last_start].to_vec();
    message[10..12].copy_from_slice(&(ar - 1).to_be_bytes());
    Ok(Some(Signed { tsig, message }))
}

fn parse_rdata(
    packet: &[u8],
    start: usize,
    len: usize,
    key_name: String,
) -> Result<TsigRecord, TsigError> {
    let end = start + len;
    let algorithm = read_name(packet, start)?;
    let mut pos = skip_name(packet, start)?;
    let cut = TsigError::Malformed("TSIG data cut short");
    let take = |pos: &mut usize, n: usize| -> Result<&[u8], TsigError> {
        let field = packet.get(*pos..*pos + n).filter(|_| *pos + n <= end);
        *pos += n;
        field.ok_or(TsigError::Malformed("TSIG data cut short"))
    };
    let time = take(&mut pos, 6)?;
    let time_signed = time.iter().fold(0u64, |t, b| (t << 8) | u64::from(*b));
    let fudge = u16::from_be_bytes(take(&mut pos, 2)?.try_into().map_err(|_| cut.clone())?);
    let mac_len = u16::from_be_bytes(take(&mut pos, 2)?.try_into().map_err(|_| cut.clone())?);
    let mac = take(&mut pos, usize::from(mac_len))?.to_vec();
    let original_id = u16::from_be_bytes(take(&mut pos, 2)?.try_into().map_err(|_| cut.clone())?);
    let error = u16::from_be_bytes(take(&mut pos, 2)?.try_into().map_err(|_| cut.clone())?);
    let other_len = u16::from_be_bytes(take(&mut pos, 2)?.try_into().map_err(|_| cut.clone())?);
    let other = take(&mut pos, usize::from(other_len))?.to_vec();
    if pos != end {
        return Err(TsigError::Malformed("TSIG data has trailing bytes"));
    }
    Ok(TsigRecord {
        key_name,
        algorithm,
        time_signed,
        fudge,
        mac,
        original_id,
        error,
        other,
    })
}

/// 48-bit time as on the wire.
pub(crate) fn time48(t: u64) -> [u8; 6] {
    let b = t.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// The TSIG variables covered by a MAC (RFC 8945 §4.3.3); only the timers when `timers_only`
/// (later messages of a multi-message response, §5.3.1).
pub(crate) fn variables(tsig: &TsigRecord, timers_only: bool) -> Result<Vec<u8>, TsigError> {
    let mut out = Vec::with_capacity(64);
    if !timers_only {
        out.extend(name_to_wire(&tsig.key_name)?);
        out.extend(CLASS_ANY.to_be_bytes());
        out.extend(0u32.to_be_bytes());
        out.extend(name_to_wire(&tsig.algorithm)?);
    }
    out.extend(time48(tsig.time_signed));
    out.extend(tsig.fudge.to_be_bytes());
    if !timers_only {
        out.extend(tsig.error.to_be_bytes());
        out.extend(u16::try_from(tsig.other.len()).unwrap_or(0).to_be_bytes());
        out.extend(&tsig.other);
    }
    Ok(out)
}

/// Appends `tsig` as the last additional record of `message` (ARCOUNT one more).
///
/// # Errors
/// [`TsigError::BadName`] for an unusable key or algorithm name, [`TsigError::Malformed`] for a
/// message without a header or whose ARCOUNT is full.
pub fn append(message: &mut Vec<u8>, tsig: &TsigRecord) -> Result<(), TsigError> {
    let ar = u16_at(message, 10)?
        .checked_add(1)
        .ok_or(TsigError::Malformed("additional section full"))?;
    let mut rdata = name_to_wire(&tsig.algorithm)?;
    rdata.extend(time48(tsig.time_signed));
    rdata.extend(tsig.fudge.to_be_bytes());
    let mac_len =
        u16::try_from(tsig.mac.len()).map_err(|_| TsigError::Malformed("MAC too long"))?;
    rdata.extend(mac_len.to_be_bytes());
    rdata.extend(&tsig.mac);
    rdata.extend(tsig.original_id.to_be_bytes());
    rdata.extend(tsig.error.to_be_bytes());
    let other_len =
        u16::try_from(tsig.other.len()).map_err(|_| TsigError::Malformed("other data too long"))?;
    rdata.extend(other_len.to_be_bytes());
    rdata.extend(&tsig.other);
    message.extend(name_to_wire(&tsig.key_name)?);
    message.extend(TYPE_TSIG.to_be_bytes());
    message.extend(CLASS_ANY.to_be_bytes());
    message.extend(0u32.to_be_bytes());
    let rdlen = u16::try_from(rdata.len()).map_err(|_| TsigError::Malformed("TSIG too long"))?;
    message.extend(rdlen.to_be_bytes());
    message.extend(rdata);
    message[10..12].copy_from_slice(&ar.to_be_bytes());
    Ok(())
}

/// Encoded size of a TSIG record for `key_name` and `algorithm` with a MAC of `mac_len` bytes
/// and `other_len` bytes of other data: what a signer must leave free in a message.
pub fn record_len(key_name: &str, algorithm: &str, mac_len: usize, other_len: usize) -> usize {
    let name = |n: &str| n.trim_end_matches('.').len() + 2;
    name(key_name) + 10 + name(algorithm) + 6 + 2 + 2 + mac_len + 2 + 2 + 2 + other_len
}
