//! Mermaid diagrams drawn when the site is built, as inline SVG: readers
//! need no script, the diagram shows in print and offline, and a diagram
//! that does not parse is a `check` error at its line, as a broken link is.
//!
//! The drawing is `mermaid-rs-renderer`'s (ARCHITECTURE.md says why that
//! crate). A diagram is untrusted input: its size is bounded before it is
//! drawn, `click` (links and callbacks) is refused, and the SVG still goes
//! through the published-page script check like everything else.

/// A diagram larger than this is refused rather than laid out: layout time
/// grows faster than the source, and a page must not hang the build.
const MOST_SOURCE_BYTES: usize = 20_000;
const MOST_SOURCE_LINES: usize = 500;

/// Mermaid's diagram types, as their first word: one the renderer cannot
/// draw is a warning (the source is shown as code), any other first word
/// is not a diagram at all (an error).
const MERMAID_TYPES: &[&str] = &[
    "flowchart",
    "graph",
    "sequenceDiagram",
    "classDiagram",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "quadrantChart",
    "requirementDiagram",
    "gitGraph",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
    "mindmap",
    "timeline",
    "zenuml",
    "sankey-beta",
    "sankey",
    "xychart-beta",
    "xychart",
    "block-beta",
    "block",
    "packet-beta",
    "packet",
    "kanban",
    "architecture-beta",
    "architecture",
    "radar-beta",
    "treemap-beta",
];

/// Why a diagram was not drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not valid Mermaid: an error, as a broken link is.
    Invalid(String),
    /// Valid as far as can be told, of a type the renderer cannot draw:
    /// shown as code, with a warning.
    Unsupported(String),
}

/// The first word of the diagram, past blank lines, comments (`%%`) and
/// front matter.
fn diagram_type(source: &str) -> Option<&str> {
    let mut in_front_matter = false;
    for line in source.lines().map(str::trim) {
        if line == "---" {
            in_front_matter = !in_front_matter;
            continue;
        }
        if in_front_matter || line.is_empty() || line.starts_with("%%") {
            continue;
        }
        return line.split([' ', ';', '\t']).next();
    }
    None
}

/// Draws `source` as SVG. `number` (the diagram's place on its page) makes
/// its element ids unique on the page.
pub fn draw(source: &str, number: usize) -> Result<String, Problem> {
    if source.len() > MOST_SOURCE_BYTES || source.lines().count() > MOST_SOURCE_LINES {
        return Err(Problem::Invalid(format!(
            "the diagram is larger than {MOST_SOURCE_LINES} lines or {MOST_SOURCE_BYTES} bytes"
        )));
    }
    if source
        .lines()
        .any(|line| line.trim_start().starts_with("click "))
    {
        return Err(Problem::Invalid(
            "`click` (a link or script on a node) is not drawn: put the link in the text beside the diagram".into(),
        ));
    }
    let Some(kind) = diagram_type(source) else {
        return Err(Problem::Invalid("the diagram is empty".into()));
    };
    match mermaid_rs_renderer::render(source) {
        Ok(svg) => Ok(unique_ids(&svg, number)),
        Err(error) => {
            let message = error.to_string();
            if !MERMAID_TYPES.contains(&kind) {
                Err(Problem::Invalid(format!(
                    "`{kind}` is not a Mermaid diagram type"
                )))
            } else if message.contains("unknown or missing Mermaid diagram header") {
                Err(Problem::Unsupported(format!(
                    "`{kind}` diagrams cannot be drawn at build time yet"
                )))
            } else {
                Err(Problem::Invalid(message))
            }
        }
    }
}

/// The SVG with each `id` (and each reference to it) prefixed with the
/// diagram's number, so two diagrams on a page do not share ids.
fn unique_ids(svg: &str, number: usize) -> String {
    let mut ids: Vec<&str> = svg
        .match_indices(" id=\"")
        .filter_map(|(at, found)| {
            let start = at + found.len();
            svg[start..].find('"').map(|end| &svg[start..start + end])
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = svg.to_string();
    for id in ids {
        let new = format!("diagram-{number}-{id}");
        out = out
            .replace(&format!(" id=\"{id}\""), &format!(" id=\"{new}\""))
            .replace(&format!("url(#{id})"), &format!("url(#{new})"))
            .replace(&format!("href=\"#{id}\""), &format!("href=\"#{new}\""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_flowcharts_sequences_and_states_with_ids_unique_to_the_diagram() {
        for source in [
            "flowchart LR\n  A[Start] --> B{Deploy?}\n  B -->|Yes| C[Ship]\n",
            "sequenceDiagram\n  Alice->>Bob: Hello\n",
            "stateDiagram-v2\n  [*] --> Idle\n  Idle --> [*]\n",
        ] {
            let svg = draw(source, 3).unwrap_or_else(|p| panic!("{source}: {p:?}"));
            assert!(svg.contains("<svg"), "{svg}");
            assert!(!svg.contains(" id=\"arrow"), "{svg}");
        }
        let svg = draw("flowchart LR\n  A --> B\n", 2).unwrap();
        assert!(svg.contains("id=\"diagram-2-"), "{svg}");
    }

    #[test]
    fn a_broken_diagram_or_a_click_is_refused() {
        assert!(matches!(
            draw("flowchart LR\n  A -->\n", 1),
            Err(Problem::Invalid(_))
        ));
        assert!(
            matches!(draw("notadiagram\n  x\n", 1), Err(Problem::Invalid(m)) if m.contains("notadiagram"))
        );
        assert!(matches!(
            draw("flowchart LR\n  A --> B\n  click A \"javascript:alert(1)\"\n", 1),
            Err(Problem::Invalid(m)) if m.contains("click")
        ));
        let huge = format!("flowchart LR\n{}", "  A --> B\n".repeat(600));
        assert!(matches!(draw(&huge, 1), Err(Problem::Invalid(_))));
    }
}
