//! Inputs built to hurt: huge pages, deep nesting, links that loop or lead
//! out of the source, files that vanish mid-build, an output folder that
//! cannot be written. Each gives a correct site or a clear error naming the
//! file, within a memory cap and a time limit, and never a panic or a
//! damaged `build/`.

use crate::common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{Fixture, snapshot_tree};

/// Address space allowed to one build (`ulimit -v`, in KiB): 1 GiB. A build
/// that needs more is killed by its allocator and the test fails.
const MEMORY_CAP_KIB: u64 = 1024 * 1024;
/// A build that takes longer has hung (the largest case takes about 4 s).
const TIME_LIMIT: Duration = Duration::from_secs(120);

struct Capped {
    output: Output,
}

impl Capped {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn assert_ok(&self) {
        assert_eq!(self.code(), Some(0), "{}", self.stderr());
    }

    /// An error naming `file`, in a build stopped by the site's problems
    /// (exit 1).
    fn assert_error(&self, code: &str, file: &str) {
        assert_eq!(self.code(), Some(1), "{}", self.stderr());
        self.assert_names(code, file);
    }

    /// An error naming `file`, in a build that could not run (exit 2: its
    /// settings or layouts are broken).
    fn assert_could_not_run(&self, code: &str, file: &str) {
        assert_eq!(self.code(), Some(2), "{}", self.stderr());
        self.assert_names(code, file);
    }

    fn assert_names(&self, code: &str, file: &str) {
        let stderr = self.stderr();
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(&format!("error[{code}]"))),
            "no {code} naming {file}: {stderr}"
        );
    }
}

/// `manual build ARGS` in the fixture under the memory cap and time limit.
fn build_capped(site: &Fixture, args: &[&str]) -> Capped {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_CAP_KIB} && exec timeout --signal=KILL {} \"$@\"",
            TIME_LIMIT.as_secs()
        ))
        .arg("capped")
        .arg(env!("CARGO_BIN_EXE_manual"))
        .env("XDG_CACHE_HOME", common::user_cache())
        .arg("build")
        .args(args)
        .current_dir(site.path(""));
    let started = Instant::now();
    let output = command.output().unwrap();
    assert!(
        started.elapsed() < TIME_LIMIT,
        "the build hit the time limit"
    );
    assert_ne!(output.status.code(), Some(101), "panicked");
    Capped { output }
}

fn page_with(site: &Fixture, body: &str) {
    site.page("nasty", "Nasty", "Ops", body);
}

#[test]
fn a_10_mb_page_builds() {
    let site = Fixture::new();
    let paragraph = "Deploy the app with [the guide](/manual/nasty.html#part) and `make`. \
                     Check the logs for errors before you continue.\n\n";
    let mut body = String::from("## Part\n\n");
    while body.len() < 10 * 1024 * 1024 {
        body.push_str(paragraph);
    }
    page_with(&site, &body);
    build_capped(&site, &[]).assert_ok();
    let html = site.read("build/manual/nasty.html");
    assert!(html.len() > 10 * 1024 * 1024);
    assert!(html.contains("<a href=\"/manual/nasty.html#part\">the guide</a>"));
}

#[test]
fn a_100000_line_code_block_is_highlighted() {
    let site = Fixture::new();
    let code = "puts 'line' # comment\n".repeat(100_000);
    page_with(&site, &format!("```ruby\n{code}```\n"));
    build_capped(&site, &[]).assert_ok();
    let html = site.read("build/manual/nasty.html");
    assert_eq!(
        html.matches("<span class=\"c0 i\"># comment").count(),
        100_000
    );
}

#[test]
fn lists_and_block_quotes_nested_10000_deep() {
    let site = Fixture::new();
    let list: String = (0..10_000)
        .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
        .collect();
    let quotes = format!("\n{} deepest\n", ">".repeat(10_000));
    let mixed = format!("\n{}end\n", "> - ".repeat(5_000));
    page_with(&site, &format!("{list}{quotes}{mixed}"));
    build_capped(&site, &[]).assert_ok();
    let html = site.read("build/manual/nasty.html");
    assert!(html.contains("item 9999"));
    assert!(html.contains("deepest"));
    assert_eq!(html.matches("<blockquote>").count(), 10_000 + 5_000);
}

#[test]
fn a_1_mb_line_builds() {
    let site = Fixture::new();
    page_with(&site, &format!("{}\n", "word ".repeat(1024 * 1024 / 5)));
    build_capped(&site, &[]).assert_ok();
    assert!(site.read("build/manual/nasty.html").len() > 1024 * 1024);
}

#[test]
fn fifty_thousand_headings_get_unique_ids() {
    let site = Fixture::new();
    let body: String = (0..50_000).map(|_| "## Same\n\ntext\n\n").collect();
    page_with(&site, &body);
    build_capped(&site, &[]).assert_ok();
    let html = site.read("build/manual/nasty.html");
    assert!(html.contains("<h2 id=\"same\">"));
    assert!(html.contains("<h2 id=\"same-49999\">"));
}

