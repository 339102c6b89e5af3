//! Who owns what: pages per owner, the overdue ones, and owners missing
//! from the registry. Built from the same `Site` that `check` uses.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostics};
use crate::site::Site;

#[derive(Debug, Serialize)]
pub struct OwnersReport {
    pub owners: Vec<OwnerPages>,
    /// Pages with no `owner_slack`.
    pub unowned: Vec<PageRef>,
    /// Owners used by pages but absent from a non-empty `owners:` registry.
    pub unregistered: Vec<String>,
    /// Page files that could not be read or whose front matter could not be
    /// parsed: their owners are unknown, so the report is incomplete.
    pub unreadable: Vec<Unreadable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub source: String,
    pub problem: String,
}

/// Problems that leave a page file out of the site, so out of the report.
const UNREAD: &[Code] = &[
    Code::SourceUnreadable,
    Code::SourceNotUtf8,
    Code::SourceNotRegular,
    Code::SourceTooLarge,
    Code::SourceLinkOutside,
    Code::PathUnsafe,
    Code::FrontMatterUnterminated,
    Code::FrontMatterYaml,
    Code::FrontMatterNotMapping,
    Code::FrontMatterType,
];

#[derive(Debug, Serialize)]
pub struct OwnerPages {
    pub owner: String,
    /// From the registry, when it has the owner.
    pub team: Option<String>,
    pub pages: Vec<PageRef>,
    pub overdue: Vec<PageRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageRef {
    pub title: String,
    pub url: String,
    pub source: String,
    /// `YYYY-MM-DD`, when the page has a review date.
    pub review_due: Option<String>,
}

/// The report for `site`; `problems` are those found while loading it, of
/// which the unreadable pages are listed.
pub fn report(site: &Site, problems: &Diagnostics) -> OwnersReport {
    let today = site.today;
    let mut by_owner: BTreeMap<&str, (Vec<PageRef>, Vec<PageRef>)> = BTreeMap::new();
    let mut unowned = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        let due = page.review.due;
        let page_ref = PageRef {
            title: page.title.clone(),
            url: page.url.clone(),
            // From the project's folder, as `check` names files.
            source: crate::diagnostics::display_path(&page.path)
                .to_string_lossy()
                .into_owned(),
            review_due: due.map(|d| d.to_string()),
        };
        // The page's owner as the page and the review feed show it: its
        // own, or the settings' `default_owner_slack`.
        let Some(owner) = site.owner(index) else {
            unowned.push(page_ref);
            continue;
        };
        let entry = by_owner.entry(owner).or_default();
        if due.is_some_and(|d| d < today) {
            entry.1.push(page_ref.clone());
        }
        entry.0.push(page_ref);
    }
    let registry = &site.settings.owners;
    let unregistered = if registry.is_empty() {
        Vec::new()
    } else {
        by_owner
            .keys()
            .filter(|o| !registry.contains_key(**o))
            .map(|o| o.to_string())
            .collect()
    };
    let owners = by_owner
        .into_iter()
        .map(|(owner, (pages, overdue))| OwnerPages {
            owner: owner.to_string(),
            team: registry.get(owner).cloned(),
            pages,
            overdue,
        })
        .collect();
    let unreadable = problems
        .iter()
        .filter(|d| d.is_error() && UNREAD.contains(&d.code))
        .map(|d| Unreadable {
            source: crate::diagnostics::display_path(&d.file)
                .display()
                .to_string(),
            problem: format!("{}: {}", d.code, d.message),
        })
        .collect();
    OwnersReport {
        owners,
        unowned,
        unregistered,
        unreadable,
    }
}

impl OwnersReport {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for owner in &self.owners {
            let team = owner
                .team
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "{}{team}: {} page(s), {} overdue\n",
                owner.owner,
                owner.pages.len(),
                owner.overdue.len()
            ));
            for page in &owner.overdue {
                let due = page.review_due.as_deref().unwrap_or("?");
                out.push_str(&format!(
                    "  overdue since {due}: {} ({})\n",
                    page.title, page.source
                ));
            }
        }
        if !self.unowned.is_empty() {
            out.push_str(&format!("no owner: {} page(s)\n", self.unowned.len()));
            for page in &self.unowned {
                out.push_str(&format!("  {} ({})\n", page.title, page.source));
            }
        }
        if !self.unregistered.is_empty() {
            out.push_str(&format!(
                "not in the owner registry: {}\n",
                self.unregistered.join(", ")
            ));
        }
        if !self.unreadable.is_empty() {
            out.push_str(&format!(
                "could not be read, so not counted: {} page(s)\n",
                self.unreadable.len()
            ));
            for page in &self.unreadable {
                out.push_str(&format!("  {} ({})\n", page.source, page.problem));
            }
        }
        out
    }
}
