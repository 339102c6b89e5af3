//! The first half of the markdown pass: what a page's body holds, read
//! from its events without changing them. Headings with their ids, links
//! and images, definitions, code blocks, raw HTML's links, ids and script,
//! what some readers cannot use, the prose and, for a published page, its
//! plain text. `check`, `owners` and `build` all read a page through this
//! half; only `build` and `serve` go on to the second (`write`), which
//! finds in `Marks` where to put what this half worked out.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::read::Definitions;
use super::{
    Barrier, BarrierKind, CodeBlock, DuplicateDefinition, Heading, Link, LinkDefinition, LinkKind,
    RenderedMarkdown, Script, UndefinedReference, normalize_label,
};
use crate::highlight::Highlighter;
use crate::parse::code_fence::{self, FenceInfo};
use crate::parse::erb::Place;
use crate::parse::heading_id::{self, HeadingIds};
use crate::parse::html;
use crate::parse::locate::Locator;

/// Where the HTML differs from what the events say, by event index: what
/// `write` needs of the facts.
#[derive(Default)]
pub(super) struct Marks {
    pub(super) headings: Vec<HeadingMark>,
    /// Every code block, in order.
    pub(super) code_blocks: Vec<CodeMark>,
    /// Raw HTML with root-relative addresses under the base path: (the
    /// indexes of a piece's events, its text as written).
    pub(super) rewritten_html: Vec<(Vec<usize>, String)>,
    /// Markdown links and images whose root-relative address gets the
    /// base path.
    pub(super) under_base_path: Vec<usize>,
}

pub(super) struct HeadingMark {
    /// The indexes of its start and end events.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) id: String,
    /// Its text is a link to it: every heading below the title that holds
    /// no link of its own (links cannot nest).
    pub(super) links_to_itself: bool,
}

pub(super) struct CodeMark {
    /// The indexes of its start and end events.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) language: String,
    pub(super) code: String,
    pub(super) fence: FenceInfo,
    /// A ```mermaid block drawn: its number on the page and its SVG.
    pub(super) diagram: Option<(usize, String)>,
}

impl CodeMark {
    pub(super) fn is_diagram(&self) -> bool {
        is_diagram(&self.language)
    }
}

fn is_diagram(language: &str) -> bool {
    language.eq_ignore_ascii_case("mermaid")
}

/// What a run keeps besides the facts `check` needs.
pub(super) struct Reading<'a> {
    pub(super) highlighter: &'a Highlighter,
    /// The page's HTML is to be made: keep its plain text and the marks.
    pub(super) makes_html: bool,
    /// Written before root-relative addresses in raw HTML.
    pub(super) base_path: &'a str,
    pub(super) heading_ids: heading_id::Scheme,
}

