//! Markdown to HTML in one pass that also records what later stages need:
//! headings (with their ids) and every link and image, with file positions.

use pulldown_cmark::{
    BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;

use super::code_fence;
use super::erb::Place;
use super::heading_id::{self, HeadingIds};
use super::html;
use super::locate::Locator;
use crate::highlight::{Highlighted, Highlighter};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
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
    /// An `href` or `src` attribute in raw HTML.
    Html,
}

/// `[label]: destination` in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkDefinition {
    pub label: String,
    pub destination: String,
    pub used: bool,
    pub line: usize,
    pub column: usize,
    /// Where it is when a partial wrote it (the page's `line` and
    /// `column` are then where the page used the partial).
    #[serde(skip)]
    pub origin: Option<Place>,
}

/// A second `[label]: URL` for a label already defined on the page; the
/// first one is the one links use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateDefinition {
    pub label: String,
    pub line: usize,
    pub column: usize,
    pub first_line: usize,
}

/// A fenced code block that names a language or has attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeBlock {
    pub language: String,
    /// False when no syntax knows the language: the block is shown plain.
    pub known: bool,
    /// Attributes of the fence not acted on (`check` says so).
    pub ignored: Vec<String>,
    /// For a `mermaid` block: why it was not drawn.
    #[serde(skip)]
    pub diagram_problem: Option<super::diagram::Problem>,
    pub line: usize,
    pub column: usize,
}

/// `[text][label]` or `[text][]` with no definition for `label`: markdown
/// prints it as literal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndefinedReference {
    pub label: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub kind: LinkKind,
    pub destination: String,
    pub line: usize,
    pub column: usize,
    /// For `[text][label]`: where `[label]: URL` is, which is the line to
    /// fix when the URL is wrong.
    pub definition: Option<(usize, usize)>,
    /// Where the link (or, for `[text][label]`, its definition) is when a
    /// partial wrote it: the place to fix it.
    #[serde(skip)]
    pub origin: Option<Place>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedMarkdown {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// `id` attributes written in raw HTML: fragment targets too.
    pub html_ids: Vec<String>,
    pub definitions: Vec<LinkDefinition>,
    pub undefined_references: Vec<UndefinedReference>,
    pub duplicate_definitions: Vec<DuplicateDefinition>,
    /// Body ranges of text outside code and HTML, for the content lints.
    pub prose: Vec<std::ops::Range<usize>>,
    pub code_blocks: Vec<CodeBlock>,
    /// Text of the body without markup, when HTML is made.
    pub plain_text: String,
    /// Where each heading (in `headings`' order) begins in `plain_text`:
    /// the search index cuts the text into sections there.
    pub heading_text_starts: Vec<usize>,
    /// Raw HTML that would run script for readers.
    pub scripts: Vec<Script>,
    /// What some readers cannot use: images without alt text, skipped
    /// heading levels, link text that says nothing.
    pub barriers: Vec<Barrier>,
    /// The body opens with a level-1 heading: the page's title is in its
    /// text, and a layout writes no second one.
    pub starts_with_title: bool,
    /// On a tech-docs site, where the gem's Markdown reads a list
    /// differently (`dialect`).
    pub dialect: Vec<super::lints::Finding>,
}

/// Something on a page that some readers cannot use: found as the page is
/// parsed, reported by `check` (`validate::pages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Barrier {
    pub kind: BarrierKind,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BarrierKind {
    /// `![](x.png)`, or `<img>` with no `alt`.
    ImageWithoutAlt,
    /// A heading more than one level below the one before it.
    HeadingSkipsLevel { from: u8, to: u8 },
    /// Link text that says nothing out of context ("click here").
    VagueLinkText(String),
    /// `> [!WORD]` with a word that is not a callout: shown as text.
    UnknownCallout(String),
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

/// Raw HTML that would run script in readers' browsers (`html-unsafe`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    /// What it is, in words: "the event handler `onclick`".
    pub what: String,
    pub line: usize,
    pub column: usize,
    /// Where it is when a partial or layout wrote it.
    #[serde(skip)]
    pub origin: Option<Place>,
}

