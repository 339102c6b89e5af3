//! `manual serve` driven over HTTP: what it serves, what it refuses, and how
//! it follows every way editors save files. tests/it/browser.rs shows the same
//! in a real browser.

use crate::common;

use std::time::Duration;

use common::{Fixture, Server};

fn site() -> Fixture {
    let site = Fixture::new();
    site.page("a", "Page A", "Ops", "Original text.\n");
    site.page("b", "Page B", "Ops", "Other page.\n");
    site
}

#[test]
fn serves_what_build_writes_plus_the_reload_script() {
    let site = site();
    site.write("source/manual/images/x.png", [0x89, b'P', b'N', b'G']);
    let server = Server::start(&site, None);
    let (status, page) = server.get("/manual/a.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("Original text.") && page.contains("new EventSource(\"/__manual/events\")")
    );
    assert_eq!(server.get("/").0, 200);
    assert!(server.get("/manual.html").1.contains("Page B"));
    assert_eq!(
        server.get("/manual/a").0,
        200,
        "extension-less URLs work as on most hosts"
    );
    assert!(server.get("/assets/highlight.css").1.contains(".hl-code"));
    let (status, not_found) = server.get("/manual/nothing.html");
    assert_eq!(status, 404);
    assert!(
        not_found.contains("<h1 class=\"page-title\">Page not found</h1>"),
        "the site's own 404 page: {not_found}"
    );

    site.build(&[]).assert_ok();
    assert!(
        !site.read("build/manual/a.html").contains("EventSource"),
        "the reload script leaked into build output"
    );
}

#[test]
fn no_path_leaves_the_site() {
    let site = site();
    site.write("secret.txt", "do not serve");
    std::os::unix::fs::symlink(site.path("secret.txt"), site.path("source/manual/leak.txt"))
        .unwrap();
    let server = Server::start(&site, None);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/manual/..%2f..%2fsecret.txt",
        "/manual/%2E%2E/%2E%2E/secret.txt",
        "/..\\secret.txt",
        "/manual/%5c..%5c..%5csecret.txt",
    ] {
        let (status, body) = server.get(path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("do not serve"), "{path} leaked");
    }
    let (status, body) = server.get("/manual/leak.txt");
    assert_eq!(status, 404, "a link to outside the source was served");
    assert!(!body.contains("do not serve"));
}

#[test]
fn every_editor_save_pattern_is_seen() {
    let site = site();
    let server = Server::start(&site, None);
    let page = site.path("source/manual/a.html.md");
    let front =
        "---\ntitle: Page A\nowner_slack: \"#team\"\nsection: Ops\nparent: /manual.html\n---\n";

    // Write in place.
    std::fs::write(&page, format!("{front}Saved in place.\n")).unwrap();
    server.wait_for("/manual/a.html", "write in place", |_, b| {
        b.contains("Saved in place.")
    });

    // Write a temporary file, then rename it over the page (vim, JetBrains).
    let temporary = site.path("source/manual/a.html.md.tmp");
    std::fs::write(&temporary, format!("{front}Saved by rename.\n")).unwrap();
    std::fs::rename(&temporary, &page).unwrap();
    server.wait_for("/manual/a.html", "write and rename", |_, b| {
        b.contains("Saved by rename.")
    });

    // Delete, then create.
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, format!("{front}Saved by delete and create.\n")).unwrap();
    server.wait_for("/manual/a.html", "delete and create", |_, b| {
        b.contains("Saved by delete and create.")
    });

    // Swap and backup files cause no rebuild.
    std::thread::sleep(Duration::from_millis(300));
    let before = server.rebuilds();
    for scratch in [".a.html.md.swp", "a.html.md~", "4913", ".#a.html.md"] {
        std::fs::write(site.path(&format!("source/manual/{scratch}")), "scratch").unwrap();
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.rebuilds(), before, "scratch files caused a rebuild");
}

