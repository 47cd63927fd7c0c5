//! `memcmp` for components built for `wasm32-unknown-unknown`, eight bytes at a time.
//!
//! There the C library's `memcmp` comes from Rust's `compiler_builtins`, which compares byte by
//! byte; every string comparison (a `BTreeMap<String, _>` lookup, `==` on `str`) calls it, and
//! in the event counter's framed fold it was 27 % of the guest's time (`evident profile`). This
//! definition replaces that weak one when a guest links the SDK.

/// What `memcmp` returns for `a` and `b` of equal length: the difference of the first bytes
/// that differ, or 0.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    allow(dead_code) // Natively only its tests call it.
)]
#[inline]
pub(crate) fn compare(a: &[u8], b: &[u8]) -> i32 {
    debug_assert_eq!(a.len(), b.len());
    let mut a_words = a.chunks_exact(8);
    let mut b_words = b.chunks_exact(8);
    for (x, y) in (&mut a_words).zip(&mut b_words) {
        let x = u64::from_le_bytes(x.try_into().expect("8 bytes"));
        let y = u64::from_le_bytes(y.try_into().expect("8 bytes"));
        if x != y {
            // Little-endian: the lowest differing byte of the words is the first in memory.
            let shift = (x ^ y).trailing_zeros() / 8 * 8;
            return i32::from((x >> shift) as u8) - i32::from((y >> shift) as u8);
        }
    }
    for (x, y) in a_words.remainder().iter().zip(b_words.remainder()) {
        if x != y {
            return i32::from(*x) - i32::from(*y);
        }
    }
    0
}

/// C's `memcmp`, for the guest's own code and the standard library's.
///
/// # Safety
/// C's contract: `a` and `b` are each readable for `n` bytes.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[allow(unsafe_code)] // A C symbol: the standard library's string comparisons call it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n == 0 {
        // C lets either pointer be anything then; a slice's may not be null.
        return 0;
    }
    // SAFETY: by C's contract of `memcmp`, both are readable for `n` bytes.
    let (a, b) = unsafe {
        (
            std::slice::from_raw_parts(a, n),
            std::slice::from_raw_parts(b, n),
        )
    };
    compare(a, b)
}

/// C's `bcmp` (`memcmp` when only equality is asked, which LLVM calls for `==`).
///
/// # Safety
/// C's contract: `a` and `b` are each readable for `n` bytes.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[allow(unsafe_code)] // A C symbol: the standard library's equality tests call it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: `bcmp` has the contract of `memcmp`.
    i32::from(unsafe { memcmp(a, b, n) } != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Ordering;

    fn ordering(value: i32) -> Ordering {
        value.cmp(&0)
    }

    proptest! {
        #[test]
        fn it_orders_as_slices_do(a in proptest::collection::vec(0u8..4, 0..40), b in proptest::collection::vec(0u8..4, 0..40)) {
            let n = a.len().min(b.len());
            let (a, b) = (&a[..n], &b[..n]);
            prop_assert_eq!(ordering(compare(a, b)), a.cmp(b));
            if let Some(i) = (0..n).find(|&i| a[i] != b[i]) {
                prop_assert_eq!(compare(a, b), i32::from(a[i]) - i32::from(b[i]));
            }
        }
    }
}
