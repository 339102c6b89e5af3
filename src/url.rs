//! The one door between addresses and files. Every address the site has
//! (pages, assets, redirects, `old_paths`, generated files, requests to
//! `serve`) becomes a [`SitePath`] here or is refused, and only a site path
//! can become an [`OutputPath`], the only thing the write stage accepts. So
//! nothing a page, a setting or a file name says can make the tool write
//! outside its output folder.
//!
//! The module also owns the other facts about addresses that used to be
//! computed in several places: a page's URL ([`url_for_page`]), how a site
//! path is written into HTML ([`href`]), and what a link destination means
//! ([`interpret`], the lexical half of the link resolver; `Site::resolve`
//! looks the result up in the site's URL map).

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// A path on the site: starts with `/`, percent-decoded, with no `.` or
/// `..` segment, no empty segment (but a trailing `/` for a folder), and no
/// backslash, NUL or other control character. `/manual/a.html`, `/x/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SitePath(String);

/// Why a text is not a usable site path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    /// A `.` or `..` segment: the path would leave, or alias, its folder.
    DotSegment(String),
    /// `//` inside the path: an empty segment.
    EmptySegment,
    Backslash,
    /// NUL, newline and every other control character.
    Control(char),
    /// `%2F` or `%5C`: an encoded separator, which hosts treat differently.
    EncodedSeparator,
    /// Percent-encoding that does not decode to UTF-8.
    BadEncoding,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::Empty => f.write_str("the path is empty"),
            PathProblem::DotSegment(segment) => {
                write!(f, "`{segment}` segments are not allowed in a site path")
            }
            PathProblem::EmptySegment => f.write_str("`//` (an empty segment) is not allowed"),
            PathProblem::Backslash => f.write_str("a backslash is not allowed in a site path"),
            PathProblem::Control(c) => write!(
                f,
                "the control character U+{:04X} is not allowed in a site path",
                u32::from(*c)
            ),
            PathProblem::EncodedSeparator => {
                f.write_str("an encoded `/` or `\\` (`%2F`, `%5C`) is not allowed")
            }
            PathProblem::BadEncoding => f.write_str("its percent-encoding is not UTF-8"),
        }
    }
}

impl SitePath {
    /// Checks a path that is already decoded, such as one made from a file
    /// name. A missing leading `/` is added (`a.html` is `/a.html`).
    pub fn new(decoded: &str) -> Result<SitePath, PathProblem> {
        if decoded.is_empty() {
            return Err(PathProblem::Empty);
        }
        if let Some(c) = decoded.chars().find(|c| c.is_control()) {
            return Err(PathProblem::Control(c));
        }
        if decoded.contains('\\') {
            return Err(PathProblem::Backslash);
        }
        let body = decoded.strip_prefix('/').unwrap_or(decoded);
        if body.starts_with('/') {
            return Err(PathProblem::EmptySegment);
        }
        let inner = body.strip_suffix('/').unwrap_or(body);
        if !inner.is_empty() {
            for segment in inner.split('/') {
                match segment {
                    "" => return Err(PathProblem::EmptySegment),
                    "." | ".." => return Err(PathProblem::DotSegment(segment.into())),
                    _ => {}
                }
            }
        }
        Ok(SitePath(format!("/{body}")))
    }

    /// Checks a path as written in a URL (`/old%20page.html`): decoded first,
    /// so `%2e%2e` is refused like `..`.
    pub fn from_url_path(encoded: &str) -> Result<SitePath, PathProblem> {
        let lower = encoded.to_ascii_lowercase();
        if lower.contains("%2f") || lower.contains("%5c") {
            return Err(PathProblem::EncodedSeparator);
        }
        let decoded = percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| PathProblem::BadEncoding)?;
        SitePath::new(&decoded)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The file below the output folder that holds this path: `/a.html` is
    /// `a.html`, a folder `/x/` is `x/index.html`.
    pub fn output_path(&self) -> OutputPath {
        let relative = &self.0[1..];
        if relative.is_empty() || relative.ends_with('/') {
            OutputPath(format!("{relative}index.html"))
        } else {
            OutputPath(relative.to_string())
        }
    }
}

