//! Time in Tongban: instants are UTC; dates people see are in Asia/Shanghai (UTC+8, no DST since 1991).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// Asia/Shanghai. China has had no daylight saving since 1991, so a fixed offset is exact.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// The calendar date in Shanghai at an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&shanghai()).date_naive()
}

/// The first instant of a Shanghai calendar date.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    shanghai()
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset has exactly one mapping")
        .with_timezone(&Utc)
}

/// The last representable instant (23:59:59.999) of a Shanghai calendar date.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_day(date) + chrono::Duration::days(1) - chrono::Duration::milliseconds(1)
}

/// Formats an instant as Shanghai local time, `YYYY-MM-DD HH:MM`.
pub fn format_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_date_turns_at_16_utc() {
        let before = Utc.with_ymd_and_hms(2026, 1, 31, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 1, 31, 16, 0, 0).unwrap();
        assert_eq!(
            local_date(before),
            NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()
        );
        assert_eq!(
            local_date(after),
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
        );
        assert_eq!(
            start_of_day(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
            after
        );
    }
}
