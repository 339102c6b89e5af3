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

use std::collections::{BTreeMap, HashMap};

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
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().nth(1).is_some() && word.len() <= LONGEST_TERM)
        .map(str::to_lowercase)
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
}

/// The shard a term is in: its first two characters when they are ASCII
/// letters or digits, each other character as `_`, so shard names are
/// always safe file names.
pub fn shard_of(term: &str) -> String {
    term.chars()
        .take(2)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Every file of the index as (URL, contents).
pub fn files(site: &Site) -> Vec<(String, String)> {
    let settings = &site.settings;
    let mut order: Vec<usize> = (0..site.pages.len()).collect();
    order.sort_by(|&a, &b| site.pages[a].url.cmp(&site.pages[b].url));

    let mut entries = Vec::with_capacity(order.len());
    // term -> shard postings, in page order so the output is reproducible.
    let mut shards: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
    for (number, &i) in order.iter().enumerate() {
        let page = &site.pages[i];
        let description = page.front_matter.description.as_deref().unwrap_or("");
        let summary = if description.is_empty() {
            summary_of(&page.plain_text)
        } else {
            description.to_string()
        };
        entries.push(serde_json::json!([
            page.title,
            settings.href(&page.url),
            page.front_matter.section.as_deref().unwrap_or(""),
            summary,
        ]));

        let mut weights: HashMap<String, u32> = HashMap::new();
        let mut add = |text: &str, weight: u32, cap: u32| {
            for term in terms(text) {
                let entry = weights.entry(term).or_default();
                if *entry < cap {
                    *entry = (*entry + weight).min(cap);
                }
            }
        };
        // A title or heading word counts once per place, however often it
        // is repeated there.
        add(&page.title, TITLE_WEIGHT, u32::MAX);
        for heading in &page.headings {
            add(&heading.text, HEADING_WEIGHT, u32::MAX);
        }
        add(description, DESCRIPTION_WEIGHT, u32::MAX);
        let mut body: HashMap<String, u32> = HashMap::new();
        for term in terms(&page.plain_text) {
            let count = body.entry(term).or_default();
            *count = (*count + BODY_WEIGHT).min(BODY_CAP);
        }
        for (term, count) in body {
            *weights.entry(term).or_default() += count;
        }
        for (term, weight) in weights {
            shards
                .entry(shard_of(&term))
                .or_default()
                .entry(term)
                .or_default()
                .extend([number as u32, weight]);
        }
    }

    let mut files = Vec::with_capacity(shards.len() + 1);
    files.push((
        format!("{INDEX_FOLDER}pages.json"),
        serde_json::to_string(&entries).expect("index serializes"),
    ));
    for (shard, postings) in shards {
        files.push((
            format!("{INDEX_FOLDER}terms-{shard}.json"),
            serde_json::to_string(&postings).expect("index serializes"),
        ));
    }
    files
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
        let found: Vec<_> = terms("Deploy the App-server to AWS (v2), x é café_9").collect();
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
