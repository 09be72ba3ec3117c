//! Facts into points: each line shows the indicator's value, its formula with the numbers put
//! in and the points, so anyone can recompute a score by hand from the drill-down.

use serde::{Deserialize, Serialize};

use super::scheme::{Indicator, IndicatorSpec, Shape};
use crate::region::Level;

crate::closed_set! {
    /// What is scored: a department, or a township or street (its 便民服务中心 and villages).
    pub enum UnitKind {
        Department = "department" => "部门",
        Township = "township" => "乡镇（街道）",
    }
}

crate::closed_set! {
    /// Who else is scored from the facts they did, beside the units: a hall (the cases filed
    /// and the ratings given there), a window (the ratings given on its device), a member of
    /// staff (the cases they were 首问责任人 of, the findings on them, the ratings of their
    /// service). Not ranked against the units and not frozen with a period: shown beside it.
    pub enum MemberKind {
        Hall = "hall" => "大厅",
        Window = "window" => "窗口",
        Staff = "staff" => "工作人员",
    }
}

impl MemberKind {
    /// Whether an indicator has facts that name this kind of member.
    pub fn counts(self, i: Indicator) -> bool {
        use Indicator as I;
        match self {
            MemberKind::Window => matches!(i, I::GoodRate | I::Rectified),
            MemberKind::Hall | MemberKind::Staff => matches!(
                i,
                I::OnTime
                    | I::Early
                    | I::Overdue
                    | I::Instant
                    | I::Findings
                    | I::GoodRate
                    | I::Rectified
            ),
        }
    }
}

/// A hall's, a window's or a staff member's score: the lines of the scheme's indicators that
/// name them, and a total out of 100 scaled from the weights those lines carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberScore {
    pub kind: MemberKind,
    pub id: i64,
    pub name: String,
    /// Points in hundredths out of 10000: the lines' points × 100 ÷ their weights.
    pub total: i64,
    pub lines: Vec<Line>,
    /// How the total was scaled, with its numbers.
    pub formula: String,
}

/// Scores one member on the indicators of `specs` that name its kind.
pub fn score_member(
    kind: MemberKind,
    id: i64,
    name: String,
    specs: &[IndicatorSpec],
    fact_of: impl Fn(Indicator) -> Fact,
) -> MemberScore {
    let lines: Vec<Line> = specs
        .iter()
        .filter(|s| kind.counts(s.indicator))
        .map(|s| score_line(s, fact_of(s.indicator)))
        .collect();
    let points: i64 = lines.iter().map(|l| l.points).sum();
    let weights: i64 = lines.iter().map(|l| l.weight).sum();
    let total = if weights > 0 {
        points * 100 / weights
    } else {
        10_000
    };
    MemberScore {
        kind,
        id,
        name,
        total,
        formula: format!(
            "得分 = 各项得分之和 {} ÷ 适用指标权重之和 {} × 100 = {}",
            points_text(points),
            weights,
            points_text(total)
        ),
        lines,
    }
}

crate::closed_set! {
    /// What ranking last brings (seed 004). The system records the flag and who acted on it;
    /// it never acts itself.
    pub enum Consequence {
        /// Last in its level for a year: 诫勉谈话 of its head.
        Admonish = "admonish" => "诫勉谈话",
        /// Last two years running: 组织措施.
        Organisational = "organisational" => "组织措施",
    }
}

/// The consequence of ranking last in a year's scores, given whether the unit was last the
/// year before too; `None` when it was not last.
pub fn consequence(last_this_year: bool, last_previous_year: bool) -> Option<Consequence> {
    match (last_this_year, last_previous_year) {
        (true, true) => Some(Consequence::Organisational),
        (true, false) => Some(Consequence::Admonish),
        _ => None,
    }
}

/// What one indicator counted for one unit: the numerator and, for rates, the denominator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fact {
    pub num: i64,
    pub den: i64,
}

impl Fact {
    pub fn add(&mut self, other: Fact) {
        self.num += other.num;
        self.den += other.den;
    }
}

/// One line of a unit's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    pub indicator: Indicator,
    pub target: i64,
    pub weight: i64,
    pub deduct: i64,
    pub fact: Fact,
    /// Rates: per mille, `None` when nothing was counted. Counts: the count.
    pub value: Option<i64>,
    /// Points in hundredths (1894 = 18.94).
    pub points: i64,
    /// The formula with its numbers put in.
    pub formula: String,
    /// Set when a correction replaced the counted fact, with its reason.
    #[serde(default)]
    pub corrected: Option<String>,
}

/// A unit's score in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitScore {
    pub unit_kind: UnitKind,
    /// A department's id, or a township's region code.
    pub unit_id: String,
    pub unit_name: String,
    /// The level it is ranked in.
    pub level: Level,
    /// Points in hundredths, out of 10000.
    pub total: i64,
    /// 1 for the best of its level; ties share a rank.
    pub rank: i64,
    /// How many units its level ranks.
    pub of: i64,
    /// Lowest of its level (ties included), unless its level has one unit or all tie.
    #[serde(default)]
    pub last: bool,
    pub lines: Vec<Line>,
}

