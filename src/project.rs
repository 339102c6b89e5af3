//! The project: where every file a build reads is, named once. Reading
//! (`load`), serve's watcher and the write door (`safe_write`) all ask
//! [`Inputs`], so nothing can be read and not watched, or read and then
//! overwritten.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::diagnostics::{Code, Diagnostic};

/// The cache folder a project may keep of its own (and ignore in git).
pub const PROJECT_CACHE_FOLDER: &str = ".manual-cache";

/// The folder below the source that Middleman keeps layouts in; nothing in
/// it is published.
pub const ERB_LAYOUTS_FOLDER: &str = "layouts";

/// The folder of project helper templates, inside the site's layouts.
pub const HELPERS_FOLDER: &str = "helpers";

/// Where a site's inputs are. Relative paths are relative to the current
/// folder, which the command line sets to the project folder.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The project folder, which the output may never replace.
    pub root: PathBuf,
    pub source: PathBuf,
    /// The site's own layouts, laid over the built-in theme; `None` for the
    /// built-in theme alone.
    pub layouts: Option<PathBuf>,
    /// `None` means `site.yml` in the source directory, if it exists.
    pub settings: Option<PathBuf>,
    /// The day the site is built for: review dates before it are overdue.
    pub today: NaiveDate,
    /// Alert rule files, folders or globs named with `--alerts` (besides
    /// the settings' `alert_rules`).
    pub alerts: Vec<PathBuf>,
    /// The environment variables named with `--env NAME` (their values
    /// read then) or `--env NAME=VALUE`: the only ones a
    /// `tech-docs.yml.erb` may read. `None` for one named but not set.
    pub env: Vec<(String, Option<String>)>,
}

/// A file or folder a build reads, and what it is, in words.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub what: &'static str,
}

/// The gem's settings file is recognised by its name.
const TECH_DOCS_FILE_NAME: &str = "tech-docs.yml";
/// The same written as ERB, to read values from the environment.
const TECH_DOCS_ERB_FILE_NAME: &str = "tech-docs.yml.erb";

impl Inputs {
    /// A file of the project, named as people write it (`site.yml`, not
    /// `./site.yml`).
    fn at_root(&self, relative: &str) -> PathBuf {
        if self.root == Path::new(".") {
            PathBuf::from(relative)
        } else {
            self.root.join(relative)
        }
    }

    /// Whether the site has layouts of its own (theme overrides, or ERB
    /// layouts in the source's `layouts/`), the only way script can reach
    /// a page that no single input holds.
    pub fn has_own_layouts(&self) -> bool {
        self.layouts.is_some() || self.source.join(ERB_LAYOUTS_FOLDER).is_dir()
    }

    /// An error when there is no source folder to read.
    pub fn source_missing(&self) -> Option<Diagnostic> {
        if self.source.is_dir() {
            return None;
        }
        let absolute = std::path::absolute(&self.source).unwrap_or_else(|_| self.source.clone());
        Some(
            Diagnostic::error(
                Code::SourceMissing,
                &self.source,
                format!("no source folder at {}", absolute.display()),
            )
            .with_help(
                "run `manual init` to start a manual here, or pass -C DIR (the manual's folder) or --source DIR",
            ),
        )
    }

    /// `--config` names the gem's file (rather than ours) when it is
    /// called `tech-docs.yml`.
    fn given_tech_docs(&self) -> Option<&Path> {
        self.settings.as_deref().filter(|p| {
            p.file_name()
                .is_some_and(|n| n == TECH_DOCS_FILE_NAME || n == TECH_DOCS_ERB_FILE_NAME)
        })
    }

    /// Where our settings are looked for when `--config` does not name
    /// them: at the project's root (as `manual init` writes them), then in
    /// the source folder.
    pub fn settings_candidates(&self) -> [PathBuf; 2] {
        [self.at_root("site.yml"), self.source.join("site.yml")]
    }

    /// Where the tech-docs gem's settings are looked for: where the gem
    /// reads them (`config/tech-docs.yml`), then at the project's root.
    pub fn tech_docs_candidates(&self) -> [PathBuf; 3] {
        [
            self.at_root(&format!("config/{TECH_DOCS_FILE_NAME}")),
            self.at_root(&format!("config/{TECH_DOCS_ERB_FILE_NAME}")),
            self.at_root(TECH_DOCS_FILE_NAME),
        ]
    }

    /// Our settings file: the one given, or the first candidate that
    /// exists (or, when none does, the last, which is then not read).
    pub fn settings_path(&self) -> PathBuf {
        if let Some(given) = &self.settings
            && self.given_tech_docs().is_none()
        {
            return given.clone();
        }
        let [root, source] = self.settings_candidates();
        if root.is_file() { root } else { source }
    }

