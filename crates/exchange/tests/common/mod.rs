//! Helpers shared by the exchange tests: departments, and workbooks as grids of text.
#![allow(dead_code)]

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Reader, Xlsx};
use tongban_domain::catalog::sample;
use tongban_exchange::CatalogRow;

pub const DEPARTMENTS: [(i64, &str); 2] =
    [(1, "清江市市场监督管理局"), (6, "清江市卫生健康委员会")];

pub fn dept_name(id: i64) -> Option<String> {
    DEPARTMENTS
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, n)| n.to_string())
}

pub fn dept_id(name: &str) -> Option<i64> {
    DEPARTMENTS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(i, _)| *i)
}

pub fn rows() -> Vec<CatalogRow> {
    vec![
        CatalogRow {
            item: sample::food_licence(),
            status: "已发布".into(),
            version: 3,
        },
        CatalogRow {
            item: sample::birth_registration(),
            status: "草稿".into(),
            version: 1,
        },
    ]
}

/// A sheet as text: its name and rows of cells, the header first.
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    pub fn column(&self, header: &str) -> usize {
        self.rows[0]
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("{} has no column {header}", self.name))
    }

    /// Sets a cell by 1-based Excel row and header text.
    pub fn set(&mut self, row: usize, header: &str, value: &str) {
        let c = self.column(header);
        self.rows[row - 1][c] = value.to_string();
    }

    pub fn get(&self, row: usize, header: &str) -> &str {
        &self.rows[row - 1][self.column(header)]
    }

    /// The 1-based row whose `header` cell is `value`, among rows whose first cell is `code`.
    pub fn find(&self, header: &str, value: &str) -> usize {
        let c = self.column(header);
        self.rows
            .iter()
            .position(|r| r[c] == value)
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("no {header} = {value} in {}", self.name))
    }

    pub fn remove_column(&mut self, header: &str) {
        let c = self.column(header);
        for r in &mut self.rows {
            r.remove(c);
        }
    }
}

/// Reads every sheet of a workbook as text.
pub fn read(bytes: &[u8]) -> Vec<Grid> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("a sheet");
            let width = range.width();
            let rows = range
                .rows()
                .map(|r| {
                    let mut cells: Vec<String> = r.iter().map(|d| d.to_string()).collect();
                    cells.resize(width, String::new());
                    cells
                })
                .collect();
            Grid { name, rows }
        })
        .collect()
}

/// Writes grids back as a workbook of text cells (numbers too, as a person may type them).
pub fn write(grids: &[Grid]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for g in grids {
        let ws = wb.add_worksheet();
        ws.set_name(&g.name).unwrap();
        for (r, row) in g.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    ws.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub fn grid<'a>(grids: &'a mut [Grid], name: &str) -> &'a mut Grid {
    grids
        .iter_mut()
        .find(|g| g.name == name)
        .expect("the sheet")
}
