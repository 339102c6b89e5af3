//! Invariant: serve equals build. After any sequence of edits (pages
//! created, deleted, renamed; bodies, titles, sections, parents, headings
//! and `old_paths` changed; layouts and settings edited; a page broken and
//! mended), every file `serve` serves is byte for byte what a fresh `build`
//! writes, and its problem list is what a fresh `check` reports.
//!
//! The edits run on a real folder; `serve`'s rebuild (`Live::rebuild`, what
//! its watcher thread calls) is told what changed as the watcher tells it:
//! the paths, and whether every change was an edit in place. The number of
//! sequences is PROPTEST_CASES (64 when unset); CI runs a bounded number,
//! RELIABILITY.md records a long run.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::MemorySink;

use manual::diagnostics::Diagnostic;
use manual::highlight::Highlighter;
use manual::pipeline::{self, CheckOptions};
use manual::project::Inputs;
use manual::serve::Served;
use manual::serve::live::Live;
use proptest::prelude::*;

static HIGHLIGHTER: LazyLock<Highlighter> = LazyLock::new(Highlighter::new);

/// A small site on disk, and the edits made to it.
struct Project {
    dir: tempfile::TempDir,
    inputs: Inputs,
    /// Slugs of the pages that exist, in `source/manual/`.
    pages: Vec<String>,
}

const SECTIONS: [&str; 3] = ["Ops", "Deploy", "Search"];
const HEADINGS: [&str; 3] = ["Part one", "Part two", "Rollback"];

fn page_text(slug: &str, title: &str, section: &str, parent: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\nowner_slack: \"#team\"\nsection: {section}\nparent: {parent}\n---\n\
         Page {slug}.\n\n{body}\n"
    )
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let layouts = Path::new(env!("CARGO_MANIFEST_DIR")).join("theme");
        for entry in walkdir::WalkDir::new(&layouts) {
            let entry = entry.unwrap();
            let target = dir
                .path()
                .join("layouts")
                .join(entry.path().strip_prefix(&layouts).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        std::fs::create_dir_all(dir.path().join("source/manual/images")).unwrap();
        std::fs::write(dir.path().join("source/manual/images/a.png"), "png").unwrap();
        let inputs = Inputs {
            root: dir.path().to_path_buf(),
            source: dir.path().join("source"),
            layouts: Some(dir.path().join("layouts")),
            settings: None,
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            alerts: Vec::new(),
            env: Vec::new(),
        };
        let mut project = Project {
            dir,
            inputs,
            pages: Vec::new(),
        };
        for (i, slug) in ["a", "b", "c"].iter().enumerate() {
            project.write_page(
                slug,
                &format!("Page {slug}"),
                SECTIONS[i],
                "/manual.html",
                "## Part one\n\nText.\n",
            );
            project.pages.push(slug.to_string());
        }
        project
    }

    fn page_path(&self, slug: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("source/manual/{slug}.html.md"))
    }

    fn write_page(
        &self,
        slug: &str,
        title: &str,
        section: &str,
        parent: &str,
        body: &str,
    ) -> PathBuf {
        let path = self.page_path(slug);
        std::fs::write(&path, page_text(slug, title, section, parent, body)).unwrap();
        path
    }
}

/// One edit an author (or `git checkout`) makes.
#[derive(Debug, Clone)]
enum Edit {
    Create {
        title: u8,
        section: u8,
        body: Body,
    },
    Delete(u8),
    Rename(u8),
    Rewrite {
        page: u8,
        title: u8,
        section: u8,
        parent: u8,
        body: Body,
    },
    /// The body alone, its front matter kept: what most saves are, and
    /// the edit after which `serve` keeps every other page's findings
    /// and output (`Site::differs_only_inside_pages`).
    Body {
        page: u8,
        body: Body,
    },
    OldPaths(u8, bool),
    Break(u8),
    Layout(u8),
    Settings {
        search: bool,
        base: bool,
        redirect: bool,
    },
    /// The ERB page that lists every page (`sitemap.resources`) and
    /// includes the partial: written, rewritten or removed.
    ErbPage(u8),
    /// The partial the ERB page includes, with a link to a page.
    Partial(u8),
}

/// A body: a heading and links to other pages and their headings.
#[derive(Debug, Clone)]
struct Body {
    heading: u8,
    links: Vec<(u8, Option<u8>)>,
}

