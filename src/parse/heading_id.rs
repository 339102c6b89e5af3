//! The one heading-id scheme. The table of contents, the fragment checker and
//! search all take ids from here, so a `#fragment` that works in the browser
//! is exactly one that `check` accepts.
//!
//! Scheme: lowercase the heading's text; whitespace and `.` become `-`;
//! letters, digits, `-` and `_` are kept; every other character is dropped;
//! runs of `-` collapse to one and `-` is trimmed from both ends. This matches
//! the ids that the Middleman/tech-docs manual generated, so fragment links
//! already written against it keep working. A heading whose text leaves
//! nothing gets `section`. Within a page a later duplicate gets `-1`, `-2`,
//! ... (skipping any id already taken), and an explicit `{#id}` is kept as
//! written.

use std::collections::HashSet;

/// The id a heading with this text gets before de-duplication.
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

/// Hands out ids unique within one page.
#[derive(Debug, Default)]
pub struct HeadingIds {
    taken: HashSet<String>,
    /// The next suffix to try for each base id: without it, the n-th
    /// heading with the same text would try n - 1 taken ids first, and a
    /// page of 50,000 equal headings would take over a billion lookups.
    next_suffix: std::collections::HashMap<String, usize>,
}

impl HeadingIds {
    /// Starts with the page's explicit `{#id}`s already taken, so that a
    /// generated id never collides with one an author wrote.
    pub fn with_explicit<'a>(explicit: impl IntoIterator<Item = &'a str>) -> Self {
        HeadingIds {
            taken: explicit.into_iter().map(str::to_string).collect(),
            next_suffix: Default::default(),
        }
    }

    pub fn unique_for(&mut self, text: &str) -> String {
        let base = slugify(text);
        let mut candidate = base.clone();
        let n = self.next_suffix.entry(base.clone()).or_insert(1);
        while self.taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            *n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_documented_scheme() {
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
    fn duplicates_get_suffixes_that_avoid_taken_ids() {
        let mut ids = HeadingIds::with_explicit(["intro-1"]);
        assert_eq!(ids.unique_for("Intro"), "intro");
        assert_eq!(ids.unique_for("Intro"), "intro-2");
        assert_eq!(ids.unique_for("intro"), "intro-3");
    }
}
