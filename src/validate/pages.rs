//! Rules about a page's own front matter: owner, parent, required keys,
//! type, review dates; and the content lints.

use super::suggest::nearest;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::parse::Page;
use crate::parse::diagram::Problem;
use crate::parse::lints::Lint;
use crate::parse::markdown::BarrierKind;
use crate::site::{Generated, Resolved, Site, Target};

pub fn check_page(site: &Site, index: usize) -> Diagnostics {
    let page = &site.pages[index];
    let mut found = Diagnostics::new();
    let at_key = |severity: Severity, code: Code, key: &str, message: String, help: String| {
        let d = Diagnostic::error(code, &page.path, message)
            .at(page.key_line(key), 1)
            .with_help(help);
        Diagnostic { severity, ..d }
    };

    let required_keys = site.settings.required_front_matter();
    let required = |key: &str| required_keys.iter().any(|k| k == key);
    if required("title") && page.front_matter.title.is_none() {
        found.push(at_key(
            Severity::Error,
            Code::TitleMissing,
            "title",
            "page has no `title`".into(),
            format!("add `title: {}` to the front matter", page.title),
        ));
    }
    for key in &required_keys {
        let typed = matches!(key.as_str(), "title" | "owner_slack" | "section");
        if !typed && page.front_matter.value_of(key).is_none() {
            found.push(at_key(
                Severity::Error,
                Code::FrontMatterMissing,
                key,
                format!("page has no `{key}`, which the settings require"),
                format!("add `{key}:` to the front matter"),
            ));
        }
    }
    if required("section") && page.is_manual_page() && page.front_matter.section.is_none() {
        let sections: Vec<&str> = site
            .sections
            .iter()
            .map(|s| s.name.as_str())
            .take(8)
            .collect();
        found.push(at_key(
            Severity::Error,
            Code::SectionMissing,
            "section",
            "manual page has no `section`, so the index cannot place it".into(),
            format!(
                "add `section:` with an existing section, such as: {}",
                sections.join(", ")
            ),
        ));
    }
    if let Some(kind) = &page.front_matter.page_type
        && kind != "learn"
    {
        found.push(at_key(
            Severity::Error,
            Code::TypeInvalid,
            "type",
            format!("`type: {kind}` is not a known page type"),
            "use `type: learn` for background reading, or remove `type` for a how-to page".into(),
        ));
    }
    check_owner(site, index, required("owner_slack"), &mut found);
    check_parent(site, index, &mut found);
    check_review(site, index, &mut found);
    check_lints(site, page, &mut found);
    for block in &page.code_blocks {
        match &block.diagram_problem {
            Some(Problem::Invalid(why)) => found.push(
                Diagnostic::error(Code::DiagramInvalid, &page.path, format!("diagram cannot be drawn: {why}"))
                    .at(block.line, block.column)
                    .with_help("fix the Mermaid source (the Mermaid live editor shows where it goes wrong), or mark the block `text` to show it as code"),
            ),
            Some(Problem::Unsupported(why)) => found.push(
                Diagnostic::warning(Code::DiagramUnsupported, &page.path, format!("{why}, so it is shown as code"))
                    .at(block.line, block.column)
                    .with_help("draw it as a flowchart, sequence, state, class, ER, pie or gantt diagram, or keep it as code"),
            ),
            None => {}
        }
        for ignored in &block.ignored {
            found.push(
                Diagnostic::warning(
                    Code::CodeAttributeIgnored,
                    &page.path,
                    format!("`{ignored}` on this code block is not acted on"),
                )
                .at(block.line, block.column)
                .with_help("a fence takes its language, `title=\"...\"` and marked lines (`{2,4-6}` or `hl_lines=\"2 4-6\"`); remove the rest"),
            );
        }
    }
    for block in page.code_blocks.iter().filter(|b| !b.known) {
        found.push(
            Diagnostic::warning(
                Code::CodeLanguageUnknown,
                &page.path,
                format!("no syntax highlighting for `{}`, so the block is shown plain", block.language),
            )
            .at(block.line, block.column)
            .with_help("use a known name, such as bash, ruby, yaml, json or text (text leaves the block plain)"),
        );
    }
    found
}

