//! Alerts' runbook links, checked as page links are: each alert whose
//! `runbook_url` leads to nothing in the manual (or to a heading its page
//! lacks, or through an old address) is reported at its line in the rule
//! file, by the alert's name. And with alert rules named, a page in an
//! `alerts/` folder that no alert links to is an orphaned runbook.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::site::runbooks::RunbookTarget;
use crate::site::{Site, Target};

use super::suggest::nearest;

pub fn check(site: &Site) -> Diagnostics {
    let mut found = Diagnostics::new();
    let runbooks = &site.runbooks;
    for (alert, target) in runbooks.alerts.iter().zip(&runbooks.targets) {
        let at = |d: Diagnostic| d.at(alert.line, alert.column);
        let named = format!("alert `{}`: runbook_url {}", alert.name, alert.runbook_url);
        match target {
            RunbookTarget::NotChecked => {}
            RunbookTarget::Missing { path, fragment } => {
                let with_fragment = |url: &str| match fragment {
                    Some(f) => format!("{url}#{f}"),
                    None => url.to_string(),
                };
                let source_name = path.trim_start_matches('/');
                let html = format!("{path}.html");
                let help = if source_name.ends_with(".md") || source_name.ends_with(".md.erb") {
                    let url = crate::url::page_url(source_name, site.settings.directory_indexes());
                    format!(
                        "link to the page, not its source file: {}",
                        with_fragment(&url)
                    )
                } else if site.urls.contains_key(&html) {
                    format!("link to {}", with_fragment(&html))
                } else if let Some(near) = super::links::similar_url(site, path) {
                    format!("did you mean {}?", with_fragment(near))
                } else {
                    "correct the alert's runbook_url, or add a redirect from this address in the settings if the page moved".into()
                };
                found.push(at(Diagnostic::error(
                    Code::RunbookBroken,
                    &alert.file,
                    format!("{named} goes to {path}, which is not a page of the manual"),
                )
                .with_help(help)));
            }
            RunbookTarget::Page {
                page,
                fragment,
                via,
            } => {
                let url = &site.pages[*page].url;
                if let Some(r) = via {
                    let to = site.redirect_shown(*r);
                    found.push(at(Diagnostic::warning(
                        Code::RunbookRedirected,
                        &alert.file,
                        format!("{named} goes through a redirect to {to}"),
                    )
                    .with_help(format!(
                        "link the alert to {}{} directly",
                        url,
                        fragment
                            .as_ref()
                            .map(|f| format!("#{f}"))
                            .unwrap_or_default()
                    ))));
                }
                if let Some(fragment) = fragment
                    && !site.has_id(Target::Page(*page), fragment)
                {
                    let ids: Vec<&str> = site
                        .ids_at(Target::Page(*page))
                        .map(|ids| ids.collect())
                        .unwrap_or_default();
                    let help = match nearest(fragment, ids.iter().copied()) {
                        Some(near) => format!("did you mean {url}#{near}?"),
                        None => format!(
                            "link to a heading that exists on {url}, or remove `#{fragment}`"
                        ),
                    };
                    found.push(at(Diagnostic::error(
                        Code::RunbookFragmentMissing,
                        &alert.file,
                        format!("{named}: {url} has no heading or element with id `{fragment}`"),
                    )
                    .with_help(help)));
                }
            }
        }
    }
    let rules_named = !site.settings.alert_rules.is_empty() || !runbooks.alerts.is_empty();
    if rules_named {
        for (index, page) in site.pages.iter().enumerate() {
            if is_runbook_page(&page.url) && runbooks.by_page[index].is_empty() {
                found.push(
                    Diagnostic::warning(
                        Code::RunbookOrphaned,
                        &page.path,
                        format!(
                            "{} is in an alerts folder, but no alert links to it",
                            page.url
                        ),
                    )
                    .at(1, 1)
                    .with_help("link an alert's runbook_url to it, or move it out of the alerts folder if it is not a runbook"),
                );
            }
        }
    }
    found
}

/// A page in an `alerts/` folder other than the folder's own index.
fn is_runbook_page(url: &str) -> bool {
    let mut parts: Vec<&str> = url.trim_start_matches('/').split('/').collect();
    let name = parts.pop().unwrap_or("");
    let folder_index = name.is_empty() || name == "index.html";
    parts.contains(&"alerts") && !(folder_index && parts.last() == Some(&"alerts"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn runbook_pages_are_those_in_an_alerts_folder() {
        for (url, runbook) in [
            ("/manual/alerts/disk-full.html", true),
            ("/alerts/x/", true),
            ("/alerts/x/index.html", true),
            ("/alerts/", false),
            ("/manual/alerts/index.html", false),
            ("/manual/alerts.html", false),
            ("/manual/alerting.html", false),
        ] {
            assert_eq!(super::is_runbook_page(url), runbook, "{url}");
        }
    }
}
