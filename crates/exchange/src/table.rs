//! Any list as a one-sheet workbook: a bold, frozen header row, then one row per line. For the
//! lists people take away to work on (the supervision board's cases, findings and warnings);
//! the catalog has its own template in [`crate::template`].

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};

use crate::ExchangeError;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// A number with decimals, e.g. a rate in percent.
    Number(f64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

/// The longest sheet name Excel accepts.
const SHEET_NAME_MAX: usize = 31;

/// A sheet name Excel accepts: none of `[]:*?/\`, not blank, at most 31 characters.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c => c,
        })
        .take(SHEET_NAME_MAX)
        .collect();
    let clean = clean.trim_matches('\'').trim().to_string();
    if clean.is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

/// Display width in Excel's character units: a Chinese character takes two.
fn width_of(s: &str) -> f64 {
    s.lines()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// A workbook of one sheet named `sheet_name` with `headers` and `rows`. Each column is as
/// wide as its widest cell (within reason); a row shorter than the headers leaves cells empty.
pub fn workbook(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<u8>, ExchangeError> {
    workbook_of(&[Sheet {
        name: sheet,
        headers,
        rows,
    }])
}

/// One sheet of a workbook: its name, header row and rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<Value>],
}

/// A workbook of several sheets, each laid out as [`workbook`] lays out its one (e.g. the
/// annual disclosure report's tables, one per sheet).
pub fn workbook_of(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, ExchangeError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDCE6F2))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let number = Format::new().set_align(FormatAlign::Top);
    let decimal = Format::new()
        .set_num_format("0.0")
        .set_align(FormatAlign::Top);
    let mut wb = Workbook::new();
    for sheet in sheets {
        let (headers, rows) = (sheet.headers, sheet.rows);
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(sheet.name))?;
        let mut widths: Vec<f64> = headers.iter().map(|h| width_of(h)).collect();
        for (c, h) in headers.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| ExchangeError::Xlsx("列数过多".into()))?;
            ws.write_string_with_format(0, c, *h, &header)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| ExchangeError::Xlsx("行数过多".into()))?;
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).map_err(|_| ExchangeError::Xlsx("列数过多".into()))?;
                let w = match cell {
                    Value::Text(s) if s.is_empty() => 0.0,
                    Value::Text(s) => {
                        ws.write_string_with_format(r, col, s, &text)?;
                        width_of(s)
                    }
                    Value::Int(n) => {
                        // Exact in a double up to 2^53, beyond any count or id here.
                        ws.write_number_with_format(r, col, *n as f64, &number)?;
                        width_of(&n.to_string())
                    }
                    Value::Number(n) => {
                        ws.write_number_with_format(r, col, *n, &decimal)?;
                        width_of(&format!("{n:.1}"))
                    }
                };
                if let Some(slot) = widths.get_mut(c) {
                    *slot = slot.max(w);
                } else {
                    widths.push(w);
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| ExchangeError::Xlsx("列数过多".into()))?;
            ws.set_column_width(c, (w + 2.0).clamp(8.0, 60.0))?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn a_table_reads_back_cell_for_cell() {
        let rows = vec![
            vec![
                Value::from("QJ20260302000001"),
                Value::from("张**"),
                Value::from(3_i64),
                Value::from(87.5),
            ],
            vec![Value::from("QJ20260302000002"), Value::from("")],
        ];
        let bytes = workbook(
            "监察/办件:红灯",
            &["办件编号", "申请人", "件数", "比率"],
            &rows,
        )
        .expect("written");
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
        assert_eq!(wb.sheet_names(), vec!["监察_办件_红灯".to_string()]);
        let range = wb.worksheet_range("监察_办件_红灯").expect("the sheet");
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 0), Data::String("办件编号".into()));
        assert_eq!(cell(0, 3), Data::String("比率".into()));
        assert_eq!(cell(1, 0), Data::String("QJ20260302000001".into()));
        assert_eq!(cell(1, 1), Data::String("张**".into()));
        assert_eq!(cell(1, 2), Data::Float(3.0));
        assert_eq!(cell(1, 3), Data::Float(87.5));
        assert_eq!(cell(2, 0), Data::String("QJ20260302000002".into()));
        assert_eq!(cell(2, 1), Data::Empty, "an empty text stays an empty cell");
        assert_eq!(range.height(), 3);
    }

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(sheet_name("a[b]c"), "a_b_c");
        assert_eq!(sheet_name("  "), "Sheet1");
        assert_eq!(sheet_name(&"监".repeat(40)).chars().count(), 31);
    }
}
