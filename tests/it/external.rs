//! `check --external` against a server on 127.0.0.1 that this test runs:
//! broken, flaky, rate-limited, slow, redirected and excluded URLs, the
//! per-host interval, and the cache. Nothing here touches the internet.

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Fixture;

type Log = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

/// Serves canned answers by path and logs when each path was asked for.
fn start_server() -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let server_log = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = server_log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let times_before = {
                    let mut log = log.lock().unwrap();
                    let entry = log.entry(path.clone()).or_default();
                    entry.push(Instant::now());
                    entry.len() - 1
                };
                let (status, extra) = match path.as_str() {
                    "/ok" | "/ok2" | "/ok3" => ("200 OK", ""),
                    "/gone" => ("404 Not Found", ""),
                    "/teapot" => ("418 I'm a teapot", ""),
                    "/flaky" if times_before == 0 => ("503 Service Unavailable", ""),
                    "/flaky" => ("200 OK", ""),
                    "/busy" => ("429 Too Many Requests", "Retry-After: 0\r\n"),
                    "/moved" => ("301 Moved Permanently", "Location: /ok\r\n"),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(3));
                        ("200 OK", "")
                    }
                    _ => ("404 Not Found", ""),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    (port, log)
}

fn count(log: &Log, path: &str) -> usize {
    log.lock().unwrap().get(path).map_or(0, Vec::len)
}

fn site_linking_to(port: u16, interval_ms: u64) -> Fixture {
    let site = Fixture::new();
    let base = format!("http://127.0.0.1:{port}");
    site.write(
        "source/site.yml",
        format!(
            "external_links:\n  concurrency: 4\n  per_host_interval_ms: {interval_ms}\n  timeout_seconds: 1\n  retries: 2\n  backoff_ms: 10\n  accepted_status: [418]\n  exclude: [\"{base}/excluded\"]\n  cache_file: links-cache.json\n"
        ),
    );
    site.page(
        "links",
        "Links",
        "S",
        &format!(
            "[ok]({base}/ok#part) [gone]({base}/gone) [teapot]({base}/teapot)\n[flaky]({base}/flaky) [busy]({base}/busy) [moved]({base}/moved)\n[slow]({base}/slow) [excluded]({base}/excluded/x) [ok again]({base}/ok)\n"
        ),
    );
    site
}

#[test]
fn external_links_are_checked_politely_and_cached() {
    let (port, log) = start_server();
    let site = site_linking_to(port, 0);

    // Without --external nothing is requested.
    assert_eq!(site.check(), vec![]);
    assert_eq!(
        log.lock().unwrap().len(),
        0,
        "check made requests without --external"
    );

    let run = site.run(
        "check",
        &[
            "--external",
            "--allow-private-addresses",
            "--format",
            "json",
        ],
    );
    let found: Vec<_> = run
        .findings()
        .into_iter()
        .map(|f| (f.code, f.line, f.column, f.severity))
        .collect();
    let page = site.read("source/manual/links.html.md");
    let column = |needle: &str| {
        let line = page.lines().find(|l| l.contains(needle)).unwrap();
        line.find(needle).unwrap() as u64 + 1
    };
    assert_eq!(
        found,
        [
            (
                "link-external-broken".to_string(),
                7,
                column("[gone]"),
                "error".to_string()
            ),
            (
                "link-external-unreachable".to_string(),
                8,
                column("[busy]"),
                "warning".to_string()
            ),
            (
                "link-external-unreachable".to_string(),
                9,
                1,
                "warning".to_string()
            ),
        ],
        "{}",
        run.stderr()
    );
    assert_eq!(run.0.status.code(), Some(1));
    assert_eq!(
        count(&log, "/ok"),
        2,
        "/ok once for itself and once after /moved's redirect"
    );
    assert_eq!(count(&log, "/flaky"), 2, "a 503 is retried");
    assert_eq!(count(&log, "/busy"), 3, "a 429 is tried 1 + retries times");
    assert_eq!(count(&log, "/gone"), 1, "a 404 is not retried");
    assert_eq!(count(&log, "/excluded/x"), 0);

    // The second run asks again only for what did not work.
    let again = site.run(
        "check",
        &[
            "--external",
            "--allow-private-addresses",
            "--format",
            "json",
        ],
    );
    assert_eq!(again.findings().len(), 3);
    assert_eq!(count(&log, "/ok"), 2, "cached");
    assert_eq!(count(&log, "/flaky"), 2, "cached");
    assert_eq!(count(&log, "/gone"), 2, "failures are not cached");
    // The cache holds digests of the URLs, never a page's text.
    let text = site.read("links-cache.json");
    assert!(!text.contains("127.0.0.1"), "{text}");
    let cache: serde_json::Value = serde_json::from_str(&text).unwrap();
    let checked = cache["checked"].as_object().unwrap();
    assert!(!checked.is_empty());
    assert!(
        checked
            .keys()
            .all(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
    );
}

#[test]
fn one_host_gets_one_request_per_interval() {
    let (port, log) = start_server();
    let site = Fixture::new();
    let base = format!("http://127.0.0.1:{port}");
    site.write(
        "source/site.yml",
        "external_links:\n  concurrency: 4\n  per_host_interval_ms: 200\n  cache_file: links-cache.json\n",
    );
    site.page(
        "p",
        "P",
        "S",
        &format!("[a]({base}/ok) [b]({base}/ok2) [c]({base}/ok3)\n"),
    );
    let run = site.run("check", &["--external", "--allow-private-addresses"]);
    assert!(run.success(), "{}", run.stderr());
    let mut times: Vec<Instant> = log.lock().unwrap().values().flatten().copied().collect();
    times.sort();
    assert_eq!(times.len(), 3);
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(180), "requests {gap:?} apart");
    }
}

/// An alert whose runbook is on another site is checked only with
/// `--external`, and reported at the rule file's line with its name.
#[test]
fn alerts_runbooks_on_other_sites_are_checked_with_external() {
    let (port, log) = start_server();
    let site = Fixture::new();
    site.write(
        "site.yml",
        "alert_rules: [rules.yaml]\nexternal_links:\n  timeout_seconds: 1\n  retries: 0\n  cache_file: links-cache.json\n",
    )
    .page("a", "A page", "S", "Text.\n")
    .write(
        "rules.yaml",
        format!(
            "groups:\n- name: g\n  rules:\n  - alert: Gone\n    annotations:\n      runbook_url: http://127.0.0.1:{port}/gone#x\n  - alert: Fine\n    annotations:\n      runbook_url: http://127.0.0.1:{port}/ok\n"
        ),
    );
    let quiet: Vec<String> = site
        .run("check", &["--format", "json"])
        .findings()
        .into_iter()
        .map(|f| f.code)
        .collect();
    assert!(
        !quiet.iter().any(|c| c.starts_with("link-external")),
        "{quiet:?}"
    );
    assert_eq!(count(&log, "/gone"), 0, "requested without --external");
    let run = site.run(
        "check",
        &[
            "--external",
            "--allow-private-addresses",
            "--format",
            "json",
        ],
    );
    let broken: Vec<(String, String, u64, bool)> = run
        .findings()
        .into_iter()
        .filter(|f| f.code == "link-external-broken")
        .map(|f| (f.code, f.file, f.line, f.message.contains("alert `Gone`")))
        .collect();
    assert_eq!(
        broken,
        [(
            "link-external-broken".to_string(),
            "rules.yaml".to_string(),
            6,
            true
        )]
    );
    assert_eq!(count(&log, "/ok"), 1);
}
