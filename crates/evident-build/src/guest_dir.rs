//! A guest directory of a language other than Rust: its files, the `guest.json` that names the
//! world it implements, and where its component and toolchain go.

use std::path::{Path, PathBuf};

use crate::encode::{wit_dir, wit_version};
use crate::freshness::Stamp;
use crate::{BuildError, BuildOptions, BuiltGuest, Language};

/// A guest directory, read.
pub(crate) struct GuestDir {
    /// The directory.
    pub(crate) dir: PathBuf,
    /// The guest's name: the directory's, `-` made `_` (as cargo names a library).
    pub(crate) name: String,
    /// The world of `evident:db` from `guest.json`, e.g. `state-view-component`.
    pub(crate) world: String,
    /// Where guests are built: the options' target directory, or the guest's own
    /// `target/guests`.
    pub(crate) target_dir: PathBuf,
    pub(crate) language: Language,
}

impl GuestDir {
    /// Reads `dir`'s `guest.json` (`{"world": "state-view-component"}`).
    pub(crate) fn read(
        dir: &Path,
        language: Language,
        options: &BuildOptions,
    ) -> Result<Self, BuildError> {
        let not_a_guest = |reason: String| BuildError::NotAGuestCrate {
            dir: dir.to_owned(),
            reason,
        };
        let dir = dir.canonicalize().map_err(|source| BuildError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let name = dir
            .file_name()
            .map(|name| name.to_string_lossy().replace('-', "_"))
            .ok_or_else(|| not_a_guest("has no name".into()))?;
        let manifest = dir.join("guest.json");
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| not_a_guest(format!("cannot read guest.json: {e}")))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| not_a_guest(format!("guest.json: {e}")))?;
        let world = value["world"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| not_a_guest("guest.json names no \"world\"".into()))?;
        let target_dir = options
            .target_dir
            .clone()
            .unwrap_or_else(|| dir.join("target").join("guests"));
        Ok(GuestDir {
            dir,
            name,
            world,
            target_dir,
            language,
        })
    }

    /// The world with its package and release: `evident:db/state-view-component@0.3.0`.
    pub(crate) fn qualified_world(&self) -> Result<String, BuildError> {
        Ok(format!("evident:db/{}@{}", self.world, wit_version()?))
    }

    /// Where the component goes: `<target dir>/guests/<tool>/<name>.component.wasm`, its
    /// directory made.
    pub(crate) fn component_path(&self, tool: &str) -> Result<PathBuf, BuildError> {
        let out_dir = self.target_dir.join(tool);
        std::fs::create_dir_all(&out_dir).map_err(|source| BuildError::Io {
            path: out_dir.clone(),
            source,
        })?;
        Ok(out_dir.join(format!("{}.component.wasm", self.name)))
    }

    /// Whether `component` is fresh by `stamp` (see [`Stamp::is_fresh`]), its inputs being
    /// the guest's files (one level deep and those of `subdirs`), the WIT, and `more` (e.g. the
    /// SDK's directory).
    pub(crate) fn is_up_to_date(
        &self,
        component: &Path,
        stamp: &Stamp,
        subdirs: &[&str],
        more: &[PathBuf],
    ) -> bool {
        let mut inputs = vec![self.dir.clone(), wit_dir().join("evident.wit")];
        inputs.extend(subdirs.iter().map(|sub| self.dir.join(sub)));
        inputs.extend(more.iter().cloned());
        stamp.is_fresh(component, &inputs)
    }

    /// The result of building it.
    pub(crate) fn built(&self, core_module: PathBuf, component: PathBuf) -> BuiltGuest {
        BuiltGuest {
            package: self.name.clone(),
            core_module,
            component,
            language: self.language,
        }
    }
}
