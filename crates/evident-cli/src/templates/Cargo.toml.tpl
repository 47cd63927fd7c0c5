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
evident-guest-sdk = { path = "{{sdk}}/crates/evident-guest-sdk" }
serde = { version = "1", features = ["derive"] }

[dev-dependencies]
evident-testkit = { path = "{{sdk}}/crates/evident-testkit" }
serde_json = "1"

# Compiling a component with a debug-built Wasmtime takes ~1 s; optimised, ~0.1 s.
[profile.dev.package."*"]
opt-level = 1
