//! The navigation tree of a multipage site (`multipage_nav`), as the
//! tech-docs gem builds it: pages nested by folder, each level ordered by
//! `weight` (pages with one first, lower first) and then by title, and
//! `hide_in_navigation` pages left out with everything below them.
//!
//! A page's place comes from its address, as Middleman's `parent` works:
//! `/a/b.html` sits under `/a.html` if there is one, else under
//! `/a/index.html`; `/a/b/index.html` likewise under `/a/b.html`, else
//! `/a/index.html`; a top-level page sits under the home page, which is
//! the tree's root and so is listed at the top level itself.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::parse::Page;

/// **The** order of pages beside each other, in the navigation tree and in
/// a section: `weight` first (pages with one before those without, lower
/// first), then title ignoring case, then title, then address. Worked out
/// once per page (`NavKey::all`), so a sort of thousands of pages does not
/// fold a title on every comparison.
/// `text` lowercased, as titles are compared without case: the same as
/// `to_lowercase`, without its Unicode tables for ASCII text (a sort of
/// 10,000 titles, and `serve` on every save).
pub fn folded(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

#[derive(Debug, Clone)]
pub struct NavKey<'a> {
    weight: Option<f64>,
    folded_title: String,
    title: &'a str,
    url: &'a str,
}

impl<'a> NavKey<'a> {
    pub fn of(page: &'a Page) -> NavKey<'a> {
        NavKey {
            weight: page.front_matter.weight.as_ref().and_then(|w| w.as_f64()),
            folded_title: folded(&page.title),
            title: &page.title,
            url: &page.url,
        }
    }

    /// Every page's key, by page.
    pub fn all(pages: &'a [Arc<Page>]) -> Vec<NavKey<'a>> {
        pages.iter().map(|page| NavKey::of(page)).collect()
    }

    pub fn order(&self, other: &NavKey<'_>) -> Ordering {
        match (self.weight, other.weight) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(|| self.folded_title.cmp(&other.folded_title))
        .then_with(|| self.title.cmp(other.title))
        .then_with(|| self.url.cmp(other.url))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Nav {
    /// The top level, in order.
    pub roots: Vec<usize>,
    /// Each page's children, in order (empty when it has none).
    pub children: Vec<Vec<usize>>,
    /// Each page's place in the tree: its parent, when it is in the tree
    /// below the top level.
    pub parent: Vec<Option<usize>>,
    /// Whether each page is in the tree.
    pub shown: Vec<bool>,
    /// How many pages the tree holds.
    pub len: usize,
}

impl Nav {
    pub fn build(pages: &[Arc<Page>], keys: &[NavKey<'_>]) -> Nav {
        let by_url: foldhash::HashMap<&str, usize> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.url.as_str(), i))
            .collect();
        let home = by_url.get("/index.html").copied();
        // Folder parents, as Middleman finds them.
        let folder_parent: Vec<Option<usize>> = pages
            .iter()
            .map(|page| {
                let path = page.url.trim_start_matches('/');
                let mut parts: Vec<&str> = path.split('/').collect();
                let tail = parts.pop().unwrap_or_default();
                let is_index = tail == "index.html";
                if parts.is_empty() {
                    return if is_index { None } else { home };
                }
                let eponymous = format!("/{}.html", parts.join("/"));
                if let Some(&found) = by_url.get(eponymous.as_str()) {
                    return Some(found);
                }
                if is_index {
                    parts.pop();
                }
                let folder_index = if parts.is_empty() {
                    "/index.html".to_string()
                } else {
                    format!("/{}/index.html", parts.join("/"))
                };
                by_url.get(folder_index.as_str()).copied()
            })
            .collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); pages.len()];
        let mut roots = Vec::new();
        for (i, parent) in folder_parent.iter().enumerate() {
            match parent {
                // Under the home page is the top level, beside it.
                Some(p) if Some(*p) != home && *p != i => children[*p].push(i),
                _ => roots.push(i),
            }
        }
        let order = |a: &usize, b: &usize| -> Ordering { keys[*a].order(&keys[*b]) };
        roots.sort_by(order);
        for list in &mut children {
            list.sort_by(order);
        }
        // Hidden pages leave the tree with everything below them.
        let mut shown = vec![false; pages.len()];
        let mut parent = vec![None; pages.len()];
        let mut pending: Vec<(usize, Option<usize>)> = roots.iter().map(|&r| (r, None)).collect();
        let mut len = 0;
        while let Some((page, above)) = pending.pop() {
            if pages[page].front_matter.hide_in_navigation || shown[page] {
                continue;
            }
            shown[page] = true;
            parent[page] = above;
            len += 1;
            pending.extend(children[page].iter().map(|&c| (c, Some(page))));
        }
        roots.retain(|&r| shown[r]);
        for list in &mut children {
            list.retain(|&c| shown[c]);
        }
        Nav {
            roots,
            children,
            parent,
            shown,
            len,
        }
    }

    /// Every page in the tree, in reading order: each page, then the pages
    /// below it.
    pub fn reading_order(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.len);
        let mut pending: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(page) = pending.pop() {
            order.push(page);
            pending.extend(self.children[page].iter().rev());
        }
        order
    }

