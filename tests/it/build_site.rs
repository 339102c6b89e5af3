//! `manual build` on fixture sites: what the published HTML contains.

use crate::common;

use common::{Fixture, snapshot_tree};

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("a </main> tag");
    &html[start..end]
}

#[test]
fn page_shows_title_owner_toc_and_unique_heading_ids() {
    let site = Fixture::new();
    site.page(
        "deploy",
        "Deploy an app",
        "Deployments",
        "## Before you start\n\ntext\n\n### Check access\n\n## Before you start\n\n#### Deep\n\n## Custom {#my-id}\n",
    );
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/deploy.html");
    assert!(
        html.contains("<title>Deploy an app - Manual</title>"),
        "{html}"
    );
    assert!(html.contains("<h1 class=\"page-title\">Deploy an app</h1>"));
    assert!(html.contains("Owner: <strong>#team</strong>"));
    assert!(html.contains(r##"<h2 id="before-you-start"><a class="heading-link" href="#before-you-start">Before you start</a></h2>"##));
    assert!(html.contains(r##"<h2 id="before-you-start-1"><a class="heading-link" href="#before-you-start-1">Before you start</a></h2>"##));
    assert!(html.contains(r##"<h3 id="check-access"><a class="heading-link" href="#check-access">Check access</a></h3>"##));
    assert!(
        html.contains(r##"<h2 id="my-id"><a class="heading-link" href="#my-id">Custom</a></h2>"##)
    );
    let toc_start = html
        .find(r#"<nav class="toc""#)
        .expect("a table of contents");
    let toc = &html[toc_start..html[toc_start..].find("</nav>").unwrap() + toc_start];
    let toc_links: Vec<_> = toc
        .match_indices("href=\"#")
        .map(|(i, _)| &toc[i + 7..i + 7 + toc[i + 7..].find('"').unwrap()])
        .collect();
    assert_eq!(
        toc_links,
        [
            "before-you-start",
            "check-access",
            "before-you-start-1",
            "my-id"
        ],
        "h4 is left out"
    );
}

#[test]
fn index_groups_sections_and_orders_pages() {
    let site = Fixture::new();
    site.page("b", "beta task", "zebra", "")
        .page("a", "Alpha task", "zebra", "")
        .page("l", "About zebras", "zebra", "")
        .page("m", "Apple", "Apples", "")
        .page("n", "Banana", "apricots", "");
    site.write(
        "source/manual/l.html.md",
        "---\ntitle: About zebras\nowner_slack: '#team'\nsection: zebra\ntype: learn\n---\n",
    );
    site.write(
        "source/manual/i.html.md",
        "---\ntitle: Urgent thing\nowner_slack: '#team'\nsection: zebra\nimportant: true\n---\n",
    );
    site.build(&[]).assert_ok();
    let index = site.read("build/manual.html");
    let main = main_of(&index);
    let order: Vec<&str> = ["Common tasks", "Apples", "apricots", "zebra"]
        .into_iter()
        .filter(|name| main.contains(&format!(">{name}</h2>")))
        .collect();
    assert_eq!(order.len(), 4, "{main}");
    let pos = |needle: &str| {
        main.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing in {main}"))
    };
    assert!(pos(">Common tasks</h2>") < pos(">Apples</h2>"));
    assert!(
        pos(">Apples</h2>") < pos(">apricots</h2>"),
        "sections sort case-insensitively"
    );
    assert!(pos(">apricots</h2>") < pos(">zebra</h2>"));
    let zebra = &main[pos(">zebra</h2>")..];
    let a = zebra.find(">Alpha task<").unwrap();
    let b = zebra.find(">beta task<").unwrap();
    let u = zebra.find(">Urgent thing<").unwrap();
    let l = zebra.find(">About zebras<").unwrap();
    assert!(
        a < b && b < u,
        "how-to pages sorted by title, case-insensitively"
    );
    assert!(u < l, "learn pages come after how-to pages");
    let common = &main[pos(">Common tasks</h2>")..pos(">Apples</h2>")];
    assert!(common.contains(">Urgent thing<") && !common.contains(">Alpha task<"));
    insta::assert_snapshot!("manual_index_main", main);
}

#[test]
fn breadcrumbs_follow_parents_then_section() {
    let site = Fixture::new();
    site.page("top", "Top", "Ops", "");
    site.write(
        "source/manual/child.html.md",
        "---\ntitle: Child\nowner_slack: '#team'\nsection: Ops\nparent: /manual/top.html\n---\n",
    );
    site.build(&[]).assert_ok();
    let top = site.read("build/manual/top.html");
    assert!(
        top.contains(
            r#"<li><a href="/">Home</a></li>
    <li><a href="/manual.html">Manual</a></li>
    <li><a href="/manual.html#ops">Ops</a></li>"#
        ),
        "{top}"
    );
    let child = site.read("build/manual/child.html");
    assert!(
        child.contains(
            r#"<li><a href="/manual.html">Manual</a></li>
    <li><a href="/manual/top.html">Top</a></li>
  </ol>"#
        ),
        "{child}"
    );
}

#[test]
fn the_site_navigation_lists_the_sections_and_marks_the_current_page() {
    let site = Fixture::new();
    site.page("one", "One", "Ops", "")
        .page("two", "Two", "Ops", "")
        .page("three", "Three", "Other ops", "");
    site.build(&[]).assert_ok();
    let one = site.read("build/manual/one.html");
    let nav = &one[one.find("class=\"site-nav\"").expect("a site navigation")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    // Every section; the current one open, with its pages, this one marked.
    assert!(
        nav.contains(">Ops</a>") && nav.contains(">Other ops</a>"),
        "{nav}"
    );
    assert!(
        nav.contains(r#"<a href="/manual/one.html" aria-current="page">One</a>"#),
        "{nav}"
    );
    assert!(nav.contains(r#"href="/manual/two.html""#), "{nav}");
    assert!(
        !nav.contains("three.html"),
        "another section's pages: {nav}"
    );
}

#[test]
fn assets_are_copied_and_settings_are_not() {
    let site = Fixture::new();
    site.page("a", "A", "S", "![diagram](/manual/images/d.png)\n");
    site.write(
        "source/manual/images/d.png",
        [0x89, b'P', b'N', b'G', 0, 1, 2],
    );
    site.write("source/files/notes.txt", "notes");
    site.write("source/.hidden", "secret");
    site.write("source/site.yml", "service_name: Ops manual\n");
    site.build(&[]).assert_ok();
    assert_eq!(
        std::fs::read(site.path("build/manual/images/d.png")).unwrap(),
        [0x89, b'P', b'N', b'G', 0, 1, 2]
    );
    assert_eq!(site.read("build/files/notes.txt"), "notes");
    assert!(
        site.path("build/assets/manual.css").exists(),
        "the layouts' stylesheet is published"
    );
    assert!(!site.path("build/site.yml").exists());
    assert!(!site.path("build/.hidden").exists());
    assert!(
        site.read("build/manual/a.html")
            .contains("<title>A - Ops manual</title>")
    );
}

#[test]
fn settings_drive_header_and_footer_links_in_order() {
    let site = Fixture::new();
    site.page("a", "A", "S", "");
    site.write(
        "source/site.yml",
        "service_name: Ops\nheader_links:\n  Zeta: /manual.html\n  Alpha: /manual/a.html\nfooter_links:\n  Help: https://example.org/help\n",
    );
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/a.html");
    let z = html
        .find(r#"<a class="govuk-header__link" href="/manual.html">Zeta</a>"#)
        .expect("header link");
    let a = html
        .find(
            r#"<a class="govuk-header__link" href="/manual/a.html" aria-current="page">Alpha</a>"#,
        )
        .expect("header link, marked as the current page");
    assert!(z < a, "header links keep their written order");
    assert!(
        html.contains(r#"<a class="govuk-footer__link" href="https://example.org/help">Help</a>"#)
    );
}

#[test]
fn a_page_picks_its_layout_and_extra_keys_reach_it() {
    let site = Fixture::new();
    let layouts = site.path("layouts");
    std::fs::create_dir_all(&layouts).unwrap();
    for name in ["home", "manual_index", "manual_layout", "not_found"] {
        site.write(&format!("layouts/{name}.html"), format!("{name}\n"));
    }
    site.write(
        "layouts/special.html",
        "special: {{ page.title }} by {{ page.extra.team }} {{ content | safe }}",
    );
    site.write(
        "source/manual/s.html.md",
        "---\ntitle: Odd <one>\nowner_slack: \"#team\"\nsection: S\nlayout: special\nteam: Blue\n---\n*hi*\n",
    );
    site.page("plain", "Plain", "S", "");
    site.build(&["--layouts", layouts.to_str().unwrap()])
        .assert_ok();
    assert_eq!(
        site.read("build/manual/s.html"),
        "special: Odd &lt;one&gt; by Blue <p><em>hi</em></p>\n"
    );
    assert_eq!(site.read("build/manual/plain.html"), "manual_layout\n");
}

#[test]
fn titles_and_front_matter_values_are_escaped() {
    let site = Fixture::new();
    site.write(
        "source/manual/x.html.md",
        "---\ntitle: \"<script>alert(1)</script>\"\nowner_slack: \"#a<b>\"\nsection: S\n---\n",
    );
    site.build(&["--skip-check"]).assert_ok();
    let html = site.read("build/manual/x.html");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!site.read("build/manual.html").contains("<script>"));
}

#[test]
fn a_source_index_page_becomes_the_home_page() {
    let site = Fixture::new();
    site.write(
        "source/index.html.md",
        "---\ntitle: Welcome\nowner_slack: \"#team\"\n---\nHello readers.\n",
    );
    site.page("a", "A", "Ops", "");
    site.build(&[]).assert_ok();
    let home = site.read("build/index.html");
    assert!(
        home.contains("<h1 class=\"page-title\">Welcome</h1>") && home.contains("Hello readers."),
        "{home}"
    );
    assert!(
        home.contains(r#"href="/manual.html#ops""#),
        "home lists the sections"
    );
}

#[test]
fn output_is_byte_identical_across_builds_and_thread_counts() {
    let site = Fixture::new();
    for i in 0..40 {
        site.page(
            &format!("p{i}"),
            &format!("Page {i}"),
            &format!("S{}", i % 4),
            &format!("## A\n\n## A\n\n[x](/manual/p1.html)\n\n```ruby\nputs {i}\n```\n\n```yaml\nkey: value\n```\n"),
        );
    }
    site.write("source/manual/images/x.png", b"png");
    site.build_with_threads(&["--out", "one"], Some(1))
        .assert_ok();
    site.build_with_threads(&["--out", "four"], Some(4))
        .assert_ok();
    site.build(&["--out", "default"]).assert_ok();
    let one = snapshot_tree(&site.path("one"));
    // 40 pages; manual.html, index.html, 404.html, print.html,
    // highlight.css, api/pages.json, api/manual.json and robots.txt; one
    // asset and the theme's six; the marker that says `manual` made the
    // folder.
    assert_eq!(one.len(), 40 + 8 + 1 + 6 + 1);
    assert!(
        one == snapshot_tree(&site.path("four")),
        "1 and 4 threads differ"
    );
    assert!(
        one == snapshot_tree(&site.path("default")),
        "two builds differ"
    );
}

#[test]
fn pages_json_sitemap_and_robots() {
    let site = Fixture::new();
    site.write("source/site.yml", "host: https://ops.example.org/\n");
    site.write(
        "source/manual/b.html.md",
        "---\ntitle: B & co\nowner_slack: '#team'\nsection: Ops\nlast_reviewed_on: 2026-08-31\nreview_in: 6 months\n---\n",
    );
    site.page("a", "A", "Ops", "");
    site.build(&[]).assert_ok();
    let pages: serde_json::Value =
        serde_json::from_str(&site.read("build/api/manual.json")).unwrap();
    assert_eq!(
        pages["pages"][1],
        serde_json::json!({
            "title": "B & co", "url": "/manual/b.html", "owner": "#team", "section": "Ops",
            "last_reviewed_on": "2026-08-31", "review_by": "2027-02-28", "last_updated": null
        })
    );
    assert_eq!(pages["pages"][0]["review_by"], serde_json::Value::Null);
    // The review feed is the tech-docs gem's: an array its notifier reads,
    // each page at its address, as the current gem writes it.
    let feed: serde_json::Value = serde_json::from_str(&site.read("build/api/pages.json")).unwrap();
    assert_eq!(
        feed[1],
        serde_json::json!({
            "title": "B & co", "url": "/manual/b.html",
            "review_by": "2027-02-28", "owner_slack": "#team"
        })
    );
    let sitemap = site.read("build/sitemap.xml");
    assert!(
        sitemap.contains("<url><loc>https://ops.example.org/manual/b.html</loc></url>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://ops.example.org/manual.html</loc>"));
    assert_eq!(
        site.read("build/robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://ops.example.org/sitemap.xml\n"
    );

    site.write("source/site.yml", "service_name: No host\n");
    site.build(&[]).assert_ok();
    assert!(
        !site.path("build/sitemap.xml").exists(),
        "a sitemap needs absolute URLs"
    );
    assert_eq!(site.read("build/robots.txt"), "User-agent: *\nAllow: /\n");
}

#[test]
fn the_repository_manual_builds() {
    let site = Fixture::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = site.path("out");
    let run = site.build(&[
        "--source",
        root.join("source").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    run.assert_ok();
    assert!(!run.stderr().contains("error["), "{}", run.stderr());
    let index = site.read("out/manual.html");
    for page in [
        "write-a-manual-page",
        "preview-your-changes",
        "publish-the-manual",
        "ask-for-help",
    ] {
        assert!(
            index.contains(&format!("/manual/{page}.html")),
            "{page} missing from index"
        );
    }
}

fn git(dir: &std::path::Path, args: &[&str], date: &str) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn head_commit(dir: &std::path::Path) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn pages_show_their_last_commit_and_an_edit_link_from_one_git_pass() {
    let site = Fixture::new();
    site.write(
        "source/site.yml",
        "host: https://ops.example.org\ngithub_repo: example/ops-manual\ngithub_branch: trunk\n",
    );
    site.page("a", "Page A", "Ops", "First.\n");
    site.page("b", "Page B", "Ops", "Other.\n");
    let root = site.path("");
    git(
        &root,
        &["init", "-q", "-b", "trunk"],
        "2026-01-01T00:00:00Z",
    );
    git(&root, &["add", "source"], "2026-01-01T00:00:00Z");
    git(
        &root,
        &["commit", "-q", "-m", "first"],
        "2026-02-03T09:00:00Z",
    );
    let first = head_commit(&root);
    site.page("a", "Page A", "Ops", "Second.\n");
    git(
        &root,
        &["commit", "-q", "-am", "second"],
        "2026-05-06T09:00:00Z",
    );
    let second = head_commit(&root);
    // Not committed: built, but with no date.
    site.page("c", "Page C", "Ops", "New.\n");

    site.build(&[]).assert_ok();
    let a = site.read("build/manual/a.html");
    assert!(
        a.contains(&format!(
            "Last updated <a href=\"https://github.com/example/ops-manual/commit/{second}\"><time datetime=\"2026-05-06\">6 May 2026</time></a>"
        )),
        "{a}"
    );
    assert!(a.contains(
        "<a href=\"https://github.com/example/ops-manual/edit/trunk/source/manual/a.html.md\">Edit this page on GitHub</a>"
    ));
    let b = site.read("build/manual/b.html");
    assert!(b.contains(&format!(
        "/commit/{first}\"><time datetime=\"2026-02-03\">3 February 2026</time>"
    )));
    let c = site.read("build/manual/c.html");
    assert!(!c.contains("Last updated") && c.contains("Edit this page on GitHub"));

    let pages: serde_json::Value =
        serde_json::from_str(&site.read("build/api/manual.json")).unwrap();
    let dates: Vec<_> = pages["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["last_updated"].clone())
        .collect();
    assert_eq!(
        dates,
        [
            serde_json::json!("2026-05-06"),
            serde_json::json!("2026-02-03"),
            serde_json::Value::Null
        ]
    );
    let sitemap = site.read("build/sitemap.xml");
    assert!(sitemap.contains(
        "<url><loc>https://ops.example.org/manual/a.html</loc><lastmod>2026-05-06</lastmod></url>"
    ));
}

#[test]
fn outside_git_pages_build_without_dates_and_without_a_repository_no_edit_link() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    site.build(&[]).assert_ok();
    let a = site.read("build/manual/a.html");
    assert!(
        !a.contains("Last updated") && !a.contains("Edit this page"),
        "{a}"
    );
}

#[test]
fn review_notes_show_dates_owner_and_overdue_state() {
    let site = Fixture::new();
    site.write(
        "source/manual/due.html.md",
        "---\ntitle: Due\nowner_slack: '#team'\nsection: Ops\nlast_reviewed_on: 2026-08-31\nreview_in: 6 months\n---\n",
    );
    site.write(
        "source/manual/late.html.md",
        "---\ntitle: Late\nowner_slack: '#team'\nsection: Ops\nreview_by: 2026-11-01\n---\n",
    );
    site.build(&["--today", "2026-11-22"]).assert_ok();
    let due = site.read("build/manual/due.html");
    assert!(
        due.contains("<div class=\"review\" data-review-due=\"2027-02-28\">")
            && due.contains("Last reviewed on <time datetime=\"2026-08-31\">31 August 2026</time>. Review <span class=\"review__when\">again</span> by <time datetime=\"2027-02-28\">28 February 2027</time> (#team)."),
        "{due}"
    );
    // The overdue note waits, hidden, for a reader whose date is past it.
    assert!(
        !due.contains("review--overdue") && due.contains("<p class=\"review__status\" hidden>")
    );
    assert!(due.contains("/assets/review.js"));
    let late = site.read("build/manual/late.html");
    assert!(
        late.contains("<div class=\"review review--overdue\">"),
        "{late}"
    );
    assert!(late.contains("This page is overdue for review."));
    assert!(late.contains(
        "Review was due by <time datetime=\"2026-11-01\">1 November 2026</time> (#team)."
    ));
    assert!(
        !late.contains("review.js"),
        "nothing left for the script to do"
    );
    // The same page on the day before it falls due is not overdue.
    site.build(&["--today", "2026-10-31"]).assert_ok();
    assert!(
        !site
            .read("build/manual/late.html")
            .contains("review--overdue")
    );
}

#[test]
fn base_path_puts_every_address_under_the_sub_path() {
    let site = Fixture::new();
    site.write(
        "source/site.yml",
        "base_path: /docs/\nhost: https://example.org\nenable_search: true\n\
         header_links:\n  Manual: /manual.html\n  Elsewhere: https://example.com/x\n\
         redirects:\n  /old.html: /manual/a.html#part\n",
    );
    site.page(
        "a",
        "Page A",
        "Ops",
        "## Part\n\n[b](/manual/b.html) ![i](/manual/i.png) <a href='/manual/b.html'>raw</a> [ext](https://example.com/) [frag](#part)\n\n```html\n<a href=\"/not-rewritten\">code</a>\n```\n",
    );
    site.page("b", "Page B", "Ops", "");
    site.write("source/manual/i.png", "png");
    site.build(&[]).assert_ok();
    let a = site.read("build/manual/a.html");
    for expected in [
        "href=\"/docs/assets/manual.css\"",
        "href=\"/docs/manual.html\"",
        "href=\"https://example.com/x\"",
        "action=\"/docs/search/\"",
        "<a href=\"/docs/manual/b.html\">b</a>",
        "src=\"/docs/manual/i.png\"",
        "<a href='/docs/manual/b.html'>raw</a>",
        "<a href=\"https://example.com/\">ext</a>",
        "<a href=\"#part\">frag</a>",
        "/not-rewritten",
    ] {
        assert!(a.contains(expected), "missing {expected} in {a}");
    }
    // Code that shows HTML is left as written.
    assert!(!a.contains("/docs/not-rewritten"));
    assert!(
        !a.contains("href=\"/manual") && !a.contains("src=\"/manual"),
        "{a}"
    );
    let redirect = site.read("build/old.html");
    assert!(
        redirect.contains("url=/docs/manual/a.html#part"),
        "{redirect}"
    );
    assert!(
        redirect.contains(
            "<link rel=\"canonical\" href=\"https://example.org/docs/manual/a.html#part\">"
        )
    );
    assert!(
        site.read("build/sitemap.xml")
            .contains("<loc>https://example.org/docs/manual/a.html</loc>")
    );
    assert!(
        site.read("build/search/index.html")
            .contains("data-index=\"/docs/search/\"")
    );
    let pages = site.read("build/api/manual.json");
    assert!(
        pages.contains("\"url\": \"/docs/manual/a.html\""),
        "{pages}"
    );
    // The build folder itself is not nested: the host maps /docs/ to it.
    assert!(site.path("build/manual/a.html").exists());
}

#[test]
fn search_index_lists_pages_and_weighs_titles_above_text() {
    let site = Fixture::new();
    site.write("source/site.yml", "enable_search: true\n");
    site.write(
        "source/manual/deploy.html.md",
        "---\ntitle: Deploy the app\nowner_slack: '#team'\nsection: Ops\ndescription: How to ship.\n---\n## Rollback\n\nThe app deploys itself. Deploy deploy deploy.\n",
    );
    site.page("other", "Other", "Ops", "We deploy on Tuesdays.\n");
    site.build(&[]).assert_ok();
    let pages: serde_json::Value =
        serde_json::from_str(&site.read("build/search/pages.json")).unwrap();
    assert_eq!(
        pages,
        serde_json::json!([
            [
                "Deploy the app",
                "/manual/deploy.html",
                "Ops",
                "How to ship."
            ],
            [
                "Other",
                "/manual/other.html",
                "Ops",
                "We deploy on Tuesdays."
            ]
        ])
    );
    let shard: serde_json::Value =
        serde_json::from_str(&site.read("build/search/terms-de.json")).unwrap();
    // [page, weight, ...]: the title word outweighs the same word in text.
    let deploy = shard["deploy"].as_array().unwrap();
    assert_eq!(deploy.len(), 4, "{shard}");
    assert_eq!(deploy[0], 0);
    assert_eq!(deploy[2], 1);
    assert!(deploy[1].as_u64() > deploy[3].as_u64(), "{shard}");
    // Word forms share one term: "deploys" is indexed as its stem.
    assert!(shard.get("deploys").is_none(), "{shard}");
    let rollback: serde_json::Value =
        serde_json::from_str(&site.read("build/search/terms-ro.json")).unwrap();
    // A heading word counts as a heading (6) and once as text (1).
    assert_eq!(rollback["rollback"], serde_json::json!([0, 7]));
    // A stop word is not indexed.
    assert!(
        !site.path("build/search/terms-th.json").exists()
            || !site.read("build/search/terms-th.json").contains("\"the\"")
    );
    // Each page's sections, for the excerpts and section links a result
    // shows: the h2 with its id and the text under it.
    let sections: serde_json::Value =
        serde_json::from_str(&site.read("build/search/page-0.json")).unwrap();
    assert_eq!(
        sections,
        serde_json::json!([[
            "Rollback",
            "rollback",
            "The app deploys itself. Deploy deploy deploy."
        ]])
    );
}

/// GitHub's alert syntax is drawn as the GOV.UK components, not shown as
/// "[!NOTE]" text; an unknown kind stays a quote.
#[test]
fn callouts_are_drawn_as_govuk_components() {
    let site = Fixture::new();
    site.page(
        "restart",
        "Restart the app",
        "Ops",
        "> [!WARNING]\n> Drain the queue first.\n\n> [!TIP]\n> It takes a minute.\n\n> [!IMPORTANT]\n> Tell the team.\n",
    );
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/restart.html");
    assert!(!html.contains("[!"), "{html}");
    assert!(html.contains("govuk-warning-text callout callout--warning"));
    assert!(html.contains("<span class=\"govuk-visually-hidden\">Warning: </span>"));
    assert!(html.contains("<p class=\"callout__label\">Tip</p>"));
    assert!(html.contains("<p class=\"callout__label\">Important</p>"));

    // A word that is not a callout is shown as written, with a warning.
    site.page(
        "other",
        "Other page",
        "Ops",
        "Text.\n\n> [!DANGER]\n> Hot.\n",
    );
    let unknown: Vec<_> = site
        .check()
        .into_iter()
        .filter(|f| f.code == "callout-unknown")
        .map(|f| (f.file, f.line, f.severity))
        .collect();
    assert_eq!(
        unknown,
        [(
            "source/manual/other.html.md".to_string(),
            9,
            "warning".to_string()
        )]
    );
}

/// A code fence's title is shown above the block, its marked lines are
/// marked (in both spellings, highlighted or plain), the page loads the
/// copy button's script, and an attribute not acted on is a warning.
#[test]
fn code_blocks_show_titles_and_marked_lines() {
    let site = Fixture::new();
    site.page(
        "config",
        "Configure the app",
        "Ops",
        "```yaml title=\"config/app.yml\" {2}\nname: app\nport: 80\nhost: x\n```\n\n```text hl_lines=\"1 3\"\none\ntwo\nthree\n```\n\n```ruby linenums=\"1\"\nputs 1\n```\n",
    );
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/config.html");
    assert!(
        html.contains("<figure class=\"code-block\"><figcaption class=\"code-block__title\">config/app.yml</figcaption>"),
        "{html}"
    );
    let marks: Vec<&str> = html.split("<mark class=\"code-line\">").skip(1).collect();
    assert_eq!(marks.len(), 3, "{html}");
    assert!(marks[0].contains("port"), "{}", marks[0]);
    assert!(marks[1].starts_with("one</mark>"), "{}", marks[1]);
    assert!(marks[2].starts_with("three</mark>"), "{}", marks[2]);
    assert!(html.contains("/assets/copy.js"));
    let findings = site.check();
    let ignored: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "code-attribute-ignored")
        .map(|f| (f.line, f.message.as_str()))
        .collect();
    assert_eq!(
        ignored,
        [(19, "`linenums=\"1\"` on this code block is not acted on")]
    );
}

/// A ```mermaid block is drawn as SVG when the site is built (no script
/// for readers); one that is not valid Mermaid is a check error at its
/// line and is shown as code.
#[test]
fn diagrams_are_drawn_at_build_time_and_broken_ones_are_errors() {
    let site = Fixture::new();
    site.page(
        "flow",
        "Deploy the app",
        "Ops",
        "```mermaid\nflowchart LR\n  A[Build] --> B[Deploy]\n```\n\n```mermaid\nsequenceDiagram\n  CI->>App: deploy\n```\n\n```mermaid\nstateDiagram-v2\n  [*] --> Up\n```\n\n```mermaid\nflowchart LR\n  A -->\n```\n",
    );
    let findings = site.check();
    let diagrams: Vec<_> = findings
        .iter()
        .filter(|f| f.code.starts_with("diagram-"))
        .map(|f| (f.code.as_str(), f.severity.as_str(), f.line))
        .collect();
    assert_eq!(diagrams, [("diagram-invalid", "error", 22)]);
    site.build(&[]).assert_failed();
    site.build(&["--skip-check"]).assert_ok();
    let html = site.read("build/manual/flow.html");
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    assert!(
        !html.contains("<script src=\"mermaid"),
        "no script draws diagrams"
    );
    // The broken one is shown as its source.
    assert!(
        html.contains("<code class=\"language-mermaid\">flowchart LR\n  A --&gt;\n</code>"),
        "{html}"
    );
}

/// Previous and next within a section follow the navigation's order:
/// `weight` first, then title; the first page has no previous and the last
/// no next.
#[test]
fn previous_and_next_follow_weight_then_title() {
    let site = Fixture::new();
    let page = |slug: &str, title: &str, weight: &str| {
        site.write(
            &format!("source/manual/{slug}.html.md"),
            format!(
                "---\ntitle: {title}\nowner_slack: \"#team\"\nsection: Ops\nparent: /manual.html\n{weight}---\nText.\n"
            ),
        );
    };
    page("alpha", "Alpha task", "");
    page("zulu", "Zulu task", "weight: 1\n");
    page("mike", "Mike task", "");
    site.build(&[]).assert_ok();
    let pager = |slug: &str| -> Vec<String> {
        let html = site.read(&format!("build/manual/{slug}.html"));
        ["rel=\"prev\"", "rel=\"next\""]
            .iter()
            .filter_map(|rel| {
                let at = html.find(rel)?;
                let before = &html[..at];
                let href = before.rfind("href=\"").map(|h| &before[h + 6..])?;
                Some(format!("{rel} {}", &href[..href.find('"').unwrap()]))
            })
            .collect()
    };
    assert_eq!(pager("zulu"), ["rel=\"next\" /manual/alpha.html"]);
    assert_eq!(
        pager("alpha"),
        [
            "rel=\"prev\" /manual/zulu.html",
            "rel=\"next\" /manual/mike.html"
        ]
    );
    assert_eq!(pager("mike"), ["rel=\"prev\" /manual/alpha.html"]);
}

/// The ids and in-document links of a built print page: every `href="#x"`
/// names an id, and no id is written twice.
fn print_page_problems(html: &str) -> Vec<String> {
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in &ids {
        if !seen.insert(*id) {
            problems.push(format!("id {id} is written twice"));
        }
    }
    for rest in html.split("href=\"#").skip(1) {
        let target = &rest[..rest.find('"').unwrap()];
        if !seen.contains(target) {
            problems.push(format!("#{target} names no id"));
        }
    }
    problems
}

#[test]
fn the_print_page_holds_every_page_in_order_with_links_kept_inside_it() {
    let site = Fixture::new();
    site.write("site.yml", "service_name: Ops\nbase_path: /docs\n")
        .page(
            "restart",
            "Restart the workers",
            "Running",
            "## Install\n\nSee [deploy](/manual/deploy.html#install), [its top](deploy.html) and [below](#check).\n\n## Check\n\nDone.\n",
        )
        .page(
            "deploy",
            "Deploy",
            "Running",
            "## Install\n\nSame heading as the other page.\n\n[Out](https://example.org/x#y)\n",
        )
        .page("zz-alone", "Alone", "Other team", "## Install\n\nText.\n");
    site.build(&["--out", "www"]).assert_ok();
    let print = site.read("www/print.html");
    assert!(
        print_page_problems(&print).is_empty(),
        "{:?}",
        print_page_problems(&print)
    );
    // Sections in order, pages in the section's order (title), each once.
    let deploy = print.find("id=\"page-manual-deploy\"").unwrap();
    let restart = print.find("id=\"page-manual-restart\"").unwrap();
    let alone = print.find("id=\"page-manual-zz-alone\"").unwrap();
    let other = print.find("id=\"print-other-team\"").unwrap();
    let running = print.find("id=\"print-running\"").unwrap();
    assert!(
        other < alone && running < deploy && deploy < restart,
        "order"
    );
    // Links between pages stay in the document, at the page's own ids.
    assert!(
        print.contains("href=\"#page-manual-deploy--install\""),
        "{print}"
    );
    assert!(print.contains("href=\"#page-manual-deploy\""));
    assert!(print.contains("href=\"#page-manual-restart--check\""));
    assert!(print.contains("href=\"https://example.org/x#y\""));
    assert!(print.contains("<meta name=\"robots\" content=\"noindex\">"));
    // The manual index offers the whole manual and each section.
    let index = site.read("www/manual.html");
    assert!(index.contains("href=\"/docs/print.html\""));
    assert!(index.contains("href=\"/docs/print.html#print-running\""));
    // A page of the site's own at /print.html is kept, with no clash.
    site.write(
        "source/print.html.md",
        "---\ntitle: Printing\nowner_slack: \"#team\"\nsection: Running\n---\nOurs.\n",
    );
    site.build(&["--out", "www"]).assert_ok();
    assert!(site.read("www/print.html").contains("Ours."));
}

/// Middleman's `relative_assets`: stylesheets, scripts and images are
/// addressed from the page, while links to pages stay as written.
#[test]
fn relative_assets_write_only_the_addresses_of_files_relative() {
    let site = Fixture::new();
    let settings = "service_name: Ops\nbase_path: /docs\nenable_search: true\n";
    site.write("site.yml", format!("{settings}relative_assets: true\n"))
        .page(
            "restart",
            "Restart",
            "Running",
            "[Deploy](/manual/deploy.html#go) ![Chart](/images/chart.png) [Runbook](/files/runbook.pdf) [Index](/manual.html)\n",
        )
        .page("deploy", "Deploy", "Running", "## Go\n\nText.\n")
        .write("source/images/chart.png", b"\x89PNG\r\n\x1a\n")
        .write("source/files/runbook.pdf", b"%PDF-1.4\n");
    site.build(&["--out", "assets"]).assert_ok();
    let page = site.read("assets/manual/restart.html");
    for written in [
        "href=\"/docs/manual/deploy.html#go\"",
        "href=\"/docs/manual.html\"",
        "src=\"../images/chart.png\"",
        "href=\"../files/runbook.pdf\"",
        "href=\"../assets/manual.css\"",
        "src=\"../assets/search.js\"",
        "data-index=\"/docs/search/\"",
    ] {
        assert!(page.contains(written), "{written} not in\n{page}");
    }
    // config.rb's `activate :relative_assets` does the same, also inside
    // `configure :build`, and is not reported as ignored.
    site.write("site.yml", settings).write(
        "config.rb",
        "configure :build do\n  activate :relative_assets\nend\n",
    );
    let run = site.build(&["--out", "from-config"]);
    run.assert_ok();
    assert!(
        !run.stderr().contains("config-rb-ignored"),
        "{}",
        run.stderr()
    );
    assert_eq!(site.read("from-config/manual/restart.html"), page);
}

#[test]
fn relative_links_write_every_address_relative_to_its_page() {
    let site = Fixture::new();
    site.write(
        "site.yml",
        "service_name: Ops\nbase_path: /docs\nenable_search: true\nredirects:\n  /old.html: /manual/restart.html\nheader_links:\n  Manual: /manual.html\n",
    )
    .page(
        "restart",
        "Restart",
        "Running",
        "[Deploy](/manual/deploy.html#go) ![Chart](/images/chart.png) <a href=\"/manual.html\">index</a>\n",
    )
    .page("deploy", "Deploy", "Running", "## Go\n\nText.\n")
    .write("source/images/chart.png", b"\x89PNG\r\n\x1a\n");
    site.build(&["--out", "root"]).assert_ok();
    site.write(
        "site.yml",
        "service_name: Ops\nbase_path: /docs\nenable_search: true\nrelative_links: true\nredirects:\n  /old.html: /manual/restart.html\nheader_links:\n  Manual: /manual.html\n",
    );
    site.build(&["--out", "relative"]).assert_ok();
    let page = site.read("relative/manual/restart.html");
    for written in [
        "href=\"deploy.html#go\"",
        "src=\"../images/chart.png\"",
        "href=\"../manual.html\"",
        "href=\"../assets/manual.css\"",
        "src=\"../assets/search.js\"",
        "data-index=\"../search/\"",
        "action=\"../search/index.html\"",
    ] {
        assert!(page.contains(written), "{written} not in\n{page}");
    }
    assert!(
        !page.contains("=\"/docs/"),
        "a root-relative address is left:\n{page}"
    );
    let redirect = site.read("relative/old.html");
    assert!(redirect.contains("url=manual/restart.html"), "{redirect}");
    // The page-not-found page is shown at any depth: it keeps its own.
    assert!(
        site.read("relative/404.html")
            .contains("href=\"/docs/assets/manual.css\"")
    );
    // The search index names pages under the site's root.
    assert!(
        site.read("relative/search/pages.json")
            .contains("\"manual/restart.html\"")
    );
    // config.rb's `set :relative_links, true` does the same.
    site.write("site.yml", "service_name: Ops\nbase_path: /docs\nenable_search: true\nredirects:\n  /old.html: /manual/restart.html\nheader_links:\n  Manual: /manual.html\n")
        .write("config.rb", "set :relative_links, true\n");
    site.build(&["--out", "from-config"]).assert_ok();
    assert_eq!(
        site.read("from-config/manual/restart.html"),
        page,
        "config.rb's relative_links differs from the setting's"
    );
}
