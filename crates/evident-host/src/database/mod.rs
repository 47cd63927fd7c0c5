//! The database side of the host: state views kept materialized over an event store, and
//! deciders that read the log and those views through the `database` import (evident:db
//! 0.4.0) and append under the condition their reads imply.

mod decide;
mod decider;
mod error;
mod materialized;
mod query;
mod session;
mod validate;

use std::collections::HashMap;
use std::sync::Arc;

use evident_store::{Position, Query, Store};
use evident_types::Parameters;
use parking_lot::{Mutex, RwLock};

use crate::registry::Registry;
use crate::upcast::Upcasters;

pub use decide::{Appended, Decided, Read};
pub use decider::DatabaseDecider;
pub use error::{DatabaseError, ViewStateError};
pub use materialized::{Rebuilt, ViewState};
pub(crate) use session::Session;

use materialized::Materialized;

/// The host type of the `database` resource. A decision's reads live in its store's
/// [`Session`]; the handle the guest borrows carries nothing.
pub struct DatabaseResource;

/// How materialized views are kept and how much a decision may read at once.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// A view's state is saved as a snapshot once this many of its events were folded since the
    /// last one. Default 10,000.
    pub snapshot_every_events: u64,
    /// Or once its events folded since the last snapshot add up to this many bytes. Default
    /// 16 MiB.
    pub snapshot_every_bytes: u64,
    /// Most events one `query-events` call returns, whatever limit the guest asks. Default 1,000.
    pub max_query_events: u32,
    /// Most bytes of events one `query-events` call returns (at least one event is returned if
    /// any matches). Default 4 MiB.
    pub max_query_bytes: usize,
    /// Events read from the store and folded per frame when a view catches up. Default 1,000.
    pub catch_up_frame_events: usize,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            snapshot_every_events: 10_000,
            snapshot_every_bytes: 16 << 20,
            max_query_events: 1_000,
            max_query_bytes: 4 << 20,
            catch_up_frame_events: 1_000,
        }
    }
}

/// An event store with materialized views over it, and the decisions that read them: what a
/// database embeds to run deciders of the 0.4.0 `database-decider` world.
///
/// Views are the registry's state views; each is declared with the query that selects its
/// events ([`Database::declare_view`]; every event if undeclared), whose tag values may name
/// parameters as `{name}`. A view is materialized per version and parameters on first use:
/// its state is kept in memory at the newest position read, saved as a snapshot in the store
/// every [`DatabaseConfig::snapshot_every_events`] events, and a later process starts from the
/// newest snapshot. Snapshots are keyed by the component's digest, its WIT release and the
/// parameters, so a changed component never reuses another's state.
///
/// ```no_run
/// use std::sync::Arc;
/// use evident_host::{ComponentKind, Database, Registry, Runtime, RuntimeConfig, Sandbox};
/// use evident_store::{Query, QueryItem, SqliteStore};
/// use evident_types::{Command, Parameters};
///
/// let registry = Arc::new(Registry::new(Runtime::new(RuntimeConfig::default())?));
/// let capacity = "course_capacity.component.wasm";
/// registry.register_file("course-capacity", "1.0.0", capacity, ComponentKind::View, Sandbox::Strict)?;
/// let store = Arc::new(SqliteStore::open("./evident-store")?);
/// let database = Database::new(store, registry.clone());
/// database.declare_view(
///     "course-capacity",
///     Query::item(QueryItem::tags(["course:{course}".parse()?])),
/// );
/// let decider = registry.runtime().load_file("course_subscriptions.component.wasm");
/// let decider = decider.database_decider()?;
/// let subscribe = Command::json(&serde_json::json!({"type": "subscribe", "course": "c1", "student": "s1"}))?;
/// let appended = database.decide_and_append(&decider, &subscribe, &Parameters::new(), 5)?;
/// println!("appended at {:?} after {} attempts", appended.positions(), appended.attempts);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    config: DatabaseConfig,
    /// The query each view name selects its events with; a view without one sees every event.
    queries: RwLock<HashMap<String, Query>>,
    /// Views materialized so far, by name, version and parameters.
    views: Mutex<HashMap<ViewKey, Arc<Materialized>>>,
    /// The validators every append runs, in registration order.
    validators: RwLock<Vec<validate::Registered>>,
    /// The upcasters each view name reads its events through.
    upcasters: RwLock<HashMap<String, Upcasters>>,
}

/// Which materialized view: a name, one of its versions, and its parameters (canonical text).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ViewKey {
    name: String,
    version: semver::Version,
    parameters: String,
}

