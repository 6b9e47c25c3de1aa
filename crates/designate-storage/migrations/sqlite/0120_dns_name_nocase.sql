-- Ours, not upstream's: DNS names compare case-insensitively (RFC 4343). Upstream stores zone and
-- recordset names as given and relies on MySQL's case-insensitive collation for lookups; on
-- SQLite we compare name = ? COLLATE NOCASE, and these indexes keep those lookups (MiniDNS
-- finding the zone of a query, central's duplicate and parent-zone checks) from scanning.
CREATE INDEX IF NOT EXISTS designate_zone_name_nocase ON zones (name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS designate_rrset_zone_name_nocase ON recordsets (zone_id, name COLLATE NOCASE);
