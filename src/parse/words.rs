//! The words of a page for the search index, weighed where the page is
//! parsed (on every core, once per page) from the text the one markdown
//! pass kept. `crate::search` merges them into the index files.

// Hashing millions of short words: foldhash is several times faster than
// the default SipHash, and the index needs no protection from hash flooding.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::Heading;

/// How much a word counts where it appears: a match in the title matters
/// most, then headings, then the description, then the body.
const TITLE_WEIGHT: u32 = 16;
const HEADING_WEIGHT: u32 = 6;
const DESCRIPTION_WEIGHT: u32 = 4;
const BODY_WEIGHT: u32 = 1;
/// Repeating a word in the body stops counting after this many times.
const BODY_CAP: u32 = 8;
const SUMMARY_CHARS: usize = 160;
/// Longer "words" are hashes, base64 and the like, not search terms.
const LONGEST_TERM: usize = 40;

/// Common words that would be in every page's postings and rank nothing.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "into", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "to", "was", "we", "with", "you", "your",
];

/// The words of `text` as the index stores them: lower case, split at
/// anything that is not a letter or digit, single characters and stop
/// words dropped. `search.js` splits queries the same way.
pub fn terms(text: &str) -> Vec<String> {
    terms_of_lowercase(&text.to_lowercase())
        .map(str::to_string)
        .collect()
}

/// `terms`, of text already in lower case, without copying each word.
fn terms_of_lowercase(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().nth(1).is_some() && word.len() <= LONGEST_TERM)
        .filter(|word| !STOP_WORDS.contains(word))
}

/// One page's part of the index, made when the page is parsed (so on
/// every core, and once per page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageWords {
    /// (term, weight), sorted by term.
    pub terms: Vec<(String, u32)>,
    pub summary: String,
}

impl PageWords {
    pub fn new(
        title: &str,
        headings: &[Heading],
        description: Option<&str>,
        text: &str,
    ) -> PageWords {
        // Words are slices of these lower-case copies until kept.
        let title = title.to_lowercase();
        let headings: Vec<String> = headings.iter().map(|h| h.text.to_lowercase()).collect();
        let description_lower = description.unwrap_or("").to_lowercase();
        let body = text.to_lowercase();

        let mut weights: HashMap<&str, u32> = HashMap::new();
        add_once(&title, TITLE_WEIGHT, &mut weights);
        for heading in &headings {
            add_once(heading, HEADING_WEIGHT, &mut weights);
        }
        add_once(&description_lower, DESCRIPTION_WEIGHT, &mut weights);
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for term in terms_of_lowercase(&body) {
            let count = counts.entry(term).or_default();
            *count = (*count + BODY_WEIGHT).min(BODY_CAP);
        }
        for (term, count) in counts {
            *weights.entry(term).or_default() += count;
        }
        let mut terms: Vec<(String, u32)> = weights
            .into_iter()
            .map(|(term, weight)| (term.to_string(), weight))
            .collect();
        terms.sort_unstable();
        let summary = match description {
            Some(d) if !d.trim().is_empty() => d.trim().to_string(),
            _ => summary_of(text),
        };
        PageWords { terms, summary }
    }
}

/// A title, heading or description word counts once per place, however
/// often it is repeated there.
fn add_once<'a>(text: &'a str, weight: u32, weights: &mut HashMap<&'a str, u32>) {
    let mut seen = HashSet::new();
    for term in terms_of_lowercase(text) {
        if seen.insert(term) {
            *weights.entry(term).or_default() += weight;
        }
    }
}

/// The start of the body, cut at a word boundary.
fn summary_of(text: &str) -> String {
    let words = text.split_whitespace();
    let mut summary = String::new();
    for word in words {
        if summary.len() + word.len() + 1 > SUMMARY_CHARS {
            summary.push_str(" …");
            break;
        }
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(word);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercase_words_without_stop_words() {
        let found = terms("Deploy the App-server to AWS (v2), x é café_9");
        assert_eq!(found, ["deploy", "app", "server", "aws", "v2", "café"]);
    }

    #[test]
    fn summaries_stop_at_a_word() {
        let long = "word ".repeat(100);
        let summary = summary_of(&long);
        assert!(summary.len() <= SUMMARY_CHARS + " …".len());
        assert!(summary.ends_with("word …"), "{summary}");
        assert_eq!(summary_of("  short   text "), "short text");
    }
}
