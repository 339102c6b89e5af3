//! Front matter: the YAML block between `---` lines at the top of a page.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::diagnostics::Code;
use crate::yaml;

/// The keys the manual knows, typed; every other key is kept in `extra` and
/// handed to templates as `page.extra`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FrontMatter {
    #[serde(deserialize_with = "text")]
    pub title: Option<String>,
    #[serde(deserialize_with = "text")]
    pub owner_slack: Option<String>,
    #[serde(deserialize_with = "text")]
    pub section: Option<String>,
    #[serde(deserialize_with = "text")]
    pub parent: Option<String>,
    #[serde(deserialize_with = "text")]
    pub layout: Option<String>,
    #[serde(rename = "type", deserialize_with = "text")]
    pub page_type: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "flag", skip_serializing_if = "std::ops::Not::not")]
    pub important: bool,
    /// Place in the navigation among its siblings: lower first (the gem's
    /// `weight`); pages without one come after those with one.
    #[serde(deserialize_with = "number", skip_serializing_if = "Option::is_none")]
    pub weight: Option<serde_json::Number>,
    /// Left out of the navigation (but published and searchable).
    #[serde(deserialize_with = "flag", skip_serializing_if = "std::ops::Not::not")]
    pub hide_in_navigation: bool,
    /// Ask search engines not to index this page.
    #[serde(deserialize_with = "flag", skip_serializing_if = "std::ops::Not::not")]
    pub prevent_indexing: bool,
    /// Where "View source" goes, when the page's source is elsewhere.
    #[serde(deserialize_with = "text")]
    pub source_url: Option<String>,
    /// Dates stay as written here; `check` parses and validates them.
    #[serde(deserialize_with = "text")]
    pub review_by: Option<String>,
    #[serde(deserialize_with = "text")]
    pub last_reviewed_on: Option<String>,
    #[serde(deserialize_with = "text")]
    pub review_in: Option<String>,
    #[serde(deserialize_with = "text_list", skip_serializing_if = "Vec::is_empty")]
    pub related_repos: Vec<String>,
    #[serde(deserialize_with = "text_list", skip_serializing_if = "Vec::is_empty")]
    pub old_paths: Vec<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl FrontMatter {
    /// The value of a key the page wrote, by name, when it is not empty.
    pub fn value_of(&self, key: &str) -> Option<Value> {
        let value = serde_json::to_value(self).ok()?;
        value.get(key).filter(|v| !v.is_null()).cloned()
    }
}

/// Where the front matter sits in the file, for locating errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the delimiters, or `None` when the file has none.
    pub yaml: Option<&'a str>,
    /// File line of the YAML's first line.
    pub yaml_first_line: usize,
    /// Byte offset in the file where the markdown body starts.
    pub body_start: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatterError {
    pub code: Code,
    pub message: String,
    pub help: String,
    /// 1-based position in the file.
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub front_matter: FrontMatter,
    /// Whether the file had a front matter block at all.
    pub present: bool,
    /// Duplicate keys, as (key, line, first line); the last value was used.
    pub duplicates: Vec<(String, usize, usize)>,
    /// File line of each key written, for pointing at `layout:` and friends.
    pub key_lines: BTreeMap<String, usize>,
    /// Keys whose value YAML read as a comment (`owner_slack: #platform`,
    /// unquoted), with the comment and the file line.
    pub commented: Vec<(String, String, usize)>,
    /// Keys the manual does not know that are one slip from one it does
    /// (`owner_slak`), with that key and the file line.
    pub misspelt: Vec<(String, &'static str, usize)>,
}

/// Every key `FrontMatter` reads by name.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "owner_slack",
    "section",
    "parent",
    "layout",
    "type",
    "description",
    "important",
    "weight",
    "hide_in_navigation",
    "prevent_indexing",
    "source_url",
    "review_by",
    "last_reviewed_on",
    "review_in",
    "related_repos",
    "old_paths",
];

fn is_delimiter(line: &str, marker: &str) -> bool {
    line.trim_end() == marker
}

/// Splitting by hand (rather than with gray_matter) keeps exact byte offsets,
/// so every line number we report is the line in the author's file.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let no_front_matter = Split {
        yaml: None,
        yaml_first_line: 0,
        body_start: 0,
    };
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_delimiter(&text[..first_line_end], "---") {
        return Ok(no_front_matter);
    }
    let yaml_start = first_line_end;
    let mut offset = yaml_start;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let line = &text[offset..end];
        if is_delimiter(line, "---") || is_delimiter(line, "...") {
            return Ok(Split {
                yaml: Some(&text[yaml_start..offset]),
                yaml_first_line: 2,
                body_start: end,
            });
        }
        offset = end;
    }
    Err(FrontMatterError {
        code: Code::FrontMatterUnterminated,
        message: "front matter starts with `---` here but is never closed".into(),
        help: "add a line containing only `---` after the last front matter key".into(),
        line: 1,
        column: 1,
    })
}

