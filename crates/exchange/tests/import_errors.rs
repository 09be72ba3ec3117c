//! A bad workbook gives every error with its place, and no item.

mod common;

use common::{dept_id, dept_name, grid, read, rows, write};
use tongban_domain::codes;
use tongban_exchange::{export_catalog, import_catalog, CellError};

fn places(errors: &[CellError]) -> Vec<(&str, u32, &str, &str)> {
    errors
        .iter()
        .map(|e| (e.sheet.as_str(), e.row, e.column.as_str(), e.code.as_str()))
        .collect()
}

fn exported() -> Vec<common::Grid> {
    read(&export_catalog(&rows(), &dept_name).unwrap())
}

#[test]
fn several_errors_are_each_placed_and_no_item_is_returned() {
    let mut grids = exported();
    // 事项 row 2: food licence; row 3: birth registration.
    let items = grid(&mut grids, "事项");
    items.set(2, "承诺时限", "30");
    items.set(3, "基本编码", "GG0021000");
    let steps = grid(&mut grids, "环节");
    let s2b = steps.find("环节编号", "s2b");
    steps.set(s2b, "办理部门", "清江市不存在局");
    let materials = grid(&mut grids, "材料");
    let mut dup = materials.rows[1].clone();
    dup[materials.column("材料名称")] = "食品经营许可申请书（副本）".into();
    materials.rows.push(dup);
    let dup_row = materials.rows.len() as u32;

    let errors = import_catalog(&write(&grids), &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [
            (
                "事项",
                2,
                "承诺时限",
                codes::Catalog::CommittedExceedsStatutory.as_str()
            ),
            ("事项", 3, "基本编码", codes::Catalog::BasicCode.as_str()),
            (
                "材料",
                dup_row,
                "材料编号",
                codes::Import::Duplicate.as_str()
            ),
            (
                "环节",
                s2b as u32,
                "办理部门",
                codes::Import::UnknownDepartment.as_str()
            ),
        ],
        "{errors:#?}"
    );
    assert!(errors[0]
        .message
        .contains("承诺时限（30个工作日）不得超过法定时限（20个工作日）"));
    assert!(errors[1].message.contains("基本编码“GG0021000”"));
    assert!(errors[2]
        .message
        .contains("材料编号“m1”在同一事项中与第2行重复"));
    assert!(errors[3].message.contains("部门“清江市不存在局”不存在"));
}

#[test]
fn a_missing_sheet_is_named() {
    let mut grids = exported();
    grids.retain(|g| g.name != "收费");
    let errors = import_catalog(&write(&grids), &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [("收费", 0, "", codes::Import::MissingSheet.as_str())]
    );
    assert!(errors[0].message.contains("缺少工作表“收费”"));
}

#[test]
fn a_missing_column_is_named_without_echoes() {
    let mut grids = exported();
    grid(&mut grids, "材料").remove_column("份数");
    let errors = import_catalog(&write(&grids), &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [("材料", 1, "份数", codes::Import::MissingColumn.as_str())]
    );
}

#[test]
fn bad_cells_and_unknown_references() {
    let mut grids = exported();
    let items = grid(&mut grids, "事项");
    items.set(2, "事项类型", "行政审批");
    items.set(2, "法定时限", "二十");
    items.set(3, "超时默认", "也许");
    items.set(3, "设定依据", "母婴保健法第二十三条");
    let fees = grid(&mut grids, "收费");
    fees.rows.push(vec![
        "XK0060100136120000000011361200MB000000999".into(),
        "工本费".into(),
        "《目录》".into(),
        "1.234".into(),
    ]);
    let errors = import_catalog(&write(&grids), &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [
            ("事项", 2, "事项类型", codes::Import::BadValue.as_str()),
            ("事项", 2, "法定时限", codes::Import::BadValue.as_str()),
            ("事项", 3, "设定依据", codes::Import::BadValue.as_str()),
            ("事项", 3, "超时默认", codes::Import::BadValue.as_str()),
            ("收费", 2, "实施编码", codes::Import::UnknownItem.as_str()),
            ("收费", 2, "金额（元）", codes::Import::BadValue.as_str()),
        ],
        "{errors:#?}"
    );
    assert!(errors[0].message.contains("行政许可"));
}

#[test]
fn domain_rules_point_at_their_cells() {
    let mut grids = exported();
    let materials = grid(&mut grids, "材料");
    let m3 = materials.find("材料编号", "m3");
    materials.set(m3, "材料名称", "营业执照复印件");
    let m4 = materials.find("材料编号", "m4");
    materials.set(m4, "容缺", "是");
    let steps = grid(&mut grids, "环节");
    let s3 = steps.find("环节编号", "s3");
    steps.set(s3, "审查材料", "m1,m9");
    let s1 = steps.find("环节编号", "s1");
    steps.set(s1, "环节类型", "审查");
    let items = grid(&mut grids, "事项");
    items.set(3, "咨询电话", "");
    let errors = import_catalog(&write(&grids), &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [
            ("事项", 3, "咨询电话", codes::Catalog::Required.as_str()),
            (
                "材料",
                m3 as u32,
                "材料名称",
                codes::Catalog::DuplicateMaterial.as_str()
            ),
            (
                "材料",
                m4 as u32,
                "容缺",
                codes::Catalog::DeferrableOptional.as_str()
            ),
            (
                "环节",
                s1 as u32,
                "环节类型",
                codes::Catalog::FirstStepIntake.as_str()
            ),
            (
                "环节",
                s3 as u32,
                "审查材料",
                codes::Catalog::MaterialUnknown.as_str()
            ),
        ],
        "{errors:#?}"
    );
}

#[test]
fn duplicate_implementation_codes_are_refused() {
    let mut grids = exported();
    let items = grid(&mut grids, "事项");
    let copy = items.rows[1].clone();
    items.rows.push(copy);
    let errors = import_catalog(&write(&grids), &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [("事项", 4, "实施编码", codes::Import::Duplicate.as_str())]
    );
    assert!(errors[0].message.contains("与第2行重复"));
}

#[test]
fn a_file_that_is_no_workbook() {
    let errors = import_catalog(b"not a workbook", &dept_id).unwrap_err().0;
    assert_eq!(
        places(&errors),
        [("", 0, "", codes::Import::Unreadable.as_str())]
    );
}
