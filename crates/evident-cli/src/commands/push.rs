//! `evident push`: share a component through an OCI registry, in the layout `wkg` uses, with
//! its world, language and build metadata in the manifest's annotations.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use evident_oci::{Options, Reference, Registry};

use crate::output;

/// Push a component to an OCI registry (the layout `wkg oci pull` reads).
#[derive(Args)]
#[command(after_help = "Examples:\n  \
    evident push target/guests/wasm32-unknown-unknown/release/event_counter.component.wasm 127.0.0.1:5055/evident/event-counter:1.0.0\n  \
    evident push guests/event-counter ghcr.io/acme/event-counter:1.0.0 --username acme   (password from EVIDENT_OCI_PASSWORD)")]
pub(crate) struct PushCommand {
    /// The component (.wasm), or a guest directory (built first).
    component: PathBuf,
    /// Where: <registry>/<name>:<version>.
    #[arg(value_name = "REGISTRY/NAME:VERSION")]
    reference: String,
    #[command(flatten)]
    registry: RegistryOptions,
}

impl PushCommand {
    /// Pushes, then prints the reference and the digest that pins these exact bytes.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let reference: Reference = self.reference.parse()?;
        let (path, _) = crate::component::component_file(&self.component)?;
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let size = bytes.len() as u64;
        let pushed = self.registry.client()?.push(&reference, bytes)?;
        println!("pushed:  {} ({})", pushed.reference, output::size(size));
        println!("digest:  {}", pushed.digest);
        println!("pull:    {}", reference.with_digest(&pushed.digest));
        for (key, value) in &pushed.annotations {
            println!("  {key}: {value}");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// How `push`, `pull` and `search` reach a registry.
#[derive(Args)]
pub(super) struct RegistryOptions {
    /// A registry (host:port) to speak plain HTTP to, not HTTPS (repeatable, or
    /// comma-separated); localhost and 127.0.0.1 always are.
    #[arg(
        long,
        value_name = "REGISTRY",
        env = "EVIDENT_OCI_INSECURE",
        value_delimiter = ','
    )]
    insecure: Vec<String>,
    /// The user name for a registry that wants one; the password is EVIDENT_OCI_PASSWORD.
    #[arg(long, value_name = "USER", env = "EVIDENT_OCI_USERNAME")]
    username: Option<String>,
}

impl RegistryOptions {
    /// A client with these options, credentials from the environment.
    pub(super) fn client(self) -> Result<Registry> {
        let credentials = match self.username {
            Some(user) => Some((
                user,
                std::env::var("EVIDENT_OCI_PASSWORD")
                    .context("--username needs the password in EVIDENT_OCI_PASSWORD")?,
            )),
            None => None,
        };
        Ok(Registry::new(Options {
            insecure: self.insecure,
            credentials,
            ..Options::default()
        })?)
    }
}