/// Reads the facts of a body from its events: all of `RenderedMarkdown`
/// but the HTML and the dialect findings, which are left empty for the
/// caller to fill as it builds the whole.
pub(super) fn collect(
    body: &str,
    events: &[(Event<'_>, Range<usize>)],
    definitions: Definitions,
    locator: &Locator<'_>,
    reading: Reading<'_>,
) -> (RenderedMarkdown, Marks) {
    let explicit_ids = events.iter().filter_map(|(event, _)| match event {
        Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.as_ref()),
        _ => None,
    });
    let mut walk = Walk {
        body,
        events,
        locator,
        ids: HeadingIds::with_explicit(reading.heading_ids, explicit_ids),
        plain_text: String::with_capacity(if reading.makes_html { body.len() } else { 0 }),
        reading,
        definitions: definitions.list,
        definition_index: definitions.index,
        headings: Vec::new(),
        heading_text_starts: Vec::new(),
        links: Vec::new(),
        barriers: Vec::new(),
        scripts: Vec::new(),
        prose: Vec::new(),
        code_blocks: Vec::new(),
        marks: Marks::default(),
        open_heading: None,
        open_link_text: None,
        open_code: None,
        html_pieces: Vec::new(),
        open_html_block: None,
        diagrams: 0,
    };
    for index in 0..events.len() {
        walk.event(index);
    }
    walk.finish(definitions.undefined)
}

/// The heading being read.
struct OpenHeading {
    start: usize,
    text: String,
    /// Its text as Redcarpet writes it, which the gem's ids are made from.
    html: String,
    /// Where its text starts in the plain text.
    text_start: usize,
    has_link: bool,
}

/// A code block being read.
struct OpenCode {
    start: usize,
    fence: FenceInfo,
    code: String,
}

/// The walk over a body's events, and what it has found so far.
struct Walk<'w, 'e> {
    body: &'w str,
    events: &'w [(Event<'e>, Range<usize>)],
    locator: &'w Locator<'w>,
    reading: Reading<'w>,
    ids: HeadingIds,
    definitions: Vec<LinkDefinition>,
    definition_index: HashMap<String, usize>,
    headings: Vec<Heading>,
    heading_text_starts: Vec<usize>,
    links: Vec<Link>,
    barriers: Vec<Barrier>,
    scripts: Vec<Script>,
    prose: Vec<Range<usize>>,
    code_blocks: Vec<CodeBlock>,
    plain_text: String,
    marks: Marks,
    open_heading: Option<OpenHeading>,
    /// The text of the link or image being read, and where it starts.
    open_link_text: Option<(String, usize, usize)>,
    open_code: Option<OpenCode>,
    /// Raw HTML, as the indexes of its events: a whole HTML block is one
    /// piece, so a tag written over several lines is scanned whole.
    html_pieces: Vec<Vec<usize>>,
    open_html_block: Option<Vec<usize>>,
    /// Diagrams drawn so far on the page: each one's ids are its own.
    diagrams: usize,
}

