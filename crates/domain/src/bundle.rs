//! 一件事一次办 (国发〔2024〕3号《关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》):
//! several catalog items that one life event needs, applied for once.
//!
//! A bundle is a catalog entry of its own, drafted and reviewed three times like an item (it
//! reuses the item's states and [`transition`](crate::catalog::transition)). It names its member
//! items; it adds no process of its own. The public reads one guide made from its members
//! ([`guide`]): their conditions, limits and fees side by side and one list of materials, in
//! which a material several members ask for (same name, same form) is asked once. Filing a
//! bundle files one case per member, each under its own item, workflow and statutory clock
//! ([`split`] hands each member the files of its materials); the applicant follows them with
//! one progress bar ([`Progress`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::{CaseStatus, FileRef};
use crate::catalog::{Fee, Item, MaterialForm, ServiceObject};
use crate::codes;
use crate::error::DomainError;
use crate::region::RegionCode;

/// Longest name of a bundle, in characters.
const NAME_MAX: usize = 50;

/// One version of a bundle as drafted and reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// E.g. `YJS0001`: letters then digits, unique in the catalog.
    pub code: String,
    /// E.g. 开办餐饮店“一件事”.
    pub name: String,
    /// One sentence for the public: who it is for and what it saves them.
    #[serde(default)]
    pub summary: String,
    /// The region whose centre runs it; every member is implemented inside it.
    pub region: RegionCode,
    pub service_object: ServiceObject,
    #[serde(default)]
    pub themes: Vec<String>,
    /// The members' implementation codes, in the order the guide lists them.
    pub members: Vec<String>,
}

/// One broken rule of a bundle: where, which rule, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleIssue {
    pub field: String,
    pub code: codes::Bundle,
    pub message: String,
}

fn issue(out: &mut Vec<BundleIssue>, field: String, code: codes::Bundle, message: String) {
    out.push(BundleIssue {
        field,
        code,
        message,
    });
}

/// Whether `code` is 2–4 capital letters and 3–8 digits.
pub fn valid_code(code: &str) -> bool {
    let letters = code.bytes().take_while(u8::is_ascii_uppercase).count();
    let digits = &code[letters..];
    (2..=4).contains(&letters)
        && (3..=8).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Bundle {
    /// The rules a bundle keeps on its own: a well-formed code and name, at least two members,
    /// none listed twice.
    pub fn check(&self) -> Vec<BundleIssue> {
        let mut out = Vec::new();
        if !valid_code(&self.code) {
            issue(
                &mut out,
                "code".into(),
                codes::Bundle::Code,
                format!(
                    "一件事编码“{}”{}",
                    self.code,
                    codes::Bundle::Code
                        .code()
                        .message()
                        .trim_start_matches("一件事编码")
                ),
            );
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            issue(
                &mut out,
                "name".into(),
                codes::Bundle::Name,
                codes::Bundle::Name.code().message().into(),
            );
        }
        if self.members.len() < 2 {
            issue(
                &mut out,
                "members".into(),
                codes::Bundle::Members,
                format!("一件事至少包含两个事项，现有{}个", self.members.len()),
            );
        }
        for (i, code) in self.members.iter().enumerate() {
            if self.members[..i].contains(code) {
                issue(
                    &mut out,
                    format!("members[{i}]"),
                    codes::Bundle::DuplicateMember,
                    format!("事项 {code} 重复列出"),
                );
            }
        }
        out
    }

    /// The rules that need the catalog: every member is an item in force (`found[i]` is the
    /// published version of `members[i]`, `None` when there is none), implemented inside the
    /// bundle's region, and at least two of them are.
    pub fn check_members(&self, found: &[Option<&Item>]) -> Vec<BundleIssue> {
        let mut out = Vec::new();
        for (i, code) in self.members.iter().enumerate() {
            match found.get(i).copied().flatten() {
                None => issue(
                    &mut out,
                    format!("members[{i}]"),
                    codes::Bundle::MemberUnpublished,
                    format!("事项 {code} 未发布或已取消，不能纳入一件事"),
                ),
                Some(item) if !self.region.contains(&item.region) => issue(
                    &mut out,
                    format!("members[{i}]"),
                    codes::Bundle::Region,
                    format!("事项“{}”不在本一件事的区划 {} 之内", item.name, self.region),
                ),
                Some(_) => {}
            }
        }
        let published = found.iter().filter(|f| f.is_some()).count();
        if published < 2 && self.members.len() >= 2 {
            issue(
                &mut out,
                "members".into(),
                codes::Bundle::Members,
                format!("一件事至少包含两个已发布的事项，现有{published}个"),
            );
        }
        out
    }
}

/// A material of the bundle's one list: one member's, or one asked once for several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedMaterial {
    /// `b1`, `b2`, … in the order of first appearance; the form's file fields use it.
    pub key: String,
    pub name: String,
    pub form: MaterialForm,
    /// The most copies any member asks for.
    pub copies: u8,
    /// Required by at least one member.
    pub required: bool,
    /// 容缺 only if every member that requires it allows it later.
    pub deferrable: bool,
    pub note: String,
    pub template_file: Option<String>,
    pub licence_type: Option<String>,
    /// (member index, the member's material key) for each member that asks for it.
    pub covers: Vec<(usize, String)>,
}

