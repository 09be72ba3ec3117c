//! Writes the workbook the browser journey uploads to see an import refused: the demo city's
//! food licence with a committed limit over its statutory limit, and a step in a department that
//! does not exist.
//!
//! `cargo run -p tongban-exchange --example faulty_workbook -- e2e/fixtures/import-with-errors.xlsx`

use tongban_domain::catalog::sample;
use tongban_exchange::{export_catalog, CatalogRow};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: faulty_workbook OUT.xlsx")?;
    let mut item = sample::food_licence();
    item.name = "食品经营许可（导入测试）".into();
    item.committed_limit_days = 30;
    item.steps[2].department_id = Some(99);
    let names = |id: i64| match id {
        1 => Some("清江市市场监管局".to_string()),
        6 => Some("清江市卫健委".to_string()),
        99 => Some("清江市不存在局".to_string()),
        _ => None,
    };
    let bytes = export_catalog(
        &[CatalogRow {
            item,
            status: "草稿".into(),
            version: 1,
        }],
        &names,
    )?;
    std::fs::write(&path, bytes)?;
    println!("wrote {path}");
    Ok(())
}
