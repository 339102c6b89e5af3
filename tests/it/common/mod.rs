//! Fixture sites for integration tests: each test writes the files it needs
//! into a temporary folder and runs the real `manual` binary on them.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;

pub mod browser;

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

/// The built-in theme's files in the repository (the binary holds the same).
pub fn repo_theme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("theme")
}

/// The user cache folder every run of the binary in these tests is given
/// (`XDG_CACHE_HOME`), so the tests keep their caches and the user's key
/// under `target/`, not in the home folder of whoever runs them.
pub fn user_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("user-cache")
}

/// A site of `../shared/corpus` (see README): `govuk-manual` or
/// `tech-docs-gem-docs`, read in place.
pub fn shared_corpus(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    assert!(
        path.is_dir(),
        "the corpus is expected at {} (see README)",
        path.display()
    );
    path
}

/// The `manual` binary, to run with the tests' user cache folder.
pub fn manual() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_manual"));
    command.env("XDG_CACHE_HOME", user_cache());
    command
}

/// `manual()` for assertions.
pub fn manual_cmd() -> Command {
    Command::from_std(manual())
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("source")).unwrap();
        Fixture { dir }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
        self
    }

    /// A manual page with the usual front matter.
    pub fn page(&self, slug: &str, title: &str, section: &str, body: &str) -> &Self {
        self.write(
            &format!("source/manual/{slug}.html.md"),
            format!(
                "---\ntitle: {title}\nowner_slack: \"#team\"\nsection: {section}\nparent: /manual.html\n---\n{body}"
            ),
        )
    }

    /// A copy of the built-in theme in the fixture's `layouts/`, for tests
    /// that change it; returns its path.
    pub fn copy_layouts(&self) -> PathBuf {
        let layouts = self.path("layouts");
        for entry in walkdir::WalkDir::new(repo_theme()) {
            let entry = entry.unwrap();
            let target = layouts.join(entry.path().strip_prefix(repo_theme()).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).unwrap();
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
        layouts
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative))
            .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
    }

    /// Runs `manual build` in the fixture (with the built-in theme, unless
    /// the fixture has a `layouts/` folder or `args` names one).
    pub fn build(&self, args: &[&str]) -> Run {
        self.build_with_threads(args, None)
    }

    /// `build` with rayon limited to `threads` worker threads.
    pub fn build_with_threads(&self, args: &[&str], threads: Option<usize>) -> Run {
        let mut command = manual_cmd();
        if let Some(threads) = threads {
            command.env("RAYON_NUM_THREADS", threads.to_string());
        }
        command.current_dir(self.dir.path()).arg("build");
        command.args(args);
        Run(command.output().unwrap())
    }
}

impl Fixture {
    /// Runs `manual <command> args` in the fixture with a fixed date, so
    /// review deadlines do not drift.
    pub fn run(&self, command: &str, args: &[&str]) -> Run {
        let mut cmd = manual_cmd();
        cmd.current_dir(self.dir.path()).arg(command);
        if !args.contains(&"--today") {
            cmd.args(["--today", "2026-11-22"]);
        }
        cmd.args(args);
        Run(cmd.output().unwrap())
    }

    /// `check --format json`: every finding as (code, file, line, column).
    pub fn check(&self) -> Vec<Finding> {
        let run = self.run("check", &["--format", "json"]);
        assert!(
            run.0.status.code() != Some(2),
            "check could not run:\n{}",
            run.stderr()
        );
        run.findings()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: String,
    pub code: String,
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub help: String,
}

pub struct Server {
    pub address: String,
    pub stderr: Arc<Mutex<Vec<String>>>,
    pub child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `manual serve` on a free port, with the built-in theme and
    /// `layouts` over it when given.
    pub fn start(site: &Fixture, layouts: Option<&Path>) -> Server {
        let mut command = manual();
        command
            .current_dir(site.dir.path())
            .args(["serve", "--port", "0"]);
        if let Some(layouts) = layouts {
            command.arg("--layouts").arg(layouts);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let lines = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        Server {
            child,
            address,
            stderr,
        }
    }

    /// A raw request, so the path reaches the server exactly as written.
    pub fn get(&self, path: &str) -> (u16, String) {
        let host = self.address.clone();
        self.request(path, &host, "")
    }

    /// A raw request with the `Host` and extra header lines given; returns
    /// the status and everything after the status line's headers (the body).
    pub fn request(&self, path: &str, host: &str, headers: &str) -> (u16, String) {
        let (status, _, body) = self.request_with_headers(path, host, headers);
        (status, body)
    }

    /// As `request`, with the response's header block too.
    pub fn request_with_headers(
        &self,
        path: &str,
        host: &str,
        headers: &str,
    ) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
        let (head, body) = response
            .split_once("\r\n\r\n")
            .map(|(h, b)| (h.to_string(), b.to_string()))
            .unwrap_or_default();
        (status, head, body)
    }

