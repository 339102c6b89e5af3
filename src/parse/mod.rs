//! Stage 2, parse: one page's text becomes a `Page` (front matter, HTML body,
//! headings, links). Pages are parsed independently, so this runs in parallel.

pub mod alert_rules;
pub mod cache;
pub mod callout;
pub mod code_fence;
pub mod diagram;
pub mod dialect;
pub mod erb;
pub mod front_matter;
pub mod heading_id;
pub mod html;
mod layout;
pub mod lints;
pub mod locate;
pub mod markdown;
pub mod review;
pub mod smartypants;
pub mod words;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::highlight::Highlighter;
use crate::load::PageSource;
use crate::url::page_url;
pub use front_matter::FrontMatter;
use locate::Locator;

/// The built-in layout that writes a page's HTML and nothing else
/// (`layout: false`).
pub const BARE_LAYOUT: &str = "bare";
pub use markdown::{CodeBlock, Heading, Link, LinkDefinition, LinkKind, UndefinedReference};

#[derive(Debug, Clone)]
pub struct Page {
    pub path: PathBuf,
    /// Path below the source directory, `/`-separated.
    pub relative: String,
    /// Site URL, e.g. `/manual/deploy.html`.
    pub url: String,
    pub front_matter: FrontMatter,
    /// False for a file with no front matter block.
    pub has_front_matter: bool,
    /// The front matter title, else the first `#` heading, else the file name.
    pub title: String,
    /// The front matter `description` as text: markdown marks such as
    /// backticks taken out, for lists, search results and `<meta>`.
    pub description_text: Option<String>,
    /// File line of each front matter key that was written.
    pub key_lines: BTreeMap<String, usize>,
    /// The page's HTML, packed: a build holds every page's at once.
    pub body_html: crate::packed::PageBody,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// `id` attributes in the page's raw HTML.
    pub html_ids: Vec<String>,
    /// Raw HTML that would run script for readers.
    pub scripts: Vec<markdown::Script>,
    /// What some readers cannot use (images without alt text, skipped
    /// heading levels, link text that says nothing).
    pub barriers: Vec<markdown::Barrier>,
    /// Indexes into `links` of the links to script (`javascript:`), found
    /// once here rather than on every check.
    pub script_link_indexes: Vec<usize>,
    pub definitions: Vec<LinkDefinition>,
    pub undefined_references: Vec<UndefinedReference>,
    pub duplicate_definitions: Vec<markdown::DuplicateDefinition>,
    /// Content lint findings; the settings decide which are reported.
    pub findings: Vec<lints::Finding>,
    pub code_blocks: Vec<CodeBlock>,
    /// When the page was last reviewed and is due again, from its front
    /// matter; `review_errors` are the keys that could not be read.
    pub review: review::Review,
    pub review_errors: Vec<review::ReviewError>,
    /// The page's weighted words and summary for the search index; empty
    /// when no HTML is made (`check`).
    pub search: words::PageWords,
    /// The newest commit that touched the file, when the source is in git.
    pub last_commit: Option<crate::history::Commit>,
    /// A digest of everything the parse read (the file's path and text and
    /// the parse options, and for an ERB page what its ERB wrote): two
    /// pages with one digest are the same page. `serve` fingerprints
    /// outputs with it instead of hashing bodies.
    pub digest: u64,
    /// The level-1 heading the body opens with (`# Title`, or the gem's
    /// `# <%= current_page.data.title %>`), taken out of `body_html`: the
    /// layout writes it as the page's title heading, with its id.
    pub title_heading: Option<TitleHeading>,
    /// What an ERB page set aside for the sidebar (`content_for :sidebar`),
    /// as HTML.
    pub sidebar_html: Option<String>,
    /// The partials an ERB page used, below the source folder.
    pub partials: Vec<String>,
    /// The theme layout that renders the page: the one it names, or the
    /// one its ERB layouts wrap.
    pub layout: Option<String>,
    /// Its title heading is inside `body_html` (an ERB layout wrapped it):
    /// the theme's layout writes none.
    pub title_in_body: bool,
}

/// A page's own title heading.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TitleHeading {
    pub id: String,
    /// Its content, as HTML.
    pub html: String,
}