impl fmt::Display for SitePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file below the output folder, `/`-separated, that cannot leave it:
/// made only from a [`SitePath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutputPath(String);

impl OutputPath {
    /// The output file for a site URL held as text (the URL map's keys were
    /// all checked when they entered it, so this fails only on a bug).
    pub fn of(url: &str) -> Result<OutputPath, PathProblem> {
        SitePath::new(url).map(|p| p.output_path())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder that holds the file, if it is not at the top.
    pub fn folder(&self) -> Option<&str> {
        self.0.rsplit_once('/').map(|(folder, _)| folder)
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A page's URL with the default settings (see [`page_url`]).
pub fn url_for_page(relative: &str) -> String {
    page_url(relative, false)
}

/// The one place a page's URL is computed: `manual/x.html.md`, `manual/x.md`
/// and `manual/x.html.md.erb` all become `/manual/x.html`; with
/// `directory_indexes` (Middleman's extension of that name), `/manual/x/index.html`,
/// which readers ask for as `/manual/x/`. The result still has to pass
/// [`SitePath::new`] (a file name may hold a backslash).
pub fn page_url(relative: &str, directory_indexes: bool) -> String {
    let stem = relative.strip_suffix(".erb").unwrap_or(relative);
    let stem = stem.strip_suffix(".md").unwrap_or(stem);
    let stem = stem.strip_suffix(".html").unwrap_or(stem);
    let is_index = stem == "index" || stem.ends_with("/index");
    if directory_indexes && !is_index {
        format!("/{stem}/index.html")
    } else {
        format!("/{stem}.html")
    }
}

/// Characters percent-encoded when a site path is written into a page: all
/// that would end or change a path in a URL (`#`, `?`, `%`, space) or an
/// HTML attribute, and non-ASCII (as UTF-8), as browsers send them.
const PATH_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b'\'');

/// Characters encoded in a fragment: those that would end it or the
/// attribute it is written in.
const FRAGMENT_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'\'');

/// A site path as readers ask for it: a folder's `index.html` is the
/// folder, as hosts serve it and the tech-docs gem links it
/// (`/x/index.html` is `/x/`, `/index.html` is `/`).
pub fn address(path: &str) -> &str {
    match path.strip_suffix("index.html") {
        Some(folder) if folder.ends_with('/') => folder,
        _ => path,
    }
}

/// A site path as it is written into HTML, JSON or XML, under `base_path`:
/// `/manual/a b.html` is `/docs/manual/a%20b.html`, `/x/index.html` is
/// `/docs/x/`. Every address of the site that the build writes comes from
/// here.
pub fn href(base_path: &str, path: &str, fragment: Option<&str>) -> String {
    let path = address(path);
    let mut out =
        String::with_capacity(base_path.len() + path.len() + fragment.map_or(0, |f| f.len() + 1));
    out.push_str(base_path);
    push_encoded(&mut out, path, PATH_ENCODE);
    if let Some(fragment) = fragment {
        out.push('#');
        push_encoded(&mut out, fragment, FRAGMENT_ENCODE);
    }
    out
}

/// Appends `text`, percent-encoded; most paths need no encoding at all,
/// and are copied whole (the crate hands back the text itself then).
fn push_encoded(out: &mut String, text: &str, set: &'static AsciiSet) {
    out.push_str(&std::borrow::Cow::from(utf8_percent_encode(text, set)));
}

/// What the settings say about addresses, for interpreting a destination.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkRules<'a> {
    /// The site's own origin: `https://docs.example.org/x` is a site path.
    pub host: Option<&'a str>,
    /// The path the site is served under: `https://example.org/docs/x` is
    /// the site path `/x` when it is `/docs`.
    pub base_path: &'a str,
    /// Prefixes another system serves on the same host.
    pub external_paths: &'a [String],
}

