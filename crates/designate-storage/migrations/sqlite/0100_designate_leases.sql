-- Ours, not upstream's: expiring named claims through which producer instances share the
-- zone shards (membership, shard-bucket ownership, per-period run gates). Idempotent.
CREATE TABLE IF NOT EXISTS designate_leases (
    name VARCHAR(128) NOT NULL,
    holder VARCHAR(255) NOT NULL,
    expires_at DATETIME NOT NULL,
    PRIMARY KEY (name)
);
