//! The item editor as a form: one field per element of the guide, with Chinese labels, and
//! repeating rows for legal bases, materials, steps, parallel groups, special procedures, fees
//! and FAQ. Field names are the paths the catalog's consistency rules report
//! (`materials[2].name`), so each rule's message lands beside its field.
//!
//! An item becomes fields by flattening its JSON document; fields become an item by building
//! the same document back from [`SECTIONS`], checking what a form can check (numbers, choices,
//! codes) field by field. Everything else is the catalog's own rules, run by the save.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use tongban_domain::calendar::SuspensionKind;
use tongban_domain::catalog::{
    BasicCode, BasisKind, Delivery, GroupRule, HandlingKind, ImplementationCode, Item, ItemType,
    MaterialForm, ServiceObject, StepKind, THEMES,
};
use tongban_domain::region::{Level, RegionCode};
use tongban_domain::vocab::ClosedSet;

/// How a field is typed and read back.
#[derive(Clone, Copy)]
pub enum Kind {
    Text,
    /// Several lines of free text.
    Long,
    /// A whole number ≥ 0.
    Number,
    /// An amount in 元, kept in 分.
    Yuan,
    Bool,
    /// One value of a closed set.
    Choice(fn() -> Vec<(String, String)>),
    /// A department of the deployment.
    Department,
    /// A department, or empty for the item's own.
    OptDepartment,
    /// One entry per line.
    Lines,
    /// Keys separated by commas or spaces.
    Keys,
    /// Any of a set, ticked.
    Checks(fn() -> Vec<(String, String)>),
    /// Text, or absent when empty.
    OptText,
    /// Kept as it was (files, licence types): not edited here.
    Hidden,
}

pub struct Spec {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub hint: &'static str,
}

const fn f(key: &'static str, label: &'static str, kind: Kind) -> Spec {
    Spec {
        key,
        label,
        kind,
        hint: "",
    }
}

const fn h(key: &'static str, label: &'static str, kind: Kind, hint: &'static str) -> Spec {
    Spec {
        key,
        label,
        kind,
        hint,
    }
}

/// A part of the form: the item's own fields (`repeat` false) or a list of rows.
pub struct Section {
    pub key: &'static str,
    pub label: &'static str,
    /// What one row is called (增加一条{row}).
    pub row: &'static str,
    pub repeat: bool,
    pub fields: &'static [Spec],
}

fn options<T: ClosedSet>() -> Vec<(String, String)> {
    T::all()
        .iter()
        .map(|v| (v.wire().to_string(), v.zh().to_string()))
        .collect()
}

fn themes() -> Vec<(String, String)> {
    THEMES
        .iter()
        .map(|t| (t.to_string(), t.to_string()))
        .collect()
}

/// Special procedures an item may list: the suspensions of 行政许可法 第四十五条, not the ones
/// other modules use (补正, disclosure's consultations and fees).
fn special_kinds() -> Vec<(String, String)> {
    options::<SuspensionKind>()
        .into_iter()
        .filter(|(v, _)| {
            !matches!(
                v.as_str(),
                "supplement" | "agency_consultation" | "fee_payment"
            )
        })
        .collect()
}

