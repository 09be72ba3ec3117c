//! Codes of 一件事一次办 bundles.

use crate::error_codes;

error_codes! {
    /// 一件事一次办: bundles of catalog items applied for once.
    pub enum Bundle {
        Changed = "bundle.changed", Conflict => "该一件事刚被他人处理，请刷新后重试",
        Code = "bundle.code", Invalid => "一件事编码应为大写字母2至4位加数字3至8位（如 YJS0001）",
        DuplicateCode = "bundle.duplicate_code", Conflict => "一件事编码已存在",
        DuplicateMember = "bundle.duplicate_member", Invalid => "同一事项在一件事中重复列出",
        Invalid = "bundle.invalid", Invalid => "一件事有不符合要求之处",
        MaterialUnknown = "bundle.material_unknown", Invalid => "所交材料不在该一件事的材料清单中",
        MemberUnpublished = "bundle.member_unpublished", Invalid => "成员事项未发布或已取消，不能纳入一件事",
        Members = "bundle.members", Invalid => "一件事至少包含两个已发布的事项",
        Name = "bundle.name", Invalid => "一件事名称不能为空，且不超过50个字",
        NotOnline = "bundle.not_online", Invalid => "该一件事含有不能网上申请的事项，请到政务服务中心窗口办理",
        Number = "bundle.number", Invalid => "一件事办件编号格式不对，应如 YJ-361200-20260302-000001",
        Region = "bundle.region", Invalid => "成员事项应在一件事的区划之内",
    }
}
