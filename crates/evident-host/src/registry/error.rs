//! Why a registry operation was refused.

use crate::error::Error;
use crate::registry::{ContentHash, Version};

/// Why a registry operation was refused. Nothing is changed by a refused operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No component has that name.
    #[error("no component is registered as `{name}`")]
    UnknownName {
        /// The name asked for.
        name: String,
    },
    /// The name is known, the version is not.
    #[error("`{name}` has no version {version}")]
    UnknownVersion {
        /// The name.
        name: String,
        /// The version asked for.
        version: Version,
    },
    /// The component is not of the kind asked for.
    #[error("`{name}` {version} is a {found}, not a {expected}")]
    WrongKind {
        /// The name.
        name: String,
        /// Its version.
        version: Version,
        /// What was asked for.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// The version text is not semver.
    #[error("`{text}` is not a semantic version: {reason}")]
    InvalidVersion {
        /// The text given.
        text: String,
        /// Why.
        reason: String,
    },
    /// Versions are immutable: other bytes under a registered name and version are refused.
    #[error("`{name}` {version} is already registered with other bytes ({existing})")]
    VersionTaken {
        /// The name.
        name: String,
        /// The version.
        version: Version,
        /// The hash of the bytes already registered.
        existing: ContentHash,
    },
    /// The active version cannot be removed; activate another first.
    #[error("`{name}` {version} is the active version; activate another before removing it")]
    RemovingActive {
        /// The name.
        name: String,
        /// The version.
        version: Version,
    },
    /// Only a component registered from a file can be reloaded.
    #[error("`{name}` {version} was registered from bytes, not a file: nothing to reload")]
    NoSourceFile {
        /// The name.
        name: String,
        /// The version.
        version: Version,
    },
    /// The version changed while it was being reloaded (another reload, a removal): nothing
    /// was replaced; reloading again reads the file afresh.
    #[error("`{name}` {version} changed while it was being reloaded; nothing was replaced")]
    ReloadRaced {
        /// The name.
        name: String,
        /// The version.
        version: Version,
    },
    /// The thread that watches component files could not be started.
    #[error("cannot start the thread that watches component files: {reason}")]
    Watch {
        /// What the system said.
        reason: String,
    },
    /// The component (or its rebuilt file) does not load; what was serving keeps serving.
    #[error("`{name}` {version} does not load: {source}")]
    Load {
        /// The name.
        name: String,
        /// The version.
        version: Version,
        /// Why, as the runtime says it.
        #[source]
        source: Box<Error>,
    },
}
