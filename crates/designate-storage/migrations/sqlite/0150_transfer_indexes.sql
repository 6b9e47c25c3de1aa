-- Ours, not upstream's: indexes for zone transfers (StorageTx::zone_transfer_page, MiniDNS AXFR).
-- A page is one range of designate_records_transfer (its zone's records in recordset order),
-- joined to recordsets through designate_recordsets_transfer in the same order; both cover the
-- query, so a transfer reads no table row. Without them each record cost random lookups into
-- the records and recordsets tables (about 16 s of CPU for a 1,000,000-record zone).
CREATE INDEX IF NOT EXISTS designate_records_transfer
    ON records (zone_id, recordset_id, id, action, data);
CREATE INDEX IF NOT EXISTS designate_recordsets_transfer
    ON recordsets (id, type, ttl, name);
