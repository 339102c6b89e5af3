//! Alerts' runbook links (issue 26): Prometheus rule files in each shape,
//! read through the same door as pages, and every `runbook_url` into the
//! manual followed as `check` follows a page's links, with findings at the
//! rule file's line, through baselines, `--since` and SARIF.

use crate::common;

use common::{Finding, Fixture, git};

/// A manual of three runbooks (one renamed, with a redirect) on
/// `docs.example.org`.
fn manual() -> Fixture {
    let site = Fixture::new();
    site.write(
        "site.yml",
        "host: https://docs.example.org\nredirects:\n  /manual/alerts/old-disk.html: /manual/alerts/disk-full.html\n",
    )
    .page(
        "alerts/queue-long",
        "Queue too long",
        "Alerts",
        "## Sidekiq answer queue length\n\nDrain it.\n\n## Other\n\nText.\n",
    )
    .page("alerts/disk-full", "Disk full", "Alerts", "## Free space\n\nDelete logs.\n")
    .page("alerts/forgotten", "A runbook no alert names", "Alerts", "Text.\n");
    site
}

const PLAIN_RULES: &str = "groups:
- name: app
  rules:
  - alert: QueueLong
    expr: queue > 5
    labels:
      severity: page
    annotations:
      summary: '{{ $labels.queue }} is long'
      runbook_url: https://docs.example.org/manual/alerts/queue-long.html#sidekiq-answer-queue-length
  - alert: QueueGone
    annotations:
      runbook_url: https://docs.example.org/manual/alerts/queue-gone.html
  - alert: QueueHeading
    annotations:
      runbook_url: >-
        https://docs.example.org/manual/alerts/queue-long.html#queue-length
  - alert: PerInstance
    annotations:
      runbook_url: https://docs.example.org/manual/alerts/{{ $labels.alertname }}.html
  - alert: Elsewhere
    annotations:
      runbook_url: https://runbooks.example.net/x.html#missing
  - record: job:rate
    expr: rate(x[5m])
";

const RESOURCE_RULES: &str = "apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: disks
spec:
  groups:
    - name: disks
      rules:
        - alert: DiskFull
          labels:
            severity: ticket
          annotations:
            runbook_url: /manual/alerts/old-disk.html#free-space
        - alert: DiskMd
          annotations:
            runbook_url: /manual/alerts/disk-full.md
";

const PROMTOOL_TESTS: &str = "rule_files: [rules.yaml]
tests:
  - interval: 1m
    alert_rule_test:
      - alertname: QueueLong
        eval_time: 5m
        exp_alerts:
          - exp_labels:
              severity: page
            exp_annotations:
              runbook_url: https://docs.example.org/manual/alerts/queue-long.html#other-heading
";

fn sorted(findings: Vec<Finding>) -> Vec<(String, String, u64, String)> {
    let mut found: Vec<_> = findings
        .into_iter()
        .map(|f| (f.code, f.file, f.line, f.message))
        .collect();
    found.sort();
    found
}

#[test]
fn every_runbook_link_is_followed_into_the_manual_and_reported_at_its_line() {
    let site = manual();
    site.write("monitoring/rules.yaml", PLAIN_RULES)
        .write("monitoring/k8s/disks.yaml", RESOURCE_RULES)
        .write("monitoring/rules_tests.yaml", PROMTOOL_TESTS)
        .write("monitoring/README.md", "not a rule file");
    site.write(
        "site.yml",
        "host: https://docs.example.org\nredirects:\n  /manual/alerts/old-disk.html: /manual/alerts/disk-full.html\nalert_rules:\n  - monitoring\n",
    );
    let run = site.run("check", &["--format", "json"]);
    run.assert_failed();
    let found = sorted(run.findings());
    let summary: Vec<(&str, &str, u64)> = found
        .iter()
        .map(|(code, file, line, _)| (code.as_str(), file.as_str(), *line))
        .collect();
    assert_eq!(
        summary,
        [
            ("runbook-broken", "monitoring/k8s/disks.yaml", 16),
            ("runbook-broken", "monitoring/rules.yaml", 13),
            ("runbook-fragment-missing", "monitoring/rules.yaml", 16),
            (
                "runbook-fragment-missing",
                "monitoring/rules_tests.yaml",
                11
            ),
            (
                "runbook-orphaned",
                "source/manual/alerts/forgotten.html.md",
                1
            ),
            ("runbook-redirected", "monitoring/k8s/disks.yaml", 13),
        ],
        "{found:#?}"
    );
    let message = |code: &str| {
        found
            .iter()
            .find(|f| f.0 == code)
            .map(|f| f.3.clone())
            .unwrap()
    };
    assert!(message("runbook-broken").contains("alert `DiskMd`"));
    assert!(message("runbook-redirected").contains("alert `DiskFull`"));
    let findings = run.findings();
    let source_file = findings
        .iter()
        .find(|f| f.message.contains("DiskMd"))
        .unwrap();
    assert!(
        source_file.help.contains("/manual/alerts/disk-full.html"),
        "{source_file:?}"
    );
    // The same with --alerts, and nothing read twice.
    site.write(
        "site.yml",
        "host: https://docs.example.org\nredirects:\n  /manual/alerts/old-disk.html: /manual/alerts/disk-full.html\n",
    );
    let again = site.run(
        "check",
        &[
            "--format",
            "json",
            "--alerts",
            "monitoring",
            "--alerts",
            "monitoring/rules.yaml",
        ],
    );
    assert_eq!(sorted(again.findings()), found);
}

