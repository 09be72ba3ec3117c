//! The catalog in and out of files people already use: an Excel workbook to export, edit and
//! import the implementation list (实施清单), and the power list's 一表一图一件一盘 bundle. Any
//! other list goes out as a plain one-sheet table ([`table::workbook`]).
//!
//! Everything here is pure: bytes in, bytes out. Departments are named through callbacks so
//! the crate needs no store. The workbook's layout is documented in `README.md` beside this
//! crate's `Cargo.toml` and defined once in [`template`].
//!
//! An import is never partial: [`import_catalog`] checks the whole workbook, every cell and then
//! every assembled item's own rules ([`Item::check`]), and returns either every item or every
//! error, each with its sheet, row and column as Excel shows them.

mod blank_form;
mod export;
mod import;
mod power;
pub mod table;
pub mod template;
mod text;

use serde::{Deserialize, Serialize};
use tongban_domain::catalog::Item;
use tongban_domain::Code;
use tongban_domain::{codes, ErrorCode};

pub use blank_form::blank_form_xlsx;
pub use export::export_catalog;
pub use import::{import_catalog, import_catalog_located, ImportedItem};
pub use power::{power_list_bundle, power_list_table};

/// One item as the catalog holds it, with what an export shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    pub item: Item,
    /// The status label shown in the export, e.g. 已发布.
    pub status: String,
    pub version: i32,
}

/// Why a file could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    #[error("事项“{item}”引用的部门（编号{department_id}）不存在")]
    UnknownDepartment { item: String, department_id: i64 },
    #[error("生成Excel文件失败：{0}")]
    Xlsx(String),
    #[error("生成压缩包失败：{0}")]
    Zip(String),
}

impl Code for ExchangeError {
    fn code(&self) -> ErrorCode {
        match self {
            ExchangeError::UnknownDepartment { .. } => codes::Exchange::UnknownDepartment.code(),
            ExchangeError::Xlsx(_) => codes::Exchange::Xlsx.code(),
            ExchangeError::Zip(_) => codes::Exchange::Zip.code(),
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for ExchangeError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExchangeError::Xlsx(e.to_string())
    }
}

impl From<zip::result::ZipError> for ExchangeError {
    fn from(e: zip::result::ZipError) -> Self {
        ExchangeError::Zip(e.to_string())
    }
}

impl From<std::io::Error> for ExchangeError {
    fn from(e: std::io::Error) -> Self {
        ExchangeError::Zip(e.to_string())
    }
}

/// One problem in an imported workbook, where Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    /// The sheet's name, e.g. 材料; empty when the file itself could not be read.
    pub sheet: String,
    /// 1-based as Excel shows it; 0 when the problem is the whole sheet or file.
    pub row: u32,
    /// The column's header text, e.g. 材料名称; empty when the problem is a whole sheet or row.
    pub column: String,
    /// A stable code: `import.*` for the workbook itself, the domain's codes for its rules.
    pub code: ErrorCode,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.sheet.is_empty(), self.row, self.column.is_empty()) {
            (true, _, _) => write!(f, "{}", self.message),
            (false, 0, _) => write!(f, "工作表“{}”：{}", self.sheet, self.message),
            (false, r, true) => write!(f, "工作表“{}”第{r}行：{}", self.sheet, self.message),
            (false, r, false) => write!(
                f,
                "工作表“{}”第{r}行“{}”列：{}",
                self.sheet, self.column, self.message
            ),
        }
    }
}

/// Every problem found in an imported workbook, in sheet and row order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportErrors(pub Vec<CellError>);

impl std::fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "导入失败，共{}处问题", self.0.len())?;
        for e in &self.0 {
            write!(f, "\n{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

impl Code for ImportErrors {
    fn code(&self) -> ErrorCode {
        codes::Import::Invalid.code()
    }
}
