[package]
name = "{{name}}"
version = "0.1.0"
edition = "2024"
rust-version = "1.95"
publish = false

# A crate of its own, even inside another workspace.
[workspace]

[lib]
# cdylib: the component; rlib: the same code natively, for tests.
crate-type = ["cdylib", "rlib"]

[dependencies]
evident-guest-sdk = "{{sdk_version}}"
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[dev-dependencies]
evident-testkit = "{{sdk_version}}"
serde_json = "1"

# File and line in backtraces is what a failing test needs; full debug info slows the build.
[profile.dev]
debug = "line-tables-only"

# Compiling a component with a debug-built Wasmtime takes ~1 s; optimised, ~0.1 s.
[profile.dev.package."*"]
opt-level = 1
debug = false
{{sdk_patch}}