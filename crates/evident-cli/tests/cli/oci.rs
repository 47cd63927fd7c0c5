//! `evident push`, `pull` and `search` against a real OCI registry (`.ci/registry start` runs
//! one and prints `EVIDENT_OCI_REGISTRY` and `EVIDENT_OCI_REGISTRY_STORAGE`). Without it these
//! tests skip, saying so, except under CI, where they fail.

use std::time::{SystemTime, UNIX_EPOCH};

use super::*;

/// The variable naming the registry (`host:port`).
const REGISTRY: &str = "EVIDENT_OCI_REGISTRY";
/// The variable naming its storage directory (the filesystem driver's root).
const STORAGE: &str = "EVIDENT_OCI_REGISTRY_STORAGE";

/// The registry's address, or `None` (after saying so) when the tests skip.
fn registry() -> Option<String> {
    match std::env::var(REGISTRY) {
        Ok(address) if !address.trim().is_empty() => Some(address),
        _ if std::env::var("CI").is_ok_and(|ci| !matches!(ci.as_str(), "" | "false" | "0")) => {
            panic!(
                "{REGISTRY} is not set: under CI this test runs against an OCI registry \
                 (eval \"$(.ci/registry start)\")"
            )
        }
        _ => {
            eprintln!(
                "*** SKIPPED: set {REGISTRY} (eval \"$(.ci/registry start)\") to push and pull ***"
            );
            None
        }
    }
}

/// The event-counter component with a custom section of its own, so its blob is this test's
/// alone (the registry stores a blob once per digest, and one test corrupts its blob), written
/// into `dir`; and a repository name no other test or run uses.
fn salted_event_counter(dir: &Path, test: &str) -> (PathBuf, String) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("evident-cli-test/{test}-{}-{nanos}", std::process::id());
    let mut bytes = std::fs::read(component("event-counter")).unwrap();
    let section_name = b"evident-cli-test";
    let mut contents = vec![section_name.len() as u8];
    contents.extend_from_slice(section_name);
    contents.extend_from_slice(name.as_bytes());
    assert!(contents.len() < 128, "one LEB128 byte of size");
    bytes.push(0);
    bytes.push(contents.len() as u8);
    bytes.extend(contents);
    let path = dir.join("event_counter.component.wasm");
    std::fs::write(&path, bytes).unwrap();
    (path, name)
}

/// The value after `label` on a line of `stdout`.
fn field<'a>(stdout: &'a str, label: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {stdout}"))
        .trim()
}

fn push(file: &Path, reference: &str) -> String {
    let output = evident()
        .arg("push")
        .arg(file)
        .arg(reference)
        .assert()
        .success()
        .stdout(contains(format!("pushed:  {reference}")))
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

#[test]
fn push_then_pull_by_tag_and_by_digest_round_trips_with_the_annotations() {
    let Some(address) = registry() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (file, name) = salted_event_counter(dir.path(), "round-trip");
    let reference = format!("{address}/{name}:1.0.0");
    let pushed = push(&file, &reference);
    let digest = field(&pushed, "digest:").to_owned();
    assert!(digest.starts_with("sha256:"), "{pushed}");

    let by_tag = dir.path().join("by-tag.wasm");
    let by_digest = dir.path().join("by-digest.wasm");
    for (source, output) in [
        (reference.clone(), &by_tag),
        (format!("{address}/{name}@{digest}"), &by_digest),
    ] {
        evident()
            .arg("pull")
            .arg(&source)
            .arg("-o")
            .arg(output)
            .assert()
            .success()
            .stdout(
                contains(format!("pulled:  {source}"))
                    .and(contains(format!("digest:  {digest}")))
                    .and(contains("(verified)"))
                    .and(contains("org.opencontainers.image.version: 1.0.0"))
                    .and(contains("org.opencontainers.image.created: "))
                    // The WIT release is whichever the guest SDK builds against.
                    .and(contains(
                        "dev.evident.world.exports: evident:db/state-view@",
                    ))
                    .and(contains("dev.evident.wit: evident:db@"))
                    .and(contains("dev.evident.language: Rust"))
                    .and(contains("dev.evident.sdk: 0.1.0"))
                    .and(contains(concat!(
                        "dev.evident.pushed-by: evident ",
                        env!("CARGO_PKG_VERSION")
                    ))),
            );
        assert_eq!(
            std::fs::read(output).unwrap(),
            std::fs::read(&file).unwrap(),
            "{source} pulled byte for byte"
        );
    }
}

#[test]
fn pull_refuses_a_corrupted_blob() {
    let Some(address) = registry() else { return };
    let storage = std::env::var(STORAGE).unwrap_or_else(|_| {
        panic!("{STORAGE} is not set: `.ci/registry start` prints it beside {REGISTRY}")
    });
    let dir = tempfile::tempdir().unwrap();
    let (file, name) = salted_event_counter(dir.path(), "corrupt");
    let reference = format!("{address}/{name}:1.0.0");
    push(&file, &reference);
    // The layer's digest is the sha256 of the component's bytes: the file whose content is them.
    let bytes = std::fs::read(&file).unwrap();
    let blobs = Path::new(&storage).join("docker/registry/v2/blobs/sha256");
    let blob = std::fs::read_dir(&blobs)
        .unwrap()
        .flat_map(|prefix| std::fs::read_dir(prefix.unwrap().path()).unwrap())
        .map(|entry| entry.unwrap().path().join("data"))
        .find(|data| std::fs::read(data).is_ok_and(|content| content == bytes))
        .expect("the component's blob in the registry's storage");
    let mut corrupted = bytes;
    corrupted[100] ^= 0xff;
    std::fs::write(&blob, corrupted).unwrap();

    let output = dir.path().join("pulled.wasm");
    evident()
        .arg("pull")
        .arg(&reference)
        .arg("-o")
        .arg(&output)
        .assert()
        .failure()
        .stderr(
            contains("digest mismatch for the component layer of")
                .and(contains(reference.as_str()))
                .and(contains("expected sha256:"))
                .and(contains(", got sha256:")),
        );
    assert!(!output.exists(), "nothing is written from a refused pull");
}

#[test]
fn pull_of_a_missing_tag_names_it() {
    let Some(address) = registry() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (file, name) = salted_event_counter(dir.path(), "missing");
    push(&file, &format!("{address}/{name}:1.0.0"));
    let missing = format!("{address}/{name}:2.0.0");
    evident()
        .arg("pull")
        .arg(&missing)
        .arg("-o")
        .arg(dir.path().join("pulled.wasm"))
        .assert()
        .failure()
        .stderr(
            contains(format!("{missing} not found in the registry {address}"))
                .and(contains("no such tag")),
        );
}

#[test]
fn search_lists_pushed_names_and_versions() {
    let Some(address) = registry() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (file, name) = salted_event_counter(dir.path(), "search");
    for version in ["0.9.0", "1.0.0"] {
        push(&file, &format!("{address}/{name}:{version}"));
    }
    evident()
        .arg("search")
        .arg(&address)
        .arg(&name)
        .assert()
        .success()
        .stdout(contains(format!("{name}  0.9.0, 1.0.0")));
}

#[test]
fn push_refuses_a_reference_without_a_version() {
    evident()
        .arg("push")
        .arg(component("event-counter"))
        .arg("127.0.0.1:5055/evident/event-counter")
        .assert()
        .failure()
        .stderr(contains("no tag or digest").and(contains("<registry>/<name>:<version>")));
}
