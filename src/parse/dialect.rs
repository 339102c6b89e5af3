//! Where the tech-docs gem's Markdown (Redcarpet) reads a page's lists
//! differently from CommonMark, which `manual` renders: reported as
//! `markdown-dialect` at the line where the two readings part, with the
//! change that makes both agree, so a migrating site is never silently
//! different from what its readers saw.
//!
//! Lists are where the two differ most on real sites (the rest is rendered
//! as the gem renders it, see `markdown`). Redcarpet's list rules are not
//! CommonMark's: a list needs a blank line before it; after a blank line an
//! item goes on only with four spaces of indentation; each level of
//! nesting strips up to four spaces, whatever the marker's width; and an
//! item gets paragraphs only once a blank line has been seen in its list.
//! No crate reads Markdown as Redcarpet does, so its list reading is
//! written here, line by line, and held to Redcarpet itself by
//! `tests/it/redcarpet.rs`. Both readings are reduced to the same record
//! (where each item and each block starts, and how deep), and compared.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// A place where the two readings part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parting {
    /// Byte offset in the body of the line's first character.
    pub offset: usize,
    pub message: String,
    pub help: String,
}

/// What one reading says about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct LineReading {
    /// An item starts here: its depth (1 for a list at the top), the line
    /// of its list's first item, and whether it has paragraphs.
    item: Option<(usize, usize, bool)>,
    /// A block other than an item's first starts here: how many items
    /// deep, and of what kind.
    block: Option<(usize, Kind)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Heading,
    /// A heading inside a quote.
    QuotedHeading,
    Table,
    /// A table row whose cells Redcarpet shifts (CommonMark records no
    /// rows).
    ShiftedRow,
    /// Raw HTML at the top of the page (inside a list item both read it
    /// as the author's own).
    Html,
    /// Raw HTML on its own that starts with a tag Redcarpet puts in a
    /// paragraph (CommonMark keeps it out of one).
    InlineHtml,
    Code,
    /// Fenced code whose lines keep the spaces the fence is indented by.
    CodeIndented,
}

#[derive(Default)]
struct Reading {
    lines: BTreeMap<usize, LineReading>,
    /// The page nests deeper than `MAX_DEPTH`: it is left unjudged.
    too_deep: bool,
}

/// How deep lists and items are read; a page nesting deeper is left
/// unjudged, so no page can make the reading recurse without bound.
const MAX_DEPTH: usize = 32;

/// How many lines on Redcarpet looks for the tag that closes a raw HTML
/// block; past it the block is read as a paragraph, so a page of unclosed
/// tags costs lines times this, not lines squared.
const HTML_BLOCK_LINES: usize = 2_000;

impl Reading {
    fn item(&mut self, line: usize, depth: usize, list: usize, paragraphs: bool) {
        self.lines.entry(line).or_default().item = Some((depth, list, paragraphs));
    }

    fn block(&mut self, line: usize, depth: usize, kind: Kind) {
        if kind == Kind::Html && depth > 0 {
            return;
        }
        self.lines
            .entry(line)
            .or_default()
            .block
            .get_or_insert((depth, kind));
    }
}

