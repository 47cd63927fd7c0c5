// Floats between text and f64 exactly, as serde_json does: reading rounds to the nearest f64
// (ties to even), writing gives the shortest digits that read back as the same f64, laid out as
// ryu lays them out. AssemblyScript's own `parseFloat` and `toString` are not exact enough for a
// state that must come back from its JSON unchanged, so this file uses integer arithmetic.

/** An arbitrary-precision unsigned integer: 32-bit limbs, least significant first. */
class BigNum {
  limbs: u32[] = [];

  static of(value: u64): BigNum {
    const n = new BigNum();
    if (value != 0) n.limbs.push(<u32>value);
    if (value >> 32 != 0) n.limbs.push(<u32>(value >> 32));
    return n;
  }

  mulSmall(factor: u32): BigNum {
    let carry: u64 = 0;
    const limbs = this.limbs;
    for (let i = 0; i < limbs.length; i++) {
      const product = <u64>limbs[i] * <u64>factor + carry;
      limbs[i] = <u32>product;
      carry = product >> 32;
    }
    if (carry != 0) limbs.push(<u32>carry);
    return this;
  }

  mulPow5(count: i32): BigNum {
    while (count >= 13) {
      this.mulSmall(1220703125); // 5^13
      count -= 13;
    }
    let factor: u32 = 1;
    for (let i = 0; i < count; i++) factor *= 5;
    if (factor != 1) this.mulSmall(factor);
    return this;
  }

  shl(bits: i32): BigNum {
    if (this.limbs.length == 0 || bits == 0) return this;
    const words = bits >> 5;
    const shift = bits & 31;
    const old = this.limbs;
    const limbs = new Array<u32>(old.length + words + 1);
    for (let i = 0; i < old.length; i++) {
      const value = <u64>old[i] << shift;
      limbs[i + words] |= <u32>value;
      limbs[i + words + 1] |= <u32>(value >> 32);
    }
    while (limbs.length > 0 && limbs[limbs.length - 1] == 0) limbs.pop();
    this.limbs = limbs;
    return this;
  }

  /** Divides in place by `divisor`; returns the remainder. */
  divSmall(divisor: u32): u32 {
    const limbs = this.limbs;
    let remainder: u64 = 0;
    for (let i = limbs.length - 1; i >= 0; i--) {
      const value = (remainder << 32) | <u64>limbs[i];
      limbs[i] = <u32>(value / divisor);
      remainder = value % divisor;
    }
    while (limbs.length > 0 && limbs[limbs.length - 1] == 0) limbs.pop();
    return <u32>remainder;
  }

