//! What readers get, in headless Chromium, from a site as `build` writes it
//! and a plain static server serves it (Python's `http.server`, as a
//! stand-in for any host): search, heading links by keyboard, redirects,
//! every link and asset under a sub-path, and no axe-core violations.

use crate::common;

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use common::Fixture;
use common::browser::{StaticServer, axe_source, axe_violations, browser, strings, wait_for};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;

/// A small manual published under `/docs`, with search, redirects from the
/// settings and from `old_paths`, header and footer links, an image and a
/// raw HTML link.
fn sub_path_site() -> Fixture {
    let site = Fixture::new();
    site.write(
        "source/site.yml",
        "service_name: Sub-path manual\nbase_path: /docs\nenable_search: true\n\
         host: https://ops.example.org\n\
         header_links:\n  Manual: /manual.html\nfooter_links:\n  Deploy: /manual/deploy.html\n\
         redirects:\n  /old-deploy.html: /manual/deploy.html\n",
    );
    site.write(
        "source/manual/deploy.html.md",
        "---\ntitle: Deploy an application\nowner_slack: '#platform'\nsection: Deploy\n\
         last_reviewed_on: 2026-01-31\nreview_in: 1 month\n---\n\
         Ship a release to production.\n\n## Before you start\n\nAsk for access.\n\n\
         ## Roll back\n\nSee [undo a release](/manual/rollback.html#undo-a-release) or \
         <a href=\"/manual/rollback.html\">the rollback page</a>.\n\n\
         ![Deploy diagram](/manual/images/diagram.svg)\n",
    );
    site.write(
        "source/manual/rollback.html.md",
        "---\ntitle: Roll back a release\nowner_slack: '#platform'\nsection: Deploy\n\
         old_paths:\n  - /manual/revert.html\n---\n\
         When a release breaks something.\n\n## Undo a release\n\nRun `deploy --previous`.\n\n\
         [Deploying](/manual/deploy.html#before-you-start)\n",
    );
    for i in 0..12 {
        site.page(
            &format!("note-{i}"),
            &format!("Operations note {i}"),
            "Notes",
            "Routine text about alerts and dashboards.\n",
        );
    }
    site.write(
        "source/manual/images/diagram.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n",
    );
    site
}

/// Every URL the open page refers to: links, stylesheets, scripts, images.
async fn references(client: &Client) -> Vec<String> {
    let found = client
        .execute(
            "return Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src], form[action]'))\
               .map(e => e.href || e.src || e.action)",
            vec![],
        )
        .await
        .unwrap();
    strings(&found)
}

async fn status_of(client: &Client, url: &str) -> u64 {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => done(r.status), e => done(0));",
            vec![Value::String(url.into())],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

async fn press(client: &Client, key: Key) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&key.to_string())
        .await
        .unwrap();
}

/// Presses Tab until `probe` (JavaScript about the focused element) gives
/// a value `reached` accepts, as a keyboard user would; returns that value.
async fn tab_to(
    client: &Client,
    what: &str,
    probe: &str,
    reached: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..60 {
        press(client, Key::Tab).await;
        let focused = client.execute(probe, vec![]).await.unwrap();
        if reached(&focused) {
            return focused;
        }
    }
    panic!("Tab never reached {what}");
}

/// Keeps `scheme` ("light" or "dark") as the reader's choice, as the theme
/// switch (`theme.js`) does, for the pages loaded next from this origin.
async fn keep_colour_scheme(client: &Client, scheme: &str) {
    client
        .execute(
            "localStorage.setItem('manual-colour-scheme', arguments[0])",
            vec![Value::from(scheme)],
        )
        .await
        .unwrap();
}

