//! TypeScript guests: `app.ts` (with the guest's `tsconfig.json`, if it has one) on the
//! JavaScript SDK's declarations, compiled to JavaScript by `tsc` (npm `typescript`, installed
//! at a pinned version on first use) before the JavaScript build (componentize-js) takes over.
//!
//! [`compile`] writes a directory that is a JavaScript guest: `app.js` and the guest's other
//! modules as tsc emits them, beside copies of the guest's `.json`, `.js` and `.mjs` files
//! (`guest.json` among them). tsc runs with a generated configuration that extends the guest's
//! `tsconfig.json` and maps `'evident'`, `'evident/component'` and `'evident/testing'` to the
//! declarations of the SDK the build stages, so a guest type-checks against the SDK it is built
//! with whether or not it has installed the `evident` npm package. Type errors fail the build
//! (`noEmitOnError`). Emitted modules keep their `'evident'` imports, which the JavaScript build
//! points at the staged SDK as it does for `app.js`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::toolchain::{self, Installer, Tool, run};
use crate::{BuildError, write_atomically};

/// The TypeScript release TypeScript guests are compiled with.
pub const TYPESCRIPT_VERSION: &str = "5.9.3";

/// The TypeScript compiler at its pinned version.
pub(crate) const TOOL: Tool = Tool {
    name: "typescript",
    version: TYPESCRIPT_VERSION,
};

/// The file that makes a guest directory a TypeScript guest.
pub(crate) const MARKER: &str = "app.ts";

/// The generated tsc configuration's name in the output directory.
const CONFIG: &str = "tsconfig.evident-build.json";

/// The SDK's modules and the declaration file of each, under the SDK's directory.
const SDK_DECLARATIONS: [(&str, &str); 3] = [
    ("evident", "index.d.ts"),
    ("evident/component", "component.d.ts"),
    ("evident/testing", "testing.d.ts"),
];

/// Whether `dir` holds a TypeScript guest (`app.ts`).
pub(crate) fn is_typescript(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

/// Installs the pinned `typescript` package (unless it is there) and returns its directory.
pub(crate) fn install() -> Result<PathBuf, BuildError> {
    toolchain::install_tool(
        TOOL,
        Installer::Npm {
            package: "typescript",
        },
    )
}

/// Compiles the TypeScript guest in `dir` into `out` (emptied first), type-checking it against
/// the JavaScript SDK written at `sdk` (see [`crate::sdk::write`]), and returns `out`: a
/// JavaScript guest directory holding `app.js` and `guest.json`.
pub(crate) fn compile(
    dir: &Path,
    sdk: &Path,
    out: &Path,
    verbose: bool,
) -> Result<PathBuf, BuildError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BuildError::Io { path, source }
    };
    let dir = dir.canonicalize().map_err(io(dir))?;
    let sdk = sdk.canonicalize().map_err(io(sdk))?;
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(io(out))?;
    let out = out.canonicalize().map_err(io(out))?;
    // The guest's other files first: what tsc emits wins over a stale `.js` beside a `.ts`.
    copy_files(&dir, &dir, &out)?;
    let config = config(&dir, &sdk, &out);
    write_atomically(
        &out.join(CONFIG),
        serde_json::to_string_pretty(&config)
            .expect("a JSON value serializes")
            .as_bytes(),
    )?;
    let tool = install()?;
    let mut command = Command::new("node");
    command
        .arg(tool.join("node_modules/typescript/bin/tsc"))
        .arg("--project")
        .arg(out.join(CONFIG))
        .arg("--pretty")
        .arg("false");
    run(&mut command, "tsc", verbose)?;
    let _ = std::fs::remove_file(out.join(CONFIG));
    if !out.join("app.js").is_file() {
        return Err(BuildError::Tool {
            tool: "tsc",
            output: format!(
                "tsc wrote no app.js in {} (does the guest's tsconfig.json set `outDir` or \
                 `noEmit`? the build sets where the JavaScript goes)",
                out.display()
            ),
        });
    }
    Ok(out)
}

