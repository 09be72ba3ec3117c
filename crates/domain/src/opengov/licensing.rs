//! 行政许可结果公示 (the 双公示 of licensing decisions), read straight from decided cases.
//!
//! A case of a 行政许可 item (basic code `XK…`) decided 准予许可 is public as soon as the
//! decision is recorded, so it is always within the seven working days the 双公示 rules allow;
//! no copy is kept by hand. The holder is named in full when a legal person (法人, with its
//! unified social credit code, which is public by law); a natural person's given name is
//! masked and the ID number is never shown.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::case::{Case, Outcome, PartyKind};
use crate::catalog::ItemType;

/// The basic-code prefix of 行政许可 items.
pub const LICENSING_PREFIX: &str = "XK";

/// One line of the public list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicensingResult {
    /// The decision's document number (许可决定文书号).
    pub document: String,
    /// The holder (行政相对人), masked when a natural person.
    pub holder: String,
    pub holder_kind: PartyKind,
    /// The credit code of a legal person; none for a natural person.
    pub holder_code: Option<String>,
    /// The licensed matter (许可事项) and what was issued.
    pub item: String,
    pub result_name: String,
    pub department_id: i64,
    pub decided_at: DateTime<Utc>,
}

/// The public line of a decided case: only a 行政许可 item decided 准予许可.
pub fn licensing_result(case: &Case) -> Option<LicensingResult> {
    let licensing =
        ItemType::from_prefix(case.item.basic_code.get(..2)?) == Some(ItemType::Licensing);
    let d = case
        .decision
        .as_ref()
        .filter(|d| licensing && d.outcome == Outcome::Approved)?;
    let p = &case.applicant;
    let (holder, holder_code) = match p.kind {
        PartyKind::Company => (p.name.clone(), Some(p.id_code.clone())),
        PartyKind::Person => (crate::mask::name(&p.name), None),
    };
    Some(LicensingResult {
        document: d.document.clone(),
        holder,
        holder_kind: p.kind,
        holder_code,
        item: case.item.name.clone(),
        result_name: case.item.result_name.clone(),
        department_id: case.item.department_id,
        decided_at: d.at,
    })
}
