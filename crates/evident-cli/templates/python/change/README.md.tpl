# {{name}}

An Evident {{kind}} component in Python, written with the Evident Python SDK (the `evident`
package, which `evident build` puts on componentize-py's path).

```sh
evident build                                 # the component, with componentize-py (installed on first use)
evident test . scenarios.yaml                 # the scenarios, run in the Evident host
evident process . --command command.json      # the events one command emits
```

`app.py` is the whole component: a class whose instances are the state (a fresh `Counter()`
when there is no state yet), with `process` turning a command (decoded from JSON or CBOR) into
events, exported by its last line. The SDK stores the state as CBOR (`to_value` says what is
stored), checks the events, and reports an `evident.Refusal(code, message, details)` as the
error callers match on; `validate` (by default: would `process` accept it?) answers without
emitting. Components built with componentize-py import WASI, which the host grants only in its
deny-all mode: no files, no network, a pinned clock. `evident` picks that mode for this
directory; give `--wasi` when you name the built `.wasm` instead.

The SDK is plain Python, so `app.py` also runs natively: with the `evident` package on
`PYTHONPATH`, `evident.change.process(app.Counter, evident.State(), evident.Command.json({"type": "increment", "by": 2}))`
gives the events.

`pyproject.toml` declares the SDK as a dependency (PyPI `evident-sdk`). Install it in a virtual
environment and `evident build` builds with that installed package (from `.venv`, or from the
active environment, `$VIRTUAL_ENV`); without one it uses the copy of the SDK `evident` carries:

```sh
python3 -m venv .venv
.venv/bin/pip install "evident-sdk=={{sdk_package_version}}"    # or: .venv/bin/pip install <a wheel you built>
```
