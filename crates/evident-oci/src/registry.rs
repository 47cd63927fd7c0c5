//! The blocking client: push a component, pull one (verifying every digest), list a registry.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::manifest::OciImageManifest;
use oci_client::secrets::RegistryAuth;

use crate::component::ComponentInfo;
use crate::digest::sha256_digest;
use crate::reference::{is_loopback, is_sha256_digest};
use crate::{Error, Reference, layout};

/// How long a connection to a registry may take before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most a pull allocates up front for a layer, whatever size its manifest claims.
const MAX_PREALLOCATION: usize = 64 << 20;
/// Repositories or tags asked for per page of a listing.
const PAGE: usize = 100;

/// How the client talks to registries.
#[derive(Debug, Clone)]
pub struct Options {
    /// Registries (`host:port`) spoken to over plain HTTP; loopback ones always are.
    pub insecure: Vec<String>,
    /// A user name and password for registries that want them; anonymous otherwise.
    pub credentials: Option<(String, String)>,
    /// What `dev.evident.pushed-by` says pushed a component, e.g. `evident 0.1.0`.
    pub pushed_by: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            insecure: Vec::new(),
            credentials: None,
            pushed_by: concat!("evident ", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A component pushed: where it now is, and what its manifest says.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// The reference pushed to, by tag.
    pub reference: Reference,
    /// The manifest's digest: pulling `<registry>/<name>@<digest>` gets these exact bytes.
    pub digest: String,
    /// The component layer's digest.
    pub layer_digest: String,
    /// The manifest's annotations.
    pub annotations: BTreeMap<String, String>,
}

/// A component pulled, its digests verified.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// The reference pulled.
    pub reference: Reference,
    /// The manifest's digest (the one a reference by digest names).
    pub digest: String,
    /// The component layer's digest, which its bytes hash to.
    pub layer_digest: String,
    /// The component.
    pub bytes: Vec<u8>,
    /// The manifest's annotations (world, language, version, who pushed it and when).
    pub annotations: BTreeMap<String, String>,
    /// What the component's bytes say about it.
    pub info: ComponentInfo,
}

/// A repository of a registry and its tags, as a listing shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The repository's name, e.g. `evident/event-counter`.
    pub name: String,
    /// Its tags: versions (semver, with or without a leading `v`) oldest first, then the
    /// others in byte order.
    pub tags: Vec<String>,
}

/// A blocking client for OCI registries: owns the I/O runtime its calls run on.
pub struct Registry {
    runtime: tokio::runtime::Runtime,
    options: Options,
}

impl Registry {
    /// A client with `options`; it connects only when asked to push, pull or list.
    pub fn new(options: Options) -> Result<Registry, Error> {
        // oci-client's HTTP client is rustls without a bundled provider: ring is the one this
        // crate builds (aws-lc-rs, rustls's default, compiles a C library). rustls 0.23.48
        // deprecates it for lacking post-quantum key exchange, which is the price of that
        // choice. Installing fails only when the process already has a default provider.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(Error::Runtime)?;
        Ok(Registry { runtime, options })
    }

