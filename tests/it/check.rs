//! `manual check`: every rule has a fixture that breaks it (asserting code,
//! file, line and column) and the clean fixture shows no false alarm.

use crate::common;

use common::{Finding, Fixture};

/// A site that passes every check: two pages linking to each other's
/// headings, an image, a redirect and an external path.
fn clean_site() -> Fixture {
    let site = Fixture::new();
    site.write(
        "source/site.yml",
        "service_name: Ops\nhost: https://ops.example.org\nexternal_paths: [/repos/]\nredirects:\n  /manual/old.html: /manual/a.html\nowners:\n  \"#team\": Platform team\n  \"@sam\": Sam\nrequired_front_matter: [title, owner_slack, section]\n",
    );
    site.page(
        "a",
        "Deploy an app",
        "Deploy",
        "## Before you start\n\nSee [b](/manual/b.html#checks), [b again](b.html), [b too](./b.html#checks) and [up](../manual.html#deploy).\n\n![diagram](/manual/images/d.png) [repo](/repos/app.html) [web](https://example.org/x)\n[own](https://ops.example.org/manual/b.html) [top](#top) [this section](#before-you-start)\n\n<a href=\"/manual/b.html#raw\">raw</a> [ref][r]\n\n[r]: /manual/b.html\n",
    );
    site.write(
        "source/manual/b.html.md",
        "---\ntitle: Check an app\nowner_slack: \"@sam\"\nsection: Deploy\nparent: /manual/a.html\ntype: learn\nreview_by: 2027-01-01\nlast_reviewed_on: 2026-06-01\n---\n## Checks\n\n<div id=\"raw\"></div>\n",
    );
    site.write("source/manual/images/d.png", b"png");
    site
}

