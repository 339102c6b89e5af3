//! `serve` in a real browser: headless Chromium, driven through
//! ChromeDriver (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs). Edits appear without a manual reload, a broken page
//! shows an overlay naming the file and line until it is fixed, a CSS
//! change applies without navigating, and a new page shows in the index.

use crate::common;

use common::browser::{browser, wait_for};
use common::{Fixture, Server};
use fantoccini::Locator;

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
    // The count above the list is the count of the list.
    let listed = overlay.matches(": error[").count();
    let warnings = overlay.matches(": warning[").count();
    let said = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    assert!(overlay.contains(&said(listed, "error")), "{overlay}");
    if warnings > 0 {
        assert!(overlay.contains(&said(warnings, "warning")), "{overlay}");
    }
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