/// Takes the opening `<h1 ...>...</h1>` off rendered HTML.
fn split_title(html: &mut String, id: &str) -> Option<TitleHeading> {
    if !html.starts_with("<h1") {
        return None;
    }
    let open_end = html.find('>')? + 1;
    let close = html.find("</h1>")?;
    if close < open_end {
        return None;
    }
    let inner = html[open_end..close].to_string();
    let rest = html[close + "</h1>".len()..]
        .trim_start_matches('\n')
        .to_string();
    *html = rest;
    Some(TitleHeading {
        id: id.to_string(),
        html: inner,
    })
}

impl Page {
    /// Pages below `manual/` make up the manual and its index.
    pub fn is_manual_page(&self) -> bool {
        self.relative.starts_with("manual/")
    }

    pub fn is_learn(&self) -> bool {
        self.front_matter.page_type.as_deref() == Some("learn")
    }

    /// The page's links to addresses that run script.
    pub fn script_links(&self) -> impl Iterator<Item = &Link> {
        self.script_link_indexes.iter().map(|&i| &self.links[i])
    }

    pub fn key_line(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(1)
    }

    /// Whether every other page (its check, its output) and the site graph
    /// would find `other` the same as this page: they differ at most in
    /// the page's own facts, which only its own check and output read.
    /// `serve` keeps the other pages' check results and outputs when an
    /// edit changes only those (`Site::differs_only_inside_pages`).
    ///
    /// Every field is named, so a new one has to be put on one side or the
    /// other before this compiles.
    pub fn same_to_other_pages(&self, other: &Page) -> bool {
        let Page {
            // What other pages and the site graph read.
            path,
            relative,
            url,
            front_matter,
            has_front_matter,
            title,
            description_text,
            key_lines,
            headings,
            html_ids,
            review,
            last_commit,
            title_heading,
            layout,
            title_in_body,
            // The page's own: read by its check and its output only. The
            // print page reads every body, and the site graph the bodies'
            // total size (whether there is a print page), so both are
            // made from the whole site, never carried over.
            body_html: _,
            links: _,
            scripts: _,
            barriers: _,
            script_link_indexes: _,
            definitions: _,
            undefined_references: _,
            duplicate_definitions: _,
            findings: _,
            code_blocks: _,
            review_errors: _,
            search: _,
            digest: _,
            sidebar_html: _,
            partials: _,
        } = self;
        *path == other.path
            && *relative == other.relative
            && *url == other.url
            && *front_matter == other.front_matter
            && *has_front_matter == other.has_front_matter
            && *title == other.title
            && *description_text == other.description_text
            && *key_lines == other.key_lines
            && *headings == other.headings
            && *html_ids == other.html_ids
            && *review == other.review
            && *last_commit == other.last_commit
            && *title_heading == other.title_heading
            && *layout == other.layout
            && *title_in_body == other.title_in_body
    }

    /// Whether `other` is this very page: the same parse of the same text
    /// with the same history, so every fact of it is the same.
    pub fn is_same_page(&self, other: &Page) -> bool {
        std::ptr::eq(self, other)
            || (self.digest == other.digest && self.last_commit == other.last_commit)
    }

    /// Every id the page's own text writes: its headings' and its raw
    /// HTML's (`Site::ids_at` adds its layout's).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.headings
            .iter()
            .map(|h| h.id.as_str())
            .chain(self.html_ids.iter().map(String::as_str))
    }
}

/// What a parse makes besides the page's HTML and facts. Hashed whole
/// wherever a parse is kept (`cache`, the page's digest), so a new field
/// cannot be left out of one of them.
#[derive(Debug, Clone, Copy, Default, Hash)]
pub struct ParseOptions<'a> {
    /// What the run needs made.
    pub purpose: Purpose,
    /// The page's weighted words for the search index (`enable_search`).
    pub index_words: bool,
    /// Written before root-relative addresses in the page (`base_path`).
    pub base_path: &'a str,
    /// How headings get their ids.
    pub heading_ids: heading_id::Scheme,
    /// Pages are published as folders (`x.html.md` at `/x/`).
    pub directory_indexes: bool,
    /// The markdown is the tech-docs gem's (Redcarpet): `##Heading` with no
    /// space is a heading there.
    pub gem_markdown: bool,
    /// Layouts by page address from Middleman's config.rb: (glob, layout).
    pub layout_rules: &'a [(String, String)],
}

