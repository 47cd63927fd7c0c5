//! What can go wrong talking to a registry: one variant per cause, each naming the reference.

use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};

/// Why a push, pull or listing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not a reference this crate can use.
    #[error(
        "{reference:?} is not a component reference ({reason}): write <registry>/<name>:<version> or <registry>/<name>@sha256:<digest>"
    )]
    InvalidReference {
        /// The text as given.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The registry has no such repository, tag or digest.
    #[error("{reference} not found in the registry {registry}: {reason}")]
    NotFound {
        /// The reference asked for.
        reference: String,
        /// The registry asked.
        registry: String,
        /// What the registry says is missing (tag, repository, manifest, blob).
        reason: String,
    },
    /// Bytes the registry served do not hash to the digest that names them.
    #[error("digest mismatch for the {what} of {reference}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The reference pulled.
        reference: String,
        /// Which content: `manifest` or `component layer`.
        what: &'static str,
        /// The digest the manifest (or the reference) names.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// The registry did not answer (connection refused, DNS, TLS, timeout).
    #[error("cannot reach the registry {registry}: {reason}")]
    Unreachable {
        /// The registry's host and port.
        registry: String,
        /// The transport error, with its causes.
        reason: String,
    },
    /// The registry wants credentials this client did not give, or refused them.
    #[error("the registry {registry} refused access to {reference}: {reason}")]
    Denied {
        /// The registry's host and port.
        registry: String,
        /// The reference asked for.
        reference: String,
        /// What the registry said.
        reason: String,
    },
    /// Bytes to push, or pulled, are not a WebAssembly component.
    #[error("not a WebAssembly component: {reason}")]
    NotAComponent {
        /// What the parser found instead.
        reason: String,
    },
    /// The artifact is not a WebAssembly component in the layout `wkg` uses.
    #[error("{reference} is not a WebAssembly component artifact: {reason}")]
    NotAComponentArtifact {
        /// The reference pulled.
        reference: String,
        /// Which part of the layout differs.
        reason: String,
    },
    /// Any other answer the registry gave that this client cannot use.
    #[error("the registry {registry} failed on {reference}: {reason}")]
    Registry {
        /// The registry's host and port.
        registry: String,
        /// The reference (or registry) the operation was on.
        reference: String,
        /// The registry's error.
        reason: String,
    },
    /// The async runtime the blocking API drives could not start.
    #[error("cannot start the I/O runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl Error {
    /// Sorts an `oci-client` error into the variant for its cause.
    pub(crate) fn from_oci(error: OciDistributionError, registry: &str, reference: &str) -> Self {
        let registry = registry.to_owned();
        let reference = reference.to_owned();
        match error {
            OciDistributionError::DigestError(DigestError::VerificationError {
                expected,
                actual,
            }) => Error::DigestMismatch {
                reference,
                what: "content",
                expected,
                actual,
            },
            OciDistributionError::ImageManifestNotFoundError(reason) => Error::NotFound {
                reference,
                registry,
                reason,
            },
            OciDistributionError::RegistryError { envelope, .. } => {
                let reason = envelope
                    .errors
                    .iter()
                    .map(|e| format!("{:?}: {}", e.code, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                let missing = envelope.errors.iter().any(|e| {
                    matches!(
                        e.code,
                        OciErrorCode::ManifestUnknown
                            | OciErrorCode::NameUnknown
                            | OciErrorCode::BlobUnknown
                            | OciErrorCode::NotFound
                    )
                });
                let denied = envelope
                    .errors
                    .iter()
                    .any(|e| matches!(e.code, OciErrorCode::Unauthorized | OciErrorCode::Denied));
                if missing {
                    Error::NotFound {
                        reference,
                        registry,
                        reason: describe_missing(&envelope.errors, reason),
                    }
                } else if denied {
                    Error::Denied {
                        registry,
                        reference,
                        reason,
                    }
                } else {
                    Error::Registry {
                        registry,
                        reference,
                        reason,
                    }
                }
            }
            OciDistributionError::ServerError { code: 404, url, .. } => Error::NotFound {
                reference,
                registry,
                reason: format!("{url} answered 404"),
            },
            OciDistributionError::UnauthorizedError { url } => Error::Denied {
                registry,
                reference,
                reason: format!("{url} answered 401 (no credentials, or wrong ones)"),
            },
            OciDistributionError::AuthenticationFailure(reason) => Error::Denied {
                registry,
                reference,
                reason,
            },
            OciDistributionError::RequestError(error) => Error::Unreachable {
                registry,
                reason: chain(&error),
            },
            other => Error::Registry {
                registry,
                reference,
                reason: chain(&other),
            },
        }
    }
}

/// A plain reason for a missing repository or tag, with the registry's own words after it.
fn describe_missing(errors: &[oci_client::errors::OciError], reason: String) -> String {
    if errors.iter().any(|e| e.code == OciErrorCode::NameUnknown) {
        format!("no such repository ({reason})")
    } else if errors
        .iter()
        .any(|e| e.code == OciErrorCode::ManifestUnknown)
    {
        format!("no such tag or digest ({reason})")
    } else {
        reason
    }
}

/// An error and its causes on one line, as `a: b: c`, each cause once.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}
