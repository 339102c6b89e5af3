//! Runs an ERB tree. Only the names below mean anything; any other name is
//! an error that says what is supported. Values are plain data (text,
//! numbers, lists, maps, the site's pages), so nothing a page writes can
//! reach the file system, the network or the process.

use chrono::{Datelike, NaiveDate};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

use super::output::{FileId, Output, SourceFile};
use super::ruby::{BraceBlock, Expr, StrPart};
use super::template::{self, Node};
use super::{ErbError, Helpers, Partials, Resource, World};
use crate::diagnostics::Code;

/// The most work one page's ERB may do (nodes run, items iterated).
pub const MAX_STEPS: usize = 2_000_000;
/// The most text one page's ERB may write.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// Partials inside partials, at most this deep.
pub const MAX_PARTIAL_DEPTH: usize = 16;
/// The most bytes one page's ERB may make, summed over every value it
/// builds (text joined, lists mapped, partials read, pages' data copied):
/// steps alone do not bound the work, since one step can copy megabytes.
pub const MAX_WORK: usize = 512 * 1024 * 1024;
/// The largest one value may be: a text, or a list or hash with everything
/// in it.
pub const MAX_VALUE: usize = MAX_OUTPUT;
/// Blocks, partials and expressions inside one another while running, at
/// most this deep: deep enough for any real template, shallow enough that
/// the work stays small. (The stack grows as needed below it: `stacker`.)
pub const MAX_RUN_DEPTH: usize = 256;
/// Lists and hashes inside one another, at most this deep (deeper would
/// overflow the stack when measured, compared or freed).
pub const MAX_VALUE_DEPTH: usize = 64;

