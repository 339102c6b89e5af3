//! Every page, setting and file name is untrusted: many teams send pull
//! requests and CI builds them. These are the attacks (and the unlucky
//! mistakes) of that kind, each driven through the real binary: nothing
//! they write may make the tool write outside its output, delete what it
//! did not make, exhaust memory, hang, or run script for readers.

mod common;

use std::path::Path;

use common::{Finding, Fixture};

fn has(findings: &[Finding], code: &str, file: &str, line: u64) -> bool {
    findings
        .iter()
        .any(|f| f.code == code && f.file.ends_with(file) && f.line == line)
}

/// Files anywhere below `root` whose name contains `needle`.
fn files_named(root: &Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(needle))
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn old_addresses_cannot_write_outside_the_output() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    site.write(
        "source/manual/b.html.md",
        "---\ntitle: Page B\nowner_slack: \"#team\"\nsection: Ops\nold_paths:\n  - /../../escaped-page.html\n  - /ok/%2e%2e/%2e%2e/escaped-encoded.html\n  - /ok/..%2f..%2fescaped-slash.html\n---\nB.\n",
    );
    site.write(
        "source/site.yml",
        "redirects:\n  /../escaped-setting.html: /manual/a.html\n  \"/evil.html\": \"/manual/a.html\\nssh-ed25519 AAAA attacker\"\n  /bad.html: \"java\\tscript:alert(1)\"\n",
    );
    let findings = site.check();
    assert!(
        has(&findings, "path-unsafe", "source/manual/b.html.md", 5),
        "{findings:#?}"
    );
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.code == "path-unsafe" && f.file.ends_with("b.html.md"))
            .count(),
        3,
        "{findings:#?}"
    );
    assert!(
        has(&findings, "path-unsafe", "source/site.yml", 2),
        "{findings:#?}"
    );
    assert!(
        has(&findings, "redirect-unsafe", "source/site.yml", 3),
        "{findings:#?}"
    );
    assert!(
        has(&findings, "redirect-unsafe", "source/site.yml", 4),
        "{findings:#?}"
    );

    // The door is not a check that can be skipped.
    for args in [&[][..], &["--skip-check"][..]] {
        site.build(args).assert_failed();
        let above = site.dir.path().parent().unwrap();
        for name in ["escaped-page", "escaped-encoded", "escaped-slash"] {
            assert!(!above.join(format!("{name}.html")).exists(), "{name}");
            assert!(files_named(site.dir.path(), name).is_empty(), "{name}");
        }
        assert!(!site.dir.path().join("escaped-setting.html").exists());
        assert!(!site.path("build").exists(), "a failed build wrote its output");
    }
}

#[test]
fn a_redirect_into_the_search_index_is_a_conflict() {
    let site = Fixture::new();
    site.write("source/site.yml", "enable_search: true\n");
    site.write(
        "source/manual/a.html.md",
        "---\ntitle: Page A\nowner_slack: \"#team\"\nsection: Ops\nold_paths: [/search/pages.json]\n---\nA.\n",
    );
    let findings = site.check();
    assert!(
        has(&findings, "url-conflict", "source/manual/a.html.md", 5),
        "{findings:#?}"
    );
    site.build(&["--skip-check"]).assert_failed();
}

#[test]
fn page_files_named_with_hash_question_mark_or_space_are_linked_encoded() {
    let site = Fixture::new();
    site.page("a b#c?d", "Odd name", "Ops", "Text.\n");
    site.page(
        "linker",
        "Linker",
        "Ops",
        "[odd](a%20b%23c%3Fd.html) [odd, absolute](/manual/a%20b%23c%3Fd.html#top)\n",
    );
    site.write("source/site.yml", "host: https://docs.example.org\n");
    let findings = site.check();
    assert!(
        findings.iter().all(|f| f.severity != "error"),
        "{findings:#?}"
    );
    site.build(&[]).assert_ok();
    assert!(site.path("build/manual/a b#c?d.html").is_file());
    let index = site.read("build/manual.html");
    assert!(
        index.contains("href=\"/manual/a%20b%23c%3Fd.html\""),
        "{index}"
    );
    assert!(!index.contains("href=\"/manual/a b"), "{index}");
    let pages: serde_json::Value =
        serde_json::from_str(&site.read("build/api/pages.json")).unwrap();
    assert!(
        pages.to_string().contains("/manual/a%20b%23c%3Fd.html"),
        "{pages}"
    );
    assert!(
        site.read("build/sitemap.xml")
            .contains("https://docs.example.org/manual/a%20b%23c%3Fd.html"),
    );
    let page = site.read("build/manual/linker.html");
    assert!(
        page.contains("href=\"/manual/a%20b%23c%3Fd.html\""),
        "the section list links it encoded: {page}"
    );
}

#[test]
fn a_file_name_with_a_control_character_or_backslash_is_refused() {
    let site = Fixture::new();
    site.page("good", "Good", "Ops", "Text.\n");
    site.page("new\nline", "Newline", "Ops", "Text.\n");
    site.write("source/manual/back\\slash.png", "png");
    let findings = site.check();
    let refused: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "path-unsafe")
        .map(|f| f.file.clone())
        .collect();
    assert_eq!(refused.len(), 2, "{findings:#?}");
    site.build(&["--skip-check"]).assert_failed();
}
