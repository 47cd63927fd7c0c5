//! `evident new`: a guest crate that builds and passes its tests as generated.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// What `evident new` creates.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Kind {
    /// A state view: folds events into a state.
    View,
    /// A state change: turns a command into events.
    Change,
}

/// The repository `evident` was built from: where the SDK is by default.
fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn new(kind: Kind, name: &str, sdk: Option<&Path>) -> Result<ExitCode> {
    let valid_name = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid_name {
        bail!(
            "{name:?} is not a crate name: use lower-case letters, digits, - and _, starting with a letter"
        );
    }
    let sdk = sdk.map_or_else(default_sdk, Path::to_owned);
    let sdk = sdk
        .canonicalize()
        .ok()
        .filter(|dir| dir.join("crates/evident-guest-sdk/Cargo.toml").is_file())
        .with_context(|| {
            format!(
                "cannot find the Evident SDK at {} (expected crates/evident-guest-sdk there); pass --sdk-path <the evident repository>",
                sdk.display()
            )
        })?;
    let dir = Path::new(name);
    if dir.exists() {
        bail!(
            "{} already exists; choose another name or remove it",
            dir.display()
        );
    }
    let sdk_text = sdk.display().to_string();
    let crate_name = name.replace('-', "_");
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{sdk}}", &sdk_text)
            .replace(
                "{{kind}}",
                match kind {
                    Kind::View => "state view",
                    Kind::Change => "state change",
                },
            )
    };
    let (lib, test) = match kind {
        Kind::View => (
            include_str!("templates/view.rs.tpl"),
            include_str!("templates/view_test.rs.tpl"),
        ),
        Kind::Change => (
            include_str!("templates/change.rs.tpl"),
            include_str!("templates/change_test.rs.tpl"),
        ),
    };
    let mut cargo_toml = fill(include_str!("templates/Cargo.toml.tpl"));
    if matches!(kind, Kind::Change) {
        // The change's example builds its event data with serde_json.
        cargo_toml = cargo_toml.replace(
            "serde = { version = \"1\", features = [\"derive\"] }\n",
            "serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n",
        );
    }
    let files = [
        ("Cargo.toml", cargo_toml),
        ("src/lib.rs", fill(lib)),
        ("tests/component.rs", fill(test)),
        ("README.md", fill(include_str!("templates/README.md.tpl"))),
        (".gitignore", "/target\n".to_owned()),
    ];
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("files sit in a directory"))
            .and_then(|()| std::fs::write(&path, text))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    // Pin the versions the SDK was tested with; cargo drops what this crate does not use.
    if let Err(e) = std::fs::copy(sdk.join("Cargo.lock"), dir.join("Cargo.lock")) {
        eprintln!(
            "note: no Cargo.lock copied from {} ({e}); cargo will resolve versions itself",
            sdk.display()
        );
    }
    println!("created {}/", dir.display());
    eprintln!(
        "next: cd {} && cargo test   (then `evident build` for the component)",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
