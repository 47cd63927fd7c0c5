//! Logging from a guest to the host's log.
//!
//! In a component each line goes to the host's `logging` import, which tags it with the
//! component's name. Natively (tests, benches) lines are dropped.

/// How much a log line matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warn,
    /// Worth knowing in normal operation.
    Info,
    /// For whoever debugs the component.
    Debug,
    /// Very detailed.
    Trace,
}

/// Writes one line to the host's log; the macros call this.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use crate::__private::bindings::evident::db::logging;
        let level = match level {
            LogLevel::Error => logging::LogLevel::Error,
            LogLevel::Warn => logging::LogLevel::Warn,
            LogLevel::Info => logging::LogLevel::Info,
            LogLevel::Debug => logging::LogLevel::Debug,
            LogLevel::Trace => logging::LogLevel::Trace,
        };
        logging::log(level, message);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (level, message);
}

/// Logs at a level with `format!` arguments.
#[macro_export]
macro_rules! log {
    ($level:expr, $($arg:tt)+) => {
        $crate::log::log($level, &::std::format!($($arg)+))
    };
}

/// Logs a failure.
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => { $crate::log!($crate::LogLevel::Error, $($arg)+) };
}

/// Logs something that looks wrong.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::log!($crate::LogLevel::Warn, $($arg)+) };
}

/// Logs something worth knowing.
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => { $crate::log!($crate::LogLevel::Info, $($arg)+) };
}

/// Logs detail for debugging.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::log!($crate::LogLevel::Debug, $($arg)+) };
}

/// Logs fine-grained detail.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::log!($crate::LogLevel::Trace, $($arg)+) };
}
