//! The power list (权力清单) as 一表一图一件一盘: a table row per power, a flowchart per power,
//! its basis documents, and all of it in one electronic bundle.

use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Write};

use rust_xlsxwriter::Workbook;
use tongban_domain::catalog::flowchart::flowchart_svg;
use tongban_domain::catalog::{yuan, BasisKind, Item};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::export::{department, write_sheet, Cell};
use crate::text::{basis_line, file_safe};
use crate::{CatalogRow, ExchangeError};

/// The table's sheet, and the bundle's entries.
pub const TABLE_SHEET: &str = "权力清单";
pub const TABLE_FILE: &str = "一表.xlsx";
pub const CHART_DIR: &str = "一图";
pub const BASIS_DIR: &str = "一件";
pub const README_FILE: &str = "说明.txt";

const TABLE_HEADERS: [&str; 21] = [
    "序号",
    "权力类型",
    "基本编码",
    "实施编码",
    "权力名称",
    "实施主体",
    "实施层级",
    "区划代码",
    "服务对象",
    "设定依据",
    "实施依据",
    "办理流程",
    "法定时限（工作日）",
    "承诺时限（工作日）",
    "办件类型",
    "收费",
    "办理结果",
    "咨询电话",
    "监督投诉电话",
    "状态",
    "版本",
];

/// Every department the rows name, or the first one `dept_name` does not know.
fn departments(
    rows: &[CatalogRow],
    dept_name: &dyn Fn(i64) -> Option<String>,
) -> Result<BTreeMap<i64, String>, ExchangeError> {
    let mut map = BTreeMap::new();
    for row in rows {
        let it = &row.item;
        let ids = std::iter::once(it.department_id)
            .chain(it.steps.iter().filter_map(|s| s.department_id));
        for id in ids {
            if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(id) {
                slot.insert(department(dept_name, it, id)?);
            }
        }
    }
    Ok(map)
}

fn days(n: u32) -> String {
    if n == 0 {
        "当场".into()
    } else {
        format!("{n}个工作日")
    }
}

