//! 一表 and 一盘: the power list table and the zip bundle.

mod common;

use std::io::{Cursor, Read};

use common::{dept_name, read, rows};
use tongban_exchange::{power_list_bundle, power_list_table};

#[test]
fn the_table_has_one_row_per_item() {
    let bytes = power_list_table(&rows(), &dept_name).unwrap();
    let grids = read(&bytes);
    assert_eq!(grids.len(), 1);
    let t = &grids[0];
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.get(2, "权力名称"), "食品经营许可");
    assert_eq!(t.get(2, "实施主体"), "清江市市场监督管理局");
    assert_eq!(t.get(2, "收费"), "不收费");
    assert!(t
        .get(2, "办理流程")
        .contains("［并联］现场核查（清江市市场监督管理局·主办，5个工作日） / 卫生条件审查（清江市卫生健康委员会·协办，4个工作日）"));
    assert_eq!(t.get(3, "办件类型"), "即办件");
}

#[test]
fn the_bundle_holds_the_table_a_chart_and_a_basis_page_per_item() {
    let rows = rows();
    let bytes = power_list_bundle(&rows, &dept_name).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a UTF-8 name").into_owned())
        .collect();
    assert!(names.contains(&"一表.xlsx".to_string()), "{names:?}");
    assert!(names.contains(&"说明.txt".to_string()), "{names:?}");
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("一图/") && n.ends_with(".svg"))
            .count(),
        2
    );
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("一件/") && n.ends_with(".html"))
            .count(),
        2
    );
    assert_eq!(names.len(), 6);

    for row in &rows {
        let stem = format!("{}-{}", row.item.implementation_code, row.item.name);
        let mut svg = String::new();
        zip.by_name(&format!("一图/{stem}.svg"))
            .expect("the chart")
            .read_to_string(&mut svg)
            .unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for step in &row.item.steps {
            assert!(svg.contains(&step.name));
        }
        let mut html = String::new();
        zip.by_name(&format!("一件/{stem}.html"))
            .expect("the basis page")
            .read_to_string(&mut html)
            .unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"zh-CN\""));
        for b in &row.item.legal_basis {
            assert!(html.contains(&b.title) && html.contains(&b.text));
        }
    }

    let mut table = Vec::new();
    zip.by_name("一表.xlsx")
        .unwrap()
        .read_to_end(&mut table)
        .unwrap();
    assert_eq!(read(&table)[0].rows.len(), 3);
    let mut readme = String::new();
    zip.by_name("说明.txt")
        .unwrap()
        .read_to_string(&mut readme)
        .unwrap();
    assert!(readme.contains("共收录 2 项权力事项") && readme.contains("食品经营许可"));
}

#[test]
fn two_versions_of_one_item_get_distinct_files() {
    let mut rows = rows();
    let mut older = rows[0].clone();
    older.version = 2;
    rows.push(older);
    let bytes = power_list_bundle(&rows, &dept_name).unwrap();
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        zip.file_names()
            .filter(|n| n.as_ref().unwrap().ends_with(".svg"))
            .count(),
        3
    );
}
