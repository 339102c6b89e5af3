//! Invariant: the pipeline is visible in the imports. Each module belongs
//! to a stage, and imports only modules of its own stage or earlier ones:
//! load -> parse -> site graph -> validate -> render -> write, with the
//! commands (pipeline, serve, owners, report) on top. No arrow points back.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module and its rank; a module may use only modules of
/// the same or a lower rank.
const STAGES: &[(&str, u8)] = &[
    // Shared by every stage.
    ("diagnostics", 0),
    ("url", 0),
    ("yaml", 0),
    ("seal", 0),
    ("safe_write", 0),
    ("console", 0),
    ("interrupt", 0),
    ("highlight", 0),
    // Load.
    ("load", 1),
    ("history", 1),
    ("settings", 1),
    // Parse.
    ("parse", 2),
    // Site graph.
    ("site", 3),
    // Validate.
    ("validate", 4),
    // Render.
    ("render", 5),
    ("machine_readable", 5),
    ("search", 5),
    // Write.
    ("write", 6),
    // Commands, which run the stages.
    ("pipeline", 7),
    ("owners", 7),
    ("report", 7),
    ("ci", 7),
    ("serve", 8),
    ("starter", 7),
];

/// Each top-level module and the modules it names as `crate::x`, outside
/// comments.
fn imports() -> BTreeMap<String, Vec<(String, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let pattern = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut found: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let module = relative
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap();
            for capture in pattern.captures_iter(code) {
                let used = capture[1].to_string();
                if used != module && !used.ends_with("ln") {
                    found
                        .entry(module.clone())
                        .or_default()
                        .push((used, relative.clone()));
                }
            }
        }
    }
    found
}

#[test]
fn every_stage_imports_only_earlier_stages() {
    let rank: BTreeMap<&str, u8> = STAGES.iter().copied().collect();
    let mut backwards = Vec::new();
    for (module, uses) in imports() {
        let Some(&own) = rank.get(module.as_str()) else {
            panic!("module {module} has no stage in tests/architecture.rs");
        };
        for (used, file) in uses {
            let other = *rank
                .get(used.as_str())
                .unwrap_or_else(|| panic!("{file} uses crate::{used}, which has no stage"));
            if other > own {
                backwards.push(format!(
                    "{file}: {module} (stage {own}) uses {used} (stage {other})"
                ));
            }
        }
    }
    assert!(
        backwards.is_empty(),
        "imports against the pipeline:\n{}",
        backwards.join("\n")
    );
}

#[test]
fn modules_of_one_stage_do_not_import_each_other_in_a_circle() {
    let graph = imports();
    let edges: BTreeMap<&str, Vec<&str>> = graph
        .iter()
        .map(|(m, uses)| (m.as_str(), uses.iter().map(|(u, _)| u.as_str()).collect()))
        .collect();
    for start in edges.keys() {
        let mut stack = vec![(*start, vec![*start])];
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(at).into_iter().flatten() {
                assert!(
                    *next != *start,
                    "import circle: {} -> {start}",
                    path.join(" -> ")
                );
                if !path.contains(next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
    }
}
