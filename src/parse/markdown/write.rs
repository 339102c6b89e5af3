//! The second half of the markdown pass: the page's HTML, for a run that
//! publishes it. It writes what the first half (`facts`) found where
//! `Marks` says: each heading's id and the link that makes it its own
//! anchor, code highlighted or diagrams drawn, raw HTML with its addresses
//! under the base path. Callouts, table boxes and (on a tech-docs site)
//! row headers and SmartyPants need no facts and are written here alone.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::facts::Marks;
use crate::highlight::{Highlighted, Highlighter};
use crate::parse::code_fence;

/// What the HTML is written for.
pub(super) struct Writing<'a> {
    pub(super) highlighter: &'a Highlighter,
    /// Written before root-relative addresses markdown links hold.
    pub(super) base_path: &'a str,
    /// The tech-docs gem's markdown: row headers and SmartyPants.
    pub(super) gem_markdown: bool,
    /// The length of the body, which the HTML's size is guessed from.
    pub(super) body_len: usize,
}

/// The page's HTML from its events and what `facts` marked in them.
pub(super) fn html(
    mut events: Vec<(Event<'_>, Range<usize>)>,
    marks: Marks,
    writing: Writing<'_>,
) -> String {
    // Events to add before the event at an index (kept in index order).
    let mut insertions: Vec<(usize, Event<'_>)> = Vec::new();
    for heading in marks.headings {
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[heading.start].0 {
            *id = Some(CowStr::from(heading.id.clone()));
        }
        // The heading's text links to the heading, as on MDN: reachable by
        // Tab, and read as "link, <heading text>" with no extra words.
        if heading.links_to_itself {
            let mut open = String::from("<a class=\"heading-link\" href=\"#");
            let _ = pulldown_cmark_escape::escape_href(&mut open, &heading.id);
            open.push_str("\">");
            insertions.push((heading.start + 1, Event::Html(CowStr::from(open))));
            insertions.push((heading.end, Event::Html(CowStr::Borrowed("</a>"))));
        }
    }
    for block in marks.code_blocks {
        let html = match &block.diagram {
            Some((number, svg)) => {
                diagram_html(svg, &block.code, block.fence.title.as_deref(), *number)
            }
            None => {
                let highlighted = if block.language.is_empty() || block.is_diagram() {
                    Highlighted::Plain
                } else {
                    writing.highlighter.highlight(&block.language, &block.code)
                };
                code_block_html(&block.language, &block.code, &block.fence, highlighted)
            }
        };
        // The block's events become one piece of HTML.
        events[block.start].0 = Event::Html(CowStr::from(html));
        for (event, _) in &mut events[block.start + 1..=block.end] {
            *event = Event::Html(CowStr::Borrowed(""));
        }
    }
    for (piece, rewritten) in marks.rewritten_html {
        events[piece[0]].0 = Event::Html(CowStr::from(rewritten));
        for &other in &piece[1..] {
            events[other].0 = Event::Html(CowStr::Borrowed(""));
        }
    }
    put_under_base_path(&mut events, &marks.under_base_path, writing.base_path);
    callouts_and_tables(&mut events, &mut insertions);
    if writing.gem_markdown {
        row_headers(&mut events);
    }
    let html = write_html(events, insertions, writing.body_len * 3 / 2);
    if writing.gem_markdown {
        crate::parse::smartypants::apply(&html)
    } else {
        html
    }
}

/// GitHub's alerts (`> [!NOTE]`) become callouts (`callout`). A table
/// scrolls sideways in a box of its own rather than widening the page; the
/// box is reachable by keyboard, and each is a landmark with its own name.
fn callouts_and_tables<'a>(
    events: &mut [(Event<'a>, Range<usize>)],
    insertions: &mut Vec<(usize, Event<'a>)>,
) {
    let mut tables = 0;
    for (index, (event, _)) in events.iter_mut().enumerate() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                *event = Event::Html(CowStr::from(crate::parse::callout::open(*kind)));
            }
            Event::End(TagEnd::BlockQuote(Some(kind))) => {
                *event = Event::Html(CowStr::Borrowed(crate::parse::callout::close(*kind)));
            }
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                insertions.push((
                    index,
                    Event::Html(CowStr::from(format!(
                        "<div class=\"table-scroll\" role=\"region\" aria-label=\"Table {tables}\" tabindex=\"0\">"
                    ))),
                ));
            }
            Event::End(TagEnd::Table) => {
                insertions.push((index + 1, Event::Html(CowStr::Borrowed("</div>\n"))));
            }
            _ => {}
        }
    }
}

