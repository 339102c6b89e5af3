//! Site settings: the tech-docs gem's `config/tech-docs.yml` when the site
//! has one, and our own `site.yml`, which adds what the gem cannot say and
//! overrides the gem's values key by key. Key names are the gem's where the
//! meaning is the same, so one file serves both.

pub mod config_rb;
pub mod erb_env;
mod of_project;
pub mod tech_docs;

pub use of_project::for_project;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::yaml;

fn default_required() -> Vec<String> {
    vec!["title".into(), "owner_slack".into()]
}

/// How headings get their ids (see `parse::heading_id`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadingIdScheme {
    /// GOV.UK Developer Docs' ids, as this manual has always had.
    #[default]
    GovukDeveloperDocs,
    /// The ids the tech-docs gem gives, for a site moving from it.
    TechDocsGem,
}

/// Where "Report problem" goes (the gem's `source_urls`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceUrls {
    /// An address (`mailto:` or a form) instead of a new GitHub issue.
    pub report_issue_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The site's public origin, e.g. `https://docs.example.org`.
    pub host: Option<String>,
    /// Shown in the header and in every page title.
    pub service_name: String,
    /// The service's full name, for titles and sharing (`GOV.UK Pay`).
    pub full_service_name: Option<String>,
    /// Where the service name in the header goes [default: the home page].
    pub service_link: Option<String>,
    /// Show "GOV.UK" before the service name in the header.
    pub show_govuk_logo: bool,
    /// A phase banner under the header: `Alpha`, `Beta`.
    pub phase: Option<String>,
    /// The pages as a navigation tree beside every page, nested by folder
    /// and ordered by `weight`, then title.
    pub multipage_nav: bool,
    /// Branches of the navigation tree open and close.
    pub collapsible_nav: bool,
    /// The deepest heading level in a page's contents, 1 to 6.
    pub max_toc_heading_level: Option<u8>,
    /// Ask search engines not to index any page (`noindex`).
    pub prevent_indexing: bool,
    /// "View source", "Report problem" and "GitHub Repo" links on pages.
    pub show_contribution_banner: bool,
    /// Where "Report problem" goes.
    pub source_urls: SourceUrls,
    /// The owner of pages that name none.
    pub default_owner_slack: Option<String>,
    /// The Slack workspace owners are in: owners link to it.
    pub owner_slack_workspace: Option<String>,
    /// Show the review box on pages with review dates [default: true].
    pub show_review_banner: Option<bool>,
    /// Say when a page is due for review, and when it is overdue [default: true].
    pub show_expiry: Option<bool>,
    /// Google's site verification code, as a `<meta>` tag.
    pub google_site_verification: Option<String>,
    /// How headings get their ids [default: `tech-docs-gem` with a
    /// tech-docs.yml, else `govuk-developer-docs`].
    pub heading_ids: Option<HeadingIdScheme>,
    /// Publish `x.html.md` at `/x/` (Middleman's `directory_indexes`)
    /// [default: on when the project's config.rb activates it].
    pub directory_indexes: Option<bool>,
    /// Project helpers for ERB pages: name -> Tera template.
    pub helpers: IndexMap<String, String>,
    /// One sentence about the site, for the home page and `<meta>`.
    pub description: Option<String>,
    /// Header navigation, in the order written: link text -> URL.
    pub header_links: IndexMap<String, String>,
    pub footer_links: IndexMap<String, String>,
    /// Old URL -> new URL.
    pub redirects: IndexMap<String, String>,
    /// `owner/name` on GitHub (or the repository's address): pages get
    /// "Edit this page" and link their last-updated date to its commit.
    pub github_repo: Option<String>,
    /// The branch "Edit this page" opens [default: main; master with a
    /// tech-docs.yml, as the gem].
    pub github_branch: Option<String>,
    /// A search box in the header and a search page (off by default, as in
    /// tech-docs).
    pub enable_search: bool,
    /// Write every address relative to the page (`../assets/manual.css`),
    /// so the built site works from a folder or a zip with no server
    /// (Middleman's `relative_links`, also read from `config.rb`). The
    /// page-not-found page keeps root-relative addresses: hosts show it at
    /// any depth.
    pub relative_links: bool,
    /// Write only the addresses of files that are not pages (stylesheets,
    /// scripts, images) relative to the page, as Middleman's
    /// `relative_assets` does; links to pages stay as written. Implied by
    /// `relative_links`.
    pub relative_assets: bool,
    /// Prometheus alert rule files, folders or globs in the project whose
    /// `runbook_url` links `check` follows into the manual.
    pub alert_rules: Vec<String>,
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
    /// `review_by`, ...). [default: title and owner_slack; title alone with
    /// a tech-docs.yml, as the gem asks for no owner]
    pub required_front_matter: Option<Vec<String>>,
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
    pub positions: HashMap<String, (usize, usize)>,
    /// Which file each top-level key was written in, when not `path`.
    #[serde(skip)]
    pub key_files: HashMap<String, PathBuf>,
    /// Our settings file, when there was one.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The tech-docs gem's settings file, when the site has one.
    #[serde(skip)]
    pub tech_docs: Option<PathBuf>,
    /// The gem's settings as written, for `config[:tech_docs]` in ERB.
    #[serde(skip)]
    pub tech_docs_raw: serde_json::Value,
    /// Below the repository's root, where the site's files are, from a
    /// `github_repo` written as an address with a path.
    #[serde(skip)]
    pub repository_folder: Option<String>,
    /// The project's Middleman config.rb activates `directory_indexes`.
    #[serde(skip)]
    pub middleman_directory_indexes: bool,
    /// config.rb's layouts: (address glob, layout), in its order; a page's
    /// own `layout:` comes first (`parse::layout_rules`).
    #[serde(skip)]
    pub middleman_layouts: Vec<(String, String)>,
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
    /// An image with no alt text (`![](x.png)`, `<img>` without `alt`).
    pub image_alt: bool,
    /// A heading more than one level below the one before it.
    pub heading_levels: bool,
    /// Two pages with the same title in one section.
    pub duplicate_titles: bool,
    /// Link text such as "click here" or "read more".
    pub link_text: bool,
}

