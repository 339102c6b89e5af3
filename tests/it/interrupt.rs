//! Ctrl-C (SIGINT) during `build` and `serve`: the published site is left
//! exactly as it was, nothing is left behind, and both exit promptly.

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Fixture, snapshot_tree};

fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn leftovers(site: &Fixture) -> Vec<String> {
    std::fs::read_dir(site.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".build."))
        .collect()
}

#[test]
fn ctrl_c_during_build_leaves_the_published_site_and_no_staging_folder() {
    let site = Fixture::new();
    // Enough pages that rendering takes a while in a debug build.
    let body = "## Steps\n\n```ruby\nputs 1\n```\n\n".repeat(20);
    for i in 0..3000 {
        site.page(&format!("p{i}"), &format!("Page {i}"), "Ops", &body);
    }
    site.build(&["--skip-check"]).assert_ok();
    let before = snapshot_tree(&site.path("build"));

    site.page("p0", "Changed", "Ops", "Changed.\n");
    let mut child = common::manual()
        .current_dir(site.path(""))
        .args(["build", "--skip-check"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the build is writing its staging folder.
    let deadline = Instant::now() + Duration::from_secs(60);
    while leftovers(&site).is_empty() {
        assert!(Instant::now() < deadline, "the build never started writing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    interrupt(child.id());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("build: error[interrupted]: stopped by Ctrl-C"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Build stopped; build was left unchanged."),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error[interrupted]:").count(),
        1,
        "one report, not one per page: {stderr}"
    );
    assert!(
        before == snapshot_tree(&site.path("build")),
        "build/ changed"
    );
    assert_eq!(leftovers(&site), Vec::<String>::new());
}

#[test]
fn ctrl_c_stops_serve_cleanly() {
    let site = Fixture::new();
    site.page("a", "A", "Ops", "Text.\n");
    let mut server = common::Server::start(&site, None);
    assert_eq!(server.get("/manual/a.html").0, 200);
    interrupt(server.child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}
