//! Publishing a site: rendered whole into a staging folder beside the
//! output, which then replaces it in one step. Until that step the old
//! site stands as it was; after it, the new one is complete.

use std::path::Path;
use std::time::{Duration, Instant};

use super::render_loop::{Written, interrupted, render_site, write_error};
use super::{Reuse, Staging};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::interrupt;
use crate::render::Templates;
use crate::site::Site;

/// Where a site is published.
pub struct Destination<'a> {
    /// The output folder as the user named it, for messages.
    pub named: &'a Path,
    /// Its real path (`output_folder`), where the staging folder goes.
    pub real: &'a Path,
    /// The cache folder whose record of the last site lets unchanged
    /// outputs be taken from it; `None` to make every output.
    pub reuse_from: Option<&'a Path>,
}

/// A site published.
pub struct Published {
    pub written: Written,
    /// Outputs taken unchanged from the site replaced.
    pub reused: usize,
    /// How long rendering and the swap took, for `-v`.
    pub timings: Vec<(&'static str, Duration)>,
    /// What people should know that is not a problem with the site.
    pub notes: Vec<String>,
}

/// Nothing was published, and why; the old site stands.
pub struct NotPublished {
    pub reason: Reason,
    pub problems: Diagnostics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Ctrl-C.
    Interrupted,
    /// Script found in a made file: a problem with the site, like any
    /// finding of `check`.
    ScriptFound,
    /// The site could not be written at all.
    CannotWrite,
}

impl NotPublished {
    fn new(reason: Reason, problems: impl IntoIterator<Item = Diagnostic>) -> Self {
        NotPublished {
            reason,
            problems: problems.into_iter().collect(),
        }
    }
}

/// Renders `site` into a staging folder and puts it in the output's place.
pub fn publish(
    site: &Site,
    templates: &Templates,
    to: Destination<'_>,
) -> Result<Published, NotPublished> {
    let cannot_write =
        |e: &std::io::Error| NotPublished::new(Reason::CannotWrite, [write_error(to.named, e)]);
    if interrupt::requested() {
        return Err(NotPublished::new(
            Reason::Interrupted,
            [interrupted(to.named)],
        ));
    }
    let mut notes = Vec::new();
    let mut staging = Staging::create(to.real).map_err(|e| cannot_write(&e))?;
    if let Some(folder) = to.reuse_from {
        match Reuse::open(folder, to.real) {
            Ok(reuse) => staging = staging.reusing(reuse),
            Err(note) => notes.push(note),
        }
    }
    let started = Instant::now();
    let rendered = render_site(site, templates, &staging);
    let mut timings = vec![("render and write", started.elapsed())];
    let reuse = staging.take_reuse();
    if interrupt::requested() {
        // One report, not one per page left unwritten; dropping `staging`
        // deletes it.
        return Err(NotPublished::new(
            Reason::Interrupted,
            [interrupted(to.named)],
        ));
    }
    let written = rendered.map_err(|errors| {
        let reason = if errors.iter().all(|d| d.code == Code::HtmlUnsafe) {
            Reason::ScriptFound
        } else {
            Reason::CannotWrite
        };
        NotPublished::new(reason, errors)
    })?;
    // Once begun, publishing finishes (see `interrupt`).
    let started = Instant::now();
    staging.publish().map_err(|e| cannot_write(&e))?;
    timings.push(("publish", started.elapsed()));
    let mut reused = 0;
    if let Some(reuse) = reuse {
        reused = reuse.reused();
        notes.extend(reuse.save().err());
    }
    Ok(Published {
        written,
        reused,
        timings,
        notes,
    })
}
