"""Quoting text in messages the way the Rust SDK's messages quote it, so both read alike."""

_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"', "\0": "\\0"}


def quote(text: str) -> str:
    """`text` in double quotes with Rust's `{:?}` escapes (controls as `\\u{..}`)."""
    out: list[str] = []
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char < " " or char == "\x7f":
            out.append("\\u{%x}" % ord(char))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
