-- Ours, SQLite only: indexes that serve the point lookups of every change both by their
-- equalities and in the listing order (created_at, id). SQLite keeps no statistics unless
-- ANALYZE runs, so among indexes that match the same equalities it prefers one that also gives
-- the ORDER BY: with only (deleted, created_at, id) and (zone_id, created_at, id) it read every
-- live zone to find one by name (MiniDNS: each query; the nameserver of 100,000 zones never
-- finished loading) and every recordset of a zone to find one name or the SOA (central: each
-- change). PostgreSQL and MariaDB choose by their statistics. The name-only indexes of 0120 are
-- prefixes of these and go.
DROP INDEX IF EXISTS designate_zone_name_nocase;
CREATE INDEX IF NOT EXISTS designate_zones_name_deleted_created
    ON zones (name COLLATE NOCASE, deleted, created_at, id);
CREATE INDEX IF NOT EXISTS designate_zones_parent_deleted_created
    ON zones (parent_zone_id, deleted, created_at, id);
DROP INDEX IF EXISTS designate_rrset_zone_name_nocase;
CREATE INDEX IF NOT EXISTS designate_recordsets_zone_name_created
    ON recordsets (zone_id, name COLLATE NOCASE, created_at, id);
CREATE INDEX IF NOT EXISTS designate_recordsets_zone_name_type_created
    ON recordsets (zone_id, name COLLATE NOCASE, type, created_at, id);
CREATE INDEX IF NOT EXISTS designate_recordsets_zone_type_created
    ON recordsets (zone_id, type, created_at, id);
