//! Build-time work, so that none of it happens when the manual is built:
//!
//! 1. Compiles syntect's default syntax definitions plus the ones in
//!    `highlight/syntaxes/` (languages the manual uses that the defaults
//!    lack) into one dump that the binary embeds: no grammar is parsed at
//!    run time.
//! 2. Turns the one theme, `highlight/theme.tmTheme`, into the stylesheet
//!    the binary publishes as `/assets/highlight.css` (through the same
//!    `src/highlight/classes.rs` the highlighter writes its classes with),
//!    and into a dump the binary embeds to resolve each token's style.
//! 3. Stamps `manual --version` with the git commit.

use std::path::PathBuf;
use std::process::Command;

use syntect::highlighting::ThemeSet;
use syntect::parsing::SyntaxSet;

// The highlighter uses the rest of it.
#[allow(dead_code)]
#[path = "src/highlight/classes.rs"]
mod classes;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=highlight");
    println!("cargo:rerun-if-changed=src/highlight/classes.rs");
    println!("cargo:rerun-if-changed=src/highlight/mod.rs");
    // The built-in theme and the starter files are compiled in
    // (`include_dir!`, `include_str!`); a file added to them must rebuild.
    println!("cargo:rerun-if-changed=theme");
    println!("cargo:rerun-if-changed=starter");

    let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
    builder
        .add_from_folder("highlight/syntaxes", true)
        .expect("highlight/syntaxes holds valid .sublime-syntax files");
    let syntaxes = builder.build();
    syntect::dumps::dump_to_uncompressed_file(&syntaxes, out.join("syntaxes.bin"))
        .expect("write the syntax dump");

    let theme = ThemeSet::get_theme("highlight/theme.tmTheme")
        .expect("highlight/theme.tmTheme is a valid theme");
    let css = classes::Classes::new(&theme).css();
    std::fs::write(out.join("highlight.css"), css).expect("write highlight.css");
    syntect::dumps::dump_to_uncompressed_file(&theme, out.join("theme.bin"))
        .expect("write the theme dump");

    // Names the highlight cache's folder: anything that could change a
    // highlighted block changes it, so no other build's entries are read.
    let mut stamp = std::collections::hash_map::DefaultHasher::new();
    for file in [
        out.join("syntaxes.bin"),
        out.join("theme.bin"),
        PathBuf::from("src/highlight/classes.rs"),
        PathBuf::from("src/highlight/mod.rs"),
    ] {
        std::hash::Hash::hash(
            &std::fs::read(file).expect("read what the stamp covers"),
            &mut stamp,
        );
    }
    std::hash::Hash::hash(env!("CARGO_PKG_VERSION"), &mut stamp);
    println!(
        "cargo:rustc-env=MANUAL_HIGHLIGHT_STAMP={:016x}",
        std::hash::Hasher::finish(&stamp)
    );

    let version = env!("CARGO_PKG_VERSION");
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string());
    let full = match commit {
        Some(commit) if !commit.is_empty() => format!("{version} ({commit})"),
        _ => version.to_string(),
    };
    println!("cargo:rustc-env=MANUAL_VERSION={full}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
