//! Bad input: each case gets a clear message naming the file and line, the
//! build never panics, and a failed build leaves the previous site in place.

use crate::common;

use common::{Fixture, snapshot_tree};

/// A site that builds, built once, so each test can check that a failed
/// build leaves that output untouched.
fn built_site() -> (Fixture, Vec<(String, Vec<u8>)>) {
    let site = Fixture::new();
    site.page("good", "Good", "Ops", "## Fine\n");
    site.build(&[]).assert_ok();
    let before = snapshot_tree(&site.path("build"));
    (site, before)
}

/// Breaks the site with `file`, expects a build that fails on the site's
/// problems (exit 1) with a report that holds every string in `expected`,
/// and checks that `build/` was not touched and no staging folder was left
/// behind.
fn assert_rejected(relative: &str, contents: &[u8], expected: &[&str]) {
    assert_rejected_with(1, relative, contents, expected);
}

/// As `assert_rejected`, with the exit status expected: 2 when the build
/// could not run at all (broken settings).
fn assert_rejected_with(status: i32, relative: &str, contents: &[u8], expected: &[&str]) {
    let (site, before) = built_site();
    site.write(relative, contents);
    let run = site.build(&[]);
    assert_eq!(run.0.status.code(), Some(status), "{}", run.stderr());
    for needle in expected {
        run.assert_stderr_has(needle);
    }
    run.assert_stderr_has("left unchanged");
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
    assert!(
        before == snapshot_tree(&site.path("build")),
        "build/ changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // No staging folder is left, and no cache is kept in the project.
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn unterminated_front_matter() {
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\ntitle: Bad\nsection: S\n\n# Body\n",
        &[
            "source/manual/bad.html.md:1:1: error[front-matter-unterminated]",
            "help: add a line containing only `---`",
        ],
    );
}

#[test]
fn invalid_yaml() {
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\ntitle: Bad\nsection: [unclosed\nowner_slack: x\n---\n",
        &["source/manual/bad.html.md:4:", "error[front-matter-yaml]"],
    );
}

#[test]
fn front_matter_that_is_not_a_mapping() {
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\n- title\n- section\n---\n",
        &[
            "source/manual/bad.html.md:2:1: error[front-matter-not-mapping]",
            "found a list",
        ],
    );
}

#[test]
fn wrong_type_for_a_known_key() {
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\nsection: S\ntitle: [a, b]\n---\n",
        &[
            "source/manual/bad.html.md:3:1: error[front-matter-type]: front matter key `title`: expected a single text value, found a list",
            "3 | title: [a, b]",
        ],
    );
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\ntitle: T\nimportant: very\n---\n",
        &[
            "bad.html.md:3:1: error[front-matter-type]",
            "write `important: true`",
        ],
    );
}

#[test]
fn non_utf8_bytes() {
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\ntitle: Caf\xE9\n---\n",
        &[
            "source/manual/bad.html.md:2:11: error[source-not-utf8]",
            "byte 0xE9",
            "save the file with UTF-8",
        ],
    );
}

#[test]
fn two_sources_for_one_url() {
    assert_rejected(
        "source/manual/good.md",
        b"---\ntitle: Also good\n---\n",
        &[
            "error[url-conflict]",
            "/manual/good.html",
            "good.html.md",
            "rename or remove one of them",
        ],
    );
}

#[test]
fn a_page_where_the_manual_index_goes() {
    assert_rejected(
        "source/manual.html.md",
        b"# Mine\n",
        &["error[url-conflict]", "/manual.html"],
    );
}

#[test]
fn unknown_layout_names_the_page_line_and_known_layouts() {
    assert_rejected(
        "source/manual/bad.html.md",
        b"---\ntitle: T\nsection: S\nlayout: fancy\n---\n",
        &[
            "source/manual/bad.html.md:4:1: error[layout-unknown]: unknown layout `fancy`",
            "use one of the layouts that exist: bare, core, home, layout, manual_index, manual_layout, not_found, page, print, redirect",
        ],
    );
}

