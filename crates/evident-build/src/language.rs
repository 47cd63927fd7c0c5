//! The languages guests are written in, as data: [`Language::ALL`] is the one list the build,
//! `evident new`, the CLI and the tests derive theirs from, and each language's facts live in its
//! [`Toolchain`].

use std::path::Path;

use crate::toolchain::{Detection, Toolchain};

/// A language a guest can be written in, as [`build_guest`](crate::build_guest) recognises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// A crate (`Cargo.toml`) using `evident-guest-sdk`.
    Rust,
    /// `app.py` and `guest.json`.
    Python,
    /// `app.js` and `guest.json`.
    JavaScript,
    /// `go.mod` and `guest.json`.
    Go,
    /// `*.c` files and `guest.json`.
    C,
    /// `*.cpp` files and `guest.json`.
    Cpp,
    /// `assembly/index.ts` and `guest.json`.
    AssemblyScript,
}

impl Language {
    /// Every language, in the order lists of them (help, reports, tests) show them.
    pub const ALL: [Language; 7] = [
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::Go,
        Language::C,
        Language::Cpp,
        Language::AssemblyScript,
    ];

    /// The toolchain that builds, detects and scaffolds guests in this language.
    pub fn toolchain(self) -> &'static dyn Toolchain {
        match self {
            Language::Rust => &crate::rust::Rust,
            Language::Python => &crate::python::Python,
            Language::JavaScript => &crate::javascript::JavaScript,
            Language::Go => &crate::go::Go,
            Language::C => &crate::c::C,
            Language::Cpp => &crate::c::Cpp,
            Language::AssemblyScript => &crate::assemblyscript::AssemblyScript,
        }
    }

    /// The language of the guest in `dir`, by the files it holds: a file only one language's
    /// guests have (`Cargo.toml`, `app.py`...) wins over loose source files (`*.c`, `*.cpp`).
    pub fn detect(dir: &Path) -> Option<Self> {
        let found = |wanted: Detection| {
            Language::ALL
                .into_iter()
                .find(|language| language.toolchain().detect(dir) == wanted)
        };
        found(Detection::Manifest).or_else(|| found(Detection::Sources))
    }

    /// The language named `name` (as [`Language::name`] spells it), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Language::ALL
            .into_iter()
            .find(|language| language.name() == name)
    }

    /// The language's name, as `evident new --lang` takes it and sample guests are prefixed
    /// with (`rust`, `python`, `js`, `go`, `c`, `cpp`, `assemblyscript`).
    pub fn name(self) -> &'static str {
        self.toolchain().name()
    }

    /// The language's name in prose (`JavaScript`, `C++`), for messages.
    pub fn title(self) -> &'static str {
        self.toolchain().title()
    }

    /// Whether its components import WASI (their toolchain's runtime does), and so must be
    /// loaded in the host's deny-all WASI mode.
    pub fn needs_wasi(self) -> bool {
        self.toolchain().needs_wasi()
    }

    /// Whether its components embed an interpreter, so their size is not the author's to cut
    /// (and size warnings do not apply).
    pub fn carries_a_runtime(self) -> bool {
        self.toolchain().carries_a_runtime()
    }

    /// What a directory must hold to be a guest, per language: for the message of a build
    /// given a directory that holds none.
    pub(crate) fn expected_markers() -> String {
        let markers: Vec<String> = Language::ALL
            .into_iter()
            .map(|language| {
                let toolchain = language.toolchain();
                format!("{} ({})", toolchain.marker(), toolchain.title())
            })
            .collect();
        match markers.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, others)) => format!("{}, or {last}", others.join(", ")),
            None => String::new(),
        }
    }
}

impl std::fmt::Display for Language {
    /// Its [`name`](Language::name), so messages and `from_name` agree.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn names_are_distinct_and_read_back() {
        for language in Language::ALL {
            assert_eq!(Language::from_name(language.name()), Some(language));
            assert_eq!(language.toolchain().language(), language);
        }
        let mut names: Vec<&str> = Language::ALL.iter().map(|l| l.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Language::ALL.len());
        assert_eq!(Language::from_name("javascript"), None);
    }

    #[test]
    fn each_language_is_detected_by_its_marker_and_manifests_win_over_sources() {
        let root = std::env::temp_dir().join(format!("evident-detect-{}", std::process::id()));
        let cases: [(&[&str], Option<Language>); 9] = [
            (&["Cargo.toml", "app.py"], Some(Language::Rust)),
            (&["app.py"], Some(Language::Python)),
            (&["app.js"], Some(Language::JavaScript)),
            (&["go.mod", "x.c"], Some(Language::Go)),
            (&["x.c"], Some(Language::C)),
            (&["x.c", "y.cpp"], Some(Language::Cpp)),
            (
                &["assembly/index.ts", "x.c"],
                Some(Language::AssemblyScript),
            ),
            (&["guest.json"], None),
            (&[], None),
        ];
        for (index, (files, expected)) in cases.into_iter().enumerate() {
            let dir = root.join(index.to_string());
            std::fs::create_dir_all(dir.join("assembly")).unwrap();
            for file in files {
                std::fs::write(dir.join(file), "").unwrap();
            }
            assert_eq!(Language::detect(&dir), expected, "{files:?}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn only_interpreted_languages_carry_a_runtime() {
        let carrying: Vec<Language> = Language::ALL
            .into_iter()
            .filter(|l| l.carries_a_runtime())
            .collect();
        assert_eq!(carrying, [Language::Python, Language::JavaScript]);
        let wasi: Vec<Language> = Language::ALL
            .into_iter()
            .filter(|l| l.needs_wasi())
            .collect();
        assert_eq!(wasi, [Language::Python, Language::JavaScript, Language::Go]);
    }
}
