//! Choosing a backend from a location a user types: a path, or a PostgreSQL URL.

use crate::{SqliteStore, Store, StoreError, StoreOptions};

/// The store `evident` opens when none is named: a SQLite file in the working directory.
pub const DEFAULT_LOCATION: &str = "./evident-store";

/// Whether `location` names a PostgreSQL database rather than a SQLite store's directory.
pub fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens the store at `location`: `postgres://…` or `postgresql://…` is a PostgreSQL database
/// (with the `postgres` feature), anything else a SQLite store's directory, created if it does
/// not exist.
pub fn open(location: &str, options: StoreOptions) -> Result<Box<dyn Store>, StoreError> {
    if is_postgres(location) {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(crate::PostgresStore::connect_with(
            location, options,
        )?));
        #[cfg(not(feature = "postgres"))]
        return Err(StoreError::Open {
            location: redact(location),
            reason: "this build has no PostgreSQL backend (the `postgres` feature)".into(),
        });
    }
    Ok(Box::new(SqliteStore::open_with(location, options)?))
}

/// Opens a store that must exist already, so that reading a misspelt path reports that there
/// is no store there instead of creating an empty one.
pub fn open_existing(location: &str, options: StoreOptions) -> Result<Box<dyn Store>, StoreError> {
    if !is_postgres(location) && !SqliteStore::exists(location) {
        return Err(StoreError::Open {
            location: location.to_owned(),
            reason: "there is no store there (`evident store append` creates one)".into(),
        });
    }
    open(location, options)
}

/// `location` without a password, for messages: `postgres://user:secret@host` shows as
/// `postgres://user:***@host`.
pub(crate) fn redact(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return location.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => location.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            super::redact("postgres://evident:hunter2@127.0.0.1:5432/db"),
            "postgres://evident:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            super::redact("postgres://evident@h/db"),
            "postgres://evident@h/db"
        );
        assert_eq!(super::redact("./evident-store"), "./evident-store");
    }
}