impl<'a> ParseOptions<'a> {
    /// What the site's settings ask of every page, for a run of `purpose`.
    pub fn for_site(settings: &'a crate::settings::Settings, purpose: Purpose) -> Self {
        ParseOptions {
            purpose,
            index_words: settings.enable_search,
            base_path: &settings.base_path,
            heading_ids: settings.heading_ids(),
            directory_indexes: settings.directory_indexes(),
            gem_markdown: settings.tech_docs.is_some(),
            layout_rules: &settings.middleman_layouts,
        }
    }
}

/// What a run needs from parsing: `build` and `serve` publish pages;
/// `check` and `owners` only read them, so they skip making HTML (and
/// highlighting code), search words and each page's git history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Purpose {
    #[default]
    Publish,
    Check,
    Report,
}

impl Purpose {
    pub fn makes_html(self) -> bool {
        self == Purpose::Publish
    }

    pub fn reads_history(self) -> bool {
        self == Purpose::Publish
    }
}

/// A page's front matter with its layout as Middleman would choose it: its
/// own `layout:`, else the last config.rb `page` rule whose glob matches
/// its address, else config.rb's `set :layout`. **The** one place the
/// default is applied: the early read (for ERB) and the parse both call it.
pub fn with_layout_rules(
    mut front_matter: FrontMatter,
    relative: &str,
    options: &ParseOptions,
) -> FrontMatter {
    if front_matter.layout.is_none() && !options.layout_rules.is_empty() {
        let url = page_url(relative, options.directory_indexes);
        let address = crate::url::address(&url);
        let matching = |glob: &str| glob_matches(glob, address) || glob_matches(glob, &url);
        front_matter.layout = options
            .layout_rules
            .iter()
            .rev()
            .filter(|(glob, _)| glob != "*")
            .find(|(glob, _)| matching(glob))
            .or_else(|| {
                options
                    .layout_rules
                    .iter()
                    .rev()
                    .find(|(glob, _)| glob == "*")
            })
            .map(|(_, layout)| layout.clone());
    }
    front_matter
}

/// The warnings front matter gives: a value YAML read as a comment, a key
/// one typo from a known one, a key set twice.
fn front_matter_warnings(path: &std::path::Path, parsed: &front_matter::Parsed) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (key, comment, line) in &parsed.commented {
        found.push(
            Diagnostic::warning(
                Code::FrontMatterComment,
                path,
                format!("`{key}` is empty: YAML reads `{comment}` after the colon as a comment"),
            )
            .at(*line, 1)
            .with_help(format!("quote the value: `{key}: \"{comment}\"`")),
        );
    }
    for (key, known, line) in &parsed.misspelt {
        found.push(
            Diagnostic::warning(
                Code::FrontMatterUnknownKey,
                path,
                format!("`{key}` is not a front matter key manual knows; did you mean `{known}`?"),
            )
            .at(*line, 1)
            .with_help(format!("write `{known}:`")),
        );
    }
    for (key, line, first_line) in &parsed.duplicates {
        found.push(
            Diagnostic::warning(
                Code::FrontMatterDuplicateKey,
                path,
                format!(
                    "`{key}` is set twice (first on line {first_line}); the last value is used"
                ),
            )
            .at(*line, 1)
            .with_help("delete the line you do not mean"),
        );
    }
    found
}

/// Runs an ERB page's ERB: its body becomes what the ERB writes, with a map
/// back to the author's files. A failing tag is an error at its place, and
/// the page is then left empty, so no ERB reaches a reader.
fn evaluate_erb(
    source: &PageSource,
    front_matter: &front_matter::FrontMatter,
    body_start: usize,
    erb: Option<&ErbInputs<'_>>,
    options: &ParseOptions<'_>,
) -> Result<erb::Evaluated, Diagnostic> {
    let empty = erb::Helpers::default();
    let null = serde_json::Value::Null;
    let nothing = erb::World {
        resources: &[],
        today: chrono::NaiveDate::default(),
        config: &null,
        partials: &erb::NoPartials,
        helpers: &empty,
    };
    let (world, current) = match erb {
        Some(inputs) => (inputs.world, inputs.current),
        None => (&nothing, None),
    };
    let this = resource(&source.relative, front_matter, options.directory_indexes);
    let page = match current.and_then(|i| world.resources.get(i)) {
        Some(listed) => listed,
        None => &this,
    };
    erb::evaluate_page(
        world,
        current,
        page,
        source.path.clone(),
        Arc::from(source.text.as_str()),
        body_start,
    )
    .map_err(|e| e.diagnostic())
}

