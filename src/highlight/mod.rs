//! Code highlighting at build time, with syntect: HTML with a few short
//! classes (see `classes`), so one small stylesheet (`/assets/highlight.css`,
//! made from the theme by build.rs) colours every page, and readers get no
//! JavaScript.

pub mod classes;
pub mod disk;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::{
    HighlightState, Highlighter as StyleResolver, RangedHighlightIterator, Theme,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use classes::Classes;

/// The stylesheet for the highlighted code, generated from
/// `highlight/theme.tmTheme` by build.rs.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/highlight.css"));

/// syntect's default syntaxes plus `highlight/syntaxes/`, compiled by build.rs.
static SYNTAX_DUMP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/syntaxes.bin"));

/// `highlight/theme.tmTheme`, read by build.rs.
static THEME_DUMP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/theme.bin"));

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
/// of blocks highlighted lately: a block repeated across pages (a common
/// command) is highlighted once, and `serve` keeps one `Highlighter`
/// across rebuilds.
#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    theme: OnceLock<(Theme, Classes)>,
    cache: Mutex<Recent>,
    /// Blocks highlighted by earlier runs.
    disk: Option<disk::DiskCache>,
}

/// The most bytes of code and HTML the in-memory cache holds. Without a
/// bound it held every block of the site (19 MB of a 10,000-page build),
/// so a build's memory grew with its code; past the bound it starts again,
/// and the disk cache still spares the work of highlighting.
pub const MEMORY_CACHE_BYTES: usize = 8 << 20;

/// Blocks highlighted lately: (language, code) -> HTML, within
/// `MEMORY_CACHE_BYTES`.
#[derive(Default)]
struct Recent {
    html: HashMap<(String, String), Arc<str>>,
    bytes: usize,
}

impl Recent {
    fn get(&self, key: &(String, String)) -> Option<Arc<str>> {
        self.html.get(key).cloned()
    }

    fn insert(&mut self, key: (String, String), html: Arc<str>) {
        let size = key.0.len() + key.1.len() + html.len();
        if self.bytes + size > MEMORY_CACHE_BYTES {
            self.html.clear();
            self.bytes = 0;
        }
        if size <= MEMORY_CACHE_BYTES {
            self.bytes += size;
            self.html.insert(key, html);
        }
    }
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

    /// A highlighter that keeps what it highlights in `cache` between runs.
    pub fn with_disk_cache(cache: Option<disk::DiskCache>) -> Self {
        Highlighter {
            disk: cache,
            ..Self::default()
        }
    }

    /// The disk cache, if there is one, to prune it and read its notes.
    pub fn disk_cache(&self) -> Option<&disk::DiskCache> {
        self.disk.as_ref()
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(|| {
            syntect::dumps::from_uncompressed_data(SYNTAX_DUMP)
                .expect("the embedded syntax dump loads")
        })
    }

    fn theme(&self) -> &(Theme, Classes) {
        self.theme.get_or_init(|| {
            let theme: Theme = syntect::dumps::from_uncompressed_data(THEME_DUMP)
                .expect("the embedded theme dump loads");
            let classes = Classes::new(&theme);
            (theme, classes)
        })
    }

    /// The block's HTML inside `<code>`: runs of one style in one span, the
    /// plain text bare. `None` when the grammar fails on this input.
    fn spans(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        let (theme, classes) = self.theme();
        let resolver = StyleResolver::new(theme);
        let mut parse = ParseState::new(syntax);
        let mut state = HighlightState::new(&resolver, ScopeStack::new());
        let mut html = String::with_capacity(code.len() * 2);
        let mut open: Option<&str> = None;
        for line in LinesWithEndings::from(code) {
            let ops = parse.parse_line(line, self.syntaxes()).ok()?;
            for (style, text, _) in RangedHighlightIterator::new(&mut state, &ops, line, &resolver)
            {
                // Whitespace shows no colour: it joins whatever span is open.
                let class = if text.trim().is_empty() {
                    open
                } else {
                    classes.of(style)
                };
                if class != open {
                    if open.is_some() {
                        html.push_str("</span>");
                    }
                    if let Some(class) = class {
                        html.push_str("<span class=\"");
                        html.push_str(class);
                        html.push_str("\">");
                    }
                    open = class;
                }
                html_escape::encode_text_to_string(text, &mut html);
            }
        }
        if open.is_some() {
            html.push_str("</span>");
        }
        Some(html)
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
            return Highlighted::Html(html);
        }
        let Some(syntax) = self.syntax_for(name) else {
            return Highlighted::Unknown;
        };
        let disk_key = self.disk.as_ref().map(|_| disk::key(&syntax.name, code));
        let cached = self
            .disk
            .as_ref()
            .zip(disk_key.as_deref())
            .and_then(|(disk, key)| disk.get(key, code));
        let spans = match cached {
            Some(spans) => spans,
            None => {
                // A grammar that fails on this input: show the code plain
                // rather than lose it.
                let Some(spans) = self.spans(syntax, code) else {
                    return Highlighted::Unknown;
                };
                if let (Some(disk), Some(key)) = (&self.disk, &disk_key) {
                    disk.put(key, &spans);
                }
                spans
            }
        };
        let class = html_escape::encode_double_quoted_attribute(&lower);
        let html: Arc<str> = format!(
            "<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-{class}\">{spans}</code></pre>\n"
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
        assert_eq!(colour_of(&html, "def").as_deref(), Some(KEYWORD), "{html}");
        assert_eq!(h.highlight("text", "x"), Highlighted::Plain);
        assert_eq!(h.highlight("klingon", "x"), Highlighted::Unknown);
        assert!(h.knows("rb") && h.knows("text") && !h.knows("klingon"));
    }

