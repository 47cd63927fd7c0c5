"""State views: fold events into a state.

Write a view as a class whose instances are the state:

    class Totals(evident.StateView):
        def __init__(self):
            self.count = 0

        @classmethod
        def initialize(cls, parameters):
            return cls()

        def reduce(self, event, parameters):
            self.count += 1

`initialize` makes the state before any event (by default `cls()`); `reduce` applies one event
by changing `self`, or refuses by raising `evident.Refusal`. Any other exception `reduce` raises
is reported as a refusal without a code naming it. If `reduce` fails the host keeps the state
from before the event, so a `reduce` that changed `self` before failing does no harm.
"""

from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Type, TypeVar

from . import host
from .errors import Refusal, as_refusal, traceback_text
from .frame import EventFailed, FrameError, apply
from .frame import encode as encode_frame
from .parameters import Parameters
from .records import State
from .event import Event
from .stored import Stored, decode, encode

if TYPE_CHECKING:
    from typing_extensions import Self

_V = TypeVar("_V", bound="StateView")


class StateView(Stored):
    """A state view; subclass it (see the module's documentation)."""

    @classmethod
    def initialize(cls, parameters: Parameters) -> "Self":
        """The state before any event; by default `cls()`."""
        return cls()

    def reduce(self, event: Event, parameters: Parameters) -> None:
        """Applies one event to `self`."""
        raise NotImplementedError(f"{type(self).__name__} does not define reduce(self, event, parameters)")


def load(view: Type[_V], state: State, parameters: Any) -> _V:
    """The view's state object from a stored state ("no state yet" starts from `initialize`)."""
    parameters = Parameters.of(parameters)
    return decode(view, state, lambda: view.initialize(parameters), "view")


def initialize(view: "Type[StateView]", parameters: Any = None) -> State:
    """Runs `initialize` and stores its state: what the component's `initialize` does."""
    return encode(view.initialize(Parameters.of(parameters)))


def reduce(view: "Type[StateView]", state: State, event: Event, parameters: Any = None) -> State:
    """Loads the state, applies one event and stores the result: what the component's `reduce`
    does, one call per event."""
    parameters = Parameters.of(parameters)
    current = load(view, state, parameters)
    current.reduce(event, parameters)
    return encode(current)


def fold(view: Type[_V], events: Iterable[Event], parameters: Any = None, state: Optional[State] = None) -> _V:
    """The state object after `events`, applied in order from `state` (default "no state yet"):
    a fold as the host does it, in one frame."""
    resident = Resident(view, State() if state is None else state, parameters)
    resident.apply(encode_frame(events))
    return resident.view  # type: ignore[return-value]


class BatchFailure(Refusal):
    """Why applying a frame stopped: the position in the frame of the event that failed, and its
    refusal (whose code, message and details this refusal has too)."""

    def __init__(self, index: int, refusal: Refusal) -> None:
        super().__init__(refusal.code, refusal.message, refusal.details)
        self.index = index
        self.refusal = refusal

    def __repr__(self) -> str:
        return f"BatchFailure({self.index}, {self.refusal!r})"


class Resident:
    """A view's state decoded once and kept while frames of events are applied to it, then
    stored once: what the component's `state-view-batch` does.

    After an event fails, the state object may be half changed, so the resident refuses further
    use until it is loaded again.
    """

    def __init__(self, view: "Type[StateView]", state: State, parameters: Any = None) -> None:
        self.parameters = Parameters.of(parameters)
        self.view = load(view, state, self.parameters)
        self.failed = False

    def apply(self, frame: Any, begin: Optional[Callable[[], Any]] = None) -> int:
        """Applies every event of `frame` in order, calling `begin()` (the host's
        `frame-progress`) before each; returns how many. Raises `BatchFailure`."""
        if self.failed:
            raise BatchFailure(0, Refusal(None, "an earlier event failed; load the state again"))
        try:
            return apply(frame, self.view.reduce, self.parameters, begin)
        except FrameError as error:
            self.failed = True
            raise BatchFailure(error.index, error) from None  # type: ignore[arg-type]
        except EventFailed as failed:
            self.failed = True
            error = failed.error  # type: ignore[misc]
            if not isinstance(error, Refusal):  # type: ignore[misc]
                host.log("debug", "reduce raised:\n" + traceback_text(error))
            raise BatchFailure(failed.index, as_refusal(error)) from None  # type: ignore[misc]

    def save(self) -> State:
        """Stores the state as it stands."""
        if self.failed:
            raise Refusal(None, "an event failed; the state is not saved")
        return encode(self.view)