  static compare(a: BigNum, b: BigNum): i32 {
    const x = a.limbs;
    const y = b.limbs;
    if (x.length != y.length) return x.length < y.length ? -1 : 1;
    for (let i = x.length - 1; i >= 0; i--) {
      if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
  }

  /** The decimal digits. */
  toDecimal(): string {
    if (this.limbs.length == 0) return "0";
    const chunks: string[] = [];
    while (this.limbs.length > 0) chunks.push(this.divSmall(1_000_000_000).toString());
    let text = chunks[chunks.length - 1];
    for (let i = chunks.length - 2; i >= 0; i--) text += "0".repeat(9 - chunks[i].length) + chunks[i];
    return text;
  }
}

/** `digits` (ASCII, no sign) as a big integer. */
function bigDigits(digits: string): BigNum {
  const n = new BigNum();
  let at = 0;
  while (at < digits.length) {
    const take = min(9, digits.length - at);
    let chunk: u32 = 0;
    let scale: u32 = 1;
    for (let i = 0; i < take; i++) {
      chunk = chunk * 10 + <u32>(digits.charCodeAt(at + i) - 0x30);
      scale *= 10;
    }
    n.mulSmall(scale);
    if (chunk != 0) {
      // Add the chunk.
      let carry: u64 = chunk;
      const limbs = n.limbs;
      for (let i = 0; i < limbs.length && carry != 0; i++) {
        const sum = <u64>limbs[i] + carry;
        limbs[i] = <u32>sum;
        carry = sum >> 32;
      }
      if (carry != 0) limbs.push(<u32>carry);
    }
    at += take;
  }
  return n;
}

const POW10: f64[] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** Compares `digits` × 10^`exponent` with `mantissa` × 2^`power`. */
function compareExact(digits: string, exponent: i32, mantissa: u64, power: i32): i32 {
  const left = bigDigits(digits);
  const right = BigNum.of(mantissa);
  if (exponent >= 0) left.mulPow5(exponent).shl(exponent);
  else right.mulPow5(-exponent).shl(-exponent);
  if (power >= 0) right.shl(power);
  else left.shl(-power);
  return BigNum.compare(left, right);
}

/**
 * The f64 nearest `digits` × 10^`exponent` (`digits` non-empty ASCII digits without leading
 * zeros), ties to even; `Infinity` if it is beyond the largest f64.
 */
export function decimalToF64(digits: string, exponent: i32): f64 {
  const count = digits.length;
  if (count == 0 || (count == 1 && digits.charCodeAt(0) == 0x30)) return 0;
  if (count + exponent > 310) return Infinity;
  if (count + exponent < -324) return 0;
  if (count <= 15 && exponent >= -22 && exponent <= 22) {
    // Both factors are exact f64s: one rounding, so the result is the nearest.
    const value = <f64>U64.parseInt(digits);
    return exponent >= 0 ? value * POW10[exponent] : value / POW10[-exponent];
  }
  // An approximation from the leading digits, then corrected by exact comparison (Clinger's
  // algorithm R) until it is the nearest f64.
  const lead = min(count, 18);
  let scale = exponent + count - lead;
  let z = <f64>U64.parseInt(digits.substring(0, lead));
  while (scale > 0 && isFinite(z)) {
    const step = min(scale, 22);
    z *= POW10[step];
    scale -= step;
  }
  while (scale < 0 && z != 0) {
    const step = min(-scale, 22);
    z /= POW10[step];
    scale += step;
  }
  if (!isFinite(z)) z = f64.MAX_VALUE;
  if (z == 0) z = reinterpret<f64>(<u64>1);
  for (let round = 0; round < 64; round++) {
    const bits = reinterpret<u64>(z);
    const field = <i32>(bits >> 52);
    const fraction = bits & 0xfffffffffffff;
    const mantissa = field == 0 ? fraction : fraction | 0x10000000000000;
    const power = field == 0 ? -1074 : field - 1075;
    const here = compareExact(digits, exponent, mantissa, power);
    if (here == 0) return z;
    if (here > 0) {
      // Above z: stay unless beyond the midpoint with the next f64 up.
      const beyond = compareExact(digits, exponent, 2 * mantissa + 1, power - 1);
      if (beyond < 0 || (beyond == 0 && (mantissa & 1) == 0)) return z;
      if (bits == 0x7fefffffffffffff) return Infinity;
      z = reinterpret<f64>(bits + 1);
    } else {
      // Below z: the next f64 down is half as far at a power of two.
      const atPowerOfTwo = fraction == 0 && field > 1;
      const beyond = atPowerOfTwo
        ? compareExact(digits, exponent, 4 * mantissa - 1, power - 2)
        : compareExact(digits, exponent, 2 * mantissa - 1, power - 1);
      if (beyond > 0 || (beyond == 0 && (mantissa & 1) == 0)) return z;
      if (bits == 1) return 0;
      z = reinterpret<f64>(bits - 1);
    }
  }
  return z;
}

/** The exact decimal value of a positive finite f64: digits, and the power of ten they scale by. */
function exactDigits(value: f64, exponentOut: i32[]): string {
  const bits = reinterpret<u64>(value);
  const field = <i32>(bits >> 52);
  const fraction = bits & 0xfffffffffffff;
  const mantissa = field == 0 ? fraction : fraction | 0x10000000000000;
  const power = field == 0 ? -1074 : field - 1075;
  const n = BigNum.of(mantissa);
  let exponent = 0;
  if (power >= 0) n.shl(power);
  else {
    n.mulPow5(-power); // m × 2^p = m × 5^-p × 10^p
    exponent = power;
  }
  let digits = n.toDecimal();
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) == 0x30) {
    end--;
    exponent++;
  }
  exponentOut[0] = exponent;
  return digits.substring(0, end);
}