    /// The pages above `page` in the tree, nearest first.
    pub fn ancestors(&self, page: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut at = self.parent.get(page).copied().flatten();
        while let Some(p) = at {
            if found.contains(&p) {
                break;
            }
            found.push(p);
            at = self.parent[p];
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::Highlighter;
    use crate::load::PageSource;
    use crate::parse::{ParseOptions, parse_page};

    fn pages(files: &[(&str, &str)]) -> Vec<Arc<Page>> {
        files
            .iter()
            .map(|(relative, front)| {
                let source = PageSource {
                    path: relative.into(),
                    relative: relative.to_string(),
                    text: format!("---\n{front}\n---\n"),
                };
                let options = ParseOptions {
                    purpose: crate::parse::Purpose::Check,
                    ..ParseOptions::default()
                };
                let (page, _) = parse_page(source, &Highlighter::new(), options);
                Arc::new(page.expect("parses"))
            })
            .collect()
    }

    fn titles(pages: &[Arc<Page>], list: &[usize]) -> Vec<String> {
        list.iter().map(|&i| pages[i].title.clone()).collect()
    }

    #[test]
    fn pages_nest_by_folder_as_middleman_parents_them() {
        let pages = pages(&[
            ("index.html.md", "title: Home"),
            ("a.html.md", "title: A"),
            ("a/one.html.md", "title: A one"),
            ("b/index.html.md", "title: B"),
            ("b/two/index.html.md", "title: B two"),
            ("b/two/deep.html.md", "title: Deep"),
            ("c/orphan.html.md", "title: Orphan"),
        ]);
        let nav = Nav::build(&pages, &NavKey::all(&pages));
        // `/a/one.html` under its eponymous `/a.html`, `/b/two/` under
        // `/b/`, a page whose folder has no index at the top.
        assert_eq!(titles(&pages, &nav.roots), ["A", "B", "Home", "Orphan"]);
        assert_eq!(titles(&pages, &nav.children[1]), ["A one"]);
        assert_eq!(titles(&pages, &nav.children[3]), ["B two"]);
        assert_eq!(titles(&pages, &nav.children[4]), ["Deep"]);
        assert_eq!(nav.ancestors(5), [4, 3]);
    }

    #[test]
    fn weight_orders_first_then_title_and_hidden_pages_leave_with_their_children() {
        let pages = pages(&[
            ("index.html.md", "title: Home\nweight: 1"),
            ("zeta/index.html.md", "title: Zeta\nweight: 5"),
            ("alpha/index.html.md", "title: Alpha"),
            ("beta/index.html.md", "title: Beta\nweight: 50"),
            (
                "hidden/index.html.md",
                "title: Hidden\nhide_in_navigation: true",
            ),
            ("hidden/child.html.md", "title: Child"),
        ]);
        let nav = Nav::build(&pages, &NavKey::all(&pages));
        assert_eq!(
            titles(&pages, &nav.roots),
            ["Home", "Zeta", "Beta", "Alpha"]
        );
        assert!(!nav.shown[4] && !nav.shown[5]);
        assert_eq!(nav.len, 4);
    }
}
