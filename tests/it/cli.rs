//! `manual` as a tool people install: `init` in an empty folder, the
//! built-in theme and overriding it, completions, colour, and one exit-code
//! contract for every command.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Fixture, Server};

/// `manual ARGS` in `dir`, with the environment given.
fn manual(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = common::manual();
    command
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn init_makes_a_manual_that_builds_checks_and_serves_with_no_problem() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("handbook");
    let init = manual(dir.path(), &["init", "handbook"], &[]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    for file in ["site.yml", "source/manual/first-page.html.md", ".gitignore"] {
        assert!(project.join(file).is_file(), "{file} was not written");
    }
    // The settings show every key; the first page every front matter key.
    let settings = std::fs::read_to_string(project.join("site.yml")).unwrap();
    // Every key the settings have, as they serialize (so a key added to
    // them and not to the starter fails here).
    let keys = serde_json::to_value(manual::settings::Settings::defaults()).unwrap();
    for key in keys.as_object().unwrap().keys() {
        assert!(
            settings.contains(&format!("{key}:")),
            "site.yml lacks {key}"
        );
    }
    let page = std::fs::read_to_string(project.join("source/manual/first-page.html.md")).unwrap();
    for key in [
        "title",
        "owner_slack",
        "section",
        "parent",
        "description",
        "layout",
        "type",
        "important",
        "last_reviewed_on",
        "review_in",
        "review_by",
        "related_repos",
        "old_paths",
        "weight",
        "hide_in_navigation",
        "prevent_indexing",
        "source_url",
    ] {
        assert!(
            page.contains(&format!("{key}:")),
            "the first page lacks {key}"
        );
    }

    let check = manual(
        &project,
        &["check", "--format", "json", "--deny", "warnings"],
        &[],
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    assert_eq!(text(&check.stdout), "", "no finding at all");
    let build = manual(&project, &["build"], &[]);
    assert_eq!(build.status.code(), Some(0), "{}", text(&build.stderr));
    assert!(project.join("build/manual/first-page.html").is_file());
    assert!(
        project.join("build/assets/manual.css").is_file(),
        "the built-in theme's assets"
    );
    // From elsewhere, with -C.
    let elsewhere = manual(dir.path(), &["-C", "handbook", "check"], &[]);
    assert_eq!(
        elsewhere.status.code(),
        Some(0),
        "{}",
        text(&elsewhere.stderr)
    );

    // serve, in the same folder.
    let site = Fixture {
        dir: tempfile::TempDir::new_in(dir.path()).unwrap(),
    };
    let again = manual(site.dir.path(), &["init"], &[]);
    assert!(again.status.success());
    let server = Server::start(&site, None);
    assert_eq!(server.get("/manual/first-page.html").0, 200);
    assert_eq!(server.state()["problems"], serde_json::json!([]));

    // A second init replaces nothing without --force.
    std::fs::write(project.join("site.yml"), "service_name: Mine\n").unwrap();
    let refused = manual(dir.path(), &["init", "handbook"], &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(project.join("site.yml")).unwrap(),
        "service_name: Mine\n"
    );
    let forced = manual(dir.path(), &["init", "handbook", "--force"], &[]);
    assert!(forced.status.success());
    assert_ne!(
        std::fs::read_to_string(project.join("site.yml")).unwrap(),
        "service_name: Mine\n"
    );
}

#[test]
fn a_site_overrides_the_built_in_theme_template_by_template_and_asset_by_asset() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    site.write(
        "layouts/manual_layout.html",
        "{% extends \"_base.html\" %}{% block body %}<main id=\"main-content\"><h1 class=\"mine\">{{ page.title }}</h1>{{ content | safe }}</main>{% endblock body %}",
    );
    site.write(
        "layouts/assets/manual.css",
        "body { color: rebeccapurple; }\n",
    );
    site.build(&[]).assert_ok();
    let page = site.read("build/manual/a.html");
    assert!(page.contains("<h1 class=\"mine\">Page A</h1>"), "{page}");
    // The base template, other layouts and other assets are built in.
    assert!(page.contains("class=\"skip-link\""), "{page}");
    assert!(
        site.read("build/manual.html")
            .contains("<h1 class=\"page-title\">Manual</h1>")
    );
    assert_eq!(
        site.read("build/assets/manual.css"),
        "body { color: rebeccapurple; }\n"
    );
    assert!(site.path("build/assets/search.js").is_file());
}

#[test]
fn the_exported_theme_is_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let export = manual(dir.path(), &["theme", "export", "mine"], &[]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    let exported = common::snapshot_tree(&dir.path().join("mine"));
    let repository = common::snapshot_tree(&common::repo_theme());
    assert!(!exported.is_empty());
    assert!(exported == repository, "the export differs from theme/");
    // Exporting again keeps what is there unless --force.
    std::fs::write(dir.path().join("mine/page.html"), "changed").unwrap();
    manual(dir.path(), &["theme", "export", "mine"], &[]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine/page.html")).unwrap(),
        "changed"
    );
    manual(dir.path(), &["theme", "export", "mine", "--force"], &[]);
    assert_ne!(
        std::fs::read_to_string(dir.path().join("mine/page.html")).unwrap(),
        "changed"
    );
    // A site with the whole exported theme as its layouts builds the same
    // pages as one with none.
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    site.build(&["--out", "plain"]).assert_ok();
    let layouts = site.copy_layouts();
    site.build(&["--out", "exported", "--layouts", layouts.to_str().unwrap()])
        .assert_ok();
    assert!(
        common::snapshot_tree(&site.path("plain")) == common::snapshot_tree(&site.path("exported"))
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = manual(dir.path(), &["completions", shell], &[]);
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        for word in [
            "build",
            "check",
            "serve",
            "init",
            "skip-check",
            "deny",
            "allow-host",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let unknown = manual(dir.path(), &["completions", "cmd.exe"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn colour_follows_the_terminal_no_color_and_clicolor_force() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "[gone](/manual/gone.html)\n");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check"];
        all.extend(args);
        text(&manual(site.path("").as_path(), &all, env).stderr)
    };
    let escape = '\u{1b}';
    // Not a terminal: plain, unless forced.
    assert!(!run(&[], &[]).contains(escape));
    assert!(run(&[], &[("CLICOLOR_FORCE", "1")]).contains(escape));
    // NO_COLOR wins over CLICOLOR_FORCE; --color wins over both.
    assert!(!run(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(escape));
    assert!(run(&["--color", "always"], &[("NO_COLOR", "1")]).contains(escape));
    assert!(!run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(escape));
    // The words are the same either way.
    let plain = run(&[], &[]);
    assert!(
        plain.contains("source/manual/a.html.md:7:1: error[link-broken]"),
        "{plain}"
    );
}

#[test]
fn quiet_prints_errors_only_and_verbose_the_stages() {
    let site = Fixture::new();
    site.page(
        "a",
        "Page A",
        "Ops",
        "[gone](/manual/gone.html)\n\n[unused]: /manual/a.html\n",
    );
    let quiet = site.run("check", &["-q"]);
    assert!(quiet.stderr().contains("error[link-broken]"));
    assert!(!quiet.stderr().contains("warning["), "{}", quiet.stderr());
    assert!(!quiet.stderr().contains("Checked"), "{}", quiet.stderr());
    let verbose = site.run("check", &["-v"]);
    for stage in ["read and parse", "site graph", "check"] {
        assert!(verbose.stderr().contains(stage), "{}", verbose.stderr());
    }
    site.page("a", "Page A", "Ops", "Fine.\n");
    let built = site.build(&["-q"]);
    built.assert_ok();
    assert_eq!(built.stderr(), "", "a clean quiet build says nothing");
}

#[test]
fn every_command_keeps_one_exit_code_contract() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Fine.\n");
    let code = |run: common::Run| run.0.status.code();
    // 0: done, no problems.
    assert_eq!(code(site.run("check", &[])), Some(0));
    assert_eq!(code(site.run("owners", &[])), Some(0));
    assert_eq!(code(site.build(&[])), Some(0));
    // 1: problems found.
    site.page("b", "Page B", "Ops", "[gone](/manual/gone.html)\n");
    assert_eq!(code(site.run("check", &[])), Some(1));
    assert_eq!(code(site.build(&[])), Some(1));
    site.page(
        "b",
        "Page B",
        "Ops",
        "[later](/manual/later.html)\n\n[x]: /manual/a.html\n",
    );
    site.page("later", "Later", "Ops", "");
    assert_eq!(
        code(site.run("check", &[])),
        Some(0),
        "a warning alone passes"
    );
    assert_eq!(code(site.run("check", &["--deny", "warnings"])), Some(1));
    // 2: could not run, or bad usage.
    assert_eq!(code(site.run("check", &["--source", "nowhere"])), Some(2));
    assert_eq!(code(site.build(&["--source", "nowhere"])), Some(2));
    assert_eq!(code(site.run("owners", &["--source", "nowhere"])), Some(2));
    assert_eq!(code(site.run("check", &["--no-such-flag"])), Some(2));
    assert_eq!(code(site.run("frobnicate", &[])), Some(2));
    site.write("source/site.yml", "no_such_setting: 1\n");
    assert_eq!(code(site.run("check", &[])), Some(2));
    assert_eq!(code(site.build(&[])), Some(2));
    // The contract is in the help.
    let help = site.run("check", &["--help"]);
    assert!(
        help.stdout().contains("130  stopped by Ctrl-C"),
        "{}",
        help.stdout()
    );
}

#[test]
fn a_busy_port_is_named_with_a_way_out() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Fine.\n");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = site.run("serve", &["--port", &port]);
    assert_eq!(run.0.status.code(), Some(2));
    let stderr = run.stderr();
    assert!(stderr.contains(&format!("port {port}")), "{stderr}");
    assert!(stderr.contains("--port 0"), "{stderr}");
}

#[test]
fn the_source_folder_missing_names_the_path_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = manual(dir.path(), &["check"], &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("source: error[source-missing]"), "{stderr}");
    assert!(stderr.contains("manual init"), "{stderr}");
}

/// A command line split into words as a shell would: quotes hold spaces.
fn shell_words(line: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' | '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Starts `manual args --port 0` in `dir`, waits for the line that says
/// where it serves, stops it and returns that line.
fn serve_says_where(dir: &Path, args: &[&str]) -> String {
    let mut child = common::manual()
        .current_dir(dir)
        .args(args)
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    first
}

/// The step `init` prints works as printed: its arguments, run from the
/// folder `init` ran in, start the server on the new manual.
#[test]
fn the_next_step_init_prints_works_as_printed() {
    for folder in ["mysite", "my site"] {
        let dir = tempfile::tempdir().unwrap();
        let init = manual(dir.path(), &["init", folder], &[]);
        assert!(init.status.success(), "{}", text(&init.stderr));
        let said = text(&init.stderr);
        let step = said
            .split("Next: ")
            .nth(1)
            .unwrap_or_else(|| panic!("no next step in {said:?}"))
            .trim();
        let words = shell_words(step);
        assert_eq!(words[0], "manual", "{step}");
        // `serve --open` with no browser: a free port, stopped once it says
        // where it serves.
        let args: Vec<&str> = words[1..]
            .iter()
            .map(String::as_str)
            .filter(|w| *w != "--open")
            .collect();
        let first = serve_says_where(dir.path(), &args);
        assert!(first.contains("http://"), "{step}: {first:?}");
    }
}

/// `owners` asks the site who owns a page, as the page and the review feed
/// do, and names files from the project's folder, as `check` does.
#[test]
fn owners_agrees_with_the_pages_about_who_owns_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("source/manual")).unwrap();
    std::fs::write(
        root.join("site.yml"),
        "default_owner_slack: \"#platform\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("source/manual/a.html.md"),
        "---\ntitle: A\nsection: Ops\n---\nA.\n",
    )
    .unwrap();
    let run = manual(root, &["owners", "--format", "json"], &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["unowned"], serde_json::json!([]), "{report}");
    assert_eq!(report["owners"][0]["owner"], "#platform", "{report}");
    assert_eq!(
        report["owners"][0]["pages"][0]["source"],
        "source/manual/a.html.md"
    );
    let built = manual(root, &["build"], &[]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let feed = std::fs::read_to_string(root.join("build/api/pages.json")).unwrap();
    assert!(feed.contains("#platform"), "{feed}");
}

/// Invariant: whether a page is overdue, who owns it and its address on
/// the web are each one answer (`Review::overdue_on`, `Site::owner`,
/// `Site::absolute_url`): the page, `check`, `owners`, the due report and
/// the sitemap agree, with the owner the settings default to.
#[test]
fn overdue_owner_and_address_are_one_answer_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("source/manual")).unwrap();
    std::fs::write(
        root.join("site.yml"),
        "default_owner_slack: \"#platform\"\nhost: https://docs.example.org/\nbase_path: /ops\n",
    )
    .unwrap();
    std::fs::write(
        root.join("source/manual/late.html.md"),
        "---\ntitle: Late\nsection: Ops\nreview_by: 2026-01-01\n---\nLate.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("source/manual/fresh.html.md"),
        "---\ntitle: Fresh\nsection: Ops\nowner_slack: \"#fresh\"\nreview_by: 2027-06-01\n---\nFresh.\n",
    )
    .unwrap();
    let today = ["--today", "2026-12-01"];
    let run = |args: &[&str]| {
        let run = manual(root, &[args, &today[..]].concat(), &[]);
        assert!(run.status.success(), "{args:?}: {}", text(&run.stderr));
        run
    };

    let checked = run(&["check", "--format", "json"]);
    let overdue: Vec<serde_json::Value> = text(&checked.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|f: &serde_json::Value| f["code"] == "review-overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert!(
        overdue[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("late.html.md")
    );
    assert!(
        overdue[0]["help"].as_str().unwrap().contains("#platform"),
        "{overdue:?}"
    );

    let owners: serde_json::Value =
        serde_json::from_slice(&run(&["owners", "--format", "json"]).stdout).unwrap();
    let overdue_of = |owner: &str| -> Vec<String> {
        owners["owners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["owner"] == owner)
            .map(|o| {
                o["overdue"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["title"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(overdue_of("#platform"), ["Late"], "{owners}");
    assert!(overdue_of("#fresh").is_empty(), "{owners}");

    let due: serde_json::Value =
        serde_json::from_slice(&run(&["owners", "--due", "--format", "json"]).stdout).unwrap();
    let late = &due["owners"][0]["pages"][0];
    assert_eq!(due["owners"][0]["owner"], "#platform", "{due}");
    assert_eq!(late["overdue"], true, "{due}");
    let address = "https://docs.example.org/ops/manual/late.html";
    assert_eq!(late["url"], address, "{due}");

    run(&["build"]);
    let page = std::fs::read_to_string(root.join("build/manual/late.html")).unwrap();
    assert!(page.contains("review--overdue"), "{page}");
    assert!(
        page.contains(&format!("<link rel=\"canonical\" href=\"{address}\"")),
        "{page}"
    );
    let fresh = std::fs::read_to_string(root.join("build/manual/fresh.html")).unwrap();
    assert!(!fresh.contains("review--overdue"));
    let sitemap = std::fs::read_to_string(root.join("build/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains(&format!("<loc>{address}</loc>")),
        "{sitemap}"
    );
}

/// Serve with no source folder says so and stops, rather than serving
/// nothing and waiting.
#[test]
fn serve_with_nothing_to_serve_says_so_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = manual(dir.path(), &["serve", "--port", "0"], &[]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let said = text(&run.stderr);
    assert!(said.contains("manual init"), "{said}");
    assert!(!said.contains("still serving"), "{said}");
}

/// Every `manual` command the README, the guide pages and `manual --help`
/// print, run as printed on a new manual: each must work (exit 0), so no
/// page tells a reader to type a flag that does not exist. `serve` runs
/// until it says where it serves; `--open` is left out (no browser here),
/// and `--external` is left out (no network here).
#[test]
fn every_command_the_docs_print_runs_as_printed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut documents: Vec<std::path::PathBuf> = vec![root.join("README.md")];
    for entry in walkdir::WalkDir::new(root.join("source")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            documents.push(entry.path().to_path_buf());
        }
    }
    let mut commands: Vec<(String, String)> = Vec::new();
    for document in &documents {
        let text = std::fs::read_to_string(document).unwrap();
        let mut in_shell = false;
        for line in text.lines() {
            if let Some(fence) = line.strip_prefix("```") {
                in_shell = !in_shell && matches!(fence, "sh" | "bash" | "shell" | "console");
                continue;
            }
            let line = line.trim().trim_start_matches("$ ");
            if in_shell && line.starts_with("manual ") {
                let command = line.split(" #").next().unwrap().trim().to_string();
                commands.push((document.display().to_string(), command));
            }
        }
    }
    let help = manual(root, &["--help"], &[]);
    for line in text(&help.stdout).lines() {
        let line = line.trim();
        if line.starts_with("manual ") {
            let command = line.split("  ").next().unwrap().trim().to_string();
            commands.push(("manual --help".into(), command));
        }
    }
    assert!(commands.len() >= 15, "{commands:?}");

    // A new manual in a git checkout with an `origin/main`, as CI has.
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    assert!(manual(project, &["init"], &[]).status.success());
    let git = |args: &[&str]| {
        let done = Command::new("git")
            .current_dir(project)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .output()
            .unwrap();
        assert!(
            done.status.success(),
            "git {args:?}: {}",
            text(&done.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "start"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);

    for (document, command) in &commands {
        if command.contains("--external") {
            continue;
        }
        let words = shell_words(command);
        let out_elsewhere = project.join("elsewhere");
        let args: Vec<String> = words[1..]
            .iter()
            .filter(|w| *w != "--open")
            .map(|w| {
                // A path outside the project in the guide stays inside the
                // test's folder.
                if w.starts_with("/tmp/") {
                    out_elsewhere.display().to_string()
                } else {
                    // The variables of the guide's CI workflow, as CI sets
                    // them for a pull request.
                    w.replace("$BASE_SHA", "origin/main")
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Alert rules the guide names are made, linking to the first page.
        if let Some(at) = args.iter().position(|a| *a == "--alerts") {
            let folder = project.join(args[at + 1]);
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join("rules.yaml"),
                "groups:\n- name: g\n  rules:\n  - alert: A\n    annotations:\n      runbook_url: /manual/first-page.html\n",
            )
            .unwrap();
        }
        if args.contains(&"serve") {
            let first = serve_says_where(project, &args);
            assert!(
                first.contains("http://"),
                "{document}: `{command}`: {first:?}"
            );
            continue;
        }
        let run = manual(project, &args, &[]);
        assert!(
            run.status.success(),
            "{document}: `{command}` exited {:?}:\n{}",
            run.status.code(),
            text(&run.stderr)
        );
    }
}

/// The text between the line ```text that follows `after` in a guide page
/// and its closing ```.
fn guide_sample(page: &str, after: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(page);
    let text = std::fs::read_to_string(&path).unwrap();
    let from = text
        .find(after)
        .unwrap_or_else(|| panic!("{page}: no `{after}`"));
    let block = &text[from..];
    let start = block.find("```text\n").expect("a text block") + "```text\n".len();
    let end = block[start..].find("```").expect("closed");
    block[start..start + end].to_string()
}

/// What a run printed from the first line that starts with `first` to the
/// end of that report (before the counts).
fn printed_block(stderr: &str, first: &str) -> String {
    let mut block = String::new();
    let mut inside = false;
    for line in stderr.lines() {
        if line.starts_with(first) {
            inside = true;
        }
        let is_count =
            line.starts_with("    ") && line.trim_start().starts_with(|c: char| c.is_ascii_digit());
        if inside && (is_count || line.contains(" error(s), ")) {
            break;
        }
        if inside {
            block.push_str(line);
            block.push('\n');
        }
    }
    block
}

/// One sample in the guide: the page, the text before its sample, the
/// files of the case it shows, the command, and the first line printed.
struct Sample {
    guide: &'static str,
    after: &'static str,
    files: Vec<(&'static str, String)>,
    args: Vec<&'static str>,
    first: &'static str,
}

/// Every sample of output in the guide is what the binary prints for the
/// case it describes, so a change of format fails here until the guide is
/// updated (the assertion shows what to paste).
#[test]
fn the_guides_sample_output_is_what_manual_prints() {
    let page = |title: &str, extra: &str, body: &str| {
        format!(
            "---\ntitle: {title}\nowner_slack: \"#platform-support\"\nsection: Deployment\n{extra}---\n{body}"
        )
    };
    let write = |root: &Path, files: &[(&str, String)]| {
        for (name, contents) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
    };
    let cases = vec![
        Sample {
            guide: "source/manual/check-the-manual.html.md",
            after: "says how to fix it:",
            files: vec![
                (
                    "source/manual/deploy.html.md",
                    page(
                        "Deploy a release",
                        "",
                        "Deploy with the pipeline.\n\n## Steps\n\n1. Merge.\n2. Wait.\n\n## If it fails\nSee [undo a release](/manual/rollback.html#Undo-a-release).\n",
                    ),
                ),
                (
                    "source/manual/rollback.html.md",
                    page("Roll back a release", "", "## Undo a release\n\nText.\n"),
                ),
            ],
            args: vec!["check"],
            first: "source/manual/deploy.html.md",
        },
        Sample {
            guide: "source/manual/keep-pages-up-to-date.html.md",
            after: "check:",
            files: vec![(
                "source/manual/rotate-keys.html.md",
                page("Rotate keys", "review_by: 2026-10-01\n", "Rotate them.\n"),
            )],
            args: vec!["check", "--today", "2026-12-07"],
            first: "source/manual/rotate-keys.html.md",
        },
        Sample {
            guide: "source/manual/preview-your-changes.html.md",
            after: "For example:",
            files: vec![(
                "source/manual/restart-a-worker.html.md",
                "---\ntitle: [Restart, worker]\n---\nText.\n".to_string(),
            )],
            args: vec!["build"],
            first: "source/manual/restart-a-worker.html.md",
        },
    ];
    for Sample {
        guide,
        after,
        files,
        args,
        first,
    } in cases
    {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &files);
        let mut args = args.clone();
        args.extend(["--color", "never"]);
        let run = manual(dir.path(), &args, &[]);
        let printed = printed_block(&text(&run.stderr), first);
        assert!(
            !printed.is_empty(),
            "{guide}: nothing printed:\n{}",
            text(&run.stderr)
        );
        assert_eq!(
            guide_sample(guide, after),
            printed,
            "{guide}: the sample after `{after}` differs from what manual prints"
        );
    }
}

/// `init` writes `site.yml` at the root; a `source/site.yml` added beside
/// it (as an older guide said) is named as unread, and neither is ever
/// published.
#[test]
fn a_second_settings_file_is_named_as_unread_and_never_published() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert!(manual(root, &["init"], &[]).status.success());
    std::fs::write(
        root.join("source/site.yml"),
        "redirects:\n  /old.html: /manual/first-page.html\n",
    )
    .unwrap();
    let run = manual(root, &["check", "--format", "json"], &[]);
    let printed = text(&run.stdout);
    assert!(
        printed.contains("\"settings-unused\"") && printed.contains("source/site.yml"),
        "{printed}"
    );
    assert!(manual(root, &["build"], &[]).status.success());
    assert!(
        !root.join("build/site.yml").exists(),
        "a settings file was published"
    );
    // Kept in the source folder alone, it is read and still not published.
    std::fs::rename(root.join("site.yml"), root.join("elsewhere.yml")).unwrap();
    assert!(manual(root, &["build"], &[]).status.success());
    assert!(
        root.join("build/old.html").is_file(),
        "source/site.yml was not read"
    );
    assert!(!root.join("build/site.yml").exists());
}

/// Front matter mistakes point at their cause: an unquoted `#channel`
/// (a YAML comment) and a misspelt key, each at its line; and the summary
/// counts one page as one page.
#[test]
fn front_matter_mistakes_point_at_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("source/manual")).unwrap();
    std::fs::write(
        root.join("source/manual/a.html.md"),
        "---\ntitle: A\nowner_slack: #platform\nsecton: Ops\n---\nText.\n",
    )
    .unwrap();
    let run = manual(root, &["check", "--color", "never"], &[]);
    let said = text(&run.stderr);
    assert!(
        said.contains("source/manual/a.html.md:3:1: warning[front-matter-comment]")
            && said.contains("help: quote the value: `owner_slack: \"#platform\"`"),
        "{said}"
    );
    assert!(
        said.contains("source/manual/a.html.md:4:1: warning[front-matter-unknown-key]")
            && said.contains("did you mean `section`?"),
        "{said}"
    );
    assert!(said.contains("Checked 1 page in"), "{said}");
}

/// `owners --due` tells each owner which pages are overdue or due soon,
/// in every format; the Slack messages keep to Block Kit's shape.
#[test]
fn owners_due_tells_each_owner_what_is_due_in_every_format() {
    let site = Fixture::new();
    site.write(
        "site.yml",
        "host: https://docs.example.org\nowners:\n  \"#platform\": Platform team\n  \"#data\": Data team\n",
    );
    let page = |slug: &str, title: &str, owner: &str, due: &str| {
        site.write(
            &format!("source/manual/{slug}.html.md"),
            format!("---\ntitle: {title}\nowner_slack: \"{owner}\"\nsection: Ops\nreview_by: {due}\n---\nText.\n"),
        );
    };
    page("late", "Rotate <keys> & certs", "#platform", "2026-11-01");
    page("soon", "Restart | the workers", "#platform", "2026-12-20");
    page("later", "Later", "#platform", "2027-06-01");
    page("data", "Load data", "#data", "2026-12-07");
    for i in 0..60 {
        page(
            &format!("bulk-{i:02}"),
            &format!("Bulk {i:02}"),
            "#data",
            "2026-12-01",
        );
    }
    let due = |format: &str, within: &str| {
        let run = site.run(
            "owners",
            &[
                "--due",
                "--within",
                within,
                "--format",
                format,
                "--today",
                "2026-12-07",
            ],
        );
        assert!(run.success(), "{}", run.stderr());
        run.stdout()
    };
    let report: serde_json::Value = serde_json::from_str(&due("json", "30d")).unwrap();
    let owners: Vec<(&str, usize)> = report["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["owner"].as_str().unwrap(),
                o["pages"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(owners, [("#data", 61), ("#platform", 2)]);
    let platform = &report["owners"][1]["pages"];
    assert_eq!(
        platform[0]["url"],
        "https://docs.example.org/manual/late.html"
    );
    assert_eq!(platform[0]["overdue"], true);
    assert_eq!(platform[0]["days"], -36);
    assert_eq!(platform[1]["overdue"], false);
    // Two weeks holds the overdue page and not the one due in 13 days.
    let short: serde_json::Value = serde_json::from_str(&due("json", "1w")).unwrap();
    assert_eq!(short["owners"][1]["pages"].as_array().unwrap().len(), 1);

    let text = due("text", "30d");
    assert!(
        text.contains("#platform (Platform team): 2 page(s) to review"),
        "{text}"
    );
    assert!(text.contains("overdue since 2026-11-01 (36 days): Rotate <keys> & certs"));

    let markdown = due("markdown", "30d");
    assert!(
        markdown.contains("## #platform (Platform team)"),
        "{markdown}"
    );
    assert!(markdown.contains("| [Restart \\| the workers](https://docs.example.org/manual/soon.html) | due 2026-12-20 (in 13 days) |"), "{markdown}");

    let slack: serde_json::Value = serde_json::from_str(&due("slack", "30d")).unwrap();
    let messages = slack.as_array().unwrap();
    assert_eq!(messages.len(), 2);
    for message in messages {
        assert!(message["channel"].as_str().unwrap().starts_with('#'));
        assert!(message["text"].is_string());
        let blocks = message["blocks"].as_array().unwrap();
        assert!(
            !blocks.is_empty() && blocks.len() <= 50,
            "{} blocks",
            blocks.len()
        );
        for block in blocks {
            match block["type"].as_str().unwrap() {
                "header" => {
                    assert_eq!(block["text"]["type"], "plain_text");
                    assert!(block["text"]["text"].as_str().unwrap().chars().count() <= 150);
                }
                "section" => {
                    assert_eq!(block["text"]["type"], "mrkdwn");
                    let text = block["text"]["text"].as_str().unwrap();
                    assert!(text.chars().count() <= 3000);
                    // Slack's control characters are escaped, but the link's own.
                    let outside_link = text.split('>').skip(1).collect::<String>();
                    assert!(!outside_link.contains('<'), "{text}");
                }
                "context" => {
                    let elements = block["elements"].as_array().unwrap();
                    assert!(elements.iter().all(|e| e["type"] == "mrkdwn"));
                }
                other => panic!("a block Slack does not take here: {other}"),
            }
        }
    }
    let platform = &messages[1]["blocks"];
    assert_eq!(
        platform[1]["text"]["text"],
        "*<https://docs.example.org/manual/late.html|Rotate &lt;keys&gt; &amp; certs>*\noverdue since 2026-11-01 (36 days)"
    );
    let data = messages[0]["blocks"].as_array().unwrap();
    assert_eq!(data.len(), 50);
    assert_eq!(data[49]["elements"][0]["text"], "and 13 more");
    // markdown and slack are for --due only.
    let refused = site.run("owners", &["--format", "slack"]);
    assert!(!refused.success());
}
