//! Switching `check` on in CI for a manual that has problems today: the
//! baseline, pull-request scope (`--since`) and SARIF, driven through the
//! real binary on fixture sites and temporary git repositories.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Finding, Fixture, git};

/// A site with two old problems: a broken link in `a` and one in `b`.
fn site_with_old_problems() -> Fixture {
    let site = Fixture::new();
    site.page(
        "a",
        "Deploy an app",
        "Apps",
        "Intro.\n\nSee [the old page](/manual/gone.html).\n",
    );
    site.page(
        "b",
        "Roll back an app",
        "Apps",
        "## Undo a release\n\nSee [nothing](/manual/missing.html).\n",
    );
    site
}

/// A finding as `codes_and_files` lists it.
fn finding(code: &str, file: &str) -> (String, String) {
    (code.to_string(), file.to_string())
}

fn codes_and_files(findings: &[Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| (f.code.clone(), f.file.clone()))
        .collect()
}

#[test]
fn a_baseline_excuses_what_it_records_and_nothing_more() {
    let site = site_with_old_problems();
    site.run("check", &[]).assert_failed();

    // Written: every finding, sorted, and the same bytes the second time.
    site.run("check", &["--write-baseline", "baseline.json"])
        .assert_ok()
        .assert_stderr_has("Wrote 2 finding(s)");
    let written = site.read("baseline.json");
    site.run("check", &["--write-baseline", "baseline.json"])
        .assert_ok();
    assert_eq!(site.read("baseline.json"), written, "stable byte for byte");
    let json: serde_json::Value = serde_json::from_str(&written).unwrap();
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["source/manual/a.html.md", "source/manual/b.html.md"]
    );

    // Read: nothing new, so it passes and says what it left out.
    let run = site.run(
        "check",
        &["--baseline", "baseline.json", "--format", "json"],
    );
    run.assert_ok()
        .assert_stderr_has("2 finding(s) recorded in the baseline");
    assert_eq!(run.findings(), vec![]);

    // Text added above a recorded finding does not bring it back.
    site.page(
        "a",
        "Deploy an app",
        "Apps",
        "Intro.\n\nA new paragraph.\n\nAnd another.\n\nSee [the old page](/manual/gone.html).\n",
    );
    let run = site.run(
        "check",
        &["--baseline", "baseline.json", "--format", "json"],
    );
    run.assert_ok();
    assert_eq!(run.findings(), vec![]);

    // A new problem is reported alone, with exit 1; the same broken link
    // written a second time is new too (two equal findings count as two).
    site.page(
        "a",
        "Deploy an app",
        "Apps",
        "Intro.\n\nSee [the old page](/manual/gone.html).\n\nAlso [new](/manual/new-gap.html) and [again](/manual/gone.html).\n",
    );
    let run = site.run(
        "check",
        &["--baseline", "baseline.json", "--format", "json"],
    );
    run.assert_failed();
    let findings = run.findings();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(findings[0].message.contains("/manual/new-gap.html"));
    assert_eq!((findings[0].line, findings[0].column), (11, 6));
    assert!(findings[1].message.contains("/manual/gone.html"));
    assert_eq!(findings[1].line, 11);

    // A fixed problem is listed as fixed; --prune-baseline drops it.
    site.page(
        "b",
        "Roll back an app",
        "Apps",
        "## Undo a release\n\nFixed.\n",
    );
    site.page(
        "a",
        "Deploy an app",
        "Apps",
        "See [the old page](/manual/gone.html).\n",
    );
    site.run("check", &["--baseline", "baseline.json"])
        .assert_ok()
        .assert_stderr_has("1 finding(s) in the baseline baseline.json are fixed:")
        .assert_stderr_has("source/manual/b.html.md: link-broken: link to /manual/missing.html")
        .assert_stderr_has("--prune-baseline");
    assert_eq!(
        site.read("baseline.json"),
        written,
        "only --prune-baseline rewrites it"
    );
    site.run(
        "check",
        &["--baseline", "baseline.json", "--prune-baseline"],
    )
    .assert_ok();
    let pruned = site.read("baseline.json");
    assert!(!pruned.contains("b.html.md"), "{pruned}");
    assert!(pruned.contains("a.html.md"));
    // Pruning never records anything new.
    site.page("b", "Roll back an app", "Apps", "[x](/manual/later.html)\n");
    site.run(
        "check",
        &["--baseline", "baseline.json", "--prune-baseline"],
    )
    .assert_failed();
    assert_eq!(site.read("baseline.json"), pruned);
}

