//! The words of a page for the search index, weighed where the page is
//! parsed (on every core, once per page) from the text the one markdown
//! pass kept. `crate::search` merges them into the index files.
//!
//! Words are indexed by their English stem (Snowball's English stemmer,
//! "Porter 2"), so "restarting", "restarts" and "restarted" are one term.
//! `search.js` stems the reader's words with the same algorithm; the two
//! are compared word for word by `tests/it/search.rs`.

// Hashing millions of short words: foldhash is several times faster than
// the default SipHash, and the index needs no protection from hash flooding.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use std::borrow::Cow;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::Heading;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A section's text in the index stops here: enough for the sentences a
/// result shows, without publishing a long page twice.
const SECTION_CHARS: usize = 4_000;
/// Headings that start a section a result can lead to (h2 and h3).
const SECTION_LEVELS: std::ops::RangeInclusive<u8> = 2..=3;

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
/// words dropped, each stemmed. `search.js` reads queries the same way.
pub fn terms(text: &str) -> Vec<String> {
    words_of_lowercase(&text.to_lowercase())
        .map(|word| stem(word).into_owned())
        .collect()
}

/// The indexed words of text already in lower case, as written (not yet
/// stemmed), without copying each word.
fn words_of_lowercase(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().nth(1).is_some() && word.len() <= LONGEST_TERM)
        .filter(|word| !STOP_WORDS.contains(word))
}

/// A lower-case word's stem. Only words of ASCII letters are stemmed: the
/// stemmer is for English, and numbers, versions ("v2") and names in
/// other scripts are searched as written.
pub fn stem(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| b.is_ascii_lowercase()) {
        STEMMER.stem(word)
    } else {
        Cow::Borrowed(word)
    }
}

/// Stems already worked out on this thread: a manual's vocabulary is
/// small and its words repeat from page to page, and stemming every
/// occurrence doubled the parse. Emptied when it holds `STEM_CACHE_WORDS`,
/// so a page of random words cannot grow it without bound.
const STEM_CACHE_WORDS: usize = 50_000;
thread_local! {
    static STEMS: std::cell::RefCell<HashMap<String, String>> =
        std::cell::RefCell::new(HashMap::new());
}

fn stem_cached(word: &str) -> String {
    STEMS.with_borrow_mut(|stems| {
        if let Some(found) = stems.get(word) {
            return found.clone();
        }
        let found = stem(word).into_owned();
        if stems.len() >= STEM_CACHE_WORDS {
            stems.clear();
        }
        stems.insert(word.to_string(), found.clone());
        found
    })
}

/// A part of a page a search result can lead to: the text before the
/// first h2 (with no heading), then each h2 and h3 with the text under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    /// The heading's id, empty for the text before the first heading.
    pub id: String,
    /// Whitespace-collapsed text, cut at `SECTION_CHARS`.
    pub text: String,
}

/// The page's sections, cut from its plain text where each h2 and h3
/// begins (`starts`, in `headings`' order).
fn sections_of(text: &str, headings: &[Heading], starts: &[usize]) -> Vec<Section> {
    let cuts: Vec<(usize, &Heading)> = headings
        .iter()
        .zip(starts)
        .filter(|(h, _)| SECTION_LEVELS.contains(&h.level))
        .map(|(h, &start)| (start, h))
        .collect();
    let mut sections = Vec::with_capacity(cuts.len() + 1);
    let first_end = cuts.first().map_or(text.len(), |&(start, _)| start);
    let intro = collapsed(text.get(..first_end).unwrap_or(""));
    if !intro.is_empty() {
        sections.push(Section {
            text: intro,
            ..Section::default()
        });
    }
    for (i, &(start, heading)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map_or(text.len(), |&(next, _)| next);
        let body = collapsed(text.get(start..end).unwrap_or(""));
        let body = match body.strip_prefix(heading.text.as_str()) {
            Some(rest) => rest.trim_start().to_string(),
            None => body,
        };
        sections.push(Section {
            heading: heading.text.clone(),
            id: heading.id.clone(),
            text: body,
        });
    }
    sections
}

