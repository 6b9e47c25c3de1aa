-- Ours, not upstream's: expiring named claims through which producer instances share the
-- zone shards (membership, shard-bucket ownership, per-period run gates). Idempotent.
-- datetime(6): lease periods may be shorter than a second in tests.
CREATE TABLE IF NOT EXISTS designate_leases (
  name varchar(128) NOT NULL,
  holder varchar(255) NOT NULL,
  expires_at datetime(6) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;
