//! The one render loop: every output of the site made and handed to a sink
//! (a staging folder for `build`, memory for `serve`) as soon as it is made,
//! so rendered HTML is never all held at once.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::SiteSink;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::project::Inputs;
use crate::render::{self, Made, Output, Renderer, Templates};
use crate::site::Site;
use crate::url::OutputPath;
use crate::{interrupt, search};

/// How many files of each kind a render wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub pages: usize,
    /// Navigation, API files, redirects and the search index.
    pub generated: usize,
    pub assets: usize,
}

/// Renders every file of the site into `sink` on every core. An output the
/// sink still holds from its fingerprint is not made again. `build` and
/// `serve` both run it.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    sink: &dyn SiteSink,
) -> Result<Written, Diagnostics> {
    let renderer = Renderer::new(site, templates);
    let outputs = render::outputs(site);
    let search_files = if site.settings.enable_search && sink.wants_search_index() {
        search::files(site)
    } else {
        Vec::new()
    };
    let every_url = outputs
        .iter()
        .map(|output| output.url(site))
        .chain(search_files.iter().map(|(url, _)| url.as_str()));
    let mut every_file = Vec::new();
    for url in every_url {
        every_file.push(output_of(url).map_err(|d| Diagnostics::from_iter([d]))?);
    }
    sink.create_folders(&mut every_file.iter())
        .map_err(|e| Diagnostics::from_iter([write_error(&sink.location(""), &e)]))?;

    let made = outputs.par_iter().map(|&output| {
        if interrupt::requested() {
            return Err(interrupted(&sink.location("")));
        }
        make_into(&renderer, output, site, sink)
    });
    let search = search_files.par_iter().map(|(url, text)| {
        let file = output_of(url)?;
        sink.write(&file, text.as_bytes())
            .map_err(|e| write_error(&sink.location(file.as_str()), &e))
    });
    let errors: Diagnostics = made
        .chain(search)
        .filter_map(Result::err)
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(Written {
        pages: site.pages.len(),
        generated: site.generated.len() + site.redirects.len() + search_files.len(),
        assets: site.assets.len() + site.theme_assets.len(),
    })
}

/// Makes one output into `sink`, or takes it unchanged from the site being
/// replaced when its fingerprint says nothing it is made from changed.
fn make_into(
    renderer: &Renderer<'_>,
    output: Output,
    site: &Site,
    sink: &dyn SiteSink,
) -> Result<(), Diagnostic> {
    let file = output_of(output.url(site))?;
    // An output made from the site's inputs (not an asset, which is
    // copied) may be taken as it is from the site being replaced.
    let from_inputs = !matches!(output, Output::Asset(_) | Output::ThemeAsset(_));
    let fingerprint =
        ((from_inputs || sink.fingerprints_assets()) && sink.can_reuse()).then(|| {
            sink.known_fingerprint(output, &file)
                .unwrap_or_else(|| renderer.fingerprint(output))
        });
    if let Some(fingerprint) = fingerprint
        && sink.reuse(&file, fingerprint)
    {
        return Ok(());
    }
    let written = match renderer.make(output)? {
        Made::Text(text) => match fingerprint {
            Some(fingerprint) => sink.write_made(&file, text.as_bytes(), fingerprint),
            None => sink.write(&file, text.as_bytes()),
        },
        Made::Copy(from) => match fingerprint {
            Some(fingerprint) => sink.copy_made(&file, from, fingerprint),
            None => sink.copy(&file, from),
        },
        Made::Builtin(bytes) => match fingerprint {
            Some(fingerprint) => sink.write_made(&file, bytes, fingerprint),
            None => sink.write(&file, bytes),
        },
    };
    written.map_err(|e| write_error(&sink.location(file.as_str()), &e))
}

/// The output file of a URL in the site's map. Every URL was checked when
/// it entered the map, so an error here is a bug, reported rather than
/// written.
fn output_of(url: &str) -> Result<OutputPath, Diagnostic> {
    OutputPath::of(url).map_err(|problem| {
        Diagnostic::error(
            Code::PathUnsafe,
            url,
            format!("refused to write {url:?}: {problem}"),
        )
    })
}

pub fn interrupted(out: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::Interrupted,
        out,
        "stopped by Ctrl-C; the site was not replaced",
    )
    .with_help("run the build again")
}

pub fn write_error(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::WriteFailed,
        path,
        format!("cannot write the site: {error}"),
    )
    .with_help("check that the output folder's parent exists and is writable, or pass --out DIR")
}

/// Publishing replaces the output folder whole, so it must not be or hold
/// the project, its inputs or its settings, nor lie inside the inputs; and
/// it must be a folder `manual` made, unless `force`. Returns the real path
/// to publish at.
pub fn output_folder(
    inputs: &Inputs,
    out: &Path,
    force: bool,
    cache: Option<&Path>,
) -> Result<PathBuf, Diagnostic> {
    let inputs_read = inputs.protected_inputs();
    let mut protected = vec![super::Protected {
        path: &inputs.root,
        what: "the project folder",
        may_hold_output: true,
    }];
    protected.extend(inputs_read.iter().map(|input| super::Protected {
        path: &input.path,
        what: input.what,
        may_hold_output: false,
    }));
    if let Some(cache) = cache {
        protected.push(super::Protected {
            path: cache,
            what: "the cache folder",
            may_hold_output: false,
        });
    }
    super::check_output(out, &protected, force)
        .map_err(|(code, message, help)| Diagnostic::error(code, out, message).with_help(help))
}