/// The places in `body` where Redcarpet reads a list differently from
/// `events` (pulldown-cmark's reading of `body`, with offsets).
pub fn partings(body: &str, events: &[(Event<'_>, Range<usize>)]) -> Vec<Parting> {
    let lines = Lines::new(body);
    // Tabs are expanded differently by the two; a page indenting with
    // them is left unjudged rather than misjudged.
    if lines
        .text
        .iter()
        .any(|l| l.trim_end().starts_with('\t') || l.starts_with(" \t"))
    {
        return Vec::new();
    }
    let ours = commonmark_reading(&lines, events);
    let mut theirs = Reading::default();
    // Redcarpet takes link definitions out of the text before reading it.
    let definitions = definition_lines(&lines);
    let all: Vec<Piece> = (0..lines.text.len())
        .filter(|line| !definitions.contains(line))
        .map(|line| Piece { line, from: 0 })
        .collect();
    redcarpet_blocks(&lines, &all, 0, &mut theirs);
    if theirs.too_deep {
        return Vec::new();
    }

    // The readings are compared line by line. Where they part, one
    // parting is reported, and the next only after they agree again on a
    // block at the top; of the lines in between, the first where the
    // structure differs is named, else the first where only paragraph
    // spacing does (a structural one usually causes the spacing ones).
    let mut lines_read: BTreeSet<usize> = ours.lines.keys().copied().collect();
    lines_read.extend(theirs.lines.keys().copied());
    let mut partings = Vec::new();
    let mut apart: Vec<(usize, LineReading, LineReading)> = Vec::new();
    let mut report = |apart: &mut Vec<(usize, LineReading, LineReading)>| {
        let spacing_only = |a: &LineReading, b: &LineReading| {
            a.block == b.block
                && matches!((a.item, b.item), (Some((d, l, _)), Some((e, m, _))) if d == e && l == m)
        };
        if let Some((line, a, b)) = apart
            .iter()
            .find(|(_, a, b)| !spacing_only(a, b))
            .or(apart.first())
        {
            let (message, help) = explain(&lines, *line, *a, *b);
            partings.push(Parting {
                offset: lines.start[*line],
                message,
                help,
            });
        }
        apart.clear();
    };
    for line in lines_read {
        if definitions.contains(&line) {
            continue;
        }
        let reading = |r: &Reading| r.lines.get(&line).copied().unwrap_or_default();
        let (a, b) = (reading(&ours), reading(&theirs));
        // A list both start here begins a new comparison, even when its
        // items are spaced differently.
        let list_starts = |r: &LineReading| matches!(r.item, Some((1, l, _)) if l == line);
        if list_starts(&a) && list_starts(&b) {
            report(&mut apart);
        }
        if a != b {
            apart.push((line, a, b));
        } else if matches!(a.block, Some((0, _))) || matches!(a.item, Some((1, l, _)) if l == line)
        {
            report(&mut apart);
        }
    }
    report(&mut apart);
    partings
}

/// Why the readings `ours` and `theirs` of `line` differ, in words.
fn explain(
    lines: &Lines<'_>,
    line: usize,
    ours: LineReading,
    theirs: LineReading,
) -> (String, String) {
    let after_text = line > 0 && !is_blank(lines.text[line - 1]);
    let after_html = line > 0 && lines.text[line - 1].trim_end().ends_with('>');
    if after_html && ours.item.is_none() && ours.block.is_none() {
        return (
            "the tech-docs gem reads this line as markdown after the HTML above; here the HTML block goes on to the next blank line, so this line is shown as it is written".into(),
            "put a blank line after the HTML's closing tag".into(),
        );
    }
    match (ours.item, theirs.item, ours.block, theirs.block) {
        (Some(_), None, _, _) if after_text && theirs.block.is_none() => (
            "the tech-docs gem reads this list item as more of the text above it: in its Markdown (Redcarpet) a list needs a blank line before it".into(),
            "put a blank line before the list".into(),
        ),
        (Some(_), None, _, _) if !after_text => (
            "the tech-docs gem ends the list before this line rather than reading it as an item: after a blank line, its Markdown (Redcarpet) ends a numbered list at a bulleted item, and a bulleted list at a numbered one, however deeply it is indented".into(),
            "remove the blank line before this item".into(),
        ),
        (Some((a, _, _)), Some((b, _, _)), _, _) if a != b => (
            format!(
                "the tech-docs gem nests this list item {} (here it is {}): Redcarpet takes at most four spaces of indentation away at each level, so a nested item needs four more than its parent",
                depth_words(b),
                depth_words(a)
            ),
            "indent each level of a nested list by four spaces more than the one above it".into(),
        ),
        (Some((_, _, a)), Some((_, _, b)), _, _) if a != b => (
            format!(
                "the tech-docs gem shows this list item {} paragraph spacing, unlike here: Redcarpet spaces only the items after the first blank line in a list",
                if b { "with" } else { "without" }
            ),
            "put a blank line between every two items of the list, or between none".into(),
        ),
        (Some(_), Some(_), _, _) => (
            "the tech-docs gem starts a new list at this item, since the list above ended earlier in its Markdown (Redcarpet)".into(),
            "indent the lines between the items by four spaces, so that both keep one list".into(),
        ),
        (None, None, Some((a, _)), Some((b, _))) if b < a => (
            "the tech-docs gem ends the list item before this line: after a blank line, its Markdown (Redcarpet) goes on with an item only when the line is indented by four spaces".into(),
            "indent this block by four spaces to keep it in the item (or by none to end the list in both)".into(),
        ),
        (None, None, None | Some((_, Kind::Text)), Some((_, Kind::Heading)))
            if lines.text[line].starts_with('#')
                && !lines.text[line].trim_start_matches('#').starts_with(' ') =>
        {
            (
                "the tech-docs gem makes this line a heading (`#` and a word with no space); here it stays text, since `#word` reads as a Slack channel".into(),
                "write `\\#word` to keep it text in both, or `# Heading` with a space for a heading in both".into(),
            )
        }
        (None, None, Some((a, Kind::InlineHtml)), Some((b, Kind::Text))) if a == b => (
            "the tech-docs gem puts this HTML in a paragraph (its Markdown, Redcarpet, starts raw HTML of its own only with a block tag such as `<div>`); here it stands on its own, without a paragraph's spacing".into(),
            "wrap the line in `<p>` and `</p>` so both show it as a paragraph".into(),
        ),
        (None, None, Some((_, Kind::Heading)), Some((_, Kind::QuotedHeading))) => (
            "the tech-docs gem puts this heading inside the quote above it: in its Markdown (Redcarpet) a quote goes on to the next blank line".into(),
            "put a blank line before the heading".into(),
        ),
        (None, None, None, Some((_, Kind::ShiftedRow))) => (
            "the tech-docs gem shifts this table row's cells one column right: in its Markdown (Redcarpet) spaces before a row's first `|` make an empty first cell".into(),
            "start the row at the left edge, as the table's other rows".into(),
        ),
        (None, None, Some((a, Kind::Table)), Some((b, Kind::Text))) if a == b => (
            "the tech-docs gem shows this table as a paragraph of text: its Markdown (Redcarpet) reads no table whose underline starts with spaces and a `|`".into(),
            "start the table's lines at the left edge of its paragraph or list item".into(),
        ),
        (None, None, Some((a, Kind::Code)), Some((b, Kind::CodeIndented))) if a == b => (
            "the tech-docs gem keeps the spaces this code fence is indented by at the start of each line of the code".into(),
            "start the fence (```) at the left edge of its paragraph or list item, not further in".into(),
        ),
        (None, None, Some((_, Kind::Code)), None) if after_text => (
            "the tech-docs gem reads this code as more of the text above it, in one line: in its Markdown (Redcarpet) a fenced code block needs a blank line before it".into(),
            "put a blank line before the ```".into(),
        ),
        (None, None, Some((a, Kind::Code)), Some((b, Kind::Text))) if a == b => (
            "the tech-docs gem reads this as a paragraph, not code: its Markdown (Redcarpet) takes four spaces of indentation away inside a list item, whatever the width of the item's marker".into(),
            "put the code in a fenced block (```) rather than indenting it".into(),
        ),
        (None, None, Some(_), None) => (
            "the tech-docs gem reads this as more text of the list item, not a block of its own: Redcarpet reads an item as one paragraph unless a blank line is inside it".into(),
            "put a blank line before this block, and indent it by four spaces".into(),
        ),
        _ => (
            "the tech-docs gem's Markdown (Redcarpet) reads the list here differently".into(),
            "indent the lines of each list item by four spaces, and put blank lines between every two items or none".into(),
        ),
    }
}

fn depth_words(depth: usize) -> String {
    match depth {
        0 => "outside the list".into(),
        1 => "at the top level".into(),
        n => format!("{} levels deep", n),
    }
}

/// The body's lines: their text (without the newline) and where each
/// starts.
struct Lines<'a> {
    text: Vec<&'a str>,
    start: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(body: &'a str) -> Lines<'a> {
        let mut text = Vec::new();
        let mut start = Vec::new();
        let mut at = 0;
        for line in body.split_inclusive('\n') {
            start.push(at);
            text.push(line.trim_end_matches(['\n', '\r']));
            at += line.len();
        }
        Lines { text, start }
    }

    /// The line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.start
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

/// pulldown-cmark's reading, as the record both readings share.
fn commonmark_reading(lines: &Lines<'_>, events: &[(Event<'_>, Range<usize>)]) -> Reading {
    let mut reading = Reading::default();
    // Each open item's line; each open list's first line.
    let mut items: Vec<usize> = Vec::new();
    let mut lists: Vec<usize> = Vec::new();
    let mut quotes = 0usize;
    for (n, (event, range)) in events.iter().enumerate() {
        let line = lines.line_of(range.start);
        match event {
            Event::Start(Tag::BlockQuote(_)) => {
                if quotes == 0 {
                    reading.block(line, items.len(), Kind::Text);
                }
                quotes += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => quotes -= 1,
            // Inside a quote only headings are compared.
            Event::Start(Tag::Heading { .. }) if quotes > 0 => {
                reading.block(line, items.len(), Kind::QuotedHeading);
            }
            _ if quotes > 0 => {}
            Event::Start(Tag::List(_)) => {
                lists.push(line);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                items.push(line);
                let paragraphs =
                    matches!(events.get(n + 1), Some((Event::Start(Tag::Paragraph), _)));
                reading.item(
                    line,
                    items.len(),
                    *lists.last().unwrap_or(&line),
                    paragraphs,
                );
            }
            Event::End(TagEnd::Item) => {
                items.pop();
            }
            Event::Start(
                Tag::Paragraph
                | Tag::CodeBlock(_)
                | Tag::Heading { .. }
                | Tag::Table(_)
                | Tag::HtmlBlock,
            )
            | Event::Rule => {
                let kind = match event {
                    Event::Start(Tag::CodeBlock(_)) => Kind::Code,
                    Event::Start(Tag::Heading { .. }) => Kind::Heading,
                    // Raw HTML that starts with a tag Redcarpet reads in a
                    // paragraph (`<img ...>` alone on its line).
                    Event::Start(Tag::HtmlBlock) => {
                        let start = lines.text[line].trim_start();
                        if block_tag(start).is_some() {
                            Kind::Html
                        } else {
                            Kind::InlineHtml
                        }
                    }
                    Event::Start(Tag::Table(_)) => Kind::Table,
                    _ => Kind::Text,
                };
                // An item's own first paragraph is the item.
                if !(kind == Kind::Text && items.last() == Some(&line)) {
                    reading.block(line, items.len(), kind);
                }
            }
            _ => {}
        }
    }
    reading
}

/// A line as one level of Redcarpet's reading sees it: from byte `from`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    line: usize,
    from: usize,
}

/// A blank line Redcarpet puts into an item's text after a blank line.
const BLANK: Piece = Piece {
    line: usize::MAX,
    from: 0,
};

fn text<'a>(lines: &Lines<'a>, piece: Piece) -> &'a str {
    if piece.line == usize::MAX {
        ""
    } else {
        let line = lines.text[piece.line];
        &line[piece.from.min(line.len())..]
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn leading_spaces(s: &str, most: usize) -> usize {
    s.bytes().take(most).take_while(|&b| b == b' ').count()
}

/// Where a bullet item's text starts (`- `, `* `, `+ ` after up to three
/// spaces).
fn bullet(s: &str) -> Option<usize> {
    let i = leading_spaces(s, 3);
    let b = s.as_bytes();
    (b.len() > i + 1 && matches!(b[i], b'-' | b'*' | b'+') && b[i + 1] == b' ').then_some(i + 2)
}

/// Where a numbered item's text starts (`1. `).
fn numbered(s: &str) -> Option<usize> {
    let i = leading_spaces(s, 3);
    let b = s.as_bytes();
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let dot = i + digits;
    (digits > 0 && b.len() > dot + 1 && b[dot] == b'.' && b[dot + 1] == b' ').then_some(dot + 2)
}

/// The lines of link definitions (`[label]: address`, the address on the
/// same line or the next), as Redcarpet finds them.
fn definition_lines(lines: &Lines<'_>) -> BTreeSet<usize> {
    let mut found = BTreeSet::new();
    for (n, line) in lines.text.iter().enumerate() {
        let t = &line[leading_spaces(line, 3)..];
        let Some(end) = t
            .strip_prefix('[')
            .and_then(|t| t.find("]:"))
            .map(|e| e + 1)
        else {
            continue;
        };
        if t[1..end].contains(']') {
            continue;
        }
        if !t[end + 2..].trim().is_empty() {
            found.insert(n);
        } else if lines.text.get(n + 1).is_some_and(|next| !is_blank(next)) {
            found.extend([n, n + 1]);
        }
    }
    found
}

fn is_rule(s: &str) -> bool {
    if leading_spaces(s, 4) == 4 {
        return false;
    }
    let t = s.trim();
    let Some(c) = t.chars().next() else {
        return false;
    };
    matches!(c, '*' | '-' | '_')
        && t.chars().all(|x| x == c || x == ' ')
        && t.chars().filter(|&x| x == c).count() >= 3
}

fn is_fence(s: &str) -> bool {
    let t = &s[leading_spaces(s, 3)..];
    // A backtick in the words after "```" makes it code in a line.
    (t.starts_with("```") && !t.trim_start_matches('`').contains('`')) || t.starts_with("~~~")
}

/// Where the raw HTML block starting at `pieces[i]` ends, as Redcarpet
/// finds it: a block tag at the margin, to the line that closes it.
fn html_block_end(lines: &Lines<'_>, pieces: &[Piece], i: usize) -> Option<usize> {
    let name = block_tag(text(lines, pieces[i]))?;
    let closing = format!("</{name}>");
    (i..pieces.len().min(i + HTML_BLOCK_LINES)).find(|&k| {
        text(lines, pieces[k])
            .to_ascii_lowercase()
            .contains(&closing)
    })
}

/// The name of the block-level tag `s` starts with (`<div ...>`), as
/// Redcarpet knows them; other tags (`<a>`, `<img>`) start paragraphs there.
fn block_tag(s: &str) -> Option<String> {
    const BLOCK_TAGS: &[&str] = &[
        "div",
        "p",
        "table",
        "ul",
        "ol",
        "dl",
        "pre",
        "blockquote",
        "form",
        "section",
        "article",
        "aside",
        "details",
        "figure",
        "header",
        "footer",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "iframe",
        "script",
        "style",
        "center",
        "fieldset",
        "noscript",
        "video",
        "math",
        "ins",
        "del",
    ];
    let name: String = s
        .strip_prefix('<')?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    BLOCK_TAGS.contains(&name.as_str()).then_some(name)
}

/// A setext heading's underline: `===` or `---`, alone on its line.
fn is_underline(s: &str) -> bool {
    let t = s.trim_end();
    !t.is_empty() && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
}

/// A table's header: a line with a `|`, then a line of `|`, `-` and `:`.
fn is_table_start(lines: &Lines<'_>, pieces: &[Piece], i: usize) -> bool {
    let Some(&next) = pieces.get(i + 1) else {
        return false;
    };
    let under_line = text(lines, next);
    let under = under_line.trim();
    // Redcarpet reads no table whose underline starts with spaces and a
    // `|`.
    let indented_pipe = under_line.starts_with(' ') && under.starts_with('|');
    text(lines, pieces[i]).contains('|')
        && !indented_pipe
        && under.contains('-')
        && under.contains('|')
        && under
            .bytes()
            .all(|b| matches!(b, b'|' | b'-' | b':' | b' '))
}

fn is_heading(s: &str) -> bool {
    s.starts_with('#')
}

fn is_quote(s: &str) -> bool {
    s[leading_spaces(s, 3)..].starts_with('>')
}

/// Redcarpet's reading of `pieces` as blocks `depth` items deep.
fn redcarpet_blocks(lines: &Lines<'_>, pieces: &[Piece], depth: usize, reading: &mut Reading) {
    if depth > MAX_DEPTH {
        reading.too_deep = true;
        return;
    }
    let mut i = 0;
    while i < pieces.len() {
        let piece = pieces[i];
        let s = text(lines, piece);
        if is_blank(s) {
            i += 1;
        } else if is_heading(s) {
            reading.block(piece.line, depth, Kind::Heading);
            i += 1;
        } else if is_rule(s) {
            reading.block(piece.line, depth, Kind::Text);
            i += 1;
        } else if is_fence(s) {
            let marker = &s.trim_start()[..3];
            let opening = i;
            i += 1;
            while i < pieces.len() && !text(lines, pieces[i]).trim_start().starts_with(marker) {
                i += 1;
            }
            // Redcarpet keeps every space before a code line; CommonMark
            // takes away as many as the fence is indented by.
            let kept = leading_spaces(s, 3) > 0
                && pieces[opening + 1..i.min(pieces.len())]
                    .iter()
                    .any(|p| text(lines, *p).starts_with(' '));
            let kind = if kept { Kind::CodeIndented } else { Kind::Code };
            reading.block(piece.line, depth, kind);
            i += 1;
        } else if is_quote(s) {
            // A quote goes on over blank lines to the next line that is a
            // quote too: Redcarpet joins quotes only blank lines apart.
            reading.block(piece.line, depth, Kind::Text);
            let mut previous_text = false;
            let mut in_fence = false;
            loop {
                while i < pieces.len() && !is_blank(text(lines, pieces[i])) {
                    // Headings inside the quote: `#`, or an underline,
                    // which makes only the line before it one.
                    let line = text(lines, pieces[i]);
                    let inner = if is_quote(line) {
                        let rest = &line.trim_start()[1..];
                        rest.strip_prefix(' ').unwrap_or(rest)
                    } else {
                        line
                    };
                    if is_fence(inner) {
                        in_fence = !in_fence;
                        previous_text = false;
                    } else if in_fence {
                        previous_text = false;
                    } else if is_heading(inner) {
                        reading.block(pieces[i].line, depth, Kind::QuotedHeading);
                        previous_text = false;
                    } else if previous_text && is_underline(inner) {
                        reading.block(pieces[i - 1].line, depth, Kind::QuotedHeading);
                        previous_text = false;
                    } else {
                        previous_text = !is_blank(inner);
                    }
                    i += 1;
                }
                previous_text = false;
                let mut next = i;
                while next < pieces.len() && is_blank(text(lines, pieces[next])) {
                    next += 1;
                }
                if next < pieces.len() && is_quote(text(lines, pieces[next])) {
                    i = next;
                } else {
                    break;
                }
            }
        } else if leading_spaces(s, 4) == 4 {
            reading.block(piece.line, depth, Kind::Code);
            while i < pieces.len() && {
                let t = text(lines, pieces[i]);
                is_blank(t) || leading_spaces(t, 4) == 4
            } {
                i += 1;
            }
        } else if bullet(s).is_some() || numbered(s).is_some() {
            i = redcarpet_list(lines, pieces, i, depth, numbered(s).is_some(), reading);
        } else if let Some(end) = html_block_end(lines, pieces, i) {
            // Raw HTML at the margin, to the line that closes its first
            // tag: what follows is markdown again (CommonMark's HTML block
            // goes on to the next blank line, so one right after another
            // is one block there).
            let after_html = i > 0 && text(lines, pieces[i - 1]).trim_end().ends_with('>');
            if !after_html {
                reading.block(piece.line, depth, Kind::Html);
            }
            i = end + 1;
        } else if is_table_start(lines, pieces, i) {
            // A table: its rows go on while lines hold a `|`. A row with
            // spaces before its first `|` gets an empty first cell there.
            reading.block(piece.line, depth, Kind::Table);
            i += 2;
            while i < pieces.len() && text(lines, pieces[i]).contains('|') {
                let row = text(lines, pieces[i]);
                if row.starts_with(' ') && row.trim_start().starts_with('|') {
                    reading.block(pieces[i].line, depth, Kind::ShiftedRow);
                }
                i += 1;
            }
        } else {
            // A paragraph: it ends only at a blank line, a heading, a rule
            // or a quote; lists, fences and HTML do not break it. One that
            // starts with a tag at the margin is raw HTML.
            let first = i;
            let mut heading = None;
            i += 1;
            while i < pieces.len() {
                let t = text(lines, pieces[i]);
                // An underline makes the paragraph's last line a heading
                // (CommonMark makes the whole paragraph one).
                if is_underline(t) {
                    heading = Some(pieces[i - 1].line);
                    i += 1;
                    break;
                }
                if is_blank(t) || is_heading(t) || is_rule(t) || is_quote(t) {
                    break;
                }
                i += 1;
            }
            let kind = Kind::Text;
            match heading {
                Some(line) if line == pieces[first].line => {
                    reading.block(line, depth, Kind::Heading)
                }
                Some(line) => {
                    reading.block(piece.line, depth, kind);
                    reading.block(line, depth, Kind::Heading);
                }
                None => reading.block(piece.line, depth, kind),
            }
        }
    }
}

/// Redcarpet's reading of the list starting at `pieces[start]`; returns
/// where it ends.
fn redcarpet_list(
    lines: &Lines<'_>,
    pieces: &[Piece],
    start: usize,
    depth: usize,
    ordered: bool,
    reading: &mut Reading,
) -> usize {
    let list = pieces[start].line;
    let mut paragraphs = false;
    let mut i = start;
    while let Some((next, ended)) = redcarpet_item(
        lines,
        pieces,
        i,
        depth + 1,
        ordered,
        list,
        &mut paragraphs,
        reading,
    ) {
        i = next;
        if ended || i >= pieces.len() {
            break;
        }
    }
    i.max(start + 1)
}

/// One item of a Redcarpet list: where the next starts, and whether the
/// list ended; `None` when `pieces[start]` is not an item.
#[allow(clippy::too_many_arguments)]
fn redcarpet_item(
    lines: &Lines<'_>,
    pieces: &[Piece],
    start: usize,
    depth: usize,
    ordered: bool,
    list: usize,
    paragraphs: &mut bool,
    reading: &mut Reading,
) -> Option<(usize, bool)> {
    let first = pieces[start];
    let s = text(lines, first);
    let own_indent = leading_spaces(s, 3);
    let content = bullet(s).or_else(|| numbered(s))?;
    let mut work = vec![Piece {
        line: first.line,
        from: first.from + content,
    }];
    let mut sublist: Option<usize> = None;
    let (mut in_blank, mut blank_inside, mut in_fence, mut ended) = (false, false, false, false);
    let mut k = start + 1;
    while k < pieces.len() {
        let piece = pieces[k];
        let s = text(lines, piece);
        if is_blank(s) {
            in_blank = true;
            k += 1;
            continue;
        }
        let indent = leading_spaces(s, 4);
        let rest = &s[indent..];
        if is_fence(rest) {
            in_fence = !in_fence;
        }
        let (is_bullet, is_numbered) = if in_fence {
            (false, false)
        } else {
            (bullet(rest).is_some(), numbered(rest).is_some())
        };
        if in_blank && ((ordered && is_bullet) || (!ordered && is_numbered)) {
            ended = true;
            break;
        }
        if (is_bullet && !is_rule(rest)) || is_numbered {
            if in_blank {
                blank_inside = true;
            }
            if indent == own_indent {
                break;
            }
            sublist.get_or_insert(work.len());
        } else if in_blank && indent < 4 {
            ended = true;
            break;
        } else if in_blank {
            work.push(BLANK);
            blank_inside = true;
        }
        in_blank = false;
        work.push(Piece {
            line: piece.line,
            from: piece.from + indent,
        });
        k += 1;
    }
    *paragraphs |= blank_inside;
    reading.item(first.line, depth, list, *paragraphs);
    let split = sublist.unwrap_or(work.len());
    if *paragraphs {
        let mut own = Reading::default();
        redcarpet_blocks(lines, &work[..split], depth, &mut own);
        for (line, found) in own.lines {
            if let Some((depth, kind)) = found.block
                && !(line == first.line && kind == Kind::Text)
            {
                reading.block(line, depth, kind);
            }
            if let Some((d, l, p)) = found.item {
                reading.item(line, d, l, p);
            }
        }
    }
    redcarpet_blocks(lines, &work[split..], depth, reading);
    Some((k, ended))
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::Parser;

    fn found(body: &str) -> Vec<(usize, String)> {
        let events: Vec<_> = Parser::new_ext(body, crate::parse::markdown::options())
            .into_offset_iter()
            .collect();
        super::partings(body, &events)
            .into_iter()
            .map(|p| (body[..p.offset].matches('\n').count() + 1, p.message))
            .collect()
    }

    #[test]
    fn lists_both_read_alike_give_nothing() {
        for body in [
            "- a\n- b\n",
            "1. a\n2. b\n",
            "- a\n\n- b\n",
            "Text.\n\n- a\n    - b\n- c\n",
            "- a\n  - b\n- c\n",
            "- a\n\n    More.\n\n- b\n",
            "Para.\n\n```\n- not a list\n```\n",
            "Title\n---\n\nText.\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n",
            "<a name=\"old\"></a>\n\nText.\n",
            "> ```\n> # a comment\n> ```\n",
        ] {
            assert_eq!(found(body), vec![], "{body:?}");
        }
    }

    /// Bounded input: deep nesting is left unjudged rather than read by a
    /// recursion without bound (which would overflow the stack), and a
    /// page of unclosed tags is read in lines times a constant.
    #[test]
    fn deep_nesting_and_unclosed_tags_are_read_within_bounds() {
        let nested_on_one_line = format!("{}x\n\n    more\n", "- ".repeat(300));
        assert!(found(&nested_on_one_line).len() <= 1);
        let staircase: String = (0..300)
            .map(|n| format!("{}- x\n\n", " ".repeat(n * 4)))
            .collect();
        assert_eq!(found(&staircase), vec![]);
        let _ = found(&"<div>\n".repeat(20_000));
    }

    /// A list after one that parted is compared afresh: each problem is
    /// named, not only the first.
    #[test]
    fn a_second_list_gets_its_own_parting() {
        let body = "Do this:\n- one\n- two\n\n1. First\n\n   More about it.\n";
        let lines: Vec<usize> = found(body).into_iter().map(|(line, _)| line).collect();
        assert_eq!(lines, [2, 7]);
    }

    #[test]
    fn each_kind_of_parting_is_found_at_its_line() {
        let cases = [
            ("Intro:\n- a\n- b\n", 2, "blank line before it"),
            ("- a\n\n  More.\n", 3, "ends the list item"),
            ("- x\n  - a\n    - b\n", 3, "nests this list item"),
            ("- a\n- b\n\n- c\n", 1, "paragraph spacing"),
            (
                "- a\n  ```\n  code\n  ```\n",
                2,
                "needs a blank line before it",
            ),
            ("Run:\n```\ncode\n```\n", 2, "needs a blank line before it"),
            (
                "Text.\n\n  ```\n  code\n    more\n  ```\n",
                3,
                "keeps the spaces",
            ),
            (
                "1. a\n\n    - b\n",
                3,
                "ends a numbered list at a bulleted item",
            ),
            ("- a\n\n<div>\nx\n</div>\n- b\n", 6, "HTML block goes on"),
            ("> quoted\n# Heading\n", 2, "inside the quote"),
            ("#channel\n", 1, "Slack channel"),
            (
                "Text.\n\n| a | b |\n|---|---|\n  | 1 | 2 |\n",
                5,
                "shifts this table row",
            ),
        ];
        for (body, line, words) in cases {
            let found = found(body);
            assert_eq!(found.len(), 1, "{body:?}: {found:?}");
            assert_eq!(found[0].0, line, "{body:?}: {found:?}");
            assert!(found[0].1.contains(words), "{body:?}: {found:?}");
        }
    }
}
