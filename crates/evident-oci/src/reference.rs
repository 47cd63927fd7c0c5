//! Component references, `<registry>/<name>:<tag>` or `<registry>/<name>@sha256:<digest>`, and
//! which registries are spoken to over plain HTTP.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A component in a registry: the registry, the repository and a tag or a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    inner: oci_client::Reference,
}

impl Reference {
    /// The registry's host and port, e.g. `127.0.0.1:5000` or `ghcr.io`.
    pub fn registry(&self) -> &str {
        self.inner.registry()
    }

    /// The repository (the component's name), e.g. `evident/event-counter`.
    pub fn repository(&self) -> &str {
        self.inner.repository()
    }

    /// The tag, when the reference names one (a version, say).
    pub fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The manifest digest, when the reference names one (`sha256:<hex>`).
    pub fn digest(&self) -> Option<&str> {
        self.inner.digest()
    }

    /// The same repository, named by `digest` instead: what a push answers with.
    pub fn with_digest(&self, digest: &str) -> Reference {
        Reference {
            inner: oci_client::Reference::with_digest(
                self.registry().to_owned(),
                self.repository().to_owned(),
                digest.to_owned(),
            ),
        }
    }

    /// The last segment of the repository: the file name a pull writes by default.
    pub fn name(&self) -> &str {
        self.repository()
            .rsplit('/')
            .next()
            .unwrap_or(self.repository())
    }

    pub(crate) fn oci(&self) -> &oci_client::Reference {
        &self.inner
    }
}

impl FromStr for Reference {
    type Err = Error;

    /// Parses `<registry>/<name>(:<tag>|@<digest>)`; the registry must be given (no Docker Hub
    /// default) and so must a tag or a digest (no implicit `latest`).
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidReference {
            reference: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (host, rest) = text.split_once('/').ok_or_else(|| invalid("no registry"))?;
        if !(host.contains('.') || host.contains(':') || host == "localhost") {
            return Err(invalid(
                "the first segment is not a registry host (a registry has a dot or a port, or is localhost)",
            ));
        }
        let last = rest.rsplit('/').next().unwrap_or(rest);
        if !last.contains(':') && !last.contains('@') {
            return Err(invalid("no tag or digest"));
        }
        let inner = oci_client::Reference::from_str(text).map_err(|e| invalid(&e.to_string()))?;
        if let Some(digest) = inner.digest()
            && !is_sha256_digest(digest)
        {
            return Err(invalid("the digest is not sha256:<64 hex digits>"));
        }
        Ok(Reference { inner })
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.whole())
    }
}

/// Whether `digest` is `sha256:` and 64 lowercase hex digits, the only digest this crate checks.
pub(crate) fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Whether a registry is on this machine (`localhost`, `127.0.0.0/8`, `::1`), which is spoken
/// to over plain HTTP as `wkg` does.
pub fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(bracketed),
        None => registry.rsplit_once(':').map_or(registry, |(host, _)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_need_a_registry_and_a_tag_or_digest() {
        let tagged: Reference = "127.0.0.1:5000/evident/counter:1.0.0".parse().unwrap();
        assert_eq!(tagged.registry(), "127.0.0.1:5000");
        assert_eq!(tagged.repository(), "evident/counter");
        assert_eq!(tagged.tag(), Some("1.0.0"));
        assert_eq!(tagged.name(), "counter");
        let digest = format!("sha256:{}", "a".repeat(64));
        let pinned: Reference = format!("localhost:5000/counter@{digest}").parse().unwrap();
        assert_eq!(pinned.digest(), Some(digest.as_str()));
        for bad in [
            "counter:1.0.0",
            "evident/counter:1.0.0",
            "127.0.0.1:5000/counter",
            "127.0.0.1:5000/counter@sha256:abc",
        ] {
            assert!(
                matches!(
                    bad.parse::<Reference>(),
                    Err(Error::InvalidReference { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn loopback_registries_are_plain_http() {
        for registry in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.0.0.1",
            "[::1]:5000",
        ] {
            assert!(is_loopback(registry), "{registry}");
        }
        for registry in ["ghcr.io", "10.0.0.1:5000", "localhost.example:5000"] {
            assert!(!is_loopback(registry), "{registry}");
        }
    }
}
