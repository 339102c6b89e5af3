//! manual's markdown on a tech-docs site against Redcarpet itself, as the
//! gem configures it (`tests/redcarpet/render.rb`: fenced code, tables,
//! no intra-word emphasis, SmartyPants), on a family of inputs made from
//! the pieces where the two are known to have differed: quotes and dashes,
//! emphasis inside and around words, headings with no space, code spans.
//! Compared as text with its inline and block structure (elements without
//! their attributes, entities decoded), since the gem's own renderer adds
//! ids and wrappers that are checked elsewhere.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::Fixture;

const WORDS: &[&str] = &[
    "plain",
    "it's",
    "don't",
    "\"quoted words\"",
    "'single'",
    "a -- b",
    "a --- b",
    "wait...",
    "foo*bar*baz",
    "*em*",
    "**strong**",
    "_under_",
    "snake_case_word",
    "foo_bar_",
    "(*paren*)",
    "\"*inside*\"",
    "`co'de -- x`",
    "x*y",
    "2 * 3 * 4",
    "&",
    "1990s' style",
    "[a link](/x.html)",
    "https://example.org/a_b_c",
    "<https://example.org>",
    "a\\*b",
    "(c) 2024",
    "(TM)",
    "(r)",
    "1/2",
    "3/4ths",
    "1/4th",
    "1/2/2020",
    "users' files",
    "' \"x\" '",
    "''doubled''",
    "we'll",
    "you've",
    "I'm",
    ". . .",
    "'tis",
];

const BLOCKS: &[&str] = &[
    "{}",
    "##{}",
    "## {}",
    "### {}",
    "- {}",
    "> {}",
    "1. {}",
    "| Name | Value |\n|---|---|\n| {} | x |",
    "```\n{}\n```",
    "[first][d1] {} [second][d2]\n\n[d1]: https://example.org/x)\n[d2]: /y.html \"Why\"",
];

