//! Status, action and type enums, spelled as upstream stores them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $s:expr, )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $s)] $variant, )*
        }

        impl $name {
            /// The upstream spelling.
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $s, )* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $( $s => Ok(Self::$variant), )*
                    other => Err(format!("invalid {}: {other:?}", stringify!($name))),
                }
            }
        }
    };
}

/// Lets other object modules declare enums the same way.
pub(crate) use string_enum;

string_enum! {
    /// Zone status.
    ZoneStatus {
        /// Served by every target.
        Active = "ACTIVE",
        /// A change is on its way to the targets.
        Pending = "PENDING",
        /// Soft-deleted.
        Deleted = "DELETED",
        /// Targets could not be brought up to date.
        Error = "ERROR",
    }
}

string_enum! {
    /// Record status (same values as zones).
    RecordStatus {
        /// Served.
        Active = "ACTIVE",
        /// On its way.
        Pending = "PENDING",
        /// Deleted.
        Deleted = "DELETED",
        /// Failed.
        Error = "ERROR",
    }
}

string_enum! {
    /// What is being done to a zone or record.
    Action {
        /// Being created.
        Create = "CREATE",
        /// Being deleted.
        Delete = "DELETE",
        /// Being updated.
        Update = "UPDATE",
        /// Nothing in flight.
        None = "NONE",
    }
}

string_enum! {
    /// Zone type.
    ZoneType {
        /// Data owned here.
        Primary = "PRIMARY",
        /// Data transferred from external masters.
        Secondary = "SECONDARY",
        /// RFC 9432 catalog zone.
        Catalog = "CATALOG",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_strings() {
        assert_eq!(
            "PENDING".parse::<ZoneStatus>().unwrap(),
            ZoneStatus::Pending
        );
        assert_eq!(Action::None.as_str(), "NONE");
        assert!("pending".parse::<ZoneStatus>().is_err());
        assert_eq!(
            serde_json::to_string(&ZoneType::Primary).unwrap(),
            "\"PRIMARY\""
        );
    }
}
