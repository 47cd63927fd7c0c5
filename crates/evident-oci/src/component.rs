//! What the bytes of a component say about it: that they are a component, its imports and
//! exports, its source language and the Evident SDK that built it.

use wasmparser::{Encoding, KnownCustom, Parser, Payload};

use crate::Error;

/// The custom section the Evident SDKs write their version (and language) into.
const SDK_VERSION_SECTION: &str = "evident-sdk-version";

/// A component's facts, read from its bytes without running or compiling it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentInfo {
    /// The top-level exports (interfaces such as `evident:db/state-view@0.4.0`).
    pub exports: Vec<String>,
    /// The top-level imports.
    pub imports: Vec<String>,
    /// The source languages its `producers` sections name (e.g. `Rust`), without repeats.
    pub languages: Vec<String>,
    /// The `evident-sdk-version` section, if an Evident SDK built it.
    pub sdk: Option<String>,
}

impl ComponentInfo {
    /// Reads `bytes`, refusing anything that is not a well-formed component.
    pub fn read(bytes: &[u8]) -> Result<ComponentInfo, Error> {
        let not_a_component = |reason: String| Error::NotAComponent { reason };
        if !bytes.starts_with(b"\0asm") {
            return Err(not_a_component("no WebAssembly header".to_owned()));
        }
        let mut info = ComponentInfo::default();
        let mut depth = 0usize;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| not_a_component(e.to_string()))? {
                Payload::Version { encoding, .. } => {
                    if depth == 0 && encoding != Encoding::Component {
                        return Err(not_a_component(
                            "a core module (make a component of it with `wasm-tools component new`)"
                                .to_owned(),
                        ));
                    }
                    depth += 1;
                }
                Payload::End(_) => depth = depth.saturating_sub(1),
                Payload::ComponentImportSection(reader) if depth == 1 => {
                    for import in reader {
                        let import = import.map_err(|e| not_a_component(e.to_string()))?;
                        info.imports.push(import.name.name.to_owned());
                    }
                }
                Payload::ComponentExportSection(reader) if depth == 1 => {
                    for export in reader {
                        let export = export.map_err(|e| not_a_component(e.to_string()))?;
                        info.exports.push(export.name.name.to_owned());
                    }
                }
                Payload::CustomSection(reader) if reader.name() == SDK_VERSION_SECTION => {
                    info.sdk = Some(String::from_utf8_lossy(reader.data()).into_owned());
                }
                Payload::CustomSection(reader) => {
                    if let KnownCustom::Producers(producers) = reader.as_known() {
                        for field in producers.into_iter().flatten() {
                            if field.name != "language" {
                                continue;
                            }
                            for value in field.values.into_iter().flatten() {
                                if !info.languages.iter().any(|known| known == value.name) {
                                    info.languages.push(value.name.to_owned());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(info)
    }

    /// The WIT packages the exports belong to, with their versions (`evident:db@0.4.0`).
    pub fn wit_packages(&self) -> Vec<String> {
        let mut packages: Vec<String> = Vec::new();
        for export in &self.exports {
            // `namespace:package/interface@version`; plain names (functions) have no package.
            let Some((package, rest)) = export.split_once('/') else {
                continue;
            };
            let package = match rest.split_once('@') {
                Some((_, version)) => format!("{package}@{version}"),
                None => package.to_owned(),
            };
            if !packages.contains(&package) {
                packages.push(package);
            }
        }
        packages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_gives_its_exports_imports_and_wit_packages() {
        let bytes = wat::parse_str(
            r#"(component
                 (import "evident:db/logging@0.4.0" (instance))
                 (instance $view)
                 (export "evident:db/state-view@0.4.0" (instance $view))
                 (export "evident:db/state-view-batch@0.4.0" (instance $view)))"#,
        )
        .unwrap();
        let info = ComponentInfo::read(&bytes).unwrap();
        assert_eq!(info.imports, ["evident:db/logging@0.4.0"]);
        assert_eq!(
            info.exports,
            [
                "evident:db/state-view@0.4.0",
                "evident:db/state-view-batch@0.4.0"
            ]
        );
        assert_eq!(info.wit_packages(), ["evident:db@0.4.0"]);
        assert!(info.languages.is_empty() && info.sdk.is_none());
    }

    #[test]
    fn modules_and_other_bytes_are_not_components() {
        for bytes in [
            wat::parse_str("(module)").unwrap(),
            b"\0asm garbage".to_vec(),
        ] {
            assert!(matches!(
                ComponentInfo::read(&bytes),
                Err(Error::NotAComponent { .. })
            ));
        }
    }
}
