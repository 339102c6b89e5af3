//! Prometheus alert rules, read for the one thing `manual` wants from them:
//! each alert's `runbook_url` annotation, where it is written, and the
//! alert's name and severity. Three shapes are read: a rule file
//! (`groups[].rules[]`), a Kubernetes `PrometheusRule` (`spec.groups`), and a
//! promtool test file (`tests[].alert_rule_test[].exp_alerts[]`). A file may
//! hold several YAML documents. Values are text: a Go template in them
//! (`{{ $labels.x }}`) is never run, and an address holding one is not
//! checked, since what it becomes is known only when the alert fires.
//!
//! The YAML goes through `crate::yaml`, bounded like every other untrusted
//! YAML, which also gives the line and column of each value.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::project::Inputs;
use crate::settings::Settings;

/// One alert's runbook link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlertRule {
    /// The rule file, as named to `manual`.
    pub file: PathBuf,
    /// The alert's name (`alert:`, or a test's `alertname:`).
    pub name: String,
    /// `labels.severity`, when it has one.
    pub severity: Option<String>,
    /// The `runbook_url` annotation, trimmed.
    pub runbook_url: String,
    /// Where `runbook_url` is written in the file.
    pub line: usize,
    pub column: usize,
}

impl AlertRule {
    /// Whether the address holds a template, filled in only when the alert
    /// fires.
    pub fn is_templated(&self) -> bool {
        self.runbook_url.contains("{{")
    }
}

/// The documents of a YAML stream, each with the number of lines before
/// it: line L of a document's text is line L + that of the file (the
/// marker's line is kept blank in the text, so the count holds).
fn documents(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (index, line) in text.lines().enumerate() {
        let marker = line.trim_end();
        if marker == "---" || marker.starts_with("--- ") || marker == "..." {
            if !current.trim().is_empty() {
                found.push((std::mem::take(&mut current), start));
            }
            current.clear();
            // The document starts on the line after the marker; a line
            // kept blank holds its place so line numbers stay true.
            current.push('\n');
            start = index;
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        found.push((current, start));
    }
    found
}

/// The `severity` label under `labels_key` (`labels`, or a test's
/// `exp_labels`).
fn severity<'v>(value: &'v Value, labels_key: &str) -> Option<&'v str> {
    value.get(labels_key)?.get("severity")?.as_str()
}

/// Every alert rule the project names, in its settings' `alert_rules` and
/// with `--alerts`, read and parsed.
pub fn for_project(settings: &Settings, inputs: &Inputs) -> (Vec<AlertRule>, Diagnostics) {
    let named = crate::load::alerts::named(
        &settings.alert_rules,
        &settings.file_of("alert_rules"),
        |i| settings.position_of(&format!("alert_rules[{i}]")),
        &inputs.alerts,
    );
    let (files, mut problems) = crate::load::alerts::read(&named, &inputs.root);
    let mut alerts = Vec::new();
    for (path, text) in files {
        let (found, found_problems) = read(&path, &text);
        problems.extend(found_problems);
        alerts.extend(found);
    }
    (alerts, problems)
}

