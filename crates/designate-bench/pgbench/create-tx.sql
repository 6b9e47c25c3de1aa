-- Central's recordset-create transaction as designate-central runs it on PostgreSQL (the statement
-- shapes of a 'log_statement = all' census; ids and names made up here), for pgbench: what
-- PostgreSQL alone can commit on this machine. Run by scripts/pg-create-ceiling.
-- The zone lookup before BEGIN stands in for the zone id the API hands central.
\set n random(1, 1000000000)
SELECT id AS zone, pool_id AS pool FROM zones WHERE name = 'load' || :client_id::text || 'r0.bench.' AND deleted = '0' \gset
BEGIN;
SELECT z.id, z.version, z.serial FROM zones z WHERE z.id = :zone FOR UPDATE;
SELECT rs.id, rs.type::text AS type FROM recordsets rs WHERE rs.zone_id = :zone AND lower(rs.name) = lower('p' || :n::text || '.x.');
SELECT z.name FROM zones z WHERE z.deleted = '0' AND z.parent_zone_id = :zone;
SELECT id, version, created_at, updated_at, tenant_id, resource, hard_limit FROM quotas WHERE tenant_id = 'noauth-project';
SELECT recordsets, records FROM designate_zone_counts WHERE zone_id = :zone;
INSERT INTO recordsets (id, version, created_at, updated_at, zone_shard, tenant_id, zone_id, name, type, ttl, description, reverse_name) VALUES (gen_random_uuid(), 1, now(), NULL, 950, 'noauth-project', :zone, md5(random()::text) || '.load.bench.', 'A', NULL, NULL, 'x') RETURNING id AS rsid \gset
INSERT INTO records (id, version, created_at, updated_at, zone_shard, tenant_id, zone_id, recordset_id, data, description, hash, managed, status, action, serial) VALUES (gen_random_uuid(), 1, now(), NULL, 950, 'noauth-project', :zone, :rsid, '10.0.0.1', NULL, md5(:rsid::text), false, 'PENDING', 'CREATE', 17);
UPDATE designate_zone_counts SET recordsets = recordsets + 1, records = records + 1 WHERE zone_id = :zone;
SELECT r.id AS soa, rs.id AS soars FROM recordsets rs JOIN records r ON r.recordset_id = rs.id WHERE rs.type = 'SOA' AND rs.zone_id = :zone \gset
UPDATE records SET version = version + 1, updated_at = now(), data = 'ns1. h. ' || :n::text, hash = md5('soa' || :n), serial = :n, status = 'PENDING', action = 'UPDATE' WHERE id = :soa;
UPDATE recordsets SET version = version + 1, updated_at = now() WHERE id = :soars;
UPDATE zones SET version = version + 1, updated_at = now(), serial = :n, status = 'PENDING', action = 'UPDATE' WHERE id = :zone;
INSERT INTO designate_zone_journal (zone_id, serial, prev_serial, seq, op, name, type, ttl, data) VALUES (:zone, :n, 1, 0, 'del', 'z.', 'SOA', 3600, 'x'), (:zone, :n, 1, 1, 'add', 'z.', 'SOA', 3600, 'y'), (:zone, :n, 1, 2, 'add', 'z.', 'A', 3600, 'y') ON CONFLICT DO NOTHING;
COMMIT;