impl Walk<'_, '_> {
    fn event(&mut self, index: usize) {
        let events = self.events;
        let (event, range) = &events[index];
        if self.reading.makes_html && ends_a_run_of_text(event) {
            self.plain_text.push(' ');
        }
        match event {
            Event::Start(Tag::Heading { .. }) => {
                self.open_heading = Some(OpenHeading {
                    start: index,
                    text: String::new(),
                    html: String::new(),
                    text_start: self.plain_text.len(),
                    has_link: false,
                });
            }
            Event::InlineHtml(raw) if self.open_heading.is_some() => {
                if let Some(heading) = self.open_heading.as_mut() {
                    heading.html.push_str(raw);
                }
                self.html_pieces.push(vec![index]);
            }
            Event::SoftBreak | Event::HardBreak if self.open_heading.is_some() => {
                if let Some(heading) = self.open_heading.as_mut() {
                    heading.text.push(' ');
                    heading.html.push('\n');
                }
            }
            Event::Text(text) | Event::Code(text) => {
                self.text(text, matches!(event, Event::Text(_)), range)
            }
            Event::End(TagEnd::Image) => {
                if let Some((text, line, column)) = self.open_link_text.take()
                    && text.trim().is_empty()
                {
                    self.barriers.push(Barrier {
                        kind: BarrierKind::ImageWithoutAlt,
                        line,
                        column,
                    });
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some((text, line, column)) = self.open_link_text.take()
                    && is_vague_link_text(&text)
                {
                    self.barriers.push(Barrier {
                        kind: BarrierKind::VagueLinkText(text.trim().to_string()),
                        line,
                        column,
                    });
                }
            }
            // `> [!WORD]` with a word GitHub's alerts do not have stays a
            // quote that starts with "[!WORD]": say so.
            Event::Start(Tag::BlockQuote(None)) => {
                let first_line = self.body[range.clone()].lines().next().unwrap_or("");
                if let Some(word) = crate::parse::callout::unknown_kind(first_line) {
                    let (line, column) = self.locator.position(range.start);
                    self.barriers.push(Barrier {
                        kind: BarrierKind::UnknownCallout(word.to_string()),
                        line,
                        column,
                    });
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let fence = match kind {
                    CodeBlockKind::Fenced(info) => code_fence::read(info),
                    CodeBlockKind::Indented => FenceInfo::default(),
                };
                self.open_code = Some(OpenCode {
                    start: index,
                    fence,
                    code: String::new(),
                });
            }
            Event::End(TagEnd::CodeBlock) => self.code_block_end(index),
            Event::End(TagEnd::Heading(_)) => self.heading_end(index),
            Event::Start(
                tag @ (Tag::Link {
                    link_type,
                    dest_url,
                    id,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    id,
                    ..
                }),
            ) => {
                let kind = match tag {
                    Tag::Image { .. } => LinkKind::Image,
                    _ => link_kind(*link_type),
                };
                self.link_start(index, range, kind, *link_type, dest_url, id);
            }
            Event::Start(Tag::HtmlBlock) => self.open_html_block = Some(Vec::new()),
            Event::End(TagEnd::HtmlBlock) => self.html_pieces.extend(self.open_html_block.take()),
            Event::Html(_) if self.open_html_block.is_some() => {
                self.open_html_block.as_mut().expect("open").push(index);
            }
            Event::InlineHtml(_) | Event::Html(_) => self.html_pieces.push(vec![index]),
            _ => {}
        }
    }

    fn text(&mut self, text: &str, is_prose: bool, range: &Range<usize>) {
        if let Some(heading) = self.open_heading.as_mut() {
            heading.text.push_str(text);
            // The gem makes ids before SmartyPants runs, so from the text
            // as written.
            heading_id::redcarpet_text(text, &mut heading.html);
        }
        if is_prose && self.open_code.is_none() {
            self.prose.push(range.clone());
        }
        if let Some(code) = self.open_code.as_mut() {
            code.code.push_str(text);
        }
        if self.reading.makes_html {
            self.plain_text.push_str(text);
        }
        if let Some((link_text, _, _)) = self.open_link_text.as_mut() {
            link_text.push_str(text);
        }
    }

    fn link_start(
        &mut self,
        index: usize,
        range: &Range<usize>,
        kind: LinkKind,
        link_type: LinkType,
        dest_url: &str,
        label: &str,
    ) {
        if kind != LinkKind::Image
            && let Some(heading) = self.open_heading.as_mut()
        {
            heading.has_link = true;
        }
        let definition = mark_used(
            &mut self.definitions,
            &self.definition_index,
            link_type,
            label,
        );
        let (line, column) = self.locator.position(range.start);
        if dest_url.starts_with('/') && !dest_url.starts_with("//") {
            self.marks.under_base_path.push(index);
        }
        // An email autolink is a `mailto:` link, as it is rendered.
        let destination = if link_type == LinkType::Email {
            format!("mailto:{dest_url}")
        } else {
            dest_url.to_string()
        };
        let origin = match definition {
            Some(_) => definition_origin(&self.definitions, &self.definition_index, label),
            None => self.locator.outside_page(range.start),
        };
        if matches!(
            kind,
            LinkKind::Inline | LinkKind::Reference | LinkKind::Image
        ) && origin.is_none()
        {
            self.open_link_text = Some((String::new(), line, column));
        }
        self.links.push(Link {
            kind,
            destination,
            line,
            column,
            definition,
            origin,
        });
    }

    /// A code block read to its end: what `check` needs of it, when it
    /// names a language or has attributes, and a ```mermaid block drawn
    /// (the page's `diagrams` so far counted on).
    fn code_block_end(&mut self, end: usize) {
        let Some(OpenCode { start, fence, code }) = self.open_code.take() else {
            return;
        };
        let language = fence.language.clone();
        let drawn = is_diagram(&language).then(|| {
            self.diagrams += 1;
            crate::parse::diagram::draw(&code, self.diagrams)
        });
        if !language.is_empty() || !fence.ignored.is_empty() {
            let (line, column) = self.locator.position(self.events[start].1.start);
            self.code_blocks.push(CodeBlock {
                known: language.is_empty()
                    || is_diagram(&language)
                    || self.reading.highlighter.knows(&language),
                language: language.clone(),
                ignored: fence.ignored.clone(),
                diagram_problem: drawn.clone().and_then(Result::err),
                line,
                column,
            });
        }
        if self.reading.makes_html {
            self.marks.code_blocks.push(CodeMark {
                start,
                end,
                language,
                code,
                fence,
                diagram: match drawn {
                    Some(Ok(svg)) => Some((self.diagrams, svg)),
                    _ => None,
                },
            });
        }
    }

    /// A heading read to its end: its id (its own, or one made from its
    /// text that no other heading on the page has), and script its
    /// `{key=value}` attributes would write.
    fn heading_end(&mut self, end: usize) {
        let Some(heading) = self.open_heading.take() else {
            return;
        };
        let events = self.events;
        let (
            Event::Start(Tag::Heading {
                level, id, attrs, ..
            }),
            start_range,
        ) = &events[heading.start]
        else {
            return;
        };
        for (name, value) in attrs {
            if let Some(what) = html::attribute_runs_script("h", name, value.as_deref()) {
                let (line, column) = self.locator.position(start_range.start);
                self.scripts.push(Script {
                    what,
                    line,
                    column,
                    origin: self.locator.outside_page(start_range.start),
                });
            }
        }
        let level = level_number(*level);
        let id = match id {
            Some(explicit) => {
                self.ids.explicit(explicit, level);
                explicit.to_string()
            }
            // SmartyPants runs after the gem has made its ids, so they are
            // made from the text as written.
            None => self.ids.unique_for(&heading.text, &heading.html, level),
        };
        if self.reading.makes_html {
            self.marks.headings.push(HeadingMark {
                start: heading.start,
                end,
                id: id.clone(),
                links_to_itself: level != 1 && !heading.has_link,
            });
        }
        let (line, column) = self.locator.position(start_range.start);
        self.heading_text_starts.push(heading.text_start);
        self.headings.push(Heading {
            level,
            text: heading.text.trim().to_string(),
            id,
            line,
            column,
        });
    }

    /// The facts that need the whole body read: raw HTML (scanned piece by
    /// piece), duplicate definitions, skipped heading levels.
    fn finish(mut self, undefined: Vec<(String, usize)>) -> (RenderedMarkdown, Marks) {
        let base_path = if self.reading.makes_html {
            self.reading.base_path
        } else {
            ""
        };
        let pieces = std::mem::take(&mut self.html_pieces);
        let raw_html = scan_raw_html(self.events, pieces, self.locator, base_path);
        self.links.extend(raw_html.links);
        self.barriers.extend(raw_html.barriers);
        self.scripts.extend(raw_html.scripts);
        self.marks.rewritten_html = raw_html.rewritten;
        self.links.sort_by_key(|l| (l.line, l.column));
        let position = |offset: usize| self.locator.position(offset);
        let duplicate_definitions = duplicate_definitions(
            self.body,
            self.events,
            &self.definitions,
            &self.definition_index,
            &position,
        );
        let undefined_references = undefined
            .into_iter()
            .map(|(label, offset)| {
                let (line, column) = position(offset);
                UndefinedReference {
                    label,
                    line,
                    column,
                }
            })
            .collect();
        self.barriers.extend(skipped_levels(&self.headings));
        self.barriers.sort_by_key(|b| (b.line, b.column));
        let starts_with_title = matches!(
            self.events.first(),
            Some((
                Event::Start(Tag::Heading {
                    level: HeadingLevel::H1,
                    ..
                }),
                _
            ))
        );
        let facts = RenderedMarkdown {
            html: String::new(),
            dialect: Vec::new(),
            headings: self.headings,
            links: self.links,
            html_ids: raw_html.ids,
            definitions: self.definitions,
            undefined_references,
            duplicate_definitions,
            prose: self.prose,
            code_blocks: self.code_blocks,
            plain_text: self.plain_text,
            heading_text_starts: self.heading_text_starts,
            scripts: self.scripts,
            barriers: self.barriers,
            starts_with_title,
        };
        (facts, self.marks)
    }
}

/// Where the plain text gets a space, so that words of two blocks (or two
/// lines) do not run together.
fn ends_a_run_of_text(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                    | TagEnd::Heading(_)
                    | TagEnd::Item
                    | TagEnd::CodeBlock
                    | TagEnd::TableCell
                    | TagEnd::BlockQuote(_)
            )
    )
}

