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
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