#[test]
fn a_burst_of_saves_is_one_rebuild() {
    let site = site();
    let server = Server::start(&site, None);
    std::thread::sleep(Duration::from_millis(200));
    let before = server.rebuilds();
    // As an editor saves: several writes within a few milliseconds.
    let page = site.path("source/manual/a.html.md");
    let front =
        "---\ntitle: Page A\nowner_slack: \"#team\"\nsection: Ops\nparent: /manual.html\n---\n";
    let versions: Vec<String> = (0..5).map(|i| format!("{front}Burst {i}.\n")).collect();
    for version in &versions {
        std::fs::write(&page, version).unwrap();
    }
    server.wait_for("/manual/a.html", "the last save", |_, b| {
        b.contains("Burst 4.")
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        server.rebuilds() - before,
        1,
        "{:#?}",
        server.stderr.lock().unwrap()
    );
}

#[test]
fn pages_come_and_go_and_errors_keep_the_last_good_site() {
    let site = site();
    let server = Server::start(&site, None);

    site.page("c", "Brand new page", "Ops", "New.\n");
    server.wait_for("/manual.html", "the new page in the index", |_, b| {
        b.contains("Brand new page")
    });
    std::fs::remove_file(site.path("source/manual/b.html.md")).unwrap();
    server.wait_for("/manual/b.html", "the deleted page to go", |s, _| s == 404);

    // Broken front matter: the last good page stays, the error is reported
    // with file and line, and it clears when fixed.
    site.write(
        "source/manual/a.html.md",
        "---\ntitle: [broken\n---\nBroken.\n",
    );
    let state = server.wait_for("/__manual/state", "the error", |_, b| {
        b.contains("front-matter-yaml")
    });
    assert!(
        state.contains("\"file\":\"source/manual/a.html.md\""),
        "{state}"
    );
    assert!(state.contains("\"line\":"), "{state}");
    assert!(
        server.get("/manual/a.html").1.contains("Original text."),
        "the last good page is served"
    );
    site.page("a", "Page A", "Ops", "Fixed.\n");
    server.wait_for("/manual/a.html", "the fix", |_, b| b.contains("Fixed."));
    let state = server.get("/__manual/state").1;
    assert!(state.contains("\"problems\":[]"), "{state}");

    // Check findings are listed but the page is served.
    site.page("a", "Page A", "Ops", "[gone](/manual/gone.html)\n");
    let state = server.wait_for("/__manual/state", "the finding", |_, b| {
        b.contains("link-broken")
    });
    assert!(state.contains("\"severity\":\"error\""));
    assert!(
        server
            .get("/manual/a.html")
            .1
            .contains("href=\"/manual/gone.html\""),
        "served despite the finding"
    );
}

/// The served HTML without the live-reload script.
fn without_script(served: &str) -> String {
    let start = served.find("<script>\n(() => {");
    let end = start.and_then(|start| served[start..].find("</script>\n").map(|end| start + end));
    match (start, end) {
        (Some(start), Some(end)) => format!(
            "{}{}",
            &served[..start],
            &served[end + "</script>\n".len()..]
        ),
        _ => served.to_string(),
    }
}

fn assert_same_as_full_build(site: &Fixture, server: &Server, pages: &[&str]) {
    let out = format!("full-{}", server.rebuilds());
    site.build(&["--skip-check", "--out", &out]).assert_ok();
    for page in pages {
        if page.starts_with("search/") && page.ends_with(".json") {
            // The index catches up just after the reload message.
            let path = site.path(&format!("{out}/{page}"));
            let expected = std::fs::read_to_string(&path).ok();
            server.wait_for(
                &format!("/{page}"),
                "the search index",
                |status, body| match &expected {
                    Some(expected) => status == 200 && body == expected,
                    None => status == 404,
                },
            );
            continue;
        }
        let (status, served) = server.get(&format!("/{page}"));
        if !site.path(&format!("{out}/{page}")).exists() {
            assert_eq!(
                status, 404,
                "{page} is served but a full build has no such file"
            );
            continue;
        }
        let served = without_script(&served);
        assert_eq!(
            served,
            site.read(&format!("{out}/{page}")),
            "{page} differs from a full build"
        );
    }
}

fn last_rebuild(server: &Server) -> String {
    server
        .stderr
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|l| l.contains(" changed: "))
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_page_edit_renders_only_what_depends_on_it_and_matches_a_full_build() {
    let site = site();
    for i in 0..20 {
        site.page(
            &format!("p{i}"),
            &format!("Page {i}"),
            "Other",
            "[a](/manual/a.html#part-two)\n",
        );
    }
    site.write(
        "source/manual/child.html.md",
        "---\ntitle: Child\nowner_slack: '#team'\nsection: Other\nparent: /manual/a.html\n---\n",
    );
    site.page(
        "a",
        "Page A",
        "Ops",
        "## Part one\n\n## Part two\n\nText.\n",
    );
    site.write("source/site.yml", "enable_search: true\n");
    let server = Server::start(&site, None);
    assert!(server.get("/__manual/state").1.contains("\"problems\":[]"));
    let pages = [
        "manual/a.html",
        "manual/b.html",
        "manual/p3.html",
        "manual/child.html",
        "manual.html",
        "index.html",
        "search/index.html",
        // The search index follows every edit.
        "search/pages.json",
        "search/terms-pa.json",
        // "text" is only in page A's body until the title edit below.
        "search/terms-te.json",
    ];

    // A body edit that removes the heading other pages link to: the page
    // and the print page (which holds every page) are rendered again (the
    // search index follows after the reload), and the pages linking to it
    // are checked again.
    site.page(
        "a",
        "Page A",
        "Ops",
        "## Part one\n\n## Part 2\n\nNew text.\n",
    );
    server.wait_for("/manual/a.html", "the edit", |_, b| b.contains("New text."));
    assert!(
        last_rebuild(&server).contains("a.html.md changed: updated 2 file(s)"),
        "{}",
        last_rebuild(&server)
    );
    let state = server.wait_for("/__manual/state", "the fragment findings", |_, b| {
        b.contains("link-fragment-missing")
    });
    assert_eq!(
        state.matches("link-fragment-missing").count(),
        20,
        "{state}"
    );
    assert_same_as_full_build(&site, &server, &pages);

    // A title change: the page, its section's pages (Ops: a and b), its
    // child's breadcrumbs, the index, the home and not-found pages (their
    // section lists), the print page, /api/pages.json and /api/manual.json;
    // nothing else.
    site.page("a", "Page A renamed", "Ops", "## Part one\n\n## Part two\n");
    server.wait_for("/manual.html", "the new title in the index", |_, b| {
        b.contains("Page A renamed")
    });
    assert!(
        last_rebuild(&server).contains("a.html.md changed: updated 9 file(s)"),
        "{}",
        last_rebuild(&server)
    );
    server.wait_for(
        "/__manual/state",
        "the fragments to resolve again",
        |_, b| b.contains("\"problems\":[]"),
    );
    assert!(
        server
            .get("/manual/child.html")
            .1
            .contains(">Page A renamed</a>")
    );
    assert_same_as_full_build(&site, &server, &pages);

    // A new page that sorts before every other (so every page after it in
    // the site's order moves): it, its section's pages (their count and
    // neighbours), the index, home, not-found and print pages and the two
    // feeds; none of the 21 pages of the other section.
    site.page("aa", "Aardvark", "Ops", "Text.\n");
    server.wait_for("/manual/aa.html", "the new page", |status, _| status == 200);
    assert!(
        last_rebuild(&server).contains("aa.html.md changed: updated 9 file(s)"),
        "{}",
        last_rebuild(&server)
    );
    assert_same_as_full_build(&site, &server, &pages);

    // A layout edit re-renders pages without reading them again; an asset
    // edit renders nothing (the asset itself is the one file updated).
    drop(server);
    let layouts = site.copy_layouts();
    let server = Server::start(&site, Some(&layouts));
    // The page layouts' shared main block, which both include.
    let template = layouts.join("_page_main.html");
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(text.contains("class=\"page-layout__main\""), "{text}");
    let text = text.replace(
        "<main id=\"main-content\" class=\"page-layout__main\">",
        "<main id=\"main-content\" class=\"page-layout__main changed\">",
    );
    std::fs::write(&template, text).unwrap();
    server.wait_for("/manual/b.html", "the layout change", |_, b| {
        b.contains("class=\"page-layout__main changed\"")
    });
    // 24 pages, then the index, home, 404, search and print pages.
    assert!(
        last_rebuild(&server).contains("_page_main.html changed: updated 29 file(s)"),
        "{}",
        last_rebuild(&server)
    );
    std::fs::write(
        layouts.join("assets/manual.css"),
        "body { color: black; }\n",
    )
    .unwrap();
    server.wait_for("/assets/manual.css", "the new stylesheet", |_, b| {
        b == "body { color: black; }\n"
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        last_rebuild(&server).contains("manual.css changed: updated 1 file(s)"),
        "{}",
        last_rebuild(&server)
    );
}

#[test]
fn serves_under_the_base_path_as_the_host_will() {
    let site = site();
    site.write("source/site.yml", "base_path: /docs\n");
    let server = Server::start(&site, None);
    assert_eq!(server.get("/").0, 307, "the root leads to the base path");
    let (status, page) = server.get("/docs/manual/a.html");
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/docs/assets/manual.css\""), "{page}");
    assert_eq!(server.get("/docs/").0, 200);
    assert_eq!(server.get("/docs").0, 200);
    assert!(server.get("/docs/assets/manual.css").1.contains("body"));
    let (status, body) = server.get("/manual/a.html");
    assert_eq!(status, 404, "outside the base path nothing is published");
    assert!(body.contains("<h1 class=\"page-title\">Page not found</h1>"));
    assert_eq!(server.get("/docsx/manual/a.html").0, 404);
    assert_eq!(server.get("/docs/%2e%2e/Cargo.toml").0, 400);
}