pub const SECTIONS: &[Section] = &[
    Section {
        key: "",
        label: "基本信息",
        row: "",
        repeat: false,
        fields: &[
            f("name", "事项名称", Kind::Text),
            h(
                "basic_code",
                "基本编码",
                Kind::Text,
                "类别字母加 8 位数字，如 XK00601001",
            ),
            h(
                "implementation_code",
                "实施编码",
                Kind::Text,
                "基本编码＋区划代码＋实施机构统一社会信用代码＋办理项编号，共 42 位",
            ),
            f("item_type", "事项类型", Kind::Choice(options::<ItemType>)),
            f("department_id", "实施部门", Kind::Department),
            f("level", "行使层级", Kind::Choice(options::<Level>)),
            h("region", "区划代码", Kind::Text, "6 位或 12 位统计区划代码"),
            f(
                "service_object",
                "服务对象",
                Kind::Choice(options::<ServiceObject>),
            ),
            f("themes", "主题分类", Kind::Checks(themes)),
            h(
                "online_depth",
                "网办深度（1–4）",
                Kind::Number,
                "3 及以上可在线申请",
            ),
        ],
    },
    Section {
        key: "",
        label: "受理条件与时限",
        row: "",
        repeat: false,
        fields: &[
            h("conditions", "受理条件", Kind::Lines, "每行一条"),
            f("quantity_limit", "数量限制（无则留空）", Kind::Long),
            f("statutory_limit_days", "法定时限（工作日）", Kind::Number),
            f("committed_limit_days", "承诺时限（工作日）", Kind::Number),
            f(
                "handling",
                "办件类型",
                Kind::Choice(options::<HandlingKind>),
            ),
            f("max_visits", "到现场次数", Kind::Number),
            f("deemed_approval", "超时默认通过（整个事项）", Kind::Bool),
        ],
    },
    Section {
        key: "legal_basis",
        label: "法律依据",
        row: "依据",
        repeat: true,
        fields: &[
            f("kind", "依据类别", Kind::Choice(options::<BasisKind>)),
            f("title", "法律法规名称", Kind::Text),
            f("article", "条款", Kind::Text),
            f("text", "条文内容", Kind::Long),
        ],
    },
    Section {
        key: "materials",
        label: "申请材料",
        row: "材料",
        repeat: true,
        fields: &[
            h("key", "材料编号", Kind::Text, "如 m1，环节审查时引用"),
            f("name", "材料名称", Kind::Text),
            f("form", "材料形式", Kind::Choice(options::<MaterialForm>)),
            f("copies", "份数", Kind::Number),
            f("required", "必要材料", Kind::Bool),
            f("deferrable", "可容缺（先受理、限期补交）", Kind::Bool),
            f("source", "来源渠道", Kind::Text),
            f("note", "填写说明", Kind::Long),
            f("sample_file", "", Kind::Hidden),
            f("template_file", "", Kind::Hidden),
            f("licence_type", "", Kind::Hidden),
        ],
    },
    Section {
        key: "steps",
        label: "办理环节",
        row: "环节",
        repeat: true,
        fields: &[
            h("key", "环节编号", Kind::Text, "如 s1"),
            f("name", "环节名称", Kind::Text),
            f("kind", "环节类别", Kind::Choice(options::<StepKind>)),
            f("post", "承办岗位", Kind::Text),
            f("department_id", "承办部门", Kind::OptDepartment),
            h("limit_days", "时限（工作日）", Kind::Number, "0 为当场办结"),
            h(
                "parallel_group",
                "并联组编号",
                Kind::OptText,
                "同组环节同时办理；不并联则留空",
            ),
            f("lead", "并联主办", Kind::Bool),
            h(
                "materials",
                "审查的材料编号",
                Kind::Keys,
                "用逗号分隔，如 m1, m2",
            ),
            f("deemed_approval", "超时默认通过", Kind::Bool),
        ],
    },
    Section {
        key: "parallel_groups",
        label: "并联审批组",
        row: "并联组",
        repeat: true,
        fields: &[
            f("key", "并联组编号", Kind::Text),
            f("name", "并联组名称", Kind::Text),
            f("rule", "通过规则", Kind::Choice(options::<GroupRule>)),
        ],
    },
    Section {
        key: "special_procedures",
        label: "特殊环节（不计入时限）",
        row: "特殊环节",
        repeat: true,
        fields: &[
            f("kind", "类别", Kind::Choice(special_kinds)),
            f("description", "说明", Kind::Long),
            f("max_days", "最长（工作日）", Kind::Number),
        ],
    },
    Section {
        key: "fees",
        label: "收费",
        row: "收费项目",
        repeat: true,
        fields: &[
            f("name", "收费项目", Kind::Text),
            f("basis", "收费依据", Kind::Text),
            h("amount_fen", "金额（元）", Kind::Yuan, "如 80 或 12.50"),
        ],
    },
    Section {
        key: "",
        label: "结果与办理地点",
        row: "",
        repeat: false,
        fields: &[
            f("result_name", "办理结果名称", Kind::Text),
            f("result_sample_file", "", Kind::Hidden),
            f("delivery", "送达方式", Kind::Checks(options::<Delivery>)),
            f("place", "办理地点", Kind::Text),
            f("hours", "办理时间", Kind::Text),
            f("consult_phone", "咨询电话", Kind::Text),
            f("complaint_phone", "监督投诉电话", Kind::Text),
        ],
    },
    Section {
        key: "faq",
        label: "常见问题",
        row: "问答",
        repeat: true,
        fields: &[
            f("question", "问题", Kind::Text),
            f("answer", "解答", Kind::Long),
        ],
    },
];