/// What a link destination means, before it is looked up in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Another site (`https://`, `mailto:`, ...).
    External(String),
    /// A scheme that runs code in the reader's browser.
    Unsafe(String),
    /// Under a prefix the settings say another system serves.
    ExternalPath {
        path: String,
        fragment: Option<String>,
    },
    /// A path on this site, made absolute and percent-decoded, `..` resolved
    /// as a browser does.
    Local {
        path: String,
        fragment: Option<String>,
    },
}

/// Interprets `destination`, written on the page at `page_url`.
pub fn interpret(rules: &LinkRules<'_>, page_url: &str, destination: &str) -> Destination {
    let destination = destination.trim();
    if runs_script(destination) {
        return Destination::Unsafe(destination.to_string());
    }
    let mut local = destination;
    if let Some(host) = rules.host.map(|h| h.trim_end_matches('/'))
        && !host.is_empty()
        && let Some(rest) = destination.strip_prefix(host)
        && (rest.is_empty() || rest.starts_with('/') || rest.starts_with('#'))
    {
        let under_base = if rules.base_path.is_empty() {
            Some(rest)
        } else {
            rest.strip_prefix(rules.base_path)
                .filter(|r| r.is_empty() || r.starts_with('/') || r.starts_with('#'))
        };
        match under_base {
            Some(rest) => local = if rest.is_empty() { "/" } else { rest },
            // Another site on the same host.
            None => return Destination::External(destination.to_string()),
        }
    } else if destination.starts_with("//") || has_scheme(destination) {
        return Destination::External(destination.to_string());
    }
    let (before_fragment, fragment) = match local.split_once('#') {
        Some((path, fragment)) => (path, Some(decode(fragment))),
        None => (local, None),
    };
    let path_part = before_fragment.split('?').next().unwrap_or("");
    let path = if path_part.is_empty() {
        page_url.to_string()
    } else {
        absolute_path(page_url, &decode(path_part))
    };
    let fragment = fragment.filter(|f| !f.is_empty());
    if rules.external_paths.iter().any(|prefix| {
        // `/analytics/` also covers the folder's own URL, `/analytics`.
        path.starts_with(prefix.as_str()) || prefix.strip_suffix('/') == Some(path.as_str())
    }) {
        return Destination::ExternalPath { path, fragment };
    }
    Destination::Local { path, fragment }
}

/// Whether a URL, as a browser reads it, runs script when followed or
/// loaded: `javascript:`, `vbscript:` and `data:text/html` (also written
/// with tabs, newlines or leading control characters, which browsers drop).
pub fn runs_script(url: &str) -> bool {
    // Checked on every link of every page: no allocation, and an address
    // with no `:` has no scheme at all.
    if !url.contains(':') {
        return false;
    }
    let mut cleaned = url
        .trim_start_matches(|c: char| c <= ' ')
        .bytes()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
        .map(|b| b.to_ascii_lowercase());
    let mut prefix = [0u8; 22];
    let mut length = 0;
    for (slot, byte) in prefix.iter_mut().zip(&mut cleaned) {
        *slot = byte;
        length += 1;
    }
    let prefix = &prefix[..length];
    [
        &b"javascript:"[..],
        b"vbscript:",
        b"data:text/html",
        b"data:application/xhtml",
    ]
    .iter()
    .any(|scheme| prefix.starts_with(scheme))
}

