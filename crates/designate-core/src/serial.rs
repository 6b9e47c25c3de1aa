//! SOA serial arithmetic.

/// The next serial after `current`: upstream's unix-time serial, but always strictly greater than
/// `current` (so several changes within one second still increase it). Wraps per RFC 1982.
pub fn next_serial(current: u32, now_unix: u32) -> u32 {
    if serial_gt(now_unix, current) {
        now_unix
    } else {
        current.wrapping_add(1).max(1)
    }
}

/// RFC 1982 comparison: is `a` greater than `b` in serial-number arithmetic?
pub fn serial_gt(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < (1 << 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_serial_is_time_or_plus_one() {
        assert_eq!(next_serial(100, 200), 200);
        assert_eq!(next_serial(200, 200), 201);
        assert_eq!(next_serial(300, 200), 301);
        assert_eq!(next_serial(u32::MAX, 5), 5);
    }

    #[test]
    fn rfc1982_compare() {
        assert!(serial_gt(2, 1));
        assert!(!serial_gt(1, 2));
        assert!(serial_gt(0, u32::MAX));
        assert!(!serial_gt(7, 7));
    }
}