/// The form's values: field path → value (ticked boxes and checks hold `1` or their values,
/// one entry each).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    values: BTreeMap<String, Vec<String>>,
    /// Rows of each list, in order (as indices into the posted names).
    rows: BTreeMap<&'static str, Vec<usize>>,
}

impl Fields {
    fn one(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// The value shown in a field.
    pub fn value(&self, name: &str) -> String {
        self.one(name).to_string()
    }

    pub fn ticked(&self, name: &str, value: &str) -> bool {
        self.all(name).iter().any(|v| v == value)
    }

    pub fn rows(&self, section: &str) -> &[usize] {
        self.rows.get(section).map_or(&[], Vec::as_slice)
    }

    /// The fields of an item.
    pub fn of(item: &Item) -> Fields {
        let doc = serde_json::to_value(item).unwrap_or(Value::Null);
        let mut out = Fields::default();
        for section in SECTIONS {
            if section.repeat {
                let list = doc
                    .get(section.key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                out.rows.insert(section.key, (0..list.len()).collect());
                for (i, row) in list.iter().enumerate() {
                    for spec in section.fields {
                        let name = format!("{}[{i}].{}", section.key, spec.key);
                        out.values.insert(name, shown(spec.kind, row.get(spec.key)));
                    }
                }
            } else {
                for spec in section.fields {
                    out.values
                        .insert(spec.key.to_string(), shown(spec.kind, doc.get(spec.key)));
                }
            }
        }
        out
    }

    /// The fields as posted. Rows ticked 删除 are dropped; `add` gives a list one empty row.
    pub fn posted(pairs: &[(String, String)], add: Option<&str>) -> Fields {
        let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            raw.entry(k.clone()).or_default().push(v.clone());
        }
        let mut out = Fields::default();
        for section in SECTIONS {
            if !section.repeat {
                for spec in section.fields {
                    if let Some(v) = raw.get(spec.key) {
                        out.values.insert(spec.key.to_string(), v.clone());
                    }
                }
                continue;
            }
            // Row numbers as posted, in order, without the removed ones; renumbered from 0.
            let prefix = format!("{}[", section.key);
            let mut posted: Vec<usize> = raw
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .filter_map(|rest| rest.split(']').next()?.parse().ok())
                .collect();
            posted.sort_unstable();
            posted.dedup();
            let mut kept = 0;
            for n in posted {
                if raw.contains_key(&format!("{}[{n}].remove", section.key)) {
                    continue;
                }
                for spec in section.fields {
                    if let Some(v) = raw.get(&format!("{}[{n}].{}", section.key, spec.key)) {
                        out.values
                            .insert(format!("{}[{kept}].{}", section.key, spec.key), v.clone());
                    }
                }
                kept += 1;
            }
            if add == Some(section.key) {
                kept += 1;
            }
            out.rows.insert(section.key, (0..kept).collect());
        }
        out
    }

    /// The item the fields describe, or each field that cannot be read, with why.
    pub fn item(&self) -> Result<Item, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut doc = Map::new();
        for section in SECTIONS {
            if section.repeat {
                let mut list = Vec::new();
                for &i in self.rows(section.key) {
                    let mut row = Map::new();
                    for spec in section.fields {
                        let name = format!("{}[{i}].{}", section.key, spec.key);
                        match read(spec, self.all(&name)) {
                            Ok(Some(v)) => {
                                row.insert(spec.key.to_string(), v);
                            }
                            Ok(None) => {}
                            Err(e) => errors.push((name, e)),
                        }
                    }
                    list.push(Value::Object(row));
                }
                doc.insert(section.key.to_string(), Value::Array(list));
            } else {
                for spec in section.fields {
                    match read(spec, self.all(spec.key)) {
                        Ok(Some(v)) => {
                            doc.insert(spec.key.to_string(), v);
                        }
                        Ok(None) => {}
                        Err(e) => errors.push((spec.key.to_string(), e)),
                    }
                }
            }
        }
        if let Err(e) = BasicCode::parse(self.one("basic_code").trim()) {
            errors.push(("basic_code".into(), e.message));
        }
        if let Err(e) = ImplementationCode::parse(self.one("implementation_code").trim()) {
            errors.push(("implementation_code".into(), e.message));
        }
        if let Err(e) = RegionCode::parse(self.one("region").trim()) {
            errors.push(("region".into(), e.to_string()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        serde_json::from_value(Value::Object(doc))
            .map_err(|e| vec![(String::new(), format!("事项内容有误：{e}"))])
    }
}

/// A value of the document as its field shows it.
fn shown(kind: Kind, v: Option<&Value>) -> Vec<String> {
    let Some(v) = v else { return vec![] };
    match (kind, v) {
        (_, Value::Null) => vec![],
        (Kind::Bool, Value::Bool(b)) => {
            if *b {
                vec!["1".into()]
            } else {
                vec![]
            }
        }
        (Kind::Yuan, Value::Number(n)) => {
            let fen = n.as_u64().unwrap_or(0);
            vec![if fen % 100 == 0 {
                (fen / 100).to_string()
            } else {
                format!("{}.{:02}", fen / 100, fen % 100)
            }]
        }
        (Kind::Lines, Value::Array(a)) => vec![a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n")],
        (Kind::Keys, Value::Array(a)) => vec![a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ")],
        (Kind::Checks(_), Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        (_, Value::String(s)) => vec![s.clone()],
        (_, other) => vec![other.to_string()],
    }
}

/// A field's document value from what was posted; `None` leaves it out (its default).
fn read(spec: &Spec, posted: &[String]) -> Result<Option<Value>, String> {
    let text = posted.first().map_or("", |s| s.trim());
    Ok(Some(match spec.kind {
        Kind::Text | Kind::Long => json!(text),
        Kind::OptText | Kind::Hidden => {
            if text.is_empty() {
                return Ok(None);
            }
            json!(text)
        }
        Kind::Number => match text.parse::<u64>() {
            Ok(n) => json!(n),
            Err(_) => return Err("请填写不小于 0 的整数".into()),
        },
        Kind::Yuan => match yuan_to_fen(text) {
            Some(n) => json!(n),
            None => return Err("请填写金额（元），最多两位小数".into()),
        },
        Kind::Bool => json!(!posted.is_empty()),
        Kind::Choice(opts) => {
            if !opts().iter().any(|(v, _)| v == text) {
                return Err("请选择一项".into());
            }
            json!(text)
        }
        Kind::Department => match text.parse::<i64>() {
            Ok(n) => json!(n),
            Err(_) => return Err("请选择实施部门".into()),
        },
        Kind::OptDepartment => {
            if text.is_empty() {
                return Ok(None);
            }
            match text.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => return Err("请选择承办部门".into()),
            }
        }
        Kind::Lines => json!(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()),
        Kind::Keys => json!(text
            .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
            .filter(|k| !k.is_empty())
            .collect::<Vec<_>>()),
        Kind::Checks(opts) => {
            let known = opts();
            let picked: Vec<&String> = posted
                .iter()
                .filter(|p| known.iter().any(|(v, _)| v == *p))
                .collect();
            json!(picked)
        }
    }))
}

/// `80`, `12.5` or `12.50` 元 in 分.
fn yuan_to_fen(text: &str) -> Option<u64> {
    let (whole, part) = match text.split_once('.') {
        Some((w, p)) => (w, p),
        None => (text, ""),
    };
    if whole.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let cents: u64 = if part.is_empty() {
        0
    } else {
        format!("{part:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(cents)
}

// ---- the form as a page shows it

pub struct SectionView {
    pub label: &'static str,
    pub key: &'static str,
    pub row: &'static str,
    pub repeat: bool,
    pub error: Option<String>,
    pub rows: Vec<RowView>,
}

pub struct RowView {
    /// The row's number (0 for the item's own fields).
    pub index: usize,
    pub error: Option<String>,
    pub inputs: Vec<InputView>,
    /// The name of the row's 删除 box (empty for the item's own fields).
    pub remove: String,
}

pub struct InputView {
    pub name: String,
    pub label: &'static str,
    /// `text`, `long`, `number`, `check`, `select`, `checks`, `hidden`.
    pub kind: &'static str,
    pub value: String,
    /// (value, label, chosen)
    pub options: Vec<(String, String, bool)>,
    pub hint: &'static str,
    pub error: Option<String>,
}

/// The form, with each message beside its field (or its row, or its list).
pub fn view(
    fields: &Fields,
    departments: &[(i64, String)],
    issues: &[(String, String)],
) -> Vec<SectionView> {
    let mut by_field: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (field, message) in issues {
        by_field.entry(field.as_str()).or_default().push(message);
    }
    let joined = |key: &str| by_field.get(key).map(|m| m.join("；"));
    let dept_options = |value: &str, optional: bool| {
        let mut o: Vec<(String, String, bool)> = Vec::new();
        if optional {
            o.push((String::new(), "与实施部门相同".into(), value.is_empty()));
        }
        o.extend(
            departments
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone(), id.to_string() == value)),
        );
        o
    };
    let input = |spec: &Spec, name: String| {
        let value = fields.value(&name);
        let (kind, options) = match spec.kind {
            Kind::Text | Kind::OptText => ("text", vec![]),
            Kind::Long | Kind::Lines => ("long", vec![]),
            Kind::Number | Kind::Yuan => ("number", vec![]),
            Kind::Keys => ("text", vec![]),
            Kind::Bool => ("check", vec![]),
            Kind::Hidden => ("hidden", vec![]),
            Kind::Choice(opts) => (
                "select",
                opts()
                    .into_iter()
                    .map(|(v, l)| {
                        let chosen = v == value;
                        (v, l, chosen)
                    })
                    .collect(),
            ),
            Kind::Department => ("select", dept_options(&value, false)),
            Kind::OptDepartment => ("select", dept_options(&value, true)),
            Kind::Checks(opts) => (
                "checks",
                opts()
                    .into_iter()
                    .map(|(v, l)| {
                        let chosen = fields.ticked(&name, &v);
                        (v, l, chosen)
                    })
                    .collect(),
            ),
        };
        InputView {
            error: joined(&name),
            name,
            label: spec.label,
            kind,
            value,
            options,
            hint: spec.hint,
        }
    };
    // A parallel group's rule speaks of `parallel_groups.{key}`: its row.
    let group_row = |key: &str| {
        fields
            .rows("parallel_groups")
            .iter()
            .find(|&&i| fields.value(&format!("parallel_groups[{i}].key")) == key)
            .copied()
    };
    let mut row_errors: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (field, message) in issues {
        if let Some(key) = field.strip_prefix("parallel_groups.") {
            if let Some(i) = group_row(key) {
                row_errors
                    .entry(format!("parallel_groups[{i}]"))
                    .or_default()
                    .push(message);
            }
        } else if field.ends_with(']') {
            row_errors.entry(field.clone()).or_default().push(message);
        }
    }
    SECTIONS
        .iter()
        .map(|s| {
            let rows = if s.repeat {
                fields
                    .rows(s.key)
                    .iter()
                    .map(|&i| {
                        let id = format!("{}[{i}]", s.key);
                        RowView {
                            index: i,
                            error: row_errors.get(&id).map(|m| m.join("；")),
                            inputs: s
                                .fields
                                .iter()
                                .map(|spec| input(spec, format!("{id}.{}", spec.key)))
                                .collect(),
                            remove: format!("{id}.remove"),
                        }
                    })
                    .collect()
            } else {
                vec![RowView {
                    index: 0,
                    error: None,
                    inputs: s
                        .fields
                        .iter()
                        .map(|spec| input(spec, spec.key.to_string()))
                        .collect(),
                    remove: String::new(),
                }]
            };
            SectionView {
                label: s.label,
                key: s.key,
                row: s.row,
                repeat: s.repeat,
                error: if s.repeat { joined(s.key) } else { None },
                rows,
            }
        })
        .collect()
}

/// Messages that have no field on the form (or none that is shown): listed at the top.
pub fn unplaced<'a>(sections: &[SectionView], issues: &'a [(String, String)]) -> Vec<&'a str> {
    let mut shown: Vec<String> = Vec::new();
    for s in sections {
        if s.repeat {
            shown.push(s.key.to_string());
        }
        for r in &s.rows {
            if r.error.is_some() {
                shown.push(r.remove.trim_end_matches(".remove").to_string());
            }
            for i in &r.inputs {
                if i.kind != "hidden" {
                    shown.push(i.name.clone());
                }
            }
        }
    }
    // A group's message is placed on its row when the row was found.
    let groups_placed = sections
        .iter()
        .any(|s| s.key == "parallel_groups" && s.rows.iter().any(|r| r.error.is_some()));
    issues
        .iter()
        .filter(|(field, _)| {
            let group_placed = field.starts_with("parallel_groups.") && groups_placed;
            !shown.contains(field) && !group_placed
        })
        .map(|(_, m)| m.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::catalog::sample::food_licence;

    fn pairs(f: &Fields) -> Vec<(String, String)> {
        f.values
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
            .collect()
    }

    #[test]
    fn an_item_goes_through_the_form_unchanged() {
        let item = food_licence();
        let fields = Fields::of(&item);
        let back = Fields::posted(&pairs(&fields), None).item().unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn rows_are_added_and_removed_and_numbers_checked() {
        let item = food_licence();
        let mut p = pairs(&Fields::of(&item));
        p.push(("materials[0].remove".into(), "1".into()));
        let fields = Fields::posted(&p, Some("fees"));
        assert_eq!(fields.rows("materials").len(), item.materials.len() - 1);
        assert_eq!(fields.rows("fees").len(), item.fees.len() + 1);
        assert_eq!(
            fields.value("materials[0].name"),
            item.materials[1].name,
            "renumbered"
        );
        let mut p = pairs(&Fields::of(&item));
        p.retain(|(k, _)| k != "committed_limit_days");
        p.push(("committed_limit_days".into(), "十".into()));
        let errors = Fields::posted(&p, None).item().unwrap_err();
        assert_eq!(errors[0].0, "committed_limit_days");
    }

    #[test]
    fn amounts_are_read_in_yuan() {
        assert_eq!(yuan_to_fen("80"), Some(8000));
        assert_eq!(yuan_to_fen("12.5"), Some(1250));
        assert_eq!(yuan_to_fen("12.05"), Some(1205));
        assert_eq!(yuan_to_fen("1.234"), None);
        assert_eq!(yuan_to_fen("abc"), None);
    }
}
