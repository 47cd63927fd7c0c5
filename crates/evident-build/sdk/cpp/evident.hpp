// evident.hpp — write Evident state views and state changes as plain C++ types.
//
// A state view is a type with
//     static evident::Result<T> initialize(const evident::Parameters &);
//     evident::Status reduce(const evident::Event &, const evident::Parameters &);
//     void to_json(evident::JsonWriter &) const;            (or returning evident::Status)
//     static evident::Result<T> from_json(const evident::Json &);
// and `EVIDENT_VIEW(T)` exports it (world `state-view-component`).
//
// A state change is a default-constructible type (the default is "no state yet") with
//     static evident::Result<T> from_json(const evident::Json &);
//     evident::Status process(const evident::Json &command, const evident::Parameters &,
//                             evident::Events &out) const;
//     bool validate(const evident::Json &command) const;    (optional: default runs process)
// and `EVIDENT_CHANGE(T)` exports it (world `state-change-component`); both macros over one
// type make a decider (world `decider-component`).
//
// It is header-only over the C SDK (evident.h), which implements the canonical ABI; errors are
// values (the guest is built without exceptions). Events, parameters and JSON values are lent
// for the call: copy what the state keeps (std::string(view)).
#ifndef EVIDENT_HPP
#define EVIDENT_HPP

#include <evident.h>

#include <concepts>
#include <cstdint>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace evident {

/// Bytes lent for the call.
using Bytes = std::span<const std::uint8_t>;

namespace detail {
inline std::string_view view(ev_str s) { return {s.ptr ? s.ptr : "", s.len}; }
inline std::optional<std::string_view> optional(ev_str s) {
    if (!s.ptr) return std::nullopt;
    return view(s);
}
inline ev_str slice(std::string_view s) { return {s.data(), s.size()}; }
}  // namespace detail

/// Why a call failed: an optional code callers match on, a message, optional details.
class Error {
  public:
    /// An error with a message and no code.
    explicit Error(std::string message) : message_(std::move(message)) {}
    /// An error with a code callers match on, and a message for people.
    Error(std::string code, std::string message)
        : code_(std::move(code)), message_(std::move(message)) {}

    /// Attaches machine-readable details.
    Error &&with_details(std::string details) && {
        details_ = std::move(details);
        return std::move(*this);
    }

    const std::optional<std::string> &code() const { return code_; }
    const std::string &message() const { return message_; }
    const std::optional<std::string> &details() const { return details_; }

    /// Takes a C SDK error (and frees it).
    static Error from_c(ev_error *error) {
        Error out = error->code ? Error(error->code, error->message) : Error(error->message);
        if (error->has_details) {
            out.details_ = std::string(reinterpret_cast<const char *>(error->details),
                                       error->details_len);
        }
        ev_error_free(error);
        return out;
    }

    /// The error as the C SDK reports it.
    ev_error *to_c() const {
        ev_error *error = ev_error_new(code_ ? code_->c_str() : nullptr, message_.c_str());
        if (details_) ev_error_with_details(error, details_->data(), details_->size());
        return error;
    }

  private:
    std::optional<std::string> code_;
    std::string message_;
    std::optional<std::string> details_;
};

/// Success, or an Error.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)) {}
    bool ok() const { return !error_; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *error_; }
    ev_error *to_c() const { return error_ ? error_->to_c() : nullptr; }

  private:
    std::optional<Error> error_;
};

/// The success Status.
inline Status ok() { return {}; }

/// A value, or an Error.
template <class T> class [[nodiscard]] Result {
  public:
    Result(T value) : value_(std::move(value)) {}
    Result(Error error) : error_(std::move(error)) {}
    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }
    T &value() & { return *value_; }
    const T &value() const & { return *value_; }
    T &&value() && { return std::move(*value_); }
    T *operator->() { return &*value_; }
    const T *operator->() const { return &*value_; }
    T &operator*() & { return *value_; }
    const Error &error() const { return *error_; }

  private:
    std::optional<T> value_;
    std::optional<Error> error_;
};

/// `text` quoted and escaped as Rust's `{:?}` prints a string: "a\"b\n".
inline std::string quoted(std::string_view text) {
    ev_buf buf = {};
    ev_buf_quoted(&buf, detail::slice(text));
    std::string out(buf.data ? buf.data : "", buf.len);
    ev_buf_free(&buf);
    return out;
}

/// How much a log line matters.
enum class LogLevel { Error = EV_LOG_ERROR, Warn = EV_LOG_WARN, Info = EV_LOG_INFO, Debug = EV_LOG_DEBUG, Trace = EV_LOG_TRACE };

