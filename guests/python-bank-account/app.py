"""A bank account as a decider, in Python on the Evident Python SDK: a state change for open,
deposit and withdraw commands, and the state view that folds the events it emits back into the
state it decides on. It emits exactly the events of guests/bank-account (Rust) and refuses with
the same codes; its CBOR state has the same fields.

Commands are JSON or CBOR objects tagged by `type`: `{"type":"open","account_id":"a1",
"owner":"Ann"}`, `{"type":"deposit","amount":100}`, `{"type":"withdraw","amount":30}`.
Refusals: `account-not-open`, `account-already-open`, `invalid-account-id`, `invalid-amount`,
`insufficient-funds` (details `{"balance":..,"requested":..}` as JSON), `balance-overflow`,
`unknown-command`, and `invalid-command` for a command whose fields are missing or of the wrong
type. Events come from the `source` parameter, or `/accounts/<id>`.
"""

from typing import Any, Optional, TypeVar

import evident

T = TypeVar("T")

OPENED = "bank.account.opened"
DEPOSITED = "bank.account.deposited"
WITHDRAWN = "bank.account.withdrawn"

#: Amounts and balances are unsigned 64-bit minor units (cents), as in the Rust account.
MAX_AMOUNT = (1 << 64) - 1


class BankAccount(evident.StateView, evident.StateChange):
    """An account as the events so far leave it; the next event's id ends in `version + 1`."""

    codec = evident.Cbor

    def __init__(self, account_id: Optional[str] = None, owner: str = "", balance: int = 0, version: int = 0) -> None:
        self.account_id = account_id
        self.owner = owner
        self.balance = balance
        self.version = version

    @classmethod
    def from_value(cls, value: Any) -> "BankAccount":
        if not isinstance(value, dict):
            raise ValueError("expected a map")
        account = cls(**{name: value[name] for name in ("account_id", "owner", "balance", "version") if name in value})
        if account.account_id is not None and not isinstance(account.account_id, str):
            raise ValueError("account_id is not text")
        if not isinstance(account.owner, str):
            raise ValueError("owner is not text")
        if not (_is_amount(account.balance) and _is_amount(account.version)):
            raise ValueError("balance and version are unsigned integers")
        return account

    def to_value(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "owner": self.owner, "balance": self.balance, "version": self.version}

    def process(self, command: Any, parameters: evident.Parameters) -> list[evident.Event]:
        kind = _kind(command)
        if kind == "open":
            account_id = _field(command, "account_id", str)
            owner = _field(command, "owner", str)
            if self.account_id is not None:
                raise evident.Refusal("account-already-open", f"account {self.account_id} is already open")
            if not account_id:
                raise evident.Refusal("invalid-account-id", "the account id is empty")
            event = self._event(account_id, OPENED, parameters, {"account_id": account_id, "owner": owner})
        elif kind == "deposit":
            amount = _amount(command)
            account_id = self._open_account()
            _positive(amount)
            balance = self.balance + amount
            if balance > MAX_AMOUNT:
                raise evident.Refusal("balance-overflow", f"depositing {amount} would overflow the balance")
            event = self._event(account_id, DEPOSITED, parameters, {"amount": amount, "balance": balance})
        elif kind == "withdraw":
            amount = _amount(command)
            account_id = self._open_account()
            _positive(amount)
            if amount > self.balance:
                raise evident.Refusal(
                    "insufficient-funds",
                    f"cannot withdraw {amount} from a balance of {self.balance}",
                    details={"balance": self.balance, "requested": amount},
                )
            event = self._event(account_id, WITHDRAWN, parameters, {"amount": amount, "balance": self.balance - amount})
        else:
            raise evident.Refusal("unknown-command", "the command's type is not open, deposit or withdraw")
        evident.debug(f"{event.id} -> {event.type}")
        return [event]

    def reduce(self, event: evident.Event, parameters: evident.Parameters) -> None:
        if event.type == OPENED:
            opened = event.data_json()
            self.account_id = _required(opened, "account_id", str)
            self.owner = _required(opened, "owner", str)
        elif event.type in (DEPOSITED, WITHDRAWN):
            movement = event.data_json()
            _required(movement, "amount", int)
            self.balance = _required(movement, "balance", int)
        else:
            raise evident.Refusal("not-a-bank-event", f"event {event.id} is not a bank account event: {event.type}")
        self.version += 1

    def _open_account(self) -> str:
        if self.account_id is None:
            raise evident.Refusal("account-not-open", "open the account first")
        return self.account_id

    def _event(
        self, account_id: str, event_type: str, parameters: evident.Parameters, data: dict[str, Any]
    ) -> evident.Event:
        source = parameters.get("source", f"/accounts/{account_id}")
        return evident.Event(f"{account_id}-{self.version + 1}", source, event_type, subject=account_id, json=data)


def _is_amount(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_AMOUNT


def _kind(command: Any) -> str:
    """The command's `type` (as the Rust account's tagged enum reads it)."""
    if not isinstance(command, dict):
        raise evident.Refusal("invalid-command", "cannot decode the command: expected a map with a `type`")
    if "type" not in command:
        raise evident.Refusal("invalid-command", "cannot decode the command: missing field `type`")
    kind = command["type"]
    if not isinstance(kind, str):
        raise evident.Refusal("invalid-command", "cannot decode the command: `type` is not text")
    return kind


def _field(command: dict[str, Any], name: str, kind: type[T]) -> T:
    """A command field, refused as `invalid-command` when missing or of another type."""
    if name not in command:
        raise evident.Refusal("invalid-command", f"cannot decode the command: missing field `{name}`")
    value = command[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise evident.Refusal("invalid-command", f"cannot decode the command: `{name}` has the wrong type")
    return value


def _amount(command: dict[str, Any]) -> int:
    amount = _field(command, "amount", int)
    if not 0 <= amount <= MAX_AMOUNT:
        raise evident.Refusal("invalid-command", "cannot decode the command: `amount` is not an unsigned 64-bit integer")
    return amount


def _positive(amount: int) -> None:
    if amount == 0:
        raise evident.Refusal("invalid-amount", "the amount must be positive")


def _required(data: Any, name: str, kind: type[T]) -> T:
    """An event data field, refused (without a code, as a decoding error) when missing."""
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise evident.Refusal(None, f"attribute `data` is not the JSON expected: missing or invalid field `{name}`")
    return value


StateView, StateViewBatch, StateChange = evident.export_decider(BankAccount)
