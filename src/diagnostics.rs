//! Diagnostics are values: every stage returns the problems it found alongside
//! its output, and the command that ran the stages reports them all together.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Declares every diagnostic code once: its variant, the stable kebab-case
/// name people search for, and a one-line summary (the manual's check page
/// documents each name; a test holds the two together).
macro_rules! codes {
    ($($variant:ident = $name:literal: $summary:literal;)*) => {
        /// What kind of problem a diagnostic is. The names never change
        /// between versions, so reports can be searched and filtered.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                match name {
                    $($name => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    SourceMissing = "source-missing": "The source folder does not exist.";
    SourceUnreadable = "source-unreadable": "A file or folder in the source cannot be read.";
    SourceNotUtf8 = "source-not-utf8": "A page is not valid UTF-8 text.";
    SourceLinkOutside = "source-link-outside": "A symbolic link points outside the source or layouts folder.";
    SourceNotRegular = "source-not-regular": "A source or layout file is a FIFO, socket or device rather than a regular file.";
    SourceTooLarge = "source-too-large": "A page, layout or settings file is larger than the tool will read.";
    SettingsUnreadable = "settings-unreadable": "The settings file cannot be read.";
    SettingsNotUtf8 = "settings-not-utf8": "The settings file is not valid UTF-8 text.";
    SettingsYaml = "settings-yaml": "The settings file is not valid YAML.";
    SettingsDuplicateKey = "settings-duplicate-key": "A key is set twice in the settings file.";
    ConfigRbIgnored = "config-rb-ignored": "A statement in Middleman's config.rb that manual does not act on.";
    SettingsUnused = "settings-unused": "A second settings file that is not read, since the settings are in another.";
    SettingsInvalid = "settings-invalid": "A setting is unknown or has the wrong type or value.";
    SettingsLinkBroken = "settings-link-broken": "A header or footer link goes nowhere or runs code.";
    FrontMatterUnterminated = "front-matter-unterminated": "Front matter starts with `---` but never ends.";
    FrontMatterYaml = "front-matter-yaml": "Front matter is not valid YAML.";
    FrontMatterNotMapping = "front-matter-not-mapping": "Front matter is not a list of `key: value` lines.";
    FrontMatterType = "front-matter-type": "A front matter key has a value of the wrong type.";
    FrontMatterComment = "front-matter-comment": "A front matter value starts with `#` unquoted, so YAML reads it as a comment and the key as empty.";
    FrontMatterUnknownKey = "front-matter-unknown-key": "A front matter key is one slip from a key manual knows.";
    FrontMatterDuplicateKey = "front-matter-duplicate-key": "A front matter key is set twice; the last value is used.";
    PageEmpty = "page-empty": "A page file is empty.";
    ErbSyntax = "erb-syntax": "An ERB tag or block is not closed, or its Ruby cannot be read.";
    ErbUnsupported = "erb-unsupported": "An ERB tag uses a name or method that manual does not run and the site does not define as a helper.";
    ErbPartialMissing = "erb-partial-missing": "`partial` names a file that is not there.";
    ErbError = "erb-error": "An ERB tag fails when run (a missing value, a wrong argument).";
    ErbBudget = "erb-budget": "A page's ERB or a project helper does more work, makes larger values or nests deeper than one page may.";
    ErbSkipped = "erb-skipped": "An `.erb` file that is neither a page, a partial a page uses, nor a layout is not published.";
    MarkdownDialect = "markdown-dialect": "On a tech-docs site, Markdown that the gem's Redcarpet reads differently from manual (lists, mostly).";
    SettingUnsupported = "setting-unsupported": "A tech-docs setting that manual reads but does not act on.";
    LayoutsMissing = "layouts-missing": "The layouts folder does not exist.";
    LayoutsUnreadable = "layouts-unreadable": "A file in the layouts folder cannot be read.";
    LayoutUnknown = "layout-unknown": "A page names a layout that does not exist.";
    LayoutMissing = "layout-missing": "A layout the site needs for a generated page does not exist.";
    Template = "template": "A layout has a template error.";
    TitleMissing = "title-missing": "A page has no `title`.";
    SectionMissing = "section-missing": "A manual page has no `section`.";
    FrontMatterMissing = "front-matter-missing": "A front matter key that the settings require is missing.";
    TypeInvalid = "type-invalid": "A page's `type` is not a known page type.";
    OwnerMissing = "owner-missing": "A page has no `owner_slack`.";
    OwnerInvalid = "owner-invalid": "`owner_slack` is not a Slack channel or person.";
    OwnerUnregistered = "owner-unregistered": "`owner_slack` is not in the settings' owner registry.";
    ParentMissing = "parent-missing": "A page's `parent` is not a page of the site.";
    ParentCycle = "parent-cycle": "Following `parent` from page to page comes back to the start.";
    DateInvalid = "date-invalid": "A review date or period cannot be read.";
    ReviewOverdue = "review-overdue": "A page's review date has passed.";
    CodeLanguageUnknown = "code-language-unknown": "A code block names a language that is not highlighted.";
    CodeAttributeIgnored = "code-attribute-ignored": "A code fence has an attribute that is not acted on.";
    DiagramInvalid = "diagram-invalid": "A Mermaid diagram cannot be drawn: its source is not valid.";
    DiagramUnsupported = "diagram-unsupported": "A Mermaid diagram of a type that is not drawn at build time.";
    LinkBroken = "link-broken": "A link or image goes to a page or file the site does not have.";
    LinkFragmentMissing = "link-fragment-missing": "A link's `#fragment` names an id the target page does not have.";
    LinkSourceFile = "link-source-file": "A link points at a page's source file rather than the page.";
    LinkExtensionless = "link-extensionless": "A link leaves out `.html`.";
    LinkRedirected = "link-redirected": "A link goes to an old address that redirects.";
    LinkReferenceUndefined = "link-reference-undefined": "A reference link has no `[label]: URL` definition.";
    LinkDefinitionUnused = "link-definition-unused": "A `[label]: URL` definition that no link uses.";
    LinkDefinitionDuplicate = "link-definition-duplicate": "A second, different definition of a link label.";
    LinkDefinitionBracketed = "link-definition-bracketed": "A link definition's URL is wrapped in brackets.";
    LinkUnsafe = "link-unsafe": "A link runs script in the reader's browser (`javascript:`).";
    LinkInvalidUrl = "link-invalid-url": "A link to another site is not a valid web address.";
    LinkEmpty = "link-empty": "A link or image has no destination.";
    LinkExternalBroken = "link-external-broken": "With `--external`: another site says the page is not there.";
    LinkExternalUnreachable = "link-external-unreachable": "With `--external`: another site did not answer usefully.";
    ExternalCache = "external-cache": "The cache of `--external` results cannot be read or written.";
    HtmlUnsafe = "html-unsafe": "HTML in a page runs script for every reader.";
    RedirectTargetMissing = "redirect-target-missing": "A redirect goes to a page that does not exist.";
    RedirectChain = "redirect-chain": "A redirect goes to another redirect.";
    RedirectLoop = "redirect-loop": "Redirects lead back to where they started.";
    RedirectUnsafe = "redirect-unsafe": "A redirect goes to an address that runs script or holds control characters.";
    RedirectShadowsPage = "redirect-shadows-page": "An old address is also the address of a page.";
    AlertRulesInvalid = "alert-rules-invalid": "An alert rule file cannot be read: not YAML, not a regular file, or outside the folders it may be in.";
    RunbookBroken = "runbook-broken": "An alert's `runbook_url` goes to a page the manual does not have.";
    RunbookFragmentMissing = "runbook-fragment-missing": "An alert's `runbook_url` names a heading its page does not have.";
    RunbookRedirected = "runbook-redirected": "An alert's `runbook_url` goes to an old address that redirects.";
    RunbookOrphaned = "runbook-orphaned": "A page in an `alerts/` folder that no alert links to.";
    UrlConflict = "url-conflict": "Two files, or a file and a redirect, would be published at one address.";
    PathUnsafe = "path-unsafe": "A file name or old address cannot be published safely (`..`, control characters).";
    LintMojibake = "lint-mojibake": "Text saved with the wrong encoding.";
    LintHeadingSpace = "lint-heading-space": "`###Heading` with no space is not a heading.";
    LintGovukSpelling = "lint-govuk-spelling": "`Gov.uk` where `GOV.UK` is meant.";
    LintTitleVerb = "lint-title-verb": "A title starts with an -ing word.";
    LintPageFileName = "lint-page-file-name": "A page file is not named `<slug>.html.md`.";
    CalloutUnknown = "callout-unknown": "A quote starts `[!WORD]` with a word that is not a callout.";
    ImageAltMissing = "image-alt-missing": "An image has no alt text for readers who cannot see it.";
    HeadingLevelSkipped = "heading-level-skipped": "A heading is more than one level below the one before it.";
    TitleDuplicate = "title-duplicate": "Two pages in one section have the same title.";
    LinkTextVague = "link-text-vague": "Link text says nothing out of context (\"click here\").";
    OutputOverlapsInput = "output-overlaps-input": "The output folder is, holds or lies inside the project's inputs.";
    OutputNotOurs = "output-not-ours": "The output folder holds files that `manual` did not write.";
    BaselineInvalid = "baseline-invalid": "The file given to `--baseline` cannot be read or is not a baseline.";
    ScopeUnavailable = "scope-unavailable": "`--since` names a revision this clone does not have, or git cannot compare with it.";
    WriteFailed = "write-failed": "The site could not be written.";
    Interrupted = "interrupted": "The build was stopped by Ctrl-C.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem, located in a file. `line` and `column` are 1-based; 0 means
/// "the whole file" (for example a file that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// What a finding is, apart from where in its file it is: the file (from
/// the project's root, with `/`), the code, and the message with any line
/// or column it quotes left out, so that text added above a finding does
/// not make it a different one. Messages name what is wrong (the link's
/// target, the key, the label), so two different broken links in one file
/// are two keys, and the same broken link twice is one key counted twice.
/// The baseline, pull-request scope and SARIF's fingerprints all use this
/// one identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    pub file: String,
    pub code: String,
    pub subject: String,
}

impl FindingKey {
    /// A short, stable hash of the key: the same on every machine and in
    /// every version that keeps the key's parts.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        for part in [&self.file, &self.code, &self.subject] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher
            .finalize()
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

impl Diagnostic {
    /// This finding's identity, with its file named from `root`.
    pub fn key(&self, root: &Path) -> FindingKey {
        FindingKey {
            file: project_path(&self.file, root),
            code: self.code.as_str().to_string(),
            subject: without_positions(&self.message),
        }
    }
}

/// `file` as a path from `root`, written with `/` on every system, as git
/// and the baseline file name files.
pub fn project_path(file: &Path, root: &Path) -> String {
    let relative = file
        .strip_prefix(root)
        .ok()
        .filter(|_| root != Path::new("."))
        .unwrap_or(file);
    let relative = relative.strip_prefix(".").unwrap_or(relative);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The message with the line and column numbers it quotes (`first on line
/// 12`) replaced, as they change whenever text above them does.
fn without_positions(message: &str) -> String {
    static POSITION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b(line|column|lines) [0-9]+").expect("valid pattern")
    });
    POSITION.replace_all(message, "$1 _").into_owned()
}

/// Diagnostics from every stage, kept in a stable order for reporting.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Keeps what a stage found beside its result, and gives the result.
    pub fn keep<T>(&mut self, (value, found): (T, Diagnostics)) -> T {
        self.extend(found);
        value
    }

    /// Keeps the errors of a stage that failed, and gives its result when
    /// it did not.
    pub fn keep_ok<T>(&mut self, result: Result<T, Diagnostics>) -> Option<T> {
        result.map_err(|errors| self.extend(errors)).ok()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.0.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorted by file, line and column so that output does not depend on the
    /// order in which parallel stages finished.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code.as_str(), &a.message).cmp(&(
                &b.file,
                b.line,
                b.column,
                b.code.as_str(),
                &b.message,
            ))
        });
        // The same problem found through several pages (a link in a
        // partial they all use) is reported once.
        self.0.dedup_by(|a, b| {
            (a.severity, a.code, &a.file, a.line, a.column, &a.message)
                == (b.severity, b.code, &b.file, b.line, b.column, &b.message)
        });
        self.0
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

