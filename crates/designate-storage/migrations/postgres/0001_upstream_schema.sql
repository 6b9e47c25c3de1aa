-- Upstream Designate's schema on PostgreSQL: the tables, columns, defaults, keys and constraint
-- names upstream's alembic migrations create (on MariaDB; see migrations/mysql), with the types
-- upstream's SQLAlchemy models use on PostgreSQL: UUID -> native uuid (designate/storage/
-- sqlalchemy/types.py), DateTime -> timestamp without time zone, Boolean -> boolean, Enum -> a
-- named enum type. Upstream 23.0.0 cannot build this itself: its migration f49c4409c8ba fails
-- because its enum for service_statuses.status is named like the table ("service_statuses");
-- here that type is service_statuses_status, and zones.type's enum (upstream: "type") is
-- zone_types. Only MySQL's implicit foreign-key indexes are not repeated.
--
-- Idempotent: types are created only when missing, tables and indexes IF NOT EXISTS.

DO $$ BEGIN
    CREATE TYPE service_statuses_status AS ENUM ('UP', 'DOWN', 'WARNING', 'STOPPED');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE zones_resource_statuses AS ENUM ('ACTIVE', 'PENDING', 'DELETED', 'ERROR');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE actions AS ENUM ('CREATE', 'DELETE', 'UPDATE', 'NONE');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE zone_types AS ENUM ('PRIMARY', 'SECONDARY', 'CATALOG');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE record_types AS ENUM ('A', 'AAAA', 'CNAME', 'MX', 'SRV', 'TXT', 'SPF', 'NS', 'PTR', 'SSHFP', 'SOA', 'NAPTR', 'CAA', 'CERT', 'HTTPS', 'SVCB', 'TLSA');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE records_resource_statuses AS ENUM ('ACTIVE', 'PENDING', 'DELETED', 'ERROR');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE tsig_algorithms AS ENUM ('hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE tsig_scopes AS ENUM ('POOL', 'ZONE');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE pool_provisioner AS ENUM ('UNMANAGED');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE zone_transfer_requests_resource_statuses AS ENUM ('ACTIVE', 'PENDING', 'DELETED', 'ERROR', 'COMPLETE');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE zone_transfer_accepts_resource_statuses AS ENUM ('ACTIVE', 'PENDING', 'DELETED', 'ERROR', 'COMPLETE');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE task_types AS ENUM ('IMPORT', 'EXPORT');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE zone_tasks_resource_statuses AS ENUM ('ACTIVE', 'PENDING', 'DELETED', 'ERROR', 'COMPLETE');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS service_statuses (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    service_name varchar(40) NOT NULL,
    hostname varchar(255) NOT NULL,
    heartbeated_at timestamp without time zone,
    status service_statuses_status,
    stats text NOT NULL,
    capabilities text NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_service_status UNIQUE (service_name, hostname)
);

CREATE TABLE IF NOT EXISTS quotas (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    tenant_id varchar(36) NOT NULL,
    resource varchar(32) NOT NULL,
    hard_limit integer NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_quota UNIQUE (tenant_id, resource)
);

