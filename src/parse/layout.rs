//! A site's own ERB layouts (`source/layouts/NAME.erb`), as tech-docs sites
//! write them: each wraps the page's HTML (`yield`) in some markup of its
//! own, then hands the result to another layout with `wrap_layout :layout
//! do ... end`. The chain ends at a layout of the theme (`layout`, `core`,
//! or any other), which renders the page as usual.
//!
//! The page's HTML goes in last: the layout runs with a marker where
//! `yield` writes, its own markup is scanned (links to check, script to
//! refuse, the base path written into addresses), and the marker is then
//! replaced with the page, so the page's HTML is never scanned or rewritten
//! twice. A layout cannot change the page's HTML itself (`yield.gsub`).

use std::sync::Arc;

use super::erb::{self, ErbError, Place, SourceMap};
use super::html;
use super::markdown::{Link, LinkKind, Script};
use crate::diagnostics::Code;

/// Where `yield` writes, until the page's HTML replaces it. Private-use
/// characters, which nothing a page writes can produce through a layout.
const CONTENT: &str = "\u{E000}manual-page-content\u{E000}";

/// Layouts inside layouts, at most this deep.
const MAX_CHAIN: usize = 8;

/// What applying a page's ERB layouts gave.
pub struct Wrapped {
    pub html: String,
    /// The theme layout that renders the result.
    pub layout: String,
    pub links: Vec<Link>,
    pub ids: Vec<String>,
    pub scripts: Vec<Script>,
    pub sidebar: Option<String>,
}

/// Wraps `content` (the page's whole HTML) in the ERB layout `name` and the
/// layouts it wraps in turn. `at` is the page's `layout:` line, where a
/// page-level message about the layout points.
pub fn wrap(
    world: &erb::World<'_>,
    current: Option<usize>,
    page: &erb::Resource,
    name: &str,
    content: String,
    base_path: &str,
    at: usize,
) -> Result<Wrapped, ErbError> {
    let mut wrapped = Wrapped {
        html: content,
        layout: String::new(),
        links: Vec::new(),
        ids: Vec::new(),
        scripts: Vec::new(),
        sidebar: None,
    };
    let mut name = name.to_string();
    let mut seen = Vec::new();
    while let Some(file) = world.partials.layout(&name) {
        let place = |line: usize, column: usize| Place {
            file: file.path.clone(),
            line,
            column,
        };
        if seen.contains(&file.relative) || seen.len() >= MAX_CHAIN {
            return Err(ErbError {
                code: Code::ErbError,
                place: place(1, 1),
                message: format!("the layout `{name}` wraps itself"),
                help: "end the chain of `wrap_layout` at a built-in layout such as `:layout`"
                    .into(),
            });
        }
        seen.push(file.relative.clone());
        let text = file.text.map_err(|problem| ErbError {
            code: Code::ErbPartialMissing,
            place: place(1, 1),
            message: format!("cannot read the layout {}: {problem}", file.relative),
            help: "fix or replace the layout file".into(),
        })?;
        let done = erb::evaluate_layout(
            world,
            current,
            page,
            file.path.clone(),
            Arc::clone(&text),
            CONTENT.to_string(),
        )?;
        let Some(next) = done.wrap_layout.clone() else {
            return Err(ErbError {
                code: Code::ErbUnsupported,
                place: place(1, 1),
                message: format!("the layout `{name}` writes a whole page of its own"),
                help: "wrap a built-in layout instead: `<% wrap_layout :layout do %> ... <%= yield %> ... <% end %>`; or override the theme's templates in layouts/".into(),
            });
        };
        // A layout that never writes `yield` is valid, as in Middleman: what
        // it writes stands in for the page (a `withdrawn` layout hides the
        // page's text on purpose).
        let map = SourceMap {
            output: done.output.clone(),
            files: done.files.clone(),
        };
        let own = scan(&map, &done.output.text, base_path, at, &mut wrapped);
        // Measured before it is made: a layout that writes `yield` a million
        // times would multiply the page a million times.
        let yields = own.matches(CONTENT).count();
        let size = (own.len() - yields * CONTENT.len())
            .saturating_add(yields.saturating_mul(wrapped.html.len()));
        if size > erb::MAX_OUTPUT {
            return Err(ErbError {
                code: Code::ErbBudget,
                place: place(1, 1),
                message: format!(
                    "the layout `{name}` writes the page {yields} times, more than {} MiB in all",
                    erb::MAX_OUTPUT / (1024 * 1024)
                ),
                help: "write `<%= yield %>` once, where the page goes".into(),
            });
        }
        wrapped.html = own.replace(CONTENT, &wrapped.html);
        if let Some(slot) = done.slots.get("sidebar") {
            let map = SourceMap {
                output: slot.clone(),
                files: done.files.clone(),
            };
            let side = scan(&map, &slot.text, base_path, at, &mut wrapped);
            wrapped.sidebar = Some(match wrapped.sidebar.take() {
                Some(before) => format!("{side}\n{before}"),
                None => side,
            });
        }
        wrapped.layout = next.clone();
        name = next;
    }
    Ok(wrapped)
}

/// Scans a layout's own HTML: its links, ids and script are recorded (at
/// their place in the layout), and the HTML comes back with the base path
/// written into its root-relative addresses.
fn scan(map: &SourceMap, text: &str, base_path: &str, at: usize, wrapped: &mut Wrapped) -> String {
    let scanned = html::scan(text, base_path);
    for (offset, destination) in scanned.links {
        wrapped.links.push(Link {
            kind: LinkKind::Html,
            destination,
            line: at,
            column: 1,
            definition: None,
            origin: Some(place_of(map, offset)),
        });
    }
    wrapped.ids.extend(scanned.ids);
    for (offset, what) in scanned.scripts {
        wrapped.scripts.push(Script {
            what,
            line: at,
            column: 1,
            origin: Some(place_of(map, offset)),
        });
    }
    scanned.rewritten.unwrap_or_else(|| text.to_string())
}

fn place_of(map: &SourceMap, offset: usize) -> Place {
    let (file, at) = map.output.origin(offset);
    map.place(file, at)
}
