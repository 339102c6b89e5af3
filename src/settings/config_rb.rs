//! Middleman's `config.rb`, read as data: the declarative lines tech-docs
//! sites write are honoured, and every other statement is named in one
//! `config-rb-ignored` warning at its line. No Ruby runs; the file is
//! untrusted input like every other.
//!
//! Honoured: `activate :directory_indexes`; `activate :relative_assets`;
//! `set :relative_links, true`;
//! `redirect "from", to: "to"`;
//! `set :layout, :name` and `page "/glob/*", layout: :name`; a `SourceUrls`
//! module or class whose `report_issue_url` returns a string literal. Known and harmless, so not reported: `require`,
//! `GovukTechDocs.configure(...)`.

/// What a `config.rb` says, as far as it is data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRb {
    pub directory_indexes: bool,
    /// `activate :relative_assets`: stylesheets, scripts and images are
    /// addressed relative to each page; links to pages are not.
    pub relative_assets: bool,
    /// `set :relative_links, true`.
    pub relative_links: bool,
    /// (from, to, line).
    pub redirects: Vec<(String, String, usize)>,
    pub report_issue_url: Option<String>,
    /// Layouts by page address, in the file's order: (glob, layout). `set
    /// :layout` is the glob `*`; a `page` rule's glob is matched against
    /// the page's address (`/docs/*`).
    pub layouts: Vec<(String, String)>,
    /// (line, the statement's first line) for each statement not acted on.
    pub ignored: Vec<(usize, String)>,
}

/// One top-level statement: its first line's number and its lines.
struct Statement<'a> {
    line: usize,
    lines: Vec<&'a str>,
}

fn code_of(line: &str) -> &str {
    // A `#` inside a string is rare in these files; a line cut there reads
    // as a statement not acted on, which is reported, never misread.
    line.split(" #").next().unwrap_or(line).trim()
}

/// Whether a line opens a block that a later `end` closes.
fn opens_block(code: &str) -> bool {
    let first = code.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "module" | "class" | "def" | "if" | "unless" | "while" | "until" | "case" | "begin"
    ) && !(first == "def" && code.contains(" = "))
        || code.ends_with(" do")
        || code.ends_with(" do |")
        || (code.contains(" do |") && code.ends_with('|'))
}

/// Top-level statements, a block with everything inside it being one.
fn statements(text: &str) -> Vec<Statement<'_>> {
    let mut found = Vec::new();
    let mut depth = 0usize;
    for (index, raw) in text.lines().enumerate() {
        let code = code_of(raw);
        if code.is_empty() || code.starts_with('#') {
            continue;
        }
        if depth == 0 {
            found.push(Statement {
                line: index + 1,
                lines: Vec::new(),
            });
        }
        if let Some(statement) = found.last_mut() {
            statement.lines.push(code);
        }
        if opens_block(code) {
            depth += 1;
        } else if (code == "end" || code.starts_with("end ") || code.starts_with("end."))
            && depth > 0
        {
            depth -= 1;
        }
    }
    found
}

/// The string literal a piece of Ruby is, if it is one ("x" or 'x').
fn string_literal(code: &str) -> Option<String> {
    let code = code.trim();
    let quote = code.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = code.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner.contains(quote) || (quote == '"' && inner.contains("#{")) {
        return None;
    }
    Some(inner.to_string())
}

/// `redirect "from", to: "to"` (or `:to => "to"`).
fn redirect(code: &str) -> Option<(String, String)> {
    let rest = code.strip_prefix("redirect")?.trim_start();
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    let (from, to) = rest.split_once(',')?;
    let to = to.trim();
    let to = to
        .strip_prefix("to:")
        .or_else(|| to.strip_prefix(":to =>"))?;
    Some((string_literal(from)?, string_literal(to)?))
}

/// A symbol or string naming a layout: `:withdrawn` or `"withdrawn"`; or
/// `false`, for no layout (`parse::BARE_LAYOUT`).
fn layout_name(code: &str) -> Option<String> {
    let code = code.trim();
    if code == "false" {
        return Some("false".to_string());
    }
    match code.strip_prefix(':') {
        Some(symbol)
            if !symbol.is_empty() && symbol.chars().all(|c| c.is_alphanumeric() || c == '_') =>
        {
            Some(symbol.to_string())
        }
        Some(_) => None,
        None => string_literal(code),
    }
}

/// `set :layout, :name` as ("*", name); `page "/glob", layout: :name` as
/// (glob, name).
fn layout_rule(code: &str) -> Option<(String, String)> {
    if let Some(rest) = code.strip_prefix("set :layout,") {
        return Some(("*".to_string(), layout_name(rest)?));
    }
    let rest = code.strip_prefix("page ")?.trim();
    let (glob, options) = rest.split_once(',')?;
    let options = options.trim();
    let name = options
        .strip_prefix("layout:")
        .or_else(|| options.strip_prefix(":layout =>"))?;
    Some((string_literal(glob)?, layout_name(name)?))
}

