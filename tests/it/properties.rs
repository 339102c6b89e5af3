//! Property tests (proptest): whatever an editor saves, whatever the
//! settings say and wherever a link points, the stages never panic, and
//! they end in a rendered site or in diagnostics that name a file.
//!
//! The stages run in this process, on the library's API, so thousands of
//! cases take seconds. The number of cases per property is PROPTEST_CASES
//! (proptest's default, 256, when unset); RELIABILITY.md records a long run.
//! A failure is saved under `proptest-regressions/` and replayed first on
//! every later run: commit that file with the fix.

use crate::common;

use std::path::PathBuf;
use std::sync::LazyLock;

use common::MemorySink;
use manual::diagnostics::Diagnostics;
use manual::highlight::Highlighter;
use manual::load::{self, PageSource};
use manual::parse::{self, ParseOptions};
use manual::render::Templates;
use manual::settings::{self, Settings};
use manual::site::{Site, SiteInputs};
use manual::url::OutputPath;
use manual::validate;
use proptest::prelude::*;

static HIGHLIGHTER: LazyLock<Highlighter> = LazyLock::new(Highlighter::new);
static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| {
    Templates::load(None).unwrap_or_else(|_| panic!("the repository's layouts load"))
});

/// Every stage after loading, on pages given as bytes: decode, parse,
/// assemble, check, render. Returns what was rendered, or the problems.
fn run_site(settings: Settings, pages: &[(&str, &[u8])]) -> Result<Vec<String>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut parsed = Vec::new();
    let mut unparsed = Vec::new();
    let base_path = settings.base_path.clone();
    let options = ParseOptions {
        purpose: manual::parse::Purpose::Publish,
        index_words: settings.enable_search,
        base_path: &base_path,
        heading_ids: settings.heading_ids(),
        directory_indexes: settings.directory_indexes(),
        gem_markdown: settings.tech_docs.is_some(),
        layout_rules: &settings.middleman_layouts,
    };
    for (relative, bytes) in pages {
        let path = PathBuf::from("source").join(relative);
        let text = match load::decode(bytes.to_vec()) {
            Ok(text) => text,
            Err(_) => {
                // The loader reports this as `source-not-utf8`.
                unparsed.push(manual::url::url_for_page(relative));
                continue;
            }
        };
        let source = PageSource {
            path,
            relative: relative.to_string(),
            text,
        };
        let (page, found) = parse::parse_page(source, &HIGHLIGHTER, options);
        assert!(found.iter().all(|d| !d.file.as_os_str().is_empty()));
        diagnostics.extend(found);
        match page {
            Some(page) => parsed.push(std::sync::Arc::new(page)),
            None => unparsed.push(manual::url::url_for_page(relative)),
        }
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    // The theme's assets, as the pipeline passes them: the script check
    // knows the built-in scripts by their published bytes.
    let (site, found) = Site::assemble(SiteInputs {
        settings,
        today,
        pages: parsed,
        unparsed,
        assets: vec![],
        theme_assets: TEMPLATES.assets.clone(),
        layout_ids: TEMPLATES.ids.clone(),
        source_in_repository: "source/".into(),
        alerts: vec![],
    });
    diagnostics.extend(found);
    diagnostics.extend(validate::structure(&site, &TEMPLATES.layouts, &|name| {
        TEMPLATES.location(name)
    }));
    let checked = validate::check(&site);
    assert!(
        diagnostics
            .iter()
            .chain(checked.iter())
            .all(|d| !d.file.as_os_str().is_empty()),
        "a diagnostic names no file"
    );
    // Only what stops a site being assembled stops rendering, as with
    // `build --skip-check`: so the check's findings do not keep pages with
    // broken links from being rendered here.
    if diagnostics.has_errors() {
        diagnostics.extend(checked);
        return Err(diagnostics);
    }
    let sink = MemorySink::default();
    manual::write::render_site(&site, &TEMPLATES, &sink)?;
    if checked.has_errors() {
        return Err(checked);
    }
    let files = sink.files.into_inner().unwrap();
    for page in &site.pages {
        assert!(
            files.contains_key(OutputPath::of(&page.url).unwrap().as_str()),
            "{} was not rendered",
            page.url
        );
    }
    Ok(files.into_keys().collect())
}

const OTHER_PAGE: &[u8] =
    b"---\ntitle: Other\nowner_slack: '#team'\nsection: Ops\n---\n## Part two\n\nText.\n";

