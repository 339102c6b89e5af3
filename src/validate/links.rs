//! Links and images, in markdown and raw HTML, resolved against the one URL
//! map of the site; `#fragments` checked against the target's heading ids.

use super::suggest::{Budget, nearest};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::parse::{Link, LinkKind, Page};
use crate::site::{Resolved, Site, Target};

pub fn check_page(site: &Site, index: usize) -> Diagnostics {
    let page = &site.pages[index];
    let mut found = Diagnostics::new();
    let budget = Budget::per_page();
    let mut definitions_reported = std::collections::HashSet::new();
    for link in &page.links {
        // Copied only when it is reported somewhere else.
        let mut link = std::borrow::Cow::Borrowed(link);
        if let Some((line, column)) = link.definition {
            // A wrong URL in `[label]: URL` is fixed on that line, once,
            // however many links use the label.
            if !definitions_reported.insert((line, column, link.origin.clone())) {
                continue;
            }
            let moved = link.to_mut();
            (moved.line, moved.column) = (line, column);
            if is_bracketed(&link.destination) {
                // Reported at the definition as link-definition-bracketed.
                continue;
            }
        }
        let problems = check_link(site, page, &link, &budget);
        // A link a partial wrote is fixed in the partial.
        found.extend(problems.into_iter().map(|d| match &link.origin {
            Some(place) => Diagnostic {
                file: place.file.clone(),
                line: place.line,
                column: place.column,
                ..d
            },
            None => d,
        }));
    }
    let defined: Vec<&str> = page.definitions.iter().map(|d| d.label.as_str()).collect();
    for reference in &page.undefined_references {
        let near = budget
            .spend()
            .then(|| nearest(&reference.label, defined.iter().copied()))
            .flatten();
        let help = match near {
            Some(near) => format!(
                "did you mean `[{near}]`? Otherwise add `[{}]: URL` below the text",
                reference.label
            ),
            None => format!("add a line `[{}]: URL` to the page", reference.label),
        };
        found.push(
            Diagnostic::error(
                Code::LinkReferenceUndefined,
                &page.path,
                format!(
                    "link reference `[{}]` has no definition, so it shows as plain text",
                    reference.label
                ),
            )
            .at(reference.line, reference.column)
            .with_help(help),
        );
    }
    for duplicate in &page.duplicate_definitions {
        found.push(
            Diagnostic::warning(
                Code::LinkDefinitionDuplicate,
                &page.path,
                format!(
                    "`[{}]` is defined again here (first on line {}); links use the first",
                    duplicate.label, duplicate.first_line
                ),
            )
            .at(duplicate.line, duplicate.column)
            .with_help("delete the definition you do not mean, or give it another label"),
        );
    }
    for definition in &page.definitions {
        let dest = definition.destination.as_str();
        let (file, line, column) = match &definition.origin {
            Some(place) => (place.file.as_path(), place.line, place.column),
            None => (page.path.as_path(), definition.line, definition.column),
        };
        if is_bracketed(dest) {
            found.push(
                Diagnostic::error(
                    Code::LinkDefinitionBracketed,
                    file,
                    format!(
                        "the URL of `[{}]` is wrapped in brackets, so the link goes to `{dest}`",
                        definition.label
                    ),
                )
                .at(line, column)
                .with_help(format!(
                    "write `[{}]: {}`",
                    definition.label,
                    &dest[1..dest.len() - 1]
                )),
            );
        } else if !definition.used && definition.origin.is_none() {
            // A partial's definitions serve many pages: see
            // `unused_partial_definitions`.
            found.push(
                Diagnostic::warning(
                    Code::LinkDefinitionUnused,
                    &page.path,
                    format!("link definition `[{}]` is not used", definition.label),
                )
                .at(definition.line, definition.column)
                .with_help("link to it with `[text][label]`, or delete the line"),
            );
        }
    }
    found
}

/// Definitions a partial holds (a shared list of links, as tech-docs sites
/// keep) are used by some pages and not others: one is reported only when
/// no page that includes it uses it, once, in the partial.
pub fn unused_partial_definitions(site: &Site) -> Diagnostics {
    let mut used: std::collections::BTreeMap<(std::path::PathBuf, usize, usize), (bool, &str)> =
        Default::default();
    for page in &site.pages {
        for definition in &page.definitions {
            if let Some(place) = &definition.origin {
                let entry = used
                    .entry((place.file.clone(), place.line, place.column))
                    .or_insert((false, definition.label.as_str()));
                entry.0 |= definition.used;
            }
        }
    }
    used.into_iter()
        .filter(|(_, (used, _))| !used)
        .map(|((file, line, column), (_, label))| {
            Diagnostic::warning(
                Code::LinkDefinitionUnused,
                file,
                format!(
                    "link definition `[{label}]` is not used by any page that includes this file"
                ),
            )
            .at(line, column)
            .with_help("link to it with `[text][label]`, or delete the line")
        })
        .collect()
}