/// A block that defines `report_issue_url` to return a string literal:
/// the URL, when every method in it is that one.
fn report_issue_url(statement: &Statement<'_>) -> Option<String> {
    let first = statement.lines.first()?;
    if !(first.starts_with("module") || first.starts_with("class")) || !first.contains("SourceUrls")
    {
        return None;
    }
    let mut url = None;
    let mut lines = statement.lines.iter().skip(1);
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("def ") {
            if name.trim() != "report_issue_url" {
                return None;
            }
            url = Some(string_literal(lines.next()?)?);
        }
    }
    url
}

/// The Middleman extensions `manual` acts on when `activate`d.
const EXTENSIONS: &[&str] = &["directory_indexes", "relative_assets"];

/// The extension a line activates, if it is one `manual` acts on.
fn activated(code: &str) -> Option<&'static str> {
    let rest = code.strip_prefix("activate :")?;
    EXTENSIONS.iter().copied().find(|name| {
        rest.strip_prefix(name)
            .is_some_and(|after| after.is_empty() || after.starts_with(' '))
    })
}

pub fn read(text: &str) -> ConfigRb {
    let mut config = ConfigRb::default();
    for statement in statements(text) {
        let code = statement.lines[0];
        // Also inside `configure :build do ... end`, where it applies to the
        // build; a block holding nothing else is then fully acted on.
        let extensions: Vec<&str> = statement
            .lines
            .iter()
            .filter_map(|l| activated(l))
            .collect();
        if !extensions.is_empty() {
            config.directory_indexes |= extensions.contains(&"directory_indexes");
            config.relative_assets |= extensions.contains(&"relative_assets");
            let rest_is_plumbing = statement.lines[1..]
                .iter()
                .all(|line| activated(line).is_some() || *line == "end");
            if statement.lines.len() == 1
                || (code.starts_with("configure :build") && rest_is_plumbing)
            {
                continue;
            }
        }
        if code.starts_with("require ") || code.starts_with("require(") {
            continue;
        }
        if code.starts_with("GovukTechDocs.configure") && statement.lines.len() == 1 {
            continue;
        }
        if statement.lines.len() == 1
            && let Some((from, to)) = redirect(code)
        {
            config.redirects.push((from, to, statement.line));
            continue;
        }
        if statement.lines.len() == 1
            && let Some(value) = code.strip_prefix("set :relative_links,")
            && matches!(value.trim(), "true" | "false")
        {
            config.relative_links = value.trim() == "true";
            continue;
        }
        if statement.lines.len() == 1
            && let Some(rule) = layout_rule(code)
        {
            config.layouts.push(rule);
            continue;
        }
        if let Some(url) = report_issue_url(&statement) {
            config.report_issue_url = Some(url);
            continue;
        }
        config.ignored.push((statement.line, code.to_string()));
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_the_declarative_lines_and_names_every_other_statement() {
        let config = read(concat!(
            "require \"govuk_tech_docs\"\n",
            "# a comment\n",
            "GovukTechDocs.configure(self)\n",
            "activate :directory_indexes\n",
            "redirect \"/old.html\", to: \"/new.html\"\n",
            "redirect '/a/', :to => '/b/'\n",
            "set :relative_links, true\n",
            "module SourceUrls\n",
            "  def report_issue_url\n",
            "    \"https://support.example.org/docs\"\n",
            "  end\n",
            "end\n",
            "configure :development do\n",
            "  ready do\n",
            "    puts 1\n",
            "  end\n",
            "end\n",
            "redirect \"/x.html\", to: \"#{ENV['Y']}\"\n",
        ));
        let layouts = read(
            "set :layout, :core\npage \"/old/*\", layout: \"withdrawn\"\npage \"/x\", layout: false\n",
        );
        assert_eq!(
            layouts.layouts,
            [
                ("*".to_string(), "core".to_string()),
                ("/old/*".to_string(), "withdrawn".to_string()),
                ("/x".to_string(), "false".to_string())
            ]
        );
        assert!(layouts.ignored.is_empty(), "{:?}", layouts.ignored);
        let built = read("configure :build do\n  activate :directory_indexes\nend\n");
        assert!(
            built.directory_indexes && built.ignored.is_empty(),
            "{built:?}"
        );
        let assets = read(
            "configure :build do\n  activate :relative_assets\nend\nactivate :relative_assets_not\n",
        );
        assert!(
            assets.relative_assets && !assets.directory_indexes,
            "{assets:?}"
        );
        assert_eq!(assets.ignored.len(), 1, "{assets:?}");
        assert!(config.directory_indexes && config.relative_links);
        assert_eq!(
            config.redirects,
            [
                ("/old.html".into(), "/new.html".into(), 5),
                ("/a/".into(), "/b/".into(), 6)
            ]
        );
        assert_eq!(
            config.report_issue_url.as_deref(),
            Some("https://support.example.org/docs")
        );
        assert_eq!(
            config.ignored,
            [
                (13, "configure :development do".to_string()),
                (18, "redirect \"/x.html\", to: \"#{ENV['Y']}\"".to_string()),
            ]
        );
    }
}
