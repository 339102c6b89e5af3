//! Runs an ERB tree: the budgets, scopes, statements and expressions.
//! What each name means is in `methods` (the methods of each kind of
//! value) and `rails` (the helpers Middleman and the gem give a page);
//! values are in `value`. Values are plain data (text, numbers, lists,
//! maps, the site's pages), so nothing a page writes can reach the file
//! system, the network or the process.

use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

use super::output::{FileId, Output, SourceFile};
use super::rails::SUPPORTED;
use super::ruby::{Expr, StrPart};
use super::template::Node;
use super::value::{Value, weight};
use super::{ErbError, Resource, World};
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
    pub(super) world: &'w World<'w>,
    /// The page being written, when it is one of the world's resources.
    pub(super) current: Option<usize>,
    /// The page being written as a resource, for helpers and messages.
    pub(super) page: &'w Resource,
    pub(super) files: Vec<SourceFile>,
    pub(super) file: FileId,
    pub(super) scopes: Vec<HashMap<String, Value>>,
    pub(super) slots: BTreeMap<String, Output>,
    /// The page's HTML, which a layout's `yield` writes.
    pub(super) content: Option<String>,
    pub(super) wrap_layout: Option<String>,
    pub(super) steps: usize,
    pub(super) written: usize,
    /// Bytes made so far (`MAX_WORK`).
    pub(super) work: usize,
    /// Where the last step was, for a budget's message.
    pub(super) last_at: usize,
    /// How deep `run` and `value` are inside one another now.
    pub(super) depth: usize,
    /// Partials being run, innermost last, to refuse a loop.
    pub(super) stack: Vec<String>,
    pub(super) used: Vec<String>,
}

pub(super) type Result<T> = std::result::Result<T, ErbError>;

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

    pub(super) fn error(&self, code: Code, at: usize, message: String, help: &str) -> ErbError {
        ErbError {
            code,
            place: self.place_in(self.file, at),
            message,
            help: help.to_string(),
        }
    }

    pub(super) fn place_in(&self, file: FileId, at: usize) -> super::Place {
        let source = &self.files[file as usize];
        let (line, column) = source.line_col(at);
        super::Place {
            file: source.path.clone(),
            line,
            column,
        }
    }

    pub(super) fn unsupported(&self, at: usize, message: String) -> ErbError {
        self.error(Code::ErbUnsupported, at, message, &SUPPORTED)
    }

    pub(super) fn failed(&self, at: usize, message: String) -> ErbError {
        self.error(
            Code::ErbError,
            at,
            message,
            "change the ERB tag; the migration guide lists what each supported name gives",
        )
    }

    /// Counts `bytes` made against the page's budget.
    pub(super) fn charge(&mut self, bytes: usize) -> Result<()> {
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

    pub(super) fn too_large(&self, at: usize) -> ErbError {
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
    pub(super) fn fits(&self, bytes: usize, at: usize) -> Result<()> {
        if bytes > MAX_VALUE {
            return Err(self.too_large(at));
        }
        Ok(())
    }

    /// Charges a value just made, and refuses one too large or too deep.
    pub(super) fn made(&mut self, value: Value) -> Result<Value> {
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

    pub(super) fn step(&mut self, at: usize) -> Result<()> {
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

    pub(super) fn lookup(&self, name: &str) -> Option<&Value> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// Runs one level deeper, on a stack grown when it runs low: a page
    /// nests `if` and `each` as deep as it likes up to `MAX_RUN_DEPTH`, and
    /// a thread's stack must not be what stops it.
    pub(super) fn deeper<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
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

    pub(super) fn run_here(&mut self, nodes: &[Node], out: &mut Output) -> Result<Option<Value>> {
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

    pub(super) fn wrote(&mut self, bytes: usize, at: usize) -> Result<()> {
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

    pub(super) fn write_value(&mut self, value: Value, at: usize, out: &mut Output) -> Result<()> {
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
    pub(super) fn capture(&mut self, body: &[Node], at: usize) -> Result<Output> {
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

    pub(super) fn block(
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
            _ => Err(self.error(
                Code::ErbUnsupported,
                at,
                format!("a `do ... end` block on `{name}` is not supported"),
                &format!(
                    "a `do ... end` block runs with `each`, `each_with_index`, `each_pair`, `content_for` and `wrap_layout`; these take `{{ |x| ... }}`: {}",
                    super::ruby::WITH_BLOCK.join(", ")
                ),
            )),
        }
    }

    /// The items `each` goes over: a list's items, a hash's pairs.
    pub(super) fn items(&self, value: Value, method: &str, at: usize) -> Result<Vec<Value>> {
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

    pub(super) fn slot_name(&mut self, args: &[Expr], at: usize) -> Result<String> {
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

    pub(super) fn value_uncharged(&mut self, expr: &Expr) -> Result<Value> {
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

    pub(super) fn arguments(&mut self, args: &[Expr]) -> Result<Vec<Value>> {
        args.iter().map(|a| self.value(a)).collect()
    }

    pub(super) fn binary(&self, op: &str, l: Value, r: Value, at: usize) -> Result<Value> {
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

    pub(super) fn index(&self, receiver: Value, index: Value, at: usize) -> Result<Value> {
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

    pub(super) fn position(&self, len: usize, index: &Value) -> Option<usize> {
        let Value::Int(i) = index else { return None };
        let i = if *i < 0 { len as i64 + i } else { *i };
        usize::try_from(i).ok().filter(|i| *i < len)
    }

    pub(super) fn resource(&self, page: Option<usize>) -> &Resource {
        page.and_then(|i| self.world.resources.get(i))
            .unwrap_or(self.page)
    }

    /// `r.url`, `r.data`, `r.options`, ...; `None` for an unknown name.
    pub(super) fn page_attribute(
        &self,
        page: Option<usize>,
        name: &str,
        _at: usize,
    ) -> Result<Option<Value>> {
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
}

pub const BUDGET_HELP: &str = "a page's ERB may do a bounded amount of work, so a pull request cannot hang or exhaust the build; loop over fewer items, build smaller values, or split the page";

pub const SYNTAX_HELP: &str = "close every `<%` with `%>` and every `if` or `do` with `<% end %>`; write `<%%` for a literal `<%`";
