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
    ("user_cache", 0),
    ("packed", 0),
    ("safe_write", 0),
    ("console", 0),
    ("interrupt", 0),
    ("highlight", 0),
    // Load.
    ("load", 1),
    ("history", 1),
    ("settings", 1),
    ("project", 1),
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

/// The top-level modules a piece of code names through `crate::`: `crate::x`
/// and every item of a group, `crate::{x, y::z, w::{..}}`, over lines.
/// Comments must already be gone.
fn crate_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let rest_trimmed = rest.trim_start();
        if let Some(group) = rest_trimmed.strip_prefix('{') {
            // The items at the group's top level, each to its first `::`.
            let mut depth = 1;
            let mut item = String::new();
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        found.extend(first_name(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth >= 1 {
                    item.push(c);
                }
            }
            found.extend(first_name(&item));
            rest = &group[end..];
        } else {
            found.extend(first_name(rest_trimmed));
        }
    }
    found
}

/// The leading identifier of a path (`render` of `render::views::X`).
fn first_name(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

#[test]
fn grouped_and_multi_line_imports_are_read() {
    assert_eq!(
        crate_modules("use crate::{render, serve::files::X};"),
        ["render", "serve"]
    );
    assert_eq!(
        crate_modules(
            "use crate::{\n    pipeline::{self, Inputs},\n    url,\n};\nlet x = crate::site::Site::new();"
        ),
        ["pipeline", "url", "site"]
    );
    assert_eq!(crate_modules("crate::diagnostics::Code"), ["diagnostics"]);
}

/// Each top-level module and the modules it names through `crate::`,
/// outside comments.
fn imports() -> BTreeMap<String, Vec<(String, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
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
        let code: String = text
            .lines()
            .map(|line| line.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        for used in crate_modules(&code) {
            if used != module && !used.ends_with("ln") {
                found
                    .entry(module.clone())
                    .or_default()
                    .push((used, relative.clone()));
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
            panic!("module {module} has no stage in tests/it/architecture.rs");
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
