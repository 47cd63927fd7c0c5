// {{name}}: a state change. A counter that can be incremented up to a limit.
#include <evident.hpp>

#include <cstdint>
#include <limits>
#include <string>

/// The state: the counter's value. It is stored as JSON between calls; "no state yet" is the
/// default-constructed Counter.
struct Counter {
    /// The current value.
    std::uint64_t value = 0;

    static evident::Result<Counter> from_json(const evident::Json &json) {
        auto value = json["value"].as_u64();
        if (!value) return evident::Error("`value` is missing or not a non-negative integer");
        return Counter{*value};
    }

    /// Commands, as JSON or CBOR: {"type": "increment", "by": 2}.
    evident::Status process(const evident::Json &command, const evident::Parameters &parameters,
                            evident::Events &out) const {
        auto limit = parameters.u64("limit", 100);
        if (!limit) return limit.error();
        auto type = command["type"].as_string();
        if (!type) return evident::Error("unknown-command", "the command has no type");
        if (*type != "increment") {
            return evident::Error("unknown-command", "unknown command " + evident::quoted(*type));
        }
        auto by = command["by"].as_u64();
        if (!by) return evident::Error("invalid-command", "`by` must be a non-negative integer");
        std::uint64_t after = value + *by < value ? std::numeric_limits<std::uint64_t>::max()
                                                  : value + *by;
        if (after > *limit) {
            return evident::Error("over-limit", std::to_string(after) + " is over the limit of " +
                                                    std::to_string(*limit));
        }
        out.emit("counter-" + std::to_string(after), "/counter", "counter.incremented")
            .json_data()
            .begin_object()
            .field("by", *by)
            .field("value", after)
            .end_object();
        return evident::ok();
    }
};

EVIDENT_CHANGE(Counter)
