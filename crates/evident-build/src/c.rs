//! C and C++ guests: `*.c` (or `*.cpp`, with any `*.c` beside them) and `guest.json`, written on
//! the C SDK (`sdk/c`, `evident.h`) or the header-only C++ SDK over it (`sdk/cpp`,
//! `evident.hpp`), both embedded in this crate; or, for a C guest, if pkg-config finds the C SDK
//! installed as a library (`evident`: `make install` in `sdk/c`) for the same evident:db release,
//! that library and its header. The SDK implements the canonical ABI by hand, so no bindings
//! generator runs.
//!
//! The compiler is Zig's clang (PyPI `ziglang`, installed at a pinned version on first use; no
//! root needed), with its wasi-libc and libc++ for `wasm32-wasi`, building a reactor core module
//! (no start function; `_initialize` runs the constructors). Nothing in the SDK touches stdio, so
//! the module imports only `evident:db`: the build checks that, because a stray `printf` would
//! pull in WASI, which the host refuses. The module is then made a component here.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::encode::wit_version;
use crate::freshness::Stamp;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Detection, Installer, Tool, Toolchain, has_extension, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The Zig release (PyPI `ziglang`) whose clang builds C and C++ guests.
pub(crate) const ZIG_VERSION: &str = "0.17.0";

/// The shadow stack, in bytes: 1 MiB, as Rust's wasm targets have (Zig's default is 16 MiB, all
/// of it linear memory the component would hold from the start).
const STACK_SIZE: usize = 1 << 20;

/// Flags of every compilation: the target, optimisation, warnings.
const COMMON_FLAGS: &[&str] = &["--target=wasm32-wasi", "-O2", "-Wall", "-Wextra"];
const C_FLAGS: &[&str] = &["-std=gnu17"];
/// No exceptions or RTTI: the SDK reports errors as values, and libc++ then needs no unwinder.
const CPP_FLAGS: &[&str] = &["-std=c++20", "-fno-exceptions", "-fno-rtti"];

/// The toolchain of C guests: Zig's clang.
pub(crate) struct C;

/// The toolchain of C++ guests: Zig's clang++, the C SDK and the C++ SDK over it.
pub(crate) struct Cpp;

/// The tool of C and C++ guests.
const ZIG: Tool = Tool {
    name: "ziglang",
    version: ZIG_VERSION,
};

impl Toolchain for C {
    fn language(&self) -> Language {
        Language::C
    }

    fn name(&self) -> &'static str {
        "c"
    }

    fn title(&self) -> &'static str {
        "C"
    }

    fn summary(&self) -> &'static str {
        "C on the C SDK"
    }

    fn marker(&self) -> &'static str {
        ".c files"
    }

    fn detect(&self, dir: &Path) -> Detection {
        // C files beside C++ ones are part of a C++ guest.
        if has_extension(dir, "c") && !has_extension(dir, "cpp") {
            Detection::Sources
        } else {
            Detection::No
        }
    }

    fn tool(&self) -> Tool {
        ZIG
    }

    fn install(&self) -> Result<PathBuf, BuildError> {
        Zig::install().map(|zig| zig.dir)
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(dir, options, Language::C)
    }
}

impl Toolchain for Cpp {
    fn language(&self) -> Language {
        Language::Cpp
    }

    fn name(&self) -> &'static str {
        "cpp"
    }

    fn title(&self) -> &'static str {
        "C++"
    }

    fn summary(&self) -> &'static str {
        "C++ on the C++ SDK"
    }

    fn marker(&self) -> &'static str {
        ".cpp files"
    }

    fn detect(&self, dir: &Path) -> Detection {
        if has_extension(dir, "cpp") {
            Detection::Sources
        } else {
            Detection::No
        }
    }

    fn tool(&self) -> Tool {
        ZIG
    }

    fn install(&self) -> Result<PathBuf, BuildError> {
        Zig::install().map(|zig| zig.dir)
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(dir, options, Language::Cpp)
    }
}