impl Database {
    /// A database over `store`, whose views and deciders are `registry`'s.
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>) -> Self {
        Database::with_config(store, registry, DatabaseConfig::default())
    }

    /// [`Database::new`] with other settings.
    pub fn with_config(
        store: Arc<dyn Store>,
        registry: Arc<Registry>,
        config: DatabaseConfig,
    ) -> Self {
        Database {
            inner: Arc::new(Inner {
                store,
                registry,
                config,
                queries: RwLock::default(),
                views: Mutex::default(),
                validators: RwLock::default(),
                upcasters: RwLock::default(),
            }),
        }
    }

    /// Declares the events view `name` folds (every version): tag values may name a parameter
    /// as `{name}` (`course:{course}`), filled in for each materialized instance. Replaces an
    /// earlier declaration; views already materialized keep the query they started with.
    pub fn declare_view(&self, name: &str, query: Query) {
        self.inner.queries.write().insert(name.to_owned(), query);
    }

    /// Declares the upcasters view `name` (every version) reads its events through, so a view
    /// written for the newest version of an event folds a log holding older ones. Its snapshots
    /// are keyed by them: other upcasters never reuse its state. Views already materialized
    /// keep the upcasters they started with.
    pub fn declare_upcasters(&self, name: &str, upcasters: Upcasters) {
        self.inner
            .upcasters
            .write()
            .insert(name.to_owned(), upcasters);
    }

    /// The event store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The registry views and deciders are resolved in.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.inner.registry
    }

    /// The state of view `name` (`version`, or the active one) under `parameters` at position
    /// `at` (the head if none): from the newest state kept at or before `at` (in memory, or a
    /// snapshot in the store) plus the view's events between.
    pub fn view_state(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
        at: Option<Position>,
    ) -> Result<ViewState, ViewStateError> {
        let head = self.inner.store.head().map_err(ViewStateError::Store)?;
        let at = match at {
            Some(at) if at > head => return Err(ViewStateError::PastHead { at, head }),
            Some(at) => at,
            None => head,
        };
        self.inner
            .materialized(name, version, parameters)?
            .state_at(&self.inner, at)
    }

    /// Refolds view `name` (`version`, or the active one) under `parameters` from the start to
    /// the head, in frames, after deleting the view's snapshots (of every digest and parameter);
    /// `progress` is told the position reached and the head after each frame. A failing event
    /// stops the view at the last good position: the error is returned and kept, and the view
    /// answers with [`ViewStateError::Stalled`] past it until rebuilt.
    pub fn rebuild(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
        progress: &mut dyn FnMut(Position, Position),
    ) -> Result<Rebuilt, ViewStateError> {
        let view = self.inner.materialized(name, version, parameters)?;
        let deleted = self
            .inner
            .store
            .delete_snapshots(name)
            .map_err(ViewStateError::Store)?;
        view.rebuild(&self.inner, deleted, progress)
    }

    /// Brings every view materialized so far up to the head; what a follower calls each time
    /// the store's head moves (see [`Database::follow`]). Returns the first view that failed.
    pub fn catch_up(&self) -> Result<Position, ViewStateError> {
        let head = self.inner.store.head().map_err(ViewStateError::Store)?;
        let views: Vec<Arc<Materialized>> = self.inner.views.lock().values().cloned().collect();
        for view in views {
            view.state_at(&self.inner, head)?;
        }
        Ok(head)
    }

    /// Follows the store on a thread of its own: each time the head moves, every materialized
    /// view is brought up to it, so decisions find their views current. The thread ends when
    /// the returned guard is dropped; a view that fails is logged and stays stalled.
    pub fn follow(&self) -> Follower {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let database = self.clone();
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("evident-views".into())
            .spawn(move || {
                let mut seen = 0;
                while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
                    let tick = std::time::Duration::from_millis(100);
                    match database.inner.store.wait_for(seen, tick) {
                        Ok(head) if head > seen => match database.catch_up() {
                            Ok(reached) => seen = reached,
                            Err(e) => {
                                tracing::warn!(target: "evident::views", "{e}");
                                seen = head;
                            }
                        },
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(target: "evident::views", "following the store: {e}");
                            std::thread::sleep(tick);
                        }
                    }
                }
            })
            .ok();
        Follower { stop, thread }
    }
}

/// Keeps [`Database::follow`]'s thread running; dropping it stops the thread.
pub struct Follower {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Inner {
    /// The materialized view `name` of `version` (or the active one) under `parameters`, made on
    /// first use.
    fn materialized(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
    ) -> Result<Arc<Materialized>, ViewStateError> {
        let versioned = match version {
            Some(version) => self.registry.view_version(name, version),
            None => self.registry.view(name),
        }
        .map_err(|e| ViewStateError::Unknown(Box::new(e)))?;
        let key = ViewKey {
            name: name.to_owned(),
            version: versioned.version.clone(),
            parameters: query::canonical_parameters(parameters),
        };
        if let Some(view) = self.views.lock().get(&key) {
            return Ok(view.clone());
        }
        let declared = self.queries.read().get(name).cloned();
        let query = match declared {
            Some(template) => {
                query::fill(&template, parameters).map_err(|reason| ViewStateError::Parameters {
                    view: name.to_owned(),
                    reason,
                })?
            }
            None => Query::all(),
        };
        let upcasters = self.upcasters.read().get(name).cloned().unwrap_or_default();
        let view = Arc::new(Materialized::new(
            name,
            versioned,
            parameters.clone(),
            key.parameters.clone(),
            query,
            upcasters,
        ));
        Ok(self.views.lock().entry(key).or_insert(view).clone())
    }
}
