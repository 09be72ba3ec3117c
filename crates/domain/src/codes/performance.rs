//! Codes of performance scores (绩效考评): the indicator scheme, periods and their corrections.

use crate::error_codes;

error_codes! {
    /// 绩效考评: a published scheme of indicators, frozen period scores, corrections and flags.
    pub enum Performance {
        Adjustment = "performance.adjustment", Invalid => "更正的分子、分母不能为负，比率的分子不能大于分母",
        Duplicate = "performance.duplicate", Invalid => "同一指标在指标体系中只能出现一次",
        Empty = "performance.empty", Invalid => "指标体系至少应有一项指标",
        FlagActed = "performance.flag_acted", Conflict => "该处理提示已登记处理情况",
        Indicator = "performance.indicator", Invalid => "指标不在指标体系可选的计算公式之内",
        Name = "performance.name", Invalid => "请填写指标体系名称（100字以内）",
        NoScheme = "performance.no_scheme", Conflict => "尚无已发布的指标体系，不能计算考评分",
        NotFound = "performance.not_found", NotFound => "未找到该指标体系或考评期",
        Period = "performance.period", Invalid => "考评期格式应为 2026-07（月）、2026-Q3（季）、2026-H2（半年）或 2026（年）",
        PeriodOpen = "performance.period_open", Conflict => "考评期尚未结束，不能发布",
        Published = "performance.published", Conflict => "该考评期已发布；更正须作为新版本并说明理由",
        Reason = "performance.reason", Invalid => "更正已发布的考评结果须填写理由（500字以内）",
        ReviewOwn = "performance.review_own", Forbidden => "指标体系须由起草人以外的人员审核",
        Stage = "performance.stage", Conflict => "指标体系当前状态不能进行此操作",
        Stale = "performance.stale", Conflict => "考评期已被他人更新，请刷新后重试",
        Survey = "performance.survey", Invalid => "社会评议的名称、岗位或代表不完整",
        SurveyAnswers = "performance.survey_answers", Invalid => "请对每个岗位的每一项评议内容各作一次选择",
        SurveyClosed = "performance.survey_closed", Conflict => "该社会评议已结束，不再接受评议",
        SurveyLink = "performance.survey_link", NotFound => "评议链接无效",
        SurveyUsed = "performance.survey_used", Conflict => "该评议链接已使用，每个链接只能提交一次",
        Target = "performance.target", Invalid => "指标目标值不正确：比率目标应在 0.1%–100% 之间，件数目标不能为负",
        Unit = "performance.unit", NotFound => "未找到该考评对象",
        Weight = "performance.weight", Invalid => "每项指标的权重应为正整数",
        Weights = "performance.weights", Invalid => "各项指标权重之和必须等于100",
    }
}
