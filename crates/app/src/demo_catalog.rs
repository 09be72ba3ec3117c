//! The demo catalog: about forty city-level items of 清江市 (361200) across the ten demo
//! departments, kept as reviewable data in `data/demo_catalog.json` and turned into [`Item`]s here.
//!
//! The data names departments by short code (`scjg`, `zjj`, …, as in [`crate::demo::DEPARTMENTS`])
//! and spells every enumerated value with its Chinese label (行政许可, 原件, 受理, 全部同意方可通过…),
//! so a domain expert can read and correct it without knowing the code. Place, hours and the
//! consultation phone come from the department's window (A01 … A10), the implementing agency's
//! credit code from [`sample::agency`] with the department's position + 1.

use std::collections::HashSet;

use serde::Deserialize;
use tongban_domain::calendar::SuspensionKind;
use tongban_domain::catalog::{
    sample, BasicCode, BasisKind, Delivery, Faq, Fee, GroupRule, HandlingKind, ImplementationCode,
    Item, ItemType, LegalBasis, Material, MaterialForm, ParallelGroup, ServiceObject,
    SpecialProcedure, Step, StepKind, THEMES,
};
use tongban_domain::region::{Level, RegionCode};

use crate::demo::DEPARTMENTS;

/// The data file, compiled in.
const DATA: &str = include_str!("../data/demo_catalog.json");

/// Every demo item is implemented by the city.
const REGION: &str = "361200";
const HOURS: &str = "工作日 9:00-12:00，13:30-17:00";
const COMPLAINT_PHONE: &str = "12345";

/// The demo items, with department ids resolved by short code (e.g. "scjg") and each department's
/// agency credit code.
pub fn demo_items(dept_id: &dyn Fn(&str) -> Option<i64>) -> Result<Vec<Item>, String> {
    items_from_json(DATA, dept_id)
}

