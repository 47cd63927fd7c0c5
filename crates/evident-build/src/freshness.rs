//! When a built output is up to date, by one rule for every language: it exists, no input file
//! is newer than it, and the stamp beside it (`<output>.stamp`, written after the output) records
//! the same pinned tool, the same version of this crate and the same extra facts (the SDK's
//! directory, a digest of staged inputs...) as the build about to run would. So a new pinned
//! tool version rebuilds every guest of its language, even when no file changed.

use std::path::{Path, PathBuf};

use crate::toolchain::Tool;
use crate::{BuildError, write_atomically};

/// What a build of an output depends on besides its input files' times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp(String);

impl Stamp {
    /// The stamp of a build with `tool`, this crate's version, and `facts` (one per line).
    pub(crate) fn new(tool: Tool, facts: &[&str]) -> Self {
        let mut text = format!(
            "{} {}\nevident-build {}\n",
            tool.name,
            tool.version,
            env!("CARGO_PKG_VERSION")
        );
        for fact in facts {
            text.push_str(fact);
            text.push('\n');
        }
        Stamp(text)
    }

    /// Whether `output` is up to date: it exists, is newer than every file of `inputs` (files,
    /// or directories one level deep), and its recorded stamp is this one.
    pub(crate) fn is_fresh(&self, output: &Path, inputs: &[PathBuf]) -> bool {
        let recorded = std::fs::read(stamp_path(output));
        recorded.is_ok_and(|recorded| recorded == self.0.as_bytes())
            && !is_older_than_any(output, inputs)
    }

    /// Records this stamp for `output`, once `output` is written.
    pub(crate) fn record(&self, output: &Path) -> Result<(), BuildError> {
        write_atomically(&stamp_path(output), self.0.as_bytes())
    }
}

/// Where the stamp of `output` is kept: beside it, `x.component.wasm` → `x.component.stamp`.
fn stamp_path(output: &Path) -> PathBuf {
    output.with_extension("stamp")
}

/// Whether `output` is missing or older than a file in any of `inputs` (files or directories,
/// one level deep).
fn is_older_than_any(output: &Path, inputs: &[PathBuf]) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(built) = modified(output) else {
        return true;
    };
    inputs.iter().any(|input| {
        let files: Vec<PathBuf> = if input.is_dir() {
            std::fs::read_dir(input)
                .map(|entries| entries.flatten().map(|e| e.path()).collect())
                .unwrap_or_default()
        } else {
            vec![input.clone()]
        };
        files
            .iter()
            .any(|file| modified(file).is_none_or(|time| time > built))
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::Stamp;
    use crate::toolchain::Tool;

    const OLD: Tool = Tool {
        name: "some-compiler",
        version: "1.0.0",
    };
    const NEW: Tool = Tool {
        name: "some-compiler",
        version: "1.0.1",
    };

    fn set_modified(path: &std::path::Path, time: SystemTime) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(time).unwrap();
    }

    #[test]
    fn a_new_tool_version_or_a_newer_input_or_another_fact_forces_a_rebuild() {
        let dir = std::env::temp_dir().join(format!("evident-freshness-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("app.src");
        let output = dir.join("app.component.wasm");
        std::fs::write(&input, "source").unwrap();
        let stamp = Stamp::new(OLD, &["sdk-a"]);
        assert!(!stamp.is_fresh(&output, std::slice::from_ref(&input)));

        std::fs::write(&output, "built").unwrap();
        let now = SystemTime::now();
        set_modified(&input, now - Duration::from_secs(60));
        set_modified(&output, now);
        assert!(
            !stamp.is_fresh(&output, std::slice::from_ref(&input)),
            "no stamp recorded: built by an unknown tool"
        );
        stamp.record(&output).unwrap();
        assert!(stamp.is_fresh(&output, std::slice::from_ref(&input)));

        // The same files, but the pinned tool moved on.
        assert!(!Stamp::new(NEW, &["sdk-a"]).is_fresh(&output, std::slice::from_ref(&input)));
        // Another SDK.
        assert!(!Stamp::new(OLD, &["sdk-b"]).is_fresh(&output, std::slice::from_ref(&input)));
        // An input edited after the build.
        set_modified(&input, now + Duration::from_secs(60));
        assert!(!stamp.is_fresh(&output, std::slice::from_ref(&input)));
        // Rebuilt with the new tool: fresh for it, stale for the old one.
        set_modified(&output, now + Duration::from_secs(120));
        Stamp::new(NEW, &["sdk-a"]).record(&output).unwrap();
        assert!(Stamp::new(NEW, &["sdk-a"]).is_fresh(&output, std::slice::from_ref(&input)));
        assert!(!stamp.is_fresh(&output, std::slice::from_ref(&input)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
