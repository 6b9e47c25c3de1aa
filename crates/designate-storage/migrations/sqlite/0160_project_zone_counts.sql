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

CREATE TRIGGER IF NOT EXISTS designate_zone_count_insert AFTER INSERT ON zones
WHEN NEW.deleted = '0'
BEGIN
    INSERT INTO designate_project_zone_counts (tenant_id, zones)
    VALUES (COALESCE(NEW.tenant_id, ''), 1)
    ON CONFLICT (tenant_id) DO UPDATE SET zones = zones + 1;
END;

CREATE TRIGGER IF NOT EXISTS designate_zone_count_delete AFTER DELETE ON zones
WHEN OLD.deleted = '0'
BEGIN
    UPDATE designate_project_zone_counts SET zones = zones - 1
    WHERE tenant_id = COALESCE(OLD.tenant_id, '');
END;

CREATE TRIGGER IF NOT EXISTS designate_zone_count_update AFTER UPDATE OF deleted, tenant_id ON zones
WHEN (OLD.deleted = '0') <> (NEW.deleted = '0')
    OR COALESCE(OLD.tenant_id, '') <> COALESCE(NEW.tenant_id, '')
BEGIN
    UPDATE designate_project_zone_counts SET zones = zones - 1
    WHERE OLD.deleted = '0' AND tenant_id = COALESCE(OLD.tenant_id, '');
    INSERT INTO designate_project_zone_counts (tenant_id, zones)
    SELECT COALESCE(NEW.tenant_id, ''), 1 WHERE NEW.deleted = '0'
    ON CONFLICT (tenant_id) DO UPDATE SET zones = zones + 1;
END;