/// Middleman's page globs: `*` matches any run of characters, `/` included.
/// Written by hand (a few lines) because a glob crate's path rules, where
/// `*` stops at `/`, are not Middleman's.
fn glob_matches(glob: &str, text: &str) -> bool {
    let glob = glob.strip_prefix('/').unwrap_or(glob);
    let text = text.strip_prefix('/').unwrap_or(text);
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let Some(mut rest) = text.strip_prefix(parts[0]) else {
        return false;
    };
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(parts[parts.len() - 1])
}

/// What an ERB page's ERB reads besides the page: the site's pages, the
/// day, partials and helpers; and which of the pages it is.
pub struct ErbInputs<'a> {
    pub world: &'a erb::World<'a>,
    /// The page's place in `world.resources`.
    pub current: Option<usize>,
}

/// A page as its ERB sees it (`current_page`, an item of
/// `sitemap.resources`): its address as the gem writes it, its front
/// matter, and its layout (which Middleman keeps out of the data).
pub fn resource(
    relative: &str,
    front_matter: &FrontMatter,
    directory_indexes: bool,
) -> erb::Resource {
    let url = page_url(relative, directory_indexes);
    let mut data = serde_json::to_value(front_matter).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut data {
        map.remove("layout");
        // Keys not written are left out (nil, as in Middleman); a list
        // written empty stays an empty list.
        map.retain(|_, v| !v.is_null());
    }
    erb::Resource {
        url: crate::url::address(&url).to_string(),
        path: url.trim_start_matches('/').to_string(),
        data,
        layout: front_matter.layout.clone(),
    }
}

/// Parses a page with no other pages, partials or helpers for its ERB.
pub fn parse_page(
    source: PageSource,
    highlighter: &Highlighter,
    options: ParseOptions<'_>,
) -> (Option<Page>, Diagnostics) {
    parse_page_in(source, highlighter, options, None)
}