#[test]
fn unreadable_file() {
    let (site, before) = built_site();
    // A link to nothing cannot be read, whoever runs the test (root reads
    // files whatever their permissions).
    std::os::unix::fs::symlink(
        site.path("nowhere.md"),
        site.path("source/manual/gone.html.md"),
    )
    .unwrap();
    let run = site.build(&[]);
    run.assert_failed()
        .assert_stderr_has("source/manual/gone.html.md: error[source-unreadable]")
        .assert_stderr_has("No such file");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn unknown_settings_keys_are_all_reported_with_the_nearest_known_one() {
    assert_rejected_with(
        2,
        "source/site.yml",
        b"service_name: X\nhots: example.org\nenable_serch: true\n",
        &[
            "source/site.yml:2:1: error[settings-invalid]",
            "unknown key `hots`",
            "did you mean `host`?",
            "source/site.yml:3:1: error[settings-invalid]",
            "did you mean `enable_search`?",
        ],
    );
}

#[test]
fn missing_config_given_by_name() {
    let (site, before) = built_site();
    let run = site.build(&["--config", "nope.yml"]);
    run.assert_could_not_run()
        .assert_stderr_has("nope.yml: error[settings-unreadable]");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn template_error_names_the_template_and_line() {
    let (site, before) = built_site();
    let layouts = site.copy_layouts();
    site.write("layouts/manual_layout.html", "{% extends \"_base.html\" %}\n{% block body %}\n{{ page.title | no_such_filter }}\n{% endblock body %}\n");
    let run = site.build(&["--layouts", layouts.to_str().unwrap()]);
    run.assert_could_not_run()
        .assert_stderr_has("manual_layout.html:3:")
        .assert_stderr_has("error[template]");
    assert!(before == snapshot_tree(&site.path("build")));

    site.write("layouts/manual_layout.html", "{% block body %}\n{% if %}\n");
    let run = site.build(&["--layouts", layouts.to_str().unwrap()]);
    run.assert_could_not_run()
        .assert_stderr_has("manual_layout.html:2:")
        .assert_stderr_has("error[template]");
}

#[test]
fn output_folder_that_holds_the_source_is_refused() {
    let (site, _) = built_site();
    let run = site.build(&["--out", "."]);
    run.assert_could_not_run()
        .assert_stderr_has("error[output-overlaps-input]");
    assert!(
        site.path("source/manual/good.html.md").exists(),
        "source was deleted"
    );
}

#[test]
fn output_path_that_is_a_file_is_refused() {
    let (site, _) = built_site();
    site.write("taken", "a file");
    site.build(&["--out", "taken"])
        .assert_could_not_run()
        .assert_stderr_has("error[write-failed]");
    assert_eq!(site.read("taken"), "a file");
}

// Inputs that are accepted, with a warning where the author should act.
// These pages lack what `check` requires (owners, sections), so they are
// built with `--skip-check`; tests/it/check.rs covers those rules.

#[test]
fn duplicate_keys_last_wins_with_a_warning() {
    let site = Fixture::new();
    site.write(
        "source/manual/d.html.md",
        "---\ntitle: First\nsection: S\ntitle: Second\n---\n",
    );
    let run = site.build(&["--skip-check"]);
    run.assert_ok().assert_stderr_has(
        "source/manual/d.html.md:4:1: warning[front-matter-duplicate-key]: `title` is set twice (first on line 2); the last value is used",
    );
    assert!(
        site.read("build/manual/d.html")
            .contains("<h1 class=\"page-title\">Second</h1>")
    );
}

#[test]
fn byte_order_mark_and_crlf_are_accepted() {
    let site = Fixture::new();
    site.write(
        "source/manual/w.html.md",
        b"\xEF\xBB\xBF---\r\ntitle: Windows page\r\nsection: S\r\n---\r\n## Heading\r\n\r\nText\r\n",
    );
    let run = site.build(&["--skip-check"]);
    run.assert_ok();
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    let html = site.read("build/manual/w.html");
    assert!(
        html.contains("<h1 class=\"page-title\">Windows page</h1>"),
        "front matter was read"
    );
    assert!(html.contains(
        r##"<h2 id="heading"><a class="heading-link" href="#heading">Heading</a></h2>"##
    ));
    assert!(!html.contains('\r') && !html.contains('\u{FEFF}'));
}

#[test]
fn empty_file_builds_with_a_warning() {
    let site = Fixture::new();
    site.write("source/manual/empty-page.html.md", "");
    let run = site.build(&["--skip-check"]);
    run.assert_ok()
        .assert_stderr_has("source/manual/empty-page.html.md: warning[page-empty]");
    assert!(
        site.read("build/manual/empty-page.html")
            .contains("<h1 class=\"page-title\">Empty page</h1>")
    );
}

#[test]
fn an_erb_helper_the_site_does_not_define_stops_the_build_at_its_place() {
    let site = Fixture::new();
    site.write(
        "source/manual/tasks.html.md.erb",
        "---\ntitle: Tasks\nsection: S\n---\nRun this:\n\n<%= RunRakeTask.links(\"app\", \"task\") %>\n",
    );
    site.write("source/layout.html.erb", "<%= yield %>");
    let run = site.build(&["--skip-check"]);
    run.assert_failed()
        .assert_stderr_has("source/manual/tasks.html.md.erb:7:5: error[erb-unsupported]")
        .assert_stderr_has("layouts/helpers/RunRakeTask.links.html")
        .assert_stderr_has("source/layout.html.erb: warning[erb-skipped]");
    assert!(!site.path("build").exists());

    // One template defines the helper for every page that calls it.
    site.write(
        "layouts/helpers/RunRakeTask.links.html",
        "[Run `{{ args[1] }}` on {{ args[0] }}](https://deploy.example.org/{{ args[0] }})",
    );
    site.build(&["--skip-check"]).assert_ok();
    let html = site.read("build/manual/tasks.html");
    assert!(
        html.contains(
            r#"<a href="https://deploy.example.org/app">Run <code>task</code> on app</a>"#
        ),
        "{html}"
    );
    assert!(!html.contains("&lt;%"), "{html}");
    assert!(!site.path("build/layout.html.erb").exists());
}

#[test]
fn all_errors_are_reported_together() {
    let (site, _) = built_site();
    site.write("source/manual/a.html.md", "---\ntitle: [x]\n---\n");
    site.write("source/manual/b.html.md", "---\ntitle: ok\n");
    site.write(
        "source/manual/c.html.md",
        "---\ntitle: ok\nlayout: nope\n---\n",
    );
    let run = site.build(&["--skip-check"]);
    run.assert_failed()
        .assert_stderr_has("a.html.md:2:1: error[front-matter-type]")
        .assert_stderr_has("b.html.md:1:1: error[front-matter-unterminated]")
        .assert_stderr_has("c.html.md:3:1: error[layout-unknown]")
        .assert_stderr_has("3 error(s)");
}
