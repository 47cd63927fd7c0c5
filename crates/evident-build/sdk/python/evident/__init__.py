"""Write Evident state views, state changes and deciders as plain Python classes.

A view is a class whose instances are the state, with `initialize(parameters)` (a classmethod
making the state before any event) and `reduce(self, event, parameters)` (applying one event);
a change is such a class with `process(self, command, parameters)` returning the events a
command causes, and `validate(self, command)`. The SDK stores the state with a codec (`Json` or
`Cbor`), decodes events (from frames, for folds) into `Event` objects, routes `info(...)` and
its siblings to the host's log, and turns `Refusal(code, message, details)` into the refusal the
host reports. `app.py` exports the class with `export_view`, `export_change` or
`export_decider`.

A decider of the `database-decider` world (`evident:db@0.4.0`) is a `DatabaseDecider` whose
`decide(self, database, command, parameters)` reads an `evident.Database` (the log through
`query_events` with `Query`s, the materialized views through `view_state`) and returns the events
to append, or a `Decision` with an `AppendCondition`; `app.py` exports it with
`export_database_decider`, and `evident.testing.InMemoryDatabase` runs it natively.

    import evident

    class Seen(evident.StateView):
        def __init__(self):
            self.count = 0

        def reduce(self, event, parameters):
            self.count += 1

    StateView, StateViewBatch = evident.export_view(Seen)

Natively the same classes run through `evident.view.reduce`, `evident.view.fold`,
`evident.change.process`, `evident.decider.decide` and the exported classes themselves, which
is how a guest is tested without building it.
"""

from . import cbor, codes, component, frame, host, stored
from . import change, database, decider, view
from .change import StateChange
from .codec import Cbor, CodecError, Json
from .component import export_change, export_database_decider, export_decider, export_view
from .database import Database, Query, QueryItem, StoredEvent, Tag
from .decider import AppendCondition, DatabaseDecider, Decision
from .errors import Refusal
from .event import Event
from .log import debug, error, info, log, trace, warn
from .parameters import Parameters
from .records import Command, State
from .view import StateView

__version__ = "0.5.0"

__all__ = [
    "AppendCondition", "Cbor", "CodecError", "Command", "Database", "DatabaseDecider", "Decision",
    "Event", "Json", "Parameters", "Query", "QueryItem", "Refusal", "State", "StateChange",
    "StateView", "StoredEvent", "Tag", "cbor", "change", "codes", "component", "database",
    "debug", "decider", "error", "export_change", "export_database_decider", "export_decider",
    "export_view", "frame", "host", "info", "log", "stored", "trace", "view", "warn",
]