pub fn parse(split: &Split<'_>) -> Result<Parsed, FrontMatterError> {
    let Some(text) = split.yaml else {
        return Ok(Parsed {
            front_matter: FrontMatter::default(),
            present: false,
            duplicates: Vec::new(),
            key_lines: BTreeMap::new(),
            commented: Vec::new(),
            misspelt: Vec::new(),
        });
    };
    let file_line = |yaml_line: usize| yaml_line + split.yaml_first_line - 1;
    let mut doc = yaml::parse(text).map_err(|e| FrontMatterError {
        code: Code::FrontMatterYaml,
        message: format!("front matter is not valid YAML: {}", e.message),
        help: "fix the YAML syntax; quote values that contain `: ` or start with `#`, `[` or `*`"
            .into(),
        line: file_line(e.at.0),
        column: e.at.1,
    })?;
    let value = match std::mem::take(&mut doc.value) {
        Value::Null => Value::Object(Default::default()),
        value @ Value::Object(_) => value,
        ref other => {
            return Err(FrontMatterError {
                code: Code::FrontMatterNotMapping,
                message: format!(
                    "front matter must be `key: value` lines, found {}",
                    kind(other)
                ),
                help: "write one `key: value` per line, e.g. `title: Deploy an app`".into(),
                line: split.yaml_first_line,
                column: 1,
            });
        }
    };
    let key_lines: BTreeMap<String, usize> = value
        .as_object()
        .map(|map| {
            map.keys()
                .filter_map(|k| Some((k.clone(), file_line(doc.position_of(k)?.0))))
                .collect()
        })
        .unwrap_or_default();
    let front_matter: FrontMatter = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (line, column) = doc.position_of(&path).unwrap_or((1, 1));
        FrontMatterError {
            code: Code::FrontMatterType,
            message: format!("front matter key `{path}`: {}", e.inner()),
            help: type_help(&path),
            line: file_line(line),
            column,
        }
    })?;
    // The one door for addresses that reach an attribute.
    if let Some(problem) = front_matter
        .source_url
        .as_deref()
        .and_then(crate::url::attribute_url_problem)
    {
        let (line, column) = doc.position_of("source_url").unwrap_or((1, 1));
        return Err(FrontMatterError {
            code: Code::LinkUnsafe,
            message: format!("front matter key `source_url`: {problem}"),
            help: "write an https:// address, such as the page's source on GitHub".into(),
            line: file_line(line),
            column,
        });
    }
    let duplicates = doc
        .duplicates
        .iter()
        .map(|d| (d.path.clone(), file_line(d.at.0), file_line(d.first_at.0)))
        .collect();
    let mut commented = Vec::new();
    let mut misspelt = Vec::new();
    for (key, &line) in &key_lines {
        let written = text
            .lines()
            .nth(line.saturating_sub(split.yaml_first_line))
            .unwrap_or("");
        let after = written
            .trim_start()
            .strip_prefix(key.as_str())
            .and_then(|rest| rest.trim_start().strip_prefix(':'))
            .map(str::trim);
        if let Some(comment) = after.filter(|rest| rest.starts_with('#'))
            && front_matter.value_of(key).is_none()
        {
            commented.push((key.clone(), comment.to_string(), line));
        }
        if !KNOWN_KEYS.contains(&key.as_str())
            && key.len() >= 4
            && let Some(known) = KNOWN_KEYS
                .iter()
                .find(|known| strsim::levenshtein(known, &key.to_ascii_lowercase()) <= 2)
        {
            misspelt.push((key.clone(), *known, line));
        }
    }
    Ok(Parsed {
        front_matter,
        present: true,
        duplicates,
        key_lines,
        commented,
        misspelt,
    })
}

fn type_help(key: &str) -> String {
    let key = key.split(['.', '[']).next().unwrap_or(key);
    match key {
        "important" | "hide_in_navigation" | "prevent_indexing" => {
            format!("write `{key}: true` or `{key}: false`")
        }
        "weight" => "write a number, such as `weight: 20` (lower comes first)".into(),
        "related_repos" | "old_paths" => format!("write `{key}:` followed by `- item` lines"),
        _ => format!("write `{key}:` followed by a single text value"),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "plain text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Text keys accept any scalar (`title: 2024` is the text "2024"), but not a
/// list or mapping: `title: [a, b]` is an author's mistake, not a title.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(D::Error::custom(format!(
            "expected a single text value, found {}",
            kind(&other)
        ))),
    }
}