#[test]
fn warnings_and_deny_warnings_go_through_the_baseline_too() {
    let site = Fixture::new();
    site.page("a", "Deploy an app", "Apps", "[x](/manual/b)\n");
    site.page("b", "Roll back", "Apps", "Text.\n");
    site.run("check", &["--deny", "warnings"]).assert_failed();
    site.run("check", &["--write-baseline", "b.json"])
        .assert_ok();
    site.run("check", &["--deny", "warnings", "--baseline", "b.json"])
        .assert_ok();
}

#[test]
fn a_broken_baseline_is_an_error_naming_it() {
    let site = site_with_old_problems();
    let run = site.run("check", &["--baseline", "nowhere.json"]);
    run.assert_could_not_run()
        .assert_stderr_has("nowhere.json: error[baseline-invalid]: cannot read the baseline");

    site.write("bad.json", "{\n  \"version\": 1,\n  \"findings\": {}\n}\n");
    site.run("check", &["--baseline", "bad.json"])
        .assert_could_not_run()
        .assert_stderr_has("bad.json:3:")
        .assert_stderr_has("error[baseline-invalid]: not a baseline at `findings`");

    site.run("check", &["--write-baseline", "good.json"])
        .assert_ok();
    let edited = site
        .read("good.json")
        .replace("gone.html", "elsewhere.html");
    site.write("good.json", edited);
    site.run("check", &["--baseline", "good.json"])
        .assert_could_not_run()
        .assert_stderr_has("fingerprint does not match");

    // Options that make no sense together are usage errors.
    site.run("check", &["--prune-baseline"])
        .assert_could_not_run();
    site.run(
        "check",
        &["--baseline", "good.json", "--write-baseline", "x.json"],
    )
    .assert_could_not_run();
}

/// A git repository holding a site with one old, unrelated problem, on a
/// branch `main`; returns the fixture and the base commit.
fn repository() -> (Fixture, String) {
    let site = Fixture::new();
    site.page(
        "deploy",
        "Deploy an app",
        "Apps",
        "Before you start, read [undo a release](/manual/rollback.html#undo-a-release).\n",
    );
    site.page(
        "rollback",
        "Roll back an app",
        "Apps",
        "## Undo a release\n\nSteps.\n",
    );
    site.page(
        "old",
        "Old notes",
        "Apps",
        "An old problem: [gone](/manual/long-gone.html).\n",
    );
    site.write(
        "source/manual/child.html.md",
        "---\ntitle: A child page\nowner_slack: \"#team\"\nsection: Apps\nparent: /manual/rollback.html\n---\nText.\n",
    );
    let dir = site.dir.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]);
    (site, base)
}

#[test]
fn since_reports_what_the_change_caused_even_in_pages_it_did_not_touch() {
    let (site, base) = repository();
    let dir = site.dir.path();
    git(dir, &["checkout", "-q", "-b", "rename"]);
    // The change renames a heading in rollback.html.md only.
    site.page(
        "rollback",
        "Roll back an app",
        "Apps",
        "## Undo a deployment\n\nSteps.\n",
    );
    git(dir, &["commit", "-qam", "rename a heading"]);

    // Without scope: both the old problem and the new one.
    let all = site.check();
    assert_eq!(all.len(), 2, "{all:?}");

    let run = site.run("check", &["--since", "main", "--format", "json"]);
    run.assert_failed()
        .assert_stderr_has("1 file(s) changed since")
        .assert_stderr_has("1 finding(s) the change did not cause were left out");
    assert_eq!(
        codes_and_files(&run.findings()),
        [finding(
            "link-fragment-missing",
            "source/manual/deploy.html.md"
        )],
        "the page that links to the renamed heading, which did not change"
    );

    // The same scope in the other formats.
    let github = site.run("check", &["--since", &base, "--format", "github"]);
    let lines: Vec<String> = github.stdout().lines().map(String::from).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("::error file=source/manual/deploy.html.md,line=7"));

    // Deleting the page a parent names, in a new uncommitted change.
    std::fs::remove_file(site.path("source/manual/rollback.html.md")).unwrap();
    let run = site.run("check", &["--since", "main", "--format", "json"]);
    let mut reported = codes_and_files(&run.findings());
    reported.sort();
    assert_eq!(
        reported,
        [
            finding("link-broken", "source/manual/deploy.html.md"),
            finding("parent-missing", "source/manual/child.html.md")
        ]
    );
}

