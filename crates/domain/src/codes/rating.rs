//! Codes of ratings (好差评) and their rectification (差评整改).

use crate::error_codes;

error_codes! {
    /// 好差评: rating a service once, and fixing every 差评.
    pub enum Rating {
        AppealDecided = "rating.appeal_decided", Conflict => "该申诉已复核，不能重复复核",
        AppealNone = "rating.appeal_none", Conflict => "没有待复核的申诉",
        AppealOwn = "rating.appeal_own", Forbidden => "申诉须由其他部门的监察人员复核，申诉部门不能复核本部门的申诉",
        AppealPending = "rating.appeal_pending", Conflict => "已有申诉待复核",
        Comment = "rating.comment", Invalid => "评价内容不能超过500字",
        Dimension = "rating.dimension", Invalid => "评价指标不属于该服务渠道",
        Feedback = "rating.feedback", Invalid => "整改办结前须填写向评价人反馈的内容（500字以内）",
        Level = "rating.level", Invalid => "评价等级应为非常满意、满意、基本满意、不满意或非常不满意",
        NoDuty = "rating.no_duty", Conflict => "该窗口当前无人值守，暂不能评价",
        NoVisit = "rating.no_visit", Conflict => "当前没有待评价的窗口服务，请在工作人员办结后评价",
        NotBad = "rating.not_bad", Conflict => "只有差评（不满意、非常不满意）需要整改",
        NotDecided = "rating.not_decided", Conflict => "办件尚未办结，暂不能评价",
        NotFound = "rating.not_found", NotFound => "未找到该评价",
        NotRater = "rating.not_rater", Forbidden => "只有被服务人本人可以评价",
        Once = "rating.once", Conflict => "该服务已评价，一次服务只能评价一次",
        OwnWork = "rating.own_work", Forbidden => "工作人员不能评价本人经办的服务",
        Rerated = "rating.rerated", Conflict => "已就整改结果再次评价，不能重复评价",
        RerateEarly = "rating.rerate_early", Conflict => "整改反馈后才能再次评价",
        Stale = "rating.stale", Conflict => "该差评整改已被他人更新，请刷新后重试",
        Stage = "rating.stage", Conflict => "整改当前阶段不能进行此操作",
        Tag = "rating.tag", Invalid => "评价标签不正确",
        Text = "rating.text", Invalid => "请填写说明（500字以内）",
        Unit = "rating.unit", Forbidden => "只有被评价部门可以办理整改或提出申诉",
        Window = "rating.window", NotFound => "未找到该窗口",
    }
}
