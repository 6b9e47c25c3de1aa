-- Ours, not upstream's: how many recordsets and non-managed records each zone holds, kept by
-- the storage layer in the transaction of every write of them (designate-storage
-- sql/zone_counts.rs). A zone's unfiltered recordset listing reads its metadata.total_count
-- here, and the zone_recordsets / zone_records quota checks read it too, instead of counting the
-- zone's rows on every request (which grows with the zone). A zone without a row (written by
-- something else) is counted the slow way, and gets its row at our next write of its recordsets.
CREATE TABLE IF NOT EXISTS designate_zone_counts (
    zone_id uuid NOT NULL,
    recordsets BIGINT NOT NULL,
    records BIGINT NOT NULL,
    PRIMARY KEY (zone_id),
    CONSTRAINT fk_designate_zone_counts_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);
-- The zones that exist already (an adopted database, or ours before this migration).
INSERT INTO designate_zone_counts (zone_id, recordsets, records)
SELECT z.id,
    (SELECT COUNT(*) FROM recordsets rs WHERE rs.zone_id = z.id),
    (SELECT COUNT(*) FROM records r WHERE r.zone_id = z.id AND (r.managed IS NULL OR r.managed = false))
FROM zones z
WHERE NOT EXISTS (SELECT 1 FROM designate_zone_counts c WHERE c.zone_id = z.id);