/// The text of a line of markdown without its marks: `` `check` finds``
/// is "check finds".
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        // GitHub's alerts, `> [!NOTE]`: drawn as callouts (`callout`).
        | Options::ENABLE_GFM
}

/// Renders `text[body_start..]` with the default heading ids; positions are
/// reported in `text`'s lines, so they are the author's line numbers even
/// below front matter.
pub fn render(
    text: &str,
    body_start: usize,
    highlighter: &Highlighter,
    base_path: &str,
) -> RenderedMarkdown {
    render_for(
        text,
        body_start,
        highlighter,
        base_path,
        super::Purpose::Publish,
    )
}

/// `render` for a run of `purpose`.
pub fn render_for(
    text: &str,
    body_start: usize,
    highlighter: &Highlighter,
    base_path: &str,
    purpose: super::Purpose,
) -> RenderedMarkdown {
    let locator = Locator::plain(text, body_start);
    let options = super::ParseOptions {
        purpose,
        base_path,
        ..Default::default()
    };
    render_body(&text[body_start..], &locator, highlighter, &options)
}

/// A page's events as they will be written, with what reading them found.
struct ReadBody<'a> {
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
    /// In the order written.
    definitions: Vec<LinkDefinition>,
    /// Normalized label -> its definition, so each link finds its
    /// definition in constant time (a page may hold thousands).
    definition_index: std::collections::HashMap<String, usize>,
    /// References no definition answers: (label, offset).
    undefined: Vec<(String, usize)>,
}

