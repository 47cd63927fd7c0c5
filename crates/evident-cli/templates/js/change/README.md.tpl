# {{name}}

An Evident {{kind}} component in JavaScript, written with the Evident JavaScript SDK (the
`evident` module, which `evident build` gives componentize-js with the program).

```sh
evident build                                        # the component, with componentize-js (installed on first use)
evident test . scenarios.yaml                        # the scenarios, run in the Evident host
evident process . --command command.json --wasi      # the events one command emits
```

`app.js` is the whole component: `export const change = stateChange({...})` with `initialize`
(the state when there is none yet: a plain value) and `process(state, command, parameters)`
turning a command (decoded from JSON or CBOR, as its content type says) into events. The SDK
stores the state as CBOR (`codec: cbor`), checks the events `process` returns, and reports a
thrown `Refusal(code, message, details)` as the error callers match on; `validate` (by default:
would `process` accept it?) answers without emitting. Components built with componentize-js use
WASI, which the host grants in its deny-all mode (`--wasi`): no files, no network, a pinned
clock.

The SDK is plain JavaScript, so `app.js` also runs in node:

```sh
npm install    # once: the SDK, npm `evident` (from a checkout: npm install <evident>/crates/evident-build/sdk/js)
npm test       # node --test: test/app.test.js, natively
```

`test/app.test.js` imports the SDK as `evident` and calls `change.process(state, command)`.

With `node_modules/evident` installed, `evident build` builds with that package; without it,
with the copy of the SDK that `evident` carries (so nothing needs installing to build).
