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
        if site.overdue(index).is_some() {
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

/// `owners --due`: the pages each owner must review soon, to tell them.
#[derive(Debug, Serialize)]
pub struct DueReport {
    /// The day the report is for, YYYY-MM-DD.
    pub today: String,
    /// Pages due within this many days are listed, besides overdue ones.
    pub within_days: u32,
    pub owners: Vec<OwnerDue>,
    /// Due pages with no owner.
    pub unowned: Vec<DuePage>,
}

#[derive(Debug, Serialize)]
pub struct OwnerDue {
    pub owner: String,
    pub team: Option<String>,
    pub pages: Vec<DuePage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuePage {
    pub title: String,
    /// The page's address: with the site's `host` when it has one.
    pub url: String,
    pub source: String,
    /// YYYY-MM-DD.
    pub review_due: String,
    pub overdue: bool,
    /// Days until the review is due; negative when overdue.
    pub days: i64,
}

/// Every page whose review is overdue or due within `within_days` of the
/// site's day, by owner (the page's own, or the default), soonest first.
pub fn due(site: &Site, within_days: u32) -> DueReport {
    let today = site.today;
    let mut by_owner: BTreeMap<&str, Vec<DuePage>> = BTreeMap::new();
    let mut unowned = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        let Some(due) = page.review.due else {
            continue;
        };
        let days = (due - today).num_days();
        if days > i64::from(within_days) {
            continue;
        }
        let address = site.href(&page.url, None);
        let entry = DuePage {
            title: page.title.clone(),
            url: site.on_host(&address).unwrap_or(address),
            source: crate::diagnostics::display_path(&page.path)
                .to_string_lossy()
                .into_owned(),
            review_due: due.to_string(),
            overdue: site.overdue(index).is_some(),
            days,
        };
        match site.owner(index) {
            Some(owner) => by_owner.entry(owner).or_default().push(entry),
            None => unowned.push(entry),
        }
    }
    let soonest = |pages: &mut Vec<DuePage>| {
        pages.sort_by(|a, b| a.days.cmp(&b.days).then_with(|| a.url.cmp(&b.url)));
    };
    soonest(&mut unowned);
    DueReport {
        today: today.to_string(),
        within_days,
        owners: by_owner
            .into_iter()
            .map(|(owner, mut pages)| {
                soonest(&mut pages);
                OwnerDue {
                    owner: owner.to_string(),
                    team: site.settings.owners.get(owner).cloned(),
                    pages,
                }
            })
            .collect(),
        unowned,
    }
}

impl DuePage {
    fn when(&self) -> String {
        match self.days {
            d if d < 0 => format!("overdue since {} ({} days)", self.review_due, -d),
            0 => format!("due today ({})", self.review_due),
            d => format!("due {} (in {d} days)", self.review_due),
        }
    }
}

/// The most blocks Slack takes in one message.
const SLACK_MAX_BLOCKS: usize = 50;
/// The most characters of a section's text.
const SLACK_MAX_SECTION_TEXT: usize = 3000;

/// Text for Slack's mrkdwn, where `&`, `<` and `>` are control characters.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown table cell text: a `|` would end the cell.
fn markdown_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['[', ']'], "")
        .replace('\n', " ")
}

impl DueReport {
    fn groups(&self) -> impl Iterator<Item = (&str, Option<&str>, &[DuePage])> {
        self.owners
            .iter()
            .map(|o| (o.owner.as_str(), o.team.as_deref(), o.pages.as_slice()))
            .chain((!self.unowned.is_empty()).then_some((
                "no owner",
                None,
                self.unowned.as_slice(),
            )))
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (owner, team, pages) in self.groups() {
            let team = team.map(|t| format!(" ({t})")).unwrap_or_default();
            out.push_str(&format!(
                "{owner}{team}: {} page(s) to review\n",
                pages.len()
            ));
            for page in pages {
                out.push_str(&format!(
                    "  {}: {} ({})\n",
                    page.when(),
                    page.title,
                    page.source
                ));
            }
        }
        if out.is_empty() {
            out.push_str(&format!(
                "No page is overdue or due within {} days.\n",
                self.within_days
            ));
        }
        out
    }

    /// For a GitHub issue's body.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# Pages to review\n\nOverdue, or due within {} days of {}.\n",
            self.within_days, self.today
        );
        if self.owners.is_empty() && self.unowned.is_empty() {
            out.push_str("\nNo page is due.\n");
        }
        for (owner, team, pages) in self.groups() {
            let team = team
                .map(|t| format!(" ({})", markdown_cell(t)))
                .unwrap_or_default();
            out.push_str(&format!(
                "\n## {}{team}\n\n| Page | Review | Source |\n|---|---|---|\n",
                markdown_cell(owner)
            ));
            for page in pages {
                out.push_str(&format!(
                    "| [{}]({}) | {} | `{}` |\n",
                    markdown_cell(&page.title),
                    page.url.replace(' ', "%20").replace(')', "%29"),
                    page.when(),
                    page.source.replace('`', "'")
                ));
            }
        }
        out
    }

    /// One Slack message per owner channel, in Block Kit: a header, then a
    /// section per page (at most 50 blocks, so a long list ends with a
    /// count of the rest). `channel` is the owner; posting is left to the
    /// caller (a webhook in CI).
    pub fn to_slack(&self) -> serde_json::Value {
        let messages: Vec<serde_json::Value> = self
            .owners
            .iter()
            .map(|owner| {
                let count = owner.pages.len();
                let overdue = owner.pages.iter().filter(|p| p.overdue).count();
                let title = format!("{count} manual page(s) to review, {overdue} overdue");
                let mut blocks = vec![serde_json::json!({
                    "type": "header",
                    "text": {"type": "plain_text", "text": title.chars().take(150).collect::<String>()}
                })];
                let room = SLACK_MAX_BLOCKS - 2;
                for page in owner.pages.iter().take(room) {
                    let mut text = format!(
                        "*<{}|{}>*\n{}",
                        slack_escape(&page.url),
                        slack_escape(&page.title),
                        slack_escape(&page.when())
                    );
                    if text.chars().count() > SLACK_MAX_SECTION_TEXT {
                        text = text.chars().take(SLACK_MAX_SECTION_TEXT).collect();
                    }
                    blocks.push(serde_json::json!({
                        "type": "section",
                        "text": {"type": "mrkdwn", "text": text}
                    }));
                }
                if count > room {
                    blocks.push(serde_json::json!({
                        "type": "context",
                        "elements": [{"type": "mrkdwn", "text": format!("and {} more", count - room)}]
                    }));
                }
                serde_json::json!({
                    "channel": owner.owner,
                    "text": title,
                    "blocks": blocks,
                })
            })
            .collect();
        serde_json::Value::Array(messages)
    }
}
