//! The one heading-id function. The page, its table of contents, the
//! fragment checker and search all take ids from here, so a `#fragment`
//! that works in the browser is exactly one that `check` accepts.
//!
//! Two schemes, chosen by the `heading_ids` setting:
//!
//! - `govuk-developer-docs` (the default without a `tech-docs.yml`): the
//!   heading's text lowercased; white space and `.` become `-`; letters,
//!   digits, `-` and `_` are kept and every other character dropped; runs of
//!   `-` collapse and are trimmed. A later duplicate gets `-1`, `-2`, ...
//!   (skipping ids already taken).
//! - `tech-docs-gem` (the default with one): what the tech-docs gem gives,
//!   so deep links into a migrated site keep working. The gem slugs the
//!   heading's HTML as Redcarpet writes it (`'` is `&#39;`, `&` is
//!   `&amp;`): tags removed, lowercased, every run of characters other
//!   than ASCII letters and digits made one `-`, `-` trimmed. So "What's
//!   new" is `what-39-s-new`. A duplicate is first prefixed with the id of
//!   the nearest heading above it of a higher level (`install-setup`), and
//!   if that is taken too, suffixed `-2`, `-3`, ...
//!
//! In both, a heading whose text leaves nothing gets `section`, and an
//! explicit `{#id}` is kept as written.

use std::collections::{HashMap, HashSet};

pub use crate::settings::HeadingIdScheme as Scheme;

