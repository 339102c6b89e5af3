//! YAML with locations: front matter and `site.yml` are parsed into a
//! `serde_json::Value` (so typed structs can be deserialized with serde) plus
//! the line and column of every key, so that a type error can point at the
//! line that caused it.
//!
//! Written on yaml-rust2's event parser rather than its `YamlLoader` (which
//! gray_matter uses) because the loader throws positions away and rejects
//! duplicate keys outright, while the real manual has pages with a duplicate
//! key that we must load (last value wins, with a warning).

use std::collections::HashMap;

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// 1-based line and column inside the YAML text.
pub type Position = (usize, usize);

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
    if let Err(e) = parser.load(&mut builder, false) {
        return Err(YamlError {
            message: e.info().to_string(),
            at: position(e.marker()),
        });
    }
    if let Some(error) = builder.error {
        return Err(error);
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
    },
    Sequence {
        items: Vec<Value>,
        path: String,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    positions: HashMap<String, Position>,
    key_positions: HashMap<String, Position>,
    duplicates: Vec<DuplicateKey>,
    anchors: HashMap<usize, Value>,
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

    fn add_value(&mut self, value: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
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
                self.add_value(value, anchor);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.expecting_key() {
                    self.error = Some(YamlError {
                        message: "a key must be a plain value, not a list or mapping".into(),
                        at: position(&mark),
                    });
                    return;
                }
                let path = self.child_path();
                self.positions
                    .entry(path.clone())
                    .or_insert(position(&mark));
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping {
                            map: Map::new(),
                            path,
                            anchor,
                            pending_key: None,
                        }
                    } else {
                        Frame::Sequence {
                            items: Vec::new(),
                            path,
                            anchor,
                        }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Mapping { map, anchor, .. }) => (Value::Object(map), anchor),
                    Some(Frame::Sequence { items, anchor, .. }) => (Value::Array(items), anchor),
                    None => return,
                };
                self.add_value(value, anchor);
            }
            Event::Alias(id) => {
                let value = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                if self.expecting_key() {
                    let key = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    self.add_key(key, mark);
                } else {
                    self.add_value(value, 0);
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
    fn anchors_and_aliases_resolve() {
        let doc = parse("a: &x hello\nb: *x\n").unwrap();
        assert_eq!(doc.value["b"], "hello");
    }
}
