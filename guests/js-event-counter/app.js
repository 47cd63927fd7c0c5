// The event counter in JavaScript: the same state, byte for byte, as guests/event-counter
// (Rust). Built with componentize-js against the `state-view-basic` world of evident:db@0.2.0;
// the host runs it with every WASI capability denied.

import { log } from 'evident:db/logging@0.3.0';

const JSON_TYPE = 'application/json';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function counts(state) {
  if (!state.contentType && state.bytes.length === 0) {
    return { byType: {}, total: 0 };
  }
  if (state.contentType !== JSON_TYPE) {
    throw `the state is ${JSON.stringify(state.contentType)} but this view stores "${JSON_TYPE}"`;
  }
  const value = JSON.parse(decoder.decode(state.bytes));
  return { byType: value.by_type, total: value.total };
}

function encode({ byType, total }) {
  // Keys in byte order, as the Rust counter's BTreeMap writes them.
  const sorted = {};
  for (const key of Object.keys(byType).sort()) {
    sorted[key] = byType[key];
  }
  const text = JSON.stringify({ by_type: sorted, total });
  return { contentType: JSON_TYPE, schemaId: undefined, bytes: encoder.encode(text) };
}

function flag(parameters, name) {
  const value = parameters.get(name) ?? 'false';
  if (value !== 'true' && value !== 'false') {
    throw `parameter "${name}" is "${value}", not true or false`;
  }
  return value === 'true';
}

export const stateView = {
  initialize(parameters) {
    const prefix = new Map(parameters).get('prefix');
    if (prefix !== undefined) {
      log('info', `counting events whose type starts with "${prefix}"`);
    }
    return encode({ byType: {}, total: 0 });
  },

  reduce(state, event, parameters) {
    const params = new Map(parameters);
    if (flag(params, 'require-data') && event.data === undefined) {
      throw `event ${event.id} has no data`;
    }
    const value = counts(state);
    const prefix = params.get('prefix');
    if (prefix === undefined || event.type.startsWith(prefix)) {
      value.total += 1;
      value.byType[event.type] = (value.byType[event.type] ?? 0) + 1;
    }
    return encode(value);
  },
};
