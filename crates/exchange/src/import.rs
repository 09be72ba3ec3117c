//! A workbook back into items: every cell is read and every error kept, then every assembled
//! item keeps the domain's rules ([`Item::check`]), each broken rule pointed at its cell.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use tongban_domain::catalog::{
    BasicCode, BasisKind, Fee, ImplementationCode, Issue, Item, ItemType, LegalBasis, Material,
    ParallelGroup, SpecialProcedure, Step,
};
use tongban_domain::error::coded;
use tongban_domain::region::RegionCode;
use tongban_domain::{codes, ErrorCode};

use crate::template::{self, fee, group, item as col, material, special, step};
use crate::text::{
    levels, parse_basis_line, parse_faq_line, parse_online_depth, parse_rule, parse_yes_no,
    parse_yuan_number, parse_yuan_text, split_lines, split_list, DELIVERIES, FORMS, HANDLING,
    SERVICE_OBJECTS, STEP_KINDS, SUSPENSIONS,
};
use crate::{CellError, ImportErrors};

const MISSING_SHEET: codes::Import = codes::Import::MissingSheet;
const MISSING_COLUMN: codes::Import = codes::Import::MissingColumn;
const BAD_VALUE: codes::Import = codes::Import::BadValue;
const UNKNOWN_DEPARTMENT: codes::Import = codes::Import::UnknownDepartment;
const DUPLICATE: codes::Import = codes::Import::Duplicate;
const UNKNOWN_ITEM: codes::Import = codes::Import::UnknownItem;
const UNREADABLE: codes::Import = codes::Import::Unreadable;

/// One sheet with its header row read.
struct Sheet {
    name: &'static str,
    range: Range<Data>,
    cols: HashMap<&'static str, u32>,
}

impl Sheet {
    fn get(&self, row: u32, column: &str) -> &Data {
        self.cols
            .get(column)
            .and_then(|&c| self.range.get_value((row, c)))
            .unwrap_or(&Data::Empty)
    }

    /// Absolute 0-based indices of the data rows (below the header), skipping blank rows.
    fn data_rows(&self, columns: &[&'static str]) -> Vec<u32> {
        let Some((end, _)) = self.range.end() else {
            return Vec::new();
        };
        (1..=end)
            .filter(|&r| {
                columns
                    .iter()
                    .any(|c| !cell_text(self.get(r, c)).is_empty())
            })
            .collect()
    }
}

/// A cell as text: strings trimmed with line ends normalised, whole numbers without `.0`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .trim()
            .to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// Collects errors for the whole workbook.
#[derive(Default)]
struct Errors(Vec<CellError>);

impl Errors {
    fn push(
        &mut self,
        sheet: &str,
        row: u32,
        column: &str,
        code: impl Into<ErrorCode>,
        message: String,
    ) {
        self.0.push(CellError {
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            code: code.into(),
            message,
        });
    }
}

/// Reads one row's cells, noting every bad one.
struct RowReader<'a> {
    sheet: &'a Sheet,
    r: u32,
    errors: &'a mut Errors,
    ok: bool,
}

impl<'a> RowReader<'a> {
    fn new(sheet: &'a Sheet, r: u32, errors: &'a mut Errors) -> Self {
        RowReader {
            sheet,
            r,
            errors,
            ok: true,
        }
    }

    /// 1-based, as Excel shows it.
    fn row(&self) -> u32 {
        self.r + 1
    }

    fn text(&self, column: &str) -> String {
        cell_text(self.sheet.get(self.r, column))
    }

    fn fail(&mut self, column: &str, code: impl Into<ErrorCode>, message: String) {
        self.ok = false;
        let row = self.row();
        self.errors
            .push(self.sheet.name, row, column, code, message);
    }

    fn uint(&mut self, column: &str, max: u64) -> Option<u64> {
        let value = match self.sheet.get(self.r, column) {
            Data::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f <= max as f64 => Some(*f as u64),
            Data::Int(i) if *i >= 0 && (*i as u64) <= max => Some(*i as u64),
            Data::String(s) => s.trim().parse::<u64>().ok().filter(|n| *n <= max),
            _ => None,
        };
        if value.is_none() {
            let text = self.text(column);
            let message = if text.is_empty() {
                format!("“{column}”不能为空，请填写0至{max}的整数")
            } else {
                format!("“{column}”应为0至{max}的整数，现为“{text}”")
            };
            self.fail(column, BAD_VALUE, message);
        }
        value
    }

