// The Evident guest SDK for AssemblyScript: write a state view or a state change as a plain
// class, register it, and the SDK provides the component's exports (the canonical ABI, JSON
// codec, frames, refusals). `import { ... } from "evident"`.

export { StateView, registerView, STATE_CONTENT_TYPE } from "./view";
export { StateChange, registerChange } from "./change";
export { Event, Extensions, SPEC_VERSION, JSON_CONTENT_TYPE } from "./event";
export { Time, parseTime, timeError } from "./time";
export { ViewError, GuestError, viewCodes, changeCodes, INVALID_PARAMETER } from "./errors";
export { Parameters } from "./parameters";
export { JsonValue, JsonKind, JsonWriter, parseJson, parseError, formatF64 } from "./json";
export { parseCbor } from "./cbor";
export { sortedKeys, compareCodePoints, quote } from "./text";
export { log, LogLevel, write as writeLog } from "./log";
