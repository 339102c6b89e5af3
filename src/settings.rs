//! Site settings, read from `site.yml`. Key names follow tech-docs.yml where
//! the meaning is the same, so an existing tech-docs site can move over.

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::yaml;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The site's public origin, e.g. `https://docs.example.org`.
    pub host: Option<String>,
    /// Shown in the header and in every page title.
    pub service_name: String,
    /// One sentence about the site, for the home page and `<meta>`.
    pub description: Option<String>,
    /// Header navigation, in the order written: link text -> URL.
    pub header_links: IndexMap<String, String>,
    pub footer_links: IndexMap<String, String>,
    /// Old URL -> new URL.
    pub redirects: IndexMap<String, String>,
    /// `owner/name` on GitHub.
    pub github_repo: Option<String>,
    /// Read so tech-docs.yml-style settings load; the search that it switches
    /// on is not built yet.
    pub enable_search: bool,
}

impl Settings {
    pub fn defaults() -> Self {
        Settings {
            service_name: "Manual".into(),
            ..Settings::default()
        }
    }
}

/// Reads the settings file. A missing file gives the defaults when it was
/// not asked for by name (`required == false`).
pub fn load(path: &Path, required: bool) -> Result<Settings, Diagnostic> {
    let text = match std::fs::read(path) {
        Ok(bytes) => crate::load::decode(&bytes).map_err(|(line, column, _)| {
            Diagnostic::error(
                "settings-not-utf8",
                path,
                "settings file is not valid UTF-8",
            )
            .at(line, column)
            .with_help("save the file with UTF-8 encoding")
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Settings::defaults());
        }
        Err(e) => {
            return Err(Diagnostic::error(
                "settings-unreadable",
                path,
                format!("cannot read settings: {e}"),
            )
            .with_help("check the path given to --config"));
        }
    };
    parse(&text).map_err(|e| Diagnostic {
        file: path.to_path_buf(),
        ..e
    })
}

/// Parses settings text; the returned diagnostic has an empty file name.
pub fn parse(text: &str) -> Result<Settings, Diagnostic> {
    let doc = yaml::parse(text).map_err(|e| {
        Diagnostic::error(
            "settings-yaml",
            "",
            format!("settings are not valid YAML: {}", e.message),
        )
        .at(e.at.0, e.at.1)
        .with_help("fix the YAML syntax")
    })?;
    if let Some(duplicate) = doc.duplicates.first() {
        return Err(Diagnostic::error(
            "settings-duplicate-key",
            "",
            format!(
                "`{}` is set twice (first on line {})",
                duplicate.path, duplicate.first_at.0
            ),
        )
        .at(duplicate.at.0, duplicate.at.1)
        .with_help("keep one of them"));
    }
    let value = match doc.value {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        ref v => v.clone(),
    };
    let mut settings: Settings = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (line, column) = doc.position_of(&path).unwrap_or((1, 1));
        let message = e.inner().to_string();
        let help = if message.starts_with("unknown field") {
            "remove the key or correct its spelling".to_string()
        } else {
            format!("see the settings table in the user guide for the type of `{path}`")
        };
        Diagnostic::error("settings-invalid", "", format!("settings: {message}"))
            .at(line, column)
            .with_help(help)
    })?;
    if settings.service_name.is_empty() {
        settings.service_name = Settings::defaults().service_name;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_list_the_known_ones() {
        let err = parse("service_name: X\nhots: example.org\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("unknown field `hots`"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`host`"), "{}", err.message);
    }

    #[test]
    fn links_keep_their_order() {
        let s = parse("header_links:\n  Zeta: /z.html\n  Alpha: /a.html\n").unwrap();
        let names: Vec<_> = s.header_links.keys().collect();
        assert_eq!(names, ["Zeta", "Alpha"]);
        assert_eq!(s.service_name, "Manual");
    }

    #[test]
    fn wrong_types_are_located() {
        let err = parse("service_name: X\nredirects: [a]\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("redirects") || err.message.contains("map"),
            "{}",
            err.message
        );
    }
}
