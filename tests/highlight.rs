//! Code blocks are highlighted at build time: each alias gets its
//! language's classes, an unknown language falls back to plain code with a
//! warning, and the stylesheet is published and linked.

mod common;

use common::Fixture;

/// Language written after the fence, and the scope class its syntax gives
/// the whole block.
const CASES: &[(&str, &str)] = &[
    ("sh", "hl-source hl-shell"),
    ("shell", "hl-source hl-shell"),
    ("console", "hl-source hl-shell"),
    ("bash", "hl-source hl-shell"),
    ("rb", "hl-source hl-ruby"),
    ("ruby", "hl-source hl-ruby"),
    ("yml", "hl-source hl-yaml"),
    ("yaml", "hl-source hl-yaml"),
    ("js", "hl-source hl-js"),
    ("javascript", "hl-source hl-js"),
    ("docker", "hl-source hl-dockerfile"),
    ("json", "hl-source hl-json"),
    ("sql", "hl-source hl-sql"),
    ("diff", "hl-source hl-diff"),
    ("promql", "hl-source hl-promql"),
    ("scss", "hl-source hl-css"),
    ("erb", "hl-text hl-html hl-ruby"),
    ("markdown", "hl-text hl-html hl-markdown"),
];

#[test]
fn every_alias_gets_its_languages_classes() {
    let site = Fixture::new();
    let mut body = String::new();
    for (language, _) in CASES {
        body.push_str(&format!("```{language}\nx = 1 # {language}\n```\n\n"));
    }
    body.push_str("```text\nplain <b>text</b>\n```\n\n```\nno language\n```\n");
    site.page("code", "Code", "S", &body);
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/code.html");
    for (language, class) in CASES {
        let start = html
            .find(&format!("<code class=\"language-{language}\">"))
            .unwrap_or_else(|| panic!("no block for {language}"));
        let block = &html[start..start + html[start..].find("</code>").unwrap()];
        assert!(
            html[..start].ends_with("<pre class=\"hl-code\" tabindex=\"0\">"),
            "{language} block is not highlighted"
        );
        assert!(
            block.contains(&format!("<span class=\"{class}")),
            "{language}: {block}"
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
}

#[test]
fn the_stylesheet_is_published_and_linked() {
    let site = Fixture::new();
    site.page("code", "Code", "S", "```ruby\nputs 1\n```\n");
    site.build(&[]).assert_ok();
    let css = site.read("build/assets/highlight.css");
    assert!(
        css.contains(".hl-code {") && css.contains(".hl-comment"),
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