/// Writes one line to the host's log.
inline void log(LogLevel level, std::string_view message) {
    ev_log(static_cast<ev_log_level>(level), detail::slice(message));
}
inline void error(std::string_view message) { log(LogLevel::Error, message); }
inline void warn(std::string_view message) { log(LogLevel::Warn, message); }
inline void info(std::string_view message) { log(LogLevel::Info, message); }
inline void debug(std::string_view message) { log(LogLevel::Debug, message); }
inline void trace(std::string_view message) { log(LogLevel::Trace, message); }

/// The name=value parameters a view or change runs under, in the order given.
class Parameters {
  public:
    explicit Parameters(const ev_params &params) : params_(params) {}

    /// The value of `name` (the last one if given twice), if given.
    std::optional<std::string_view> get(std::string_view name) const {
        for (std::size_t i = params_.count; i-- > 0;) {
            if (detail::view(params_.pairs[i].name) == name) return detail::view(params_.pairs[i].value);
        }
        return std::nullopt;
    }

    /// `name` as "true"/"false", `fallback` if absent, else an `invalid-parameter` error.
    Result<bool> boolean(std::string_view name, bool fallback) const {
        bool out;
        ev_error *error = ev_param_bool(&params_, std::string(name).c_str(), fallback, &out);
        if (error) return Error::from_c(error);
        return out;
    }

    /// `name` as a decimal i64, `fallback` if absent, else an `invalid-parameter` error.
    Result<std::int64_t> i64(std::string_view name, std::int64_t fallback) const {
        int64_t out;
        ev_error *error = ev_param_i64(&params_, std::string(name).c_str(), fallback, &out);
        if (error) return Error::from_c(error);
        return static_cast<std::int64_t>(out);
    }

    /// `name` as a decimal u64, `fallback` if absent, else an `invalid-parameter` error.
    Result<std::uint64_t> u64(std::string_view name, std::uint64_t fallback) const {
        uint64_t out;
        ev_error *error = ev_param_u64(&params_, std::string(name).c_str(), fallback, &out);
        if (error) return Error::from_c(error);
        return static_cast<std::uint64_t>(out);
    }

    std::size_t size() const { return params_.count; }
    /// Parameter `index` as (name, value).
    std::pair<std::string_view, std::string_view> operator[](std::size_t index) const {
        return {detail::view(params_.pairs[index].name), detail::view(params_.pairs[index].value)};
    }

    const ev_params &c() const { return params_; }

  private:
    ev_params params_;
};

/// A parsed JSON value, lent for the call; a missing member is a null Json that is false.
class Json {
  public:
    Json(const ev_json *value = nullptr) : value_(value) {}

    /// Parses JSON text strictly (serde_json's rules and messages).
    static Result<Json> parse(std::string_view text) {
        ev_error *error = nullptr;
        ev_bytes bytes = {reinterpret_cast<const std::uint8_t *>(text.data()), text.size()};
        const ev_json *value = ev_json_parse(bytes, &error);
        if (!value) return Error::from_c(error);
        return Json(value);
    }

    /// Whether the value exists (a missing member does not).
    explicit operator bool() const { return value_ != nullptr; }
    ev_json_kind kind() const { return ev_json_kind_of(value_); }
    bool is_null() const { return kind() == EV_JSON_NULL; }
    bool is_object() const { return value_ && kind() == EV_JSON_OBJECT; }
    bool is_array() const { return value_ && kind() == EV_JSON_ARRAY; }

    /// The member `key` (the last one if repeated).
    Json operator[](std::string_view key) const { return ev_json_get_str(value_, detail::slice(key)); }
    Json operator[](const char *key) const { return (*this)[std::string_view(key)]; }
    /// Item `index` of an array.
    Json operator[](std::size_t index) const { return ev_json_item(value_, index); }
    Json operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }
    /// Items of an array or members of an object.
    std::size_t size() const { return ev_json_count(value_); }
    /// Member `index` of an object as (key, value), in the order written.
    std::pair<std::string_view, Json> member(std::size_t index) const {
        return {detail::view(ev_json_member_key(value_, index)), Json(ev_json_member_value(value_, index))};
    }

    /// Typed reads: a value if it has that type (integers only if written as integers in
    /// range, as serde_json's as_i64/as_u64).
    std::optional<bool> as_bool() const {
        bool out;
        if (ev_json_as_bool(value_, &out)) return out;
        return std::nullopt;
    }
    std::optional<std::int64_t> as_i64() const {
        int64_t out;
        if (ev_json_as_i64(value_, &out)) return static_cast<std::int64_t>(out);
        return std::nullopt;
    }
    std::optional<std::uint64_t> as_u64() const {
        uint64_t out;
        if (ev_json_as_u64(value_, &out)) return static_cast<std::uint64_t>(out);
        return std::nullopt;
    }
    std::optional<double> as_f64() const {
        double out;
        if (ev_json_as_f64(value_, &out)) return out;
        return std::nullopt;
    }
    std::optional<std::string_view> as_string() const {
        ev_str out;
        if (ev_json_as_str(value_, &out)) return detail::view(out);
        return std::nullopt;
    }

    const ev_json *c() const { return value_; }

  private:
    const ev_json *value_;
};

