//! Invariant: output changes only when a change means it to. Every file
//! built from the GOV.UK sample, the tech-docs gem's documentation and a
//! generated 3,000-page site is listed with its digest in a snapshot, so a
//! refactor is shown byte-identical by this test passing, and a change
//! that does alter output shows which files, to be accepted
//! (`INSTA_UPDATE=always`) in the same commit. `scripts/compare-output.sh`
//! compares two binaries file by file, and `check`'s findings too.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::common::{self, Fixture};

/// `path  size  digest` for every file under `folder`, sorted.
fn digests(folder: &Path) -> String {
    let mut lines: Vec<String> = walkdir::WalkDir::new(folder)
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let bytes = std::fs::read(entry.path()).unwrap();
            let relative = entry.path().strip_prefix(folder).unwrap();
            let digest = Sha256::digest(&bytes);
            let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            format!("{}  {}  {short}", relative.display(), bytes.len())
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// Builds the site in `root` (with `extra` arguments) for a fixed day,
/// with no cache and no checks, as `compare-output.sh` does.
fn built(root: &Path, extra: &[&std::ffi::OsStr]) -> String {
    let out = Fixture::new();
    let run = common::Run(
        common::manual_cmd()
            .arg("-C")
            .arg(root)
            .args(["build", "--no-cache", "--quiet", "--skip-check"])
            .args(["--today", "2026-12-01", "--out"])
            .arg(out.path("site"))
            .args(extra)
            .output()
            .unwrap(),
    );
    run.assert_ok();
    digests(&out.path("site"))
}

#[test]
fn the_govuk_sample_builds_to_the_same_files() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk-manual.yml");
    let files = built(
        &common::shared_corpus("govuk-manual"),
        &["--config".as_ref(), config.as_os_str()],
    );
    insta::assert_snapshot!(files);
}

#[test]
fn the_gem_documentation_builds_to_the_same_files() {
    insta::assert_snapshot!(built(&common::shared_corpus("tech-docs-gem-docs"), &[]));
}

#[test]
fn a_generated_site_builds_to_the_same_files() {
    let site = Fixture::new();
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/generate-site.py");
    let made = std::process::Command::new("python3")
        .arg(generator)
        .arg("3000")
        .arg(site.path("generated"))
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    insta::assert_snapshot!(built(&site.path("generated"), &[]));
}