fn number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Number>, D::Error> {
    use serde::de::Error;
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(Some(n)),
        other => Err(D::Error::custom(format!(
            "expected a number, found {}",
            kind(&other)
        ))),
    }
}

fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        other => Err(D::Error::custom(format!(
            "expected true or false, found {}",
            kind(&other)
        ))),
    }
}

/// A list of text; a single value is taken as a list of one.
fn text_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    use serde::de::Error;
    let scalar = |v: Value| match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(D::Error::custom(format!(
            "expected a list of text values, found {} in it",
            kind(&other)
        ))),
    };
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Parsed, FrontMatterError> {
        parse(&split(text)?)
    }

    #[test]
    fn an_unquoted_channel_and_a_misspelt_key_are_named_with_their_line() {
        let parsed = parse_text(
            "---\ntitle: A\nowner_slack: #platform\ndescription: # kept empty on purpose? no\nowner_slak: x\ncustom_thing: 1\nsecton: Ops\n---\nBody\n",
        )
        .unwrap();
        assert_eq!(
            parsed.commented,
            [
                (
                    "description".to_string(),
                    "# kept empty on purpose? no".to_string(),
                    4
                ),
                ("owner_slack".to_string(), "#platform".to_string(), 3),
            ]
        );
        let misspelt: Vec<(&str, &str, usize)> = parsed
            .misspelt
            .iter()
            .map(|(k, known, line)| (k.as_str(), *known, *line))
            .collect();
        assert_eq!(
            misspelt,
            [("owner_slak", "owner_slack", 5), ("secton", "section", 7)]
        );
        // Quoted, it is the channel.
        let quoted = parse_text("---\nowner_slack: \"#platform\"\n---\n").unwrap();
        assert!(quoted.commented.is_empty());
        assert_eq!(
            quoted.front_matter.owner_slack.as_deref(),
            Some("#platform")
        );
    }

    #[test]
    fn splits_and_types_known_keys() {
        let text =
            "---\ntitle: Hello\nimportant: true\nrelated_repos: [a, b]\ncustom: 1\n---\n# Body\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.body_start..], "# Body\n");
        let parsed = parse(&s).unwrap();
        assert_eq!(parsed.front_matter.title.as_deref(), Some("Hello"));
        assert!(parsed.front_matter.important);
        assert_eq!(parsed.front_matter.related_repos, ["a", "b"]);
        assert_eq!(parsed.front_matter.extra["custom"], 1);
        assert_eq!(parsed.key_lines["custom"], 5);
    }

    #[test]
    fn no_front_matter_is_fine() {
        let parsed = parse_text("# Just markdown\n").unwrap();
        assert!(!parsed.present);
        assert_eq!(parsed.front_matter, FrontMatter::default());
    }

    #[test]
    fn unterminated_front_matter_is_an_error_at_line_one() {
        let err = parse_text("---\ntitle: x\n\nbody\n").unwrap_err();
        assert_eq!((err.code, err.line), (Code::FrontMatterUnterminated, 1));
    }

    #[test]
    fn wrong_type_points_at_the_key_line() {
        let err = parse_text("---\nowner_slack: '#a'\ntitle: [a, b]\n---\n").unwrap_err();
        assert_eq!(err.code, Code::FrontMatterType);
        assert_eq!((err.line, err.column), (3, 1));
        assert!(err.message.contains("`title`"), "{}", err.message);
        assert!(err.message.contains("found a list"), "{}", err.message);
    }

    #[test]
    fn yaml_errors_are_located_in_the_file() {
        let err = parse_text("---\ntitle: ok\nbad: [\n---\n").unwrap_err();
        assert_eq!(err.code, Code::FrontMatterYaml);
        assert!(err.line >= 3, "{err:?}");
    }

    #[test]
    fn a_list_is_not_a_mapping() {
        let err = parse_text("---\n- a\n- b\n---\n").unwrap_err();
        assert_eq!((err.code, err.line), (Code::FrontMatterNotMapping, 2));
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let parsed = parse_text("---\ntitle: One\nsection: S\ntitle: Two\n---\n").unwrap();
        assert_eq!(parsed.front_matter.title.as_deref(), Some("Two"));
        assert_eq!(parsed.duplicates, vec![("title".to_string(), 4, 2)]);
    }

    #[test]
    fn scalars_are_accepted_as_text() {
        let parsed = parse_text("---\ntitle: 2024\n---\n").unwrap();
        assert_eq!(parsed.front_matter.title.as_deref(), Some("2024"));
    }
}
