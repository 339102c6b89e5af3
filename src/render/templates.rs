//! The layouts: Tera templates, loaded and compiled once.
//!
//! The built-in theme (the repository's `theme/` folder) is compiled into
//! the binary, so `manual` builds a site with nothing else beside it. A
//! site's own layouts folder (`layouts/`, or `--layouts DIR`) overrides it
//! file by file: a template or asset of the same name replaces the built-in
//! one, others are added. A layout is any `*.html` at the top whose name does
//! not start with `_` (those are partials and base templates). Files in
//! `assets/` are the theme's own CSS, scripts and images, published under
//! `/assets/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::AssetSource;

/// The built-in theme.
static THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// How files of the built-in theme are named in messages.
pub const BUILTIN: &str = "(built-in theme)";

/// One file of the built-in theme (`assets/search.js`), by its path in
/// the theme.
pub fn builtin_file(path: &str) -> Option<&'static [u8]> {
    THEME.get_file(path).map(|file| file.contents())
}

/// Every file of the built-in theme, as (path in the theme, contents).
pub fn builtin_files() -> Vec<(String, &'static [u8])> {
    fn walk(dir: &'static Dir<'static>, found: &mut Vec<(String, &'static [u8])>) {
        for file in dir.files() {
            found.push((
                file.path().to_string_lossy().replace('\\', "/"),
                file.contents(),
            ));
        }
        for sub in dir.dirs() {
            walk(sub, found);
        }
    }
    let mut found = Vec::new();
    walk(&THEME, &mut found);
    found.sort();
    found
}

pub struct Templates {
    tera: Tera,
    /// Where each template came from, for messages.
    origins: BTreeMap<String, PathBuf>,
    /// The site's layouts folder, when it has one.
    overrides: Option<PathBuf>,
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
    /// The built-in theme with `overrides` (a site's layouts folder) laid
    /// over it; every template compiled once, and all syntax errors
    /// reported together, each with its file and line.
    pub fn load(overrides: Option<&Path>) -> Result<Templates, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        // name -> (text, where it came from)
        let mut sources: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        let mut assets: BTreeMap<String, AssetSource> = BTreeMap::new();
        for (name, contents) in builtin_files() {
            let origin = Path::new(BUILTIN).join(&name);
            if let Some(asset) = name.strip_prefix("assets/") {
                assets.insert(
                    asset.to_string(),
                    AssetSource {
                        path: origin,
                        relative: asset.to_string(),
                        builtin: Some(contents),
                    },
                );
            } else if name.ends_with(".html") {
                let text = String::from_utf8_lossy(contents).into_owned();
                sources.insert(name, (text, origin));
            }
        }
        if let Some(dir) = overrides {
            if !dir.is_dir() {
                diagnostics.push(
                    Diagnostic::error(Code::LayoutsMissing, dir, "layouts folder not found")
                        .with_help(
                            "pass a folder that exists with --layouts, or leave it out to use the built-in theme",
                        ),
                );
                return Err(diagnostics);
            }
            // The same walk as the source: links out of the folder, FIFOs
            // and devices are refused, so a theme cannot publish a file
            // from elsewhere on the machine.
            let (listed, problems) = crate::load::list_files(dir, true);
            diagnostics.extend(problems);
            for file in listed {
                if let Some(asset) = file.relative.strip_prefix("assets/") {
                    assets.insert(
                        asset.to_string(),
                        AssetSource {
                            relative: asset.to_string(),
                            path: file.path,
                            builtin: None,
                        },
                    );
                } else if file.relative.ends_with(".html") {
                    match crate::load::read_text(&file.path, crate::load::MAX_SETTINGS_BYTES) {
                        Ok(text) => {
                            sources.insert(file.relative, (text, file.path));
                        }
                        Err(e) => diagnostics.push(Diagnostic::error(
                            Code::LayoutsUnreadable,
                            &file.path,
                            format!("cannot read template: {e}"),
                        )),
                    }
                }
            }
        }
        let origins: BTreeMap<String, PathBuf> = sources
            .iter()
            .map(|(name, (_, origin))| (name.clone(), origin.clone()))
            .collect();
        let fallback = overrides.map_or_else(|| PathBuf::from(BUILTIN), Path::to_path_buf);
        let locate = |name: &str| {
            origins
                .get(name)
                .cloned()
                .unwrap_or_else(|| fallback.join(name))
        };
        // Syntax is checked template by template, so every error is
        // reported at once; inheritance and includes only once all are
        // known (Tera checks them on each add, so one batch, in any order).
        for (name, (text, _)) in &sources {
            if let Err(e) = Tera::default().add_raw_template(name, text)
                && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
            {
                diagnostics.extend(template_diagnostics(&locate, name, &e));
            }
        }
        let mut tera = Tera::default();
        if diagnostics.is_empty()
            && let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, (t, _))| (n, t)))
        {
            diagnostics.extend(template_diagnostics(&locate, "", &e));
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let texts: Vec<(String, String)> = sources
            .into_iter()
            .map(|(name, (text, _))| (name, text))
            .collect();
        let layouts = texts
            .iter()
            .filter_map(|(name, _)| name.strip_suffix(".html"))
            .filter(|name| !name.starts_with('_') && !name.contains('/'))
            .map(str::to_string)
            .collect();
        let ids = layout_ids(&texts, &layouts);
        let digest = {
            use std::hash::BuildHasher;
            foldhash::fast::FixedState::default().hash_one(&texts)
        };
        Ok(Templates {
            tera,
            origins,
            overrides: overrides.map(Path::to_path_buf),
            layouts,
            assets: assets.into_values().collect(),
            ids,
            digest,
        })
    }

    /// The site's layouts folder, when it has one.
    pub fn overrides(&self) -> Option<&Path> {
        self.overrides.as_deref()
    }

    /// Where a layout named `name` is, or would be: in the site's layouts
    /// folder, or in the built-in theme.
    pub fn location(&self, name: &str) -> PathBuf {
        self.origins.get(name).cloned().unwrap_or_else(|| {
            self.overrides
                .as_deref()
                .unwrap_or(Path::new(BUILTIN))
                .join(name)
        })
    }

    /// Renders `layout` with `context`; an error in the layout names it.
    pub fn render(&self, layout: &str, context: &Context) -> Result<String, Diagnostic> {
        let name = format!("{layout}.html");
        self.tera
            .render(&name, context)
            .map_err(|e| template_diagnostics(&|n| self.location(n), &name, &e).swap_remove(0))
    }
}

