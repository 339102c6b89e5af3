//! YAML with locations: front matter and `site.yml` are parsed into a
//! `serde_json::Value` (so typed structs can be deserialized with serde) plus
//! the line and column of every key, so that a type error can point at the
//! line that caused it.
//!
//! Written on yaml-rust2's event parser rather than its `YamlLoader` (which
//! gray_matter uses) because the loader throws positions away and rejects
//! duplicate keys outright, while the real manual has pages with a duplicate
//! key that we must load (last value wins, with a warning).
//!
//! Untrusted YAML is bounded: events are pulled one at a time (yaml-rust2's
//! own `load` recurses once per level of nesting, so deep nesting would
//! overflow the stack), nesting stops at [`MAX_DEPTH`], and a document may
//! hold at most [`MAX_NODES`] values once its aliases are expanded (a
//! 500-byte "billion laughs" document would otherwise fill the memory).

use std::collections::HashMap;

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// 1-based line and column inside the YAML text.
pub type Position = (usize, usize);

/// Deepest nesting of lists and mappings accepted.
pub const MAX_DEPTH: usize = 64;
/// Most values one document may hold, aliases expanded: far more than any
/// front matter or settings file needs, far less than exhausts memory.
pub const MAX_NODES: usize = 200_000;

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub path: String,
    pub at: Position,
    pub first_at: Position,
}

#[derive(Debug)]
pub struct LocatedYaml {
    pub value: Value,
    /// Keys as serde_path_to_error prints them: `a.b`, `list[0]`.
    positions: HashMap<String, Position>,
    pub duplicates: Vec<DuplicateKey>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub at: Position,
}

impl LocatedYaml {
    pub fn positions(&self) -> &HashMap<String, Position> {
        &self.positions
    }

    /// Where `path` was written, or its nearest written ancestor.
    pub fn position_of(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(found) = self.positions.get(path) {
                return Some(*found);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

pub fn parse(text: &str) -> Result<LocatedYaml, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            message: e.info().to_string(),
            at: position(e.marker()),
        })?;
        // One document, as in front matter and settings files.
        let last = matches!(event, Event::StreamEnd | Event::DocumentEnd);
        builder.on_event(event, mark);
        if let Some(error) = builder.error.take() {
            return Err(error);
        }
        if last {
            break;
        }
    }
    Ok(LocatedYaml {
        value: builder.root.unwrap_or(Value::Null),
        positions: builder.positions,
        duplicates: builder.duplicates,
    })
}

fn position(marker: &Marker) -> Position {
    // yaml-rust2 counts lines from 1 and columns from 0.
    (marker.line(), marker.col() + 1)
}

enum Frame {
    Mapping {
        map: Map<String, Value>,
        path: String,
        anchor: usize,
        pending_key: Option<String>,
        /// `Builder::nodes` when the mapping started, to size it for aliases.
        nodes_before: usize,
    },
    Sequence {
        items: Vec<Value>,
        path: String,
        anchor: usize,
        nodes_before: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    positions: HashMap<String, Position>,
    key_positions: HashMap<String, Position>,
    duplicates: Vec<DuplicateKey>,
    /// Each anchored value and how many values it holds.
    anchors: HashMap<usize, (Value, usize)>,
    /// Values made so far, aliases counted at their full size.
    nodes: usize,
    error: Option<YamlError>,
}

impl Builder {
    /// The path of the node that is about to be added.
    fn child_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Mapping {
                path, pending_key, ..
            }) => join_key(path, pending_key.as_deref().unwrap_or("?")),
            Some(Frame::Sequence { path, items, .. }) => format!("{path}[{}]", items.len()),
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Mapping {
                pending_key: None,
                ..
            })
        )
    }

    /// Counts `count` more values; false (with the error set) past the budget.
    fn spend(&mut self, count: usize, mark: Marker) -> bool {
        self.nodes = self.nodes.saturating_add(count);
        if self.nodes > MAX_NODES {
            self.error = Some(YamlError {
                message: format!(
                    "the YAML holds more than {MAX_NODES} values once its aliases (`*name`) are expanded"
                ),
                at: position(&mark),
            });
            return false;
        }
        true
    }

    fn add_value(&mut self, value: Value, anchor: usize, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Mapping {
                map, pending_key, ..
            }) => {
                let key = pending_key.take().unwrap_or_default();
                // Last value wins; the duplicate was recorded when its key was read.
                map.insert(key, value);
            }
            Some(Frame::Sequence { items, .. }) => items.push(value),
        }
    }

    fn add_key(&mut self, key: String, mark: Marker) {
        let Some(Frame::Mapping {
            path, pending_key, ..
        }) = self.stack.last_mut()
        else {
            return;
        };
        let full = join_key(path, &key);
        let at = position(&mark);
        if let Some(first_at) = self.key_positions.get(&full) {
            self.duplicates.push(DuplicateKey {
                path: full.clone(),
                at,
                first_at: *first_at,
            });
        } else {
            self.key_positions.insert(full.clone(), at);
        }
        self.positions.insert(full, at);
        *pending_key = Some(key);
    }
}

fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if self.expecting_key() {
                    self.add_key(text, mark);
                    return;
                }
                let path = self.child_path();
                self.positions.entry(path).or_insert(position(&mark));
                let explicit_string =
                    style != TScalarStyle::Plain || tag.is_some_and(|t| t.suffix == "str");
                let value = if explicit_string {
                    Value::String(text)
                } else {
                    scalar(&text)
                };
                if self.spend(1, mark) {
                    self.add_value(value, anchor, 1);
                }
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.expecting_key() {
                    self.error = Some(YamlError {
                        message: "a key must be a plain value, not a list or mapping".into(),
                        at: position(&mark),
                    });
                    return;
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.error = Some(YamlError {
                        message: format!(
                            "lists and mappings are nested more than {MAX_DEPTH} levels deep"
                        ),
                        at: position(&mark),
                    });
                    return;
                }
                if !self.spend(1, mark) {
                    return;
                }
                let path = self.child_path();
                self.positions
                    .entry(path.clone())
                    .or_insert(position(&mark));
                let nodes_before = self.nodes;
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping {
                            map: Map::new(),
                            path,
                            anchor,
                            pending_key: None,
                            nodes_before,
                        }
                    } else {
                        Frame::Sequence {
                            items: Vec::new(),
                            path,
                            anchor,
                            nodes_before,
                        }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (value, anchor, nodes_before) = match self.stack.pop() {
                    Some(Frame::Mapping {
                        map,
                        anchor,
                        nodes_before,
                        ..
                    }) => (Value::Object(map), anchor, nodes_before),
                    Some(Frame::Sequence {
                        items,
                        anchor,
                        nodes_before,
                        ..
                    }) => (Value::Array(items), anchor, nodes_before),
                    None => return,
                };
                let size = self.nodes - nodes_before + 1;
                self.add_value(value, anchor, size);
            }
            Event::Alias(id) => {
                let (value, size) = self.anchors.get(&id).cloned().unwrap_or((Value::Null, 1));
                // Spent before the value is copied, so a bomb never grows.
                if !self.spend(size, mark) {
                    return;
                }
                if self.expecting_key() {
                    let key = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    self.add_key(key, mark);
                } else {
                    self.add_value(value, 0, size);
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// YAML 1.2 core schema for plain scalars, as yaml-rust2 resolves them.
fn scalar(text: &str) -> Value {
    match Yaml::from_str(text) {
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.to_string()), Value::Number),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_positions_of_keys_and_items() {
        let doc = parse("title: Hello\nlist:\n  - a\n  - b\nnested:\n  inner: 3\n").unwrap();
        assert_eq!(doc.value["title"], "Hello");
        assert_eq!(doc.value["nested"]["inner"], 3);
        assert_eq!(doc.position_of("title"), Some((1, 1)));
        assert_eq!(doc.position_of("list[1]"), Some((4, 5)));
        assert_eq!(doc.position_of("nested.inner"), Some((6, 3)));
        assert_eq!(doc.position_of("nested.inner.deeper"), Some((6, 3)));
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_reported() {
        let doc = parse("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(doc.value["a"], 3);
        assert_eq!(
            doc.duplicates,
            vec![DuplicateKey {
                path: "a".into(),
                at: (3, 1),
                first_at: (1, 1)
            }]
        );
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let doc = parse("a: \"12\"\nb: 12\nc: true\nd: ~\ne: 2024-01-31\n").unwrap();
        assert_eq!(doc.value["a"], "12");
        assert_eq!(doc.value["b"], 12);
        assert_eq!(doc.value["c"], true);
        assert!(doc.value["d"].is_null());
        assert_eq!(doc.value["e"], "2024-01-31");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse("title: [unclosed\nnext: 1\n").unwrap_err();
        assert!(err.at.0 >= 1, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn an_alias_bomb_stops_at_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("aliases"), "{err:?}");
        assert!(err.at.0 >= 5 && err.at.0 <= 10, "{err:?}");
    }

    #[test]
    fn deep_nesting_stops_at_the_limit_without_overflowing() {
        let text = format!("x:\n{}v\n", "- ".repeat(20_000));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nested"), "{err:?}");
        assert_eq!(err.at.0, 2, "{err:?}");
        let flow = format!("x: {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
        assert!(parse(&flow).is_err());
        // Ordinary nesting is fine.
        let ok = format!("x:\n{}v\n", "- ".repeat(MAX_DEPTH - 2));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn anchors_and_aliases_resolve() {
        let doc = parse("a: &x hello\nb: *x\n").unwrap();
        assert_eq!(doc.value["b"], "hello");
    }
}