/// A site that builds, for the cases that must leave it untouched.
fn site_with_a_good_build() -> (Fixture, Vec<(String, Vec<u8>)>) {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    build_capped(&site, &[]).assert_ok();
    let before = snapshot_tree(&site.path("build"));
    (site, before)
}

#[test]
fn a_symlink_loop_is_an_error_naming_it() {
    let (site, before) = site_with_a_good_build();
    std::os::unix::fs::symlink("..", site.path("source/manual/loop")).unwrap();
    build_capped(&site, &[]).assert_error("source-unreadable", "source/manual/loop");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn a_symlink_out_of_the_source_is_refused() {
    let (site, before) = site_with_a_good_build();
    site.write("outside/secret.txt", "not for the site");
    site.write("outside/page.html.md", "---\ntitle: Out\n---\n");
    std::os::unix::fs::symlink(site.path("outside"), site.path("source/manual/outside")).unwrap();
    std::os::unix::fs::symlink(
        site.path("outside/secret.txt"),
        site.path("source/manual/secret.txt"),
    )
    .unwrap();
    let run = build_capped(&site, &[]);
    run.assert_error("source-link-outside", "source/manual/outside");
    run.assert_error("source-link-outside", "source/manual/secret.txt");
    assert!(before == snapshot_tree(&site.path("build")));

    // A link inside the source folder is fine.
    std::fs::remove_file(site.path("source/manual/outside")).unwrap();
    std::fs::remove_file(site.path("source/manual/secret.txt")).unwrap();
    site.write("source/manual/images/real.png", "png");
    std::os::unix::fs::symlink("images/real.png", site.path("source/manual/alias.png")).unwrap();
    build_capped(&site, &[]).assert_ok();
    assert_eq!(site.read("build/manual/alias.png"), "png");
}

#[test]
fn an_unreadable_page_is_an_error_naming_it() {
    // Tests run as root, which may read any file: a link to nothing is the
    // unreadable file every user sees.
    let (site, before) = site_with_a_good_build();
    std::os::unix::fs::symlink("missing.md", site.path("source/manual/broken.html.md")).unwrap();
    build_capped(&site, &[]).assert_error("source-unreadable", "source/manual/broken.html.md");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn an_output_folder_that_cannot_be_written_is_an_error() {
    let (site, before) = site_with_a_good_build();
    site.write("not-a-folder", "a file");
    let run = build_capped(&site, &["--out", "not-a-folder/build"]);
    assert_eq!(run.code(), Some(2), "could not run: {}", run.stderr());
    assert!(
        run.stderr().contains("not-a-folder/build"),
        "{}",
        run.stderr()
    );
    assert!(before == snapshot_tree(&site.path("build")));
    assert_eq!(site.read("not-a-folder"), "a file");
}

#[test]
fn files_that_disappear_during_the_build() {
    // Whether each file goes before or after the build reads it depends on
    // timing; either the site builds, or the build stops with an error
    // naming a missing file and leaves the old site. Never a panic, never a
    // half-written site.
    let (site, before) = site_with_a_good_build();
    for i in 0..2000 {
        site.page(&format!("p{i}"), &format!("Page {i}"), "Ops", "Text.\n");
        site.write(&format!("source/manual/images/i{i}.png"), "png");
    }
    let child = common::manual()
        .args(["build", "--skip-check"])
        .current_dir(site.path(""))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for i in (0..2000).rev().step_by(7) {
        let _ = std::fs::remove_file(site.path(&format!("source/manual/p{i}.html.md")));
        let _ = std::fs::remove_file(site.path(&format!("source/manual/images/i{i}.png")));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {
            let built = snapshot_tree(&site.path("build"));
            assert!(built.len() > before.len(), "{stderr}");
        }
        Some(1) => {
            assert!(
                stderr.contains("source-unreadable") || stderr.contains("write-failed"),
                "{stderr}"
            );
            assert!(stderr.contains("No such file"), "{stderr}");
            assert!(before == snapshot_tree(&site.path("build")));
        }
        other => panic!("exit {other:?}: {stderr}"),
    }
    let leftovers: Vec<_> = std::fs::read_dir(site.path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".build."))
        .collect();
    assert!(leftovers.is_empty());
}

/// Front matter (or settings) of `lines` YAML lines that expand, through
/// nested aliases, to ten billion values.
fn alias_bomb() -> String {
    let mut yaml = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        yaml.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    yaml
}

#[test]
fn a_yaml_alias_bomb_is_an_error_at_its_line() {
    let (site, before) = site_with_a_good_build();
    site.write(
        "source/manual/bomb.html.md",
        format!("---\ntitle: Bomb\n{}---\nBody.\n", alias_bomb()),
    );
    let run = build_capped(&site, &[]);
    run.assert_error("front-matter-yaml", "source/manual/bomb.html.md");
    assert!(run.stderr().contains("aliases"), "{}", run.stderr());
    assert!(before == snapshot_tree(&site.path("build")));

    std::fs::remove_file(site.path("source/manual/bomb.html.md")).unwrap();
    site.write("source/site.yml", alias_bomb());
    build_capped(&site, &[]).assert_could_not_run("settings-yaml", "source/site.yml");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn yaml_nested_20000_deep_is_an_error_not_a_stack_overflow() {
    let (site, before) = site_with_a_good_build();
    site.write(
        "source/manual/deep.html.md",
        format!(
            "---\ntitle: Deep\nx:\n{}v\n---\nBody.\n",
            "- ".repeat(20_000)
        ),
    );
    site.write(
        "source/manual/flow.html.md",
        format!(
            "---\ntitle: Flow\nx: {}{}\n---\nBody.\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        ),
    );
    let run = build_capped(&site, &[]);
    run.assert_error("front-matter-yaml", "source/manual/deep.html.md");
    run.assert_error("front-matter-yaml", "source/manual/flow.html.md");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn twenty_thousand_link_definitions_are_checked_in_linear_time() {
    // Quadratic in the definitions (as it was), this page took minutes.
    let n = 20_000;
    let mut body = String::new();
    for i in 0..n {
        body.push_str(&format!(
            "See [link {i}][ref{i}] and [gone {i}][missing{i}].\n"
        ));
    }
    body.push('\n');
    for i in 0..n {
        body.push_str(&format!("[ref{i}]: /manual/nowhere-{i}.html\n"));
    }
    for i in (0..n).step_by(2) {
        body.push_str(&format!("[ref{i}]: /manual/again.html\n"));
    }
    let (site, before) = site_with_a_good_build();
    page_with(&site, &body);
    let run = build_capped(&site, &[]);
    run.assert_error("link-broken", "source/manual/nasty.html.md");
    run.assert_error("link-reference-undefined", "source/manual/nasty.html.md");
    assert!(
        run.stderr().contains(&format!("{n} error[link-broken]")),
        "{}",
        run.stderr()
            .lines()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn a_page_over_the_size_limit_is_an_error_naming_it() {
    let (site, before) = site_with_a_good_build();
    page_with(&site, &"x".repeat(129 * 1024 * 1024));
    build_capped(&site, &[]).assert_error("source-too-large", "source/manual/nasty.html.md");
    assert!(before == snapshot_tree(&site.path("build")));
}

#[test]
fn fifos_sockets_and_devices_are_errors_naming_them_not_hangs() {
    let (site, before) = site_with_a_good_build();
    let mkfifo = |path: &str| {
        let status = Command::new("mkfifo")
            .arg(site.path(path))
            .status()
            .unwrap();
        assert!(status.success());
    };
    std::fs::create_dir_all(site.path("source/manual/images")).unwrap();
    mkfifo("source/manual/fifo.html.md");
    mkfifo("source/manual/images/pipe.png");
    let _socket =
        std::os::unix::net::UnixListener::bind(site.path("source/manual/socket.png")).unwrap();
    let device = Command::new("mknod")
        .arg(site.path("source/manual/null.html.md"))
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(device.success(), "mknod needs root, which the tests run as");
    let run = build_capped(&site, &[]);
    for file in [
        "source/manual/fifo.html.md",
        "source/manual/images/pipe.png",
        "source/manual/socket.png",
        "source/manual/null.html.md",
    ] {
        run.assert_error("source-not-regular", file);
    }
    assert!(before == snapshot_tree(&site.path("build")));
    // One in the layouts: the layouts cannot load, so nothing can be built.
    let layouts = site.copy_layouts();
    mkfifo("layouts/assets/theme.css");
    let layouts = layouts.display().to_string();
    build_capped(&site, &["--layouts", &layouts])
        .assert_could_not_run("source-not-regular", "layouts/assets/theme.css");
    assert!(before == snapshot_tree(&site.path("build")));

    // A settings file that is a FIFO, named with --config.
    mkfifo("fifo.yml");
    let run = build_capped(&site, &["--config", "fifo.yml"]);
    assert_eq!(run.code(), Some(2), "could not run: {}", run.stderr());
    assert!(
        run.stderr().contains("error[source-not-regular]"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_symlink_in_the_layouts_to_outside_is_refused() {
    let (site, before) = site_with_a_good_build();
    site.write("outside/secret.txt", "not for the site");
    let layouts = site.copy_layouts();
    std::os::unix::fs::symlink(
        site.path("outside/secret.txt"),
        layouts.join("assets/secret.txt"),
    )
    .unwrap();
    let layouts = layouts.display().to_string();
    build_capped(&site, &["--layouts", &layouts])
        .assert_could_not_run("source-link-outside", "layouts/assets/secret.txt");
    assert!(before == snapshot_tree(&site.path("build")));
}