/// About how many bytes `value` holds, or `None` when it nests deeper than
/// `MAX_VALUE_DEPTH`. Stops counting past `MAX_VALUE`.
fn weight(value: &Value, depth: usize) -> Option<usize> {
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

fn json_weight(json: &Json, depth: usize) -> Option<usize> {
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
    fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    fn kind(&self) -> &'static str {
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

    fn from_json(json: &Json) -> Value {
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
    fn to_text(&self) -> String {
        match self {
            Value::Nil => String::new(),
            Value::Str(s) | Value::Symbol(s) => s.clone(),
            Value::Text(o) => o.text.clone(),
            Value::Date(d) => d.to_string(),
            other => other.inspect(),
        }
    }

    /// What `inspect` gives, as Ruby writes it.
    fn inspect(&self) -> String {
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

    fn from_json_shallow(json: &Json) -> Value {
        match json {
            Json::Object(map) => Value::Hash(
                map.iter()
                    .map(|(k, v)| (Value::Str(k.clone()), Value::from_json(v)))
                    .collect(),
            ),
            other => Value::from_json(other),
        }
    }

    fn equals(&self, other: &Value) -> bool {
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

    fn compare(&self, other: &Value) -> Option<std::cmp::Ordering> {
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

    fn number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// A key as written: `:layout`, `"layout"` and `layout` all name it.
    fn key_name(&self) -> Option<String> {
        match self {
            Value::Symbol(s) | Value::Str(s) => Some(s.clone()),
            Value::Text(o) => Some(o.text.clone()),
            _ => None,
        }
    }
}

/// What one file's ERB wrote, and what it set aside.
pub struct Evaluated {
    pub output: Output,
    pub files: Vec<SourceFile>,
    /// `content_for :name do ... end`, by name.
    pub slots: BTreeMap<String, Output>,
    /// `wrap_layout :name do ... end` in a layout: the layout to put the
    /// result in.
    pub wrap_layout: Option<String>,
    /// The partials used, below the source folder.
    pub partials: Vec<String>,
}

pub(super) struct Env<'w> {
    world: &'w World<'w>,
    /// The page being written, when it is one of the world's resources.
    current: Option<usize>,
    /// The page being written as a resource, for helpers and messages.
    page: &'w Resource,
    files: Vec<SourceFile>,
    file: FileId,
    scopes: Vec<HashMap<String, Value>>,
    slots: BTreeMap<String, Output>,
    /// The page's HTML, which a layout's `yield` writes.
    content: Option<String>,
    wrap_layout: Option<String>,
    steps: usize,
    written: usize,
    /// Bytes made so far (`MAX_WORK`).
    work: usize,
    /// Where the last step was, for a budget's message.
    last_at: usize,
    /// How deep `run` and `value` are inside one another now.
    depth: usize,
    /// Partials being run, innermost last, to refuse a loop.
    stack: Vec<String>,
    used: Vec<String>,
}

type Result<T> = std::result::Result<T, ErbError>;

impl<'w> Env<'w> {
    pub(super) fn new(
        world: &'w World<'w>,
        current: Option<usize>,
        page: &'w Resource,
        file: SourceFile,
        content: Option<String>,
    ) -> Self {
        Env {
            world,
            current,
            page,
            files: vec![file],
            file: 0,
            scopes: vec![HashMap::new()],
            slots: BTreeMap::new(),
            content,
            wrap_layout: None,
            steps: 0,
            written: 0,
            work: 0,
            last_at: 0,
            depth: 0,
            stack: Vec::new(),
            used: Vec::new(),
        }
    }

    pub(super) fn finish(self, output: Output) -> Evaluated {
        Evaluated {
            output,
            files: self.files,
            slots: self.slots,
            wrap_layout: self.wrap_layout,
            partials: self.used,
        }
    }

    fn error(&self, code: Code, at: usize, message: String, help: &str) -> ErbError {
        ErbError {
            code,
            place: self.place_in(self.file, at),
            message,
            help: help.to_string(),
        }
    }

    fn place_in(&self, file: FileId, at: usize) -> super::Place {
        let source = &self.files[file as usize];
        let (line, column) = source.line_col(at);
        super::Place {
            file: source.path.clone(),
            line,
            column,
        }
    }

    fn unsupported(&self, at: usize, message: String) -> ErbError {
        self.error(Code::ErbUnsupported, at, message, SUPPORTED)
    }

    fn failed(&self, at: usize, message: String) -> ErbError {
        self.error(
            Code::ErbError,
            at,
            message,
            "change the ERB tag; the migration guide lists what each supported name gives",
        )
    }

    /// Counts `bytes` made against the page's budget.
    fn charge(&mut self, bytes: usize) -> Result<()> {
        self.work = self.work.saturating_add(bytes);
        if self.work > MAX_WORK {
            return Err(self.error(
                Code::ErbBudget,
                self.last_at,
                format!(
                    "this page's ERB makes more than {} MiB of values",
                    MAX_WORK / (1024 * 1024)
                ),
                BUDGET_HELP,
            ));
        }
        Ok(())
    }

    fn too_large(&self, at: usize) -> ErbError {
        self.error(
            Code::ErbBudget,
            at,
            format!(
                "a value here would be larger than {} MiB",
                MAX_VALUE / (1024 * 1024)
            ),
            BUDGET_HELP,
        )
    }

    /// Refuses, before it is made, a value that would be `bytes` long.
    fn fits(&self, bytes: usize, at: usize) -> Result<()> {
        if bytes > MAX_VALUE {
            return Err(self.too_large(at));
        }
        Ok(())
    }

    /// Charges a value just made, and refuses one too large or too deep.
    fn made(&mut self, value: Value) -> Result<Value> {
        let Some(bytes) = weight(&value, 0) else {
            return Err(self.error(
                Code::ErbBudget,
                self.last_at,
                format!("a value here nests lists or hashes more than {MAX_VALUE_DEPTH} deep"),
                BUDGET_HELP,
            ));
        };
        self.fits(bytes, self.last_at)?;
        self.charge(bytes)?;
        Ok(value)
    }

    fn step(&mut self, at: usize) -> Result<()> {
        self.last_at = at;
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(self.error(
                Code::ErbBudget,
                at,
                format!("this page's ERB does more than {MAX_STEPS} steps of work"),
                BUDGET_HELP,
            ));
        }
        Ok(())
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// Runs one level deeper, on a stack grown when it runs low: a page
    /// nests `if` and `each` as deep as it likes up to `MAX_RUN_DEPTH`, and
    /// a thread's stack must not be what stops it.
    fn deeper<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_RUN_DEPTH {
            return Err(self.error(
                Code::ErbBudget,
                self.last_at,
                format!(
                    "blocks, partials and expressions nest more than {MAX_RUN_DEPTH} deep here"
                ),
                BUDGET_HELP,
            ));
        }
        self.depth += 1;
        let result = stacker::maybe_grow(64 * 1024, 1024 * 1024, || f(self));
        self.depth -= 1;
        result
    }

    pub(super) fn run(&mut self, nodes: &[Node], out: &mut Output) -> Result<Option<Value>> {
        self.deeper(|env| env.run_here(nodes, out))
    }

    fn run_here(&mut self, nodes: &[Node], out: &mut Output) -> Result<Option<Value>> {
        let mut last = None;
        for node in nodes {
            last = None;
            match node {
                Node::Text { text, at } => {
                    self.wrote(text.len(), *at)?;
                    out.copy(text, self.file, *at);
                }
                Node::Output { expr, at } => {
                    self.step(*at)?;
                    let value = self.value(expr)?;
                    self.write_value(value, *at, out)?;
                }
                Node::Run { expr, at } => {
                    self.step(*at)?;
                    last = Some(self.value(expr)?);
                }
                Node::Assign { name, value, at } => {
                    self.step(*at)?;
                    let value = self.value(value)?;
                    // As in Ruby, a block assigns to a variable of the code
                    // around it when there is one, and makes its own
                    // otherwise.
                    let scope = match self.scopes.iter().rposition(|s| s.contains_key(name)) {
                        Some(outer) => &mut self.scopes[outer],
                        None => self.scopes.last_mut().expect("a scope"),
                    };
                    scope.insert(name.clone(), value);
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let mut taken = false;
                    for (condition, body) in branches {
                        if self.value(condition)?.truthy() {
                            last = self.run(body, out)?;
                            taken = true;
                            break;
                        }
                    }
                    if !taken {
                        last = self.run(otherwise, out)?;
                    }
                }
                Node::Block {
                    call,
                    params,
                    body,
                    at,
                } => self.block(call, params, body, *at, out)?,
            }
        }
        Ok(last)
    }

    fn wrote(&mut self, bytes: usize, at: usize) -> Result<()> {
        self.written += bytes;
        if self.written > MAX_OUTPUT {
            return Err(self.error(
                Code::ErbBudget,
                at,
                format!(
                    "this page's ERB writes more than {} MiB",
                    MAX_OUTPUT / (1024 * 1024)
                ),
                BUDGET_HELP,
            ));
        }
        Ok(())
    }

    fn write_value(&mut self, value: Value, at: usize, out: &mut Output) -> Result<()> {
        match value {
            Value::Text(text) => {
                self.wrote(text.text.len(), at)?;
                out.append(text);
            }
            Value::Page(_) | Value::Sitemap | Value::Clock | Value::Config => {
                return Err(self.failed(at, format!("{} cannot be written out", value.kind())));
            }
            other => {
                let text = other.to_text();
                self.wrote(text.len(), at)?;
                out.write(&text, self.file, at);
            }
        }
        Ok(())
    }

    /// Runs `body` into a fresh output. A body that writes nothing gives
    /// its last value instead (as `capture` does for code-only blocks).
    fn capture(&mut self, body: &[Node], at: usize) -> Result<Output> {
        let mut captured = Output::default();
        let last = self.run(body, &mut captured)?;
        if captured.text.trim().is_empty()
            && let Some(value) = last
            && !matches!(value, Value::Nil)
        {
            let mut from_value = Output::default();
            self.write_value(value, at, &mut from_value)?;
            return Ok(from_value);
        }
        Ok(captured)
    }

    fn block(
        &mut self,
        call: &Expr,
        params: &[String],
        body: &[Node],
        at: usize,
        out: &mut Output,
    ) -> Result<()> {
        let Expr::Call {
            receiver,
            name,
            args,
            ..
        } = call
        else {
            return Err(self.unsupported(
                at,
                "a block here needs a call such as `items.each do |item|`".into(),
            ));
        };
        match (receiver, name.as_str()) {
            (None, "content_for") => {
                let slot = self.slot_name(args, at)?;
                let captured = self.capture(body, at)?;
                self.slots.entry(slot).or_default().append(captured);
                Ok(())
            }
            (None, "wrap_layout") => {
                let layout = self.slot_name(args, at)?;
                if self.content.is_none() {
                    return Err(self.unsupported(
                        at,
                        "`wrap_layout` belongs in a layout, not in a page".into(),
                    ));
                }
                self.wrap_layout = Some(layout);
                let captured = self.capture(body, at)?;
                out.append(captured);
                Ok(())
            }
            (Some(receiver), "each" | "each_with_index" | "each_pair") => {
                let items = self.value(receiver)?;
                let items = self.items(items, name, at)?;
                for (index, item) in items.into_iter().enumerate() {
                    self.step(at)?;
                    let mut scope = HashMap::new();
                    let bound: Vec<Value> = match (name.as_str(), item) {
                        ("each_with_index", Value::Array(pair))
                            if pair.len() == 2 && params.len() == 3 =>
                        {
                            vec![pair[0].clone(), pair[1].clone(), Value::Int(index as i64)]
                        }
                        ("each_with_index", item) => vec![item, Value::Int(index as i64)],
                        (_, Value::Array(pair)) if params.len() > 1 => pair,
                        (_, item) => vec![item],
                    };
                    for (param, value) in params.iter().zip(bound) {
                        scope.insert(param.clone(), value);
                    }
                    self.scopes.push(scope);
                    let ran = self.run(body, out);
                    self.scopes.pop();
                    ran?;
                }
                Ok(())
            }
            _ => Err(self.unsupported(
                at,
                format!("a `do ... end` block on `{name}` is not supported"),
            )),
        }
    }

    /// The items `each` goes over: a list's items, a hash's pairs.
    fn items(&self, value: Value, method: &str, at: usize) -> Result<Vec<Value>> {
        match value {
            Value::Array(items) => Ok(items),
            Value::Hash(pairs) => Ok(pairs
                .into_iter()
                .map(|(k, v)| Value::Array(vec![k, v]))
                .collect()),
            Value::Data(Json::Object(map)) => Ok(map
                .iter()
                .map(|(k, v)| Value::Array(vec![Value::Str(k.clone()), Value::from_json(v)]))
                .collect()),
            Value::Data(Json::Array(items)) => Ok(items.iter().map(Value::from_json).collect()),
            Value::Nil => Err(self.failed(at, format!("`{method}` called on nil"))),
            other => Err(self.failed(
                at,
                format!("`{method}` goes over a list, not {}", other.kind()),
            )),
        }
    }

    fn slot_name(&mut self, args: &[Expr], at: usize) -> Result<String> {
        match args.first().map(|a| self.value(a)).transpose()? {
            Some(v) => v
                .key_name()
                .ok_or_else(|| self.failed(at, "the name is a symbol, such as `:sidebar`".into())),
            None => Err(self.failed(at, "a name is missing, as in `:sidebar`".into())),
        }
    }

    /// The value of `expr`, charged to the page's budget.
    pub(super) fn value(&mut self, expr: &Expr) -> Result<Value> {
        let value = self.deeper(|env| env.value_uncharged(expr))?;
        self.made(value)
    }

    fn value_uncharged(&mut self, expr: &Expr) -> Result<Value> {
        Ok(match expr {
            Expr::Nil => Value::Nil,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Float(*f),
            Expr::Symbol(s) => Value::Symbol(s.clone()),
            Expr::Str(parts) => {
                let mut text = String::new();
                for part in parts {
                    match part {
                        StrPart::Text(t) => text.push_str(t),
                        StrPart::Code(e) => {
                            let piece = self.value(e)?.to_text();
                            self.fits(text.len().saturating_add(piece.len()), self.last_at)?;
                            text.push_str(&piece);
                        }
                    }
                }
                Value::Str(text)
            }
            Expr::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<Vec<_>>>()?,
            ),
            Expr::Hash(pairs) => Value::Hash(
                pairs
                    .iter()
                    .map(|(k, v)| Ok((self.value(k)?, self.value(v)?)))
                    .collect::<Result<Vec<_>>>()?,
            ),
            Expr::Not(inner) => Value::Bool(!self.value(inner)?.truthy()),
            Expr::And(a, b) => {
                let left = self.value(a)?;
                if left.truthy() { self.value(b)? } else { left }
            }
            Expr::Or(a, b) => {
                let left = self.value(a)?;
                if left.truthy() { left } else { self.value(b)? }
            }
            Expr::Ternary(c, yes, no) => {
                if self.value(c)?.truthy() {
                    self.value(yes)?
                } else {
                    self.value(no)?
                }
            }
            Expr::Modifier { value, condition } => {
                if self.value(condition)?.truthy() {
                    self.value(value)?
                } else {
                    Value::Nil
                }
            }
            Expr::Binary {
                op,
                left,
                right,
                at,
            } => {
                let l = self.value(left)?;
                let r = self.value(right)?;
                self.binary(op, l, r, *at)?
            }
            Expr::Yield { at } => match &self.content {
                Some(content) => Value::Str(content.clone()),
                None => {
                    return Err(self.unsupported(
                        *at,
                        "`yield` belongs in a layout, where it writes the page".into(),
                    ));
                }
            },
            Expr::Name { name, at } => match self.lookup(name) {
                Some(v) => v.clone(),
                None => self.call(None, name, &[], None, *at)?,
            },
            Expr::Const { name, at } => match name.as_str() {
                "Time" | "Date" | "DateTime" => Value::Clock,
                _ => {
                    return Err(
                        self.unsupported(*at, format!("`{name}` on its own is not supported"))
                    );
                }
            },
            Expr::Index {
                receiver,
                index,
                at,
            } => {
                let r = self.value(receiver)?;
                let i = self.value(index)?;
                self.index(r, i, *at)?
            }
            Expr::Call {
                receiver,
                name,
                args,
                block,
                safe,
                at,
            } => {
                self.step(*at)?;
                match receiver.as_deref() {
                    Some(Expr::Const {
                        name: module,
                        at: module_at,
                    }) if !matches!(module.as_str(), "Time" | "Date" | "DateTime") => {
                        let args = self.arguments(args)?;
                        self.helper(&format!("{module}.{name}"), args, *module_at)?
                    }
                    Some(r) => {
                        let receiver = self.value(r)?;
                        if *safe && matches!(receiver, Value::Nil) {
                            Value::Nil
                        } else {
                            self.call(Some(receiver), name, args, block.as_deref(), *at)?
                        }
                    }
                    None => self.call(None, name, args, block.as_deref(), *at)?,
                }
            }
        })
    }

    fn arguments(&mut self, args: &[Expr]) -> Result<Vec<Value>> {
        args.iter().map(|a| self.value(a)).collect()
    }

    fn binary(&self, op: &str, l: Value, r: Value, at: usize) -> Result<Value> {
        use std::cmp::Ordering;
        let compared = |want: &[Ordering]| -> Result<Value> {
            match l.compare(&r) {
                Some(o) => Ok(Value::Bool(want.contains(&o))),
                None => {
                    Err(self.failed(at, format!("cannot compare {} with {}", l.kind(), r.kind())))
                }
            }
        };
        match op {
            "==" => Ok(Value::Bool(l.equals(&r))),
            "!=" => Ok(Value::Bool(!l.equals(&r))),
            "<" => compared(&[Ordering::Less]),
            "<=" => compared(&[Ordering::Less, Ordering::Equal]),
            ">" => compared(&[Ordering::Greater]),
            ">=" => compared(&[Ordering::Greater, Ordering::Equal]),
            "+" => match (&l, &r) {
                _ if {
                    let size = weight(&l, 0)
                        .unwrap_or(usize::MAX)
                        .saturating_add(weight(&r, 0).unwrap_or(usize::MAX));
                    size > MAX_VALUE
                } =>
                {
                    Err(self.too_large(at))
                }
                (Value::Int(a), Value::Int(b)) => a
                    .checked_add(*b)
                    .map(Value::Int)
                    .ok_or_else(|| self.failed(at, "the sum is too large".into())),
                (Value::Str(_) | Value::Text(_), Value::Str(_) | Value::Text(_)) => {
                    Ok(Value::Str(l.to_text() + &r.to_text()))
                }
                (Value::Array(a), Value::Array(b)) => {
                    Ok(Value::Array(a.iter().chain(b).cloned().collect()))
                }
                _ => match (l.number(), r.number()) {
                    (Some(a), Some(b)) => Ok(Value::Float(a + b)),
                    _ => Err(self.failed(at, format!("cannot add {} to {}", r.kind(), l.kind()))),
                },
            },
            "-" | "*" | "/" | "%" => match (&l, &r) {
                (Value::Int(a), Value::Int(b)) => {
                    let result = match op {
                        "-" => a.checked_sub(*b),
                        "*" => a.checked_mul(*b),
                        // Ruby rounds a quotient down and gives a
                        // remainder the divisor's sign: -7 / 2 is -4, and
                        // -8 % 3 is 1.
                        "/" => a.checked_div(*b).map(|q| {
                            if (a % b != 0) && ((*a < 0) != (*b < 0)) {
                                q - 1
                            } else {
                                q
                            }
                        }),
                        _ => a.checked_rem(*b).map(|r| {
                            if r != 0 && ((r < 0) != (*b < 0)) {
                                r + b
                            } else {
                                r
                            }
                        }),
                    };
                    result.map(Value::Int).ok_or_else(|| {
                        self.failed(at, format!("`{op}` on {a} and {b} has no answer"))
                    })
                }
                (Value::Str(s), Value::Int(n)) if op == "*" => {
                    let n = usize::try_from(*n).unwrap_or(0);
                    self.fits(s.len().saturating_mul(n), at)?;
                    Ok(Value::Str(s.repeat(n)))
                }
                _ => match (l.number(), r.number()) {
                    (Some(a), Some(b)) => Ok(Value::Float(match op {
                        "-" => a - b,
                        "*" => a * b,
                        "/" => a / b,
                        _ => a - b * (a / b).floor(),
                    })),
                    _ => Err(self.failed(
                        at,
                        format!("`{op}` works on numbers, not {} and {}", l.kind(), r.kind()),
                    )),
                },
            },
            _ => Err(self.unsupported(at, format!("the operator `{op}` is not supported"))),
        }
    }

    fn index(&self, receiver: Value, index: Value, at: usize) -> Result<Value> {
        match receiver {
            Value::Data(Json::Object(map)) => Ok(index
                .key_name()
                .and_then(|k| map.get(&k))
                .map_or(Value::Nil, Value::from_json)),
            Value::Data(Json::Array(items)) => Ok(self
                .position(items.len(), &index)
                .map_or(Value::Nil, |i| Value::from_json(&items[i]))),
            Value::Array(items) => Ok(self
                .position(items.len(), &index)
                .map_or(Value::Nil, |i| items[i].clone())),
            Value::Hash(pairs) => Ok(pairs
                .into_iter()
                .find(|(k, _)| {
                    k.equals(&index) || (k.key_name().is_some() && k.key_name() == index.key_name())
                })
                .map_or(Value::Nil, |(_, v)| v)),
            Value::Config => match index.key_name().as_deref() {
                Some("tech_docs") => Ok(Value::Data(self.world.config.clone())),
                _ => Ok(Value::Nil),
            },
            Value::Page(page) => {
                // `r[:layout]`: a page's options and data by key.
                let key = index.key_name().unwrap_or_default();
                Ok(self.page_attribute(page, &key, at)?.unwrap_or(Value::Nil))
            }
            Value::Str(s) => Ok(self
                .position(s.chars().count(), &index)
                .and_then(|i| s.chars().nth(i))
                .map_or(Value::Nil, |c| Value::Str(c.to_string()))),
            Value::Nil => {
                Err(self.failed(at, "`[]` on nil: the value before it is missing".into()))
            }
            other => Err(self.failed(at, format!("{} cannot be indexed", other.kind()))),
        }
    }

    fn position(&self, len: usize, index: &Value) -> Option<usize> {
        let Value::Int(i) = index else { return None };
        let i = if *i < 0 { len as i64 + i } else { *i };
        usize::try_from(i).ok().filter(|i| *i < len)
    }

    fn resource(&self, page: Option<usize>) -> &Resource {
        page.and_then(|i| self.world.resources.get(i))
            .unwrap_or(self.page)
    }

    /// `r.url`, `r.data`, `r.options`, ...; `None` for an unknown name.
    fn page_attribute(&self, page: Option<usize>, name: &str, _at: usize) -> Result<Option<Value>> {
        let r = self.resource(page);
        Ok(Some(match name {
            "url" => Value::Str(r.url.clone()),
            "path" | "destination_path" => Value::Str(r.path.clone()),
            "data" | "metadata" => Value::Data(r.data.clone()),
            "options" => Value::Hash(match &r.layout {
                Some(layout) => vec![(Value::Symbol("layout".into()), Value::Str(layout.clone()))],
                None => vec![],
            }),
            "layout" => r.layout.clone().map_or(Value::Nil, Value::Str),
            "title" => r.data.get("title").map_or(Value::Nil, Value::from_json),
            "source_file" => Value::Str(r.path.clone()),
            "ext" => Value::Str(".html".into()),
            _ => return Ok(None),
        }))
    }

    fn call(
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
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
        let no_method = |this: &Self, receiver: &Value| {
            Err(this.unsupported(
                at,
                match receiver {
                    Value::Nil => format!("`{name}` called on nil: the value before it is missing"),
                    other => format!("`{name}` is not something {} has here", other.kind()),
                },
            ))
        };
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

    fn data_method(&self, json: Json, name: &str, args: &[Value], at: usize) -> Result<Value> {
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

    fn text_method(&self, receiver: Value, name: &str, args: &[Value], at: usize) -> Result<Value> {
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

    fn list_method(
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
    fn iterate(
        &mut self,
        receiver: Value,
        name: &str,
        block: &BraceBlock,
        at: usize,
    ) -> Result<Value> {
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

    /// A name called with no receiver: the helpers Middleman and the gem
    /// give pages, or a project helper.
    fn function(&mut self, name: &str, args: &[Expr], at: usize) -> Result<Value> {
        match name {
            "current_page" | "current_resource" => return Ok(Value::Page(self.current)),
            "sitemap" => return Ok(Value::Sitemap),
            "config" => return Ok(Value::Config),
            _ => {}
        }
        let values = self.arguments(args)?;
        let arg = |i: usize| values.get(i).cloned().unwrap_or(Value::Nil);
        let options = values
            .last()
            .and_then(|v| match v {
                Value::Hash(pairs) => Some(pairs.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let option = |key: &str| {
            options
                .iter()
                .find(|(k, _)| k.key_name().as_deref() == Some(key))
                .map(|(_, v)| v.clone())
        };
        match name {
            "partial" => self.partial(&arg(0), option("locals"), &options, at),
            "warning_text" => Ok(Value::Str(warning_text(&arg(0).to_text()))),
            "image_tag" => Ok(Value::Str(image_tag(&arg(0).to_text(), &options))),
            "link_to" => {
                if values.len() < 2 || matches!(arg(1), Value::Hash(_)) {
                    return Err(self.failed(
                        at,
                        "`link_to` takes the link text and the address: `link_to \"Text\", \"/page.html\"`".into(),
                    ));
                }
                let extra = if values.len() > 2 {
                    options.as_slice()
                } else {
                    &[]
                };
                Ok(Value::Str(link_to(
                    &arg(0).to_text(),
                    &arg(1).to_text(),
                    extra,
                )))
            }
            "content_for" => {
                let slot = arg(0).key_name().ok_or_else(|| {
                    self.failed(at, "`content_for` needs a name, such as `:sidebar`".into())
                })?;
                if values.len() < 2 {
                    return Err(self.failed(
                        at,
                        "`content_for :name` needs `do ... end` or a value".into(),
                    ));
                }
                let mut text = Output::default();
                text.write(&arg(1).to_text(), self.file, at);
                self.slots.entry(slot).or_default().append(text);
                Ok(Value::Nil)
            }
            "content_for?" => Ok(Value::Bool(
                arg(0)
                    .key_name()
                    .and_then(|k| self.slots.get(&k))
                    .is_some_and(|o| !o.text.trim().is_empty()),
            )),
            "yield_content" => Ok(arg(0)
                .key_name()
                .and_then(|k| self.slots.get(&k).cloned())
                .map_or(Value::Nil, Value::Text)),
            "format_date" => match arg(0) {
                Value::Date(d) => Ok(Value::Str(d.format("%-d %B %Y").to_string())),
                Value::Str(s) => match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
                    Ok(d) => Ok(Value::Str(d.format("%-d %B %Y").to_string())),
                    Err(_) => Err(self.failed(at, format!("`{s}` is not a date (YYYY-MM-DD)"))),
                },
                other => Err(self.failed(
                    at,
                    format!("`format_date` takes a date, not {}", other.kind()),
                )),
            },
            "h" | "escape_html" | "html_escape" => Ok(Value::Str(
                html_escape::encode_safe(&arg(0).to_text()).into_owned(),
            )),
            "url_for" => Ok(Value::Str(arg(0).to_text())),
            "javascript_include_tag"
            | "javascript_tag"
            | "stylesheet_link_tag"
            | "system"
            | "exec"
            | "spawn"
            | "require"
            | "load"
            | "eval"
            | "send"
            | "open"
            | "puts"
            | "print"
            | "binding"
            | "instance_variable_get"
            | "define_method" => Err(self.unsupported(
                at,
                format!(
                    "`{name}` is not supported: pages cannot run programs, read files or add script"
                ),
            )),
            _ => self.helper(name, values, at),
        }
    }

    fn helper(&mut self, name: &str, args: Vec<Value>, at: usize) -> Result<Value> {
        let helpers: &Helpers = self.world.helpers;
        if !helpers.has(name) {
            return Err(self.error(
                Code::ErbUnsupported,
                at,
                format!("`{name}` is not a helper this site defines, nor one that manual supports"),
                &format!(
                    "define it as a project helper: a template at layouts/helpers/{name}.html (given `args`, `options` and `page`), or under `helpers:` in the settings; {SUPPORTED_SHORT}"
                ),
            ));
        }
        let (positional, options) = match args.last() {
            Some(Value::Hash(_)) => {
                let mut args = args;
                let options = args.pop().expect("a last argument");
                (args, options)
            }
            _ => (args, Value::Hash(Vec::new())),
        };
        let args_json: Vec<Json> = positional.iter().map(|a| a.to_json(self.world)).collect();
        let page = Value::Page(self.current).to_json(self.world);
        let page = if page.is_null() {
            serde_json::json!({ "url": self.page.url, "path": self.page.path, "data": self.page.data })
        } else {
            page
        };
        match helpers.call(name, &args_json, &options.to_json(self.world), &page) {
            Ok(text) => Ok(Value::Str(text)),
            Err(super::helpers::HelperError::Budget(why)) => Err(self.error(
                Code::ErbBudget,
                at,
                format!("the helper `{name}` stopped: {why}"),
                BUDGET_HELP,
            )),
            Err(super::helpers::HelperError::Failed(message)) => Err(self.error(
                Code::ErbError,
                at,
                format!("the helper `{name}` failed: {message}"),
                "fix the helper's template",
            )),
        }
    }

    fn partial(
        &mut self,
        name: &Value,
        locals: Option<Value>,
        options: &[(Value, Value)],
        at: usize,
    ) -> Result<Value> {
        let Some(name) = name.key_name() else {
            return Err(self.failed(at, "`partial` takes the partial's name as text".into()));
        };
        let partials: &dyn Partials = self.world.partials;
        let from = self.page.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let Some(found) = partials.find(from, &name) else {
            return Err(self.error(
                Code::ErbPartialMissing,
                at,
                format!("no partial `{name}`"),
                "partials are looked up from the page's folder and then from the source folder, as `_NAME.erb`, `_NAME.html.erb`, `_NAME.md.erb`, `_NAME.md` (and without the `_`)",
            ));
        };
        if self.stack.contains(&found.relative) {
            return Err(self.failed(at, format!("the partial `{name}` uses itself")));
        }
        if self.stack.len() >= MAX_PARTIAL_DEPTH {
            return Err(self.failed(
                at,
                format!("partials nest more than {MAX_PARTIAL_DEPTH} deep"),
            ));
        }
        let text = found.text.map_err(|problem| {
            self.error(
                Code::ErbPartialMissing,
                at,
                format!("cannot read the partial {}: {problem}", found.relative),
                "fix or replace the partial file",
            )
        })?;
        // Each use copies the partial's text into the page's files: a big
        // partial used many times costs its size each time.
        self.charge(text.len())?;
        if !self.used.contains(&found.relative) {
            self.used.push(found.relative.clone());
        }
        let id = self.files.len() as FileId;
        self.files.push(SourceFile::new(
            found.path.clone(),
            text.clone(),
            Some((self.file, at)),
        ));
        // A partial's own front matter is not part of its text.
        let start = crate::parse::front_matter::split(&text).map_or(0, |s| s.body_start);
        let body = &text[start..];
        let mut output = Output::default();
        if found.relative.ends_with(".erb") {
            let nodes = template::parse(body, start).map_err(|e| ErbError {
                code: Code::ErbSyntax,
                place: self.place_in(id, e.at),
                message: e.message,
                help: SYNTAX_HELP.into(),
            })?;
            let mut scope = HashMap::new();
            let mut bind = |pairs: &[(Value, Value)]| {
                for (k, v) in pairs {
                    if let Some(k) = k.key_name()
                        && k != "locals"
                    {
                        scope.insert(k, v.clone());
                    }
                }
            };
            if let Some(Value::Hash(pairs)) = &locals {
                bind(pairs);
            }
            bind(options);
            let saved_scopes = std::mem::replace(&mut self.scopes, vec![scope]);
            let saved_file = std::mem::replace(&mut self.file, id);
            self.stack.push(found.relative.clone());
            let ran = self.run(&nodes, &mut output);
            self.stack.pop();
            self.file = saved_file;
            self.scopes = saved_scopes;
            ran?;
        } else {
            output.copy(body, id, start);
        }
        Ok(Value::Text(output))
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

const SUPPORTED_SHORT: &str = "supported: partial, warning_text, image_tag, link_to, content_for, current_page, sitemap.resources, Time.current";

/// The help for a name that is not supported.
pub const SUPPORTED: &str = "supported in ERB: `current_page.data.KEY`, `partial \"NAME\"`, `warning_text(\"...\")`, `image_tag \"PATH\", alt: \"...\"`, `link_to \"TEXT\", \"URL\"`, `content_for :sidebar do ... end`, `sitemap.resources.each do |r| ... end`, `Time.current.year`, `if`/`unless`/`else`; anything else can be a project helper (a template at layouts/helpers/NAME.html)";

pub const BUDGET_HELP: &str = "a page's ERB may do a bounded amount of work, so a pull request cannot hang or exhaust the build; loop over fewer items, build smaller values, or split the page";

pub const SYNTAX_HELP: &str = "close every `<%` with `%>` and every `if` or `do` with `<% end %>`; write `<%%` for a literal `<%`";

/// The GOV.UK warning text component, as the gem's helper writes it; the
/// text may hold HTML. The same component as a markdown `> [!WARNING]`.
pub fn warning_text(text: &str) -> String {
    crate::parse::callout::warning_text(text)
}

fn attributes(options: &[(Value, Value)], skip: &[&str]) -> String {
    let mut written = String::new();
    for (key, value) in options {
        let Some(key) = key.key_name() else { continue };
        if skip.contains(&key.as_str()) || matches!(value, Value::Nil | Value::Bool(false)) {
            continue;
        }
        // Only plain attribute names; anything else is dropped rather than
        // written into the tag.
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        let value = match value {
            Value::Bool(true) => key.clone(),
            other => other.to_text(),
        };
        written.push_str(&format!(
            " {key}=\"{}\"",
            html_escape::encode_double_quoted_attribute(&value)
        ));
    }
    written
}

/// `image_tag "name.png", alt: "..."`: a relative name is in `/images/`,
/// as Middleman's `images_dir`.
pub fn image_tag(source: &str, options: &[(Value, Value)]) -> String {
    let path = if source.starts_with('/') || source.contains("://") || source.starts_with("data:") {
        source.to_string()
    } else {
        format!("/images/{source}")
    };
    let path = if path.starts_with('/') && !path.starts_with("//") {
        crate::url::href("", &path, None)
    } else {
        path
    };
    format!(
        "<img src=\"{}\"{}>",
        html_escape::encode_double_quoted_attribute(&path),
        attributes(options, &["src"])
    )
}

/// `link_to "Text", "/page.html", class: "x"`
pub fn link_to(text: &str, url: &str, options: &[(Value, Value)]) -> String {
    format!(
        "<a href=\"{}\"{}>{}</a>",
        html_escape::encode_double_quoted_attribute(url),
        attributes(options, &["href"]),
        html_escape::encode_text(text)
    )
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