/// Link text that tells a screen reader's list of links nothing.
const VAGUE_LINK_TEXTS: &[&str] = &[
    "click here",
    "here",
    "this page",
    "this link",
    "link",
    "read more",
    "more",
    "click",
    "this",
];

/// What the raw HTML of a body holds, at the author's lines.
#[derive(Default)]
struct RawHtml {
    links: Vec<Link>,
    ids: Vec<String>,
    barriers: Vec<Barrier>,
    scripts: Vec<Script>,
    /// Pieces as they are to be written: (their events' indexes, the text).
    rewritten: Vec<(Vec<usize>, String)>,
}

/// Scans each piece of raw HTML (`pieces`: the indexes of its events) with
/// `html::scan`, placing what it finds at the author's lines, and keeps
/// each piece whose root-relative addresses go under `base_path` (empty
/// for none) as it is to be written.
fn scan_raw_html(
    events: &[(Event<'_>, Range<usize>)],
    pieces: Vec<Vec<usize>>,
    locator: &Locator<'_>,
    base_path: &str,
) -> RawHtml {
    let mut found = RawHtml::default();
    for piece in pieces {
        let (text, starts) = joined_html(events, &piece);
        let scanned = html::scan(&text, base_path);
        // A piece's offset to the author's line and column.
        let body_offset = |offset: usize| {
            let (start, event) = starts[starts.partition_point(|(s, _)| *s <= offset) - 1];
            events[event].1.start + (offset - start)
        };
        let at = |offset: usize| locator.position(body_offset(offset));
        for (offset, destination) in scanned.links {
            let (line, column) = at(offset);
            found.links.push(Link {
                kind: LinkKind::Html,
                destination,
                line,
                column,
                definition: None,
                origin: locator.outside_page(body_offset(offset)),
            });
        }
        found.ids.extend(scanned.ids);
        for offset in scanned.images_without_alt {
            if locator.outside_page(body_offset(offset)).is_none() {
                let (line, column) = at(offset);
                found.barriers.push(Barrier {
                    kind: BarrierKind::ImageWithoutAlt,
                    line,
                    column,
                });
            }
        }
        for (offset, what) in scanned.scripts {
            let (line, column) = at(offset);
            found.scripts.push(Script {
                what,
                line,
                column,
                origin: locator.outside_page(body_offset(offset)),
            });
        }
        if let Some(rewritten) = scanned.rewritten {
            found.rewritten.push((piece, rewritten));
        }
    }
    found
}

/// Headings more than one level below the one before them; the page's
/// title is the level 1 before the first.
fn skipped_levels(headings: &[Heading]) -> Vec<Barrier> {
    let mut found = Vec::new();
    let mut level_before = 1;
    for heading in headings {
        if heading.level > level_before + 1 {
            found.push(Barrier {
                kind: BarrierKind::HeadingSkipsLevel {
                    from: level_before,
                    to: heading.level,
                },
                line: heading.line,
                column: heading.column,
            });
        }
        level_before = heading.level;
    }
    found
}

/// Link text that names nothing ("click here"), as the reader's screen
/// reader would list it.
fn is_vague_link_text(text: &str) -> bool {
    let said = text.trim().trim_end_matches(['.', ':']).to_lowercase();
    VAGUE_LINK_TEXTS.contains(&said.as_str())
}

/// Where a reference link's definition is when a partial wrote it.
fn definition_origin(
    definitions: &[LinkDefinition],
    index: &HashMap<String, usize>,
    label: &str,
) -> Option<Place> {
    definitions[*index.get(&normalize_label(label))?]
        .origin
        .clone()
}

/// The text of one piece of raw HTML, and where each of its events starts
/// in it: (offset in the text, event index).
fn joined_html(
    events: &[(Event<'_>, Range<usize>)],
    piece: &[usize],
) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(piece.len());
    for &index in piece {
        if let Event::Html(html) | Event::InlineHtml(html) = &events[index].0 {
            starts.push((text.len(), index));
            text.push_str(html);
        }
    }
    if starts.is_empty() {
        starts.push((0, piece[0]));
    }
    (text, starts)
}

/// pulldown-cmark keeps the first definition of a label and drops later
/// ones without a trace, so they are found here: a line shaped like a
/// definition that no paragraph, heading, code, HTML or table covers is a
/// definition; if its label is already defined on another line, it is a
/// duplicate.
fn duplicate_definitions(
    body: &str,
    events: &[(Event<'_>, Range<usize>)],
    definitions: &[LinkDefinition],
    definition_index: &HashMap<String, usize>,
    position: &impl Fn(usize) -> (usize, usize),
) -> Vec<DuplicateDefinition> {
    static DEFINITION_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)^ {0,3}\[((?:[^\]\\\n]|\\.){1,999})\]:[ \t]*(<[^>\n]*>|\S*)")
            .expect("valid regex")
    });
    if definitions.is_empty() {
        return Vec::new();
    }
    let mut covered: Vec<Range<usize>> = events
        .iter()
        .filter(|(event, _)| {
            matches!(
                event,
                Event::Start(
                    Tag::Paragraph
                        | Tag::Heading { .. }
                        | Tag::CodeBlock(_)
                        | Tag::HtmlBlock
                        | Tag::Table(_)
                ) | Event::Html(_)
                    | Event::Rule
            )
        })
        .map(|(_, range)| range.clone())
        .collect();
    covered.sort_by_key(|r| r.start);
    // Merged into disjoint ranges, so one binary search answers.
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(covered.len());
    for range in covered {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    let is_covered = |offset: usize| {
        let after = merged.partition_point(|r| r.start <= offset);
        after > 0 && merged[after - 1].contains(&offset)
    };
    let mut found = Vec::new();
    for captures in DEFINITION_LINE.captures_iter(body) {
        let whole = captures.get(0).expect("match");
        if is_covered(whole.start()) {
            continue;
        }
        let label = normalize_label(&captures[1]);
        let (line, column) = position(whole.start());
        // The same address again under the same label misleads no one.
        let destination = captures[2]
            .strip_prefix('<')
            .and_then(|d| d.strip_suffix('>'))
            .unwrap_or(&captures[2]);
        if let Some(first) = definition_index
            .get(&label)
            .map(|&i| &definitions[i])
            .filter(|d| d.line != line && d.destination != destination)
        {
            found.push(DuplicateDefinition {
                label: captures[1].to_string(),
                line,
                column: column + (whole.as_str().len() - whole.as_str().trim_start().len()),
                first_line: first.line,
            });
        }
    }
    found
}

/// Marks the definition a reference link uses, and returns its position.
fn mark_used(
    definitions: &mut [LinkDefinition],
    index: &HashMap<String, usize>,
    link_type: LinkType,
    label: &str,
) -> Option<(usize, usize)> {
    if !matches!(
        link_type,
        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
    ) {
        return None;
    }
    let definition = &mut definitions[*index.get(&normalize_label(label))?];
    definition.used = true;
    Some((definition.line, definition.column))
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
