// The bodies of a view's exports (`state-view` and `state-view-batch`): arguments read from
// where the canonical ABI puts them, results written where it expects them.

import { RETURN_AREA, adopt, loadString, readParameters, storeBytes, storeString } from "./abi";
import { Event, FrameOffsets } from "./event";
import { ViewError, viewCodes } from "./errors";
import { FrameReader } from "./frame";
import { hostBeginEvent } from "./host";
import { Parameters } from "./parameters";
import { refusedView } from "./refusal";
import { decodeUtf8, encodeUtf8, quote } from "./text";
import { Time, parseTime, timeError } from "./time";
import { STATE_CONTENT_TYPE, theView } from "./view";

/** The content type of every state, as UTF-8, encoded once (a global: never freed). */
const STATE_TYPE_BYTES = encodeUtf8(STATE_CONTENT_TYPE);

/** Writes `result<state, string>`'s `ok`: a JSON state. */
function okState(bytes: Uint8Array): usize {
  const ret = RETURN_AREA;
  store<u8>(ret, 0);
  store<u32>(ret, changetype<usize>(STATE_TYPE_BYTES), 4);
  store<u32>(ret, STATE_TYPE_BYTES.byteLength, 8);
  store<u8>(ret + 12, 0); // no schema-id
  storeBytes(ret + 24, bytes);
  return ret;
}

/** Writes a `result<_, string>` or `result<state, string>`'s `err`, refusing with its code first. */
function err(error: ViewError): usize {
  const ret = RETURN_AREA;
  store<u8>(ret, 1);
  storeString(ret + 4, refusedView(error));
  return ret;
}

/** `state-view.initialize(parameters) -> result<state, string>`. */
export function initialize(parameters: usize, count: usize): usize {
  const view = theView();
  const error = view.__load(false, "", 0, 0, readParameters(parameters, count));
  if (error != null) return err(error);
  const bytes = view.__encode(false);
  view.__drop(false);
  return okState(bytes);
}

/** The bytes of the (pointer, length) pair at `at`: their length. */
// @ts-ignore: decorator
@inline
function lengthAt(at: usize): u32 {
  return load<u32>(at, 4);
}

/** Copies the string or bytes whose pair is at `at` into a frame at `out`, length first. */
function put(out: usize, at: usize): usize {
  const length = lengthAt(at);
  store<u32>(out, length);
  memory.copy(out + 4, load<u32>(at), length);
  return out + 4 + length;
}

/** Copies the `option<string>` or `option<list<u8>>` at `at` into a frame at `out`. */
function putOptional(out: usize, at: usize): usize {
  if (load<u8>(at) == 0) {
    store<u32>(out, 0xffffffff);
    return out + 4;
  }
  return put(out, at + 4);
}

/** Bytes an optional attribute at `at` takes in a frame. */
function optionalSize(at: usize): u32 {
  return load<u8>(at) == 0 ? 4 : 4 + lengthAt(at + 4);
}

const offsets = new FrameOffsets();

/**
 * `state-view.reduce(state, event, parameters) -> result<state, string>`: the arguments are in
 * memory at `args` (state at 0, event at 28, parameters at 128). The event is copied into a
 * one-event frame, so it is read (lazily) as a frame's events are.
 */
