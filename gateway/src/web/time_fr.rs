//! Dates and times as the French pages show them, in Paris time.

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::time::timestamp;

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    Some(last - Duration::days(i64::from(last.weekday().num_days_from_sunday())))
}

/// Paris local time (CET, CEST from the last Sunday of March to the last Sunday of October,
/// changing at 01:00 UTC), without a time-zone database.
pub fn paris_time(utc: DateTime<Utc>) -> NaiveDateTime {
    let year = utc.year();
    let change = |month| {
        last_sunday(year, month)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|t| t.and_utc())
    };
    let summer =
        matches!((change(3), change(10)), (Some(start), Some(end)) if utc >= start && utc < end);
    (utc + Duration::hours(if summer { 2 } else { 1 })).naive_utc()
}

/// `28/11/2026`, Paris time.
pub fn date_fr(t: Option<&prost_types::Timestamp>) -> String {
    timestamp(t)
        .map(|t| paris_time(t).format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// `07/07/2019 à 17:18`, Paris time.
pub fn datetime_fr(t: Option<&prost_types::Timestamp>) -> String {
    timestamp(t)
        .map(|t| paris_time(t).format("%d/%m/%Y à %H:%M").to_string())
        .unwrap_or_default()
}

/// The `datetime` attribute of a `<time>`.
pub fn iso_date(t: Option<&prost_types::Timestamp>) -> String {
    timestamp(t)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn paris_time_follows_summer_time() {
        let at = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
        let shown = |t| paris_time(t).format("%d/%m/%Y %H:%M").to_string();
        assert_eq!(shown(at(2019, 7, 7, 15, 18)), "07/07/2019 17:18");
        assert_eq!(shown(at(2026, 11, 28, 12, 0)), "28/11/2026 13:00");
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(shown(at(2026, 3, 29, 0, 59)), "29/03/2026 01:59");
        assert_eq!(shown(at(2026, 3, 29, 1, 0)), "29/03/2026 03:00");
        assert_eq!(shown(at(2026, 10, 25, 0, 59)), "25/10/2026 02:59");
        assert_eq!(shown(at(2026, 10, 25, 1, 0)), "25/10/2026 02:00");
    }
}
