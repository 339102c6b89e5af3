//! `serve`: the site as `build` would write it, from memory, rebuilt when a
//! source, layout or the settings change, with live reload in the browser.
//!
//! Threads: a file watcher (notify, debounced) feeds a rebuild thread that
//! runs the same stages as `build` into memory and publishes an immutable
//! `Snapshot` through a `tokio::sync::watch` channel. HTTP handlers only
//! read the latest snapshot; nothing is locked while a request is served.
//! Live reload uses server-sent events: one long GET per open page, which
//! the browser's `EventSource` reconnects by itself after a restart, with
//! no WebSocket handshake or client library to ship.

mod files;
mod live;
mod reload;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use serde::Serialize;
use tokio::sync::watch;

use crate::diagnostics::{Diagnostic, display_path};
use crate::highlight::Highlighter;
use crate::pipeline::Inputs;
use files::{RequestPath, Served, read_asset, request_path};

pub struct ServeOptions {
    pub inputs: Inputs,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
}

/// One consistent state of the served site.
pub struct Snapshot {
    /// Increases with every rebuild that changed what is served.
    pub build: u64,
    pub files: Arc<HashMap<String, Served>>,
    /// Errors of the last rebuild (the files are then the last good ones),
    /// then `check` findings, which never stop a page being served.
    pub problems: Vec<Diagnostic>,
    /// The last change touched only stylesheets.
    pub css_only: bool,
    /// The site is served under this path, as it will be when published.
    pub base_path: String,
}

#[derive(Serialize)]
struct StateMessage<'a> {
    build: u64,
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
            css_only: self.css_only,
            problems,
        })
        .expect("state serializes")
    }
}

pub fn run(options: ServeOptions) -> anyhow::Result<()> {
    let (_debouncer, batches) = start_watching(&options.inputs)?;
    let highlighter = Highlighter::new();
    let started = Instant::now();
    let first = live::full(&options, &highlighter);
    let (files, problems, base_path) = match &first {
        Ok(live) => (
            live.files.clone(),
            live.problems(),
            live.base_path().to_string(),
        ),
        Err(problems) => (HashMap::new(), problems.clone(), String::new()),
    };
    let pages = files.keys().filter(|k| k.ends_with(".html")).count();
    report_rebuild(
        "first build",
        first.as_ref().ok().map(|_| pages),
        &problems,
        started.elapsed(),
    );
    // Build numbers start from the clock, so a page left open across a
    // restart sees a different number and reloads.
    let first_build = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64);
    let (sender, receiver) = watch::channel(Arc::new(Snapshot {
        build: first_build,
        files: Arc::new(files),
        problems,
        css_only: false,
        base_path: base_path.clone(),
    }));

    let runtime = tokio::runtime::Runtime::new()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(SocketAddr::new(
        options.bind,
        options.port,
    )))?;
    let address = listener.local_addr()?;
    crate::outln!("Serving the manual at http://{address}{base_path}/ (Ctrl-C to stop)");
    if options.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(format!("http://{address}{base_path}/"))
            .spawn();
    }

    let roots = vec![
        options.inputs.source.clone(),
        options.inputs.layouts.clone(),
    ];
    let app = Router::new()
        .route("/__manual/events", get(reload::events))
        .route("/__manual/state", get(state))
        .fallback(get(serve_file))
        .with_state(AppState {
            receiver: receiver.clone(),
            roots: Arc::new(roots),
        });

    let watcher_thread = std::thread::spawn(move || {
        watch_and_rebuild(options, highlighter, sender, batches, first.ok())
    });
    runtime.block_on(async {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })?;
    drop(watcher_thread);
    Ok(())
}

#[derive(Clone)]
struct AppState {
    receiver: watch::Receiver<Arc<Snapshot>>,
    roots: Arc<Vec<PathBuf>>,
}

async fn state(State(app): State<AppState>) -> Response {
    let snapshot = app.receiver.borrow().clone();
    (
        [(header::CONTENT_TYPE, "application/json")],
        snapshot.state_json(),
    )
        .into_response()
}

