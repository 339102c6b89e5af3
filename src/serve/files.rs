//! The site as `serve` holds it: every file `build` would write, in memory
//! (assets as paths, read when asked for), in immutable snapshots.

use std::path::{Path, PathBuf};

use crate::url::SitePath;

#[derive(Debug, Clone)]
pub enum Served {
    /// Made in memory: packed, and shared, so a new snapshot that changes
    /// one page copies no other.
    Made(Packed),
    /// An asset, read from the source when requested.
    File(PathBuf),
}

/// `serve` holds every page it made packed, so a large site is not held
/// in memory twice over beside its parse (RELIABILITY.md has the figures).
pub use crate::packed::Packed;

/// What a request path means, once decoded and made safe.
#[derive(Debug, PartialEq, Eq)]
pub enum RequestPath {
    /// A path below the site root, without the leading `/`.
    File(String),
    /// `..`, a backslash, a NUL or bad encoding: never served.
    Refused,
    /// Not below the site's base path.
    Outside,
}

/// Decodes `raw` (as sent, percent-encoded) into the file it names, through
/// the same door as every file the build writes: anything that could leave
/// the site (`..` in any encoding, backslashes, control characters) is
/// refused.
pub fn request_path(raw: &str) -> RequestPath {
    // Browsers send `//` as written; it means the same folder here.
    let mut collapsed = String::with_capacity(raw.len());
    for c in raw.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    match SitePath::from_url_path(&collapsed) {
        Ok(path) => RequestPath::File(path.output_path().to_string()),
        Err(_) => RequestPath::Refused,
    }
}

/// Reads an asset, refusing files that are links to outside `roots`.
/// The real path of an asset about to be served, if it is still a regular
/// file inside one of `roots` (the source and layouts folders): the load
/// stage's rules, applied again because the file may have changed since.
pub fn confined_regular_file(path: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    let inside = roots
        .iter()
        .filter_map(|root| root.canonicalize().ok())
        .any(|root| real.starts_with(root));
    (inside && crate::load::open_regular(&real).is_ok()).then_some(real)
}

/// Whether a request's `Host` (with or without its port) names this
/// computer: a loopback name (`localhost`, `*.localhost`), an IP address
/// (a page elsewhere cannot make a browser send one for its own site), the
/// address the server is bound to, or a name in `allowed`.
pub fn is_allowed_host(host: &str, bind: std::net::IpAddr, allowed: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        // `[::1]:4000`
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return false;
    }
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::IpAddr>().is_ok()
        || name == bind.to_string()
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_made_safe() {
        assert_eq!(request_path("/"), RequestPath::File("index.html".into()));
        assert_eq!(
            request_path("/manual/"),
            RequestPath::File("manual/index.html".into())
        );
        assert_eq!(
            request_path("/manual/a%20b.html"),
            RequestPath::File("manual/a b.html".into())
        );
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/manual/..%2f..%2fetc",
            "/a\\..\\b",
            "/%2E%2E%5Cx",
            "/a/./b",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(request_path(bad), RequestPath::Refused, "{bad}");
        }
    }

    #[test]
    fn only_this_computer_is_an_allowed_host() {
        let loopback: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let allowed = ["docs.internal".to_string()];
        for good in [
            "localhost:4000",
            "LOCALHOST",
            "127.0.0.1:4000",
            "[::1]:4000",
            "manual.localhost:4000",
            "192.168.1.20:4000",
            "docs.internal:4000",
            "localhost.:4000",
        ] {
            assert!(is_allowed_host(good, loopback, &allowed), "{good}");
        }
        for bad in [
            "evil.example:4000",
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io:4000",
            "",
            ":4000",
        ] {
            assert!(!is_allowed_host(bad, loopback, &allowed), "{bad}");
        }
    }

    proptest::proptest! {
        /// Whatever a client sends, a served path stays inside the site:
        /// no `..` or `.` segment, no absolute path, no backslash or NUL.
        #[test]
        fn no_request_leaves_the_site(raw in "(/|%2[eEfF]|%5[cC]|%00|\\.|\\.\\.|[a-z]|%[0-9a-fA-F]{2}|\\\\)*") {
            if let RequestPath::File(path) = request_path(&raw) {
                proptest::prop_assert!(!path.starts_with('/'), "{raw} -> {path}");
                proptest::prop_assert!(!path.contains(['\\', '\0']), "{raw} -> {path}");
                proptest::prop_assert!(
                    path.split('/').all(|segment| !segment.is_empty() && segment != ".." && segment != "."),
                    "{raw} -> {path}"
                );
            }
        }
    }
}
