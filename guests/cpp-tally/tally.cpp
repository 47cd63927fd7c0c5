// A state change that adds to a tally, in C++: `{"type": "add", "amount": n}` emits
// `tally.added` with the amount and the new total, the same events byte for byte and the same
// refusal codes as the Rust guests/tally.
//
// The state is `{"total": n}` as JSON; the event's source is the `source` parameter, or `/tally`.
#include <evident.hpp>

#include <cstdint>
#include <string>

/// The amount an `add` command adds, or the refusal.
static evident::Result<std::int64_t> amount_of(const evident::Json &command) {
    auto type = command["type"].as_string();
    if (!type) return evident::Error("unknown-command", "the command has no type");
    if (*type != "add") {
        return evident::Error("unknown-command", "unknown command '" + std::string(*type) + "'");
    }
    auto amount = command["amount"].as_i64();
    if (!amount || *amount <= 0) {
        return evident::Error("invalid-amount", "amount must be a positive integer");
    }
    return *amount;
}

/// What has been added so far.
struct Tally {
    /// The sum of every amount added.
    std::int64_t total = 0;

    static evident::Result<Tally> from_json(const evident::Json &json) {
        evident::Json total = json["total"];
        if (!total) return evident::Error("missing field `total`");
        auto value = total.as_i64();
        if (!value) return evident::Error("invalid type: expected i64 for `total`");
        return Tally{*value};
    }

    evident::Status process(const evident::Json &command, const evident::Parameters &parameters,
                            evident::Events &out) const {
        auto amount = amount_of(command);
        if (!amount) return amount.error();
        std::int64_t after;
        if (__builtin_add_overflow(total, *amount, &after)) {
            return evident::Error("invalid-amount", "the total would overflow");
        }
        auto source = parameters.get("source").value_or("/tally");
        out.emit("tally-" + std::to_string(after), source, "tally.added")
            .json_data()
            .begin_object()
            .field("amount", *amount)
            .field("total", after)
            .end_object();
        return evident::ok();
    }
};

EVIDENT_CHANGE(Tally)