/// Parses a page; an ERB page's ERB runs first, with `erb`.
pub fn parse_page_in(
    source: PageSource,
    highlighter: &Highlighter,
    options: ParseOptions<'_>,
    erb: Option<&ErbInputs<'_>>,
) -> (Option<Page>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let (split, parsed) = match read_front_matter(&source, &options) {
        Ok(read) => read,
        Err(problem) => {
            diagnostics.push(problem);
            return (None, diagnostics);
        }
    };
    diagnostics.extend(front_matter_warnings(&source.path, &parsed));
    if source.text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::PageEmpty, &source.path, "page is empty")
                .with_help("add front matter and content, or delete the file"),
        );
    }

    // An ERB page's body is what its ERB writes, with a map back to the
    // author's files; a failing tag leaves the page empty (no ERB reaches
    // a reader) and is an error at its place.
    let is_erb = erb::is_erb(&source.relative);
    let evaluated = is_erb
        .then(|| {
            evaluate_erb(
                &source,
                &parsed.front_matter,
                split.body_start,
                erb,
                &options,
            )
        })
        .and_then(|done| done.map_err(|problem| diagnostics.push(problem)).ok());
    let map = evaluated.as_ref().map(|done| erb::SourceMap {
        output: done.output.clone(),
        files: done.files.clone(),
    });
    let (body, locator) = match &map {
        Some(map) => (map.output.text.as_str(), Locator::Erb(map)),
        None if is_erb => ("", Locator::plain(&source.text, source.text.len())),
        None => (
            &source.text[split.body_start..],
            Locator::plain(&source.text, split.body_start),
        ),
    };
    let mut rendered = markdown::render_body(body, &locator, highlighter, &options);
    let findings = content_findings(
        &source.text[..split.body_start],
        body,
        &locator,
        &mut rendered,
        options.gem_markdown,
    );
    let sidebar_html = evaluated
        .as_ref()
        .and_then(|done| render_sidebar(done, &mut rendered, highlighter, &options));
    let partials = evaluated
        .as_ref()
        .map(|done| done.partials.clone())
        .unwrap_or_default();
    let title_heading = match (rendered.starts_with_title, rendered.headings.first()) {
        (true, Some(first)) if first.level == 1 => {
            let id = first.id.clone();
            split_title(&mut rendered.html, &id)
        }
        _ => None,
    };
    let mut shaped = Shaped {
        layout: parsed.front_matter.layout.clone(),
        rendered,
        title_heading,
        sidebar_html,
        title_in_body: false,
        wrapped_by_layout: false,
    };
    // A site's own ERB layout wraps the page's whole HTML, title included.
    if let (Some(inputs), Some(name)) = (erb, parsed.front_matter.layout.as_deref())
        && inputs.world.partials.layout(name).is_some()
    {
        let at = parsed.key_lines.get("layout").copied().unwrap_or(1);
        let this = resource(
            &source.relative,
            &parsed.front_matter,
            options.directory_indexes,
        );
        if let Err(problem) = shaped.wrap_in_erb_layout(inputs, &this, name, at, options.base_path)
        {
            diagnostics.push(problem);
        }
    }
    let rendered = &shaped.rendered;
    let title = page_title(&parsed.front_matter, &rendered.headings, &source.relative);
    let (review, review_errors) = review::review_of(&parsed.front_matter);
    let description_text = parsed
        .front_matter
        .description
        .as_deref()
        .map(markdown::plain_text);
    let search = if options.index_words && options.purpose.makes_html() {
        words::PageWords::new(
            &title,
            &rendered.headings,
            &rendered.heading_text_starts,
            description_text.as_deref(),
            &rendered.plain_text,
        )
    } else {
        words::PageWords::default()
    };
    let script_link_indexes = rendered
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| crate::url::runs_script(&l.destination))
        .map(|(i, _)| i)
        .collect();
    let erb_output = map.as_ref().map(|m| m.output.text.as_str());
    let digest = page_digest(&source, options, erb_output, &shaped);
    // `layout: false` (in front matter or a config.rb `page` rule) is a
    // page with no layout at all, as in Middleman: its own HTML, title
    // heading included, and nothing around it.
    if shaped.layout.as_deref() == Some("false") {
        shaped.layout = Some(BARE_LAYOUT.to_string());
        shaped.title_into_body();
    }
    let Shaped {
        rendered,
        title_heading,
        sidebar_html,
        layout,
        title_in_body,
        ..
    } = shaped;
    let page = Page {
        description_text,
        digest,
        review,
        review_errors,
        search,
        last_commit: None,
        url: page_url(&source.relative, options.directory_indexes),
        path: source.path,
        relative: source.relative,
        front_matter: parsed.front_matter,
        has_front_matter: parsed.present,
        title,
        key_lines: parsed.key_lines,
        body_html: crate::packed::PageBody::new(&rendered.html, None),
        headings: rendered.headings,
        links: rendered.links,
        html_ids: rendered.html_ids,
        scripts: rendered.scripts,
        barriers: rendered.barriers,
        script_link_indexes,
        definitions: rendered.definitions,
        undefined_references: rendered.undefined_references,
        duplicate_definitions: rendered.duplicate_definitions,
        findings,
        code_blocks: rendered.code_blocks,
        title_heading,
        sidebar_html,
        partials,
        layout,
        title_in_body,
    };
    (Some(page), diagnostics)
}

/// The sidebar an ERB page set aside: markdown too, and published; what
/// it links to and holds counts as the page's.
fn render_sidebar(
    done: &erb::Evaluated,
    rendered: &mut markdown::RenderedMarkdown,
    highlighter: &Highlighter,
    options: &ParseOptions<'_>,
) -> Option<String> {
    let slot = done.slots.get("sidebar")?;
    let map = erb::SourceMap {
        output: slot.clone(),
        files: done.files.clone(),
    };
    let side = markdown::render_body(&slot.text, &Locator::Erb(&map), highlighter, options);
    rendered.links.extend(side.links);
    rendered.scripts.extend(side.scripts);
    rendered.html_ids.extend(side.html_ids);
    Some(side.html)
}

/// A page's title: its front matter's, else its first level-1 heading's
/// text (as the gem takes it), else one made from its file name.
fn page_title(front_matter: &FrontMatter, headings: &[Heading], relative: &str) -> String {
    front_matter
        .title
        .clone()
        .or_else(|| {
            headings
                .iter()
                .find(|h| h.level == 1)
                .map(|h| h.text.clone())
        })
        .unwrap_or_else(|| title_from_file_name(relative))
}

