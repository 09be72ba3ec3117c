//! 重复诉求: a new ticket that is likely about the same matter as one still open, so the
//! operator can merge it instead of sending a unit the same matter twice.
//!
//! Two tickets are likely the same matter when, within `hotline.duplicate_days` of each other,
//! they come from the same caller's phone ([`DuplicateReason::SameCaller`]), or are of the same
//! subject at the same address ([`DuplicateReason::SamePlace`]; addresses compared by
//! [`place_key`], so spaces and punctuation do not tell them apart). Only an open ticket can
//! take another in; a ticket is never its own duplicate.

use chrono::{DateTime, Duration, Utc};

use super::model::TicketStatus;

crate::closed_set! {
    /// Why a ticket is flagged as a likely duplicate of another.
    pub enum DuplicateReason {
        SameCaller = "same_caller" => "同一来电号码",
        SamePlace = "same_place" => "同一事项、同一地址",
    }
}

/// What the rule compares of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe<'a> {
    pub number: &'a str,
    pub status: TicketStatus,
    pub received_at: DateTime<Utc>,
    /// Digits only, as stored.
    pub caller_phone: Option<&'a str>,
    pub subject: &'a str,
    /// [`place_key`] of the address.
    pub place_key: Option<&'a str>,
}

/// An address reduced to what identifies it: letters and digits only, Latin letters in lower
/// case (`"滨江路 12 号"` and `"滨江路12号。"` are one place). `None` for an address with none.
pub fn place_key(place: &str) -> Option<String> {
    let key: String = place
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (!key.is_empty()).then_some(key)
}

/// Whether `new` is likely the same matter as `open` within `window_days`, and why.
pub fn likely_duplicate(new: &Probe, open: &Probe, window_days: u32) -> Option<DuplicateReason> {
    if window_days == 0 || new.number == open.number || !open.status.is_open() {
        return None;
    }
    let gap = (new.received_at - open.received_at).abs();
    if gap > Duration::days(i64::from(window_days)) {
        return None;
    }
    if new.caller_phone.is_some() && new.caller_phone == open.caller_phone {
        return Some(DuplicateReason::SameCaller);
    }
    if new.subject == open.subject && new.place_key.is_some() && new.place_key == open.place_key {
        return Some(DuplicateReason::SamePlace);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 2, 0, 0).unwrap()
    }

    fn probe<'a>(
        number: &'a str,
        d: u32,
        phone: Option<&'a str>,
        place: Option<&'a str>,
    ) -> Probe<'a> {
        Probe {
            number,
            status: TicketStatus::Handling,
            received_at: at(d),
            caller_phone: phone,
            subject: "urban.stall",
            place_key: place,
        }
    }

    #[test]
    fn the_same_caller_or_the_same_subject_at_the_same_place_within_the_window() {
        let a = place_key("滨江路 12 号").unwrap();
        assert_eq!(Some(a.clone()), place_key("滨江路12号。"));
        assert_eq!(place_key(" ，。 "), None);
        let open = probe("H1", 2, Some("13800001234"), Some(&a));
        let by_phone = probe("H2", 5, Some("13800001234"), None);
        assert_eq!(
            likely_duplicate(&by_phone, &open, 7),
            Some(DuplicateReason::SameCaller)
        );
        let by_place = probe("H3", 9, Some("13900000000"), Some(&a));
        assert_eq!(
            likely_duplicate(&by_place, &open, 7),
            Some(DuplicateReason::SamePlace)
        );
        // Another subject at the same place is another matter.
        let other = Probe {
            subject: "urban.road",
            ..by_place
        };
        assert_eq!(likely_duplicate(&other, &open, 7), None);
        // Outside the window, with the window off, itself, or against a closed ticket: none.
        let late = probe("H4", 10, Some("13800001234"), None);
        assert_eq!(likely_duplicate(&late, &open, 7), None);
        assert_eq!(likely_duplicate(&by_phone, &open, 0), None);
        assert_eq!(likely_duplicate(&open, &open, 7), None);
        let closed = Probe {
            status: TicketStatus::Closed,
            ..open
        };
        assert_eq!(likely_duplicate(&by_phone, &closed, 7), None);
        // Two anonymous tickets with no number and no place are not alike.
        let anon = probe("H5", 2, None, None);
        let anon2 = probe("H6", 3, None, None);
        assert_eq!(likely_duplicate(&anon2, &anon, 7), None);
    }
}
