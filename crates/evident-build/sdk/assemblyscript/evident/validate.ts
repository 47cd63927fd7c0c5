// The CloudEvents rules an event a change emits must follow, as the Rust SDK checks them before
// `process` returns (the host checks them again).

import { Event, SPEC_VERSION } from "./event";
import { quote } from "./text";

const CONTEXT_ATTRIBUTES: string[] = [
  "id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
  "data", "data_base64",
];

/** Why `event` is not a valid CloudEvent, or `null` if it is. */
export function eventProblem(event: Event): string | null {
  if (event.specversion != SPEC_VERSION) {
    return `attribute \`specversion\` is ${quote(event.specversion)}; only ${quote(SPEC_VERSION)} is supported`;
  }
  if (event.id.length == 0) return "attribute `id` must not be empty";
  const source = event.source;
  if (source.length == 0) return "attribute `source` must not be empty";
  for (let i = 0; i < source.length; i++) {
    if (isSpaceOrControl(source.charCodeAt(i))) {
      return "attribute `source` is not a URI reference (it contains whitespace)";
    }
  }
  if (event.type.length == 0) return "attribute `type` must not be empty";
  const contentType = event.datacontenttype;
  if (contentType != null) {
    if (contentType.length == 0) return "attribute `datacontenttype` must not be empty";
    if (!isMediaType(contentType)) {
      return `attribute \`datacontenttype\` is ${quote(contentType)}, not an RFC 2046 media type`;
    }
  }
  const schema = event.dataschema;
  if (schema != null) {
    if (schema.length == 0) return "attribute `dataschema` must not be empty";
    if (!hasUriScheme(schema)) return `attribute \`dataschema\` is ${quote(schema)}, not an absolute URI`;
  }
  const subject = event.subject;
  if (subject != null && subject.length == 0) return "attribute `subject` must not be empty";
  const extensions = event.extensions;
  for (let i = 0; i < extensions.length; i++) {
    const name = extensions.nameAt(i);
    if (CONTEXT_ATTRIBUTES.includes(name)) {
      return `attribute \`${name}\` is a reserved attribute name and cannot be an extension`;
    }
    let valid = name.length > 0;
    for (let j = 0; j < name.length; j++) {
      const c = name.charCodeAt(j);
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) valid = false;
    }
    if (!valid) {
      return `attribute \`${name}\` is not a valid extension name (only a-z and 0-9 are allowed)`;
    }
  }
  return null;
}

function isSpaceOrControl(c: i32): bool {
  return c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0x85;
}

/** `type/subtype` with RFC 2045 token characters, then optional `; name=value` parameters. */
function isMediaType(text: string): bool {
  const semicolon = text.indexOf(";");
  const essence = semicolon < 0 ? text : text.substring(0, semicolon);
  const slash = essence.indexOf("/");
  if (slash <= 0 || slash == essence.length - 1) return false;
  for (let i = 0; i < essence.length; i++) {
    if (i != slash && !isTokenChar(essence.charCodeAt(i))) return false;
  }
  return true;
}

function isTokenChar(c: i32): bool {
  if (c <= 0x20 || c >= 0x7f) return false;
  return "()<>@,;:\\\"/[]?={}".indexOf(String.fromCharCode(c)) < 0;
}

function hasUriScheme(uri: string): bool {
  const colon = uri.indexOf(":");
  if (colon <= 0) return false;
  const first = uri.charCodeAt(0);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return false;
  for (let i = 1; i < colon; i++) {
    const c = uri.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
      c == 0x2b || c == 0x2d || c == 0x2e;
    if (!ok) return false;
  }
  return true;
}
