//! The rules an item keeps to be saved, each named by a stable code and the element it is about,
//! so an editor or an import can point at the exact field.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{BasisKind, HandlingKind, Item, StepKind};
use crate::codes;

/// One broken rule: where (`materials[2].name`), which rule, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub field: String,
    pub code: codes::Catalog,
    pub message: String,
}

fn issue(
    out: &mut Vec<Issue>,
    field: impl Into<String>,
    code: codes::Catalog,
    message: impl Into<String>,
) {
    out.push(Issue {
        field: field.into(),
        code,
        message: message.into(),
    });
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

pub(super) fn check(item: &Item) -> Vec<Issue> {
    let mut out = Vec::new();
    codes(item, &mut out);
    elements(item, &mut out);
    limits(item, &mut out);
    materials(item, &mut out);
    steps(item, &mut out);
    out
}

fn codes(item: &Item, out: &mut Vec<Issue>) {
    if item.basic_code.item_type() != item.item_type {
        issue(
            out,
            "basic_code",
            codes::Catalog::TypeMismatch,
            format!(
                "基本编码 {} 的类型字母表示“{}”，与事项类型“{}”不符",
                item.basic_code,
                item.basic_code.item_type().label(),
                item.item_type.label()
            ),
        );
    }
    if item.implementation_code.basic() != item.basic_code {
        issue(
            out,
            "implementation_code",
            codes::Catalog::CodeMismatch,
            "实施编码的前10位应与基本编码一致",
        );
    }
    if item.implementation_code.region() != item.region {
        issue(
            out,
            "implementation_code",
            codes::Catalog::CodeRegion,
            "实施编码中的区划应与事项的实施区划一致",
        );
    }
    if item.region.level() != item.level {
        issue(
            out,
            "level",
            codes::Catalog::LevelRegion,
            format!(
                "实施层级“{}”与区划 {} 的层级不符",
                item.level.label(),
                item.region
            ),
        );
    }
}

fn elements(item: &Item, out: &mut Vec<Issue>) {
    for (field, value, label) in [
        ("name", &item.name, "事项名称"),
        ("result_name", &item.result_name, "办理结果名称"),
        ("place", &item.place, "办理地点"),
        ("hours", &item.hours, "办理时间"),
        ("consult_phone", &item.consult_phone, "咨询电话"),
        ("complaint_phone", &item.complaint_phone, "监督投诉电话"),
    ] {
        if blank(value) {
            issue(
                out,
                field,
                codes::Catalog::Required,
                format!("{label}不能为空"),
            );
        }
    }
    if item.name.chars().count() > 100 {
        issue(
            out,
            "name",
            codes::Catalog::TooLong,
            "事项名称不超过100个字",
        );
    }
    if !item
        .legal_basis
        .iter()
        .any(|b| b.kind == BasisKind::Setting)
    {
        issue(
            out,
            "legal_basis",
            codes::Catalog::BasisMissing,
            "至少需要一条设定依据：没有法定依据的事项不得实施",
        );
    }
    for (i, b) in item.legal_basis.iter().enumerate() {
        if blank(&b.title) {
            issue(
                out,
                format!("legal_basis[{i}].title"),
                codes::Catalog::Required,
                "依据文件名称不能为空",
            );
        }
    }
    if item.conditions.iter().all(|c| blank(c)) {
        issue(
            out,
            "conditions",
            codes::Catalog::Required,
            "受理条件至少写一条",
        );
    }
    if !(1..=4).contains(&item.online_depth) {
        issue(
            out,
            "online_depth",
            codes::Catalog::OnlineDepth,
            "网办深度应为1至4级",
        );
    }
    if item.delivery.is_empty() {
        issue(
            out,
            "delivery",
            codes::Catalog::Required,
            "至少提供一种送达方式",
        );
    }
    if item.max_visits > 5 {
        issue(
            out,
            "max_visits",
            codes::Catalog::MaxVisits,
            "到现场次数不应超过5次",
        );
    }
    for (i, f) in item.fees.iter().enumerate() {
        if blank(&f.name) || blank(&f.basis) {
            issue(
                out,
                format!("fees[{i}]"),
                codes::Catalog::FeeBasis,
                "每项收费须写明名称和收费依据；没有法定依据的不得收费",
            );
        }
        if f.amount_fen == 0 {
            issue(
                out,
                format!("fees[{i}].amount_fen"),
                codes::Catalog::FeeAmount,
                "收费金额应大于0；不收费的不列收费项",
            );
        }
    }
    for (i, s) in item.special_procedures.iter().enumerate() {
        if s.max_days == 0 || blank(&s.description) {
            issue(
                out,
                format!("special_procedures[{i}]"),
                codes::Catalog::Special,
                "特殊环节须写明内容和最长时限（工作日）",
            );
        }
    }
}

fn limits(item: &Item, out: &mut Vec<Issue>) {
    if item.statutory_limit_days == 0 && item.handling == HandlingKind::Committed {
        issue(
            out,
            "statutory_limit_days",
            codes::Catalog::StatutoryMissing,
            "承诺件须有法定时限",
        );
    }
    if item.committed_limit_days > item.statutory_limit_days {
        issue(
            out,
            "committed_limit_days",
            codes::Catalog::CommittedExceedsStatutory,
            format!(
                "承诺时限（{}个工作日）不得超过法定时限（{}个工作日）",
                item.committed_limit_days, item.statutory_limit_days
            ),
        );
    }
    match item.handling {
        HandlingKind::Instant if item.committed_limit_days != 0 || item.process_days() != 0 => {
            issue(
                out,
                "handling",
                codes::Catalog::InstantLimit,
                "即办件当场办结：承诺时限和各环节时限均应为0",
            );
        }
        HandlingKind::Committed if item.committed_limit_days == 0 => {
            issue(
                out,
                "committed_limit_days",
                codes::Catalog::CommittedMissing,
                "承诺件须有承诺时限（工作日）",
            );
        }
        _ => {}
    }
    let days = item.process_days();
    if days > item.committed_limit_days {
        issue(
            out,
            "steps",
            codes::Catalog::StepsExceedLimit,
            format!(
                "各环节时限合计（串联相加、并联取最长）为{days}个工作日，超过承诺时限{}个工作日",
                item.committed_limit_days
            ),
        );
    }
}

fn materials(item: &Item, out: &mut Vec<Issue>) {
    if item.materials.is_empty() {
        issue(
            out,
            "materials",
            codes::Catalog::Required,
            "申请材料至少一项",
        );
    }
    let mut keys = HashSet::new();
    let mut names = HashSet::new();
    for (i, m) in item.materials.iter().enumerate() {
        if blank(&m.key) || !keys.insert(m.key.as_str()) {
            issue(
                out,
                format!("materials[{i}].key"),
                codes::Catalog::MaterialKey,
                format!("材料编号“{}”为空或重复", m.key),
            );
        }
        if blank(&m.name) {
            issue(
                out,
                format!("materials[{i}].name"),
                codes::Catalog::Required,
                "材料名称不能为空",
            );
        } else if !names.insert(m.name.trim()) {
            issue(
                out,
                format!("materials[{i}].name"),
                codes::Catalog::DuplicateMaterial,
                format!("材料“{}”重复列出", m.name.trim()),
            );
        }
        if m.copies == 0 || m.copies > 20 {
            issue(
                out,
                format!("materials[{i}].copies"),
                codes::Catalog::Copies,
                "材料份数应为1至20",
            );
        }
        if m.deferrable && !m.required {
            issue(
                out,
                format!("materials[{i}].deferrable"),
                codes::Catalog::DeferrableOptional,
                "容缺只适用于必要材料",
            );
        }
        let used = item
            .steps
            .iter()
            .any(|s| s.materials.iter().any(|k| k == &m.key));
        if m.required && !used {
            issue(
                out,
                format!("materials[{i}]"),
                codes::Catalog::MaterialUnused,
                format!("必要材料“{}”没有被任何环节（含受理）审查", m.name),
            );
        }
    }
}

fn steps(item: &Item, out: &mut Vec<Issue>) {
    if item.steps.is_empty() {
        issue(
            out,
            "steps",
            codes::Catalog::Required,
            "办理流程至少一个环节",
        );
        return;
    }
    if item.steps[0].kind != StepKind::Intake {
        issue(
            out,
            "steps[0].kind",
            codes::Catalog::FirstStepIntake,
            "第一个环节应为受理",
        );
    }
    let mut keys = HashSet::new();
    for (i, s) in item.steps.iter().enumerate() {
        if blank(&s.key) || !keys.insert(s.key.as_str()) {
            issue(
                out,
                format!("steps[{i}].key"),
                codes::Catalog::StepKey,
                format!("环节编号“{}”为空或重复", s.key),
            );
        }
        if blank(&s.name) || blank(&s.post) {
            issue(
                out,
                format!("steps[{i}]"),
                codes::Catalog::Required,
                "环节须有名称和责任岗位",
            );
        }
        for k in &s.materials {
            if item.material(k).is_none() {
                issue(
                    out,
                    format!("steps[{i}].materials"),
                    codes::Catalog::MaterialUnknown,
                    format!("环节“{}”引用了不存在的材料“{k}”", s.name),
                );
            }
        }
        if s.lead && s.parallel_group.is_none() {
            issue(
                out,
                format!("steps[{i}].lead"),
                codes::Catalog::LeadOutsideGroup,
                "只有并联环节才有主办部门",
            );
        }
    }
    // Parallel groups: declared, contiguous, at least two steps, exactly one lead.
    let mut seen: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut departments: BTreeMap<&str, HashSet<i64>> = BTreeMap::new();
    let mut previous: Option<&str> = None;
    for (i, s) in item.steps.iter().enumerate() {
        if let Some(g) = s.parallel_group.as_deref() {
            if !item.parallel_groups.iter().any(|pg| pg.key == g) {
                issue(
                    out,
                    format!("steps[{i}].parallel_group"),
                    codes::Catalog::GroupUnknown,
                    format!("并联组“{g}”未定义"),
                );
            }
            if previous != Some(g) && seen.contains_key(g) {
                issue(
                    out,
                    format!("steps[{i}].parallel_group"),
                    codes::Catalog::GroupSplit,
                    format!("并联组“{g}”的环节应连续排列"),
                );
            }
            let entry = seen.entry(g).or_insert((0, 0));
            if s.lead {
                entry.1 += 1;
            }
            departments
                .entry(g)
                .or_default()
                .insert(s.department_id.unwrap_or(item.department_id));
        }
        previous = s.parallel_group.as_deref();
    }
    for (g, depts) in &departments {
        if let Some(entry) = seen.get_mut(g) {
            entry.0 = depts.len();
        }
    }
    let mut group_keys = HashSet::new();
    for pg in &item.parallel_groups {
        if !group_keys.insert(pg.key.as_str()) {
            issue(
                out,
                format!("parallel_groups.{}", pg.key),
                codes::Catalog::GroupKey,
                format!("并联组编号“{}”重复", pg.key),
            );
        }
        match seen.get(pg.key.as_str()) {
            None | Some((0 | 1, _)) => issue(
                out,
                format!("parallel_groups.{}", pg.key),
                codes::Catalog::GroupSize,
                format!("并联组“{}”至少需要两个部门的环节", pg.name),
            ),
            Some((_, 1)) => {}
            Some((_, leads)) => issue(
                out,
                format!("parallel_groups.{}", pg.key),
                codes::Catalog::GroupLead,
                format!("并联组“{}”应有且只有一个主办部门，现有{leads}个", pg.name),
            ),
        }
    }
}

/// 上下对应: an item implemented at a lower level under the same basic code keeps the elements
/// the higher level fixes, and differs only where the level allows (its own department, place,
/// hours, phones, a shorter committed limit, its own steps and posts).
pub fn check_correspondence(higher: &Item, lower: &Item) -> Vec<Issue> {
    let mut out = Vec::new();
    if higher.basic_code != lower.basic_code {
        return out;
    }
    if lower.level <= higher.level {
        issue(
            &mut out,
            "level",
            codes::Catalog::CorrespondenceLevel,
            "上下对应只比较下级事项与上级事项",
        );
        return out;
    }
    let differ = |field: &str, label: &str, out: &mut Vec<Issue>| {
        issue(
            out,
            field,
            codes::Catalog::Correspondence,
            format!("{label}须与上级同一基本编码的事项保持一致（上下对应）"),
        );
    };
    if higher.name != lower.name {
        differ("name", "事项名称", &mut out);
    }
    if higher.item_type != lower.item_type {
        differ("item_type", "事项类型", &mut out);
    }
    if higher.service_object != lower.service_object {
        differ("service_object", "服务对象", &mut out);
    }
    let setting = |i: &Item| {
        i.legal_basis
            .iter()
            .filter(|b| b.kind == BasisKind::Setting)
            .map(|b| (b.title.clone(), b.article.clone()))
            .collect::<Vec<_>>()
    };
    if setting(higher) != setting(lower) {
        differ("legal_basis", "设定依据", &mut out);
    }
    if higher.statutory_limit_days != lower.statutory_limit_days {
        differ("statutory_limit_days", "法定时限", &mut out);
    }
    if lower.committed_limit_days > higher.committed_limit_days {
        issue(
            &mut out,
            "committed_limit_days",
            codes::Catalog::Correspondence,
            "下级的承诺时限不得长于上级",
        );
    }
    let required = |i: &Item| {
        let mut v: Vec<String> = i
            .materials
            .iter()
            .filter(|m| m.required)
            .map(|m| m.name.trim().to_string())
            .collect();
        v.sort();
        v
    };
    if required(higher) != required(lower) {
        differ("materials", "必要申请材料", &mut out);
    }
    let fees = |i: &Item| {
        i.fees
            .iter()
            .map(|f| (f.name.clone(), f.amount_fen))
            .collect::<Vec<_>>()
    };
    if fees(higher) != fees(lower) {
        differ("fees", "收费项目和标准", &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::super::*;
    use crate::codes;

    fn codes_of(item: &Item) -> Vec<codes::Catalog> {
        item.check().iter().map(|i| i.code).collect()
    }

    #[test]
    fn the_sample_items_keep_every_rule() {
        for item in [sample::food_licence(), sample::birth_registration()] {
            assert!(item.check().is_empty(), "{:#?}", item.check());
        }
    }

    #[test]
    fn committed_limit_within_statutory() {
        let mut item = sample::food_licence();
        item.committed_limit_days = item.statutory_limit_days + 1;
        assert!(codes_of(&item).contains(&codes::Catalog::CommittedExceedsStatutory));
    }

    #[test]
    fn step_limits_fit_the_committed_limit_with_parallel_steps_taking_the_longest() {
        let mut item = sample::food_licence();
        let parallel_max = item
            .stages()
            .iter()
            .filter(|s| s.len() > 1)
            .map(|s| s.iter().map(|x| x.limit_days).max().unwrap())
            .sum::<u32>();
        assert!(parallel_max > 0, "the sample has a parallel stage");
        // Raising a co-department's step up to the lead's length keeps the total.
        let total = item.process_days();
        assert!(total <= item.committed_limit_days);
        item.committed_limit_days = total - 1;
        assert!(codes_of(&item).contains(&codes::Catalog::StepsExceedLimit));
    }

    #[test]
    fn a_parallel_group_has_exactly_one_lead() {
        let mut item = sample::food_licence();
        for s in item.steps.iter_mut().filter(|s| s.parallel_group.is_some()) {
            s.lead = true;
        }
        assert!(codes_of(&item).contains(&codes::Catalog::GroupLead));
        for s in item.steps.iter_mut() {
            s.lead = false;
        }
        assert!(codes_of(&item).contains(&codes::Catalog::GroupLead));
    }

    #[test]
    fn a_parallel_group_spans_two_departments_under_one_key() {
        let mut item = sample::food_licence();
        item.steps[2].department_id = None;
        assert!(
            codes_of(&item).contains(&codes::Catalog::GroupSize),
            "two steps of one department are not a joint review"
        );
        let mut item = sample::food_licence();
        let dup = item.parallel_groups[0].clone();
        item.parallel_groups.push(dup);
        assert!(codes_of(&item).contains(&codes::Catalog::GroupKey));
    }

    #[test]
    fn every_required_material_is_examined_by_some_step() {
        let mut item = sample::food_licence();
        for s in &mut item.steps {
            s.materials.retain(|k| k != "m2");
        }
        let issues = item.check();
        let unused = issues
            .iter()
            .find(|i| i.code == codes::Catalog::MaterialUnused)
            .expect("caught");
        assert_eq!(unused.field, "materials[1]");
    }

    #[test]
    fn duplicate_materials_and_unknown_references_are_named() {
        let mut item = sample::food_licence();
        let mut dup = item.materials[0].clone();
        dup.key = "m9".into();
        item.materials.push(dup);
        item.steps[0].materials.push("m404".into());
        let c = codes_of(&item);
        assert!(
            c.contains(&codes::Catalog::DuplicateMaterial)
                && c.contains(&codes::Catalog::MaterialUnknown)
        );
    }

    #[test]
    fn codes_must_agree_with_type_and_region() {
        let mut item = sample::food_licence();
        item.item_type = ItemType::Filing;
        item.region = crate::region::RegionCode::parse("361202").unwrap();
        item.level = crate::region::Level::County;
        let c = codes_of(&item);
        assert!(
            c.contains(&codes::Catalog::TypeMismatch) && c.contains(&codes::Catalog::CodeRegion)
        );
    }

    #[test]
    fn instant_items_are_done_on_the_spot() {
        let mut item = sample::birth_registration();
        assert_eq!(item.handling, HandlingKind::Instant);
        item.steps[0].limit_days = 1;
        assert!(codes_of(&item).contains(&codes::Catalog::InstantLimit));
    }

    #[test]
    fn fees_need_a_basis_and_no_basis_means_no_power() {
        let mut item = sample::food_licence();
        item.fees.push(Fee {
            name: "工本费".into(),
            basis: String::new(),
            amount_fen: 1000,
        });
        item.legal_basis.retain(|b| b.kind != BasisKind::Setting);
        let c = codes_of(&item);
        assert!(c.contains(&codes::Catalog::FeeBasis) && c.contains(&codes::Catalog::BasisMissing));
    }

    #[test]
    fn lower_levels_keep_the_shared_elements() {
        let city = sample::food_licence();
        let mut county = sample::food_licence_at_county();
        assert!(
            check_correspondence(&city, &county).is_empty(),
            "{:#?}",
            check_correspondence(&city, &county)
        );
        county.place = "江北区政务服务中心".into();
        assert!(
            check_correspondence(&city, &county).is_empty(),
            "place may differ"
        );
        county.name = "食品经营许可（新办）".into();
        county.materials[0].name = "别的材料".into();
        let fields: Vec<_> = check_correspondence(&city, &county)
            .into_iter()
            .map(|i| i.field)
            .collect();
        assert_eq!(fields, ["name", "materials"]);
    }
}
