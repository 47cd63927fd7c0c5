"""The codes of the refusals the SDK makes itself (the same strings as the Rust SDK's), so callers
match on them whatever language a component is written in."""

#: The state does not decode as this view's or change's state, or is in another format.
INVALID_STATE = "invalid-state"
#: The state cannot be encoded.
UNENCODABLE_STATE = "unencodable-state"
#: The event frame the host sent is malformed.
INVALID_FRAME = "invalid-frame"
#: An event is malformed: one that arrived alone (its `time`, its extensions), or one a change
#: emitted that is not a valid CloudEvent.
INVALID_EVENT = "invalid-event"
#: The command bytes do not decode.
INVALID_COMMAND = "invalid-command"
#: The command is neither JSON nor CBOR.
UNSUPPORTED_CONTENT_TYPE = "unsupported-content-type"
#: A parameter's value does not parse as the type asked for.
INVALID_PARAMETER = "invalid-parameter"
