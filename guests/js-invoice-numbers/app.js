// Unbroken invoice numbers: a decider of the `database-decider` world that gives each new
// invoice the number after the last one, with no gap and no number given twice, however many
// invoices are created at once (the Dynamic Consistency Boundary example).
//
// {"type": "create-invoice", "invoice": "i-abc", "amount": 100} reads the last
// `invoice.created` event, emits `invoice.created` with the next number, and appends it under
// its own condition: fail if an `invoice.created` event was appended after the revision it
// read at. Of two concurrent creations, one is appended and the other gets a `Conflict` and is
// decided again on the log that now holds the first.

import { Refusal, databaseDecider } from 'evident';

const CREATED = 'invoice.created';

/** Every invoice.created event: what the number depends on, and what the condition guards. */
const INVOICES = { items: [{ types: [CREATED] }] };

/** How many events one read asks for. */
const PAGE = 1000;

export const decider = databaseDecider({
  decide(database, command) {
    const { invoice, amount } = check(command);
    const revision = database.revision();
    // The last invoice.created event, read page by page to the revision. This reads every
    // invoice ever created; a view holding the last number (`database.viewState`) is what
    // scales (see README.md). Only an empty page, or one that reaches the revision, ends the
    // reading: the host may return fewer events than asked before it (its caps on a read's
    // events and bytes).
    let last;
    for (let after = 0; after < revision || last === undefined; ) {
      const page = database.queryEvents(INVOICES, after, PAGE);
      if (page.length === 0) {
        break;
      }
      last = page[page.length - 1];
      after = last.position;
    }
    const number = last === undefined ? 1 : numberOf(last) + 1;
    return {
      events: [
        {
          id: invoice,
          source: '/invoices',
          type: CREATED,
          extensions: { invoice },
          json: { invoice, number, amount },
        },
      ],
      condition: { failIfEventsMatch: INVOICES, after: revision },
    };
  },
});

/** The command's invoice and amount, or a `validation` refusal. */
function check(command) {
  if (command === null || typeof command !== 'object' || command.type !== 'create-invoice') {
    throw new Refusal('validation', 'the command is {"type": "create-invoice", "invoice": ..., "amount": ...}');
  }
  const { invoice, amount } = command;
  if (typeof invoice !== 'string' || invoice === '') {
    throw new Refusal('validation', 'invoice must be a non-empty string');
  }
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    throw new Refusal('validation', 'amount must be a positive number');
  }
  return { invoice, amount };
}

/** The number of the invoice a stored invoice.created event created. */
function numberOf({ position, event }) {
  const { number } = event.json();
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new Error(`the invoice.created event at position ${position} has no invoice number`);
  }
  return number;
}