/// The one rule for an address that front matter or settings put into an
/// attribute (`source_url`, `service_link`, header and footer links,
/// `report_issue_url`): relative, or `http`, `https` or `mailto`, and no
/// control characters. Anything else (`javascript:`, `data:`, `vbscript:`,
/// or a scheme a browser or an app might act on) is refused with the
/// reason. Browsers drop leading spaces and control characters and
/// tabs and newlines anywhere, so those are refused rather than judged.
pub fn attribute_url_problem(url: &str) -> Option<String> {
    if let Some(c) = url.chars().find(|c| c.is_control()) {
        return Some(format!(
            "it holds the control character {:?}",
            c.escape_unicode().to_string()
        ));
    }
    if url.starts_with(char::is_whitespace) {
        return Some("it starts with a space".into());
    }
    let scheme_end = url.find([':', '/', '?', '#']);
    let Some(end) = scheme_end.filter(|&i| url.as_bytes()[i] == b':') else {
        return None; // relative
    };
    let scheme = url[..end].to_ascii_lowercase();
    if matches!(scheme.as_str(), "http" | "https" | "mailto") {
        return None;
    }
    Some(format!(
        "`{scheme}:` addresses are not allowed here; only http, https, mailto or a path on the site"
    ))
}

pub fn has_scheme(destination: &str) -> bool {
    match destination.split_once(':') {
        Some((scheme, _)) => {
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn decode(text: &str) -> String {
    if text.contains('%') {
        percent_decode_str(text).decode_utf8_lossy().into_owned()
    } else {
        text.to_string()
    }
}

/// `../b.html` from `/manual/a/x.html` is `/manual/b.html`. Like a browser,
/// `..` above the root stays at the root. Used only to look paths up, never
/// to name a file.
fn absolute_path(page_url: &str, path: &str) -> String {
    let mut segments: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        let dir = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    let trailing_slash = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut result = format!("/{}", segments.join("/"));
    if trailing_slash && result != "/" {
        result.push('/');
    }
    result
}

/// A root-relative address (`/docs/a/b.html#x`) written relative to the
/// document at `from` (`/docs/c/d.html`), for `relative_links`: `../a/b.html#x`.
/// An address of a folder gets its `index.html`, so the copy works from
/// a folder on disk, where nothing serves a folder's index.
pub fn relative_to(from: &str, address: &str) -> String {
    let split = address.find(['?', '#']).unwrap_or(address.len());
    let (path, rest) = address.split_at(split);
    let mut target: Vec<&str> = path.split('/').skip(1).collect();
    if target.last().is_some_and(|last| last.is_empty()) {
        target.pop();
        target.push("index.html");
    }
    let from_folders: Vec<&str> = {
        let mut parts: Vec<&str> = from.split('/').skip(1).collect();
        parts.pop();
        parts
    };
    let target_folders = &target[..target.len().saturating_sub(1)];
    let shared = from_folders
        .iter()
        .zip(target_folders)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = String::with_capacity(address.len() + 8);
    for _ in shared..from_folders.len() {
        out.push_str("../");
    }
    let rest_of_path = target[shared..].join("/");
    // `/javascript:x` is a path on this site; written bare, its first
    // segment would read as a scheme.
    if out.is_empty()
        && rest_of_path
            .split('/')
            .next()
            .is_some_and(|s| s.contains(':'))
    {
        out.push_str("./");
    }
    out.push_str(&rest_of_path);
    if out.is_empty() {
        out.push_str("index.html");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_web_and_mail_addresses_reach_an_attribute() {
        for fine in [
            "https://github.com/x/y",
            "HTTP://example.org",
            "mailto:team@example.org",
            "/manual/x.html",
            "x.html#a:b",
            "?q=a:b",
            "",
        ] {
            assert_eq!(super::attribute_url_problem(fine), None, "{fine}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            " javascript:x",
            "java\tscript:x",
            "https://e.x/\u{0}",
            "file:///etc/passwd",
            "ftp://x",
        ] {
            assert!(super::attribute_url_problem(bad).is_some(), "{bad:?}");
        }
    }

    use super::*;

    #[test]
    fn addresses_relative_to_the_page_reach_the_same_file() {
        for (from, address, relative) in [
            ("/manual/a.html", "/manual/b.html#x", "b.html#x"),
            (
                "/manual/a.html",
                "/assets/manual.css",
                "../assets/manual.css",
            ),
            ("/index.html", "/manual/b.html", "manual/b.html"),
            ("/index.html", "/", "index.html"),
            ("/docs/a/b/c.html", "/docs/a/", "../index.html"),
            ("/docs/a/b/c.html", "/docs/a/b/", "index.html"),
            ("/docs/x/", "/docs/y.html?q=1", "../y.html?q=1"),
            ("/search/index.html", "/search/", "index.html"),
            ("/a.html", "/a.html#top", "a.html#top"),
            ("/a.html", "/javascript:alert(1)", "./javascript:alert(1)"),
            ("/x/a.html", "/x/data:text/html,x", "./data:text/html,x"),
        ] {
            assert_eq!(
                relative_to(from, address),
                relative,
                "{address} from {from}"
            );
            // A browser resolving it reaches what the address named (a
            // folder's index.html for a folder).
            let (path, rest) = address.split_at(address.find(['#', '?']).unwrap_or(address.len()));
            let expected = if path.ends_with('/') {
                format!("{path}index.html{rest}")
            } else {
                address.to_string()
            };
            let base = ::url::Url::parse(&format!("https://h.example{from}")).unwrap();
            let joined = base.join(&relative_to(from, address)).unwrap();
            let got = &joined.as_str()["https://h.example".len()..];
            assert_eq!(got, expected, "{address} from {from}");
        }
    }

    #[test]
    fn page_urls() {
        assert_eq!(url_for_page("manual/a.html.md"), "/manual/a.html");
        assert_eq!(url_for_page("manual/a.md"), "/manual/a.html");
        assert_eq!(url_for_page("manual/a.html.md.erb"), "/manual/a.html");
        assert_eq!(page_url("set_up.html.md.erb", true), "/set_up/index.html");
        assert_eq!(page_url("a/index.html.md", true), "/a/index.html");
        assert_eq!(page_url("index.html.md.erb", true), "/index.html");
        assert_eq!(url_for_page("index.html.md"), "/index.html");
    }

    #[test]
    fn site_paths_refuse_what_leaves_the_output() {
        for (bad, problem) in [
            ("/../x.html", PathProblem::DotSegment("..".into())),
            ("/a/../../x.html", PathProblem::DotSegment("..".into())),
            ("/a/./x.html", PathProblem::DotSegment(".".into())),
            ("..", PathProblem::DotSegment("..".into())),
            ("/a\\..\\x", PathProblem::Backslash),
            ("/a\0b", PathProblem::Control('\0')),
            ("/a\nb", PathProblem::Control('\n')),
            ("/a//b", PathProblem::EmptySegment),
            ("//evil.example/x", PathProblem::EmptySegment),
            ("//", PathProblem::EmptySegment),
            ("///", PathProblem::EmptySegment),
            ("", PathProblem::Empty),
        ] {
            assert_eq!(SitePath::new(bad), Err(problem), "{bad:?}");
        }
        for bad in ["/%2e%2e/x.html", "/a%2f..%2fx", "/a%5cb", "/%00", "/%ff"] {
            assert!(SitePath::from_url_path(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SitePath::from_url_path("/old%20page.html")
                .unwrap()
                .output_path()
                .as_str(),
            "old page.html"
        );
        assert_eq!(SitePath::new("x/").unwrap().as_str(), "/x/");
        assert_eq!(
            SitePath::new("/x/").unwrap().output_path().as_str(),
            "x/index.html"
        );
        assert_eq!(
            SitePath::new("/").unwrap().output_path().as_str(),
            "index.html"
        );
    }

    proptest::proptest! {
        /// Whatever text is offered, an output path that comes out of the
        /// door is relative and has no segment that leaves its folder.
        #[test]
        fn no_output_path_leaves_the_output(text in "(/|\\.|\\.\\.|%2[eEfF]|%5[cC]|%00|%0[aA]|\\\\|[a-z]|\n|\u{0}|#|\\?| )*") {
            let made = [SitePath::new(&text), SitePath::from_url_path(&text)];
            for path in made.into_iter().flatten() {
                let out = path.output_path();
                let out = out.as_str();
                proptest::prop_assert!(!out.starts_with('/'), "{text:?} -> {out}");
                proptest::prop_assert!(!out.chars().any(|c| c.is_control() || c == '\\'), "{text:?} -> {out}");
                proptest::prop_assert!(
                    out.split('/').all(|s| !s.is_empty() && s != "." && s != ".."),
                    "{text:?} -> {out}"
                );
            }
        }
    }

    #[test]
    fn hrefs_are_encoded_under_the_base_path() {
        assert_eq!(href("", "/manual/a.html", None), "/manual/a.html");
        assert_eq!(
            href("/docs", "/manual/a b#c?.html", Some("x y")),
            "/docs/manual/a%20b%23c%3F.html#x%20y"
        );
        assert_eq!(href("", "/ünï.html", None), "/%C3%BCn%C3%AF.html");
        assert_eq!(href("", "/a%b.html", None), "/a%25b.html");
    }

    #[test]
    fn an_address_on_the_sites_host_is_under_its_base_path() {
        let rules = LinkRules {
            host: Some("https://alphagov.github.io"),
            base_path: "/tech-docs-gem",
            external_paths: &[],
        };
        let at = |dest: &str| interpret(&rules, "/a/index.html", dest);
        assert_eq!(
            at("https://alphagov.github.io/tech-docs-gem/"),
            Destination::Local {
                path: "/".into(),
                fragment: None
            }
        );
        assert_eq!(
            at("https://alphagov.github.io/tech-docs-gem/x/#y"),
            Destination::Local {
                path: "/x/".into(),
                fragment: Some("y".into())
            }
        );
        assert!(matches!(
            at("https://alphagov.github.io/other-project/"),
            Destination::External(_)
        ));
        assert_eq!(address("/x/index.html"), "/x/");
        assert_eq!(address("/index.html"), "/");
        assert_eq!(address("/xindex.html"), "/xindex.html");
        assert_eq!(href("/docs", "/a/index.html", Some("t")), "/docs/a/#t");
    }

    #[test]
    fn destinations() {
        let rules = LinkRules {
            host: Some("https://docs.example.org"),
            base_path: "",
            external_paths: &["/repos/".to_string()],
        };
        let local = |path: &str, fragment: Option<&str>| Destination::Local {
            path: path.into(),
            fragment: fragment.map(str::to_string),
        };
        let at = |dest: &str| interpret(&rules, "/manual/a.html", dest);
        assert_eq!(at("b.html"), local("/manual/b.html", None));
        assert_eq!(at("../b.html#x"), local("/b.html", Some("x")));
        assert_eq!(at("../../../b.html"), local("/b.html", None));
        assert_eq!(at("/c/./d/../e.html"), local("/c/e.html", None));
        assert_eq!(at("sub/"), local("/manual/sub/", None));
        assert_eq!(at("#top"), local("/manual/a.html", Some("top")));
        assert_eq!(at("a%20b.html"), local("/manual/a b.html", None));
        assert_eq!(
            at("https://docs.example.org/x.html"),
            local("/x.html", None)
        );
        assert!(matches!(at("/repos/x"), Destination::ExternalPath { .. }));
        assert!(matches!(at("/repos"), Destination::ExternalPath { .. }));
        assert!(matches!(at("https://x.org"), Destination::External(_)));
        assert!(matches!(
            at("mailto:a@example.org"),
            Destination::External(_)
        ));
        for unsafe_url in [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\tjavascript:x",
            "vbscript:x",
            "data:text/html,<script>x</script>",
        ] {
            assert!(
                matches!(at(unsafe_url), Destination::Unsafe(_)),
                "{unsafe_url:?}"
            );
        }
        assert!(matches!(
            at("data:image/png;base64,AAAA"),
            Destination::External(_)
        ));
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("/manual/a.html"));
        assert!(!has_scheme("a.html#x:y"));
        assert!(!has_scheme("1:2"));
    }
}
