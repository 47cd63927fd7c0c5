//! JavaScript guests: `app.js` (an ES module on the JavaScript SDK) and `guest.json`, made a
//! component by componentize-js (from npm, installed at a pinned version on first use). The SDK
//! is the npm package `evident` installed in the guest's `node_modules` if there is one
//! ([`installed_sdk`]), else the copy this crate carries (`sdk/js`).
//! The component imports WASI, so the host loads it in its deny-all WASI mode.
//!
//! componentize-js evaluates the program's modules itself, resolving relative imports within
//! the directory it runs in, but it cannot resolve a bare `'evident'` and sees no file outside
//! that directory. So the build stages the program in one directory ([`program`]): the guest's
//! JavaScript (and JSON) files with their `'evident'` imports made relative, the SDK's modules
//! under `evident-sdk/`, and an entry module, `evident-entry.js`, that connects the host's
//! imports to the SDK and exports the world's interfaces from the guest's `view`, `change` or
//! `decider`.
//! The staged program is the build's input: the component is rebuilt when any byte of it (the
//! guest's files, the SDK, the entry), the WIT or the toolchain changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::encode::{wit_dir, wit_version};
use crate::freshness::Stamp;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Detection, Installer, Tool, Toolchain, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The componentize-js release JavaScript guests are built with.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// The WASI features componentize-js leaves out: HTTP and fetch, which the host never grants
/// (so `fetch` traps instead of asking).
const DISABLED_FEATURES: [&str; 2] = ["http", "fetch-event"];

/// The toolchain of JavaScript guests: componentize-js.
pub(crate) struct JavaScript;

impl Toolchain for JavaScript {
    fn language(&self) -> Language {
        Language::JavaScript
    }

    fn name(&self) -> &'static str {
        "js"
    }

    fn title(&self) -> &'static str {
        "JavaScript"
    }

    fn summary(&self) -> &'static str {
        "`app.js`, on the JavaScript SDK (componentize-js)"
    }

    fn marker(&self) -> &'static str {
        "app.js or app.ts"
    }

    fn detect(&self, dir: &Path) -> Detection {
        if crate::typescript::is_typescript(dir) {
            Detection::Manifest
        } else {
            Detection::by_file(dir, "app.js")
        }
    }

    fn tool(&self) -> Tool {
        Tool {
            name: "componentize-js",
            version: COMPONENTIZE_JS_VERSION,
        }
    }

    fn install(&self) -> Result<PathBuf, BuildError> {
        toolchain::install_tool(
            self.tool(),
            Installer::Npm {
                package: "@bytecodealliance/componentize-js",
            },
        )
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(self, dir, options)
    }

    fn needs_wasi(&self) -> bool {
        true
    }

    fn carries_a_runtime(&self) -> bool {
        true
    }
}

/// Builds the JavaScript guest in `dir`.
fn build(js: &JavaScript, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, Language::JavaScript, options)?;
    let component = guest.component_path("componentize-js")?;
    // The `evident` package installed in the guest's node_modules (`npm install`), else the SDK
    // this crate carries. The staged program's digest covers the SDK's bytes; the stamp also
    // names which was used.
    let (sdk, sdk_fact) = match installed_sdk(&guest.dir) {
        Some(installed) => {
            let fact = format!("sdk: installed {}", installed.display());
            (installed, fact)
        }
        None => {
            let embedded = crate::sdk::write(js.name(), &guest.target_dir)?;
            let fact = format!("sdk: embedded {}", embedded.display());
            (embedded, fact)
        }
    };
    // A TypeScript guest is compiled to a JavaScript one first; the staged program's digest
    // below then stands for the JavaScript tsc wrote.
    let guest = if crate::typescript::is_typescript(&guest.dir) {
        let out = guest.target_dir.join("tsc").join(&guest.name);
        let dir = crate::typescript::compile(&guest.dir, &sdk, &out, options.verbose)?;
        GuestDir { dir, ..guest }
    } else {
        guest
    };
    let staged = program::stage(&guest, &sdk, &wit_version()?)?;
    let wit = crate::read(&wit_dir().join("evident.wit"))?;
    // The staged program's bytes stand for its input files, so no file's time is compared.
    let inputs = staged.digest(&[
        guest.world.as_bytes(),
        DISABLED_FEATURES.join(" ").as_bytes(),
        &wit,
    ]);
    let stamp = Stamp::new(js.tool(), &[&inputs, &sdk_fact]);
    if stamp.is_fresh(&component, &[]) {
        return Ok(guest.built(component.clone(), component));
    }
    let tool = js.install()?;
    let work = component.with_extension(format!("program-{}", std::process::id()));
    staged.write_to(&work)?;
    let building = component.with_extension(format!("building-{}.wasm", std::process::id()));
    let mut command = Command::new(tool.join("node_modules/.bin/componentize-js"));
    command
        // componentize-js maps its working directory as the program's root.
        .current_dir(&work)
        .arg(program::ENTRY)
        .arg("--wit")
        .arg(wit_dir())
        .arg("--world-name")
        .arg(guest.qualified_world()?)
        .arg("--disable")
        .args(DISABLED_FEATURES)
        .arg("--out")
        .arg(&building);
    let ran = run(&mut command, "componentize-js", options.verbose);
    let _ = std::fs::remove_dir_all(&work);
    ran?;
    let mut bytes = crate::read(&building)?;
    let _ = std::fs::remove_file(&building);
    crate::encode::append_sdk_label(&mut bytes, Language::JavaScript);
    write_atomically(&component, &bytes)?;
    stamp.record(&component)?;
    Ok(guest.built(component.clone(), component))
}

