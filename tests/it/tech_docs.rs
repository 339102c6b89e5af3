//! Moving a tech-docs site to `manual` as it is: the gem's own
//! documentation (read in place from `../shared/corpus`), and fixture sites
//! for every gem setting, page key, ERB form, heading-id scheme and the
//! review feed.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Fixture, Run};

fn gem_docs() -> PathBuf {
    common::shared_corpus("tech-docs-gem-docs")
}

/// Runs `manual` in `dir` with `args`.
fn manual_in(dir: &Path, args: &[&str]) -> Run {
    Run(common::manual_cmd()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap())
}

/// Every `&lt;%` in the HTML is inside a code block or code span: ERB the
/// page shows as an example (`<%%`), never a tag meant to run.
fn assert_no_erb_outside_code(html: &str, what: &str) {
    assert!(!html.contains("<%"), "{what} holds a raw ERB tag");
    let mut rest = html;
    let depth_before = |prefix: &str| -> i64 {
        let opened = prefix.matches("<code").count() as i64;
        let closed = prefix.matches("</code>").count() as i64;
        opened - closed
    };
    let mut offset = 0;
    while let Some(at) = rest.find("&lt;%") {
        let absolute = offset + at;
        assert!(
            depth_before(&html[..absolute]) > 0,
            "{what} shows ERB outside code: {}",
            &html[absolute.saturating_sub(80)..(absolute + 80).min(html.len())]
        );
        offset = absolute + 5;
        rest = &html[offset..];
    }
}

