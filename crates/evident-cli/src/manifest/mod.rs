//! The views manifest, `evident.toml`: the materialized views a database decider reads (and
//! `evident view` shows), each a state view component with the query that selects its events.
//!
//! ```toml
//! [[view]]
//! name = "course-capacity"
//! version = "1.0.0"                  # default 1.0.0
//! component = "../course-capacity"   # a component file or a guest directory, relative to this file
//! query = '{"items":[{"types":["course.defined"],"tags":["course:{course}"]}]}'  # default: every event
//! wasi = false                       # the deny-all WASI mode (default: as the guest's language needs)
//! upcasters = ["payment-v1-to-v2"]   # read its events through these (see `pipeline`)
//! ```
//!
//! `[[upcaster]]` and `[[validator]]` tables declare the transforms views read through and the
//! checks appends run; [`pipeline`] reads and installs them.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use evident_host::{ComponentKind, Database, Registry, Sandbox};
use evident_store::Query;
use serde::Deserialize;
use toml::Spanned;

use crate::component;

pub(crate) mod pipeline;

use pipeline::{RawUpcaster, RawValidator, UpcasterEntry, ValidatorEntry};

/// The file name looked for when no `--views` is given.
pub(crate) const FILE_NAME: &str = "evident.toml";

/// The version a view gets when the manifest gives none.
pub(crate) const DEFAULT_VERSION: &str = "1.0.0";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    view: Vec<RawView>,
    #[serde(default)]
    upcaster: Vec<RawUpcaster>,
    #[serde(default)]
    validator: Vec<RawValidator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    component: Spanned<String>,
    query: Option<Spanned<String>>,
    wasi: Option<bool>,
    upcasters: Option<Vec<Spanned<String>>>,
}

/// A parsed manifest.
#[derive(Debug)]
pub(crate) struct Manifest {
    /// The file it was read from.
    pub(crate) path: PathBuf,
    /// Its views, in the order written (the first version of a name is the active one).
    pub(crate) views: Vec<ViewEntry>,
    /// Its upcasters, in the order written.
    pub(crate) upcasters: Vec<UpcasterEntry>,
    /// Its validators, in the order they run.
    pub(crate) validators: Vec<ValidatorEntry>,
}

/// One `[[view]]`.
#[derive(Clone, Debug)]
pub(crate) struct ViewEntry {
    pub(crate) name: String,
    pub(crate) version: String,
    /// The component file or guest directory, resolved against the manifest's directory.
    pub(crate) component: PathBuf,
    /// The query template (`{param}` placeholders in tag values); every event if none.
    pub(crate) query: Query,
    /// `wasi` as written; `None` lets a guest directory's language decide.
    pub(crate) wasi: Option<bool>,
    /// The names of the upcasters it reads its events through, in order.
    pub(crate) upcasters: Vec<String>,
    /// The line of its `name`, for messages.
    pub(crate) line: usize,
}

/// The 1-based line `offset` falls on in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

