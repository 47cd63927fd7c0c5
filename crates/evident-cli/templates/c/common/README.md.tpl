# {{name}}

An Evident {{kind}} component, written in C with the Evident C SDK (`evident.h`).

```sh
evident build                       # the component: <target>/guests/zig/{{crate}}.component.wasm
evident test . scenarios.yaml       # runs the scenarios in the Evident host
evident inspect <target>/guests/zig/{{crate}}.component.wasm
```

`guest.c` is the whole component: a state struct, plain C functions, and one
`EVIDENT_STATE_VIEW` / `EVIDENT_STATE_CHANGE` line that exports them. `guest.json` names the
world it implements. Every `.c` file in this directory is compiled. The SDK (which `evident`
carries and puts on the include path) implements the component's exports and imports, JSON,
CBOR commands, event frames and refusal codes; you never write canonical-ABI code.

The first `evident build` installs Zig 0.17.0 (PyPI `ziglang`, a 100 MB download, 410 MB
installed) under the build's target directory, and its first compilation builds wasi-libc
(about a minute). No root is needed.

The component may import nothing but `evident:db`, so do not use stdio (`printf`, `puts`,
`fopen`...), clocks or the environment: the build refuses a module that imports WASI. Log with
`ev_log`/`ev_logf`, build text with `ev_buf`. `malloc` and `free` are fine.

Memory the SDK lends (events, parameters, parsed JSON, `ev_scratch_alloc`) lives until your
function returns; the state owns what it allocates and frees it in its `drop` function. A
function that can fail returns `ev_error *`: `EV_OK` (NULL), or an error from `ev_error_new`
/ `ev_errorf` with an optional code callers match on.

`evident build` needs nothing installed; if `pkg-config` finds an installed `evident` for the
same evident:db release, it links that library instead of compiling the SDK it carries. To
build by hand, install the SDK as a library (`make install PREFIX=...` in the C SDK's
directory: `evident.h`, `libevident.a` and `evident.pc`), put `<prefix>/lib/pkgconfig` on
`PKG_CONFIG_PATH` and run `make` here: the `Makefile` compiles with
`pkg-config --cflags --libs evident` and makes the component with `wasm-tools` (see its header
for the variables).
