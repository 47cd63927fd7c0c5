//! The AOT cache: an entry is native code the host runs as it finds it. It is filled and
//! reused; and every way of pointing it at other code is refused with a warning, the component
//! compiled instead: an entry or a folder on the way that is a symbolic link, an entry of other
//! component bytes or whose artifact is not the one written, a folder on the way that someone
//! else can write or owns, an entry someone else can write or owns.

use std::path::Path;
#[cfg(unix)]
use std::path::PathBuf;
#[cfg(unix)]
use std::sync::{Arc, Mutex};

use evident_testkit::guests::component_bytes;

/// What the counter's state is after one event of type `a`.
#[cfg(unix)]
const COUNTED: &[u8] = br#"{"by_type":{"a":1},"total":1}"#;

#[cfg(unix)]
#[test]
fn the_aot_cache_is_filled_then_reused_and_a_corrupt_entry_is_rebuilt() {
    let scratch = Scratch::new("filled");
    let dir = scratch.path().join("cache");
    let config = || evident_host::RuntimeConfig {
        aot_cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let bytes = counter();
    let event = evident_types::Event::new("1", "/t", "a");

    let first = evident_host::Runtime::new(config()).unwrap();
    let entry = first.aot_cache_path(&bytes).unwrap();
    assert!(!entry.exists());
    first.load("counter", &bytes).view().unwrap();
    assert!(entry.is_file(), "the first load fills the cache");
    let written = std::fs::metadata(&entry).unwrap().modified().unwrap();

    // A restart loads the entry instead of compiling (and does not rewrite it).
    let second = evident_host::Runtime::new(config()).unwrap();
    let view = second.load("counter", &bytes).view().unwrap();
    let state = view
        .reduce(&Default::default(), &event, &Default::default())
        .unwrap();
    assert_eq!(&state.bytes[..], COUNTED);
    assert_eq!(
        std::fs::metadata(&entry).unwrap().modified().unwrap(),
        written
    );

    // A corrupt entry is never trusted: it is rebuilt and the load still succeeds.
    std::fs::write(&entry, b"\x7fELF, but not an artifact").unwrap();
    let third = evident_host::Runtime::new(config()).unwrap();
    let view = third.load("counter", &bytes).view().unwrap();
    let state = view
        .reduce(&Default::default(), &event, &Default::default())
        .unwrap();
    assert_eq!(&state.bytes[..], COUNTED);
    assert_ne!(
        std::fs::read(&entry).unwrap(),
        b"\x7fELF, but not an artifact"
    );

    // Other bytes, another entry; no cache configured, no entry.
    let other = component_bytes("bank-account").unwrap();
    assert_ne!(third.aot_cache_path(&other), Some(entry));
    let uncached = evident_host::Runtime::new(evident_host::RuntimeConfig::default()).unwrap();
    assert_eq!(uncached.aot_cache_path(&bytes), None);
}

/// An entry that anyone but this user could have written is not used (the entry planted below,
/// another view's artifact under a header made for the counter, would otherwise run as the
/// counter), and what the host writes is its owner's alone.
#[cfg(unix)]
#[test]
fn the_aot_cache_uses_only_entries_no_one_else_can_write() {
    use std::os::unix::fs::MetadataExt as _;
    let scratch = Scratch::new("trust");
    let dir = scratch.path().join("cache");
    let counter = counter();
    let entry = runtime(&dir).aot_cache_path(&counter).unwrap();
    assert!(load_counter(&dir).0);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().mode() & 0o7777;
    assert_eq!(
        mode(&dir),
        0o700,
        "the cache directory is its owner's alone"
    );
    assert_eq!(mode(&entry), 0o600, "an entry is its owner's alone");

    let planted = forged_entry(&counter);
    std::fs::write(&entry, &planted).unwrap();
    set_mode(&entry, 0o666);
    refused(&dir, "is writable by others (mode 666)");
    std::fs::write(&entry, &planted).unwrap();
    set_mode(&entry, 0o620);
    refused(&dir, "is writable by others (mode 620)");
    std::fs::write(&entry, &planted).unwrap();
    set_mode(&entry, 0o600);
    set_mode(&dir, 0o777);
    refused(&dir, "is writable by others (mode 777)");
    set_mode(&dir, 0o1777);
    refused(&dir, "is writable by others (mode 1777)");
    set_mode(&dir, 0o700);
    if running_as_root() {
        std::os::unix::fs::chown(&entry, Some(65_534), None).unwrap();
        refused(&dir, "belongs to user 65534, not to this process's user 0");
        std::fs::remove_file(&entry).unwrap();
        std::fs::write(&entry, &planted).unwrap();
        set_mode(&entry, 0o600);
    }
    // The checks are what stood in the way: the same entry, in a trusted folder, is used. (A
    // digest is no defence against someone who can write as this user.)
    let (counts, warnings) = load_counter(&dir);
    assert!(!counts, "a trusted entry is loaded as it is");
    assert_eq!(warnings, "");
}

/// A symbolic link in the entry's place is not followed, whatever it points to: an artifact
/// `evident compile` wrote (which the cache used to load as the counter), another view's cache
/// entry, or an entry forged for the counter. The link is replaced by an entry of the host's.
#[cfg(unix)]
#[test]
fn a_symbolic_link_as_the_entry_is_not_followed() {
    let scratch = Scratch::new("entry-link");
    let dir = scratch.path().join("cache");
    let counter = counter();
    let entry = runtime(&dir).aot_cache_path(&counter).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, 0o700);

    let mixer = component_bytes("float-mixer").unwrap();
    let mixer_entry = runtime(&dir).aot_cache_path(&mixer).unwrap();
    runtime(&dir).load("mixer", &mixer).view().unwrap();
    let compiled = scratch.path().join("float_mixer.cwasm");
    std::fs::write(&compiled, mixer_artifact()).unwrap();
    let forged = scratch.path().join("forged.cwasm");
    std::fs::write(&forged, forged_entry(&counter)).unwrap();

    for target in [&compiled, &mixer_entry, &forged] {
        let before = std::fs::read(target).unwrap();
        let _ = std::fs::remove_file(&entry);
        std::os::unix::fs::symlink(target, &entry).unwrap();
        refused(&dir, "is a symbolic link");
        assert!(
            !std::fs::symlink_metadata(&entry).unwrap().is_symlink(),
            "the link is replaced by an entry"
        );
        assert_eq!(std::fs::read(target).unwrap(), before, "{target:?} changed");
        let (counts, warnings) = load_counter(&dir);
        assert!(counts && warnings.is_empty(), "{warnings}");
    }
}

