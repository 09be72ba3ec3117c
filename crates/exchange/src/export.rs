//! The catalog as a workbook: one sheet per element list, keyed by 实施编码.

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};
use tongban_domain::catalog::{BasisKind, Item};

use crate::template::{self, fee, group, item as col, material, special, step};
use crate::text::{basis_line, faq_line, fen_to_yuan, yes_no};
use crate::{CatalogRow, ExchangeError};

/// One cell as the export writes it.
pub(crate) enum Cell {
    Text(String),
    Number(u64),
    Yuan(u64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// Names a department or fails: an export never writes a department the import could not read.
pub(crate) fn department(
    dept_name: &dyn Fn(i64) -> Option<String>,
    item: &Item,
    id: i64,
) -> Result<String, ExchangeError> {
    dept_name(id).ok_or_else(|| ExchangeError::UnknownDepartment {
        item: item.name.clone(),
        department_id: id,
    })
}

/// Writes one sheet: a bold, frozen header row, then the rows; `widths` in characters.
pub(crate) fn write_sheet(
    wb: &mut Workbook,
    name: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<Cell>],
) -> Result<(), ExchangeError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDCE6F2))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let money = Format::new()
        .set_num_format("0.00")
        .set_align(FormatAlign::Top);
    let number = Format::new().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &header)?;
        let width = widths.get(c as usize).copied().unwrap_or(14.0);
        ws.set_column_width(c, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    ws.write_string_with_format(r, c, s, &wrap)?;
                }
                Cell::Number(n) => {
                    ws.write_number_with_format(r, c, *n as f64, &number)?;
                }
                Cell::Yuan(fen) => {
                    ws.write_number_with_format(r, c, fen_to_yuan(*fen), &money)?;
                }
            }
        }
    }
    Ok(())
}

fn basis_cell(item: &Item, kind: BasisKind) -> Cell {
    Cell::Text(
        item.legal_basis
            .iter()
            .filter(|b| b.kind == kind)
            .map(basis_line)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// The catalog as an xlsx workbook in the template of `README.md`: 事项, 材料, 环节, 并联组,
/// 收费, 特殊环节. Fails when an item names a department `dept_name` does not know.
pub fn export_catalog(
    rows: &[CatalogRow],
    dept_name: &dyn Fn(i64) -> Option<String>,
) -> Result<Vec<u8>, ExchangeError> {
    let mut items = Vec::new();
    let mut materials = Vec::new();
    let mut steps = Vec::new();
    let mut groups = Vec::new();
    let mut fees = Vec::new();
    let mut specials = Vec::new();
    for row in rows {
        let it = &row.item;
        let code = it.implementation_code.to_string();
        items.push(vec![
            it.basic_code.to_string().into(),
            code.clone().into(),
            it.name.clone().into(),
            it.item_type.label().into(),
            department(dept_name, it, it.department_id)?.into(),
            it.level.label().into(),
            it.region.as_str().into(),
            it.service_object.label().into(),
            basis_cell(it, BasisKind::Setting),
            basis_cell(it, BasisKind::Implementing),
            it.conditions.join("\n").into(),
            it.quantity_limit.clone().into(),
            Cell::Number(it.statutory_limit_days.into()),
            Cell::Number(it.committed_limit_days.into()),
            it.handling.label().into(),
            Cell::Number(it.max_visits.into()),
            it.result_name.clone().into(),
            it.delivery
                .iter()
                .map(|d| d.label())
                .collect::<Vec<_>>()
                .join("、")
                .into(),
            it.place.clone().into(),
            it.hours.clone().into(),
            it.consult_phone.clone().into(),
            it.complaint_phone.clone().into(),
            Cell::Number(it.online_depth.into()),
            yes_no(it.deemed_approval).into(),
            it.themes.join("，").into(),
            it.faq
                .iter()
                .map(faq_line)
                .collect::<Vec<_>>()
                .join("\n")
                .into(),
            row.status.clone().into(),
            Cell::Number(row.version.max(0) as u64),
        ]);
        for m in &it.materials {
            materials.push(vec![
                code.clone().into(),
                m.key.clone().into(),
                m.name.clone().into(),
                m.form.label().into(),
                Cell::Number(m.copies.into()),
                yes_no(m.required).into(),
                yes_no(m.deferrable).into(),
                m.source.clone().into(),
                m.note.clone().into(),
            ]);
        }
        for s in &it.steps {
            let dept = match s.department_id {
                Some(id) => department(dept_name, it, id)?,
                None => String::new(),
            };
            steps.push(vec![
                code.clone().into(),
                s.key.clone().into(),
                s.name.clone().into(),
                s.kind.label().into(),
                s.post.clone().into(),
                dept.into(),
                Cell::Number(s.limit_days.into()),
                s.parallel_group.clone().unwrap_or_default().into(),
                yes_no(s.lead).into(),
                s.materials.join(",").into(),
                yes_no(s.deemed_approval).into(),
            ]);
        }
        for g in &it.parallel_groups {
            groups.push(vec![
                code.clone().into(),
                g.key.clone().into(),
                g.name.clone().into(),
                g.rule.label().into(),
            ]);
        }
        for f in &it.fees {
            fees.push(vec![
                code.clone().into(),
                f.name.clone().into(),
                f.basis.clone().into(),
                Cell::Yuan(f.amount_fen),
            ]);
        }
        for p in &it.special_procedures {
            specials.push(vec![
                code.clone().into(),
                p.kind.label().into(),
                p.description.clone().into(),
                Cell::Number(p.max_days.into()),
            ]);
        }
    }

    let mut wb = Workbook::new();
    let mut item_headers: Vec<&str> = col::REQUIRED.to_vec();
    item_headers.extend([col::STATUS, col::VERSION]);
    let mut item_widths = vec![
        14.0, 46.0, 24.0, 12.0, 20.0, 12.0, 12.0, 12.0, 48.0, 48.0, 40.0,
    ];
    item_widths.extend([12.0; 17]);
    write_sheet(
        &mut wb,
        template::ITEMS,
        &item_headers,
        &item_widths,
        &items,
    )?;
    write_sheet(
        &mut wb,
        template::MATERIALS,
        &material::REQUIRED,
        &[46.0, 10.0, 30.0, 12.0, 8.0, 8.0, 8.0, 16.0, 24.0],
        &materials,
    )?;
    write_sheet(
        &mut wb,
        template::STEPS,
        &step::REQUIRED,
        &[
            46.0, 10.0, 18.0, 10.0, 12.0, 20.0, 8.0, 10.0, 8.0, 16.0, 10.0,
        ],
        &steps,
    )?;
    write_sheet(
        &mut wb,
        template::GROUPS,
        &group::REQUIRED,
        &[46.0, 10.0, 24.0, 20.0],
        &groups,
    )?;
    write_sheet(
        &mut wb,
        template::FEES,
        &fee::REQUIRED,
        &[46.0, 20.0, 40.0, 12.0],
        &fees,
    )?;
    write_sheet(
        &mut wb,
        template::SPECIALS,
        &special::REQUIRED,
        &[46.0, 16.0, 40.0, 10.0],
        &specials,
    )?;
    Ok(wb.save_to_buffer()?)
}