impl Default for Lints {
    fn default() -> Self {
        Lints {
            mojibake: true,
            heading_space: true,
            govuk_spelling: true,
            title_verb: true,
            page_file_name: true,
            image_alt: true,
            heading_levels: true,
            duplicate_titles: true,
            link_text: true,
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
        self.github_branch
            .as_deref()
            .unwrap_or(if self.tech_docs.is_some() {
                "master"
            } else {
                "main"
            })
    }

    /// Where `key` (a path such as `redirects./old.html`) was written.
    pub fn position_of(&self, key: &str) -> (usize, usize) {
        self.positions.get(key).copied().unwrap_or((0, 0))
    }

    /// The file a key was written in (`redirects./old` is in the file that
    /// set `redirects`).
    pub fn file_of(&self, key: &str) -> PathBuf {
        let top = key.split(['.', '[']).next().unwrap_or(key);
        self.key_files
            .get(key)
            .or_else(|| self.key_files.get(top))
            .or(self.path.as_ref())
            .or(self.tech_docs.as_ref())
            .cloned()
            .unwrap_or_else(|| "site.yml".into())
    }

    /// Whether any settings file was read.
    pub fn has_file(&self) -> bool {
        self.path.is_some() || self.tech_docs.is_some()
    }

    pub fn heading_ids(&self) -> HeadingIdScheme {
        self.heading_ids.unwrap_or(if self.tech_docs.is_some() {
            HeadingIdScheme::TechDocsGem
        } else {
            HeadingIdScheme::GovukDeveloperDocs
        })
    }

    pub fn required_front_matter(&self) -> Vec<String> {
        match &self.required_front_matter {
            Some(keys) => keys.clone(),
            // The gem publishes a page without `title` under its first
            // heading (the parse takes that as the title), so a site moving
            // from it requires nothing until it says so.
            None if self.tech_docs.is_some() => Vec::new(),
            None => default_required(),
        }
    }

    pub fn directory_indexes(&self) -> bool {
        self.directory_indexes
            .unwrap_or(self.middleman_directory_indexes)
    }

    pub fn shows_review_banner(&self) -> bool {
        self.show_review_banner.unwrap_or(true)
    }

    pub fn shows_expiry(&self) -> bool {
        self.show_expiry.unwrap_or(true)
    }

    /// The name pages and sharing use: the full name when there is one.
    pub fn site_name(&self) -> &str {
        self.full_service_name
            .as_deref()
            .unwrap_or(&self.service_name)
    }

    /// A Slack owner's address in the workspace, when the settings name one:
    /// `#channel` and `@person` both open in Slack.
    pub fn owner_url(&self, owner: &str) -> Option<String> {
        let workspace = self.owner_slack_workspace.as_deref()?.trim();
        if workspace.is_empty()
            || !workspace
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return None;
        }
        let name = owner.trim().trim_start_matches(['#', '@']);
        let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        Some(format!("https://{workspace}.slack.com/messages/{name}"))
    }

