//! Highlights every distinct fenced code block of a source folder with the
//! highlighter `manual` uses (syntect, with its grammars and classes) and
//! with giallo (the TextMate engine Zola moved to), one block at a time on
//! one thread, and prints per language how many blocks each engine
//! highlighted and how long it took. Each block is highlighted once: the
//! comparison is of the engines, not of `manual`'s caches.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use giallo::{HighlightOptions, HtmlRenderer, Registry, RenderOptions, ThemeVariant};
use manual::highlight::{Highlighted, Highlighter};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// What authors write after the fence that giallo knows by another name.
fn giallo_name(language: &str) -> &str {
    match language {
        "console" | "shell-session" => "bash",
        "docker" => "dockerfile",
        "erb" => "erb",
        "mongo" | "mongosh" => "javascript",
        other => other,
    }
}

#[derive(Default)]
struct Tally {
    blocks: usize,
    bytes: usize,
    syntect: Duration,
    syntect_highlighted: usize,
    giallo: Duration,
    giallo_highlighted: usize,
}

fn code_blocks(folder: &str) -> BTreeSet<(String, String)> {
    let mut blocks = BTreeSet::new();
    for entry in walkdir::WalkDir::new(folder).sort_by_file_name() {
        let entry = entry.expect("a readable folder");
        let name = entry.file_name().to_string_lossy();
        if !(name.ends_with(".md") || name.ends_with(".md.erb")) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let mut open: Option<(String, String)> = None;
        for event in Parser::new(&text) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                    let language = info.split_whitespace().next().unwrap_or("");
                    open = Some((language.to_ascii_lowercase(), String::new()));
                }
                Event::Text(text) => {
                    if let Some((_, code)) = &mut open {
                        code.push_str(&text);
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((language, code)) = open.take()
                        && !language.is_empty()
                    {
                        blocks.insert((language, code));
                    }
                }
                _ => {}
            }
        }
    }
    blocks
}

fn main() {
    let folder = std::env::args()
        .nth(1)
        .expect("usage: highlight-engines SOURCE_DIR");
    let blocks = code_blocks(&folder);

    let started = Instant::now();
    let syntect = Highlighter::new();
    syntect.highlight("bash", "true");
    let syntect_load = started.elapsed();

    let started = Instant::now();
    let mut registry = Registry::builtin().expect("giallo's built-in grammars");
    registry.link_grammars();
    let giallo_load = started.elapsed();
    let theme = "github-light";
    assert!(registry.contains_theme(theme));
    let renderer = HtmlRenderer {
        css_class_prefix: Some("g-".into()),
        ..Default::default()
    };

    // The first pass compiles each grammar's patterns as it meets them;
    // the second, the one reported per language, is the engines warm
    // (each block with a blank line added, so `manual`'s cache of recent
    // blocks does not answer).
    let first = tally(&blocks, &syntect, &registry, &renderer, theme, "");
    let tallies = tally(&blocks, &syntect, &registry, &renderer, theme, "\n");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let sum = |t: &BTreeMap<&str, Tally>, f: fn(&Tally) -> Duration| -> Duration {
        t.values().map(f).sum()
    };
    println!(
        "{} distinct blocks; loading: syntect {:.0} ms, giallo {:.0} ms; first pass (grammars compiled as met): syntect {:.0} ms, giallo {:.0} ms",
        blocks.len(),
        ms(syntect_load),
        ms(giallo_load),
        ms(sum(&first, |t| t.syntect)),
        ms(sum(&first, |t| t.giallo)),
    );
    print_table(&tallies);
}

fn tally<'b>(
    blocks: &'b BTreeSet<(String, String)>,
    syntect: &Highlighter,
    registry: &Registry,
    renderer: &HtmlRenderer,
    theme: &str,
    suffix: &str,
) -> BTreeMap<&'b str, Tally> {
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for (language, code) in blocks {
        let code = format!("{code}{suffix}");
        let code = code.as_str();
        let tally = tallies.entry(language).or_default();
        tally.blocks += 1;
        tally.bytes += code.len();

        let started = Instant::now();
        let highlighted = syntect.highlight(language, code);
        tally.syntect += started.elapsed();
        tally.syntect_highlighted += usize::from(matches!(highlighted, Highlighted::Html(_)));

        let name = giallo_name(language);
        if registry.contains_grammar(name) {
            let started = Instant::now();
            let options = HighlightOptions::new(name, ThemeVariant::Single(theme));
            let html = registry
                .highlight(code, &options)
                .map(|h| renderer.render(&h, &RenderOptions::default()));
            tally.giallo += started.elapsed();
            tally.giallo_highlighted += usize::from(html.is_ok());
        }
    }
    tallies
}

fn print_table(tallies: &BTreeMap<&str, Tally>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| language | blocks | KB | syntect ms | giallo ms | highlighted by syntect | by giallo |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut total = Tally::default();
    for (language, tally) in tallies {
        println!(
            "| {language} | {} | {:.0} | {:.1} | {:.1} | {} | {} |",
            tally.blocks,
            tally.bytes as f64 / 1024.0,
            ms(tally.syntect),
            ms(tally.giallo),
            tally.syntect_highlighted,
            tally.giallo_highlighted
        );
        total.blocks += tally.blocks;
        total.bytes += tally.bytes;
        total.syntect += tally.syntect;
        total.giallo += tally.giallo;
        total.syntect_highlighted += tally.syntect_highlighted;
        total.giallo_highlighted += tally.giallo_highlighted;
    }
    println!(
        "| all | {} | {:.0} | {:.1} | {:.1} | {} | {} |",
        total.blocks,
        total.bytes as f64 / 1024.0,
        ms(total.syntect),
        ms(total.giallo),
        total.syntect_highlighted,
        total.giallo_highlighted
    );
}
