//! Embeds the language SDKs under `sdk/` in the crate, so a guest builds wherever this crate
//! (or the `evident` binary) is, with no path back into the repository.

use std::path::{Path, PathBuf};

fn main() {
    // Read at run time: a build script compiled once may run for another copy of the crate
    // (a packaged one), whose directory is not the one it was compiled in.
    let root =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("sdk");
    assert!(
        root.is_dir(),
        "{} is missing: nothing to embed",
        root.display()
    );
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    for file in &files {
        println!("cargo::rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(&root).expect("under sdk/");
        let relative = relative.to_string_lossy().replace('\\', "/");
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            file.display().to_string()
        ));
    }
    code.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("sdk_files.rs"), code).expect("OUT_DIR is writable");
}

/// Every file under `dir`, except what tools leave behind (caches, installed packages).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "__pycache__" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