/// Turns a byte offset into a 1-based (line, column) pair; the column counts
/// characters, as editors do.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Every page's positions go through one of these.
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line<'a>(&self, text: &'a str, line: usize) -> Option<&'a str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |next| next - 1);
        text.get(start..end)
    }

    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line, column)
    }
}

/// A path shown to people: relative to the current directory when it can be.
pub fn display_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let text = "ab\nçé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(index.line_col(text, x), (2, 4));
    }

    #[test]
    fn a_findings_key_ignores_where_it_is_but_not_what_it_is() {
        let here = Diagnostic::error(
            Code::LinkDefinitionDuplicate,
            "./source/a.html.md",
            "`[x]` is defined again here (first on line 3); links use the first",
        )
        .at(9, 1);
        let moved = Diagnostic {
            message: "`[x]` is defined again here (first on line 30); links use the first".into(),
            ..here.clone()
        }
        .at(40, 2);
        let root = Path::new(".");
        assert_eq!(here.key(root), moved.key(root));
        assert_eq!(here.key(root).file, "source/a.html.md");
        assert_eq!(here.key(root).fingerprint().len(), 16);

        let other_label = Diagnostic {
            message: "`[y]` is defined again here (first on line 3); links use the first".into(),
            ..here.clone()
        };
        assert_ne!(
            here.key(root).fingerprint(),
            other_label.key(root).fingerprint()
        );
        let other_file = Diagnostic {
            file: "source/b.html.md".into(),
            ..here.clone()
        };
        assert_ne!(
            here.key(root).fingerprint(),
            other_file.key(root).fingerprint()
        );
    }

    #[test]
    fn project_paths_are_relative_to_the_root_with_forward_slashes() {
        let root = Path::new("/tmp/old");
        assert_eq!(
            project_path(Path::new("/tmp/old/source/a b.html.md"), root),
            "source/a b.html.md"
        );
        assert_eq!(
            project_path(Path::new("site.yml"), Path::new(".")),
            "site.yml"
        );
    }
}
