//! Push, pull and list against a real OCI registry (`.ci/registry start` runs one and prints
//! `EVIDENT_OCI_REGISTRY`): round trips by tag and by digest in the layout `wkg` uses, a
//! corrupted blob refused, a missing tag named, a listing of what was pushed.
//!
//! Without `EVIDENT_OCI_REGISTRY` these tests skip with a line on stderr, except under CI,
//! where they fail.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use evident_oci::{Error, Options, Reference, Registry, layout, sha256_digest};

/// The variable naming the registry (`host:port`) the tests push to.
const VARIABLE: &str = "EVIDENT_OCI_REGISTRY";
/// The variable naming the registry's storage directory (its filesystem driver's root).
const STORAGE: &str = "EVIDENT_OCI_REGISTRY_STORAGE";

/// The registry's address, or `None` (after saying so) when the tests skip.
fn registry() -> Option<String> {
    if let Ok(address) = std::env::var(VARIABLE)
        && !address.trim().is_empty()
    {
        return Some(address);
    }
    let ci = std::env::var("CI").is_ok_and(|ci| !matches!(ci.as_str(), "" | "false" | "0"));
    assert!(
        !ci,
        "{VARIABLE} is not set: under CI the registry tests run against a real OCI registry. \
         Start one with `eval \"$(.ci/registry start)\"` (it sets {VARIABLE}=127.0.0.1:PORT \
         and {STORAGE})"
    );
    eprintln!(
        "*** SKIPPED: set {VARIABLE} (eval \"$(.ci/registry start)\") to test against a registry ***"
    );
    None
}

fn client() -> Registry {
    Registry::new(Options::default()).unwrap()
}

/// A name no other test or run uses, so tests run in parallel against one registry.
fn unique(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{}-{nanos}", std::process::id())
}

/// A custom section: id 0, size, name, payload.
fn custom_section(name: &str, payload: &[u8]) -> Vec<u8> {
    let mut contents = Vec::new();
    leb128(&mut contents, name.len());
    contents.extend_from_slice(name.as_bytes());
    contents.extend_from_slice(payload);
    let mut section = vec![0];
    leb128(&mut section, contents.len());
    section.extend(contents);
    section
}

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

fn string(out: &mut Vec<u8>, text: &str) {
    leb128(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// A small component exporting an (empty) `evident:db/state-view@0.4.0`, with a `producers`
/// section naming Rust, an Evident SDK version, and `salt` so its bytes (and blob) are its own.
fn component(salt: &str) -> Vec<u8> {
    let mut bytes = wat::parse_str(
        r#"(component
             (import "evident:db/log@0.4.0" (instance))
             (instance $view)
             (export "evident:db/state-view@0.4.0" (instance $view)))"#,
    )
    .unwrap();
    let mut producers = Vec::new();
    leb128(&mut producers, 1);
    string(&mut producers, "language");
    leb128(&mut producers, 1);
    string(&mut producers, "Rust");
    string(&mut producers, "");
    bytes.extend(custom_section("producers", &producers));
    bytes.extend(custom_section("evident-sdk-version", b"0.1.0"));
    bytes.extend(custom_section("evident-oci-test", salt.as_bytes()));
    bytes
}

/// `GET http://<registry><path>` with an `Accept` header: the body of a 200, else a panic.
fn http_get(registry: &str, path: &str, accept: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(registry).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {registry}\r\nAccept: {accept}\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&response[..split]);
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    response[split + 4..].to_vec()
}

#[test]
fn a_push_pulls_back_byte_for_byte_by_tag_and_by_digest_in_the_wkg_layout() {
    let Some(address) = registry() else { return };
    let name = unique("evident-oci-test/round-trip");
    let bytes = component(&name);
    let reference: Reference = format!("{address}/{name}:1.2.3").parse().unwrap();
    let registry = client();
    let pushed = registry.push(&reference, bytes.clone()).unwrap();
    assert_eq!(pushed.layer_digest, sha256_digest(&bytes));

    let by_tag = registry.pull(&reference).unwrap();
    assert_eq!(by_tag.bytes, bytes);
    assert_eq!(by_tag.digest, pushed.digest);
    assert_eq!(by_tag.layer_digest, pushed.layer_digest);
    assert_eq!(by_tag.annotations, pushed.annotations);
    let by_digest = registry
        .pull(&reference.with_digest(&pushed.digest))
        .unwrap();
    assert_eq!(by_digest.bytes, bytes);
    assert_eq!(by_digest.annotations, pushed.annotations);

    let annotations = &by_tag.annotations;
    let leaf = name.rsplit('/').next().unwrap();
    for (key, value) in [
        (layout::VERSION, "1.2.3"),
        (layout::TITLE, leaf),
        (layout::EXPORTS, "evident:db/state-view@0.4.0"),
        (layout::IMPORTS, "evident:db/log@0.4.0"),
        (layout::WIT, "evident:db@0.4.0"),
        (layout::LANGUAGE, "Rust"),
        (layout::SDK, "0.1.0"),
        (
            layout::PUSHED_BY,
            concat!("evident ", env!("CARGO_PKG_VERSION")),
        ),
    ] {
        assert_eq!(
            annotations.get(key).map(String::as_str),
            Some(value),
            "{key}"
        );
    }
    let created = &annotations[layout::CREATED];
    assert!(chrono_like(created), "{created}");

    // The manifest and config as the registry holds them: what `wkg oci pull` reads.
    let manifest: serde_json::Value = serde_json::from_slice(&http_get(
        &address,
        &format!("/v2/{name}/manifests/{}", pushed.digest),
        layout::MANIFEST_MEDIA_TYPE,
    ))
    .unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(manifest["mediaType"], layout::MANIFEST_MEDIA_TYPE);
    assert_eq!(manifest["config"]["mediaType"], layout::CONFIG_MEDIA_TYPE);
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], layout::LAYER_MEDIA_TYPE);
    assert_eq!(layers[0]["digest"], pushed.layer_digest.as_str());
    assert_eq!(layers[0]["size"], bytes.len());
    assert_eq!(
        layers[0]["annotations"][layout::TITLE],
        format!("{leaf}.wasm").as_str()
    );
    let config_digest = manifest["config"]["digest"].as_str().unwrap();
    let config: serde_json::Value = serde_json::from_slice(&http_get(
        &address,
        &format!("/v2/{name}/blobs/{config_digest}"),
        "*/*",
    ))
    .unwrap();
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["author"], serde_json::Value::Null);
    assert_eq!(config["created"], created.as_str());
    assert_eq!(
        config["layerDigests"],
        serde_json::json!([pushed.layer_digest])
    );
    assert_eq!(
        config["component"],
        serde_json::json!({
            "exports": ["evident:db/state-view@0.4.0"],
            "imports": ["evident:db/log@0.4.0"],
            "target": null,
        })
    );
}

