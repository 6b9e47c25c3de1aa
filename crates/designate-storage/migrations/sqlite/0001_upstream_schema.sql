-- Upstream Designate's schema as SQLAlchemy/alembic creates it on SQLite (designate/storage/
-- sqlalchemy/tables.py after every alembic version): same tables, columns, constraint and
-- index names. Types are what SQLAlchemy emits on SQLite: UUID -> CHAR(32) (lowercase hex, no
-- dashes), DateTime -> DATETIME ('YYYY-MM-DD HH:MM:SS.ffffff'), Enum -> VARCHAR(longest value),
-- Unicode/String -> VARCHAR(n), Boolean -> BOOLEAN (0/1), JsonEncodedDict -> TEXT.
--
-- Every statement is IF NOT EXISTS so that running this on a database upstream already created
-- changes nothing there.

CREATE TABLE IF NOT EXISTS service_statuses (
    id CHAR(32) NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    service_name VARCHAR(40) NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    heartbeated_at DATETIME,
    status VARCHAR(7) NOT NULL,
    stats TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_service_status UNIQUE (service_name, hostname)
);

CREATE TABLE IF NOT EXISTS quotas (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    tenant_id VARCHAR(36) NOT NULL,
    resource VARCHAR(32) NOT NULL,
    hard_limit INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_quota UNIQUE (tenant_id, resource)
);