async fn serve_file(State(app): State<AppState>, uri: Uri) -> Response {
    let snapshot = app.receiver.borrow().clone();
    let base_path = snapshot.base_path.as_str();
    let request = match uri.path().strip_prefix(base_path) {
        Some("") => request_path("/"),
        Some(rest) if rest.starts_with('/') => request_path(rest),
        // The root of the server leads to the site under its base path.
        _ if uri.path() == "/" => {
            return (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, format!("{base_path}/"))],
            )
                .into_response();
        }
        // Outside the base path nothing is published: the 404 page.
        _ => RequestPath::Outside,
    };
    let path = match request {
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
    let found = if path.is_empty() {
        None
    } else {
        snapshot
            .files
            .get(&path)
            .map(|f| (path.clone(), f))
            .or_else(|| {
                // `/manual/x` for `/manual/x.html`, as many hosts do.
                let html = format!("{path}.html");
                snapshot.files.get(&html).map(|f| (html, f))
            })
    };
    let Some((path, served)) = found else {
        let body = snapshot
            .files
            .get("404.html")
            .and_then(|f| match f {
                Served::Bytes(b) => Some(reload::inject(b, snapshot.build)),
                Served::File(_) => None,
            })
            .unwrap_or_else(|| {
                reload::inject(
                    b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>",
                    snapshot.build,
                )
            });
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
    };
    let bytes = match served {
        Served::Bytes(bytes) => bytes.to_vec(),
        Served::File(file) => match read_asset(file, &app.roots) {
            Some(bytes) => bytes,
            None => return (StatusCode::NOT_FOUND, "Not found\n").into_response(),
        },
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let content_type = if mime.type_() == "text" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    let body = if is_html {
        reload::inject(&bytes, snapshot.build)
    } else {
        bytes
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
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

/// The watcher's own debounce: it merges the events of one file within
/// this time.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// A change is acted on once no further change has arrived for this long,
/// so a burst of saves (an editor's write, rename and delete, or several
/// files at once) is one rebuild even when it straddles two of the
/// watcher's batches; short enough that a reader does not notice.
const QUIET: Duration = Duration::from_millis(15);

type Debouncer = notify_debouncer_full::Debouncer<
    notify_debouncer_full::notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;
type Batches = std::sync::mpsc::Receiver<notify_debouncer_full::DebounceEventResult>;

/// Starts watching before the first build, so no save is missed between
/// the build and the watch.
fn start_watching(inputs: &Inputs) -> anyhow::Result<(Debouncer, Batches)> {
    let (events, batches) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, events)?;
    let mut watched = vec![inputs.source.clone(), inputs.layouts.clone()];
    if let Some(settings) = &inputs.settings
        && let Some(parent) = settings.parent()
    {
        watched.push(if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent.to_path_buf()
        });
    }
    for path in &watched {
        debouncer
            .watch(path, RecursiveMode::Recursive)
            .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", path.display()))?;
    }
    Ok((debouncer, batches))
}

fn watch_and_rebuild(
    options: ServeOptions,
    highlighter: Highlighter,
    sender: watch::Sender<Arc<Snapshot>>,
    batches: Batches,
    mut live: Option<live::Live>,
) {
    let mut build = sender.borrow().build;
    let mut failing = live.is_none();
    let content_changes = |batch: notify_debouncer_full::DebounceEventResult| -> Vec<PathBuf> {
        batch
            .unwrap_or_default()
            .iter()
            .filter(|event| is_content_change(&event.kind))
            .flat_map(|event| event.paths.iter().cloned())
            .filter(|path| !is_scratch_file(path))
            .collect()
    };
    while let Ok(batch) = batches.recv() {
        let mut changed = content_changes(batch);
        if changed.is_empty() {
            continue;
        }
        while let Ok(more) = batches.recv_timeout(QUIET) {
            changed.extend(content_changes(more));
        }
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        let started = Instant::now();
        let label = describe_change(&changed);
        let layouts = std::path::absolute(&options.inputs.layouts).ok();
        let in_layouts = |p: &PathBuf| {
            layouts
                .as_ref()
                .is_some_and(|l| std::path::absolute(p).is_ok_and(|p| p.starts_with(l)))
        };
        // After a failed rebuild, only a full one can tell whether the
        // failure is fixed.
        let fast = match (
            if failing { None } else { live.as_mut() },
            changed.as_slice(),
        ) {
            (Some(live), changed) if changed.iter().all(|p| live.is_known_asset(p)) => Some(Ok(0)),
            (Some(live), changed)
                if changed
                    .iter()
                    .all(|p| in_layouts(p) && !live.is_known_asset(p)) =>
            {
                live.update_layouts(&options)
            }
            (Some(live), [path]) if path.to_string_lossy().contains(".md") => {
                live.update_page(path, &highlighter).map(Ok)
            }
            _ => None,
        };
        let outcome = match fast {
            Some(outcome) => outcome,
            None => live::full(&options, &highlighter).map(|rebuilt| {
                failing = false;
                let pages = rebuilt
                    .files
                    .keys()
                    .filter(|k| k.ends_with(".html"))
                    .count();
                live = Some(rebuilt);
                pages
            }),
        };
        let rendered = match outcome {
            Ok(pages) => Some(pages),
            Err(problems) => {
                failing = true;
                report_rebuild(&label, None, &problems, started.elapsed());
                let previous = sender.borrow().clone();
                build += 1;
                sender.send_replace(Arc::new(Snapshot {
                    build,
                    files: previous.files.clone(),
                    problems,
                    css_only: false,
                    base_path: previous.base_path.clone(),
                }));
                continue;
            }
        };
        let current = live
            .as_ref()
            .expect("a successful rebuild leaves a live site");
        let problems = current.problems();
        report_rebuild(&label, rendered, &problems, started.elapsed());
        let css_only = changed
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "css"));
        build += 1;
        sender.send_replace(Arc::new(Snapshot {
            build,
            files: Arc::new(current.files.clone()),
            problems: problems.clone(),
            css_only,
            base_path: current.base_path().to_string(),
        }));
        // The page has its reload message; now the search index catches up,
        // published under the same build number so no page reloads.
        if let Some(current) = live.as_mut()
            && current.refresh_search()
        {
            sender.send_replace(Arc::new(Snapshot {
                build,
                files: Arc::new(current.files.clone()),
                problems,
                css_only,
                base_path: current.base_path().to_string(),
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
        1 => format!("{} changed", names[0]),
        n => format!("{} and {} other file(s) changed", names[0], n - 1),
    }
}

/// One terminal line per rebuild: what changed, how many pages were
/// rendered, how long it took; then the errors, if it failed.
fn report_rebuild(label: &str, rendered: Option<usize>, problems: &[Diagnostic], took: Duration) {
    let errors = problems.iter().filter(|d| d.is_error()).count();
    match rendered {
        Some(pages) => crate::errln!(
            "{label}: rendered {pages} page(s) in {} ms; {} problem(s) found by check",
            took.as_millis(),
            problems.len()
        ),
        None => crate::errln!(
            "{label}: {errors} error(s) in {} ms; still serving the last good pages",
            took.as_millis()
        ),
    }
    for problem in problems.iter().filter(|d| d.is_error()).take(10) {
        crate::errln!("{}", problem.render_human(None).trim_end());
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
