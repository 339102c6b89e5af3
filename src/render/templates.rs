//! The layouts: Tera templates in `layouts/`, loaded and compiled once.
//!
//! A layout is any `layouts/*.html` whose name does not start with `_`
//! (those are partials and base templates). Files in `layouts/assets/` are
//! the layouts' own CSS and images, published under `/assets/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::AssetSource;

pub struct Templates {
    tera: Tera,
    dir: PathBuf,
    /// Names a page may choose with `layout:` (file name without `.html`).
    pub layouts: BTreeSet<String>,
    pub assets: Vec<AssetSource>,
    /// The fixed ids each layout writes (see [`layout_ids`]).
    pub ids: BTreeMap<String, Vec<String>>,
    /// A digest of every template's text: part of every output's
    /// fingerprint, so a layout change renders everything again.
    pub digest: u64,
}

impl Templates {
    /// Reads and compiles every template once; all syntax errors are
    /// reported together, each with its file and line.
    pub fn load(dir: &Path) -> Result<Templates, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut sources = Vec::new();
        let mut assets = Vec::new();
        if !dir.is_dir() {
            diagnostics.push(
                Diagnostic::error(Code::LayoutsMissing, dir, "layouts directory not found")
                    .with_help("pass the folder that holds your Tera layouts with --layouts"),
            );
            return Err(diagnostics);
        }
        // The same walk as the source: links out of the folder, FIFOs and
        // devices are refused, so a theme cannot publish a file from
        // elsewhere on the machine.
        let (listed, problems) = crate::load::list_files(dir, true);
        diagnostics.extend(problems);
        for file in listed {
            if let Some(asset) = file.relative.strip_prefix("assets/") {
                assets.push(AssetSource {
                    relative: asset.to_string(),
                    path: file.path,
                });
            } else if file.relative.ends_with(".html") {
                match crate::load::read_text(&file.path, crate::load::MAX_SETTINGS_BYTES) {
                    Ok(text) => sources.push((file.relative, text)),
                    Err(e) => diagnostics.push(Diagnostic::error(
                        Code::LayoutsUnreadable,
                        &file.path,
                        format!("cannot read template: {e}"),
                    )),
                }
            }
        }
        // Syntax is checked template by template, so every error is
        // reported at once; inheritance and includes only once all are
        // known (Tera checks them on each add, so one batch, in any order).
        for (name, text) in &sources {
            if let Err(e) = Tera::default().add_raw_template(name, text)
                && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
            {
                diagnostics.extend(template_diagnostics(dir, name, &e));
            }
        }
        let mut tera = Tera::default();
        if diagnostics.is_empty()
            && let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n, t)))
        {
            diagnostics.extend(template_diagnostics(dir, "", &e));
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let layouts = sources
            .iter()
            .filter_map(|(name, _)| name.strip_suffix(".html"))
            .filter(|name| !name.starts_with('_') && !name.contains('/'))
            .map(str::to_string)
            .collect();
        let ids = layout_ids(&sources, &layouts);
        let digest = {
            use std::hash::BuildHasher;
            foldhash::fast::FixedState::default().hash_one(&sources)
        };
        Ok(Templates {
            tera,
            dir: dir.to_path_buf(),
            layouts,
            assets,
            ids,
            digest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Renders `layout` with `context`; an error in the layout names it.
    pub fn render(&self, layout: &str, context: &Context) -> Result<String, Diagnostic> {
        let name = format!("{layout}.html");
        self.tera
            .render(&name, context)
            .map_err(|e| template_diagnostic(&self.dir, &name, &e))
    }
}

/// The ids each layout writes whatever the page: `id="..."` with a fixed
/// value in the layout and in every template it extends or includes, so the
/// fragment checker knows `#main-content` exists without a list kept by
/// hand. An id inside `{% if %}` counts as written.
fn layout_ids(
    sources: &[(String, String)],
    layouts: &BTreeSet<String>,
) -> BTreeMap<String, Vec<String>> {
    use std::sync::LazyLock;
    static ID: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"\sid\s*=\s*(?:"([^"{}%]*)"|'([^'{}%]*)')"#).expect("id pattern")
    });
    static USES: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"\{%-?\s*(?:extends|include)\s+["']([^"']+)["']"#)
            .expect("include pattern")
    });
    let by_name: BTreeMap<&str, &str> = sources
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    layouts
        .iter()
        .map(|layout| {
            let mut ids = BTreeSet::new();
            let mut seen = BTreeSet::new();
            let start = format!("{layout}.html");
            let mut pending = vec![start.as_str()];
            while let Some(name) = pending.pop() {
                let Some(text) = by_name.get(name).filter(|_| seen.insert(name)) else {
                    continue;
                };
                for id in ID.captures_iter(text) {
                    let value = id.get(1).or(id.get(2)).expect("a value");
                    ids.insert(value.as_str().to_string());
                }
                pending.extend(
                    USES.captures_iter(text)
                        .map(|u| u.get(1).expect("a name").as_str()),
                );
            }
            (layout.clone(), ids.into_iter().collect())
        })
        .collect()
}

fn template_diagnostic(dir: &Path, name: &str, error: &tera::Error) -> Diagnostic {
    template_diagnostics(dir, name, error).swap_remove(0)
}

/// One diagnostic per problem Tera found. Syntax and rendering errors carry
/// a span; Tera reports unknown filters, tests, functions and includes only
/// as pre-formatted text (`error: ...` then ` --> name:line:col`), so those
/// reports are read back for their locations.
fn template_diagnostics(dir: &Path, name: &str, error: &tera::Error) -> Vec<Diagnostic> {
    use tera::ErrorKind;
    let help = "fix the template; see the Tera documentation for its syntax";
    if let ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) = error.kind() {
        let file = if report.filename().is_empty() {
            name
        } else {
            report.filename()
        };
        let span = report.span();
        return vec![
            Diagnostic::error(
                Code::Template,
                dir.join(file),
                format!("template error: {}", report.message()),
            )
            .at(span.start_line, span.start_col + 1)
            .with_help(help),
        ];
    }
    let text = error.to_string();
    let mut found = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m);
        } else if let (Some(m), Some(location)) = (message, line.trim_start().strip_prefix("--> "))
        {
            let mut parts = location.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
            let line_number = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
            let file = parts.next().unwrap_or(name);
            found.push(
                Diagnostic::error(
                    Code::Template,
                    dir.join(file),
                    format!("template error: {m}"),
                )
                .at(line_number, column)
                .with_help(help),
            );
            message = None;
        }
    }
    if found.is_empty() {
        let file = if name.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(name)
        };
        found.push(
            Diagnostic::error(Code::Template, file, format!("template error: {text}"))
                .with_help(help),
        );
    }
    found
}
