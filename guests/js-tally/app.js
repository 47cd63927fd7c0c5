// A state change in JavaScript: `{"type": "add", "amount": n}` adds to a tally and emits
// `tally.added`; the same events, byte for byte, as guests/python-tally.

const JSON_TYPE = 'application/json';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function refusal(code, message) {
  return { code, message, details: undefined };
}

function total(state) {
  if (!state.contentType && state.bytes.length === 0) {
    return 0;
  }
  return JSON.parse(decoder.decode(state.bytes)).total;
}

function check(command) {
  if (command.contentType !== JSON_TYPE) {
    throw refusal('unsupported-format', `commands are ${JSON_TYPE}, not ${command.contentType}`);
  }
  const body = JSON.parse(decoder.decode(command.bytes));
  if (body.type !== 'add') {
    throw refusal('unknown-command', `unknown command '${body.type}'`);
  }
  if (!Number.isInteger(body.amount) || body.amount <= 0) {
    throw refusal('invalid-amount', 'amount must be a positive integer');
  }
  return body.amount;
}

export const stateChange = {
  process(state, command, parameters) {
    const amount = check(command);
    const after = total(state) + amount;
    return [
      {
        id: `tally-${after}`,
        source: new Map(parameters).get('source') ?? '/tally',
        specVersion: '1.0',
        type: 'tally.added',
        datacontenttype: JSON_TYPE,
        dataschema: undefined,
        subject: undefined,
        time: undefined,
        data: encoder.encode(JSON.stringify({ amount, total: after })),
        extensions: [],
      },
    ];
  },

  validate(state, command) {
    try {
      check(command);
      return true;
    } catch {
      return false;
    }
  },
};
