//! The indicator scheme (指标体系): which formulas count, against which target, for how many points.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    /// The formulas an indicator may use. Each is computed from recorded facts by one grouped
    /// query over the period (see the store); nothing else can be scored.
    pub enum Indicator {
        /// 按时办结率: cases decided in the period by their due time ÷ cases decided.
        OnTime = "on_time" => "按时办结率",
        /// 提前办结率: cases decided at least one day (24 h) before their due time ÷ cases decided.
        Early = "early" => "提前办结率",
        /// 现场办结率: cases filed at a hall and decided there the same day ÷ cases filed at a
        /// hall and decided (the board's counters; seed 000's 90 %).
        OnTheSpot = "on_the_spot" => "现场办结率",
        /// 超时件数: cases decided in the period after their due time.
        Overdue = "overdue" => "超时件数",
        /// 确认问题数: supervision findings raised in the period and confirmed (问责).
        Findings = "findings" => "确认问题数",
        /// 督办件数: supervision orders (督办) issued in the period.
        Orders = "orders" => "督办件数",
        /// 督办按时回复率: orders issued in the period replied by their deadline ÷ orders issued.
        OrdersOnTime = "orders_on_time" => "督办按时回复率",
        /// 好评率: ratings of the period's months that are not 差评 ÷ ratings (removed ones left out).
        GoodRate = "good_rate" => "好评率",
        /// 差评整改率: 差评 of the period's months rectified and answered ÷ 差评.
        Rectified = "rectified" => "差评整改率",
        /// 即办件占比: cases decided in the period whose item (the version they were filed
        /// under) is a 即办件 by the catalog's handling kind ÷ cases decided; measured by the
        /// item's type, not by how fast the case happened to go.
        Instant = "instant" => "即办件占比",
        /// 网办深度: cases received in the period whose item is 三级 or 四级 online (网上受理 or
        /// 全程网办) ÷ cases received.
        OnlineDepth = "online_depth" => "网办深度",
        /// 12345响应率: dispatches to the unit in the period signed for in time ÷ dispatches
        /// (the hotline's published 三率, [`crate::hotline::rates`]).
        HotlineResponse = "hotline_response" => "12345响应率",
        /// 12345解决率: tickets the unit's reply closed in the period as solved ÷ closed.
        HotlineSolution = "hotline_solution" => "12345解决率",
        /// 12345满意率: call-backs in the period 满意 or 基本满意 ÷ call-backs on the unit's
        /// replies.
        HotlineSatisfaction = "hotline_satisfaction" => "12345满意率",
        /// 依申请公开按时答复率: disclosure requests replied in the period without a 办理超时
        /// (逾期答复) finding standing against them ÷ requests replied.
        DisclosureOnTime = "disclosure_on_time" => "依申请公开按时答复率",
        /// 社会评议满意度: the points of the answers about the unit's key posts in the year's
        /// published 社会评议 rounds (满意 100, 基本满意 60, 不满意 0) ÷ (answers × 100); a year's
        /// indicator (other periods have nothing to count).
        Survey = "survey" => "社会评议满意度",
    }
}

crate::closed_set! {
    /// How an indicator's value turns into points.
    pub enum Shape {
        /// A rate: the points are weight × min(value ÷ target, 1).
        Rate = "rate" => "比率",
        /// A count: the points are weight − deduction × (count − target), never below 0.
        Count = "count" => "件数",
    }
}

impl Indicator {
    pub fn shape(self) -> Shape {
        match self {
            Indicator::Overdue | Indicator::Findings | Indicator::Orders => Shape::Count,
            _ => Shape::Rate,
        }
    }

    /// What the numerator and the denominator count, for the formula text.
    pub fn terms(self) -> (&'static str, &'static str) {
        match self {
            Indicator::OnTime => ("按时办结件数", "办结件数"),
            Indicator::Early => ("提前1日以上办结件数", "办结件数"),
            Indicator::OnTheSpot => ("现场当日办结件数", "现场受理并办结件数"),
            Indicator::Overdue => ("超时办结件数 + 期末超期未办结件数", ""),
            Indicator::Findings => ("确认的监察问题数", ""),
            Indicator::Orders => ("督办件数", ""),
            Indicator::OrdersOnTime => ("按时回复的督办件数", "督办件数"),
            Indicator::GoodRate => ("好评数", "评价数"),
            Indicator::Rectified => ("已整改反馈的差评数", "差评数"),
            Indicator::Instant => ("即办件事项的办结件数", "办结件数"),
            Indicator::OnlineDepth => ("网办深度三级以上事项的收件数", "收件数"),
            Indicator::HotlineResponse => ("按时签收的派单数", "派单数"),
            Indicator::HotlineSolution => ("问题解决后办结的工单数", "办结的工单数"),
            Indicator::HotlineSatisfaction => ("满意和基本满意的回访数", "回访数"),
            Indicator::DisclosureOnTime => ("按时答复的申请数", "答复的申请数"),
            Indicator::Survey => ("评议得分之和", "评议项数 × 100"),
        }
    }

