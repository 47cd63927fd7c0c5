// A state view that counts events by type, in C++: the same states, byte for byte, as the Rust
// guests/event-counter.
//
// Parameters:
// - `prefix`: count only events whose type starts with it;
// - `require-data` (`true`/`false`): refuse events that carry no data.
#include <evident.hpp>

#include <cstdint>
#include <map>
#include <string>

/// How many events of each type the view has seen.
struct EventCounts {
    /// Events counted, by CloudEvents `type` (std::string orders by bytes, as Rust's BTreeMap).
    std::map<std::string, std::uint64_t, std::less<>> by_type;
    /// Events counted in all.
    std::uint64_t total = 0;

    static evident::Result<EventCounts> initialize(const evident::Parameters &parameters) {
        if (auto prefix = parameters.get("prefix")) {
            evident::info("counting events whose type starts with " + evident::quoted(*prefix));
        }
        return EventCounts{};
    }

    evident::Status reduce(const evident::Event &event, const evident::Parameters &parameters) {
        auto require_data = parameters.boolean("require-data", false);
        if (!require_data) return require_data.error();
        if (*require_data && !event.data()) {
            return evident::Error("event " + std::string(event.id()) + " has no data");
        }
        auto prefix = parameters.get("prefix");
        if (prefix && !event.type().starts_with(*prefix)) return evident::ok();
        total += 1;
        auto counted = by_type.find(event.type());
        if (counted == by_type.end()) {
            by_type.emplace(std::string(event.type()), 1);
        } else {
            counted->second += 1;
        }
        return evident::ok();
    }

    void to_json(evident::JsonWriter &out) const {
        out.begin_object().key("by_type").begin_object();
        for (const auto &[type, count] : by_type) out.field(type, count);
        out.end_object().field("total", total).end_object();
    }

    static evident::Result<EventCounts> from_json(const evident::Json &json) {
        EventCounts counts;
        evident::Json by_type = json["by_type"];
        if (!by_type) return evident::Error("missing field `by_type`");
        if (!by_type.is_object()) return evident::Error("invalid type: expected a map for `by_type`");
        for (std::size_t i = 0; i < by_type.size(); i++) {
            auto [type, value] = by_type.member(i);
            auto count = value.as_u64();
            if (!count) return evident::Error("invalid type: expected u64 in `by_type`");
            counts.by_type.insert_or_assign(std::string(type), *count);
        }
        evident::Json total = json["total"];
        if (!total) return evident::Error("missing field `total`");
        auto value = total.as_u64();
        if (!value) return evident::Error("invalid type: expected u64 for `total`");
        counts.total = *value;
        return counts;
    }
};

EVIDENT_VIEW(EventCounts)