#[test]
fn concurrent_requests_during_edits_all_succeed_and_the_last_edit_is_served() {
    let site = site();
    for i in 0..30 {
        site.page(&format!("p{i}"), &format!("Page {i}"), "Ops", "Text.\n");
    }
    let server = std::sync::Arc::new(Server::start(&site, None));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..16)
        .map(|client| {
            let server = server.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                let mut requests = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let path = format!("/manual/p{}.html", (client + requests) % 30);
                    let (status, body) = server.get(&path);
                    if status != 200 || !body.contains("</html>") {
                        failures.push(format!("{path}: {status}"));
                    }
                    requests += 1;
                }
                (requests, failures)
            })
        })
        .collect();
    for n in 0..20 {
        site.page("p7", "Page 7", "Ops", &format!("Edit {n}.\n"));
        std::thread::sleep(Duration::from_millis(60));
    }
    site.page("p7", "Page 7", "Ops", "The last edit.\n");
    server.wait_for("/manual/p7.html", "the last edit", |status, body| {
        status == 200 && body.contains("The last edit.")
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for client in clients {
        let (requests, failures) = client.join().unwrap();
        assert!(failures.is_empty(), "{failures:?}");
        total += requests;
    }
    assert!(total > 100, "only {total} requests made");
    // Still the last edit once everything has settled.
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.get("/manual/p7.html").1.contains("The last edit."));
}

