"""Write Evident state views and state changes as plain Python classes.

A view is a class whose instances are the state, with `initialize(parameters)` (a classmethod
making the state before any event) and `reduce(self, event, parameters)` (applying one event);
a change is such a class with `process(self, command, parameters)` returning the events a
command causes, and `validate(self, command)`. The SDK stores the state with a codec (`Json` or
`Cbor`), decodes events (from frames, for folds) into `Event` objects, routes `info(...)` and
its siblings to the host's log, and turns `Refusal(code, message, details)` into the refusal the
host reports. `app.py` exports the class with `export_view`, `export_change` or
`export_decider`.

    import evident

    class Seen(evident.StateView):
        def __init__(self):
            self.count = 0

        def reduce(self, event, parameters):
            self.count += 1

    StateView, StateViewBatch = evident.export_view(Seen)

Natively the same classes run through `evident.view.reduce`, `evident.view.fold`,
`evident.change.process` and the exported classes themselves, which is how a guest is tested
without building it.
"""

from . import cbor, codes, component, frame, host, stored
from . import change, view
from .change import StateChange
from .codec import Cbor, CodecError, Json
from .component import export_change, export_decider, export_view
from .errors import Refusal
from .event import Event
from .log import debug, error, info, log, trace, warn
from .parameters import Parameters
from .records import Command, State
from .view import StateView

__version__ = "0.1.0"

__all__ = [
    "Cbor", "CodecError", "Command", "Event", "Json", "Parameters", "Refusal", "State",
    "StateChange", "StateView", "cbor", "change", "codes", "component", "debug", "error",
    "export_change", "export_decider", "export_view", "frame", "host", "info", "log", "stored", "trace",
    "view", "warn",
]
