//! `serve`: the site as `build` would write it, from memory, rebuilt when a
//! source, layout or the settings change, with live reload in the browser.
//!
//! Threads: a file watcher (notify, debounced) feeds a rebuild thread that
//! runs the same stages as `build` (see `live`) and publishes an immutable
//! `Snapshot` through a `tokio::sync::watch` channel. HTTP handlers only
//! read the latest snapshot; nothing is locked while a request is served.
//! Live reload uses server-sent events: one long GET per open page, which
//! the browser's `EventSource` reconnects by itself after a restart, with
//! no WebSocket handshake or client library to ship.
//!
//! The server runs on an author's laptop beside their browser, so it is
//! safe to leave running: it answers only requests addressed to this
//! computer by name or address (a page elsewhere that makes its host name
//! resolve here, "DNS rebinding", is refused), reads files on the blocking
//! pool and streams them (with `Range`), closes connections that send no
//! request in time, holds a bounded number of connections, and stops at
//! once on Ctrl-C, open pages or not.

mod files;
pub mod live;
mod reload;
mod watch_roots;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::EventKind;
use notify_debouncer_full::notify::event::ModifyKind;
use serde::Serialize;
use tokio::sync::watch;

use crate::diagnostics::{Diagnostic, display_path};
use crate::highlight::Highlighter;
use crate::project::Inputs;
pub use files::Served;
use files::{RequestPath, request_path};

pub use files::is_allowed_host;

pub struct ServeOptions {
    pub inputs: Inputs,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    /// Host names besides this computer's that requests may be addressed
    /// to (`--allow-host`).
    pub allowed_hosts: Vec<String>,
    /// Where highlighted code is kept between runs, as `build` keeps it.
    pub cache: Option<std::path::PathBuf>,
}

/// One consistent state of the served site.
pub struct Snapshot {
    /// Changes whenever the files served change (and only then).
    pub build: u64,
    pub files: Arc<HashMap<String, Served>>,
    /// When the last rebuild failed: the files are the last good ones, and
    /// `problems` says why the new ones could not be made.
    pub failed: bool,
    /// The errors of the failed rebuild, or else `check`'s findings.
    pub problems: Vec<Diagnostic>,
    /// The last change touched only stylesheets.
    pub css_only: bool,
    /// The site is served under this path, as it will be when published.
    pub base_path: String,
}

#[derive(Serialize)]
struct StateMessage<'a> {
    build: u64,
    failed: bool,
    css_only: bool,
    problems: Vec<ProblemView<'a>>,
}

#[derive(Serialize)]
struct ProblemView<'a> {
    severity: String,
    code: &'a str,
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
    help: Option<&'a str>,
}

impl Snapshot {
    fn state_json(&self) -> String {
        let problems = self
            .problems
            .iter()
            .map(|d| ProblemView {
                severity: d.severity.to_string(),
                code: d.code.as_str(),
                file: display_path(&d.file).display().to_string(),
                line: d.line,
                column: d.column,
                message: &d.message,
                help: d.help.as_deref(),
            })
            .collect();
        serde_json::to_string(&StateMessage {
            build: self.build,
            failed: self.failed,
            css_only: self.css_only,
            problems,
        })
        .expect("state serializes")
    }
}

/// Connections held at once; more wait to be accepted. A browser opens a
/// handful, a load test a hundred.
const MAX_CONNECTIONS: usize = 512;
/// Open live-reload streams at most (one per open page). A stream gives
/// back its connection slot, so open pages never crowd out page requests;
/// past this many, a new stream is refused and its page simply does not
/// reload by itself.
pub const MAX_LIVE_STREAMS: usize = 128;
/// A connection that sends no complete request head for this long (idle
/// or trickling) is closed.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