    /// The definition published beside the figure.
    pub fn definition(self) -> String {
        let (num, den) = self.terms();
        match self.shape() {
            Shape::Rate => format!("{} = {num} ÷ {den}", self.label()),
            Shape::Count => format!("{} = {num}", self.label()),
        }
    }

    /// The default target of a new scheme's indicator: per mille for rates, a count for counts.
    pub fn default_target(self) -> i64 {
        match self {
            Indicator::OnTheSpot => 900,
            Indicator::OnTime
            | Indicator::OrdersOnTime
            | Indicator::Rectified
            | Indicator::DisclosureOnTime => 1000,
            Indicator::HotlineResponse | Indicator::HotlineSolution => 950,
            Indicator::HotlineSatisfaction | Indicator::Survey => 900,
            Indicator::GoodRate => 950,
            Indicator::Early => 500,
            Indicator::Instant => 300,
            Indicator::OnlineDepth => 800,
            Indicator::Overdue | Indicator::Findings | Indicator::Orders => 0,
        }
    }
}

/// One indicator of a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorSpec {
    pub indicator: Indicator,
    /// Rates: per mille (900 = 90 %). Counts: the number tolerated without deduction.
    pub target: i64,
    /// Points out of 100; a scheme's weights sum to 100.
    pub weight: i64,
    /// Counts only: points (in hundredths) taken off per case above the target.
    #[serde(default)]
    pub deduct: i64,
}

/// A scheme: a name and its indicators, checked whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scheme {
    pub name: String,
    pub indicators: Vec<IndicatorSpec>,
}

impl Scheme {
    /// Every rule a scheme keeps before it is saved: a name, at least one indicator, none
    /// twice, positive weights summing to exactly 100, targets in range.
    pub fn check(&self) -> Result<(), DomainError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(codes::Performance::Name.err());
        }
        if self.indicators.is_empty() {
            return Err(codes::Performance::Empty.err());
        }
        let mut seen = HashSet::new();
        let mut sum = 0i64;
        for spec in &self.indicators {
            if !seen.insert(spec.indicator) {
                return Err(codes::Performance::Duplicate.with(format!(
                    "指标“{}”在指标体系中出现了不止一次",
                    spec.indicator.label()
                )));
            }
            if spec.weight <= 0 || spec.weight > 100 {
                return Err(codes::Performance::Weight.with(format!(
                    "指标“{}”的权重应为 1–100 的整数",
                    spec.indicator.label()
                )));
            }
            let target_ok = match spec.indicator.shape() {
                Shape::Rate => (1..=1000).contains(&spec.target),
                Shape::Count => spec.target >= 0 && (0..=10_000).contains(&spec.deduct),
            };
            if !target_ok {
                return Err(codes::Performance::Target.with(format!(
                    "指标“{}”的目标值不正确：比率目标应在 0.1%–100% 之间，件数目标和扣分不能为负",
                    spec.indicator.label()
                )));
            }
            sum += spec.weight;
        }
        if sum != 100 {
            return Err(
                codes::Performance::Weights.with(format!("各项指标权重之和必须等于100，现为{sum}"))
            );
        }
        Ok(())
    }

    /// The demo city's and a new scheme's starting point: every indicator, weights summing to 100.
    pub fn standard() -> Scheme {
        let weights = [
            (Indicator::OnTime, 15),
            (Indicator::Early, 5),
            (Indicator::OnTheSpot, 5),
            (Indicator::Overdue, 10),
            (Indicator::Findings, 5),
            (Indicator::Orders, 5),
            (Indicator::OrdersOnTime, 5),
            (Indicator::GoodRate, 10),
            (Indicator::Rectified, 5),
            (Indicator::Instant, 5),
            (Indicator::OnlineDepth, 5),
            (Indicator::HotlineResponse, 5),
            (Indicator::HotlineSolution, 5),
            (Indicator::HotlineSatisfaction, 5),
            (Indicator::DisclosureOnTime, 5),
            (Indicator::Survey, 5),
        ];
        Scheme {
            name: "清江市政务服务绩效考评指标体系".into(),
            indicators: weights
                .into_iter()
                .map(|(indicator, weight)| IndicatorSpec {
                    indicator,
                    target: indicator.default_target(),
                    weight,
                    deduct: if indicator.shape() == Shape::Count {
                        200
                    } else {
                        0
                    },
                })
                .collect(),
        }
    }
}