// ---- A dev server safe to leave running ---------------------------------

#[test]
fn requests_to_other_host_names_are_refused() {
    let site = site();
    let server = Server::start(&site, None);
    let port = server.address.rsplit(':').next().unwrap().to_string();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("manual.localhost:{port}"),
    ] {
        assert_eq!(server.request("/manual/a.html", &host, "").0, 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost.evil.example:{port}"),
    ] {
        let (status, body) = server.request("/manual/a.html", &host, "");
        assert_eq!(status, 403, "{host}");
        assert!(!body.contains("Original text."), "{host} read the page");
        assert!(body.contains("--allow-host"), "{body}");
        assert_eq!(server.request("/__manual/state", &host, "").0, 403);
        assert_eq!(server.request("/__manual/events", &host, "").0, 403);
    }
}

#[test]
fn allow_host_lets_a_named_host_in() {
    let site = site();
    let mut child = common::manual()
        .current_dir(site.path(""))
        .args(["serve", "--port", "0", "--allow-host", "docs.internal"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let address = first
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let server = Server {
        address,
        stderr: Default::default(),
        child,
    };
    assert_eq!(server.request("/manual/a.html", "docs.internal", "").0, 200);
    assert_eq!(
        server.request("/manual/a.html", "other.internal", "").0,
        403
    );
}

#[test]
fn a_page_replaced_by_a_link_to_outside_is_not_served() {
    let site = site();
    site.write("secret.txt", "---\ntitle: Secret\n---\nthe secret words\n");
    let server = Server::start(&site, None);
    let page = site.path("source/manual/a.html.md");
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(site.path("secret.txt"), &page).unwrap();
    let state = server.wait_for_state("the link to be refused", |s| {
        s["problems"].to_string().contains("source-link-outside")
    });
    assert_eq!(state["failed"], true, "{state}");
    let (_, body) = server.get("/manual/a.html");
    assert!(
        !body.contains("the secret words"),
        "the outside file was served"
    );
    assert!(body.contains("Original text."), "the last good page stays");
    // build refuses the same tree.
    site.build(&[])
        .assert_failed()
        .assert_stderr_has("source-link-outside");
}

#[test]
fn a_fifo_in_the_source_neither_blocks_rebuilds_nor_the_server() {
    let site = site();
    let server = Server::start(&site, None);
    let status = std::process::Command::new("mkfifo")
        .arg(site.path("source/manual/pipe.html.md"))
        .status()
        .unwrap();
    assert!(status.success());
    server.wait_for_state("the FIFO to be reported", |s| {
        s["problems"].to_string().contains("source-not-regular")
    });
    assert_eq!(server.get("/manual/b.html").0, 200);
    std::fs::remove_file(site.path("source/manual/pipe.html.md")).unwrap();
    site.page("b", "Page B", "Ops", "After the pipe.\n");
    server.wait_for("/manual/b.html", "a rebuild after the FIFO", |_, b| {
        b.contains("After the pipe.")
    });
}

#[test]
fn ctrl_c_stops_at_once_with_a_live_reload_stream_open() {
    use std::io::{Read, Write};
    let site = site();
    let mut server = Server::start(&site, None);
    let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "GET /__manual/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.address
    )
    .unwrap();
    let mut first = [0u8; 64];
    let _ = stream.read(&mut first).unwrap();
    let pid = server.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "serve did not stop within 3 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_source_folder_deleted_and_made_again_is_watched_again() {
    let site = site();
    let server = Server::start(&site, None);
    let source = site.path("source");
    let aside = site.path("source-aside");
    std::fs::rename(&source, &aside).unwrap();
    server.wait_for_state("the missing source", |s| {
        s["problems"].to_string().contains("source-missing")
    });
    std::fs::rename(&aside, &source).unwrap();
    server.wait_for_state("the source back", |s| s["failed"] == false);
    site.page(
        "a",
        "Page A",
        "Ops",
        "Written after the folder came back.\n",
    );
    server.wait_for("/manual/a.html", "the edit in the new folder", |_, b| {
        b.contains("Written after the folder came back.")
    });
}

#[test]
fn a_file_written_every_10_ms_does_not_postpone_rebuilds() {
    let site = site();
    let server = Server::start(&site, None);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = {
        let stop = stop.clone();
        let path = site.path("source/manual/busy.html.md");
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::write(
                    &path,
                    format!("---\ntitle: Busy\nowner_slack: \"#team\"\nsection: Ops\n---\n{n}\n"),
                )
                .unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    site.page("a", "Page A", "Ops", "Saved while another file churns.\n");
    server.wait_for("/manual/a.html", "the edit despite the churn", |_, b| {
        b.contains("Saved while another file churns.")
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    busy.join().unwrap();
}

#[test]
fn assets_are_streamed_with_ranges() {
    let site = site();
    let bytes: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
    site.write("source/manual/images/big.png", &bytes);
    let server = Server::start(&site, None);
    let host = server.address.clone();
    let (status, head, body) = server.request_with_headers(
        "/manual/images/big.png",
        &host,
        "Range: bytes=1000-1009\r\n",
    );
    assert_eq!(status, 206, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-range: bytes 1000-1009/4000000"),
        "{head}"
    );
    let expected: String = String::from_utf8_lossy(&bytes[1000..1010]).into_owned();
    assert_eq!(body, expected);
    let (status, head, _) = server.request_with_headers("/manual/images/big.png", &host, "");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-length: 4000000"),
        "{head}"
    );
}

#[test]
fn a_client_that_never_finishes_its_request_is_cut_off() {
    use std::io::{Read, Write};
    let site = site();
    let server = Server::start(&site, None);
    let mut slow = std::net::TcpStream::connect(&server.address).unwrap();
    slow.write_all(b"GET /manual/a.html HTTP/1.1\r\nHost: loc")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the connection was held {:?}",
        started.elapsed()
    );
    // Others are served meanwhile.
    assert_eq!(server.get("/manual/a.html").0, 200);
}

#[test]
fn the_overlay_says_whether_the_build_failed_and_a_fix_reloads() {
    let site = site();
    let server = Server::start(&site, None);
    let start = server.state();
    assert_eq!(start["failed"], false);
    // A broken link: the page is rebuilt (the build number moves, so the
    // tab reloads) and check's finding is shown; nothing failed.
    site.page("a", "Page A", "Ops", "[gone](/manual/gone.html)\n");
    let broken = server.wait_for_state("the broken link", |s| {
        s["problems"].to_string().contains("link-broken")
    });
    assert_eq!(broken["failed"], false, "{broken}");
    assert_ne!(
        broken["build"], start["build"],
        "the edited page must reload"
    );
    // Fixed: the finding goes and the page reloads again.
    site.page("a", "Page A", "Ops", "[b](/manual/b.html)\n");
    let fixed = server.wait_for_state("the fix", |s| s["problems"] == serde_json::json!([]));
    assert_ne!(fixed["build"], broken["build"]);
    // Front matter that cannot be read: the build fails, the last good
    // pages stay, and the state says so.
    site.write("source/manual/a.html.md", "---\ntitle: [\n---\n");
    let failed = server.wait_for_state("the failure", |s| s["failed"] == true);
    assert_eq!(failed["build"], fixed["build"], "nothing new is served");
    assert!(failed["problems"].to_string().contains("front-matter-yaml"));
    site.page("a", "Page A", "Ops", "Mended.\n");
    let mended = server.wait_for_state("the mend", |s| s["failed"] == false);
    assert_ne!(mended["build"], failed["build"], "the mended page reloads");
}

#[test]
fn connections_are_capped() {
    let site = site();
    let server = Server::start(&site, None);
    let held: Vec<std::net::TcpStream> = (0..600)
        .filter_map(|_| std::net::TcpStream::connect(&server.address).ok())
        .collect();
    assert!(held.len() >= 550, "could open only {}", held.len());
    std::thread::sleep(Duration::from_millis(500));
    let open = std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
        .unwrap()
        .count();
    // 512 connections, plus the listener, the watcher and the standard
    // streams.
    assert!(open < 512 + 40, "{open} descriptors open");
    drop(held);
}

/// What an ERB page writes depends on other files (its partials, its ERB
/// layout, the other pages' front matter): an edit to any of them shows on
/// the page, and the page matches a fresh build.
#[test]
fn an_edit_to_a_partial_a_layout_or_another_page_shows_on_the_erb_pages_that_use_it() {
    let site = Fixture::new();
    site.write("config/tech-docs.yml", "service_name: Live\n");
    site.write("source/partials/_links.erb", "[guide]: /guide/\n");
    site.write(
        "source/layouts/wrapped.erb",
        "<% wrap_layout :layout do %><div class=\"wrap-one\"><%= yield %></div><% end %>",
    );
    site.write(
        "source/index.html.md.erb",
        "---\ntitle: Home\nlayout: wrapped\n---\nSee [the guide][guide].\n\n<% sitemap.resources.each do |r| %>\n- <%= r.data.title %>\n<% end %>\n\n<%= partial 'partials/links' %>\n",
    );
    site.write(
        "source/guide/index.html.md",
        "---\ntitle: Guide\n---\nText.\n",
    );
    let server = Server::start(&site, None);
    let home = server.get("/").1;
    assert!(home.contains("<a href=\"/guide/\">the guide</a>"), "{home}");
    assert!(home.contains("<div class=\"wrap-one\">") && home.contains("<li>Guide</li>"));

    site.write("source/partials/_links.erb", "[guide]: /guide/#text\n");
    server.wait_for("/", "the partial's new link", |_, b| {
        b.contains("<a href=\"/guide/#text\">the guide</a>")
    });
    site.write(
        "source/layouts/wrapped.erb",
        "<% wrap_layout :layout do %><div class=\"wrap-two\"><%= yield %></div><% end %>",
    );
    server.wait_for("/", "the layout's new markup", |_, b| {
        b.contains("wrap-two")
    });
    site.write(
        "source/guide/index.html.md",
        "---\ntitle: Guide renamed\n---\nText.\n",
    );
    server.wait_for("/", "the other page's new title", |_, b| {
        b.contains("<li>Guide renamed</li>")
    });
    // The fragment the partial now names does not exist: check says so, at
    // the partial.
    let state = server.wait_for_state("the fragment finding", |s| {
        s["problems"].to_string().contains("link-fragment-missing")
    });
    assert!(
        state["problems"]
            .to_string()
            .contains("source/partials/_links.erb"),
        "{state}"
    );
    let out = format!("full-{}", server.rebuilds());
    site.build(&["--skip-check", "--out", &out]).assert_ok();
    assert_eq!(
        without_script(&server.get("/").1),
        site.read(&format!("{out}/index.html"))
    );
}

#[test]
fn code_highlighted_while_serving_is_kept_for_the_next_build() {
    let site = site();
    std::fs::create_dir(site.path(".manual-cache")).unwrap();
    let server = Server::start(&site, None);
    site.page("c", "Page C", "Ops", "```ruby\nputs :kept_for_later\n```\n");
    server.wait_for("/manual/c.html", "the new page", |_, b| {
        b.contains("kept_for_later")
    });
    let cache = site.path(".manual-cache");
    let packed = |cache: &std::path::Path| {
        std::fs::read_dir(cache)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("highlight-"))
            .any(|e| {
                std::fs::read_to_string(e.path().join("pack"))
                    .is_ok_and(|pack| pack.contains("kept_for_later"))
            })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !packed(&cache) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(packed(&cache), "the block is in the cache's pack");
}

/// Open pages wait on live-reload streams; hundreds of them (a browser
/// left with many tabs, or a client that opens streams on purpose) must
/// not take the slots page requests need.
#[test]
fn idle_live_reload_streams_never_crowd_out_page_requests() {
    use std::io::{Read, Write};
    let site = site();
    let server = Server::start(&site, None);
    let mut streams = Vec::new();
    let mut refused = 0;
    for _ in 0..640 {
        let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "GET /__manual/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.address
        )
        .unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).unwrap();
        if head.ends_with(b"503") {
            refused += 1;
        }
        streams.push(stream);
    }
    assert_eq!(
        refused,
        640 - manual::serve::MAX_LIVE_STREAMS,
        "streams past the cap are refused"
    );
    let started = std::time::Instant::now();
    assert_eq!(server.get("/manual/a.html").0, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(streams);
}

#[test]
fn a_project_folder_deleted_and_made_again_is_served_again() {
    let site = site();
    let server = Server::start(&site, None);
    let project = site.dir.path().to_path_buf();
    let aside = project.with_extension("aside");
    std::fs::rename(&project, &aside).unwrap();
    std::fs::create_dir(&project).unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", aside.display()))
        .arg(&project)
        .status()
        .unwrap();
    assert!(copied.success());
    site.page("a", "Page A", "Ops", "Written in the new project folder.\n");
    server.wait_for(
        "/manual/a.html",
        "the edit in the new project folder",
        |_, b| b.contains("Written in the new project folder."),
    );
    std::fs::remove_dir_all(&aside).unwrap();
}

/// `config.rb` is one of the files a build reads (`activate
/// :directory_indexes`), so serve watches it as it watches the settings.
#[test]
fn serve_sees_a_change_to_config_rb() {
    let site = site();
    let server = Server::start(&site, None);
    assert_eq!(server.get("/manual/a.html").0, 200);
    site.write("config.rb", "activate :directory_indexes\n");
    server.wait_for("/manual/a/", "the page as a folder", |status, _| {
        status == 200
    });
}

/// The first build lists the problems it counts, as `check` prints them.
#[test]
fn serves_first_build_lists_the_problems_it_counts() {
    let site = site();
    site.page("c", "Page C", "Ops", "[gone](/manual/gone.html)\n");
    let server = Server::start(&site, None);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let said = server.stderr.lock().unwrap().join("\n");
        if said.contains("first build") {
            assert!(
                said.contains("source/manual/c.html.md:7:1: error[link-broken]"),
                "{said}"
            );
            assert!(said.contains("1 problem(s) found by check"), "{said}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no first build: {said}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
