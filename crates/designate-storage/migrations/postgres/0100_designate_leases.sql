-- Ours, not upstream's: expiring named claims through which producer instances share the
-- zone shards (membership, shard-bucket ownership, per-period run gates). Idempotent.
CREATE TABLE IF NOT EXISTS designate_leases (
    name varchar(128) NOT NULL,
    holder varchar(255) NOT NULL,
    expires_at timestamp without time zone NOT NULL,
    PRIMARY KEY (name)
);
