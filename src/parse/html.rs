//! Raw HTML written in pages: the one scanner. In the markdown pass, every
//! piece of raw HTML goes through [`scan`], which at once records the links
//! `check` resolves, the ids a `#fragment` may name and anything that would
//! run script for readers, and writes root-relative addresses under the base
//! path. Checking and publishing therefore read the same attributes.
//!
//! A regex over tags rather than an HTML parser: the HTML in pages is short
//! fragments written by hand, the scan must report source offsets (which
//! html5ever's tokenizer does not give), and the rewrite must leave every
//! other byte as written.

use std::sync::LazyLock;

use regex::Regex;

/// Attributes whose value is an address that a reader's browser follows or
/// loads: checked as links, and written under the base path.
pub const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "background",
    "xlink:href",
];

/// Attributes besides `URL_ATTRIBUTES` that may carry an address, and so
/// would run script if it were `javascript:`; they are not checked as links.
const OTHER_ADDRESS_ATTRIBUTES: &[&str] = &[
    "codebase", "longdesc", "usemap", "manifest", "icon", "lowsrc", "dynsrc", "srcset", "ping",
    "archive", "classid", "profile", "to", "values", "from", "by",
];

fn carries_address(name: &str) -> bool {
    URL_ATTRIBUTES.contains(&name) || OTHER_ADDRESS_ATTRIBUTES.contains(&name)
}

/// What the scan found in one piece of raw HTML. Offsets are into the text
/// scanned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scanned {
    /// The text with root-relative addresses under the base path, when any
    /// was changed.
    pub rewritten: Option<String>,
    /// Address attributes, entity-decoded, at the offset of their value.
    pub links: Vec<(usize, String)>,
    pub ids: Vec<String>,
    /// What would run script, at its offset: a `<script>` element, an
    /// event handler, `srcdoc`, a script URL, a meta refresh.
    pub scripts: Vec<(usize, String)>,
    /// Each `<script>` element's offset (as in `scripts`) and its `src`,
    /// decoded, when it has one: what the published-page check compares
    /// with the built-in theme's own scripts.
    pub script_sources: Vec<(usize, Option<String>)>,
    /// The offsets (as in `scripts`) of `<meta http-equiv="refresh">`.
    pub refreshes: Vec<usize>,
    /// The offsets of `<img>` elements with no `alt` attribute at all
    /// (`alt=""` says the image is decoration, and is not listed).
    pub images_without_alt: Vec<usize>,
}

// Found without capture groups, so a search runs on the regex crate's DFA
// alone; the name and attributes are then cut from the match by hand. With
// groups, every tag of a long document went through the backtracker, which
// made this scan the largest cost of publishing a big print page.
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<!--(?s:.*?)-->|<[A-Za-z][A-Za-z0-9-]*(?:[^<>"']|"[^"]*"|'[^']*')*>"#)
        .expect("tag pattern")
});

/// One start tag: where it is, its name as written, and its attributes'
/// text (everything between the name and the closing `>`).
struct Tag<'t> {
    start: usize,
    end: usize,
    name: &'t str,
    attributes: &'t str,
    attributes_start: usize,
}

/// The start tags of `text`, in order; comments are passed over.
fn tags(text: &str) -> impl Iterator<Item = Tag<'_>> {
    TAG.find_iter(text).filter_map(|found| {
        let whole = found.as_str();
        if whole.starts_with("<!--") {
            return None;
        }
        let name_length = whole[1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        let attributes_start = found.start() + 1 + name_length;
        Some(Tag {
            start: found.start(),
            end: found.end(),
            name: &whole[1..1 + name_length],
            attributes: &text[attributes_start..found.end() - 1],
            attributes_start,
        })
    })
}

/// How an attribute's value is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    Double,
    Single,
    None,
}

/// One attribute as written: byte ranges into the attributes' text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawAttribute {
    name: std::ops::Range<usize>,
    /// The value inside its quotes, and how it was quoted.
    value: Option<(std::ops::Range<usize>, Quote)>,
}

