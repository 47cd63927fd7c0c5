//! The OCI artifact layout the WebAssembly ecosystem uses for components, as `wkg` and
//! `wasm-pkg-tools` push them (through `oci-wasm`): an image manifest
//! (`application/vnd.oci.image.manifest.v1+json`) whose config is a `WasmConfig`
//! (`application/vnd.wasm.config.v0+json`) and whose one layer is the component itself
//! (`application/wasm`, annotated with its file name); and the manifest annotations this crate
//! adds.

use std::collections::BTreeMap;

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::{OciDescriptor, OciImageManifest};
use serde::{Deserialize, Serialize};

use crate::component::ComponentInfo;
use crate::digest::sha256_digest;

/// The manifest's media type: an OCI image manifest, as `oci-wasm` sets it.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The config's media type, which tells Wasm tools the artifact is WebAssembly.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The one layer's media type: the component's bytes, as they are.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";

/// The prefix of the manifest annotations only Evident writes (the standard
/// `org.opencontainers.image.*` keys carry the rest).
pub const ANNOTATION_PREFIX: &str = "dev.evident.";
/// Exported interfaces, comma-separated: the world the component implements.
pub const EXPORTS: &str = "dev.evident.world.exports";
/// Imported interfaces, comma-separated: what the component needs from its host.
pub const IMPORTS: &str = "dev.evident.world.imports";
/// The WIT packages (with versions) of the exported interfaces, e.g. `evident:db@0.4.0`.
pub const WIT: &str = "dev.evident.wit";
/// The source language(s), from the component's `producers` section.
pub const LANGUAGE: &str = "dev.evident.language";
/// The Evident SDK that built it, from its `evident-sdk-version` section.
pub const SDK: &str = "dev.evident.sdk";
/// The tool and version that pushed it, e.g. `evident 0.1.0`.
pub const PUSHED_BY: &str = "dev.evident.pushed-by";

/// `org.opencontainers.image.created`: when it was pushed (RFC 3339).
pub const CREATED: &str = oci_client::annotations::ORG_OPENCONTAINERS_IMAGE_CREATED;
/// `org.opencontainers.image.version`: the tag it was pushed as.
pub const VERSION: &str = oci_client::annotations::ORG_OPENCONTAINERS_IMAGE_VERSION;
/// `org.opencontainers.image.title`: its name (on the layer: its file name).
pub const TITLE: &str = oci_client::annotations::ORG_OPENCONTAINERS_IMAGE_TITLE;

/// The WebAssembly OS a component declares in its config (`wasip1` means a core module).
const COMPONENT_OS: &str = "wasip2";
/// The architecture every Wasm config declares.
const ARCHITECTURE: &str = "wasm";

/// The config blob, field for field as `oci-wasm`'s `WasmConfig` serializes it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WasmConfig {
    created: String,
    author: Option<String>,
    architecture: String,
    os: String,
    layer_digests: Vec<String>,
    component: Option<WasmConfigComponent>,
}

/// `WasmConfig.component`: the component's imports and exports.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WasmConfigComponent {
    exports: Vec<String>,
    imports: Vec<String>,
    target: Option<String>,
}

/// What a push uploads: the layer, the config and the manifest naming both.
pub(crate) struct Artifact {
    pub(crate) layer: ImageLayer,
    pub(crate) config: Config,
    pub(crate) manifest: OciImageManifest,
}

/// The artifact for a component's bytes, pushed as `name` at `tag` by `pushed_by`, at `created`
/// (RFC 3339), with the annotations its bytes give.
pub(crate) fn artifact(
    bytes: Vec<u8>,
    info: &ComponentInfo,
    name: &str,
    tag: Option<&str>,
    pushed_by: &str,
    created: &str,
) -> Result<Artifact, serde_json::Error> {
    let config = WasmConfig {
        created: created.to_owned(),
        author: None,
        architecture: ARCHITECTURE.to_owned(),
        os: COMPONENT_OS.to_owned(),
        layer_digests: vec![sha256_digest(&bytes)],
        component: Some(WasmConfigComponent {
            exports: info.exports.clone(),
            imports: info.imports.clone(),
            target: None,
        }),
    };
    let config = Config::new(
        serde_json::to_vec(&config)?,
        CONFIG_MEDIA_TYPE.to_owned(),
        None,
    );
    // As wkg does: the layer's title is a file name OCI tools can save it under.
    let layer = ImageLayer::new(
        bytes,
        LAYER_MEDIA_TYPE.to_owned(),
        Some(BTreeMap::from([(TITLE.to_owned(), format!("{name}.wasm"))])),
    );
    let annotations = annotations(info, name, tag, pushed_by, created);
    let mut manifest =
        OciImageManifest::build(std::slice::from_ref(&layer), &config, Some(annotations));
    manifest.media_type = Some(MANIFEST_MEDIA_TYPE.to_owned());
    Ok(Artifact {
        layer,
        config,
        manifest,
    })
}

/// The manifest annotations: the standard keys that fit, then Evident's own.
fn annotations(
    info: &ComponentInfo,
    name: &str,
    tag: Option<&str>,
    pushed_by: &str,
    created: &str,
) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::from([
        (CREATED.to_owned(), created.to_owned()),
        (TITLE.to_owned(), name.to_owned()),
        (PUSHED_BY.to_owned(), pushed_by.to_owned()),
        (EXPORTS.to_owned(), info.exports.join(",")),
        (IMPORTS.to_owned(), info.imports.join(",")),
    ]);
    if let Some(tag) = tag {
        annotations.insert(VERSION.to_owned(), tag.to_owned());
    }
    let mut put = |key: &str, values: &[String]| {
        if !values.is_empty() {
            annotations.insert(key.to_owned(), values.join(","));
        }
    };
    put(WIT, &info.wit_packages());
    put(LANGUAGE, &info.languages);
    if let Some(sdk) = &info.sdk {
        annotations.insert(SDK.to_owned(), sdk.clone());
    }
    annotations
}

/// The component layer of a pulled manifest, or why the manifest is not a component in this
/// layout.
pub(crate) fn component_layer(manifest: &OciImageManifest) -> Result<&OciDescriptor, String> {
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(format!(
            "its config is {}, not {CONFIG_MEDIA_TYPE}",
            manifest.config.media_type
        ));
    }
    match manifest.layers.as_slice() {
        [layer] if layer.media_type == LAYER_MEDIA_TYPE => Ok(layer),
        [layer] => Err(format!(
            "its layer is {}, not {LAYER_MEDIA_TYPE}",
            layer.media_type
        )),
        layers => Err(format!(
            "it has {} layers; a component has exactly one",
            layers.len()
        )),
    }
}