#[test]
fn the_gems_own_documentation_builds_from_its_root_with_no_change_and_no_argument() {
    let root = gem_docs();
    let before = common::snapshot_tree(&root);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let cache = out.path().join("cache");
    // No argument but where to write: the corpus is read-only test data, so
    // the site and the highlight cache (which a project keeps under its
    // root) go elsewhere.
    let run = manual_in(
        &root,
        &[
            "build",
            "--today",
            "2026-11-23",
            "--out",
            site.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
        ],
    );
    run.assert_ok();
    assert_eq!(
        before,
        common::snapshot_tree(&root),
        "the build wrote into the project"
    );

    // Every page, published as a folder, as the gem publishes it.
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(root.join("source"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().to_string_lossy().ends_with(".html.md.erb"))
        .map(|e| {
            e.path()
                .strip_prefix(root.join("source"))
                .unwrap()
                .to_path_buf()
        })
        .collect();
    assert_eq!(pages.len(), 23);
    for page in &pages {
        let published = site.join(page.to_string_lossy().trim_end_matches(".md.erb"));
        let html = std::fs::read_to_string(&published)
            .unwrap_or_else(|e| panic!("{} was not published: {e}", published.display()));
        assert_no_erb_outside_code(&html, &page.display().to_string());
    }

    let read = |p: &str| std::fs::read_to_string(site.join(p)).unwrap();
    let config = read("configure_project/global_configuration/index.html");
    // The title heading written by `# <%= current_page.data.title %>`, with
    // the gem's id, and once only.
    assert!(
        config.contains("<h1 class=\"page-title\" id=\"configure-your-documentation-site\">Configure your documentation site</h1>"),
        "{config}"
    );
    assert_eq!(config.matches("<h1").count(), 1);
    // The gem's heading ids, quotes and all.
    assert!(
        config.contains("id=\"quot-owner-slack-workspace-quot-and-quot-default-owner-slack-quot\"")
    );
    // warning_text, as the GOV.UK component.
    assert!(config.contains("<div class=\"govuk-warning-text\">\n  <span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"));
    // An example that shows ERB keeps it, as code (`<%%` writes `<%`).
    assert!(config.contains("%= govukButton({"), "{config}");
    assert!(!config.contains("%%= govukButton"));
    // The partial's link definitions served the page's reference links.
    assert!(config.contains("<a href=\"mailto:technical-writers@digital.cabinet-office.gov.uk\">"));
    // The look: phase banner, header links, navigation by weight, collapsible.
    assert!(
        config
            .contains("<strong class=\"govuk-tag govuk-phase-banner__content__tag\">Beta</strong>")
    );
    assert!(config.contains("href=\"https://github.com/alphagov/tech-docs-gem\">Ruby gem</a>"));
    // The home page is named by its level-1 heading, as the current gem
    // names a page with no pages below it.
    let order: Vec<usize> = [
        ">Technical Documentation Template</a>",
        "<summary>Create a documentation project</summary>",
        "<summary>Configure your documentation project</summary>",
        "<summary>Write your documentation</summary>",
        "<summary>Maintain your documentation project</summary>",
    ]
    .iter()
    .map(|item| {
        config
            .find(item)
            .unwrap_or_else(|| panic!("{item} not in the navigation"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        config.contains("<details open><summary>Configure your documentation project</summary>")
    );
    // Owners default and link to Slack.
    assert!(config.contains("<a href=\"https://gds.slack.com/messages/gds-technical-writing\">#gds-technical-writing</a>"));
    // image_tag; config.rb's `set :relative_links, true` writes it
    // relative to the page, as Middleman does.
    let review = read("maintain_project/review_content/index.html");
    assert!(
        review.contains("<img src=\"../../images/daniel-the-manual-spaniel-screenshot.svg\" alt=\"Screenshot of a Slack notification"),
        "{review}"
    );
    // A redirect without a leading slash goes from the site's root
    // (written relative to the old address: the site sets relative_links).
    let moved = read("page-expiry.html");
    assert!(
        moved.contains(
            "url=configure_project/page_expiry_and_review/index.html#set-review-date-for-pages"
        ),
        "{moved}"
    );
    // The review feed, as the current gem writes it: with relative_links,
    // each page's path from the feed.
    let feed: serde_json::Value = serde_json::from_str(&read("api/pages.json")).unwrap();
    let entries = feed.as_array().unwrap();
    assert_eq!(entries.len(), 23);
    assert!(
        entries
            .iter()
            .all(|e| e["owner_slack"] == "#gds-technical-writing")
    );
    assert!(entries.iter().any(|e| e
        == &serde_json::json!({
            "title": "Configure page settings",
            "url": "../configure_project/frontmatter/index.html",
            "review_by": "2021-07-01",
            "owner_slack": "#gds-technical-writing"
        })));
}

/// What `check` reports on the gem's documentation, each finding read by
/// hand: its site settings ask for GOV.UK components (not rendered here),
/// its shared link list holds 11 definitions no page uses, and every page
/// is overdue for review on this day.
#[test]
fn check_reports_only_real_problems_on_the_gems_documentation() {
    let run = manual_in(
        &gem_docs(),
        &["check", "--format", "json", "--today", "2026-11-22"],
    );
    assert_eq!(run.0.status.code(), Some(0), "{}", run.stderr());
    let mut counts = std::collections::BTreeMap::new();
    for finding in run.findings() {
        assert_eq!(finding.severity, "warning", "{finding:?}");
        *counts.entry(finding.code.clone()).or_insert(0) += 1;
        if finding.code == "link-definition-unused" {
            assert_eq!(finding.file, "source/partials/_links.erb");
        }
    }
    assert_eq!(
        counts,
        [
            // Its config.rb: three statements that watch files and
            // reload Ruby while serving.
            ("config-rb-ignored".to_string(), 3),
            ("link-definition-unused".to_string(), 11),
            // Four images written with `image_tag` alone on their lines:
            // the gem puts each in a paragraph.
            ("markdown-dialect".to_string(), 4),
            ("review-overdue".to_string(), 23),
            ("setting-unsupported".to_string(), 1)
        ]
        .into_iter()
        .collect()
    );
}

/// A site as a tech-docs team has it: its settings in config/tech-docs.yml.
fn gem_site(settings: &str) -> Fixture {
    let site = Fixture::new();
    site.write("config/tech-docs.yml", settings);
    site
}

fn gem_page(site: &Fixture, path: &str, front: &str, body: &str) {
    site.write(
        &format!("source/{path}"),
        format!("---\n{front}---\n{body}"),
    );
}

#[test]
fn every_gem_setting_shows_in_the_built_site() {
    let site = gem_site(
        "host: https://docs.example.org\nshow_govuk_logo: true\nservice_name: Pay docs\nfull_service_name: GOV.UK Pay\nservice_link: https://www.example.org/pay\nphase: Alpha\nheader_links:\n  Support: /support/\nfooter_links:\n  Accessibility: /accessibility/\nmulti_page_nav_is_not_a_key: 1\n",
    );
    // An unknown key is an error with the nearest known one; fix it and go on.
    let run = site.build(&[]);
    run.assert_could_not_run()
        .assert_stderr_has("config/tech-docs.yml:11:1: error[settings-invalid]: settings: unknown key `multi_page_nav_is_not_a_key`");
    site.write(
        "config/tech-docs.yml",
        "host: https://docs.example.org\nshow_govuk_logo: true\nservice_name: Pay docs\nfull_service_name: GOV.UK Pay\nservice_link: https://www.example.org/pay\nphase: Alpha\nheader_links:\n  Support: /support/\nfooter_links:\n  Accessibility: /accessibility/\nmultipage_nav: true\ncollapsible_nav: false\nmax_toc_heading_level: 2\nprevent_indexing: true\ngoogle_site_verification: v3r1fy\nshow_contribution_banner: true\ngithub_repo: alphagov/pay-tech-docs\ngithub_branch: main\nsource_urls:\n  report_issue_url: mailto:pay@example.org\ndefault_owner_slack: '#pay'\nowner_slack_workspace: govuk\nshow_expiry: false\nenable_search: true\nga_tracking_id: UA-1\nredirects:\n  old.html: support/\n",
    );
    gem_page(
        &site,
        "index.html.md.erb",
        "title: Pay docs\nweight: 1\n",
        "# <%= current_page.data.title %>\n\nWelcome.\n",
    );
    gem_page(
        &site,
        "support/index.html.md.erb",
        "title: Support\nweight: 30\nlast_reviewed_on: 2026-01-01\nreview_in: 3 months\nsource_url: https://github.com/elsewhere/support.md\n",
        "# Support\n\n## Ask us\n\n### By email\n\nText.\n",
    );
    gem_page(
        &site,
        "accessibility/index.html.md.erb",
        "title: Accessibility\nhide_in_navigation: true\nprevent_indexing: true\n",
        "# Accessibility\n",
    );
    gem_page(
        &site,
        "api/index.html.md.erb",
        "title: API\nweight: 20\n",
        "# API\n",
    );
    gem_page(
        &site,
        "api/payments/index.html.md.erb",
        "title: Payments\nweight: 2\n",
        "# Payments\n",
    );
    gem_page(
        &site,
        "api/refunds/index.html.md.erb",
        "title: Refunds\nweight: 1\n",
        "# Refunds\n",
    );
    let run = site.build(&["--today", "2026-11-23"]);
    run.assert_ok().assert_stderr_has(
        "config/tech-docs.yml:25:1: warning[setting-unsupported]: `ga_tracking_id`",
    );

    let support = site.read("build/support/index.html");
    // Header: the logotype, the service link, the header links.
    assert!(support.contains("<a class=\"govuk-header__link govuk-header__link--homepage\" href=\"https://www.example.org/pay\"><span class=\"govuk-header__logotype\">GOV.UK</span> <span class=\"govuk-header__product-name\">Pay docs</span></a>"), "{support}");
    assert!(support.contains("href=\"/support/\" aria-current=\"page\">Support</a>"));
    assert!(
        support
            .contains("<a class=\"govuk-footer__link\" href=\"/accessibility/\">Accessibility</a>")
    );
    assert!(support.contains("govuk-phase-banner__content__tag\">Alpha</strong>"));
    // Meta tags: canonical, Open Graph with the full service name, noindex
    // for the whole site, Google's verification.
    assert!(support.contains("<title>Support - GOV.UK Pay</title>"));
    assert!(
        support.contains("<link rel=\"canonical\" href=\"https://docs.example.org/support/\">")
    );
    assert!(support.contains("<meta property=\"og:site_name\" content=\"GOV.UK Pay\">"));
    assert_eq!(
        support
            .matches("<meta name=\"robots\" content=\"noindex\">")
            .count(),
        1
    );
    assert!(support.contains("<meta name=\"google-site-verification\" content=\"v3r1fy\">"));
    // Contents down to max_toc_heading_level: h2 yes, h3 no.
    assert!(support.contains("toc__item--h2\"><a href=\"#ask-us\">Ask us</a>"));
    assert!(!support.contains("toc__item--h3"));
    // Review: last reviewed shown, no due date or overdue notice (show_expiry).
    assert!(support.contains("Last reviewed on <time datetime=\"2026-01-01\">"));
    assert!(!support.contains("overdue") && !support.contains("Review again"));
    // Owner from default_owner_slack, linked to the workspace.
    assert!(support.contains("<a href=\"https://govuk.slack.com/messages/pay\">#pay</a>"));
    // Contribution banner: the page's own source_url, problems by email.
    assert!(
        support.contains("<a href=\"https://github.com/elsewhere/support.md\">View source</a>")
    );
    assert!(support.contains("href=\"mailto:pay@example.org?body=Problem+with+%27Support%27+%28https%3A%2F%2Fdocs.example.org%2Fsupport%2F%29&amp;subject=Re%3A+%27Support%27\">Report a problem</a>"), "{support}");
    assert!(
        support.contains(
            "<a href=\"https://github.com/alphagov/pay-tech-docs\">GitHub repository</a>"
        )
    );
    let api = site.read("build/api/index.html");
    assert!(api.contains("<a href=\"https://github.com/alphagov/pay-tech-docs/blob/main/source/api/index.html.md.erb\">View source</a>"));
    // The navigation: by weight, a hidden page left out, not collapsible.
    let home = site.read("build/index.html");
    let position = |text: &str| home.find(text).unwrap_or_else(|| panic!("{text} missing"));
    let nav = |url: &str, title: &str| {
        position(&format!("app-nav__item\"><a href=\"{url}\">{title}</a>"))
    };
    assert!(
        position("app-nav__item\"><a href=\"/\" aria-current=\"page\">Pay docs</a>")
            < nav("/api/", "API")
    );
    assert!(nav("/api/", "API") < nav("/api/refunds/", "Refunds"));
    assert!(nav("/api/refunds/", "Refunds") < nav("/api/payments/", "Payments"));
    assert!(nav("/api/payments/", "Payments") < nav("/support/", "Support"));
    assert!(!home.contains("<details"));
    assert!(!home.contains("app-nav__item\"><a href=\"/accessibility/\""));
    // A page's own prevent_indexing.
    let accessibility = site.read("build/accessibility/index.html");
    assert_eq!(accessibility.matches("content=\"noindex\"").count(), 1);
    // The redirect, from the root.
    assert!(site.read("build/old.html").contains("url=/support/"));
    // The search page is where the gem puts it.
    assert!(site.path("build/search/index.html").is_file());
}

#[test]
fn erb_forms_run_before_markdown_and_errors_point_at_their_file_line_and_column() {
    let site = gem_site("service_name: ERB\nmultipage_nav: true\n");
    site.write(
        "source/partials/_links.erb",
        "[guide]: /guide/\n[self]: <%= current_page.url %>\n",
    );
    site.write(
        "source/partials/_note.html.erb",
        "<p class=\"note\"><%= note %></p>\n",
    );
    gem_page(
        &site,
        "guide/index.html.md.erb",
        "title: Guide\nweight: 2\nlayout: core\n",
        "# Guide\n",
    );
    gem_page(
        &site,
        "index.html.md.erb",
        "title: Home\nweight: 1\n",
        "# <%= current_page.data.title %>\n\nSee [the guide][guide] and [this page][self].\n\n<%= partial 'partials/note', locals: { note: \"Read me\" } %>\n\n<% content_for :sidebar do %>\n[Side link](/guide/)\n<% end %>\n\n<% sitemap.resources.select { |r| r.options[:layout] == 'core' }.each do |r| -%>\n- [<%= r.data.title %>](<%= r.url %>)\n<% end -%>\n\n© <%= Time.current.year %>\n\n```\n<%%= partial 'x' %>\n```\n\n<%= partial 'partials/links' %>\n",
    );
    let run = site.build(&["--today", "2031-05-01"]);
    run.assert_ok();
    let home = site.read("build/index.html");
    assert!(
        home.contains("<a href=\"/guide/\">the guide</a> and <a href=\"/\">this page</a>"),
        "{home}"
    );
    assert!(home.contains("<p class=\"note\">Read me</p>"));
    assert!(home.contains("<aside class=\"sidebar\" aria-label=\"More on this page\">\n<p><a href=\"/guide/\">Side link</a></p>"), "{home}");
    assert!(home.contains("<li><a href=\"/guide/\">Guide</a></li>"));
    assert!(home.contains("© 2031"));
    assert!(home.contains("<code>&lt;%= partial 'x' %&gt;"), "{home}");
    assert_no_erb_outside_code(&home, "the home page");

    // A bad link in a partial is reported in the partial, once.
    site.write("source/partials/_links.erb", "[guide]: /gide/\n[self]: /\n");
    let findings = site.check();
    let broken: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "link-broken")
        .collect();
    assert_eq!(broken.len(), 1, "{findings:?}");
    assert_eq!(
        (broken[0].file.as_str(), broken[0].line, broken[0].column),
        ("source/partials/_links.erb", 1, 1)
    );

    // Unsupported Ruby is an error at its place; nothing is published.
    gem_page(
        &site,
        "bad/index.html.md.erb",
        "title: Bad\n",
        "Text\n\n  <%= File.read(\"/etc/passwd\") %>\n",
    );
    let run = site.build(&["--out", "second"]);
    run.assert_failed()
        .assert_stderr_has("source/bad/index.html.md.erb:6:7: error[erb-unsupported]: `File.read` is not a helper this site defines")
        .assert_stderr_has("layouts/helpers/File.read.html");
    assert!(!site.path("second").exists());
    // A partial that is not there names the lookup.
    gem_page(
        &site,
        "bad/index.html.md.erb",
        "title: Bad\n",
        "<%= partial 'nowhere' %>\n",
    );
    site.build(&["--out", "second"])
        .assert_failed()
        .assert_stderr_has(
            "source/bad/index.html.md.erb:4:5: error[erb-partial-missing]: no partial `nowhere`",
        );
}

#[test]
fn folder_pages_publish_at_their_folder_and_links_to_it_resolve() {
    let site = gem_site("service_name: Folders\n");
    gem_page(
        &site,
        "index.html.md.erb",
        "title: Home\n",
        "[a](/a/) [b](/a) [c](/a/index.html) [d](a/#a)\n",
    );
    gem_page(&site, "a/index.html.md.erb", "title: A\n", "# A\n");
    let findings = site.check();
    assert!(findings.is_empty(), "{findings:?}");
    site.build(&[]).assert_ok();
    assert!(site.path("build/a/index.html").is_file());
    let feed = site.read("build/api/pages.json");
    assert!(feed.contains("\"url\": \"/a/\""), "{feed}");
}

/// The messages of `check`'s `link-fragment-missing` findings.
fn missing_fragments(site: &Fixture) -> Vec<String> {
    site.check()
        .into_iter()
        .filter(|f| f.code == "link-fragment-missing")
        .map(|f| f.message)
        .collect()
}

#[test]
fn heading_ids_follow_the_chosen_scheme_everywhere() {
    let body = "## What's new?\n\n## Dogs & cats\n\n### Setup\n\n## Upgrade\n\n### Setup\n\n[a](#what-39-s-new) [b](#whats-new) [c](#upgrade-setup) [d](#setup-1)\n";
    // The gem's scheme is the default with a tech-docs.yml.
    let site = gem_site("service_name: Ids\n");
    gem_page(&site, "index.html.md.erb", "title: Home\n", body);
    let missing = missing_fragments(&site);
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing[0].contains("`whats-new`") && missing[1].contains("`setup-1`"));
    site.build(&["--skip-check"]).assert_ok();
    let html = site.read("build/index.html");
    for id in ["what-39-s-new", "dogs-amp-cats", "setup", "upgrade-setup"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        // The contents list links the same ids.
        if id != "setup" && id != "upgrade-setup" {
            assert!(html.contains(&format!("href=\"#{id}\"")), "{id}");
        }
    }
    // GOV.UK Developer Docs' scheme, by our settings file.
    site.write("site.yml", "heading_ids: govuk-developer-docs\n");
    let missing = missing_fragments(&site);
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing[0].contains("`what-39-s-new`") && missing[1].contains("`upgrade-setup`"));
    // The search index has the page's headings under the same ids.
    site.write(
        "site.yml",
        "heading_ids: govuk-developer-docs\nenable_search: true\n",
    );
    site.build(&["--skip-check", "--out", "two"]).assert_ok();
    let html = site.read("two/index.html");
    assert!(html.contains("id=\"whats-new\"") && html.contains("id=\"setup-1\""));
}

#[test]
fn a_sites_own_erb_layout_wraps_its_pages() {
    let site = gem_site("service_name: Layouts\n");
    site.write(
        "source/layouts/live_support.erb",
        "<% wrap_layout :core do %>\n<div class=\"live\">\n  <%= partial 'layouts/banner' %>\n  <%= yield %>\n</div>\n<% end %>\n",
    );
    site.write(
        "source/layouts/_banner.erb",
        "<p class=\"banner\"><a href=\"/\">Home</a> for <%= current_page.data.title %></p>",
    );
    gem_page(&site, "index.html.md.erb", "title: Home\n", "Hello\n");
    gem_page(
        &site,
        "help/index.html.md.erb",
        "title: Help\nlayout: live_support\n",
        "# Help\n\nText.\n",
    );
    site.build(&[]).assert_ok();
    let help = site.read("build/help/index.html");
    assert!(help.contains("<div class=\"live\">\n  <p class=\"banner\"><a href=\"/\">Home</a> for Help</p>\n  <h1 id=\"help\">Help</h1>\n<p>Text.</p>"), "{help}");
    assert_eq!(help.matches("<h1").count(), 1);
    // Partials and layouts are not pages and are not published.
    assert!(!site.path("build/layouts").exists() && !site.path("build/partials").exists());

    // A layout that never wraps a theme layout says what to do.
    site.write(
        "source/layouts/live_support.erb",
        "<html><%= yield %></html>\n",
    );
    site.build(&["--out", "two"])
        .assert_failed()
        .assert_stderr_has("source/layouts/live_support.erb:1:1: error[erb-unsupported]: the layout `live_support` writes a whole page of its own");

    // A layout that never writes the page is valid, as in Middleman: what
    // it writes stands in for the page's text (a withdrawn page).
    site.write(
        "source/layouts/live_support.erb",
        "<% wrap_layout :core do %>\n<p class=\"withdrawn\">This page has been withdrawn.</p>\n<% end %>\n",
    );
    site.build(&["--out", "three"]).assert_ok();
    let help = site.read("three/help/index.html");
    assert!(
        help.contains("<p class=\"withdrawn\">This page has been withdrawn.</p>"),
        "{help}"
    );
    assert!(!help.contains("<p>Text.</p>"), "{help}");
}

#[test]
fn the_govuk_sample_checks_with_its_own_tech_docs_yml_and_a_small_file_of_ours() {
    // See tests/it/corpus.rs for the whole report; here, the settings it reads.
    let root = common::shared_corpus("govuk-manual");
    let fixture = Fixture::new();
    fixture.write(
        "ours.yml",
        "heading_ids: govuk-developer-docs\nhelpers:\n  RunRakeTask.links: \"[Run {{ args[1] }}](https://deploy.example.org/{{ args[0] }})\"\n",
    );
    let ours = fixture.path("ours.yml");
    let run = manual_in(
        &root,
        &[
            "check",
            "--format",
            "json",
            "--config",
            ours.to_str().unwrap(),
        ],
    );
    // Its own redirects and host are read from tech-docs.yml: a redirect
    // there is reported there, and links to its own host are checked.
    let findings = run.findings();
    assert!(
        findings
            .iter()
            .any(|f| f.file == "tech-docs.yml" && f.code == "redirect-target-missing")
    );
    assert!(
        !findings.iter().any(|f| f.code.starts_with("erb-")),
        "{findings:?}"
    );
}

#[test]
fn show_review_banner_false_leaves_the_review_box_out() {
    let site = gem_site("service_name: Reviews\n");
    gem_page(
        &site,
        "index.html.md.erb",
        "title: Home\nlast_reviewed_on: 2020-01-01\nreview_in: 1 year\n",
        "Text.\n",
    );
    site.build(&["--skip-check"]).assert_ok();
    assert!(
        site.read("build/index.html")
            .contains("This page is overdue for review.")
    );
    site.write("site.yml", "show_review_banner: false\n");
    site.build(&["--skip-check", "--out", "two"]).assert_ok();
    let html = site.read("two/index.html");
    assert!(!html.contains("class=\"review"), "{html}");
    // The review feed still has the date: the notifier needs it.
    assert!(
        site.read("two/api/pages.json")
            .contains("\"review_by\": \"2021-01-01\"")
    );
}

/// What real gem sites hold that stopped them building or checked them
/// falsely: the current gem's settings, a page-not-found page of their
/// own, `<a name>` link targets, and a layout's test on a page's missing
/// layout (`.eql?` on nil, false in Ruby).
#[test]
fn a_current_gem_site_builds_as_it_is() {
    let site = gem_site(
        "service_name: Current\nenable_anchored_headings: true\nga4_gtm_tracking_id: GTM-XXXX\n",
    );
    gem_page(
        &site,
        "index.html.md.erb",
        "title: Home\n",
        "<a name=\"old-anchor\"></a>\n\nSee [the old anchor](#old-anchor).\n\n<%= current_page.data.nope.eql? \"withdrawn\" %>\n",
    );
    gem_page(
        &site,
        "404.html.md.erb",
        "title: Page not found\n",
        "Our own words for a missing page.\n",
    );
    let findings = site.check();
    let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        ["setting-unsupported", "setting-unsupported"],
        "{findings:#?}"
    );
    site.build(&[]).assert_ok();
    assert!(
        site.read("build/404.html")
            .contains("Our own words for a missing page.")
    );
    assert!(site.read("build/index.html").contains("<p>false</p>"));
}

