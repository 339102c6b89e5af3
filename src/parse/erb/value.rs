//! The values ERB works with, and what Ruby would make of them: truth,
//! text, `inspect`, equality and order.

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::World;
use super::eval::{MAX_VALUE, MAX_VALUE_DEPTH};
use super::output::Output;

/// About how many bytes `value` holds, or `None` when it nests deeper than
/// `MAX_VALUE_DEPTH`. Stops counting past `MAX_VALUE`.
pub(super) fn weight(value: &Value, depth: usize) -> Option<usize> {
    const SLOT: usize = std::mem::size_of::<Value>();
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    Some(match value {
        Value::Str(s) | Value::Symbol(s) => SLOT + s.len(),
        Value::Text(output) => SLOT + output.weight(),
        Value::Array(items) => {
            let mut total = SLOT;
            for item in items {
                total = total.saturating_add(weight(item, depth + 1)?);
                if total > MAX_VALUE {
                    break;
                }
            }
            total
        }
        Value::Hash(pairs) => {
            let mut total = SLOT;
            for (key, item) in pairs {
                total = total
                    .saturating_add(weight(key, depth + 1)?)
                    .saturating_add(weight(item, depth + 1)?);
                if total > MAX_VALUE {
                    break;
                }
            }
            total
        }
        Value::Data(json) => json_weight(json, depth)?,
        _ => SLOT,
    })
}

pub(super) fn json_weight(json: &Json, depth: usize) -> Option<usize> {
    const SLOT: usize = std::mem::size_of::<Json>();
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    Some(match json {
        Json::String(s) => SLOT + s.len(),
        Json::Array(items) => {
            let mut total = SLOT;
            for item in items {
                total = total.saturating_add(json_weight(item, depth + 1)?);
            }
            total
        }
        Json::Object(map) => {
            let mut total = SLOT;
            for (key, item) in map {
                total = total
                    .saturating_add(SLOT + key.len())
                    .saturating_add(json_weight(item, depth + 1)?);
            }
            total
        }
        _ => SLOT,
    })
}

#[derive(Debug, Clone)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Text with a map to the file it came from (a partial's text).
    Text(Output),
    Symbol(String),
    Array(Vec<Value>),
    Hash(Vec<(Value, Value)>),
    /// A page's front matter, or part of it.
    Data(Json),
    /// A page of the site: an index into `World::resources`, or the page
    /// being written when it is not in the list.
    Page(Option<usize>),
    Sitemap,
    Date(NaiveDate),
    /// `Time`, `Date`, `Time.zone`: what `.now` and `.today` are asked of.
    Clock,
    /// `config`, whose `[:tech_docs]` is the gem's settings file.
    Config,
}

impl Value {
    pub(super) fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    pub(super) fn kind(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "true or false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) | Value::Text(_) => "text",
            Value::Symbol(_) => "a symbol",
            Value::Array(_) => "a list",
            Value::Hash(_) => "a hash",
            Value::Data(Json::Object(_)) => "front matter",
            Value::Data(_) => "a front matter value",
            Value::Page(_) => "a page",
            Value::Sitemap => "the sitemap",
            Value::Date(_) => "a date",
            Value::Clock => "the clock",
            Value::Config => "the configuration",
        }
    }

    pub(super) fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Nil,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(Value::from_json).collect()),
            Json::Object(_) => Value::Data(json.clone()),
        }
    }

    /// For handing to a helper template.
    pub fn to_json(&self, world: &World<'_>) -> Json {
        match self {
            Value::Nil | Value::Clock | Value::Config | Value::Sitemap => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => Json::from(*f),
            Value::Str(s) | Value::Symbol(s) => Json::String(s.clone()),
            Value::Text(o) => Json::String(o.text.clone()),
            Value::Array(items) => Json::Array(items.iter().map(|v| v.to_json(world)).collect()),
            Value::Hash(pairs) => Json::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_text(), v.to_json(world)))
                    .collect(),
            ),
            Value::Data(json) => json.clone(),
            Value::Page(index) => match index.and_then(|i| world.resources.get(i)) {
                Some(r) => serde_json::json!({ "url": r.url, "path": r.path, "data": r.data }),
                None => Json::Null,
            },
            Value::Date(d) => Json::String(d.to_string()),
        }
    }

    /// What `to_s` gives.
    pub(super) fn to_text(&self) -> String {
        match self {
            Value::Nil => String::new(),
            Value::Str(s) | Value::Symbol(s) => s.clone(),
            Value::Text(o) => o.text.clone(),
            Value::Date(d) => d.to_string(),
            other => other.inspect(),
        }
    }

    /// What `inspect` gives, as Ruby writes it.
    pub(super) fn inspect(&self) -> String {
        match self {
            Value::Nil => "nil".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
            Value::Str(s) => format!("{s:?}"),
            Value::Text(o) => format!("{:?}", o.text),
            Value::Symbol(s) => format!(":{s}"),
            Value::Array(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Value::inspect)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Hash(pairs) => format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}=>{}", k.inspect(), v.inspect()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Data(json) => Value::from_json_shallow(json).inspect(),
            Value::Date(d) => d.to_string(),
            Value::Page(_) => "#<page>".into(),
            Value::Sitemap => "#<sitemap>".into(),
            Value::Clock => "Time".into(),
            Value::Config => "#<config>".into(),
        }
    }

    pub(super) fn from_json_shallow(json: &Json) -> Value {
        match json {
            Json::Object(map) => Value::Hash(
                map.iter()
                    .map(|(k, v)| (Value::Str(k.clone()), Value::from_json(v)))
                    .collect(),
            ),
            other => Value::from_json(other),
        }
    }

    pub(super) fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                (*a as f64) == *b
            }
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Symbol(a), Value::Symbol(b)) => a == b,
            (Value::Str(_) | Value::Text(_), Value::Str(_) | Value::Text(_)) => {
                self.to_text() == other.to_text()
            }
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::Page(a), Value::Page(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (Value::Data(a), Value::Data(b)) => a == b,
            _ => false,
        }
    }

    pub(super) fn compare(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                self.number()?.partial_cmp(&other.number()?)
            }
            (Value::Str(_) | Value::Text(_), Value::Str(_) | Value::Text(_)) => {
                Some(self.to_text().cmp(&other.to_text()))
            }
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Symbol(a), Value::Symbol(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    pub(super) fn number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// A key as written: `:layout`, `"layout"` and `layout` all name it.
    pub(super) fn key_name(&self) -> Option<String> {
        match self {
            Value::Symbol(s) | Value::Str(s) => Some(s.clone()),
            Value::Text(o) => Some(o.text.clone()),
            _ => None,
        }
    }
}