/// What a page was made from, hashed: its file, the parse options, and
/// for an ERB page what its ERB wrote and what a layout wrapped it in
/// (which depend on more than the file).
fn page_digest(
    source: &PageSource,
    options: ParseOptions<'_>,
    erb_output: Option<&str>,
    shaped: &Shaped,
) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one((
        &source.relative,
        &source.text,
        options,
        erb_output,
        &shaped.sidebar_html,
        &shaped.layout,
        shaped.wrapped_by_layout.then_some(&shaped.rendered.html),
    ))
}

/// A page's front matter, read (with config.rb's layout rules applied),
/// and where its body starts; an error at its line when it cannot be read.
fn read_front_matter<'s>(
    source: &'s PageSource,
    options: &ParseOptions<'_>,
) -> Result<(front_matter::Split<'s>, front_matter::Parsed), Diagnostic> {
    let located = |e: front_matter::FrontMatterError| {
        Diagnostic::error(e.code, &source.path, e.message)
            .at(e.line, e.column)
            .with_help(e.help)
    };
    let split = front_matter::split(&source.text).map_err(located)?;
    let mut parsed = front_matter::parse(&split).map_err(located)?;
    parsed.front_matter = with_layout_rules(parsed.front_matter, &source.relative, options);
    Ok((split, parsed))
}

/// The content lints over a page's body, with where the gem's markdown
/// reads it otherwise (`dialect`). In the gem's markdown `##Heading` is a
/// heading (`render_body` made it one), so it is not reported as one that
/// failed.
fn content_findings(
    front_matter_text: &str,
    body: &str,
    locator: &Locator<'_>,
    rendered: &mut markdown::RenderedMarkdown,
    gem_markdown: bool,
) -> Vec<lints::Finding> {
    let mut findings = lints::scan(front_matter_text, body, locator, &rendered.prose);
    findings.append(&mut rendered.dialect);
    if gem_markdown {
        findings.retain(|f| {
            f.lint != lints::Lint::HeadingSpace
                || !rendered.headings.iter().any(|h| h.line == f.line)
        });
    }
    findings
}

/// A page's body as it is published: its HTML and what it holds, the
/// title heading a layout writes on its own, and the layout around it.
struct Shaped {
    rendered: markdown::RenderedMarkdown,
    title_heading: Option<TitleHeading>,
    sidebar_html: Option<String>,
    layout: Option<String>,
    /// The title heading is part of the HTML (a layout writes no other).
    title_in_body: bool,
    /// A site's own ERB layout wrapped the HTML.
    wrapped_by_layout: bool,
}

impl Shaped {
    /// The HTML with the title heading, if it was split off, back on top.
    fn whole_html(&self) -> String {
        match &self.title_heading {
            Some(title) => format!(
                "<h1 id=\"{}\">{}</h1>\n{}",
                html_escape::encode_double_quoted_attribute(&title.id),
                title.html,
                self.rendered.html
            ),
            None => self.rendered.html.clone(),
        }
    }

    /// The title heading goes back into the HTML.
    fn title_into_body(&mut self) {
        if self.title_heading.is_some() {
            self.rendered.html = self.whole_html();
            self.title_heading = None;
            self.title_in_body = true;
        }
    }

    /// Wraps the whole HTML, title included, in the site's own ERB layout
    /// `name` (written at line `at` of the page). A layout that fails is
    /// reported once, here, and not again as an unknown layout.
    fn wrap_in_erb_layout(
        &mut self,
        inputs: &ErbInputs<'_>,
        this: &erb::Resource,
        name: &str,
        at: usize,
        base_path: &str,
    ) -> Result<(), Diagnostic> {
        let page = inputs
            .current
            .and_then(|i| inputs.world.resources.get(i))
            .unwrap_or(this);
        let wrapped = layout::wrap(
            inputs.world,
            inputs.current,
            page,
            name,
            self.whole_html(),
            base_path,
            at,
        );
        let wrapped = match wrapped {
            Ok(wrapped) => wrapped,
            Err(e) => {
                self.layout = None;
                return Err(e.diagnostic());
            }
        };
        self.rendered.html = wrapped.html;
        self.rendered.links.extend(wrapped.links);
        self.rendered.html_ids.extend(wrapped.ids);
        self.rendered.scripts.extend(wrapped.scripts);
        if let Some(side) = wrapped.sidebar {
            self.sidebar_html = Some(match self.sidebar_html.take() {
                Some(own) => format!("{own}\n{side}"),
                None => side,
            });
        }
        self.layout = Some(wrapped.layout);
        self.title_in_body = self.title_heading.take().is_some();
        self.wrapped_by_layout = true;
        Ok(())
    }
}

