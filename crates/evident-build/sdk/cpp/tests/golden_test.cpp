// The golden vectors of ../../testdata (written by crates/evident-types/tests/sdk_golden.rs),
// read through the C++ SDK's own types: JSON states parsed with evident::Json and written back
// with evident::JsonWriter, parameters through evident::Parameters, time texts through
// evident::Time. Over the C SDK's code (the C SDK's golden_test.c covers the rest: CBOR, frames,
// emitted events).
//
// A WASI command, built by crates/evident-build/src/sdk_tests.rs with Zig's clang++ for
// wasm32-wasi with the C SDK's files, and run by ../../c/tests/run.mjs under node's WASI.

#include <evident.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

// The C SDK's internals: the JSON writer's layout and the time parser.
extern "C" {
#include <evident_internal.h>
}

namespace {

int failures = 0;
int checks = 0;

template <class... A> void fail(const char *format, A... args) {
    failures++;
    std::printf("FAIL: ");
    std::printf(format, args...);
    std::printf("\n");
}

std::string read_file(const char *path) {
    std::FILE *f = std::fopen(path, "rb");
    if (!f) {
        std::printf("cannot open %s\n", path);
        std::exit(2);
    }
    std::string text;
    char chunk[65536];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) text.append(chunk, n);
    std::fclose(f);
    return text;
}

std::string unhex(std::string_view hex) {
    std::string out;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
    return out;
}

std::string str(const evident::Json &json) { return std::string(json.as_string().value_or("")); }

// Writes a value back with the JsonWriter, numbers as serde_json keeps them (u64, i64, f64).
void write(evident::JsonWriter &w, const evident::Json &v) {
    switch (v.kind()) {
    case EV_JSON_NULL: w.null(); break;
    case EV_JSON_BOOL: w.value(*v.as_bool()); break;
    case EV_JSON_NUMBER:
        if (auto u = v.as_u64()) w.value(*u);
        else if (auto i = v.as_i64()) w.value(*i);
        else w.value(*v.as_f64());
        break;
    case EV_JSON_STRING: w.value(*v.as_string()); break;
    case EV_JSON_ARRAY:
        w.begin_array();
        for (std::size_t i = 0; i < v.size(); i++) write(w, v[i]);
        w.end_array();
        break;
    case EV_JSON_OBJECT:
        w.begin_object();
        for (std::size_t i = 0; i < v.size(); i++) {
            auto [key, value] = v.member(i);
            w.key(key);
            write(w, value);
        }
        w.end_object();
        break;
    }
}

void states(const evident::Json &cases) {
    for (std::size_t i = 0; i < cases.size(); i++) {
        auto c = cases[i];
        std::string want = unhex(str(c["json"]));
        checks++;
        auto parsed = evident::Json::parse(want);
        if (!parsed) {
            fail("state %s: %s", str(c["value"]).c_str(), parsed.error().message().c_str());
            continue;
        }
        ev_json_writer raw = {};
        evident::JsonWriter w(&raw);
        write(w, *parsed);
        std::string got(raw.out.data ? raw.out.data : "", raw.out.len);
        ev_buf_free(&raw.out);
        if (got != want) fail("state %s: written %s, want %s", str(c["value"]).c_str(), got.c_str(), want.c_str());
    }
}

void parameters(const evident::Json &cases) {
    for (std::size_t i = 0; i < cases.size(); i++) {
        auto c = cases[i];
        std::string text = str(c["text"]);
        ev_pair pair = {ev_cstr("p"), {text.data(), text.size()}};
        evident::Parameters p(ev_params{&pair, 1});
        auto check = [&](const char *kind, bool ok, std::string message, bool same) {
            checks++;
            auto want = c[std::string(kind) + "_error"];
            if (want.is_null() && !ok) fail("parameter %s %s: %s", kind, text.c_str(), message.c_str());
            else if (want.is_null() && !same) fail("parameter %s %s: another value", kind, text.c_str());
            else if (!want.is_null() && (ok || message != str(want)))
                fail("parameter %s %s: %s, want %s", kind, text.c_str(), ok ? "accepted" : message.c_str(), str(want).c_str());
        };
        auto b = p.boolean("p", false);
        check("bool", b.ok(), b.ok() ? "" : b.error().message(), b.ok() && *b == c["bool"].as_bool().value_or(false));
        auto s = p.i64("p", 0);
        check("i64", s.ok(), s.ok() ? "" : s.error().message(), s.ok() && *s == c["i64"].as_i64().value_or(0));
        auto u = p.u64("p", 0);
        check("u64", u.ok(), u.ok() ? "" : u.error().message(), u.ok() && *u == c["u64"].as_u64().value_or(0));
    }
}

void times(const evident::Json &cases) {
    for (std::size_t i = 0; i < cases.size(); i++) {
        auto c = cases[i];
        std::string text = str(c["text"]);
        ev_time t = {};
        const char *bad = ev__parse_time({text.data(), text.size()}, &t);
        auto want = c["time"];
        checks++;
        if (want.is_null()) {
            if (!bad) fail("time %s: accepted; the Rust SDK refuses it", text.c_str());
            continue;
        }
        if (bad) {
            fail("time %s: %s", text.c_str(), bad);
            continue;
        }
        evident::Time time{t.seconds, t.nanos, t.offset_seconds};
        if (time.seconds != want["seconds"].as_i64() || time.nanos != want["nanos"].as_u64() ||
            time.offset_seconds != want["offset"].as_i64()) {
            fail("time %s: another instant", text.c_str());
        } else if (*want["offset"].as_i64() % 60 == 0 && text.size() > 4 && text[4] == '-' &&
                   time.to_string() != str(want["text"])) {
            fail("time %s: written %s, want %s", text.c_str(), time.to_string().c_str(), str(want["text"]).c_str());
        }
    }
}

} // namespace

int main() {
    std::string wire_text = read_file("/testdata/wire.json");
    std::string frames_text = read_file("/testdata/frames.json");
    auto wire = evident::Json::parse(wire_text);
    auto frames = evident::Json::parse(frames_text);
    if (!wire || !frames) {
        std::printf("the vectors do not parse\n");
        return 2;
    }
    states((*wire)["states"]);
    parameters((*wire)["parameters"]);
    times((*frames)["times"]);
    std::printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
