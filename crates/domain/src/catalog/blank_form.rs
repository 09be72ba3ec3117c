//! Blank forms (空表): which materials are forms a person fills in (申请书, 申请表, 登记表), and
//! the fields every blank form of the demo asks for. The document service sets them as PDF to
//! print; the exchange crate writes them as xlsx to fill in on a computer.

/// Whether a material is a form filled in by the applicant (and so has a blank form).
pub fn is_form(material_name: &str) -> bool {
    ["申请书", "申请表", "登记表"]
        .iter()
        .any(|w| material_name.contains(w))
}

/// The fields of a blank form: (label, lines of room to write in).
pub const ROWS: &[(&str, u8)] = &[
    ("申请人（单位）名称", 1),
    ("统一社会信用代码或身份证件号码", 1),
    ("联系人", 1),
    ("联系电话", 1),
    ("通讯地址", 1),
    ("申请事项说明", 5),
    ("申请人签名（盖章）及日期", 2),
];

/// What a blank form says under its fields.
pub const NOTE: &str = "请如实填写，所填内容应与所附材料一致；手写请用黑色签字笔。";

/// The subtitle line of a blank form.
pub fn subtitle(item_name: &str) -> String {
    format!("事项：{item_name}")
}