/// The process in one line: serial stages with their limits, parallel stages bracketed.
fn process_summary(item: &Item, depts: &BTreeMap<i64, String>) -> String {
    item.stages()
        .iter()
        .map(|stage| {
            if stage.len() == 1 && stage[0].parallel_group.is_none() {
                format!("{}（{}）", stage[0].name, days(stage[0].limit_days))
            } else {
                let parts: Vec<String> = stage
                    .iter()
                    .map(|s| {
                        let dept = depts
                            .get(&s.department_id.unwrap_or(item.department_id))
                            .map(String::as_str)
                            .unwrap_or_default();
                        let role = if s.lead { "主办" } else { "协办" };
                        format!("{}（{dept}·{role}，{}）", s.name, days(s.limit_days))
                    })
                    .collect();
                format!("［并联］{}", parts.join(" / "))
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn fees_summary(item: &Item) -> String {
    if item.is_free() {
        return "不收费".into();
    }
    item.fees
        .iter()
        .map(|f| format!("{} {}元（{}）", f.name, yuan(f.amount_fen), f.basis))
        .collect::<Vec<_>>()
        .join("\n")
}

fn bases(item: &Item, kind: BasisKind) -> String {
    item.legal_basis
        .iter()
        .filter(|b| b.kind == kind)
        .map(basis_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn table_bytes(
    rows: &[CatalogRow],
    depts: &BTreeMap<i64, String>,
) -> Result<Vec<u8>, ExchangeError> {
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let it = &row.item;
            vec![
                Cell::Number(i as u64 + 1),
                it.item_type.label().into(),
                it.basic_code.to_string().into(),
                it.implementation_code.to_string().into(),
                it.name.clone().into(),
                depts[&it.department_id].clone().into(),
                it.level.label().into(),
                it.region.as_str().into(),
                it.service_object.label().into(),
                bases(it, BasisKind::Setting).into(),
                bases(it, BasisKind::Implementing).into(),
                process_summary(it, depts).into(),
                Cell::Number(it.statutory_limit_days.into()),
                Cell::Number(it.committed_limit_days.into()),
                it.handling.label().into(),
                fees_summary(it).into(),
                it.result_name.clone().into(),
                it.consult_phone.clone().into(),
                it.complaint_phone.clone().into(),
                row.status.clone().into(),
                Cell::Number(row.version.max(0) as u64),
            ]
        })
        .collect();
    let widths = [
        6.0, 12.0, 14.0, 46.0, 24.0, 20.0, 12.0, 10.0, 12.0, 48.0, 48.0, 60.0, 10.0, 10.0, 10.0,
        20.0, 18.0, 14.0, 14.0, 10.0, 6.0,
    ];
    let mut wb = Workbook::new();
    write_sheet(&mut wb, TABLE_SHEET, &TABLE_HEADERS, &widths, &data)?;
    Ok(wb.save_to_buffer()?)
}

/// 一表: the power list as an xlsx workbook, one row per item.
pub fn power_list_table(
    rows: &[CatalogRow],
    dept_name: &dyn Fn(i64) -> Option<String>,
) -> Result<Vec<u8>, ExchangeError> {
    let depts = departments(rows, dept_name)?;
    table_bytes(rows, &depts)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// 一件: the item's legal basis as a small self-contained Chinese HTML page.
pub(crate) fn basis_html(item: &Item, department: &str) -> String {
    let e = html_escape;
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str(&format!("<title>{} · 法律依据</title>\n", e(&item.name)));
    html.push_str(
        "<style>body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;\
         color:#1f2d3d;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.7}\
         h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;border-bottom:2px solid #2b5fab;\
         padding-bottom:.25rem;margin-top:2rem}h3{font-size:1rem;margin:1rem 0 .25rem}\
         dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;color:#4a5563}\
         dt{font-weight:bold}dd{margin:0}blockquote{margin:0;padding:.5rem 1rem;background:#f4f7fc;\
         border-left:4px solid #2b5fab}footer{margin-top:3rem;color:#6b7785;font-size:.85rem}</style>\n",
    );
    html.push_str("</head>\n<body>\n<main>\n");
    html.push_str(&format!("<h1>{}</h1>\n<dl>\n", e(&item.name)));
    for (k, v) in [
        ("事项类型", item.item_type.label().to_string()),
        ("基本编码", item.basic_code.to_string()),
        ("实施编码", item.implementation_code.to_string()),
        ("实施主体", department.to_string()),
        ("实施层级", item.level.label().to_string()),
    ] {
        html.push_str(&format!("<dt>{k}</dt><dd>{}</dd>\n", e(&v)));
    }
    html.push_str("</dl>\n");
    for kind in [BasisKind::Setting, BasisKind::Implementing] {
        html.push_str(&format!("<section>\n<h2>{}</h2>\n", kind.label()));
        let list: Vec<_> = item.legal_basis.iter().filter(|b| b.kind == kind).collect();
        if list.is_empty() {
            html.push_str("<p>无</p>\n");
        }
        for b in list {
            html.push_str(&format!(
                "<article>\n<h3>{}{}</h3>\n<blockquote>{}</blockquote>\n</article>\n",
                e(b.title.trim()),
                e(b.article.trim()),
                e(b.text.trim())
            ));
        }
        html.push_str("</section>\n");
    }
    html.push_str("<footer>本页由事项目录自动生成，条文以正式公布的文本为准。</footer>\n");
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// 一盘: a zip of 一表.xlsx, 一图/<实施编码>-<名称>.svg, 一件/<实施编码>-<名称>.html and 说明.txt.
pub fn power_list_bundle(
    rows: &[CatalogRow],
    dept_name: &dyn Fn(i64) -> Option<String>,
) -> Result<Vec<u8>, ExchangeError> {
    let depts = departments(rows, dept_name)?;
    let name_of = |id: i64| {
        depts
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("部门{id}"))
    };
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));

    zip.start_file(TABLE_FILE, options)?;
    zip.write_all(&table_bytes(rows, &depts)?)?;

    let mut used = HashSet::new();
    let mut listing = Vec::new();
    for row in rows {
        let it = &row.item;
        let base = format!("{}-{}", it.implementation_code, file_safe(&it.name));
        let mut stem = base.clone();
        let mut n = 1;
        // The same item twice (two versions): tell the files apart by version.
        while !used.insert(stem.clone()) {
            stem = if n == 1 {
                format!("{base}-v{}", row.version)
            } else {
                format!("{base}-v{}-{n}", row.version)
            };
            n += 1;
        }
        zip.start_file(format!("{CHART_DIR}/{stem}.svg"), options)?;
        zip.write_all(flowchart_svg(it, &name_of).as_bytes())?;
        zip.start_file(format!("{BASIS_DIR}/{stem}.html"), options)?;
        zip.write_all(basis_html(it, &name_of(it.department_id)).as_bytes())?;
        listing.push(format!(
            "{}. {}（{}，{}，第{}版）",
            listing.len() + 1,
            it.name,
            it.implementation_code,
            if row.status.is_empty() {
                "—"
            } else {
                row.status.as_str()
            },
            row.version
        ));
    }

    let readme = [
        "权力清单“一表一图一件一盘”电子资料包".to_string(),
        String::new(),
        format!("共收录 {} 项权力事项。", rows.len()),
        String::new(),
        format!("{TABLE_FILE}：一表，权力清单总表，每项事项一行（编码、名称、实施主体、依据、流程、时限、收费、结果）。"),
        format!("{CHART_DIR}/：一图，每项事项的办理流程图（SVG 格式，可用浏览器打开），文件名为“实施编码-事项名称”。"),
        format!("{BASIS_DIR}/：一件，每项事项的设定依据和实施依据（HTML 格式，可用浏览器打开）。"),
        format!("{README_FILE}：本说明。"),
        String::new(),
        "事项列表：".to_string(),
    ]
    .into_iter()
    .chain(listing)
    .collect::<Vec<_>>()
    .join("\r\n");
    zip.start_file(README_FILE, options)?;
    zip.write_all(readme.as_bytes())?;
    zip.write_all(b"\r\n")?;

    Ok(zip.finish()?.into_inner())
}
