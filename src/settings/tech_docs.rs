//! The tech-docs gem's `config/tech-docs.yml`, read as the gem reads it.
//!
//! Most keys mean here what they mean to the gem and keep their names. A few
//! keys ask for things `manual` does not do (analytics, a cookie banner,
//! OpenAPI pages): they are accepted with one `setting-unsupported` warning
//! each, naming what is not done, and only when they ask for something (an
//! empty `ga_tracking_id` asks for nothing). A key neither the gem nor
//! `manual` knows is an error with a suggestion, like any unknown setting.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::diagnostics::Diagnostic;

/// The gem's keys that `manual` reads but does not act on, and what is not
/// done.
pub const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "ga_tracking_id",
        "Google Analytics is not added to pages; add its script in a layout override if you need it",
    ),
    (
        "ga4_tracking_id",
        "Google Analytics is not added to pages; add its script in a layout override if you need it",
    ),
    (
        "ga4_gtm_tracking_id",
        "Google Tag Manager is not added to pages; add its script in a layout override if you need it",
    ),
    (
        "enable_anchored_headings",
        "headings always link to themselves in manual's theme, so the setting changes nothing",
    ),
    (
        "cookie_banner",
        "no cookie banner is shown; manual's pages set no cookies",
    ),
    (
        "enable_govuk_components",
        "GOV.UK Design System component macros (`govukButton(...)`) in pages are not rendered",
    ),
    (
        "api_path",
        "no OpenAPI reference page is made from the specification",
    ),
    (
        "use_service_link_for_favicon",
        "the favicon is always the site's own",
    ),
    (
        "navigationClasses",
        "extra classes are not added to the header navigation",
    ),
    (
        "navigationContainerClasses",
        "extra classes are not added to the header navigation",
    ),
];

/// A key accepted but not acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub message: String,
    pub help: String,
    pub at: (usize, usize),
}

/// The gem's settings as `manual` settings.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// Keys and values in `manual`'s terms.
    pub values: Map<String, Value>,
    pub positions: HashMap<String, (usize, usize)>,
    pub unsupported: Vec<Unsupported>,
    /// The file as written, for `config[:tech_docs]` in ERB.
    pub raw: Value,
    /// Below the repository's root, the site's folder (from `github_repo`
    /// written as an address with a path).
    pub repository_folder: Option<String>,
}

/// Whether a value asks for anything: `false`, empty text and empty lists
/// do not.
fn asks_for_something(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => m.values().any(asks_for_something),
        _ => true,
    }
}

/// Reads the gem's file; the diagnostic of an error has an empty file name.
pub fn read(text: &str) -> Result<Read, Diagnostic> {
    let (value, doc) = super::document(text)?;
    let Value::Object(map) = value.clone() else {
        unreachable!("document() gives a mapping");
    };
    let mut read = Read {
        raw: value,
        positions: doc.positions().clone(),
        ..Read::default()
    };
    for (key, value) in map {
        let at = doc.position_of(&key).unwrap_or((1, 1));
        if let Some((_, what)) = UNSUPPORTED.iter().find(|(name, _)| *name == key) {
            if asks_for_something(&value) {
                read.unsupported.push(Unsupported {
                    message: format!("`{key}` is read but not acted on: {what}"),
                    help: format!(
                        "remove `{key}`, or leave it for the gem while both build the site"
                    ),
                    at,
                });
            }
            continue;
        }
        if value.is_null() {
            continue;
        }
        let value = match key.as_str() {
            "host" => match host(&value) {
                Some((host, base_path)) => {
                    // The site lives at the host's path (a GitHub Pages
                    // project site), unless our settings say otherwise.
                    if let Some(base_path) = base_path {
                        read.values
                            .entry("base_path".to_string())
                            .or_insert(Value::String(base_path));
                        read.positions.entry("base_path".into()).or_insert(at);
                    }
                    Value::String(host)
                }
                None => value,
            },
            _ => value,
        };
        read.values.insert(key, value);
    }
    Ok(read)
}

/// The gem writes `host` before every page path for canonical links. Here
/// `host` is the origin and the path part is the site's base path.
/// A host without a scheme (`docs.example.org`, which the gem simply
/// prefixes) is read as `https://`.
fn host(value: &Value) -> Option<(String, Option<String>)> {
    let written = value.as_str()?.trim();
    let with_scheme = if written.contains("://") {
        written.to_string()
    } else {
        format!("https://{written}")
    };
    let parsed = url::Url::parse(&with_scheme).ok()?;
    let origin = parsed.origin().ascii_serialization();
    if origin == "null" {
        return None;
    }
    let path = parsed.path().trim_end_matches('/');
    let base_path = (!path.is_empty()).then(|| path.to_string());
    Some((origin, base_path))
}

#[cfg(test)]
mod tests {
    use crate::settings::{Files, load_files};

    fn load(
        gem: &str,
        ours: Option<&str>,
    ) -> Result<
        (super::super::Settings, crate::diagnostics::Diagnostics),
        crate::diagnostics::Diagnostics,
    > {
        let dir = tempfile::tempdir().unwrap();
        let gem_path = dir.path().join("tech-docs.yml");
        std::fs::write(&gem_path, gem).unwrap();
        let ours_path = dir.path().join("site.yml");
        if let Some(ours) = ours {
            std::fs::write(&ours_path, ours).unwrap();
        }
        load_files(Files {
            ours: &ours_path,
            ours_required: false,
            tech_docs: Some(&gem_path),
            project_root: dir.path(),
            env: &[],
        })
    }

