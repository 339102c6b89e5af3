//! Live reload: the script `serve` adds to every HTML page (never to
//! `build` output), and the server-sent events it listens to.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

use super::AppState;

/// The client: on each state message it reloads the page (or only the
/// stylesheets, for a CSS-only change) when the build changed, and shows
/// or clears an overlay of problems. `EventSource` reconnects by itself, and
/// the first message after a reconnect is the current state, so a page left
/// open while the server restarted catches up.
const SCRIPT: &str = include_str!("reload.js");

/// Adds the live-reload script before `</body>` (or at the end).
pub fn inject(html: &[u8], build: u64) -> Vec<u8> {
    let script = format!(
        "<script>\n{}</script>\n",
        SCRIPT.replace("__BUILD__", &build.to_string())
    );
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{script}").into_bytes(),
    }
}

pub async fn events(
    State(app): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = WatchStream::new(app.receiver.clone())
        .map(|snapshot| Ok(Event::default().event("state").data(snapshot.state_json())));
    Sse::new(stream).keep_alive(KeepAlive::default())
}