/// `config.rb` read as data: its redirects are published, its
/// `report_issue_url` is where "Report a problem" goes, and each statement
/// not acted on is a warning at its line; no Ruby runs.
#[test]
fn config_rb_redirects_and_report_issue_url_are_honoured_and_the_rest_named() {
    let site = gem_site(
        "service_name: Config\nshow_contribution_banner: true\ngithub_repo: example/docs\n",
    );
    site.write(
        "config.rb",
        "require 'govuk_tech_docs'\nGovukTechDocs.configure(self)\nredirect \"/old.html\", to: \"/index.html\"\nactivate :relative_assets\nactivate :livereload\nmodule SourceUrls\n  def report_issue_url\n    \"https://support.example.org/docs\"\n  end\nend\n",
    );
    gem_page(&site, "index.html.md.erb", "title: Home\n", "Hello\n");
    let findings = site.check();
    let found: Vec<(&str, &str, u64)> = findings
        .iter()
        .map(|f| (f.code.as_str(), f.file.as_str(), f.line))
        .collect();
    assert_eq!(
        found,
        [("config-rb-ignored", "config.rb", 5)],
        "{findings:#?}"
    );
    site.build(&[]).assert_ok();
    assert!(site.read("build/old.html").contains("url=/\""));
    assert!(
        site.read("build/index.html")
            .contains("https://support.example.org/docs"),
        "Report a problem goes to the team's own address"
    );
}