/// The tsc configuration the build runs with: the guest's `tsconfig.json` (if any) extended
/// with where the output goes and where the SDK's declarations are.
fn config(dir: &Path, sdk: &Path, out: &Path) -> serde_json::Value {
    let text = |path: &Path| path.to_string_lossy().into_owned();
    let paths: serde_json::Map<String, serde_json::Value> = SDK_DECLARATIONS
        .iter()
        .map(|(module, file)| {
            (
                (*module).to_owned(),
                serde_json::json!([text(&sdk.join(file))]),
            )
        })
        .collect();
    let mut options = serde_json::json!({
        "outDir": text(out),
        "rootDir": text(dir),
        "noEmit": false,
        "noEmitOnError": true,
        "declaration": false,
        "sourceMap": false,
        "inlineSourceMap": false,
        "composite": false,
        "incremental": false,
        "paths": paths,
    });
    let own = dir.join("tsconfig.json");
    let mut config = serde_json::Map::new();
    if own.is_file() {
        config.insert("extends".into(), text(&own).into());
    } else {
        // No tsconfig.json: what `evident new` writes.
        let defaults = serde_json::json!({
            "target": "es2022",
            "module": "es2022",
            "moduleResolution": "bundler",
            "strict": true,
            "types": [],
        });
        for (key, value) in defaults.as_object().expect("an object") {
            options[key] = value.clone();
        }
    }
    config.insert("compilerOptions".into(), options);
    config.insert(
        "include".into(),
        serde_json::json!([text(&dir.join("**/*.ts")), text(&dir.join("**/*.mts"))]),
    );
    config.insert(
        "exclude".into(),
        serde_json::json!([
            text(&dir.join("node_modules")),
            text(&dir.join("target")),
            text(&dir.join("**/*.test.ts")),
            text(out),
        ]),
    );
    serde_json::Value::Object(config)
}

/// Copies the `.json`, `.js` and `.mjs` files under `dir` (below `root`) to the same place under
/// `out`, leaving out hidden entries, `node_modules`, the guest's `target` and `out` itself.
fn copy_files(root: &Path, dir: &Path, out: &Path) -> Result<(), BuildError> {
    let entries = std::fs::read_dir(dir).map_err(|source| BuildError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.')
            || name == "node_modules"
            || (dir == root && name == "target")
            || path == out
        {
            continue;
        }
        if path.is_dir() {
            copy_files(root, &path, out)?;
            continue;
        }
        let copied = [".json", ".js", ".mjs"].iter().any(|e| name.ends_with(e));
        if !copied || name == "tsconfig.json" {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .expect("under the guest's directory");
        let target = out.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| BuildError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        write_atomically(&target, &crate::read(&path)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `guests/ts-event-counter` compiles to an `app.js` that imports the SDK as `'evident'`
    /// and a `guest.json`. Needs npm (or `typescript` already under the tools directory).
    #[test]
    fn the_typescript_event_counter_compiles() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let guest = root.join("../../guests/ts-event-counter");
        let scratch = std::env::temp_dir().join(format!("evident-tsc-{}", std::process::id()));
        let sdk = crate::sdk::write("js", &scratch.join("target")).expect("the SDK is written");
        let out = compile(&guest, &sdk, &scratch.join("out"), false).expect("tsc compiles");
        let app = std::fs::read_to_string(out.join("app.js")).expect("app.js is there");
        assert!(app.contains("from 'evident'"), "{app}");
        assert!(app.contains("export const view"), "{app}");
        assert!(out.join("guest.json").is_file());
        assert!(!out.join(CONFIG).exists());
        let _ = std::fs::remove_dir_all(&scratch);
    }

    /// A type error fails the build with tsc's message.
    #[test]
    fn a_type_error_fails_the_build() {
        let scratch = std::env::temp_dir().join(format!("evident-tsc-bad-{}", std::process::id()));
        let guest = scratch.join("bad");
        std::fs::create_dir_all(&guest).expect("scratch");
        std::fs::write(
            guest.join("guest.json"),
            r#"{"world": "state-view-component"}"#,
        )
        .expect("scratch");
        std::fs::write(
            guest.join("app.ts"),
            "import { stateView } from 'evident';\n\
             export const view = stateView<{ n: number }>({\n\
               initialize() { return { n: 'zero' }; },\n\
               reduce(state) { state.n += 1; },\n\
             });\n",
        )
        .expect("scratch");
        let sdk = crate::sdk::write("js", &scratch.join("target")).expect("the SDK is written");
        let error = compile(&guest, &sdk, &scratch.join("out"), false).expect_err("a type error");
        assert!(error.to_string().contains("TS2322"), "{error}");
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
