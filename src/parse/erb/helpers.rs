//! Project helpers: a site's own output helpers (GOV.UK's
//! `RunRakeTask.links(app, task)` is one), each a small Tera template, so a
//! team migrates a Ruby helper by writing one template instead of editing
//! every page that calls it.
//!
//! A helper named `RunRakeTask.links` is `layouts/helpers/RunRakeTask.links.html`,
//! or an entry under `helpers:` in the settings. It is given `args` (the
//! call's arguments, in order), `options` (its `key: value` arguments) and
//! `page` (`url`, `path` and `data`, the page's front matter); what it
//! writes goes into the page before markdown, as the Ruby helper's output
//! did. Its output is not escaped: it is the site's own markup. Besides
//! Tera's filters, `urlencode` encodes an argument for an address.
//!
//! Tera has no step or memory limit of its own, and a helper comes from a
//! pull request like any page, so a helper is held to a subset whose cost
//! is bounded by its inputs (`check_rules`): `if`, and `for` loops that do
//! not nest, over the arguments or the page's data (no `range`); no `set`,
//! `include`, `extends`, `macro` or components; only filters that cannot
//! multiply a text. Its template and its arguments are bounded in size, and
//! what it writes is cut off at `MAX_HELPER_OUTPUT`. All helpers are added
//! to Tera in one call, so loading them is linear in their number (one
//! `add_raw_template` each rebuilt every template each time: 800 helpers
//! took 97 s).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};

#[derive(Default)]
pub struct Helpers {
    tera: tera::Tera,
    /// Helper name -> where it is defined.
    origins: BTreeMap<String, PathBuf>,
}

impl std::fmt::Debug for Helpers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Helpers")
            .field("names", &self.origins.keys().collect::<Vec<_>>())
            .finish()
    }
}

pub use crate::project::HELPERS_FOLDER;

/// The largest helper template.
pub const MAX_HELPER_BYTES: usize = 64 * 1024;
/// The most a helper's arguments and options may hold, as JSON.
pub const MAX_HELPER_INPUT: usize = 256 * 1024;
/// The most one call of a helper may write.
pub const MAX_HELPER_OUTPUT: usize = 1024 * 1024;

/// The tags a helper may use.
const HELPER_TAGS: &[&str] = &[
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "raw",
    "endraw",
    "break",
    "continue",
    "filter",
    "endfilter",
];

/// The filters a helper may use: none can make a text larger than its
/// input times a constant.
const HELPER_FILTERS: &[&str] = &[
    "urlencode",
    "lower",
    "upper",
    "trim",
    "trim_start",
    "trim_end",
    "capitalize",
    "title",
    "escape",
    "escape_html",
    "safe",
    "default",
    "length",
    "first",
    "last",
    "nth",
    "join",
    "get",
    "keys",
    "values",
    "split",
    "slugify",
    "truncate",
    "wordcount",
    "int",
    "float",
    "str",
    "as_str",
    "abs",
    "round",
    "sort",
    "unique",
    "reverse",
    "string",
    "striptags",
];