/// Builds the C (or, for [`Language::Cpp`], C++) guest in `dir`.
fn build(dir: &Path, options: &BuildOptions, language: Language) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, language, options)?;
    let world_flags = world_flags(&guest.world).ok_or_else(|| BuildError::NotAGuestCrate {
        dir: guest.dir.clone(),
        reason: format!(
            "guest.json names the world {:?}; a C or C++ guest implements state-view-component, \
             state-view-basic, state-change-component or decider-component",
            guest.world
        ),
    })?;
    let sources = guest_sources(&guest.dir, language)?;
    let component = guest.component_path("zig")?;
    let zig_dir = guest.target_dir.join("zig");
    let work = zig_dir.join("build").join(&guest.name);
    let core = work.join(format!("{}.core.wasm", guest.name));
    // The C SDK installed as a library (pkg-config `evident`) for this release of evident:db,
    // if there is one; else the SDK this crate carries, compiled here.
    let installed = Installed::find(language, &wit_version()?);
    let mut sdks = Vec::new();
    if installed.is_none() {
        sdks.push(crate::sdk::write(Language::C.name(), &guest.target_dir)?);
        if language == Language::Cpp {
            sdks.push(crate::sdk::write(Language::Cpp.name(), &guest.target_dir)?);
        }
    }
    let (sdk_facts, sdk_inputs): (Vec<String>, Vec<PathBuf>) = match &installed {
        Some(installed) => (vec![installed.fact()], installed.files.clone()),
        None => (
            sdks.iter().map(|sdk| sdk.display().to_string()).collect(),
            sdks.clone(),
        ),
    };
    let sdk_facts: Vec<&str> = sdk_facts.iter().map(String::as_str).collect();
    let stamp = Stamp::new(ZIG, &sdk_facts);
    if guest.is_up_to_date(&component, &stamp, &[], &sdk_inputs) && core.is_file() {
        return Ok(guest.built(core, component));
    }
    let zig = Zig::install()?;
    create_dir(&work)?;

    let mut sdk_flags: Vec<String> = COMMON_FLAGS.iter().map(|f| f.to_string()).collect();
    match &installed {
        Some(installed) => sdk_flags.extend(installed.cflags.iter().cloned()),
        None => {
            sdk_flags.push(format!("-DEVIDENT_WIT_VERSION=\"{}\"", wit_version()?));
            sdk_flags.extend(sdks.iter().map(|sdk| format!("-I{}", sdk.display())));
        }
    }
    let mut flags = sdk_flags.clone();
    flags.push(format!("-I{}", guest.dir.display()));
    flags.extend(world_flags.iter().map(|f| f.to_string()));

    // The SDK's sources, compiled once per SDK and WIT release (none when it is installed);
    // then the guest's.
    let mut objects = Vec::new();
    for sdk in &sdks {
        objects.extend(zig.sdk_objects(sdk, &zig_dir, &sdk_flags, options.verbose)?);
    }
    let obj_dir = work.join("obj");
    create_dir(&obj_dir)?;
    for (index, source) in sources.iter().enumerate() {
        let stem = source.file_stem().unwrap_or_default().to_string_lossy();
        let object = obj_dir.join(format!("{index}-{stem}.o"));
        zig.compile(source, &object, &flags, options.verbose)?;
        objects.push(object);
    }

    let linked = work.join(format!("{}.linked-{}.wasm", guest.name, std::process::id()));
    let mut command = zig.command(language == Language::Cpp);
    command
        .args(["--target=wasm32-wasi", "-mexec-model=reactor", "-O2"])
        .arg(format!("-Wl,-z,stack-size={STACK_SIZE}"))
        .arg("-o")
        .arg(&linked)
        .args(&objects)
        .args(installed.iter().flat_map(|installed| &installed.libs));
    run(&mut command, "zig", options.verbose)?;
    let bytes = crate::read(&linked)?;
    let _ = std::fs::remove_file(&linked);

    let module = match finish_module(&bytes, language) {
        Ok(module) => module,
        Err(reason) => {
            // Left for inspection (`wasm-tools print`), as the linker wrote it.
            write_atomically(&core, &bytes)?;
            return Err(BuildError::Encode {
                module: core,
                reason,
            });
        }
    };
    write_atomically(&core, &module)?;
    let encoded = crate::encode::componentize(&module, &guest.world).map_err(|reason| {
        BuildError::Encode {
            module: core.clone(),
            reason: format!(
                "{reason}\n(the world in guest.json must match the SDK macros the guest uses: \
                 EVIDENT_STATE_VIEW for a view, EVIDENT_STATE_CHANGE for a change, both for a \
                 decider)"
            ),
        }
    })?;
    write_atomically(&component, &encoded)?;
    stamp.record(&component)?;
    Ok(guest.built(core, component))
}