fn check_owner(site: &Site, index: usize, required: bool, found: &mut Diagnostics) {
    let page = &site.pages[index];
    let line = page.key_line("owner_slack");
    let Some(owner) = site.owner(index) else {
        if !required {
            return;
        }
        found.push(
            Diagnostic::error(Code::OwnerMissing, &page.path, "page has no `owner_slack`")
                .at(line, 1)
                .with_help(
                    "add `owner_slack: \"#your-team-channel\"` so readers know who keeps it true",
                ),
        );
        return;
    };
    if !is_valid_owner(owner) {
        found.push(
            Diagnostic::error(
                Code::OwnerInvalid,
                &page.path,
                format!("`{owner}` is not a Slack channel or user"),
            )
            .at(line, 1)
            .with_help(
                "write a channel as `#name` (lowercase letters, digits, `-` and `_`, at most 80) \
                     or a person as `@name`, in quotes",
            ),
        );
        return;
    }
    let registry = &site.settings.owners;
    if !registry.is_empty() && !registry.contains_key(owner) {
        let help = match nearest(owner, registry.keys().map(String::as_str)) {
            Some(near) => format!(
                "did you mean `{near}`? Otherwise add `{owner}` under `owners:` in the settings"
            ),
            None => format!(
                "use an owner listed under `owners:` in the settings, or add `{owner}` there"
            ),
        };
        found.push(
            Diagnostic::error(
                Code::OwnerUnregistered,
                &page.path,
                format!("`{owner}` is not in the owner registry"),
            )
            .at(line, 1)
            .with_help(help),
        );
    }
}

/// Slack's rules: channels are `#` and 1 to 80 lowercase letters, digits,
/// `-` or `_`; people are `@` and a user name.
pub fn is_valid_owner(owner: &str) -> bool {
    if let Some(channel) = owner.strip_prefix('#') {
        (1..=80).contains(&channel.chars().count())
            && channel
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    } else if let Some(user) = owner.strip_prefix('@') {
        !user.is_empty()
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    } else {
        false
    }
}

fn check_parent(site: &Site, index: usize, found: &mut Diagnostics) {
    let page = &site.pages[index];
    let Some(parent) = page.front_matter.parent.as_deref() else {
        return;
    };
    let line = page.key_line("parent");
    let Some(resolved) = site.parent(index) else {
        return;
    };
    let problem = match &resolved {
        Resolved::Internal {
            target:
                Some(
                    Target::Page(_)
                    | Target::Generated(Generated::ManualIndex | Generated::Home)
                    | Target::Unparsed,
                ),
            ..
        } => None,
        Resolved::Internal {
            target: Some(Target::Redirect(r)),
            ..
        } => Some(format!(
            "the parent {parent} is a redirect; use {} instead",
            site.redirect_shown(*r)
        )),
        Resolved::Internal { path, .. } => {
            let pages = site
                .urls
                .iter()
                .filter(|(_, t)| {
                    matches!(
                        t,
                        Target::Page(_) | Target::Generated(Generated::ManualIndex)
                    )
                })
                .map(|(u, _)| u.as_str());
            Some(match nearest(path, pages) {
                Some(near) => format!("did you mean {near}?"),
                None => "point `parent` at an existing page, such as /manual.html".into(),
            })
        }
        // On a tech-docs site, as in the gem, `parent` may name another
        // site: it only marks the header link with that address.
        Resolved::External(_) if site.settings.tech_docs.is_some() => None,
        _ => Some("point `parent` at a page of this site, such as /manual.html".into()),
    };
    if let Some(help) = problem {
        found.push(
            Diagnostic::error(
                Code::ParentMissing,
                &page.path,
                format!("parent {parent} is not a page of this site"),
            )
            .at(line, 1)
            .with_help(help),
        );
    }
}