fn is_bracketed(destination: &str) -> bool {
    destination.len() > 2 && destination.starts_with('[') && destination.ends_with(']')
}

fn check_link(site: &Site, page: &Page, link: &Link, budget: &Budget) -> Vec<Diagnostic> {
    let dest = link.destination.as_str();
    let what = if link.kind == LinkKind::Image {
        "image"
    } else {
        "link"
    };
    let diagnostic = |severity_error: bool, code: Code, message: String, help: String| {
        let d = if severity_error {
            Diagnostic::error(code, &page.path, message)
        } else {
            Diagnostic::warning(code, &page.path, message)
        };
        Some(d.at(link.line, link.column).with_help(help))
    };
    if dest.is_empty() {
        return diagnostic(
            true,
            Code::LinkEmpty,
            format!("{what} has no destination"),
            "write the URL in the brackets: `[text](URL)`".into(),
        )
        .into_iter()
        .collect();
    }
    let found = match site.resolve(&page.url, dest) {
        Resolved::ExternalPath { .. } => None,
        // Reported by `structure`, which runs even with `--skip-check`.
        Resolved::Unsafe(_) => None,
        Resolved::External(url) => check_external_syntax(&url).and_then(|problem| {
            diagnostic(
                true,
                Code::LinkInvalidUrl,
                format!("{what} `{url}` is not a valid URL: {problem}"),
                "correct the URL".into(),
            )
        }),
        Resolved::Internal {
            path,
            fragment,
            target,
        } => match target {
            Some(Target::Redirect(r)) => {
                let to = site.redirect_shown(r);
                let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
                diagnostic(
                    false,
                    Code::LinkRedirected,
                    format!("{what} to {path} goes through a redirect to {to}"),
                    format!("link to {to}{fragment} directly"),
                )
            }
            Some(target) => fragment.and_then(|fragment| {
                check_fragment(site, page, link, target, &path, &fragment, budget)
            }),
            None => return missing_target(site, page, link, &path, fragment.as_deref(), budget),
        },
    };
    found.into_iter().collect()
}

fn check_external_syntax(url: &str) -> Option<String> {
    if url.starts_with("//") {
        return url::Url::parse(&format!("https:{url}"))
            .err()
            .map(|e| e.to_string());
    }
    match url::Url::parse(url) {
        Err(e) => Some(e.to_string()),
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_none_or(str::is_empty) =>
        {
            Some("it has no host".into())
        }
        Ok(_) => None,
    }
}

fn check_fragment(
    site: &Site,
    page: &Page,
    link: &Link,
    target: Target,
    path: &str,
    fragment: &str,
    budget: &Budget,
) -> Option<Diagnostic> {
    if site.has_id(target, fragment) {
        return None;
    }
    let ids: Vec<&str> = site.ids_at(target)?.collect();
    let same_page = path == page.url;
    let place = if same_page {
        "this page".to_string()
    } else {
        path.to_string()
    };
    let near = budget
        .spend()
        .then(|| nearest(fragment, ids.iter().copied()))
        .flatten();
    let help = match near {
        Some(near) if same_page => format!("did you mean `#{near}`?"),
        Some(near) => format!("did you mean `{path}#{near}`?"),
        None => format!("link to a heading that exists on {place}, or remove `#{fragment}`"),
    };
    Some(
        Diagnostic::error(
            Code::LinkFragmentMissing,
            &page.path,
            format!("{place} has no heading or element with id `{fragment}`"),
        )
        .at(link.line, link.column)
        .with_help(help),
    )
}

