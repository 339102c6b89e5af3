//! What each kind of value answers when a method is called on it (text,
//! numbers, lists, hashes and front matter, nil, pages, the sitemap, dates),
//! and the calls that take a block.

use chrono::Datelike;
use serde_json::Value as Json;
use std::collections::HashMap;

use super::ErbError;
use super::eval::{Env, Result};
use super::ruby::{BraceBlock, Expr, WITH_BLOCK};
use super::value::Value;
use crate::diagnostics::Code;

/// The methods every value answers.
pub(super) const EVERY_VALUE: &[&str] = &[
    "nil?",
    "==",
    "!=",
    "eql?",
    "equal?",
    "to_s",
    "to_str",
    "html_safe",
    "inspect",
    "present?",
    "blank?",
    "presence",
];
/// The methods of text (strings and symbols).
pub(super) const TEXT: &[&str] = &[
    "upcase",
    "downcase",
    "capitalize",
    "strip",
    "lstrip",
    "rstrip",
    "chomp",
    "length",
    "size",
    "empty?",
    "include?",
    "start_with?",
    "end_with?",
    "sub",
    "gsub",
    "split",
    "to_sym",
    "to_i",
    "to_f",
    "reverse",
    "titleize",
    "parameterize",
];
/// The methods of numbers.
pub(super) const NUMBER: &[&str] = &[
    "to_i",
    "to_f",
    "zero?",
    "positive?",
    "negative?",
    "even?",
    "odd?",
    "abs",
];
/// The methods of lists, without a block.
pub(super) const LIST: &[&str] = &[
    "first", "last", "take", "drop", "length", "size", "count", "empty?", "any?", "none?",
    "include?", "join", "reverse", "compact", "uniq", "flatten", "sort", "to_a", "entries", "min",
    "max", "sum",
];
/// The methods of hashes and of front matter (whose other names are its
/// keys).
pub(super) const HASH: &[&str] = &[
    "fetch", "dig", "key?", "has_key?", "include?", "member?", "keys", "values", "empty?", "any?",
    "size", "length", "count", "to_h", "to_hash",
];
/// The methods of nil, besides those of every value.
pub(super) const NIL: &[&str] = &["to_a", "to_i", "to_h"];

/// The methods a value of this kind answers, for the dispatch's first
/// check and for the help; `None` for kinds without a fixed list (pages,
/// the sitemap, dates, front matter's keys).
fn table_of(value: &Value) -> Option<(&'static str, &'static [&'static str])> {
    match value {
        Value::Str(_) | Value::Text(_) | Value::Symbol(_) => Some(("text", TEXT)),
        Value::Int(_) | Value::Float(_) => Some(("a number", NUMBER)),
        Value::Array(_) => Some(("a list", LIST)),
        Value::Hash(_) => Some(("a hash", HASH)),
        Value::Nil => Some(("nil", NIL)),
        _ => None,
    }
}

/// The help for a method a value does not have: what it does have, from
/// the same lists the dispatch checks.
pub(super) fn methods_help(kind: &str, table: &[&str]) -> String {
    format!(
        "{kind} answers {}, and every value {}; a project helper can do the rest (a template at layouts/helpers/NAME.html)",
        table.join(", "),
        EVERY_VALUE.join(", ")
    )
}

impl Env<'_> {
    /// `name` is not something `receiver` has.
    pub(super) fn no_method(&self, receiver: &Value, name: &str, at: usize) -> ErbError {
        let message = match receiver {
            Value::Nil => format!("`{name}` called on nil: the value before it is missing"),
            other => format!("`{name}` is not something {} has here", other.kind()),
        };
        match table_of(receiver) {
            Some((kind, table)) => self.error(
                Code::ErbUnsupported,
                at,
                message,
                &methods_help(kind, table),
            ),
            None => self.unsupported(at, message),
        }
    }
}

