// What libc++ needs from a C++ guest built without exceptions.
//
// libc++ reports a failure it cannot throw (an allocation that failed, an out-of-range `at`,
// a bad optional access...) through std::__libcpp_verbose_abort, whose default prints to
// stderr, pulling in WASI's stdio, which the host refuses. This replacement logs the message's
// format at error level and traps instead.
#include <evident.hpp>

#include <string>

#ifndef _LIBCPP_VERBOSE_ABORT_NOEXCEPT
#define _LIBCPP_VERBOSE_ABORT_NOEXCEPT noexcept
#endif

_LIBCPP_BEGIN_NAMESPACE_STD
[[noreturn]] void __libcpp_verbose_abort(char const *format, ...) _LIBCPP_VERBOSE_ABORT_NOEXCEPT {
    ev_log(EV_LOG_ERROR, ev_cstr(format));
    __builtin_trap();
}
_LIBCPP_END_NAMESPACE_STD
