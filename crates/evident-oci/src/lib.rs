//! Sharing Evident components through OCI registries: push a component, pull one by tag or by
//! digest, list what a registry holds. Components are stored in the layout the WebAssembly
//! ecosystem uses (`wkg oci push`, `wasm-pkg-tools`, `oci-wasm`): a manifest whose config is
//! `application/vnd.wasm.config.v0+json` and whose one layer is the component
//! (`application/wasm`), so `wkg oci pull` reads what this crate pushes and the other way round.
//! The manifest's annotations carry the standard `org.opencontainers.image.*` keys that fit
//! (created, version, title) and Evident's own under [`layout::ANNOTATION_PREFIX`]: the world the
//! component exports and imports, its WIT package, its source language, the SDK that built it and
//! the tool that pushed it. A pull checks the manifest against the reference's digest (when it
//! names one) and the component against the manifest's layer digest, and refuses bytes that are
//! not a component.
//!
//! The API is blocking: a [`Registry`] owns the single-threaded I/O runtime its calls run on.
//! Loopback registries (`localhost`, `127.0.0.1`) are spoken to over plain HTTP, others over
//! HTTPS unless [`Options::insecure`] names them. This crate neither runs nor compiles
//! components: [`ComponentInfo`] reads what it needs from their bytes.
//!
//! ```no_run
//! use evident_oci::{Options, Reference, Registry};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let registry = Registry::new(Options::default())?;
//! let reference: Reference = "127.0.0.1:5000/evident/event-counter:1.0.0".parse()?;
//! let pushed = registry.push(&reference, std::fs::read("event_counter.component.wasm")?)?;
//! println!("pushed {} as {}", pushed.reference, pushed.digest);
//!
//! let pulled = registry.pull(&reference.with_digest(&pushed.digest))?;
//! assert_eq!(pulled.layer_digest, pushed.layer_digest);
//! for repository in registry.list("127.0.0.1:5000")? {
//!     println!("{}: {}", repository.name, repository.tags.join(", "));
//! }
//! # Ok(())
//! # }
//! ```

mod component;
mod digest;
mod error;
pub mod layout;
mod reference;
mod registry;

pub use component::ComponentInfo;
pub use digest::sha256_digest;
pub use error::Error;
pub use reference::{Reference, is_loopback};
pub use registry::{Options, Pulled, Pushed, Registry, Repository};