#[test]
fn since_reports_every_finding_in_changed_files_and_a_fix_is_clean() {
    let (site, _) = repository();
    let dir = site.dir.path();
    // Touching the old page (without fixing it) makes its problem the
    // change's to answer for.
    site.page(
        "old",
        "Old notes",
        "Apps",
        "Edited. An old problem: [gone](/manual/long-gone.html).\n",
    );
    let run = site.run("check", &["--since", "HEAD", "--format", "json"]);
    assert_eq!(
        codes_and_files(&run.findings()),
        [finding("link-broken", "source/manual/old.html.md")]
    );
    // Fixing it: clean, though nothing else was fixed.
    site.page("old", "Old notes", "Apps", "Fixed.\n");
    git(dir, &["add", "-A"]);
    site.run("check", &["--since", "HEAD"]).assert_ok();
    // A new untracked page with a problem is in scope.
    site.page("new", "New notes", "Apps", "[x](/manual/nowhere.html)\n");
    let run = site.run("check", &["--since", "HEAD", "--format", "json"]);
    assert_eq!(
        codes_and_files(&run.findings()),
        [finding("link-broken", "source/manual/new.html.md")]
    );
}

#[test]
fn since_works_on_a_shallow_clone_and_says_when_the_revision_is_missing() {
    let (origin, base) = repository();
    let dir = origin.dir.path();
    origin.page(
        "rollback",
        "Roll back an app",
        "Apps",
        "## Undo a deployment\n\nSteps.\n",
    );
    git(dir, &["commit", "-qam", "rename a heading"]);

    let clones = tempfile::tempdir().unwrap();
    let clone: PathBuf = clones.path().join("clone");
    let url = format!("file://{}", dir.display());
    git(
        clones.path(),
        &["clone", "-q", "--depth=1", &url, clone.to_str().unwrap()],
    );
    let check = |args: &[&str]| {
        common::Run(
            common::manual_cmd()
                .current_dir(&clone)
                .args(["check", "--today", "2026-11-22"])
                .args(args)
                .output()
                .unwrap(),
        )
    };
    check(&["--since", &base])
        .assert_could_not_run()
        .assert_stderr_has(&format!("the revision `{base}` is not in this clone"))
        .assert_stderr_has(&format!("git fetch --depth=1 origin {base}"));

    git(&clone, &["fetch", "-q", "--depth=1", "origin", &base]);
    let run = check(&["--since", &base, "--format", "json"]);
    assert_eq!(
        codes_and_files(&run.findings()),
        [finding(
            "link-fragment-missing",
            "source/manual/deploy.html.md"
        )]
    );

    // Outside a git checkout: said plainly.
    let plain = Fixture::new();
    plain.page("a", "A page", "Apps", "Text.\n");
    plain
        .run("check", &["--since", "main"])
        .assert_could_not_run()
        .assert_stderr_has("error[scope-unavailable]: --since needs a git checkout");
}

#[test]
fn baseline_and_scope_together_report_only_new_problems_the_change_caused() {
    let (site, _) = repository();
    let dir = site.dir.path();
    site.run("check", &["--write-baseline", "baseline.json"])
        .assert_ok();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "baseline"]);
    // The change touches the old page (whose old problem is in the
    // baseline) and adds a new problem to it.
    site.page(
        "old",
        "Old notes",
        "Apps",
        "An old problem: [gone](/manual/long-gone.html). A new one: [x](/manual/new-gap.html).\n",
    );
    let run = site.run(
        "check",
        &[
            "--since",
            "HEAD",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].message.contains("new-gap"));
}

