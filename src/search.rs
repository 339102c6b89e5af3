//! The search index, built with the site and searched in the reader's
//! browser by `layouts/assets/search.js`, with no request to another host.
//!
//! Why not pagefind: its crate indexes the rendered HTML a second time and
//! brings a WebAssembly runtime and its own UI; we already hold every page's
//! words from the one markdown pass, and a manual's searches are for words
//! in titles, headings and commands, which a term index with prefix
//! matching answers. The cost is measured in BENCHMARKS.md.
//!
//! Layout, under `/search/`:
//! - `pages.json`: `[[title, url, section, summary], ...]`, a page's number
//!   being its place in this list;
//! - `terms-XY.json`, one per pair of first characters of the terms in it
//!   (`XY` from [`shard_of`]): `{"term": [page, weight, page, weight, ...]}`.
//!
//! A query loads `pages.json` and one shard per word, so the reader
//! downloads a small part of the index of a large site.

use std::collections::BTreeMap;

// Hashing millions of short words: foldhash is several times faster than
// the default SipHash, and the index needs no protection from hash flooding.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::parse::Heading;
use crate::site::Site;

pub const SEARCH_PAGE_URL: &str = "/search.html";
/// The folder the index is written to; nothing else may be published in it.
pub const INDEX_FOLDER: &str = "/search/";

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

/// The shard a term is in: its first two characters when they are ASCII
/// letters or digits, each other character as `_`, so shard names are
/// always safe file names.
pub fn shard_of(term: &str) -> String {
    shard_key(term).iter().filter(|&&c| c != '\0').collect()
}

fn shard_key(term: &str) -> [char; 2] {
    let mut key = ['\0'; 2];
    for (slot, c) in key.iter_mut().zip(term.chars()) {
        *slot = if c.is_ascii_alphanumeric() { c } else { '_' };
    }
    key
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

/// Every file of the index as (URL, contents).
pub fn files(site: &Site) -> Vec<(String, String)> {
    let mut files = vec![pages_file(site)];
    files.extend(shard_files(site, |_| true));
    files
}

/// Pages in URL order: a page's number in the index is its place here.
fn page_order(site: &Site) -> Vec<usize> {
    let mut order: Vec<usize> = (0..site.pages.len()).collect();
    order.sort_by(|&a, &b| site.pages[a].url.cmp(&site.pages[b].url));
    order
}

/// `pages.json`: title, address, section and summary of every page.
pub fn pages_file(site: &Site) -> (String, String) {
    let entries: Vec<_> = page_order(site)
        .into_iter()
        .map(|i| {
            let page = &site.pages[i];
            serde_json::json!([
                page.title,
                site.settings.href(&page.url),
                page.front_matter.section.as_deref().unwrap_or(""),
                page.search.summary,
            ])
        })
        .collect();
    (
        format!("{INDEX_FOLDER}pages.json"),
        serde_json::to_string(&entries).expect("index serializes"),
    )
}

/// The shard files whose names `wanted` accepts (all of them for a build;
/// `serve` asks only for the shards an edit touched).
pub fn shard_files(site: &Site, wanted: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    // term -> [page, weight, ...], pages in order; grouped into shards and
    // sorted only at the end.
    let mut postings: HashMap<&str, Vec<u32>> = HashMap::new();
    let mut wanted_shards: HashMap<[char; 2], bool> = HashMap::new();
    for (number, i) in page_order(site).into_iter().enumerate() {
        for (term, weight) in &site.pages[i].search.terms {
            let key = shard_key(term);
            if !*wanted_shards
                .entry(key)
                .or_insert_with(|| wanted(&key.iter().collect::<String>()))
            {
                continue;
            }
            postings
                .entry(term)
                .or_default()
                .extend([number as u32, *weight]);
        }
    }
    let mut shards: BTreeMap<String, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (term, list) in postings {
        shards.entry(shard_of(term)).or_default().insert(term, list);
    }
    shards
        .into_iter()
        .map(|(shard, postings)| {
            (
                shard_url(&shard),
                serde_json::to_string(&postings).expect("index serializes"),
            )
        })
        .collect()
}

pub fn shard_url(shard: &str) -> String {
    format!("{INDEX_FOLDER}terms-{shard}.json")
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
    fn shards_are_safe_file_names() {
        assert_eq!(shard_of("deploy"), "de");
        assert_eq!(shard_of("café"), "ca");
        assert_eq!(shard_of("éa"), "_a");
        assert_eq!(shard_of("k8s"), "k8");
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