/// `text` with each run of white space made one space, cut at a word
/// before `SECTION_CHARS`.
fn collapsed(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.len() + word.len() + 1 > SECTION_CHARS {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// One page's part of the index, made when the page is parsed (so on
/// every core, and once per page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageWords {
    /// (term, weight), sorted by term.
    pub terms: Vec<(String, u32)>,
    pub summary: String,
    /// What a result shows of the page and the headings it leads to.
    pub sections: Vec<Section>,
}

impl PageWords {
    pub fn new(
        title: &str,
        headings: &[Heading],
        heading_text_starts: &[usize],
        description: Option<&str>,
        text: &str,
    ) -> PageWords {
        // Words are slices of these lower-case copies until kept.
        let title = title.to_lowercase();
        let heading_texts: Vec<String> = headings.iter().map(|h| h.text.to_lowercase()).collect();
        let description_lower = description.unwrap_or("").to_lowercase();
        let body = text.to_lowercase();

        // Weighed by the words as written, then merged by stem, so each
        // distinct word of the page is stemmed once.
        let mut weights: HashMap<&str, u32> = HashMap::new();
        add_once(&title, TITLE_WEIGHT, &mut weights);
        for heading in &heading_texts {
            add_once(heading, HEADING_WEIGHT, &mut weights);
        }
        add_once(&description_lower, DESCRIPTION_WEIGHT, &mut weights);
        let mut body_counts: HashMap<&str, u32> = HashMap::new();
        for word in words_of_lowercase(&body) {
            let count = body_counts.entry(word).or_default();
            *count = (*count + BODY_WEIGHT).min(BODY_CAP);
        }
        let mut by_stem: HashMap<String, u32> = HashMap::new();
        for (word, weight) in weights {
            *by_stem.entry(stem_cached(word)).or_default() += weight;
        }
        // A stem's body count stops at the cap however many forms it has.
        let mut body_by_stem: HashMap<String, u32> = HashMap::new();
        for (word, count) in body_counts {
            let total = body_by_stem.entry(stem_cached(word)).or_default();
            *total = (*total + count).min(BODY_CAP);
        }
        for (term, count) in body_by_stem {
            *by_stem.entry(term).or_default() += count;
        }
        let mut terms: Vec<(String, u32)> = by_stem.into_iter().collect();
        terms.sort_unstable();
        let summary = match description {
            Some(d) if !d.trim().is_empty() => d.trim().to_string(),
            _ => summary_of(text),
        };
        PageWords {
            terms,
            summary,
            sections: sections_of(text, headings, heading_text_starts),
        }
    }
}

/// A title, heading or description word counts once per place, however
/// often it is repeated there, and so does each stem: "Restart and
/// restarting" adds the title's weight to "restart" once.
fn add_once<'a>(text: &'a str, weight: u32, weights: &mut HashMap<&'a str, u32>) {
    let mut seen_stems = HashSet::new();
    for word in words_of_lowercase(text) {
        if seen_stems.insert(stem_cached(word)) {
            *weights.entry(word).or_default() += weight;
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
        assert_eq!(found, ["deploy", "app", "server", "aw", "v2", "café"]);
    }

    #[test]
    fn word_forms_share_a_stem() {
        for (forms, stem) in [
            (
                &["restart", "restarting", "restarts", "restarted"][..],
                "restart",
            ),
            (&["rotate", "rotated", "rotating", "rotates"][..], "rotat"),
            (&["certificate", "certificates"][..], "certif"),
            (&["database", "databases"][..], "databas"),
        ] {
            for form in forms {
                assert_eq!(terms(form), [stem], "{form}");
            }
        }
        // Numbers, versions and other scripts are kept as written.
        assert_eq!(terms("k8s ipv6 2024 café"), ["k8s", "ipv6", "2024", "café"]);
    }

    #[test]
    fn sections_are_cut_at_h2_and_h3_and_keep_their_ids() {
        let heading = |level, text: &str, id: &str| Heading {
            level,
            text: text.to_string(),
            id: id.to_string(),
            line: 1,
            column: 1,
        };
        let text = "Intro words. Restart  the app Run it. Deep Still here. Rotate keys Do it.";
        let headings = [
            heading(2, "Restart the app", "restart-the-app"),
            heading(4, "Deep", "deep"),
            heading(3, "Rotate keys", "rotate-keys"),
        ];
        let starts = [13, 38, 55];
        assert_eq!(&text[13..28], "Restart  the ap");
        let sections = sections_of(text, &headings, &starts);
        let found: Vec<_> = sections
            .iter()
            .map(|s| (s.heading.as_str(), s.id.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("", "", "Intro words."),
                (
                    "Restart the app",
                    "restart-the-app",
                    "Run it. Deep Still here."
                ),
                ("Rotate keys", "rotate-keys", "Do it."),
            ]
        );
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
