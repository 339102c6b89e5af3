//! Live reload: the script `serve` adds to every HTML page (never to
//! `build` output), and the server-sent events it listens to.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
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

/// A page's live-reload stream. It holds a place among `MAX_LIVE_STREAMS`
/// for as long as it is open, and gives its connection's place back, so
/// idle open pages never take the slots page requests need.
pub async fn events(
    State(app): State<AppState>,
    slot: Option<axum::Extension<super::ConnectionSlot>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Ok(stream_permit) = app.live_streams.clone().try_acquire_owned() else {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            // Closed after the answer, so a refused stream holds no slot.
            [("retry-after", "30"), ("connection", "close")],
            "too many open pages are waiting for live reload",
        )
            .into_response();
    };
    if let Some(axum::Extension(slot)) = slot {
        slot.give_back();
    }
    let stream = WatchStream::new(app.receiver.clone()).map(move |snapshot| {
        let _open = &stream_permit;
        Ok::<_, Infallible>(Event::default().event("state").data(snapshot.state_json()))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
