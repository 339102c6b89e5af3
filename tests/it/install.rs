//! `manual` as people get it: installed with `cargo install`, run in an
//! empty folder with nothing from this repository beside it. The binary
//! alone must start, build and check a manual (the theme and the starter
//! files are compiled in).

use std::path::Path;
use std::process::Command;

fn run(binary: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(binary)
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "manual {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn the_installed_binary_starts_builds_and_checks_a_manual_on_its_own() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = tempfile::tempdir().unwrap();
    // A debug build in a target folder of its own (the tests' own is locked
    // by the running `cargo test`), kept between runs so a rerun is quick.
    let status = Command::new(env!("CARGO"))
        .args([
            "install", "--path", ".", "--locked", "--debug", "--quiet", "--root",
        ])
        .arg(root.path())
        .arg("--target-dir")
        .arg(repository.join("target/install-test"))
        .current_dir(repository)
        .status()
        .unwrap();
    assert!(status.success(), "cargo install failed");
    let binary = root.path().join("bin/manual");
    assert!(binary.is_file());

    let empty = tempfile::tempdir().unwrap();
    run(&binary, empty.path(), &["init"]);
    run(&binary, empty.path(), &["check", "--deny", "warnings"]);
    run(&binary, empty.path(), &["build"]);
    let built = empty.path().join("build");
    for file in [
        "index.html",
        "manual.html",
        "manual/first-page.html",
        "assets/manual.css",
        "assets/highlight.css",
        "search/pages.json",
    ] {
        assert!(built.join(file).is_file(), "{file} was not built");
    }
    let version = run(&binary, empty.path(), &["--version"]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("manual "));
}

#[test]
fn the_package_holds_everything_the_binary_is_built_from() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(repository)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = String::from_utf8_lossy(&output.stdout);
    for file in [
        "LICENSE",
        "README.md",
        "build.rs",
        "theme/manual_layout.html",
        "theme/assets/manual.css",
        "starter/site.yml",
        "starter/source/manual/first-page.html.md",
        "highlight/theme.tmTheme",
    ] {
        assert!(
            listed.lines().any(|l| l == file),
            "the package lacks {file}:\n{listed}"
        );
    }
    assert!(
        !listed.lines().any(|l| l.starts_with("tests/")),
        "tests are not shipped"
    );
}
