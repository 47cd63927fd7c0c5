// The bodies of a change's exports (`state-change`): arguments read from where the canonical ABI
// puts them, results written where it expects them.

import {
  RETURN_AREA, resultBuffer, storeOptionalBytes, storeOptionalString, storeString,
} from "./abi";
import { parseCborAt } from "./cbor";
import { theChange } from "./change";
import { Event } from "./event";
import { GuestError, changeCodes } from "./errors";
import { JsonValue, parseError, parseJsonAt } from "./json";
import { readParameters } from "./abi";
import { refusedChange } from "./refusal";
import { decodeUtf8, quote } from "./text";
import { eventProblem } from "./validate";

const JSON_TYPE = "application/json";
const CBOR_TYPE = "application/cbor";

/** The command decoded by its content type, or the refusal (in `commandError`). */
let commandError: GuestError | null = null;

function decodeCommand(contentType: string, bytes: usize, length: usize): JsonValue | null {
  commandError = null;
  const semicolon = contentType.indexOf(";");
  const essence = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase();
  let format: string;
  let value: JsonValue | null;
  if (essence == JSON_TYPE) {
    format = JSON_TYPE;
    value = parseJsonAt(bytes, length);
  } else if (essence == CBOR_TYPE) {
    format = CBOR_TYPE;
    value = parseCborAt(bytes, length);
  } else {
    commandError = new GuestError(
      changeCodes.UNSUPPORTED_CONTENT_TYPE,
      `cannot decode the command: content type ${quote(contentType)} is not supported (use ${JSON_TYPE} or ${CBOR_TYPE})`,
    );
    return null;
  }
  if (value == null) {
    commandError = new GuestError(
      changeCodes.INVALID_COMMAND,
      "cannot decode the command: " + format + ": " + parseError(),
    );
  }
  return value;
}

/** Writes `result<list<event>, error>`'s `err`. */
function errorResult(error: GuestError): usize {
  const ret = RETURN_AREA;
  store<u8>(ret, 1);
  storeString(ret + 4, error.code);
  storeString(ret + 12, error.message);
  storeOptionalBytes(ret + 20, error.details);
  return ret;
}

/** Lowers one event into the 100-byte `types.event` record at `at`. */
function storeEvent(at: usize, event: Event): void {
  storeString(at, event.id);
  storeString(at + 8, event.source);
  storeString(at + 16, event.specversion);
  storeString(at + 24, event.type);
  storeOptionalString(at + 32, event.datacontenttype);
  storeOptionalString(at + 44, event.dataschema);
  storeOptionalString(at + 56, event.subject);
  const time = event.time;
  storeOptionalString(at + 68, time == null ? null : time.toString());
  storeOptionalBytes(at + 80, event.data);
  // Extensions sorted by name, as the Rust SDK's map emits them.
  const extensions = event.extensions;
  const count = extensions.length;
  const order = new Array<i32>(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = 1; i < count; i++) {
    const moving = order[i];
    let j = i - 1;
    while (j >= 0 && compareNames(extensions.nameAt(order[j]), extensions.nameAt(moving)) > 0) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = moving;
  }
  const pairs: usize = count == 0 ? 0 : resultBuffer(count * 16);
  for (let i = 0; i < count; i++) {
    storeString(pairs + i * 16, extensions.nameAt(order[i]));
    storeString(pairs + i * 16 + 8, extensions.valueAt(order[i]));
  }
  store<u32>(at + 92, pairs);
  store<u32>(at + 96, count);
}

function compareNames(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `state-change.process(state, command, parameters) -> result<list<event>, error>`. */
export function process(
  stateType: usize, stateTypeLength: usize,
  _hasStateSchema: u32, _stateSchema: usize, _stateSchemaLength: usize,
  state: usize, stateLength: usize,
  commandType: usize, commandTypeLength: usize,
  _hasCommandSchema: u32, _commandSchema: usize, _commandSchemaLength: usize,
  command: usize, commandLength: usize,
  parameters: usize, count: usize,
): usize {
  const change = theChange();
  const problem = change.__decode(decodeUtf8(stateType, stateTypeLength), state, stateLength);
  if (problem != null) return errorResult(problem);
  const decoded = decodeCommand(decodeUtf8(commandType, commandTypeLength), command, commandLength);
  if (decoded == null) return errorResult(commandError!);
  const events: Event[] = [];
  const refusal = change.__process(decoded, readParameters(parameters, count), events);
  if (refusal != null) return errorResult(refusal);
  for (let i = 0; i < events.length; i++) {
    const invalid = eventProblem(events[i]);
    if (invalid != null) {
      return errorResult(new GuestError(
        changeCodes.INVALID_EVENT,
        `event ${i} (id ${quote(events[i].id)}) is not a valid CloudEvent: ${invalid}`,
      ));
    }
  }
  const records: usize = events.length == 0 ? 0 : resultBuffer(events.length * 100);
  for (let i = 0; i < events.length; i++) storeEvent(records + i * 100, events[i]);
  const ret = RETURN_AREA;
  store<u8>(ret, 0);
  store<u32>(ret, records, 4);
  store<u32>(ret, events.length, 8);
  return ret;
}

/** `state-change.validate(state, command) -> result<bool, string>`. */
export function validate(
  stateType: usize, stateTypeLength: usize,
  _hasStateSchema: u32, _stateSchema: usize, _stateSchemaLength: usize,
  state: usize, stateLength: usize,
  commandType: usize, commandTypeLength: usize,
  _hasCommandSchema: u32, _commandSchema: usize, _commandSchemaLength: usize,
  command: usize, commandLength: usize,
): usize {
  const change = theChange();
  const ret = RETURN_AREA;
  const problem = change.__decode(decodeUtf8(stateType, stateTypeLength), state, stateLength);
  if (problem != null) {
    store<u8>(ret, 1);
    storeString(ret + 4, refusedChange(problem));
    return ret;
  }
  const decoded = decodeCommand(decodeUtf8(commandType, commandTypeLength), command, commandLength);
  store<u8>(ret, 0);
  store<u8>(ret + 4, decoded != null && change.__validate(decoded) ? 1 : 0);
  return ret;
}