/// As in the gem, a page without `title` is published under its first
/// heading; a site that wants titles can still require them.
#[test]
fn a_gem_page_without_a_title_takes_its_first_heading() {
    let site = gem_site("service_name: Titles\n");
    gem_page(&site, "index.html.md.erb", "title: Home\n", "Hello\n");
    gem_page(
        &site,
        "setup.html.md",
        "weight: 2\n",
        "# Set up the service\n\nText.\n",
    );
    assert_eq!(site.check(), vec![]);
    site.build(&[]).assert_ok();
    assert!(
        site.read("build/setup.html")
            .contains("<title>Set up the service")
    );
    site.write("site.yml", "required_front_matter: [title]\n");
    let codes: Vec<String> = site.check().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["title-missing"]);
}

/// The gem's markdown (Redcarpet) takes `##Heading` as a heading; on a
/// tech-docs site it is one here too, at its line, with the gem's id, and
/// not reported as a broken heading. A manual of our own keeps CommonMark.
#[test]
fn a_heading_without_a_space_is_a_heading_on_a_gem_site() {
    let site = gem_site("service_name: Redcarpet\n");
    gem_page(
        &site,
        "index.html.md.erb",
        "title: Home\n",
        "##Set up\n\nText and [the set-up steps](#set-up).\n\n#channel is not a heading\n",
    );
    // `#channel` stays text here (it reads as a Slack channel) where the
    // gem makes it a heading: said, at its line, not silently different.
    let findings = site.check();
    let found: Vec<(&str, u64)> = findings.iter().map(|f| (f.code.as_str(), f.line)).collect();
    assert_eq!(found, [("markdown-dialect", 8)], "{findings:#?}");
    assert!(
        findings[0].message.contains("Slack channel"),
        "{findings:#?}"
    );
    site.build(&[]).assert_ok();
    let html = site.read("build/index.html");
    assert!(html.contains("<h2 id=\"set-up\">"), "{html}");
    assert!(html.contains("<p>#channel is not a heading</p>"), "{html}");
    let ours = Fixture::new();
    ours.page("a", "A page", "Ops", "##Set up\n");
    let codes: Vec<String> = ours.check().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["lint-heading-space"]);
}