/// Whether a helper's template keeps to the bounded subset; the reason it
/// does not.
pub fn check_rules(text: &str) -> Result<(), String> {
    use std::sync::LazyLock;
    static COMMENT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?s)\{#.*?#\}").expect("comment pattern"));
    static TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?s)\{%-?\s*([A-Za-z_]*)(.*?)-?%\}").expect("tag pattern")
    });
    static EXPRESSION: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?s)\{\{(.*?)\}\}").expect("expression pattern"));
    static FILTER: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"\|\s*([A-Za-z_][A-Za-z0-9_]*)").expect("filter pattern")
    });
    static CALL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(^|[^|A-Za-z0-9_.])\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")
            .expect("call pattern")
    });
    if text.len() > MAX_HELPER_BYTES {
        return Err(format!(
            "a helper template may be {} KiB at most",
            MAX_HELPER_BYTES / 1024
        ));
    }
    let text = COMMENT.replace_all(text, "");
    let mut loops = 0usize;
    let mut code: Vec<&str> = Vec::new();
    for tag in TAG.captures_iter(&text) {
        let name = tag.get(1).map_or("", |m| m.as_str());
        if !HELPER_TAGS.contains(&name) {
            return Err(format!(
                "`{{% {name} %}}` is not allowed in a helper (allowed: {})",
                HELPER_TAGS.join(", ")
            ));
        }
        match name {
            "for" => {
                loops += 1;
                if loops > 1 {
                    return Err("`for` loops may not nest in a helper".into());
                }
            }
            "endfor" => loops = loops.saturating_sub(1),
            _ => {}
        }
        code.push(tag.get(2).map_or("", |m| m.as_str()));
    }
    code.extend(
        EXPRESSION
            .captures_iter(&text)
            .filter_map(|c| c.get(1).map(|m| m.as_str())),
    );
    for piece in code {
        if let Some(filter) = FILTER
            .captures_iter(piece)
            .map(|c| c[1].to_string())
            .find(|f| !HELPER_FILTERS.contains(&f.as_str()))
        {
            return Err(format!("the filter `{filter}` is not allowed in a helper"));
        }
        // A call not after `|` is a function (`range(...)`); helpers have none.
        let without_filters = FILTER.replace_all(piece, "|");
        if let Some(call) = CALL.captures(&format!(" {without_filters}")) {
            return Err(format!(
                "the function `{}` is not allowed in a helper",
                &call[2]
            ));
        }
    }
    Ok(())
}

/// A Tera for helpers: no escaping (a helper writes the site's own
/// markup), and `urlencode`.
fn new_tera() -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    // Helpers build addresses from their arguments (`?task=a:b[X]`).
    tera.register_filter(
        "urlencode",
        |text: &str, _: tera::Kwargs, _: &tera::State| -> String {
            url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
        },
    );
    tera
}

/// A writer that refuses more than `left` bytes.
struct Bounded {
    text: Vec<u8>,
    left: usize,
    overflowed: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if bytes.len() > self.left {
            self.overflowed = true;
            return Err(std::io::Error::other(format!(
                "the helper writes more than {} KiB",
                MAX_HELPER_OUTPUT / 1024
            )));
        }
        self.left -= bytes.len();
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Helpers {
    /// The helpers in `dir` (a layouts folder's `helpers/`, when it has
    /// one) and those written in the settings (`settings_file` is where,
    /// for messages). Every template error is reported together.
    pub fn load(
        dir: Option<&Path>,
        inline: &IndexMap<String, String>,
        settings_file: &Path,
    ) -> (Helpers, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let mut sources: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        if let Some(dir) = dir.filter(|d| d.is_dir()) {
            let (files, problems) = crate::load::list_files(dir, true);
            diagnostics.extend(problems);
            for file in files {
                let Some(name) = file.relative.strip_suffix(".html") else {
                    continue;
                };
                match crate::load::read_text(&file.path, crate::load::MAX_SETTINGS_BYTES) {
                    Ok(text) => {
                        sources.insert(name.to_string(), (text, file.path));
                    }
                    Err(e) => diagnostics.push(Diagnostic::error(
                        Code::LayoutsUnreadable,
                        &file.path,
                        format!("cannot read helper: {e}"),
                    )),
                }
            }
        }
        for (name, text) in inline {
            sources.insert(name.clone(), (text.clone(), settings_file.to_path_buf()));
        }
        let mut tera = new_tera();
        let mut origins = BTreeMap::new();
        let mut accepted = Vec::new();
        for (name, (text, origin)) in sources {
            if let Err(why) = check_rules(&text) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::ErbBudget,
                        &origin,
                        format!("the helper `{name}`: {why}"),
                    )
                    .with_help("a helper runs for every page that calls it, from a pull request like any page, so it keeps to a subset whose cost is bounded; see the migration guide"),
                );
                continue;
            }
            // Checked one by one for a message naming the helper; added
            // together below, in one pass.
            if let Err(e) = new_tera().add_raw_template(&name, &text) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Template,
                        &origin,
                        format!("the helper `{name}` has a template error: {}", flatten(&e)),
                    )
                    .with_help("fix the template; see the Tera documentation for its syntax"),
                );
                continue;
            }
            origins.insert(name.clone(), origin);
            accepted.push((name, text));
        }
        if let Err(e) = tera.add_raw_templates(accepted) {
            diagnostics.push(
                Diagnostic::error(
                    Code::Template,
                    settings_file,
                    format!("the helpers have a template error: {}", flatten(&e)),
                )
                .with_help("fix the template; see the Tera documentation for its syntax"),
            );
            origins.clear();
        }
        (Helpers { tera, origins }, diagnostics)
    }

    pub fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.origins.keys().map(String::as_str)
    }

    /// Writes what the helper `name` writes for these arguments.
    pub fn call(
        &self,
        name: &str,
        args: &[Json],
        options: &Json,
        page: &Json,
    ) -> Result<String, HelperError> {
        let input = serde_json::to_vec(args).map_or(0, |v| v.len())
            + serde_json::to_vec(options).map_or(0, |v| v.len());
        if input > MAX_HELPER_INPUT {
            return Err(HelperError::Budget(format!(
                "its arguments hold more than {} KiB",
                MAX_HELPER_INPUT / 1024
            )));
        }
        let mut context = tera::Context::new();
        context.insert("args", args);
        context.insert("options", options);
        context.insert("page", page);
        let mut out = Bounded {
            text: Vec::new(),
            left: MAX_HELPER_OUTPUT,
            overflowed: false,
        };
        match self.tera.render_to(name, &context, &mut out) {
            Ok(()) => String::from_utf8(out.text)
                .map_err(|_| HelperError::Failed("it wrote text that is not UTF-8".into())),
            Err(_) if out.overflowed => Err(HelperError::Budget(format!(
                "it writes more than {} KiB",
                MAX_HELPER_OUTPUT / 1024
            ))),
            Err(e) => Err(HelperError::Failed(flatten(&e))),
        }
    }
}