    pub fn defaults() -> Self {
        Settings {
            service_name: "Manual".into(),
            ..Settings::default()
        }
    }
}

/// The settings files a site may have.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    /// Our settings file.
    pub ours: &'a Path,
    /// Whether it was named on the command line (then it must exist).
    pub ours_required: bool,
    /// The gem's `tech-docs.yml`, when the site has one.
    pub tech_docs: Option<&'a Path>,
    /// The project folder, whose Middleman `config.rb` may activate
    /// `directory_indexes`.
    pub project_root: &'a Path,
    /// Values given with `--env NAME=VALUE`, the only environment a
    /// `tech-docs.yml.erb` reads.
    pub env: &'a [(String, Option<String>)],
}

/// Reads the site's settings: the gem's file, then ours over it. Returns
/// the settings and any warnings, or every error found (all unknown keys
/// in both files at once).
pub fn load_files(files: Files<'_>) -> Result<(Settings, Diagnostics), Diagnostics> {
    let mut problems = Diagnostics::new();
    let ours = match read(files.ours, files.ours_required) {
        Ok(text) => text,
        Err(e) => return Err(Diagnostics::from_iter([e])),
    };
    let gem = match files.tech_docs.map(|path| read(path, true)).transpose() {
        Ok(text) => text.flatten(),
        Err(e) => return Err(Diagnostics::from_iter([e])),
    };
    // `tech-docs.yml.erb`: its environment reads, then YAML like the rest.
    let gem = match (files.tech_docs, gem) {
        (Some(path), Some(text)) if path.extension().is_some_and(|e| e == "erb") => {
            match erb_env::render(&text, files.env) {
                Ok(yaml) => Some(yaml),
                Err(problem) => {
                    return Err(Diagnostics::from_iter([Diagnostic::error(
                        Code::SettingsInvalid,
                        path,
                        problem.message,
                    )
                    .at(problem.line, problem.column)
                    .with_help(
                        "manual runs only `<%= ENV['NAME'] %>`, `ENV.fetch('NAME', 'default')`, `ENV['NAME'] || 'default'` and comments here, and reads only the variables named with `--env NAME` or `--env NAME=VALUE`",
                    )]));
                }
            }
        }
        (_, gem) => gem,
    };
    let mut merged = serde_json::Map::new();
    let mut positions = HashMap::new();
    let mut key_files = HashMap::new();
    let mut raw = serde_json::Value::Null;
    let mut repository_folder = None;
    if let (Some(path), Some(text)) = (files.tech_docs, &gem) {
        match tech_docs::read(text) {
            Ok(read) => {
                for warning in read.unsupported {
                    problems.push(
                        Diagnostic::warning(Code::SettingUnsupported, path, warning.message)
                            .at(warning.at.0, warning.at.1)
                            .with_help(warning.help),
                    );
                }
                for (key, value) in read.values {
                    key_files.insert(key.clone(), path.to_path_buf());
                    merged.insert(key, value);
                }
                positions.extend(read.positions);
                raw = read.raw;
                repository_folder = read.repository_folder;
            }
            Err(e) => problems.push(Diagnostic {
                file: path.to_path_buf(),
                ..e
            }),
        }
    }
    if let Some(text) = &ours {
        match document(text) {
            Ok((value, doc)) => {
                if let serde_json::Value::Object(map) = value {
                    for (key, value) in map {
                        if value.is_null() {
                            continue;
                        }
                        key_files.remove(&key);
                        // Our key replaces the gem's whole value, positions too.
                        let prefix = format!("{key}.");
                        positions.retain(|k: &String, _| k != &key && !k.starts_with(&prefix));
                        merged.insert(key, value);
                    }
                }
                positions.extend(doc.positions().clone());
            }
            Err(e) => problems.push(Diagnostic {
                file: files.ours.to_path_buf(),
                ..e
            }),
        }
    }
    if problems.has_errors() {
        return Err(problems);
    }
    let file_of = |key: &str| -> PathBuf {
        let top = key.split(['.', '[']).next().unwrap_or(key);
        key_files
            .get(top)
            .cloned()
            .unwrap_or_else(|| files.ours.to_path_buf())
    };
    let mut settings = match typed(
        serde_json::Value::Object(merged),
        &|path| positions.get(path).copied(),
        &file_of,
    ) {
        Ok(settings) => settings,
        Err(errors) => {
            problems.extend(errors);
            return Err(problems);
        }
    };
    settings.positions = positions;
    settings.key_files = key_files;
    settings.path = ours.is_some().then(|| files.ours.to_path_buf());
    settings.tech_docs = gem
        .is_some()
        .then(|| files.tech_docs.map(Path::to_path_buf))
        .flatten();
    settings.tech_docs_raw = raw;
    settings.repository_folder = repository_folder;
    // Named as people write it (`config.rb`, not `./config.rb`).
    let config_rb_path = if files.project_root == Path::new(".") {
        PathBuf::from("config.rb")
    } else {
        files.project_root.join("config.rb")
    };
    if let Ok(text) = crate::load::read_text(&config_rb_path, crate::load::MAX_SETTINGS_BYTES) {
        let config = config_rb::read(&text);
        settings.middleman_directory_indexes = config.directory_indexes;
        settings.middleman_layouts = config.layouts;
        settings.relative_links |= config.relative_links;
        settings.relative_assets |= config.relative_assets;
        // Middleman's redirects join the settings' own; one both name keeps
        // the settings' target (the file a team edits now).
        for (from, to, line) in config.redirects {
            let key = format!("redirects.{from}");
            if !settings.redirects.contains_key(&from) {
                settings.redirects.insert(from, to);
                settings.positions.insert(key.clone(), (line, 1));
                settings.key_files.insert(key, config_rb_path.clone());
            }
        }
        if let Some(url) = config.report_issue_url {
            settings.source_urls.report_issue_url = Some(url);
        }
        for (line, code) in config.ignored {
            problems.push(
                Diagnostic::warning(
                    Code::ConfigRbIgnored,
                    &config_rb_path,
                    format!("`{code}` is Ruby that manual does not run, so it has no effect"),
                )
                .at(line, 1)
                .with_help("manual reads `activate :directory_indexes`, `activate :relative_assets`, `set :relative_links`, `redirect \"/from\", to: \"/to\"`, `set :layout`, `page \"/glob\", layout:` and a `SourceUrls` `report_issue_url` that returns a string; do the rest in site.yml, or remove the line"),
            );
        }
    }
    if let Err(e) = check(&mut settings) {
        let file = settings.file_of(&e.file.to_string_lossy());
        problems.push(Diagnostic { file, ..e });
        return Err(problems);
    }
    Ok((settings, problems))
}

