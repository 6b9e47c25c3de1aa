//! [`PoolOptions`]: connection pool settings for the server engines under upstream's option
//! names. Upstream registers oslo.db's database options in the `[storage:sqlalchemy]` group of
//! designate.conf (designate/conf/storage.py), next to `connection`.

use std::time::Duration;

/// Pool settings for PostgreSQL and MySQL, under upstream's (oslo.db's `[database]`) names and
/// with its defaults. SQLite ignores them (one writer, a few readers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Connections kept open (`max_pool_size`, default 5).
    pub max_pool_size: u32,
    /// Connections opened beyond `max_pool_size` under load (`max_overflow`, default 50); the
    /// pool's hard limit is the sum of both.
    pub max_overflow: u32,
    /// How long a transaction waits for a free connection (`pool_timeout`, default 30 s).
    pub pool_timeout: Duration,
    /// How often the first connection is retried at start before giving up (`max_retries`,
    /// default 10; -1 retries forever).
    pub max_retries: i32,
    /// Pause between those retries (`retry_interval`, default 10 s).
    pub retry_interval: Duration,
    /// Connections are closed and reopened after this long (`connection_recycle_time`,
    /// default 3600 s).
    pub connection_recycle_time: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_pool_size: 5,
            max_overflow: 50,
            pool_timeout: Duration::from_secs(30),
            max_retries: 10,
            retry_interval: Duration::from_secs(10),
            connection_recycle_time: Duration::from_secs(3600),
        }
    }
}

impl PoolOptions {
    /// Reads the options from a lookup of `[storage:sqlalchemy]` values by oslo.db name
    /// (`max_pool_size`, `max_overflow`, `pool_timeout`, `max_retries`, `retry_interval`,
    /// `connection_recycle_time`). A missing option keeps its default; an unparsable one is
    /// logged and keeps its default too (configuration never crashes the service).
    pub fn from_options(get: impl Fn(&str) -> Option<String>) -> Self {
        let d = Self::default();
        let num = |name: &str| -> Option<f64> {
            let raw = get(name)?;
            match raw.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    tracing::warn!(option = name, value = %raw, "not a number; using the default");
                    None
                }
            }
        };
        let count = |name: &str, default: u32| {
            num(name).map_or(default, |v| {
                if v < 0.0 {
                    default
                } else {
                    v.min(f64::from(u32::MAX)) as u32
                }
            })
        };
        let secs = |name: &str, default: Duration| {
            num(name).map_or(default, |v| {
                if v < 0.0 {
                    default
                } else {
                    Duration::from_secs_f64(v)
                }
            })
        };
        Self {
            max_pool_size: count("max_pool_size", d.max_pool_size),
            max_overflow: count("max_overflow", d.max_overflow),
            pool_timeout: secs("pool_timeout", d.pool_timeout),
            max_retries: num("max_retries")
                .map_or(d.max_retries, |v| v.clamp(-1.0, f64::from(i32::MAX)) as i32),
            retry_interval: secs("retry_interval", d.retry_interval),
            connection_recycle_time: secs("connection_recycle_time", d.connection_recycle_time),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_names_are_read_and_bad_values_keep_defaults() {
        let conf = |k: &str| match k {
            "max_pool_size" => Some("10".to_owned()),
            "max_overflow" => Some("-1".to_owned()),
            "pool_timeout" => Some("2.5".to_owned()),
            "max_retries" => Some("-1".to_owned()),
            "retry_interval" => Some("soon".to_owned()),
            _ => None,
        };
        let o = PoolOptions::from_options(conf);
        assert_eq!(o.max_pool_size, 10);
        assert_eq!(o.max_overflow, 50);
        assert_eq!(o.pool_timeout, Duration::from_millis(2500));
        assert_eq!(o.max_retries, -1);
        assert_eq!(o.retry_interval, Duration::from_secs(10));
        assert_eq!(o.connection_recycle_time, Duration::from_secs(3600));
        assert_eq!(PoolOptions::from_options(|_| None), PoolOptions::default());
    }
}