/// Why a helper call gave no text.
#[derive(Debug)]
pub enum HelperError {
    /// A budget was exceeded (`erb-budget`).
    Budget(String),
    /// The template failed (`erb-error`).
    Failed(String),
}

/// A Tera error and its causes, on one line.
fn flatten(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_keep_to_a_subset_whose_cost_their_inputs_bound() {
        for fine in [
            "[Run `{{ args[1] }}` on `{{ args[0] }}`](https://x/?a={{ args[0] | urlencode }})",
            "{% for item in args %}- {{ item | upper }}\n{% endfor %}",
            "{% if options.x %}{{ page.data.title | default(value='none') }}{% endif %}{# a {% set %} note #}",
            "{{ args[0] | truncate(length=5) }}",
        ] {
            assert_eq!(check_rules(fine), Ok(()), "{fine}");
        }
        for bad in [
            "{% for a in args %}{% for b in args %}x{% endfor %}{% endfor %}",
            "{% for a in range(end=100000000) %}{% endfor %}",
            "{{ range(end=5) }}",
            "{% include 'other' %}",
            "{% set x = args[0] ~ args[0] %}",
            "{% set_global x = 1 %}",
            "{% macro m() %}{% endmacro %}",
            "{{ args[0] | replace(from='a', to=args[0]) }}",
        ] {
            assert!(check_rules(bad).is_err(), "{bad}");
        }
        assert!(check_rules(&"x".repeat(MAX_HELPER_BYTES + 1)).is_err());
    }

    #[test]
    fn a_helper_that_writes_too_much_is_stopped_and_many_load_at_once() {
        let mut inline = IndexMap::new();
        inline.insert(
            "Big.list".to_string(),
            format!(
                "{{% for a in args[0] %}}{}{{% endfor %}}",
                "x".repeat(60_000)
            ),
        );
        for i in 0..800 {
            inline.insert(format!("H.n{i}"), format!("{{{{ args[0] }}}}{i}"));
        }
        let (helpers, problems) = Helpers::load(None, &inline, Path::new("site.yml"));
        assert!(problems.is_empty(), "{problems:?}");
        let many: Vec<Json> = vec![Json::Array((0..100).map(Json::from).collect())];
        match helpers.call("Big.list", &many, &Json::Null, &Json::Null) {
            Err(HelperError::Budget(why)) => assert!(why.contains("writes more"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            helpers
                .call("H.n7", &[Json::from("a")], &Json::Null, &Json::Null)
                .unwrap(),
            "a7"
        );
    }
}