impl Env<'_> {
    pub(super) fn call(
        &mut self,
        receiver: Option<Value>,
        name: &str,
        args: &[Expr],
        block: Option<&BraceBlock>,
        at: usize,
    ) -> Result<Value> {
        let Some(receiver) = receiver else {
            return self.function(name, args, at);
        };
        if let Some(block) = block {
            return self.iterate(receiver, name, block, at);
        }
        let args = self.arguments(args)?;
        // Methods every value has.
        match name {
            "nil?" => return Ok(Value::Bool(matches!(receiver, Value::Nil))),
            // As in Ruby, on every value, nil included: `x.eql? "y"` is false
            // when `x` is missing rather than an error. `eql?` does not take
            // 1 for 1.0, as Ruby's does not.
            "==" | "equal?" => {
                let other = args.first().cloned().unwrap_or(Value::Nil);
                return Ok(Value::Bool(receiver.equals(&other)));
            }
            "eql?" => {
                let other = args.first().cloned().unwrap_or(Value::Nil);
                let numeric_kinds_differ = matches!(
                    (&receiver, &other),
                    (Value::Int(_), Value::Float(_)) | (Value::Float(_), Value::Int(_))
                );
                return Ok(Value::Bool(
                    !numeric_kinds_differ && receiver.equals(&other),
                ));
            }
            "!=" => {
                let other = args.first().cloned().unwrap_or(Value::Nil);
                return Ok(Value::Bool(!receiver.equals(&other)));
            }
            "to_s" | "to_str" | "html_safe" => return Ok(Value::Str(receiver.to_text())),
            "inspect" => return Ok(Value::Str(receiver.inspect())),
            "present?" => return Ok(Value::Bool(!blank(&receiver))),
            "blank?" => return Ok(Value::Bool(blank(&receiver))),
            "presence" => {
                return Ok(if blank(&receiver) {
                    Value::Nil
                } else {
                    receiver
                });
            }
            "is_a?" | "respond_to?" | "send" | "instance_eval" | "eval" | "method"
            | "public_send" => {
                return Err(self.unsupported(at, format!("`{name}` is not supported")));
            }
            _ => {}
        }
        // The lists are the dispatch's first word: a name not in its
        // kind's list is refused here, with the list as help.
        if let Some((_, table)) = table_of(&receiver)
            && !table.contains(&name)
        {
            return Err(self.no_method(&receiver, name, at));
        }
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
        let no_method = |this: &Self, receiver: &Value| Err(this.no_method(receiver, name, at));
        match receiver {
            Value::Page(page) => match self.page_attribute(page, name, at)? {
                Some(v) => Ok(v),
                None => match name {
                    "children" | "parent" | "siblings" => Err(self.unsupported(
                        at,
                        format!("`{name}` of a page is not supported; the navigation is built by the theme"),
                    )),
                    _ => no_method(self, &Value::Page(page)),
                },
            },
            Value::Sitemap => match name {
                "resources" => Ok(Value::Array(
                    (0..self.world.resources.len()).map(|i| Value::Page(Some(i))).collect(),
                )),
                "find_resource_by_path" | "find_resource_by_destination_path" => {
                    let wanted = arg(0).to_text();
                    let wanted = wanted.trim_start_matches('/');
                    Ok(self
                        .world
                        .resources
                        .iter()
                        .position(|r| r.path == wanted)
                        .map_or(Value::Nil, |i| Value::Page(Some(i))))
                }
                _ => no_method(self, &Value::Sitemap),
            },
            Value::Clock => match name {
                "current" | "now" | "today" => Ok(Value::Date(self.world.today)),
                "zone" => Ok(Value::Clock),
                _ => no_method(self, &Value::Clock),
            },
            Value::Config => no_method(self, &Value::Config),
            Value::Date(date) => match name {
                "year" => Ok(Value::Int(date.year().into())),
                "month" => Ok(Value::Int(date.month().into())),
                "day" | "mday" => Ok(Value::Int(date.day().into())),
                "to_date" | "to_time" | "beginning_of_day" => Ok(Value::Date(date)),
                "iso8601" => Ok(Value::Str(date.to_string())),
                "strftime" => {
                    let format = arg(0).to_text();
                    let items: Vec<_> = chrono::format::StrftimeItems::new(&format).collect();
                    if items.iter().any(|i| matches!(i, chrono::format::Item::Error)) {
                        return Err(self.failed(at, format!("`{format}` is not a date format")));
                    }
                    Ok(Value::Str(date.format_with_items(items.into_iter()).to_string()))
                }
                _ => no_method(self, &Value::Date(date)),
            },
            Value::Data(json) => self.data_method(json, name, &args, at),
            Value::Str(_) | Value::Text(_) | Value::Symbol(_) => {
                self.text_method(receiver, name, &args, at)
            }
            Value::Int(_) | Value::Float(_) => match name {
                "to_i" => Ok(Value::Int(receiver.number().unwrap_or(0.0) as i64)),
                "to_f" => Ok(Value::Float(receiver.number().unwrap_or(0.0))),
                "zero?" => Ok(Value::Bool(receiver.number() == Some(0.0))),
                "positive?" => Ok(Value::Bool(receiver.number().is_some_and(|n| n > 0.0))),
                "negative?" => Ok(Value::Bool(receiver.number().is_some_and(|n| n < 0.0))),
                "even?" | "odd?" if matches!(receiver, Value::Int(_)) => {
                    let Value::Int(i) = receiver else {
                        unreachable!("matched an integer")
                    };
                    Ok(Value::Bool((i.rem_euclid(2) == 0) == (name == "even?")))
                }
                "abs" => Ok(match receiver {
                    Value::Int(i) => Value::Int(i.saturating_abs()),
                    other => Value::Float(other.number().unwrap_or(0.0).abs()),
                }),
                _ => no_method(self, &receiver),
            },
            Value::Array(items) => self.list_method(items, name, &args, at),
            Value::Hash(pairs) => match hash_method(&pairs, name, &args) {
                Some(answer) => Ok(answer),
                None => no_method(self, &Value::Hash(pairs)),
            },
            Value::Nil => match name {
                "to_a" => Ok(Value::Array(Vec::new())),
                "to_i" => Ok(Value::Int(0)),
                "to_h" => Ok(Value::Hash(Vec::new())),
                _ => no_method(self, &Value::Nil),
            },
            Value::Bool(_) => no_method(self, &receiver),
        }
    }

    pub(super) fn data_method(
        &self,
        json: Json,
        name: &str,
        args: &[Value],
        at: usize,
    ) -> Result<Value> {
        match json {
            // Front matter answers what a hash answers, from the same
            // table; any other name is a key, and a missing one is nil, as
            // in Middleman.
            Json::Object(map) => {
                let Value::Hash(pairs) = Value::from_json_shallow(&Json::Object(map)) else {
                    unreachable!("an object is a hash");
                };
                if let Some(answer) = hash_method(&pairs, name, args) {
                    return Ok(answer);
                }
                let key = name.trim_end_matches('?');
                let value = pairs
                    .into_iter()
                    .find(|(k, _)| k.key_name().as_deref() == Some(key))
                    .map_or(Value::Nil, |(_, v)| v);
                Ok(if name.ends_with('?') {
                    Value::Bool(value.truthy())
                } else {
                    value
                })
            }
            other => {
                let value = Value::from_json(&other);
                match value {
                    Value::Data(_) => {
                        Err(self.unsupported(at, format!("`{name}` is not supported here")))
                    }
                    value => {
                        // Re-dispatch on the plain value (text, number, list).
                        let mut env_args = Vec::new();
                        env_args.extend(args.iter().cloned());
                        match value {
                            Value::Array(items) => self.list_method(items, name, &env_args, at),
                            Value::Str(_) => self.text_method(value, name, &env_args, at),
                            other => Err(self.unsupported(
                                at,
                                format!("`{name}` is not something {} has here", other.kind()),
                            )),
                        }
                    }
                }
            }
        }
    }

    pub(super) fn text_method(
        &self,
        receiver: Value,
        name: &str,
        args: &[Value],
        at: usize,
    ) -> Result<Value> {
        let text = receiver.to_text();
        let arg = |i: usize| args.get(i).map(Value::to_text).unwrap_or_default();
        Ok(match name {
            "upcase" => Value::Str(text.to_uppercase()),
            "downcase" => Value::Str(text.to_lowercase()),
            "capitalize" => {
                let mut chars = text.chars();
                Value::Str(match chars.next() {
                    Some(first) => first
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect(),
                    None => String::new(),
                })
            }
            "strip" => Value::Str(text.trim().to_string()),
            "lstrip" => Value::Str(text.trim_start().to_string()),
            "rstrip" => Value::Str(text.trim_end().to_string()),
            // One line ending, as Ruby's `chomp` takes.
            "chomp" => Value::Str(
                text.strip_suffix("\r\n")
                    .or_else(|| text.strip_suffix('\n'))
                    .or_else(|| text.strip_suffix('\r'))
                    .unwrap_or(&text)
                    .to_string(),
            ),
            "length" | "size" => Value::Int(text.chars().count() as i64),
            "empty?" => Value::Bool(text.is_empty()),
            "include?" => Value::Bool(text.contains(&arg(0))),
            "start_with?" => Value::Bool(args.iter().any(|a| text.starts_with(&a.to_text()))),
            "end_with?" => Value::Bool(args.iter().any(|a| text.ends_with(&a.to_text()))),
            "sub" => Value::Str(text.replacen(&arg(0), &arg(1), 1)),
            "gsub" => {
                let (from, to) = (arg(0), arg(1));
                if from.is_empty() {
                    return Err(self.failed(at, "`gsub` needs text to replace".into()));
                }
                // Measured before it is made: one `gsub` can multiply a text.
                let grows = to.len().saturating_sub(from.len());
                self.fits(
                    text.len()
                        .saturating_add(text.matches(from.as_str()).count().saturating_mul(grows)),
                    at,
                )?;
                Value::Str(text.replace(&from, &to))
            }
            "split" => {
                let separator = arg(0);
                // Each piece costs a value's slot as well as its text.
                let pieces = if separator.is_empty() {
                    text.split_whitespace().count()
                } else {
                    text.matches(separator.as_str()).count() + 1
                };
                self.fits(
                    text.len()
                        .saturating_add(pieces.saturating_mul(std::mem::size_of::<Value>())),
                    at,
                )?;
                // As Ruby splits: on runs of white space for " " or no
                // separator, and without the empty pieces at the end (so
                // "" gives no pieces at all).
                let mut pieces: Vec<&str> = if separator.is_empty() || separator == " " {
                    text.split_whitespace().collect()
                } else {
                    text.split(separator.as_str()).collect()
                };
                while pieces.last() == Some(&"") {
                    pieces.pop();
                }
                Value::Array(pieces.into_iter().map(|s| Value::Str(s.into())).collect())
            }
            "to_sym" => Value::Symbol(text),
            "to_i" => Value::Int(ruby_number_prefix(&text, false).parse().unwrap_or(0)),
            "to_f" => Value::Float(ruby_number_prefix(&text, true).parse().unwrap_or(0.0)),
            "reverse" => Value::Str(text.chars().rev().collect()),
            "titleize" => Value::Str(
                text.split(['_', ' '])
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect::<String>())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            "parameterize" => Value::Str(
                text.to_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("-"),
            ),
            _ => {
                return Err(self.unsupported(
                    at,
                    format!("`{name}` is not something {} has here", receiver.kind()),
                ));
            }
        })
    }

    pub(super) fn list_method(
        &self,
        items: Vec<Value>,
        name: &str,
        args: &[Value],
        at: usize,
    ) -> Result<Value> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
        let count = |v: &Value| match v {
            Value::Int(n) => usize::try_from(*n).unwrap_or(0),
            _ => 1,
        };
        Ok(match name {
            "first" if args.is_empty() => items.into_iter().next().unwrap_or(Value::Nil),
            "first" | "take" => Value::Array(items.into_iter().take(count(&arg(0))).collect()),
            "last" if args.is_empty() => items.into_iter().next_back().unwrap_or(Value::Nil),
            "last" => {
                let n = count(&arg(0));
                let skip = items.len().saturating_sub(n);
                Value::Array(items.into_iter().skip(skip).collect())
            }
            "drop" => Value::Array(items.into_iter().skip(count(&arg(0))).collect()),
            "length" | "size" | "count" => Value::Int(items.len() as i64),
            "empty?" => Value::Bool(items.is_empty()),
            "any?" => Value::Bool(items.iter().any(Value::truthy)),
            "none?" => Value::Bool(!items.iter().any(Value::truthy)),
            "include?" => Value::Bool(items.iter().any(|i| i.equals(&arg(0)))),
            "join" => {
                let texts: Vec<String> = items.iter().map(Value::to_text).collect();
                let separator = arg(0).to_text();
                // Measured before it is made: the separator is repeated
                // once per item (found by the fuzz property: `a.join(s)`).
                self.fits(
                    texts.iter().map(String::len).sum::<usize>().saturating_add(
                        separator
                            .len()
                            .saturating_mul(texts.len().saturating_sub(1)),
                    ),
                    at,
                )?;
                Value::Str(texts.join(&separator))
            }
            "reverse" => Value::Array(items.into_iter().rev().collect()),
            "compact" => Value::Array(
                items
                    .into_iter()
                    .filter(|i| !matches!(i, Value::Nil))
                    .collect(),
            ),
            "uniq" => {
                let mut kept: Vec<Value> = Vec::new();
                for item in items {
                    if !kept.iter().any(|k| k.equals(&item)) {
                        kept.push(item);
                    }
                }
                Value::Array(kept)
            }
            // Every level, as Ruby's `flatten` does; without recursion, so
            // a deeply nested list cannot exhaust the stack.
            "flatten" => {
                let mut flat = Vec::new();
                let mut pending: Vec<std::vec::IntoIter<Value>> = vec![items.into_iter()];
                while let Some(top) = pending.last_mut() {
                    match top.next() {
                        Some(Value::Array(inner)) => pending.push(inner.into_iter()),
                        Some(other) => flat.push(other),
                        None => {
                            pending.pop();
                        }
                    }
                }
                Value::Array(flat)
            }
            "sort" => {
                let mut sorted = items;
                let mut failed = false;
                sorted.sort_by(|a, b| {
                    a.compare(b).unwrap_or_else(|| {
                        failed = true;
                        std::cmp::Ordering::Equal
                    })
                });
                if failed {
                    return Err(self.failed(at, "`sort` needs items that compare".into()));
                }
                Value::Array(sorted)
            }
            "to_a" | "entries" => Value::Array(items),
            "min" | "max" if args.is_empty() => {
                let mut best: Option<Value> = None;
                for item in items {
                    let better = match &best {
                        None => true,
                        Some(kept) => {
                            let order = item.compare(kept).ok_or_else(|| {
                                self.failed(at, format!("`{name}` needs items that compare"))
                            })?;
                            (name == "min" && order.is_lt()) || (name == "max" && order.is_gt())
                        }
                    };
                    if better {
                        best = Some(item);
                    }
                }
                best.unwrap_or(Value::Nil)
            }
            "sum" => {
                let mut total = 0.0;
                for item in &items {
                    total += item
                        .number()
                        .ok_or_else(|| self.failed(at, "`sum` adds numbers".into()))?;
                }
                if items.iter().all(|i| matches!(i, Value::Int(_))) {
                    Value::Int(total as i64)
                } else {
                    Value::Float(total)
                }
            }
            _ => {
                return Err(
                    self.unsupported(at, format!("`{name}` is not something a list has here"))
                );
            }
        })
    }

    /// `list.select { |r| ... }` and the other iterating calls.
    pub(super) fn iterate(
        &mut self,
        receiver: Value,
        name: &str,
        block: &BraceBlock,
        at: usize,
    ) -> Result<Value> {
        if !WITH_BLOCK.contains(&name) {
            return Err(self.error(
                Code::ErbUnsupported,
                at,
                format!("`{name} {{ ... }}` is not supported"),
                &format!("the calls that take a block are {}", WITH_BLOCK.join(", ")),
            ));
        }
        let items = self.items(receiver, name, at)?;
        let mut results = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            self.step(at)?;
            let mut scope = HashMap::new();
            let bound = match item {
                Value::Array(pair) if block.params.len() > 1 && name != "each_with_index" => {
                    pair.clone()
                }
                other if name == "each_with_index" => vec![other.clone(), Value::Int(index as i64)],
                other => vec![other.clone()],
            };
            for (param, value) in block.params.iter().zip(bound) {
                scope.insert(param.clone(), value);
            }
            self.scopes.push(scope);
            let result = self.value(&block.body);
            self.scopes.pop();
            results.push(result?);
        }
        let pick = |keep: bool| -> Vec<Value> {
            items
                .iter()
                .zip(&results)
                .filter(|(_, r)| r.truthy() == keep)
                .map(|(i, _)| i.clone())
                .collect()
        };
        Ok(match name {
            "select" | "filter" => Value::Array(pick(true)),
            "reject" => Value::Array(pick(false)),
            "map" | "collect" => Value::Array(results),
            "flat_map" => Value::Array(
                results
                    .into_iter()
                    .flat_map(|r| match r {
                        Value::Array(inner) => inner,
                        other => vec![other],
                    })
                    .collect(),
            ),
            "find" | "detect" => items
                .iter()
                .zip(&results)
                .find(|(_, r)| r.truthy())
                .map_or(Value::Nil, |(i, _)| i.clone()),
            "any?" => Value::Bool(results.iter().any(Value::truthy)),
            "all?" => Value::Bool(results.iter().all(Value::truthy)),
            "none?" => Value::Bool(!results.iter().any(Value::truthy)),
            "count" => Value::Int(results.iter().filter(|r| r.truthy()).count() as i64),
            "sum" => {
                let mut total = 0i64;
                for r in &results {
                    match r {
                        Value::Int(n) => total = total.saturating_add(*n),
                        _ => return Err(self.failed(at, "`sum` adds numbers".into())),
                    }
                }
                Value::Int(total)
            }
            "sort_by" | "min_by" | "max_by" => {
                let mut keyed: Vec<(Value, Value)> = results.into_iter().zip(items).collect();
                let mut failed = false;
                keyed.sort_by(|(a, _), (b, _)| {
                    a.compare(b).unwrap_or_else(|| {
                        // nil sorts first, as a missing weight would.
                        match (a, b) {
                            (Value::Nil, Value::Nil) => std::cmp::Ordering::Equal,
                            (Value::Nil, _) => std::cmp::Ordering::Less,
                            (_, Value::Nil) => std::cmp::Ordering::Greater,
                            _ => {
                                failed = true;
                                std::cmp::Ordering::Equal
                            }
                        }
                    })
                });
                if failed {
                    return Err(
                        self.failed(at, format!("`{name}` gave values that do not compare"))
                    );
                }
                let sorted: Vec<Value> = keyed.into_iter().map(|(_, i)| i).collect();
                match name {
                    "min_by" => sorted.into_iter().next().unwrap_or(Value::Nil),
                    "max_by" => sorted.into_iter().next_back().unwrap_or(Value::Nil),
                    _ => Value::Array(sorted),
                }
            }
            "each" | "each_with_index" => Value::Array(items),
            "group_by" => {
                let mut groups: Vec<(Value, Value)> = Vec::new();
                for (item, key) in items.into_iter().zip(results) {
                    match groups.iter_mut().find(|(k, _)| k.equals(&key)) {
                        Some((_, Value::Array(members))) => members.push(item),
                        _ => groups.push((key, Value::Array(vec![item]))),
                    }
                }
                Value::Hash(groups)
            }
            _ => return Err(self.unsupported(at, format!("`{name} {{ ... }}` is not supported"))),
        })
    }
}

