//! "Did you mean": the closest candidate, if one is close enough to be a
//! likely typo rather than a guess.

/// The candidate nearest `wanted`: an exact match ignoring case first, then
/// the smallest edit distance within a fifth of the length, then the longest
/// candidate that `wanted` extends word by word (`grafana-tips` for
/// `grafana-tips-for-beginners`) or that extends `wanted`.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 5).max(2);
    let mut best: Option<(usize, &str)> = None;
    let mut extended: Option<&str> = None;
    for candidate in candidates {
        if candidate == wanted {
            continue;
        }
        let lower = candidate.to_lowercase();
        if lower == wanted_lower {
            return Some(candidate);
        }
        let distance = strsim::levenshtein(&wanted_lower, &lower);
        if distance <= limit && best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
            best = Some((distance, candidate));
        }
        let extends = |long: &str, short: &str| {
            long.strip_prefix(short)
                .is_some_and(|rest| rest.starts_with('-'))
        };
        if (extends(&wanted_lower, &lower) || extends(&lower, &wanted_lower))
            && extended.is_none_or(|e| (candidate.len(), e) > (e.len(), candidate))
        {
            extended = Some(candidate);
        }
    }
    best.map(|(_, c)| c).or(extended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_case_then_distance() {
        let ids = ["if-site-search-is-unavailable", "grafana", "grafana-tips"];
        assert_eq!(
            nearest("If-site-search-is-unavailable", ids),
            Some("if-site-search-is-unavailable")
        );
        assert_eq!(nearest("grafana-tip", ids), Some("grafana-tips"));
        assert_eq!(nearest("kibana-logs", ids), None);
        assert_eq!(
            nearest("grafana-tips-for-the-uninitiated", ids),
            Some("grafana-tips")
        );
        let steps = [
            "1-install-the-xcode-command-line-tools",
            "7-install-and-configure-the-gds-cli",
        ];
        assert_eq!(nearest("3-install-gds-command-line-tools", steps), None);
    }
}