export function reduce(args: usize): usize {
  const view = theView();
  const parameters = readParameters(load<u32>(args, 128), load<u32>(args, 132));
  const at = args + 28;
  let time: Time | null = null;
  if (load<u8>(at + 68) != 0) {
    const text = loadString(at + 72);
    time = parseTime(text);
    if (time == null) {
      return err(ViewError.withCode(
        viewCodes.INVALID_EVENT,
        `event ${quote(loadString(at))} is not a valid CloudEvent: attribute \`time\` is ${quote(text)}, not an RFC 3339 timestamp (${timeError()})`,
      ));
    }
  }
  const pairs = <usize>load<u32>(at + 92);
  const count = load<u32>(at + 96);
  let size: u32 = 16 + lengthAt(at) + lengthAt(at + 8) + lengthAt(at + 16) + lengthAt(at + 24);
  size += optionalSize(at + 32) + optionalSize(at + 44) + optionalSize(at + 56);
  size += (time == null ? 1 : 17) + optionalSize(at + 80) + 4;
  for (let i: u32 = 0; i < count; i++) {
    const pair = pairs + <usize>i * 16;
    const nameLength = lengthAt(pair);
    for (let j: u32 = 0; j < i; j++) {
      const earlier = pairs + <usize>j * 16;
      if (lengthAt(earlier) == nameLength && memory.compare(load<u32>(earlier), load<u32>(pair), nameLength) == 0) {
        return err(ViewError.withCode(
          viewCodes.INVALID_EVENT,
          `event ${quote(loadString(at))} names extension \`${loadString(pair)}\` twice`,
        ));
      }
    }
    size += 8 + nameLength + lengthAt(pair + 8);
  }
  const frame = new ArrayBuffer(<i32>size);
  const base = changetype<usize>(frame);
  let out = base;
  offsets.id = <u32>(out - base);
  out = put(out, at);
  offsets.source = <u32>(out - base);
  out = put(out, at + 8);
  offsets.specversion = <u32>(out - base);
  out = put(out, at + 16);
  offsets.type = <u32>(out - base);
  out = put(out, at + 24);
  offsets.datacontenttype = <u32>(out - base);
  out = putOptional(out, at + 32);
  offsets.dataschema = <u32>(out - base);
  out = putOptional(out, at + 44);
  offsets.subject = <u32>(out - base);
  out = putOptional(out, at + 56);
  offsets.time = <u32>(out - base);
  if (time == null) {
    store<u8>(out, 0);
    out += 1;
  } else {
    store<u8>(out, 1);
    store<i64>(out + 1, time.seconds);
    store<u32>(out + 9, time.nanos);
    store<i32>(out + 13, time.offset);
    out += 17;
  }
  offsets.data = <u32>(out - base);
  out = putOptional(out, at + 80);
  offsets.extensions = <u32>(out - base);
  store<u32>(out, count);
  out += 4;
  for (let i: u32 = 0; i < count; i++) {
    out = put(out, pairs + <usize>i * 16);
    out = put(out, pairs + <usize>i * 16 + 8);
  }
  const event = Event.lent(frame, offsets);
  let error = view.__load(false, loadString(args), load<u32>(args, 20), load<u32>(args, 24), parameters);
  if (error == null) error = view.__apply(false, event, parameters);
  if (error != null) {
    view.__drop(false);
    return err(error);
  }
  const bytes = view.__encode(false);
  view.__drop(false);
  return okState(bytes);
}

/** The parameters the kept state's events are applied under. */
let batchParameters: Parameters = new Parameters();
/** Whether a state is kept (`load-state` succeeded). */
let loaded = false;
/** Whether an event failed since: the kept state may be half-changed. */
let failed = false;

const NOT_LOADED = "no state is loaded: call load-state first";

/** `state-view-batch.load-state(state, parameters) -> result<_, string>`. */
export function loadState(
  contentType: usize, contentTypeLength: usize,
  _hasSchema: u32, _schema: usize, _schemaLength: usize,
  bytes: usize, length: usize,
  parameters: usize, count: usize,
): usize {
  const view = theView();
  loaded = false;
  failed = false;
  view.__drop(true);
  const given = readParameters(parameters, count);
  const type = decodeUtf8(contentType, contentTypeLength);
  const error = view.__load(true, type, bytes, length, given);
  if (error != null) return err(error);
  batchParameters = given;
  loaded = true;
  store<u8>(RETURN_AREA, 0);
  return RETURN_AREA;
}

/** Writes `result<_, batch-error>`'s `err`, refusing with the error's code first. */
function batchErr(index: u32, error: ViewError): usize {
  const ret = RETURN_AREA;
  store<u8>(ret, 1);
  store<u32>(ret, index, 4);
  storeString(ret + 8, refusedView(error));
  return ret;
}

/**
 * `state-view-batch.apply-events(events) -> result<_, batch-error>`: each event of the frame in
 * order, `frame-progress.begin-event` called before each.
 */
export function applyEvents(frame: usize, length: usize): usize {
  const view = theView();
  if (!loaded) return batchErr(0, new ViewError(NOT_LOADED));
  if (failed) return batchErr(0, new ViewError("an earlier event failed; load the state again"));
  const events = new FrameReader(adopt(frame, length));
  let problem = events.error;
  if (problem != null) return batchErr(0, ViewError.withCode(viewCodes.INVALID_FRAME, problem));
  const parameters = batchParameters;
  while (true) {
    const index = events.index;
    if (events.remaining > 0) hostBeginEvent();
    const event = events.next();
    let error: ViewError | null = null;
    if (event != null) {
      error = view.__apply(true, event, parameters);
    } else {
      problem = events.error;
      if (problem == null) break;
      error = ViewError.withCode(viewCodes.INVALID_FRAME, problem);
    }
    if (error != null) {
      failed = true;
      return batchErr(index, error);
    }
  }
  store<u8>(RETURN_AREA, 0);
  return RETURN_AREA;
}

/** `state-view-batch.save-state() -> result<state, string>`: the kept state stays kept. */
export function saveState(): usize {
  const view = theView();
  if (!loaded) return err(new ViewError(NOT_LOADED));
  if (failed) return err(new ViewError("an event failed; the state is not saved"));
  return okState(view.__encode(true));
}