async fn path_of(client: &Client) -> String {
    client
        .execute("return location.pathname + location.hash", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_under_a_sub_path_has_no_broken_link_or_asset() {
    let site = sub_path_site();
    site.build(&["--out", "www/docs"]).assert_ok();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;

    let origin = &server.origin;
    // Requests are made from a page of the site, as a reader's would be.
    client.goto(&format!("{origin}/docs/")).await.unwrap();
    let mut queue = VecDeque::from([format!("{origin}/docs/")]);
    let mut seen = BTreeSet::new();
    let mut fragments = Vec::new();
    let mut broken = Vec::new();
    let mut pages = 0;
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let status = status_of(&client, &url).await;
        if status != 200 {
            broken.push(format!("{url}: {status}"));
            continue;
        }
        if !(url.ends_with('/') || url.ends_with(".html")) {
            continue;
        }
        pages += 1;
        client.goto(&url).await.unwrap();
        for reference in references(&client).await {
            let Some(rest) = reference.strip_prefix(origin.as_str()) else {
                continue;
            };
            if !rest.starts_with("/docs/") {
                broken.push(format!("{url} links outside the base path: {rest}"));
                continue;
            }
            let (target, fragment) = match reference.split_once('#') {
                Some((target, fragment)) => (target.to_string(), Some(fragment.to_string())),
                None => (reference.clone(), None),
            };
            let target = target.split('?').next().unwrap_or(&target).to_string();
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                fragments.push((url.clone(), target.clone(), fragment));
            }
            queue.push_back(target);
        }
    }
    assert!(broken.is_empty(), "broken under /docs: {broken:#?}");
    // Home, index, 404 is not linked; the 14 pages, search, the two
    // redirect pages are not linked either.
    assert!(pages >= 16, "only {pages} pages reached: {seen:#?}");

    // Every #fragment link lands on an element with that id.
    for (from, target, fragment) in &fragments {
        client.goto(target).await.unwrap();
        let exists = client
            .execute(
                "return document.getElementById(arguments[0]) !== null",
                vec![Value::String(fragment.clone())],
            )
            .await
            .unwrap();
        assert_eq!(exists, Value::Bool(true), "{from} -> {target}#{fragment}");
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_heading_links_and_redirects_work_in_the_browser() {
    let site = sub_path_site();
    site.build(&["--out", "www/docs", "--today", "2026-11-22"])
        .assert_ok();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    let origin = &server.origin;

    // Search from the header of any page: type, press Enter, see the page
    // among the results, follow it.
    client
        .goto(&format!("{origin}/docs/manual.html"))
        .await
        .unwrap();
    let header_box = client
        .find(Locator::Css("#site-search-query"))
        .await
        .unwrap();
    header_box.send_keys("roll back").await.unwrap();
    header_box.send_keys(&Key::Enter.to_string()).await.unwrap();
    let results = wait_for(
        &client,
        "search results",
        "return Array.from(document.querySelectorAll('#search-results > li > a')).map(a => a.getAttribute('href'))",
        |v| v.as_array().is_some_and(|a| !a.is_empty()),
    )
    .await;
    assert_eq!(
        results,
        serde_json::json!(["/docs/manual/rollback.html", "/docs/manual/deploy.html"]),
        "a match in the title ranks above one in a heading"
    );
    // The heading that matched is offered under its page, under the base path.
    let sections = client
        .execute(
            "return Array.from(document.querySelectorAll('#search-results .search-results__sections a')).map(a => a.getAttribute('href'))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        sections,
        serde_json::json!(["/docs/manual/deploy.html#roll-back"])
    );
    let status = client
        .find(Locator::Css("#search-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("2 pages match “roll back”"), "{status}");

    // Search needs nothing from another host: every resource the page
    // loaded (stylesheets, script, index files) came from the site.
    let loaded = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    let loaded = strings(&loaded);
    assert!(
        loaded.iter().any(|url| url.contains("/docs/search/terms-")),
        "{loaded:?}"
    );
    assert!(
        loaded
            .iter()
            .all(|url| url.starts_with(&format!("{origin}/docs/"))),
        "{loaded:?}"
    );

    // As you type on the search page: a word's start is enough, and a word
    // no page holds finds nothing.
    let page_box = client
        .find(Locator::Css("#search-page-query"))
        .await
        .unwrap();
    page_box.clear().await.unwrap();
    page_box.send_keys("dashb").await.unwrap();
    let results = wait_for(
        &client,
        "results for a word's start",
        "return Array.from(document.querySelectorAll('#search-results > li > a')).map(a => a.getAttribute('href'))",
        |v| v.as_array().is_some_and(|a| a.len() == 12),
    )
    .await;
    assert!(
        results
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.as_str().unwrap().contains("/note-")),
        "{results}"
    );
    page_box.clear().await.unwrap();
    page_box.send_keys("zebrafish").await.unwrap();
    wait_for(
        &client,
        "no page with the word",
        "return document.getElementById('search-status').innerText",
        |v| v.as_str().is_some_and(|t| t.starts_with("No pages match")),
    )
    .await;

    // Keyboard: Enter on a result follows it.
    page_box.clear().await.unwrap();
    page_box.send_keys("undo").await.unwrap();
    // "Undo a release" is a heading on one page and link text on another.
    wait_for(
        &client,
        "results for undo",
        "return Array.from(document.querySelectorAll('#search-results > li > a')).map(a => a.getAttribute('href'))",
        |v| v == &serde_json::json!(["/docs/manual/rollback.html", "/docs/manual/deploy.html"]),
    )
    .await;
    tab_to(
        &client,
        "the first result",
        "return document.activeElement.closest('#search-results') !== null",
        |v| v == &Value::Bool(true),
    )
    .await;
    press(&client, Key::Enter).await;
    wait_for(
        &client,
        "the result page",
        "return location.pathname",
        |v| v.as_str() == Some("/docs/manual/rollback.html"),
    )
    .await;

    // Heading links: reached with Tab, named by the heading's text, and
    // Enter puts the heading's address in the location bar.
    client
        .goto(&format!("{origin}/docs/manual/deploy.html"))
        .await
        .unwrap();
    let reached = tab_to(
        &client,
        "the Roll back heading link",
        "const a = document.activeElement; return a.classList.contains('heading-link') ? [a.getAttribute('href'), a.innerText] : null",
        |v| v[0] == "#roll-back",
    )
    .await;
    assert_eq!(reached[1], "Roll back");
    press(&client, Key::Enter).await;
    wait_for(
        &client,
        "the heading's address",
        "return location.hash",
        |v| v.as_str() == Some("#roll-back"),
    )
    .await;

    // The review note is on the page, overdue on the given day.
    let review = client
        .find(Locator::Css(".review"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        review.contains("This page is overdue for review")
            && review.contains("Last reviewed on 31 January 2026")
            && review.contains("by 28 February 2026 (#platform)"),
        "{review}"
    );

    // Redirects from the settings and from old_paths land on their targets.
    for (old, new) in [
        ("/docs/old-deploy.html", "/docs/manual/deploy.html"),
        ("/docs/manual/revert.html", "/docs/manual/rollback.html"),
    ] {
        client.goto(&format!("{origin}{old}")).await.unwrap();
        wait_for(&client, "the redirect", "return location.pathname", |v| {
            v.as_str() == Some(new)
        })
        .await;
        assert_eq!(path_of(&client).await, new);
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_read_after_its_review_date_shows_overdue_though_built_before() {
    let site = sub_path_site();
    // Built long before the deploy page's due date (28 February 2026); the
    // browser's clock is the real date, after it.
    site.build(&["--out", "www/docs", "--today", "2026-01-01"])
        .assert_ok();
    assert!(
        !site
            .read("www/docs/manual/deploy.html")
            .contains("review--overdue")
    );
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    client
        .goto(&format!("{}/docs/manual/deploy.html", server.origin))
        .await
        .unwrap();
    let note = wait_for(
        &client,
        "the overdue note",
        "const n = document.querySelector('.review'); return n.classList.contains('review--overdue') ? n.innerText : null",
        |v| v.is_string(),
    )
    .await;
    let note = note.as_str().unwrap();
    assert!(
        note.contains("This page is overdue for review")
            && note.contains("Review was due by 28 February 2026"),
        "{note}"
    );
    client.close().await.unwrap();
}

/// What is wrong with the page open at `width`: wider than the screen, or
/// an axe-core violation, each named with the width and path.
async fn width_and_axe_problems(client: &Client, axe: &str, width: u32, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let overflow = client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth]",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (overflow[0].as_u64().unwrap(), overflow[1].as_u64().unwrap());
    if scroll > inner {
        problems.push(format!("{width}px {path}: the page is {scroll}px wide"));
    }
    // Nothing is cut off without a sign: a table wider than its box scrolls
    // in a labelled, focusable region that shows it does; no table is wider
    // than the screen outside one; no box hides what overflows it.
    let cut = client
        .execute(
            "const found = [];
             for (const box of document.querySelectorAll('.table-scroll')) {
               if (box.scrollWidth > box.clientWidth + 1) {
                 if (!getComputedStyle(box).backgroundImage.includes('gradient'))
                   found.push('a table that scrolls shows no sign of it: ' + box.getAttribute('aria-label'));
                 if (box.tabIndex < 0 || !box.getAttribute('aria-label') || box.getAttribute('role') !== 'region')
                   found.push('a table that scrolls is not a labelled, focusable region');
               }
             }
             for (const table of document.querySelectorAll('table')) {
               if (!table.closest('.table-scroll') && table.getBoundingClientRect().right > window.innerWidth + 1)
                 found.push('a table runs off the screen outside a scroll region');
             }
             for (const el of document.querySelectorAll('main *')) {
               const x = getComputedStyle(el).overflowX;
               // Text hidden for all but screen readers is a 1 px box on purpose.
               if ((x === 'hidden' || x === 'clip') && el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1)
                 found.push('cut off: ' + el.tagName.toLowerCase() + '.' + el.className);
             }
             return found;",
            vec![],
        )
        .await
        .unwrap();
    for problem in strings(&cut) {
        problems.push(format!("{width}px {path}: {problem}"));
    }
    for violation in axe_violations(client, axe).await {
        problems.push(format!("{width}px {path}: {violation}"));
    }
    problems
}

/// The repository's own manual, every kind of page (home, the manual index,
/// pages with code, tables, contents and an overdue review note, search with
/// results shown, and 404), on a 390 px phone and a 1280 px screen: no
/// axe-core violations, nothing wider than the screen, the title and the
/// contents on a phone's first screen, the contents beside the text on a
/// wide one, and the site navigation marking the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_page_works_on_a_phone_and_a_wide_screen() {
    let axe = axe_source();
    let site = Fixture::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = site.path("www");
    site.build(&[
        "--source",
        root.join("source").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        // Far ahead, so every review note is in its overdue style.
        "--today",
        "2099-01-01",
    ])
    .assert_ok();
    let server = StaticServer::start(&out);
    let (_driver, client) = browser(&site.path("profile")).await;
    let origin = &server.origin;

    let mut report = Vec::new();
    // Each scheme as the theme switch keeps it in the browser.
    for scheme in ["light", "dark"] {
        client.goto(&format!("{origin}/404.html")).await.unwrap();
        keep_colour_scheme(&client, scheme).await;
        for (width, height) in [(390, 844), (1280, 800)] {
            client.set_window_size(width, height).await.unwrap();
            for path in [
                "/",
                "/manual.html",
                "/manual/check-the-manual.html",
                "/manual/write-a-manual-page.html",
                "/manual/keep-pages-up-to-date.html",
                "/search/?q=check",
                "/404.html",
            ] {
                client.goto(&format!("{origin}{path}")).await.unwrap();
                if path.starts_with("/search") {
                    wait_for(
                        &client,
                        "search results",
                        "return document.querySelectorAll('#search-results li').length",
                        |v| v.as_u64().is_some_and(|n| n > 0),
                    )
                    .await;
                    let text = client
                        .execute(
                            "return document.querySelector('#search-results').textContent",
                            vec![],
                        )
                        .await
                        .unwrap();
                    assert!(
                        !text.as_str().unwrap_or("").contains('`'),
                        "markdown in results: {text}"
                    );
                }
                let applied = client
                    .execute(
                        "return document.documentElement.getAttribute('data-theme')",
                        vec![],
                    )
                    .await
                    .unwrap();
                assert_eq!(applied, scheme, "{path}");
                report.extend(
                    width_and_axe_problems(&client, &axe, width, &format!("{path} ({scheme})"))
                        .await,
                );
            }
            // Where a page's parts are.
            client
                .goto(&format!("{origin}/manual/write-a-manual-page.html"))
                .await
                .unwrap();
            let places = client
                .execute(
                    "const box = s => document.querySelector(s).getBoundingClientRect();
                 const title = box('h1'), toc = box('.toc'), text = box('.content');
                 return [title.top, title.bottom, toc.top, toc.left, text.left, window.innerHeight,
                         document.querySelectorAll('.site-nav a[aria-current=page]').length];",
                    vec![],
                )
                .await
                .unwrap();
            let at = |i: usize| places[i].as_f64().unwrap();
            assert_eq!(at(6), 1.0, "{width}px: the site navigation marks the page");
            if width < 600 {
                assert!(
                    at(1) < at(5),
                    "{width}px: the title is below the first screen: {places}"
                );
                assert!(
                    at(2) >= at(1),
                    "{width}px: the contents come before the title: {places}"
                );
                assert!(
                    at(2) < at(5),
                    "{width}px: the contents are below the first screen: {places}"
                );
            } else {
                assert!(
                    at(3) > at(4),
                    "{width}px: the contents are not beside the text: {places}"
                );
            }
        }
    }
    client
        .goto(&format!("{origin}/manual/keep-pages-up-to-date.html"))
        .await
        .unwrap();
    assert!(
        client.find(Locator::Css(".review--overdue")).await.is_ok(),
        "the overdue style was not checked"
    );
    assert!(
        report.is_empty(),
        "at phone and desktop widths:\n{}",
        report.join("\n")
    );
    client.close().await.unwrap();
}

/// A tech-docs site as the gem's own documentation is (read in place, at
/// the site's root here): the header with its phase banner, the
/// collapsible navigation tree, warning text, owners and review notes, the
/// contribution banner; at a phone's and a wide screen's width: no axe-core
/// violations, nothing wider than the screen, the branch of the page open
/// and the others opening when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tech_docs_site_works_on_a_phone_and_a_wide_screen() {
    let axe = axe_source();
    let site = Fixture::new();
    let gem_docs = common::shared_corpus("tech-docs-gem-docs");
    // Served at the root here, rather than under the gem's GitHub path.
    site.write("ours.yml", "base_path: /\n");
    let out = site.path("www");
    let run = common::manual()
        .current_dir(&gem_docs)
        // With the base path changed, a link to the site's own address no
        // longer resolves: skip the checks, which tests/it/tech_docs.rs runs.
        .args(["build", "--skip-check", "--today", "2026-11-23", "--config"])
        .arg(site.path("ours.yml"))
        .arg("--out")
        .arg(&out)
        // The corpus is read-only test data: the cache goes elsewhere too.
        .arg("--cache-dir")
        .arg(site.path("cache"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let server = StaticServer::start(&out);
    let (_driver, client) = browser(&site.path("profile")).await;
    let origin = &server.origin;

    let mut report = Vec::new();
    for (width, height) in [(390, 844), (1280, 800)] {
        client.set_window_size(width, height).await.unwrap();
        for path in [
            "/",
            "/configure_project/global_configuration/",
            "/configure_project/frontmatter/",
            "/write_docs/content/",
            "/maintain_project/review_content/",
            "/manual.html",
        ] {
            client.goto(&format!("{origin}{path}")).await.unwrap();
            report.extend(width_and_axe_problems(&client, &axe, width, path).await);
        }
        // The parts the gem's readers know, where they should be.
        client
            .goto(&format!("{origin}/configure_project/global_configuration/"))
            .await
            .unwrap();
        let parts = client
            .execute(
                "const q = s => document.querySelector(s);
                 const shown = s => { const e = q(s); return !!e && e.getBoundingClientRect().height > 0; };
                 return [shown('.govuk-phase-banner .govuk-tag'), shown('.govuk-warning-text__icon'),
                         q('.app-nav a[aria-current=page]') ? q('.app-nav a[aria-current=page]').textContent : null,
                         !!q('.app-nav a[aria-current=page]').closest('details[open]'),
                         document.querySelectorAll('.app-nav details:not([open])').length,
                         shown('.contribution-banner'), q('h1').id];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(parts[0], Value::Bool(true), "{width}px: no phase banner");
        assert_eq!(parts[1], Value::Bool(true), "{width}px: no warning text");
        assert_eq!(
            parts[2], "Configure your documentation site",
            "{width}px: {parts}"
        );
        assert_eq!(
            parts[3],
            Value::Bool(true),
            "{width}px: the page's branch is closed"
        );
        assert!(
            parts[4].as_u64().unwrap() >= 2,
            "{width}px: other branches are open: {parts}"
        );
        assert_eq!(
            parts[5],
            Value::Bool(true),
            "{width}px: no contribution banner"
        );
        assert_eq!(parts[6], "configure-your-documentation-site");
        // A closed branch opens when its name is clicked, and closes again
        // from the keyboard.
        let summary = client
            .find(Locator::XPath(
                "//summary[normalize-space()='Write your documentation']",
            ))
            .await
            .unwrap();
        let is_open = || async {
            client
                .execute(
                    "return [...document.querySelectorAll('.app-nav summary')]
                       .find(s => s.textContent.trim() === 'Write your documentation').parentElement.open",
                    vec![],
                )
                .await
                .unwrap()
        };
        summary.click().await.unwrap();
        assert_eq!(
            is_open().await,
            Value::Bool(true),
            "{width}px: the branch did not open"
        );
        summary.send_keys(&Key::Enter.to_string()).await.unwrap();
        assert_eq!(
            is_open().await,
            Value::Bool(false),
            "{width}px: Enter did not close it"
        );
    }
    assert!(
        report.is_empty(),
        "at phone and desktop widths:\n{}",
        report.join("\n")
    );
    client.close().await.unwrap();
}

/// What a runbook page shows a reader, on a phone and a wide screen, in
/// both colour schemes: a callout drawn as the GOV.UK component, a titled
/// code block with marked lines, a diagram drawn at build time, and a copy
/// button that puts the commands (without prompts or output) on the
/// clipboard and says "Copied"; no axe-core violations and nothing wider
/// than the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callouts_and_code_blocks_work_on_a_phone_and_a_wide_screen() {
    let axe = axe_source();
    let site = Fixture::new();
    site.page(
        "restart",
        "Restart the workers",
        "Ops",
        "> [!WARNING]\n> Drain the queue first.\n\n> [!NOTE]\n> It takes a minute.\n\n\
         ```yaml title=\"config/workers.yml\" {2}\nworkers: 4\nqueue: mailers-and-a-very-long-queue-name-that-runs-past-the-edge-of-a-phone\n```\n\n\
         ```console\n$ sudo systemctl restart workers\nRestarted.\n$ systemctl status workers\n```\n\n\
         ```mermaid title=\"How a restart goes\"\nflowchart LR\n  A[Drain] --> B{Queue empty?}\n  B -->|Yes| C[Restart]\n  B -->|No| A\n```\n",
    );
    site.build(&["--out", "www"]).assert_ok();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    let mut problems = Vec::new();
    // The diagram is drawn into the page, named, with its source as its
    // description; and axe finds nothing in either colour scheme.
    client
        .goto(&format!("{}/manual/restart.html", server.origin))
        .await
        .unwrap();
    let diagram = client
        .execute(
            "const d = document.querySelector('.diagram__image');
             return [d.getAttribute('role'), d.getAttribute('aria-label'),
                     document.getElementById(d.getAttribute('aria-describedby')).textContent.startsWith('flowchart'),
                     d.querySelectorAll('svg').length, d.querySelector('svg').getBoundingClientRect().width > 50]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        diagram,
        serde_json::json!(["img", "How a restart goes", true, 1, true])
    );
    for scheme in ["dark", "light"] {
        keep_colour_scheme(&client, scheme).await;
        for (width, height) in [(390, 844), (1280, 900)] {
            client.set_window_size(width, height).await.unwrap();
            client
                .goto(&format!("{}/manual/restart.html", server.origin))
                .await
                .unwrap();
            problems.extend(
                width_and_axe_problems(
                    &client,
                    &axe,
                    width,
                    &format!("/manual/restart.html ({scheme})"),
                )
                .await,
            );
        }
    }
    for (width, height) in [(390, 844), (1280, 900)] {
        client.set_window_size(width, height).await.unwrap();
        client
            .goto(&format!("{}/manual/restart.html", server.origin))
            .await
            .unwrap();
        let shown = client
            .execute(
                "return [
                   document.querySelector('.govuk-warning-text .govuk-visually-hidden').textContent,
                   document.querySelector('.govuk-inset-text .callout__label').textContent,
                   document.querySelector('figcaption').textContent,
                   document.querySelector('mark.code-line').textContent,
                   document.querySelectorAll('.copy-button').length,
                 ]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            shown,
            serde_json::json!([
                "Warning: ",
                "Note",
                "config/workers.yml",
                "queue: mailers-and-a-very-long-queue-name-that-runs-past-the-edge-of-a-phone",
                // The two blocks and the diagram's source.
                3
            ]),
            "{width}px"
        );
        // The clipboard is watched (reading it back needs a permission a
        // test browser does not grant); the page's own call is the one made.
        client
            .execute(
                "window.copied = [];
                 const write = navigator.clipboard.writeText.bind(navigator.clipboard);
                 navigator.clipboard.writeText = t => { window.copied.push(t); return write(t).catch(() => {}); };",
                vec![],
            )
            .await
            .unwrap();
        let buttons = client.find_all(Locator::Css(".copy-button")).await.unwrap();
        buttons[1].click().await.unwrap();
        let copied = wait_for(&client, "the copied text", "return window.copied", |v| {
            v.as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
        assert_eq!(
            copied,
            serde_json::json!(["sudo systemctl restart workers\nsystemctl status workers"]),
            "{width}px"
        );
        wait_for(
            &client,
            "the copied message",
            "return document.querySelector('[role=status]').textContent",
            |v| v == "Copied",
        )
        .await;
    }
    client.close().await.unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The dark colours are written twice in the stylesheet: once for a
/// reader whose system asks for dark, once for one who chose dark with the
/// switch. They must be the same colours.
#[test]
fn both_dark_schemes_have_the_same_colours() {
    let css = std::fs::read_to_string(common::repo_theme().join("assets/manual.css")).unwrap();
    // Each rule of a block without the selector before its first `.`
    // (`:root[data-theme="dark"] .hl-code .c0 { ... }` is `.hl-code .c0 { ... }`).
    let between = |start: &str, end: &str| -> Vec<String> {
        let from = css.find(start).expect(start) + start.len();
        let to = css.find(end).expect(end);
        css[from..to]
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && *line != "}" && !line.ends_with('{'))
            .map(|line| match line.find(" .") {
                Some(at) if line.starts_with(":root") => line[at + 1..].to_string(),
                _ => line.to_string(),
            })
            .collect()
    };
    let system = between("/* dark-scheme:start */", "/* dark-scheme:end */");
    let chosen = between("/* dark-choice:start */", "/* dark-choice:end */");
    assert!(system.len() > 10, "{system:?}");
    assert_eq!(system, chosen);
}

/// The theme switch turns the page dark, and the choice is kept for the
/// next page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_theme_switch_is_kept_from_page_to_page() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    site.build(&["--out", "www"]).assert_ok();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    client
        .goto(&format!("{}/manual/a.html", server.origin))
        .await
        .unwrap();
    let background = "return getComputedStyle(document.body).backgroundColor";
    let light = client.execute(background, vec![]).await.unwrap();
    let switch = client.find(Locator::Css(".theme-switch")).await.unwrap();
    assert_eq!(
        switch.attr("aria-pressed").await.unwrap().as_deref(),
        Some("false")
    );
    switch.click().await.unwrap();
    assert_eq!(
        switch.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    let dark = client.execute(background, vec![]).await.unwrap();
    assert_ne!(light, dark);
    client
        .goto(&format!("{}/manual.html", server.origin))
        .await
        .unwrap();
    assert_eq!(client.execute(background, vec![]).await.unwrap(), dark);
    let pressed = client
        .find(Locator::Css(".theme-switch"))
        .await
        .unwrap()
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    client.close().await.unwrap();
}

/// The whole manual on one page, and a copy read from disk: the print page
/// passes axe at both widths in both schemes, its contents and cross-page
/// links lead within it, naming a section shows that section alone, and
/// print hides the navigation. A site built with `relative_links` opened
/// as files (`file://`, no server) has its styles, and its links lead from
/// page to page and to a folder's index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_manual_prints_as_one_page_and_a_copy_reads_from_disk() {
    let axe = axe_source();
    let site = Fixture::new();
    site.write(
        "site.yml",
        "service_name: Ops\nrelative_links: true\nheader_links:\n  Manual: /manual.html\n",
    )
    .page(
        "restart",
        "Restart the workers",
        "Running",
        "## Install\n\nRead [how to deploy](/manual/deploy.html#install) first.\n\n\
         ```mermaid\nflowchart LR\n  A[Drain] --> B[Restart]\n```\n",
    )
    .page(
        "deploy",
        "Deploy",
        "Running",
        "## Install\n\nThe same heading as another page. [The guides](/guides/).\n",
    )
    .page("rota", "The rota", "People", "## Who is on call\n\nText.\n")
    .write(
        "source/guides/index.html.md",
        "---\ntitle: Guides\nowner_slack: \"#team\"\nsection: People\n---\nAll guides.\n",
    );
    site.build(&["--out", "www"]).assert_ok();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    let mut problems = Vec::new();
    client
        .goto(&format!("{}/print.html", server.origin))
        .await
        .unwrap();
    for scheme in ["dark", "light"] {
        keep_colour_scheme(&client, scheme).await;
        for (width, height) in [(390, 844), (1280, 900)] {
            client.set_window_size(width, height).await.unwrap();
            client
                .goto(&format!("{}/print.html", server.origin))
                .await
                .unwrap();
            problems.extend(
                width_and_axe_problems(&client, &axe, width, &format!("/print.html ({scheme})"))
                    .await,
            );
        }
    }
    // A link between pages moves within the document to the other page's
    // heading.
    client
        .goto(&format!("{}/print.html", server.origin))
        .await
        .unwrap();
    client
        .find(Locator::Css(
            "#page-manual-restart a[href^='#page-manual-deploy']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let landed = client
        .execute(
            "return [location.pathname, location.hash, document.querySelector(location.hash).closest('article').id]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        landed,
        serde_json::json!([
            "/print.html",
            "#page-manual-deploy--install",
            "page-manual-deploy"
        ])
    );
    // One section alone, as the manual index links to it.
    client
        .goto(&format!("{}/print.html#print-people", server.origin))
        .await
        .unwrap();
    let shown = client
        .execute(
            "return [...document.querySelectorAll('.print-section, .print-contents')]
               .map(s => [s.id || s.className, getComputedStyle(s).display !== 'none'])",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        serde_json::json!([
            ["print-contents", false],
            ["print-people", true],
            ["print-running", false],
            ["print-other-pages", false]
        ])
    );
    // The print stylesheet leaves the navigation out.
    let hidden_in_print = client
        .execute(
            "const rules = [...document.styleSheets].flatMap(s => [...s.cssRules])
               .filter(r => r instanceof CSSMediaRule && r.conditionText === 'print')
               .flatMap(r => [...r.cssRules]);
             return ['.govuk-header', '.govuk-footer', '.copy-button', '.theme-switch']
               .map(sel => rules.some(r => r.style && r.style.display === 'none' && r.selectorText.split(/,\\s*/).includes(sel)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hidden_in_print, serde_json::json!([true, true, true, true]));

    // From disk: styles load, links lead page to page and to a folder's
    // index.html.
    let from_disk = format!("file://{}", site.path("www/manual/restart.html").display());
    client.goto(&from_disk).await.unwrap();
    let styled = client
        .execute(
            "return getComputedStyle(document.querySelector('.govuk-header')).display !== 'inline'
               && document.styleSheets.length >= 2",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(styled, serde_json::json!(true), "no styles from disk");
    client
        .find(Locator::Css("main a[href*='deploy']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let path = path_of(&client).await;
    assert!(path.ends_with("/www/manual/deploy.html#install"), "{path}");
    client
        .find(Locator::Css("main a[href*='guides']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let path = path_of(&client).await;
    assert!(path.ends_with("/www/guides/index.html"), "{path}");
    client.close().await.unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// "Alerts that link here" on a runbook page passes axe at both widths in
/// both colour schemes, and its links lead to the headings named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runbooks_alerts_work_on_a_phone_and_a_wide_screen() {
    let axe = axe_source();
    let site = Fixture::new();
    site.page(
        "alerts/queue",
        "Queue too long",
        "Alerts",
        "## Sidekiq answer queue length\n\nDrain it.\n",
    )
    .write(
        "rules/queue.yaml",
        "groups:\n- name: g\n  rules:\n  - alert: SidekiqAnswerQueueLengthIsVeryLongIndeedAndKeepsGoing\n    labels:\n      severity: page\n    annotations:\n      runbook_url: /manual/alerts/queue.html#sidekiq-answer-queue-length\n  - alert: Another\n    annotations:\n      runbook_url: /manual/alerts/queue.html\n",
    );
    site.build(&["--out", "www", "--alerts", "rules"])
        .assert_ok();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    let page = format!("{}/manual/alerts/queue.html", server.origin);
    client.goto(&page).await.unwrap();
    let mut problems = Vec::new();
    for scheme in ["dark", "light"] {
        keep_colour_scheme(&client, scheme).await;
        for (width, height) in [(390, 844), (1280, 900)] {
            client.set_window_size(width, height).await.unwrap();
            client.goto(&page).await.unwrap();
            problems.extend(
                width_and_axe_problems(&client, &axe, width, &format!("runbook ({scheme})")).await,
            );
        }
    }
    let listed = client
        .execute(
            "return [...document.querySelectorAll('.page-alerts li')].map(li => li.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        listed,
        serde_json::json!([
            "SidekiqAnswerQueueLengthIsVeryLongIndeedAndKeepsGoing page, at Sidekiq answer queue length",
            "Another"
        ])
    );
    client
        .find(Locator::Css(".page-alerts a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        path_of(&client)
            .await
            .ends_with("#sidekiq-answer-queue-length")
    );
    client.close().await.unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
