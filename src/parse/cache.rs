//! The parse stage over a whole source folder, and what it keeps between
//! runs: `build` and `check` parse every page once; `serve` keeps each
//! page's parse and re-reads only files whose stamp changed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{ParseOptions, erb};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::highlight::Highlighter;
use crate::packed::Spill;
use crate::parse::{self, Page};
use crate::{history, load};

/// When a file was last changed, as far as the file system says: a parse of
/// a file whose stamp is unchanged is reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    device: u64,
    inode: u64,
    length: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            device: m.dev(),
            inode: m.ino(),
            length: m.len(),
            modified: (m.mtime(), m.mtime_nsec()),
            changed: (m.ctime(), m.ctime_nsec()),
        })
    }
}

/// One page file's load and parse, as kept between runs.
#[derive(Clone)]
struct CachedPage {
    stamp: Option<FileStamp>,
    /// What the parse was given besides the file (`ParseOptions`).
    options: u64,
    page: Option<Arc<Page>>,
    diagnostics: Vec<Diagnostic>,
}

/// What the load and parse stages keep from one run to the next. `build`
/// and `check` start with an empty one and keep nothing; `serve` keeps one,
/// so a save re-reads and re-parses only the files that changed, while
/// every other stage runs in full, as in `build`.
#[derive(Default)]
pub struct ParseCache {
    keep: bool,
    /// By path below the source folder.
    pages: HashMap<String, CachedPage>,
    /// Each page's last commit, read once (a save is not a commit).
    history: Option<Option<history::History>>,
    /// The last listing of the source folder and what it found, reused
    /// while no file has been created, removed or renamed.
    listing: Option<Arc<Listed>>,
    /// Whether the folder must be listed (and every file's stamp checked)
    /// again: always, unless `note_changes` said the change was in place.
    relist: bool,
}

impl ParseCache {
    /// A cache that keeps parses for the next run.
    pub fn keeping() -> ParseCache {
        ParseCache {
            keep: true,
            ..ParseCache::default()
        }
    }

    /// Takes in a change the watcher saw: the parses of `paths` are
    /// forgotten, whatever their stamps say, and unless every change was an
    /// edit in place of a file already known (`in_place`), the source folder
    /// is listed again and every stamp checked.
    pub fn note_changes(&mut self, source: &Path, paths: &[PathBuf], in_place: bool) {
        let relatives = self.relatives(source, paths);
        let all_known =
            relatives.len() == paths.len() && relatives.iter().all(|r| self.pages.contains_key(r));
        self.relist |= !(in_place && all_known);
        for relative in relatives {
            self.pages.remove(&relative);
        }
    }

    /// The paths (of those given) that are below `source`, as relative
    /// paths with `/`.
    fn relatives(&self, source: &Path, paths: &[PathBuf]) -> Vec<String> {
        let roots: Vec<PathBuf> = [std::path::absolute(source).ok(), source.canonicalize().ok()]
            .into_iter()
            .flatten()
            .collect();
        paths
            .iter()
            .filter_map(|path| {
                let relative = roots.iter().find_map(|root| path.strip_prefix(root).ok())?;
                let parts: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                Some(parts.join("/"))
            })
            .collect()
    }
}

/// The source folder as listed: its files, what the listing found, and the
/// script in assets a browser runs as documents (HTML, SVG), which are
/// published as they are.
pub struct Listed {
    pub listing: load::Listing,
    pub diagnostics: Diagnostics,
    pub asset_scripts: Vec<Diagnostic>,
}

fn list_source(source: &Path, settings_files: &[PathBuf]) -> Listed {
    let (listing, diagnostics) = load::list(source, settings_files);
    let asset_scripts = listing
        .assets
        .par_iter()
        .flat_map_iter(|asset| super::scripts_in_asset(&asset.path))
        .collect();
    Listed {
        listing,
        diagnostics,
        asset_scripts,
    }
}

