//! Search as readers meet it, in headless Chromium on the GOV.UK manual
//! sample, and the stemmer the browser shares with the index.
//!
//! Invariants:
//! - `search.js` stems every word exactly as the index's stemmer
//!   (`parse::words::stem`, rust-stemmers' English) does, so a word form
//!   typed by a reader meets the form a page used
//!   (`the_browser_stems_every_word_as_the_index_does`);
//! - the query set in `tests/fixtures/search-queries.tsv` finds its page in
//!   the first five results (`queries_people_type_find_their_page`);
//! - the header box is a keyboard combobox, and the results page and the
//!   open box have no axe-core violations at 390 and 1280 px
//!   (`the_search_box_works_from_the_keyboard_and_passes_axe`).

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Fixture;
use common::browser::{StaticServer, axe_source, axe_violations, browser, strings, wait_for};
use fantoccini::Locator;
use fantoccini::key::Key;
use manual::parse::words;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every lower-case ASCII word in the markdown under `root`.
fn words_under(root: &Path, into: &mut BTreeSet<String>) {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        let path = entry.path();
        let is_text = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(".md") || n.ends_with(".erb"));
        if !is_text {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for word in text
            .to_lowercase()
            .split(|c: char| !c.is_ascii_lowercase())
            .filter(|w| w.len() > 1 && w.len() <= 40)
        {
            into.insert(word.to_string());
        }
    }
}

/// Runs `search.js`'s stemmer in Node over `words`, one stem per line.
fn stems_in_node(words: &[String]) -> Vec<String> {
    let list = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(list.path(), words.join("\n")).unwrap();
    let script = format!(
        "const s = require({:?}); const fs = require('fs');\
         const words = fs.readFileSync({:?}, 'utf8').split('\\n');\
         process.stdout.write(words.map(s.stem).join('\\n'));",
        repo().join("theme/assets/search.js"),
        list.path()
    );
    let out = Command::new("node")
        .args(["-e", &script])
        .output()
        .expect("node runs (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\n')
        .map(str::to_string)
        .collect()
}

#[test]
fn the_browser_stems_every_word_as_the_index_does() {
    let mut all = BTreeSet::new();
    words_under(&repo().join("source"), &mut all);
    // The shared corpora, when they are beside the repository.
    words_under(&repo().join("../shared/corpus"), &mut all);
    // Forms that exercise each step of the algorithm.
    for word in [
        "generously",
        "communication",
        "arsenal",
        "hopping",
        "hoped",
        "cried",
        "ties",
        "gaps",
        "gas",
        "kiwis",
        "succeeding",
        "inning",
        "agreed",
        "feed",
        "luxuriating",
        "happy",
        "sky",
        "skies",
        "dying",
        "sensational",
        "conditional",
        "eying",
        "saying",
        "controllable",
        "electricity",
        "hopeful",
        "goodness",
        "adoption",
        "argument",
        "effective",
        "yelling",
        "bye",
        "crying",
        "fluently",
        "geology",
        "archaeology",
        "bleed",
        "ably",
        "possibly",
        "fully",
        "helpless",
        "formalism",
        "sensitivity",
        "emotionally",
        "organizing",
        "abate",
    ] {
        all.insert(word.to_string());
    }
    let list: Vec<String> = all.into_iter().collect();
    assert!(list.len() > 1_000, "only {} words to compare", list.len());
    let from_node = stems_in_node(&list);
    assert_eq!(from_node.len(), list.len());
    let differ: Vec<String> = list
        .iter()
        .zip(&from_node)
        .filter(|(word, js)| words::stem(word) != js.as_str())
        .map(|(word, js)| format!("{word}: index {} browser {js}", words::stem(word)))
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} words stem differently:\n{}",
        differ.len(),
        list.len(),
        differ
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The GOV.UK sample built with search on (as its `tech-docs.yml` has it),
/// in `www/` of a new fixture.
fn built_corpus() -> Fixture {
    let corpus = common::shared_corpus("govuk-manual");
    let site = Fixture::new();
    let out = site.path("www");
    let settings = repo().join("tests/fixtures/govuk-manual.yml");
    let mut command = common::manual_cmd();
    command
        .arg("-C")
        .arg(&corpus)
        .args([
            "build",
            "--skip-check",
            "--no-cache",
            "--today",
            "2026-12-01",
            "--config",
        ])
        .arg(&settings)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("search/pages.json").is_file());
    site
}

