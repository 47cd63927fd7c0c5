# {{name}}

An Evident {{kind}} component, written with `evident-guest-sdk`.

```sh
cargo test                  # builds the component, runs it in the Evident host, checks it
evident build               # the component: target/guests/wasm32-unknown-unknown/release/{{crate}}.component.wasm
evident inspect target/guests/wasm32-unknown-unknown/release/{{crate}}.component.wasm
```

`src/lib.rs` is the whole component: a serde type and one `impl` with an attribute. The SDK is
found by path at `{{sdk}}` (the Evident repository `evident new` came from); change the paths in
`Cargo.toml` if it moves. `Cargo.lock` pins the dependency versions the SDK was tested with.

Building needs the wasm target once: `rustup target add wasm32-unknown-unknown`.
