//! C and C++ guests (to be written).

use std::path::Path;

use crate::{BuildError, BuildOptions, BuiltGuest, Language};

/// Builds the C (or, for [`Language::Cpp`], C++) guest in `dir`.
pub(crate) fn build(
    dir: &Path,
    _options: &BuildOptions,
    language: Language,
) -> Result<BuiltGuest, BuildError> {
    Err(BuildError::NotAGuestCrate {
        dir: dir.to_owned(),
        reason: format!("{} guests are not supported yet", language.name()),
    })
}
