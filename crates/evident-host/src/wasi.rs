//! The opt-in WASI mode (feature `wasi`): for components whose toolchain makes them import WASI
//! even when their code never uses it (componentize-py, componentize-js). Every import is
//! satisfied and every capability denied, so the component runs but reaches nothing:
//!
//! - no preopened directory: every path fails to open;
//! - no network: TCP, UDP and name lookups are refused, every address check says no;
//! - no environment variables, no arguments, an empty stdin;
//! - stdout and stderr become the component's log lines (target `evident::guest`), each write
//!   charged to the guest's fuel as a host call is ([`crate::FUEL_PER_HOST_CALL`] and one unit
//!   per byte);
//! - clocks are pinned: wall and monotonic time start at the Unix epoch and advance by one
//!   microsecond per reading, so replaying a call reads the same times;
//! - randomness is a fixed byte stream, the same for every instance, so replays draw the
//!   same numbers (which also means it is no secret: components must not use it as one).
//!
//! Components that do not import WASI keep the strict mode whatever the runtime was built
//! with: the load-time check only lets WASI imports through for components loaded with
//! [`crate::Load::wasi`] ([`crate::Sandbox::Wasi`]).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{
    Deterministic, HostMonotonicClock, HostWallClock, ResourceTable, WasiCtx, WasiCtxBuilder,
    WasiCtxView, WasiView,
};

use crate::imports::{Admitted, LineBudget, MAX_LOG_LINE_BYTES, host_call_cost};
use crate::store::StoreData;

/// The WASI state of one store.
pub(crate) struct DenyAll {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl DenyAll {
    fn new(component: &Arc<str>, lines: &LineBudget, charges: &WriteCharges) -> Self {
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(GuestOutput::new(component, "stdout", lines, charges))
            .stderr(GuestOutput::new(component, "stderr", lines, charges))
            .wall_clock(PinnedClock::default())
            .monotonic_clock(PinnedClock::default())
            .secure_random(Deterministic::new(RANDOM_BYTES.to_vec()))
            .insecure_random(Deterministic::new(RANDOM_BYTES.to_vec()))
            .insecure_random_seed(0)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }));
        DenyAll {
            ctx: builder.build(),
            table: ResourceTable::new(),
        }
    }
}

impl WasiView for StoreData {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        // Made on first use: stores of components without WASI imports never build one.
        let wasi = self.wasi.get_or_insert_with(|| {
            Box::new(DenyAll::new(
                &self.component,
                &self.log_lines,
                &self.write_charges,
            ))
        });
        WasiCtxView {
            ctx: &mut wasi.ctx,
            table: &mut wasi.table,
        }
    }
}

/// The fuel a component's writes to stdout and stderr owe: added by the streams, which have no
/// store to charge, and charged to the call by [`charge_writes`]'s hook as each host call
/// returns to the guest.
#[derive(Clone, Default)]
pub(crate) struct WriteCharges(Arc<AtomicU64>);

impl WriteCharges {
    /// A write of `bytes` bytes: a host call and its bytes.
    fn add(&self, bytes: usize) {
        let cost = host_call_cost(bytes);
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |owed| {
                Some(owed.saturating_add(cost))
            });
    }

    /// What is owed, now settled.
    fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }

    /// A new call starts owing nothing.
    pub(crate) fn clear(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// Makes the calls on `store` pay for their stdout and stderr writes: every host call that
/// returns to the guest first charges the fuel its writes owe, and one without that much fuel
/// left runs out there.
pub(crate) fn charge_writes(store: &mut wasmtime::Store<StoreData>) {
    store.call_hook(|mut store, hook| {
        if !matches!(hook, wasmtime::CallHook::ReturningFromHost) {
            return Ok(());
        }
        match store.data().write_charges.take() {
            0 => Ok(()),
            owed => crate::store::charge_fuel(&mut store, owed),
        }
    });
}

/// The bytes "random" numbers are drawn from, over and over: fixed so that replays agree.
const RANDOM_BYTES: [u8; 32] = [
    0x3c, 0x6e, 0xf3, 0x72, 0xfe, 0x94, 0xf8, 0x2b, 0xa5, 0x4f, 0xf5, 0x3a, 0x5f, 0x1d, 0x36, 0xf1,
    0x51, 0x0e, 0x52, 0x7f, 0xad, 0xe6, 0x82, 0xd1, 0x9b, 0x05, 0x68, 0x8c, 0x2b, 0x3e, 0x6c, 0x1f,
];

/// A clock that starts at zero and advances one microsecond per reading (each store has its
/// own, so a replay reads the same times).
#[derive(Default)]
struct PinnedClock {
    readings: AtomicU64,
}

impl PinnedClock {
    fn next_reading(&self) -> Duration {
        Duration::from_micros(self.readings.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

impl HostWallClock for PinnedClock {
    fn resolution(&self) -> Duration {
        Duration::from_micros(1)
    }

    fn now(&self) -> Duration {
        self.next_reading()
    }
}

impl HostMonotonicClock for PinnedClock {
    fn resolution(&self) -> u64 {
        1_000
    }

    fn now(&self) -> u64 {
        u64::try_from(self.next_reading().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// Where a component's stdout or stderr goes: its log, a line at a time, within the call's
/// budget of log lines; each write is charged as a host call ([`WriteCharges`]).
struct GuestOutput {
    component: Arc<str>,
    stream: &'static str,
    lines: LineBudget,
    charges: WriteCharges,
}

impl GuestOutput {
    fn new(
        component: &Arc<str>,
        stream: &'static str,
        lines: &LineBudget,
        charges: &WriteCharges,
    ) -> Self {
        GuestOutput {
            component: component.clone(),
            stream,
            lines: lines.clone(),
            charges: charges.clone(),
        }
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl GuestOutput {
    fn logger(&self) -> LineLogger {
        LineLogger {
            component: self.component.clone(),
            stream: self.stream,
            lines: self.lines.clone(),
            charges: self.charges.clone(),
            line: Vec::new(),
        }
    }
}

impl StdoutStream for GuestOutput {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.logger())
    }

    /// Written on the calling thread, during the call: the lines land in the log in order with
    /// the component's other lines, under the caller's tracing context.
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.logger())
    }
}

struct LineLogger {
    component: Arc<str>,
    stream: &'static str,
    lines: LineBudget,
    charges: WriteCharges,
    line: Vec<u8>,
}

impl LineLogger {
    /// A write: charged, then cut into lines.
    fn push(&mut self, bytes: &[u8]) {
        self.charges.add(bytes.len());
        for &byte in bytes {
            if byte == b'\n' {
                self.emit();
            } else if self.line.len() < MAX_LOG_LINE_BYTES {
                self.line.push(byte);
            }
        }
    }

    fn emit(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let component = &*self.component;
        if self.lines.admit(component) == Admitted::Yes {
            let text = String::from_utf8_lossy(&self.line);
            tracing::info!(target: "evident::guest", component, stream = self.stream, "{}", text.trim_end());
        }
        self.line.clear();
    }
}

impl tokio::io::AsyncWrite for LineLogger {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.push(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.emit();
        Poll::Ready(Ok(()))
    }
}

impl OutputStream for LineLogger {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LineLogger {
    async fn ready(&mut self) {}
}

impl Drop for LineLogger {
    fn drop(&mut self) {
        self.emit();
    }
}