/// config.rb's layouts, as Middleman applies them: a page's own `layout:`
/// first, then the last `page` rule whose glob matches its address, then
/// `set :layout`.
#[test]
fn config_rb_layouts_are_applied_as_middleman_applies_them() {
    let site = gem_site("service_name: Layouts\n");
    site.write(
        "config.rb",
        "set :layout, :banner\npage \"/old/*\", layout: :withdrawn\n",
    );
    site.write(
        "source/layouts/banner.erb",
        "<% wrap_layout :core do %>\n<p class=\"banner\">Live service</p>\n<%= yield %>\n<% end %>\n",
    );
    site.write(
        "source/layouts/withdrawn.erb",
        "<% wrap_layout :core do %>\n<p class=\"withdrawn\">Withdrawn.</p>\n<% end %>\n",
    );
    gem_page(&site, "index.html.md.erb", "title: Home\n", "Hello\n");
    gem_page(
        &site,
        "old/thing.html.md",
        "title: Old thing\n",
        "Old words.\n",
    );
    gem_page(
        &site,
        "own.html.md",
        "title: Own\nlayout: core\n",
        "Own words.\n",
    );
    site.build(&[]).assert_ok();
    assert!(
        site.read("build/index.html")
            .contains("<p class=\"banner\">Live service</p>")
    );
    let old = site.read("build/old/thing.html");
    assert!(
        old.contains("<p class=\"withdrawn\">Withdrawn.</p>"),
        "{old}"
    );
    assert!(
        !old.contains("Old words.") && !old.contains("Live service"),
        "{old}"
    );
    let own = site.read("build/own.html");
    assert!(
        own.contains("Own words.") && !own.contains("Live service"),
        "{own}"
    );
    assert_eq!(site.check(), vec![]);
}

