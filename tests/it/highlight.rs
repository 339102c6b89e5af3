//! Code blocks are highlighted at build time: each alias gets its
//! language's classes, an unknown language falls back to plain code with a
//! warning, and the stylesheet is published and linked.

use crate::common;

use common::Fixture;

/// Language written after the fence, and a line in it with a token its
/// grammar colours.
const CASES: &[(&str, &str)] = &[
    ("sh", "echo \"hi\""),
    ("shell", "echo \"hi\""),
    ("console", "echo \"hi\""),
    ("bash", "if true; then echo; fi"),
    ("rb", "def x; end"),
    ("ruby", "x = 1"),
    ("yml", "x: 1"),
    ("yaml", "x: 'y'"),
    ("js", "var x = 1;"),
    ("javascript", "const x = 'y';"),
    ("docker", "FROM ruby:3"),
    ("json", "{\"x\": 1}"),
    ("sql", "SELECT 1"),
    ("diff", "+added"),
    ("promql", "rate(x[5m])"),
    ("scss", "a { color: red; }"),
    ("erb", "<p><%= x %></p>"),
    ("markdown", "# Heading"),
];

#[test]
fn every_alias_is_highlighted_by_its_language() {
    let site = Fixture::new();
    let mut body = String::new();
    for (language, line) in CASES {
        body.push_str(&format!("```{language}\n{line}\n```\n\n"));
    }
    body.push_str("```text\nplain <b>text</b>\n```\n\n```\nno language\n```\n");
    site.page("code", "Code", "S", &body);
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/code.html");
    for (language, _) in CASES {
        let start = html
            .find(&format!("<code class=\"language-{language}\">"))
            .unwrap_or_else(|| panic!("no block for {language}"));
        let block = &html[start..start + html[start..].find("</code>").unwrap()];
        assert!(
            html[..start].ends_with("<pre class=\"hl-code\" tabindex=\"0\">"),
            "{language} block is not highlighted"
        );
        assert!(
            block.contains("<span class=\"c"),
            "{language}: nothing coloured in {block}"
        );
    }
    assert!(
        html.contains(
            "<pre tabindex=\"0\"><code class=\"language-text\">plain &lt;b&gt;text&lt;/b&gt;\n</code></pre>"
        ),
        "{html}"
    );
    assert!(html.contains("<pre tabindex=\"0\"><code>no language\n</code></pre>"));
}

#[test]
fn unknown_language_falls_back_and_check_warns() {
    let site = Fixture::new();
    site.page(
        "code",
        "Code",
        "S",
        "Intro.\n\n```klingon\nQapla' <b>\n```\n",
    );
    let run = site.build(&[]);
    run.assert_ok();
    assert!(site.read("build/manual/code.html").contains(
        "<pre tabindex=\"0\"><code class=\"language-klingon\">Qapla' &lt;b&gt;\n</code></pre>"
    ));
    let found = site.check();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].code.as_str(), found[0].line, found[0].column),
        ("code-language-unknown", 9, 1)
    );
    assert_eq!(found[0].severity, "warning");
    // An installed binary has no README to send people to.
    assert!(!found[0].help.contains("README"), "{}", found[0].help);
}

#[test]
fn the_stylesheet_is_published_and_linked() {
    let site = Fixture::new();
    site.page("code", "Code", "S", "```ruby\nputs 1\n```\n");
    site.build(&[]).assert_ok();
    let css = site.read("build/assets/highlight.css");
    assert!(
        css.contains(".hl-code {") && css.contains(".hl-code .c0 {"),
        "{css}"
    );
    for page in [
        "build/manual/code.html",
        "build/manual.html",
        "build/index.html",
    ] {
        assert!(
            site.read(page)
                .contains(r#"<link rel="stylesheet" href="/assets/highlight.css">"#),
            "{page} does not link the stylesheet"
        );
    }
}
