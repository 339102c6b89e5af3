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

/// The folder below a layouts folder that holds helper templates.
pub const HELPERS_FOLDER: &str = "helpers";

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
        let mut tera = tera::Tera::default();
        tera.autoescape_on(Vec::<&str>::new());
        // Helpers build addresses from their arguments (`?task=a:b[X]`).
        tera.register_filter(
            "urlencode",
            |text: &str, _: tera::Kwargs, _: &tera::State| -> String {
                url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
            },
        );
        let mut origins = BTreeMap::new();
        for (name, (text, origin)) in sources {
            match tera.add_raw_template(&name, &text) {
                Ok(()) => {
                    origins.insert(name, origin);
                }
                Err(e) => diagnostics.push(
                    Diagnostic::error(
                        Code::Template,
                        &origin,
                        format!("the helper `{name}` has a template error: {}", flatten(&e)),
                    )
                    .with_help("fix the template; see the Tera documentation for its syntax"),
                ),
            }
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
    ) -> Result<String, String> {
        let mut context = tera::Context::new();
        context.insert("args", args);
        context.insert("options", options);
        context.insert("page", page);
        self.tera.render(name, &context).map_err(|e| flatten(&e))
    }
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