    #[test]
    fn the_gems_keys_are_honoured() {
        let (s, warnings) = load(
            "host: https://alphagov.github.io/tech-docs-gem\nshow_govuk_logo: false\nservice_name: Tech docs\nservice_link: https://example.org\nphase: Beta\nenable_govuk_components: false\nheader_links:\n  Support: /support\nfooter_links:\n  Accessibility: /accessibility/\nmax_toc_heading_level: 1\nmultipage_nav: true\ncollapsible_nav: true\nshow_contribution_banner: true\ngithub_repo: https://github.com/alphagov/tech-docs-gem/documentation\nenable_search: true\ndefault_owner_slack: '#gds-technical-writing'\nowner_slack_workspace: gds\nredirects:\n  page-expiry.html: configure/#x\nshow_review_banner: false\nshow_expiry: false\nprevent_indexing: true\ngoogle_site_verification: abc\nsource_urls:\n  report_issue_url: mailto:x@example.org\nfull_service_name: GOV.UK Tech docs\n",
            None,
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.host.as_deref(), Some("https://alphagov.github.io"));
        assert_eq!(s.base_path, "/tech-docs-gem");
        assert_eq!(s.github_repo.as_deref(), Some("alphagov/tech-docs-gem"));
        assert_eq!(s.repository_folder.as_deref(), Some("documentation"));
        assert_eq!(s.github_branch(), "master");
        assert_eq!(s.phase.as_deref(), Some("Beta"));
        assert_eq!(s.max_toc_heading_level, Some(1));
        assert!(s.multipage_nav && s.collapsible_nav && s.prevent_indexing && s.enable_search);
        assert!(!s.shows_review_banner() && !s.shows_expiry());
        assert_eq!(
            s.default_owner_slack.as_deref(),
            Some("#gds-technical-writing")
        );
        assert_eq!(
            s.owner_url("#gds-technical-writing").as_deref(),
            Some("https://gds.slack.com/messages/gds-technical-writing")
        );
        assert_eq!(
            s.heading_ids(),
            crate::settings::HeadingIdScheme::TechDocsGem
        );
        // The gem titles a page by its first heading, so nothing is
        // required until the site says so.
        assert!(s.required_front_matter().is_empty());
        assert_eq!(s.site_name(), "GOV.UK Tech docs");
        assert_eq!(
            s.source_urls.report_issue_url.as_deref(),
            Some("mailto:x@example.org")
        );
        assert_eq!(s.tech_docs_raw["service_name"], "Tech docs");
    }

    #[test]
    fn keys_the_gem_has_but_manual_does_not_do_warn_once_each_in_one_run() {
        let (_, warnings) = load(
            "ga_tracking_id: UA-1\nga4_tracking_id: ''\napi_path: ./pets.yml\nenable_govuk_components: true\ncookie_banner:\n  enable: true\n",
            None,
        )
        .unwrap();
        let found: Vec<(usize, &str)> =
            warnings.iter().map(|d| (d.line, d.code.as_str())).collect();
        assert_eq!(
            found,
            [
                (1, "setting-unsupported"),
                (3, "setting-unsupported"),
                (4, "setting-unsupported"),
                (5, "setting-unsupported")
            ]
        );
        assert!(warnings.iter().all(|w| w.file.ends_with("tech-docs.yml")));
    }

    #[test]
    fn unknown_keys_are_all_reported_at_once_with_suggestions() {
        let errors = load(
            "servce_name: X\nphase: Beta\nmultipage_navv: true\nnonsense_key: 1\n",
            None,
        )
        .unwrap_err();
        let found: Vec<(usize, String)> = errors
            .iter()
            .map(|d| (d.line, d.help.clone().unwrap_or_default()))
            .collect();
        assert_eq!(found.len(), 3, "{:#?}", errors.iter().collect::<Vec<_>>());
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("service_name"), "{:?}", found[0]);
        assert_eq!(found[1].0, 3);
        assert!(found[1].1.contains("multipage_nav"), "{:?}", found[1]);
        assert_eq!(found[2].0, 4);
        assert!(errors.iter().all(|d| d.file.ends_with("tech-docs.yml")));
    }

    #[test]
    fn our_settings_add_and_override_key_by_key() {
        let (s, _) = load(
            "service_name: Gem\nredirects:\n  a.html: b.html\nheader_links:\n",
            Some(
                "service_name: Ours\nheading_ids: govuk-developer-docs\nexternal_paths: [/apps/]\n",
            ),
        )
        .unwrap();
        assert_eq!(s.service_name, "Ours");
        assert_eq!(
            s.heading_ids(),
            crate::settings::HeadingIdScheme::GovukDeveloperDocs
        );
        assert_eq!(s.external_paths, ["/apps/"]);
        assert_eq!(s.redirects["a.html"], "b.html");
        assert!(s.file_of("redirects.a.html").ends_with("tech-docs.yml"));
        assert!(s.file_of("service_name").ends_with("site.yml"));
        assert!(s.header_links.is_empty());
    }

    #[test]
    fn a_host_without_a_scheme_is_read_as_https() {
        let (s, _) = load("host: docs.wifi.service.gov.uk\n", None).unwrap();
        assert_eq!(s.host.as_deref(), Some("https://docs.wifi.service.gov.uk"));
        assert_eq!(s.base_path, "");
    }
}
