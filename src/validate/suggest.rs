//! "Did you mean": the closest candidate, if one is close enough to be a
//! likely typo rather than a guess.

/// The candidate nearest `wanted`: an exact match ignoring case first, then
/// the smallest edit distance within a fifth of the length, then the longest
/// candidate that `wanted` extends word by word (`grafana-tips` for
/// `grafana-tips-for-beginners`) or that extends `wanted`.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let wanted_length = wanted_lower.chars().count();
    let wanted_first = wanted_lower.chars().next();
    let limit = (wanted_length / 5).max(2);
    let mut best: Option<(usize, &str)> = None;
    let mut extended: Option<&str> = None;
    for candidate in candidates {
        if candidate == wanted {
            continue;
        }
        // Cheap tests first: the edit distance is at least the difference in
        // length, and an extension shares the first letter. Most candidates
        // fail both and cost no allocation.
        let length = candidate.chars().count();
        let close_in_length = length.abs_diff(wanted_length) <= limit;
        let same_first = candidate
            .chars()
            .next()
            .and_then(|c| c.to_lowercase().next())
            == wanted_first;
        if !close_in_length && !same_first {
            continue;
        }
        let lower = candidate.to_lowercase();
        if lower == wanted_lower {
            return Some(candidate);
        }
        if close_in_length {
            let distance = strsim::levenshtein(&wanted_lower, &lower);
            if distance <= limit && best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
                best = Some((distance, candidate));
            }
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

/// How many "did you mean" searches one page may cost. Each searches every
/// candidate, so a page of thousands of broken links would otherwise cost
/// their number times the site's size; past the budget the help is generic.
pub const SUGGESTIONS_PER_PAGE: usize = 200;

/// Counts down the searches a page may still make.
pub struct Budget(std::cell::Cell<usize>);

impl Budget {
    pub fn per_page() -> Budget {
        Budget(std::cell::Cell::new(SUGGESTIONS_PER_PAGE))
    }

    /// Whether one more search may run (and counts it).
    pub fn spend(&self) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(1));
        left > 0
    }
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
