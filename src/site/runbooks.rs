//! Alerts and the runbook pages they link to: where each alert's
//! `runbook_url` leads in this site, worked out once. `check` reports the
//! links that lead nowhere, and pages show the alerts that lead to them,
//! both from these answers.

use super::{Resolved, Site, Target};
use crate::parse::alert_rules::AlertRule;

/// Where one alert's runbook link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunbookTarget {
    /// A page of the site (through the redirect `via`, when the address is
    /// an old one), at `fragment` when the link names one.
    Page {
        page: usize,
        fragment: Option<String>,
        via: Option<usize>,
    },
    /// An address of this site with nothing there (`path`, as resolved).
    Missing {
        path: String,
        fragment: Option<String>,
    },
    /// Another site, a template filled in when the alert fires, a file
    /// that is not a page, or a path another system serves: not checked.
    NotChecked,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Runbooks {
    /// Every alert with a `runbook_url`, in the order the files were read.
    pub alerts: Vec<AlertRule>,
    /// Where each alert's link leads, by the alert's index.
    pub targets: Vec<RunbookTarget>,
    /// For each page, the alerts that link to it, in `alerts` order.
    pub by_page: Vec<Vec<usize>>,
}

impl Runbooks {
    pub fn resolve(site: &Site, alerts: Vec<AlertRule>) -> Runbooks {
        let targets: Vec<RunbookTarget> = alerts.iter().map(|a| target(site, a)).collect();
        let mut by_page = vec![Vec::new(); site.pages.len()];
        for (alert, target) in targets.iter().enumerate() {
            if let RunbookTarget::Page { page, .. } = target {
                by_page[*page].push(alert);
            }
        }
        Runbooks {
            alerts,
            targets,
            by_page,
        }
    }
}

fn target(site: &Site, alert: &AlertRule) -> RunbookTarget {
    if alert.is_templated() {
        return RunbookTarget::NotChecked;
    }
    // An alert's address has no page of its own to be relative to: it is
    // read from the site's root, as a redirect's target is.
    match site.resolve("/", &alert.runbook_url) {
        Resolved::Internal {
            target: Some(Target::Page(page)),
            fragment,
            ..
        } => RunbookTarget::Page {
            page,
            fragment,
            via: None,
        },
        Resolved::Internal {
            target: Some(Target::Redirect(r)),
            fragment,
            ..
        } => match site.redirect_target(&site.redirects[r]) {
            Resolved::Internal {
                target: Some(Target::Page(page)),
                fragment: redirect_fragment,
                ..
            } => RunbookTarget::Page {
                page,
                // The alert's own fragment wins, as a browser keeps it.
                fragment: fragment.or(redirect_fragment),
                via: Some(r),
            },
            _ => RunbookTarget::NotChecked,
        },
        Resolved::Internal {
            target: None,
            path,
            fragment,
        } => RunbookTarget::Missing { path, fragment },
        _ => RunbookTarget::NotChecked,
    }
}

/// One alert that links to a page, as the page and `/api/manual.json` show
/// it.
#[derive(Debug, Clone, Copy)]
pub struct AlertOnPage<'a> {
    pub alert: &'a AlertRule,
    /// The heading id the link names, when it names one the page has.
    pub fragment: Option<&'a str>,
    /// That heading's text.
    pub heading: Option<&'a str>,
}

impl Runbooks {
    /// The alerts that link to `page`, with the heading each links to.
    pub fn alerts_on<'a>(&'a self, site: &'a Site, page: usize) -> Vec<AlertOnPage<'a>> {
        self.by_page[page]
            .iter()
            .map(|&alert| {
                let fragment = match &self.targets[alert] {
                    RunbookTarget::Page { fragment, .. } => fragment.as_deref(),
                    _ => None,
                };
                let heading = fragment.and_then(|id| {
                    site.pages[page]
                        .headings
                        .iter()
                        .find(|h| h.id == id)
                        .map(|h| h.text.as_str())
                });
                AlertOnPage {
                    alert: &self.alerts[alert],
                    fragment: heading.and(fragment),
                    heading,
                }
            })
            .collect()
    }
}
