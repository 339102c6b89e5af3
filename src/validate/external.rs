//! `check --external`: are links to other sites still answering? The only
//! part of `check` that uses the network, and only when asked.
//!
//! Each distinct URL is requested once, by a bounded pool of threads, no
//! faster than the per-host interval allows; 429, 5xx and network errors are
//! retried with exponential backoff (or the server's `Retry-After`). Working
//! URLs are cached with a time stamp so that a rerun within `cache_hours`
//! asks nothing again; failures are always asked again.
//!
//! Blocking requests on a few threads, rather than an async runtime: the
//! work is a few hundred requests bounded by politeness limits, not by
//! threads, and this keeps `check` free of a runtime it otherwise never needs.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::project::Inputs;
use crate::safe_write::Place;
use crate::settings::ExternalLinks;
use crate::site::Resolved;
use crate::site::Site;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Works,
    /// The server answered, and the answer means the page is not there.
    Broken(u16),
    /// No usable answer after every try: a status or a network error.
    Unreachable(String),
}

/// Told (links checked so far, links to check) as the requests finish.
pub type Progress = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

/// `check --external` over a project's site: the settings' cache file is
/// written inside the project, through the write door, which refuses any
/// other path and follows no linked folder.
pub fn check_project(
    site: &Site,
    inputs: &Inputs,
    allow_private: bool,
    progress: Option<&Progress>,
) -> Diagnostics {
    let settings = &site.settings.external_links;
    let protected = inputs.protected_inputs();
    let door = Place::new(&inputs.root)
        .map(|place| place.protecting(protected.iter().map(|input| input.path.as_path())));
    check(
        site,
        settings,
        door.as_ref().ok(),
        Path::new(&settings.cache_file),
        allow_private,
        progress,
    )
}

/// Checks every `http(s)` link of the site and returns the problems found.
/// The cache is `cache_file` in `door` (the project, as the write door
/// sees it); with no door, nothing is cached.
pub fn check(
    site: &Site,
    options: &ExternalLinks,
    door: Option<&Place>,
    cache_file: &Path,
    allow_private: bool,
    progress: Option<&Progress>,
) -> Diagnostics {
    // Each URL, and where it is written: (file, line, column, the alert
    // whose runbook it is, for an alert's link).
    type Use<'s> = (&'s Path, usize, usize, Option<&'s str>);
    let mut uses: BTreeMap<String, Vec<Use<'_>>> = BTreeMap::new();
    fn note<'s>(
        uses: &mut BTreeMap<String, Vec<Use<'s>>>,
        options: &ExternalLinks,
        url: String,
        at: Use<'s>,
    ) {
        let url = if url.starts_with("//") {
            format!("https:{url}")
        } else {
            url
        };
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || options
                .exclude
                .iter()
                .any(|prefix| url.starts_with(prefix.as_str()))
        {
            return;
        }
        let without_fragment = url.split('#').next().unwrap_or(&url).to_string();
        uses.entry(without_fragment).or_default().push(at);
    }
    for page in &site.pages {
        for link in &page.links {
            let Resolved::External(url) = site.resolve(&page.url, &link.destination) else {
                continue;
            };
            let (line, column) = link.definition.unwrap_or((link.line, link.column));
            note(
                &mut uses,
                options,
                url,
                (page.path.as_path(), line, column, None),
            );
        }
    }
    // Alerts' runbooks on other sites, checked like any link to one.
    for alert in &site.runbooks.alerts {
        if alert.is_templated() {
            continue;
        }
        if let Resolved::External(url) = site.resolve("/", &alert.runbook_url) {
            note(
                &mut uses,
                options,
                url,
                (
                    alert.file.as_path(),
                    alert.line,
                    alert.column,
                    Some(&alert.name),
                ),
            );
        }
    }

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let cache_path = door.map(|door| door.target(cache_file));
    let mut cache = match &cache_path {
        Some(Ok(path)) => Cache::load(path),
        _ => Cache::default(),
    };
    let fresh_after = now.saturating_sub(options.cache_hours * 3600);
    let to_check: Vec<String> = uses
        .keys()
        .filter(|url| {
            cache
                .checked
                .get(&Cache::key(url))
                .is_none_or(|&at| at < fresh_after)
        })
        .cloned()
        .collect();
    let outcomes = request_all(to_check, options, allow_private, progress);

    let mut found = Diagnostics::new();
    for (url, outcome) in &outcomes {
        if *outcome == Outcome::Works {
            cache.checked.insert(Cache::key(url), now);
            continue;
        }
        for &(path, line, column, alert) in &uses[url] {
            let alert = alert
                .map(|name| format!("alert `{name}`: runbook_url "))
                .unwrap_or_default();
            found.push(
                match outcome {
                    Outcome::Broken(status) => Diagnostic::error(
                        Code::LinkExternalBroken,
                        path,
                        format!("{alert}{url} answers {status}"),
                    )
                    .with_help("update the link to where the page is now, or remove it"),
                    Outcome::Unreachable(why) => Diagnostic::warning(
                        Code::LinkExternalUnreachable,
                        path,
                        format!("{alert}{url} could not be checked: {why}"),
                    )
                    .with_help(
                        "check the link by hand; if the site is down for a while, try again later",
                    ),
                    Outcome::Works => unreachable!("handled above"),
                }
                .at(line, column),
            );
        }
    }
    let saved = match door {
        Some(door) => door
            .write(
                cache_file,
                &serde_json::to_vec_pretty(&cache).expect("cache serializes"),
            )
            .map(drop),
        None => Err(std::io::Error::other("the project folder cannot be opened")),
    };
    if let Err(e) = saved {
        found.push(
            Diagnostic::warning(
                Code::ExternalCache,
                cache_file,
                format!("cannot save the link cache: {e}"),
            )
            .with_help("set `external_links.cache_file` to a writable path"),
        );
    }
    found
}