/// Writes the built-in theme into `dir` for a site to change: every file
/// that is not there already (or every file, with `force`). Returns the
/// files written and those left as they were.
pub fn export(dir: &Path, force: bool) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    // Through the write door: never through a symbolic link in `dir`.
    let place = crate::safe_write::Place::new(dir)?;
    for (name, contents) in builtin_files() {
        let path = dir.join(&name);
        if std::fs::symlink_metadata(&path).is_ok() && !force {
            kept.push(path);
            continue;
        }
        place.write(Path::new(&name), contents.as_ref())?;
        written.push(path);
    }
    Ok((written, kept))
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

/// One diagnostic per problem Tera found. Syntax and rendering errors carry
/// a span; Tera reports unknown filters, tests, functions and includes only
/// as pre-formatted text (`error: ...` then ` --> name:line:col`), so those
/// reports are read back for their locations.
fn template_diagnostics(
    locate: &dyn Fn(&str) -> PathBuf,
    name: &str,
    error: &tera::Error,
) -> Vec<Diagnostic> {
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
                locate(file),
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
                Diagnostic::error(Code::Template, locate(file), format!("template error: {m}"))
                    .at(line_number, column)
                    .with_help(help),
            );
            message = None;
        }
    }
    if found.is_empty() {
        let file = locate(name);
        found.push(
            Diagnostic::error(Code::Template, file, format!("template error: {text}"))
                .with_help(help),
        );
    }
    found
}
