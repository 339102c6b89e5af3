//! `serve` in a real browser: headless Chromium, driven through
//! ChromeDriver (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs). Edits appear without a manual reload, a broken page
//! shows an overlay naming the file and line until it is fixed, a CSS
//! change applies without navigating, and a new page shows in the index.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Fixture, Server};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser(profile: &std::path::Path) -> (Driver, Client) {
    let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect(
            "chromedriver is not installed: apt-get install chromium chromium-driver (see .ci/run)",
        );
    let port = free_port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match connected {
            Ok(client) => return (driver, client),
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start Chromium through ChromeDriver: {e}"),
        }
    }
}

/// Polls `probe` (JavaScript returning a value) until `done` accepts it.
async fn wait_for(
    client: &Client,
    what: &str,
    probe: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = client
            .execute(probe, vec![])
            .await
            .unwrap_or(serde_json::Value::Null);
        if done(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last value {value}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_errors_styles_and_new_pages_show_in_the_browser() {
    let site = Fixture::new();
    // The site's own copy of the layouts, so the test can change the CSS.
    let layouts = site.copy_layouts();
    site.page("a", "Page A", "Ops", "Original text.\n");
    let server = Server::start(&site, Some(&layouts));
    let (_driver, client) = browser(&site.path("profile")).await;

    client
        .goto(&format!("http://{}/manual/a.html", server.address))
        .await
        .unwrap();
    let text = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Original text."), "{text}");

    // An edit shows without a manual reload.
    site.page("a", "Page A", "Ops", "Edited text.\n");
    wait_for(
        &client,
        "the edit",
        "return document.querySelector('main').innerText",
        |v| v.as_str().is_some_and(|t| t.contains("Edited text.")),
    )
    .await;

    // Broken front matter: an overlay names the file and line; the page
    // keeps its last good content; fixing it removes the overlay.
    site.write(
        "source/manual/a.html.md",
        "---\ntitle: [broken\n---\nBroken.\n",
    );
    let overlay = wait_for(
        &client,
        "the error overlay",
        "const o = document.getElementById('manual-serve-overlay'); return o ? o.innerText : null",
        |v| v.as_str().is_some_and(|t| t.contains("front-matter-yaml")),
    )
    .await;
    let overlay = overlay.as_str().unwrap();
    assert!(overlay.contains("source/manual/a.html.md:"), "{overlay}");
    assert!(
        client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Edited text.")
    );
    site.page("a", "Page A", "Ops", "Fixed text.\n");
    wait_for(
        &client,
        "the fix",
        "return document.querySelector('main') ? document.querySelector('main').innerText : ''",
        |v| v.as_str().is_some_and(|t| t.contains("Fixed text.")),
    )
    .await;
    wait_for(
        &client,
        "the overlay to go",
        "return document.getElementById('manual-serve-overlay') === null",
        |v| v == &serde_json::Value::Bool(true),
    )
    .await;

    // A CSS change applies without navigating: a marker set on the page
    // survives it.
    client
        .execute("window.__stillHere = true; return true", vec![])
        .await
        .unwrap();
    let css = layouts.join("assets/manual.css");
    let mut style = std::fs::read_to_string(&css).unwrap();
    style.push_str("\nbody { background-color: rgb(1, 2, 3); }\n");
    std::fs::write(&css, style).unwrap();
    wait_for(
        &client,
        "the new style",
        "return getComputedStyle(document.body).backgroundColor",
        |v| v.as_str() == Some("rgb(1, 2, 3)"),
    )
    .await;
    assert_eq!(
        client
            .execute("return window.__stillHere === true", vec![])
            .await
            .unwrap(),
        serde_json::Value::Bool(true),
        "the page reloaded"
    );

    // A new page appears in the open index.
    client
        .goto(&format!("http://{}/manual.html", server.address))
        .await
        .unwrap();
    site.page("new", "A page added while serving", "Ops", "New.\n");
    wait_for(
        &client,
        "the new page in the index",
        "return document.body.innerText",
        |v| {
            v.as_str()
                .is_some_and(|t| t.contains("A page added while serving"))
        },
    )
    .await;

    client.close().await.unwrap();
}
