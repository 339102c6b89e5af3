//! The print page (`/print.html`): every page in navigation order as one
//! document. Each page's ids get the page's own prefix, so two pages'
//! `#install` stay apart, and every link to a printed page (or to a heading
//! in one) becomes a link within the document; the rest keep where they go.
//!
//! The rewrite runs only when the page is made: its fingerprint hashes the
//! pages' digests and addresses, which decide the rewritten text.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::parse::Page;
use crate::parse::html::{Attribute, rewrite_attributes};
use crate::site::Site;

/// One group of the print page: a section, or the pages outside sections.
#[derive(Serialize, Hash)]
pub struct PrintGroup<'a> {
    /// The section's name; none for the pages outside sections.
    name: Option<&'a str>,
    /// Its id in the print page: `print-<section id>`, which the manual
    /// index links to so one section can be printed alone.
    id: String,
    pages: Vec<PrintPage<'a>>,
}

/// One page as the print page shows it; serialised with its body rewritten.
pub struct PrintPage<'a> {
    page: &'a Page,
    /// The page's id in the print page; its own ids are `<id>--<own id>`.
    id: String,
    /// Where each printed page is linked from: its address -> its id.
    printed: &'a HashMap<String, String>,
}

impl Hash for PrintPage<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.page.digest.hash(state);
        self.page.url.hash(state);
        self.id.hash(state);
    }
}

impl Serialize for PrintPage<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut page = serializer.serialize_struct("PrintPage", 5)?;
        page.serialize_field("id", &self.id)?;
        page.serialize_field("title", &self.page.title)?;
        let title_html = self.page.title_heading.as_ref().map(|h| h.html.as_str());
        page.serialize_field("title_html", &title_html)?;
        page.serialize_field("title_in_body", &self.page.title_in_body)?;
        let body = self
            .page
            .body_html
            .text()
            .map_err(serde::ser::Error::custom)?;
        page.serialize_field("body", &within_document(&body, &self.id, self.printed))?;
        page.end()
    }
}

/// The print page's groups: each section's pages in its order, then the
/// pages in no section in the navigation tree's order (all of them, for a
/// site without sections). Pages hidden from navigation are printed only
/// when a section lists them.
pub fn groups<'a>(site: &'a Site, printed: &'a HashMap<String, String>) -> Vec<PrintGroup<'a>> {
    let order = printed_pages(site);
    let id_of = |i: usize| printed[&site.href(&site.pages[i].url, None)].clone();
    let page = |i: usize| PrintPage {
        page: &site.pages[i],
        id: id_of(i),
        printed,
    };
    let mut groups: Vec<PrintGroup<'a>> = site
        .sections
        .iter()
        .map(|section| PrintGroup {
            name: Some(&section.name),
            id: format!("print-{}", section.id),
            pages: section.pages.iter().map(|&i| page(i)).collect(),
        })
        .collect();
    let in_sections: HashSet<usize> = site.sections.iter().flat_map(|s| s.pages.clone()).collect();
    let rest: Vec<PrintPage<'a>> = order
        .into_iter()
        .filter(|i| !in_sections.contains(i))
        .map(page)
        .collect();
    if !rest.is_empty() {
        groups.push(PrintGroup {
            name: (!site.sections.is_empty()).then_some("Other pages"),
            id: "print-other-pages".to_string(),
            pages: rest,
        });
    }
    groups
}

/// Every printed page in order: the sections' pages, then the tree's.
fn printed_pages(site: &Site) -> Vec<usize> {
    let mut seen = HashSet::new();
    site.sections
        .iter()
        .flat_map(|s| s.pages.iter().copied())
        .chain(site.nav.reading_order())
        .filter(|&i| seen.insert(i))
        .collect()
}

