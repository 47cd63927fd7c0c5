# {{name}}

An Evident {{kind}} component, written in AssemblyScript with the Evident SDK.

```sh
evident build                       # prints the component's path; see below
evident test . scenarios.yaml       # builds it, runs the scenarios in the Evident host
evident inspect <component.wasm>    # its imports (only evident:db) and exports
```

`assembly/index.ts` is the whole component: a state class (with `toJson` and `fromJson`) and a
class extending the SDK's `StateView` or `StateChange`, registered at the top level.
`guest.json` names the WIT world it implements.

`evident build` installs the AssemblyScript compiler (npm `assemblyscript`, pinned) on first
use, which needs Node.js 20 or newer and `npm`. The SDK is the npm package
`evident-assemblyscript`, which `package.json` depends on under the name guests import,
`evident`: after `npm install`, `evident build` compiles against `node_modules/evident`; without
it, against the copy of the SDK that `evident` carries. The component goes to
`<target>/guests/assemblyscript/{{crate}}.component.wasm`.

The SDK's hooks return `null` or the error they fail with (`ViewError`, `GuestError`); a
parameter read with a typed accessor (`getBool`, `getU64`, ...) that does not parse fails the
call with the code `invalid-parameter` by itself.