/// A symbolic link on the way to the cache folder, or as the folder itself, is not followed:
/// nothing is read or written through it. What is planted behind it is an artifact `evident
/// compile` wrote (which the cache used to load as the counter) or an entry forged for the
/// counter (which it loads when it finds it in a trusted folder).
#[cfg(unix)]
#[test]
fn a_symbolic_link_on_the_way_to_the_cache_is_not_followed() {
    let scratch = Scratch::new("folder-link");
    let real = scratch.path().join("real").join("cache");
    let counter = counter();
    std::fs::create_dir_all(&real).unwrap();
    set_mode(&real, 0o700);
    let entry = real.join(
        runtime(&real)
            .aot_cache_path(&counter)
            .unwrap()
            .file_name()
            .unwrap(),
    );
    let parent_link = scratch.path().join("link");
    std::os::unix::fs::symlink(scratch.path().join("real"), &parent_link).unwrap();
    let folder_link = scratch.path().join("cache-link");
    std::os::unix::fs::symlink(&real, &folder_link).unwrap();
    let forged = forged_entry(&counter);
    for planted in [mixer_artifact(), forged.clone()] {
        std::fs::write(&entry, &planted).unwrap();
        set_mode(&entry, 0o600);
        for dir in [parent_link.join("cache"), folder_link.clone()] {
            refused(&dir, "is a symbolic link");
            assert_eq!(std::fs::read(&entry).unwrap(), planted, "{dir:?}");
        }
    }
    // The links are what stood in the way: reached without them, the forged entry is used.
    assert!(!load_counter(&real).0, "the forged entry is not used");
}