impl ParseCache {
    /// The source folder's listing: the last one while nothing was
    /// created, removed or renamed (for `serve`), else a new one; and
    /// whether it is new (then every file's stamp is checked too).
    pub fn listed(&mut self, source: &Path, settings_files: &[PathBuf]) -> (Arc<Listed>, bool) {
        let fresh = !self.keep || self.relist || self.listing.is_none();
        let listed = match &self.listing {
            Some(listed) if !fresh => listed.clone(),
            _ => Arc::new(list_source(source, settings_files)),
        };
        if self.keep {
            self.listing = Some(listed.clone());
            self.relist = false;
        }
        (listed, fresh)
    }
}

/// What one run of the parse is given besides the cache.
pub struct ParseRun<'a> {
    pub source: &'a Path,
    pub listing: &'a load::Listing,
    /// Whether the folder was just listed, so every file's stamp is checked.
    pub fresh_listing: bool,
    pub options: ParseOptions<'a>,
    pub highlighter: &'a Highlighter,
    /// The day ERB's `Date.today` answers.
    pub today: NaiveDate,
    /// The gem's settings as written, for ERB's `config[:tech_docs]`.
    pub tech_docs_config: &'a serde_json::Value,
    pub helpers: &'a erb::Helpers,
    /// The folder the settings' `github_repo` names, if any.
    pub repository_folder: Option<&'a str>,
}

/// Every page of the source, parsed (or taken from the cache when its file
/// is unchanged), with what the parse found.
pub struct ParsedPages {
    pub pages: Vec<Arc<Page>>,
    /// The URLs of page files that could not be parsed: links to them are
    /// not called broken.
    pub unparsed: Vec<String>,
    /// Where the source is in its repository (`history::source_in_repository`).
    pub source_in_repository: String,
    pub diagnostics: Diagnostics,
}

