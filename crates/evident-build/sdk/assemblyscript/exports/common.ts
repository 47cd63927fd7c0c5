// The exports every Evident component has: the canonical ABI allocator. The build compiles this
// file (and those for its world) as entries beside the guest's assembly/index.ts; the transform
// (transform.mjs) gives the exports their WIT names.

import { realloc } from "evident/abi";

/** The canonical ABI allocator the host lowers arguments with. */
export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  return realloc(oldPtr, oldSize, align, newSize);
}