impl UnitScore {
    /// The score as people read it: `87.35`.
    pub fn total_text(&self) -> String {
        points_text(self.total)
    }

    /// Last of its level (and not everyone tied): what the consequences look at.
    pub fn is_last(&self) -> bool {
        self.last
    }
}

/// Hundredths as `18.94`.
pub fn points_text(h: i64) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let h = h.abs();
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

/// Per mille as `90.0%`.
pub fn permille_text(pm: i64) -> String {
    format!("{}.{}%", pm / 10, pm % 10)
}

/// One indicator's line from its fact.
pub fn score_line(spec: &IndicatorSpec, fact: Fact) -> Line {
    let name = spec.indicator.label();
    let (num_term, den_term) = spec.indicator.terms();
    let full = spec.weight * 100;
    let (value, points, formula) = match spec.indicator.shape() {
        Shape::Rate => {
            if fact.den <= 0 {
                (
                    None,
                    full,
                    format!(
                        "{name}：{den_term}为0，无可考评事项，按满分计；得分 = {}",
                        points_text(full)
                    ),
                )
            } else {
                let value = fact.num * 1000 / fact.den;
                let raw = i128::from(fact.num) * 1000 * i128::from(full)
                    / (i128::from(fact.den) * i128::from(spec.target.max(1)));
                let points = i64::try_from(raw.min(i128::from(full))).unwrap_or(full);
                (
                    Some(value),
                    points,
                    format!(
                        "{name} = {num_term} {} ÷ {den_term} {} = {}；得分 = {} × min({} ÷ {} ÷ 目标{}, 1) = {}",
                        fact.num,
                        fact.den,
                        permille_text(value),
                        spec.weight,
                        fact.num,
                        fact.den,
                        permille_text(spec.target),
                        points_text(points)
                    ),
                )
            }
        }
        Shape::Count => {
            let over = (fact.num - spec.target).max(0);
            let points = (full - spec.deduct * over).max(0);
            (
                Some(fact.num),
                points,
                format!(
                    "{name} = {num_term} {}；得分 = max(0, {} − 每件{} × (实际{} − 允许{})) = {}",
                    fact.num,
                    spec.weight,
                    points_text(spec.deduct),
                    fact.num,
                    spec.target,
                    points_text(points)
                ),
            )
        }
    };
    Line {
        indicator: spec.indicator,
        target: spec.target,
        weight: spec.weight,
        deduct: spec.deduct,
        fact,
        value,
        points,
        formula,
        corrected: None,
    }
}

/// A unit's lines and total (unranked: [`rank`] ranks a whole level).
pub fn score_unit(
    unit_kind: UnitKind,
    unit_id: String,
    unit_name: String,
    level: Level,
    specs: &[IndicatorSpec],
    fact_of: impl Fn(Indicator) -> Fact,
) -> UnitScore {
    let lines: Vec<Line> = specs
        .iter()
        .map(|s| score_line(s, fact_of(s.indicator)))
        .collect();
    UnitScore {
        unit_kind,
        unit_id,
        unit_name,
        level,
        total: lines.iter().map(|l| l.points).sum(),
        rank: 0,
        of: 0,
        last: false,
        lines,
    }
}