fn settings_with_search() -> Settings {
    Settings {
        enable_search: true,
        ..Settings::defaults()
    }
}

/// Pieces of pages as authors write them, and as they break them.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---\n".to_string()),
        Just("title: A title\n".to_string()),
        Just("owner_slack: '#team'\n".to_string()),
        Just("section: Ops\n".to_string()),
        Just("parent: /manual/other.html\n".to_string()),
        Just("review_by: 2027-02-30\n".to_string()),
        Just("last_reviewed_on: 2026-08-31\nreview_in: 6 months\n".to_string()),
        Just("old_paths:\n  - /manual/old.html\n".to_string()),
        Just("layout: nope\n".to_string()),
        Just("title: [".to_string()),
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("### Same {#same}\n".to_string()),
        Just("- ".to_string()),
        Just("  ".to_string()),
        Just("> ".to_string()),
        Just("1. ".to_string()),
        Just("```".to_string()),
        Just("```ruby\n".to_string()),
        Just("```klingon\n".to_string()),
        Just("    indented code\n".to_string()),
        Just("[link](".to_string()),
        Just("/manual/other.html#part-two".to_string()),
        Just("#nowhere".to_string()),
        Just(")".to_string()),
        Just("[ref][label]".to_string()),
        Just("[label]: /manual/other.html\n".to_string()),
        Just("[label]: [https://example.org]\n".to_string()),
        Just("![img](/manual/images/x.png)".to_string()),
        Just("<a href=\"".to_string()),
        Just("\">x</a>".to_string()),
        Just("<div id=\"anchor\">\n".to_string()),
        Just("</div>\n".to_string()),
        Just("<!-- ".to_string()),
        Just("<% erb %>".to_string()),
        Just("|a|b|\n|-|-|\n|1|2|\n".to_string()),
        Just("[^1]\n\n[^1]: note\n".to_string()),
        Just("- [ ] task\n".to_string()),
        Just("`code`".to_string()),
        Just("*".to_string()),
        Just("_".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("\u{feff}".to_string()),
        Just("â€™".to_string()),
        Just("javascript:alert(1)".to_string()),
        ".{0,12}",
        "[a-z ]{0,20}",
    ]
}

fn page_text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn any_bytes_as_a_page(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = run_site(settings_with_search(), &[
            ("manual/page.html.md", &bytes),
            ("manual/other.html.md", OTHER_PAGE),
        ]);
    }

    #[test]
    fn any_page_made_of_markdown_pieces(text in page_text(), with_front_matter in any::<bool>()) {
        let text = if with_front_matter {
            format!("---\ntitle: Pieces\nowner_slack: '#team'\nsection: Ops\n---\n{text}")
        } else {
            text
        };
        let _ = run_site(settings_with_search(), &[
            ("manual/page.html.md", text.as_bytes()),
            ("manual/other.html.md", OTHER_PAGE),
        ]);
    }

    #[test]
    fn any_link_target(target in prop_oneof![
        ".{0,40}",
        "(/|\\.\\./|\\./|#|https?://|mailto:|//)?[a-z./#%?:@ -]{0,30}",
    ]) {
        let body = format!(
            "[a]({target})\n\n<a href=\"{}\">b</a>\n\n[c][d]\n\n[d]: {target}\n",
            target.replace('"', "&quot;")
        );
        let page = format!("---\ntitle: Links\nowner_slack: '#team'\nsection: Ops\n---\n{body}");
        let outcome = run_site(Settings::defaults(), &[
            ("manual/page.html.md", page.as_bytes()),
            ("manual/other.html.md", OTHER_PAGE),
        ]);
        // And the resolver, on its own, from a few places.
        let (site, _) = Site::assemble(SiteInputs {
            settings: Settings::defaults(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            pages: vec![],
            unparsed: vec![],
            assets: vec![],
            theme_assets: vec![],
            layout_ids: Default::default(),
            source_in_repository: String::new(),
            alerts: vec![],
        });
        for from in ["/", "/manual/page.html", "/a/b/c/d.html"] {
            let _ = site.resolve(from, &target);
        }
        drop(outcome);
    }

    #[test]
    fn any_settings_file(text in prop_oneof![
        ".{0,200}",
        prop::collection::vec(prop_oneof![
            Just("service_name: X\n".to_string()),
            Just("host: https://example.org/\n".to_string()),
            Just("base_path: ".to_string()),
            Just("/docs\n".to_string()),
            Just("enable_search: true\n".to_string()),
            Just("redirects:\n".to_string()),
            Just("  /old.html: /manual/other.html\n".to_string()),
            Just("  /a.html: /b.html\n  /b.html: /a.html\n".to_string()),
            Just("  /x.html: javascript:alert(1)\n".to_string()),
            Just("header_links:\n  Home: /\n".to_string()),
            Just("owners:\n  '#team': Team\n".to_string()),
            Just("lints:\n  title_verb: false\n".to_string()),
            Just("external_links:\n  concurrency: 0\n".to_string()),
            Just("github_repo: a/b\n".to_string()),
            Just("- list\n".to_string()),
            Just(": :\n".to_string()),
            Just("&anchor x\n".to_string()),
            Just("*alias\n".to_string()),
            Just("  ".to_string()),
            Just("\n".to_string()),
            "[a-z_]{1,12}: [a-z0-9/.#]{0,12}\n",
        ], 0..20).prop_map(|parts| parts.concat()),
    ]) {
        match settings::parse(&text) {
            Ok(settings) => {
                let _ = run_site(settings, &[("manual/other.html.md", OTHER_PAGE)]);
            }
            Err(diagnostic) => prop_assert!(diagnostic.line > 0 || diagnostic.message.contains("settings")),
        }
    }
}

