// Runs a WASI test command (the C SDK's golden_test.wasm, or the C++ one) under node, with
// crates/evident-build/sdk/testdata preopened at /testdata. The evident:db imports the SDK
// declares (logging, refusal, frame progress) are stubbed: the tests call no export.
//
//     node run.mjs TEST.wasm

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';

const wasi = new WASI({
  version: 'preview1',
  args: [process.argv[2]],
  preopens: { '/testdata': fileURLToPath(new URL('../../testdata', import.meta.url)) },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(process.argv[2]));
const imports = { wasi_snapshot_preview1: wasi.wasiImport };
for (const { module: name, name: field, kind } of WebAssembly.Module.imports(module)) {
  if (name !== 'wasi_snapshot_preview1' && kind === 'function') {
    (imports[name] ??= {})[field] = () => {};
  }
}
const instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
