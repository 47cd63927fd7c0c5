//! `evident new`: a guest, in any SDK language, that builds and passes its test as generated.
//!
//! The files come from `templates/shared/<kind>/` and `templates/<language>/`, with a `common/`
//! and a `<kind>/` part (embedded at build time; a language's file replaces a shared one of the
//! same name); `{{name}}`, `{{crate}}`, `{{kind}}` and, for Rust, the SDK dependency are filled
//! in, and a `dot-` prefix becomes `.`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// `(path under templates/, contents)` of every template file.
const TEMPLATES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// What `evident new` creates.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Kind {
    /// A state view: folds events into a state.
    View,
    /// A state change: turns a command into events.
    Change,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::View => "view",
            Kind::Change => "change",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::View => "state view",
            Kind::Change => "state change",
        }
    }
}

/// The language of the guest `evident new` creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Lang {
    /// A crate using evident-guest-sdk.
    Rust,
    /// `app.py`, on the Python SDK (componentize-py).
    Python,
    /// `app.js`, on the JavaScript SDK (componentize-js).
    Js,
    /// A Go module on the Go SDK.
    Go,
    /// C on the C SDK.
    C,
    /// C++ on the C++ SDK.
    Cpp,
    /// AssemblyScript on its SDK.
    Assemblyscript,
}

impl Lang {
    fn dir(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Js => "js",
            Lang::Go => "go",
            Lang::C => "c",
            Lang::Cpp => "cpp",
            Lang::Assemblyscript => "assemblyscript",
        }
    }
}

/// Where a Rust guest's SDK crates come from.
pub(crate) enum SdkSource {
    /// The version this `evident` belongs to, from the registry cargo is configured with.
    Registry,
    /// That version, overridden by the crates of this checkout of the repository.
    Checkout(PathBuf),
}

impl SdkSource {
    /// A checkout given on the command line, else the one `evident` was built from if it is
    /// still there, else the registry.
    pub(crate) fn choose(sdk_path: Option<&Path>, registry_only: bool) -> Result<Self> {
        if registry_only {
            return Ok(SdkSource::Registry);
        }
        let given = sdk_path.is_some();
        let dir = sdk_path.map_or_else(default_checkout, Path::to_owned);
        match dir.canonicalize() {
            Ok(dir) if dir.join("crates/evident-guest-sdk/Cargo.toml").is_file() => {
                Ok(SdkSource::Checkout(dir))
            }
            _ if given => bail!(
                "cannot find the Evident SDK at {} (expected crates/evident-guest-sdk there): give \
                 --sdk-path a checkout of the Evident repository, or --registry-sdk for the \
                 published crates",
                dir.display()
            ),
            _ => Ok(SdkSource::Registry),
        }
    }

    /// The `[patch.crates-io]` section that points the SDK crates at the checkout, if any.
    fn patch(&self) -> String {
        match self {
            SdkSource::Registry => String::new(),
            SdkSource::Checkout(dir) => {
                let mut patch = String::from(
                    "\n# This checkout of the Evident repository stands in for the published crates.\n[patch.crates-io]\n",
                );
                for krate in EVIDENT_CRATES {
                    let path = dir.join("crates").join(krate);
                    patch.push_str(&format!("{krate} = {{ path = {:?} }}\n", path.display()));
                }
                patch
            }
        }
    }
}

/// The crates a Rust guest depends on, directly or through the testkit.
const EVIDENT_CRATES: [&str; 6] = [
    "evident-types",
    "evident-guest-sdk",
    "evident-guest-sdk-macros",
    "evident-host",
    "evident-build",
    "evident-testkit",
];

/// The repository `evident` was built from.
fn default_checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn new(kind: Kind, name: &str, lang: Lang, sdk: &SdkSource) -> Result<ExitCode> {
    let valid_name = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid_name {
        bail!(
            "{name:?} is not a valid guest name: use lower-case letters, digits, - and _, starting with a letter"
        );
    }
    let dir = Path::new(name);
    if dir.exists() {
        bail!(
            "{} already exists; choose another name or remove it",
            dir.display()
        );
    }
    let files = files(lang, kind);
    if files.is_empty() {
        bail!(
            "there is no {} scaffold for {} yet",
            kind.label(),
            lang.dir()
        );
    }
    let crate_name = name.replace('-', "_");
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{kind}}", kind.label())
            .replace("{{sdk_version}}", env!("CARGO_PKG_VERSION"))
            .replace("{{sdk_patch}}", &sdk.patch())
    };
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("files sit in a directory"))
            .and_then(|()| std::fs::write(&path, fill(text)))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let (Lang::Rust, SdkSource::Checkout(checkout)) = (lang, sdk) {
        // Pin the versions the SDK was tested with; cargo drops what this crate does not use.
        if let Err(e) = std::fs::copy(checkout.join("Cargo.lock"), dir.join("Cargo.lock")) {
            eprintln!(
                "note: no Cargo.lock copied from {} ({e}); cargo will resolve versions itself",
                checkout.display()
            );
        }
    }
    println!("created {}/", dir.display());
    let next = match lang {
        Lang::Rust => "cargo test   (then `evident build` for the component)",
        _ => {
            "evident build && evident test . scenarios.yaml   (a view: evident fold . --events events.jsonl)"
        }
    };
    eprintln!("next: cd {} && {next}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The files of the scaffold for `lang` and `kind`: `(path in the new guest, template)`, read
/// from `shared/common`, `shared/<kind>`, `<lang>/common` and `<lang>/<kind>` in that order, a
/// later file replacing an earlier one of the same name.
fn files(lang: Lang, kind: Kind) -> Vec<(String, &'static str)> {
    let mut files: Vec<(String, &'static str)> = Vec::new();
    let has_own = TEMPLATES
        .iter()
        .any(|(path, _)| path.starts_with(&format!("{}/", lang.dir())));
    if !has_own {
        return files;
    }
    for (dir, part) in [
        ("shared", "common"),
        ("shared", kind.dir()),
        (lang.dir(), "common"),
        (lang.dir(), kind.dir()),
    ] {
        let prefix = format!("{dir}/{part}/");
        for (path, text) in TEMPLATES {
            let Some(relative) = path.strip_prefix(prefix.as_str()) else {
                continue;
            };
            let relative = relative.strip_suffix(".tpl").unwrap_or(relative);
            let relative = match relative.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/{}", undot(file)),
                None => undot(relative),
            };
            files.retain(|(existing, _)| *existing != relative);
            files.push((relative, text));
        }
    }
    files
}

/// `dot-gitignore` → `.gitignore`.
fn undot(file: &str) -> String {
    match file.strip_prefix("dot-") {
        Some(rest) => format!(".{rest}"),
        None => file.to_owned(),
    }
}