/// Every alert with a `runbook_url` in one file's text; a file that is not
/// YAML is one error at its line.
pub fn read(file: &Path, text: &str) -> (Vec<AlertRule>, Diagnostics) {
    let mut rules = Vec::new();
    let mut problems = Diagnostics::new();
    for (document, offset) in documents(text) {
        let parsed = match crate::yaml::parse(&document) {
            Ok(parsed) => parsed,
            Err(error) => {
                problems.push(
                    Diagnostic::error(
                        Code::AlertRulesInvalid,
                        file,
                        format!(
                            "not an alert rule file: the YAML is invalid: {}",
                            error.message
                        ),
                    )
                    .at(error.at.0 + offset, error.at.1)
                    .with_help("correct the YAML, or leave the file out of `alert_rules`"),
                );
                continue;
            }
        };
        let at = |path: &str| {
            parsed
                .position_of(path)
                .map_or((offset + 1, 1), |(line, column)| (line + offset, column))
        };
        let mut push = |name: &str, severity: Option<&str>, url: &Value, path: String| {
            let Some(url) = url.as_str().map(str::trim).filter(|u| !u.is_empty()) else {
                return;
            };
            let (line, column) = at(&path);
            rules.push(AlertRule {
                file: file.to_path_buf(),
                name: name.to_string(),
                severity: severity.map(str::to_string),
                runbook_url: url.to_string(),
                line,
                column,
            });
        };
        let value = &parsed.value;
        let groups = match value.get("spec").and_then(|s| s.get("groups")) {
            Some(groups) => Some((groups, "spec.groups")),
            None => value.get("groups").map(|g| (g, "groups")),
        };
        if let Some((Value::Array(groups), prefix)) = groups {
            for (g, group) in groups.iter().enumerate() {
                let Some(Value::Array(list)) = group.get("rules") else {
                    continue;
                };
                for (r, rule) in list.iter().enumerate() {
                    let (Some(name), Some(url)) = (
                        rule.get("alert").and_then(Value::as_str),
                        rule.get("annotations").and_then(|a| a.get("runbook_url")),
                    ) else {
                        continue;
                    };
                    let severity = severity(rule, "labels");
                    push(
                        name,
                        severity,
                        url,
                        format!("{prefix}[{g}].rules[{r}].annotations.runbook_url"),
                    );
                }
            }
        }
        if let Some(Value::Array(tests)) = value.get("tests") {
            for (t, test) in tests.iter().enumerate() {
                let Some(Value::Array(cases)) = test.get("alert_rule_test") else {
                    continue;
                };
                for (c, case) in cases.iter().enumerate() {
                    let Some(name) = case.get("alertname").and_then(Value::as_str) else {
                        continue;
                    };
                    let Some(Value::Array(expected)) = case.get("exp_alerts") else {
                        continue;
                    };
                    for (e, alert) in expected.iter().enumerate() {
                        let Some(url) = alert
                            .get("exp_annotations")
                            .and_then(|a| a.get("runbook_url"))
                        else {
                            continue;
                        };
                        let severity = severity(alert, "exp_labels");
                        push(
                            name,
                            severity,
                            url,
                            format!(
                                "tests[{t}].alert_rule_test[{c}].exp_alerts[{e}].exp_annotations.runbook_url"
                            ),
                        );
                    }
                }
            }
        }
    }
    (rules, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(String, Option<String>, String, usize)> {
        let (rules, problems) = read(Path::new("rules.yaml"), text);
        assert!(problems.is_empty(), "{problems:?}");
        rules
            .into_iter()
            .map(|r| (r.name, r.severity, r.runbook_url, r.line))
            .collect()
    }

    #[test]
    fn every_shape_gives_each_alerts_runbook_at_its_line() {
        let plain = "groups:\n- name: app\n  rules:\n  - alert: QueueLong\n    expr: q > 5\n    labels:\n      severity: page\n    annotations:\n      summary: \"{{ $labels.queue }} is long\"\n      runbook_url: https://docs.example.org/manual/queue.html#long\n  - record: job:rate\n    expr: rate(x[5m])\n";
        assert_eq!(
            rules(plain),
            [(
                "QueueLong".into(),
                Some("page".into()),
                "https://docs.example.org/manual/queue.html#long".into(),
                10
            )]
        );
        let resource = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: x\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: DiskFull\n          annotations:\n            runbook_url: >-\n              /manual/disk.html\n---\nkind: PrometheusRule\nspec:\n  groups:\n    - name: h\n      rules:\n        - alert: Second\n          annotations:\n            runbook_url: /manual/second.html\n";
        assert_eq!(
            rules(resource),
            [
                ("DiskFull".into(), None, "/manual/disk.html".into(), 11),
                ("Second".into(), None, "/manual/second.html".into(), 21)
            ]
        );
        let tests = "rule_files: [rules.yaml]\ntests:\n  - interval: 1m\n    alert_rule_test:\n      - alertname: QueueLong\n        eval_time: 5m\n        exp_alerts:\n          - exp_labels:\n              severity: page\n            exp_annotations:\n              runbook_url: /manual/queue.html\n";
        assert_eq!(
            rules(tests),
            [(
                "QueueLong".into(),
                Some("page".into()),
                "/manual/queue.html".into(),
                11
            )]
        );
    }

    #[test]
    fn a_file_that_is_not_yaml_is_one_error_at_its_line() {
        let (rules, problems) = read(Path::new("r.yaml"), "groups:\n\t- name: x\n");
        assert!(rules.is_empty());
        let problems: Vec<Diagnostic> = problems.into_iter().collect();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::AlertRulesInvalid);
        assert_eq!(problems[0].line, 2);
    }
}
