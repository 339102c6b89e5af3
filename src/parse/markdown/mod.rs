//! Markdown to HTML, in two halves over one list of events: `read` parses
//! the body (as Redcarpet reads it, on a tech-docs site); `facts` records
//! what later stages need (headings with their ids, links and images,
//! definitions, code blocks, raw HTML's links, ids and script, what some
//! readers cannot use), with file positions, changing nothing; `write`
//! makes the HTML from the events and what `facts` marked in them, only
//! for a run that publishes pages.

mod facts;
mod read;
mod write;

use pulldown_cmark::{Event, Options, Parser};
use serde::Serialize;

use super::erb::Place;
use super::locate::Locator;
use crate::highlight::Highlighter;

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

/// Renders a page's body; `locator` places its bytes in the author's files.
/// Root-relative addresses the author wrote (in links and raw HTML) are
/// written under `base_path`.
pub fn render_body(
    body: &str,
    locator: &Locator<'_>,
    highlighter: &Highlighter,
    options: &super::ParseOptions<'_>,
) -> RenderedMarkdown {
    let read::ReadBody {
        events,
        definitions,
    } = read::read_body(body, locator, options.gem_markdown);
    let dialect = if options.gem_markdown {
        read::dialect_findings(body, &events, locator)
    } else {
        Vec::new()
    };
    let makes_html = options.purpose.makes_html();
    let reading = facts::Reading {
        highlighter,
        makes_html,
        base_path: options.base_path,
        heading_ids: options.heading_ids,
    };
    let (facts, marks) = facts::collect(body, &events, definitions, locator, reading);
    let html = if makes_html {
        let writing = write::Writing {
            highlighter,
            base_path: options.base_path,
            gem_markdown: options.gem_markdown,
            body_len: body.len(),
        };
        write::html(events, marks, writing)
    } else {
        String::new()
    };
    RenderedMarkdown {
        html,
        dialect,
        ..facts
    }
}

/// Link labels match case-insensitively with runs of white space folded.
fn normalize_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
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

    /// Invariant: what a page holds is one fact, whatever the run. `check`
    /// reads a page through `facts` alone; `build` then writes its HTML
    /// (`write`), which changes nothing `check` sees.
    #[test]
    fn a_page_holds_the_same_facts_whether_it_is_published_or_checked() {
        let bodies = [
            "> [!NOTE]\n> [x]: /in-callout.html\n\n[x]: /outside.html\n\n[y][x]\n",
            "## Run {onclick=alert(1)}\n\n## See [the guide](/g.html)\n\n# Title\n\n#### Skipped\n",
            "```klingon\nx\n```\n\n```ruby title=\"A\" {2}\nputs 1\nputs 2\n```\n\n```\nplain\n```\n",
            "```mermaid\ngraph TD\n  A-->B\n```\n\n```mermaid\nnot a diagram\n```\n",
            "<div id=\"x\" onclick=\"go()\"><a href=\"/root.html\">r</a><img src=\"/i.png\"></div>\n\nText <span id=\"y\">in</span> line.\n",
            "| a | b |\n|---|---|\n| # head | [here](/h.html) |\n\n![](/no-alt.png) [click here](/c.html)\n\n> [!WORD]\n> unknown\n",
            "[undefined][nowhere] and [a] [b][]\n\n[b]: /b.html\n",
        ];
        let highlighter = Highlighter::new();
        for gem_markdown in [false, true] {
            for body in bodies {
                let facts_for = |purpose| {
                    let options = crate::parse::ParseOptions {
                        purpose,
                        base_path: "/docs",
                        gem_markdown,
                        ..Default::default()
                    };
                    let mut read =
                        render_body(body, &Locator::plain(body, 0), &highlighter, &options);
                    read.html.clear();
                    read.plain_text.clear();
                    read.heading_text_starts.clear();
                    read
                };
                assert_eq!(
                    facts_for(crate::parse::Purpose::Publish),
                    facts_for(crate::parse::Purpose::Check),
                    "{body}"
                );
            }
        }
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