/// Parent chains that loop: each cycle is reported once, on its first page.
pub fn check_parent_cycles(site: &Site) -> Diagnostics {
    super::cycles(site.pages.len(), |page| site.parent_page(page))
        .into_iter()
        .map(|cycle| {
            let first = &site.pages[cycle[0]];
            let mut urls: Vec<&str> = cycle.iter().map(|&p| site.pages[p].url.as_str()).collect();
            urls.push(&first.url);
            Diagnostic::error(Code::ParentCycle, &first.path, format!("parents form a cycle: {}", urls.join(" -> ")))
                .at(first.key_line("parent"), 1)
                .with_help("point one of these pages' `parent` at a page outside the cycle, such as /manual.html")
        })
        .collect()
}

/// Two pages with one title in one section: a reader choosing from the
/// section's list, or a screen reader's list of links, cannot tell them
/// apart. Reported on each page after the first, in the section's order.
pub fn check_duplicate_titles(site: &Site) -> Diagnostics {
    let mut found = Diagnostics::new();
    if !site.settings.lints.duplicate_titles {
        return found;
    }
    for section in &site.sections {
        let mut first_with: foldhash::HashMap<String, usize> = Default::default();
        for &index in &section.pages {
            let page = &site.pages[index];
            let title = crate::site::nav::folded(page.title.trim());
            match first_with.get(&title) {
                None => {
                    first_with.insert(title, index);
                }
                Some(&first) => found.push(
                    Diagnostic::warning(
                        Code::TitleDuplicate,
                        &page.path,
                        format!(
                            "\"{}\" is also the title of {} in the section {}",
                            page.title, site.pages[first].url, section.name
                        ),
                    )
                    .at(page.key_line("title"), 1)
                    .with_help("give each page a title that says how it differs, such as what it applies to"),
                ),
            }
        }
    }
    found
}

fn check_review(site: &Site, index: usize, found: &mut Diagnostics) {
    let page = &site.pages[index];
    for error in &page.review_errors {
        found.push(
            Diagnostic::error(
                Code::DateInvalid,
                &page.path,
                format!("`{}`: {}", error.key, error.message),
            )
            .at(page.key_line(error.key), 1)
            .with_help(error.help),
        );
    }
    if let Some(due) = site.overdue(index) {
        let key = if page.front_matter.review_by.is_some() {
            "review_by"
        } else {
            "review_in"
        };
        let owner = site.owner(index).unwrap_or("its owner");
        found.push(
            Diagnostic::warning(Code::ReviewOverdue, &page.path, format!("page was due for review on {due}"))
                .at(page.key_line(key), 1)
                .with_help(format!(
                    "ask {owner} to check the page, then set `last_reviewed_on` (or `review_by`) to a new date"
                )),
        );
    }
}