CREATE TABLE IF NOT EXISTS tlds (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name varchar(255) NOT NULL,
    description varchar(160),
    PRIMARY KEY (id),
    CONSTRAINT unique_tld_name UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS zones (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version integer NOT NULL,
    tenant_id varchar(36),
    name varchar(255) NOT NULL,
    email varchar(255) NOT NULL,
    ttl integer NOT NULL,
    refresh integer NOT NULL,
    retry integer NOT NULL,
    expire integer NOT NULL,
    minimum integer NOT NULL,
    parent_zone_id uuid,
    serial integer NOT NULL DEFAULT 1,
    deleted char(32) NOT NULL DEFAULT '0',
    deleted_at timestamp without time zone,
    description varchar(160),
    status zones_resource_statuses NOT NULL DEFAULT 'PENDING',
    action actions NOT NULL DEFAULT 'CREATE',
    pool_id uuid,
    reverse_name varchar(255) NOT NULL DEFAULT '',
    type zone_types NOT NULL,
    transferred_at timestamp without time zone,
    shard smallint NOT NULL,
    delayed_notify boolean,
    increment_serial boolean,
    PRIMARY KEY (id),
    CONSTRAINT unique_domain_name UNIQUE (name, deleted, pool_id),
    CONSTRAINT fk_zones_id_parent_zone_id FOREIGN KEY (parent_zone_id) REFERENCES zones (id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS zone_deleted ON zones (deleted);
CREATE INDEX IF NOT EXISTS zone_tenant_deleted ON zones (tenant_id, deleted);
CREATE INDEX IF NOT EXISTS reverse_name_deleted ON zones (reverse_name, deleted);
CREATE INDEX IF NOT EXISTS zone_created_at ON zones (created_at);
CREATE INDEX IF NOT EXISTS delayed_notify ON zones (delayed_notify);
CREATE INDEX IF NOT EXISTS increment_serial ON zones (increment_serial);

CREATE TABLE IF NOT EXISTS zone_attributes (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    "key" varchar(50),
    value varchar(255) NOT NULL,
    zone_id uuid,
    PRIMARY KEY (id),
    CONSTRAINT unique_attributes UNIQUE ("key", value, zone_id),
    CONSTRAINT fk_zone_attributes_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_masters (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    host varchar(32) NOT NULL,
    port integer NOT NULL,
    zone_id uuid NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_masters UNIQUE (host, port, zone_id),
    CONSTRAINT zone_masters_ibfk_1 FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS shared_zones (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    zone_id uuid NOT NULL,
    project_id varchar(36) NOT NULL,
    target_project_id varchar(36) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_shared_zone UNIQUE (zone_id, project_id, target_project_id),
    CONSTRAINT shared_zones_ibfk_1 FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS recordsets (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    zone_shard smallint,
    tenant_id varchar(36),
    zone_id uuid,
    name varchar(255) NOT NULL,
    type record_types NOT NULL,
    ttl integer,
    description varchar(160),
    reverse_name varchar(255) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    CONSTRAINT unique_recordset UNIQUE (zone_id, name, type),
    CONSTRAINT fk_recordsets_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
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
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version integer NOT NULL,
    data text NOT NULL,
    zone_id uuid,
    managed boolean,
    managed_resource_type varchar(50),
    managed_resource_id uuid,
    managed_plugin_type varchar(50),
    managed_plugin_name varchar(50),
    hash varchar(32) NOT NULL,
    description varchar(160),
    status records_resource_statuses NOT NULL DEFAULT 'PENDING',
    tenant_id varchar(36),
    recordset_id uuid NOT NULL,
    managed_tenant_id varchar(36),
    managed_resource_region varchar(100),
    managed_extra varchar(100),
    action actions NOT NULL DEFAULT 'CREATE',
    serial integer NOT NULL DEFAULT 1,
    zone_shard smallint,
    PRIMARY KEY (id),
    CONSTRAINT unique_record UNIQUE (hash),
    CONSTRAINT fk_records_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE,
    CONSTRAINT fkey_records_recordset_id FOREIGN KEY (recordset_id) REFERENCES recordsets (id) ON DELETE CASCADE,
    CONSTRAINT records_ibfk_2 FOREIGN KEY (recordset_id) REFERENCES recordsets (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS records_tenant ON records (tenant_id);
CREATE INDEX IF NOT EXISTS record_created_at ON records (created_at);
CREATE INDEX IF NOT EXISTS update_status_index ON records (status, zone_id, tenant_id, created_at, serial);

CREATE TABLE IF NOT EXISTS tsigkeys (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name varchar(255) NOT NULL,
    algorithm tsig_algorithms NOT NULL,
    secret varchar(255) NOT NULL,
    scope tsig_scopes NOT NULL DEFAULT 'POOL',
    resource_id uuid NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_tsigkey_name UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS blacklists (
    id uuid NOT NULL,
    version integer NOT NULL,
    updated_at timestamp without time zone,
    created_at timestamp without time zone,
    pattern varchar(255) NOT NULL,
    description varchar(160),
    PRIMARY KEY (id),
    CONSTRAINT pattern UNIQUE (pattern)
);

CREATE TABLE IF NOT EXISTS pools (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version integer NOT NULL,
    name varchar(50) NOT NULL,
    description varchar(160),
    tenant_id varchar(36),
    provisioner pool_provisioner NOT NULL DEFAULT 'UNMANAGED',
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_name UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS pool_attributes (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version integer NOT NULL,
    "key" varchar(255) NOT NULL,
    value varchar(255) NOT NULL,
    pool_id uuid NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_attribute UNIQUE (pool_id, "key", value),
    CONSTRAINT pool_attributes_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_ns_records (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version integer NOT NULL,
    pool_id uuid NOT NULL,
    priority integer NOT NULL,
    hostname varchar(255) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_ns_name UNIQUE (pool_id, hostname),
    CONSTRAINT pool_ns_records_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_nameservers (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    pool_id uuid NOT NULL,
    host varchar(255) NOT NULL,
    port integer NOT NULL,
    tsigkey_id uuid,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_host_port UNIQUE (pool_id, host, port),
    CONSTRAINT pool_nameservers_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_targets (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    pool_id uuid NOT NULL,
    type varchar(50) NOT NULL,
    tsigkey_id uuid,
    description varchar(160),
    PRIMARY KEY (id),
    CONSTRAINT pool_targets_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_target_masters (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    pool_target_id uuid NOT NULL,
    host varchar(255) NOT NULL,
    port integer NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_target_host_port UNIQUE (pool_target_id, host, port),
    CONSTRAINT pool_target_masters_ibfk_1 FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_target_options (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    pool_target_id uuid NOT NULL,
    "key" varchar(255) NOT NULL,
    value varchar(255) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_target_key UNIQUE (pool_target_id, "key"),
    CONSTRAINT pool_target_options_ibfk_1 FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS pool_also_notifies (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    pool_id uuid NOT NULL,
    host varchar(255) NOT NULL,
    port integer NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT unique_pool_also_notifies_pool0host0port UNIQUE (pool_id, host, port),
    CONSTRAINT pool_also_notifies_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_transfer_requests (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    zone_id uuid,
    "key" varchar(255) NOT NULL,
    description varchar(255),
    tenant_id varchar(36) NOT NULL,
    target_tenant_id varchar(36),
    status zone_transfer_requests_resource_statuses NOT NULL DEFAULT 'ACTIVE',
    PRIMARY KEY (id),
    CONSTRAINT fk_ztr_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_transfer_accepts (
    id uuid NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    zone_id uuid,
    zone_transfer_request_id uuid NOT NULL,
    tenant_id varchar(36) NOT NULL,
    status zone_transfer_accepts_resource_statuses NOT NULL DEFAULT 'ACTIVE',
    PRIMARY KEY (id),
    CONSTRAINT fk_zta_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE,
    CONSTRAINT zone_transfer_accepts_ibfk_2 FOREIGN KEY (zone_transfer_request_id) REFERENCES zone_transfer_requests (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS zone_tasks (
    id uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version integer NOT NULL,
    tenant_id varchar(36),
    zone_id uuid,
    task_type task_types,
    message varchar(160),
    status zone_tasks_resource_statuses NOT NULL DEFAULT 'ACTIVE',
    location varchar(160),
    PRIMARY KEY (id),
    CONSTRAINT fk_zone_tasks_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
);
