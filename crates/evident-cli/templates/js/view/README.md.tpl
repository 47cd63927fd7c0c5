# {{name}}

An Evident {{kind}} component in JavaScript, written with the Evident JavaScript SDK (the
`evident` module, which `evident build` gives componentize-js with the program).

```sh
evident build                                    # the component, with componentize-js (installed on first use)
evident test . scenarios.yaml                    # the scenarios, run in the Evident host
evident fold . --events events.jsonl --wasi      # fold some events and print the state
```

`app.js` is the whole component: `export const view = stateView({...})` with `initialize` (the
state before any event: a plain value) and `reduce(state, event, parameters)` (one event
applied to the state, changed in place, or returned). The SDK stores the state as JSON (object
keys in code point order, so the same state is always the same bytes), keeps it decoded while
the host sends events in frames, hands `reduce` each event with named attributes
(`event.type`, `event.data`, `event.json()`, `event.time` as a Date...), routes `log.debug(...)`
and its siblings to the host's log, and reports a thrown `Refusal(code, message)` as the view's
error. Components built with componentize-js use WASI, which the host grants in its deny-all
mode (`--wasi`): no files, no network, a pinned clock.

The SDK is plain JavaScript, so `app.js` also runs in node:

```sh
npm install    # once: the SDK, npm `evident` (from a checkout: npm install <evident>/crates/evident-build/sdk/js)
npm test       # node --test: test/app.test.js, natively
```

`test/app.test.js` imports the SDK as `evident` and folds events with `view.fold(events)`.

With `node_modules/evident` installed, `evident build` builds with that package; without it,
with the copy of the SDK that `evident` carries (so nothing needs installing to build).
