//! Which of a case's files were handed in after the filing: a supplement after the one notice,
//! or a 容缺 material supplied later. The case page marks them as new beside the files they
//! answer, so a reviewer sees at once what changed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::CaseEvent;

/// Each file added by a later [`CaseEvent::MaterialsAdded`], by hash, with when it came and
/// the round it came in (1 for the first supplement, 2 for the next…). A file handed in again
/// unchanged keeps its first round.
pub fn later_files<'a>(
    events: impl IntoIterator<Item = (&'a CaseEvent, DateTime<Utc>)>,
) -> BTreeMap<String, (DateTime<Utc>, u32)> {
    let mut out = BTreeMap::new();
    let mut round = 0;
    for (event, at) in events {
        if let CaseEvent::MaterialsAdded { materials } = event {
            round += 1;
            for f in materials.values().flatten() {
                out.entry(f.hash.clone()).or_insert((at, round));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::FileRef;
    use chrono::TimeZone;

    fn added(hash: &str) -> CaseEvent {
        CaseEvent::MaterialsAdded {
            materials: BTreeMap::from([(
                "m1".to_string(),
                vec![FileRef {
                    hash: hash.into(),
                    name: format!("{hash}.pdf"),
                    size: 1,
                }],
            )]),
        }
    }

    #[test]
    fn files_of_each_supplement_are_new_in_their_round() {
        let t1 = Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap();
        let t2 = Utc.with_ymd_and_hms(2026, 3, 4, 1, 0, 0).unwrap();
        let (a, b, again) = (added("a"), added("b"), added("a"));
        let later = later_files([(&a, t1), (&b, t2), (&again, t2)]);
        assert_eq!(later.get("a"), Some(&(t1, 1)));
        assert_eq!(later.get("b"), Some(&(t2, 2)));
        assert_eq!(later.len(), 2);
    }
}
