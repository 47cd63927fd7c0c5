"""The component glue: the classes componentize-py exports, made from an author's view or change.

`app.py` ends with one of

    StateView, StateViewBatch = evident.export_view(Counts)                 # state-view-component
    StateChange = evident.export_change(Tally)                              # state-change-component
    StateView, StateViewBatch, StateChange = evident.export_decider(Account) # decider-component
    Decider = evident.export_database_decider(Subscriptions)                 # database-decider

(a `state-view-basic` guest needs only `StateView`). This is the only module that touches
componentize-py's generated bindings (`wit_world`, `componentize_py_types`), and only when an
export function runs; natively it uses stand-ins with the same fields, so the exported classes
can be called in tests too.
"""

from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple, Type

from . import change as _change, decider as _decider, host, view as _view
from .database import Database, NativeQuery, NativeRecords
from .errors import Refusal, as_refusal, traceback_text
from .event import from_record
from .parameters import Parameters
from .records import Command, State

#: What `apply-events` and `save-state` say before any `load-state`.
NOT_LOADED = "no state is loaded: call load-state first"


class NativeErr(Exception):
    """Natively, what componentize-py's `Err` is in a component: an export's error result."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


@dataclass
class NativeEvent:
    """Natively, the WIT `event` record."""

    id: str
    source: str
    spec_version: str
    type: str
    datacontenttype: Optional[str] = None
    dataschema: Optional[str] = None
    subject: Optional[str] = None
    time: Optional[str] = None
    data: Optional[bytes] = None
    extensions: Sequence[Tuple[str, str]] = ()


@dataclass
class NativeError:
    """Natively, the WIT `error` record."""

    code: Optional[str]
    message: str
    details: Optional[bytes] = None


@dataclass
class NativeAppendCondition:
    """Natively, the WIT `append-condition` record."""

    fail_if_events_match: NativeQuery
    after: Optional[int] = None


@dataclass
class NativeDecision:
    """Natively, the WIT `decision` record."""

    events: List[NativeEvent]
    condition: Optional[NativeAppendCondition] = None


@dataclass
class NativeBatchError:
    """Natively, the WIT `batch-error` record."""

    index: int
    message: str


class _Bindings:
    """The generated record types and `Err` (stand-ins natively), with the host's imports
    connected to `evident.host`."""

    def __init__(self) -> None:
        try:
            from componentize_py_types import Err  # type: ignore[import-not-found]
        except ImportError:
            Err = NativeErr
        try:
            from wit_world.imports import types  # type: ignore[import-not-found]
        except ImportError:
            types = None
        self.Err = Err
        self.State = State if types is None else types.State
        self.Event = NativeEvent if types is None else types.Event
        self.Error = NativeError if types is None else types.Error
        self.BatchError: Any = NativeBatchError
        if types is not None:
            try:
                from wit_world.exports.state_view_batch import BatchError  # type: ignore[import-not-found]
            except ImportError:
                pass
            else:
                self.BatchError = BatchError
        host.connect(log=_log_import(), begin=_begin_import(), refuse=_refuse_import(self.Error))

    def state(self, state: State) -> Any:
        return self.State(content_type=state.content_type, schema_id=None, bytes=state.bytes)

    def event(self, event: Any) -> Any:
        return event_record(event, self.Event)


def event_record(event: Any, record: Any = NativeEvent) -> Any:
    """An `evident.Event` as the WIT `event` record, made with the class `record`."""
    return record(
        id=event.id,
        source=event.source,
        spec_version=event.specversion,
        type=event.type,
        datacontenttype=event.datacontenttype,
        dataschema=event.dataschema,
        subject=event.subject,
        time=event.time_text,
        data=event.data,
        extensions=list(event.extensions.items()),
    )


def _log_import() -> Optional[Callable[[str, str], None]]:
    try:
        from wit_world.imports import logging
    except ImportError:
        return None
    levels = {
        "error": logging.LogLevel.ERROR,
        "warn": logging.LogLevel.WARN,
        "info": logging.LogLevel.INFO,
        "debug": logging.LogLevel.DEBUG,
        "trace": logging.LogLevel.TRACE,
    }
    log = logging.log
    return lambda level, message: log(levels[level], message)


def _begin_import() -> Optional[Callable[[], None]]:
    try:
        from wit_world.imports import frame_progress
    except ImportError:
        return None
    return frame_progress.begin_event  # type: ignore[no-any-return]


def _refuse_import(error: Any) -> Optional[Callable[[Any], None]]:
    try:
        from wit_world.imports import refusal
    except ImportError:
        return None
    refuse = refusal.refuse
    return lambda r: refuse(error(code=r.code, message=r.message, details=r.details))


def _state_in(state: Any) -> State:
    return State(state.content_type, bytes(state.bytes))


def _command_in(command: Any) -> Command:
    return Command(command.content_type, bytes(command.bytes))


#: A WIT `event` as an `evident.Event` (see `evident.event.from_record`).
_event_in = from_record


def _refused(error: BaseException) -> str:
    """A view's error as an export returns it: the bare message, its code given to the host
    first."""
    refusal = as_refusal(error)
    if refusal is not error:
        host.log("debug", "the view raised:\n" + traceback_text(error))
    host.refuse(refusal)
    return refusal.message


def export_view(view: Type[_view.StateView]) -> Tuple[Type[Any], Type[Any]]:
    """The `StateView` and `StateViewBatch` classes that export the view class `view`."""
    wit = _Bindings()
    Err = wit.Err
    resident: List[Optional[_view.Resident]] = [None]

    class StateView:
        """`state-view`: one call per event."""

        def initialize(self, parameters: Any) -> Any:
            try:
                return wit.state(_view.initialize(view, Parameters(parameters)))
            except Exception as error:
                raise Err(_refused(error)) from None

        def reduce(self, state: Any, event: Any, parameters: Any) -> Any:
            try:
                state = _view.reduce(view, _state_in(state), _event_in(event), Parameters(parameters))
                return wit.state(state)
            except Exception as error:
                raise Err(_refused(error)) from None

    class StateViewBatch:
        """`state-view-batch`: the state kept in the instance, events in frames."""

        def load_state(self, state: Any, parameters: Any) -> None:
            resident[0] = None
            try:
                resident[0] = _view.Resident(view, _state_in(state), Parameters(parameters))
            except Exception as error:
                raise Err(_refused(error)) from None

        def apply_events(self, events: Any) -> None:
            kept = resident[0]
            if kept is None:
                raise Err(wit.BatchError(index=0, message=NOT_LOADED))
            try:
                kept.apply(events, host.begin_event)
            except _view.BatchFailure as failure:
                host.refuse(failure.refusal)
                index = min(failure.index, 0xFFFFFFFF)
                raise Err(wit.BatchError(index=index, message=failure.refusal.message)) from None

        def save_state(self) -> Any:
            kept = resident[0]
            if kept is None:
                raise Err(NOT_LOADED)
            try:
                return wit.state(kept.save())
            except Exception as error:
                raise Err(_refused(error)) from None

    return StateView, StateViewBatch


def export_change(change: Type[_change.StateChange]) -> Type[Any]:
    """The `StateChange` class that exports the change class `change`."""
    wit = _Bindings()
    Err = wit.Err

    class StateChange:
        """`state-change`: commands to events."""

        def process(self, state: Any, command: Any, parameters: Any) -> List[Any]:
            try:
                events = _change.process(
                    change, _state_in(state), _command_in(command), Parameters(parameters)
                )
            except Refusal as refusal:
                error = wit.Error(code=refusal.code, message=refusal.message, details=refusal.details)
                raise Err(error) from None
            return [wit.event(event) for event in events]

        def validate(self, state: Any, command: Any) -> bool:
            try:
                return _change.validate(change, _state_in(state), _command_in(command))
            except Refusal as refusal:
                host.refuse(refusal)
                raise Err(refusal.message) from None

    return StateChange


def export_decider(decider: Type[Any]) -> Tuple[Type[Any], Type[Any], Type[Any]]:
    """The `StateView`, `StateViewBatch` and `StateChange` classes that export a class that is
    both a view and a change."""
    return (*export_view(decider), export_change(decider))


class _DatabaseRecords(NativeRecords):
    """The record classes of the `database` and `decider` interfaces: the generated ones in a
    component, stand-ins natively."""

    Decision = NativeDecision
    AppendCondition = NativeAppendCondition


def _database_records() -> Any:
    try:
        import componentize_py_types  # noqa: F401 (only there in a component)
    except ImportError:
        return _DatabaseRecords
    try:
        from wit_world.exports import decider  # type: ignore[import-not-found]
        from wit_world.imports import database
    except ImportError:
        raise ImportError(
            "export_database_decider needs the `database-decider` world: name it in guest.json"
        ) from None

    class Generated:
        Tag = database.Tag
        QueryItem = database.QueryItem
        Query = database.Query
        Decision = decider.Decision
        AppendCondition = decider.AppendCondition

    return Generated


#: The code of a decision that failed with an exception that is not a refusal.
INTERNAL = "internal"


def export_database_decider(decider: Any) -> Type[Any]:
    """The `Decider` class that exports `decider` (a `DatabaseDecider` class, or a function
    `decide(database, command, parameters)`) for the `database-decider` world."""
    wit = _Bindings()
    records = _database_records()
    Err = wit.Err

    def decision_record(decision: Any) -> Any:
        condition = decision.condition
        if condition is not None:
            condition = records.AppendCondition(
                fail_if_events_match=condition.fail_if_events_match.to_record(records),
                after=condition.after,
            )
        return records.Decision(events=[wit.event(event) for event in decision.events], condition=condition)

    class Decider:
        """`decider`: a command decided against the database."""

        def decide(self, database: Any, command: Any, parameters: Any) -> Any:
            # Natively a test may hand over an `evident.Database` (an in-memory one) itself.
            if not isinstance(database, Database):
                database = Database(database, records)
            try:
                decision = _decider.decide(decider, database, _command_in(command), Parameters(parameters))
            except Refusal as refusal:
                error = wit.Error(code=refusal.code, message=refusal.message, details=refusal.details)
                raise Err(error) from None
            except Exception as error:
                # A bug, not a decision: the host reports `internal` and the debug log says where.
                host.log("debug", "the decider raised:\n" + traceback_text(error))
                refusal = as_refusal(error)  # type: ignore[misc]
                raise Err(wit.Error(code=INTERNAL, message=refusal.message, details=None)) from None  # type: ignore[misc]
            return decision_record(decision)

    return Decider
