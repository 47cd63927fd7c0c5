# {{name}}

An Evident {{kind}} component in Python, written with the Evident Python SDK (the `evident`
package, which `evident build` puts on componentize-py's path).

```sh
evident build                             # the component, with componentize-py (installed on first use)
evident test . scenarios.yaml             # the scenarios, run in the Evident host
evident fold . --events events.jsonl      # fold some events and print the state
```

`app.py` is the whole component: a class whose instances are the state, with `initialize`
(the state before any event) and `reduce` (one event applied to `self`), exported by its last
line. The SDK stores the state as JSON (`to_value` says what is stored), decodes each event into
an `evident.Event` (`event.type`, `event.data`, `event.data_json()`, `event.time`...), routes
`evident.debug(...)` and its siblings to the host's log, and reports an `evident.Refusal` as the
view's error. Components built with componentize-py import WASI, which the host grants only in
its deny-all mode: no files, no network, a pinned clock. `evident` picks that mode for this
directory; give `--wasi` when you name the built `.wasm` instead.

The SDK is plain Python, so `app.py` also runs natively: with the `evident` package on
`PYTHONPATH`, `evident.view.fold(app.Totals, [evident.Event("1", "/x", "paid", json={"amount": 5})])`
gives the state object.

`pyproject.toml` declares the SDK as a dependency (PyPI `evident-sdk`). Install it in a virtual
environment and `evident build` builds with that installed package (from `.venv`, or from the
active environment, `$VIRTUAL_ENV`); without one it uses the copy of the SDK `evident` carries:

```sh
python3 -m venv .venv
.venv/bin/pip install "evident-sdk=={{sdk_package_version}}"    # or: .venv/bin/pip install <a wheel you built>
```