    #[test]
    fn the_projects_own_grammars_work() {
        let h = Highlighter::new();
        let Highlighted::Html(docker) =
            h.highlight("docker", "FROM ruby:3 AS base\nRUN echo \"$HOME\"\n")
        else {
            panic!()
        };
        assert_eq!(
            colour_of(&docker, "FROM").as_deref(),
            Some(KEYWORD),
            "{docker}"
        );
        assert_eq!(
            colour_of(&docker, "\"").as_deref(),
            Some("#005a30"),
            "{docker}"
        );
        let Highlighted::Html(promql) = h.highlight(
            "promql",
            "sum by (app) (rate(http_requests_total{code=~\"5..\"}[5m]))\n",
        ) else {
            panic!()
        };
        // A function, a duration and a label: names, constants, keys.
        assert_eq!(
            colour_of(&promql, "rate").as_deref(),
            Some("#003078"),
            "{promql}"
        );
        assert_eq!(
            colour_of(&promql, "[5m]").as_deref(),
            Some("#4c2c92"),
            "{promql}"
        );
        assert_eq!(
            colour_of(&promql, "code").as_deref(),
            Some("#6f3b00"),
            "{promql}"
        );
    }

    const KEYWORD: &str = "#942514";

    /// The colour the stylesheet gives the span that starts with `token`.
    fn colour_of(html: &str, token: &str) -> Option<String> {
        let span = regex::Regex::new(r#"<span class="([^"]+)">([^<]*)"#).unwrap();
        let classes = span.captures_iter(html).find(|c| c[2].starts_with(token))?[1].to_string();
        let colour = classes.split(' ').find(|c| c.starts_with('c'))?;
        let rule =
            regex::Regex::new(&format!(r"\.{colour} \{{ color: (#[0-9a-f]{{6}}); }}")).unwrap();
        Some(rule.captures(CSS)?[1].to_string())
    }

    #[test]
    fn runs_of_one_style_share_a_span_and_plain_text_has_none() {
        let h = Highlighter::new();
        let Highlighted::Html(html) = h.highlight("ruby", "# one\n# two\nx\n") else {
            panic!()
        };
        // Two comment lines: one span; the bare name: no span.
        assert_eq!(html.matches("<span").count(), 1, "{html}");
        assert!(html.contains("# one\n# two\n</span>x\n"), "{html}");
        assert_eq!(colour_of(&html, "# one").as_deref(), Some("#505a5f"));
        assert!(
            html.contains("class=\"c0 i\""),
            "comments are italic: {html}"
        );
    }

    /// Invariant: the highlighter's memory is bounded, however much code a
    /// site has; a block repeated soon after is still highlighted once.
    #[test]
    fn the_memory_cache_stays_within_its_bound() {
        let h = Highlighter::new();
        let block = "x".repeat(64 * 1024);
        for i in 0..300 {
            assert!(matches!(
                h.highlight("json", &format!("{i}{block}")),
                Highlighted::Html(_)
            ));
        }
        let recent = h.cache.lock().unwrap();
        assert!(recent.bytes <= MEMORY_CACHE_BYTES, "{}", recent.bytes);
        let counted: usize = recent
            .html
            .iter()
            .map(|((language, code), html)| language.len() + code.len() + html.len())
            .sum();
        assert_eq!(counted, recent.bytes);
        drop(recent);
        let first = h.highlight("json", "{\"a\": 1}");
        let again = h.highlight("json", "{\"a\": 1}");
        match (first, again) {
            (Highlighted::Html(a), Highlighted::Html(b)) => assert!(Arc::ptr_eq(&a, &b)),
            other => panic!("{other:?}"),
        }
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