/// Whether `text` looks like an RFC 3339 UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
fn chrono_like(text: &str) -> bool {
    text.len() == 20 && text.as_bytes()[10] == b'T' && text.ends_with('Z')
}

#[test]
fn a_corrupted_blob_is_refused_with_both_digests() {
    let Some(address) = registry() else { return };
    let storage = PathBuf::from(std::env::var(STORAGE).unwrap_or_else(|_| {
        panic!("{STORAGE} is not set: `.ci/registry start` prints it beside {VARIABLE}")
    }));
    let name = unique("evident-oci-test/corrupt");
    let bytes = component(&name);
    let reference: Reference = format!("{address}/{name}:1.0.0").parse().unwrap();
    let registry = client();
    let pushed = registry.push(&reference, bytes.clone()).unwrap();
    let hex = pushed.layer_digest.strip_prefix("sha256:").unwrap();
    let blob = storage
        .join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data");
    let mut corrupted = std::fs::read(&blob).unwrap();
    assert_eq!(corrupted, bytes, "{} holds the component", blob.display());
    let last = corrupted.len() - 1;
    corrupted[last] ^= 0xff;
    std::fs::write(&blob, &corrupted).unwrap();

    for pulled in [
        registry.pull(&reference),
        registry.pull(&reference.with_digest(&pushed.digest)),
    ] {
        match pulled {
            Err(Error::DigestMismatch {
                what,
                expected,
                actual,
                ..
            }) => {
                assert_eq!(what, "component layer");
                assert_eq!(expected, pushed.layer_digest);
                assert_eq!(actual, sha256_digest(&corrupted));
            }
            other => panic!("a corrupted blob was not refused: {other:?}"),
        }
    }
}

#[test]
fn a_missing_tag_or_repository_is_a_clear_error() {
    let Some(address) = registry() else { return };
    let name = unique("evident-oci-test/missing");
    let registry = client();
    let pushed: Reference = format!("{address}/{name}:1.0.0").parse().unwrap();
    registry.push(&pushed, component(&name)).unwrap();

    let missing_tag: Reference = format!("{address}/{name}:9.9.9").parse().unwrap();
    let error = registry.pull(&missing_tag).unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&missing_tag.to_string()) && message.contains("no such tag"),
        "{message}"
    );

    let missing_repository: Reference = format!("{address}/{name}-absent:1.0.0").parse().unwrap();
    let error = registry.pull(&missing_repository).unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&missing_repository.to_string()),
        "{error}"
    );

    let missing_digest = pushed.with_digest(&sha256_digest(b"no such manifest"));
    let error = registry.pull(&missing_digest).unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[test]
fn a_listing_shows_what_was_pushed() {
    let Some(address) = registry() else { return };
    let name = unique("evident-oci-test/listed");
    let registry = client();
    for version in ["1.0.0", "1.1.0"] {
        let reference: Reference = format!("{address}/{name}:{version}").parse().unwrap();
        registry
            .push(&reference, component(&format!("{name}{version}")))
            .unwrap();
    }
    let repositories = registry.list(&address).unwrap();
    let listed = repositories
        .iter()
        .find(|repository| repository.name == name)
        .unwrap_or_else(|| panic!("{name} is not in {repositories:?}"));
    assert_eq!(listed.tags, ["1.0.0", "1.1.0"]);
}

#[test]
fn bytes_that_are_not_a_component_are_refused_before_connecting() {
    // Port 1 on loopback: nothing listens, so reaching the registry would fail differently.
    let reference: Reference = "127.0.0.1:1/evident-oci-test/module:1.0.0".parse().unwrap();
    let module = wat::parse_str("(module)").unwrap();
    let error = client().push(&reference, module).unwrap_err();
    assert!(matches!(error, Error::NotAComponent { .. }), "{error:?}");
    let error = client().push(&reference, b"not wasm".to_vec()).unwrap_err();
    assert!(matches!(error, Error::NotAComponent { .. }), "{error:?}");
}

#[test]
fn a_registry_that_does_not_answer_is_unreachable() {
    let reference: Reference = "127.0.0.1:1/evident-oci-test/absent:1.0.0".parse().unwrap();
    let error = client().pull(&reference).unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");
    assert!(error.to_string().contains("127.0.0.1:1"), "{error}");
    let error = client().list("127.0.0.1:1").unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");
}
