//! Redirects, from the settings and from pages' `old_paths`: every target
//! must exist (or be another site), and a redirect to a redirect is a chain.

use super::links::{Resolved, meant_as_absolute, resolve};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{Site, Target, redirect_location};

pub fn check(site: &Site) -> Diagnostics {
    let mut found = Diagnostics::new();
    for redirect in &site.redirects {
        let (file, line) = redirect_location(&site.settings, &site.pages, redirect);
        match resolve(site, &redirect.from, &redirect.to) {
            Resolved::External(_) | Resolved::ExternalPath => {}
            Resolved::Unsafe(url) => found.push(
                Diagnostic::error(
                    "redirect-unsafe",
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
            } => found.push(
                Diagnostic::warning(
                    "redirect-chain",
                    &file,
                    format!(
                        "redirect from {} goes to {path}, which redirects again to {}",
                        redirect.from, site.redirects[next].to
                    ),
                )
                .at(line, 1)
                .with_help(format!(
                    "redirect {} straight to {}",
                    redirect.from, site.redirects[next].to
                )),
            ),
            Resolved::Internal {
                target: Some(_), ..
            } => {}
            Resolved::Internal {
                target: None, path, ..
            } => found.push(
                Diagnostic::error(
                    "redirect-target-missing",
                    &file,
                    format!(
                        "redirect from {} goes to {path}, which does not exist",
                        redirect.from
                    ),
                )
                .at(line, 1)
                .with_help(match meant_as_absolute(site, &redirect.to) {
                    Some(absolute) => format!(
                        "a relative target is resolved from the old URL's folder; did you mean {absolute}?"
                    ),
                    None => "point the redirect at a page that exists, or remove it".into(),
                }),
            ),
        }
    }
    found
}