pub fn run(options: ServeOptions) -> anyhow::Result<()> {
    // Nothing to serve: say so and what to do, rather than serve an empty
    // site and wait.
    if let Some(missing) = options.inputs.source_missing() {
        anyhow::bail!("{}: {}", missing.message, missing.help.unwrap_or_default());
    }
    let mut watcher = watch_roots::Watcher::start(&options.inputs)?;
    let mut notes = Vec::new();
    let highlighter = Highlighter::with_disk_cache(crate::highlight::disk::DiskCache::open_noting(
        options.cache.as_deref(),
        &mut notes,
    ));
    for note in notes {
        crate::errln!("note: {note}");
    }
    let started = Instant::now();
    let mut live = live::Live::new();
    let first = live.rebuild(&options.inputs, &highlighter, &[], false);
    live.refresh_search();
    let problems = match &first {
        Ok(_) => live.problems().to_vec(),
        Err(problems) => problems.clone(),
    };
    match &first {
        Ok(changes) => {
            // Listed as `check` lists them, so nothing counted goes unseen.
            for problem in &problems {
                crate::errln!("{}", crate::report::render_human(problem, None).trim_end());
            }
            crate::errln!(
                "first build: {} page(s), {} file(s) in {} ms; {} problem(s) found by check",
                changes.pages,
                changes.files.len(),
                started.elapsed().as_millis(),
                problems.len()
            )
        }
        Err(_) => report_rebuild("first build", None, &problems, started.elapsed()),
    }
    keep_highlighted(&highlighter);
    // Build numbers start from the clock, so a page left open across a
    // restart sees a different number and reloads.
    let first_build = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64);
    let base_path = live.base_path().to_string();
    let (sender, receiver) = watch::channel(Arc::new(Snapshot {
        build: first_build,
        files: Arc::new(live.files()),
        failed: first.is_err(),
        problems,
        css_only: false,
        base_path: base_path.clone(),
    }));

    let runtime = tokio::runtime::Runtime::new()?;
    let address = SocketAddr::new(options.bind, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(address))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
                "port {} on {} is in use by another program; pass --port N to use another, \
                 or --port 0 to pick a free one",
                address.port(),
                address.ip()
            ),
            _ => anyhow::anyhow!("cannot listen on {address}: {e}"),
        })?;
    let address = listener.local_addr()?;
    crate::outln!("Serving the manual at http://{address}{base_path}/ (Ctrl-C to stop)");
    if options.open
        && let Err(e) = opener::open_browser(format!("http://{address}{base_path}/"))
    {
        crate::errln!("could not open a browser ({e}); open http://{address}{base_path}/ yourself");
    }

    let roots: Vec<PathBuf> = std::iter::once(options.inputs.source.clone())
        .chain(options.inputs.layouts.clone())
        .collect();
    let state = AppState {
        live_streams: Arc::new(tokio::sync::Semaphore::new(MAX_LIVE_STREAMS)),
        receiver: receiver.clone(),
        roots: Arc::new(roots),
        allowed: Arc::new(Allowed {
            bind: options.bind,
            hosts: options.allowed_hosts.clone(),
        }),
    };
    let app = Router::new()
        .route("/__manual/events", get(reload::events))
        .route("/__manual/state", get(state_handler))
        .fallback(get(serve_file))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refuse_other_hosts,
        ))
        .with_state(state);

    let inputs = options.inputs.clone();
    std::thread::spawn(move || {
        watch_and_rebuild(&inputs, &highlighter, &sender, &mut watcher, live);
    });
    runtime.block_on(accept(listener, app));
    // Open live-reload streams and the rebuild thread end with the process.
    runtime.shutdown_background();
    Ok(())
}

/// Accepts connections until Ctrl-C, at most `MAX_CONNECTIONS` at once,
/// each with a deadline for its request heads.
async fn accept(listener: tokio::net::TcpListener, app: Router) {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let service = hyper_util::service::TowerToHyperService::new(app);
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            _ = &mut stop => return,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore stays open"),
        };
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait, then go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let slot = ConnectionSlot(Arc::new(std::sync::Mutex::new(Some(permit))));
        let service = service.clone();
        // Every request of the connection can give its slot back (a
        // live-reload stream does).
        let with_slot = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(slot.clone());
                hyper::service::Service::call(&service, request)
            },
        );
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let _ = http
                .serve_connection(hyper_util::rt::TokioIo::new(stream), with_slot)
                .await;
        });
    }
}

