//! `evident new`: a guest, in any SDK language, that builds and passes its test as generated.
//!
//! The files come from `templates/shared/<kind>/` and `templates/<language>/` (the language's
//! `Toolchain::template_dir`, its name), with a `common/` and a `<kind>/` part (embedded at build
//! time; a language's file replaces a shared one of the same name); `{{name}}`, `{{crate}}`,
//! `{{kind}}` and, for Rust, the SDK dependency are filled in, and a `dot-` prefix becomes `.`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use evident_build::Language;

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

/// The language of the guest `evident new` creates, as clap reads `--lang`: a thin wrapper of
/// [`Language`], so its values and their help come from [`Language::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lang(pub(crate) Language);

/// Every [`Lang`], in [`Language::ALL`]'s order (clap wants them as a slice of `Lang`).
const LANGS: [Lang; Language::ALL.len()] = {
    let mut langs = [Lang(Language::Rust); Language::ALL.len()];
    let mut index = 0;
    while index < langs.len() {
        langs[index] = Lang(Language::ALL[index]);
        index += 1;
    }
    langs
};

impl clap::ValueEnum for Lang {
    fn value_variants<'a>() -> &'a [Self] {
        &LANGS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let toolchain = self.0.toolchain();
        Some(clap::builder::PossibleValue::new(toolchain.name()).help(toolchain.summary()))
    }
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Self {
        lang.0
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

/// Creates the guest `name` of `kind` in `lang` (a [`Language`], or clap's [`Lang`]) in the
/// directory `name`, its Rust SDK from `sdk`.
pub(crate) fn new(
    kind: Kind,
    name: &str,
    lang: impl Into<Language>,
    sdk: &SdkSource,
) -> Result<ExitCode> {
    let lang: Language = lang.into();
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
            lang.name()
        );
    }
    let crate_name = name.replace('-', "_");
    let package_version = sdk_package_version();
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{kind}}", kind.label())
            .replace("{{sdk_version}}", env!("CARGO_PKG_VERSION"))
            .replace("{{sdk_package_version}}", &package_version)
            .replace("{{sdk_patch}}", &sdk.patch())
    };
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("files sit in a directory"))
            .and_then(|()| std::fs::write(&path, fill(text)))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let (Language::Rust, SdkSource::Checkout(checkout)) = (lang, sdk) {
        // Pin the versions the SDK was tested with; cargo drops what this crate does not use.
        if let Err(e) = std::fs::copy(checkout.join("Cargo.lock"), dir.join("Cargo.lock")) {
            eprintln!(
                "note: no Cargo.lock copied from {} ({e}); cargo will resolve versions itself",
                checkout.display()
            );
        }
    }
    println!("created {}/", dir.display());
    let next = lang.toolchain().next_steps();
    eprintln!("next: cd {} && {next}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The files of the scaffold for `lang` and `kind`: `(path in the new guest, template)`, read
/// from `shared/common`, `shared/<kind>`, `<lang>/common` and `<lang>/<kind>` in that order, a
/// later file replacing an earlier one of the same name.
fn files(lang: Language, kind: Kind) -> Vec<(String, &'static str)> {
    let mut files: Vec<(String, &'static str)> = Vec::new();
    let lang_dir = lang.toolchain().template_dir();
    let has_own = TEMPLATES
        .iter()
        .any(|(path, _)| path.starts_with(&format!("{lang_dir}/")));
    if !has_own {
        return files;
    }
    for (dir, part) in [
        ("shared", "common"),
        ("shared", kind.dir()),
        (lang_dir, "common"),
        (lang_dir, kind.dir()),
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

/// The version of the SDK packages other than Rust's (`evident-sdk` on PyPI, `evident` and
/// `evident-assemblyscript` on npm, the Go module `evident.dev/evident`, the C/C++ libraries),
/// which the scaffolds depend on as `{{sdk_package_version}}`: read from the JavaScript SDK's
/// `package.json` that `evident` carries, the one place it is written (every other package
/// declares the same version, which a test checks).
fn sdk_package_version() -> String {
    let manifest = evident_build::sdk::files("js")
        .find(|(path, _)| *path == "package.json")
        .map(|(_, bytes)| bytes)
        .expect("the JavaScript SDK has a package.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(manifest).expect("the JavaScript SDK's package.json is JSON");
    manifest["version"]
        .as_str()
        .expect("the JavaScript SDK's package.json has a version")
        .to_owned()
}

/// `dot-gitignore` → `.gitignore`.
fn undot(file: &str) -> String {
    match file.strip_prefix("dot-") {
        Some(rest) => format!(".{rest}"),
        None => file.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use evident_build::Language;

    use super::{Kind, TEMPLATES, files, sdk_package_version};

    /// `name = "..."`-like: the first value of `key` in `text` (TOML, JSON or make syntax).
    fn declared(text: &str, key: &str) -> Option<String> {
        text.lines().find_map(|line| {
            let line = line.trim().trim_start_matches('"');
            let rest = line.strip_prefix(key)?.trim_start_matches('"').trim_start();
            let rest = ["?=", "=", ":"]
                .iter()
                .find_map(|separator| rest.strip_prefix(separator))?;
            Some(
                rest.trim()
                    .trim_end_matches(',')
                    .trim_matches('"')
                    .to_owned(),
            )
        })
    }

    fn sdk_file(language: &str, path: &str) -> String {
        let (_, bytes) = evident_build::sdk::files(language)
            .find(|(file, _)| *file == path)
            .unwrap_or_else(|| panic!("sdk/{language}/{path}"));
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn every_sdk_package_declares_the_version_the_scaffolds_depend_on() {
        let version = sdk_package_version();
        assert_eq!(
            Some(version.clone()),
            evident_build::encode::wit_version().ok(),
            "the SDK packages are released with the evident:db WIT release"
        );
        for (language, path, key) in [
            ("python", "evident/__init__.py", "__version__"),
            ("js", "package.json", "version"),
            ("assemblyscript", "evident/package.json", "version"),
            ("c", "Makefile", "VERSION"),
        ] {
            let text = sdk_file(language, path);
            assert_eq!(
                declared(&text, key).as_deref(),
                Some(version.as_str()),
                "sdk/{language}/{path}"
            );
        }
        // The wheel's version is `evident.__version__`, unless pyproject.toml writes one.
        let pyproject = declared(&sdk_file("python", "pyproject.toml"), "version");
        if let Some(literal) = pyproject.filter(|v| v.starts_with(|c: char| c.is_ascii_digit())) {
            assert_eq!(literal, version, "sdk/python/pyproject.toml");
        }
        // No template names a version of its own: they all take it from the placeholder.
        for (path, text) in TEMPLATES {
            if path.starts_with("rust/") {
                continue;
            }
            assert!(!text.contains(&version), "templates/{path} names {version}");
        }
    }

    #[test]
    fn every_language_has_both_scaffolds_and_every_template_directory_is_a_language() {
        for language in Language::ALL {
            for kind in [Kind::View, Kind::Change] {
                assert!(!files(language, kind).is_empty(), "{language} {kind:?}");
            }
        }
        for (path, _) in TEMPLATES {
            let top = path.split('/').next().unwrap_or_default();
            assert!(
                top == "shared"
                    || Language::ALL
                        .iter()
                        .any(|language| language.toolchain().template_dir() == top),
                "templates/{path} belongs to no language"
            );
        }
    }
}
