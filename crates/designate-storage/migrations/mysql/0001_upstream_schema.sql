-- Upstream Designate's schema exactly as its own alembic migrations (designate 23.0.0,
-- `designate-manage database sync`) leave it on MySQL/MariaDB: same tables, column types
-- (UUID -> CHAR(32) hex, DateTime -> DATETIME, Boolean -> TINYINT(1), Enum -> ENUM(...)),
-- defaults, keys, constraint names (including migration artefacts such as `unique_domain_name`
-- and the second foreign key `records_ibfk_2`) and charset (utf8, i.e. utf8mb3). Column order
-- follows upstream's migration history. Captured with `mysqldump --no-data` from such a database.
--
-- Every statement is IF NOT EXISTS so that running this on a database upstream already created
-- changes nothing there (sqlx only adds its `_sqlx_migrations` bookkeeping table).

CREATE TABLE IF NOT EXISTS service_statuses (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  service_name varchar(40) NOT NULL,
  hostname varchar(255) NOT NULL,
  heartbeated_at datetime DEFAULT NULL,
  status enum('UP','DOWN','WARNING','STOPPED') DEFAULT NULL,
  stats text NOT NULL,
  capabilities text NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_service_status (service_name,hostname)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS quotas (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  tenant_id varchar(36) NOT NULL,
  resource varchar(32) NOT NULL,
  hard_limit int(11) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_quota (tenant_id,resource)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS tlds (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  name varchar(255) NOT NULL,
  description varchar(160) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_tld_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS zones (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  version int(11) NOT NULL,
  tenant_id varchar(36) DEFAULT NULL,
  name varchar(255) NOT NULL,
  email varchar(255) NOT NULL,
  ttl int(11) NOT NULL,
  refresh int(11) NOT NULL,
  retry int(11) NOT NULL,
  expire int(11) NOT NULL,
  minimum int(11) NOT NULL,
  parent_zone_id char(32) DEFAULT NULL,
  serial int(11) NOT NULL DEFAULT 1,
  deleted char(32) NOT NULL DEFAULT '0',
  deleted_at datetime DEFAULT NULL,
  description varchar(160) DEFAULT NULL,
  status enum('ACTIVE','PENDING','DELETED','ERROR') NOT NULL DEFAULT 'PENDING',
  action enum('CREATE','DELETE','UPDATE','NONE') NOT NULL DEFAULT 'CREATE',
  pool_id char(32) DEFAULT NULL,
  reverse_name varchar(255) NOT NULL DEFAULT '',
  type enum('PRIMARY','SECONDARY','CATALOG') NOT NULL,
  transferred_at datetime DEFAULT NULL,
  shard smallint(6) NOT NULL,
  delayed_notify tinyint(1) DEFAULT NULL,
  increment_serial tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_domain_name (name,deleted,pool_id),
  KEY zone_deleted (deleted),
  KEY zone_created_at (created_at),
  KEY reverse_name_deleted (reverse_name,deleted),
  KEY zone_tenant_deleted (tenant_id,deleted),
  KEY fk_zones_id_parent_zone_id (parent_zone_id),
  KEY delayed_notify (delayed_notify),
  KEY increment_serial (increment_serial),
  CONSTRAINT fk_zones_id_parent_zone_id FOREIGN KEY (parent_zone_id) REFERENCES zones (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS zone_attributes (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  `key` varchar(50) DEFAULT NULL,
  value varchar(255) NOT NULL,
  zone_id char(32) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_attributes (`key`,value,zone_id),
  KEY fk_zone_attributes_zones_id_zone_id (zone_id),
  CONSTRAINT fk_zone_attributes_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS zone_masters (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  host varchar(32) NOT NULL,
  port int(11) NOT NULL,
  zone_id char(32) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_masters (host,port,zone_id),
  KEY zone_id (zone_id),
  CONSTRAINT zone_masters_ibfk_1 FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS shared_zones (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  zone_id char(32) NOT NULL,
  project_id varchar(36) NOT NULL,
  target_project_id varchar(36) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_shared_zone (zone_id,project_id,target_project_id),
  CONSTRAINT shared_zones_ibfk_1 FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS recordsets (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  zone_shard smallint(6) DEFAULT NULL,
  tenant_id varchar(36) DEFAULT NULL,
  zone_id char(32) DEFAULT NULL,
  name varchar(255) NOT NULL,
  type enum('A','AAAA','CNAME','MX','SRV','TXT','SPF','NS','PTR','SSHFP','SOA','NAPTR','CAA','CERT','HTTPS','SVCB','TLSA') NOT NULL,
  ttl int(11) DEFAULT NULL,
  description varchar(160) DEFAULT NULL,
  reverse_name varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY unique_recordset (zone_id,name,type),
  KEY recordset_created_at (created_at),
  KEY recordset_type_name (type,name),
  KEY reverse_name_dom_id (reverse_name,zone_id),
  KEY rrset_type_domainid (type,zone_id),
  KEY rrset_updated_at (updated_at),
  KEY rrset_zoneid (zone_id),
  KEY rrset_type (type),
  KEY rrset_ttl (ttl),
  KEY rrset_tenant_id (tenant_id),
  CONSTRAINT fk_recordsets_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS records (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  version int(11) NOT NULL,
  data text NOT NULL,
  zone_id char(32) DEFAULT NULL,
  managed tinyint(1) DEFAULT NULL,
  managed_resource_type varchar(50) DEFAULT NULL,
  managed_resource_id char(32) DEFAULT NULL,
  managed_plugin_type varchar(50) DEFAULT NULL,
  managed_plugin_name varchar(50) DEFAULT NULL,
  hash varchar(32) NOT NULL,
  description varchar(160) DEFAULT NULL,
  status enum('ACTIVE','PENDING','DELETED','ERROR') NOT NULL DEFAULT 'PENDING',
  tenant_id varchar(36) DEFAULT NULL,
  recordset_id char(32) NOT NULL,
  managed_tenant_id varchar(36) DEFAULT NULL,
  managed_resource_region varchar(100) DEFAULT NULL,
  managed_extra varchar(100) DEFAULT NULL,
  action enum('CREATE','DELETE','UPDATE','NONE') NOT NULL DEFAULT 'CREATE',
  serial int(11) NOT NULL DEFAULT 1,
  zone_shard smallint(6) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_record (hash),
  KEY fkey_records_recordset_id (recordset_id),
  KEY record_created_at (created_at),
  KEY update_status_index (status,zone_id,tenant_id,created_at,serial),
  KEY records_tenant (tenant_id),
  KEY fk_records_zones_id_zone_id (zone_id),
  CONSTRAINT fk_records_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE,
  CONSTRAINT fkey_records_recordset_id FOREIGN KEY (recordset_id) REFERENCES recordsets (id) ON DELETE CASCADE,
  CONSTRAINT records_ibfk_2 FOREIGN KEY (recordset_id) REFERENCES recordsets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS tsigkeys (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  name varchar(255) NOT NULL,
  algorithm enum('hmac-md5','hmac-sha1','hmac-sha224','hmac-sha256','hmac-sha384','hmac-sha512') NOT NULL,
  secret varchar(255) NOT NULL,
  scope enum('POOL','ZONE') NOT NULL DEFAULT 'POOL',
  resource_id char(32) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_tsigkey_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS blacklists (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  updated_at datetime DEFAULT NULL,
  created_at datetime DEFAULT NULL,
  pattern varchar(255) NOT NULL,
  description varchar(160) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY pattern (pattern)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pools (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  version int(11) NOT NULL,
  name varchar(50) NOT NULL,
  description varchar(160) DEFAULT NULL,
  tenant_id varchar(36) DEFAULT NULL,
  provisioner enum('UNMANAGED') NOT NULL DEFAULT 'UNMANAGED',
  PRIMARY KEY (id),
  UNIQUE KEY unique_pool_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_attributes (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  version int(11) NOT NULL,
  `key` varchar(255) NOT NULL,
  value varchar(255) NOT NULL,
  pool_id char(32) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_pool_attribute (pool_id,`key`,value),
  CONSTRAINT pool_attributes_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_ns_records (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  version int(11) NOT NULL,
  pool_id char(32) NOT NULL,
  priority int(11) NOT NULL,
  hostname varchar(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_ns_name (pool_id,hostname),
  CONSTRAINT pool_ns_records_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_nameservers (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  pool_id char(32) NOT NULL,
  host varchar(255) NOT NULL,
  port int(11) NOT NULL,
  tsigkey_id char(32) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_pool_host_port (pool_id,host,port),
  CONSTRAINT pool_nameservers_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_targets (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  pool_id char(32) NOT NULL,
  type varchar(50) NOT NULL,
  tsigkey_id char(32) DEFAULT NULL,
  description varchar(160) DEFAULT NULL,
  PRIMARY KEY (id),
  KEY pool_id (pool_id),
  CONSTRAINT pool_targets_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_target_masters (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  pool_target_id char(32) NOT NULL,
  host varchar(255) NOT NULL,
  port int(11) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_pool_target_host_port (pool_target_id,host,port),
  CONSTRAINT pool_target_masters_ibfk_1 FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_target_options (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  pool_target_id char(32) NOT NULL,
  `key` varchar(255) NOT NULL,
  value varchar(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_pool_target_key (pool_target_id,`key`),
  CONSTRAINT pool_target_options_ibfk_1 FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS pool_also_notifies (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  pool_id char(32) NOT NULL,
  host varchar(255) NOT NULL,
  port int(11) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY unique_pool_also_notifies_pool0host0port (pool_id,host,port),
  CONSTRAINT pool_also_notifies_ibfk_1 FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS zone_transfer_requests (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  zone_id char(32) DEFAULT NULL,
  `key` varchar(255) NOT NULL,
  description varchar(255) DEFAULT NULL,
  tenant_id varchar(36) NOT NULL,
  target_tenant_id varchar(36) DEFAULT NULL,
  status enum('ACTIVE','PENDING','DELETED','ERROR','COMPLETE') NOT NULL DEFAULT 'ACTIVE',
  PRIMARY KEY (id),
  KEY fk_ztr_zones_id_zone_id (zone_id),
  CONSTRAINT fk_ztr_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS zone_transfer_accepts (
  id char(32) NOT NULL,
  version int(11) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  zone_id char(32) DEFAULT NULL,
  zone_transfer_request_id char(32) NOT NULL,
  tenant_id varchar(36) NOT NULL,
  status enum('ACTIVE','PENDING','DELETED','ERROR','COMPLETE') NOT NULL DEFAULT 'ACTIVE',
  PRIMARY KEY (id),
  KEY zone_transfer_request_id (zone_transfer_request_id),
  KEY fk_zta_zones_id_zone_id (zone_id),
  CONSTRAINT fk_zta_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE,
  CONSTRAINT zone_transfer_accepts_ibfk_2 FOREIGN KEY (zone_transfer_request_id) REFERENCES zone_transfer_requests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;

CREATE TABLE IF NOT EXISTS zone_tasks (
  id char(32) NOT NULL,
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  version int(11) NOT NULL,
  tenant_id varchar(36) DEFAULT NULL,
  zone_id char(32) DEFAULT NULL,
  task_type enum('IMPORT','EXPORT') DEFAULT NULL,
  message varchar(160) DEFAULT NULL,
  status enum('ACTIVE','PENDING','DELETED','ERROR','COMPLETE') NOT NULL DEFAULT 'ACTIVE',
  location varchar(160) DEFAULT NULL,
  PRIMARY KEY (id),
  KEY fk_zone_tasks_zones_id_zone_id (zone_id),
  CONSTRAINT fk_zone_tasks_zones_id_zone_id FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_general_ci;