    fn u32(&mut self, column: &str) -> Option<u32> {
        self.uint(column, 3650).map(|n| n as u32)
    }

    fn u8(&mut self, column: &str) -> Option<u8> {
        self.uint(column, 255).map(|n| n as u8)
    }

    /// 是/否; a blank cell reads as `blank` when given.
    fn flag(&mut self, column: &str, blank: Option<bool>) -> Option<bool> {
        let text = self.text(column);
        match (text.is_empty(), blank) {
            (true, Some(b)) => Some(b),
            _ => {
                let v = parse_yes_no(&text);
                if v.is_none() {
                    self.fail(
                        column,
                        BAD_VALUE,
                        format!("“{column}”应填“是”或“否”，现为“{text}”"),
                    );
                }
                v
            }
        }
    }

    /// One of a fixed set of labels.
    fn pick<T: Copy>(
        &mut self,
        column: &str,
        options: impl IntoIterator<Item = (T, &'static str)>,
    ) -> Option<T> {
        let text = self.text(column);
        let options: Vec<(T, &str)> = options.into_iter().collect();
        let found = options.iter().find(|(_, l)| *l == text).map(|(v, _)| *v);
        if found.is_none() {
            let labels: Vec<&str> = options.iter().map(|(_, l)| *l).collect();
            self.fail(
                column,
                BAD_VALUE,
                format!(
                    "“{column}”应为以下之一：{}；现为“{text}”",
                    labels.join("、")
                ),
            );
        }
        found
    }

    fn department(&mut self, column: &str, dept_id: &dyn Fn(&str) -> Option<i64>) -> Option<i64> {
        let text = self.text(column);
        let id = dept_id(&text);
        if id.is_none() {
            let message = if text.is_empty() {
                format!("“{column}”不能为空，请填写部门全称")
            } else {
                format!("部门“{text}”不存在，请填写系统中部门的全称")
            };
            self.fail(column, UNKNOWN_DEPARTMENT, message);
        }
        id
    }
}

/// Where an assembled item's parts came from, to point its rule breaks at cells.
#[derive(Default)]
struct Rows {
    item: u32,
    materials: Vec<u32>,
    steps: Vec<u32>,
    groups: Vec<(String, u32)>,
    fees: Vec<u32>,
    specials: Vec<u32>,
    /// Sheets some of whose rows for this item could not be read, so the rules that look
    /// across rows (unused materials, group sizes…) would only echo those errors.
    incomplete: HashSet<&'static str>,
}

struct Entry {
    item: Item,
    rows: Rows,
}

/// All entries by normalised implementation code, plus codes whose 事项 row failed.
struct Catalog {
    entries: Vec<Entry>,
    by_code: HashMap<String, usize>,
    failed: HashSet<String>,
    /// False when 事项 could not be read: references then cannot be judged.
    usable: bool,
}

fn norm_code(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

impl Catalog {
    /// Finds the entry a child row belongs to; reports a reference to no item at all.
    fn resolve(&self, reader: &mut RowReader, column: &str) -> Option<usize> {
        let code = norm_code(&reader.text(column));
        if let Some(&i) = self.by_code.get(&code) {
            return Some(i);
        }
        if self.usable && !self.failed.contains(&code) {
            let message = if code.is_empty() {
                "“实施编码”不能为空：须填写本行所属事项的实施编码".to_string()
            } else {
                format!("实施编码“{code}”在“事项”表中不存在")
            };
            reader.fail(column, UNKNOWN_ITEM, message);
        }
        None
    }
}

fn open_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    names: &[String],
    name: &'static str,
    required: &[&'static str],
    errors: &mut Errors,
) -> Option<Sheet> {
    if !names.iter().any(|n| n == name) {
        errors.push(
            name,
            0,
            "",
            MISSING_SHEET,
            format!("缺少工作表“{name}”，请使用导出的模板"),
        );
        return None;
    }
    let range = match wb.worksheet_range(name) {
        Ok(r) => r,
        Err(e) => {
            errors.push(
                name,
                0,
                "",
                MISSING_SHEET,
                format!("工作表“{name}”无法读取：{e}"),
            );
            return None;
        }
    };
    let mut cols = HashMap::new();
    if let Some((_, end_col)) = range.end() {
        for c in 0..=end_col {
            let header = range.get_value((0, c)).map(cell_text).unwrap_or_default();
            if let Some(&known) = required
                .iter()
                .chain([col::STATUS, col::VERSION].iter())
                .find(|h| **h == header)
            {
                cols.entry(known).or_insert(c);
            }
        }
    }
    let mut complete = true;
    for &h in required {
        if !cols.contains_key(h) {
            complete = false;
            errors.push(
                name,
                1,
                h,
                MISSING_COLUMN,
                format!("工作表“{name}”第1行缺少列“{h}”"),
            );
        }
    }
    complete.then_some(Sheet { name, range, cols })
}

/// An item read from a workbook, with the rows it came from, so a rule checked later (one
/// that needs the database) is still reported at its cell.
pub struct ImportedItem {
    pub item: Item,
    rows: Rows,
}

impl ImportedItem {
    /// The cell an issue of this item points at, as `sheet!row:column`.
    pub fn cell(&self, issue: &Issue) -> String {
        let (sheet, row, column) = locate(issue, &self.item, &self.rows);
        format!("{sheet}!{row}:{column}")
    }

    /// The item's own row, at its implementation code.
    pub fn row_cell(&self) -> String {
        format!("{}!{}:{}", template::ITEMS, self.rows.item, col::CODE)
    }
}

/// Reads a catalog workbook in the template of `README.md`. Returns every item, or, when
/// anything at all is wrong, no item and every error with its sheet, row and column.
pub fn import_catalog(
    bytes: &[u8],
    dept_id: &dyn Fn(&str) -> Option<i64>,
) -> Result<Vec<Item>, ImportErrors> {
    Ok(import_catalog_located(bytes, dept_id)?
        .into_iter()
        .map(|e| e.item)
        .collect())
}

/// [`import_catalog`], keeping where each item came from.
pub fn import_catalog_located(
    bytes: &[u8],
    dept_id: &dyn Fn(&str) -> Option<i64>,
) -> Result<Vec<ImportedItem>, ImportErrors> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        ImportErrors(vec![CellError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            code: UNREADABLE.code(),
            message: format!("文件无法作为Excel工作簿（.xlsx）读取：{e}"),
        }])
    })?;
    let names = wb.sheet_names();
    let mut errors = Errors::default();
    let mut sheets: HashMap<&'static str, Sheet> = HashMap::new();
    for (name, required) in [
        (template::ITEMS, &col::REQUIRED[..]),
        (template::MATERIALS, &material::REQUIRED[..]),
        (template::STEPS, &step::REQUIRED[..]),
        (template::GROUPS, &group::REQUIRED[..]),
        (template::FEES, &fee::REQUIRED[..]),
        (template::SPECIALS, &special::REQUIRED[..]),
    ] {
        if let Some(s) = open_sheet(&mut wb, &names, name, required, &mut errors) {
            sheets.insert(name, s);
        }
    }
    // A sheet that could not be read leaves every item incomplete in its respect.
    let unread: HashSet<&'static str> = template::SHEETS
        .into_iter()
        .filter(|s| !sheets.contains_key(s))
        .collect();

    let mut catalog = Catalog {
        entries: Vec::new(),
        by_code: HashMap::new(),
        failed: HashSet::new(),
        usable: sheets.contains_key(template::ITEMS),
    };
    if let Some(sheet) = sheets.get(template::ITEMS) {
        read_items(sheet, dept_id, &mut catalog, &mut errors);
    }
    for entry in &mut catalog.entries {
        entry.rows.incomplete.extend(unread.iter().copied());
    }
    if let Some(sheet) = sheets.get(template::MATERIALS) {
        read_materials(sheet, &mut catalog, &mut errors);
    }
    if let Some(sheet) = sheets.get(template::STEPS) {
        read_steps(sheet, dept_id, &mut catalog, &mut errors);
    }
    if let Some(sheet) = sheets.get(template::GROUPS) {
        read_groups(sheet, &mut catalog, &mut errors);
    }
    if let Some(sheet) = sheets.get(template::FEES) {
        read_fees(sheet, &mut catalog, &mut errors);
    }
    if let Some(sheet) = sheets.get(template::SPECIALS) {
        read_specials(sheet, &mut catalog, &mut errors);
    }

    // The domain's rules on every assembled item, each pointed at its cell; a cell already
    // reported keeps its first error.
    let mut reported: HashSet<(String, u32, String)> = errors
        .0
        .iter()
        .map(|e| (e.sheet.clone(), e.row, e.column.clone()))
        .collect();
    for entry in &catalog.entries {
        for issue in entry.item.check() {
            if echoes_incomplete(&issue, &entry.rows.incomplete) {
                continue;
            }
            let (sheet, row, column) = locate(&issue, &entry.item, &entry.rows);
            if reported.insert((sheet.to_string(), row, column.to_string())) {
                errors.push(sheet, row, column, issue.code, issue.message);
            }
        }
    }

    if errors.0.is_empty() {
        return Ok(catalog
            .entries
            .into_iter()
            .map(|e| ImportedItem {
                item: e.item,
                rows: e.rows,
            })
            .collect());
    }
    let order = |s: &str| template::SHEETS.iter().position(|n| *n == s).unwrap_or(0);
    errors.0.sort_by_key(|e| (order(&e.sheet), e.row));
    Err(ImportErrors(errors.0))
}