/// The SARIF Multitool that scripts/test installs (tests/sarif).
fn sarif_multitool() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        path.is_file(),
        "the SARIF Multitool is expected at {}; run scripts/test, which installs it",
        path.display()
    );
    path
}

#[test]
fn sarif_is_valid_against_the_schema_and_links_each_rule_to_its_code() {
    let site = site_with_old_problems();
    // A finding with a line and column, a warning, one for a whole file,
    // and a file name that needs encoding.
    site.page("c", "Odd file", "Apps", "[x](/manual/b)\n");
    site.write("source/manual/a b#c.html.md", "");
    let run = site.run("check", &["--format", "sarif"]);
    run.assert_failed();
    let log: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let driver = &log["runs"][0]["tool"]["driver"];
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), manual::diagnostics::Code::ALL.len());
    let broken = rules.iter().find(|r| r["id"] == "link-broken").unwrap();
    assert_eq!(
        broken["shortDescription"]["text"],
        manual::diagnostics::Code::LinkBroken.summary()
    );
    // The manual is published nowhere yet: no rule links to a made-up
    // address, and each carries its whole description instead.
    assert!(broken.get("helpUri").is_none(), "{broken}");
    assert!(!run.stdout().contains("example.org/manual/"));
    assert!(
        broken["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("close match")
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
    }
    let located = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("/manual/gone.html")
        })
        .unwrap();
    let physical = &located["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "source/manual/a.html.md"
    );
    assert_eq!(physical["region"]["startLine"], 9);
    assert_eq!(physical["region"]["startColumn"], 5);
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "source/manual/a%20b%23c.html.md"
    ));
    assert!(results.iter().any(|r| r["level"] == "warning"));

    // Validated by Microsoft's SARIF Multitool against the 2.1.0 schema
    // and its rules: no errors.
    let sarif = site.path("check.sarif");
    std::fs::write(&sarif, run.stdout()).unwrap();
    let verdict = site.path("verdict.sarif");
    let output = Command::new(sarif_multitool())
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .arg("validate")
        .arg(&sarif)
        .arg("-o")
        .arg(&verdict)
        .args(["--log", "ForceOverwrite"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    let verdict: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&verdict)
            .unwrap_or_else(|e| panic!("the multitool wrote no verdict ({e}):\n{said}")),
    )
    .unwrap();
    let problems: Vec<String> = verdict["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error" || r["level"] == "warning")
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert_eq!(problems, Vec::<String>::new(), "{said}");

    // The validator does find problems (so the check above can fail).
    let mut broken_log = log.clone();
    broken_log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    std::fs::write(&sarif, broken_log.to_string()).unwrap();
    let verdict = site.path("verdict2.sarif");
    Command::new(sarif_multitool())
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .arg("validate")
        .arg(&sarif)
        .arg("-o")
        .arg(&verdict)
        .args(["--log", "ForceOverwrite"])
        .output()
        .unwrap();
    let verdict = std::fs::read_to_string(&verdict).unwrap();
    assert!(verdict.contains("JSON1008"), "{verdict}");
}

#[test]
fn sarif_follows_the_baseline() {
    let site = site_with_old_problems();
    site.run("check", &["--write-baseline", "baseline.json"])
        .assert_ok();
    site.page("c", "Third", "Apps", "[x](/manual/nowhere.html)\n");
    let run = site.run(
        "check",
        &["--format", "sarif", "--baseline", "baseline.json"],
    );
    run.assert_failed();
    let log: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "source/manual/c.html.md"
    );
}

