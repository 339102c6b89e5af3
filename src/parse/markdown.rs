//! Markdown to HTML in one pass that also records what later stages need:
//! headings (with their ids) and every link and image, with file positions.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::heading_id::HeadingIds;
use crate::diagnostics::LineIndex;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Inline,
    Reference,
    Autolink,
    Image,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub kind: LinkKind,
    pub destination: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedMarkdown {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `text[body_start..]`; positions are reported in `text`'s lines, so
/// they are the author's line numbers even below front matter.
pub fn render(text: &str, body_start: usize) -> RenderedMarkdown {
    let body = &text[body_start..];
    let lines = LineIndex::new(text);
    let position = |offset: usize| lines.line_col(text, body_start + offset);

    let mut events: Vec<(Event<'_>, std::ops::Range<usize>)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();

    let explicit_ids: Vec<String> = events
        .iter()
        .filter_map(|(event, _)| match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut ids = HeadingIds::with_explicit(explicit_ids.iter().map(String::as_str));

    let mut headings = Vec::new();
    let mut links = Vec::new();
    let mut open_heading: Option<(usize, String)> = None;

    for index in 0..events.len() {
        let (event, range) = &events[index];
        match event {
            Event::Start(Tag::Heading { .. }) => open_heading = Some((index, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, heading_text)) = open_heading.as_mut() {
                    heading_text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((start, heading_text)) = open_heading.take() else {
                    continue;
                };
                let (start_event, start_range) = &mut events[start];
                if let Event::Start(Tag::Heading { level, id, .. }) = start_event {
                    let final_id = match id {
                        Some(explicit) => explicit.to_string(),
                        None => ids.unique_for(&heading_text),
                    };
                    *id = Some(CowStr::from(final_id.clone()));
                    let (line, column) = position(start_range.start);
                    headings.push(Heading {
                        level: level_number(*level),
                        text: heading_text.trim().to_string(),
                        id: final_id,
                        line,
                        column,
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let (line, column) = position(range.start);
                links.push(Link {
                    kind: link_kind(*link_type),
                    destination: dest_url.to_string(),
                    line,
                    column,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let (line, column) = position(range.start);
                links.push(Link {
                    kind: LinkKind::Image,
                    destination: dest_url.to_string(),
                    line,
                    column,
                });
            }
            _ => {}
        }
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(event, _)| event));
    RenderedMarkdown {
        html,
        headings,
        links,
    }
}

fn link_kind(link_type: LinkType) -> LinkKind {
    match link_type {
        LinkType::Autolink | LinkType::Email => LinkKind::Autolink,
        LinkType::Reference
        | LinkType::ReferenceUnknown
        | LinkType::Collapsed
        | LinkType::CollapsedUnknown
        | LinkType::Shortcut
        | LinkType::ShortcutUnknown => LinkKind::Reference,
        _ => LinkKind::Inline,
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_ids_and_positions() {
        let text = "---\ntitle: x\n---\n## Intro\n\n## Intro\n\n### Custom {#mine}\n";
        let out = render(text, text.find("## Intro").unwrap());
        let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "intro-1", "mine"]);
        assert_eq!(out.headings[0].line, 4);
        assert_eq!(out.headings[2].text, "Custom");
        assert!(
            out.html.contains(r#"<h2 id="intro-1">Intro</h2>"#),
            "{}",
            out.html
        );
        assert!(
            out.html.contains(r#"<h3 id="mine">Custom</h3>"#),
            "{}",
            out.html
        );
    }

    #[test]
    fn heading_text_includes_code_spans() {
        let out = render("## Run `rake db:migrate` now\n", 0);
        assert_eq!(out.headings[0].text, "Run rake db:migrate now");
        assert_eq!(out.headings[0].id, "run-rake-dbmigrate-now");
    }

    #[test]
    fn links_of_every_kind_are_recorded_with_positions() {
        let text =
            "See [a](/a.html) and [b][ref].\n\n![img](x.png) <https://e.x>\n\n[ref]: b.html\n";
        let out = render(text, 0);
        let found: Vec<_> = out
            .links
            .iter()
            .map(|l| (l.kind, l.destination.as_str(), l.line, l.column))
            .collect();
        assert_eq!(
            found,
            [
                (LinkKind::Inline, "/a.html", 1, 5),
                (LinkKind::Reference, "b.html", 1, 22),
                (LinkKind::Image, "x.png", 3, 1),
                (LinkKind::Autolink, "https://e.x", 3, 15),
            ]
        );
    }

    #[test]
    fn extensions_and_raw_html() {
        let text = "| a |\n|---|\n| b |\n\n~~x~~ [^1]\n\n- [x] done\n\n<div class=\"c\">raw</div>\n\n[^1]: note\n";
        let html = render(text, 0).html;
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>x</del>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
        assert!(html.contains("<div class=\"c\">raw</div>"), "{html}");
    }
}
