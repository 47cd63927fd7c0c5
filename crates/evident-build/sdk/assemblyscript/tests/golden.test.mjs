// The golden vectors of ../../testdata (written by crates/evident-types/tests/sdk_golden.rs),
// read by the AssemblyScript SDK: golden.ts compiled by the pinned asc (the path of its
// node_modules/.bin/asc in the ASC environment variable; crates/evident-build/src/sdk_tests.rs
// sets it) and run here under node.
//
//     ASC=.../node_modules/.bin/asc node --test tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The vectors, their integers of 16 digits or more kept as text (a double would round them). */
const load = (name) =>
  JSON.parse(
    readFileSync(join(here, '..', '..', 'testdata', name), 'utf8').replace(/(": )(-?\d{16,})(,?\n)/g, '$1"$2"$3'),
  );
const wire = load('wire.json');
const frames = load('frames.json');

const out = mkdtempSync(join(tmpdir(), 'evident-as-golden-'));
let sdk;
try {
  execFileSync(process.env.ASC ?? 'asc', [
    join(here, 'golden.ts'), '--runtime', 'incremental', '-O1', '--exportRuntime',
    '--bindings', 'raw', '-o', join(out, 'golden.wasm'),
  ], { stdio: 'inherit' });
  const bindings = await import(join(out, 'golden.js'));
  const module = await WebAssembly.compile(readFileSync(join(out, 'golden.wasm')));
  const imports = { env: { abort: () => { throw new Error('abort'); } } };
  for (const { module: name, name: field, kind } of WebAssembly.Module.imports(module)) {
    if (kind === 'function') {
      (imports[name] ??= {})[field] ??= () => {};
    }
  }
  sdk = await bindings.instantiate(module, imports);
} finally {
  rmSync(out, { recursive: true, force: true });
}

const fromHex = (text) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const text = (bytes) => new TextDecoder().decode(bytes);

/** JSON text with its object members sorted by code point (as serde_json's map keeps them). */
function sorted(json) {
  const sort = (v) =>
    Array.isArray(v) ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort((a, b) => (a < b ? -1 : 1)).map((k) => [k, sort(v[k])]))
        : v;
  return JSON.stringify(sort(JSON.parse(json.replace(/([:,[])(-?\d{16,})(?=[,\]}])/g, '$1"$2"'))));
}

test('JSON states are written back byte for byte as serde_json writes them', () => {
  for (const c of wire.states) {
    const again = sdk.jsonAgain(fromHex(c.json));
    assert.ok(again, `${c.value}: ${sdk.lastError()}`);
    assert.equal(text(again), text(fromHex(c.json)), c.value);
  }
});

test('CBOR states and items read as the Rust SDK reads them into a serde_json::Value', () => {
  for (const c of wire.states) {
    const read = sdk.cborAsJson(fromHex(c.cbor));
    assert.ok(read, `${c.value}: ${sdk.lastError()}`);
    assert.equal(text(read), text(fromHex(c.json)), c.value);
  }
  for (const c of wire.cbor_reads) {
    const read = sdk.cborAsJson(fromHex(c.cbor));
    if (c.rust_sdk_json === null) {
      assert.equal(read, null, `${c.name}: read as ${read && text(read)}; the Rust SDK refuses it`);
    } else {
      assert.ok(read, `${c.name}: ${sdk.lastError()}`);
      assert.equal(sorted(text(read)), sorted(c.rust_sdk_json), c.name);
    }
  }
});

test('parameters parse as in the Rust SDK, with its messages', () => {
  for (const c of wire.parameters) {
    for (const kind of ['bool', 'i64', 'u64']) {
      const got = sdk.parameter(kind, c.text);
      const want = c[`${kind}_error`] === null ? `ok ${c[kind]}` : `error ${c[`${kind}_error`]}`;
      assert.equal(got, want, `${kind} ${JSON.stringify(c.text)}`);
    }
  }
});

test('times parse as in the Rust SDK', () => {
  for (const c of frames.times) {
    const got = sdk.time(c.text);
    if (c.time === null) {
      assert.ok(got.startsWith('error '), `${c.text}: ${got}; the Rust SDK refuses it`);
      continue;
    }
    const [seconds, nanos, offset, written] = got.split(' ');
    assert.deepEqual([Number(seconds), Number(nanos), Number(offset)],
      [c.time.seconds, c.time.nanos, c.time.offset], `${c.text}: ${got}`);
    if (c.time.offset % 60 === 0 && /^\d{4}-/.test(c.time.text)) {
      assert.equal(written, c.time.text, c.text);
    }
  }
});