fn read_items(
    sheet: &Sheet,
    dept_id: &dyn Fn(&str) -> Option<i64>,
    catalog: &mut Catalog,
    errors: &mut Errors,
) {
    let mut first_row: HashMap<String, u32> = HashMap::new();
    for r in sheet.data_rows(&col::REQUIRED) {
        let mut rd = RowReader::new(sheet, r, errors);
        let code_text = norm_code(&rd.text(col::CODE));
        if let Some(first) = first_row.get(&code_text) {
            rd.fail(
                col::CODE,
                DUPLICATE,
                format!("实施编码“{code_text}”与第{first}行重复"),
            );
            continue;
        }
        if !code_text.is_empty() {
            first_row.insert(code_text.clone(), rd.row());
        }
        let basic = BasicCode::parse(&rd.text(col::BASIC_CODE))
            .map_err(|e| rd.fail(col::BASIC_CODE, e.code, e.message))
            .ok();
        let implementation = ImplementationCode::parse(&code_text)
            .map_err(|e| rd.fail(col::CODE, e.code, e.message))
            .ok();
        let item_type = rd.pick(col::TYPE, ItemType::ALL.map(|t| (t, t.label())));
        let department_id = rd.department(col::DEPARTMENT, dept_id);
        let level = rd.pick(col::LEVEL, levels());
        let region = RegionCode::parse(&rd.text(col::REGION))
            .map_err(|e| {
                let e = coded(e);
                rd.fail(col::REGION, e.code, e.message)
            })
            .ok();
        let service_object = rd.pick(col::SERVICE_OBJECT, SERVICE_OBJECTS.map(|s| (s, s.label())));
        let mut legal_basis = Vec::new();
        for (column, kind) in [
            (col::SETTING_BASIS, BasisKind::Setting),
            (col::IMPLEMENTING_BASIS, BasisKind::Implementing),
        ] {
            for line in split_lines(&rd.text(column)) {
                match parse_basis_line(&line) {
                    Ok((title, article, text)) => legal_basis.push(LegalBasis {
                        kind,
                        title,
                        article,
                        text,
                    }),
                    Err(message) => rd.fail(column, BAD_VALUE, message),
                }
            }
        }
        let conditions = split_lines(&rd.text(col::CONDITIONS));
        let quantity_limit = rd.text(col::QUANTITY_LIMIT);
        let statutory = rd.u32(col::STATUTORY);
        let committed = rd.u32(col::COMMITTED);
        let handling = rd.pick(col::HANDLING, HANDLING.map(|h| (h, h.label())));
        let max_visits = rd.u8(col::VISITS);
        let mut delivery = Vec::new();
        for part in split_list(&rd.text(col::DELIVERY)) {
            match DELIVERIES.into_iter().find(|d| d.label() == part) {
                Some(d) => delivery.push(d),
                None => {
                    let labels: Vec<&str> = DELIVERIES.iter().map(|d| d.label()).collect();
                    rd.fail(
                        col::DELIVERY,
                        BAD_VALUE,
                        format!(
                            "送达方式“{part}”不是可选值：{}（多项用顿号分隔）",
                            labels.join("、")
                        ),
                    );
                }
            }
        }
        let depth_text = rd.text(col::ONLINE_DEPTH);
        let online_depth = parse_online_depth(&depth_text);
        if online_depth.is_none() {
            rd.fail(
                col::ONLINE_DEPTH,
                BAD_VALUE,
                format!("“网办深度”应为1至4的数字（或“三级”等），现为“{depth_text}”"),
            );
        }
        let deemed = rd.flag(col::DEEMED, Some(false));
        let themes = split_list(&rd.text(col::THEMES));
        let mut faq = Vec::new();
        for line in split_lines(&rd.text(col::FAQ)) {
            match parse_faq_line(&line) {
                Ok(f) => faq.push(f),
                Err(message) => rd.fail(col::FAQ, BAD_VALUE, message),
            }
        }
        let row = rd.row();
        let ok = rd.ok;
        let assembled = (|| {
            Some(Item {
                basic_code: basic?,
                implementation_code: implementation?,
                name: sheet_text(sheet, r, col::NAME),
                item_type: item_type?,
                department_id: department_id?,
                level: level?,
                region: region?,
                service_object: service_object?,
                legal_basis,
                conditions,
                quantity_limit,
                materials: Vec::new(),
                steps: Vec::new(),
                parallel_groups: Vec::new(),
                special_procedures: Vec::new(),
                statutory_limit_days: statutory?,
                committed_limit_days: committed?,
                handling: handling?,
                max_visits: max_visits?,
                fees: Vec::new(),
                result_name: sheet_text(sheet, r, col::RESULT),
                result_sample_file: None,
                delivery,
                place: sheet_text(sheet, r, col::PLACE),
                hours: sheet_text(sheet, r, col::HOURS),
                consult_phone: sheet_text(sheet, r, col::CONSULT),
                complaint_phone: sheet_text(sheet, r, col::COMPLAINT),
                faq,
                online_depth: online_depth?,
                deemed_approval: deemed?,
                themes,
            })
        })();
        match assembled.filter(|_| ok) {
            Some(item) => {
                catalog.by_code.insert(code_text, catalog.entries.len());
                catalog.entries.push(Entry {
                    item,
                    rows: Rows {
                        item: row,
                        ..Rows::default()
                    },
                });
            }
            None if !code_text.is_empty() => {
                catalog.failed.insert(code_text);
            }
            None => {}
        }
    }
}