/// The C SDK installed as a static library with its pkg-config file (`make install` in `sdk/c`),
/// for C guests. C++ guests always compile the SDK `evident` carries: linked from the static
/// `libevident-cpp.a`, the runtime's replacements of libc++'s hooks are not pulled in before
/// libc++'s own, whose stdio imports WASI.
#[derive(Debug)]
struct Installed {
    /// The pkg-config package.
    package: &'static str,
    /// Its version.
    version: String,
    /// `pkg-config --cflags`, as arguments.
    cflags: Vec<String>,
    /// `pkg-config --libs`, as arguments.
    libs: Vec<String>,
    /// Its headers and libraries, whose times are the build's inputs.
    files: Vec<PathBuf>,
}

impl Installed {
    /// The installed package for a C guest, if pkg-config finds one built for the evident:db
    /// `release` (its `wit_version`); a library for another release would export other names.
    fn find(language: Language, release: &str) -> Option<Self> {
        if language != Language::C {
            return None;
        }
        let package = "evident";
        let query = |args: &[&str]| -> Option<String> {
            let pkg_config = std::env::var_os("PKG_CONFIG").unwrap_or("pkg-config".into());
            let output = Command::new(pkg_config).args(args).output().ok()?;
            output
                .status
                .success()
                .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        };
        query(&["--exists", package])?;
        if query(&["--variable=wit_version", package])? != release {
            return None;
        }
        let libdir = PathBuf::from(query(&["--variable=libdir", package])?);
        let includedir = PathBuf::from(query(&["--variable=includedir", package])?);
        Some(Installed {
            package,
            version: query(&["--modversion", package])?,
            cflags: shell_words(&query(&["--cflags", package])?),
            libs: shell_words(&query(&["--libs", package])?),
            files: vec![libdir.join("libevident.a"), includedir.join("evident.h")],
        })
    }

    /// The line of the stamp that names it.
    fn fact(&self) -> String {
        format!(
            "sdk: installed {} {}: {} {}",
            self.package,
            self.version,
            self.cflags.join(" "),
            self.libs.join(" ")
        )
    }
}

/// pkg-config's output as arguments: split at unescaped spaces, `\x` read as `x` (it escapes
/// the quotes of `-DEVIDENT_WIT_VERSION=\"0.4.0\"` and spaces in paths for a shell).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.extend(chars.next()),
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The preprocessor flags that select the world's exports in the SDK's macros.
fn world_flags(world: &str) -> Option<&'static [&'static str]> {
    Some(match world {
        "state-view-component" | "state-change-component" | "decider-component" => &[],
        "state-view-basic" => &["-DEVIDENT_NO_BATCH"],
        _ => return None,
    })
}

/// The guest's source files, in name order: `*.c`, and for C++ also `*.cpp`.
fn guest_sources(dir: &Path, language: Language) -> Result<Vec<PathBuf>, BuildError> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
    let mut sources: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext == "c" || (language == Language::Cpp && ext == "cpp"))
        })
        .collect();
    sources.sort();
    if sources.is_empty() {
        return Err(BuildError::NotAGuestCrate {
            dir: dir.to_owned(),
            reason: "no .c or .cpp files".into(),
        });
    }
    Ok(sources)
}

/// The installed Zig toolchain and its cache.
struct Zig {
    dir: PathBuf,
    binary: PathBuf,
    cache: PathBuf,
}

impl Zig {
    /// Installs Zig from PyPI under the guests' tools directory, unless it is there.
    fn install() -> Result<Self, BuildError> {
        let dir = toolchain::install_tool(ZIG, Installer::Pip { package: "ziglang" })?;
        let binary = dir
            .join("ziglang")
            .join(if cfg!(windows) { "zig.exe" } else { "zig" });
        if !binary.is_file() {
            return Err(BuildError::ToolInstall {
                tool: "ziglang",
                version: ZIG_VERSION,
                reason: format!("the package has no {}", binary.display()),
            });
        }
        Ok(Zig {
            dir,
            binary,
            cache: toolchain::tools_dir().join("zig-cache"),
        })
    }