/// A settings file's text; `None` when it is missing and was not asked for.
fn read(path: &Path, required: bool) -> Result<Option<String>, Diagnostic> {
    use crate::load::{MAX_SETTINGS_BYTES, ReadError, read_text};
    match read_text(path, MAX_SETTINGS_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
        Err(ReadError::NotUtf8(line, column, _)) => Err(Diagnostic::error(
            Code::SettingsNotUtf8,
            path,
            "settings file is not valid UTF-8",
        )
        .at(line, column)
        .with_help("save the file with UTF-8 encoding")),
        Err(ReadError::TooLarge(limit)) => Err(Diagnostic::error(
            Code::SourceTooLarge,
            path,
            format!("settings file is larger than {} MiB", limit / (1024 * 1024)),
        )
        .with_help("keep the settings file to the settings")),
        Err(ReadError::NotRegular) => Err(Diagnostic::error(
            Code::SourceNotRegular,
            path,
            "the settings file is a FIFO, socket or device, not a file",
        )
        .with_help("give --config a regular file")),
        Err(ReadError::Io(e)) => Err(Diagnostic::error(
            Code::SettingsUnreadable,
            path,
            format!("cannot read settings: {e}"),
        )
        .with_help("check the path given to --config")),
    }
}

/// Settings YAML as a value with its keys' positions; the diagnostic has
/// an empty file name.
fn document(text: &str) -> Result<(serde_json::Value, yaml::LocatedYaml), Diagnostic> {
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
    let value = match &doc.value {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        v => v.clone(),
    };
    if !value.is_object() {
        return Err(Diagnostic::error(
            Code::SettingsInvalid,
            "",
            "settings must be `key: value` lines",
        )
        .at(1, 1)
        .with_help("write one setting per line, such as `service_name: My manual`"));
    }
    Ok((value, doc))
}

