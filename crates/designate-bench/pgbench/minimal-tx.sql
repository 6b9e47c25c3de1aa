-- The smallest transaction that can accept a recordset create durably: lock the zone row,
-- insert the recordset and its record, mark the zone changed. No validation reads, no serial
-- bump of the SOA, no journal. Run by scripts/pg-create-ceiling.
\set n random(1, 1000000000)
SELECT id AS zone, pool_id AS pool FROM zones WHERE name = 'load' || :client_id::text || 'r0.bench.' AND deleted = '0' \gset
BEGIN;
SELECT z.id, z.version, z.serial FROM zones z WHERE z.id = :zone FOR UPDATE;
INSERT INTO recordsets (id, version, created_at, updated_at, zone_shard, tenant_id, zone_id, name, type, ttl, description, reverse_name) VALUES (gen_random_uuid(), 1, now(), NULL, 950, 'noauth-project', :zone, md5(random()::text) || '.load.bench.', 'A', NULL, NULL, 'x') RETURNING id AS rsid \gset
INSERT INTO records (id, version, created_at, updated_at, zone_shard, tenant_id, zone_id, recordset_id, data, description, hash, managed, status, action, serial) VALUES (gen_random_uuid(), 1, now(), NULL, 950, 'noauth-project', :zone, :rsid, '10.0.0.1', NULL, md5(:rsid::text), false, 'PENDING', 'CREATE', 17);
UPDATE zones SET version = version + 1, updated_at = now(), serial = :n, status = 'PENDING', action = 'UPDATE' WHERE id = :zone;
COMMIT;
