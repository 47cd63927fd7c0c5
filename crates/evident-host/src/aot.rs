//! Precompiled artifacts and the AOT cache: components compiled once and loaded as native code.
//!
//! Deserialising an artifact is running code Wasmtime compiled, as it is: `unsafe` in
//! Wasmtime, and so in the functions here that take a path, with the contract spelled out. The
//! cache is the one place the host deserialises on its own. On Unix it opens the cache folder
//! once, from the root, one folder at a time and without following a symbolic link, checks
//! every folder on the way (see [`cache`]), opens an entry relative to that folder, again
//! without following a link, and checks that the entry is this user's alone. An entry is
//! [`cache::ENTRY_MAGIC`], the SHA-256 of the component bytes it was compiled from, the SHA-256
//! of the artifact, then the artifact: an entry of other bytes (another of the user's entries
//! renamed, copied or linked into place) or an artifact that is not the one written (swapped,
//! truncated, changed) is refused before Wasmtime sees it. Elsewhere the cache is off: the same
//! checks cannot be made there.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use crate::component;
use crate::error::Error;
use crate::runtime::Runtime;

impl Runtime {
    /// Compiles component bytes ahead of time into an artifact that
    /// [`Runtime::load_precompiled`] loads in microseconds instead of milliseconds. The
    /// artifact only loads into a runtime of the same Wasmtime version and engine settings.
    pub fn precompile(&self, name: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        self.engine()
            .precompile_component(bytes)
            .map_err(|e| Error::InvalidComponent {
                component: name.into(),
                expected: "component",
                reason: format!("{e:#}"),
            })
    }
}

/// Precompiled artifacts: Wasmtime's deserialisation is `unsafe` (the artifact is native code),
/// and so are these, with the contract spelled out.
#[allow(unsafe_code)]
impl Runtime {
    /// The file [`aot_cache_dir`](crate::RuntimeConfig::aot_cache_dir) keeps `bytes` compiled
    /// in (whether or not it exists yet), or `None` without a cache.
    pub fn aot_cache_path(&self, bytes: &[u8]) -> Option<PathBuf> {
        self.aot_cache_entry(bytes)
            .map(|entry| entry.dir.join(entry.file_name))
    }

