//! Loading: one builder for every kind of component, from bytes, a file or a precompiled
//! artifact, in either sandbox.
//!
//! [`ComponentKind`] is the one list of what a component can be; [`Runtime::load`] (and
//! [`Runtime::load_file`], [`Runtime::load_precompiled`]) start a [`Load`], whose last call
//! says the kind: [`Load::view`], [`Load::change`], [`Load::decider`],
//! [`Load::database_decider`], [`Load::validator`], [`Load::transform`], or [`Load::as_kind`] when the kind is data (as the registry
//! has it). A new kind is a variant of [`ComponentKind`] and [`Loaded`] and a method here.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use crate::change::StateChange;
use crate::component::{self, DATABASE_DECIDER, STATE_CHANGE, STATE_VIEW, TRANSFORM, VALIDATOR};
use crate::database::DatabaseDecider;
use crate::decider::Decider;
use crate::error::Error;
use crate::metrics::MetricsSnapshot;
use crate::runtime::{Runtime, component_name};
use crate::transform::Transform;
use crate::validator::Validator;
use crate::view::StateView;

/// What a component is loaded as: the interface it must export and the imports it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// A state view: folds events into a state (exports `state-view`).
    View,
    /// A state change: turns a command and a state into events (exports `state-change`).
    Change,
    /// A state view and a state change over one state, in one component (world
    /// `decider-component`).
    Decider,
    /// A decider that reads the database (world `database-decider`, 0.4.0): exports `decider`,
    /// and is the only kind that may import `database`.
    DatabaseDecider,
    /// A validator: checks events before they are appended (world `validator-component`,
    /// 0.5.0).
    Validator,
    /// A transform: turns events into events, as a converter or an upcaster (world
    /// `transform-component`, 0.5.0).
    Transform,
}

impl ComponentKind {
    /// Every kind, for tools that list or parse them.
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::View,
        ComponentKind::Change,
        ComponentKind::Decider,
        ComponentKind::DatabaseDecider,
        ComponentKind::Validator,
        ComponentKind::Transform,
    ];

    /// For messages: "state view".
    pub fn label(self) -> &'static str {
        match self {
            ComponentKind::View => "state view",
            ComponentKind::Change => "state change",
            ComponentKind::Decider => "decider",
            ComponentKind::DatabaseDecider => "database decider",
            ComponentKind::Validator => "validator",
            ComponentKind::Transform => "transform",
        }
    }

    /// The interfaces checked at load time, the first one also naming the kind in errors.
    fn interfaces(self) -> &'static [component::Kind] {
        match self {
            ComponentKind::View => &[STATE_VIEW],
            ComponentKind::Change => &[STATE_CHANGE],
            ComponentKind::Decider => &[STATE_VIEW, STATE_CHANGE],
            ComponentKind::DatabaseDecider => &[DATABASE_DECIDER],
            ComponentKind::Validator => &[VALIDATOR],
            ComponentKind::Transform => &[TRANSFORM],
        }
    }
}

/// The sandbox a component runs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sandbox {
    /// Nothing but `evident:db`'s imports.
    #[default]
    Strict,
    /// WASI imports satisfied with every capability denied (no files, network, environment or
    /// real clock; pinned clocks and a fixed random stream, so replays agree; stdout and stderr
    /// to the log), for the toolchains whose runtime imports WASI (componentize-py,
    /// componentize-js, Go). Needs the `wasi` feature; without it, loading in this mode fails.
    Wasi,
}

/// A loaded component of any kind, for code that holds components whose kind is data.
// A decider is a view and a change side by side: a few hundred bytes, made once per load and
// cloned per lookup, never in a hot path; a box would cost every match a pointer for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Loaded {
    /// A state view.
    View(StateView),
    /// A state change.
    Change(StateChange),
    /// A view and a change over one state.
    Decider(Decider),
    /// A decider that reads the database.
    DatabaseDecider(DatabaseDecider),
    /// A validator.
    Validator(Validator),
    /// A transform.
    Transform(Transform),
}

impl Loaded {
    /// What it was loaded as.
    pub fn kind(&self) -> ComponentKind {
        match self {
            Loaded::View(_) => ComponentKind::View,
            Loaded::Change(_) => ComponentKind::Change,
            Loaded::Decider(_) => ComponentKind::Decider,
            Loaded::DatabaseDecider(_) => ComponentKind::DatabaseDecider,
            Loaded::Validator(_) => ComponentKind::Validator,
            Loaded::Transform(_) => ComponentKind::Transform,
        }
    }

