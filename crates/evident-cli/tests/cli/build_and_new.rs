//! `evident build` and `evident new`: guests in every language, scaffolded outside the repository.

use super::*;

#[test]
fn build_prints_the_component_and_its_size() {
    evident()
        .args(["build", "guests/event-counter"])
        .assert()
        .success()
        .stdout(contains("event_counter.component.wasm"))
        .stderr(contains("built event-counter (").and(contains("KiB")));
}

#[test]
fn build_without_the_wasm_target_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let fake_rustc = write(
        dir.path(),
        "rustc",
        &format!("#!/bin/sh\necho {}\n", dir.path().display()),
    );
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&fake_rustc)
        .status()
        .unwrap();
    evident()
        .args(["build", "guests/event-counter"])
        .env("RUSTC", &fake_rustc)
        .assert()
        .failure()
        .stderr(contains("rustup target add wasm32-unknown-unknown"));
}

#[test]
fn build_of_a_directory_without_a_crate_says_so() {
    let dir = tempfile::tempdir().unwrap();
    evident()
        .arg("build")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(contains("no guest here"));
}

#[test]
fn new_refuses_bad_names_existing_directories_and_a_missing_sdk() {
    let dir = tempfile::tempdir().unwrap();
    evident()
        .current_dir(dir.path())
        .args(["new", "view", "Bad Name"])
        .assert()
        .failure()
        .stderr(contains("is not a valid guest name"));
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    evident()
        .current_dir(dir.path())
        .args(["new", "view", "taken"])
        .assert()
        .failure()
        .stderr(contains("already exists"));
    evident()
        .current_dir(dir.path())
        .args(["new", "view", "fine", "--sdk-path", "/nowhere"])
        .assert()
        .failure()
        .stderr(contains("cannot find the Evident SDK at /nowhere").and(contains("--sdk-path")));
}

/// The repository's library crates as `cargo package` makes them, unpacked into `dir`
/// (outside the repository): what a user who gets the crates from a registry builds.
fn packaged_crates(dir: &Path) -> Vec<(String, PathBuf)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let crates = [
        "evident-types",
        "evident-store",
        "evident-guest-sdk-macros",
        "evident-guest-sdk",
        "evident-host",
        "evident-build",
        "evident-testkit",
    ];
    let mut package = std::process::Command::new(&cargo);
    package.current_dir(workspace_root()).args([
        "package",
        "--no-verify",
        "--allow-dirty",
        "--locked",
    ]);
    for name in crates {
        package.args(["-p", name]);
    }
    let output = package.output().unwrap();
    assert!(
        output.status.success(),
        "cargo package failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let version = env!("CARGO_PKG_VERSION");
    crates
        .iter()
        .map(|name| {
            let file = workspace_root().join(format!("target/package/{name}-{version}.crate"));
            let status = std::process::Command::new("tar")
                .arg("xzf")
                .arg(&file)
                .arg("-C")
                .arg(dir)
                .status()
                .unwrap();
            assert!(status.success(), "cannot unpack {}", file.display());
            (name.to_string(), dir.join(format!("{name}-{version}")))
        })
        .collect()
}

