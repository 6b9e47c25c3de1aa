-- Ours, not upstream's: the index of zone transfers (StorageTx::zone_transfer_page, MiniDNS
-- AXFR). A page is one range of it: its zone's records in recordset order, so the recordset
-- lookups walk recordsets_pkey forwards. (`data` stays out: a B-tree entry is limited to about
-- 2.7 kB and record data can be longer.)
CREATE INDEX IF NOT EXISTS designate_records_transfer
    ON records (zone_id, recordset_id, id) INCLUDE (action);