/// On a tech-docs site `parent` only marks the header link with that
/// address, as the gem does; it may name another site. A manual of our own
/// keeps it a page of the site.
#[test]
fn a_gem_pages_parent_marks_its_header_link_and_may_name_another_site() {
    let site = gem_site(
        "service_name: Parents\nheader_links:\n  Guides: /guides.html\n  Platform: https://platform.example.org/docs/\n",
    );
    gem_page(&site, "index.html.md.erb", "title: Home\n", "Hello\n");
    gem_page(&site, "guides.html.md", "title: Guides\n", "All guides.\n");
    gem_page(
        &site,
        "deploy.html.md",
        "title: Deploy\nparent: https://platform.example.org/docs/\n",
        "Text.\n",
    );
    gem_page(
        &site,
        "setup.html.md",
        "title: Set up\nparent: /guides.html\n",
        "Text.\n",
    );
    assert_eq!(site.check(), vec![]);
    site.build(&[]).assert_ok();
    let active = |page: &str| -> Vec<String> {
        site.read(page)
            .split(
                "govuk-header__navigation-item--active\"><a class=\"govuk-header__link\" href=\"",
            )
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].to_string())
            .collect()
    };
    assert_eq!(
        active("build/deploy.html"),
        ["https://platform.example.org/docs/"]
    );
    assert_eq!(active("build/setup.html"), ["/guides.html"]);
    assert_eq!(active("build/guides.html"), ["/guides.html"]);
    assert!(active("build/index.html").is_empty());
    // Not on a manual of our own.
    let ours = Fixture::new();
    ours.page("deploy", "Deploy", "Ops", "Text.\n");
    ours.write(
        "source/manual/deploy.html.md",
        "---\ntitle: Deploy\nowner_slack: \"#team\"\nsection: Ops\nparent: https://platform.example.org/docs/\n---\nText.\n",
    );
    let codes: Vec<String> = ours.check().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["parent-missing"]);
}