/// The GOV.UK sample, copied to a temporary folder (it is read in place
/// everywhere else): a baseline makes it pass, and one new broken link
/// fails with exactly that one error.
#[test]
fn the_govuk_sample_passes_with_a_baseline_and_fails_on_one_new_link() {
    let corpus = common::shared_corpus("govuk-manual");
    let site = Fixture::new();
    for entry in walkdir::WalkDir::new(&corpus) {
        let entry = entry.unwrap();
        let target = site.path(
            entry
                .path()
                .strip_prefix(&corpus)
                .unwrap()
                .to_str()
                .unwrap(),
        );
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk-manual.yml"),
        site.path("site.yml"),
    )
    .unwrap();
    site.run("check", &[]).assert_failed();
    site.run("check", &["--write-baseline", "baseline.json"])
        .assert_ok();
    site.run("check", &["--baseline", "baseline.json"])
        .assert_ok();

    let page = "source/manual/access-to-licensing-for-third-parties.html.md";
    let text = site.read(page);
    let end_of_front_matter = text[3..].find("---\n").unwrap() + 7;
    site.write(
        page,
        format!(
            "{}\nA new line.\n\nSee [the new runbook](/manual/no-such-runbook.html).\n{}",
            &text[..end_of_front_matter],
            &text[end_of_front_matter..]
        ),
    );
    let run = site.run(
        "check",
        &["--baseline", "baseline.json", "--format", "json"],
    );
    run.assert_failed();
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].code, "link-broken");
    assert_eq!(findings[0].file, page);
    assert!(findings[0].message.contains("/manual/no-such-runbook.html"));
}

/// The example workflow's steps, run as GitHub would run them on a pull
/// request (a one-commit-deep clone of the change) and on a push to main,
/// with the `${{ }}` expressions filled in and the installed `manual` being
/// the one under test.
#[test]
fn the_example_workflow_fails_a_pull_request_only_on_what_it_caused() {
    let workflow_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-actions/check-the-manual.yml");
    let text = std::fs::read_to_string(&workflow_path).unwrap();
    let workflow = &yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0];
    let steps = workflow["jobs"]["check"]["steps"].as_vec().unwrap();
    let step = |name: &str| -> String {
        steps
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .and_then(|s| s["run"].as_str())
            .unwrap_or_else(|| panic!("no step {name:?} with a script"))
            .to_string()
    };

    // The manual's repository: old problems, their baseline committed.
    let (origin, base) = repository();
    let dir = origin.dir.path();
    origin
        .run("check", &["--write-baseline", "manual-baseline.json"])
        .assert_ok();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "baseline"]);
    let base_with_baseline = git(dir, &["rev-parse", "HEAD"]);
    assert_ne!(base, base_with_baseline);
    // The pull request renames a heading another page links to.
    git(dir, &["checkout", "-q", "-b", "pull"]);
    origin.page(
        "rollback",
        "Roll back an app",
        "Apps",
        "## Undo a deployment\n\nSteps.\n",
    );
    git(dir, &["commit", "-qam", "rename a heading"]);

    let manual = assert_cmd::cargo::cargo_bin("manual");
    let path = format!(
        "{}:{}",
        manual.parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let run_step = |checkout: &Path, name: &str, event: &str| {
        let script = step(name)
            .replace("${{ github.event_name }}", event)
            .replace(
                "${{ github.event.pull_request.base.sha }}",
                &base_with_baseline,
            );
        let output = Command::new("bash")
            .args(["-e", "-c", &script])
            .current_dir(checkout)
            .env("PATH", &path)
            .env("XDG_CACHE_HOME", common::user_cache())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.display());
    let pull = clones.path().join("pull");
    git(
        clones.path(),
        &["clone", "-q", "--depth=1", "--branch", "pull", &url, "pull"],
    );
    let (status, _, said) = run_step(&pull, "Fetch the base of the pull request", "pull_request");
    assert_eq!(status, Some(0), "{said}");
    let (status, annotations, said) = run_step(
        &pull,
        "Check (annotations on the pull request)",
        "pull_request",
    );
    assert_eq!(status, Some(1), "{said}");
    let lines: Vec<&str> = annotations.lines().collect();
    assert_eq!(lines.len(), 1, "{annotations}");
    assert!(
        lines[0].starts_with("::error file=source/manual/deploy.html.md,line=7,col="),
        "{annotations}"
    );
    let (status, _, said) = run_step(&pull, "Check (SARIF for code scanning)", "pull_request");
    assert_eq!(
        status,
        Some(0),
        "the upload runs after a failed check: {said}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pull.join("manual.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);

    // A push to main: the baseline holds every old problem.
    let main = clones.path().join("main");
    git(
        clones.path(),
        &["clone", "-q", "--depth=1", "--branch", "main", &url, "main"],
    );
    let (status, annotations, said) =
        run_step(&main, "Check (annotations on the pull request)", "push");
    assert_eq!(status, Some(0), "{annotations}{said}");
}
