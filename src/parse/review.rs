//! Review dates: when a page is due to be checked again.
//!
//! A page gives `review_by: 2027-03-01`, or `last_reviewed_on` with
//! `review_in` ("6 months", "1 year", "2 weeks", "30 days"). Adding months
//! keeps the day of the month where it can and otherwise takes the month's
//! last day: 31 August + 6 months is 28 (or 29) February.

use chrono::{Days, Months, NaiveDate};

use super::FrontMatter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    Months(u32),
}

impl Period {
    pub fn after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Days(n) => date.checked_add_days(Days::new(n.into())),
            Period::Months(n) => date.checked_add_months(Months::new(n)),
        }
    }
}

pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

pub fn parse_period(text: &str) -> Result<Period, String> {
    let bad =
        || format!("`{text}` is not a period such as `6 months`, `1 year`, `2 weeks` or `30 days`");
    let mut words = text.split_whitespace();
    let (Some(count), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(bad());
    };
    let count: u32 = count.parse().map_err(|_| bad())?;
    let unit = unit.to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    match unit {
        "day" => Ok(Period::Days(count)),
        "week" => count.checked_mul(7).map(Period::Days).ok_or_else(bad),
        "month" => Ok(Period::Months(count)),
        "year" => count.checked_mul(12).map(Period::Months).ok_or_else(bad),
        _ => Err(bad()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Review {
    pub last_reviewed_on: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
}

impl Review {
    /// The review date, when it has passed on `today`: the one answer to
    /// whether a page is overdue, which its page, the home page's list,
    /// `check` and `owners` all ask.
    pub fn overdue_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.due.filter(|&due| due < today)
    }
}

/// A problem with one review key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewError {
    pub key: &'static str,
    pub message: String,
    pub help: &'static str,
}

pub fn review_of(front_matter: &FrontMatter) -> (Review, Vec<ReviewError>) {
    let mut errors = Vec::new();
    let mut date = |key: &'static str, value: &Option<String>| {
        value.as_deref().and_then(|v| {
            parse_date(v)
                .map_err(|message| {
                    errors.push(ReviewError {
                        key,
                        message,
                        help: "write the date as YYYY-MM-DD, e.g. 2027-03-01",
                    })
                })
                .ok()
        })
    };
    let review_by = date("review_by", &front_matter.review_by);
    let last_reviewed_on = date("last_reviewed_on", &front_matter.last_reviewed_on);
    let period = front_matter.review_in.as_deref().and_then(|v| {
        parse_period(v)
            .map_err(|message| {
                errors.push(ReviewError {
                    key: "review_in",
                    message,
                    help: "write a number and a unit: days, weeks, months or years",
                })
            })
            .ok()
    });
    if front_matter.review_in.is_some() && front_matter.last_reviewed_on.is_none() {
        errors.push(ReviewError {
            key: "review_in",
            message: "`review_in` needs `last_reviewed_on` to count from".into(),
            help: "add `last_reviewed_on: YYYY-MM-DD`, or use `review_by` instead",
        });
    }
    let due = review_by.or_else(|| period.and_then(|p| p.after(last_reviewed_on?)));
    (
        Review {
            last_reviewed_on,
            due,
        },
        errors,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn months_from_the_31st_take_the_last_day_of_short_months() {
        let six = parse_period("6 months").unwrap();
        assert_eq!(six.after(date("2025-08-31")), Some(date("2026-02-28")));
        assert_eq!(six.after(date("2023-08-31")), Some(date("2024-02-29")));
        assert_eq!(
            parse_period("1 month").unwrap().after(date("2026-01-31")),
            Some(date("2026-02-28"))
        );
        assert_eq!(
            parse_period("1 year").unwrap().after(date("2024-02-29")),
            Some(date("2025-02-28"))
        );
        assert_eq!(
            parse_period("2 weeks").unwrap().after(date("2026-12-25")),
            Some(date("2027-01-08"))
        );
    }

    #[test]
    fn periods_parse_or_explain() {
        assert_eq!(parse_period("1 Day"), Ok(Period::Days(1)));
        assert_eq!(parse_period("3 years"), Ok(Period::Months(36)));
        assert!(parse_period("six months").unwrap_err().contains("6 months"));
        assert!(parse_period("6").is_err());
        assert!(parse_period("6 fortnights").is_err());
    }

    #[test]
    fn review_by_wins_over_last_reviewed_plus_period() {
        let fm = FrontMatter {
            review_by: Some("2027-01-01".into()),
            last_reviewed_on: Some("2026-01-31".into()),
            review_in: Some("1 month".into()),
            ..FrontMatter::default()
        };
        assert_eq!(review_of(&fm).0.due, Some(date("2027-01-01")));
        let fm = FrontMatter {
            review_by: None,
            ..fm
        };
        assert_eq!(review_of(&fm).0.due, Some(date("2026-02-28")));
    }

    #[test]
    fn bad_dates_name_their_key() {
        let fm = FrontMatter {
            review_by: Some("31/01/2027".into()),
            review_in: Some("soon".into()),
            ..FrontMatter::default()
        };
        let (review, errors) = review_of(&fm);
        assert_eq!(review.due, None);
        let keys: Vec<_> = errors.iter().map(|e| e.key).collect();
        assert_eq!(keys, ["review_by", "review_in", "review_in"]);
    }
}