    /// The server's live state: (build, failed, problems as JSON).
    pub fn state(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/__manual/state").1).unwrap()
    }

    /// Waits until the server's state satisfies `test`, or panics after 10 s.
    pub fn wait_for_state(
        &self,
        what: &str,
        test: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state = self.state();
            if test(&state) {
                return state;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; state {state}; log:\n{:#?}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn rebuilds(&self) -> usize {
        self.stderr
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(" changed: "))
            .count()
    }

    /// Asks `ask` every 50 ms until it answers, or panics after 10 s.
    fn poll<T>(&self, what: &str, ask: impl Fn() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(answer) = ask() {
                return answer;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; state {}; log:\n{:#?}",
                self.get("/__manual/state").1,
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `path`'s body satisfies `test`, or panics after 10 s.
    pub fn wait_for(&self, path: &str, what: &str, test: impl Fn(u16, &str) -> bool) -> String {
        self.poll(what, || {
            let (status, body) = self.get(path);
            test(status, &body).then_some(body)
        })
    }
}

/// A site rendered into memory, as `build` would write it.
#[derive(Default)]
pub struct MemorySink {
    pub files: Mutex<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl manual::write::SiteSink for MemorySink {
    fn create_folders(
        &self,
        _: &mut dyn Iterator<Item = &manual::url::OutputPath>,
    ) -> std::io::Result<()> {
        Ok(())
    }
    fn write(&self, file: &manual::url::OutputPath, contents: &[u8]) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap()
            .insert(file.to_string(), contents.to_vec());
        Ok(())
    }
    fn copy(&self, file: &manual::url::OutputPath, from: &Path) -> std::io::Result<()> {
        self.write(file, &fs::read(from)?)
    }
    fn location(&self, relative: &str) -> PathBuf {
        PathBuf::from(relative)
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn findings(&self) -> Vec<Finding> {
        self.stdout()
            .lines()
            .map(|line| {
                let v: serde_json::Value =
                    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
                Finding {
                    severity: v["severity"].as_str().unwrap().into(),
                    code: v["code"].as_str().unwrap().into(),
                    file: v["file"].as_str().unwrap().into(),
                    line: v["line"].as_u64().unwrap(),
                    column: v["column"].as_u64().unwrap(),
                    message: v["message"].as_str().unwrap().into(),
                    help: v["help"].as_str().unwrap_or_default().into(),
                }
            })
            .collect()
    }
}

impl Run {
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    pub fn success(&self) -> bool {
        self.0.status.success()
    }

    pub fn assert_ok(&self) -> &Self {
        assert!(self.success(), "build failed:\n{}", self.stderr());
        self
    }

    /// Exit status 2: the command could not run (broken settings or
    /// layouts, an output folder it may not replace, a disk it cannot
    /// write).
    pub fn assert_could_not_run(&self) -> &Self {
        assert_eq!(
            self.0.status.code(),
            Some(2),
            "expected exit 2:\n{}",
            self.stderr()
        );
        self
    }

    pub fn assert_failed(&self) -> &Self {
        assert_eq!(
            self.0.status.code(),
            Some(1),
            "expected exit 1:\n{}",
            self.stderr()
        );
        self
    }

    pub fn assert_stderr_has(&self, needle: &str) -> &Self {
        let stderr = self.stderr();
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}:\n{stderr}"
        );
        self
    }
}

/// Every file below `root`, as (relative path, bytes), sorted.
pub fn snapshot_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Runs git in `dir` as a fixed author with no user settings; returns its
/// output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}
