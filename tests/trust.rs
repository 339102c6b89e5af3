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
        run.assert_failed()
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
            .assert_failed()
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
    run.assert_failed()
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
         {bin} build --layouts {layouts} --out out; \
         {bin} build --layouts {layouts} --out out; \
         ls -A out; stat -c %m out",
        marker = ".manual-site",
        bin = env!("CARGO_BIN_EXE_manual"),
        layouts = common::repo_layouts().display(),
    );
    let output = std::process::Command::new("unshare")
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