/// Reads and parses every page file once: plain pages on every core as
/// they are read; ERB pages, and pages an ERB layout wraps, after the
/// others (they see every page's front matter); git history beside them.
pub fn parse_pages(run: ParseRun, cache: &mut ParseCache) -> ParsedPages {
    let ParseRun {
        listing,
        fresh_listing,
        options,
        highlighter,
        ..
    } = run;
    let mut diagnostics = Diagnostics::new();
    let options_digest = {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::default().hash_one(options)
    };
    // After a fresh listing every file is stamped; after an edit in place
    // only the files the watcher named (their parses were forgotten).
    let stamps = cache.stamps(listing, fresh_listing);
    // `check` shows no pages, so it needs no dates; git runs while the pages
    // are parsed.
    let read_history = cache.history.is_none() && options.purpose.reads_history();
    let relatives: Vec<&str> = listing.pages.iter().map(|f| f.relative.as_str()).collect();
    let cached = &cache.pages;
    // ERB pages, and pages a site's own ERB layout wraps, run with every
    // page's front matter (`sitemap.resources`), so they wait until the
    // others are read; each is read once and parsed once, with the ERB
    // inputs. A site with neither needs no resources: `serve` would
    // otherwise make one per page on every save.
    let erb_layouts = listing
        .templates
        .iter()
        .any(|t| load::in_erb_layouts(&t.relative));
    let partials = SourcePartials::new(listing);
    let names_erb_layout = |front_matter: &parse::FrontMatter| {
        erb_layouts
            && front_matter
                .layout
                .as_deref()
                .is_some_and(|name| parse::erb::Partials::layout(&partials, name).is_some())
    };
    // A build keeps nothing for a next run: its pages' bodies wait for
    // rendering in a temporary file, not in memory (`packed::Spill`).
    let spill = (!cache.keep && options.purpose.makes_html())
        .then(Spill::new)
        .flatten();
    let stored = |mut page: Page| {
        if let Some(spill) = &spill {
            page.body_html = std::mem::take(&mut page.body_html).into_spill(spill);
        }
        page
    };
    let (history, fresh) = std::thread::scope(|scope| {
        let history = scope.spawn(|| {
            read_history
                .then(|| history::read(run.source, &relatives))
                .flatten()
        });
        let fresh: Vec<Option<Parsed>> = listing
            .pages
            .par_iter()
            .zip(&stamps)
            .map(|(file, stamp)| {
                let reusable = cached.get(&file.relative).is_some_and(|hit| {
                    stamp.is_some() && hit.stamp == *stamp && hit.options == options_digest
                });
                (!reusable).then(|| {
                    let source = match load::read_page(file.path.clone(), file.relative.clone()) {
                        Ok(source) => source,
                        Err(error) => return Parsed::Done(None, vec![error]),
                    };
                    if parse::erb::is_erb(&file.relative)
                        || (erb_layouts && names_erb_layout(&front_matter_of(&source, &options)))
                    {
                        return Parsed::Erb(source);
                    }
                    let (page, found) = parse::parse_page_in(source, highlighter, options, None);
                    Parsed::Done(
                        page.map(|p| Box::new(stored(p))),
                        found.into_iter().collect(),
                    )
                })
            })
            .collect();
        (history.join().ok().flatten(), fresh)
    });
    let needs_resources = erb_layouts || fresh.iter().any(|f| matches!(f, Some(Parsed::Erb(_))));
    let resources = if needs_resources {
        resources(listing, &fresh, &cache.pages, &options)
    } else {
        Vec::new()
    };
    let world = parse::erb::World {
        resources: &resources,
        today: run.today,
        config: run.tech_docs_config,
        partials: &partials,
        helpers: run.helpers,
    };
    // A page a site's own ERB layout wraps is, like an ERB page, never
    // kept: the layout is another file.
    let uses_erb_layout = |page: &Page| names_erb_layout(&page.front_matter);
    let fresh: Vec<Option<(Option<Page>, Vec<Diagnostic>)>> = fresh
        .into_par_iter()
        .enumerate()
        .map(|(index, fresh)| {
            fresh.map(|parsed| match parsed {
                Parsed::Done(page, found) => (page.map(|p| *p), found),
                Parsed::Erb(source) => {
                    let erb = parse::ErbInputs {
                        world: &world,
                        current: Some(index),
                    };
                    let (page, found) =
                        parse::parse_page_in(source, highlighter, options, Some(&erb));
                    (page.map(stored), found.into_iter().collect())
                }
            })
        })
        .collect();
    if read_history {
        cache.history = Some(history);
    }
    let history = cache.history.as_ref().and_then(Option::as_ref);

    let mut kept = HashMap::with_capacity(listing.pages.len());
    let mut pages = Vec::with_capacity(listing.pages.len());
    let mut unparsed = Vec::new();
    // Moved, not copied, into what is kept: `serve` runs this on every save.
    let mut previous = std::mem::take(&mut cache.pages);
    for ((file, stamp), fresh) in listing.pages.iter().zip(stamps).zip(fresh) {
        let erb = parse::erb::is_erb(&file.relative);
        let (relative, entry) = match fresh {
            None => previous
                .remove_entry(&file.relative)
                .expect("a page not parsed again is in the cache"),
            Some((page, page_diagnostics)) => (
                file.relative.clone(),
                CachedPage {
                    stamp,
                    options: options_digest,
                    page: page.map(|mut page| {
                        page.last_commit =
                            history.and_then(|h| h.commits.get(&page.relative).cloned());
                        Arc::new(page)
                    }),
                    diagnostics: page_diagnostics,
                },
            ),
        };
        diagnostics.extend(entry.diagnostics.iter().cloned());
        match &entry.page {
            Some(page) => pages.push(page.clone()),
            None => unparsed.push(crate::url::page_url(
                &file.relative,
                options.directory_indexes,
            )),
        }
        let wrapped = entry.page.as_deref().is_some_and(uses_erb_layout);
        if cache.keep && !erb && !wrapped {
            kept.insert(relative, entry);
        }
    }
    cache.pages = kept;
    let used = drop_fragments(&mut pages);
    diagnostics.extend(unpublished_erb(&listing.templates, &used));
    ParsedPages {
        pages,
        unparsed,
        source_in_repository: crate::history::source_in_repository(
            history.map(|h| h.prefix.as_str()),
            run.repository_folder,
            run.source,
        ),
        diagnostics,
    }
}