/// The value as `Settings`. Every unknown key is reported, each at its
/// place, before giving up (a file with several is fixed in one go); a
/// wrong type stops at the first.
fn typed(
    mut value: serde_json::Value,
    position: &dyn Fn(&str) -> Option<(usize, usize)>,
    file_of: &dyn Fn(&str) -> PathBuf,
) -> Result<Settings, Diagnostics> {
    let mut problems = Diagnostics::new();
    // A key written with no value (`header_links:`) is not set.
    if let serde_json::Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
    }
    loop {
        match serde_path_to_error::deserialize::<_, Settings>(value.clone()) {
            Ok(settings) if problems.is_empty() => return Ok(settings),
            Ok(_) => return Err(problems),
            Err(e) => {
                let path = e.path().to_string();
                let (line, column) = position(&path).unwrap_or((1, 1));
                let message = e.inner().to_string();
                let unknown = message.starts_with("unknown field");
                let (message, help) = if unknown {
                    let help = match suggestion(&message, &path) {
                        Some(near) => format!("did you mean `{near}`? Otherwise remove the key"),
                        None => "remove the key or correct its spelling; the settings table in the guide lists every key".to_string(),
                    };
                    (format!("settings: unknown key `{path}`"), help)
                } else {
                    (
                        format!("settings: {message}"),
                        format!("see the settings table in the guide for the type of `{path}`"),
                    )
                };
                problems.push(
                    Diagnostic::error(Code::SettingsInvalid, file_of(&path), message)
                        .at(line, column)
                        .with_help(help),
                );
                if !unknown || !remove(&mut value, &path) {
                    return Err(problems);
                }
            }
        }
    }
}

/// The known key nearest an unknown one, from serde's "expected one of"
/// list.
fn suggestion(message: &str, path: &str) -> Option<String> {
    let unknown = path.rsplit('.').next().unwrap_or(path);
    let known = message.split("expected ").nth(1)?;
    let names = known
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, name)| name);
    names
        .map(|name| (strsim::levenshtein(name, unknown), name))
        .filter(|(distance, name)| *distance <= 2.max(name.len() / 4))
        .min()
        .map(|(_, name)| name.to_string())
}

/// Removes the key at a dotted path; false when there is none.
fn remove(value: &mut serde_json::Value, path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return false;
    };
    let mut current = value;
    for part in parts {
        match current.get_mut(part) {
            Some(next) => current = next,
            None => return false,
        }
    }
    current
        .as_object_mut()
        .is_some_and(|map| map.shift_remove(last).is_some())
}

/// Parses our settings text alone; the returned diagnostic has an empty
/// file name.
pub fn parse(text: &str) -> Result<Settings, Diagnostic> {
    let (value, doc) = document(text)?;
    let positions = doc.positions().clone();
    let mut settings = typed(value, &|path| positions.get(path).copied(), &|_| {
        PathBuf::new()
    })
    .map_err(|problems| problems.into_iter().next().expect("an error"))?;
    settings.positions = positions;
    check(&mut settings)?;
    Ok(settings)
}

