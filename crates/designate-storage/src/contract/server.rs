//! Fresh databases on real PostgreSQL and MariaDB servers for tests: each [`TestDatabase`] is a
//! new database with a unique name, so tests running in parallel never see each other's rows,
//! and [`TestDatabase::drop_database`] removes it again.
//!
//! The servers are the ones CI provides (scripts/test starts them): PostgreSQL on
//! 127.0.0.1:5432 (user `postgres`, trust auth) and MariaDB on 127.0.0.1:3306 (`root`, empty
//! password); `DESIGNATE_TEST_POSTGRES_URL` / `DESIGNATE_TEST_MYSQL_URL` point elsewhere (an
//! admin URL naming an existing database). A server that cannot be reached panics: a missing
//! service fails the test, it never skips it. [`TestDatabase::upstream_sync`] has upstream
//! Designate build its own schema in a database, for adoption tests.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection as _;

/// Admin URL of the test PostgreSQL server.
pub const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Admin URL of the test MariaDB server.
pub const MYSQL_ADMIN_URL: &str = "mysql://root@127.0.0.1:3306/mysql";
/// Where scripts/test installs upstream Designate 23.0.0 (PyPI, with `SQLAlchemy<2.1` and
/// `pymysql`) for the adoption tests.
pub const UPSTREAM_VENV: &str = "/var/cache/designate-ci/upstream-venv";

/// Which server a [`TestDatabase`] lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// PostgreSQL.
    Postgres,
    /// MariaDB / MySQL.
    MySql,
}

/// A database created for one test.
#[derive(Debug)]
pub struct TestDatabase {
    server: Server,
    admin_url: String,
    name: String,
    /// Already dropped on the server (by [`TestDatabase::drop_database`]).
    dropped: bool,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database name no other test (in this or another process) uses.
fn unique_name() -> String {
    format!(
        "dsgt_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// `admin_url` with its database replaced by `db`.
fn with_database(admin_url: &str, db: &str) -> String {
    let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    if query.is_empty() {
        format!("{base}/{db}")
    } else {
        format!("{base}/{db}?{query}")
    }
}

impl TestDatabase {
    /// A fresh, empty database on the test PostgreSQL server.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create the database.
    pub async fn postgres() -> Self {
        Self::create(Server::Postgres).await
    }

    /// A fresh, empty database on the test MariaDB server.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create the database.
    pub async fn mysql() -> Self {
        Self::create(Server::MySql).await
    }

    /// A fresh database on `server`.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create the database.
    pub async fn create(server: Server) -> Self {
        let admin_url = match server {
            Server::Postgres => std::env::var("DESIGNATE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| POSTGRES_ADMIN_URL.to_owned()),
            Server::MySql => std::env::var("DESIGNATE_TEST_MYSQL_URL")
                .unwrap_or_else(|_| MYSQL_ADMIN_URL.to_owned()),
        };
        let db = Self {
            server,
            admin_url,
            name: unique_name(),
            dropped: false,
        };
        db.admin(&format!("CREATE DATABASE {}", db.name)).await;
        db
    }

    /// Runs one statement on the server's admin database.
    async fn admin(&self, sql: &str) {
        let url = &self.admin_url;
        let res = match self.server {
            Server::Postgres => match sqlx::PgConnection::connect(url).await {
                Ok(mut c) => sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ()),
                Err(e) => Err(e),
            },
            Server::MySql => match sqlx::MySqlConnection::connect(url).await {
                Ok(mut c) => sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ()),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = res {
            panic!("test database server {url}: {sql}: {e}");
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server this database lives on.
    pub fn server(&self) -> Server {
        self.server
    }

    /// The database's URL in the form sqlx takes (`postgres://…`, `mysql://…`).
    pub fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }

    /// The database's URL as upstream's designate.conf writes it
    /// (`postgresql+psycopg2://…`, `mysql+pymysql://…`).
    pub fn sqlalchemy_url(&self) -> String {
        let url = self.url();
        match self.server {
            Server::Postgres => url.replacen("postgres://", "postgresql+psycopg2://", 1),
            Server::MySql => url.replacen("mysql://", "mysql+pymysql://", 1),
        }
    }

    /// Builds upstream Designate's own schema in this (MariaDB) database by running upstream's
    /// `designate-manage database sync` from the venv scripts/test installs
    /// (`$DESIGNATE_UPSTREAM_VENV`, else [`UPSTREAM_VENV`]).
    ///
    /// # Panics
    /// When the venv is missing or the sync fails.
    pub async fn upstream_sync(&self) {
        let venv =
            std::env::var("DESIGNATE_UPSTREAM_VENV").unwrap_or_else(|_| UPSTREAM_VENV.into());
        let bin = std::path::Path::new(&venv).join("bin/designate-manage");
        assert!(
            bin.exists(),
            "{} missing: run scripts/test, which installs upstream Designate 23.0.0 there",
            bin.display()
        );
        let dir = std::env::temp_dir().join(format!("{}-upstream", self.name));
        std::fs::create_dir_all(&dir).expect("create config dir");
        let conf = dir.join("designate.conf");
        std::fs::write(
            &conf,
            format!(
                "[DEFAULT]\nstate_path = {}\n\n[storage:sqlalchemy]\nconnection = {}\n",
                dir.display(),
                self.sqlalchemy_url()
            ),
        )
        .expect("write designate.conf");
        let out = tokio::process::Command::new(&bin)
            .arg("--config-file")
            .arg(&conf)
            .args(["database", "sync"])
            .output()
            .await
            .expect("run designate-manage");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "designate-manage database sync failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Drops the database (close every pool on it first; PostgreSQL refuses to drop a database
    /// in use, so its remaining connections are terminated).
    pub async fn drop_database(mut self) {
        self.drop_now().await;
        self.dropped = true;
    }

    async fn drop_now(&self) {
        if self.server == Server::Postgres {
            self.admin(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' \
                 AND pid <> pg_backend_pid()",
                self.name
            ))
            .await;
        }
        if self.server == Server::MySql {
            // A connection of a failed test may still hold a metadata lock (an open
            // transaction) that DROP DATABASE would wait for: end those connections first.
            if let Ok(mut c) = sqlx::MySqlConnection::connect(&self.admin_url).await {
                let ids: Vec<u64> = sqlx::query_scalar(
                    "SELECT CAST(id AS UNSIGNED) FROM information_schema.processlist \
                     WHERE db = ? AND id <> CONNECTION_ID()",
                )
                .bind(&self.name)
                .fetch_all(&mut c)
                .await
                .unwrap_or_default();
                for id in ids {
                    let _ = sqlx::raw_sql(&format!("KILL {id}")).execute(&mut c).await;
                }
            }
        }
        self.admin(&format!("DROP DATABASE IF EXISTS {}", self.name))
            .await;
    }
}

impl Drop for TestDatabase {
    /// A test that panicked before [`TestDatabase::drop_database`] still removes its database:
    /// on a thread of its own (with its own runtime, as `Drop` cannot await), best effort.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let me = Self {
            server: self.server,
            admin_url: self.admin_url.clone(),
            name: self.name.clone(),
            dropped: true,
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            // A panic in here (server gone) ends this thread only; `join` swallows it.
            if let Ok(rt) = rt {
                rt.block_on(me.drop_now());
            }
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_swapped_in_the_admin_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("mysql://root@h/mysql?ssl-mode=disabled", "y"),
            "mysql://root@h/y?ssl-mode=disabled"
        );
    }
}