    /// `zig cc` (or `zig c++`), with its caches under the tools directory (the first build
    /// fills them with wasi-libc and libc++ for the target).
    fn command(&self, cpp: bool) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg(if cpp { "c++" } else { "cc" })
            .env("ZIG_GLOBAL_CACHE_DIR", &self.cache)
            .env("ZIG_LOCAL_CACHE_DIR", &self.cache);
        command
    }

    /// Compiles one source file (C or C++ by its extension) to an object file.
    fn compile(
        &self,
        source: &Path,
        object: &Path,
        flags: &[String],
        verbose: bool,
    ) -> Result<(), BuildError> {
        let cpp = source.extension().is_some_and(|ext| ext == "cpp");
        let mut command = self.command(cpp);
        command
            .arg("-c")
            .args(flags)
            .args(if cpp { CPP_FLAGS } else { C_FLAGS })
            .arg("-o")
            .arg(object)
            .arg(source);
        run(&mut command, "zig", verbose)
    }

    /// The SDK's object files, compiled into a directory of their own the first time (made
    /// complete and then renamed into place, so concurrent builds share it safely).
    fn sdk_objects(
        &self,
        sdk: &Path,
        zig_dir: &Path,
        flags: &[String],
        verbose: bool,
    ) -> Result<Vec<PathBuf>, BuildError> {
        let mut sources: Vec<PathBuf> = std::fs::read_dir(sdk)
            .map_err(|e| io_error(sdk, e))?
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension()
                    .is_some_and(|ext| ext == "c" || ext == "cpp")
            })
            .collect();
        sources.sort();
        let name = sdk.file_name().unwrap_or_default().to_string_lossy();
        let dir = zig_dir
            .join("sdk-objects")
            .join(format!("{name}-wit{}", wit_version()?));
        let object = |dir: &Path, source: &Path| {
            let file = source.file_name().unwrap_or_default().to_string_lossy();
            dir.join(format!("{file}.o"))
        };
        if !dir.is_dir() {
            let staging = dir.with_extension(format!("compiling-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&staging);
            create_dir(&staging)?;
            for source in &sources {
                self.compile(source, &object(&staging, source), flags, verbose)?;
            }
            if std::fs::rename(&staging, &dir).is_err() {
                // Another build compiled them first.
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        Ok(sources.iter().map(|source| object(&dir, source)).collect())
    }
}

/// Checks that the linked module imports nothing but `evident:db`, drops its DWARF sections
/// (the `name` section stays, so traps name functions), and labels it with the SDK's version.
fn finish_module(bytes: &[u8], language: Language) -> Result<Vec<u8>, String> {
    let mut out = bytes.get(..8).ok_or("the linker wrote no module")?.to_vec();
    let mut foreign = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| format!("the linked module is invalid: {e}"))?;
        if let wasmparser::Payload::ImportSection(imports) = &payload {
            for import in imports.clone().into_imports() {
                let import = import.map_err(|e| e.to_string())?;
                if !import.module.starts_with("evident:db/") {
                    foreign.push(format!("{}::{}", import.module, import.name));
                }
            }
        }
        if let wasmparser::Payload::CustomSection(section) = &payload
            && section.name().starts_with(".debug")
        {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            let (start, end) = (range.start as usize, range.end as usize);
            crate::encode::push_section(&mut out, id, &bytes[start..end]);
        }
    }
    if !foreign.is_empty() {
        return Err(format!(
            "the module imports {}, but a component may import nothing but evident:db. The C \
             library's stdio (printf, puts, fopen...), clocks and environment pull in WASI: log \
             with ev_log/ev_logf and build text with ev_buf instead",
            foreign.join(", ")
        ));
    }
    crate::encode::append_sdk_label(&mut out, language);
    Ok(out)
}

fn create_dir(dir: &Path) -> Result<(), BuildError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))
}

fn io_error(path: &Path, source: std::io::Error) -> BuildError {
    BuildError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::shell_words;

    #[test]
    fn pkg_configs_escaped_flags_are_read_as_a_shell_would() {
        assert_eq!(
            shell_words(
                "-I/opt/my\\ sdk/include -DEVIDENT_WIT_VERSION=\\\"0.4.0\\\"  -L/opt/lib -levident\n"
            ),
            [
                "-I/opt/my sdk/include",
                "-DEVIDENT_WIT_VERSION=\"0.4.0\"",
                "-L/opt/lib",
                "-levident"
            ]
        );
        assert!(shell_words("").is_empty());
    }
}