/// Markdown links and images (`indexes`) whose root-relative address is
/// written under the base path.
fn put_under_base_path(
    events: &mut [(Event<'_>, Range<usize>)],
    indexes: &[usize],
    base_path: &str,
) {
    if base_path.is_empty() {
        return;
    }
    for &index in indexes {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) =
            &mut events[index].0
        {
            *dest_url = CowStr::from(format!("{base_path}{dest_url}"));
        }
    }
}

/// The page's HTML: the events, with each insertion written before the
/// event at its index.
fn write_html<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    mut insertions: Vec<(usize, Event<'a>)>,
    capacity: usize,
) -> String {
    let mut html = String::with_capacity(capacity);
    insertions.sort_by_key(|(at, _)| *at);
    let mut insertions = insertions.into_iter().peekable();
    let mut output = Vec::with_capacity(events.len() + insertions.len());
    for (index, (event, _)) in events.into_iter().enumerate() {
        while let Some((_, extra)) = insertions.next_if(|(at, _)| *at == index) {
            output.push(extra);
        }
        output.push(event);
    }
    // What goes after the last event (a table that ends the page).
    output.extend(insertions.map(|(_, extra)| extra));
    pulldown_cmark::html::push_html(&mut html, output.into_iter());
    html
}

/// The tech-docs gem's row headers: a body cell whose text starts with `#`
/// is a `<th scope="row">`, the `#` and the spaces after it left out, as
/// the gem's renderer makes it. A row holding one is written cell by cell
/// here, so every cell keeps its column's alignment.
fn row_headers(events: &mut [(Event<'_>, Range<usize>)]) {
    use pulldown_cmark::Alignment;
    let mut alignments: Vec<Alignment> = Vec::new();
    let mut in_head = false;
    let mut row: Vec<(usize, usize)> = Vec::new();
    let mut open_cell = None;
    for index in 0..events.len() {
        match &events[index].0 {
            Event::Start(Tag::Table(columns)) => alignments = columns.clone(),
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => row.clear(),
            Event::Start(Tag::TableCell) if !in_head => open_cell = Some(index),
            Event::End(TagEnd::TableCell) if !in_head => {
                row.extend(open_cell.take().map(|start| (start, index)));
            }
            Event::End(TagEnd::TableRow) => {
                let headers: Vec<bool> = row
                    .iter()
                    .map(|&(start, _)| {
                        matches!(events.get(start + 1), Some((Event::Text(t), _)) if t.starts_with('#'))
                    })
                    .collect();
                if !headers.contains(&true) {
                    continue;
                }
                for (column, (&(start, end), &header)) in row.iter().zip(&headers).enumerate() {
                    let style = match alignments.get(column) {
                        Some(Alignment::Left) => " style=\"text-align: left\"",
                        Some(Alignment::Center) => " style=\"text-align: center\"",
                        Some(Alignment::Right) => " style=\"text-align: right\"",
                        _ => "",
                    };
                    let (open, close) = if header {
                        (format!("<th scope=\"row\"{style}>"), "</th>")
                    } else {
                        (format!("<td{style}>"), "</td>")
                    };
                    if header && let Event::Text(text) = &events[start + 1].0 {
                        let rest = text[1..].trim_start_matches(' ').to_string();
                        events[start + 1].0 = Event::Text(CowStr::from(rest));
                    }
                    events[start].0 = Event::Html(CowStr::from(open));
                    events[end].0 = Event::Html(CowStr::Borrowed(close));
                }
            }
            _ => {}
        }
    }
}

/// A code block's HTML: highlighted (or escaped, and then keyboard-
/// scrollable as highlighted blocks are), its marked lines marked, under
/// its title when it has one.
fn code_block_html(
    language: &str,
    code: &str,
    fence: &code_fence::FenceInfo,
    highlighted: Highlighted,
) -> String {
    let pre = match highlighted {
        Highlighted::Html(html) => match (html.find("\">"), html.rfind("</code>")) {
            // Marked lines are marked inside the highlighted code.
            (Some(open), Some(close)) if !fence.marked_lines.is_empty() => {
                let inner_start = open + 2;
                format!(
                    "{}{}{}",
                    &html[..inner_start],
                    code_fence::mark_lines(&html[inner_start..close], &fence.marked_lines),
                    &html[close..]
                )
            }
            _ => html.to_string(),
        },
        _ => {
            let mut pre = String::from("<pre tabindex=\"0\"><code");
            if !language.is_empty() {
                pre.push_str(" class=\"language-");
                let _ = pulldown_cmark_escape::escape_html(&mut pre, language);
                pre.push('"');
            }
            pre.push('>');
            let mut escaped = String::with_capacity(code.len());
            let _ = pulldown_cmark_escape::escape_html_body_text(&mut escaped, code);
            pre.push_str(&code_fence::mark_lines(&escaped, &fence.marked_lines));
            pre.push_str("</code></pre>\n");
            pre
        }
    };
    match &fence.title {
        Some(title) => {
            let mut figure = String::from(
                "<figure class=\"code-block\"><figcaption class=\"code-block__title\">",
            );
            let _ = pulldown_cmark_escape::escape_html_body_text(&mut figure, title);
            figure.push_str("</figcaption>\n");
            figure.push_str(&pre);
            figure.push_str("</figure>\n");
            figure
        }
        None => pre,
    }
}

/// A drawn diagram: its SVG as an image named by its title, with its
/// source kept below it as the description a screen reader reads (and a
/// reader can open).
fn diagram_html(svg: &str, source: &str, title: Option<&str>, number: usize) -> String {
    let mut html = String::from("<figure class=\"diagram\">");
    let name = title.unwrap_or("Diagram");
    html.push_str("<div class=\"diagram__image\" role=\"img\" aria-label=\"");
    let _ = pulldown_cmark_escape::escape_html(&mut html, name);
    html.push_str(&format!(
        "\" aria-describedby=\"diagram-{number}-source\">{svg}</div>\n"
    ));
    if let Some(title) = title {
        html.push_str("<figcaption class=\"diagram__title\">");
        let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, title);
        html.push_str("</figcaption>\n");
    }
    html.push_str(&format!(
        "<details class=\"diagram__source\"><summary>Diagram source</summary><pre id=\"diagram-{number}-source\" tabindex=\"0\"><code class=\"language-mermaid\">"
    ));
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, source);
    html.push_str("</code></pre></details></figure>\n");
    html
}
