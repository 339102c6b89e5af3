//! Site settings, read from `site.yml`. Key names follow tech-docs.yml where
//! the meaning is the same, so an existing tech-docs site can move over.

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic};
use crate::yaml;

fn default_required() -> Vec<String> {
    vec!["title".into(), "owner_slack".into()]
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The site's public origin, e.g. `https://docs.example.org`.
    pub host: Option<String>,
    /// Shown in the header and in every page title.
    pub service_name: String,
    /// One sentence about the site, for the home page and `<meta>`.
    pub description: Option<String>,
    /// Header navigation, in the order written: link text -> URL.
    pub header_links: IndexMap<String, String>,
    pub footer_links: IndexMap<String, String>,
    /// Old URL -> new URL.
    pub redirects: IndexMap<String, String>,
    /// `owner/name` on GitHub: pages get "Edit this page" and link their
    /// last-updated date to its commit.
    pub github_repo: Option<String>,
    /// The branch "Edit this page" opens [default: main].
    pub github_branch: Option<String>,
    /// A search box in the header and a search page (off by default, as in
    /// tech-docs).
    pub enable_search: bool,
    /// The path the site is served under, e.g. `/docs` for
    /// `https://example.org/docs/`; empty for the root. Every link and asset
    /// URL the site writes starts with it.
    pub base_path: String,
    /// The owner registry: `#channel` or `@person` -> team or description.
    /// When set, every `owner_slack` must be one of these.
    pub owners: IndexMap<String, String>,
    /// URL prefixes served by other systems on the same host (e.g. `/repos/`):
    /// links under them are not checked.
    pub external_paths: Vec<String>,
    /// The front matter keys every page must have. A reader needs a title
    /// and someone to ask; a manual may ask for more (`section`,
    /// `review_by`, ...).
    #[serde(default = "default_required")]
    pub required_front_matter: Vec<String>,
    /// Let pages run script for readers: raw `<script>`, event handlers,
    /// `javascript:` addresses. Off: each is an error, even with
    /// `--skip-check`, since any contributor could otherwise run script in
    /// every reader's browser.
    pub allow_script: bool,
    /// Content lints, each on unless switched off here.
    pub lints: Lints,
    /// How `check --external` checks links to other sites.
    pub external_links: ExternalLinks,
    /// Where each key was written: `redirects./old.html` -> (line, column).
    #[serde(skip)]
    pub positions: std::collections::HashMap<String, (usize, usize)>,
    /// The settings file, when there was one.
    #[serde(skip)]
    pub path: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lints {
    /// Text that was decoded with the wrong encoding, such as `â€™`.
    pub mojibake: bool,
    /// `###Heading` or `###` followed by a no-break space: not a heading.
    pub heading_space: bool,
    /// `Gov.uk` where `GOV.UK` is meant.
    pub govuk_spelling: bool,
    /// A title that starts with an -ing word ("Deploying" for "Deploy").
    pub title_verb: bool,
    /// A page file not named `*.html.md`.
    pub page_file_name: bool,
}

impl Default for Lints {
    fn default() -> Self {
        Lints {
            mojibake: true,
            heading_space: true,
            govuk_spelling: true,
            title_verb: true,
            page_file_name: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExternalLinks {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Least time between two requests to one host.
    pub per_host_interval_ms: u64,
    /// Give up on a request after this long.
    pub timeout_seconds: u64,
    /// Tries after the first, on 429, 5xx and network errors, with backoff.
    pub retries: u32,
    /// Wait before the first retry; it doubles on each further one, unless
    /// the server says how long with `Retry-After`.
    pub backoff_ms: u64,
    /// Status codes that count as working besides 2xx.
    pub accepted_status: Vec<u16>,
    /// URL prefixes never requested.
    pub exclude: Vec<String>,
    /// Results are kept here, relative to the current folder.
    pub cache_file: String,
    /// How long a result stays in the cache.
    pub cache_hours: u64,
}

impl Default for ExternalLinks {
    fn default() -> Self {
        ExternalLinks {
            concurrency: 8,
            per_host_interval_ms: 250,
            timeout_seconds: 10,
            retries: 2,
            backoff_ms: 1000,
            accepted_status: vec![],
            exclude: vec![],
            cache_file: ".manual-link-cache.json".into(),
            cache_hours: 24,
        }
    }
}

/// `docs/`, `/docs/` and `/docs` all mean `/docs`; `/` means the root.
fn normalize_base_path(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    // The base path is written into every address of every page, inside
    // HTML attributes: only the characters a URL path needs no escaping
    // for are allowed (a quote could otherwise end the attribute).
    let bad = trimmed.split('/').find(|part| {
        part.is_empty()
            || *part == "."
            || *part == ".."
            || !part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
    });
    match bad {
        Some(part) => Err(format!("`{part}` is not a usable part of a URL path")),
        None => Ok(format!("/{trimmed}")),
    }
}

/// `host` is where the site is published: `http` or `https`, a host name,
/// maybe a port and a path (a project site on GitHub Pages), and nothing
/// else: it is written into every canonical link and the sitemap.
fn check_host(host: &str) -> Result<(), String> {
    let parsed = url::Url::parse(host).map_err(|e| format!("`{host}` is not an address: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{host}` must start with https:// or http://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{host}` has no host name"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("`{host}` must not have a `?` or `#` part"));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{}` holds spaces or control characters",
            host.escape_debug()
        ));
    }
    Ok(())
}

impl Settings {
    /// A URL written in the settings (a header or footer link) as pages
    /// show it: a root-relative one under `base_path`, others as written.
    /// Site paths the build computes go through `url::href` instead.
    pub fn written_href(&self, url: &str) -> String {
        if url.starts_with('/') && !url.starts_with("//") {
            format!("{}{url}", self.base_path)
        } else {
            url.to_string()
        }
    }

    pub fn github_branch(&self) -> &str {
        self.github_branch.as_deref().unwrap_or("main")
    }

    /// Where `key` (a path such as `redirects./old.html`) was written.
    pub fn position_of(&self, key: &str) -> (usize, usize) {
        self.positions.get(key).copied().unwrap_or((0, 0))
    }

    pub fn defaults() -> Self {
        Settings {
            service_name: "Manual".into(),
            required_front_matter: default_required(),
            ..Settings::default()
        }
    }
}

/// Reads the settings file. A missing file gives the defaults when it was
/// not asked for by name (`required == false`).
pub fn load(path: &Path, required: bool) -> Result<Settings, Diagnostic> {
    use crate::load::{MAX_SETTINGS_BYTES, ReadError, read_text};
    let text = match read_text(path, MAX_SETTINGS_BYTES) {
        Ok(text) => text,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Settings::defaults());
        }
        Err(ReadError::NotUtf8(line, column, _)) => {
            return Err(Diagnostic::error(
                Code::SettingsNotUtf8,
                path,
                "settings file is not valid UTF-8",
            )
            .at(line, column)
            .with_help("save the file with UTF-8 encoding"));
        }
        Err(ReadError::TooLarge(limit)) => {
            return Err(Diagnostic::error(
                Code::SourceTooLarge,
                path,
                format!("settings file is larger than {} MiB", limit / (1024 * 1024)),
            )
            .with_help("keep the settings file to the settings"));
        }
        Err(ReadError::NotRegular) => {
            return Err(Diagnostic::error(
                Code::SourceNotRegular,
                path,
                "the settings file is a FIFO, socket or device, not a file",
            )
            .with_help("give --config a regular file"));
        }
        Err(ReadError::Io(e)) => {
            return Err(Diagnostic::error(
                Code::SettingsUnreadable,
                path,
                format!("cannot read settings: {e}"),
            )
            .with_help("check the path given to --config"));
        }
    };
    let mut settings = parse(&text).map_err(|e| Diagnostic {
        file: path.to_path_buf(),
        ..e
    })?;
    settings.path = Some(path.to_path_buf());
    Ok(settings)
}

/// Parses settings text; the returned diagnostic has an empty file name.
pub fn parse(text: &str) -> Result<Settings, Diagnostic> {
    let doc = yaml::parse(text).map_err(|e| {
        Diagnostic::error(
            Code::SettingsYaml,
            "",
            format!("settings are not valid YAML: {}", e.message),
        )
        .at(e.at.0, e.at.1)
        .with_help("fix the YAML syntax")
    })?;
    if let Some(duplicate) = doc.duplicates.first() {
        return Err(Diagnostic::error(
            Code::SettingsDuplicateKey,
            "",
            format!(
                "`{}` is set twice (first on line {})",
                duplicate.path, duplicate.first_at.0
            ),
        )
        .at(duplicate.at.0, duplicate.at.1)
        .with_help("keep one of them"));
    }
    let value = match doc.value {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        ref v => v.clone(),
    };
    let mut settings: Settings = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (line, column) = doc.position_of(&path).unwrap_or((1, 1));
        let message = e.inner().to_string();
        let help = if message.starts_with("unknown field") {
            "remove the key or correct its spelling".to_string()
        } else {
            format!("see the settings table in the user guide for the type of `{path}`")
        };
        Diagnostic::error(Code::SettingsInvalid, "", format!("settings: {message}"))
            .at(line, column)
            .with_help(help)
    })?;
    settings.positions = doc.positions().clone();
    settings.base_path = normalize_base_path(&settings.base_path).map_err(|message| {
        let (line, column) = settings.position_of("base_path");
        Diagnostic::error(
            Code::SettingsInvalid,
            "",
            format!("settings: `base_path`: {message}"),
        )
        .at(line, column)
        .with_help("write the path the site is served under, e.g. `base_path: /docs`")
    })?;
    // The cache is written by `check --external`: it may name no file outside
    // the project (a pull request could otherwise overwrite any file the CI
    // user can write).
    let cache = std::path::Path::new(&settings.external_links.cache_file);
    let leaves_project = cache.is_absolute()
        || settings.external_links.cache_file.is_empty()
        || settings
            .external_links
            .cache_file
            .chars()
            .any(|c| c.is_control() || c == '\\')
        || cache
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)));
    if leaves_project {
        let (line, column) = settings.position_of("external_links.cache_file");
        return Err(Diagnostic::error(
            Code::SettingsInvalid,
            "",
            format!(
                "settings: `external_links.cache_file` must be a file inside the project, not `{}`",
                settings.external_links.cache_file.escape_debug()
            ),
        )
        .at(line, column)
        .with_help("write a relative path with no `..`, such as .manual-link-cache.json"));
    }
    if let Some(host) = &settings.host
        && let Err(problem) = check_host(host)
    {
        let (line, column) = settings.position_of("host");
        return Err(Diagnostic::error(
            Code::SettingsInvalid,
            "",
            format!("settings: `host`: {problem}"),
        )
        .at(line, column)
        .with_help(
            "write the address the site is published at, such as https://docs.example.org",
        ));
    }
    if let Some(repo) = &settings.github_repo {
        let mut parts = repo.split('/');
        let part_ok = |p: Option<&str>| {
            p.is_some_and(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            })
        };
        if !(part_ok(parts.next()) && part_ok(parts.next()) && parts.next().is_none()) {
            let (line, column) = settings.position_of("github_repo");
            return Err(Diagnostic::error(
                Code::SettingsInvalid,
                "",
                format!(
                    "settings: `github_repo` is `{}`, not `owner/name`",
                    repo.escape_debug()
                ),
            )
            .at(line, column)
            .with_help(
                "write the repository as owner/name, such as alphagov/govuk-developer-docs",
            ));
        }
    }
    if settings.service_name.is_empty() {
        settings.service_name = Settings::defaults().service_name;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_list_the_known_ones() {
        let err = parse("service_name: X\nhots: example.org\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("unknown field `hots`"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`host`"), "{}", err.message);
    }

    #[test]
    fn base_path_is_normalized_and_prefixes_site_urls() {
        for (written, expected) in [
            ("", ""),
            ("/", ""),
            ("docs", "/docs"),
            ("/docs/", "/docs"),
            ("/a/b", "/a/b"),
        ] {
            let s = parse(&format!("base_path: \"{written}\"\n")).unwrap();
            assert_eq!(s.base_path, expected, "{written}");
        }
        let s = parse("base_path: /docs\n").unwrap();
        assert_eq!(s.written_href("/manual/x.html#a"), "/docs/manual/x.html#a");
        assert_eq!(
            s.written_href("//cdn.example.org/x.js"),
            "//cdn.example.org/x.js"
        );
        assert_eq!(
            s.written_href("https://example.org/"),
            "https://example.org/"
        );
        assert_eq!(s.written_href("#top"), "#top");
        let err = parse("service_name: X\nbase_path: /a/../b\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("`..`"), "{}", err.message);
    }

    #[test]
    fn links_keep_their_order() {
        let s = parse("header_links:\n  Zeta: /z.html\n  Alpha: /a.html\n").unwrap();
        let names: Vec<_> = s.header_links.keys().collect();
        assert_eq!(names, ["Zeta", "Alpha"]);
        assert_eq!(s.service_name, "Manual");
    }

    #[test]
    fn wrong_types_are_located() {
        let err = parse("service_name: X\nredirects: [a]\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("redirects") || err.message.contains("map"),
            "{}",
            err.message
        );
    }
}
