//! The language SDKs, embedded in this crate (from its `sdk/` directory) and written out for a
//! toolchain to use: `sdk/python`, `sdk/js`, `sdk/go`, `sdk/c`, `sdk/cpp`, `sdk/assemblyscript`.

use std::path::{Path, PathBuf};

use crate::{BuildError, write_atomically};

/// `(path under sdk/, contents)` of every SDK file.
const FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

/// The files of the SDK in `sdk/<language>`, relative to that directory.
pub fn files(language: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> {
    let prefix = format!("{language}/");
    FILES.iter().filter_map(move |(path, bytes)| {
        path.strip_prefix(prefix.as_str())
            .map(|path| (path, *bytes))
    })
}

/// Writes the SDK in `sdk/<language>` under `target_dir` (once per version of this crate and
/// content of the SDK) and returns its directory.
pub fn write(language: &str, target_dir: &Path) -> Result<PathBuf, BuildError> {
    let mut digest = std::hash::DefaultHasher::new();
    for (path, bytes) in files(language) {
        std::hash::Hash::hash(&(path, bytes), &mut digest);
    }
    let digest = std::hash::Hasher::finish(&digest);
    let dir = target_dir.join("sdk").join(format!(
        "{language}-{}-{digest:016x}",
        env!("CARGO_PKG_VERSION")
    ));
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|source| BuildError::Io {
        path: dir.clone(),
        source,
    })?;
    for (path, bytes) in files(language) {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|source| BuildError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        write_atomically(&file, bytes)?;
    }
    write_atomically(&dir.join(".complete"), b"")?;
    Ok(dir)
}