/// Parses `body`; on a tech-docs site (`gem_markdown`) the events then
/// read as Redcarpet reads them where the two differ and the gem's reading
/// is kept (definitions, `##Heading`, intra-word emphasis, joined quotes).
fn read_body<'a>(body: &'a str, locator: &Locator<'_>, gem_markdown: bool) -> ReadBody<'a> {
    let position = |offset: usize| locator.position(offset);
    let undefined = std::cell::RefCell::new(Vec::new());
    // Redcarpet takes definitions CommonMark refuses (`[x]: https://a.b/c)`).
    let redcarpet_only = if gem_markdown {
        redcarpet_definitions(body)
    } else {
        std::collections::HashMap::new()
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
    let mut events: Vec<(Event<'_>, std::ops::Range<usize>)> =
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
        definitions,
        definition_index,
        undefined: undefined.into_inner(),
    }
}

/// Where Redcarpet reads the page otherwise (`dialect`), at the author's
/// lines.
fn dialect_findings(
    body: &str,
    events: &[(Event<'_>, std::ops::Range<usize>)],
    locator: &Locator<'_>,
) -> Vec<super::lints::Finding> {
    super::dialect::partings(body, events)
        .into_iter()
        .map(|parting| {
            let (line, column) = locator.position(parting.offset);
            super::lints::Finding {
                lint: super::lints::Lint::MarkdownDialect,
                line,
                column,
                message: parting.message,
                help: parting.help,
            }
        })
        .collect()
}

/// Renders a page's body; `locator` places its bytes in the author's files.
/// Root-relative addresses the author wrote (in links and raw HTML) are
/// written under `base_path`.
pub fn render_body(
    body: &str,
    locator: &Locator<'_>,
    highlighter: &Highlighter,
    parse_options: &super::ParseOptions<'_>,
) -> RenderedMarkdown {
    let (base_path, scheme, gem_markdown) = (
        parse_options.base_path,
        parse_options.heading_ids,
        parse_options.gem_markdown,
    );
    let position = |offset: usize| locator.position(offset);

    let ReadBody {
        mut events,
        mut definitions,
        definition_index,
        undefined,
    } = read_body(body, locator, gem_markdown);
    let dialect = if gem_markdown {
        dialect_findings(body, &events, locator)
    } else {
        Vec::new()
    };

    let explicit_ids: Vec<String> = events
        .iter()
        .filter_map(|(event, _)| match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut ids = HeadingIds::with_explicit(scheme, explicit_ids.iter().map(String::as_str));
    let starts_with_title = matches!(
        events.first(),
        Some((
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }),
            _
        ))
    );

    let mut headings = Vec::new();
    let mut heading_text_starts = Vec::new();
    let mut barriers = Vec::new();
    // The text of the link or image being read, and where it starts.
    let mut open_link_text: Option<(String, usize, usize)> = None;
    let mut open_heading_text_start = 0;
    let mut links = Vec::new();
    let mut html_ids = Vec::new();
    // The heading being read: where it starts, its text, and its text as
    // Redcarpet writes it (which the gem's ids are made from).
    let mut open_heading: Option<(usize, String, String)> = None;
    let mut heading_has_link = false;
    // Events to add before the event at an index (kept in index order):
    // the link that makes each heading its own anchor.
    let mut insertions: Vec<(usize, Event<'_>)> = Vec::new();
    // Raw HTML, as the indexes of its events: a whole HTML block is one
    // piece, so a tag written over several lines is scanned whole.
    let mut html_pieces: Vec<Vec<usize>> = Vec::new();
    let mut open_html_block: Option<Vec<usize>> = None;
    // Markdown links and images whose root-relative address gets the base path.
    let mut under_base_path: Vec<usize> = Vec::new();
    // Script in raw HTML and in attributes markdown writes.
    let mut scripts = Vec::new();
    let mut tables = 0;
    let mut in_code_block = false;
    let mut prose = Vec::new();
    let mut code_blocks = Vec::new();
    let mut open_fence = code_fence::FenceInfo::default();
    // Diagrams drawn so far on the page: each one's ids are its own.
    let mut diagrams = 0;
    let mut open_code: Option<(usize, String, String)> = None;
    let keep_text = parse_options.purpose.makes_html();
    let mut plain_text = String::with_capacity(if keep_text { body.len() } else { 0 });

    for index in 0..events.len() {
        let (event, range) = &events[index];
        if keep_text
            && matches!(
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
        {
            plain_text.push(' ');
        }
        match event {
            Event::Start(Tag::Heading { .. }) => {
                open_heading = Some((index, String::new(), String::new()));
                open_heading_text_start = plain_text.len();
                heading_has_link = false;
            }
            Event::InlineHtml(raw) if open_heading.is_some() => {
                if let Some((_, _, heading_html)) = open_heading.as_mut() {
                    heading_html.push_str(raw);
                }
                html_pieces.push(vec![index]);
            }
            Event::SoftBreak | Event::HardBreak if open_heading.is_some() => {
                if let Some((_, heading_text, heading_html)) = open_heading.as_mut() {
                    heading_text.push(' ');
                    heading_html.push('\n');
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, heading_text, heading_html)) = open_heading.as_mut() {
                    heading_text.push_str(t);
                    // The gem makes ids before SmartyPants runs, so from
                    // the text as written.
                    heading_id::redcarpet_text(t, heading_html);
                }
                if matches!(event, Event::Text(_)) && !in_code_block {
                    prose.push(range.clone());
                }
                if let Some((_, _, code)) = open_code.as_mut() {
                    code.push_str(t);
                }
                if keep_text {
                    plain_text.push_str(t);
                }
                if let Some((text, _, _)) = open_link_text.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((text, line, column)) = open_link_text.take()
                    && text.trim().is_empty()
                {
                    barriers.push(Barrier {
                        kind: BarrierKind::ImageWithoutAlt,
                        line,
                        column,
                    });
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some((text, line, column)) = open_link_text.take()
                    && is_vague_link_text(&text)
                {
                    barriers.push(Barrier {
                        kind: BarrierKind::VagueLinkText(text.trim().to_string()),
                        line,
                        column,
                    });
                }
            }
            // `> [!WORD]` with a word GitHub's alerts do not have stays a
            // quote that starts with "[!WORD]": say so.
            Event::Start(Tag::BlockQuote(None)) => {
                let first_line = body[range.clone()].lines().next().unwrap_or("");
                if let Some(word) = super::callout::unknown_kind(first_line) {
                    let (line, column) = position(range.start);
                    barriers.push(Barrier {
                        kind: BarrierKind::UnknownCallout(word.to_string()),
                        line,
                        column,
                    });
                }
            }
            Event::Start(Tag::BlockQuote(Some(kind))) if keep_text => {
                let open = super::callout::open(*kind);
                events[index].0 = Event::Html(CowStr::from(open));
            }
            Event::End(TagEnd::BlockQuote(Some(kind))) if keep_text => {
                let close = super::callout::close(*kind);
                events[index].0 = Event::Html(CowStr::Borrowed(close));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                open_fence = match kind {
                    CodeBlockKind::Fenced(info) => code_fence::read(info),
                    CodeBlockKind::Indented => code_fence::FenceInfo::default(),
                };
                open_code = Some((index, open_fence.language.clone(), String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                let fence = std::mem::take(&mut open_fence);
                let Some((start, language, code)) = open_code.take() else {
                    continue;
                };
                let at = position(events[start].1.start);
                code_blocks.extend(finish_code_block(
                    &mut events,
                    start..=index,
                    OpenCode {
                        language,
                        code,
                        fence,
                        at,
                    },
                    highlighter,
                    keep_text,
                    &mut diagrams,
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((start, heading_text, heading_html)) = open_heading.take() else {
                    continue;
                };
                let (start_event, start_range) = &mut events[start];
                if let Event::Start(Tag::Heading {
                    level, id, attrs, ..
                }) = start_event
                {
                    // `{key=value}` after a heading writes an attribute.
                    for (name, value) in attrs.iter() {
                        if let Some(what) = html::attribute_runs_script("h", name, value.as_deref())
                        {
                            let (line, column) = position(start_range.start);
                            scripts.push(Script {
                                what,
                                line,
                                column,
                                origin: locator.outside_page(start_range.start),
                            });
                        }
                    }
                    let level_number = level_number(*level);
                    let final_id = match id {
                        Some(explicit) => {
                            ids.explicit(explicit, level_number);
                            explicit.to_string()
                        }
                        // SmartyPants runs after the gem has made its ids,
                        // so they are made from the text as written.
                        None => ids.unique_for(&heading_text, &heading_html, level_number),
                    };
                    *id = Some(CowStr::from(final_id.clone()));
                    let (line, column) = position(start_range.start);
                    // The heading's text links to the heading, as on MDN:
                    // reachable by Tab, and read as "link, <heading text>"
                    // with no extra words. A heading that already holds a
                    // link keeps it (links cannot nest).
                    if *level != HeadingLevel::H1 && !heading_has_link && keep_text {
                        let mut open = String::from("<a class=\"heading-link\" href=\"#");
                        let _ = pulldown_cmark_escape::escape_href(&mut open, &final_id);
                        open.push_str("\">");
                        insertions.push((start + 1, Event::Html(CowStr::from(open))));
                        insertions.push((index, Event::Html(CowStr::Borrowed("</a>"))));
                    }
                    heading_text_starts.push(open_heading_text_start);
                    headings.push(Heading {
                        level: level_number,
                        text: heading_text.trim().to_string(),
                        id: final_id,
                        line,
                        column,
                    });
                }
            }
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
                if kind != LinkKind::Image && open_heading.is_some() {
                    heading_has_link = true;
                }
                let definition = mark_used(&mut definitions, &definition_index, *link_type, id);
                let (line, column) = position(range.start);
                if dest_url.starts_with('/') && !dest_url.starts_with("//") {
                    under_base_path.push(index);
                }
                // An email autolink is a `mailto:` link, as it is rendered.
                let destination = if *link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                let origin = match definition {
                    Some(_) => definition_origin(&definitions, &definition_index, id),
                    None => locator.outside_page(range.start),
                };
                if matches!(
                    kind,
                    LinkKind::Inline | LinkKind::Reference | LinkKind::Image
                ) && origin.is_none()
                {
                    open_link_text = Some((String::new(), line, column));
                }
                links.push(Link {
                    kind,
                    destination,
                    line,
                    column,
                    definition,
                    origin,
                });
            }
            // A table scrolls sideways in a box of its own rather than
            // widening the page; the box is reachable by keyboard.
            // Each box is a landmark, so each gets its own name.
            Event::Start(Tag::Table(_)) if keep_text => {
                tables += 1;
                insertions.push((
                    index,
                    Event::Html(CowStr::from(format!(
                        "<div class=\"table-scroll\" role=\"region\" aria-label=\"Table {tables}\" tabindex=\"0\">"
                    ))),
                ));
            }
            Event::End(TagEnd::Table) if keep_text => {
                insertions.push((index + 1, Event::Html(CowStr::Borrowed("</div>\n"))));
            }
            Event::Start(Tag::HtmlBlock) => open_html_block = Some(Vec::new()),
            Event::End(TagEnd::HtmlBlock) => html_pieces.extend(open_html_block.take()),
            Event::Html(_) if open_html_block.is_some() => {
                open_html_block.as_mut().expect("open").push(index);
            }
            Event::InlineHtml(_) | Event::Html(_) => html_pieces.push(vec![index]),
            _ => {}
        }
    }

    let raw_html = scan_raw_html(
        &mut events,
        html_pieces,
        locator,
        if keep_text { base_path } else { "" },
    );
    links.extend(raw_html.links);
    html_ids.extend(raw_html.ids);
    barriers.extend(raw_html.barriers);
    scripts.extend(raw_html.scripts);
    if keep_text {
        put_under_base_path(&mut events, &under_base_path, base_path);
    }
    links.sort_by_key(|l| (l.line, l.column));
    let duplicate_definitions =
        duplicate_definitions(body, &events, &definitions, &definition_index, &position);
    if gem_markdown && keep_text {
        row_headers(&mut events);
    }
    let html = if keep_text && gem_markdown {
        super::smartypants::apply(&write_html(events, insertions, body.len() * 3 / 2))
    } else if keep_text {
        write_html(events, insertions, body.len() * 3 / 2)
    } else {
        String::new()
    };
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
    barriers.extend(skipped_levels(&headings));
    barriers.sort_by_key(|b| (b.line, b.column));
    RenderedMarkdown {
        html,
        headings,
        barriers,
        links,
        html_ids,
        definitions,
        undefined_references,
        duplicate_definitions,
        prose,
        code_blocks,
        plain_text,
        heading_text_starts,
        scripts,
        starts_with_title,
        dialect,
    }
}

/// A code block as read, up to its end.
struct OpenCode {
    language: String,
    code: String,
    fence: code_fence::FenceInfo,
    /// Where its fence is: (line, column).
    at: (usize, usize),
}

/// Ends the code block whose events are `span`: a ```mermaid block is
/// drawn (the page's `diagrams` so far counted on), any other highlighted,
/// and its events become one piece of HTML when the page's HTML is made.
/// Returns what `check` needs of it, when it names a language or has
/// attributes.
fn finish_code_block(
    events: &mut [(Event<'_>, std::ops::Range<usize>)],
    span: std::ops::RangeInclusive<usize>,
    open: OpenCode,
    highlighter: &Highlighter,
    makes_html: bool,
    diagrams: &mut usize,
) -> Option<CodeBlock> {
    let OpenCode {
        language,
        code,
        fence,
        at: (line, column),
    } = open;
    let (start, end) = (*span.start(), *span.end());
    let is_diagram = language.eq_ignore_ascii_case("mermaid");
    let drawn = is_diagram.then(|| {
        *diagrams += 1;
        super::diagram::draw(&code, *diagrams)
    });
    let highlighted = if language.is_empty() || is_diagram {
        Highlighted::Plain
    } else if makes_html {
        highlighter.highlight(&language, &code)
    } else {
        highlighter.classify(&language)
    };
    let found = (!language.is_empty() || !fence.ignored.is_empty()).then(|| CodeBlock {
        known: highlighted != Highlighted::Unknown,
        language: language.clone(),
        ignored: fence.ignored.clone(),
        diagram_problem: drawn.clone().and_then(Result::err),
        line,
        column,
    });
    if !makes_html {
        return found;
    }
    let html = match drawn {
        Some(Ok(svg)) => diagram_html(&svg, &code, fence.title.as_deref(), *diagrams),
        _ => code_block_html(&language, &code, &fence, highlighted),
    };
    // The block's events become one piece of HTML.
    events[start].0 = Event::Html(CowStr::from(html));
    for (event, _) in &mut events[start + 1..=end] {
        *event = Event::Html(CowStr::Borrowed(""));
    }
    found
}

/// What the raw HTML of a body holds, at the author's lines.
#[derive(Default)]
struct RawHtml {
    links: Vec<Link>,
    ids: Vec<String>,
    barriers: Vec<Barrier>,
    scripts: Vec<Script>,
}

/// Scans each piece of raw HTML (`pieces`: the indexes of its events) with
/// `html::scan`, placing what it finds at the author's lines, and writes
/// root-relative addresses under `base_path` (empty for none).
fn scan_raw_html(
    events: &mut [(Event<'_>, std::ops::Range<usize>)],
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
            events[piece[0]].0 = Event::Html(CowStr::from(rewritten));
            for &other in &piece[1..] {
                events[other].0 = Event::Html(CowStr::Borrowed(""));
            }
        }
    }
    found
}

/// Markdown links and images (`indexes`) whose root-relative address is
/// written under the base path.
fn put_under_base_path(
    events: &mut [(Event<'_>, std::ops::Range<usize>)],
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
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
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
fn row_headers(events: &mut [(Event<'_>, std::ops::Range<usize>)]) {
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

/// Redcarpet, the gem's markdown, takes `##Heading` (no space after the
/// marks) as a heading; CommonMark takes it as text. On a tech-docs site a
/// one-line paragraph that starts so becomes that heading, its inline
/// markup kept, here at the event level so that every byte keeps its place
/// (positions stay the author's). `tests/it/redcarpet.rs` holds it to
/// Redcarpet.
fn headings_without_space(body: &str, events: &mut [(Event<'_>, std::ops::Range<usize>)]) {
    let levels = [
        HeadingLevel::H1,
        HeadingLevel::H2,
        HeadingLevel::H3,
        HeadingLevel::H4,
        HeadingLevel::H5,
        HeadingLevel::H6,
    ];
    let mut index = 0;
    while index < events.len() {
        let (Event::Start(Tag::Paragraph), range) = &events[index] else {
            index += 1;
            continue;
        };
        let source = body[range.clone()].trim_end();
        let Some(end) = events[index..]
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::Paragraph)))
            .map(|n| index + n)
        else {
            break;
        };
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
            index = end + 1;
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
        index = end + 1;
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
fn redcarpet_definitions(body: &str) -> std::collections::HashMap<String, (&str, &str)> {
    let mut found = std::collections::HashMap::new();
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
fn drop_definition_paragraphs(body: &str, events: &mut [(Event<'_>, std::ops::Range<usize>)]) {
    let mut index = 0;
    while index < events.len() {
        let (Event::Start(Tag::Paragraph), range) = &events[index] else {
            index += 1;
            continue;
        };
        let Some(end) = events[index..]
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::Paragraph)))
            .map(|n| index + n)
        else {
            break;
        };
        let all_definitions = body[range.clone()]
            .lines()
            .filter(|line| !line.trim().is_empty())
            .all(|line| DEFINITION_LINE.is_match(line));
        if all_definitions {
            for (event, _) in &mut events[index..=end] {
                *event = Event::Html(CowStr::Borrowed(""));
            }
        }
        index = end + 1;
    }
}

/// Whether the byte is part of a word for Redcarpet's `no_intra_emphasis`:
/// a letter or digit, or any byte of a character beyond ASCII.
fn in_word(byte: Option<&u8>) -> bool {
    byte.is_some_and(|b| b.is_ascii_alphanumeric() || !b.is_ascii())
}

/// Redcarpet's `no_intra_emphasis`, which the gem turns on: `*` or `_`
/// emphasis that starts or ends inside a word (`foo*bar*baz`) is text,
/// delimiters and all.
fn no_intra_word_emphasis<'a>(body: &'a str, events: &mut [(Event<'a>, std::ops::Range<usize>)]) {
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
fn join_adjacent_quotes(body: &str, events: &mut [(Event<'_>, std::ops::Range<usize>)]) {
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

/// Where a reference link's definition is when a partial wrote it.
fn definition_origin(
    definitions: &[LinkDefinition],
    index: &std::collections::HashMap<String, usize>,
    label: &str,
) -> Option<Place> {
    definitions[*index.get(&normalize_label(label))?]
        .origin
        .clone()
}

/// The text of one piece of raw HTML, and where each of its events starts
/// in it: (offset in the text, event index).
fn joined_html(
    events: &[(Event<'_>, std::ops::Range<usize>)],
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
    events: &[(Event<'_>, std::ops::Range<usize>)],
    definitions: &[LinkDefinition],
    definition_index: &std::collections::HashMap<String, usize>,
    position: &impl Fn(usize) -> (usize, usize),
) -> Vec<DuplicateDefinition> {
    static DEFINITION_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)^ {0,3}\[((?:[^\]\\\n]|\\.){1,999})\]:[ \t]*(<[^>\n]*>|\S*)")
            .expect("valid regex")
    });
    if definitions.is_empty() {
        return Vec::new();
    }
    let mut covered: Vec<std::ops::Range<usize>> = events
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
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(covered.len());
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
    index: &std::collections::HashMap<String, usize>,
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

/// Link labels match case-insensitively with runs of white space folded.
fn normalize_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
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
    fn second_definitions_of_a_label_are_found_but_not_lookalikes() {
        let text = "[a][x]\n\n[x]: /first.html\n[X]: /second.html\n[x]:   /first.html\n\n```\n[x]: /in-code.html\n```\n\nText\n[x]: /lazy-continuation.html\n\n  [y]: /other.html\n";
        let out = render(text, 0, &Highlighter::new(), "");
        let found: Vec<_> = out
            .duplicate_definitions
            .iter()
            .map(|d| (d.label.as_str(), d.line, d.column, d.first_line))
            .collect();
        assert_eq!(found, [("X", 4, 1, 3)]);
        assert_eq!(out.links[0].destination, "/first.html");
    }

    #[test]
    fn headings_link_to_themselves_unless_they_hold_a_link() {
        let text = "# Title\n\n## See [the guide](/g.html)\n\n## Plain `code`\n";
        let out = render(text, 0, &Highlighter::new(), "");
        assert!(
            out.html.contains("<h1 id=\"title\">Title</h1>"),
            "{}",
            out.html
        );
        assert!(
            out.html
                .contains(r#"<h2 id="see-the-guide">See <a href="/g.html">the guide</a></h2>"#),
            "{}",
            out.html
        );
        assert!(
            out.html.contains(
                r##"<h2 id="plain-code"><a class="heading-link" href="#plain-code">Plain <code>code</code></a></h2>"##
            ),
            "{}",
            out.html
        );
    }

    #[test]
    fn github_alerts_are_drawn_as_govuk_callouts() {
        let text = "> [!WARNING]\n> Stop the **app** first.\n\n> [!NOTE]\n> Takes a minute.\n\n> [!CAUTION]\n> Deletes data.\n\n> A plain quote.\n";
        let html = render(text, 0, &Highlighter::new(), "").html;
        assert!(!html.contains("[!"), "{html}");
        assert!(
            html.contains("<div class=\"govuk-warning-text callout callout--warning\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span><div class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning: </span>\n<p>Stop the <strong>app</strong> first.</p>\n</div></div>"),
            "{html}"
        );
        assert!(
            html.contains("<div class=\"govuk-inset-text callout callout--note\"><p class=\"callout__label\">Note</p>\n<p>Takes a minute.</p>\n</div>"),
            "{html}"
        );
        assert!(html.contains("callout--caution"), "{html}");
        assert!(
            html.contains("<blockquote>\n<p>A plain quote.</p>\n</blockquote>"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_keeps_words_apart_and_is_not_kept_for_check() {
        let text = "# Deploy\nRun **the**\n`make`\n\n- one\n- two\n\n```sh\necho hi\n```\n";
        let out = render(text, 0, &Highlighter::new(), "");
        let words: Vec<_> = out.plain_text.split_whitespace().collect();
        assert_eq!(
            words,
            ["Deploy", "Run", "the", "make", "one", "two", "echo", "hi"]
        );
        let out = render_for(
            text,
            0,
            &Highlighter::new(),
            "",
            crate::parse::Purpose::Check,
        );
        assert!(out.plain_text.is_empty());
    }

    #[test]
    fn headings_get_ids_and_positions() {
        let text = "---\ntitle: x\n---\n## Intro\n\n## Intro\n\n### Custom {#mine}\n";
        let out = render(
            text,
            text.find("## Intro").unwrap(),
            &Highlighter::new(),
            "",
        );
        let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "intro-1", "mine"]);
        assert_eq!(out.headings[0].line, 4);
        assert_eq!(out.headings[2].text, "Custom");
        assert!(
            out.html.contains(
                r##"<h2 id="intro-1"><a class="heading-link" href="#intro-1">Intro</a></h2>"##
            ),
            "{}",
            out.html
        );
        assert!(
            out.html.contains(
                r##"<h3 id="mine"><a class="heading-link" href="#mine">Custom</a></h3>"##
            ),
            "{}",
            out.html
        );
    }

    #[test]
    fn heading_text_includes_code_spans() {
        let out = render("## Run `rake db:migrate` now\n", 0, &Highlighter::new(), "");
        assert_eq!(out.headings[0].text, "Run rake db:migrate now");
        assert_eq!(out.headings[0].id, "run-rake-dbmigrate-now");
    }

    fn located_links(out: &RenderedMarkdown) -> Vec<(LinkKind, &str, usize, usize)> {
        out.links
            .iter()
            .map(|l| (l.kind, l.destination.as_str(), l.line, l.column))
            .collect()
    }

    #[test]
    fn links_of_every_kind_are_recorded_with_positions() {
        let text =
            "See [a](/a.html) and [b][ref].\n\n![img](x.png) <https://e.x>\n\n[ref]: b.html\n";
        let out = render(text, 0, &Highlighter::new(), "");
        let found = located_links(&out);
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
    fn raw_html_links_and_ids_are_recorded() {
        let text = "Text <a href=\"/x.html#y\">x</a>.\n\n<div id=\"anchor\">\n  <img alt=\"a\"\n       src='/i.png'>\n<!-- <a href=\"/commented.html\"> -->\n</div>\n";
        let out = render(text, 0, &Highlighter::new(), "");
        let found = located_links(&out);
        assert_eq!(
            found,
            [
                (LinkKind::Html, "/x.html#y", 1, 15),
                (LinkKind::Html, "/i.png", 5, 13),
            ]
        );
        assert_eq!(out.html_ids, ["anchor"]);
    }

    #[test]
    fn reference_definitions_and_undefined_references() {
        let text = "[used][a] and [missing][b] and [collapsed][] and [just brackets].\n\n[A]: /a.html\n[unused]: /u.html\n[bad]: [https://x.org]\n";
        let out = render(text, 0, &Highlighter::new(), "");
        let defs: Vec<_> = out
            .definitions
            .iter()
            .map(|d| (d.label.as_str(), d.destination.as_str(), d.used, d.line))
            .collect();
        assert_eq!(
            defs,
            [
                ("A", "/a.html", true, 3),
                ("unused", "/u.html", false, 4),
                ("bad", "[https://x.org]", false, 5)
            ]
        );
        let undefined: Vec<_> = out
            .undefined_references
            .iter()
            .map(|u| (u.label.as_str(), u.line, u.column))
            .collect();
        assert_eq!(undefined, [("b", 1, 15), ("collapsed", 1, 32)]);
    }

    #[test]
    fn extensions_and_raw_html() {
        let text = "| a |\n|---|\n| b |\n\n~~x~~ [^1]\n\n- [x] done\n\n<div class=\"c\">raw</div>\n\n[^1]: note\n";
        let html = render(text, 0, &Highlighter::new(), "").html;
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>x</del>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
        assert!(html.contains("<div class=\"c\">raw</div>"), "{html}");
    }
}