/// The id a heading with this text gets before de-duplication, in the
/// GOV.UK Developer Docs scheme.
pub fn slugify(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '.' || c == '-' {
            if !id.is_empty() && !id.ends_with('-') {
                id.push('-');
            }
        } else if c.is_alphanumeric() || c == '_' {
            id.push(c);
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    if id.is_empty() {
        id.push_str("section");
    }
    id
}

/// The id the tech-docs gem gives a heading, from its HTML as Redcarpet
/// writes it (see [`redcarpet_text`]), before de-duplication.
pub fn gem_slug(html: &str) -> String {
    let lower = html.trim().to_lowercase();
    // Tags go first: `<code>` must not leave `code` behind.
    let mut text = String::with_capacity(lower.len());
    let mut in_tag = false;
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if !in_tag
                && chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/') =>
            {
                in_tag = true;
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let mut id = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-');
    if id.is_empty() {
        "section".to_string()
    } else {
        id.to_string()
    }
}

/// Text escaped as Redcarpet escapes it in a heading.
pub fn redcarpet_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Hands out ids unique within one page.
#[derive(Debug, Default)]
pub struct HeadingIds {
    scheme: Scheme,
    taken: HashSet<String>,
    /// The next suffix to try for each base id: without it, the n-th
    /// heading with the same text would try n - 1 taken ids first, and a
    /// page of 50,000 equal headings would take over a billion lookups.
    next_suffix: HashMap<String, usize>,
    /// For each level, the id of the last heading at it and when it came:
    /// the gem prefixes a duplicate with the nearest higher heading's id.
    last_at_level: [Option<(usize, String)>; 7],
    count: usize,
}

impl HeadingIds {
    /// Starts with the page's explicit `{#id}`s already taken, so that a
    /// generated id never collides with one an author wrote.
    pub fn with_explicit<'a>(scheme: Scheme, explicit: impl IntoIterator<Item = &'a str>) -> Self {
        HeadingIds {
            scheme,
            taken: explicit.into_iter().map(str::to_string).collect(),
            ..HeadingIds::default()
        }
    }

    /// An id for a heading of `level` with this text (`html` is its text
    /// as Redcarpet writes it, which the gem's scheme reads).
    pub fn unique_for(&mut self, text: &str, html: &str, level: u8) -> String {
        let id = match self.scheme {
            Scheme::GovukDeveloperDocs => {
                let base = slugify(text);
                self.suffixed(&base, 1)
            }
            Scheme::TechDocsGem => {
                let base = gem_slug(html);
                if !self.taken.contains(&base) {
                    base
                } else {
                    let parent = self.last_at_level[1..usize::from(level).clamp(1, 7)]
                        .iter()
                        .flatten()
                        .max_by_key(|(when, _)| *when)
                        .map(|(_, id)| id.clone());
                    let prefixed = match parent {
                        Some(parent) => format!("{parent}-{base}"),
                        None => base,
                    };
                    if self.taken.contains(&prefixed) {
                        self.suffixed(&prefixed, 2)
                    } else {
                        prefixed
                    }
                }
            }
        };
        self.record(&id, level);
        id
    }

    /// Notes an id written explicitly (`{#id}`) at a level.
    pub fn explicit(&mut self, id: &str, level: u8) {
        self.record(id, level);
    }

    fn record(&mut self, id: &str, level: u8) {
        self.taken.insert(id.to_string());
        self.count += 1;
        if let Some(slot) = self.last_at_level.get_mut(usize::from(level)) {
            *slot = Some((self.count, id.to_string()));
        }
    }

    /// `base` if free, else `base-N` for the first free N from `first`.
    fn suffixed(&mut self, base: &str, first: usize) -> String {
        if !self.taken.contains(base) {
            return base.to_string();
        }
        let n = self.next_suffix.entry(base.to_string()).or_insert(first);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if !self.taken.contains(&candidate) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gem(text: &str) -> String {
        let mut html = String::new();
        redcarpet_text(text, &mut html);
        gem_slug(&html)
    }

    #[test]
    fn follows_the_developer_docs_scheme() {
        assert_eq!(slugify("Hello World"), "hello-world");
        assert_eq!(slugify("Step 1: do it!"), "step-1-do-it");
        assert_eq!(slugify("What's new?"), "whats-new");
        assert_eq!(slugify("Upgrade to Rails 8.1"), "upgrade-to-rails-8-1");
        assert_eq!(slugify("A - B"), "a-b");
        assert_eq!(slugify("snake_case name"), "snake_case-name");
        assert_eq!(slugify("  (Optional) extra  "), "optional-extra");
        assert_eq!(slugify("Ünïcode Héading"), "ünïcode-héading");
        assert_eq!(slugify("???"), "section");
    }

    #[test]
    fn follows_the_gems_scheme() {
        assert_eq!(gem("Hello World"), "hello-world");
        assert_eq!(gem("What's new?"), "what-39-s-new");
        assert_eq!(gem("Upgrade to Rails 8.1"), "upgrade-to-rails-8-1");
        assert_eq!(gem("snake_case name"), "snake-case-name");
        assert_eq!(gem("Dogs & cats"), "dogs-amp-cats");
        assert_eq!(gem("Say \"hi\""), "say-quot-hi-quot");
        assert_eq!(gem("Ünïcode Héading"), "n-code-h-ading");
        assert_eq!(gem("1. Install GDS tooling"), "1-install-gds-tooling");
        assert_eq!(gem_slug("Use <code>bundle exec</code>"), "use-bundle-exec");
        assert_eq!(gem("a < b"), "a-lt-b");
        assert_eq!(gem("???"), "section");
    }

    #[test]
    fn duplicates_get_suffixes_that_avoid_taken_ids() {
        let mut ids = HeadingIds::with_explicit(Scheme::GovukDeveloperDocs, ["intro-1"]);
        assert_eq!(ids.unique_for("Intro", "Intro", 2), "intro");
        assert_eq!(ids.unique_for("Intro", "Intro", 2), "intro-2");
        assert_eq!(ids.unique_for("intro", "intro", 2), "intro-3");
    }

    #[test]
    fn the_gem_prefixes_a_duplicate_with_its_parent_then_numbers_it() {
        let mut ids = HeadingIds::with_explicit(Scheme::TechDocsGem, []);
        let mut next = |text: &str, level| ids.unique_for(text, text, level);
        assert_eq!(next("Guide", 1), "guide");
        assert_eq!(next("Install", 2), "install");
        assert_eq!(next("Setup", 3), "setup");
        assert_eq!(next("Upgrade", 2), "upgrade");
        assert_eq!(next("Setup", 3), "upgrade-setup");
        assert_eq!(next("Setup", 3), "upgrade-setup-2");
        assert_eq!(next("Setup", 3), "upgrade-setup-3");
        assert_eq!(next("Install", 2), "guide-install");
        assert_eq!(next("Guide", 1), "guide-2");
    }
}
