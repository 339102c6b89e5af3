//! What switching `check` on in CI needs beyond the report: a baseline of
//! the findings a manual already has, so that only new ones fail, and the
//! scope of a pull request, so that it sees the problems it caused. Both
//! narrow the findings of one `check` run; both match findings by
//! [`FindingKey`](crate::diagnostics::FindingKey), never by line.

pub mod baseline;
pub mod scope;

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Diagnostic, FindingKey};

/// How many times each finding occurs.
pub type Counts = BTreeMap<FindingKey, usize>;

pub fn count(findings: &[Diagnostic], root: &Path) -> Counts {
    let mut counts = Counts::new();
    for finding in findings {
        *counts.entry(finding.key(root)).or_default() += 1;
    }
    counts
}

/// Keeps the findings beyond the number `allowed` has of each: with two
/// allowed and three found, the third (in report order) is kept. Returns
/// what was kept and, per key, how many were let through.
pub fn beyond(
    findings: Vec<Diagnostic>,
    root: &Path,
    allowed: &Counts,
) -> (Vec<Diagnostic>, Counts) {
    let mut used = Counts::new();
    let kept = findings
        .into_iter()
        .filter(|finding| {
            let key = finding.key(root);
            let allowance = allowed.get(&key).copied().unwrap_or(0);
            let used = used.entry(key).or_default();
            if *used < allowance {
                *used += 1;
                false
            } else {
                true
            }
        })
        .collect();
    (kept, used)
}

/// The findings to report, given a baseline and a pull-request scope
/// (either may be absent), and how many of each kind were left out.
#[derive(Debug)]
pub struct Narrowed {
    pub reported: Vec<Diagnostic>,
    /// Left out because the baseline records them.
    pub baselined: usize,
    /// Left out because the change is not answerable for them.
    pub out_of_scope: usize,
}

/// Narrows the findings of the project (named from `.`) in one pass, so
/// that a finding recorded both in the baseline and at the base revision
/// is let through once, not twice: in a file the change touched, only the
/// baseline excuses a finding; elsewhere, whichever of the baseline and the
/// site at the base revision had more of it.
pub fn narrow(
    findings: Vec<Diagnostic>,
    baseline: Option<&Counts>,
    scope: Option<&scope::Scope>,
) -> Narrowed {
    let root = Path::new(".");
    let empty = Counts::new();
    let recorded = baseline.unwrap_or(&empty);
    let total = findings.len();
    let mut allowed = recorded.clone();
    if let Some(scope) = scope {
        for (key, before) in &scope.before {
            if !scope.changed.contains(&key.file) {
                let allowance = allowed.entry(key.clone()).or_default();
                *allowance = (*allowance).max(*before);
            }
        }
    }
    let (mut reported, used) = beyond(findings, root, &allowed);
    if let Some(scope) = scope {
        reported.retain(|finding| scope.answers_for(finding));
    }
    // What the baseline excused: of each key, no more than it records.
    let baselined = used
        .iter()
        .map(|(key, used)| (*used).min(recorded.get(key).copied().unwrap_or(0)))
        .sum();
    Narrowed {
        out_of_scope: total - reported.len() - baselined,
        reported,
        baselined,
    }
}