    /// The release of `evident:db` it was built against.
    pub fn wit_version(&self) -> &'static str {
        match self {
            Loaded::View(view) => view.wit_version(),
            Loaded::Change(change) => change.wit_version(),
            Loaded::Decider(decider) => decider.view().wit_version(),
            Loaded::DatabaseDecider(decider) => decider.wit_version(),
            Loaded::Validator(validator) => validator.wit_version(),
            Loaded::Transform(transform) => transform.wit_version(),
        }
    }

    /// What it has done so far (for a decider, its view's and its change's calls together).
    pub fn metrics(&self) -> MetricsSnapshot {
        match self {
            Loaded::View(view) => view.metrics(),
            Loaded::Change(change) => change.metrics(),
            Loaded::Decider(decider) => decider.view().metrics(),
            Loaded::DatabaseDecider(decider) => decider.metrics(),
            Loaded::Validator(validator) => validator.metrics(),
            Loaded::Transform(transform) => transform.metrics(),
        }
    }

    /// The compiled code, shared by every registration of the same bytes.
    pub(crate) fn component(&self) -> &Component {
        match self {
            Loaded::View(view) => view.handle().pre.component(),
            Loaded::Change(change) => change.component(),
            Loaded::Decider(decider) => decider.change().component(),
            Loaded::DatabaseDecider(decider) => decider.component(),
            Loaded::Validator(validator) => validator.component(),
            Loaded::Transform(transform) => transform.component(),
        }
    }
}

/// A component on its way to being loaded: say its sandbox, then its kind.
///
/// ```no_run
/// use evident_host::{Runtime, RuntimeConfig};
///
/// let runtime = Runtime::new(RuntimeConfig::default())?;
/// let view = runtime.load_file("event_counter.component.wasm").view()?;
/// let bytes = std::fs::read("python_counter.component.wasm")?;
/// let python = runtime.load("python-counter", &bytes).wasi().view()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a load does nothing until its kind is given (`.view()`, `.change()`, ...)"]
pub struct Load<'a> {
    runtime: &'a Runtime,
    name: Cow<'a, str>,
    code: Code<'a>,
    sandbox: Sandbox,
}

/// Where the code comes from; files are read (and artifacts deserialised) when the kind is
/// given, so every failure comes back from one call.
enum Code<'a> {
    Bytes(&'a [u8]),
    File(PathBuf),
    /// An artifact of [`Runtime::precompile`], vouched for by the caller of
    /// [`Runtime::load_precompiled`].
    Precompiled(PathBuf),
    Compiled(Component),
}

impl Runtime {
    /// Starts loading component bytes; `name` tags the component's logs, metrics and errors.
    pub fn load<'a>(&'a self, name: &'a str, bytes: &'a [u8]) -> Load<'a> {
        Load::new(self, Cow::Borrowed(name), Code::Bytes(bytes))
    }

    /// Starts loading the component in a file, named after the file
    /// (`event_counter.component.wasm` is `event_counter`); the file is read when the kind is
    /// given.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Load<'_> {
        let path = path.as_ref();
        Load::new(
            self,
            component_name(path).into(),
            Code::File(path.to_owned()),
        )
    }

    /// Starts loading an artifact made by [`Runtime::precompile`], named after its file; it is
    /// read and deserialised when the kind is given, and loads in microseconds instead of
    /// milliseconds. A stale or foreign artifact (another Wasmtime version or settings) is
    /// refused then.
    ///
    /// # Safety
    /// The artifact is native code that Wasmtime runs as is: load only artifacts this host (or
    /// one you trust) produced, and that no one else could write, now or until the load ends.
    #[allow(unsafe_code)]
    pub unsafe fn load_precompiled(&self, path: impl AsRef<Path>) -> Load<'_> {
        let path = path.as_ref();
        Load::new(
            self,
            component_name(path).into(),
            Code::Precompiled(path.to_owned()),
        )
    }

    /// Starts loading code already compiled (the registry's, shared between versions with the
    /// same bytes).
    pub(crate) fn load_compiled<'a>(&'a self, name: &'a str, component: Component) -> Load<'a> {
        Load::new(self, Cow::Borrowed(name), Code::Compiled(component))
    }
}

impl<'a> Load<'a> {
    fn new(runtime: &'a Runtime, name: Cow<'a, str>, code: Code<'a>) -> Self {
        Load {
            runtime,
            name,
            code,
            sandbox: Sandbox::Strict,
        }
    }

    /// Names the component in its logs, metrics and errors, instead of the file's name.
    pub fn named(mut self, name: &'a str) -> Self {
        self.name = Cow::Borrowed(name);
        self
    }

    /// Runs the component in `sandbox` ([`Sandbox::Strict`] unless asked).
    pub fn sandbox(mut self, sandbox: Sandbox) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// Runs the component in the deny-all WASI mode ([`Sandbox::Wasi`]).
    pub fn wasi(self) -> Self {
        self.sandbox(Sandbox::Wasi)
    }

    /// Loads it as a state view.
    pub fn view(self) -> Result<StateView, Error> {
        let compiled = self.compile(ComponentKind::View)?;
        StateView::prepare(
            compiled.runtime,
            &compiled.name,
            &compiled.component,
            compiled.interfaces[0],
        )
    }

