//! Every SDK binds every function the newest `evident:db` release lets a guest import: adding an
//! import to the WIT (CONTRIBUTING.md, "Adding a host import") fails this test until each
//! language's SDK calls it, or [`GAPS`] says which SDK does not yet and why.
//!
//! An SDK "binds" a function when its sources (not its tests or test doubles) spell the call as
//! that language's bindings name it: the WIT name itself where the SDK writes the ABI by hand
//! (Go, C, C++, AssemblyScript), `snake_case` where generated bindings use it (Rust, Python),
//! `camelCase` in JavaScript.

use std::path::{Path, PathBuf};

use evident_build::Language;
use wit_parser::{Resolve, WorldItem};

/// SDKs that do not bind an interface yet: (language, interface, why). Each is a known gap in
/// that SDK, said in the README; a new import belongs here only with the issue that adds it.
const GAPS: &[(Language, &str, &str)] = &[
    (
        Language::C,
        "database",
        "C, C++ and AssemblyScript build views and changes only (README, Languages)",
    ),
    (Language::Cpp, "database", "as C"),
    (Language::AssemblyScript, "database", "as C"),
];

/// `(interface, function)` for every function of every interface a world of the newest release
/// imports, functions of resources included (`[method]database.query-events`).
fn imported_functions() -> Vec<(String, String)> {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit");
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(&wit).expect("the newest WIT parses");
    let mut functions = Vec::new();
    for world in resolve.packages[package].worlds.values() {
        for item in resolve.worlds[*world].imports.values() {
            let WorldItem::Interface { id, .. } = item else {
                continue;
            };
            let interface = &resolve.interfaces[*id];
            let name = interface.name.clone().expect("named interface");
            for function in interface.functions.keys() {
                functions.push((name.clone(), function.clone()));
            }
        }
    }
    functions.sort();
    functions.dedup();
    functions
}

/// Where a language's SDK sources are.
fn sdk_dirs(language: Language) -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match language {
        Language::Rust => vec![crates.join("evident-guest-sdk/src")],
        // The C++ SDK is built on the C one.
        Language::Cpp => vec![
            crates.join("evident-build/sdk/cpp"),
            crates.join("evident-build/sdk/c"),
        ],
        other => vec![crates.join("evident-build/sdk").join(other.name())],
    }
}

/// How the SDK's sources spell a call of `function`.
fn spelling(language: Language, function: &str) -> String {
    // `[method]database.query-events` -> `query-events`
    let bare = function.rsplit(['.', ']']).next().unwrap_or(function);
    match language {
        Language::Go | Language::C | Language::Cpp | Language::AssemblyScript => function.into(),
        Language::Rust | Language::Python => bare.replace('-', "_"),
        Language::JavaScript => {
            let mut words = bare.split('-');
            let first = words.next().unwrap_or_default().to_owned();
            words.fold(first, |camel, word| {
                let mut chars = word.chars();
                camel
                    + &chars
                        .next()
                        .map(|c| c.to_uppercase().collect::<String>())
                        .unwrap_or_default()
                    + chars.as_str()
            })
        }
    }
}

/// The SDK's source files, tests and test doubles left out (they may spell a function the real
/// binding lacks).
fn sources(dir: &Path, found: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.contains("test") || name == "testdata" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            sources(&path, found);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            found.push((path, text));
        }
    }
}

#[test]
fn every_sdk_binds_every_import_of_the_newest_release() {
    let functions = imported_functions();
    assert!(
        functions
            .iter()
            .any(|(interface, _)| interface == "logging"),
        "the WIT's imports were not found: {functions:?}"
    );
    let mut missing = Vec::new();
    for language in Language::ALL {
        let mut files = Vec::new();
        for dir in sdk_dirs(language) {
            sources(&dir, &mut files);
        }
        assert!(!files.is_empty(), "no sources for {}", language.name());
        for (interface, function) in &functions {
            let gap = GAPS
                .iter()
                .any(|(gap, name, _)| *gap == language && name == interface);
            let spelled = spelling(language, function);
            let bound = files.iter().any(|(_, text)| text.contains(&spelled));
            if bound == gap {
                missing.push(if gap {
                    format!(
                        "{}: binds {interface}.{function} but GAPS says it does not: remove the gap",
                        language.name()
                    )
                } else {
                    format!(
                        "{}: no call of {interface}.{function} (spelled `{spelled}`) in {}",
                        language.name(),
                        sdk_dirs(language)[0].display()
                    )
                });
            }
        }
    }
    assert!(
        missing.is_empty(),
        "SDKs out of step with the newest WIT (CONTRIBUTING.md, \"Adding a host import\"):\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_function_is_spelled_as_each_language_binds_it() {
    let query = "[method]database.query-events";
    assert_eq!(spelling(Language::JavaScript, query), "queryEvents");
    assert_eq!(spelling(Language::Python, query), "query_events");
    assert_eq!(spelling(Language::Go, query), query);
    assert_eq!(spelling(Language::Rust, "begin-event"), "begin_event");
}
