//! Go guests (to be written).

use std::path::Path;

use crate::{BuildError, BuildOptions, BuiltGuest};

/// Builds the guest in `dir`.
pub(crate) fn build(dir: &Path, _options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    Err(BuildError::NotAGuestCrate {
        dir: dir.to_owned(),
        reason: "go guests are not supported yet".into(),
    })
}