/// The `evident` package installed in the guest's `node_modules`, if any: the directory of its
/// `package.json`, holding the SDK's modules (`index.js`...) and declarations.
pub(crate) fn installed_sdk(guest: &Path) -> Option<PathBuf> {
    let package = guest.join("node_modules").join("evident");
    package.join("package.json").is_file().then_some(package)
}

/// The program componentize-js is given: the guest's files, the SDK and the entry module, as
/// one directory.
mod program {
    use std::path::{Path, PathBuf};

    use crate::guest_dir::GuestDir;
    use crate::{BuildError, write_atomically};

    /// The entry module's name in the staged program.
    pub(super) const ENTRY: &str = "evident-entry.js";

    /// Where the SDK's modules go in the staged program.
    const SDK_DIR: &str = "evident-sdk";

    /// The modules a guest may import from the SDK, and the SDK file each is.
    const SDK_MODULES: [(&str, &str); 3] = [
        ("evident", "index.js"),
        ("evident/component", "component.js"),
        ("evident/testing", "testing.js"),
    ];

    /// A staged program: `(path relative to its root, contents)`, sorted by path.
    pub(super) struct Program {
        files: Vec<(String, Vec<u8>)>,
    }

    /// Stages the guest in `guest.dir` with the SDK written at `sdk`, for `evident:db@version`.
    pub(super) fn stage(
        guest: &GuestDir,
        sdk: &Path,
        version: &str,
    ) -> Result<Program, BuildError> {
        let mut files = Vec::new();
        collect_guest(guest, &guest.dir, "", &mut files)?;
        for (path, _) in &files {
            let top = path.split('/').next().unwrap_or_default();
            if top == ENTRY || top == SDK_DIR {
                return Err(not_a_guest(
                    guest,
                    format!(
                        "`{top}` is a name the build uses for itself; rename the guest's `{path}`"
                    ),
                ));
            }
        }
        for entry in read_dir(sdk)? {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_file() && name.ends_with(".js") {
                files.push((format!("{SDK_DIR}/{name}"), crate::read(&path)?));
            }
        }
        files.push((ENTRY.to_owned(), entry_module(guest, version)?.into_bytes()));
        files.sort();
        Ok(Program { files })
    }

    impl Program {
        /// A fingerprint of the program and of `more` (what else the component depends on).
        pub(super) fn digest(&self, more: &[&[u8]]) -> String {
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&self.files, &mut hasher);
            std::hash::Hash::hash(more, &mut hasher);
            format!("{:016x}", std::hash::Hasher::finish(&hasher))
        }