/// Writes compact JSON as serde_json does (commas and colons placed for you).
class JsonWriter {
  public:
    explicit JsonWriter(ev_json_writer *writer) : w_(writer) {}

    JsonWriter &begin_object() { return ev_json_object_begin(w_), *this; }
    JsonWriter &end_object() { return ev_json_object_end(w_), *this; }
    JsonWriter &begin_array() { return ev_json_array_begin(w_), *this; }
    JsonWriter &end_array() { return ev_json_array_end(w_), *this; }
    /// The key of the next object member.
    JsonWriter &key(std::string_view key) { return ev_json_key(w_, detail::slice(key)), *this; }
    JsonWriter &value(std::string_view v) { return ev_json_string(w_, detail::slice(v)), *this; }
    JsonWriter &value(const char *v) { return value(std::string_view(v)); }
    JsonWriter &value(const std::string &v) { return value(std::string_view(v)); }
    JsonWriter &value(bool v) { return ev_json_bool(w_, v), *this; }
    JsonWriter &value(double v) { return ev_json_f64(w_, v), *this; }
    template <std::integral I>
        requires(!std::same_as<I, bool>)
    JsonWriter &value(I v) {
        if constexpr (std::is_signed_v<I>) ev_json_i64(w_, static_cast<int64_t>(v));
        else ev_json_u64(w_, static_cast<uint64_t>(v));
        return *this;
    }
    JsonWriter &null() { return ev_json_null(w_), *this; }
    /// A member: key, then value.
    template <class T> JsonWriter &field(std::string_view name, const T &v) { return key(name).value(v); }

  private:
    ev_json_writer *w_;
};

/// An event's time: Unix seconds, nanoseconds and the UTC offset it was written in.
struct Time {
    std::int64_t seconds = 0;
    std::uint32_t nanos = 0;
    std::int32_t offset_seconds = 0;

    /// RFC 3339, as the host writes it ("2026-01-01T00:00:10Z").
    std::string to_string() const {
        ev_buf buf = {};
        ev_time_format(&buf, {true, seconds, nanos, offset_seconds});
        std::string out(buf.data ? buf.data : "", buf.len);
        ev_buf_free(&buf);
        return out;
    }
};

/// A CloudEvent lent to `reduce`: its attributes point into the bytes it arrived in.
class Event {
  public:
    explicit Event(const ev_event &event) : e_(event) {}

    std::string_view id() const { return detail::view(e_.id); }
    std::string_view source() const { return detail::view(e_.source); }
    std::string_view specversion() const { return detail::view(e_.specversion); }
    std::string_view type() const { return detail::view(e_.type); }
    std::optional<std::string_view> datacontenttype() const { return detail::optional(e_.datacontenttype); }
    std::optional<std::string_view> dataschema() const { return detail::optional(e_.dataschema); }
    std::optional<std::string_view> subject() const { return detail::optional(e_.subject); }
    std::optional<Time> time() const {
        if (!e_.time.present) return std::nullopt;
        return Time{e_.time.seconds, e_.time.nanos, e_.time.offset_seconds};
    }
    std::optional<Bytes> data() const {
        if (!e_.data.ptr) return std::nullopt;
        return Bytes(e_.data.ptr, e_.data.len);
    }
    /// The data parsed as JSON (an error without a code if absent or not JSON).
    Result<Json> data_json() const {
        ev_error *error = nullptr;
        const ev_json *value = ev_event_data_json(&e_, &error);
        if (!value) return Error::from_c(error);
        return Json(value);
    }
    /// The value of extension `name`, if the event has it.
    std::optional<std::string_view> extension(std::string_view name) const {
        for (std::size_t i = 0; i < e_.extension_count; i++) {
            if (detail::view(e_.extensions[i].name) == name) return detail::view(e_.extensions[i].value);
        }
        return std::nullopt;
    }
    std::size_t extension_count() const { return e_.extension_count; }
    /// Extension `index` as (name, value), in the order they came in.
    std::pair<std::string_view, std::string_view> extension_at(std::size_t index) const {
        return {detail::view(e_.extensions[index].name), detail::view(e_.extensions[index].value)};
    }

    const ev_event &c() const { return e_; }

  private:
    const ev_event &e_;
};

