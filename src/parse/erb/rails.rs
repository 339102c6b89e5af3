//! The helpers Middleman and the tech-docs gem give a page (`partial`,
//! `link_to`, `image_tag`, `warning_text`, `content_for`, ...), and the
//! project's own helpers, called by name with no receiver.

use chrono::NaiveDate;
use serde_json::Value as Json;
use std::collections::HashMap;

use super::eval::{BUDGET_HELP, Env, MAX_PARTIAL_DEPTH, Result, SYNTAX_HELP};
use super::output::{FileId, Output, SourceFile};
use super::ruby::Expr;
use super::template;
use super::value::Value;
use super::{ErbError, Helpers, Partials};
use crate::diagnostics::Code;

impl Env<'_> {
    /// A name called with no receiver: the helpers Middleman and the gem
    /// give pages, or a project helper.
    pub(super) fn function(&mut self, name: &str, args: &[Expr], at: usize) -> Result<Value> {
        if REFUSED.contains(&name) {
            return Err(self.unsupported(
                at,
                format!(
                    "`{name}` is not supported: pages cannot run programs, read files or add script"
                ),
            ));
        }
        // Only the names in `FUNCTIONS` are built in; any other is the
        // project's own helper, or none.
        if !FUNCTIONS.iter().any(|(known, _)| *known == name) {
            let values = self.arguments(args)?;
            return self.helper(name, values, at);
        }
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
            _ => self.helper(name, values, at),
        }
    }

    pub(super) fn helper(&mut self, name: &str, args: Vec<Value>, at: usize) -> Result<Value> {
        let helpers: &Helpers = self.world.helpers;
        if !helpers.has(name) {
            return Err(self.error(
                Code::ErbUnsupported,
                at,
                format!("`{name}` is not a helper this site defines, nor one that manual supports"),
                &format!(
                    "define it as a project helper: a template at layouts/helpers/{name}.html (given `args`, `options` and `page`), or under `helpers:` in the settings; {}",
                    supported_short()
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

    pub(super) fn partial(
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

/// The names a page may call with no receiver, and how each is written:
/// the dispatch in `function` answers exactly these (a test calls each),
/// and the help is made from them.
pub(super) const FUNCTIONS: &[(&str, &str)] = &[
    (
        "current_page",
        "`current_page.data.KEY`, `current_page.url`",
    ),
    ("current_resource", "`current_resource`"),
    ("sitemap", "`sitemap.resources.each do |r| ... end`"),
    ("config", "`config[:tech_docs][:KEY]`"),
    ("partial", "`partial \"NAME\"`"),
    ("warning_text", "`warning_text(\"...\")`"),
    ("image_tag", "`image_tag \"PATH\", alt: \"...\"`"),
    ("link_to", "`link_to \"TEXT\", \"URL\"`"),
    ("content_for", "`content_for :sidebar do ... end`"),
    ("content_for?", "`content_for?(:sidebar)`"),
    ("yield_content", "`yield_content :sidebar`"),
    ("format_date", "`format_date(date)`"),
    ("h", "`h(text)`"),
    ("escape_html", "`escape_html(text)`"),
    ("html_escape", "`html_escape(text)`"),
    ("url_for", "`url_for(\"/path\")`"),
];

/// Ruby and Rails names a page may not call, refused as such rather than
/// looked for among the project's helpers.
const REFUSED: &[&str] = &[
    "javascript_include_tag",
    "javascript_tag",
    "stylesheet_link_tag",
    "system",
    "exec",
    "spawn",
    "require",
    "load",
    "eval",
    "send",
    "open",
    "puts",
    "print",
    "binding",
    "instance_variable_get",
    "define_method",
];

/// The help for a name that is not supported, made from `FUNCTIONS` and
/// the method lists of `methods`.
pub static SUPPORTED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let functions: Vec<&str> = FUNCTIONS.iter().map(|(_, usage)| *usage).collect();
    format!(
        "supported in ERB: {}, `Time.current.year`, `Date.today`, `if`/`unless`/`elsif`/`else`, and the methods of text, numbers, lists and hashes; anything else can be a project helper (a template at layouts/helpers/NAME.html)",
        functions.join(", ")
    )
});

/// The names for a one-line note.
fn supported_short() -> String {
    let names: Vec<&str> = FUNCTIONS.iter().map(|(name, _)| *name).collect();
    format!("supported: {}", names.join(", "))
}

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
    // As Middleman writes it (a page may show it in a code block): the
    // path as given, and a closing ` />`.
    format!(
        "<img src=\"{}\"{} />",
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
