//! Making a component of a core module that a non-Rust toolchain built: the world's type
//! information is embedded (wit-component's `embed`), then the module is encoded as a component
//! (`new`), with the WASI preview 1 adapter for modules that import `wasi_snapshot_preview1`.

use std::path::{Path, PathBuf};

use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

use crate::{BuildError, Language};

/// The WIT package guests build against: this crate's copy of the repository's `wit/`.
pub fn wit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wit")
}

/// The release of `evident:db` this crate builds guests against, e.g. `0.3.0`.
pub fn wit_version() -> Result<String, BuildError> {
    let path = wit_dir().join("evident.wit");
    let text = std::fs::read_to_string(&path).map_err(|source| BuildError::Io {
        path: path.clone(),
        source,
    })?;
    text.lines()
        .find_map(|line| line.trim().strip_prefix("package evident:db@"))
        .map(|version| version.trim_end_matches(';').to_owned())
        .ok_or(BuildError::NotAGuestCrate {
            dir: wit_dir(),
            reason: "evident.wit has no `package evident:db@...;` line".into(),
        })
}

/// Embeds the type information of `world` (e.g. `state-view-component`) of the newest
/// `evident:db` into `core_module`, then encodes it as a component. A module that imports WASI
/// preview 1 (Go's `wasip1`) is given the reactor adapter, which turns those imports into
/// WASI preview 2 ones.
pub fn componentize(core_module: &[u8], world: &str) -> Result<Vec<u8>, String> {
    let mut resolve = Resolve::default();
    let (package, _) = resolve
        .push_dir(wit_dir())
        .map_err(|e| format!("reading the WIT package: {e:#}"))?;
    let world = resolve
        .select_world(&[package], Some(world))
        .map_err(|e| format!("{e:#}"))?;
    let mut module = core_module.to_vec();
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
        .map_err(|e| format!("embedding the world: {e:#}"))?;
    let mut encoder = ComponentEncoder::default();
    encoder
        .validate(true)
        .module(&module)
        .map_err(|e| format!("{e:#}"))?;
    if imports_wasi_preview1(core_module) {
        encoder
            .adapter(
                "wasi_snapshot_preview1",
                wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            )
            .map_err(|e| format!("{e:#}"))?;
    }
    encoder.encode().map_err(|e| format!("{e:#}"))
}

/// Whether a core module imports anything from `wasi_snapshot_preview1`.
fn imports_wasi_preview1(core_module: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(core_module)
        .filter_map(Result::ok)
        .any(|payload| match payload {
            wasmparser::Payload::ImportSection(imports) => imports
                .into_imports()
                .filter_map(Result::ok)
                .any(|import| import.module == "wasi_snapshot_preview1"),
            _ => false,
        })
}

/// The custom section `evident inspect` reads to tell which SDK built a component.
pub const SDK_VERSION_SECTION: &str = "evident-sdk-version";

/// What [`SDK_VERSION_SECTION`] holds for a guest in `language` built here: the language and
/// this crate's version, e.g. `go 0.1.0` (the Rust SDK writes its bare version itself).
pub(crate) fn sdk_label(language: Language) -> String {
    format!("{} {}", language.name(), env!("CARGO_PKG_VERSION"))
}

/// Appends the SDK's label to a module or a component (either may end with a custom section).
pub(crate) fn append_sdk_label(binary: &mut Vec<u8>, language: Language) {
    let label = sdk_label(language);
    let mut contents = Vec::new();
    leb128(&mut contents, SDK_VERSION_SECTION.len());
    contents.extend_from_slice(SDK_VERSION_SECTION.as_bytes());
    contents.extend_from_slice(label.as_bytes());
    push_section(binary, 0, &contents);
}

/// Appends a section with id `id` and `contents` to a module or component.
pub(crate) fn push_section(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    leb128(out, contents.len());
    out.extend_from_slice(contents);
}

/// `value` as an unsigned LEB128, the binary format's integers.
fn leb128(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