fn body() -> impl Strategy<Value = Body> {
    (
        any::<u8>(),
        prop::collection::vec((any::<u8>(), prop::option::of(any::<u8>())), 0..4),
    )
        .prop_map(|(heading, links)| Body { heading, links })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), body()).prop_map(|(title, section, body)| Edit::Create {
            title,
            section,
            body
        }),
        any::<u8>().prop_map(Edit::Delete),
        any::<u8>().prop_map(Edit::Rename),
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), body()).prop_map(
            |(page, title, section, parent, body)| Edit::Rewrite {
                page,
                title,
                section,
                parent,
                body
            }
        ),
        (any::<u8>(), body()).prop_map(|(page, body)| Edit::Body { page, body }),
        (any::<u8>(), body()).prop_map(|(page, body)| Edit::Body { page, body }),
        (any::<u8>(), any::<bool>()).prop_map(|(p, on)| Edit::OldPaths(p, on)),
        any::<u8>().prop_map(Edit::Break),
        any::<u8>().prop_map(Edit::Layout),
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(search, base, redirect)| {
            Edit::Settings {
                search,
                base,
                redirect,
            }
        }),
        any::<u8>().prop_map(Edit::ErbPage),
        any::<u8>().prop_map(Edit::Partial),
    ]
}

impl Project {
    fn pick(&self, n: u8) -> Option<String> {
        (!self.pages.is_empty()).then(|| self.pages[n as usize % self.pages.len()].clone())
    }

    fn render_body(&self, body: &Body) -> String {
        let mut text = format!(
            "## {}\n\nWords about it.\n\n",
            HEADINGS[body.heading as usize % 3]
        );
        for (page, heading) in &body.links {
            let target = self.pick(*page).unwrap_or_else(|| "gone".into());
            let fragment = heading
                .map(|h| {
                    format!(
                        "#{}",
                        HEADINGS[h as usize % 3].to_lowercase().replace(' ', "-")
                    )
                })
                .unwrap_or_default();
            text.push_str(&format!("[to {target}](/manual/{target}.html{fragment})\n"));
        }
        text.push_str("\n![image](/manual/images/a.png)\n");
        text
    }

