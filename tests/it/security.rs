//! What the tool must never do: use the network unless `--external` asks
//! for it, or listen beyond this computer unless told to.

use crate::common;

use std::process::Command;

use common::{Fixture, Server};

/// Runs `manual ARGS` in the fixture under strace, tracing the system
/// calls `trace` names in the process and its children (git); returns the
/// log. The run must end with a status (strace is installed: `.ci/run`
/// installs it).
fn strace(site: &Fixture, trace: &str, args: &[&str]) -> String {
    let log = site.path("strace.log");
    let run = Command::new("strace")
        .args(["-f", "-qq", "-e", trace, "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_manual"))
        .env("XDG_CACHE_HOME", common::user_cache())
        .args(args)
        .current_dir(site.path(""))
        .output()
        .expect("strace is installed (apt-get install strace; .ci/run does)");
    assert!(
        run.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(&log).unwrap()
}

/// Every socket the run opens.
fn sockets_opened(site: &Fixture, args: &[&str]) -> String {
    strace(site, "trace=socket,connect", args)
}

fn internet_sockets(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("AF_INET") || l.contains("AF_INET6"))
        .collect()
}

#[test]
fn build_and_check_open_no_network_socket_unless_external_is_given() {
    let site = Fixture::new();
    site.page(
        "a",
        "Page A",
        "Ops",
        "[elsewhere](https://example.org/page) [local](http://127.0.0.1:9/x)\n",
    );
    for args in [
        &["build"][..],
        &["check"][..],
        &["owners"][..],
        &["check", "--format", "json"][..],
    ] {
        let log = sockets_opened(&site, args);
        assert_eq!(internet_sockets(&log), Vec::<&str>::new(), "{args:?}");
    }
    // The control: with --external, the same page's links are requested,
    // and strace sees it.
    let log = sockets_opened(&site, &["check", "--external"]);
    assert!(
        !internet_sockets(&log).is_empty(),
        "strace saw no socket: {log}"
    );
}

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Text.\n");
    let server = Server::start(&site, None);
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
}

/// `owners` needs neither highlighted code nor commit dates, so it runs
/// no git (which `build` does, for "Last updated").
#[test]
fn owners_runs_no_git() {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "```ruby\nputs 1\n```\n");
    let programs_run = |args: &[&str]| strace(&site, "trace=execve", args);
    let runs_git = |log: &str| {
        log.lines()
            .any(|l| l.contains("execve(") && l.contains("/git\""))
    };
    assert!(!runs_git(&programs_run(&["owners"])), "owners ran git");
    // The control: build asks git for each page's last commit.
    assert!(runs_git(&programs_run(&["build"])), "build ran no git");
}

/// Each page is read once a run: a page an ERB layout wraps, and an ERB
/// page, are read once and parsed once, with the other pages' front matter.
#[test]
fn each_page_is_read_once() {
    let site = Fixture::new();
    site.write("config/tech-docs.yml", "service_name: Once\n");
    site.write(
        "source/layouts/wrapped.erb",
        "<% wrap_layout :layout do %><div class=\"wrapped\"><%= yield %></div><% end %>",
    );
    site.write(
        "source/index.html.md",
        "---\ntitle: Home\nlayout: wrapped\n---\nWrapped.\n",
    );
    site.write(
        "source/list.html.md.erb",
        "---\ntitle: List\n---\n<% sitemap.resources.each do |r| %>\n- <%= r.data.title %>\n<% end %>\n",
    );
    site.write("source/plain.html.md", "---\ntitle: Plain\n---\nPlain.\n");
    let log = strace(&site, "trace=open,openat", &["build", "--skip-check"]);
    for page in ["index.html.md\"", "list.html.md.erb\"", "plain.html.md\""] {
        let opens = log
            .lines()
            .filter(|l| l.contains(page) && !l.contains("ENOENT"))
            .count();
        assert_eq!(opens, 1, "{page} opened {opens} times:\n{log}");
    }
    assert!(site.read("build/index.html").contains("class=\"wrapped\""));
    assert!(site.read("build/list.html").contains("<li>Plain</li>"));
}