crate::closed_set! {
    /// A scheme version's life, like a catalog item's: drafted, reviewed by someone else,
    /// published; a newer published version supersedes it.
    pub enum SchemeStatus {
        Draft = "draft" => "草稿",
        Reviewed = "reviewed" => "已审核",
        Published = "published" => "已发布",
        Superseded = "superseded" => "已被新版本替代",
    }
}

impl SchemeStatus {
    /// The status after a review; `performance.stage` unless it is a draft, and
    /// `performance.review_own` when the drafter reviews their own draft.
    pub fn review(self, drafter: i64, reviewer: i64) -> Result<SchemeStatus, DomainError> {
        if self != SchemeStatus::Draft {
            return Err(codes::Performance::Stage.err());
        }
        if drafter == reviewer {
            return Err(codes::Performance::ReviewOwn.err());
        }
        Ok(SchemeStatus::Reviewed)
    }

    /// The status after publication: only a reviewed version is published.
    pub fn publish(self) -> Result<SchemeStatus, DomainError> {
        if self != SchemeStatus::Reviewed {
            return Err(codes::Performance::Stage.err());
        }
        Ok(SchemeStatus::Published)
    }

    /// Only a draft is edited.
    pub fn edit(self) -> Result<(), DomainError> {
        if self != SchemeStatus::Draft {
            return Err(codes::Performance::Stage.err());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_scheme_is_valid_and_sums_to_100() {
        let s = Scheme::standard();
        s.check().expect("valid");
        assert_eq!(s.indicators.iter().map(|i| i.weight).sum::<i64>(), 100);
        assert_eq!(s.indicators.len(), Indicator::ALL.len());
    }

    #[test]
    fn weights_must_sum_to_100() {
        let mut s = Scheme::standard();
        s.indicators[0].weight += 1;
        let err = s.check().expect_err("101");
        assert_eq!(err.code, codes::Performance::Weights);
        assert!(err.message.contains("101"), "{}", err.message);
        s.indicators[0].weight -= 2;
        assert_eq!(s.check().expect_err("99").code, codes::Performance::Weights);
    }

    #[test]
    fn bad_schemes_are_named() {
        let mut s = Scheme::standard();
        s.indicators[1].indicator = Indicator::OnTime;
        assert_eq!(
            s.check().expect_err("dup").code,
            codes::Performance::Duplicate
        );
        let mut s = Scheme::standard();
        s.indicators[0].weight = 0;
        assert_eq!(s.check().expect_err("w").code, codes::Performance::Weight);
        let mut s = Scheme::standard();
        s.indicators[0].target = 1001;
        assert_eq!(s.check().expect_err("t").code, codes::Performance::Target);
        let mut s = Scheme::standard();
        s.name = " ".into();
        assert_eq!(s.check().expect_err("n").code, codes::Performance::Name);
        let s = Scheme {
            name: "x".into(),
            indicators: vec![],
        };
        assert_eq!(s.check().expect_err("e").code, codes::Performance::Empty);
    }

    #[test]
    fn a_scheme_is_reviewed_by_someone_else_then_published() {
        let d = SchemeStatus::Draft;
        assert_eq!(
            d.review(1, 1).expect_err("own").code,
            codes::Performance::ReviewOwn
        );
        let r = d.review(1, 2).expect("reviewed");
        assert_eq!(r, SchemeStatus::Reviewed);
        assert_eq!(
            d.publish().expect_err("draft").code,
            codes::Performance::Stage
        );
        assert_eq!(r.publish().expect("published"), SchemeStatus::Published);
        assert!(r.edit().is_err());
        assert!(SchemeStatus::Published.review(1, 2).is_err());
    }
}
