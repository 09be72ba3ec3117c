//! Plain-text excerpts around matched terms.
//!
//! Catalog entries are short (a material name, a condition, one FAQ answer), so instead of
//! tantivy's HTML snippet generator this picks the entry that contains the most (and
//! longest) query terms and cuts a window around the first of them.

/// Longest excerpt, in characters, not counting the ellipses.
pub(crate) const MAX_SNIPPET_CHARS: usize = 60;
/// Characters kept before the first matched term when the entry has to be cut.
const LEAD_CHARS: usize = 15;

/// Whether `name` contains a query term that stands on its own: a term of two or more
/// characters, or any term when the query has no longer one.
pub(crate) fn name_matches(name: &str, terms: &[String]) -> bool {
    let name = name.to_lowercase();
    let has_long = terms.iter().any(|t| t.chars().count() >= 2);
    terms
        .iter()
        .filter(|t| !has_long || t.chars().count() >= 2)
        .any(|t| name.contains(t.as_str()))
}

/// The best excerpt from `entries` for `terms` (lower-cased, longest first), or empty
/// when no entry contains any of them.
pub(crate) fn excerpt<'a>(entries: impl IntoIterator<Item = &'a str>, terms: &[String]) -> String {
    let mut best: Option<(usize, &str)> = None;
    for entry in entries {
        let lower = entry.to_lowercase();
        let score: usize = terms
            .iter()
            .filter(|t| lower.contains(t.as_str()))
            .map(|t| t.chars().count().pow(2))
            .sum();
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, entry));
        }
    }
    let Some((_, entry)) = best else {
        return String::new();
    };
    let chars: Vec<char> = entry
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if chars.len() <= MAX_SNIPPET_CHARS {
        return chars.into_iter().collect();
    }
    // Position (in chars) of the longest term found; lower-casing can change lengths, so
    // search the lower-cased text char by char.
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let first = if lower.len() == chars.len() {
        terms
            .iter()
            .find_map(|t| find_chars(&lower, &t.chars().collect::<Vec<_>>()))
            .unwrap_or(0)
    } else {
        0
    };
    let start = first
        .saturating_sub(LEAD_CHARS)
        .min(chars.len() - MAX_SNIPPET_CHARS);
    let end = start + MAX_SNIPPET_CHARS;
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn find_chars(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn picks_the_entry_with_the_best_terms() {
        let entries = ["营业执照复印件", "经营场所平面布局图", "法定代表人身份证明"];
        assert_eq!(
            excerpt(entries, &t(&["平面布局", "平面", "布局", "图"])),
            "经营场所平面布局图"
        );
        assert_eq!(excerpt(entries, &t(&["公章"])), "");
    }

    #[test]
    fn long_entries_are_cut_around_the_term() {
        let long = format!("{}平面布局图{}", "甲".repeat(100), "乙".repeat(100));
        let s = excerpt([long.as_str()], &t(&["平面布局图"]));
        assert!(s.contains("平面布局图"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(s.chars().count(), MAX_SNIPPET_CHARS + 2);
    }

    #[test]
    fn name_match_ignores_single_characters_when_longer_terms_exist() {
        assert!(name_matches("食品经营许可", &t(&["食品"])));
        assert!(!name_matches("食品经营许可", &t(&["平面", "图", "可"])));
        assert!(name_matches("食品经营许可", &t(&["可"])));
    }
}
