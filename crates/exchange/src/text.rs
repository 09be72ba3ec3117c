//! How item elements are written in cells, and read back: labels, yes/no, multi-line lists,
//! legal basis lines and FAQ lines. Export and import share these so they round-trip.

use tongban_domain::calendar::SuspensionKind;
use tongban_domain::catalog::{
    Delivery, Faq, GroupRule, HandlingKind, LegalBasis, MaterialForm, ServiceObject, StepKind,
};
use tongban_domain::region::Level;

pub const SERVICE_OBJECTS: [ServiceObject; 3] = [
    ServiceObject::Person,
    ServiceObject::Company,
    ServiceObject::Both,
];
pub const HANDLING: [HandlingKind; 2] = [HandlingKind::Instant, HandlingKind::Committed];
pub const FORMS: [MaterialForm; 4] = [
    MaterialForm::Original,
    MaterialForm::Copy,
    MaterialForm::OriginalAndCopy,
    MaterialForm::Electronic,
];
pub const STEP_KINDS: [StepKind; 4] = [
    StepKind::Intake,
    StepKind::Review,
    StepKind::Decision,
    StepKind::Delivery,
];
pub const DELIVERIES: [Delivery; 3] = [Delivery::Window, Delivery::Post, Delivery::Online];
pub const SUSPENSIONS: [SuspensionKind; 9] = [
    SuspensionKind::Supplement,
    SuspensionKind::Hearing,
    SuspensionKind::ExpertReview,
    SuspensionKind::Testing,
    SuspensionKind::Inspection,
    SuspensionKind::Quarantine,
    SuspensionKind::Appraisal,
    SuspensionKind::ThirdPartyConsultation,
    SuspensionKind::Other,
];

pub fn levels() -> impl Iterator<Item = (Level, &'static str)> {
    Level::ALL.into_iter().map(|l| (l, l.label()))
}

/// The group rule as the workbook writes it; the short forms 全部同意 / 任一同意 read too.
pub fn parse_rule(s: &str) -> Option<GroupRule> {
    match s {
        "全部同意" => Some(GroupRule::AllAgree),
        "任一同意" => Some(GroupRule::AnyAgrees),
        _ => [GroupRule::AllAgree, GroupRule::AnyAgrees]
            .into_iter()
            .find(|r| r.label() == s),
    }
}

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

pub fn parse_yes_no(s: &str) -> Option<bool> {
    match s {
        "是" => Some(true),
        "否" => Some(false),
        _ => None,
    }
}

/// Splits a list cell on ASCII or Chinese commas and enumeration commas.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits a multi-line cell into its non-blank lines.
pub fn split_lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `《名称》第X条：条文`.
pub fn basis_line(b: &LegalBasis) -> String {
    format!("{}{}：{}", b.title.trim(), b.article.trim(), b.text.trim())
}

/// Reads a basis line back into title, article and text.
pub fn parse_basis_line(line: &str) -> Result<(String, String, String), String> {
    let line = line.trim();
    let close = line
        .starts_with('《')
        .then(|| line.find('》'))
        .flatten()
        .ok_or_else(|| format!("依据“{line}”应写作“《名称》第X条：条文”，名称须带书名号"))?;
    let (title, rest) = line.split_at(close + '》'.len_utf8());
    let (article, text) = match rest.find(['：', ':']) {
        Some(i) => {
            let sep = rest[i..].chars().next().map_or(1, char::len_utf8);
            (&rest[..i], &rest[i + sep..])
        }
        None => (rest, ""),
    };
    Ok((
        title.trim().to_string(),
        article.trim().to_string(),
        text.trim().to_string(),
    ))
}

/// `问：…｜答：…`.
pub fn faq_line(f: &Faq) -> String {
    format!("问：{}｜答：{}", f.question.trim(), f.answer.trim())
}

pub fn parse_faq_line(line: &str) -> Result<Faq, String> {
    let bad = || format!("常见问题“{line}”应写作“问：……｜答：……”");
    let rest = line
        .trim()
        .strip_prefix("问：")
        .or_else(|| line.trim().strip_prefix("问:"))
        .ok_or_else(bad)?;
    let (q, a) = ["｜答：", "|答：", "｜答:", "|答:"]
        .iter()
        .find_map(|sep| rest.split_once(sep))
        .ok_or_else(bad)?;
    if q.trim().is_empty() || a.trim().is_empty() {
        return Err(bad());
    }
    Ok(Faq {
        question: q.trim().to_string(),
        answer: a.trim().to_string(),
    })
}

/// Fen as yuan for a cell: `1250` → `12.5` as a number.
pub fn fen_to_yuan(fen: u64) -> f64 {
    fen as f64 / 100.0
}

/// Yuan in a text cell, exactly: `12.5` → 1250 fen; at most two decimals.
pub fn parse_yuan_text(s: &str) -> Option<u64> {
    let s = s.trim().trim_end_matches('元');
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// Yuan in a number cell: exact to the fen, or `None`.
pub fn parse_yuan_number(x: f64) -> Option<u64> {
    let fen = (x * 100.0).round();
    if !x.is_finite() || x < 0.0 || (x * 100.0 - fen).abs() > 1e-6 || fen > 1e15 {
        return None;
    }
    Some(fen as u64)
}

/// The online depth as a number 1–4; the full label (`三级（…）`) or `三级` reads too.
pub fn parse_online_depth(s: &str) -> Option<u8> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u8>() {
        return Some(n);
    }
    ["一级", "二级", "三级", "四级"]
        .iter()
        .position(|p| s.starts_with(p))
        .map(|i| i as u8 + 1)
}

/// A name made safe for a file name inside the bundle.
pub fn file_safe(s: &str) -> String {
    let cleaned: String = s
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    if cleaned.is_empty() {
        "未命名".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_lines_round_trip() {
        let b = LegalBasis {
            kind: tongban_domain::catalog::BasisKind::Setting,
            title: "《中华人民共和国食品安全法》".into(),
            article: "第三十五条".into(),
            text: "国家对食品生产经营实行许可制度：见下。".into(),
        };
        let (t, a, x) = parse_basis_line(&basis_line(&b)).unwrap();
        assert_eq!(
            (t.as_str(), a.as_str(), x.as_str()),
            (b.title.as_str(), b.article.as_str(), b.text.as_str())
        );
        assert!(parse_basis_line("食品安全法第三十五条：……").is_err());
        assert_eq!(
            parse_basis_line("《条例》").unwrap(),
            ("《条例》".into(), String::new(), String::new())
        );
    }

    #[test]
    fn yuan_is_exact() {
        assert_eq!(parse_yuan_text("12.5"), Some(1250));
        assert_eq!(parse_yuan_text("0.07"), Some(7));
        assert_eq!(parse_yuan_text("3"), Some(300));
        assert_eq!(parse_yuan_text("1.234"), None);
        assert_eq!(parse_yuan_text("-1"), None);
        assert_eq!(parse_yuan_number(0.07), Some(7));
        assert_eq!(
            parse_yuan_number(fen_to_yuan(123_456_789)),
            Some(123_456_789)
        );
        assert_eq!(parse_yuan_number(1.005), None);
    }

    #[test]
    fn faq_lines() {
        let f = parse_faq_line("问：要带什么？｜答：身份证。").unwrap();
        assert_eq!(faq_line(&f), "问：要带什么？｜答：身份证。");
        assert!(parse_faq_line("要带什么？身份证").is_err());
    }
}