    /// Pushes a component to `reference` (a tag), in the layout `wkg` pushes, with its
    /// annotations; refuses bytes that are not a component before connecting.
    pub fn push(&self, reference: &Reference, component: Vec<u8>) -> Result<Pushed, Error> {
        let Some(tag) = reference.tag().filter(|_| reference.digest().is_none()) else {
            return Err(Error::InvalidReference {
                reference: reference.to_string(),
                reason: "a push names a tag (a version), not a digest".to_owned(),
            });
        };
        let info = ComponentInfo::read(&component)?;
        let created = chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let artifact = layout::artifact(
            component,
            &info,
            reference.name(),
            Some(tag),
            &self.options.pushed_by,
            &created,
        )
        .map_err(|e| self.failed(reference, e.to_string()))?;
        let layer_digest = artifact.layer.sha256_digest();
        let annotations = artifact.manifest.annotations.clone().unwrap_or_default();
        let client = self.client(reference.registry())?;
        let auth = self.auth();
        let oci = reference.oci();
        let digest = self.runtime.block_on(async {
            let pushed = client
                .push(
                    oci,
                    std::slice::from_ref(&artifact.layer),
                    artifact.config,
                    &auth,
                    Some(artifact.manifest),
                )
                .await
                .map_err(|e| self.oci_error(e, reference, "pushed content"))?;
            // The manifest's URL ends in its digest, as the registry computed it.
            match pushed.manifest_url.rsplit('/').next() {
                Some(digest) if is_sha256_digest(digest) => Ok(digest.to_owned()),
                _ => client
                    .fetch_manifest_digest(oci, &auth)
                    .await
                    .map_err(|e| self.oci_error(e, reference, "manifest")),
            }
        })?;
        Ok(Pushed {
            reference: reference.clone(),
            digest,
            layer_digest,
            annotations,
        })
    }

    /// Pulls the component `reference` names, by tag or by digest: the manifest (checked
    /// against the reference's digest, if it has one), then the layer (checked against the
    /// manifest's digest for it), and refuses anything that is not a component.
    pub fn pull(&self, reference: &Reference) -> Result<Pulled, Error> {
        let client = self.client(reference.registry())?;
        let auth = self.auth();
        let oci = reference.oci();
        let (digest, bytes, layer, annotations) = self.runtime.block_on(async {
            let (manifest_bytes, _) = client
                .pull_manifest_raw(oci, &auth, &[layout::MANIFEST_MEDIA_TYPE])
                .await
                .map_err(|e| self.oci_error(e, reference, "manifest"))?;
            let digest = sha256_digest(&manifest_bytes);
            if let Some(expected) = reference.digest()
                && expected != digest
            {
                return Err(mismatch(reference, "manifest", expected, digest));
            }
            let manifest: OciImageManifest =
                serde_json::from_slice(&manifest_bytes).map_err(|e| {
                    Error::NotAComponentArtifact {
                        reference: reference.to_string(),
                        reason: format!("its manifest is not an OCI image manifest: {e}"),
                    }
                })?;
            let layer = layout::component_layer(&manifest).map_err(|reason| {
                Error::NotAComponentArtifact {
                    reference: reference.to_string(),
                    reason,
                }
            })?;
            // The manifest's size is the registry's word: it only sizes the first allocation.
            let capacity =
                usize::try_from(layer.size).map_or(0, |size| size.min(MAX_PREALLOCATION));
            let mut bytes = Vec::with_capacity(capacity);
            client
                .pull_blob(oci, layer, &mut bytes)
                .await
                .map_err(|e| self.oci_error(e, reference, "component layer"))?;
            Ok((
                digest,
                bytes,
                layer.clone(),
                manifest.annotations.unwrap_or_default(),
            ))
        })?;
        // oci-client checks the digest as it reads; checked here too, so this crate's promise
        // does not rest on a dependency's.
        let layer_digest = sha256_digest(&bytes);
        if layer_digest != layer.digest {
            return Err(mismatch(
                reference,
                "component layer",
                &layer.digest,
                layer_digest,
            ));
        }
        let info = ComponentInfo::read(&bytes)?;
        Ok(Pulled {
            reference: reference.clone(),
            digest,
            layer_digest,
            bytes,
            annotations,
            info,
        })
    }