/// Builds items from catalog data in the format of `data/demo_catalog.json`.
fn items_from_json(json: &str, dept_id: &dyn Fn(&str) -> Option<i64>) -> Result<Vec<Item>, String> {
    let file: DataFile =
        serde_json::from_str(json).map_err(|e| format!("演示事项数据格式有误：{e}"))?;
    let region = RegionCode::parse(REGION).map_err(|e| e.to_string())?;
    let mut basic_codes = HashSet::new();
    let mut items = Vec::with_capacity(file.items.len());
    for raw in file.items {
        let name = raw.name.clone();
        let item = convert(raw, &region, dept_id).map_err(|e| format!("演示事项“{name}”：{e}"))?;
        if !basic_codes.insert(item.basic_code.clone()) {
            return Err(format!(
                "演示事项“{name}”：基本编码 {} 重复",
                item.basic_code
            ));
        }
        items.push(item);
    }
    Ok(items)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    /// The file's own explanation for reviewers.
    #[serde(default, rename = "note")]
    _note: String,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    name: String,
    #[serde(rename = "type")]
    item_type: String,
    dept: String,
    object: String,
    basis: Vec<RawBasis>,
    conditions: Vec<String>,
    #[serde(default)]
    quantity_limit: String,
    materials: Vec<RawMaterial>,
    steps: Vec<RawStep>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    special: Vec<RawSpecial>,
    statutory_days: u32,
    committed_days: u32,
    handling: String,
    #[serde(default = "one")]
    max_visits: u8,
    #[serde(default)]
    fees: Vec<Fee>,
    result: String,
    delivery: Vec<String>,
    #[serde(default)]
    faq: Vec<Faq>,
    online_depth: u8,
    #[serde(default)]
    deemed_approval: bool,
    #[serde(default)]
    themes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBasis {
    kind: String,
    title: String,
    article: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    key: String,
    name: String,
    form: String,
    #[serde(default = "one")]
    copies: u8,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    deferrable: bool,
    #[serde(default = "own_source")]
    source: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    licence_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    key: String,
    name: String,
    kind: String,
    post: String,
    /// A co-department's short code; the item's own department when absent.
    #[serde(default)]
    dept: Option<String>,
    days: u32,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    lead: bool,
    #[serde(default)]
    materials: Vec<String>,
    #[serde(default)]
    deemed_approval: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    key: String,
    name: String,
    rule: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpecial {
    kind: String,
    description: String,
    max_days: u32,
}

fn one() -> u8 {
    1
}

fn yes() -> bool {
    true
}

fn own_source() -> String {
    "申请人自备".into()
}

/// The value whose label is `label`, or an error listing the labels allowed.
fn by_label<T: Copy>(
    what: &str,
    label: &str,
    all: &[T],
    label_of: fn(T) -> &'static str,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| label_of(*v) == label)
        .ok_or_else(|| {
            let allowed: Vec<&str> = all.iter().map(|v| label_of(*v)).collect();
            format!("{what}“{label}”无法识别，应为：{}", allowed.join("、"))
        })
}

/// A department's position in [`DEPARTMENTS`] and its database id.
fn department(short: &str, dept_id: &dyn Fn(&str) -> Option<i64>) -> Result<(usize, i64), String> {
    let index = DEPARTMENTS
        .iter()
        .position(|(s, _)| *s == short)
        .ok_or_else(|| format!("未知的部门简称“{short}”"))?;
    let id = dept_id(short).ok_or_else(|| format!("部门简称“{short}”找不到对应的部门"))?;
    Ok((index, id))
}

fn convert(
    raw: RawItem,
    region: &RegionCode,
    dept_id: &dyn Fn(&str) -> Option<i64>,
) -> Result<Item, String> {
    let (index, department_id) = department(&raw.dept, dept_id)?;
    let seq = u32::try_from(index + 1).map_err(|e| e.to_string())?;
    let basic_code = BasicCode::parse(&raw.code).map_err(|e| e.to_string())?;
    let implementation_code = ImplementationCode::new(&basic_code, region, &sample::agency(seq), 1)
        .map_err(|e| e.to_string())?;
    let item_type = ItemType::from_label(&raw.item_type)
        .ok_or_else(|| format!("事项类型“{}”无法识别", raw.item_type))?;
    let service_object = by_label(
        "服务对象",
        &raw.object,
        &[
            ServiceObject::Person,
            ServiceObject::Company,
            ServiceObject::Both,
        ],
        ServiceObject::label,
    )?;
    let handling = by_label(
        "办件类型",
        &raw.handling,
        &[HandlingKind::Instant, HandlingKind::Committed],
        HandlingKind::label,
    )?;

    let legal_basis = raw
        .basis
        .into_iter()
        .map(|b| {
            Ok(LegalBasis {
                kind: by_label(
                    "依据类别",
                    &b.kind,
                    &[BasisKind::Setting, BasisKind::Implementing],
                    BasisKind::label,
                )?,
                title: b.title,
                article: b.article,
                text: b.text,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    let materials = raw
        .materials
        .into_iter()
        .map(|m| {
            Ok(Material {
                form: by_label(
                    "材料形式",
                    &m.form,
                    &[
                        MaterialForm::Original,
                        MaterialForm::Copy,
                        MaterialForm::OriginalAndCopy,
                        MaterialForm::Electronic,
                    ],
                    MaterialForm::label,
                )?,
                key: m.key,
                name: m.name,
                copies: m.copies,
                required: m.required,
                deferrable: m.deferrable,
                source: m.source,
                sample_file: None,
                template_file: None,
                note: m.note,
                licence_type: m.licence_type,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    let steps = raw
        .steps
        .into_iter()
        .map(|s| {
            let department_id = match s.dept.as_deref() {
                None => None,
                Some(short) => Some(department(short, dept_id)?.1),
            };
            Ok(Step {
                kind: by_label(
                    "环节类型",
                    &s.kind,
                    &[
                        StepKind::Intake,
                        StepKind::Review,
                        StepKind::Decision,
                        StepKind::Delivery,
                    ],
                    StepKind::label,
                )?,
                key: s.key,
                name: s.name,
                post: s.post,
                department_id,
                limit_days: s.days,
                parallel_group: s.group,
                lead: s.lead,
                materials: s.materials,
                deemed_approval: s.deemed_approval,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    let parallel_groups = raw
        .groups
        .into_iter()
        .map(|g| {
            Ok(ParallelGroup {
                rule: by_label(
                    "并联规则",
                    &g.rule,
                    &[GroupRule::AllAgree, GroupRule::AnyAgrees],
                    GroupRule::label,
                )?,
                key: g.key,
                name: g.name,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    let special_procedures = raw
        .special
        .into_iter()
        .map(|s| {
            Ok(SpecialProcedure {
                kind: by_label(
                    "特殊环节",
                    &s.kind,
                    &[
                        SuspensionKind::Hearing,
                        SuspensionKind::ExpertReview,
                        SuspensionKind::Testing,
                        SuspensionKind::Inspection,
                        SuspensionKind::Quarantine,
                        SuspensionKind::Appraisal,
                        SuspensionKind::ThirdPartyConsultation,
                    ],
                    SuspensionKind::label,
                )?,
                description: s.description,
                max_days: s.max_days,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;

    let delivery = raw
        .delivery
        .iter()
        .map(|d| {
            by_label(
                "送达方式",
                d,
                &[Delivery::Window, Delivery::Post, Delivery::Online],
                Delivery::label,
            )
        })
        .collect::<Result<Vec<_>, String>>()?;

    if let Some(t) = raw.themes.iter().find(|t| !THEMES.contains(&t.as_str())) {
        return Err(format!("主题“{t}”不在主题目录中"));
    }

    let window = index + 1;
    Ok(Item {
        basic_code,
        implementation_code,
        name: raw.name,
        item_type,
        department_id,
        level: Level::City,
        region: region.clone(),
        service_object,
        legal_basis,
        conditions: raw.conditions,
        quantity_limit: raw.quantity_limit,
        materials,
        steps,
        parallel_groups,
        special_procedures,
        statutory_limit_days: raw.statutory_days,
        committed_limit_days: raw.committed_days,
        handling,
        max_visits: raw.max_visits,
        fees: raw.fees,
        result_name: raw.result,
        result_sample_file: None,
        delivery,
        place: format!("清江市政务服务中心 A{window:02} 窗口"),
        hours: HOURS.into(),
        consult_phone: format!("0799-12345{window:03}"),
        complaint_phone: COMPLAINT_PHONE.into(),
        faq: raw.faq,
        online_depth: raw.online_depth,
        deemed_approval: raw.deemed_approval,
        themes: raw.themes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(short: &str) -> Option<i64> {
        DEPARTMENTS
            .iter()
            .position(|(s, _)| *s == short)
            .map(|i| i as i64 + 1)
    }

    #[test]
    fn a_bad_label_names_the_item_and_the_allowed_values() {
        let json = DATA.replacen("\"form\": \"原件\"", "\"form\": \"原件一份\"", 1);
        let err = items_from_json(&json, &ids).unwrap_err();
        assert!(
            err.contains("企业设立登记") && err.contains("原件一份") && err.contains("复印件"),
            "{err}"
        );
    }

    #[test]
    fn a_department_missing_from_the_list_is_refused() {
        let json = DATA.replacen("\"dept\": \"scjg\"", "\"dept\": \"xyz\"", 1);
        let err = items_from_json(&json, &ids).unwrap_err();
        assert!(err.contains("xyz"), "{err}");
    }
}