impl Manifest {
    /// Reads and checks `path`: every error names the file and the line.
    pub(crate) fn read(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the views manifest {}", path.display()))?;
        Manifest::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Manifest> {
        let shown = path.display();
        // toml's message says the line and column, and shows the line.
        let raw: RawManifest = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{shown}: not a views manifest: {e}"))?;
        let at = |span: Range<usize>| format!("{shown}:{}", line_of(text, span.start));
        let base = path.parent().unwrap_or(Path::new("."));
        let upcasters = pipeline::upcasters(raw.upcaster, base, text, &at)?;
        let validators = pipeline::validators(raw.validator, base, text, &at)?;
        let mut views: Vec<ViewEntry> = Vec::with_capacity(raw.view.len());
        for view in raw.view {
            let name_span = view.name.span();
            let name = view.name.into_inner();
            let line = line_of(text, name_span.start);
            if name.trim().is_empty() {
                bail!("{}: a view's `name` is empty", at(name_span));
            }
            let version = match view.version {
                Some(version) => {
                    let span = version.span();
                    let version = version.into_inner();
                    if !is_semver(&version) {
                        bail!(
                            "{}: view `{name}`: version {version:?} is not a semantic version (like 1.0.0)",
                            at(span)
                        );
                    }
                    version
                }
                None => DEFAULT_VERSION.to_owned(),
            };
            let component_span = view.component.span();
            let written = view.component.into_inner();
            if written.trim().is_empty() {
                bail!(
                    "{}: view `{name}`: `component` is empty",
                    at(component_span)
                );
            }
            let component = normalize(&base.join(&written));
            let query = match view.query {
                None => Query::all(),
                Some(query) => {
                    let span = query.span();
                    Query::from_json(query.get_ref()).map_err(|e| {
                        anyhow::anyhow!(
                            "{}: view `{name}`: `query` is not a DCB query ({{\"items\":[{{\"types\":[…],\"tags\":[\"name:{{param}}\"]}}]}}): {e}",
                            at(span)
                        )
                    })?
                }
            };
            if let Some(earlier) = views.iter().find(|v| v.name == name) {
                if earlier.version == version {
                    bail!(
                        "{shown}:{line}: view `{name}` version {version} is declared twice (first at line {})",
                        earlier.line
                    );
                }
                if earlier.query != query {
                    bail!(
                        "{shown}:{line}: view `{name}` declares another query than at line {}: every version of a view folds the same events",
                        earlier.line
                    );
                }
            }
            let mut reads_through = Vec::new();
            for upcaster in view.upcasters.unwrap_or_default() {
                let span = upcaster.span();
                let upcaster = upcaster.into_inner();
                if !upcasters.iter().any(|declared| declared.name == upcaster) {
                    bail!(
                        "{}: view `{name}` reads through upcaster `{upcaster}`, which no [[upcaster]] declares",
                        at(span)
                    );
                }
                reads_through.push(upcaster);
            }
            views.push(ViewEntry {
                name,
                version,
                component,
                query,
                wasi: view.wasi,
                upcasters: reads_through,
                line,
            });
        }
        Ok(Manifest {
            path: path.to_owned(),
            views,
            upcasters,
            validators,
        })
    }

    /// The manifest to use: `explicit` (`--views`), else `evident.toml` in `guest_dir` (the
    /// decider's guest directory), else `./evident.toml`; `None` if there is none.
    pub(crate) fn find(explicit: Option<&Path>, guest_dir: Option<&Path>) -> Result<Option<Self>> {
        if let Some(path) = explicit {
            return Manifest::read(path).map(Some);
        }
        let candidates = guest_dir
            .map(|dir| dir.join(FILE_NAME))
            .into_iter()
            .chain([PathBuf::from(FILE_NAME)]);
        for candidate in candidates {
            if candidate.is_file() {
                return Manifest::read(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    /// The views called `name`.
    pub(crate) fn named<'m>(&'m self, name: &str) -> Vec<&'m ViewEntry> {
        self.views.iter().filter(|v| v.name == name).collect()
    }

    /// The distinct names, in order.
    pub(crate) fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for view in &self.views {
            if !names.contains(&view.name.as_str()) {
                names.push(&view.name);
            }
        }
        names
    }

    /// The entry whose component is `path` (compared as canonical paths), if any.
    pub(crate) fn by_component(&self, path: &Path) -> Option<&ViewEntry> {
        let wanted = path.canonicalize().ok()?;
        self.views
            .iter()
            .find(|v| v.component.canonicalize().ok().as_deref() == Some(wanted.as_path()))
    }
}

/// `path` with `.` and `dir/..` taken out, without touching the file system:
/// `guests/course-subscriptions/../course-capacity` is `guests/course-capacity`.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(normal.components().next_back(), Some(Component::Normal(_))) =>
            {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    if normal.as_os_str().is_empty() {
        normal.push(".");
    }
    normal
}

fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Registers `entries` (built from their guest directories if need be) in `registry` and
/// declares their queries in `database`.
pub(crate) fn install(
    entries: &[&ViewEntry],
    manifest: Option<&Manifest>,
    registry: &Registry,
    database: &Database,
) -> Result<()> {
    let path = manifest.map(|manifest| manifest.path.as_path());
    for (name, query) in register_all(entries, path, registry)? {
        database.declare_view(&name, query);
    }
    if let Some(manifest) = manifest {
        pipeline::install(manifest, entries, registry, database)?;
    }
    Ok(())
}

/// Registers `entries` in `registry`; returns the query each name is to be declared with.
pub(crate) fn register_all(
    entries: &[&ViewEntry],
    manifest: Option<&Path>,
    registry: &Registry,
) -> Result<Vec<(String, Query)>> {
    let mut declared: BTreeMap<String, Query> = BTreeMap::new();
    for entry in entries {
        let place = match manifest {
            Some(path) => format!("{}:{}: view `{}`", path.display(), entry.line, entry.name),
            None => format!("view `{}`", entry.name),
        };
        register(entry, registry).with_context(|| place.clone())?;
        declared
            .entry(entry.name.clone())
            .or_insert_with(|| entry.query.clone());
    }
    Ok(declared.into_iter().collect())
}

fn register(entry: &ViewEntry, registry: &Registry) -> Result<()> {
    register_component(
        &entry.name,
        &entry.version,
        &entry.component,
        entry.wasi,
        ComponentKind::View,
        registry,
    )
}

/// Registers the component at `path` (a file or a guest directory, built if need be) as `kind`.
pub(crate) fn register_component(
    name: &str,
    version: &str,
    path: &Path,
    wasi: Option<bool>,
    kind: ComponentKind,
    registry: &Registry,
) -> Result<()> {
    if !path.exists() {
        bail!(
            "component {} does not exist (give a component .wasm or a guest directory, relative to the manifest)",
            path.display()
        );
    }
    if path.extension().is_some_and(|ext| ext == "cwasm") {
        bail!(
            "{} is a precompiled artifact; a component is registered from its .wasm (compiled code is cached on its own)",
            path.display()
        );
    }
    let (file, needs_wasi) = component::component_file(path)?;
    let wasi = wasi.unwrap_or(needs_wasi);
    let sandbox = if wasi { Sandbox::Wasi } else { Sandbox::Strict };
    match registry.register_file(name, version, &file, kind, sandbox) {
        Ok(_) => Ok(()),
        Err(e) => {
            let error = anyhow::Error::new(e);
            let imports_wasi = !wasi
                && error
                    .chain()
                    .any(|cause| cause.to_string().contains("`wasi:"));
            if imports_wasi {
                Err(error.context("it imports WASI: set `wasi = true` for it in the manifest"))
            } else {
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(Path::new("dir/evident.toml"), text)
    }

    #[test]
    fn views_get_defaults_and_paths_relative_to_the_manifest() {
        let manifest = parse(
            "[[view]]\nname = \"a\"\ncomponent = \"../a\"\n\n[[view]]\nname = \"b\"\nversion = \"2.0.1\"\ncomponent = \"b.wasm\"\nquery = '{\"items\":[{\"tags\":[\"k:{k}\"]}]}'\nwasi = true\n",
        )
        .unwrap();
        let [a, b] = &manifest.views[..] else {
            panic!()
        };
        assert_eq!(
            (a.name.as_str(), a.version.as_str(), a.line),
            ("a", "1.0.0", 2)
        );
        assert_eq!(a.component, Path::new("a"));
        assert_eq!(normalize(Path::new("../x/./y/../z")), Path::new("../x/z"));
        assert!(a.query.is_all() && a.wasi.is_none());
        assert_eq!(b.version, "2.0.1");
        assert_eq!(b.query.to_json(), r#"{"items":[{"tags":["k:{k}"]}]}"#);
        assert_eq!(b.wasi, Some(true));
        assert_eq!(manifest.names(), ["a", "b"]);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let error = |text: &str| format!("{:#}", parse(text).unwrap_err());
        let bad_query =
            error("[[view]]\nname = \"a\"\ncomponent = \"a\"\nquery = '{\"items\":1}'\n");
        assert!(
            bad_query.starts_with("dir/evident.toml:4: view `a`"),
            "{bad_query}"
        );
        let unknown = error("[[view]]\nname = \"a\"\ncomponent = \"a\"\ncomponnet = \"b\"\n");
        assert!(
            unknown.contains("dir/evident.toml") && unknown.contains("line 4"),
            "{unknown}"
        );
        assert!(unknown.contains("componnet"), "{unknown}");
        let missing = error("[[view]]\nname = \"a\"\n");
        assert!(
            missing.contains("component") && missing.contains("line 1"),
            "{missing}"
        );
        let version = error("[[view]]\nname = \"a\"\nversion = \"1\"\ncomponent = \"a\"\n");
        assert!(version.starts_with("dir/evident.toml:3:"), "{version}");
        let twice = error(
            "[[view]]\nname = \"a\"\ncomponent = \"a\"\n[[view]]\nname = \"a\"\ncomponent = \"b\"\n",
        );
        assert!(
            twice.starts_with("dir/evident.toml:5:") && twice.contains("line 2"),
            "{twice}"
        );
    }
}