/// Ranks every unit within its kind and level (1 is best; equal totals share a rank, the next
/// rank skips), and orders them by kind, level, rank and name.
pub fn rank(mut units: Vec<UnitScore>) -> Vec<UnitScore> {
    let key = |u: &UnitScore| (u.unit_kind.as_str(), u.level);
    let snapshot: Vec<((&'static str, Level), i64)> =
        units.iter().map(|u| (key(u), u.total)).collect();
    for u in &mut units {
        let k = key(u);
        let peers = snapshot.iter().filter(|(pk, _)| *pk == k);
        u.rank = 1 + peers.clone().filter(|(_, t)| *t > u.total).count() as i64;
        u.of = peers.clone().count() as i64;
        let lowest = peers.map(|(_, t)| *t).min().unwrap_or(u.total);
        u.last = u.of > 1 && u.total == lowest;
    }
    // A level where everyone tied has no last.
    let all_tied: Vec<(&'static str, Level)> = units
        .iter()
        .map(key)
        .filter(|k| {
            let mut totals = snapshot.iter().filter(|(pk, _)| pk == k).map(|(_, t)| *t);
            let first = totals.next();
            totals.all(|t| Some(t) == first)
        })
        .collect();
    for u in &mut units {
        if all_tied.contains(&key(u)) {
            u.rank = 1;
            u.last = false;
        }
    }
    units.sort_by(|a, b| {
        (a.unit_kind.as_str(), a.level, a.rank, &a.unit_name).cmp(&(
            b.unit_kind.as_str(),
            b.level,
            b.rank,
            &b.unit_name,
        ))
    });
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::performance::scheme::Scheme;

    fn spec(indicator: Indicator, target: i64, weight: i64, deduct: i64) -> IndicatorSpec {
        IndicatorSpec {
            indicator,
            target,
            weight,
            deduct,
        }
    }

    #[test]
    fn a_rate_scores_weight_times_value_over_target_capped() {
        let s = spec(Indicator::OnTime, 950, 20, 0);
        let l = score_line(&s, Fact { num: 45, den: 50 });
        assert_eq!(l.value, Some(900));
        // 20 × (45/50) / 0.95 = 18.947… → 18.94
        assert_eq!(l.points, 1894);
        assert_eq!(
            l.formula,
            "按时办结率 = 按时办结件数 45 ÷ 办结件数 50 = 90.0%；得分 = 20 × min(45 ÷ 50 ÷ 目标95.0%, 1) = 18.94"
        );
        let capped = score_line(&s, Fact { num: 50, den: 50 });
        assert_eq!(capped.points, 2000);
        let none = score_line(&s, Fact { num: 0, den: 0 });
        assert_eq!((none.value, none.points), (None, 2000));
        assert!(none.formula.contains("按满分计"));
    }

    #[test]
    fn on_the_spot_against_seed_000s_90_percent() {
        let s = spec(Indicator::OnTheSpot, 900, 15, 0);
        assert_eq!(score_line(&s, Fact { num: 9, den: 10 }).points, 1500);
        assert_eq!(score_line(&s, Fact { num: 8, den: 10 }).points, 1333);
    }

    #[test]
    fn a_count_deducts_per_case_above_the_target_never_below_zero() {
        let s = spec(Indicator::Overdue, 1, 10, 250);
        let l = score_line(&s, Fact { num: 3, den: 0 });
        assert_eq!(l.points, 500);
        assert_eq!(
            l.formula,
            "超时件数 = 超时办结件数 + 期末超期未办结件数 3；得分 = max(0, 10 − 每件2.50 × (实际3 − 允许1)) = 5.00"
        );
        assert_eq!(score_line(&s, Fact { num: 0, den: 0 }).points, 1000);
        assert_eq!(score_line(&s, Fact { num: 40, den: 0 }).points, 0);
    }

    #[test]
    fn the_total_is_the_sum_of_the_lines_and_ranks_are_per_level() {
        let scheme = Scheme::standard();
        let make = |id: &str, level: Level, late: i64| {
            score_unit(
                UnitKind::Department,
                id.into(),
                id.into(),
                level,
                &scheme.indicators,
                |i| match i {
                    Indicator::Overdue => Fact { num: late, den: 0 },
                    i if i.shape() == Shape::Count => Fact::default(),
                    _ => Fact { num: 10, den: 10 },
                },
            )
        };
        let a = make("a", Level::City, 0);
        assert_eq!(a.total, 10_000);
        assert_eq!(a.total, a.lines.iter().map(|l| l.points).sum::<i64>());
        let ranked = rank(vec![
            make("c", Level::City, 3),
            a,
            make("b", Level::City, 3),
            make("x", Level::County, 9),
        ]);
        let view: Vec<(&str, i64, i64)> = ranked
            .iter()
            .map(|u| (u.unit_id.as_str(), u.rank, u.of))
            .collect();
        assert_eq!(
            view,
            vec![("a", 1, 3), ("b", 2, 3), ("c", 2, 3), ("x", 1, 1)]
        );
        assert!(ranked[1].is_last() && ranked[2].is_last());
        assert!(!ranked[3].is_last(), "alone in its level is not last");
        let tied = rank(vec![make("p", Level::City, 1), make("q", Level::City, 1)]);
        assert!(tied.iter().all(|u| u.rank == 1 && !u.is_last()));
    }

    #[test]
    fn a_member_is_scored_on_the_indicators_that_name_it_scaled_to_100() {
        let scheme = Scheme::standard();
        let w = score_member(
            MemberKind::Window,
            7,
            "1号窗口".into(),
            &scheme.indicators,
            |i| match i {
                Indicator::GoodRate => Fact { num: 1, den: 2 },
                _ => Fact::default(),
            },
        );
        // 好评率 10 × (1/2) ÷ 95 % = 5.26; 差评整改率 nothing to count: 5.00. (10.26 ÷ 15) × 100.
        let kinds: Vec<Indicator> = w.lines.iter().map(|l| l.indicator).collect();
        assert_eq!(kinds, vec![Indicator::GoodRate, Indicator::Rectified]);
        assert_eq!(w.total, 1026 * 100 / 15);
        assert_eq!(
            w.formula,
            "得分 = 各项得分之和 10.26 ÷ 适用指标权重之和 15 × 100 = 68.40"
        );
        let s = score_member(MemberKind::Staff, 1, "x".into(), &scheme.indicators, |_| {
            Fact::default()
        });
        assert_eq!(s.total, 10_000);
        assert!(s.lines.iter().any(|l| l.indicator == Indicator::Findings));
        assert!(!s
            .lines
            .iter()
            .any(|l| l.indicator == Indicator::HotlineResponse));
    }

    #[test]
    fn last_once_is_admonition_last_twice_is_organisational() {
        assert_eq!(consequence(true, false), Some(Consequence::Admonish));
        assert_eq!(consequence(true, true), Some(Consequence::Organisational));
        assert_eq!(consequence(false, true), None);
        assert_eq!(consequence(false, false), None);
    }
}