fn missing_target(
    site: &Site,
    page: &Page,
    link: &Link,
    path: &str,
    fragment: Option<&str>,
    budget: &Budget,
) -> Vec<Diagnostic> {
    let what = if link.kind == LinkKind::Image {
        "image"
    } else {
        "link"
    };
    let at = |d: Diagnostic| d.at(link.line, link.column);
    let with_fragment = |url: &str| match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url.to_string(),
    };
    // A link to a page's source file rather than to the page.
    let source_name = path.trim_start_matches('/');
    if source_name.ends_with(".md") || source_name.ends_with(".md.erb") {
        let url = crate::url::page_url(source_name, site.settings.directory_indexes());
        let help = if site.urls.contains_key(&url) {
            format!("link to {} instead", with_fragment(&url))
        } else {
            format!("link to the page's URL, ending in `.html` ({url} does not exist either)")
        };
        return vec![at(Diagnostic::error(
            Code::LinkSourceFile,
            &page.path,
            format!("{what} points at the source file {path}, which is not published"),
        )
        .with_help(help))];
    }
    // `/manual/x` for `/manual/x.html`: a warning, and the fragment is
    // still checked against the page it means.
    let last = path.rsplit('/').next().unwrap_or("");
    if !last.is_empty() && !last.contains('.') {
        let html = format!("{path}.html");
        if let Some(&target) = site.urls.get(&html) {
            let mut found = vec![at(Diagnostic::warning(
                Code::LinkExtensionless,
                &page.path,
                format!("{what} to {path} works only on hosts that add `.html`"),
            )
            .with_help(format!("link to {}", with_fragment(&html))))];
            found.extend(
                fragment.and_then(|f| check_fragment(site, page, link, target, &html, f, budget)),
            );
            return found;
        }
    }
    let base_path = &site.settings.base_path;
    let without_base = path
        .strip_prefix(base_path.as_str())
        .filter(|rest| !base_path.is_empty() && rest.starts_with('/'))
        .filter(|rest| site.urls.contains_key(*rest));
    let help = if let Some(rest) = without_base {
        format!("write links without the base path, which the build adds: {rest}")
    } else if let Some(absolute) = meant_as_absolute(site, &link.destination) {
        format!("a relative link is resolved from this page's folder; did you mean {absolute}?")
    } else if let Some(near) = budget.spend().then(|| similar_url(site, path)).flatten() {
        format!("did you mean {near}?")
    } else {
        "correct the link, add the page, or add a redirect for this URL in the settings".into()
    };
    vec![at(Diagnostic::error(
        Code::LinkBroken,
        &page.path,
        format!("{what} to {path}: no such page or file on this site"),
    )
    .with_help(help))]
}

/// The header and footer links from the settings: on every page, so a
/// broken one is broken everywhere. Reported at their line in the settings.
pub fn check_settings_links(site: &Site) -> Diagnostics {
    let settings = &site.settings;
    let mut found = Diagnostics::new();
    let lists = [
        ("header_links", &settings.header_links),
        ("footer_links", &settings.footer_links),
    ];
    for (key, links) in lists {
        for (title, url) in links {
            let (line, column) = settings.position_of(&format!("{key}.{title}"));
            let problem = match site.resolve("/", url) {
                // Reported by `structure`, which runs even with `--skip-check`.
                Resolved::Unsafe(_) => None,
                Resolved::Internal {
                    target: None, path, ..
                } => Some(format!("goes to {path}, which does not exist")),
                Resolved::Internal {
                    target: Some(target),
                    fragment: Some(fragment),
                    path,
                } if !site.has_id(target, &fragment) => Some(format!(
                    "goes to {path}, which has no heading with id `{fragment}`"
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                let file = settings.file_of(key);
                let help = match url.strip_prefix(settings.base_path.as_str()) {
                    Some(rest)
                        if !settings.base_path.is_empty() && site.urls.contains_key(rest) =>
                    {
                        format!("write links without the base path, which the build adds: {rest}")
                    }
                    _ => "link to a page of the site, or to another site with https://".into(),
                };
                found.push(
                    Diagnostic::error(
                        Code::SettingsLinkBroken,
                        &file,
                        format!("`{key}` link \"{title}\" {problem}"),
                    )
                    .at(line, column)
                    .with_help(help),
                );
            }
        }
    }
    found
}

/// `repos/x` written on `/manual/a.html` goes to `/manual/repos/x`; if
/// `/repos/x` exists, that is almost certainly what was meant.
pub(super) fn meant_as_absolute(site: &Site, destination: &str) -> Option<String> {
    if destination.starts_with(['/', '.', '#']) {
        return None;
    }
    let absolute = format!("/{destination}");
    match site.resolve("/", &absolute) {
        Resolved::ExternalPath { .. }
        | Resolved::Internal {
            target: Some(_), ..
        } => Some(absolute),
        _ => None,
    }
}

/// A URL in the same folder whose file name differs by a typo or two:
/// `deployment.html` for `deployments.html`. Guesses further off than that
/// mislead more than they help.
pub(super) fn similar_url<'a>(site: &'a Site, path: &str) -> Option<&'a str> {
    let (folder, name) = path.rsplit_once('/')?;
    let limit = (name.chars().count() / 8).max(1);
    site.urls
        .iter()
        .filter(|(_, t)| !matches!(t, Target::Redirect(_) | Target::ThemeAsset(_)))
        .filter_map(|(url, _)| {
            let (other_folder, other_name) = url.rsplit_once('/')?;
            (other_folder == folder).then(|| (strsim::levenshtein(name, other_name), url.as_str()))
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, url)| url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_syntax() {
        assert_eq!(check_external_syntax("https://example.org/a"), None);
        assert!(check_external_syntax("https://exa mple.org").is_some());
        assert!(check_external_syntax("https://").is_some());
        assert_eq!(check_external_syntax("mailto:a@example.org"), None);
    }
}