fn sheet_text(sheet: &Sheet, r: u32, column: &str) -> String {
    cell_text(sheet.get(r, column))
}

/// Keys already used in this item's sheet, with the row that used them first.
fn check_duplicate(
    rd: &mut RowReader,
    column: &str,
    key: &str,
    seen: &mut HashMap<(usize, String), u32>,
    entry: usize,
    what: &str,
) {
    if key.is_empty() {
        return;
    }
    match seen.get(&(entry, key.to_string())) {
        Some(first) => rd.fail(
            column,
            DUPLICATE,
            format!("{what}“{key}”在同一事项中与第{first}行重复"),
        ),
        None => {
            seen.insert((entry, key.to_string()), rd.row());
        }
    }
}

fn read_materials(sheet: &Sheet, catalog: &mut Catalog, errors: &mut Errors) {
    let mut seen = HashMap::new();
    for r in sheet.data_rows(&material::REQUIRED) {
        let mut rd = RowReader::new(sheet, r, errors);
        let entry = catalog.resolve(&mut rd, material::CODE);
        let key = rd.text(material::KEY);
        let form = rd.pick(material::FORM, FORMS.map(|f| (f, f.label())));
        let copies = rd.u8(material::COPIES);
        let required = rd.flag(material::REQUIRED_FLAG, None);
        let deferrable = rd.flag(material::DEFERRABLE, Some(false));
        let Some(entry) = entry else { continue };
        let parsed = (|| {
            Some(Material {
                key: key.clone(),
                name: rd.text(material::NAME),
                form: form?,
                copies: copies?,
                required: required?,
                deferrable: deferrable?,
                source: rd.text(material::SOURCE),
                sample_file: None,
                template_file: None,
                note: rd.text(material::NOTE),
                licence_type: None,
            })
        })();
        check_duplicate(&mut rd, material::KEY, &key, &mut seen, entry, "材料编号");
        let row = rd.row();
        let e = &mut catalog.entries[entry];
        match parsed {
            Some(m) => {
                e.item.materials.push(m);
                e.rows.materials.push(row);
            }
            None => {
                e.rows.incomplete.insert(template::MATERIALS);
            }
        }
    }
}