CREATE TABLE IF NOT EXISTS tlds (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    name VARCHAR(255) NOT NULL,
    description VARCHAR(160),
    PRIMARY KEY (id),
    CONSTRAINT unique_tld_name UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS zones (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    deleted CHAR(32) DEFAULT '0' NOT NULL,
    deleted_at DATETIME,
    shard SMALLINT NOT NULL,
    tenant_id VARCHAR(36),
    name VARCHAR(255) NOT NULL,
    email VARCHAR(255) NOT NULL,
    description VARCHAR(160),
    type VARCHAR(9) DEFAULT 'PRIMARY' NOT NULL,
    transferred_at DATETIME,
    ttl INTEGER NOT NULL,
    serial INTEGER DEFAULT '1' NOT NULL,
    refresh INTEGER NOT NULL,
    retry INTEGER NOT NULL,
    expire INTEGER NOT NULL,
    minimum INTEGER NOT NULL,
    status VARCHAR(7) DEFAULT 'PENDING' NOT NULL,
    parent_zone_id CHAR(32),
    action VARCHAR(6) DEFAULT 'CREATE' NOT NULL,
    pool_id CHAR(32),
    reverse_name VARCHAR(255) DEFAULT '' NOT NULL,
    delayed_notify BOOLEAN,
    increment_serial BOOLEAN,
    PRIMARY KEY (id),
    CONSTRAINT unique_zone_name UNIQUE (name, deleted, pool_id),
    CONSTRAINT fk_zones_id_parent_zone_id FOREIGN KEY (parent_zone_id)
        REFERENCES zones (id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS zone_deleted ON zones (deleted);
CREATE INDEX IF NOT EXISTS zone_tenant_deleted ON zones (tenant_id, deleted);
CREATE INDEX IF NOT EXISTS reverse_name_deleted ON zones (reverse_name, deleted);
CREATE INDEX IF NOT EXISTS zone_created_at ON zones (created_at);
CREATE INDEX IF NOT EXISTS delayed_notify ON zones (delayed_notify);
CREATE INDEX IF NOT EXISTS increment_serial ON zones (increment_serial);

CREATE TABLE IF NOT EXISTS zone_attributes (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    "key" VARCHAR(50),
    value VARCHAR(255) NOT NULL,
    zone_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_attributes UNIQUE ("key", value, zone_id),
    CONSTRAINT fk_zone_attributes_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_masters (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    host VARCHAR(32) NOT NULL,
    port INTEGER NOT NULL,
    zone_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_masters UNIQUE (host, port, zone_id),
    FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS shared_zones (
    id CHAR(32) NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    zone_id CHAR(32) NOT NULL,
    project_id VARCHAR(36) NOT NULL,
    target_project_id VARCHAR(36) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_shared_zone UNIQUE (zone_id, project_id, target_project_id),
    FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS recordsets (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    zone_shard SMALLINT NOT NULL,
    tenant_id VARCHAR(36),
    zone_id CHAR(32) NOT NULL,
    name VARCHAR(255) NOT NULL,
    type VARCHAR(5) NOT NULL,
    ttl INTEGER,
    description VARCHAR(160),
    reverse_name VARCHAR(255) DEFAULT '' NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_recordset UNIQUE (zone_id, name, type),
    CONSTRAINT fk_recordsets_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS rrset_type_domainid ON recordsets (type, zone_id);
CREATE INDEX IF NOT EXISTS recordset_type_name ON recordsets (type, name);
CREATE INDEX IF NOT EXISTS reverse_name_dom_id ON recordsets (reverse_name, zone_id);
CREATE INDEX IF NOT EXISTS recordset_created_at ON recordsets (created_at);
CREATE INDEX IF NOT EXISTS rrset_updated_at ON recordsets (updated_at);
CREATE INDEX IF NOT EXISTS rrset_zoneid ON recordsets (zone_id);
CREATE INDEX IF NOT EXISTS rrset_type ON recordsets (type);
CREATE INDEX IF NOT EXISTS rrset_ttl ON recordsets (ttl);
CREATE INDEX IF NOT EXISTS rrset_tenant_id ON recordsets (tenant_id);

CREATE TABLE IF NOT EXISTS records (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    zone_shard SMALLINT NOT NULL,
    tenant_id VARCHAR(36),
    zone_id CHAR(32) NOT NULL,
    recordset_id CHAR(32) NOT NULL,
    data TEXT NOT NULL,
    description VARCHAR(160),
    hash VARCHAR(32) NOT NULL,
    managed BOOLEAN,
    managed_extra VARCHAR(100),
    managed_plugin_type VARCHAR(50),
    managed_plugin_name VARCHAR(50),
    managed_resource_type VARCHAR(50),
    managed_resource_region VARCHAR(100),
    managed_resource_id CHAR(32),
    managed_tenant_id VARCHAR(36),
    status VARCHAR(7) DEFAULT 'PENDING' NOT NULL,
    action VARCHAR(6) DEFAULT 'CREATE' NOT NULL,
    serial INTEGER DEFAULT '1' NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_record UNIQUE (hash),
    CONSTRAINT fk_records_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE,
    CONSTRAINT fkey_records_recordset_id FOREIGN KEY (recordset_id)
        REFERENCES recordsets (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS records_tenant ON records (tenant_id);
CREATE INDEX IF NOT EXISTS record_created_at ON records (created_at);
CREATE INDEX IF NOT EXISTS update_status_index
    ON records (status, zone_id, tenant_id, created_at, serial);

CREATE TABLE IF NOT EXISTS tsigkeys (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    name VARCHAR(255) NOT NULL,
    algorithm VARCHAR(11) NOT NULL,
    secret VARCHAR(255) NOT NULL,
    scope VARCHAR(4) DEFAULT 'POOL' NOT NULL,
    resource_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_tsigkey_name UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS blacklists (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    pattern VARCHAR(255) NOT NULL,
    description VARCHAR(160),
    PRIMARY KEY (id),
    CONSTRAINT pattern UNIQUE (pattern)
);

CREATE TABLE IF NOT EXISTS pools (
    id CHAR(32) NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    version INTEGER NOT NULL,
    name VARCHAR(50) NOT NULL,
    description VARCHAR(160),
    tenant_id VARCHAR(36),
    provisioner VARCHAR(9) DEFAULT 'UNMANAGED' NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_name UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS pool_attributes (
    id CHAR(32) NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    version INTEGER NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    value VARCHAR(255) NOT NULL,
    pool_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_attribute UNIQUE (pool_id, "key", value),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_ns_records (
    id CHAR(32) NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    version INTEGER NOT NULL,
    pool_id CHAR(32) NOT NULL,
    priority INTEGER NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE,
    CONSTRAINT unique_ns_name UNIQUE (pool_id, hostname)
);

CREATE TABLE IF NOT EXISTS pool_nameservers (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    pool_id CHAR(32) NOT NULL,
    host VARCHAR(255) NOT NULL,
    port INTEGER NOT NULL,
    tsigkey_id CHAR(32),
    PRIMARY KEY (id),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE,
    CONSTRAINT unique_pool_host_port UNIQUE (pool_id, host, port)
);

CREATE TABLE IF NOT EXISTS pool_targets (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    pool_id CHAR(32) NOT NULL,
    type VARCHAR(50) NOT NULL,
    tsigkey_id CHAR(32),
    description VARCHAR(160),
    PRIMARY KEY (id),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_target_masters (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    pool_target_id CHAR(32) NOT NULL,
    host VARCHAR(255) NOT NULL,
    port INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE,
    CONSTRAINT unique_pool_target_host_port UNIQUE (pool_target_id, host, port)
);

CREATE TABLE IF NOT EXISTS pool_target_options (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    pool_target_id CHAR(32) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    value VARCHAR(255) NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE,
    CONSTRAINT unique_pool_target_key UNIQUE (pool_target_id, "key")
);

CREATE TABLE IF NOT EXISTS pool_also_notifies (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    pool_id CHAR(32) NOT NULL,
    host VARCHAR(255) NOT NULL,
    port INTEGER NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE,
    CONSTRAINT unique_pool_also_notifies_pool0host0port UNIQUE (pool_id, host, port)
);

CREATE TABLE IF NOT EXISTS zone_transfer_requests (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    zone_id CHAR(32) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    description VARCHAR(255),
    tenant_id VARCHAR(36) NOT NULL,
    target_tenant_id VARCHAR(36),
    status VARCHAR(8) DEFAULT 'ACTIVE' NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_ztr_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_transfer_accepts (
    id CHAR(32) NOT NULL,
    version INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    zone_id CHAR(32) NOT NULL,
    zone_transfer_request_id CHAR(32) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    status VARCHAR(8) DEFAULT 'ACTIVE' NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_zta_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE,
    FOREIGN KEY (zone_transfer_request_id)
        REFERENCES zone_transfer_requests (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_tasks (
    id CHAR(32) NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    version INTEGER NOT NULL,
    tenant_id VARCHAR(36),
    zone_id CHAR(32),
    task_type VARCHAR(6),
    message VARCHAR(160),
    status VARCHAR(8) DEFAULT 'ACTIVE' NOT NULL,
    location VARCHAR(160),
    PRIMARY KEY (id),
    CONSTRAINT fk_zone_tasks_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
);