/// The checks on values serde cannot make. A problem's `file` is the key
/// it is about, for the caller to place.
fn check(settings: &mut Settings) -> Result<(), Diagnostic> {
    let problem = |settings: &Settings, key: &str, message: String, help: &str| {
        let (line, column) = settings.position_of(key);
        Diagnostic::error(Code::SettingsInvalid, key, format!("settings: {message}"))
            .at(line, column)
            .with_help(help)
    };
    settings.base_path = normalize_base_path(&settings.base_path).map_err(|message| {
        problem(
            settings,
            "base_path",
            format!("`base_path`: {message}"),
            "write the path the site is served under, e.g. `base_path: /docs`",
        )
    })?;
    // The cache is written by `check --external`: it may name no file outside
    // the project (a pull request could otherwise overwrite any file the CI
    // user can write).
    let cache = Path::new(&settings.external_links.cache_file);
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
        return Err(problem(
            settings,
            "external_links.cache_file",
            format!(
                "`external_links.cache_file` must be a file inside the project, not `{}`",
                settings.external_links.cache_file.escape_debug()
            ),
            "write a relative path with no `..`, such as .manual-link-cache.json",
        ));
    }
    if let Some(host) = &settings.host
        && let Err(message) = check_host(host)
    {
        return Err(problem(
            settings,
            "host",
            format!("`host`: {message}"),
            "write the address the site is published at, such as https://docs.example.org",
        ));
    }
    if let Some(repo) = settings.github_repo.clone() {
        match github_repository(&repo) {
            Some((name, folder)) => {
                settings.github_repo = Some(name);
                if folder.is_some() {
                    settings.repository_folder = folder;
                }
            }
            None => {
                return Err(problem(
                    settings,
                    "github_repo",
                    format!(
                        "`github_repo` is `{}`, not `owner/name`",
                        repo.escape_debug()
                    ),
                    "write the repository as owner/name, such as alphagov/govuk-developer-docs",
                ));
            }
        }
    }
    if let Some(level) = settings.max_toc_heading_level
        && !(1..=6).contains(&level)
    {
        return Err(problem(
            settings,
            "max_toc_heading_level",
            format!("`max_toc_heading_level` is {level}; heading levels are 1 to 6"),
            "write a number from 1 to 6",
        ));
    }
    // The one door for addresses that reach an attribute.
    let mut addresses: Vec<(String, &str)> = Vec::new();
    if let Some(url) = settings.service_link.as_deref() {
        addresses.push(("service_link".into(), url));
    }
    if let Some(url) = settings.source_urls.report_issue_url.as_deref() {
        addresses.push(("source_urls".into(), url));
    }
    // Header and footer links pass the same rule in `validate`, which can
    // point at each one's line.
    if let Some((key, url, why)) = addresses
        .iter()
        .find_map(|(key, url)| crate::url::attribute_url_problem(url).map(|why| (key, url, why)))
    {
        return Err(problem(
            settings,
            key,
            format!("`{key}`: `{}`: {why}", url.escape_debug()),
            "write an https:// address or a path on the site",
        ));
    }
    if settings.service_name.is_empty() {
        settings.service_name = Settings::defaults().service_name;
    }
    Ok(())
}

/// `owner/name`, or the repository's GitHub address (the gem's own
/// documentation writes `https://github.com/alphagov/tech-docs-gem/documentation`):
/// the repository and the folder below its root that the address adds.
fn github_repository(written: &str) -> Option<(String, Option<String>)> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    };
    let trimmed = written.trim().trim_end_matches('/');
    let (path, is_address) = match trimmed
        .strip_prefix("https://github.com/")
        .or_else(|| trimmed.strip_prefix("http://github.com/"))
    {
        Some(path) => (path.trim_end_matches(".git"), true),
        None => (trimmed, false),
    };
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [owner, name] if part_ok(owner) && part_ok(name) => Some((format!("{owner}/{name}"), None)),
        [owner, name, rest @ ..] if is_address && part_ok(owner) && part_ok(name) => {
            // `.../tree/main/docs` and `.../blob/main/docs` name a branch first.
            let rest = match rest {
                ["tree" | "blob", _branch, folder @ ..] => folder,
                folder => folder,
            };
            if !rest.iter().all(|p| part_ok(p)) {
                return None;
            }
            let folder = (!rest.is_empty()).then(|| rest.join("/"));
            Some((format!("{owner}/{name}"), folder))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_suggest_the_known_one() {
        let err = parse("service_name: X\nhots: example.org\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("unknown key `hots`"),
            "{}",
            err.message
        );
        assert!(err.help.as_deref().unwrap().contains("`host`"), "{err:?}");
        let err = parse("lints:\n  mojibak: false\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        assert!(err.message.contains("`lints.mojibak`"), "{}", err.message);
        assert!(
            err.help.as_deref().unwrap().contains("`mojibake`"),
            "{err:?}"
        );
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
