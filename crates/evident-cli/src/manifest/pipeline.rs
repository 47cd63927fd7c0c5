//! The manifest's pipeline tables: the upcasters views read their events through and the
//! validators every append runs.
//!
//! ```toml
//! [[upcaster]]
//! name = "payment-v1-to-v2"
//! component = "../payment-upcaster"       # a component file or a guest directory
//! type = "payment.received"               # the events it takes: this type ...
//! dataschema = "urn:evident:payment:v1"   # ... and this dataschema (omit: events without one)
//! parameters = { step = "v1-to-v2" }
//!
//! [[validator]]
//! name = "payment-rules"
//! component = "../payment-validator"
//! types = ["payment.received"]            # or query = '{"items":[…]}'; default every event
//! parameters = { currencies = "EUR,USD" }
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use evident_host::{ComponentKind, Database, Registry, Upcaster, Upcasters};
use evident_store::{Query, QueryItem};
use evident_types::Parameters;
use serde::Deserialize;
use toml::Spanned;

use super::{DEFAULT_VERSION, Manifest, ViewEntry, line_of, normalize, register_component};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUpcaster {
    name: Spanned<String>,
    component: Spanned<String>,
    #[serde(rename = "type")]
    event_type: String,
    dataschema: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, String>,
    wasi: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawValidator {
    name: Spanned<String>,
    component: Spanned<String>,
    types: Option<Vec<String>>,
    query: Option<Spanned<String>>,
    #[serde(default)]
    parameters: BTreeMap<String, String>,
    wasi: Option<bool>,
}

/// One `[[upcaster]]`.
#[derive(Clone, Debug)]
pub(crate) struct UpcasterEntry {
    pub(crate) name: String,
    /// The component file or guest directory, resolved against the manifest's directory.
    pub(crate) component: PathBuf,
    pub(crate) event_type: String,
    pub(crate) dataschema: Option<String>,
    pub(crate) parameters: Parameters,
    pub(crate) wasi: Option<bool>,
    /// The line of its `name`, for messages.
    pub(crate) line: usize,
}

/// One `[[validator]]`.
#[derive(Clone, Debug)]
pub(crate) struct ValidatorEntry {
    pub(crate) name: String,
    pub(crate) component: PathBuf,
    /// The events it checks.
    pub(crate) applies_to: Query,
    pub(crate) parameters: Parameters,
    pub(crate) wasi: Option<bool>,
    pub(crate) line: usize,
}

/// A name and a component, checked: neither empty, the name not taken by an earlier entry.
fn named_component(
    kind: &str,
    name: Spanned<String>,
    component: Spanned<String>,
    taken: &[&str],
    base: &Path,
    at: &dyn Fn(Range<usize>) -> String,
) -> Result<(String, PathBuf, Range<usize>)> {
    let span = name.span();
    let name = name.into_inner();
    if name.trim().is_empty() {
        bail!("{}: an {kind}'s `name` is empty", at(span));
    }
    if taken.contains(&name.as_str()) {
        bail!("{}: {kind} `{name}` is declared twice", at(span));
    }
    let component_span = component.span();
    let written = component.into_inner();
    if written.trim().is_empty() {
        bail!(
            "{}: {kind} `{name}`: `component` is empty",
            at(component_span)
        );
    }
    Ok((name, normalize(&base.join(written)), span))
}

fn parameters(written: BTreeMap<String, String>) -> Parameters {
    Parameters::from(written.into_iter().collect::<Vec<_>>())
}

/// Reads the `[[upcaster]]` tables; every error names the file and the line.
pub(crate) fn upcasters(
    raw: Vec<RawUpcaster>,
    base: &Path,
    text: &str,
    at: &dyn Fn(Range<usize>) -> String,
) -> Result<Vec<UpcasterEntry>> {
    let mut entries: Vec<UpcasterEntry> = Vec::with_capacity(raw.len());
    for upcaster in raw {
        let taken: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        let (name, component, span) = named_component(
            "upcaster",
            upcaster.name,
            upcaster.component,
            &taken,
            base,
            at,
        )?;
        if let Some(earlier) = entries
            .iter()
            .find(|e| e.event_type == upcaster.event_type && e.dataschema == upcaster.dataschema)
        {
            bail!(
                "{}: upcaster `{name}` takes the events upcaster `{}` (line {}) takes: one upcaster per type and dataschema",
                at(span),
                earlier.name,
                earlier.line
            );
        }
        entries.push(UpcasterEntry {
            line: line_of(text, span.start),
            name,
            component,
            event_type: upcaster.event_type,
            dataschema: upcaster.dataschema,
            parameters: parameters(upcaster.parameters),
            wasi: upcaster.wasi,
        });
    }
    Ok(entries)
}

/// Reads the `[[validator]]` tables; every error names the file and the line.
pub(crate) fn validators(
    raw: Vec<RawValidator>,
    base: &Path,
    text: &str,
    at: &dyn Fn(Range<usize>) -> String,
) -> Result<Vec<ValidatorEntry>> {
    let mut entries: Vec<ValidatorEntry> = Vec::with_capacity(raw.len());
    for validator in raw {
        let taken: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        let (name, component, span) = named_component(
            "validator",
            validator.name,
            validator.component,
            &taken,
            base,
            at,
        )?;
        let applies_to = match (validator.types, validator.query) {
            (Some(_), Some(query)) => bail!(
                "{}: validator `{name}`: give `types` or `query`, not both",
                at(query.span())
            ),
            (Some(types), None) => Query::item(QueryItem::types(types)),
            (None, Some(query)) => Query::from_json(query.get_ref()).map_err(|e| {
                anyhow::anyhow!(
                    "{}: validator `{name}`: `query` is not a DCB query: {e}",
                    at(query.span())
                )
            })?,
            (None, None) => Query::all(),
        };
        entries.push(ValidatorEntry {
            line: line_of(text, span.start),
            name,
            component,
            applies_to,
            parameters: parameters(validator.parameters),
            wasi: validator.wasi,
        });
    }
    Ok(entries)
}

impl Manifest {
    /// `file:line: kind `name``, for errors about an entry.
    fn place(&self, kind: &str, name: &str, line: usize) -> String {
        format!("{}:{line}: {kind} `{name}`", self.path.display())
    }

    /// Loads the upcasters `names` (declared here) as a chain, registering each in `registry`.
    pub(crate) fn upcaster_chain(
        &self,
        names: &[String],
        registry: &Registry,
    ) -> Result<Upcasters> {
        let mut chain = Vec::with_capacity(names.len());
        for name in names {
            let Some(entry) = self.upcasters.iter().find(|e| &e.name == name) else {
                bail!("{}: no [[upcaster]] is named `{name}`", self.path.display());
            };
            let place = self.place("upcaster", name, entry.line);
            if registry.transform(name).is_err() {
                register_component(
                    name,
                    DEFAULT_VERSION,
                    &entry.component,
                    entry.wasi,
                    ComponentKind::Transform,
                    registry,
                )
                .with_context(|| place.clone())?;
            }
            let transform = registry.transform(name).with_context(|| place.clone())?;
            chain.push(Upcaster {
                name: name.clone(),
                digest: transform.hash.to_string(),
                transform: transform.component,
                event_type: entry.event_type.clone(),
                dataschema: entry.dataschema.clone(),
                parameters: entry.parameters.clone(),
            });
        }
        Upcasters::new(chain).with_context(|| self.path.display().to_string())
    }

    /// Registers every validator with `database`, in the order written.
    pub(crate) fn install_validators(
        &self,
        registry: &Registry,
        database: &Database,
    ) -> Result<()> {
        for entry in &self.validators {
            let place = self.place("validator", &entry.name, entry.line);
            register_component(
                &entry.name,
                DEFAULT_VERSION,
                &entry.component,
                entry.wasi,
                ComponentKind::Validator,
                registry,
            )
            .with_context(|| place.clone())?;
            let validator = registry
                .validator(&entry.name)
                .with_context(|| place.clone())?;
            database.register_validator(
                &entry.name,
                validator.component,
                entry.applies_to.clone(),
                entry.parameters.clone(),
            );
        }
        Ok(())
    }
}

/// Declares the upcasters of `entries` (views of `manifest`) and registers its validators.
pub(crate) fn install(
    manifest: &Manifest,
    entries: &[&ViewEntry],
    registry: &Registry,
    database: &Database,
) -> Result<()> {
    let mut declared: Vec<&str> = Vec::new();
    for entry in entries {
        if entry.upcasters.is_empty() || declared.contains(&entry.name.as_str()) {
            continue;
        }
        let chain = manifest
            .upcaster_chain(&entry.upcasters, registry)
            .with_context(|| manifest.place("view", &entry.name, entry.line))?;
        database.declare_upcasters(&entry.name, chain);
        declared.push(&entry.name);
    }
    manifest.install_validators(registry, database)
}