/// Script in an asset that a browser opens as a document (`.html`, `.svg`,
/// ...): published as it is, such a file would run its script for every
/// reader who follows a link to it (`html-unsafe`, at its line).
pub fn scripts_in_asset(path: &std::path::Path) -> Vec<Diagnostic> {
    const DOCUMENTS: &[&str] = &["html", "htm", "xhtml", "svg", "xml", "xsl", "xslt"];
    let is_document = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENTS.contains(&e.to_ascii_lowercase().as_str()));
    if !is_document {
        return Vec::new();
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = crate::load::open_regular(path)
        .and_then(|f| f.take(crate::load::MAX_PAGE_BYTES).read_to_end(&mut bytes));
    if read.is_err() {
        return Vec::new();
    }
    // A browser reads other encodings too; the markup that runs script is
    // ASCII, so a lossy reading finds it.
    let text = String::from_utf8_lossy(&bytes);
    let lines = crate::diagnostics::LineIndex::new(&text);
    html::scan(&text, "")
        .scripts
        .into_iter()
        .map(|(offset, what)| {
            let (line, column) = lines.line_col(&text, offset);
            Diagnostic::error(
                Code::HtmlUnsafe,
                path,
                format!(
                    "{what} in this file, published as it is, runs script in readers' browsers"
                ),
            )
            .at(line, column)
            .with_help(
                "remove it; if this site must run script, set `allow_script: true` in the settings",
            )
        })
        .collect()
}

fn title_from_file_name(relative: &str) -> String {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let stem = name.split('.').next().unwrap_or(name);
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_page_plain(source: PageSource) -> (Option<Page>, Diagnostics) {
        parse_page(source, &Highlighter::new(), ParseOptions::default())
    }

    fn source(relative: &str, text: &str) -> PageSource {
        PageSource {
            path: PathBuf::from(relative),
            relative: relative.into(),
            text: text.into(),
        }
    }

    /// `check` and `owners` read pages without making what only a
    /// published page needs; the facts they check are the same.
    #[test]
    fn a_run_that_publishes_nothing_makes_no_html_and_no_search_words() {
        let text = "---\ntitle: T\n---\n## Steps\n\n[Link](/x.html)\n\n```ruby\nputs 1\n```\n\n```klingon\nx\n```\n";
        let parsed = |purpose| {
            let options = ParseOptions {
                purpose,
                index_words: true,
                ..ParseOptions::default()
            };
            parse_page(source("a.html.md", text), &Highlighter::new(), options)
                .0
                .unwrap()
        };
        let published = parsed(Purpose::Publish);
        assert!(published.body_html.text().unwrap().contains("hl-code"));
        assert!(!published.search.terms.is_empty());
        for purpose in [Purpose::Check, Purpose::Report] {
            let read = parsed(purpose);
            assert!(read.body_html.is_empty(), "{purpose:?}");
            assert_eq!(read.search, Default::default(), "{purpose:?}");
            assert_eq!(read.links, published.links);
            assert_eq!(read.headings, published.headings);
            let known: Vec<bool> = read.code_blocks.iter().map(|b| b.known).collect();
            assert_eq!(known, [true, false], "{purpose:?}");
        }
    }

    #[test]
    fn title_falls_back_to_first_h1_then_file_name() {
        let (page, _) = parse_page_plain(source("manual/x.md", "# From heading\n"));
        assert_eq!(page.unwrap().title, "From heading");
        let (page, _) = parse_page_plain(source("manual/deploy-an-app.html.md", "text\n"));
        assert_eq!(page.unwrap().title, "Deploy an app");
    }

    #[test]
    fn front_matter_errors_yield_no_page() {
        let (page, diagnostics) = parse_page_plain(source("a.md", "---\ntitle: [\n---\n"));
        assert!(page.is_none());
        assert!(diagnostics.has_errors());
    }
}