    /// Where `bytes` are cached, and their digest.
    fn aot_cache_entry(&self, bytes: &[u8]) -> Option<CacheEntry<'_>> {
        use sha2::Digest as _;
        let dir = self.config().aot_cache_dir.as_deref()?;
        let mut engine = std::hash::DefaultHasher::new();
        self.engine()
            .precompile_compatibility_hash()
            .hash(&mut engine);
        let component: [u8; 32] = sha2::Sha256::digest(bytes).into();
        let hex: String = component.iter().map(|b| format!("{b:02x}")).collect();
        Some(CacheEntry {
            dir,
            file_name: format!("{hex}-{:016x}.cwasm", engine.finish()),
            component,
        })
    }

    /// Compiles `bytes`, through the AOT cache when there is one (on Unix only: elsewhere the
    /// cache's folder and entries cannot be checked, and it is not used).
    pub(crate) fn compile(
        &self,
        name: &str,
        bytes: &[u8],
        kind: component::Kind,
    ) -> Result<Component, Error> {
        let Some(entry) = self.aot_cache_entry(bytes) else {
            return component::compile(self, name, bytes, kind);
        };
        #[cfg(not(unix))]
        {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    "not using the AOT cache {}: on this platform the host cannot check who may write its folder and entries",
                    entry.dir.display()
                )
            });
            component::compile(self, name, bytes, kind)
        }
        #[cfg(unix)]
        self.compile_through_cache(name, bytes, kind, &entry)
    }

    /// [`Runtime::compile`] with a cache: its entry is loaded if it passes every check, and
    /// written (or rewritten) otherwise.
    #[cfg(unix)]
    fn compile_through_cache(
        &self,
        name: &str,
        bytes: &[u8],
        kind: component::Kind,
        entry: &CacheEntry<'_>,
    ) -> Result<Component, Error> {
        let dir = match cache::Dir::open(entry.dir) {
            Ok(dir) => dir,
            Err(reason) => {
                tracing::warn!(
                    component = name,
                    "not using the AOT cache ({reason}): anyone who can write there could make this host run their code"
                );
                return component::compile(self, name, bytes, kind);
            }
        };
        let path = entry.dir.join(&entry.file_name);
        let loaded = dir.read(&entry.file_name).and_then(|found| {
            found
                .map(|found| {
                    let artifact = cache::artifact(&path, &found, &entry.component)?;
                    // SAFETY: `Component::deserialize` requires bytes Wasmtime compiled,
                    // unchanged. These were read from a regular file this user owns and no one
                    // else may write, opened without following a link in the cache folder, itself
                    // opened without following a link from the root, every folder on the way
                    // checked (see `cache::Dir::open`); the entry's header binds it to the
                    // SHA-256 of these component bytes, and the artifact's SHA-256 is the one
                    // written beside it, so it is what this host serialised for these bytes
                    // (unless forged by someone who can already write as this user). Wasmtime
                    // checks its version and settings again before it runs anything.
                    unsafe { Component::deserialize(self.engine(), artifact) }.map_err(|source| {
                        cache::Untrusted::Unusable {
                            path: path.clone(),
                            reason: format!("{source:#}"),
                        }
                    })
                })
                .transpose()
        });
        match loaded {
            Ok(Some(component)) => return Ok(component),
            Ok(None) => {}
            Err(reason) => tracing::warn!(
                component = name,
                "AOT cache entry not used, compiling instead (it will be rewritten): {reason}"
            ),
        }
        let component = component::compile(self, name, bytes, kind)?;
        if let Err(e) = component
            .serialize()
            .map_err(|e| format!("{e:#}"))
            .and_then(|artifact| {
                dir.write(&entry.file_name, &cache::entry(&entry.component, &artifact))
                    .map_err(|e| e.to_string())
            })
        {
            tracing::warn!(
                component = name,
                "cannot write AOT cache entry {}: {e}",
                path.display()
            );
        }
        Ok(component)
    }

    /// Reads and deserialises the artifact at `path` for a component named `name`, loaded as
    /// `kind`.
    ///
    /// # Safety
    /// See [`Runtime::load_precompiled`].
    pub(crate) unsafe fn deserialize(
        &self,
        path: &Path,
        name: &str,
        kind: component::Kind,
    ) -> Result<Component, Error> {
        // Read, not mapped: an artifact replaced or truncated under a mapping would crash the
        // process.
        let artifact = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        // SAFETY: the caller vouches for the artifact (see `Runtime::load_precompiled`'s
        // contract); Wasmtime itself checks the version and settings it was compiled with.
        unsafe { Component::deserialize(self.engine(), &artifact) }.map_err(|e| {
            component::invalid(
                name,
                kind,
                format!("not a usable precompiled artifact: {e:#}"),
            )
        })
    }
}

/// An AOT cache entry: the folder, the file's name in it, and the SHA-256 of the component
/// bytes it holds compiled.
struct CacheEntry<'a> {
    dir: &'a Path,
    file_name: String,
    #[cfg_attr(not(unix), allow(dead_code))]
    component: [u8; 32],
}

/// The cache folder and its entries on Unix, checked on the handles they are used through.
#[cfg(unix)]
mod cache {
    use std::io::{Read as _, Write as _};
    use std::os::fd::OwnedFd;
    use std::path::{Path, PathBuf};

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
    use rustix::io::Errno;
    use sha2::Digest as _;

    /// What an entry starts with: a name and a format version.
    pub(super) const ENTRY_MAGIC: [u8; 16] = *b"evident-aot\0\0\0\0\x01";

