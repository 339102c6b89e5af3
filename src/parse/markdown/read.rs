//! Reading a page's body into events. On a tech-docs site the events then
//! read as Redcarpet reads them where the two differ and the gem's reading
//! is kept: definitions CommonMark refuses, `##Heading`, no emphasis inside
//! words, quotes that follow each other joined. `tests/it/redcarpet.rs`
//! holds these to Redcarpet.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use super::{LinkDefinition, normalize_label, options};
use crate::parse::locate::Locator;

/// A page's events as they will be written, with its link definitions.
pub(super) struct ReadBody<'a> {
    pub(super) events: Vec<(Event<'a>, Range<usize>)>,
    pub(super) definitions: Definitions,
}

/// The page's link definitions, and the references none answers.
pub(super) struct Definitions {
    /// In the order written.
    pub(super) list: Vec<LinkDefinition>,
    /// Normalized label -> its definition, so each link finds its
    /// definition in constant time (a page may hold thousands).
    pub(super) index: HashMap<String, usize>,
    /// References no definition answers: (label, offset).
    pub(super) undefined: Vec<(String, usize)>,
}

/// Parses `body`; on a tech-docs site (`gem_markdown`) the events then
/// read as Redcarpet reads them where the two differ and the gem's reading
/// is kept (definitions, `##Heading`, intra-word emphasis, joined quotes).
pub(super) fn read_body<'a>(
    body: &'a str,
    locator: &Locator<'_>,
    gem_markdown: bool,
) -> ReadBody<'a> {
    let position = |offset: usize| locator.position(offset);
    let undefined = std::cell::RefCell::new(Vec::new());
    // Redcarpet takes definitions CommonMark refuses (`[x]: https://a.b/c)`).
    let redcarpet_only = if gem_markdown {
        redcarpet_definitions(body)
    } else {
        HashMap::new()
    };
    let note_undefined = |broken: BrokenLink<'_>| {
        if let Some((destination, title)) = redcarpet_only.get(&normalize_label(&broken.reference))
        {
            return Some((CowStr::from(*destination), CowStr::from(*title)));
        }
        // A bare `[word]` is usually prose, not a link; only the forms that
        // can only mean a link are recorded.
        if matches!(broken.link_type, LinkType::Reference | LinkType::Collapsed) {
            undefined
                .borrow_mut()
                .push((broken.reference.to_string(), broken.span.start));
        }
        None
    };
    // On a tech-docs site the gem's SmartyPants runs over the HTML once it
    // is written (`smartypants`), as Redcarpet runs it, rather than
    // pulldown-cmark's smart punctuation, whose quotes point otherwise.
    let parser = Parser::new_with_broken_link_callback(body, options(), Some(note_undefined));
    let mut definitions: Vec<LinkDefinition> = parser
        .reference_definitions()
        .iter()
        .map(|(label, definition)| {
            let (line, column) = position(definition.span.start);
            LinkDefinition {
                label: label.to_string(),
                destination: definition.dest.to_string(),
                used: false,
                line,
                column,
                origin: locator.outside_page(definition.span.start),
            }
        })
        .collect();
    definitions.sort_by_key(|d| (d.line, d.column));
    let definition_index = definitions
        .iter()
        .enumerate()
        .map(|(i, d)| (normalize_label(&d.label), i))
        .collect();
    // About one event per 16 bytes of markdown, measured on the manual;
    // capped, so that a huge page grows its list as it goes rather than
    // reserving a guess at once.
    let mut events: Vec<(Event<'_>, Range<usize>)> =
        Vec::with_capacity((body.len() / 16 + 16).min(4096));
    events.extend(parser.into_offset_iter());
    if gem_markdown {
        drop_definition_paragraphs(body, &mut events);
        headings_without_space(body, &mut events);
        no_intra_word_emphasis(body, &mut events);
        join_adjacent_quotes(body, &mut events);
    }
    ReadBody {
        events,
        definitions: Definitions {
            list: definitions,
            index: definition_index,
            undefined: undefined.into_inner(),
        },
    }
}

