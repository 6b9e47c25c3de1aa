//! Storage errors.

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// No row with that key.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique constraint was violated (the table's name is given).
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// Optimistic lock lost: the row changed since it was read.
    #[error("concurrent update of {0}")]
    Conflict(&'static str),
    /// A stored value could not be decoded.
    #[error("corrupt {table}.{column}: {message}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A filter names a column the table does not have, or a value the column cannot hold.
    #[error("invalid criteria: {0}")]
    InvalidCriteria(String),
    /// The sort key is not a sortable column of the table.
    #[error("invalid sort key {0:?}")]
    InvalidSortKey(String),
    /// The database URL is not one we can open.
    #[error("invalid database url: {0}")]
    InvalidUrl(String),
    /// This store does not implement the operation (a trait method's default body).
    #[error("{0} is not supported by this store")]
    Unsupported(&'static str),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The transaction lost a race inside the database (deadlock, serialization failure, lock
    /// wait timeout; a Galera certification failure surfaces as a deadlock). Nothing of it was
    /// committed: run the whole transaction again.
    #[error("transaction must be retried: {0}")]
    Retryable(sqlx::Error),
    /// The database cannot be reached right now (connection refused or lost, pool exhausted
    /// for `pool_timeout`, server shutting down). The transaction did not commit — or, when
    /// the connection died during `commit`, its outcome is unknown to us but atomic: all or
    /// nothing. Callers answer "service unavailable" rather than retrying in a loop; the pool
    /// reconnects by itself once the server is back.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StorageError {
    /// Whether running the same transaction again may succeed: a lost optimistic lock
    /// ([`StorageError::Conflict`]) or a lost race in the database
    /// ([`StorageError::Retryable`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Conflict(_) | Self::Retryable(_))
    }
}