/// The harness itself renders a good page and reports a bad one, so the
/// properties above exercise rendering, not only early errors.
#[test]
fn the_harness_renders_good_pages_and_reports_bad_ones() {
    let good = b"---\ntitle: Good\nowner_slack: '#team'\nsection: Ops\n---\n[x](/manual/other.html#part-two)\n\n```ruby\nputs 1\n```\n";
    let files = run_site(
        settings_with_search(),
        &[
            ("manual/page.html.md", good),
            ("manual/other.html.md", OTHER_PAGE),
        ],
    )
    .unwrap();
    assert!(files.contains(&"manual/page.html".to_string()));
    assert!(files.contains(&"search/pages.json".to_string()));
    let bad = b"---\ntitle: Bad\nowner_slack: '#team'\nsection: Ops\n---\n[x](/manual/gone.html)\n";
    let problems = run_site(
        Settings::defaults(),
        &[
            ("manual/page.html.md", bad),
            ("manual/other.html.md", OTHER_PAGE),
        ],
    )
    .unwrap_err();
    assert!(problems.iter().any(|d| d.code.as_str() == "link-broken"));
}

// ERB and project helpers under a memory meter: pages and helpers come
// from pull requests, so whatever a template does, evaluating it ends (in
// text or an error) with its memory bounded. The meter counts the bytes
// this thread holds, through the allocator, so other tests running at once
// do not disturb it.