    /// Loads it as a state change.
    pub fn change(self) -> Result<StateChange, Error> {
        let compiled = self.compile(ComponentKind::Change)?;
        StateChange::prepare(
            compiled.runtime,
            &compiled.name,
            &compiled.component,
            compiled.interfaces[0],
        )
    }

    /// Loads it as a decider: one component that is both a state view and a state change over
    /// one state, checked as both.
    pub fn decider(self) -> Result<Decider, Error> {
        let Compiled {
            runtime,
            name,
            component,
            interfaces,
        } = self.compile(ComponentKind::Decider)?;
        let view = StateView::prepare(runtime, &name, &component, interfaces[0])?;
        let change = StateChange::prepare(runtime, &name, &component, interfaces[1])?;
        Ok(Decider::of_one_component(view, change))
    }

    /// Loads it as a decider that reads the database; run it with [`crate::Database::decide`].
    pub fn database_decider(self) -> Result<DatabaseDecider, Error> {
        let compiled = self.compile(ComponentKind::DatabaseDecider)?;
        DatabaseDecider::prepare(
            compiled.runtime,
            &compiled.name,
            &compiled.component,
            compiled.interfaces[0],
        )
    }

    /// Loads it as a validator; a database runs it before appends
    /// ([`crate::Database::register_validator`]).
    pub fn validator(self) -> Result<Validator, Error> {
        let compiled = self.compile(ComponentKind::Validator)?;
        Validator::prepare(
            compiled.runtime,
            &compiled.name,
            &compiled.component,
            compiled.interfaces[0],
        )
    }

    /// Loads it as a transform (a converter, or an upcaster a view reads through).
    pub fn transform(self) -> Result<Transform, Error> {
        let compiled = self.compile(ComponentKind::Transform)?;
        Transform::prepare(
            compiled.runtime,
            &compiled.name,
            &compiled.component,
            compiled.interfaces[0],
        )
    }

    /// Loads it as `kind`, for code that has the kind as data.
    pub fn as_kind(self, kind: ComponentKind) -> Result<Loaded, Error> {
        match kind {
            ComponentKind::View => self.view().map(Loaded::View),
            ComponentKind::Change => self.change().map(Loaded::Change),
            ComponentKind::Decider => self.decider().map(Loaded::Decider),
            ComponentKind::DatabaseDecider => self.database_decider().map(Loaded::DatabaseDecider),
            ComponentKind::Validator => self.validator().map(Loaded::Validator),
            ComponentKind::Transform => self.transform().map(Loaded::Transform),
        }
    }

    /// Compiles it (or reads the artifact) for `kind`; each kind's `prepare` then refuses it
    /// unless it exports what `kind` exports and imports nothing `kind` and the sandbox grant.
    fn compile(self, kind: ComponentKind) -> Result<Compiled<'a>, Error> {
        let runtime = self.runtime;
        let name = self.name;
        let interfaces = kind
            .interfaces()
            .iter()
            .map(|interface| sandboxed(*interface, self.sandbox, &name))
            .collect::<Result<Vec<_>, Error>>()?;
        let first = interfaces[0];
        let component = match self.code {
            Code::Bytes(bytes) => runtime.compile(&name, bytes, first)?,
            Code::File(path) => {
                let bytes = std::fs::read(&path).map_err(|source| Error::Io { path, source })?;
                runtime.compile(&name, &bytes, first)?
            }
            // SAFETY: the caller of `load_precompiled` vouched for the artifact at this path,
            // as that function's contract requires.
            #[allow(unsafe_code)]
            Code::Precompiled(path) => unsafe { runtime.deserialize(&path, &name, first)? },
            Code::Compiled(component) => component,
        };
        Ok(Compiled {
            runtime,
            name,
            component,
            interfaces,
        })
    }
}

/// A component compiled for a kind, before its checks.
struct Compiled<'a> {
    runtime: &'a Runtime,
    name: Cow<'a, str>,
    component: Component,
    /// The kind's interfaces in the sandbox asked for, as [`ComponentKind::interfaces`] lists.
    interfaces: Vec<component::Kind>,
}

/// `kind` in the sandbox asked for.
fn sandboxed(
    kind: component::Kind,
    sandbox: Sandbox,
    #[allow(unused)] name: &str,
) -> Result<component::Kind, Error> {
    match sandbox {
        Sandbox::Strict => Ok(kind),
        #[cfg(feature = "wasi")]
        Sandbox::Wasi => Ok(kind.with_wasi()),
        #[cfg(not(feature = "wasi"))]
        Sandbox::Wasi => Err(component::invalid(
            name,
            kind,
            "it was loaded in the WASI mode, which this host was built without (feature `wasi`)"
                .into(),
        )),
    }
}