/// A connection's place among `MAX_CONNECTIONS`, held until the connection
/// closes or a live-reload stream gives it back.
#[derive(Clone)]
pub struct ConnectionSlot(Arc<std::sync::Mutex<Option<tokio::sync::OwnedSemaphorePermit>>>);

impl ConnectionSlot {
    /// Frees the connection's place for page requests.
    pub fn give_back(&self) {
        self.0.lock().expect("slot").take();
    }
}

#[derive(Clone)]
struct AppState {
    live_streams: Arc<tokio::sync::Semaphore>,
    receiver: watch::Receiver<Arc<Snapshot>>,
    roots: Arc<Vec<PathBuf>>,
    allowed: Arc<Allowed>,
}

/// Who requests may be addressed to.
struct Allowed {
    bind: IpAddr,
    hosts: Vec<String>,
}

/// A request whose `Host` is not this computer (by a loopback name, an
/// address, or a name given with `--allow-host`) is refused: a web page
/// elsewhere could otherwise point its own name at 127.0.0.1 and read the
/// manual being written.
async fn refuse_other_hosts(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host.is_some_and(|host| is_allowed_host(host, app.allowed.bind, &app.allowed.hosts)) {
        return next.run(request).await;
    }
    (
        StatusCode::FORBIDDEN,
        format!(
            "This preview answers only requests to this computer, not to {:?}.\n\
             To let another name reach it, start it with --allow-host NAME.\n",
            host.unwrap_or("(no Host header)")
        ),
    )
        .into_response()
}

async fn state_handler(State(app): State<AppState>) -> Response {
    let snapshot = app.receiver.borrow().clone();
    (
        [(header::CONTENT_TYPE, "application/json")],
        snapshot.state_json(),
    )
        .into_response()
}

