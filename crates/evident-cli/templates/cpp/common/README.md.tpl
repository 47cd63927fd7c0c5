# {{name}}

An Evident {{kind}} component, written in C++20 with the Evident C++ SDK (`evident.hpp`,
header-only over the C SDK).

```sh
evident build                       # the component: <target>/guests/zig/{{crate}}.component.wasm
evident test . scenarios.yaml       # runs the scenarios in the Evident host
evident inspect <target>/guests/zig/{{crate}}.component.wasm
```

`guest.cpp` is the whole component: a state type with a few member functions, and one
`EVIDENT_VIEW(T)` / `EVIDENT_CHANGE(T)` line that exports it. `guest.json` names the world it
implements. Every `.cpp` and `.c` file in this directory is compiled. The SDK (which `evident`
carries and puts on the include path) implements the component's exports and imports, JSON,
CBOR commands, event frames and refusal codes; you never write canonical-ABI code.

The first `evident build` installs Zig 0.17.0 (PyPI `ziglang`, a 100 MB download, 410 MB
installed) under the build's target directory, and its first compilation builds wasi-libc and
libc++ (a few minutes). No root is needed.

The guest is built without exceptions or RTTI: errors are values (`evident::Result<T>`,
`evident::Status`, `evident::Error(code, message)`). The component may import nothing but
`evident:db`, so do not use iostreams, stdio, clocks or the environment: the build refuses a
module that imports WASI. Log with `evident::info(...)` and friends. The standard containers and
strings are fine.

Events, parameters and JSON values are lent for the call: copy what the state keeps
(`std::string(event.type())`).

`evident build` needs nothing installed. To build by hand instead, install the SDK as a library
(`make install install-cpp PREFIX=...` in the C SDK's directory: `evident.hpp`, its static library
and `evident-cpp.pc`), put `<prefix>/lib/pkgconfig` on `PKG_CONFIG_PATH` and run `make` here: the
`Makefile` compiles with `pkg-config --cflags --libs evident-cpp` and makes the component with
`wasm-tools` (see its header for the variables).