impl ParseCache {
    /// Each page file's stamp. After a fresh listing every file is
    /// stamped; after an edit in place only the files the watcher named
    /// (their parses were forgotten). A cache that keeps nothing stamps
    /// nothing.
    fn stamps(&self, listing: &load::Listing, fresh_listing: bool) -> Vec<Option<FileStamp>> {
        if !self.keep {
            return vec![None; listing.pages.len()];
        }
        listing
            .pages
            .par_iter()
            .map(|file| match self.pages.get(&file.relative) {
                Some(hit) if !fresh_listing => hit.stamp,
                _ => FileStamp::of(&file.path),
            })
            .collect()
    }
}

/// Every page as ERB sees it (`sitemap.resources`), from its front matter
/// as just read or as kept; a page that could not be read has none.
fn resources(
    listing: &load::Listing,
    fresh: &[Option<Parsed>],
    kept: &HashMap<String, CachedPage>,
    options: &ParseOptions<'_>,
) -> Vec<parse::erb::Resource> {
    let none = parse::FrontMatter::default();
    listing
        .pages
        .iter()
        .zip(fresh)
        .map(|(file, fresh)| {
            let front_matter = match fresh {
                Some(Parsed::Erb(source)) => Cow::Owned(front_matter_of(source, options)),
                Some(Parsed::Done(Some(page), _)) => Cow::Borrowed(&page.front_matter),
                Some(Parsed::Done(None, _)) => Cow::Borrowed(&none),
                None => Cow::Borrowed(
                    kept.get(&file.relative)
                        .and_then(|c| c.page.as_ref())
                        .map_or(&none, |page| &page.front_matter),
                ),
            };
            parse::resource(&file.relative, &front_matter, options.directory_indexes)
        })
        .collect()
}

/// A file pages include as a partial, with no front matter of its own, is
/// a fragment of those pages, not a page (GovWifi's `documentation/`).
/// Returns every file used as a partial.
fn drop_fragments(pages: &mut Vec<Arc<Page>>) -> HashSet<String> {
    let used: HashSet<String> = pages
        .iter()
        .flat_map(|p| p.partials.iter().cloned())
        .collect();
    if !used.is_empty() {
        let fragments: HashSet<String> = pages
            .iter()
            .filter(|p| used.contains(&p.relative) && !p.has_front_matter)
            .map(|p| p.relative.clone())
            .collect();
        pages.retain(|p| !fragments.contains(&p.relative));
    }
    used
}

/// An ERB file that is not a page, a partial a page uses (`used`) or a
/// layout is published by nothing: say so.
fn unpublished_erb(templates: &[load::Listed], used: &HashSet<String>) -> Diagnostics {
    let mut found = Diagnostics::new();
    for template in templates {
        let name = template.relative.rsplit('/').next().unwrap_or_default();
        if template.relative.ends_with(".erb")
            && !name.starts_with('_')
            && !load::in_erb_layouts(&template.relative)
            && !used.contains(&template.relative)
        {
            found.push(
                Diagnostic::warning(
                    Code::ErbSkipped,
                    &template.path,
                    "this ERB file is not a page (`.html.md.erb`), a partial a page uses, or a layout in `layouts/`, so it is not published",
                )
                .with_help("rename it to `.html.md.erb` to make it a page, or remove it"),
            );
        }
    }
    found
}

/// A page file as first read: parsed, or (an ERB page, or a page an ERB
/// layout wraps) read and waiting for the other pages' front matter.
enum Parsed {
    Done(Option<Box<Page>>, Vec<Diagnostic>),
    Erb(load::PageSource),
}

/// Reads and parses one page file: its page (when it could be parsed) and
/// what was found on the way.
/// A page's front matter as far as it can be read (for its ERB resource
/// and its layout, before the page itself is parsed); empty when it cannot.
fn front_matter_of(source: &load::PageSource, options: &ParseOptions) -> parse::FrontMatter {
    let front_matter = parse::front_matter::split(&source.text)
        .ok()
        .and_then(|split| parse::front_matter::parse(&split).ok())
        .map(|p| p.front_matter)
        .unwrap_or_default();
    parse::with_layout_rules(front_matter, &source.relative, options)
}