    /// Lists the repositories of `registry` (`host:port`) that have tags, and their tags.
    pub fn list(&self, registry: &str) -> Result<Vec<Repository>, Error> {
        if registry.is_empty() || registry.contains('/') {
            return Err(Error::InvalidReference {
                reference: registry.to_owned(),
                reason: "a listing names a registry, host[:port], alone".to_owned(),
            });
        }
        let client = self.client(registry)?;
        let auth = self.auth();
        // The catalog call uses a reference only for its registry.
        let anchor = oci_client::Reference::with_tag(
            registry.to_owned(),
            "catalog".to_owned(),
            "latest".to_owned(),
        );
        let fail = |e| Error::from_oci(e, registry, registry);
        self.runtime.block_on(async {
            let mut names = Vec::new();
            loop {
                let page = client
                    .catalog(&anchor, &auth, Some(PAGE), names.last().map(String::as_str))
                    .await
                    .map_err(fail)?;
                let full = page.repositories.len() >= PAGE;
                let before = names.last().cloned();
                names.extend(page.repositories);
                // A registry that ignores `last` would page forever: stop when a page adds
                // nothing new.
                if !full || names.last() == before.as_ref() {
                    break;
                }
            }
            let mut repositories = Vec::with_capacity(names.len());
            for name in names {
                let image = oci_client::Reference::with_tag(
                    registry.to_owned(),
                    name.clone(),
                    "latest".to_owned(),
                );
                let mut tags: Vec<String> = Vec::new();
                loop {
                    let page = match client
                        .list_tags(&image, &auth, Some(PAGE), tags.last().map(String::as_str))
                        .await
                        .map_err(|e| Error::from_oci(e, registry, &name))
                    {
                        Ok(page) => page,
                        // A repository whose first push is still uploading is in the catalog
                        // but has no tags yet (the registry answers NAME_UNKNOWN).
                        Err(Error::NotFound { .. }) => break,
                        Err(error) => return Err(error),
                    };
                    let full = page.tags.len() >= PAGE;
                    let before = tags.last().cloned();
                    tags.extend(page.tags);
                    if !full || tags.last() == before.as_ref() {
                        break;
                    }
                }
                tags.sort_by(|a, b| version_order(a, b));
                tags.dedup();
                // Nothing in an untagged repository can be pulled by name: it is left out.
                if !tags.is_empty() {
                    repositories.push(Repository { name, tags });
                }
            }
            Ok(repositories)
        })
    }

    /// An `oci-client` for `registry`: plain HTTP for loopback and `insecure` registries.
    fn client(&self, registry: &str) -> Result<oci_client::Client, Error> {
        let plain = is_loopback(registry) || self.options.insecure.iter().any(|r| r == registry);
        let config = ClientConfig {
            protocol: if plain {
                ClientProtocol::HttpsExcept(vec![registry.to_owned()])
            } else {
                ClientProtocol::Https
            },
            connect_timeout: Some(CONNECT_TIMEOUT),
            ..ClientConfig::default()
        };
        oci_client::Client::try_from(config).map_err(|e| Error::Unreachable {
            registry: registry.to_owned(),
            reason: format!("cannot make an HTTP client: {e}"),
        })
    }

    fn auth(&self) -> RegistryAuth {
        match &self.options.credentials {
            Some((user, password)) => RegistryAuth::Basic(user.clone(), password.clone()),
            None => RegistryAuth::Anonymous,
        }
    }

    /// An `oci-client` error on `reference`, a digest mismatch naming `what` was checked.
    fn oci_error(
        &self,
        error: oci_client::errors::OciDistributionError,
        reference: &Reference,
        what: &'static str,
    ) -> Error {
        match Error::from_oci(error, reference.registry(), &reference.to_string()) {
            Error::DigestMismatch {
                reference,
                expected,
                actual,
                ..
            } => Error::DigestMismatch {
                reference,
                what,
                expected,
                actual,
            },
            other => other,
        }
    }

    fn failed(&self, reference: &Reference, reason: String) -> Error {
        Error::Registry {
            registry: reference.registry().to_owned(),
            reference: reference.to_string(),
            reason,
        }
    }
}

/// Tags in the order a listing shows them: semantic versions first, by precedence, then the
/// rest by bytes.
fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let version = |tag: &str| semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok();
    match (version(a), version(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn mismatch(reference: &Reference, what: &'static str, expected: &str, actual: String) -> Error {
    Error::DigestMismatch {
        reference: reference.to_string(),
        what,
        expected: expected.to_owned(),
        actual,
    }
}