/// The first five pages listed for each query, with query and expected page.
const FIRST_RESULTS: &str = "return Array.from(document.querySelectorAll('#search-results > li > a'))\
    .slice(0, 5).map(a => a.getAttribute('href'))";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_people_type_find_their_page() {
    let queries: Vec<(String, String)> =
        std::fs::read_to_string(repo().join("tests/fixtures/search-queries.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let (query, page) = l.split_once('\t').expect("query<TAB>page");
                (query.to_string(), page.to_string())
            })
            .collect();
    assert!(queries.len() >= 30);
    let site = built_corpus();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    let mut misses = Vec::new();
    for (query, page) in &queries {
        let address = format!("{}/search/?q={}", server.origin, query.replace(' ', "+"));
        client.goto(&address).await.unwrap();
        wait_for(
            &client,
            "search status",
            "return document.getElementById('search-status').textContent",
            |v| v.as_str().is_some_and(|s| !s.is_empty()),
        )
        .await;
        let first = strings(&client.execute(FIRST_RESULTS, vec![]).await.unwrap());
        if !first.contains(page) {
            misses.push(format!("{query:?}: expected {page}, first five {first:?}"));
        }
    }
    client.close().await.unwrap();
    // One query in the set has no word in common with its page ("slack is
    // down" for "Slack is unavailable"): search does not know synonyms.
    let found = queries.len() - misses.len();
    assert!(
        found + 1 >= queries.len(),
        "{found} of {} queries found their page in the first five:\n{}",
        queries.len(),
        misses.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_box_works_from_the_keyboard_and_passes_axe() {
    let axe = axe_source();
    let site = built_corpus();
    let server = StaticServer::start(&site.path("www"));
    let (_driver, client) = browser(&site.path("profile")).await;
    let origin = &server.origin;
    let mut problems = Vec::new();
    for (width, height) in [(390, 844), (1280, 900)] {
        client.set_window_size(width, height).await.unwrap();
        client
            .goto(&format!("{origin}/manual/sidekiq.html"))
            .await
            .unwrap();
        // "/" from anywhere on the page goes to the box.
        client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("/")
            .await
            .unwrap();
        let focused = client
            .execute("return document.activeElement.id", vec![])
            .await
            .unwrap();
        assert_eq!(focused, "site-search-query", "{width}px");
        let input = client
            .find(Locator::Css("#site-search-query"))
            .await
            .unwrap();
        input.send_keys("purging cache").await.unwrap();
        let options = wait_for(
            &client,
            "suggestions",
            "const list = document.getElementById('site-search-options');\
             return list.hidden ? [] : Array.from(list.querySelectorAll('[role=option]'))\
               .map(o => o.getAttribute('data-href'))",
            |v| v.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
        let options = strings(&options);
        assert_eq!(
            options[0], "/manual/purge-cache.html",
            "{width}px: {options:?}"
        );
        let expanded = client
            .execute(
                "return document.getElementById('site-search-query').getAttribute('aria-expanded')",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(expanded, "true");
        // The words found are marked in the suggestions.
        let marked = client
            .execute(
                "return Array.from(document.querySelectorAll('#site-search-options mark'))\
                   .map(m => m.textContent.toLowerCase())",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            strings(&marked)
                .iter()
                .any(|m| m.starts_with("purg") || m == "cache"),
            "{marked}"
        );
        for violation in axe_violations(&client, &axe).await {
            problems.push(format!("{width}px, suggestions open: {violation}"));
        }
        // Arrow down chooses the first; Escape closes the list.
        input.send_keys(&Key::Down.to_string()).await.unwrap();
        let active = client
            .execute(
                "const i = document.getElementById('site-search-query');\
                 const o = document.getElementById(i.getAttribute('aria-activedescendant'));\
                 return o ? o.getAttribute('aria-selected') + ' ' + o.getAttribute('data-href') : null",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(active, "true /manual/purge-cache.html", "{width}px");
        input.send_keys(&Key::Escape.to_string()).await.unwrap();
        let hidden = client
            .execute(
                "return document.getElementById('site-search-options').hidden",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(hidden, true, "{width}px: Escape closes the list");
        // Down again and Enter goes to the chosen page.
        input.send_keys(&Key::Down.to_string()).await.unwrap();
        input.send_keys(&Key::Enter.to_string()).await.unwrap();
        wait_for(
            &client,
            "the chosen page",
            "return location.pathname",
            |v| v == "/manual/purge-cache.html",
        )
        .await;

        // The results page: sections under their page, words marked.
        client
            .goto(&format!("{origin}/search/?q=force+kill+connections"))
            .await
            .unwrap();
        let sections = wait_for(
            &client,
            "section results",
            "return Array.from(document.querySelectorAll('#search-results .search-results__sections a'))\
               .map(a => a.getAttribute('href'))",
            |v| v.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
        let sections = strings(&sections);
        assert!(
            sections
                .iter()
                .any(|s| s.starts_with("/manual/rotating-rds.credentials.html#")),
            "{sections:?}"
        );
        let marks = client
            .execute(
                "return document.querySelectorAll('#search-results mark').length",
                vec![],
            )
            .await
            .unwrap();
        assert!(marks.as_u64().unwrap() > 0);
        for violation in axe_violations(&client, &axe).await {
            problems.push(format!("{width}px, results page: {violation}"));
        }
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            overflow, false,
            "{width}px: the results page is wider than the screen"
        );
    }
    client.close().await.unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
