//! The handle of a decider that reads the database (world `database-decider`, 0.4.0).

use std::time::Instant;

use evident_store::AppendCondition;
use evident_types::{Command, Event, Parameters};
use wasmtime::component::{Component, InstancePre, Resource};

use super::DatabaseResource;
use super::query;
use super::session::Session;
use crate::bindings::{wit, wit_decider};
use crate::component::{Export, Handle, Interface, Kind, Signature, Usage};
use crate::error::Error;
use crate::limits::Limits;
use crate::metrics::MetricsSnapshot;
use crate::runtime::Runtime;
use crate::store::{self, Mode, StoreData};
use crate::wire::{self, Payload};

/// A loaded decider that reads the database: give it to [`crate::Database::decide`]. Cloning
/// is cheap; every decision runs on a fresh instance.
#[derive(Clone, Debug)]
pub struct DatabaseDecider {
    handle: Handle<DeciderExports>,
}

struct Decide;
impl Signature for Decide {
    const NAME: &'static str = "decide";
    type Params<'a> = (
        Resource<DatabaseResource>,
        Payload<'a>,
        &'a [(String, String)],
    );
    type Results = (Result<wit_decider::Decision, wit::Error>,);
}

#[derive(Clone)]
pub(crate) struct DeciderExports {
    decide: Export<Decide>,
}

/// What the guest returned: its events, validated, and its condition, if it gave one.
pub(crate) type Returned = (Vec<Event>, Option<AppendCondition>);

impl DatabaseDecider {
    /// Checks a compiled component as a database decider.
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
    ) -> Result<Self, Error> {
        let find = |pre: &InstancePre<StoreData>, decider: Interface| {
            Ok(DeciderExports {
                decide: Export::find(pre, decider)?,
            })
        };
        let handle = Handle::new(runtime, name, component, kind, find)?;
        Ok(DatabaseDecider { handle })
    }

    /// The name logs and errors carry.
    pub fn name(&self) -> &str {
        &self.handle.name
    }

    /// The compiled code.
    pub(crate) fn component(&self) -> &Component {
        self.handle.pre.component()
    }

    /// The release of `evident:db` the component was built against.
    pub fn wit_version(&self) -> &'static str {
        self.handle.wit_version
    }

    /// The limits each decision runs under; the views it reads are charged to its fuel.
    pub fn limits(&self) -> Limits {
        self.handle.limits
    }

    /// The same decider with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.handle.limits = limits;
        self
    }

    /// The component's counters so far (shared by every clone of this handle).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.handle.metrics.snapshot()
    }

    /// Runs `decide` on a fresh instance with `session` as its database; gives the session
    /// back with the reads it recorded (none only if the store lost it, which no path does).
    pub(crate) async fn decide_in(
        &self,
        mode: Mode,
        session: Session,
        command: &Command,
        parameters: &Parameters,
    ) -> (Result<Returned, Error>, Option<Session>, Usage) {
        let started = Instant::now();
        let site = self.handle.site("decide");
        let command = Payload::from(command);
        let (result, session, usage) = match self.handle.instantiate(site, mode).await {
            Ok((mut store, instance)) => {
                store.data_mut().database = Some(session);
                let called = match self.handle.exports.decide.bind(&mut store, &instance) {
                    Ok(decide) => {
                        let database = Resource::new_borrow(0);
                        decide
                            .invoke(mode, &mut store, (database, command, parameters.as_slice()))
                            .await
                    }
                    Err(e) => Err(e),
                };
                let result = match called {
                    Ok((Ok(decision),)) => self.returned(site.function, decision),
                    Ok((Err(error),)) => Err(Error::Guest {
                        component: self.handle.name.clone(),
                        function: site.function,
                        code: Some(error.code.clone()),
                        message: error.message.clone(),
                        details: wire::error_from_wit(error).details,
                    }),
                    Err(e) => Err(store::classify(e, &mut store, site)),
                };
                let usage = self.handle.usage(&store);
                let session = store.data_mut().database.take();
                (result, session, usage)
            }
            Err(e) => (Err(e), Some(session), Usage::default()),
        };
        self.handle.observe(started, 0, usage, &result);
        (result, session, usage)
    }

    /// The guest's decision, checked: events that are CloudEvents, a condition the store takes.
    fn returned(
        &self,
        function: &'static str,
        decision: wit_decider::Decision,
    ) -> Result<Returned, Error> {
        let invalid = |reason: String| Error::InvalidOutput {
            component: self.handle.name.clone(),
            function,
            reason,
        };
        let events = decision
            .events
            .into_iter()
            .enumerate()
            .map(|(index, event)| {
                wire::event_from_wit(event)
                    .map_err(|e| invalid(format!("event {index} is not a valid CloudEvent: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let condition = decision
            .condition
            .map(query::condition_from_wit)
            .transpose()
            .map_err(|reason| invalid(format!("its append condition is invalid: {reason}")))?;
        Ok((events, condition))
    }
}
