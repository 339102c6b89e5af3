//! ERB, as tech-docs sites write it, evaluated without Ruby.
//!
//! Middleman runs a `.html.md.erb` page's ERB first and its markdown
//! second, so a partial may hold the reference-link definitions a page
//! uses. This module does the same: `evaluate_page` turns the page's body
//! into markdown text with a map back to the author's files, and the
//! markdown stage reads that text. Layouts (`source/layouts/*.erb`) run
//! after markdown, with `yield` writing the page.
//!
//! Written by hand because no crate runs ERB without Ruby, and running
//! Ruby is exactly what a page from an untrusted pull request must not
//! do. Only the subset in `eval` has meaning; any other name is an error
//! at its file, line and column that says what is supported and how to
//! define a project helper.

mod eval;
mod helpers;
mod methods;
pub mod output;
mod rails;
mod ruby;
pub mod template;
mod value;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::diagnostics::{Code, Diagnostic};
pub use eval::{Evaluated, MAX_OUTPUT};
pub use helpers::{HELPERS_FOLDER, Helpers};
pub use output::{Output, Place, SourceFile, SourceMap};
pub use rails::{SUPPORTED, image_tag, warning_text};

/// One page of the site, as ERB sees it (`sitemap.resources`, `current_page`).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// As the gem writes it: `/x/` for `x/index.html`.
    pub url: String,
    /// The output path below the site, `x/index.html`.
    pub path: String,
    /// Its front matter, as written (without `layout`, which is in `layout`).
    pub data: serde_json::Value,
    pub layout: Option<String>,
}

/// A partial file found for a name.
pub struct PartialFile {
    /// Below the source folder.
    pub relative: String,
    pub path: PathBuf,
    pub text: Result<Arc<str>, String>,
}

/// Finds partials by name, as Middleman looks them up.
pub trait Partials: Sync {
    /// The file `name` means, asked for from a page in folder `from`
    /// (below the source, `/`-separated, empty for the top).
    fn find(&self, from: &str, name: &str) -> Option<PartialFile>;

    /// The site's own ERB layout called `name` (`layouts/NAME.erb` below
    /// the source, where Middleman keeps them), if it has one.
    fn layout(&self, _name: &str) -> Option<PartialFile> {
        None
    }
}

/// No partials at all (for tests and sites without any).
pub struct NoPartials;

impl Partials for NoPartials {
    fn find(&self, _: &str, _: &str) -> Option<PartialFile> {
        None
    }
}

/// Everything ERB may read besides the page itself.
pub struct World<'a> {
    pub resources: &'a [Resource],
    /// What `Time.current` and `Date.today` are: the build's day.
    pub today: NaiveDate,
    /// The gem's settings file as written (`config[:tech_docs]`).
    pub config: &'a serde_json::Value,
    pub partials: &'a dyn Partials,
    pub helpers: &'a Helpers,
}

/// A problem running ERB, at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErbError {
    pub code: Code,
    pub place: Place,
    pub message: String,
    pub help: String,
}

impl ErbError {
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.code, &self.place.file, self.message.clone())
            .at(self.place.line, self.place.column)
            .with_help(self.help.clone())
    }
}

/// Runs a page's ERB: `text[body_start..]` is the template; `text` is the
/// whole file, so positions are the file's lines.
pub fn evaluate_page(
    world: &World<'_>,
    current: Option<usize>,
    page: &Resource,
    path: PathBuf,
    text: Arc<str>,
    body_start: usize,
) -> Result<Evaluated, ErbError> {
    let file = SourceFile::new(path, text.clone(), None);
    let nodes = template::parse(&text[body_start..], body_start).map_err(|e| syntax(&file, e))?;
    let mut env = eval::Env::new(world, current, page, file, None);
    let mut output = Output::default();
    env.run(&nodes, &mut output)?;
    Ok(env.finish(output))
}

/// Runs a layout's ERB around a page's HTML (`content`, what `yield`
/// writes).
pub fn evaluate_layout(
    world: &World<'_>,
    current: Option<usize>,
    page: &Resource,
    path: PathBuf,
    text: Arc<str>,
    content: String,
) -> Result<Evaluated, ErbError> {
    let file = SourceFile::new(path, text.clone(), None);
    let nodes = template::parse(&text, 0).map_err(|e| syntax(&file, e))?;
    let mut env = eval::Env::new(world, current, page, file, Some(content));
    let mut output = Output::default();
    env.run(&nodes, &mut output)?;
    Ok(env.finish(output))
}

fn syntax(file: &SourceFile, error: ruby::SyntaxError) -> ErbError {
    let (line, column) = file.line_col(error.at);
    ErbError {
        code: Code::ErbSyntax,
        place: Place {
            file: file.path.clone(),
            line,
            column,
        },
        message: format!("ERB: {}", error.message),
        help: eval::SYNTAX_HELP.into(),
    }
}

/// The names of partials a template asks for by a literal name, found
/// without running it; `None` when the template does not parse.
pub fn literal_partials(text: &str) -> Option<Vec<String>> {
    template::parse(text, 0)
        .ok()
        .map(|nodes| template::literal_partials(&nodes))
}

/// Whether a file name is one Middleman renders with ERB.
pub fn is_erb(relative: &str) -> bool {
    relative.ends_with(".erb")
}

/// The folder below the source where a name is looked up, and the names a
/// partial `name` may have there, in the order Middleman tries them.
pub fn partial_candidates(from: &str, name: &str) -> Vec<String> {
    const EXTENSIONS: &[&str] = &[
        ".erb",
        ".html.erb",
        ".md.erb",
        ".html.md.erb",
        ".md",
        ".html.md",
        ".markdown",
        ".html",
        "",
    ];
    let rooted = name.starts_with('/');
    let name = name.trim_start_matches('/');
    let (folder, base) = match name.rsplit_once('/') {
        Some((folder, base)) => (folder, base),
        None => ("", name),
    };
    let base = base.trim_start_matches('_');
    let mut places: Vec<String> = Vec::new();
    if !rooted && !from.is_empty() {
        places.push(join(from, folder));
    }
    places.push(folder.to_string());
    let mut found = Vec::new();
    for place in places {
        for stem in [format!("_{base}"), base.to_string()] {
            for extension in EXTENSIONS {
                let candidate = join(&place, &format!("{stem}{extension}"));
                if !found.contains(&candidate) {
                    found.push(candidate);
                }
            }
        }
    }
    // `..` and other tricks never name a file: the lookup is only in the
    // listing of the source folder, and such names are dropped here.
    found.retain(|c| {
        !c.split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
    });
    found
}

fn join(folder: &str, name: &str) -> String {
    match (folder.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => folder.to_string(),
        _ => format!("{folder}/{name}"),
    }
}

#[cfg(test)]
mod tests;
