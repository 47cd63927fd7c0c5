// Text for error messages, written as the Rust SDK writes it.

/** A string quoted as Rust's `{:?}` quotes it (for the characters that commonly occur). */
export function debugString(text) {
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0);
    if (char === '"' || char === '\\') {
      quoted += '\\' + char;
    } else if (char === '\n') {
      quoted += '\\n';
    } else if (char === '\r') {
      quoted += '\\r';
    } else if (char === '\t') {
      quoted += '\\t';
    } else if (char === '\0') {
      quoted += '\\0';
    } else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      quoted += `\\u{${code.toString(16)}}`;
    } else {
      quoted += char;
    }
  }
  return quoted + '"';
}