fn read_steps(
    sheet: &Sheet,
    dept_id: &dyn Fn(&str) -> Option<i64>,
    catalog: &mut Catalog,
    errors: &mut Errors,
) {
    let mut seen = HashMap::new();
    for r in sheet.data_rows(&step::REQUIRED) {
        let mut rd = RowReader::new(sheet, r, errors);
        let entry = catalog.resolve(&mut rd, step::CODE);
        let key = rd.text(step::KEY);
        let kind = rd.pick(step::KIND, STEP_KINDS.map(|k| (k, k.label())));
        let department_id = if rd.text(step::DEPARTMENT).is_empty() {
            Some(None)
        } else {
            rd.department(step::DEPARTMENT, dept_id).map(Some)
        };
        let limit_days = rd.u32(step::LIMIT);
        let group = Some(rd.text(step::GROUP)).filter(|g| !g.is_empty());
        let lead = rd.flag(step::LEAD, Some(false));
        let deemed = rd.flag(step::DEEMED, Some(false));
        let Some(entry) = entry else { continue };
        let parsed = (|| {
            Some(Step {
                key: key.clone(),
                name: rd.text(step::NAME),
                kind: kind?,
                post: rd.text(step::POST),
                department_id: department_id?,
                limit_days: limit_days?,
                parallel_group: group,
                lead: lead?,
                materials: split_list(&rd.text(step::MATERIALS)),
                deemed_approval: deemed?,
            })
        })();
        check_duplicate(&mut rd, step::KEY, &key, &mut seen, entry, "环节编号");
        let row = rd.row();
        let e = &mut catalog.entries[entry];
        match parsed {
            Some(s) => {
                e.item.steps.push(s);
                e.rows.steps.push(row);
            }
            None => {
                e.rows.incomplete.insert(template::STEPS);
            }
        }
    }
}

