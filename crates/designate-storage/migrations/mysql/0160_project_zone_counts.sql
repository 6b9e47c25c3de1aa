-- Ours, not upstream's: how many live zones (deleted = '0') each project owns, kept by triggers
-- on zones so that every writer keeps it right, an upstream Designate sharing the database
-- included. An unfiltered zone listing of a project reads its metadata.total_count here (and
-- an all-projects listing sums the table) instead of counting the project's zones on every
-- page, which grows with the project (designate-storage sql/project_zone_counts.rs). Zones
-- without a project count under ''.
CREATE TABLE IF NOT EXISTS designate_project_zone_counts (
    tenant_id varchar(36) NOT NULL,
    zones BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;
INSERT INTO designate_project_zone_counts (tenant_id, zones)
SELECT COALESCE(tenant_id, ''), COUNT(*) FROM zones WHERE deleted = '0'
GROUP BY COALESCE(tenant_id, '')
ON DUPLICATE KEY UPDATE zones = VALUES(zones);

DROP TRIGGER IF EXISTS designate_zone_count_insert;
CREATE TRIGGER designate_zone_count_insert AFTER INSERT ON zones FOR EACH ROW
INSERT INTO designate_project_zone_counts (tenant_id, zones)
SELECT COALESCE(NEW.tenant_id, ''), 1 FROM DUAL WHERE NEW.deleted = '0'
ON DUPLICATE KEY UPDATE zones = zones + 1;

DROP TRIGGER IF EXISTS designate_zone_count_delete;
CREATE TRIGGER designate_zone_count_delete AFTER DELETE ON zones FOR EACH ROW
UPDATE designate_project_zone_counts SET zones = zones - 1
WHERE OLD.deleted = '0' AND tenant_id = COALESCE(OLD.tenant_id, '');

DROP TRIGGER IF EXISTS designate_zone_count_update;
CREATE TRIGGER designate_zone_count_update AFTER UPDATE ON zones FOR EACH ROW
BEGIN
    IF (OLD.deleted = '0') <> (NEW.deleted = '0') OR NOT (OLD.tenant_id <=> NEW.tenant_id) THEN
        UPDATE designate_project_zone_counts SET zones = zones - 1
        WHERE OLD.deleted = '0' AND tenant_id = COALESCE(OLD.tenant_id, '');
        INSERT INTO designate_project_zone_counts (tenant_id, zones)
        SELECT COALESCE(NEW.tenant_id, ''), 1 FROM DUAL WHERE NEW.deleted = '0'
        ON DUPLICATE KEY UPDATE zones = zones + 1;
    END IF;
END;