fn only(findings: &[Finding], code: &str) -> Finding {
    let matching: Vec<_> = findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one {code} in {findings:#?}");
    matching[0].clone()
}

fn located(f: &Finding) -> (&str, &str, u64, u64) {
    (f.code.as_str(), f.file.as_str(), f.line, f.column)
}

#[test]
fn the_clean_site_has_no_findings_and_exits_zero() {
    let site = clean_site();
    assert_eq!(site.check(), vec![]);
    let run = site.run("check", &[]);
    assert_eq!(run.0.status.code(), Some(0), "{}", run.stderr());
    run.assert_stderr_has("Checked 2 pages");
    site.run("build", &[]).assert_ok();
    assert!(
        site.read("build/manual/old.html")
            .contains(r#"<meta http-equiv="refresh" content="0; url=/manual/a.html">"#)
    );
    assert!(
        site.read("build/manual/old.html")
            .contains(r#"<link rel="canonical" href="https://ops.example.org/manual/a.html">"#)
    );
}

#[test]
fn owners() {
    let site = clean_site();
    site.write(
        "source/manual/c.html.md",
        "---\ntitle: C\nsection: Deploy\n---\n",
    );
    site.write(
        "source/manual/d.html.md",
        "---\ntitle: D\nsection: Deploy\nowner_slack: \"#Team Channel\"\n---\n",
    );
    site.write(
        "source/manual/e.html.md",
        "---\ntitle: E\nsection: Deploy\nowner_slack: \"#teem\"\n---\n",
    );
    let found = site.check();
    assert_eq!(
        located(&only(&found, "owner-missing")),
        ("owner-missing", "source/manual/c.html.md", 1, 1)
    );
    let invalid = only(&found, "owner-invalid");
    assert_eq!(
        located(&invalid),
        ("owner-invalid", "source/manual/d.html.md", 4, 1)
    );
    assert!(invalid.help.contains("lowercase"));
    let unregistered = only(&found, "owner-unregistered");
    assert_eq!(
        located(&unregistered),
        ("owner-unregistered", "source/manual/e.html.md", 4, 1)
    );
    assert!(
        unregistered.help.contains("did you mean `#team`?"),
        "{}",
        unregistered.help
    );
}

#[test]
fn parents() {
    let site = clean_site();
    site.write(
        "source/manual/x.html.md",
        "---\ntitle: X\nowner_slack: '#team'\nsection: S\nparent: /manual/y.html\n---\n",
    );
    site.write(
        "source/manual/y.html.md",
        "---\ntitle: Y\nowner_slack: '#team'\nsection: S\nparent: z.html\n---\n",
    );
    site.write(
        "source/manual/z.html.md",
        "---\ntitle: Z\nowner_slack: '#team'\nsection: S\nparent: /manual/x.html\n---\n",
    );
    site.write(
        "source/manual/w.html.md",
        "---\ntitle: W\nowner_slack: '#team'\nsection: S\n\nparent: /manual/nowhere.html\n---\n",
    );
    site.write(
        "source/manual/v.html.md",
        "---\ntitle: V\nowner_slack: '#team'\nsection: S\nparent: /manual/old.html\n---\n",
    );
    let found = site.check();
    let cycle = only(&found, "parent-cycle");
    assert_eq!(
        located(&cycle),
        ("parent-cycle", "source/manual/x.html.md", 5, 1)
    );
    assert!(
        cycle
            .message
            .contains("/manual/x.html -> /manual/y.html -> /manual/z.html -> /manual/x.html"),
        "{}",
        cycle.message
    );
    let missing: Vec<_> = found
        .iter()
        .filter(|f| f.code == "parent-missing")
        .map(located)
        .collect();
    assert_eq!(
        missing,
        [
            ("parent-missing", "source/manual/v.html.md", 5, 1),
            ("parent-missing", "source/manual/w.html.md", 6, 1)
        ]
    );
    assert!(
        found
            .iter()
            .any(|f| f.help.contains("use /manual/a.html instead"))
    );
}

#[test]
fn required_front_matter_type_and_dates() {
    // By default a page needs what a reader needs: a title and an owner.
    let site = Fixture::new();
    site.write(
        "source/manual/n.html.md",
        "---\nowner_slack: '#team'\n---\n# Only a heading\n",
    );
    site.write(
        "source/manual/m.html.md",
        "---\ntitle: M\nowner_slack: '#team'\n---\n",
    );
    let codes: Vec<String> = site.check().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["title-missing"], "no section required by default");
    site.write(
        "source/site.yml",
        "required_front_matter: [title, owner_slack, description]\n",
    );
    let codes: Vec<String> = site.check().into_iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        [
            "front-matter-missing",
            "front-matter-missing",
            "title-missing"
        ]
    );

    // This fixture's settings require the section too.
    let site = clean_site();
    site.write("source/manual/n.html.md", "# Only a heading\n");
    site.write(
        "source/manual/t.html.md",
        "---\ntitle: T\nowner_slack: '#team'\nsection: S\ntype: guide\nreview_by: 31/01/2027\n---\n",
    );
    site.write(
        "source/manual/p.html.md",
        "---\ntitle: P\nowner_slack: '#team'\nsection: S\nlast_reviewed_on: 2026-01-01\nreview_in: a while\n---\n",
    );
    site.write(
        "source/manual/o.html.md",
        "---\ntitle: O\nowner_slack: '#team'\nsection: S\nlast_reviewed_on: 2026-04-30\nreview_in: 6 months\n---\n",
    );
    let found = site.check();
    assert_eq!(
        located(&only(&found, "title-missing")),
        ("title-missing", "source/manual/n.html.md", 1, 1)
    );
    assert_eq!(
        located(&only(&found, "section-missing")),
        ("section-missing", "source/manual/n.html.md", 1, 1)
    );
    assert_eq!(
        located(&only(&found, "type-invalid")),
        ("type-invalid", "source/manual/t.html.md", 5, 1)
    );
    let dates: Vec<_> = found
        .iter()
        .filter(|f| f.code == "date-invalid")
        .map(located)
        .collect();
    assert_eq!(
        dates,
        [
            ("date-invalid", "source/manual/p.html.md", 6, 1),
            ("date-invalid", "source/manual/t.html.md", 6, 1)
        ]
    );
    // 30 April + 6 months = 30 October, before the fixed date of 22 November.
    let overdue = only(&found, "review-overdue");
    assert_eq!(
        located(&overdue),
        ("review-overdue", "source/manual/o.html.md", 6, 1)
    );
    assert_eq!(overdue.severity, "warning");
    assert!(overdue.message.contains("2026-10-30"));
    assert!(overdue.help.contains("#team"));
}

#[test]
fn broken_links_of_every_kind() {
    let site = clean_site();
    site.page(
        "links",
        "Links",
        "Deploy",
        concat!(
            "[gone](/manual/gone.html) [rel](gone.html) [up](../manual/gone.html)\n",
            "[no ext](/manual/b) [source](b.html.md) [moved](/manual/old.html)\n",
            "[frag](/manual/b.html#Checks) [gone](#nothere) ![img](/manual/images/none.png)\n",
            "<img src=\"/manual/images/raw.png\" alt=\"\"> [js](javascript:alert(1)) [bad](https://exa%20mple.org)\n",
            "[typo](/manual/b.htm) [repo](repos/app.html) [undefined][nope] [bracketed][br]\n",
            "\n[br]: [https://example.org]\n[unused]: /manual/a.html\n  [Unused]: /manual/b.html\n",
        ),
    );
    let found = site.check();
    let on = |line: u64| -> Vec<(&str, u64)> {
        found
            .iter()
            .filter(|f| f.file == "source/manual/links.html.md" && f.line == line)
            .map(|f| (f.code.as_str(), f.column))
            .collect()
    };
    // Front matter is lines 1-6, so the body starts on line 7.
    assert_eq!(
        on(7),
        [("link-broken", 1), ("link-broken", 27), ("link-broken", 44)]
    );
    assert_eq!(
        on(8),
        [
            ("link-extensionless", 1),
            ("link-source-file", 21),
            ("link-redirected", 41)
        ]
    );
    assert_eq!(
        on(9),
        [
            ("link-fragment-missing", 1),
            ("link-fragment-missing", 31),
            ("link-broken", 48)
        ]
    );
    assert_eq!(
        on(10),
        [
            ("link-broken", 11),
            ("link-unsafe", 43),
            ("link-invalid-url", 69)
        ]
    );
    assert_eq!(
        on(11),
        [
            ("link-broken", 1),
            ("link-broken", 23),
            ("link-reference-undefined", 46)
        ]
    );
    assert_eq!(on(13), [("link-definition-bracketed", 1)]);
    assert_eq!(on(14), [("link-definition-unused", 1)]);
    assert_eq!(on(15), [("link-definition-duplicate", 3)]);
    let help = |line: u64, column: u64| {
        found
            .iter()
            .find(|f| f.line == line && f.column == column && f.file.ends_with("links.html.md"))
            .unwrap()
            .help
            .clone()
    };
    assert_eq!(help(8, 1), "link to /manual/b.html");
    assert_eq!(help(8, 21), "link to /manual/b.html instead");
    assert_eq!(help(8, 41), "link to /manual/a.html directly");
    assert_eq!(help(9, 1), "did you mean `/manual/b.html#checks`?");
    assert_eq!(help(11, 1), "did you mean /manual/b.html?");
    assert!(help(11, 23).contains("did you mean /repos/app.html?"));
    assert_eq!(help(13, 1), "write `[br]: https://example.org`");
    let severities: Vec<_> = found
        .iter()
        .filter(|f| f.line == 8)
        .map(|f| f.severity.as_str())
        .collect();
    assert_eq!(severities, ["warning", "error", "warning"]);
}

#[test]
fn redirects() {
    let site = clean_site();
    site.write(
        "source/site.yml",
        "redirects:\n  /manual/old.html: /manual/a.html\n  /manual/older.html: /manual/old.html\n  /manual/lost.html: /manual/nowhere.html\n  /manual/b.html: /manual/a.html\n  /elsewhere.html: https://example.org/\n",
    );
    site.write(
        "source/manual/c.html.md",
        "---\ntitle: C\nowner_slack: '#team'\nsection: S\nold_paths:\n  - /manual/previous-c.html\n---\n",
    );
    let run = site.run("check", &["--format", "json"]);
    let found = run.findings();
    assert_eq!(
        located(&only(&found, "redirect-chain")),
        ("redirect-chain", "source/site.yml", 3, 1)
    );
    assert_eq!(
        located(&only(&found, "redirect-target-missing")),
        ("redirect-target-missing", "source/site.yml", 4, 1)
    );
    let shadow = only(&found, "redirect-shadows-page");
    assert_eq!(
        located(&shadow),
        ("redirect-shadows-page", "source/site.yml", 5, 1)
    );
    assert!(shadow.message.contains("b.html.md"));

    site.write(
        "source/site.yml",
        "redirects:\n  /manual/old.html: /manual/a.html\nexternal_paths: [/repos/]\nowners: {'#team': T, '@sam': S}\n",
    );
    site.run("build", &[]).assert_ok();
    assert!(
        site.read("build/manual/previous-c.html")
            .contains("url=/manual/c.html")
    );
}

#[test]
fn content_lints_and_switching_them_off() {
    let site = clean_site();
    site.write(
        "source/manual/lint.md",
        "---\ntitle: Deploying the app\nowner_slack: '#team'\nsection: S\n---\n###\u{c2}\u{a0}Platforms\n\n##Next\n\nWelcome to Gov.uk, it\u{e2}\u{20ac}\u{2122}s here.\n",
    );
    let found = site.check();
    let codes: Vec<_> = found
        .iter()
        .map(|f| (f.code.as_str(), f.line, f.column))
        .collect();
    assert_eq!(
        codes,
        [
            ("lint-page-file-name", 0, 0),
            ("lint-title-verb", 2, 1),
            ("lint-heading-space", 6, 1),
            ("lint-mojibake", 6, 4),
            ("lint-heading-space", 8, 1),
            ("lint-govuk-spelling", 10, 12),
            ("lint-mojibake", 10, 22),
        ]
    );
    assert!(found.iter().all(|f| f.severity == "warning"));
    site.write(
        "source/site.yml",
        "redirects:\n  /manual/old.html: /manual/a.html\nexternal_paths: [/repos/]\nowners: {'#team': T, '@sam': S}\nlints:\n  mojibake: false\n  heading_space: false\n  govuk_spelling: false\n  title_verb: false\n  page_file_name: false\n",
    );
    assert_eq!(site.check(), vec![]);
}

#[test]
fn output_formats_and_exit_codes() {
    let site = clean_site();
    site.page(
        "x",
        "X",
        "Deploy",
        "[gone](/manual/gone.html)\n\n[unused]: /manual/a.html\n",
    );

    let human = site.run("check", &[]);
    assert_eq!(human.0.status.code(), Some(1));
    human
        .assert_stderr_has("source/manual/x.html.md:7:1: error[link-broken]: link to /manual/gone.html: no such page or file on this site\n  |\n7 | [gone](/manual/gone.html)\n  | ^\n  |\n  = help: ")
        .assert_stderr_has("    1 error[link-broken]\n")
        .assert_stderr_has("    1 warning[link-definition-unused]\n")
        .assert_stderr_has("1 error(s), 1 warning(s)");

    let json = site.run("check", &["--format", "json"]);
    assert_eq!(json.0.status.code(), Some(1));
    let first: serde_json::Value =
        serde_json::from_str(json.stdout().lines().next().unwrap()).unwrap();
    for key in [
        "severity", "code", "file", "line", "column", "message", "help",
    ] {
        assert!(first.get(key).is_some(), "json lacks {key}: {first}");
    }

    let github = site.run("check", &["--format", "github"]);
    assert!(
        github.stdout().starts_with("::error file=source/manual/x.html.md,line=7,col=1,title=link-broken::link to /manual/gone.html"),
        "{}",
        github.stdout()
    );
    assert!(github.stdout().contains(
        "::warning file=source/manual/x.html.md,line=9,col=1,title=link-definition-unused::"
    ));

    site.write(
        "source/manual/x.html.md",
        "---\ntitle: X\nowner_slack: '#team'\nsection: Deploy\n---\n[unused]: /manual/a.html\n",
    );
    assert_eq!(
        site.run("check", &[]).0.status.code(),
        Some(0),
        "warnings alone pass"
    );
    assert_eq!(
        site.run("check", &["--deny", "warnings"]).0.status.code(),
        Some(1)
    );

    site.write("source/site.yml", "nonsense_key: 1\n");
    let broken = site.run("check", &[]);
    assert_eq!(broken.0.status.code(), Some(2), "{}", broken.stderr());
    broken.assert_stderr_has("error[settings-invalid]");
}

#[test]
fn build_stops_on_check_errors_unless_told_to_skip() {
    let site = clean_site();
    site.run("build", &[]).assert_ok();
    let before = common::snapshot_tree(&site.path("build"));
    site.page("x", "X", "Deploy", "[gone](/manual/gone.html)\n");
    site.run("build", &[])
        .assert_failed()
        .assert_stderr_has("error[link-broken]");
    assert!(before == common::snapshot_tree(&site.path("build")));
    site.run("build", &["--skip-check"])
        .assert_ok()
        .assert_stderr_has("(checks skipped)");
    assert!(site.path("build/manual/x.html").exists());
}

#[test]
fn owners_report() {
    let site = clean_site();
    site.write(
        "source/manual/late.html.md",
        "---\ntitle: Late page\nowner_slack: '#other'\nsection: S\nreview_by: 2026-01-01\n---\n",
    );
    let text = site.run("owners", &[]);
    assert!(text.success(), "{}", text.stderr());
    let out = text.stdout();
    assert!(out.contains("#other: 1 page(s), 1 overdue\n  overdue since 2026-01-01: Late page (source/manual/late.html.md)\n"), "{out}");
    assert!(
        out.contains("#team (Platform team): 1 page(s), 0 overdue\n"),
        "{out}"
    );
    assert!(out.contains("not in the owner registry: #other\n"), "{out}");

    let json = site.run("owners", &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(report["unregistered"], serde_json::json!(["#other"]));
    let other = report["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["owner"] == "#other")
        .unwrap();
    assert_eq!(other["overdue"][0]["url"], "/manual/late.html");
}

#[test]
fn the_repository_manual_passes_its_own_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = common::Run(
        common::manual_cmd()
            .current_dir(root)
            .args(["check", "--deny", "warnings"])
            .output()
            .unwrap(),
    );
    assert!(run.success(), "{}", run.stderr());
}

#[test]
fn a_page_that_cannot_be_parsed_does_not_break_links_to_it() {
    let site = clean_site();
    site.write("source/manual/b.html.md", "---\ntitle: [unclosed\n---\n");
    let codes: Vec<String> = site.check().into_iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        ["front-matter-yaml"],
        "links to the page are not reported as well"
    );
}

#[test]
fn a_link_written_with_the_base_path_is_broken_and_says_why() {
    let site = Fixture::new();
    site.write("source/site.yml", "base_path: /docs\n");
    site.page("a", "A", "Ops", "[b](/docs/manual/b.html)\n");
    site.page("b", "B", "Ops", "");
    let run = site.run("check", &[]);
    run.assert_failed()
        .assert_stderr_has("a.html.md:7:1: error[link-broken]")
        .assert_stderr_has(
            "write links without the base path, which the build adds: /manual/b.html",
        );
}

#[test]
fn header_and_footer_links_from_the_settings_are_checked() {
    let site = Fixture::new();
    site.write(
        "source/site.yml",
        "base_path: /docs\nheader_links:\n  Good: /manual/a.html#part\n  Gone: /manual/gone.html\n  Prefixed: /docs/manual/a.html\nfooter_links:\n  Fragment: /manual/a.html#nope\n  Script: javascript:alert(1)\n  Elsewhere: https://example.org/\n",
    );
    site.page("a", "A", "Ops", "## Part\n");
    let findings = site.check();
    // A link that runs script would be on every page: it stops even
    // `build --skip-check`, as `link-unsafe`.
    assert!(
        findings
            .iter()
            .any(|f| f.code == "link-unsafe" && f.file == "source/site.yml" && f.line == 8),
        "{findings:#?}"
    );
    site.build(&["--skip-check"])
        .assert_failed()
        .assert_stderr_has("error[link-unsafe]");
    let found: Vec<_> = findings
        .into_iter()
        .filter(|f| f.code == "settings-link-broken")
        .map(|f| (f.file, f.line, f.column, f.help))
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2),
        ("source/site.yml", 4, 3)
    );
    assert_eq!((found[1].1, found[1].2), (5, 3));
    assert!(
        found[1].3.contains("without the base path"),
        "{}",
        found[1].3
    );
    assert_eq!(found[2].1, 7);
}