/// A new user's first hour with the Rust SDK, as published: scaffold outside the
/// repository against the packaged crates (by version, `[patch]`ed to their unpacked
/// copies, no path into this repository), then `cargo test` as generated, for a view and a
/// change. Both share this workspace's target directory, so what they have in common with
/// it (Wasmtime above all) is built once.
#[test]
fn new_rust_guests_pass_their_tests_against_the_packaged_crates() {
    let dir = tempfile::tempdir().unwrap();
    let packages = dir.path().join("packages");
    std::fs::create_dir(&packages).unwrap();
    let patch: String = packaged_crates(&packages)
        .iter()
        .map(|(name, path)| format!("{name} = {{ path = {:?} }}\n", path.display()))
        .collect();
    for kind in ["view", "change"] {
        let name = format!("my-{kind}");
        evident()
            .current_dir(dir.path())
            .args(["new", kind, &name, "--registry-sdk"])
            .assert()
            .success()
            .stdout(contains(format!("created {name}/")));
        let crate_dir = dir.path().join(&name);
        for file in [
            "Cargo.toml",
            "src/lib.rs",
            "tests/component.rs",
            "README.md",
            ".gitignore",
        ] {
            assert!(crate_dir.join(file).is_file(), "{file} missing");
        }
        let manifest = crate_dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(
            text.contains(&format!(
                "evident-guest-sdk = \"{}\"",
                env!("CARGO_PKG_VERSION")
            )),
            "the SDK is a dependency by version:\n{text}"
        );
        assert!(
            !text.contains(&*workspace_root().to_string_lossy()),
            "{text}"
        );
        std::fs::write(&manifest, format!("{text}\n[patch.crates-io]\n{patch}")).unwrap();
        // The versions the SDK was tested with.
        std::fs::copy(
            workspace_root().join("Cargo.lock"),
            crate_dir.join("Cargo.lock"),
        )
        .unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = std::process::Command::new(cargo)
            .arg("test")
            .current_dir(&crate_dir)
            .env("CARGO_TARGET_DIR", workspace_root().join("target"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "cargo test failed in the new crate:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("2 passed"));
    }
}

#[test]
fn a_new_rust_guest_in_a_checkout_patches_the_sdk_to_it() {
    let dir = tempfile::tempdir().unwrap();
    evident()
        .current_dir(dir.path())
        .args(["new", "view", "local"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("local/Cargo.toml")).unwrap();
    let sdk = workspace_root()
        .join("crates/evident-guest-sdk")
        .canonicalize()
        .unwrap();
    assert!(text.contains("[patch.crates-io]"), "{text}");
    assert!(text.contains(&*sdk.to_string_lossy()), "{text}");
    assert!(dir.path().join("local/Cargo.lock").is_file());
}

/// `evident new --lang <language>`, `evident build`, `evident test` and `evident fold`, in an
/// empty directory outside the repository, for a view and a change.
fn new_guests_build_fold_and_pass_their_scenarios(language: &str) {
    for kind in ["view", "change"] {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("demo-{kind}");
        evident()
            .current_dir(dir.path())
            .args(["new", kind, &name, "--lang", language])
            .assert()
            .success();
        let guest = dir.path().join(&name);
        assert!(guest.join("guest.json").is_file(), "{language} {kind}");
        let build = evident().current_dir(&guest).arg("build").output().unwrap();
        if !build.status.success() {
            let stderr = String::from_utf8_lossy(&build.stderr);
            if stderr.contains("cannot install") && std::env::var_os("CI").is_none() {
                use std::io::Write as _;
                let line = format!("\n*** SKIPPED {language}: {stderr} ***\n");
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
                return;
            }
            panic!("{language} {kind}: evident build failed:\n{stderr}");
        }
        evident()
            .current_dir(&guest)
            .args(["test", ".", "scenarios.yaml"])
            .assert()
            .success()
            .stdout(contains(" passed, 0 failed"));
        if kind == "view" {
            evident()
                .current_dir(&guest)
                .args(["fold", ".", "--events", "events.jsonl"])
                .assert()
                .success()
                .stderr(contains("folded 4 events"));
        }
    }
}

// One test per language, so that the test threads install and build languages side by side.

#[test]
fn new_python_guests_build_fold_and_pass_their_scenarios() {
    new_guests_build_fold_and_pass_their_scenarios("python");
}

#[test]
fn new_javascript_guests_build_fold_and_pass_their_scenarios() {
    new_guests_build_fold_and_pass_their_scenarios("js");
}

#[test]
fn new_go_guests_build_fold_and_pass_their_scenarios() {
    new_guests_build_fold_and_pass_their_scenarios("go");
}

#[test]
fn new_c_guests_build_fold_and_pass_their_scenarios() {
    new_guests_build_fold_and_pass_their_scenarios("c");
}

#[test]
fn new_cpp_guests_build_fold_and_pass_their_scenarios() {
    new_guests_build_fold_and_pass_their_scenarios("cpp");
}

#[test]
fn new_assemblyscript_guests_build_fold_and_pass_their_scenarios() {
    new_guests_build_fold_and_pass_their_scenarios("assemblyscript");
}

/// Skips the test (returning `true`) with a message when a tool it needs is missing, except
/// under `CI`, where that fails it.
fn skip_without(what: &str, available: bool) -> bool {
    if available {
        return false;
    }
    assert!(std::env::var_os("CI").is_none(), "{what} is missing");
    use std::io::Write as _;
    let line = format!("\n*** SKIPPED: {what} is missing ***\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    true
}

/// Runs `command`, returning whether it succeeded; prints what it said when it did not.
fn succeeds(command: &mut std::process::Command) -> bool {
    match command.output() {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            eprintln!(
                "{command:?} failed:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("cannot run {command:?}: {e}");
            false
        }
    }
}

/// The stamp of the built component of the guest in `guest` (`<component>.stamp`).
fn stamp_of(guest: &Path) -> String {
    let mut dirs = vec![guest.join("target")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().ends_with(".component.stamp") {
                return std::fs::read_to_string(path).unwrap();
            }
        }
    }
    panic!(
        "no component stamp under {}",
        guest.join("target").display()
    );
}

/// A Python guest as its author outside this repository makes it: `evident new`, the SDK's
/// wheel (built from this tree, as `.ci/packages` does) installed into the guest's `.venv`
/// with no index, then `evident build` and `evident fold`. The build uses the installed package
/// (its stamp says so, and breaking the installed package breaks the build); without the
/// venv it falls back to the SDK `evident` carries.
#[test]
fn a_new_python_guest_builds_with_the_sdk_wheel_installed_in_its_venv() {
    let python = || std::process::Command::new("python3");
    let has_venv = succeeds(python().args(["-m", "venv", "--help"]))
        && succeeds(python().args(["-m", "pip", "--version"]));
    if skip_without("python3 with venv and pip", has_venv) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A copy: building in place would leave build/ and *.egg-info in the embedded SDK.
    let source = dir.path().join("src");
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(workspace_root().join("crates/evident-build/sdk/python"))
        .arg(&source)
        .status()
        .unwrap();
    assert!(copied.success());
    let _ = std::fs::remove_dir_all(source.join("build"));
    let dist = dir.path().join("dist");
    let wheel_built = succeeds(
        python()
            .args([
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--no-deps", "-w"])
            .arg(&dist)
            .arg(&source),
    );
    // Building the wheel needs setuptools (from PyPI, or pip's find-links).
    if skip_without("pip wheel (setuptools for the build)", wheel_built) {
        return;
    }
    let wheel = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("evident_sdk-") && name.ends_with("-py3-none-any.whl")
        })
        .expect("pip wheel made evident_sdk-*.whl");

    evident()
        .current_dir(dir.path())
        .args(["new", "view", "demo", "--lang", "python"])
        .assert()
        .success();
    let guest = dir.path().join("demo");
    let pyproject = std::fs::read_to_string(guest.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("name = \"demo\""), "{pyproject}");
    let version = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let version = version.split('-').nth(1).unwrap().to_owned();
    assert!(
        pyproject.contains(&format!("\"evident-sdk=={version}\"")),
        "the scaffold depends on the SDK's version {version}:\n{pyproject}"
    );
    let venv = guest.join(".venv");
    assert!(succeeds(python().args(["-m", "venv"]).arg(&venv)));
    let venv_python = venv.join("bin/python");
    assert!(succeeds(
        std::process::Command::new(&venv_python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check"
            ])
            .args(["--no-index", "--no-deps"])
            .arg(&wheel)
    ));
    let site = std::process::Command::new(&venv_python)
        .args([
            "-c",
            "import evident, os; print(os.path.dirname(os.path.dirname(evident.__file__)))",
        ])
        .output()
        .unwrap();
    assert!(site.status.success());
    let site = String::from_utf8(site.stdout).unwrap().trim().to_owned();

    let build = evident()
        .current_dir(&guest)
        .env_remove("VIRTUAL_ENV")
        .arg("build")
        .output()
        .unwrap();
    if !build.status.success() {
        let stderr = String::from_utf8_lossy(&build.stderr);
        if skip_without("componentize-py", !stderr.contains("cannot install")) {
            return;
        }
        panic!("evident build failed:\n{stderr}");
    }
    let stamp = stamp_of(&guest);
    assert!(
        stamp.contains(&format!("sdk: installed {site}")),
        "built with the installed package in {site}:\n{stamp}"
    );
    evident()
        .current_dir(&guest)
        .env_remove("VIRTUAL_ENV")
        .args(["fold", ".", "--events", "events.jsonl"])
        .assert()
        .success()
        .stderr(contains("folded 4 events"));

    // The installed package is what the build reads: broken, it breaks the build.
    let init = Path::new(&site).join("evident/__init__.py");
    let original = std::fs::read_to_string(&init).unwrap();
    std::fs::write(
        &init,
        format!("{original}\nraise ImportError('the installed evident-sdk')\n"),
    )
    .unwrap();
    evident()
        .current_dir(&guest)
        .env_remove("VIRTUAL_ENV")
        .arg("build")
        .assert()
        .failure()
        .stderr(contains("the installed evident-sdk"));

    // Without the venv, the SDK `evident` carries: the switch rebuilds.
    std::fs::remove_dir_all(&venv).unwrap();
    evident()
        .current_dir(&guest)
        .env_remove("VIRTUAL_ENV")
        .arg("build")
        .assert()
        .success();
    let stamp = stamp_of(&guest);
    assert!(stamp.contains("sdk: embedded "), "{stamp}");
    evident()
        .current_dir(&guest)
        .env_remove("VIRTUAL_ENV")
        .args(["fold", ".", "--events", "events.jsonl"])
        .assert()
        .success()
        .stderr(contains("folded 4 events"));
}