impl MergedMaterial {
    /// Asked by more than one member, and asked here once.
    pub fn shared(&self) -> bool {
        self.covers.len() > 1
    }
}

/// One member's limits as the guide shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLimit {
    pub name: String,
    pub statutory_days: u32,
    pub committed_days: u32,
    pub instant: bool,
}

/// The bundle's one guide, made from its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// Each condition once, with the members (indices) that set it.
    pub conditions: Vec<(String, Vec<usize>)>,
    pub materials: Vec<MergedMaterial>,
    pub limits: Vec<MemberLimit>,
    /// The members run side by side, each on its own clock: the longest committed limit is
    /// when the last result is due at the latest.
    pub longest_committed_days: u32,
    /// (member index, fee)
    pub fees: Vec<(usize, Fee)>,
    pub total_fee_fen: u64,
    /// Every member may be applied for online (网办深度 ≥ 3).
    pub online: bool,
    /// The most visits any member needs: the members are handled at once.
    pub max_visits: u8,
}

/// Two materials are the same when their names (spaces aside) and forms agree.
fn same_material(a: &str, a_form: MaterialForm, b: &str, b_form: MaterialForm) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    a_form == b_form && squash(a) == squash(b)
}

/// The one guide of a bundle whose members' versions in force are `members`, in order.
pub fn guide(members: &[Item]) -> Guide {
    let mut conditions: Vec<(String, Vec<usize>)> = Vec::new();
    let mut materials: Vec<MergedMaterial> = Vec::new();
    for (i, item) in members.iter().enumerate() {
        for c in &item.conditions {
            let c = c.trim();
            match conditions.iter_mut().find(|(text, _)| text == c) {
                Some((_, who)) => who.push(i),
                None => conditions.push((c.to_string(), vec![i])),
            }
        }
        for m in &item.materials {
            let found = materials
                .iter_mut()
                .find(|x| same_material(&x.name, x.form, &m.name, m.form));
            match found {
                Some(x) => {
                    x.copies = x.copies.max(m.copies);
                    if m.required {
                        // 容缺 stays only if this member also lets it follow acceptance.
                        x.deferrable = if x.required {
                            x.deferrable && m.deferrable
                        } else {
                            m.deferrable
                        };
                        x.required = true;
                    }
                    if x.template_file.is_none() {
                        x.template_file = m.template_file.clone();
                    }
                    if x.licence_type.is_none() {
                        x.licence_type = m.licence_type.clone();
                    }
                    if x.note.is_empty() {
                        x.note = m.note.clone();
                    }
                    x.covers.push((i, m.key.clone()));
                }
                None => materials.push(MergedMaterial {
                    key: format!("b{}", materials.len() + 1),
                    name: m.name.trim().to_string(),
                    form: m.form,
                    copies: m.copies,
                    required: m.required,
                    deferrable: m.required && m.deferrable,
                    note: m.note.clone(),
                    template_file: m.template_file.clone(),
                    licence_type: m.licence_type.clone(),
                    covers: vec![(i, m.key.clone())],
                }),
            }
        }
    }
    let fees: Vec<(usize, Fee)> = members
        .iter()
        .enumerate()
        .flat_map(|(i, item)| item.fees.iter().map(move |f| (i, f.clone())))
        .collect();
    Guide {
        conditions,
        materials,
        limits: members
            .iter()
            .map(|m| MemberLimit {
                name: m.name.clone(),
                statutory_days: m.statutory_limit_days,
                committed_days: m.committed_limit_days,
                instant: m.handling == crate::catalog::HandlingKind::Instant,
            })
            .collect(),
        longest_committed_days: members
            .iter()
            .map(|m| m.committed_limit_days)
            .max()
            .unwrap_or(0),
        total_fee_fen: fees.iter().map(|(_, f)| f.amount_fen).sum(),
        fees,
        online: !members.is_empty() && members.iter().all(|m| m.online_depth >= 3),
        max_visits: members.iter().map(|m| m.max_visits).max().unwrap_or(0),
    }
}