mod meter {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn add(bytes: isize) {
        let _ = LIVE.try_with(|live| {
            let now = live.get() + bytes;
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    pub struct Meter;

    unsafe impl GlobalAlloc for Meter {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            add(-(layout.size() as isize));
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            add(new_size as isize - layout.size() as isize);
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Runs `f`, returning its result and the most bytes this thread held
    /// above what it held at the start.
    pub fn peak_of<T>(f: impl FnOnce() -> T) -> (T, isize) {
        let start = LIVE.with(Cell::get);
        PEAK.with(|peak| peak.set(start));
        let result = f();
        (result, PEAK.with(Cell::get) - start)
    }
}

#[global_allocator]
static METER: meter::Meter = meter::Meter;

/// Pieces of ERB a generated page is made of: loops, doubling, copying,
/// partials, helpers and nesting, the kinds of work a budget must bound.
fn erb_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<% s = s + s %>",
        "<% s = \"#{s}#{s}#{s}\" %>",
        "<% a = a + a %>",
        "<% a = a.map { |x| [x, x] } %>",
        "<% s = s.gsub('x', s) %>",
        "<% t = s * 1000 %>",
        "<% a = [a, a] %>",
        "<% s = a.join(s) %>",
        "<% p = partial('partials/big') %>",
        "<%= s.length %>",
        "<%= s %>",
        "<%= Big.loop(a, s) %>",
        "<% [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].each do |i| %>",
        "<% sitemap.resources.each do |r| %>",
        "<% if s.length > 0 %>",
        "<% end %>",
        "text ",
    ])
}

fn erb_page() -> impl Strategy<Value = String> {
    prop::collection::vec(erb_piece(), 1..40).prop_map(|pieces| {
        let mut body = String::from("<% s = 'xxxxxxxx' %><% a = [1, 2] %>");
        let mut open = 0usize;
        for piece in pieces {
            if piece == "<% end %>" {
                if open == 0 {
                    continue;
                }
                open -= 1;
            } else if piece.ends_with("do |i| %>")
                || piece.ends_with("do |r| %>")
                || piece.starts_with("<% if")
            {
                open += 1;
            }
            body.push_str(piece);
        }
        body.push_str(&"<% end %>".repeat(open));
        body
    })
}

struct BigPartial(std::sync::Arc<str>);

impl parse::erb::Partials for BigPartial {
    fn find(&self, _: &str, name: &str) -> Option<parse::erb::PartialFile> {
        (name == "partials/big").then(|| parse::erb::PartialFile {
            relative: "partials/_big.erb".into(),
            path: PathBuf::from("source/partials/_big.erb"),
            text: Ok(self.0.clone()),
        })
    }
}

/// Its own count (`MANUAL_ERB_CASES`, default 24), through a runner of its
/// own: a case may run up to the whole budget, and `proptest!` would take
/// CI's PROPTEST_CASES=20,000 meant for the cheap properties above.
/// RELIABILITY.md records a long run.
#[test]
fn erb_and_helpers_end_within_their_budget() {
    let cases = std::env::var("MANUAL_ERB_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let outcome = runner.run(&erb_page(), |body| {
        use parse::erb::{Helpers, Resource, World};
        let resources: Vec<Resource> = (0..50)
            .map(|i| Resource {
                url: format!("/p{i}/"),
                path: format!("p{i}/index.html"),
                data: serde_json::json!({ "title": format!("Page {i}") }),
                layout: None,
            })
            .collect();
        let inline = indexmap::IndexMap::from([(
            "Big.loop".to_string(),
            "{% for x in args[0] %}{{ args[1] }}{{ args[1] }}{% endfor %}".to_string(),
        )]);
        let (helpers, problems) = Helpers::load(None, &inline, std::path::Path::new("site.yml"));
        prop_assert!(problems.is_empty(), "{problems:?}");
        let partials = BigPartial("x".repeat(1 << 20).into());
        let config = serde_json::json!({});
        let world = World {
            resources: &resources,
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            config: &config,
            partials: &partials,
            helpers: &helpers,
        };
        let text = format!("---\ntitle: Fuzz\n---\n{body}");
        let start = text.len() - body.len();
        let (result, peak) = meter::peak_of(|| {
            parse::erb::evaluate_page(
                &world,
                Some(0),
                &resources[0],
                PathBuf::from("source/fuzz.html.md.erb"),
                text.as_str().into(),
                start,
            )
            .map(|done| done.output.text.len())
        });
        prop_assert!(
            peak < 1536 * 1024 * 1024,
            "{body}: held {} MiB",
            peak / (1024 * 1024)
        );
        if let Ok(written) = result {
            prop_assert!(written <= parse::erb::MAX_OUTPUT);
        }

        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Reading the highlight cache's pack costs little more than the pack: a
/// pack of a million small entries once took about nine times its size.
#[test]
fn a_highlight_pack_is_read_in_about_its_own_size() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("cache");
    drop(manual::highlight::disk::DiskCache::open(&folder).unwrap());
    let entries = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("highlight-"))
        .unwrap()
        .path();
    let mut pack = String::new();
    for i in 0..200_000u32 {
        let html = format!("<span class=\"c2\">echo</span> {i}\n");
        let key = manual::highlight::disk::key("bash", &html);
        let _ = write!(pack, "{key} {}\n{html}\n", html.len());
    }
    std::fs::write(entries.join("pack"), &pack).unwrap();
    let (cache, peak) =
        meter::peak_of(|| manual::highlight::disk::DiskCache::open(&folder).unwrap());
    let html = "<span class=\"c2\">echo</span> 7\n";
    assert_eq!(
        cache
            .get(&manual::highlight::disk::key("bash", html), "echo 7\n")
            .as_deref(),
        Some(html)
    );
    assert!(
        (peak as usize) < pack.len() * 5 / 2,
        "reading a {} byte pack held {peak} bytes",
        pack.len()
    );
}
