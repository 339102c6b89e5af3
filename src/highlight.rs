//! Code highlighting at build time, with syntect: class-based HTML, so one
//! stylesheet (`/assets/highlight.css`, made from the theme by build.rs)
//! colours every page, and readers get no JavaScript.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Must match `CLASS_STYLE` in build.rs, which made the stylesheet.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The stylesheet for the highlighted code, generated from
/// `highlight/theme.tmTheme` by build.rs.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/highlight.css"));

/// syntect's default syntaxes plus `highlight/syntaxes/`, compiled by build.rs.
static SYNTAX_DUMP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/syntaxes.bin"));

/// Names authors write after ```` ``` ```` that mean another language's
/// syntax, or no highlighting at all (`None`).
fn alias(token: &str) -> Option<&str> {
    Some(match token {
        "sh" | "shell" | "console" | "zsh" | "shell-session" => "bash",
        "rb" => "ruby",
        "yml" => "yaml",
        "js" => "javascript",
        "docker" => "dockerfile",
        "erb" => "rhtml",
        "scss" | "sass" => "css",
        "md" => "markdown",
        // The mongo shell speaks JavaScript.
        "mongo" | "mongosh" => "javascript",
        "regexp" | "regex" => "regular expression",
        "text" | "txt" | "plain" | "plaintext" | "none" => return None,
        other => other,
    })
}

/// Holds the syntaxes (loaded the first time a page has code) and the HTML
/// of every block highlighted so far: the same block is highlighted once
/// per run, and `serve` keeps one `Highlighter` across rebuilds.
#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    cache: Mutex<HashMap<(String, String), Arc<str>>>,
    /// Only tell known languages from unknown ones, and make no HTML at all
    /// (see `makes_html`). For `check`, which never shows a page.
    classify_only: bool,
}

/// What became of a fenced block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Highlighted {
    /// `<pre><code>` with highlighting classes.
    Html(Arc<str>),
    /// A language written as plain text on purpose (`text`), or none.
    Plain,
    /// A language no syntax knows: shown plain, and `check` warns.
    Unknown,
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A highlighter for `check`: blocks are classified, not highlighted,
    /// and the markdown stage skips making pages' HTML too.
    pub fn classify_only() -> Self {
        Highlighter {
            classify_only: true,
            ..Self::default()
        }
    }

    /// Whether the pages parsed with this highlighter will be shown, so
    /// their HTML is worth making.
    pub fn makes_html(&self) -> bool {
        !self.classify_only
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(|| {
            syntect::dumps::from_uncompressed_data(SYNTAX_DUMP)
                .expect("the embedded syntax dump loads")
        })
    }

    fn syntax_for(&self, language: &str) -> Option<&SyntaxReference> {
        let syntaxes = self.syntaxes();
        syntaxes.find_syntax_by_token(language).or_else(|| {
            syntaxes
                .syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(language))
        })
    }

    /// Whether `language` (as written after the fence) is highlighted.
    pub fn knows(&self, language: &str) -> bool {
        let lower = language.to_ascii_lowercase();
        match alias(&lower) {
            None => true,
            Some(name) => self.syntax_for(name).is_some(),
        }
    }

    pub fn highlight(&self, language: &str, code: &str) -> Highlighted {
        let lower = language.to_ascii_lowercase();
        let Some(name) = alias(&lower) else {
            return Highlighted::Plain;
        };
        let key = (lower.clone(), code.to_string());
        if let Some(html) = self.cache.lock().expect("highlight cache").get(&key) {
            return Highlighted::Html(html.clone());
        }
        let Some(syntax) = self.syntax_for(name) else {
            return Highlighted::Unknown;
        };
        if self.classify_only {
            return Highlighted::Plain;
        }
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, self.syntaxes(), CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                // A grammar that fails on this input: show the code plain
                // rather than lose it.
                return Highlighted::Unknown;
            }
        }
        let class = html_escape::encode_double_quoted_attribute(&lower);
        let html: Arc<str> = format!(
            "<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-{class}\">{}</code></pre>\n",
            generator.finalize()
        )
        .into();
        self.cache
            .lock()
            .expect("highlight cache")
            .insert(key, html.clone());
        Highlighted::Html(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_the_manual_uses_is_known() {
        let h = Highlighter::new();
        for language in [
            "sh",
            "bash",
            "shell",
            "console",
            "sql",
            "ruby",
            "rb",
            "javascript",
            "js",
            "yaml",
            "yml",
            "diff",
            "json",
            "docker",
            "dockerfile",
            "text",
            "erb",
            "scss",
            "markdown",
            "promql",
            "css",
            "html",
            "python",
            "mongo",
            "regexp",
        ] {
            assert!(h.knows(language), "{language} is not known");
        }
        assert!(!h.knows("klingon"));
    }

    #[test]
    fn aliases_highlight_as_their_language() {
        let h = Highlighter::new();
        let Highlighted::Html(html) = h.highlight("rb", "def x\n  1\nend\n") else {
            panic!("ruby not highlighted");
        };
        assert!(
            html.starts_with("<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-rb\">"),
            "{html}"
        );
        assert!(html.contains("hl-keyword"), "{html}");
        assert_eq!(h.highlight("text", "x"), Highlighted::Plain);
        assert_eq!(h.highlight("klingon", "x"), Highlighted::Unknown);
        let classify = Highlighter::classify_only();
        assert_eq!(classify.highlight("rb", "def x; end\n"), Highlighted::Plain);
        assert_eq!(classify.highlight("klingon", "x"), Highlighted::Unknown);
    }

    #[test]
    fn the_projects_own_grammars_work() {
        let h = Highlighter::new();
        let Highlighted::Html(docker) =
            h.highlight("docker", "FROM ruby:3 AS base\nRUN echo \"$HOME\"\n")
        else {
            panic!()
        };
        assert!(docker.contains("hl-keyword"), "{docker}");
        assert!(docker.contains("hl-string"), "{docker}");
        let Highlighted::Html(promql) = h.highlight(
            "promql",
            "sum by (app) (rate(http_requests_total{code=~\"5..\"}[5m]))\n",
        ) else {
            panic!()
        };
        assert!(promql.contains("hl-support hl-function"), "{promql}");
        assert!(
            promql.contains("hl-constant hl-numeric hl-duration"),
            "{promql}"
        );
        assert!(
            promql.contains("hl-entity hl-other hl-attribute-name"),
            "{promql}"
        );
    }

    #[test]
    fn code_is_escaped() {
        let h = Highlighter::new();
        let Highlighted::Html(html) = h.highlight("html", "<script>alert(1)</script>\n") else {
            panic!()
        };
        assert!(!html.contains("<script>"), "{html}");
    }

    /// WCAG 2 relative luminance of a `#rrggbb` colour.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn every_colour_meets_wcag_aa_on_the_code_background() {
        let colours: Vec<&str> = CSS
            .match_indices("color: #")
            .filter(|(i, _)| !CSS[..*i].ends_with("background-"))
            .map(|(i, _)| &CSS[i + 7..i + 14])
            .collect();
        let background = CSS
            .split("background-color: ")
            .nth(1)
            .map(|rest| &rest[..7])
            .expect("the stylesheet sets a background");
        assert!(colours.len() >= 8, "{CSS}");
        for colour in colours {
            let (l1, l2) = (luminance(colour), luminance(background));
            let ratio = (l1.max(l2) + 0.05) / (l1.min(l2) + 0.05);
            assert!(ratio >= 4.5, "{colour} on {background}: {ratio:.2}");
        }
    }
}
