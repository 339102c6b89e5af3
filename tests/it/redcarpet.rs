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
        if !matches!(name.as_str(), "a" | "div") {
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
    // renderer strips each paragraph).
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
        .write_all(serde_json::to_string(texts).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{} failed", script.display());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A tech-docs site holding one page per text (`source/NAME-NNN.EXTENSION`),
/// built; the canonical form of each page's body, in order.
fn built_bodies(name: &str, extension: &str, texts: &[String]) -> Vec<String> {
    let site = Fixture::new();
    site.write("config/tech-docs.yml", "service_name: Compared\n");
    for (n, text) in texts.iter().enumerate() {
        site.write(
            &format!("source/{name}-{n:03}.{extension}"),
            format!("---\ntitle: {name} {n}\n---\n{text}"),
        );
    }
    site.build(&["--skip-check"]).assert_ok();
    (0..texts.len())
        .map(|n| {
            let page = site.read(&format!("build/{name}-{n:03}.html"));
            let start =
                page.find("id=\"content\">").expect("the content") + "id=\"content\">".len();
            let end = page[start..]
                .find("</main>")
                .map_or(page.len(), |e| start + e);
            canonical(&page[start..end])
        })
        .collect()
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