/// The partials ERB pages ask for, found among the source folder's files
/// as Middleman finds them, each read once per run. Only files the listing
/// has are found, so a partial is never read from outside the source.
struct SourcePartials {
    files: HashMap<String, PathBuf>,
    read: std::sync::Mutex<HashMap<String, Result<Arc<str>, String>>>,
}

impl SourcePartials {
    fn new(listing: &load::Listing) -> Self {
        let files = listing
            .templates
            .iter()
            .chain(&listing.pages)
            .map(|f| (f.relative.clone(), f.path.clone()))
            .chain(
                listing
                    .assets
                    .iter()
                    .map(|a| (a.relative.clone(), a.path.clone())),
            )
            .collect();
        SourcePartials {
            files,
            read: Default::default(),
        }
    }
}

impl SourcePartials {
    /// The first of `candidates` the source has, read (once per run).
    fn first_of(&self, candidates: Vec<String>) -> Option<parse::erb::PartialFile> {
        let relative = candidates
            .into_iter()
            .find(|c| self.files.contains_key(c))?;
        let path = self.files[&relative].clone();
        let known = self
            .read
            .lock()
            .expect("partials lock")
            .get(&relative)
            .cloned();
        let text = match known {
            Some(text) => text,
            None => {
                let text = load::read_text(&path, load::MAX_PAGE_BYTES)
                    .map(|t| Arc::from(t.as_str()))
                    .map_err(|e| e.to_string());
                self.read
                    .lock()
                    .expect("partials lock")
                    .insert(relative.clone(), text.clone());
                text
            }
        };
        Some(parse::erb::PartialFile {
            relative,
            path,
            text,
        })
    }
}

impl parse::erb::Partials for SourcePartials {
    fn find(&self, from: &str, name: &str) -> Option<parse::erb::PartialFile> {
        self.first_of(parse::erb::partial_candidates(from, name))
    }

    fn layout(&self, name: &str) -> Option<parse::erb::PartialFile> {
        // Only plain names: a `layout:` value never leaves `layouts/`.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        {
            return None;
        }
        let folder = load::ERB_LAYOUTS_FOLDER;
        self.first_of(vec![
            format!("{folder}/{name}.erb"),
            format!("{folder}/{name}.html.erb"),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packed::PageBody;
    use crate::parse::Purpose;

    fn bodies(cache: &mut ParseCache, purpose: Purpose) -> Vec<PageBody> {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.html.md", "b.html.md"] {
            std::fs::write(
                dir.path().join(name),
                "---\ntitle: T\n---\n## Steps\n\nText.\n",
            )
            .unwrap();
        }
        let (listing, _) = load::list(dir.path(), &[]);
        let run = ParseRun {
            source: dir.path(),
            listing: &listing,
            fresh_listing: true,
            options: ParseOptions {
                purpose,
                ..Default::default()
            },
            highlighter: &Highlighter::new(),
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            tech_docs_config: &serde_json::Value::Null,
            helpers: &erb::Helpers::default(),
            repository_folder: None,
        };
        let parsed = parse_pages(run, cache);
        parsed.pages.iter().map(|p| p.body_html.clone()).collect()
    }

    /// Invariant: a build holds its pages' bodies in a temporary file, not
    /// in memory, until it renders them; `serve`, which keeps its parses
    /// between saves, holds them in memory.
    #[test]
    fn a_build_keeps_bodies_out_of_memory_and_serve_keeps_them_in_it() {
        let built = bodies(&mut ParseCache::default(), Purpose::Publish);
        assert_eq!(built.len(), 2);
        for body in &built {
            assert!(matches!(body, PageBody::Spilled { .. }), "{body:?}");
            assert!(body.text().unwrap().contains("Steps"));
        }
        for body in bodies(&mut ParseCache::keeping(), Purpose::Publish) {
            assert!(matches!(body, PageBody::Held(_)), "{body:?}");
            assert!(body.text().unwrap().contains("Steps"));
        }
    }
}
