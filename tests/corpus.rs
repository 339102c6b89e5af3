//! The real GOV.UK manual sample in `../shared/corpus/govuk-manual`, read in
//! place: every markdown page is published and listed in the index.

mod common;

use std::path::{Path, PathBuf};

use common::Fixture;

fn corpus_source() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/govuk-manual/source");
    assert!(
        path.is_dir(),
        "the corpus is expected at {} (see README)",
        path.display()
    );
    path
}

#[test]
fn every_corpus_page_is_published_and_indexed() {
    let source = corpus_source();
    let site = Fixture::new();
    let out = site.path("out");
    let run = site.build(&[
        "--skip-check",
        "--source",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    run.assert_ok();

    let pages: Vec<String> = walkdir::WalkDir::new(&source)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&source)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| p.ends_with(".md") || p.ends_with(".md.erb"))
        .collect();
    assert!(pages.len() >= 100, "found only {} pages", pages.len());

    let index = site.read("out/manual.html");
    for page in &pages {
        let url = manual::url::url_for_page(page);
        let html = out.join(url.trim_start_matches('/'));
        assert!(html.is_file(), "{page} was not published at {url}");
        assert!(
            index.contains(&format!("href=\"{url}\"")),
            "{url} is not in the index"
        );
    }
    let erb_pages = pages.iter().filter(|p| p.ends_with(".erb")).count();
    assert_eq!(
        run.stderr().matches(": warning[erb-not-run]").count(),
        erb_pages
    );
    assert!(!run.stderr().contains("error["), "{}", run.stderr());

    // Images are copied as they are.
    let png = "manual/images/2023-dgu-architecture.png";
    assert_eq!(
        std::fs::read(source.join(png)).unwrap(),
        std::fs::read(out.join(png)).unwrap()
    );
}

/// Settings for checking the corpus: its `redirects:` from tech-docs.yml,
/// and the paths its site generates from other data (apps, repos,
/// Kubernetes docs, analytics, API docs, site-wide images), which a
/// checker of the manual alone must not call broken.
fn corpus_settings(dir: &Path) -> PathBuf {
    let tech_docs = std::fs::read_to_string(corpus_source().join("../tech-docs.yml")).unwrap();
    let parsed = manual::yaml::parse(&tech_docs).unwrap();
    let redirects = parsed.value["redirects"].as_object().unwrap();
    let mut settings = String::from(
        "external_paths: [/apps/, /apps.html, /apps.json, /repos/, /repos.html, /repos.json, /kubernetes/, \
         /analytics/, /apis/, /apis.html, /images/, /content-schemas, /document-types, /api/, /mobile/]\nredirects:\n",
    );
    for (from, to) in redirects {
        settings.push_str(&format!("  \"{from}\": \"{}\"\n", to.as_str().unwrap()));
    }
    let path = dir.join("corpus-site.yml");
    std::fs::write(&path, settings).unwrap();
    path
}

/// Every finding on the real corpus, one per line. Each was read against
/// the corpus by hand (see the check issue's closing note); a change here
/// is a change in what the checker reports about real pages.
#[test]
fn check_findings_on_the_corpus() {
    let site = Fixture::new();
    let settings = corpus_settings(site.dir.path());
    let corpus_root = corpus_source().join("..");
    let output = assert_cmd::Command::cargo_bin("manual")
        .unwrap()
        .current_dir(&corpus_root)
        .args([
            "check",
            "--format",
            "json",
            "--today",
            "2026-11-22",
            "--source",
            "source",
        ])
        .arg("--config")
        .arg(&settings)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let settings_path = settings.to_string_lossy().into_owned();
    let report: String = common::Run(output)
        .findings()
        .iter()
        .map(|f| {
            let file = f.file.replace(&settings_path, "corpus-site.yml");
            format!(
                "{file}:{}:{} {}[{}] {} | {}\n",
                f.line, f.column, f.severity, f.code, f.message, f.help
            )
        })
        .collect();
    insta::assert_snapshot!("corpus_check", report);
}