fn read_groups(sheet: &Sheet, catalog: &mut Catalog, errors: &mut Errors) {
    let mut seen = HashMap::new();
    for r in sheet.data_rows(&group::REQUIRED) {
        let mut rd = RowReader::new(sheet, r, errors);
        let entry = catalog.resolve(&mut rd, group::CODE);
        let key = rd.text(group::KEY);
        let rule_text = rd.text(group::RULE);
        let rule = parse_rule(&rule_text);
        if rule.is_none() {
            rd.fail(
                group::RULE,
                BAD_VALUE,
                format!("“规则”应为“全部同意方可通过”或“任一同意即可通过”，现为“{rule_text}”"),
            );
        }
        if key.is_empty() {
            rd.fail(group::KEY, BAD_VALUE, "“组编号”不能为空".to_string());
        }
        let Some(entry) = entry else { continue };
        check_duplicate(&mut rd, group::KEY, &key, &mut seen, entry, "并联组编号");
        let row = rd.row();
        let name = rd.text(group::NAME);
        let e = &mut catalog.entries[entry];
        match rule.filter(|_| !key.is_empty()) {
            Some(rule) => {
                e.rows.groups.push((key.clone(), row));
                e.item
                    .parallel_groups
                    .push(ParallelGroup { key, name, rule });
            }
            None => {
                e.rows.incomplete.insert(template::GROUPS);
            }
        }
    }
}