/// Each printed page's address (as pages link to it) -> its id in the print
/// page, made from its address: `/manual/restart.html` is
/// `page-manual-restart`.
pub fn printed_ids(site: &Site) -> HashMap<String, String> {
    let mut taken = HashSet::new();
    let mut ids = HashMap::new();
    for i in printed_pages(site) {
        let url = &site.pages[i].url;
        let stem = url
            .trim_start_matches('/')
            .trim_end_matches("index.html")
            .trim_end_matches(".html")
            .trim_end_matches('/');
        let mut id = String::from("page");
        for part in stem.split(|c: char| !c.is_ascii_alphanumeric()) {
            if !part.is_empty() {
                id.push('-');
                id.push_str(&part.to_ascii_lowercase());
            }
        }
        let mut unique = id.clone();
        let mut n = 2;
        while !taken.insert(unique.clone()) {
            unique = format!("{id}-{n}");
            n += 1;
        }
        let address = site.href(url, None);
        // A folder's page is linked with and without its index.html.
        if let Some(folder) = address.strip_suffix("index.html") {
            ids.insert(folder.to_string(), unique.clone());
        } else if let Some(folder) = address.strip_suffix('/') {
            ids.insert(format!("{folder}/index.html"), unique.clone());
        }
        ids.insert(address, unique);
    }
    ids
}

/// Attributes that hold ids (space-separated) rather than addresses.
const ID_LIST_ATTRIBUTES: &[&str] = &[
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-activedescendant",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
    "for",
    "headers",
    "list",
    "form",
];

/// A page's body with its ids under `own` and links to printed pages made
/// links within the document.
fn within_document(body: &str, own: &str, printed: &HashMap<String, String>) -> String {
    let prefixed = |id: &str| format!("{own}--{id}");
    rewrite_attributes(
        body,
        |Attribute {
             element,
             name,
             value,
         }| {
            match name {
                "id" => Some(prefixed(value)),
                "name" if element == "a" => Some(prefixed(value)),
                "href" | "xlink:href" => {
                    if let Some(fragment) = value.strip_prefix('#') {
                        return Some(if fragment.is_empty() {
                            format!("#{own}")
                        } else {
                            format!("#{}", prefixed(fragment))
                        });
                    }
                    let (path, fragment) = match value.split_once('#') {
                        Some((path, fragment)) => (path, Some(fragment)),
                        None => (value, None),
                    };
                    let target = printed.get(path)?;
                    Some(match fragment {
                        Some(fragment) if !fragment.is_empty() => format!("#{target}--{fragment}"),
                        _ => format!("#{target}"),
                    })
                }
                name if ID_LIST_ATTRIBUTES.contains(&name) => Some(
                    value
                        .split_whitespace()
                        .map(prefixed)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                // SVG paint and marker references: `url(#arrow)`.
                _ if value.contains("url(#") => {
                    Some(value.replace("url(#", &format!("url(#{own}--")))
                }
                _ => None,
            }
        },
    )
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_pages_own_and_links_between_pages_stay_in_the_document() {
        let printed: HashMap<String, String> = [
            ("/docs/a.html".to_string(), "page-a".to_string()),
            ("/docs/b/".to_string(), "page-b".to_string()),
            ("/docs/b/index.html".to_string(), "page-b".to_string()),
        ]
        .into();
        let body = concat!(
            "<h2 id=\"install\">Install</h2><a href=\"#install\">up</a>",
            "<a href=\"/docs/b/#run\">b</a><a href=\"/docs/b/index.html\">b</a>",
            "<a href=\"https://example.org/#x\">out</a><a href=\"/docs/c.html\">c</a>",
            "<label for=\"q\">Q</label><input id=\"q\" aria-describedby=\"h1 h2\">",
            "<svg><path marker-end=\"url(#arrow)\"/><marker id=\"arrow\"/></svg>"
        );
        let rewritten = within_document(body, "page-a", &printed);
        assert_eq!(
            rewritten,
            concat!(
                "<h2 id=\"page-a--install\">Install</h2><a href=\"#page-a--install\">up</a>",
                "<a href=\"#page-b--run\">b</a><a href=\"#page-b\">b</a>",
                "<a href=\"https://example.org/#x\">out</a><a href=\"/docs/c.html\">c</a>",
                "<label for=\"page-a--q\">Q</label><input id=\"page-a--q\" aria-describedby=\"page-a--h1 page-a--h2\">",
                "<svg><path marker-end=\"url(#page-a--arrow)\"/><marker id=\"page-a--arrow\"/></svg>"
            )
        );
    }
}
