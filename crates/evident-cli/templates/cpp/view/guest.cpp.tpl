// {{name}}: a state view. It sums the `amount` in each event's JSON data, by event type.
#include <evident.hpp>

#include <cstdint>
#include <map>
#include <string>

/// The state: totals by event type. It is stored as JSON between calls.
struct Totals {
    /// Sum of `amount` by event type.
    std::map<std::string, std::int64_t, std::less<>> by_type;

    static evident::Result<Totals> initialize(const evident::Parameters &) { return Totals{}; }

    evident::Status reduce(const evident::Event &event, const evident::Parameters &) {
        // Events without data count for nothing; data without an amount is refused, and the
        // host keeps the previous state.
        if (!event.data()) return evident::ok();
        auto data = event.data_json();
        if (!data) return data.error();
        auto amount = (*data)["amount"].as_i64();
        if (!amount) {
            return evident::Error("event " + std::string(event.id()) +
                                  ": the data has no integer `amount`");
        }
        by_type[std::string(event.type())] += *amount;
        evident::debug(std::string(event.id()) + " +" + std::to_string(*amount));
        return evident::ok();
    }

    void to_json(evident::JsonWriter &out) const {
        out.begin_object().key("by_type").begin_object();
        for (const auto &[type, sum] : by_type) out.field(type, sum);
        out.end_object().end_object();
    }

    static evident::Result<Totals> from_json(const evident::Json &json) {
        evident::Json by_type = json["by_type"];
        if (!by_type.is_object()) return evident::Error("`by_type` is missing or not an object");
        Totals totals;
        for (std::size_t i = 0; i < by_type.size(); i++) {
            auto [type, value] = by_type.member(i);
            auto sum = value.as_i64();
            if (!sum) return evident::Error("a sum in `by_type` is not an integer");
            totals.by_type.insert_or_assign(std::string(type), *sum);
        }
        return totals;
    }
};

EVIDENT_VIEW(Totals)