async fn serve_file(State(app): State<AppState>, request: Request) -> Response {
    let snapshot = app.receiver.borrow().clone();
    let base_path = snapshot.base_path.as_str();
    let uri_path = request.uri().path().to_string();
    let request_path = match uri_path.strip_prefix(base_path) {
        Some("") => request_path("/"),
        Some(rest) if rest.starts_with('/') => request_path(rest),
        // The root of the server leads to the site under its base path.
        _ if uri_path == "/" => {
            return (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, format!("{base_path}/"))],
            )
                .into_response();
        }
        // Outside the base path nothing is published: the 404 page.
        _ => RequestPath::Outside,
    };
    let path = match request_path {
        RequestPath::File(path) => path,
        RequestPath::Outside => String::new(),
        RequestPath::Refused => {
            return (
                StatusCode::BAD_REQUEST,
                "Bad request: that path leaves the site.\n",
            )
                .into_response();
        }
    };
    let found = (!path.is_empty())
        .then(|| {
            snapshot
                .files
                .get(&path)
                .map(|f| (path.clone(), f))
                .or_else(|| {
                    // `/manual/x` for `/manual/x.html`, as many hosts do.
                    let html = format!("{path}.html");
                    snapshot.files.get(&html).map(|f| (html, f))
                })
        })
        .flatten();
    let Some((path, served)) = found else {
        // `/x` for the folder `/x/`: hosts redirect, so links work here too.
        if !path.is_empty() && snapshot.files.contains_key(&format!("{path}/index.html")) {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, format!("{uri_path}/"))],
            )
                .into_response();
        }
        return not_found(&snapshot);
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let content_type = if mime.type_() == "text" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    let mut response = match served {
        Served::Made(packed) if mime.essence_str() == "text/html" => {
            reload::inject(&packed.bytes(), snapshot.build).into_response()
        }
        Served::Made(packed) => Body::from(packed.bytes()).into_response(),
        Served::File(file) => match stream_asset(file, &app.roots, request).await {
            Some(response) => response,
            None => return not_found(&snapshot),
        },
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An asset, streamed from disk (with `Range` and conditional requests)
/// rather than read whole, and only when it is still a regular file inside
/// the source or layouts folder. The checks and the reads run on the
/// blocking pool, never on the workers that answer requests.
async fn stream_asset(
    file: &Path,
    roots: &Arc<Vec<PathBuf>>,
    request: Request,
) -> Option<Response> {
    let (file, roots) = (file.to_path_buf(), roots.clone());
    let real = tokio::task::spawn_blocking(move || files::confined_regular_file(&file, &roots))
        .await
        .ok()
        .flatten()?;
    let response = tower::ServiceExt::oneshot(tower_http::services::ServeFile::new(real), request)
        .await
        .ok()?;
    Some(response.map(Body::new))
}

fn not_found(snapshot: &Snapshot) -> Response {
    let body = match snapshot.files.get("404.html") {
        Some(Served::Made(packed)) => reload::inject(&packed.bytes(), snapshot.build),
        _ => reload::inject(
            b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>",
            snapshot.build,
        ),
    };
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Editors' scratch files: vim's swap files and its `4913` write test,
/// backups ending in `~`, Emacs locks, JetBrains' safe-write temporaries.
fn is_scratch_file(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return true;
    };
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.contains("___jb_")
}

/// Writes, creations, removals and renames change the site. Reads (our own
/// rebuild opens every file), metadata changes and the close after a write
/// (the write itself was already seen, and its close can arrive in the
/// next batch, which would cost a second rebuild) do not.
fn is_content_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// A change is acted on once no further change has arrived for this long,
/// so a burst of saves (an editor's write, rename and delete, or several
/// files at once) is one rebuild even when it straddles two of the
/// watcher's batches (or is stretched by a busy machine); short enough
/// that a reader does not notice.
const QUIET: Duration = Duration::from_millis(10);
/// However busy the folder (a file written every few milliseconds), a
/// rebuild starts at most this long after the first change.
const LONGEST_WAIT: Duration = Duration::from_millis(250);
/// How often the watched folders are checked for having been replaced
/// (deleted and made again, as `git checkout` of another branch can).
const REARM_EVERY: Duration = Duration::from_millis(500);

/// Keeps what the last rebuild highlighted in the cache, for the next run
/// of `serve` or `build`, and says what went wrong with the cache, once.
fn keep_highlighted(highlighter: &Highlighter) {
    if let Some(cache) = highlighter.disk_cache() {
        cache.prune(crate::highlight::disk::DEFAULT_BUDGET);
        for note in cache.take_notes() {
            crate::errln!("note: {note}");
        }
    }
}

fn watch_and_rebuild(
    inputs: &Inputs,
    highlighter: &Highlighter,
    sender: &watch::Sender<Arc<Snapshot>>,
    watcher: &mut watch_roots::Watcher,
    mut live: live::Live,
) {
    let mut build = sender.borrow().build;
    // The paths that changed, and whether every change was an edit of a
    // file's contents (no file created, removed or renamed).
    let relevant = |watcher: &watch_roots::Watcher,
                    batch: watch_roots::Batch,
                    in_place: &mut bool|
     -> Vec<PathBuf> {
        let mut paths = Vec::new();
        for event in batch.unwrap_or_default().iter() {
            if !is_content_change(&event.kind) {
                continue;
            }
            let concerned: Vec<PathBuf> = event
                .paths
                .iter()
                .filter(|path| !is_scratch_file(path) && watcher.concerns(path))
                .cloned()
                .collect();
            if !concerned.is_empty()
                && !matches!(
                    event.kind,
                    EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
                )
            {
                *in_place = false;
            }
            paths.extend(concerned);
        }
        paths
    };
    loop {
        let mut in_place = true;
        let mut changed = match watcher.batches.recv_timeout(REARM_EVERY) {
            Ok(batch) => relevant(watcher, batch, &mut in_place),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Vec::new(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // A watched folder that was replaced is watched again, and what is
        // in it now is read.
        let rearmed = watcher.rearm();
        if changed.is_empty() && !rearmed {
            continue;
        }
        let first_change = Instant::now();
        while first_change.elapsed() < LONGEST_WAIT {
            match watcher.batches.recv_timeout(QUIET) {
                Ok(more) => changed.extend(relevant(watcher, more, &mut in_place)),
                Err(_) => break,
            }
        }
        if changed.is_empty() && !rearmed {
            continue;
        }
        changed.sort();
        changed.dedup();
        let started = Instant::now();
        let label = if rearmed && changed.is_empty() {
            "a watched folder was replaced".to_string()
        } else {
            describe_change(&changed)
        };
        let previous = sender.borrow().clone();
        let snapshot = match live.rebuild(inputs, highlighter, &changed, in_place && !rearmed) {
            Err(problems) => {
                report_rebuild(&label, None, &problems, started.elapsed());
                Snapshot {
                    build,
                    files: previous.files.clone(),
                    failed: true,
                    problems,
                    css_only: false,
                    base_path: previous.base_path.clone(),
                }
            }
            Ok(changes) => {
                report_rebuild(
                    &label,
                    Some(changes.files.len()),
                    live.problems(),
                    started.elapsed(),
                );
                if !changes.files.is_empty() {
                    build += 1;
                }
                Snapshot {
                    build,
                    files: if changes.files.is_empty() {
                        previous.files.clone()
                    } else {
                        Arc::new(live.files())
                    },
                    failed: false,
                    problems: live.problems().to_vec(),
                    css_only: changes.css_only(),
                    base_path: live.base_path().to_string(),
                }
            }
        };
        let failed = snapshot.failed;
        sender.send_replace(Arc::new(snapshot));
        // After the reload message, so that it waits for nothing.
        keep_highlighted(highlighter);
        // The page has its reload message; now the search index catches up,
        // published under the same build number so no page reloads.
        if !failed && live.refresh_search() {
            let current = sender.borrow().clone();
            sender.send_replace(Arc::new(Snapshot {
                build: current.build,
                files: Arc::new(live.files()),
                failed: false,
                problems: current.problems.clone(),
                css_only: current.css_only,
                base_path: current.base_path.clone(),
            }));
        }
    }
}

fn describe_change(changed: &[PathBuf]) -> String {
    let mut names: Vec<String> = changed
        .iter()
        .map(|p| display_path(p).display().to_string())
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => "a change".to_string(),
        1 => format!("{} changed", names[0]),
        n => format!("{} and {} other file(s) changed", names[0], n - 1),
    }
}

/// One terminal line per rebuild: what changed, how many files it made
/// again, how long it took; then the errors, if it failed.
fn report_rebuild(label: &str, made: Option<usize>, problems: &[Diagnostic], took: Duration) {
    let errors = problems.iter().filter(|d| d.is_error()).count();
    match made {
        Some(files) => crate::errln!(
            "{label}: updated {files} file(s) in {} ms; {} problem(s) found by check",
            took.as_millis(),
            problems.len()
        ),
        None => crate::errln!(
            "{label}: {errors} error(s) in {} ms; {}",
            took.as_millis(),
            if label == "first build" {
                "nothing to serve until they are fixed"
            } else {
                "still serving the last good pages"
            }
        ),
    }
    for problem in problems.iter().filter(|d| d.is_error()).take(10) {
        crate::errln!("{}", crate::report::render_human(problem, None).trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editors_scratch_files_are_ignored() {
        for scratch in [
            ".page.html.md.swp",
            "page.html.md~",
            "4913",
            ".#page.html.md",
            "page.html.md___jb_tmp___",
        ] {
            assert!(is_scratch_file(Path::new(scratch)), "{scratch}");
        }
        assert!(!is_scratch_file(Path::new("source/manual/page.html.md")));
        assert!(!is_scratch_file(Path::new("layouts/assets/manual.css")));
    }
}