/// Each way an entry can hold the wrong artifact is refused before Wasmtime sees it, and the
/// entry is rewritten: an artifact without the header (what `evident compile` writes, and the
/// cache used to load as it found it), another view's entry copied into the counter's place
/// (written for other bytes), another view's artifact swapped in under the counter's header (its
/// SHA-256 is not the one kept), one byte of the artifact changed, the entry cut short.
#[cfg(unix)]
#[test]
fn an_entry_whose_artifact_is_not_the_one_written_is_refused() {
    let scratch = Scratch::new("digest");
    let dir = scratch.path().join("cache");
    let counter = counter();
    let entry = runtime(&dir).aot_cache_path(&counter).unwrap();
    assert!(load_counter(&dir).0);
    let good = std::fs::read(&entry).unwrap();
    let header = 16 + 32 + 32;

    let mixer = component_bytes("float-mixer").unwrap();
    let mixer_entry = runtime(&dir).aot_cache_path(&mixer).unwrap();
    runtime(&dir).load("mixer", &mixer).view().unwrap();
    let swapped = [&good[..header], &mixer_artifact()].concat();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let cases = [
        (mixer_artifact(), "is not an entry this host wrote"),
        (
            std::fs::read(&mixer_entry).unwrap(),
            "was written for other component bytes",
        ),
        (swapped, "does not match the SHA-256 digest kept with it"),
        (flipped, "does not match the SHA-256 digest kept with it"),
        (
            good[..good.len() / 2].to_vec(),
            "does not match the SHA-256 digest kept with it",
        ),
        (
            good[..header / 2].to_vec(),
            "is not an entry this host wrote",
        ),
    ];
    for (planted, reason) in cases {
        std::fs::write(&entry, &planted).unwrap();
        refused(&dir, reason);
        assert_eq!(
            std::fs::read(&entry).unwrap(),
            good,
            "the entry is rewritten"
        );
    }
}

/// Every folder on the way to the cache is checked: one that someone else can write (and is not
/// sticky, as `/tmp` is) or that belongs to someone but this user or root makes the host compile
/// without the cache, reading and writing nothing there, whatever is planted in it (an artifact
/// `evident compile` wrote, which the cache used to load as the counter, or an entry forged for
/// the counter).
#[cfg(unix)]
#[test]
fn a_folder_on_the_way_that_others_can_write_is_refused() {
    let scratch = Scratch::new("parents");
    let shared = scratch.path().join("shared");
    let dir = shared.join("deeper").join("cache");
    let counter = counter();
    std::fs::create_dir_all(&dir).unwrap();
    for folder in [&shared, &shared.join("deeper"), &dir] {
        set_mode(folder, 0o700);
    }
    let entry = runtime(&dir).aot_cache_path(&counter).unwrap();
    for planted in [mixer_artifact(), forged_entry(&counter)] {
        std::fs::write(&entry, &planted).unwrap();
        set_mode(&entry, 0o600);
        for (folder, mode) in [
            (&shared, 0o777),
            (&shared, 0o770),
            (&shared, 0o702),
            (&shared.join("deeper"), 0o720),
        ] {
            set_mode(folder, mode);
            refused(&dir, &format!("{} is writable by others", folder.display()));
            assert_eq!(std::fs::read(&entry).unwrap(), planted);
            set_mode(folder, 0o700);
        }
        if running_as_root() {
            std::os::unix::fs::chown(&shared, Some(65_534), None).unwrap();
            set_mode(&shared, 0o755);
            refused(
                &dir,
                &format!(
                    "{} belongs to user 65534, not to this process's user 0 or root",
                    shared.display()
                ),
            );
            assert_eq!(std::fs::read(&entry).unwrap(), planted);
            std::os::unix::fs::chown(&shared, Some(0), None).unwrap();
            set_mode(&shared, 0o700);
        }
    }
    // The checks are what stood in the way: with the folders trusted, the forged entry is used.
    assert!(!load_counter(&dir).0, "the forged entry is not used");

    // A sticky folder others can write is a parent the cache may use (as `/tmp`): they may add
    // to it, but not rename or remove what is not theirs. A folder the cache makes is 0700.
    set_mode(&shared, 0o1777);
    let fresh = shared.join("fresh").join("cache");
    assert!(load_counter(&fresh).0);
    let (counts, warnings) = load_counter(&fresh);
    assert!(counts && warnings.is_empty(), "{warnings}");
    assert!(runtime(&fresh).aot_cache_path(&counter).unwrap().is_file());
    for made in [shared.join("fresh"), fresh] {
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&made).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o700, "{made:?}");
    }
    set_mode(&shared, 0o700);
}