    /// Applies the edit; returns the paths changed and whether every change
    /// was an edit of an existing file's contents.
    fn apply(&mut self, edit: &Edit, counter: usize) -> (Vec<PathBuf>, bool) {
        match edit {
            Edit::Create {
                title,
                section,
                body,
            } => {
                let slug = format!("new{counter}");
                let body = self.render_body(body);
                let path = self.write_page(
                    &slug,
                    &format!("Title {title}"),
                    SECTIONS[*section as usize % 3],
                    "/manual.html",
                    &body,
                );
                self.pages.push(slug);
                (vec![path], false)
            }
            Edit::Delete(n) => {
                let Some(slug) = self.pick(*n) else {
                    return (vec![], true);
                };
                let path = self.page_path(&slug);
                std::fs::remove_file(&path).unwrap();
                self.pages.retain(|p| *p != slug);
                (vec![path], false)
            }
            Edit::Rename(n) => {
                let Some(slug) = self.pick(*n) else {
                    return (vec![], true);
                };
                let new = format!("moved{counter}");
                let (from, to) = (self.page_path(&slug), self.page_path(&new));
                std::fs::rename(&from, &to).unwrap();
                self.pages.retain(|p| *p != slug);
                self.pages.push(new);
                (vec![from, to], false)
            }
            Edit::Rewrite {
                page,
                title,
                section,
                parent,
                body,
            } => {
                let Some(slug) = self.pick(*page) else {
                    return (vec![], true);
                };
                let parent = match parent % 4 {
                    0 => "/manual.html".to_string(),
                    1 => "/manual/nowhere.html".to_string(),
                    _ => format!("/manual/{}.html", self.pick(*parent).unwrap()),
                };
                let body = self.render_body(body);
                let path = self.write_page(
                    &slug,
                    &format!("Title {title}"),
                    SECTIONS[*section as usize % 3],
                    &parent,
                    &body,
                );
                (vec![path], true)
            }
            Edit::Body { page, body } => {
                let Some(slug) = self.pick(*page) else {
                    return (vec![], true);
                };
                let path = self.page_path(&slug);
                let text = std::fs::read_to_string(&path).unwrap();
                let body_starts = text.match_indices("---\n").nth(1).unwrap().0 + 4;
                let body = self.render_body(body);
                std::fs::write(
                    &path,
                    format!("{}Page {slug}.\n\n{body}\n", &text[..body_starts]),
                )
                .unwrap();
                (vec![path], true)
            }
            Edit::OldPaths(n, on) => {
                let Some(slug) = self.pick(*n) else {
                    return (vec![], true);
                };
                let path = self.page_path(&slug);
                let text = std::fs::read_to_string(&path).unwrap();
                let text = if *on && !text.contains("old_paths") {
                    text.replacen("---\n", &format!("---\nold_paths: [/old/{slug}.html]\n"), 1)
                } else {
                    text.lines()
                        .filter(|l| !l.starts_with("old_paths"))
                        .map(|l| format!("{l}\n"))
                        .collect()
                };
                std::fs::write(&path, text).unwrap();
                (vec![path], true)
            }
            Edit::Break(n) => {
                let Some(slug) = self.pick(*n) else {
                    return (vec![], true);
                };
                let path = self.page_path(&slug);
                std::fs::write(&path, "---\ntitle: [broken\n---\nBody.\n").unwrap();
                (vec![path], true)
            }
            Edit::Layout(n) => {
                // The main block every page layout includes: an edit
                // there must reach every page.
                let path = self.dir.path().join("layouts/_page_main.html");
                let text = std::fs::read_to_string(&path).unwrap();
                let at = text.find("<main").expect("the main block has <main");
                let text = format!(
                    "{}<main data-version=\"{n}\"{}",
                    &text[..at],
                    &text[at + 5..]
                );
                std::fs::write(&path, text).unwrap();
                (vec![path], true)
            }
            Edit::Settings {
                search,
                base,
                redirect,
            } => {
                let path = self.dir.path().join("source/site.yml");
                let existed = path.exists();
                let mut text = format!("enable_search: {search}\n");
                if *base {
                    text.push_str("base_path: /docs\n");
                }
                if *redirect {
                    text.push_str("redirects:\n  /gone.html: /manual/a.html\n");
                }
                std::fs::write(&path, text).unwrap();
                (vec![path], existed)
            }
            Edit::ErbPage(n) => {
                let path = self.dir.path().join("source/manual/listing.html.md.erb");
                let existed = path.exists();
                if n % 4 == 0 {
                    if existed {
                        std::fs::remove_file(&path).unwrap();
                        return (vec![path], false);
                    }
                    return (vec![], true);
                }
                let text = format!(
                    "---\ntitle: Listing {n}\nowner_slack: \"#team\"\nsection: {}\nparent: /manual.html\n---\n# <%= current_page.data.title %>\n\n<%= partial 'partials/note' %>\n\n<% sitemap.resources.select {{ |r| r.data.section == '{}' }}.each do |r| -%>\n- [<%= r.data.title %>](<%= r.url %>)\n<% end -%>\n",
                    SECTIONS[*n as usize % 3],
                    SECTIONS[(*n as usize / 3) % 3],
                );
                std::fs::write(&path, text).unwrap();
                (vec![path], existed)
            }
            Edit::Partial(n) => {
                let path = self.dir.path().join("source/partials/_note.erb");
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let existed = path.exists();
                let target = self.pick(*n).unwrap_or_else(|| "gone".into());
                std::fs::write(
                    &path,
                    format!("Note {n}: see [{target}](/manual/{target}.html).\n"),
                )
                .unwrap();
                (vec![path], existed)
            }
        }
    }

    /// A fresh `check`: its problems, sorted.
    fn fresh_problems(&self) -> Vec<Diagnostic> {
        let (_, found) = pipeline::check(
            &self.inputs,
            CheckOptions::default(),
            &HIGHLIGHTER,
            manual::parse::Purpose::Check,
        );
        found.sorted()
    }

    /// A fresh `build --skip-check`, in memory: its files, or `None` when
    /// it would fail.
    fn fresh_build(&self) -> Option<BTreeMap<String, Vec<u8>>> {
        let (prepared, found) =
            pipeline::prepare_with(&self.inputs, &HIGHLIGHTER, manual::parse::Purpose::Publish);
        let prepared = prepared.filter(|_| !found.has_errors())?;
        let sink = MemorySink::default();
        manual::write::render_site(&prepared.site, &prepared.templates, &sink).ok()?;
        Some(sink.files.into_inner().unwrap())
    }
}

fn served_bytes(files: std::collections::HashMap<String, Served>) -> BTreeMap<String, Vec<u8>> {
    files
        .into_iter()
        .map(|(path, served)| {
            let bytes = match served {
                Served::Made(packed) => packed.bytes(),
                Served::File(from) => std::fs::read(from).unwrap(),
            };
            (path, bytes)
        })
        .collect()
}

