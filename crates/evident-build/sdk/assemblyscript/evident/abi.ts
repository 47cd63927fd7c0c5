// The canonical ABI's memory side: where the host's arguments land (`cabi_realloc`), how the
// results are handed back, and when either may be freed (`cabi_post_*`).
//
// Two kinds of memory, kept apart so that freeing one can never free the other:
// - Arguments land in an arena the garbage collector does not know: a 64 KiB chunk allocated
//   once with `heap.alloc` (raw memory, never scanned or freed by the GC), bumped through, plus
//   a `heap.alloc` block for each argument that does not fit. `cabi_post_*` empties the arena.
//   Nothing the guest keeps points into it: the SDK copies what outlives the call (strings are
//   decoded into GC strings, a frame is copied into a GC ArrayBuffer that its lazily decoded
//   events and their `data` refer to).
// - Everything else is ordinary garbage-collected memory. Results (strings, bytes, lists of
//   records) are GC buffers listed in `kept`, a global (a GC root), until `cabi_post_*` clears
//   the list; the return area is static memory. The state a view keeps between
//   `state-view-batch` calls is a plain object referenced from the registered view: only the GC
//   frees it, once nothing refers to it.

import { Parameters } from "./parameters";
import { decodeUtf8, encodeUtf8 } from "./text";

/** The arena's chunk (0 until the first call) and how much of it the current call used. */
const CHUNK_SIZE: usize = 64 * 1024;
let chunk: usize = 0;
let chunkUsed: usize = 0;
/** Argument buffers of the current call that did not fit in the chunk. */
const large = new Array<usize>();
/** Result buffers of the current call, kept alive until `releaseCall`. */
const kept = new Array<ArrayBuffer>();

/** Where an export's result goes when it does not fit in one value: 32 bytes, 8-aligned. */
export const RETURN_AREA: usize = memory.data(32, 8);

/** `cabi_realloc`: `newSize` bytes aligned to `align` in the arena, holding the old bytes. */
export function realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (chunk == 0) chunk = heap.alloc(CHUNK_SIZE);
  const mask = max(align, 1) - 1;
  const start = (chunk + chunkUsed + mask) & ~mask;
  let ptr: usize;
  if (align <= 16 && start + newSize <= chunk + CHUNK_SIZE) {
    ptr = start;
    chunkUsed = start + newSize - chunk;
  } else {
    ptr = heap.alloc(max(newSize, 1)); // 16-aligned
    large.push(ptr);
  }
  if (oldPtr != 0) memory.copy(ptr, oldPtr, min(oldSize, newSize));
  return ptr;
}

/** What `cabi_post_*` does: the call's arguments and results may be freed now. */
export function releaseCall(): void {
  chunkUsed = 0;
  for (let i = 0; i < large.length; i++) heap.free(large[i]);
  large.length = 0;
  kept.length = 0;
}

/** The argument bytes at `ptr` (of `length` bytes), copied into an ArrayBuffer the guest may keep. */
export function adopt(ptr: usize, length: usize): ArrayBuffer {
  const copy = new ArrayBuffer(<i32>length);
  if (length != 0) memory.copy(changetype<usize>(copy), ptr, length);
  return copy;
}

/** Keeps `buffer` alive until the call's `cabi_post_*`, and returns its address. */
export function keep(buffer: ArrayBuffer): usize {
  kept.push(buffer);
  return changetype<usize>(buffer);
}

/** The string whose (pointer, length) pair is stored at `at`. */
export function loadString(at: usize): string {
  return decodeUtf8(load<u32>(at), load<u32>(at, 4));
}

/** The `list<tuple<string, string>>` at `ptr` (`count` pairs of 16 bytes) as parameters. */
export function readParameters(ptr: usize, count: usize): Parameters {
  const parameters = new Parameters();
  for (let i: usize = 0; i < count; i++) {
    const pair = ptr + i * 16;
    parameters.with(loadString(pair), loadString(pair + 8));
  }
  return parameters;
}

/** Stores `text` as a (pointer, length) pair at `at`; its UTF-8 bytes are kept for the call. */
export function storeString(at: usize, text: string): void {
  const bytes = encodeUtf8(text);
  store<u32>(at, keep(bytes));
  store<u32>(at, bytes.byteLength, 4);
}

/** Stores `bytes` as a (pointer, length) pair at `at`; its buffer is kept for the call. */
export function storeBytes(at: usize, bytes: Uint8Array): void {
  keep(bytes.buffer);
  store<u32>(at, bytes.dataStart);
  store<u32>(at, bytes.length, 4);
}

/** Stores an `option<string>` at `at`. */
export function storeOptionalString(at: usize, text: string | null): void {
  if (text == null) {
    store<u8>(at, 0);
  } else {
    store<u8>(at, 1);
    storeString(at + 4, text);
  }
}

/** Stores an `option<list<u8>>` at `at`. */
export function storeOptionalBytes(at: usize, bytes: Uint8Array | null): void {
  if (bytes == null) {
    store<u8>(at, 0);
  } else {
    store<u8>(at, 1);
    storeBytes(at + 4, bytes);
  }
}

/** A zeroed buffer of `size` bytes for results (records of a list), kept for the call. */
export function resultBuffer(size: i32): usize {
  return keep(new ArrayBuffer(size));
}
