-- Ours, not upstream's: indexes upstream's SQLite schema lacks (MySQL/MariaDB get none of these:
-- upstream's tables stay as upstream created them there, see docs/PERFORMANCE.md).
--
-- records.recordset_id: a recordset's records are read (every listing page, every recordset
-- read by central) and deleted (update, delete) by it; upstream's schema has only the foreign
-- key here, so each of those scanned the whole table. (MySQL indexes a foreign key implicitly.)
CREATE INDEX IF NOT EXISTS designate_records_recordset_id ON records (recordset_id);
-- A zone's recordsets in listing order (created_at, id; NULL is the smallest value in SQLite),
-- so a page behind any marker is one range read of 100 index entries.
CREATE INDEX IF NOT EXISTS designate_recordsets_zone_created ON recordsets (zone_id, created_at, id);
-- Live zones in listing order, for all projects and per project.
CREATE INDEX IF NOT EXISTS designate_zones_deleted_created ON zones (deleted, created_at, id);
CREATE INDEX IF NOT EXISTS designate_zones_tenant_created ON zones (tenant_id, deleted, created_at, id);