fn read_fees(sheet: &Sheet, catalog: &mut Catalog, errors: &mut Errors) {
    for r in sheet.data_rows(&fee::REQUIRED) {
        let mut rd = RowReader::new(sheet, r, errors);
        let entry = catalog.resolve(&mut rd, fee::CODE);
        let amount = match sheet.get(r, fee::AMOUNT) {
            Data::Float(x) => parse_yuan_number(*x),
            Data::Int(i) => u64::try_from(*i).ok().and_then(|y| y.checked_mul(100)),
            other => parse_yuan_text(&cell_text(other)),
        };
        if amount.is_none() {
            let text = rd.text(fee::AMOUNT);
            rd.fail(
                fee::AMOUNT,
                BAD_VALUE,
                format!("“金额（元）”应为不小于0、最多两位小数的金额，现为“{text}”"),
            );
        }
        let Some(entry) = entry else { continue };
        let e = &mut catalog.entries[entry];
        match amount {
            Some(amount_fen) => {
                e.item.fees.push(Fee {
                    name: cell_text(sheet.get(r, fee::NAME)),
                    basis: cell_text(sheet.get(r, fee::BASIS)),
                    amount_fen,
                });
                e.rows.fees.push(r + 1);
            }
            None => {
                e.rows.incomplete.insert(template::FEES);
            }
        }
    }
}

fn read_specials(sheet: &Sheet, catalog: &mut Catalog, errors: &mut Errors) {
    for r in sheet.data_rows(&special::REQUIRED) {
        let mut rd = RowReader::new(sheet, r, errors);
        let entry = catalog.resolve(&mut rd, special::CODE);
        let kind = rd.pick(special::KIND, SUSPENSIONS.map(|k| (k, k.label())));
        let max_days = rd.u32(special::MAX_DAYS);
        let description = rd.text(special::DESCRIPTION);
        let Some(entry) = entry else { continue };
        let e = &mut catalog.entries[entry];
        match (kind, max_days) {
            (Some(kind), Some(max_days)) => {
                e.item.special_procedures.push(SpecialProcedure {
                    kind,
                    description,
                    max_days,
                });
                e.rows.specials.push(r + 1);
            }
            _ => {
                e.rows.incomplete.insert(template::SPECIALS);
            }
        }
    }
}

/// Whether a rule break only follows from rows that could not be read (already reported).
fn echoes_incomplete(issue: &Issue, incomplete: &HashSet<&'static str>) -> bool {
    let f = issue.field.as_str();
    let c = issue.code;
    (incomplete.contains(template::MATERIALS)
        && (c == codes::Catalog::MaterialUnknown
            || (c == codes::Catalog::Required && f == "materials")))
        || (incomplete.contains(template::STEPS)
            && (matches!(
                c,
                codes::Catalog::MaterialUnused
                    | codes::Catalog::GroupSize
                    | codes::Catalog::GroupLead
                    | codes::Catalog::GroupSplit
                    | codes::Catalog::FirstStepIntake
                    | codes::Catalog::StepsExceedLimit
                    | codes::Catalog::InstantLimit
            ) || (c == codes::Catalog::Required && f == "steps")))
        || (incomplete.contains(template::GROUPS) && c == codes::Catalog::GroupUnknown)
}

/// Splits `materials[2].name` into (`materials`, Some(2), `name`); `parallel_groups.g1` into
/// (`parallel_groups`, None, `g1`).
fn parse_field(field: &str) -> (&str, Option<usize>, &str) {
    if let Some(open) = field.find('[') {
        if let Some(close) = field[open..].find(']') {
            let index = field[open + 1..open + close].parse().ok();
            let rest = field[open + close + 1..].trim_start_matches('.');
            return (&field[..open], index, rest);
        }
    }
    match field.split_once('.') {
        Some((base, rest)) => (base, None, rest),
        None => (field, None, ""),
    }
}