fn run(edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut project = Project::new();
    let mut live = Live::new();
    let first = live.rebuild(&project.inputs, &HIGHLIGHTER, &[], false);
    prop_assert!(first.is_ok(), "{first:?}");
    live.refresh_search();
    let mut last_good = served_bytes(live.files());
    for (counter, edit) in edits.iter().enumerate() {
        let (changed, in_place) = project.apply(edit, counter);
        let rebuilt = live.rebuild(&project.inputs, &HIGHLIGHTER, &changed, in_place);
        let problems = match &rebuilt {
            Ok(_) => live.problems().to_vec(),
            Err(problems) => problems.clone(),
        };
        prop_assert_eq!(
            &problems,
            &project.fresh_problems(),
            "problems after {:?}",
            edit
        );
        if rebuilt.is_ok() {
            live.refresh_search();
        }
        let served = served_bytes(live.files());
        match project.fresh_build() {
            Some(built) => {
                prop_assert!(
                    rebuilt.is_ok(),
                    "serve failed where build works, after {:?}",
                    edit
                );
                let served_names: Vec<&String> = served.keys().collect();
                let built_names: Vec<&String> = built.keys().collect();
                prop_assert_eq!(
                    served_names,
                    built_names,
                    "file lists differ after {:?}",
                    edit
                );
                for (name, bytes) in &built {
                    prop_assert!(
                        served[name] == *bytes,
                        "{} differs from a fresh build after {:?}:\nserved:\n{}\nbuilt:\n{}",
                        name,
                        edit,
                        String::from_utf8_lossy(&served[name]),
                        String::from_utf8_lossy(bytes)
                    );
                }
                last_good = served;
            }
            None => {
                prop_assert!(
                    rebuilt.is_err(),
                    "serve rebuilt where build fails, after {:?}",
                    edit
                );
                prop_assert!(
                    served == last_good,
                    "a failed rebuild changed what is served"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn serve_equals_build_after_any_edits(edits in prop::collection::vec(edit(), 1..10)) {
        run(&edits)?;
    }
}

/// The cases the issue names, as one fixed sequence: a grandparent's title
/// and a middle parent change (breadcrumbs), the home page written in the
/// source (its section list), a link to `/manual/#fragment`.
#[test]
fn the_named_cases_stay_equal() {
    let mut project = Project::new();
    std::fs::write(
        project.dir.path().join("source/index.html.md"),
        "---\ntitle: Home\n---\nWelcome. [x](/manual/#nowhere)\n",
    )
    .unwrap();
    project.write_page("b", "Page b", "Ops", "/manual/a.html", "Child of a.\n");
    project.write_page(
        "c",
        "Page c",
        "Deploy",
        "/manual/b.html",
        "Grandchild of a.\n",
    );
    let mut live = Live::new();
    live.rebuild(&project.inputs, &HIGHLIGHTER, &[], false)
        .unwrap();
    let edits = [
        Edit::Rewrite {
            page: 0,
            title: 42,
            section: 1,
            parent: 0,
            body: Body {
                heading: 0,
                links: vec![],
            },
        },
        Edit::Rewrite {
            page: 1,
            title: 7,
            section: 0,
            parent: 0,
            body: Body {
                heading: 1,
                links: vec![(0, Some(0))],
            },
        },
        Edit::Create {
            title: 3,
            section: 2,
            body: Body {
                heading: 2,
                links: vec![(1, Some(1))],
            },
        },
    ];
    // The first edit renames page a's title: c's breadcrumbs hold it.
    for (counter, edit) in edits.iter().enumerate() {
        let (changed, in_place) = project.apply(edit, counter);
        live.rebuild(&project.inputs, &HIGHLIGHTER, &changed, in_place)
            .unwrap();
        live.refresh_search();
        let served = served_bytes(live.files());
        let built = project.fresh_build().unwrap();
        assert_eq!(served, built, "after {edit:?}");
        assert_eq!(live.problems(), project.fresh_problems(), "after {edit:?}");
    }
    let served = served_bytes(live.files());
    let grandchild = String::from_utf8_lossy(&served["manual/c.html"]).into_owned();
    assert!(grandchild.contains("Title 42"), "{grandchild}");
    assert!(
        live.problems().iter().any(|d| d.code.as_str() == "link-fragment-missing" || d.code.as_str() == "link-broken"),
        "{:?}",
        live.problems()
    );
}
