//! Redirects, from the settings and from pages' `old_paths`: every target
//! must exist (or be another site), a redirect to a redirect is a chain,
//! and redirects that lead back to where they started are a loop.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::site::{Resolved, Site, Target, redirect_location};

pub fn check(site: &Site) -> Diagnostics {
    let mut found = Diagnostics::new();
    let next: Vec<Option<usize>> = site
        .redirects
        .iter()
        .map(|redirect| match site.redirect_target(redirect) {
            Resolved::Internal {
                target: Some(Target::Redirect(next)),
                ..
            } => Some(next),
            _ => None,
        })
        .collect();
    let in_loop = report_loops(site, &next, &mut found);
    for (i, redirect) in site.redirects.iter().enumerate() {
        let (file, line) = redirect_location(&site.settings, &site.pages, redirect);
        match site.redirect_target(redirect) {
            Resolved::External(_) | Resolved::ExternalPath { .. } => {}
            // The site graph refuses these; kept so no case is silent.
            Resolved::Unsafe(url) => found.push(
                Diagnostic::error(
                    Code::RedirectUnsafe,
                    &file,
                    format!("redirect from {} to `{url}`", redirect.from),
                )
                .at(line, 1)
                .with_help("redirect to a page"),
            ),
            Resolved::Internal {
                target: Some(Target::Redirect(next)),
                path,
                ..
            } if !in_loop[i] => found.push(
                Diagnostic::warning(
                    Code::RedirectChain,
                    &file,
                    format!(
                        "redirect from {} goes to {path}, which redirects again to {}",
                        redirect.from,
                        site.redirect_shown(next)
                    ),
                )
                .at(line, 1)
                .with_help(format!(
                    "redirect {} straight to {}",
                    redirect.from,
                    site.redirect_shown(next)
                )),
            ),
            Resolved::Internal {
                target: Some(_), ..
            } => {}
            Resolved::Internal {
                target: None, path, ..
            } => found.push(
                Diagnostic::error(
                    Code::RedirectTargetMissing,
                    &file,
                    format!(
                        "redirect from {} goes to {path}, which does not exist",
                        redirect.from
                    ),
                )
                .at(line, 1)
                .with_help("point the redirect at a page that exists, or remove it"),
            ),
        }
    }
    found
}

/// Reports each loop of redirects once, at its first redirect; returns
/// which redirects are in a loop.
fn report_loops(site: &Site, next: &[Option<usize>], found: &mut Diagnostics) -> Vec<bool> {
    let mut in_loop = vec![false; next.len()];
    for cycle in super::cycles(next.len(), |r| next[r]) {
        for &member in &cycle {
            in_loop[member] = true;
        }
        let mut steps: Vec<&str> = cycle
            .iter()
            .map(|&r| site.redirects[r].from.as_str())
            .collect();
        steps.push(&site.redirects[cycle[0]].from);
        let (file, line) =
            redirect_location(&site.settings, &site.pages, &site.redirects[cycle[0]]);
        found.push(
            Diagnostic::error(
                Code::RedirectLoop,
                file,
                format!(
                    "redirects lead back to where they started: {}",
                    steps.join(" -> ")
                ),
            )
            .at(line, 1)
            .with_help("point one of these redirects at a page"),
        );
    }
    in_loop
}
