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
//!   (`XY` from [`shard_of`]): `{"term": [page, weight, page, weight, ...]}`,
//!   terms being stems (`parse::words`);
//! - `page-N.json`, page N's sections: `[[heading, id, text], ...]`, the
//!   first with an empty heading when text comes before the first h2.
//!
//! A query loads `pages.json` and one shard per word, ranks the pages, and
//! then loads the sections of the few pages it shows, to pick the sections
//! and sentences that match. So the reader downloads a small part of the
//! index of a large site.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::site::{SEARCH_INDEX_FOLDER, Site};

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

/// Every file of the index as (URL, contents).
pub fn files(site: &Site) -> Vec<(String, String)> {
    let mut files = vec![pages_file(site)];
    files.extend(shard_files(site, |_| true));
    files.extend(section_files(site, |_| true));
    files
}

/// The `page-N.json` files of the pages whose numbers `wanted` accepts.
pub fn section_files(site: &Site, wanted: impl Fn(usize) -> bool) -> Vec<(String, String)> {
    // One file per page: made on every core, as pages are.
    let numbered: Vec<(usize, usize)> = page_order(site)
        .into_iter()
        .enumerate()
        .filter(|&(number, _)| wanted(number))
        .collect();
    numbered
        .into_par_iter()
        .map(|(number, i)| {
            let sections: Vec<_> = site.pages[i]
                .search
                .sections
                .iter()
                .map(|s| [&s.heading, &s.id, &s.text])
                .collect();
            (
                section_url(number),
                serde_json::to_string(&sections).expect("index serializes"),
            )
        })
        .collect()
}

pub fn section_url(number: usize) -> String {
    format!("{SEARCH_INDEX_FOLDER}page-{number}.json")
}

/// Pages in URL order: a page's number in the index is its place here.
pub fn page_order(site: &Site) -> Vec<usize> {
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
            let address = site.href(&page.url, None);
            // With relative_links the copy may be read from a folder on
            // disk: the address is under the site's root, which search.js
            // finds from where the index is.
            let address = if site.settings.relative_links {
                crate::url::relative_to(&site.href("/index.html", None), &address)
            } else {
                address
            };
            serde_json::json!([
                page.title,
                address,
                page.front_matter.section.as_deref().unwrap_or(""),
                page.search.summary,
            ])
        })
        .collect();
    (
        format!("{SEARCH_INDEX_FOLDER}pages.json"),
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
    format!("{SEARCH_INDEX_FOLDER}terms-{shard}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_safe_file_names() {
        assert_eq!(shard_of("deploy"), "de");
        assert_eq!(shard_of("café"), "ca");
        assert_eq!(shard_of("éa"), "_a");
        assert_eq!(shard_of("k8s"), "k8");
    }
}