    /// Why a cache folder or entry is not used.
    #[derive(Debug, thiserror::Error)]
    pub(super) enum Untrusted {
        /// A folder on the way, or the entry, is a symbolic link.
        #[error("{} is a symbolic link", .path.display())]
        Link { path: PathBuf },
        /// Something on the way is not a folder, or the entry not a regular file.
        #[error("{} is not a {expected}", .path.display())]
        Kind {
            path: PathBuf,
            expected: &'static str,
        },
        /// It belongs to someone else.
        #[error(
            "{} belongs to user {owner}, not to this process's user {user}{or}",
            .path.display()
        )]
        Owner {
            path: PathBuf,
            owner: u32,
            user: u32,
            /// " or root" where root may own it too.
            or: &'static str,
        },
        /// Someone else may write it (for a folder on the way: and it is not sticky, which
        /// would keep them from replacing what is not theirs).
        #[error("{} is writable by others (mode {:o})", .path.display(), .mode.bits())]
        Writable { path: PathBuf, mode: Mode },
        /// It could not be opened or read.
        #[error("cannot use {}: {source}", .path.display())]
        Io {
            path: PathBuf,
            source: std::io::Error,
        },
        /// The entry is not in the format this host writes.
        #[error("{} is not an entry this host wrote (no header)", .path.display())]
        NoHeader { path: PathBuf },
        /// The entry holds other component bytes compiled.
        #[error("{} was written for other component bytes", .path.display())]
        OtherComponent { path: PathBuf },
        /// The artifact is not the one the entry was written with.
        #[error("{}'s artifact does not match the SHA-256 digest kept with it", .path.display())]
        Digest { path: PathBuf },
        /// Wasmtime refused the artifact.
        #[error("{} is unusable: {reason}", .path.display())]
        Unusable { path: PathBuf, reason: String },
    }

    /// A cache entry for an artifact compiled from component bytes whose SHA-256 is
    /// `component`.
    pub(super) fn entry(component: &[u8; 32], artifact: &[u8]) -> Vec<u8> {
        let mut entry = Vec::with_capacity(ENTRY_MAGIC.len() + 64 + artifact.len());
        entry.extend_from_slice(&ENTRY_MAGIC);
        entry.extend_from_slice(component);
        entry.extend_from_slice(&sha2::Sha256::digest(artifact));
        entry.extend_from_slice(artifact);
        entry
    }

    /// The artifact in `entry` (read from `path`), if the entry is for the component bytes
    /// whose SHA-256 is `component` and the artifact is the one it was written with.
    pub(super) fn artifact<'a>(
        path: &Path,
        entry: &'a [u8],
        component: &[u8; 32],
    ) -> Result<&'a [u8], Untrusted> {
        let (magic, rest) = entry
            .split_first_chunk::<16>()
            .ok_or_else(|| Untrusted::NoHeader { path: path.into() })?;
        let (for_component, rest) = rest
            .split_first_chunk::<32>()
            .ok_or_else(|| Untrusted::NoHeader { path: path.into() })?;
        let (digest, artifact) = rest
            .split_first_chunk::<32>()
            .ok_or_else(|| Untrusted::NoHeader { path: path.into() })?;
        if *magic != ENTRY_MAGIC {
            return Err(Untrusted::NoHeader { path: path.into() });
        }
        if for_component != component {
            return Err(Untrusted::OtherComponent { path: path.into() });
        }
        if sha2::Sha256::digest(artifact)[..] != digest[..] {
            return Err(Untrusted::Digest { path: path.into() });
        }
        Ok(artifact)
    }

    /// The cache folder, opened once; entries are opened relative to it.
    pub(super) struct Dir {
        fd: OwnedFd,
        path: PathBuf,
    }

    impl Dir {
        /// Opens the folder at `path` (making the folders missing on the way, 0700) from the
        /// root, one folder at a time, without following a symbolic link. Every folder on the
        /// way must be this user's or root's, and not writable by others unless it is sticky
        /// (as `/tmp`: others may add to it but not rename or remove what is not theirs); the
        /// cache folder itself must be this user's and writable by no one else.
        pub(super) fn open(path: &Path) -> Result<Dir, Untrusted> {
            let absolute = if path.is_absolute() {
                path.to_owned()
            } else {
                let cwd = std::env::current_dir().map_err(|source| Untrusted::Io {
                    path: path.into(),
                    source,
                })?;
                cwd.join(path)
            };
            // `..` taken lexically: no folder on the way is a link (each is refused), so a
            // folder's `..` is the folder before it.
            let mut names = Vec::new();
            for component in absolute.components() {
                match component {
                    std::path::Component::Normal(name) => names.push(name),
                    std::path::Component::ParentDir => {
                        names.pop();
                    }
                    std::path::Component::RootDir
                    | std::path::Component::CurDir
                    | std::path::Component::Prefix(_) => {}
                }
            }
            let mut at = PathBuf::from("/");
            let folder = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let mut fd = rustix::fs::open("/", folder, Mode::empty()).map_err(|e| io(&at, e))?;
            for (i, name) in names.iter().enumerate() {
                // The folder `fd` is, checked before anything in it is trusted.
                check_parent(&at, &rustix::fs::fstat(&fd).map_err(|e| io(&at, e))?)?;
                at.push(name);
                let next = match rustix::fs::openat(&fd, *name, folder, Mode::empty()) {
                    Err(Errno::NOENT) => {
                        match rustix::fs::mkdirat(&fd, *name, Mode::RWXU) {
                            Ok(()) | Err(Errno::EXIST) => {}
                            Err(e) => return Err(io(&at, e)),
                        }
                        rustix::fs::openat(&fd, *name, folder, Mode::empty())
                    }
                    opened => opened,
                };
                fd = next.map_err(|e| not_opened(&fd, name, &at, e, "folder"))?;
                if i + 1 == names.len() {
                    check_own(&at, &rustix::fs::fstat(&fd).map_err(|e| io(&at, e))?)?;
                }
            }
            if names.is_empty() {
                check_own(&at, &rustix::fs::fstat(&fd).map_err(|e| io(&at, e))?)?;
            }
            Ok(Dir { fd, path: at })
        }

        /// The bytes of the entry `name`, `None` if there is none; an entry that is a link,
        /// not a regular file, or not this user's alone (checked on the handle it is read
        /// from) is refused. Read, not mapped: a file changed under a mapping would crash the
        /// process.
        pub(super) fn read(&self, name: &str) -> Result<Option<Vec<u8>>, Untrusted> {
            let path = self.path.join(name);
            // Non-blocking, so that a FIFO in its place cannot hang the open.
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
            let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
                Ok(fd) => fd,
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => {
                    return Err(not_opened(
                        &self.fd,
                        name.as_ref(),
                        &path,
                        e,
                        "regular file",
                    ));
                }
            };
            let stat = rustix::fs::fstat(&fd).map_err(|e| io(&path, e))?;
            if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
                return Err(Untrusted::Kind {
                    path,
                    expected: "regular file",
                });
            }
            check_own(&path, &stat)?;
            let mut bytes = Vec::new();
            std::fs::File::from(fd)
                .read_to_end(&mut bytes)
                .map_err(|source| Untrusted::Io { path, source })?;
            Ok(Some(bytes))
        }

        /// Writes the entry `name` through a unique temporary file (0600) and a rename, so a
        /// concurrent reader never sees half an entry; a failed write leaves no temporary file
        /// behind. A link in the entry's place is replaced, never followed.
        pub(super) fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
            static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let unique = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let temporary = format!("{name}.tmp{}-{unique}", std::process::id());
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(&self.fd, &temporary, flags, Mode::RUSR | Mode::WUSR)?;
            let written = std::fs::File::from(fd)
                .write_all(bytes)
                .and_then(|()| Ok(rustix::fs::renameat(&self.fd, &temporary, &self.fd, name)?));
            if written.is_err() {
                let _ = rustix::fs::unlinkat(&self.fd, &temporary, AtFlags::empty());
            }
            written
        }
    }

    fn io(path: &Path, errno: Errno) -> Untrusted {
        Untrusted::Io {
            path: path.into(),
            source: errno.into(),
        }
    }

    /// Why `name` in `dir` did not open as a `expected`: a link, something else, or an error.
    fn not_opened(
        dir: &OwnedFd,
        name: &std::ffi::OsStr,
        path: &Path,
        errno: Errno,
        expected: &'static str,
    ) -> Untrusted {
        match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::Symlink => {
                Untrusted::Link { path: path.into() }
            }
            Ok(_) if matches!(errno, Errno::NOTDIR | Errno::LOOP) => Untrusted::Kind {
                path: path.into(),
                expected,
            },
            _ => io(path, errno),
        }
    }

    /// A folder on the way to the cache: this user's or root's, and writable by no one else
    /// unless sticky.
    fn check_parent(path: &Path, stat: &Stat) -> Result<(), Untrusted> {
        let user = rustix::process::geteuid().as_raw();
        if stat.st_uid != user && stat.st_uid != 0 {
            return Err(Untrusted::Owner {
                path: path.into(),
                owner: stat.st_uid,
                user,
                or: " or root",
            });
        }
        let mode = Mode::from_raw_mode(stat.st_mode);
        if mode.intersects(Mode::WGRP | Mode::WOTH) && !mode.contains(Mode::SVTX) {
            return Err(Untrusted::Writable {
                path: path.into(),
                mode,
            });
        }
        Ok(())
    }

    /// The cache folder or an entry: this user's, and writable by no one else.
    fn check_own(path: &Path, stat: &Stat) -> Result<(), Untrusted> {
        let user = rustix::process::geteuid().as_raw();
        if stat.st_uid != user {
            return Err(Untrusted::Owner {
                path: path.into(),
                owner: stat.st_uid,
                user,
                or: "",
            });
        }
        let mode = Mode::from_raw_mode(stat.st_mode);
        if mode.intersects(Mode::WGRP | Mode::WOTH) {
            return Err(Untrusted::Writable {
                path: path.into(),
                mode,
            });
        }
        Ok(())
    }
}