        /// Writes the program under `dir` (emptied first).
        pub(super) fn write_to(&self, dir: &Path) -> Result<(), BuildError> {
            let _ = std::fs::remove_dir_all(dir);
            for (path, bytes) in &self.files {
                let file = dir.join(path);
                let parent = file
                    .parent()
                    .expect("a staged file lies in the program's directory");
                std::fs::create_dir_all(parent).map_err(|source| BuildError::Io {
                    path: parent.to_owned(),
                    source,
                })?;
                write_atomically(&file, bytes)?;
            }
            Ok(())
        }
    }

    /// The guest's `.js`, `.mjs` and `.json` files under `dir` (at `prefix` in the program),
    /// leaving out `node_modules`, hidden entries, the guest's own `target` directory and the
    /// build's target directory, `'evident'` imports made relative.
    fn collect_guest(
        guest: &GuestDir,
        dir: &Path,
        prefix: &str,
        files: &mut Vec<(String, Vec<u8>)>,
    ) -> Result<(), BuildError> {
        for entry in read_dir(dir)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with('.')
                || name == "node_modules"
                || (prefix.is_empty() && name == "target")
                || path == guest.target_dir
            {
                continue;
            }
            let relative = format!("{prefix}{name}");
            if path.is_dir() {
                collect_guest(guest, &path, &format!("{relative}/"), files)?;
                continue;
            }
            let Some((_, extension)) = name.rsplit_once('.') else {
                continue;
            };
            let bytes = crate::read(&path)?;
            match extension {
                "js" | "mjs" => {
                    let source = String::from_utf8(bytes)
                        .map_err(|_| not_a_guest(guest, format!("`{relative}` is not UTF-8")))?;
                    let depth = relative.matches('/').count();
                    let rewritten = rewrite_imports(&source, depth)
                        .map_err(|reason| not_a_guest(guest, format!("`{relative}`: {reason}")))?;
                    files.push((relative, rewritten.into_bytes()));
                }
                "json" => files.push((relative, bytes)),
                _ => {}
            }
        }
        Ok(())
    }

    /// `source` with each import of `'evident'` (or `'evident/component'`) pointing at the
    /// staged SDK, for a file `depth` directories below the program's root.
    ///
    /// An import is a string literal naming the module right after `from` or `import` (or
    /// `import(`), as in `import { stateView } from 'evident'`. The same text inside a comment
    /// is rewritten too, harmlessly; inside a string literal it would be too.
    pub(super) fn rewrite_imports(source: &str, depth: usize) -> Result<String, String> {
        let up = if depth == 0 {
            "./".to_owned()
        } else {
            "../".repeat(depth)
        };
        let mut out = String::with_capacity(source.len());
        let mut copied = 0;
        let mut search = 0;
        while let Some(found) = source[search..].find("evident") {
            let start = search + found;
            search = start + "evident".len();
            let Some(quote) = source[..start]
                .chars()
                .next_back()
                .filter(|c| matches!(c, '\'' | '"'))
            else {
                continue;
            };
            let Some(length) = source[start..].find(quote) else {
                continue;
            };
            let specifier = &source[start..start + length];
            let names_the_sdk = specifier == "evident" || specifier.starts_with("evident/");
            if !names_the_sdk || !follows_import_keyword(&source[..start - 1]) {
                continue;
            }
            let file = SDK_MODULES
                .iter()
                .find(|(module, _)| *module == specifier)
                .map(|(_, file)| file)
                .ok_or_else(|| {
                    let modules = SDK_MODULES.map(|(module, _)| format!("'{module}'"));
                    let (last, others) = modules.split_last().expect("the SDK has modules");
                    format!(
                        "imports '{specifier}'; the SDK's modules are {} and {last}",
                        others.join(", ")
                    )
                })?;
            out.push_str(&source[copied..start]);
            out.push_str(&format!("{up}{SDK_DIR}/{file}"));
            copied = start + length;
            search = copied;
        }
        out.push_str(&source[copied..]);
        Ok(out)
    }

    /// Whether `before` (the text before a string literal) ends with the keyword `from` or
    /// `import`, or `import(`, then perhaps whitespace.
    fn follows_import_keyword(before: &str) -> bool {
        let trimmed = before.trim_end();
        let trimmed = match trimmed.strip_suffix('(') {
            Some(call) => call.trim_end(),
            None => trimmed,
        };
        ["from", "import"].iter().any(|keyword| {
            trimmed.strip_suffix(keyword).is_some_and(|rest| {
                !rest
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'))
            })
        })
    }

    /// The entry module: the host's imports the world has, connected to the SDK, and the
    /// world's exports made from the guest's `view` and/or `change`.
    fn entry_module(guest: &GuestDir, version: &str) -> Result<String, BuildError> {
        let (frame_progress, exports): (bool, &[(&str, &str, &str)]) = match guest.world.as_str() {
            "state-view-basic" => (false, &[("stateView", "viewExports", "view")]),
            "state-view-component" => (
                true,
                &[
                    ("stateView", "viewExports", "view"),
                    ("stateViewBatch", "batchExports", "view"),
                ],
            ),
            "state-change-component" => (false, &[("stateChange", "changeExports", "change")]),
            "decider-component" => (
                true,
                &[
                    ("stateView", "viewExports", "view"),
                    ("stateViewBatch", "batchExports", "view"),
                    ("stateChange", "changeExports", "change"),
                ],
            ),
            // The `database` import needs no line: componentize-js binds every import of the
            // world, and `decide` is handed the host's resource.
            "database-decider" => (false, &[("decider", "deciderExports", "decider")]),
            other => {
                return Err(not_a_guest(
                    guest,
                    format!(
                        "guest.json names the world {other:?}; a JavaScript guest implements \
                         state-view-component, state-view-basic, state-change-component, \
                         decider-component or database-decider"
                    ),
                ));
            }
        };
        let mut makers: Vec<&str> = exports.iter().map(|(_, maker, _)| *maker).collect();
        makers.dedup();
        let mut text = format!(
            "// The component's entry, generated by evident-build for the world `{world}` of \
             evident:db@{version}:\n// the host's imports connected to the SDK, and the exports \
             made from app.js.\n\
             import {{ log }} from 'evident:db/logging@{version}';\n\
             import {{ refuse }} from 'evident:db/refusal@{version}';\n",
            world = guest.world,
        );
        if frame_progress {
            text.push_str(&format!(
                "import {{ beginEvent }} from 'evident:db/frame-progress@{version}';\n"
            ));
        }
        text.push_str(&format!(
            "import {{ connect, {} }} from './{SDK_DIR}/component.js';\n\
             import * as app from './app.js';\n\n",
            makers.join(", ")
        ));
        text.push_str(if frame_progress {
            "connect({ log, refuse, beginEvent });\n"
        } else {
            "connect({ log, refuse });\n"
        });
        for (export, maker, from) in exports {
            text.push_str(&format!("export const {export} = {maker}(app.{from});\n"));
        }
        Ok(text)
    }

    fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>, BuildError> {
        let io = |source| BuildError::Io {
            path: dir.to_owned(),
            source,
        };
        let mut entries = std::fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(io)?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        Ok(entries)
    }

    fn not_a_guest(guest: &GuestDir, reason: String) -> BuildError {
        BuildError::NotAGuestCrate {
            dir: PathBuf::from(&guest.dir),
            reason,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::rewrite_imports;

        #[test]
        fn imports_of_the_sdk_are_made_relative_and_nothing_else_changes() {
            let source = "import { stateView, log } from 'evident';\n\
                          import * as wire from \"evident/component\";\n\
                          export { Event } from 'evident';\n\
                          import 'evident';\n\
                          const later = await import( 'evident');\n\
                          import { x } from './evident.js';\n\
                          const text = 'evident';\n\
                          import { y } from 'evident-extras';\n";
            assert_eq!(
                rewrite_imports(source, 0).unwrap(),
                "import { stateView, log } from './evident-sdk/index.js';\n\
                 import * as wire from \"./evident-sdk/component.js\";\n\
                 export { Event } from './evident-sdk/index.js';\n\
                 import './evident-sdk/index.js';\n\
                 const later = await import( './evident-sdk/index.js');\n\
                 import { x } from './evident.js';\n\
                 const text = 'evident';\n\
                 import { y } from 'evident-extras';\n"
            );
            assert_eq!(
                rewrite_imports("import { log } from 'evident'", 2).unwrap(),
                "import { log } from '../../evident-sdk/index.js'"
            );
        }

        #[test]
        fn an_unknown_module_of_the_sdk_is_refused() {
            let error = rewrite_imports("import { x } from 'evident/json';", 0).unwrap_err();
            assert!(error.contains("'evident/json'"), "{error}");
            assert!(
                error.contains("'evident', 'evident/component' and 'evident/testing'"),
                "{error}"
            );
        }
    }
}