/// Off Unix the cache is not used: the host could not check who may write its entries.
#[cfg(not(unix))]
#[test]
fn the_aot_cache_is_off_where_it_cannot_be_checked() {
    let dir = std::env::temp_dir().join(format!("evident-aot-off-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    runtime(&dir).load("counter", &counter()).view().unwrap();
    assert!(!dir.exists(), "the cache is written");
}

/// A runtime whose AOT cache is `dir`.
fn runtime(dir: &Path) -> evident_host::Runtime {
    evident_host::Runtime::new(evident_host::RuntimeConfig {
        aot_cache_dir: Some(dir.to_owned()),
        ..Default::default()
    })
    .unwrap()
}

fn counter() -> Vec<u8> {
    component_bytes("event-counter").unwrap()
}

/// The float mixer's component precompiled by a runtime of the default settings (as `evident
/// compile` does): an artifact of a view other than the counter.
#[cfg(unix)]
fn mixer_artifact() -> Vec<u8> {
    static ARTIFACT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    ARTIFACT
        .get_or_init(|| {
            runtime(Path::new("/unused"))
                .precompile("float-mixer", &component_bytes("float-mixer").unwrap())
                .unwrap()
        })
        .clone()
}

/// What someone who can write the cache could plant: the float mixer's artifact under a header
/// made for `counter` (the entry format: a magic, the component's SHA-256, the artifact's
/// SHA-256, the artifact), which runs as the counter if used.
#[cfg(unix)]
fn forged_entry(counter: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    let artifact = mixer_artifact();
    [
        &b"evident-aot\0\0\0\0\x01"[..],
        &sha2::Sha256::digest(counter),
        &sha2::Sha256::digest(&artifact),
        &artifact,
    ]
    .concat()
}

/// Loads the event counter through the cache at `dir` in a fresh runtime and folds one event:
/// whether the counter ran (and not other code), and the warnings logged meanwhile.
#[cfg(unix)]
fn load_counter(dir: &Path) -> (bool, String) {
    let logged = Arc::new(Mutex::new(Vec::new()));
    let writer = logged.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || Capture(writer.clone()))
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    let counts = tracing::subscriber::with_default(subscriber, || {
        let view = runtime(dir).load("counter", &counter()).view().unwrap();
        let event = evident_types::Event::new("1", "/t", "a");
        let state = view.reduce(&Default::default(), &event, &Default::default());
        state.is_ok_and(|state| &state.bytes[..] == COUNTED)
    });
    let logged = String::from_utf8(logged.lock().unwrap().clone()).unwrap();
    (counts, logged)
}

/// The cache at `dir` is not used as it is: the counter runs, compiled, and a warning says
/// `reason`.
#[cfg(unix)]
#[track_caller]
fn refused(dir: &Path, reason: &str) {
    let (counts, warnings) = load_counter(dir);
    assert!(counts, "other code ran as the counter ({warnings})");
    assert!(
        warnings.contains("WARN") && warnings.contains(reason),
        "no warning that {reason:?}: {warnings:?}"
    );
}

/// Appends what is written through it to a shared buffer.
#[cfg(unix)]
struct Capture(Arc<Mutex<Vec<u8>>>);

#[cfg(unix)]
impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A fresh folder of this test's, under the temporary folder; removed when dropped.
#[cfg(unix)]
struct Scratch(PathBuf);

#[cfg(unix)]
impl Scratch {
    fn new(test: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("evident-aot-{test}-{}", std::process::id()));
        Scratch::remove(&path);
        std::fs::create_dir_all(&path).unwrap();
        set_mode(&path, 0o700);
        Scratch(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Removes `path`, making its folders removable first.
    fn remove(path: &Path) {
        if let Ok(entries) = walk(path) {
            for folder in entries {
                set_mode(&folder, 0o700);
            }
        }
        let _ = std::fs::remove_dir_all(path);
    }
}

#[cfg(unix)]
impl Drop for Scratch {
    fn drop(&mut self) {
        Scratch::remove(&self.0);
    }
}

/// The folders under `path` (not following links), `path` first.
#[cfg(unix)]
fn walk(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut folders = vec![path.to_owned()];
    let mut i = 0;
    while let Some(folder) = folders.get(i).cloned() {
        i += 1;
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                folders.push(entry.path());
            }
        }
    }
    Ok(folders)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether the tests run as root (as in CI), which may give a file to another user.
#[cfg(unix)]
fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}