fn check_lints(site: &Site, page: &Page, found: &mut Diagnostics) {
    let lints = &site.settings.lints;
    for barrier in &page.barriers {
        let (enabled, code, message, help) = match &barrier.kind {
            BarrierKind::ImageWithoutAlt => (
                lints.image_alt,
                Code::ImageAltMissing,
                "image has no alt text".to_string(),
                "say what the image shows, as `![what it shows](file.png)`; an image that is only decoration takes `<img alt=\"\" ...>`".to_string(),
            ),
            BarrierKind::HeadingSkipsLevel { from, to } => (
                lints.heading_levels,
                Code::HeadingLevelSkipped,
                if *from == 1 {
                    format!("the first heading is level {to}: below the page title (level 1) it skips level 2")
                } else {
                    format!("heading level {to} follows level {from}, skipping a level")
                },
                format!(
                    "make it level {} (`{}`), or add the heading it belongs under; screen reader users move by level",
                    from + 1,
                    "#".repeat(usize::from(*from) + 1)
                ),
            ),
            BarrierKind::UnknownCallout(word) => (
                true,
                Code::CalloutUnknown,
                format!("`[!{word}]` is not a callout, so it is shown as text"),
                "use [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]".to_string(),
            ),
            BarrierKind::VagueLinkText(text) => (
                lints.link_text,
                Code::LinkTextVague,
                format!("link text \"{text}\" does not say where it goes"),
                "use words that name the destination, such as \"how to rotate keys\"; screen readers list links by their text alone".to_string(),
            ),
        };
        if enabled {
            found.push(
                Diagnostic::warning(code, &page.path, message)
                    .at(barrier.line, barrier.column)
                    .with_help(help),
            );
        }
    }
    for finding in &page.findings {
        let (enabled, code) = match finding.lint {
            Lint::Mojibake => (lints.mojibake, Code::LintMojibake),
            Lint::HeadingSpace => (lints.heading_space, Code::LintHeadingSpace),
            Lint::GovukSpelling => (lints.govuk_spelling, Code::LintGovukSpelling),
            Lint::MarkdownDialect => (true, Code::MarkdownDialect),
        };
        if enabled {
            found.push(
                Diagnostic::warning(code, &page.path, finding.message.clone())
                    .at(finding.line, finding.column)
                    .with_help(finding.help.clone()),
            );
        }
    }
    if lints.title_verb
        && let Some(title) = &page.front_matter.title
        && let Some(verb) = ing_verb(title)
    {
        found.push(
            Diagnostic::warning(
                Code::LintTitleVerb,
                &page.path,
                format!("title starts with `{verb}`: manual titles say what to do"),
            )
            .at(page.key_line("title"), 1)
            .with_help("start with the verb itself, e.g. \"Deploy an app\" rather than \"Deploying an app\""),
        );
    }
    if lints.page_file_name && !page.relative.ends_with(".erb") {
        let name = page.relative.rsplit('/').next().unwrap_or(&page.relative);
        let help = if !name.ends_with(".html.md") {
            let stem = name.trim_end_matches(".md").trim_end_matches(".html");
            Some(format!(
                "rename it to `{stem}.html.md`; its URL stays the same"
            ))
        } else if name.ends_with(".html.html.md") {
            Some(format!(
                "rename it to `{}` and add its current URL to `old_paths` so old links keep working",
                name.replace(".html.html.md", ".html.md")
            ))
        } else {
            None
        };
        if let Some(help) = help {
            found.push(
                Diagnostic::warning(
                    Code::LintPageFileName,
                    &page.path,
                    "page file is not named `<slug>.html.md`",
                )
                .with_help(help),
            );
        }
    }
}

/// The title's first word if it is an -ing verb form. A capitalised next
/// word means a name ("Publishing API"), and some -ing words are nouns.
fn ing_verb(title: &str) -> Option<&str> {
    const NOUNS: &[&str] = &[
        "thing",
        "string",
        "spring",
        "ring",
        "king",
        "wing",
        "ping",
        "bring",
        "sling",
        "sting",
        "swing",
        "something",
        "nothing",
        "everything",
        "anything",
        "during",
        "morning",
        "evening",
        "ceiling",
        "building",
        "meeting",
        "logging",
        "tooling",
        "onboarding",
        "offboarding",
        "pricing",
        "routing",
        "hosting",
        "monitoring",
        "alerting",
        "testing",
        "caching",
        "billing",
        "licensing",
        "networking",
    ];
    let mut words = title.split_whitespace();
    let first = words.next()?;
    let lower = first.to_lowercase();
    if lower.len() <= 4 || !lower.ends_with("ing") || NOUNS.contains(&lower.as_str()) {
        return None;
    }
    let next_is_name = words
        .next()
        .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    (!next_is_name).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_follow_slacks_rules() {
        assert!(is_valid_owner("#govuk-2ndline"));
        assert!(is_valid_owner("#a_b"));
        assert!(is_valid_owner("@nila.patel"));
        assert!(!is_valid_owner("#Govuk"));
        assert!(!is_valid_owner("govuk"));
        assert!(!is_valid_owner("#"));
        assert!(!is_valid_owner("#has space"));
        assert!(is_valid_owner(&format!("#{}", "a".repeat(80))));
        assert!(!is_valid_owner(&format!("#{}", "a".repeat(81))));
    }

    #[test]
    fn ing_titles() {
        assert_eq!(ing_verb("Raising issues with RE"), Some("Raising"));
        assert_eq!(ing_verb("Publishing API old locks present"), None);
        assert_eq!(ing_verb("Monitoring and alerting"), None);
        assert_eq!(ing_verb("Raise issues"), None);
        assert_eq!(ing_verb("Ring the bell"), None);
    }
}