/// Case `n` of the family: two or three blocks of two to four words.
fn case(n: usize) -> String {
    // A fixed walk through the pieces, so a failure names a case that
    // comes back the same on every run.
    let mut state = n.wrapping_mul(2_654_435_761) as u64 | 1;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let blocks = 2 + next(2);
    (0..blocks)
        .map(|_| {
            let words: Vec<&str> = (0..2 + next(3)).map(|_| WORDS[next(WORDS.len())]).collect();
            BLOCKS[next(BLOCKS.len())].replace("{}", &words.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
        + "\n"
}

/// HTML as text with its structure: element names without attributes
/// (links and divs left out), entities decoded, white space collapsed.
fn canonical(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        let tag = &rest[open + 1..close - 1];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        // Wrappers the page adds around code and headings, and links,
        // are left out; the gem's own renderer adds others.
        if !matches!(
            name.as_str(),
            "a" | "div" | "span" | "figure" | "figcaption" | "button"
        ) {
            out.push('<');
            if tag.starts_with('/') {
                out.push('/');
            }
            out.push_str(&name);
            out.push('>');
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    let decoded = html_escape::decode_html_entities(&out).into_owned();
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    // White space between two block elements is not shown.
    let block = |tag: &str| {
        let name = tag.trim_start_matches(['<', '/']).trim_end_matches('>');
        matches!(
            name,
            "p" | "ul"
                | "ol"
                | "li"
                | "blockquote"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "pre"
                | "table"
                | "thead"
                | "tbody"
                | "tr"
                | "th"
                | "td"
        )
    };
    let pieces: Vec<&str> = collapsed.split("> <").collect();
    let mut joined = String::from(pieces[0]);
    for pair in pieces.windows(2) {
        let before = &pair[0][pair[0].rfind('<').unwrap_or(0)..];
        let after = &pair[1][..pair[1].find('>').map_or(pair[1].len(), |n| n + 1)];
        joined.push_str(if block(before) && block(&format!("<{after}")) {
            "><"
        } else {
            "> <"
        });
        joined.push_str(pair[1]);
    }
    // Nor is white space at the start or end of a block (the gem's own
    // renderer strips each paragraph), or of a piece of code in a line
    // (CommonMark takes one space off each end, Redcarpet none; a code
    // block's first space is compared).
    joined = joined
        .replace("<pre><code> ", "<pre><code>\u{0}")
        .replace("<code> ", "<code>")
        .replace(" </code>", "</code>")
        .replace("<pre><code>\u{0}", "<pre><code> ");
    for name in ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th"] {
        joined = joined
            .replace(&format!("<{name}> "), &format!("<{name}>"))
            .replace(&format!(" </{name}>"), &format!("</{name}>"));
    }
    joined
}

/// What a script of `tests/redcarpet/` makes of each text: its JSON array
/// of answers (null where Ruby raised).
fn ruby(script: &str, texts: &[String]) -> Vec<Option<String>> {
    let input = serde_json::to_string(texts).unwrap();
    run_ruby(script, &input)
}

/// `ruby` for inputs that are JSON values already (each a JSON text).
fn ruby_json(script: &str, values: &[String]) -> Vec<Option<String>> {
    run_ruby(script, &format!("[{}]", values.join(",")))
}

fn run_ruby(script: &str, input: &str) -> Vec<Option<String>> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/redcarpet")
        .join(script);
    let mut child = Command::new("ruby")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ruby runs (scripts/test installs ruby, ruby-redcarpet and ruby-erubi)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{} failed", script.display());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A tech-docs site holding one page per text (`source/NAME-NNN.EXTENSION`),
/// built; the canonical form of each page's body, in order.
fn built_bodies(name: &str, extension: &str, texts: &[String]) -> Vec<String> {
    built_site(name, extension, texts).1
}

/// `built_bodies`, and the site, to check.
fn built_site(name: &str, extension: &str, texts: &[String]) -> (Fixture, Vec<String>) {
    let site = Fixture::new();
    site.write("config/tech-docs.yml", "service_name: Compared\n");
    for (n, text) in texts.iter().enumerate() {
        site.write(
            &format!("source/{name}-{n:03}.{extension}"),
            format!("---\ntitle: {name} {n}\n---\n{text}"),
        );
    }
    site.build(&["--skip-check"]).assert_ok();
    let bodies = (0..texts.len())
        .map(|n| {
            let page = site.read(&format!("build/{name}-{n:03}.html"));
            let start =
                page.find("id=\"content\">").expect("the content") + "id=\"content\">".len();
            let end = page[start..]
                .find("</main>")
                .map_or(page.len(), |e| start + e);
            canonical(&page[start..end])
        })
        .collect();
    (site, bodies)
}

#[test]
fn gem_markdown_reads_as_redcarpet_reads_it() {
    let cases: Vec<String> = (0..400).map(case).collect();
    let ours = built_bodies("case", "html.md", &cases);
    let theirs = ruby("render.rb", &cases);
    let mut differ = Vec::new();
    for (n, text) in cases.iter().enumerate() {
        let expected = canonical(theirs[n].as_deref().expect("Redcarpet renders every page"));
        if ours[n] != expected {
            differ.push(format!(
                "{text:?}\n  ours:      {}\n  Redcarpet: {expected}",
                ours[n]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} cases read differently:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
}

/// The lines lists are made of: items of both kinds, text, blank lines
/// and fenced code, each at one of several indentations.
const LIST_PIECES: &[&str] = &[
    "- {}",
    "- {}",
    "- {}",
    "* {}",
    "1. {}",
    "2. {}",
    "{}",
    "{}",
    "",
    "",
    "",
    "",
    "```\n{}\n```",
    "{}\n---",
    "{}\n===",
    "# {}",
    "> {}",
    "| {} | b |\n|---|---|\n| 1 | 2 |",
    "<div>\n{}\n</div>",
];
const LIST_INDENTS: &[usize] = &[0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 6];

/// Case `n` of the list family: a list item, then three to seven pieces.
fn list_case(n: usize) -> String {
    let mut state = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut lines = vec!["- w0".to_string()];
    for k in 1..4 + next(5) {
        let piece = LIST_PIECES[next(LIST_PIECES.len())].replace("{}", &format!("w{k}"));
        let indent = " ".repeat(LIST_INDENTS[next(LIST_INDENTS.len())]);
        // Raw HTML is the author's own on both sides: at the margin.
        let indent = if piece.starts_with('<') {
            String::new()
        } else {
            indent
        };
        for line in piece.lines() {
            lines.push(format!("{indent}{line}"));
        }
        if piece.is_empty() {
            lines.push(String::new());
        }
    }
    lines.join("\n") + "\n"
}

/// Where the gem's Redcarpet and manual read a list differently, `check`
/// says so (`markdown-dialect`), and it says so nowhere else: over a
/// family of lists made of items at several indentations, text, blank
/// lines and fenced code.
#[test]
fn lists_the_gem_reads_differently_are_reported_and_only_those() {
    // LIST_CASES=N runs a longer family (RELIABILITY.md).
    let count = std::env::var("LIST_CASES").map_or(300, |n| n.parse().expect("a number"));
    let cases: Vec<String> = (0..count).map(list_case).collect();
    let (site, ours) = built_site("list", "html.md", &cases);
    let theirs = ruby("render.rb", &cases);
    let reported: std::collections::BTreeSet<String> = site
        .check()
        .into_iter()
        .filter(|f| f.code == "markdown-dialect")
        .map(|f| f.file)
        .collect();
    let mut wrong = Vec::new();
    let mut differing = 0;
    for (n, text) in cases.iter().enumerate() {
        let expected = canonical(theirs[n].as_deref().expect("Redcarpet renders every page"));
        let differs = ours[n] != expected;
        differing += usize::from(differs);
        let said = reported.contains(&format!("source/list-{n:03}.html.md"));
        if differs != said {
            wrong.push(format!(
                "{}: {text:?}\n  ours:      {}\n  Redcarpet: {expected}",
                if differs {
                    "differs, not reported"
                } else {
                    "reported, reads alike"
                },
                ours[n]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} lists ({differing} read differently):\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    eprintln!("{differing} of {count} lists read differently, each reported");
    // The family is worth running: both kinds of case are in it.
    assert!(
        differing > count / 10 && differing < count * 9 / 10,
        "{differing}"
    );
}

/// A real site in `../shared/corpus`, built and checked from its own
/// folder as its team would run `manual` (with `extra` arguments): its
/// pages, as (path below `source/`, text without front matter), for those
/// whose names end in `suffix`; the built site; and the pages `check`
/// gives a `markdown-dialect` warning.
struct CorpusSite {
    pages: Vec<(String, String)>,
    built: Fixture,
    reported: std::collections::BTreeSet<String>,
    source: std::path::PathBuf,
}

fn corpus_site(name: &str, suffix: &str, extra: &[&std::ffi::OsStr]) -> CorpusSite {
    let root = common::shared_corpus(name);
    let built = Fixture::new();
    let run = |args: &[&str]| {
        common::Run(
            common::manual_cmd()
                .arg("-C")
                .arg(&root)
                .args(args)
                .args(extra)
                .output()
                .unwrap(),
        )
    };
    let out = built.path("out");
    run(&["build", "--skip-check", "--out", out.to_str().unwrap()]).assert_ok();
    let reported = run(&["check", "--format", "json"])
        .findings()
        .into_iter()
        .filter(|f| f.code == "markdown-dialect")
        .map(|f| f.file.trim_start_matches("source/").to_string())
        .collect();
    let source = root.join("source");
    let mut pages: Vec<(String, String)> = walkdir::WalkDir::new(&source)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(&source)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(e.path()).unwrap();
            let body = match text.strip_prefix("---") {
                Some(rest) => rest[rest.find("\n---").unwrap() + 4..].to_string(),
                None => text,
            };
            (relative, body)
        })
        .collect();
    pages.sort();
    CorpusSite {
        pages,
        built,
        reported,
        source,
    }
}

impl CorpusSite {
    /// Each page as built against `theirs` (Redcarpet's HTML for it, in
    /// order): a page that reads differently must be reported, and one
    /// that reads alike must not. The layout writes a page's title heading
    /// above its content, so Redcarpet's is left out when ours has none.
    fn assert_differences_are_reported(&self, theirs: Vec<Option<String>>, extension: &str) {
        let mut wrong = Vec::new();
        let mut differing = 0;
        for ((relative, _), theirs) in self.pages.iter().zip(theirs) {
            let page = format!("out/{}", relative.trim_end_matches(extension));
            let built = self.built.read(&page);
            let start =
                built.find("id=\"content\">").expect("the content") + "id=\"content\">".len();
            let end = [
                "<section class=\"page-alerts\"",
                "<nav class=\"pager\"",
                "<div class=\"page-footer\"",
                "</main>",
            ]
            .iter()
            .filter_map(|marker| built[start..].find(marker))
            .min()
            .map_or(built.len(), |e| start + e);
            let ours = canonical(&built[start..end]);
            let mut expected = canonical(&theirs.expect("Ruby and Redcarpet render every page"));
            if expected.starts_with("<h1>") && !ours.starts_with("<h1>") {
                let end = expected.find("</h1>").map_or(0, |e| e + "</h1>".len());
                expected = expected[end..].to_string();
            }
            let differs = ours != expected;
            differing += usize::from(differs);
            if differs != self.reported.contains(relative) {
                let at = ours
                    .chars()
                    .zip(expected.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                let around = |text: &str| {
                    text.chars()
                        .skip(at.saturating_sub(60))
                        .take(160)
                        .collect::<String>()
                };
                wrong.push(format!(
                    "{relative}: {}\n  ours:      {}\n  Redcarpet: {}",
                    if differs {
                        "differs, not reported"
                    } else {
                        "reported, reads alike"
                    },
                    around(&ours),
                    around(&expected)
                ));
            }
        }
        eprintln!(
            "{differing} of {} pages read differently, {} reported",
            self.pages.len(),
            self.reported.len()
        );
        assert!(
            wrong.is_empty(),
            "{} of {} pages ({differing} read differently):\n{}",
            wrong.len(),
            self.pages.len(),
            wrong.join("\n")
        );
    }
}

/// Every markdown page of the real GOV.UK sample, built as a tech-docs
/// site, reads as Redcarpet reads it, or `check` says where it does not
/// (`markdown-dialect`); and `check` says so of no page that reads alike.
/// Pages with ERB are left out: they call the team's own Ruby helpers.
#[test]
fn the_govuk_sample_reads_as_the_gem_reads_it_or_says_where_not() {
    // From the sample's own folder, so that its tech-docs.yml makes it a
    // tech-docs site, with the settings of ours it needs beside it.
    let settings =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk-manual.yml");
    let site = corpus_site(
        "govuk-manual",
        ".html.md",
        &["--config".as_ref(), settings.as_os_str()],
    );
    assert!(site.pages.len() > 90, "{}", site.pages.len());
    let bodies: Vec<String> = site.pages.iter().map(|(_, body)| body.clone()).collect();
    site.assert_differences_are_reported(ruby("render.rb", &bodies), ".md");
}

/// The gem's own documentation, all ERB pages, built from its root: each
/// page reads as Redcarpet reads what Ruby's ERB makes of it (with the
/// gem's `partial`, `warning_text` and `image_tag`), or `check` says where
/// not, and says so of no page that reads alike.
#[test]
fn the_gems_own_documentation_reads_as_the_gem_reads_it_or_says_where_not() {
    let site = corpus_site("tech-docs-gem-docs", ".html.md.erb", &[]);
    assert!(site.pages.len() >= 10, "{}", site.pages.len());
    let input = serde_json::json!({
        "source": site.source,
        "pages": site.pages.iter().map(|(_, body)| body).collect::<Vec<_>>(),
    });
    // `x/index.html.md.erb` is published at `x/index.html`.
    site.assert_differences_are_reported(run_ruby("gem_docs.rb", &input.to_string()), ".md.erb");
}

/// Ruby that tech-docs pages write in ERB, each expression alone on a line.
const ERB_EXPRESSIONS: &[&str] = &[
    "[3, 1, 2].sort.reverse.join(\", \")",
    "nil.to_s",
    "nil.to_a.size",
    "nil.eql?(\"withdrawn\")",
    "nil == nil",
    "nil.nil?",
    "\"Hello\".downcase.start_with?(\"he\")",
    "\"snake_case_word\".split(\"_\").map { |w| w.capitalize }.join(\" \")",
    "[1, 2, 3].sum",
    "[1, 2, 3].count",
    "[1, 2, 3].first",
    "[1, 2, 3].last",
    "[1, 2, 3].include?(2)",
    "[].empty?",
    "[1, nil, 2].compact.size",
    "\"a,b,c\".split(\",\").size",
    "\"  padded  \".strip",
    "-5.abs",
    "\"3\".to_i + 4",
    "3.to_f",
    "\"#{1 + 2} apples\"",
    "true ? \"yes\" : \"no\"",
    "[1, 2, 3].map { |x| x * 2 }.join(\"-\")",
    "[1, 2, 3].select { |x| x > 1 }.size",
    "[1, 2, 3].reject { |x| x > 1 }.size",
    "[[1, 2], [3, 4]].flatten.size",
    "{ \"a\" => 1, \"b\" => 2 }.keys.join",
    "{ \"a\" => 1 }.fetch(\"a\")",
    "\"title\".capitalize",
    "\"x\".eql?(\"x\")",
    "\"abc\".include?(\"b\")",
    "\"a-b-c\".gsub(\"-\", \"+\")",
    "\"a-b-c\".sub(\"-\", \"+\")",
    "\"word\".length",
    "[1, 2, 3].take(2).join",
    "[1, 2, 3].drop(1).join",
    "\"Ab\".upcase",
    "1 == 1.0",
    "\"a\" + \"b\" * 3",
    "[1, 2] + [3]",
    "5 > 3 && 2 < 1",
    "nil || \"fallback\"",
    "\"x\" if false",
    "\"a  \".chomp + \"|\"",
    "\"a\\n\\n\".chomp.size",
    "\"3 apples\".to_i + 1",
    "\" 42 \".to_i",
    "\"-7x\".to_i",
    "\"1_000\".to_i",
    "\"x\".to_i",
    "\"2.5kg\".to_f * 2",
    "[1, [2, [3, [4]]]].flatten.join",
    "\"a b  c\".split.size",
    "[1, 2, 3].first(2).join",
    "[1, 2, 3][-1]",
    "10 / 3",
    "10 % 3",
    "{ \"a\" => 1 }.map { |k, v| k + v.to_s }.join",
    "[1, 2, 3].min_by { |x| -x }",
    "[1, 2, 3].find { |x| x > 1 }",
    "nil&.downcase.to_s",
    "7 / 2.0",
    "[nil, 1, false].count",
];

/// The ERB pages tech-docs sites write, run by manual and by Ruby with
/// Erubi, as Middleman runs them (each then rendered as the gem renders
/// markdown): every expression gives what Ruby gives, and so do conditions,
/// loops, assignments and the lines statements leave.
#[test]
fn gem_erb_runs_as_ruby_runs_it() {
    let mut templates: Vec<String> = ERB_EXPRESSIONS
        .iter()
        .map(|expression| format!("value: <%= {expression} %>\n"))
        .collect();
    templates.extend([
        "<% if nil %>hidden<% else %>shown<% end %>\n".to_string(),
        "<% [1, 2, 3].each do |x| %>item <%= x %>, <% end %>\n".to_string(),
        "<% [\"a\", \"b\"].each_with_index do |x, i| %><%= i %>=<%= x %> <% end %>\n".to_string(),
        "<% unless [].empty? %>never<% end %>done\n".to_string(),
        "<%# a comment %>after the comment\n".to_string(),
        // Statements alone on their lines leave no blank lines (Erubi trims
        // them), so these stay one paragraph or list.
        "first line\n<% if true %>\nsecond line\n<% end %>\nthird line\n".to_string(),
        "- one\n<% [2, 3].each do |n| %>\n- item <%= n %>\n<% end %>\n- four\n".to_string(),
        "<% x = 5 %>\nvalue <%= x * 2 %>\n".to_string(),
    ]);
    let ours = built_bodies("erb", "html.md.erb", &templates);
    let theirs = ruby("erb.rb", &templates);
    let mut differ = Vec::new();
    for (n, template) in templates.iter().enumerate() {
        let expected = canonical(theirs[n].as_deref().expect("Ruby runs every template"));
        if ours[n] != expected {
            differ.push(format!(
                "{template:?}\n  ours: {}\n  Ruby: {expected}",
                ours[n]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} templates differ:\n{}",
        differ.len(),
        templates.len(),
        differ.join("\n")
    );
}

/// A value's type, as the template generator tracks it so that every
/// expression it makes runs in Ruby without raising.
#[derive(Clone, Copy, PartialEq)]
enum Type {
    Text,
    Number,
    Texts,
    Nil,
    Truth,
}

/// The methods the generator calls on each type: Ruby, and the type it
/// gives.
fn methods(of: Type) -> &'static [(&'static str, Type)] {
    match of {
        Type::Text => &[
            (".upcase", Type::Text),
            (".downcase", Type::Text),
            (".capitalize", Type::Text),
            (".strip", Type::Text),
            (".reverse", Type::Text),
            (".length", Type::Number),
            (".size", Type::Number),
            (".to_i", Type::Number),
            (".empty?", Type::Truth),
            (".include?(\"a\")", Type::Truth),
            (".start_with?(\"D\")", Type::Truth),
            (".end_with?(\"s\")", Type::Truth),
            (".split(\" \")", Type::Texts),
            (".split", Type::Texts),
            (".gsub(\"a\", \"o\")", Type::Text),
            (".sub(\" \", \"_\")", Type::Text),
            (".chomp", Type::Text),
            (" + \"!\"", Type::Text),
            (" * 2", Type::Text),
            (".nil?", Type::Truth),
            (".eql?(\"Deploy\")", Type::Truth),
            (" == \"Deploy\"", Type::Truth),
            (".to_s", Type::Text),
        ],
        Type::Number => &[
            (" + 1", Type::Number),
            (" - 7", Type::Number),
            (" * 3", Type::Number),
            (" / 2", Type::Number),
            (" % 3", Type::Number),
            (".abs", Type::Number),
            (".to_s", Type::Text),
            (".even?", Type::Truth),
            (".zero?", Type::Truth),
            (" > 2", Type::Truth),
            (".nil?", Type::Truth),
        ],
        Type::Texts => &[
            (".join(\", \")", Type::Text),
            (".join", Type::Text),
            (".size", Type::Number),
            (".length", Type::Number),
            (".count", Type::Number),
            (".first.to_s", Type::Text),
            (".last.to_s", Type::Text),
            (".min.to_s", Type::Text),
            (".sort", Type::Texts),
            (".reverse", Type::Texts),
            (".uniq", Type::Texts),
            (".compact", Type::Texts),
            (".take(2)", Type::Texts),
            (".drop(1)", Type::Texts),
            (".first(2)", Type::Texts),
            (".empty?", Type::Truth),
            (".include?(\"ops\")", Type::Truth),
            (".map { |x| x.upcase }", Type::Texts),
            (".map(&:capitalize)", Type::Texts),
            (".select { |x| x.size > 3 }", Type::Texts),
            (".reject { |x| x.start_with?(\"o\") }", Type::Texts),
            (".map { |x| x.size }.sum", Type::Number),
            (" + [\"extra\"]", Type::Texts),
        ],
        Type::Nil => &[
            (".to_s", Type::Text),
            (".to_a", Type::Texts),
            (".nil?", Type::Truth),
            (" == nil", Type::Truth),
            (".eql?(\"withdrawn\")", Type::Truth),
            ("&.upcase", Type::Nil),
            (" || \"fallback\"", Type::Text),
        ],
        Type::Truth => &[
            (" ? \"yes\" : \"no\"", Type::Text),
            (".to_s", Type::Text),
            (" && true", Type::Truth),
            (" || false", Type::Truth),
            (".nil?", Type::Truth),
        ],
    }
}

/// Where the generator starts an expression: page data and literals.
const STARTS: &[(&str, Type)] = &[
    ("current_page.data.title", Type::Text),
    ("current_page.data[\"title\"]", Type::Text),
    ("current_page.data.tags", Type::Texts),
    ("current_page.data.weight", Type::Number),
    ("current_page.data.missing", Type::Nil),
    ("current_page.data.withdrawn", Type::Nil),
    ("\"Deploy an app\"", Type::Text),
    ("[\"ops\", \"deploy\"]", Type::Texts),
    ("42", Type::Number),
    ("nil", Type::Nil),
];

const TITLES: &[&str] = &["Deploy an app", "on call", "  Restore a DB  ", "Ops", "x"];
const TAGS: &[&str] = &["ops", "deploy", "Alerts", "on-call", "db"];

/// Case `n` of the ERB family: page data, and a template of expressions
/// and blocks over it, each of two to five calls.
fn erb_case(n: usize) -> (String, serde_json::Value) {
    let mut state = (n as u64).wrapping_mul(0xD134_2543_DE82_EF95) | 1;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let tags: Vec<&str> = (0..next(4)).map(|_| TAGS[next(TAGS.len())]).collect();
    let weight = next(30) as i64 - 8;
    let data = serde_json::json!({
        "title": TITLES[next(TITLES.len())],
        "tags": tags,
        "weight": weight,
    });
    fn expression(next: &mut impl FnMut(usize) -> usize, wanted: Type) -> String {
        loop {
            let (start, mut ty) = STARTS[next(STARTS.len())];
            let mut text = start.to_string();
            for _ in 0..1 + next(4) {
                let choices = methods(ty);
                let (call, result) = choices[next(choices.len())];
                text.push_str(call);
                ty = result;
                // Operators bind loosely: what follows applies to the whole.
                if call.starts_with(' ') {
                    text = format!("({text})");
                }
            }
            if ty == wanted {
                return text;
            }
        }
    }
    let mut parts = Vec::new();
    for _ in 0..1 + next(3) {
        let part = match next(4) {
            0 => format!(
                "<% if {} %>shown<% else %>hidden<% end %>",
                expression(&mut next, Type::Truth)
            ),
            1 => format!(
                "<% ({}).each do |t| %>[<%= t %>]<% end %>",
                expression(&mut next, Type::Texts)
            ),
            _ => format!("<%= {} %>", expression(&mut next, Type::Text)),
        };
        parts.push(part);
    }
    (parts.join(" | ") + "\n", data)
}

/// Templates over page data, generated, run by manual and by Ruby with
/// Erubi and Middleman's page data: the same output every time. Where
/// they differ, a value of manual's does not behave as Ruby's does.
/// `ERB_CASES=N` runs a longer family (RELIABILITY.md).
#[test]
fn generated_erb_over_page_data_runs_as_ruby_runs_it() {
    let count = std::env::var("ERB_CASES").map_or(300, |n| n.parse().expect("a number"));
    let cases: Vec<(String, serde_json::Value)> = (0..count).map(erb_case).collect();
    let site = Fixture::new();
    site.write("config/tech-docs.yml", "service_name: Compared\n");
    for (n, (template, data)) in cases.iter().enumerate() {
        // JSON is YAML: the data as one flow mapping.
        site.write(
            &format!("source/erb-{n:03}.html.md.erb"),
            format!("---\n{data}\n---\n{template}"),
        );
    }
    let run = site.build(&["--skip-check"]);
    assert!(run.success(), "{}", run.stderr());
    let inputs: Vec<String> = cases
        .iter()
        .map(|(template, data)| serde_json::json!({"template": template, "data": data}).to_string())
        .collect();
    let theirs = ruby_json("erb_page.rb", &inputs);
    let mut differ = Vec::new();
    for (n, (template, data)) in cases.iter().enumerate() {
        let page = site.read(&format!("build/erb-{n:03}.html"));
        let start = page.find("id=\"content\">").expect("the content") + "id=\"content\">".len();
        let end = page[start..]
            .find("</main>")
            .map_or(page.len(), |e| start + e);
        let ours = canonical(&page[start..end]);
        let expected = canonical(theirs[n].as_deref().expect("Ruby runs every template"));
        if ours != expected {
            differ.push(format!(
                "{template:?} over {data}\n  ours: {ours}\n  Ruby: {expected}"
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} templates differ:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
}