fn is_name_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '/' | '='))
}

fn is_unquoted_value_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '=' | '`'))
}

/// The attributes in a tag's attribute text, read as the pattern
/// `[\s/]+([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+)))?`
/// reads them (browsers also take `/` between attributes: `<img/src=x>`).
/// Written by hand because this runs on every tag of every published page,
/// where the regex's capture groups cost more than the rest of the scan;
/// `attributes_are_read_as_the_pattern_reads_them` holds the two equal.
fn attributes(text: &str) -> impl Iterator<Item = RawAttribute> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let rest = &text[at..];
            // The next run of separators, and what follows it.
            let run_start = at + rest.find(|c: char| c.is_whitespace() || c == '/')?;
            let after_run = text[run_start..]
                .find(|c: char| !(c.is_whitespace() || c == '/'))
                .map_or(text.len(), |n| run_start + n);
            let name_end = text[after_run..]
                .find(|c: char| !is_name_char(c))
                .map_or(text.len(), |n| after_run + n);
            if name_end == after_run {
                // No name after the separators: look again past what
                // follows them.
                at = text[after_run..]
                    .chars()
                    .next()
                    .map_or(text.len(), |c| after_run + c.len_utf8());
                continue;
            }
            at = name_end;
            let name = after_run..name_end;
            let skip_space = |from: usize| {
                text[from..]
                    .find(|c: char| !c.is_whitespace())
                    .map_or(text.len(), |n| from + n)
            };
            let equals = skip_space(name_end);
            if !text[equals..].starts_with('=') {
                return Some(RawAttribute { name, value: None });
            }
            let value_start = skip_space(equals + 1);
            let value = match text[value_start..].chars().next() {
                Some(quote @ ('"' | '\'')) => text[value_start + 1..].find(quote).map(|n| {
                    let kind = if quote == '"' {
                        Quote::Double
                    } else {
                        Quote::Single
                    };
                    (
                        value_start + 1..value_start + 1 + n,
                        kind,
                        value_start + n + 2,
                    )
                }),
                Some(c) if is_unquoted_value_char(c) => {
                    let end = text[value_start..]
                        .find(|c: char| !is_unquoted_value_char(c))
                        .map_or(text.len(), |n| value_start + n);
                    Some((value_start..end, Quote::None, end))
                }
                _ => None,
            };
            return Some(match value {
                Some((range, quote, end)) => {
                    at = end;
                    RawAttribute {
                        name,
                        value: Some((range, quote)),
                    }
                }
                None => RawAttribute { name, value: None },
            });
        }
    })
}

/// Whether an attribute of an element named `element` would run script:
/// an event handler, `srcdoc`, or an address that runs script (or a `data:`
/// document in a frame). `value` is as the browser reads it (decoded).
/// The one rule, for raw HTML and for attributes markdown writes itself
/// (`## Heading {key=value}`).
pub fn attribute_runs_script(element: &str, name: &str, value: Option<&str>) -> Option<String> {
    let name = name.to_ascii_lowercase();
    if name.starts_with("on") && name.len() > 2 {
        return Some(format!("the event handler `{name}`"));
    }
    if name == "srcdoc" {
        return Some("`srcdoc`, a page inside the page".into());
    }
    let value = value?;
    // A `data:` document in a frame runs its own script, whatever its type
    // says (an SVG can hold a script).
    let data_document = matches!(element, "iframe" | "frame" | "embed" | "object")
        && value.trim_start().to_ascii_lowercase().starts_with("data:");
    (carries_address(&name) && (crate::url::runs_script(value) || data_document))
        .then(|| format!("`{name}` with a script address"))
}

