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
        let url = manual::site::url_for_page(page);
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