/// The sheet, 1-based row and column an issue of an assembled item concerns.
fn locate(issue: &Issue, item: &Item, rows: &Rows) -> (&'static str, u32, &'static str) {
    let at_item = |column| (template::ITEMS, rows.item, column);
    let (base, index, rest) = parse_field(&issue.field);
    let row_of = |list: &Vec<u32>| index.and_then(|i| list.get(i).copied());
    match base {
        "materials" => match row_of(&rows.materials) {
            Some(row) => {
                let column = match rest {
                    "key" => material::KEY,
                    "copies" => material::COPIES,
                    "deferrable" => material::DEFERRABLE,
                    "required" => material::REQUIRED_FLAG,
                    _ => material::NAME,
                };
                (template::MATERIALS, row, column)
            }
            None => at_item(col::NAME),
        },
        "steps" => match row_of(&rows.steps) {
            Some(row) => {
                let blank_name = index
                    .and_then(|i| item.steps.get(i))
                    .is_some_and(|s| s.name.trim().is_empty());
                let column = match rest {
                    "kind" => step::KIND,
                    "key" => step::KEY,
                    "materials" => step::MATERIALS,
                    "lead" => step::LEAD,
                    "parallel_group" => step::GROUP,
                    "limit_days" => step::LIMIT,
                    _ if blank_name => step::NAME,
                    "" => step::POST,
                    _ => step::NAME,
                };
                (template::STEPS, row, column)
            }
            None if issue.code == codes::Catalog::StepsExceedLimit => at_item(col::COMMITTED),
            None => at_item(col::NAME),
        },
        "parallel_groups" => match rows.groups.iter().find(|(k, _)| k == rest) {
            Some((_, row)) => (template::GROUPS, *row, group::KEY),
            None => at_item(col::NAME),
        },
        "fees" => match row_of(&rows.fees) {
            Some(row) => {
                let blank_name = index
                    .and_then(|i| item.fees.get(i))
                    .is_some_and(|f| f.name.trim().is_empty());
                let column = match rest {
                    "amount_fen" => fee::AMOUNT,
                    _ if blank_name => fee::NAME,
                    _ => fee::BASIS,
                };
                (template::FEES, row, column)
            }
            None => at_item(col::NAME),
        },
        "special_procedures" => match row_of(&rows.specials) {
            Some(row) => {
                let blank = index
                    .and_then(|i| item.special_procedures.get(i))
                    .is_some_and(|p| p.description.trim().is_empty());
                let column = if blank {
                    special::DESCRIPTION
                } else {
                    special::MAX_DAYS
                };
                (template::SPECIALS, row, column)
            }
            None => at_item(col::NAME),
        },
        "legal_basis" => {
            let kind = index.and_then(|i| item.legal_basis.get(i)).map(|b| b.kind);
            match kind {
                Some(BasisKind::Implementing) => at_item(col::IMPLEMENTING_BASIS),
                _ => at_item(col::SETTING_BASIS),
            }
        }
        other => at_item(match other {
            "basic_code" => col::BASIC_CODE,
            "implementation_code" => col::CODE,
            "name" => col::NAME,
            "item_type" => col::TYPE,
            "level" => col::LEVEL,
            "region" => col::REGION,
            "service_object" => col::SERVICE_OBJECT,
            "conditions" => col::CONDITIONS,
            "quantity_limit" => col::QUANTITY_LIMIT,
            "statutory_limit_days" => col::STATUTORY,
            "committed_limit_days" => col::COMMITTED,
            "handling" => col::HANDLING,
            "max_visits" => col::VISITS,
            "result_name" => col::RESULT,
            "delivery" => col::DELIVERY,
            "place" => col::PLACE,
            "hours" => col::HOURS,
            "consult_phone" => col::CONSULT,
            "complaint_phone" => col::COMPLAINT,
            "online_depth" => col::ONLINE_DEPTH,
            "deemed_approval" => col::DEEMED,
            "themes" => col::THEMES,
            "faq" => col::FAQ,
            "department_id" => col::DEPARTMENT,
            _ => col::NAME,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_field;

    #[test]
    fn fields_split_into_list_index_and_element() {
        assert_eq!(
            parse_field("materials[2].name"),
            ("materials", Some(2), "name")
        );
        assert_eq!(parse_field("materials[1]"), ("materials", Some(1), ""));
        assert_eq!(
            parse_field("parallel_groups.g1"),
            ("parallel_groups", None, "g1")
        );
        assert_eq!(
            parse_field("committed_limit_days"),
            ("committed_limit_days", None, "")
        );
    }
}