/// Whether `text` may hold anything `scan` would report as running script:
/// false only when no tag has any of the marks every such finding needs (a
/// `<script` tag; an attribute name starting `on`; `srcdoc`; `http-equiv`;
/// a `script:` or `data:` address or a `data=` attribute; and, since a
/// browser decodes entities and drops tabs and newlines in addresses, any
/// `&`, tab or line break). One pass of two automata without captures, so
/// the published-file check (`render::published`) costs little on the
/// pages that have none, which is nearly all of them. `trusted_tags` are
/// tags passed as they are (the built-in theme's own `<script src>`, which
/// that check trusts only as the built-in file);
/// `the_quick_test_never_misses_what_the_scan_finds` holds it to `scan`.
pub fn may_run_script(text: &str, trusted_tags: &[String]) -> bool {
    static TAG_SPAN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"<!--(?s:.*?)-->|<[A-Za-z][A-Za-z0-9-]*(?:[^<>"']|"[^"]*"|'[^']*')*>"#)
            .expect("tag pattern")
    });
    static MARK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)^<script|script\s*:|data\s*:|[\s/"']data\s*=|srcdoc|http-equiv|&|[\t\n\r]|[\s/"']on"#,
        )
        .expect("mark pattern")
    });
    TAG_SPAN.find_iter(text).any(|tag| {
        let tag = tag.as_str();
        !tag.starts_with("<!--")
            && !trusted_tags.iter().any(|trusted| trusted == tag)
            && MARK.is_match(tag)
    })
}

/// Scans `text` (raw HTML as written in a page). `base_path` (`/docs`, or
/// empty) is put before every root-relative address.
pub fn scan(text: &str, base_path: &str) -> Scanned {
    let mut found = Scanned::default();
    // (offset in `text`, what to insert there), in order.
    let mut insertions: Vec<usize> = Vec::new();
    for tag in tags(text) {
        let name = tag.name.to_ascii_lowercase();
        if name == "script" {
            found
                .scripts
                .push((tag.start, "a `<script>` element".into()));
        }
        let mut http_equiv_refresh = false;
        let mut script_source = None;
        let mut has_alt = false;
        for attribute in attributes(tag.attributes) {
            let attribute_name = tag.attributes[attribute.name.clone()].to_ascii_lowercase();
            has_alt |= attribute_name == "alt";
            let value = attribute
                .value
                .as_ref()
                .map(|(range, _)| (range.start, &tag.attributes[range.clone()]));
            let decoded = value.map(|(_, v)| decode(v));
            let offset =
                tag.attributes_start + value.map_or(attribute.name.start, |(start, _)| start);
            if let Some(what) = attribute_runs_script(&name, &attribute_name, decoded.as_deref()) {
                found.scripts.push((offset, what));
            }
            let (Some(value), Some(decoded)) = (value, decoded) else {
                continue;
            };
            let (value_start, value) = value;
            let value_offset = tag.attributes_start + value_start;
            if attribute_name == "http-equiv" && decoded.trim().eq_ignore_ascii_case("refresh") {
                http_equiv_refresh = true;
            }
            if name == "script" && attribute_name == "src" && script_source.is_none() {
                script_source = Some(decoded.clone());
            }
            // `<a name="x">` is a link target too, as in every browser.
            if attribute_name == "id" || (name == "a" && attribute_name == "name") {
                found.ids.push(decoded);
            } else if URL_ATTRIBUTES.contains(&attribute_name.as_str()) {
                if !base_path.is_empty() && value.starts_with('/') && !value.starts_with("//") {
                    insertions.push(value_offset);
                }
                found.links.push((value_offset, decoded));
            }
        }
        if name == "script" {
            found.script_sources.push((tag.start, script_source));
        }
        if name == "img" && !has_alt {
            found.images_without_alt.push(tag.start);
        }
        if name == "meta" && http_equiv_refresh {
            found.refreshes.push(tag.start);
            found.scripts.push((
                tag.start,
                "a `<meta http-equiv=\"refresh\">`, which sends readers elsewhere".into(),
            ));
        }
    }
    if !insertions.is_empty() {
        let mut rewritten = String::with_capacity(text.len() + insertions.len() * base_path.len());
        let mut copied = 0;
        for at in insertions {
            rewritten.push_str(&text[copied..at]);
            rewritten.push_str(base_path);
            copied = at;
        }
        rewritten.push_str(&text[copied..]);
        found.rewritten = Some(rewritten);
    }
    found
}