/// A site whose gem settings are `config/tech-docs.yml.erb` is a tech-docs
/// site: its environment reads see only the variables named with `--env`
/// (reading another is an error naming it and the flag), and other Ruby
/// there is an error at its line.
#[test]
fn tech_docs_yml_erb_is_read_with_the_values_given_and_nothing_else() {
    let site = Fixture::new();
    site.write(
        "config/tech-docs.yml.erb",
        "service_name: <%= ENV.fetch('SERVICE', 'Payments docs') %>\nhost: <%= ENV['DOCS_HOST'] || 'https://docs.example.org' %>\nheader_links:\n  Home: /\n",
    );
    gem_page(
        &site,
        "index.html.md",
        "title: Home\n",
        "## Get started now\n\n[Up](#get-started-now)\n",
    );
    // Not named: an error that says which variable and how to allow it.
    let findings = site.run("check", &["--format", "json"]).findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        (
            findings[0].code.as_str(),
            findings[0].file.as_str(),
            findings[0].line
        ),
        ("settings-invalid", "config/tech-docs.yml.erb", 1)
    );
    assert!(
        findings[0].message.contains("SERVICE") && findings[0].message.contains("--env SERVICE")
    );
    // Named but not set: nil, so the defaults.
    let named = ["--env", "SERVICE", "--env", "DOCS_HOST"];
    let built = site.run("build", &named);
    assert!(built.success(), "{}", built.stderr());
    let home = site.read("build/index.html");
    assert!(home.contains("Payments docs"), "{home}");
    assert!(
        home.contains("https://docs.example.org/"),
        "the host from the default"
    );
    // The gem's heading ids: a tech-docs site.
    assert!(home.contains("id=\"get-started-now\""));
    let given = site.run(
        "build",
        &[
            "--env",
            "SERVICE",
            "--env",
            "DOCS_HOST=https://staging.example.org",
            "--out",
            "staging",
        ],
    );
    assert!(given.success(), "{}", given.stderr());
    assert!(
        site.read("staging/index.html")
            .contains("https://staging.example.org/")
    );

    site.write(
        "config/tech-docs.yml.erb",
        "service_name: Docs\nhost: <%= File.read('/etc/hostname') %>\n",
    );
    let refused = site.run("check", &["--format", "json"]);
    let findings = refused.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        (
            findings[0].code.as_str(),
            findings[0].file.as_str(),
            findings[0].line
        ),
        ("settings-invalid", "config/tech-docs.yml.erb", 2)
    );
}

