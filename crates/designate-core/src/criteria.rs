//! Filters, sorting and pagination: what a `find_*` call asks for, independent of SQL and HTTP.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How one column is matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Filter {
    /// Equal to the value.
    Eq(String),
    /// Not equal to the value.
    Ne(String),
    /// Upstream's `*` wildcard: `*` matches any run of characters, everything else literally.
    Wildcard(String),
    /// Column is NULL.
    IsNull,
}

impl Filter {
    /// `Wildcard` when the value contains `*`, else `Eq` — upstream's rule for API filters.
    pub fn from_api_value(value: &str) -> Self {
        if value.contains('*') {
            Self::Wildcard(value.to_owned())
        } else {
            Self::Eq(value.to_owned())
        }
    }
}

/// A conjunction of column filters; column names are upstream's column names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria(pub Vec<(String, Filter)>);

impl Criteria {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `column = value`.
    pub fn eq(mut self, column: &str, value: impl Into<String>) -> Self {
        self.0.push((column.to_owned(), Filter::Eq(value.into())));
        self
    }

    /// Adds a filter.
    pub fn with(mut self, column: &str, filter: Filter) -> Self {
        self.0.push((column.to_owned(), filter));
        self
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortDir {
    /// Ascending (upstream's default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// One page of a listing: upstream's marker pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Id of the last item of the previous page.
    pub marker: Option<Uuid>,
    /// Page size; `None` for no limit.
    pub limit: Option<u32>,
    /// Column to sort by (validated against an allow-list by the caller).
    pub sort_key: String,
    /// Direction.
    pub sort_dir: SortDir,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            marker: None,
            limit: None,
            sort_key: "created_at".to_owned(),
            sort_dir: SortDir::Asc,
        }
    }
}

/// A page of results plus the total number of matches (upstream's `metadata.total_count`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match the criteria in all.
    pub total_count: u64,
}