/// One attribute of one tag, as `rewrite_attributes` shows it.
pub struct Attribute<'t> {
    /// The element's name, lower case.
    pub element: &'t str,
    /// The attribute's name, lower case.
    pub name: &'t str,
    /// The value as the browser reads it (character references decoded).
    pub value: &'t str,
}

/// `text` with attribute values replaced: `change` sees each attribute
/// that has a value and returns the new value (unescaped), or `None` to keep
/// it as written. The tags are found as `scan` finds them; every other byte
/// is kept. Used on whole documents the render stage made (the print page,
/// addresses relative to the page), never on what a page wrote alone.
pub fn rewrite_attributes<'a>(
    text: &'a str,
    mut change: impl FnMut(Attribute<'_>) -> Option<String>,
) -> std::borrow::Cow<'a, str> {
    let mut out = String::new();
    let mut copied = 0;
    // Inside <script> and <style> a `<` is code, not a tag: tags before
    // the element's end are skipped.
    let mut skip_until = 0;
    for tag in tags(text) {
        if tag.start < skip_until {
            continue;
        }
        let element = tag.name.to_ascii_lowercase();
        if element == "script" || element == "style" {
            let closing = format!("</{element}");
            skip_until = find_ignoring_case(&text[tag.end..], &closing)
                .map_or(text.len(), |at| tag.end + at);
        }
        for attribute in attributes(tag.attributes) {
            let Some((value, quote)) = attribute.value else {
                continue;
            };
            let attribute_name = tag.attributes[attribute.name].to_ascii_lowercase();
            let decoded = decode(&tag.attributes[value.clone()]);
            let Some(new_value) = change(Attribute {
                element: &element,
                name: &attribute_name,
                value: &decoded,
            }) else {
                continue;
            };
            let start = tag.attributes_start + value.start;
            let end = tag.attributes_start + value.end;
            out.push_str(&text[copied..start]);
            match quote {
                Quote::Single => {
                    out.push_str(&html_escape::encode_single_quoted_attribute(&new_value))
                }
                Quote::Double => {
                    out.push_str(&html_escape::encode_double_quoted_attribute(&new_value))
                }
                Quote::None => {
                    out.push('"');
                    out.push_str(&html_escape::encode_double_quoted_attribute(&new_value));
                    out.push('"');
                }
            }
            copied = end;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// An attribute value as the browser reads it: character references
/// decoded, including numeric ones without their `;`, which browsers accept
/// and html-escape leaves alone (`&#106avascript:` is `javascript:`).
fn decode(value: &str) -> String {
    let named = html_escape::decode_html_entities(value);
    if !named.contains("&#") {
        return named.into_owned();
    }
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?").expect("numeric pattern")
    });
    NUMERIC
        .replace_all(&named, |c: &regex::Captures<'_>| {
            let code = match (c.get(1), c.get(2)) {
                (Some(hex), _) => u32::from_str_radix(hex.as_str(), 16).ok(),
                (_, Some(decimal)) => decimal.as_str().parse().ok(),
                _ => None,
            };
            code.and_then(char::from_u32)
                .unwrap_or(char::REPLACEMENT_CHARACTER)
                .to_string()
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripts(text: &str) -> Vec<String> {
        scan(text, "").scripts.into_iter().map(|(_, w)| w).collect()
    }

    proptest::proptest! {
        #[test]
        fn attributes_are_read_as_the_pattern_reads_them(
            text in proptest::collection::vec(
                proptest::sample::select(vec![
                    " ", "\t", "\n", "/", "=", "\"", "'", "<", ">", "`", "a", "b-c", "&amp;",
                    "\u{a0}", "\u{3000}", "é", "x=y", " = ", "\"v\"", "'w'",
                ]),
                0..24,
            )
        ) {
            let text: String = text.concat();
            static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r#"[\s/]+([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+)))?"#)
                    .unwrap()
            });
            let by_pattern: Vec<RawAttribute> = PATTERN
                .captures_iter(&text)
                .map(|c| RawAttribute {
                    name: c.get(1).unwrap().range(),
                    value: match (c.get(2), c.get(3), c.get(4)) {
                        (Some(v), _, _) => Some((v.range(), Quote::Double)),
                        (_, Some(v), _) => Some((v.range(), Quote::Single)),
                        (_, _, Some(v)) => Some((v.range(), Quote::None)),
                        _ => None,
                    },
                })
                .collect();
            let by_hand: Vec<RawAttribute> = attributes(&text).collect();
            proptest::prop_assert_eq!(by_hand, by_pattern, "{:?}", text);
        }
    }

    #[test]
    fn rewriting_attributes_keeps_every_other_byte() {
        let text = "<p class=x><a href=\"/a\" title='t'>/a</a><img src=/b alt=\"\">\
                    <script>if (a<b && c>d) { x = \"<a href=/c>\"; }</script><a href='/d&amp;e'>";
        let changed = rewrite_attributes(text, |a| {
            (a.value.starts_with('/') && matches!(a.name, "href" | "src"))
                .then(|| format!("..{}", a.value))
        });
        assert_eq!(
            changed,
            "<p class=x><a href=\"../a\" title='t'>/a</a><img src=\"../b\" alt=\"\">\
             <script>if (a<b && c>d) { x = \"<a href=/c>\"; }</script><a href='../d&amp;e'>"
        );
        let untouched = "<p id=x>nothing</p>";
        assert!(matches!(
            rewrite_attributes(untouched, |_| None),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn ids_and_anchor_names_are_link_targets() {
        let found = scan(
            "<a name=\"old-anchor\"></a><h2 id=\"x\">X</h2><img name=\"no\">",
            "",
        );
        assert_eq!(found.ids, ["old-anchor", "x"]);
        let found = scan(
            "<img src=a.png><img src=b.png alt=\"\"><IMG SRC=c.png ALT=C>",
            "",
        );
        assert_eq!(found.images_without_alt.len(), 1);
    }

    #[test]
    fn everything_that_runs_script_is_found() {
        for bad in [
            "<script>alert(1)</script>",
            "<SCRIPT src=/x.js></SCRIPT>",
            "<script/src=/x.js></script>",
            "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "<div ONCLICK='x()'>",
            "<iframe srcdoc=\"<script>x</script>\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"&#106avascript:alert(1)\">x</a>",
            "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
            "<a href=\"java&Tab;script:alert(1)\">x</a>",
            "<a href=\" &NewLine;javascript:alert(1)\">x</a>",
            "<a href=javascript:alert(1)>x</a>",
            "<form action=\"javascript:x\"><button formaction='javascript:y'>",
            "<object data=\"javascript:x\"></object>",
            "<svg><a xlink:href=\"javascript:x\"><text>x</text></a></svg>",
            "<iframe src=\"data:text/html,<script>x</script>\"></iframe>",
            "<embed src=\"data:image/svg+xml;base64,AAAA\">",
            "<meta http-equiv=\"refresh\" content=\"0; url=https://evil.example\">",
            "<meta http-equiv=Refresh content=0>",
        ] {
            assert!(!scripts(bad).is_empty(), "not found: {bad}");
        }
        for fine in [
            "<a href=\"/manual/x.html\" title=\"javascript: the language\">x</a>",
            "<img src=\"data:image/png;base64,AAAA\" alt=\"onload\">",
            "<!-- <script>commented</script> -->",
            "<p data-x=\"javascript:x\">text</p>",
            "<meta name=\"description\" content=\"refresh\">",
            "<a href=\"https://example.org/onclick\">onclick</a>",
        ] {
            assert_eq!(scripts(fine), Vec::<String>::new(), "{fine}");
        }
    }

    /// Tags of the kinds that run script, in many spellings, between text.
    fn tag_soup() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pick = |items: &[&'static str]| prop::sample::select(items.to_vec());
        let value = prop::collection::vec(
            pick(&[
                "javascript:",
                "java",
                "\nscript:",
                "&#106;",
                "&#x6A;avascript:",
                "&Tab;",
                "data:text/html,",
                "DATA:",
                "refresh",
                "/manual/x.html",
                "x",
                " ",
                "vbscript:",
                "&colon;",
                "script",
                ":",
            ]),
            0..4,
        )
        .prop_map(|parts| parts.concat());
        let attribute = (
            pick(&[" ", "/", "\t", "\n", "  "]),
            pick(&[
                "onclick",
                "ONLOAD",
                "on-x",
                "href",
                "src",
                "srcdoc",
                "data",
                "http-equiv",
                "xlink:href",
                "formaction",
                "action",
                "class",
                "title",
                "data-x",
                "content",
                "poster",
            ]),
            prop::option::of((pick(&["=", " = ", "="]), pick(&["\"", "'", ""]), value)),
        )
            .prop_map(|(sep, name, value)| match value {
                Some((equals, quote, value)) => format!("{sep}{name}{equals}{quote}{value}{quote}"),
                None => format!("{sep}{name}"),
            });
        let tag = (
            pick(&[
                "a", "img", "script", "SCRIPT", "iframe", "meta", "svg", "object", "embed", "form",
                "p",
            ]),
            prop::collection::vec(attribute, 0..4),
        )
            .prop_map(|(name, attributes)| format!("<{name}{}>", attributes.concat()));
        prop::collection::vec(
            prop_oneof![
                tag,
                pick(&["text ", "on the page ", "<!-- <script> -->", "&amp; "])
                    .prop_map(String::from)
            ],
            1..5,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(5000))]

        /// Every document in which `scan` finds script, `may_run_script`
        /// marks: the quick test may say yes too often, never too seldom.
        #[test]
        fn the_quick_test_never_misses_what_the_scan_finds(document in tag_soup()) {
            if !scan(&document, "").scripts.is_empty() {
                proptest::prop_assert!(may_run_script(&document, &[]), "{document:?}");
            }
        }
    }

    #[test]
    fn the_quick_test_lets_plain_pages_through_and_stops_script() {
        for plain in [
            "<p class=\"section\">Restart it on the server: <a href=\"/manual/deploy.html\">deploy</a>.</p>",
            "<meta name=\"description\" content=\"A description\"><span class=\"c2\">x</span>",
            "<!-- <script>x</script> --><nav class=\"site-navigation\">",
        ] {
            assert!(!may_run_script(plain, &[]), "{plain}");
        }
        for bad in [
            "<script src=/x.js></script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"java\nscript:alert(1)\">x</a>",
            "<a href=\"&#106avascript:alert(1)\">x</a>",
            "<iframe srcdoc=x>",
            "<meta http-equiv=refresh content=0>",
            "<object data=\"x.svg\">",
        ] {
            assert!(may_run_script(bad, &[]), "{bad}");
        }
    }

    #[test]
    fn addresses_are_recorded_and_written_under_the_base_path() {
        let text = "<a href=/x.html>a</a> <img\n  src='/i.png' alt=x> <a href=\"//cdn.example/x\">c</a> \
                    <form action=\"/s\"><a href=\"https://e.x/\">d</a> <p id=\"here\">";
        let scanned = scan(text, "/docs");
        let links: Vec<&str> = scanned.links.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            links,
            ["/x.html", "/i.png", "//cdn.example/x", "/s", "https://e.x/"]
        );
        assert_eq!(scanned.ids, ["here"]);
        assert_eq!(
            scanned.rewritten.as_deref(),
            Some(
                "<a href=/docs/x.html>a</a> <img\n  src='/docs/i.png' alt=x> <a href=\"//cdn.example/x\">c</a> \
                 <form action=\"/docs/s\"><a href=\"https://e.x/\">d</a> <p id=\"here\">"
            )
        );
        for (offset, link) in &scanned.links {
            assert!(
                text[*offset..].starts_with(link.as_str()),
                "{link} at {offset}"
            );
        }
        assert_eq!(scan(text, "").rewritten, None);
    }
}
