# {{name}}

An Evident {{kind}} component, written with `evident-guest-sdk`.

```sh
cargo test                  # builds the component, runs it in the Evident host, checks it
evident build               # the component: target/guests/wasm32-unknown-unknown/release/{{crate}}.component.wasm
evident inspect target/guests/wasm32-unknown-unknown/release/{{crate}}.component.wasm
```

`src/lib.rs` is the whole component: a serde type and one `impl` with an attribute. It depends
on `evident-guest-sdk` {{sdk_version}} (and, for its test, `evident-testkit`); if `evident new`
found the Evident repository it was built from, `[patch.crates-io]` in `Cargo.toml` points the
crates there, and `Cargo.lock` pins the versions they were tested with.

Building needs the wasm target once: `rustup target add wasm32-unknown-unknown`.
