//! A small DNS client: NOTIFY and SOA-serial queries (upstream's `designate.dnsutils`).