/// As the gem's Redcarpet with SmartyPants: quotes, dashes and ellipses are
/// typographic on a tech-docs site, its heading ids made from the text as
/// written; `#content`, which the gem's layout writes, is a link target.
#[test]
fn a_gem_site_gets_smartypants_and_the_gems_content_id() {
    let site = gem_site("service_name: Typography\n");
    gem_page(
        &site,
        "index.html.md",
        "title: Home\n",
        "## The \"review_in\" key's use\n\nIt's \"ready\" -- mostly... and `don't` stays.\n\n[Skip to the text](#content)\n",
    );
    assert_eq!(site.check(), vec![]);
    site.build(&[]).assert_ok();
    let home = site.read("build/index.html");
    assert!(
        home.contains("It\u{2019}s \u{201C}ready\u{201D} \u{2013} mostly\u{2026}"),
        "{home}"
    );
    assert!(home.contains("<code>don't</code>"));
    assert!(
        home.contains("id=\"the-quot-review-in-quot-key-39-s-use\""),
        "{home}"
    );
    // A manual of our own keeps the quotes as typed.
    let ours = Fixture::new();
    ours.page("a", "A page", "Ops", "It's \"ready\".\n");
    ours.build(&[]).assert_ok();
    assert!(ours.read("build/manual/a.html").contains("It's \"ready\"."));
}

/// The gem's row headers: a body cell starting with `#` is a
/// `<th scope="row">`, as its renderer makes it; columns keep their
/// alignment. A manual of our own keeps the cell as written.
#[test]
fn a_gem_table_cell_starting_with_a_hash_is_a_row_header() {
    let table = "| City | Population | Age |\n|---|--:|:-:|\n| # Some city | 38000 | 48 |\n| Plain | 1 | 2 |\n| # `hosts` | 500 | x |\n";
    let site = gem_site("service_name: Tables\n");
    gem_page(&site, "index.html.md", "title: Home\n", table);
    site.build(&[]).assert_ok();
    let home = site.read("build/index.html");
    assert!(
        home.contains("<tr><th scope=\"row\">Some city</th><td style=\"text-align: right\">38000</td><td style=\"text-align: center\">48</td></tr>"),
        "{home}"
    );
    assert!(home.contains("<tr><td>Plain</td>"));
    assert!(home.contains("<th scope=\"row\"><code>hosts</code></th>"));
    let ours = Fixture::new();
    ours.page("a", "A page", "Ops", table);
    ours.build(&[]).assert_ok();
    assert!(
        ours.read("build/manual/a.html")
            .contains("<td># Some city</td>")
    );
}

/// The current gem names a leaf of its navigation tree by the page's
/// level-1 heading, and a page with pages below it by its title.
#[test]
fn a_gem_navigation_tree_names_pages_as_the_current_gem_does() {
    let site = gem_site("service_name: Nav\nmultipage_nav: true\n");
    gem_page(
        &site,
        "index.html.md",
        "title: Home\n",
        "# Welcome\n\nHello.\n",
    );
    gem_page(
        &site,
        "setup.html.md",
        "title: Set up (front matter)\nweight: 1\n",
        "# Set up the service\n\nText.\n",
    );
    gem_page(
        &site,
        "guides.html.md",
        "title: All the guides\nweight: 2\n",
        "# Guides heading\n\nText.\n",
    );
    gem_page(
        &site,
        "guides/one.html.md",
        "title: One\n",
        "# The first guide\n\nText.\n",
    );
    site.build(&[]).assert_ok();
    let page = site.read("build/setup.html");
    let nav = &page[page.find("app-nav").expect("the navigation tree")..];
    assert!(nav.contains(">Set up the service</a>"), "{nav}");
    assert!(nav.contains(">All the guides</a>"), "{nav}");
    assert!(nav.contains(">The first guide</a>"), "{nav}");
    assert!(!nav.contains(">Set up (front matter)</a>"), "{nav}");
}

/// `layout: false`, in front matter or in a config.rb `page` rule, writes
/// the page's own HTML and nothing around it, as Middleman does; the
/// page is still checked and linked like any other.
#[test]
fn a_page_with_layout_false_is_its_own_html_alone() {
    let site = gem_site("service_name: Bare\n");
    site.write("config.rb", "page \"/feed.html\", layout: false\n");
    gem_page(
        &site,
        "index.html.md",
        "title: Home\n",
        "[Raw](/raw.html)\n",
    );
    gem_page(
        &site,
        "raw.html.md",
        "title: Raw\nlayout: false\n",
        "# Raw\n\nJust *this*.\n",
    );
    gem_page(&site, "feed.html.md", "title: Feed\n", "Items.\n");
    let run = site.build(&[]);
    run.assert_ok();
    assert!(
        !run.stderr().contains("config-rb-ignored"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        site.read("build/raw.html"),
        "<h1 id=\"raw\">Raw</h1>\n<p>Just <em>this</em>.</p>\n"
    );
    assert_eq!(site.read("build/feed.html"), "<p>Items.</p>\n");
    assert!(site.read("build/index.html").contains("<html"));
}