/// Where Redcarpet reads the page otherwise (`dialect`), at the author's
/// lines.
pub(super) fn dialect_findings(
    body: &str,
    events: &[(Event<'_>, Range<usize>)],
    locator: &Locator<'_>,
) -> Vec<crate::parse::lints::Finding> {
    crate::parse::dialect::partings(body, events)
        .into_iter()
        .map(|parting| {
            let (line, column) = locator.position(parting.offset);
            crate::parse::lints::Finding {
                lint: crate::parse::lints::Lint::MarkdownDialect,
                line,
                column,
                message: parting.message,
                help: parting.help,
            }
        })
        .collect()
}

/// Redcarpet, the gem's markdown, takes `##Heading` (no space after the
/// marks) as a heading; CommonMark takes it as text. On a tech-docs site a
/// one-line paragraph that starts so becomes that heading, its inline
/// markup kept, here at the event level so that every byte keeps its place
/// (positions stay the author's). `tests/it/redcarpet.rs` holds it to
/// Redcarpet.
fn headings_without_space(body: &str, events: &mut [(Event<'_>, Range<usize>)]) {
    let levels = [
        HeadingLevel::H1,
        HeadingLevel::H2,
        HeadingLevel::H3,
        HeadingLevel::H4,
        HeadingLevel::H5,
        HeadingLevel::H6,
    ];
    for (index, end) in paragraphs(events) {
        let source = body[events[index].1.clone()].trim_end();
        let hashes = source.chars().take_while(|&c| c == '#').count();
        let rest = &source[hashes.min(source.len())..];
        // `#channel` is a Slack channel; Redcarpet would make it a heading
        // too, but no runbook means that.
        let looks_like_heading = (1..=6).contains(&hashes)
            && !source.contains('\n')
            && rest.starts_with(|c: char| !c.is_whitespace())
            && !rest.trim_end_matches('#').trim().is_empty()
            && (hashes >= 2 || rest.starts_with(char::is_uppercase));
        let first_is_marks = matches!(&events.get(index + 1),
            Some((Event::Text(t), _)) if t.starts_with(&source[..hashes]));
        if !(looks_like_heading && first_is_marks) {
            continue;
        }
        let level = levels[hashes - 1];
        events[index].0 = Event::Start(Tag::Heading {
            level,
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        });
        if let Event::Text(text) = &events[index + 1].0 {
            let without_marks = text[hashes..].to_string();
            events[index + 1].0 = Event::Text(CowStr::from(without_marks));
        }
        // Closing marks (`##Heading ##`) are not part of the text.
        if let Event::Text(text) = &events[end - 1].0
            && text.ends_with('#')
        {
            let trimmed = text.trim_end_matches('#').trim_end().to_string();
            events[end - 1].0 = Event::Text(CowStr::from(trimmed));
        }
        events[end].0 = Event::End(TagEnd::Heading(level));
    }
}

/// A line Redcarpet reads as a link definition: `[label]: destination`,
/// with an optional title, the destination any run of non-space characters
/// (CommonMark refuses one with an unbalanced `)`).
static DEFINITION_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"^ {0,3}\[([^\]]+)\]:[ \t]*<?([^\s>]+)>?(?:[ \t]+(?:"([^"]*)"|'([^']*)'|\(([^)]*)\)))?[ \t]*$"#)
        .expect("definition pattern")
});

/// Every definition line Redcarpet would take, by normalized label:
/// (destination, title). CommonMark's own definitions are found first;
/// these answer only the references it leaves undefined.
fn redcarpet_definitions(body: &str) -> HashMap<String, (&str, &str)> {
    let mut found = HashMap::new();
    for line in body.lines() {
        if let Some(captures) = DEFINITION_LINE.captures(line) {
            let (Some(label), Some(destination)) = (captures.get(1), captures.get(2)) else {
                continue;
            };
            let title = captures
                .get(3)
                .or(captures.get(4))
                .or(captures.get(5))
                .map_or("", |t| t.as_str());
            found
                .entry(normalize_label(label.as_str()))
                .or_insert((destination.as_str(), title));
        }
    }
    found
}

/// A paragraph made only of link definition lines is what CommonMark left
/// of definitions it refused; Redcarpet takes them as definitions, which
/// show nothing.
fn drop_definition_paragraphs(body: &str, events: &mut [(Event<'_>, Range<usize>)]) {
    for (index, end) in paragraphs(events) {
        let all_definitions = body[events[index].1.clone()]
            .lines()
            .filter(|line| !line.trim().is_empty())
            .all(|line| DEFINITION_LINE.is_match(line));
        if all_definitions {
            for (event, _) in &mut events[index..=end] {
                *event = Event::Html(CowStr::Borrowed(""));
            }
        }
    }
}

/// Each paragraph's start and end event, in order. Paragraphs do not nest,
/// so each ends at the first paragraph end after its start. The passes
/// that use them change events in place, never how many there are.
fn paragraphs(events: &[(Event<'_>, Range<usize>)]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut open = None;
    for (index, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) => open = Some(index),
            Event::End(TagEnd::Paragraph) => found.extend(open.take().map(|start| (start, index))),
            _ => {}
        }
    }
    found
}

/// Whether the byte is part of a word for Redcarpet's `no_intra_emphasis`:
/// a letter or digit, or any byte of a character beyond ASCII.
fn in_word(byte: Option<&u8>) -> bool {
    byte.is_some_and(|b| b.is_ascii_alphanumeric() || !b.is_ascii())
}

/// Redcarpet's `no_intra_emphasis`, which the gem turns on: `*` or `_`
/// emphasis that starts or ends inside a word (`foo*bar*baz`) is text,
/// delimiters and all.
fn no_intra_word_emphasis<'a>(body: &'a str, events: &mut [(Event<'a>, Range<usize>)]) {
    let bytes = body.as_bytes();
    let mut open: Vec<(usize, bool)> = Vec::new();
    for index in 0..events.len() {
        match &events[index].0 {
            Event::Start(Tag::Emphasis | Tag::Strong) => {
                let range = &events[index].1;
                let inside = range.start > 0 && in_word(bytes.get(range.start - 1))
                    || in_word(bytes.get(range.end));
                open.push((index, inside));
            }
            Event::End(TagEnd::Emphasis | TagEnd::Strong) => {
                let Some((start, inside)) = open.pop() else {
                    continue;
                };
                if !inside {
                    continue;
                }
                let width = if matches!(events[start].0, Event::Start(Tag::Strong)) {
                    2
                } else {
                    1
                };
                let range = events[start].1.clone();
                let (Some(opener), Some(closer)) = (
                    body.get(range.start..range.start + width),
                    body.get(range.end.saturating_sub(width)..range.end),
                ) else {
                    continue;
                };
                events[start].0 = Event::Text(CowStr::Borrowed(opener));
                events[index].0 = Event::Text(CowStr::Borrowed(closer));
            }
            _ => {}
        }
    }
}

/// Redcarpet joins quotes with only blank lines between them into one
/// (`> a`, a blank line, `> b` is one quote of two paragraphs); CommonMark
/// makes two. Callouts (`> [!NOTE]`) are left as they are.
fn join_adjacent_quotes(body: &str, events: &mut [(Event<'_>, Range<usize>)]) {
    for index in 1..events.len() {
        let (Event::End(TagEnd::BlockQuote(None)), end) = &events[index - 1] else {
            continue;
        };
        let (Event::Start(Tag::BlockQuote(None)), start) = &events[index] else {
            continue;
        };
        let between = body.get(end.end..start.start).unwrap_or("x");
        if between.trim().is_empty() {
            events[index - 1].0 = Event::Html(CowStr::Borrowed(""));
            events[index].0 = Event::Html(CowStr::Borrowed(""));
        }
    }
}
