-- Ours, not upstream's: the per-zone change journal MiniDNS answers IXFR from (RFC 1995).
-- Central writes one change's rows in the same transaction as the change itself: for the change
-- from serial prev_serial to serial, in seq order, first the deletions ('del', the old SOA first)
-- then the additions ('add', the new SOA first). ttl is the effective TTL as served. Rows go with
-- their zone (ON DELETE CASCADE); central prunes old changes (see designate-central's journal).
CREATE TABLE IF NOT EXISTS designate_zone_journal (
    zone_id CHAR(32) NOT NULL,
    serial BIGINT NOT NULL,
    prev_serial BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    op VARCHAR(3) NOT NULL,
    name VARCHAR(255) NOT NULL,
    type VARCHAR(16) NOT NULL,
    ttl BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (zone_id, serial, seq),
    CONSTRAINT fk_designate_zone_journal_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);