/** `digits` plus one in its last place (`"199"` -> `"200"`, `"99"` -> `"100"`). */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) == 0x39) i--;
  if (i < 0) return "1" + "0".repeat(digits.length);
  return digits.substring(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + "0".repeat(digits.length - i - 1);
}

const DOWN = 1;
const UP = 2;

/** Which of the first `n` digits of `exact` (× 10^`base`), rounded down or up, read back as `value`. */
function fitting(exact: string, base: i32, n: i32, value: f64): i32 {
  if (n >= exact.length) return DOWN;
  const scale = base + exact.length - n;
  const down = exact.substring(0, n);
  let fits = 0;
  if (decimalToF64(down, scale) == value) fits |= DOWN;
  if (decimalToF64(increment(down), scale) == value) fits |= UP;
  return fits;
}

/** How many significant digits AssemblyScript's `toString` gives `value` (positive, finite). */
function significantDigits(value: f64): i32 {
  const text = value.toString();
  let count = 0;
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x65) break; // e
    if (c < 0x30 || c > 0x39) continue;
    if (leading && c == 0x30) continue;
    leading = false;
    count++;
  }
  // Trailing zeros of an integer are not significant.
  let end = text.indexOf("e");
  if (end < 0) end = text.length;
  if (text.indexOf(".") < 0) {
    for (let i = end - 1; i >= 0 && text.charCodeAt(i) == 0x30 && count > 1; i--) count--;
  }
  return max(count, 1);
}

/** `e` and the exponent as serde_json 1.0.154 writes it (through zmij): `e+21`, `e-7`. */
function exponentText(exponent: i32): string {
  return (exponent < 0 ? "e" : "e+") + exponent.toString();
}

/** `value` in serde_json's layout: shortest digits, `1.0`, `0.001`, `1e+21`, `1.5e-7`; NaN and infinities as `null`. */
export function formatF64(value: f64): string {
  if (!isFinite(value)) return "null";
  const negative = (reinterpret<u64>(value) >> 63) != 0;
  if (value == 0) return negative ? "-0.0" : "0.0";
  const magnitude = abs(value);
  const exponentOut: i32[] = [0];
  const exact = exactDigits(magnitude, exponentOut);
  // The shortest prefix length n whose rounding down or up reads back as `value`. If n digits
  // do, n + 1 do too, so start from the length of AssemblyScript's own (round-tripping, nearly
  // always shortest) digits and shorten while it still reads back.
  const base = exponentOut[0];
  let n = min(significantDigits(magnitude), exact.length);
  let fits = fitting(exact, base, n, magnitude);
  while (n > 1) {
    const shorter = fitting(exact, base, n - 1, magnitude);
    if (shorter == 0) break;
    n--;
    fits = shorter;
  }
  let digits = exact;
  let exponent = base;
  if (n < exact.length) {
    const down = exact.substring(0, n);
    let pickUp = fits == UP;
    if (fits == (UP | DOWN)) {
      // The nearer one; on a tie, the even one.
      const rest = exact.substring(n);
      const half = "5" + "0".repeat(rest.length - 1);
      const order = rest < half ? -1 : rest > half ? 1 : 0;
      pickUp = order > 0 || (order == 0 && ((down.charCodeAt(n - 1) - 0x30) & 1) == 1);
    }
    digits = pickUp ? increment(down) : down;
    exponent = base + exact.length - n;
  }
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) == 0x30) {
    end--;
    exponent++;
  }
  digits = digits.substring(0, end);
  const length = digits.length;
  const kk = length + exponent; // 10^(kk-1) <= |value| < 10^kk
  let out: string;
  if (exponent >= 0 && kk <= 16) {
    out = digits + "0".repeat(exponent) + ".0";
  } else if (kk > 0 && kk <= 16) {
    out = digits.substring(0, kk) + "." + digits.substring(kk);
  } else if (kk > -5 && kk <= 0) {
    out = "0." + "0".repeat(-kk) + digits;
  } else if (length == 1) {
    out = digits + exponentText(kk - 1);
  } else {
    out = digits.substring(0, 1) + "." + digits.substring(1) + exponentText(kk - 1);
  }
  return negative ? "-" + out : out;
}