#[test]
fn alert_rules_are_untrusted_input() {
    let site = manual();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("rules.yaml"), PLAIN_RULES).unwrap();
    // A path from the settings may not leave the project, even through a link.
    std::os::unix::fs::symlink(outside.path(), site.path("linked")).unwrap();
    for named in [
        outside.path().join("rules.yaml").display().to_string(),
        "../".to_string(),
        "linked".to_string(),
        "linked/rules.yaml".to_string(),
    ] {
        site.write(
            "site.yml",
            format!("host: https://docs.example.org\nalert_rules:\n  - {named}\n"),
        );
        let run = site.run("check", &["--format", "json"]);
        let findings = run.findings();
        assert!(
            findings
                .iter()
                .any(|f| f.code == "alert-rules-invalid" && f.file == "site.yml" && f.line == 3),
            "{named}: {findings:?}"
        );
        assert!(
            !findings
                .iter()
                .any(|f| f.code.starts_with("runbook-broken")),
            "{named} was read: {findings:?}"
        );
    }
    // The person running manual may name a folder beside the project.
    let run = site.run(
        "check",
        &[
            "--format",
            "json",
            "--alerts",
            &outside.path().display().to_string(),
        ],
    );
    assert!(run.findings().iter().any(|f| f.code == "runbook-broken"));
    // Not YAML, and a FIFO: errors, no hang.
    site.write(
        "site.yml",
        "host: https://docs.example.org\nalert_rules: [rules]\n",
    )
    .write("rules/bad.yaml", "groups:\n\t- x\n");
    let fifo = site.path("rules/fifo.yaml");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid, NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    let run = site.run("check", &["--format", "json"]);
    let invalid: Vec<(String, u64)> = run
        .findings()
        .into_iter()
        .filter(|f| f.code == "alert-rules-invalid")
        .map(|f| (f.file, f.line))
        .collect();
    assert_eq!(
        invalid,
        [
            ("rules/bad.yaml".to_string(), 2),
            ("rules/fifo.yaml".to_string(), 0)
        ]
    );
}

#[test]
fn since_reports_a_page_rename_that_breaks_an_alerts_runbook_link() {
    let site = manual();
    site.write("monitoring/rules.yaml", "groups:\n- name: g\n  rules:\n  - alert: DiskFull\n    annotations:\n      runbook_url: /manual/alerts/disk-full.html#free-space\n");
    site.write(
        "site.yml",
        "host: https://docs.example.org\nalert_rules: [monitoring]\n",
    );
    let dir = site.dir.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["checkout", "-q", "-b", "rename"]);
    // The change renames the heading the alert links to; the rule file is
    // not touched.
    site.page(
        "alerts/disk-full",
        "Disk full",
        "Alerts",
        "## Make room\n\nDelete logs.\n",
    );
    git(dir, &["commit", "-qam", "rename a heading"]);
    let run = site.run("check", &["--since", "main", "--format", "json"]);
    run.assert_failed();
    let found: Vec<(String, String)> = run
        .findings()
        .into_iter()
        .map(|f| (f.code, f.file))
        .collect();
    assert_eq!(
        found,
        [(
            "runbook-fragment-missing".to_string(),
            "monitoring/rules.yaml".to_string()
        )]
    );
    // In SARIF too, at the rule file's line.
    let sarif = site.run("check", &["--since", "main", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout()).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "runbook-fragment-missing");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "monitoring/rules.yaml");
    assert_eq!(location["region"]["startLine"], 6);
}

#[test]
fn a_runbook_page_names_the_alerts_that_link_to_it() {
    let site = manual();
    site.write("monitoring/rules.yaml", PLAIN_RULES);
    site.build(&["--out", "www", "--skip-check", "--alerts", "monitoring"])
        .assert_ok();
    let page = site.read("www/manual/alerts/queue-long.html");
    let block = &page[page.find("Alerts that link here").expect("the block")..];
    assert!(block.contains("QueueLong</strong> <span class=\"tag\">page</span>, at <a href=\"#sidekiq-answer-queue-length\">Sidekiq answer queue length</a>"), "{block}");
    assert!(block.contains("QueueHeading</strong>"), "{block}");
    assert!(
        !site
            .read("www/manual/alerts/disk-full.html")
            .contains("Alerts that link here")
    );
    let listed: serde_json::Value =
        serde_json::from_str(&site.read("www/api/manual.json")).unwrap();
    let pages = listed
        .as_array()
        .or_else(|| listed["pages"].as_array())
        .unwrap();
    let queue = pages
        .iter()
        .find(|p| p["url"] == "/manual/alerts/queue-long.html")
        .unwrap();
    assert_eq!(queue["alerts"][0]["name"], "QueueLong");
    assert_eq!(
        queue["alerts"][0]["fragment"],
        "sidekiq-answer-queue-length"
    );
    assert_eq!(queue["alerts"][0]["line"], 10);
}