/// Each member's materials from the files given for the bundle's list (by merged key): a file
/// given once for a shared material goes to every member that asks for it. A key not on the
/// list is refused.
pub fn split(
    guide: &Guide,
    members: usize,
    given: &BTreeMap<String, Vec<FileRef>>,
) -> Result<Vec<BTreeMap<String, Vec<FileRef>>>, DomainError> {
    let mut out = vec![BTreeMap::new(); members];
    for (key, files) in given {
        let m = guide
            .materials
            .iter()
            .find(|m| &m.key == key)
            .ok_or_else(|| {
                codes::Bundle::MaterialUnknown
                    .with(format!("材料编号 {key} 不在该一件事的材料清单中"))
            })?;
        if files.is_empty() {
            continue;
        }
        for (i, own_key) in &m.covers {
            if let Some(slot) = out.get_mut(*i) {
                slot.insert(own_key.clone(), files.clone());
            }
        }
    }
    Ok(out)
}

/// The number of a filed bundle: `YJ-361200-20261207-000001` (its region, the Shanghai day of
/// filing, the sequence of bundle filings of that region and day).
pub fn filing_number(
    region: &RegionCode,
    day: chrono::NaiveDate,
    seq: u32,
) -> Result<String, DomainError> {
    if seq == 0 || seq > 999_999 {
        return Err(codes::Case::NumberSequence.err());
    }
    Ok(format!("YJ-{region}-{}-{seq:06}", day.format("%Y%m%d")))
}

/// A filed bundle's number as typed, checked.
pub fn parse_filing_number(input: &str) -> Result<String, DomainError> {
    let s = input.trim();
    let bad = || {
        codes::Bundle::Number.with(format!(
            "一件事办件编号“{s}”格式不对，应如 YJ-361200-20260302-000001"
        ))
    };
    let rest = s.strip_prefix("YJ-").ok_or_else(bad)?;
    let case = crate::case::CaseNumber::parse(rest).map_err(|_| bad())?;
    Ok(format!("YJ-{}", case.as_str()))
}

/// How far a filed bundle has come: how many member cases have their outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub decided: usize,
    pub total: usize,
}

/// A member case has its outcome once decided (or refused at intake, or withdrawn).
pub fn has_outcome(status: CaseStatus) -> bool {
    status == CaseStatus::Decided || !status.is_open()
}

impl Progress {
    pub fn of(statuses: impl IntoIterator<Item = CaseStatus>) -> Progress {
        let mut p = Progress {
            decided: 0,
            total: 0,
        };
        for s in statuses {
            p.total += 1;
            p.decided += usize::from(has_outcome(s));
        }
        p
    }

    /// Whole per cent, rounded down, for the bar's width.
    pub fn percent(self) -> usize {
        (self.decided * 100).checked_div(self.total).unwrap_or(0)
    }

    pub fn done(self) -> bool {
        self.total > 0 && self.decided == self.total
    }

    /// E.g. 已办结 1 项，共 3 项.
    pub fn label(self) -> String {
        if self.done() {
            format!("{} 项已全部办结", self.total)
        } else {
            format!("已办结 {} 项，共 {} 项", self.decided, self.total)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_letters_then_digits() {
        assert!(valid_code("YJS0001"));
        assert!(valid_code("YJ123"));
        assert!(!valid_code("yjs0001"));
        assert!(!valid_code("Y0001"));
        assert!(!valid_code("YJS01"));
        assert!(!valid_code("YJS0001X"));
        assert!(!valid_code(""));
    }

    #[test]
    fn filing_numbers_round_trip() {
        let region = RegionCode::parse("361200").expect("valid");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("valid");
        let n = filing_number(&region, day, 12).expect("valid");
        assert_eq!(n, "YJ-361200-20261207-000012");
        assert_eq!(parse_filing_number(&format!(" {n} ")).expect("valid"), n);
        assert!(parse_filing_number("361200-20261207-000012").is_err());
        assert!(parse_filing_number("YJ-361200-2026-1").is_err());
    }

    #[test]
    fn progress_counts_outcomes() {
        let p = Progress::of([
            CaseStatus::Received,
            CaseStatus::Decided,
            CaseStatus::NotAccepted,
        ]);
        assert_eq!((p.decided, p.total, p.percent()), (2, 3, 66));
        assert!(!p.done());
        assert_eq!(p.label(), "已办结 2 项，共 3 项");
        let done = Progress::of([CaseStatus::Closed, CaseStatus::Withdrawn]);
        assert!(done.done());
        assert_eq!(Progress::of([]).percent(), 0);
    }
}