/// An event being emitted: set its optional attributes.
class NewEvent {
  public:
    explicit NewEvent(ev_new_event *event) : e_(event) {}
    NewEvent &subject(std::string_view v) { return ev_set_subject(e_, detail::slice(v)), *this; }
    NewEvent &dataschema(std::string_view v) { return ev_set_dataschema(e_, detail::slice(v)), *this; }
    NewEvent &time(const Time &t) {
        return ev_set_time(e_, {true, t.seconds, t.nanos, t.offset_seconds}), *this;
    }
    /// Raw bytes of a media type.
    NewEvent &data(std::string_view content_type, Bytes bytes) {
        return ev_set_data(e_, detail::slice(content_type), bytes.data(), bytes.size()), *this;
    }
    /// JSON data (datacontenttype application/json): write it with the returned writer.
    JsonWriter json_data() { return JsonWriter(ev_set_json_data(e_)); }
    /// An extension attribute (lower-case letters and digits).
    NewEvent &extension(std::string_view name, std::string_view value) {
        return ev_add_extension(e_, detail::slice(name), detail::slice(value)), *this;
    }

  private:
    ev_new_event *e_;
};

/// The events `process` emits.
class Events {
  public:
    explicit Events(ev_events *out) : out_(out) {}
    /// Emits an event with spec version 1.0.
    NewEvent emit(std::string_view id, std::string_view source, std::string_view type) {
        return NewEvent(ev_emit(out_, detail::slice(id), detail::slice(source), detail::slice(type)));
    }

  private:
    ev_events *out_;
};

namespace detail {

/// Where the C SDK keeps a T: constructed only once initialize/decode succeeded.
template <class T> struct Slot {
    alignas(T) unsigned char storage[sizeof(T)];
    bool live;
    T *get() { return std::launder(reinterpret_cast<T *>(storage)); }
    const T *get() const { return std::launder(reinterpret_cast<const T *>(storage)); }
    void put(T &&value) {
        new (storage) T(std::move(value));
        live = true;
    }
};

template <class T> Slot<T> *slot(void *state) { return static_cast<Slot<T> *>(state); }
template <class T> const Slot<T> *slot(const void *state) { return static_cast<const Slot<T> *>(state); }

template <class T> ev_error *view_initialize(void *state, const ev_params *params) {
    Result<T> made = T::initialize(Parameters(*params));
    if (!made) return made.error().to_c();
    slot<T>(state)->put(std::move(made).value());
    return nullptr;
}

template <class T> ev_error *view_reduce(void *state, const ev_event *event, const ev_params *params) {
    return slot<T>(state)->get()->reduce(Event(*event), Parameters(*params)).to_c();
}

template <class T> ev_error *encode(const void *state, ev_json_writer *writer) {
    JsonWriter out(writer);
    if constexpr (std::is_void_v<decltype(slot<T>(state)->get()->to_json(out))>) {
        slot<T>(state)->get()->to_json(out);
        return nullptr;
    } else {
        return slot<T>(state)->get()->to_json(out).to_c();
    }
}

template <class T> ev_error *decode(void *state, const ev_json *json) {
    Result<T> made = T::from_json(Json(json));
    if (!made) return made.error().to_c();
    slot<T>(state)->put(std::move(made).value());
    return nullptr;
}

template <class T> void drop(void *state) {
    Slot<T> *s = slot<T>(state);
    if (s->live) s->get()->~T();
    s->live = false;
}

template <class T> void make_default(void *state) { slot<T>(state)->put(T()); }

template <class T>
ev_error *process(const void *state, const ev_json *command, const ev_params *params, ev_events *out) {
    Events events(out);
    return slot<T>(state)->get()->process(Json(command), Parameters(*params), events).to_c();
}

template <class T> bool validate(const void *state, const ev_json *command) {
    if constexpr (requires(const T &t, const Json &j) {
                      { t.validate(j) } -> std::convertible_to<bool>;
                  }) {
        return slot<T>(state)->get()->validate(Json(command));
    } else {
        return ev_validate_by_process(state, command);
    }
}

template <class T>
inline const ev_view_def view_def = {sizeof(Slot<T>), &view_initialize<T>, &view_reduce<T>,
                                     &encode<T>,      &decode<T>,          &drop<T>};

template <class T>
inline const ev_change_def change_def = {sizeof(Slot<T>), &make_default<T>, &decode<T>,
                                         &process<T>,     &validate<T>,     &drop<T>};

}  // namespace detail
}  // namespace evident

/// Makes the component a state view over T (see the top of this file).
#define EVIDENT_VIEW(T) EVIDENT_EXPORT_VIEW(::evident::detail::view_def<T>)
/// Makes the component a state change over T (see the top of this file).
#define EVIDENT_CHANGE(T) EVIDENT_EXPORT_CHANGE(::evident::detail::change_def<T>)

#endif  // EVIDENT_HPP