    /// The gem's settings file, when the site has one.
    pub fn tech_docs_path(&self) -> Option<PathBuf> {
        if let Some(given) = self.given_tech_docs() {
            return Some(given.to_path_buf());
        }
        self.tech_docs_candidates()
            .into_iter()
            .find(|p| p.is_file())
    }

    /// Every file that can configure the site, whether it exists yet or
    /// not: what `serve` watches and the output may never replace.
    pub fn settings_files(&self) -> Vec<PathBuf> {
        self.described_settings_files()
            .into_iter()
            .map(|input| input.path)
            .collect()
    }

    /// `settings_files`, each with what it is, for messages.
    fn described_settings_files(&self) -> Vec<Input> {
        let ours = |path| Input {
            path,
            what: "the settings file",
        };
        let tech_docs = |path| Input {
            path,
            what: "the tech-docs settings file",
        };
        let mut files = Vec::new();
        match &self.settings {
            Some(given) if self.given_tech_docs().is_some() => files.push(tech_docs(given.clone())),
            Some(given) => files.push(ours(given.clone())),
            None => files.extend(self.settings_candidates().map(ours)),
        }
        if self.given_tech_docs().is_none() {
            files.extend(self.tech_docs_candidates().map(tech_docs));
        } else {
            files.extend(self.settings_candidates().map(ours));
        }
        // Middleman's settings: `load` reads `activate :directory_indexes`
        // there, so a change to it must rebuild.
        files.push(Input {
            path: self.at_root("config.rb"),
            what: "Middleman's config.rb",
        });
        files
    }

    /// Everything a command may read and must never overwrite, each with
    /// what it is: the source and layouts folders, every settings file and
    /// the git history. The write door (`safe_write`) refuses each, and
    /// the output folder may be none of them (`write::check_output`).
    pub fn protected_inputs(&self) -> Vec<Input> {
        let mut inputs = vec![
            Input {
                path: self.source.clone(),
                what: "the source folder",
            },
            Input {
                path: self.at_root(".git"),
                what: "the project's git history",
            },
        ];
        inputs.extend(self.layouts.clone().map(|path| Input {
            path,
            what: "the layouts folder",
        }));
        inputs.extend(self.described_settings_files());
        inputs.extend(self.alerts.iter().map(|path| Input {
            path: path.clone(),
            what: "alert rules named with --alerts",
        }));
        inputs
    }

    /// Where highlighted code and build records are kept between runs:
    /// `given` (`--cache-dir`, from the project root when relative); else
    /// the project's own `.manual-cache/` when it has one (`init` makes
    /// it); else the project's folder in the user's cache folder, so a
    /// build writes nothing into the project but its output. `None` when
    /// there is nowhere to keep it.
    pub fn cache_folder(&self, given: Option<&Path>) -> Option<PathBuf> {
        match given {
            Some(given) if given.is_relative() => Some(self.at_root(&given.to_string_lossy())),
            Some(given) => Some(given.to_path_buf()),
            None => {
                let own = self.at_root(PROJECT_CACHE_FOLDER);
                if std::fs::symlink_metadata(&own).is_ok() {
                    Some(own)
                } else {
                    crate::user_cache::for_project(&self.root)
                }
            }
        }
    }

    /// The folder of project helper templates: `helpers/` in the site's
    /// layouts folder.
    pub fn helpers_folder(&self) -> Option<PathBuf> {
        self.layouts.as_ref().map(|l| l.join(HELPERS_FOLDER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one list: every file that configures the site is watched by
    /// `serve` (`settings_files`) and protected from every write
    /// (`protected_inputs`), whichever way the settings are named.
    #[test]
    fn every_settings_file_is_protected_and_config_rb_is_one() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        for settings in [None, Some("site.yml"), Some("config/tech-docs.yml")] {
            let inputs = Inputs {
                root: PathBuf::from("."),
                source: PathBuf::from("source"),
                layouts: Some(PathBuf::from("layouts")),
                settings: settings.map(PathBuf::from),
                today,
                alerts: Vec::new(),
                env: Vec::new(),
            };
            let protected: Vec<PathBuf> = inputs
                .protected_inputs()
                .into_iter()
                .map(|input| input.path)
                .collect();
            let watched = inputs.settings_files();
            assert!(
                watched.contains(&PathBuf::from("config.rb")),
                "{settings:?}"
            );
            for file in &watched {
                assert!(protected.contains(file), "{settings:?}: {file:?}");
            }
            for folder in ["source", "layouts", ".git"] {
                assert!(protected.contains(&PathBuf::from(folder)), "{settings:?}");
            }
        }
    }
}