fn blank(value: &Value) -> bool {
    match value {
        Value::Nil | Value::Bool(false) => true,
        Value::Str(s) => s.trim().is_empty(),
        Value::Text(o) => o.text.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Data(Json::Object(m)) => m.is_empty(),
        Value::Data(Json::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// The number at the start of `text`, as Ruby's `to_i` and `to_f` read it:
/// leading white space, a sign, digits (with `_` between them) and, for a
/// float, a fraction; whatever follows is ignored (`"3 apples".to_i` is 3).
fn ruby_number_prefix(text: &str, float: bool) -> String {
    let text = text.trim_start();
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    if let Some(&sign) = chars.peek()
        && (sign == '-' || sign == '+')
    {
        out.push(sign);
        chars.next();
    }
    let digits = |out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let mut any = false;
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() {
                out.push(c);
                any = true;
                chars.next();
            } else if c == '_' && any {
                chars.next();
                if !chars.peek().is_some_and(char::is_ascii_digit) {
                    break;
                }
            } else {
                break;
            }
        }
        any
    };
    if !digits(&mut out, &mut chars) {
        return "0".to_string();
    }
    if float && chars.peek() == Some(&'.') {
        let mut fraction = String::from(".");
        chars.next();
        if digits(&mut fraction, &mut chars) {
            out.push_str(&fraction);
        }
    }
    out
}

/// What a hash answers, for hash literals and front matter alike (a key is
/// found by its name, a symbol or a string, as Middleman's data finds it);
/// `None` for a name that is not a hash method.
fn hash_method(pairs: &[(Value, Value)], name: &str, args: &[Value]) -> Option<Value> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let find = |key: &Value| {
        let key = key.key_name();
        pairs.iter().find(|(k, _)| k.key_name() == key)
    };
    Some(match name {
        "fetch" => find(&arg(0)).map_or_else(|| arg(1), |(_, v)| v.clone()),
        "dig" => find(&arg(0)).map_or(Value::Nil, |(_, v)| v.clone()),
        "key?" | "has_key?" | "include?" | "member?" => Value::Bool(find(&arg(0)).is_some()),
        "keys" => Value::Array(pairs.iter().map(|(k, _)| k.clone()).collect()),
        "values" => Value::Array(pairs.iter().map(|(_, v)| v.clone()).collect()),
        "empty?" => Value::Bool(pairs.is_empty()),
        "any?" if args.is_empty() => Value::Bool(!pairs.is_empty()),
        "size" | "length" | "count" => Value::Int(pairs.len() as i64),
        "to_h" | "to_hash" => Value::Hash(pairs.to_vec()),
        _ => return None,
    })
}
