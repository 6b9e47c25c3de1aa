//! Per-client-address token buckets: each address may send `rate` requests per second on
//! average and `burst` at once; the server drops what exceeds it (UDP) or closes the
//! connection (TCP). The pools' own servers are exempt (see `server`), so a target
//! resynchronising thousands of zones is never slowed down.
//!
//! The table of buckets is bounded: when it is full, buckets that have refilled completely (an
//! idle client is indistinguishable from a new one) are forgotten; if none has, the oldest
//! half is, so a flood of spoofed sources cannot grow memory without bound.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Most client addresses tracked at once.
const MAX_CLIENTS: usize = 65_536;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

/// The buckets of every client address.
pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// `None` when `rate` is 0 (no limit).
    pub(crate) fn new(rate: u32, burst: u32) -> Option<Self> {
        (rate > 0).then(|| Self {
            rate: f64::from(rate),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes one token of `ip`'s bucket; false when it is empty.
    pub(crate) fn allow(&self, ip: IpAddr) -> bool {
        self.allow_at(ip.to_canonical(), Instant::now())
    }

    fn allow_at(&self, ip: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&ip) {
            self.evict(&mut buckets, now);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            refilled_at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.refilled_at);
        bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * self.rate).min(self.burst);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn evict(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        let full_after = std::time::Duration::from_secs_f64(self.burst / self.rate);
        buckets.retain(|_, b| now.saturating_duration_since(b.refilled_at) < full_after);
        if buckets.len() >= MAX_CLIENTS {
            let mut ages: Vec<Instant> = buckets.values().map(|b| b.refilled_at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            buckets.retain(|_, b| b.refilled_at > cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_rate_per_address() {
        let limiter = RateLimiter::new(10, 5).unwrap();
        let a = IpAddr::from([192, 0, 2, 1]);
        let b = IpAddr::from([192, 0, 2, 2]);
        let t0 = Instant::now();
        assert_eq!((0..8).filter(|_| limiter.allow_at(a, t0)).count(), 5);
        // Another address has its own bucket.
        assert!(limiter.allow_at(b, t0));
        // 10 per second: one token every 100 ms.
        assert!(!limiter.allow_at(a, t0 + Duration::from_millis(50)));
        assert!(limiter.allow_at(a, t0 + Duration::from_millis(160)));
        assert!(!limiter.allow_at(a, t0 + Duration::from_millis(170)));
        // Never more than the burst after a long pause.
        let later = t0 + Duration::from_secs(60);
        assert_eq!((0..8).filter(|_| limiter.allow_at(a, later)).count(), 5);
        assert!(RateLimiter::new(0, 5).is_none());
    }

    #[test]
    fn the_table_stays_bounded() {
        let limiter = RateLimiter::new(1, 1).unwrap();
        let t0 = Instant::now();
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            limiter.allow_at(IpAddr::from(i.to_be_bytes()), t0);
        }
        let len = limiter.buckets.lock().unwrap().len();
        assert!(len <= MAX_CLIENTS, "{len}");
    }
}