/// Every diagnostic code is documented on the manual's check page, in a
/// table row of its own whose code carries the code as its id (SARIF's
/// rules link there); a code added without a row fails here.
#[test]
fn every_diagnostic_code_is_documented_on_the_check_page() {
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("source/manual/check-the-manual.html.md"),
    )
    .unwrap();
    let undocumented: Vec<&str> = manual::diagnostics::Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|name| {
            !page
                .lines()
                .any(|l| l.starts_with(&format!("| <code id=\"{name}\">{name}</code> |")))
        })
        .collect();
    assert_eq!(undocumented, Vec::<&str>::new());
}

/// What some readers cannot use is found at its line: an image without alt
/// text (markdown or HTML; `alt=""` is a choice and passes), a heading that
/// skips a level, link text that says nothing, two pages with one title in
/// one section. Each is a warning with its own code.
#[test]
fn content_accessibility_problems_are_warnings_at_their_lines() {
    let site = Fixture::new();
    site.page(
        "restart",
        "Restart the app",
        "Ops",
        "## Before\n\n![](diagram.png)\n\n<img src=\"x.png\">\n\n<img src=\"y.png\" alt=\"\">\n\n![A queue draining](z.png)\n\n#### Too deep\n\nRead [here](/manual/other.html) or [the other page](/manual/other.html).\n",
    );
    site.page("other", "Restart the app", "Ops", "Text.\n");
    site.write("source/diagram.png", "png");
    site.write("source/x.png", "png");
    site.write("source/y.png", "png");
    site.write("source/z.png", "png");
    let findings = site.check();
    let codes = [
        "image-alt-missing",
        "heading-level-skipped",
        "link-text-vague",
        "title-duplicate",
    ];
    let found: Vec<(String, String, u64)> = findings
        .iter()
        .filter(|f| codes.contains(&f.code.as_str()))
        .map(|f| (f.code.clone(), f.file.clone(), f.line))
        .collect();
    // The body starts on line 7, below six lines of front matter; the
    // second page with the title in the section's order is the one named.
    let restart = "source/manual/restart.html.md".to_string();
    assert_eq!(
        found,
        [
            ("title-duplicate".to_string(), restart.clone(), 2),
            ("image-alt-missing".to_string(), restart.clone(), 9),
            ("image-alt-missing".to_string(), restart.clone(), 11),
            ("heading-level-skipped".to_string(), restart.clone(), 17),
            ("link-text-vague".to_string(), restart.clone(), 19),
        ],
        "{findings:#?}"
    );
    assert!(
        findings
            .iter()
            .filter(|f| codes.contains(&f.code.as_str()))
            .all(|f| f.severity == "warning")
    );
}
