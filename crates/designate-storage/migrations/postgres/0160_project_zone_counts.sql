-- Ours, not upstream's: how many live zones (deleted = '0') each project owns, kept by triggers
-- on zones so that every writer keeps it right, an upstream Designate sharing the database
-- included. An unfiltered zone listing of a project reads its metadata.total_count here (and
-- an all-projects listing sums the table) instead of counting the project's zones on every
-- page, which grows with the project (designate-storage sql/project_zone_counts.rs). Zones
-- without a project count under ''.
CREATE TABLE IF NOT EXISTS designate_project_zone_counts (
    tenant_id VARCHAR(36) NOT NULL,
    zones BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);
INSERT INTO designate_project_zone_counts (tenant_id, zones)
SELECT COALESCE(tenant_id, ''), COUNT(*) FROM zones WHERE deleted = '0'
GROUP BY COALESCE(tenant_id, '')
ON CONFLICT (tenant_id) DO UPDATE SET zones = excluded.zones;

CREATE OR REPLACE FUNCTION designate_zone_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted = '0' THEN
        UPDATE designate_project_zone_counts SET zones = zones - 1
        WHERE tenant_id = COALESCE(OLD.tenant_id, '');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted = '0' THEN
        INSERT INTO designate_project_zone_counts (tenant_id, zones)
        VALUES (COALESCE(NEW.tenant_id, ''), 1)
        ON CONFLICT (tenant_id) DO UPDATE
        SET zones = designate_project_zone_counts.zones + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS designate_zone_count_insert ON zones;
CREATE TRIGGER designate_zone_count_insert AFTER INSERT ON zones
FOR EACH ROW WHEN (NEW.deleted = '0') EXECUTE FUNCTION designate_zone_count();
DROP TRIGGER IF EXISTS designate_zone_count_delete ON zones;
CREATE TRIGGER designate_zone_count_delete AFTER DELETE ON zones
FOR EACH ROW WHEN (OLD.deleted = '0') EXECUTE FUNCTION designate_zone_count();
DROP TRIGGER IF EXISTS designate_zone_count_update ON zones;
CREATE TRIGGER designate_zone_count_update AFTER UPDATE OF deleted, tenant_id ON zones
FOR EACH ROW WHEN ((OLD.deleted = '0') <> (NEW.deleted = '0')
    OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
EXECUTE FUNCTION designate_zone_count();