fn request_all(
    urls: Vec<String>,
    options: &ExternalLinks,
    allow_private: bool,
    progress: Option<&Progress>,
) -> Vec<(String, Outcome)> {
    let total = urls.len();
    let queue = Mutex::new(VecDeque::from(urls));
    let results = Mutex::new(Vec::new());
    let next_slot: Mutex<HashMap<String, Instant>> = Mutex::new(HashMap::new());
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(options.timeout_seconds)))
        .http_status_as_error(false)
        .user_agent(concat!("manual-link-check/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent = ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        PublicAddressesOnly { allow_private },
    );
    std::thread::scope(|scope| {
        for _ in 0..options.concurrency.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(url) = queue.lock().expect("queue").pop_front() else {
                        break;
                    };
                    let outcome = request_with_retries(&agent, &url, options, &next_slot);
                    let done = {
                        let mut results = results.lock().expect("results");
                        results.push((url, outcome));
                        results.len()
                    };
                    if let Some(progress) = progress {
                        progress(done, total);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

/// Waits for this host's next free slot, so no host gets more than one
/// request per interval from us.
fn wait_for_host(url: &str, interval: Duration, next_slot: &Mutex<HashMap<String, Instant>>) {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let wait = {
        let mut slots = next_slot.lock().expect("slots");
        let now = Instant::now();
        let slot = slots.get(&host).copied().unwrap_or(now).max(now);
        slots.insert(host, slot + interval);
        slot - now
    };
    std::thread::sleep(wait);
}

fn request_with_retries(
    agent: &ureq::Agent,
    url: &str,
    options: &ExternalLinks,
    next_slot: &Mutex<HashMap<String, Instant>>,
) -> Outcome {
    let interval = Duration::from_millis(options.per_host_interval_ms);
    let mut last = Outcome::Unreachable("not tried".into());
    for attempt in 0..=options.retries {
        wait_for_host(url, interval, next_slot);
        let mut retry_after = None;
        last = match agent.get(url).call() {
            Ok(response) => {
                let status = response.status().as_u16();
                retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if (200..400).contains(&status) || options.accepted_status.contains(&status) {
                    return Outcome::Works;
                } else if status == 429 || status >= 500 {
                    Outcome::Unreachable(format!("it answered {status}"))
                } else {
                    return Outcome::Broken(status);
                }
            }
            Err(e) => Outcome::Unreachable(e.to_string()),
        };
        if attempt < options.retries {
            let backoff =
                Duration::from_millis(options.backoff_ms.saturating_mul(1 << attempt.min(10)));
            let wait = retry_after.map_or(backoff, |s| Duration::from_secs(s.min(60)));
            std::thread::sleep(wait);
        }
    }
    match last {
        Outcome::Unreachable(why) => {
            Outcome::Unreachable(format!("{why} ({} tries)", options.retries + 1))
        }
        other => other,
    }
}

/// The SHA-256 of each URL -> when it last worked (seconds since 1970).
/// Hashes rather than the URLs as written: the file then holds only hex
/// digits and numbers, never a page's text (a link holding `$(...)` must not
/// reach a file something else might run).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Cache {
    checked: BTreeMap<String, u64>,
}

impl Cache {
    /// A missing or unreadable cache is an empty one: it only saves time.
    /// A cache that is a symbolic link (a pull request could commit one
    /// pointing anywhere) is not read.
    fn load(path: &Path) -> Cache {
        let is_plain_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
        is_plain_file
            .then(|| crate::load::read_text(path, crate::load::MAX_SETTINGS_BYTES).ok())
            .flatten()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn key(url: &str) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(url.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// Resolves as the system does, then keeps only public addresses (unless
/// allowed): a link, or a redirect, to `localhost`, `10.x`, `169.254.x` or
/// the like would otherwise make CI request its own network for a pull
/// request. Checked on every connection, redirects included, at the
/// address actually used, so a name that resolves to a private address is
/// caught as well as a written one.
#[derive(Debug)]
struct PublicAddressesOnly {
    allow_private: bool,
}

impl ureq::unversioned::resolver::Resolver for PublicAddressesOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let found = ureq::unversioned::resolver::DefaultResolver::default()
            .resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(found);
        }
        let mut public = ureq::unversioned::resolver::DefaultResolver::default().empty();
        for address in found.iter().filter(|a| is_public(a.ip())) {
            public.push(*address);
        }
        if public.is_empty() {
            return Err(ureq::Error::Io(std::io::Error::other(
                "refused: it is a private, loopback or link-local address (--allow-private-addresses checks those)",
            )));
        }
        Ok(public)
    }
}

/// Whether `ip` is on the public internet: not loopback, private,
/// link-local, shared (100.64/10), unspecified, multicast, documentation
/// or an IPv4 address inside IPv6.
fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4().is_some())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
