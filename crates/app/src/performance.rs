//! 绩效考评's use cases: the indicator scheme's life (draft, review by someone else, publish),
//! a period's scores computed from the recorded facts, publication (frozen), corrections (a
//! new version with a reason, both kept), the explanation and drill-down of every value, the
//! xlsx export, and the consequence flags of ranking last (recorded, acted on by people only).
//!
//! Who may do what, checked here:
//! - the centre's supervisors (监察人员) and administrators draft a scheme; someone other than
//!   its drafter among 监察人员, 法制审核人员 and 中心领导 reviews it; 中心领导 or an
//!   administrator publishes it;
//! - supervisors, leaders and administrators publish and correct periods and record action on
//!   flags, for their own region;
//! - staff read the scores of their region; a department's own staff drill into their own
//!   department only; published scores and the scheme's text are public.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tongban_domain::codes;
use tongban_domain::error::ErrorCode;
use tongban_domain::org::{Actor, Role};
use tongban_domain::performance::{
    consequence, rank, score_member, score_unit, Fact, Indicator, IndicatorSpec, MemberKind,
    MemberScore, Period, PeriodKind, Scheme, SchemeStatus, UnitKind, UnitScore,
};
use tongban_domain::region::{Level, RegionCode};
use tongban_store::performance::{
    DrillRow, FactTable, FlagRow, NewFlag, PeriodRow, Range, SchemeRow, UnitFilter, VersionRow,
};
use tongban_store::StoreError;

use crate::error::{AppError, Result};
use crate::App;

/// The most rows a drill-down page lists.
pub const DRILL_LIMIT: i64 = 500;

/// The hotline's 三率 as indicators: folded from the tickets' logs by the hotline's own rules.
const HOTLINE: [Indicator; 3] = [
    Indicator::HotlineResponse,
    Indicator::HotlineSolution,
    Indicator::HotlineSatisfaction,
];

/// One of the 三率 as a fact.
fn hotline_fact(i: Indicator, r: &tongban_domain::hotline::rates::UnitRates) -> Fact {
    let (num, den) = match i {
        Indicator::HotlineResponse => (r.signed_on_time, r.dispatched),
        Indicator::HotlineSolution => (r.solved, r.closed),
        _ => (r.satisfied, r.called_back),
    };
    Fact {
        num: i64::from(num),
        den: i64::from(den),
    }
}

type DeptRates = BTreeMap<i64, tongban_domain::hotline::rates::UnitRates>;
type TownshipRates = BTreeMap<String, tongban_domain::hotline::rates::UnitRates>;

/// What one ticket's log adds to each unit's 三率 counts in a range.
fn fold_ticket(
    l: &tongban_store::hotline::TicketLog,
    range: &Range,
    sign_within: chrono::Duration,
) -> DeptRates {
    let mut one = BTreeMap::new();
    tongban_domain::hotline::rates::fold_one(
        l.events.iter().map(|e| (&e.event, e.at, e.by.as_ref())),
        range.from,
        range.to,
        sign_within,
        &mut one,
    );
    one
}

fn add_rates(
    to: &mut tongban_domain::hotline::rates::UnitRates,
    r: &tongban_domain::hotline::rates::UnitRates,
) {
    to.dispatched += r.dispatched;
    to.signed_on_time += r.signed_on_time;
    to.solved += r.solved;
    to.closed += r.closed;
    to.satisfied += r.satisfied;
    to.called_back += r.called_back;
}

/// A scheme version with its indicators read.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeView {
    pub row: SchemeRow,
    pub indicators: Vec<IndicatorSpec>,
}

/// A period's scores: published (with its versions and flags) or a preview.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodView {
    pub period: Period,
    pub region: String,
    /// `None` for a preview not yet published.
    pub row: Option<PeriodRow>,
    pub scheme: SchemeView,
    /// The version shown.
    pub version: i64,
    pub versions: Vec<VersionRow>,
    pub scores: Vec<UnitScore>,
    pub flags: Vec<FlagRow>,
}

/// A correction of one fact, with the period's reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Adjustment {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub indicator: Indicator,
    pub num: i64,
    pub den: i64,
}

fn may_draft(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Admin)
}

fn may_review(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Legal | Role::Leader)
}

fn may_publish_scheme(role: Role) -> bool {
    matches!(role, Role::Leader | Role::Admin)
}

/// Who publishes and corrects periods and records action on flags.
pub fn may_score(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Leader | Role::Admin)
}

/// A store conflict named after a code (`performance.stage`) as that code.
pub(crate) fn conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(c) => match ErrorCode::parse(&c) {
            Some(code) => AppError::of(code),
            None => StoreError::Conflict(c).into(),
        },
        other => other.into(),
    }
}

fn region_of(actor: &Actor) -> Result<RegionCode> {
    actor.region.clone().ok_or_else(AppError::forbidden)
}

fn range_of(p: Period) -> Range {
    let (from, to) = p.bounds();
    Range {
        from,
        to,
        months: p.month_range(),
        days: p.day_range(),
        year: (p.kind == PeriodKind::Year).then_some(i64::from(p.year)),
    }
}

fn scheme_view(row: SchemeRow) -> Result<SchemeView> {
    let indicators: Vec<IndicatorSpec> =
        serde_json::from_str(&row.body).map_err(AppError::internal)?;
    Ok(SchemeView { row, indicators })
}

fn body_of(s: &Scheme) -> Result<String> {
    serde_json::to_string(&s.indicators).map_err(AppError::internal)
}

/// The reason a correction needs: not blank, at most 500 characters.
fn reason_of(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 500 {
        return Err(AppError::of(codes::Performance::Reason));
    }
    Ok(r.to_string())
}

impl App {
    /// Drafts a new version of the actor's region's scheme. A scheme that breaks a rule (its
    /// weights do not sum to 100: `performance.weights`) is refused and nothing is written.
    pub async fn draft_scheme(&self, actor: &Actor, scheme: &Scheme) -> Result<SchemeView> {
        if !may_draft(actor.role) {
            return Err(AppError::forbidden());
        }
        scheme.check()?;
        let region = region_of(actor)?;
        let entry = self.entry(
            actor,
            "performance.scheme_draft",
            String::new(),
            format!(
                "起草指标体系：{}（{}项指标）",
                scheme.name.trim(),
                scheme.indicators.len()
            ),
        );
        let id = self
            .store
            .insert_scheme(
                region.as_str(),
                scheme.name.trim(),
                &body_of(scheme)?,
                actor.user_id,
                self.now(),
                entry,
            )
            .await?;
        self.scheme(id).await
    }

    /// Replaces a draft's name and indicators (its drafter's centre; drafts only).
    pub async fn edit_scheme(&self, actor: &Actor, id: i64, scheme: &Scheme) -> Result<SchemeView> {
        if !may_draft(actor.role) {
            return Err(AppError::forbidden());
        }
        let current = self.scheme_in_scope(actor, id).await?;
        current.row.status.edit()?;
        scheme.check()?;
        let entry = self.entry(
            actor,
            "performance.scheme_edit",
            format!("perf_scheme:{id}"),
            format!("修改指标体系草稿：{}", scheme.name.trim()),
        );
        self.store
            .update_scheme_draft(id, scheme.name.trim(), &body_of(scheme)?, entry)
            .await
            .map_err(conflict)?;
        self.scheme(id).await
    }

    /// Reviews a draft (someone other than its drafter).
    pub async fn review_scheme(&self, actor: &Actor, id: i64) -> Result<SchemeView> {
        if !may_review(actor.role) {
            return Err(AppError::forbidden());
        }
        let s = self.scheme_in_scope(actor, id).await?;
        let to = s.row.status.review(s.row.drafted_by, actor.user_id)?;
        let entry = self.entry(
            actor,
            "performance.scheme_review",
            format!("perf_scheme:{id}"),
            format!("审核指标体系：{} 第{}版", s.row.name, s.row.version),
        );
        self.store
            .set_scheme_status(id, s.row.status, to, actor.user_id, self.now(), entry)
            .await
            .map_err(conflict)?;
        self.scheme(id).await
    }

    /// Publishes a reviewed version; the version in force before it is superseded.
    pub async fn publish_scheme(&self, actor: &Actor, id: i64) -> Result<SchemeView> {
        if !may_publish_scheme(actor.role) {
            return Err(AppError::forbidden());
        }
        let s = self.scheme_in_scope(actor, id).await?;
        let to = s.row.status.publish()?;
        let entry = self.entry(
            actor,
            "performance.scheme_publish",
            format!("perf_scheme:{id}"),
            format!("发布指标体系：{} 第{}版", s.row.name, s.row.version),
        );
        self.store
            .set_scheme_status(id, s.row.status, to, actor.user_id, self.now(), entry)
            .await
            .map_err(conflict)?;
        self.scheme(id).await
    }

    /// A scheme version (public once published; drafts are for staff of its region).
    pub async fn scheme(&self, id: i64) -> Result<SchemeView> {
        let row = self
            .store
            .scheme(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        scheme_view(row)
    }

    async fn scheme_in_scope(&self, actor: &Actor, id: i64) -> Result<SchemeView> {
        let s = self.scheme(id).await?;
        let region = RegionCode::parse(&s.row.region).map_err(AppError::internal)?;
        if !actor.sees_region(&region) {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        Ok(s)
    }

    /// The scheme versions of the actor's region subtree, newest first.
    pub async fn schemes(&self, actor: &Actor) -> Result<Vec<SchemeView>> {
        if !actor.role.is_staff() {
            return Err(AppError::forbidden());
        }
        let region = region_of(actor)?;
        self.store
            .schemes(region.prefix())
            .await?
            .into_iter()
            .map(scheme_view)
            .collect()
    }

    /// Every scheme version in force (public: its text is published).
    pub async fn published_schemes(&self) -> Result<Vec<SchemeView>> {
        self.store
            .schemes("")
            .await?
            .into_iter()
            .filter(|s| s.status == SchemeStatus::Published)
            .map(scheme_view)
            .collect()
    }

    /// The scheme in force for a region (public).
    pub async fn published_scheme(&self, region: &str) -> Result<Option<SchemeView>> {
        self.store
            .published_scheme(region)
            .await?
            .map(scheme_view)
            .transpose()
    }

    /// Every unit of a region's scores: its departments, and its townships and streets.
    async fn units(&self, region: &RegionCode) -> Result<Vec<(UnitKind, String, String, Level)>> {
        let mut units = Vec::new();
        for d in self.store.departments(Some(region)).await? {
            units.push((
                UnitKind::Department,
                d.id.to_string(),
                d.name,
                d.region_code.level(),
            ));
        }
        for r in self.store.regions(Some(region)).await? {
            if r.level == Level::Township {
                units.push((
                    UnitKind::Township,
                    r.code.as_str().to_string(),
                    r.name,
                    Level::Township,
                ));
            }
        }
        Ok(units)
    }

    /// Scores every unit of a region for a period from the facts, ranked within each level.
    async fn compute(
        &self,
        region: &RegionCode,
        period: Period,
        specs: &[IndicatorSpec],
        adjust: Option<(&Adjustment, &str)>,
    ) -> Result<Vec<UnitScore>> {
        let indicators: Vec<Indicator> = specs.iter().map(|s| s.indicator).collect();
        let range = range_of(period);
        let mut facts: FactTable = self.store.period_facts(&indicators, &range).await?;
        if indicators.iter().any(|i| HOTLINE.contains(i)) {
            let (departments, townships) = self.hotline_fold(&range).await?;
            for (unit, r) in departments {
                for i in HOTLINE {
                    facts.add_department(unit, i, hotline_fact(i, &r));
                }
            }
            for (township, r) in townships {
                for i in HOTLINE {
                    facts.add_township(&township, i, hotline_fact(i, &r));
                }
            }
        }
        let mut scores = Vec::new();
        for (kind, id, name, level) in self.units(region).await? {
            let fixed = adjust.filter(|(a, _)| a.unit_kind == kind && a.unit_id == id);
            let mut s = score_unit(kind, id.clone(), name, level, specs, |i| match fixed {
                Some((a, _)) if a.indicator == i => Fact {
                    num: a.num,
                    den: a.den,
                },
                _ => facts.get(kind, &id, i),
            });
            if let Some((a, reason)) = fixed {
                for l in &mut s.lines {
                    if l.indicator == a.indicator {
                        l.corrected = Some(reason.to_string());
                    }
                }
            }
            scores.push(s);
        }
        Ok(rank(scores))
    }

    /// The 三率 counts of a range per department (the centre left out: it is not a scored
    /// unit) and per township (by 9-digit prefix): a township counts every ticket whose address
    /// falls in it, whoever handled it (the centre too), by the same fold.
    async fn hotline_fold(&self, range: &Range) -> Result<(DeptRates, TownshipRates)> {
        let logs = self
            .store
            .ticket_logs_open_between("", range.from, range.to)
            .await?;
        let heads = self
            .store
            .ticket_heads_between(range.from, range.to)
            .await?;
        let sign_within = chrono::Duration::hours(i64::from(self.settings().hotline.sign_hours));
        let mut departments: DeptRates = BTreeMap::new();
        let mut townships: TownshipRates = BTreeMap::new();
        for l in &logs {
            let one = fold_ticket(l, range, sign_within);
            let township = heads.get(&l.id).and_then(|h| h.township());
            for (unit, r) in one {
                if let Some(t) = township {
                    add_rates(townships.entry(t.to_string()).or_default(), &r);
                }
                if unit != tongban_domain::hotline::CENTRE {
                    add_rates(departments.entry(unit).or_default(), &r);
                }
            }
        }
        Ok((departments, townships))
    }

    /// The tickets behind one of the 三率 of a department or a township in a range, by the same
    /// fold: each ticket with what it added to the numerator and the denominator.
    async fn hotline_drill(
        &self,
        range: &Range,
        unit: &UnitFilter,
        indicator: Indicator,
    ) -> Result<Vec<DrillRow>> {
        let logs = self
            .store
            .ticket_logs_open_between("", range.from, range.to)
            .await?;
        let heads = self
            .store
            .ticket_heads_between(range.from, range.to)
            .await?;
        let sign_within = chrono::Duration::hours(i64::from(self.settings().hotline.sign_hours));
        let mut rows = Vec::new();
        for l in &logs {
            let Some(head) = heads.get(&l.id) else {
                continue;
            };
            let one = fold_ticket(l, range, sign_within);
            let r = match unit {
                UnitFilter::Department(d) => match one.get(d) {
                    Some(r) => *r,
                    None => continue,
                },
                UnitFilter::Township(prefix) => {
                    if head.township() != Some(prefix.as_str()) {
                        continue;
                    }
                    let mut sum = tongban_domain::hotline::rates::UnitRates::default();
                    for r in one.values() {
                        add_rates(&mut sum, r);
                    }
                    sum
                }
            };
            let f = hotline_fact(indicator, &r);
            if f.den == 0 {
                continue;
            }
            rows.push(DrillRow {
                kind: "ticket".into(),
                number: head.number.clone(),
                title: head.summary.chars().take(60).collect(),
                at: head.received_at,
                due_at: None,
                done_at: head.closed_at,
                note: format!("计入分子{}、分母{}", f.num, f.den),
                counted: i64::from(f.num == f.den),
            });
        }
        rows.sort_by(|a, b| (a.counted, a.at, &a.number).cmp(&(b.counted, b.at, &b.number)));
        rows.truncate(usize::try_from(DRILL_LIMIT).unwrap_or(500));
        Ok(rows)
    }

    /// A period's scores as they would be published now, from the facts (not stored).
    pub async fn preview_period(&self, actor: &Actor, period: &str) -> Result<PeriodView> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        let period = Period::parse(period)?;
        let region = region_of(actor)?;
        let scheme = self
            .published_scheme(region.as_str())
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NoScheme))?;
        let scores = self
            .compute(&region, period, &scheme.indicators, None)
            .await?;
        Ok(PeriodView {
            period,
            region: region.as_str().to_string(),
            row: None,
            scheme,
            version: 0,
            versions: Vec::new(),
            scores,
            flags: Vec::new(),
        })
    }

    /// Publishes a finished period of the actor's region under the scheme in force: the scores
    /// are frozen as version 1. A year's publication raises the consequence flags of each
    /// level's last unit (诫勉谈话; 组织措施 when it was last the year before too). A period
    /// already published is refused (`performance.published`): a change is a correction.
    pub async fn publish_period(&self, actor: &Actor, period: &str) -> Result<PeriodView> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        let period = Period::parse(period)?;
        let region = region_of(actor)?;
        if !period.is_over(self.now()) {
            return Err(AppError::of(codes::Performance::PeriodOpen));
        }
        if self
            .store
            .period_of(region.as_str(), &period.to_string())
            .await?
            .is_some()
        {
            return Err(AppError::of(codes::Performance::Published));
        }
        let scheme = self
            .published_scheme(region.as_str())
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NoScheme))?;
        let scores = self
            .compute(&region, period, &scheme.indicators, None)
            .await?;
        let mut flags = Vec::new();
        if period.kind == PeriodKind::Year {
            let before = self
                .frozen_scores(region.as_str(), period.previous())
                .await?;
            for s in scores.iter().filter(|s| s.is_last()) {
                let last_before = before
                    .iter()
                    .any(|b| b.unit_kind == s.unit_kind && b.unit_id == s.unit_id && b.is_last());
                if let Some(c) = consequence(true, last_before) {
                    flags.push(NewFlag {
                        unit_kind: s.unit_kind,
                        unit_id: s.unit_id.clone(),
                        unit_name: s.unit_name.clone(),
                        level: s.level,
                        consequence: c,
                    });
                }
            }
        }
        let entry = self.entry(
            actor,
            "performance.period_publish",
            String::new(),
            format!(
                "发布{}考评结果（{}个考评对象，指标体系第{}版）",
                period.label(),
                scores.len(),
                scheme.row.version
            ),
        );
        let id = self
            .store
            .publish_period(
                &period.to_string(),
                period.kind,
                region.as_str(),
                scheme.row.id,
                &scores,
                &flags,
                (actor.user_id, &actor.name),
                self.now(),
                entry,
            )
            .await
            .map_err(conflict)?;
        self.period_view(id, None).await
    }

    /// The latest version's scores of a region's published period (none when unpublished).
    async fn frozen_scores(&self, region: &str, period: Period) -> Result<Vec<UnitScore>> {
        match self.store.period_of(region, &period.to_string()).await? {
            Some(p) => Ok(self.store.period_scores(p.id, p.version).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Corrects a published period: a new version computed from the facts as they are now,
    /// with at most one fact replaced (`adjust`), and the reason, which is required
    /// (`performance.reason`: nothing is written without it). Every earlier version stays.
    pub async fn correct_period(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        reason: &str,
        adjust: Option<&Adjustment>,
    ) -> Result<PeriodView> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        let reason = reason_of(reason)?;
        let row = self.period_in_scope(actor, id).await?;
        if row.version != expected_version {
            return Err(AppError::of(codes::Performance::Stale));
        }
        let period = Period::parse(&row.period)?;
        let region = RegionCode::parse(&row.region).map_err(AppError::internal)?;
        let scheme = scheme_view(
            self.store
                .scheme(row.scheme_id)
                .await?
                .ok_or_else(|| AppError::internal("period without its scheme"))?,
        )?;
        if let Some(a) = adjust {
            if a.num < 0 || a.den < 0 || (a.den > 0 && a.num > a.den) {
                return Err(AppError::of(codes::Performance::Adjustment));
            }
            let known = self
                .units(&region)
                .await?
                .iter()
                .any(|(k, u, ..)| *k == a.unit_kind && *u == a.unit_id);
            if !known {
                return Err(AppError::of(codes::Performance::Unit));
            }
            if !scheme.indicators.iter().any(|s| s.indicator == a.indicator) {
                return Err(AppError::of(codes::Performance::Indicator));
            }
        }
        let scores = self
            .compute(
                &region,
                period,
                &scheme.indicators,
                adjust.map(|a| (a, reason.as_str())),
            )
            .await?;
        let entry = self.entry(
            actor,
            "performance.period_correct",
            format!("perf_period:{id}"),
            format!(
                "更正{}考评结果为第{}版：{reason}",
                period.label(),
                expected_version + 1
            ),
        );
        self.store
            .correct_period(
                id,
                expected_version,
                &reason,
                &scores,
                (actor.user_id, &actor.name),
                self.now(),
                entry,
            )
            .await
            .map_err(conflict)?;
        self.period_view(id, None).await
    }

    async fn period_in_scope(&self, actor: &Actor, id: i64) -> Result<PeriodRow> {
        let row = self
            .store
            .period(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        let region = RegionCode::parse(&row.region).map_err(AppError::internal)?;
        if !actor.sees_region(&region) {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        Ok(row)
    }

    /// A published period at a version (the latest by default). Published scores are public.
    pub async fn period_view(&self, id: i64, version: Option<i64>) -> Result<PeriodView> {
        let row = self
            .store
            .period(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        let version = version.unwrap_or(row.version);
        if version < 1 || version > row.version {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        let scheme = scheme_view(
            self.store
                .scheme(row.scheme_id)
                .await?
                .ok_or_else(|| AppError::internal("period without its scheme"))?,
        )?;
        Ok(PeriodView {
            period: Period::parse(&row.period)?,
            region: row.region.clone(),
            versions: self.store.period_versions(id).await?,
            scores: self.store.period_scores(id, version).await?,
            flags: self.store.period_flags(id).await?,
            row: Some(row),
            scheme,
            version,
        })
    }

    /// Published periods (public), latest first; in a region subtree when given.
    pub async fn published_periods(&self, prefix: &str) -> Result<Vec<PeriodRow>> {
        Ok(self.store.periods(prefix).await?)
    }

    /// The latest published period of the actor's region, for the supervision board.
    pub async fn current_ranking(&self, actor: &Actor) -> Result<Option<PeriodView>> {
        let Some(region) = actor.region.clone() else {
            return Ok(None);
        };
        let latest = self
            .store
            .periods(region.prefix())
            .await?
            .into_iter()
            .find(|p| p.region == region.as_str());
        match latest {
            Some(p) => Ok(Some(self.period_view(p.id, None).await?)),
            None => Ok(None),
        }
    }

    /// One unit's score at a version, with its lines.
    pub async fn unit_score(
        &self,
        id: i64,
        version: Option<i64>,
        kind: UnitKind,
        unit_id: &str,
    ) -> Result<(PeriodView, UnitScore)> {
        let view = self.period_view(id, version).await?;
        let unit = view
            .scores
            .iter()
            .find(|s| s.unit_kind == kind && s.unit_id == unit_id)
            .cloned()
            .ok_or_else(|| AppError::of(codes::Performance::Unit))?;
        Ok((view, unit))
    }

    /// The cases, findings, orders or ratings behind one value of a published period, as the
    /// facts stand now (a correction records any difference). Staff of the period's region;
    /// a department's own staff for their own department only.
    pub async fn drill(
        &self,
        actor: &Actor,
        id: i64,
        kind: UnitKind,
        unit_id: &str,
        indicator: Indicator,
    ) -> Result<Vec<DrillRow>> {
        let row = self.period_in_scope(actor, id).await?;
        if actor.role.is_departmental() {
            let own = actor.department_id.map(|d| d.to_string());
            if kind != UnitKind::Department || own.as_deref() != Some(unit_id) {
                return Err(AppError::forbidden());
            }
        } else if !matches!(
            actor.role,
            Role::Supervisor | Role::Leader | Role::Legal | Role::Admin
        ) {
            return Err(AppError::forbidden());
        }
        let filter = match kind {
            UnitKind::Department => UnitFilter::Department(
                unit_id
                    .parse()
                    .map_err(|_| AppError::of(codes::Performance::Unit))?,
            ),
            UnitKind::Township => {
                let code = RegionCode::parse(unit_id)
                    .map_err(|_| AppError::of(codes::Performance::Unit))?;
                if code.level() != Level::Township {
                    return Err(AppError::of(codes::Performance::Unit));
                }
                UnitFilter::Township(code.prefix().to_string())
            }
        };
        let period = Period::parse(&row.period)?;
        let mut rows = match (indicator, &filter) {
            (i, unit) if HOTLINE.contains(&i) => {
                self.hotline_drill(&range_of(period), unit, i).await?
            }
            _ => {
                self.store
                    .drill(indicator, &range_of(period), &filter, DRILL_LIMIT)
                    .await?
            }
        };
        for r in &mut rows {
            if r.kind == "rating" {
                if let Ok(n) = r.number.parse::<i64>() {
                    r.number = tongban_store::ratings::number_of(n);
                }
            }
            if r.kind == "survey" {
                use tongban_domain::performance::survey::{Choice, Topic};
                for t in Topic::ALL {
                    r.note = r
                        .note
                        .replace(&format!(" {}：", t.as_str()), &format!(" {}：", t.label()));
                }
                for c in Choice::ALL {
                    r.note = r.note.replace(
                        &format!("：{}（", c.as_str()),
                        &format!("：{}（", c.label()),
                    );
                }
            }
        }
        Ok(rows)
    }

    /// A version's scores as an xlsx workbook: one row per unit and indicator, with the fact,
    /// the value, the formula and the points.
    pub async fn period_xlsx(&self, id: i64, version: Option<i64>) -> Result<(String, Vec<u8>)> {
        use tongban_exchange::table::{workbook, Value};
        let view = self.period_view(id, version).await?;
        let headers = [
            "考评对象",
            "类别",
            "层级",
            "排名",
            "总分",
            "指标",
            "分子",
            "分母",
            "数值",
            "目标",
            "权重",
            "得分",
            "计算过程",
            "更正理由",
        ];
        let mut rows = Vec::new();
        for s in &view.scores {
            for l in &s.lines {
                rows.push(vec![
                    Value::from(s.unit_name.as_str()),
                    Value::from(s.unit_kind.label()),
                    Value::from(s.level.label()),
                    Value::from(s.rank),
                    Value::from(s.total_text()),
                    Value::from(l.indicator.label()),
                    Value::from(l.fact.num),
                    Value::from(l.fact.den),
                    Value::from(match (l.indicator.shape(), l.value) {
                        (_, None) => String::new(),
                        (tongban_domain::performance::Shape::Rate, Some(v)) => {
                            tongban_domain::performance::score::permille_text(v)
                        }
                        (_, Some(v)) => v.to_string(),
                    }),
                    Value::from(match l.indicator.shape() {
                        tongban_domain::performance::Shape::Rate => {
                            tongban_domain::performance::score::permille_text(l.target)
                        }
                        _ => l.target.to_string(),
                    }),
                    Value::from(l.weight),
                    Value::from(tongban_domain::performance::score::points_text(l.points)),
                    Value::from(l.formula.as_str()),
                    Value::from(l.corrected.clone().unwrap_or_default()),
                ]);
            }
        }
        let sheet = format!("{}第{}版", view.period.label(), view.version);
        let bytes = workbook(&sheet, &headers, &rows).map_err(AppError::internal)?;
        Ok((
            format!("performance-{}-v{}.xlsx", view.period, view.version),
            bytes,
        ))
    }

    /// Records who acted on a consequence flag and what was done (诫勉谈话 held, 组织措施
    /// taken): the system never acts by itself.
    pub async fn act_on_flag(&self, actor: &Actor, flag_id: i64, note: &str) -> Result<FlagRow> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 500 {
            return Err(AppError::new(
                codes::Performance::Reason,
                "请填写处理情况（500字以内）",
            ));
        }
        let flag = self
            .store
            .perf_flag(flag_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        self.period_in_scope(actor, flag.period_id).await?;
        let entry = self.entry(
            actor,
            "performance.flag_act",
            format!("perf_flag:{flag_id}"),
            format!(
                "{}（{}）处理情况：{note}",
                flag.unit_name,
                flag.consequence.label()
            ),
        );
        self.store
            .act_on_flag(
                flag_id,
                (actor.user_id, &actor.name),
                note,
                self.now(),
                entry,
            )
            .await
            .map_err(conflict)?;
        self.store
            .perf_flag(flag_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))
    }
}

/// A published period's halls, windows or staff scored (live from the facts, under the
/// period's scheme; not frozen and not ranked with the units).
#[derive(Debug, Clone, Serialize)]
pub struct MembersView {
    pub period: Period,
    pub period_id: i64,
    pub kind: MemberKind,
    /// Best first.
    pub scores: Vec<MemberScore>,
}

impl App {
    /// Who a member listing shows the actor: the centre's supervisors, leaders, legal staff and
    /// administrators every member of their region; a department's staff their department's
    /// windows and staff and the halls of their region; nobody else.
    async fn members_in_view(&self, actor: &Actor, kind: MemberKind) -> Result<Vec<(i64, String)>> {
        if !(actor.role.is_departmental()
            || matches!(
                actor.role,
                Role::Supervisor | Role::Leader | Role::Legal | Role::Admin
            ))
        {
            return Err(AppError::forbidden());
        }
        let region = region_of(actor)?;
        let own = actor
            .role
            .is_departmental()
            .then_some(actor.department_id)
            .flatten();
        if actor.role.is_departmental() && own.is_none() {
            return Err(AppError::forbidden());
        }
        Ok(match kind {
            MemberKind::Hall => self
                .store
                .halls(Some(&region))
                .await?
                .into_iter()
                .map(|h| (h.id, h.name))
                .collect(),
            MemberKind::Window => self
                .store
                .windows(Some(&region), own)
                .await?
                .into_iter()
                .map(|w| {
                    (
                        w.id,
                        format!("{} {}号窗口（{}）", w.hall_name, w.number, w.name),
                    )
                })
                .collect(),
            MemberKind::Staff => self
                .store
                .users(&tongban_store::users::UserFilter {
                    region: Some(region),
                    department_id: own,
                    role: None,
                    staff_only: true,
                })
                .await?
                .into_iter()
                .filter(|u| u.role.is_departmental())
                .map(|u| (u.id, u.name))
                .collect(),
        })
    }

    /// The halls, windows or staff of the actor's view scored for a published period: each on
    /// the period's scheme indicators that name them, best first.
    pub async fn member_scores(
        &self,
        actor: &Actor,
        period_id: i64,
        kind: MemberKind,
    ) -> Result<MembersView> {
        let members = self.members_in_view(actor, kind).await?;
        let row = self.period_in_scope(actor, period_id).await?;
        let period = Period::parse(&row.period)?;
        let scheme = scheme_view(
            self.store
                .scheme(row.scheme_id)
                .await?
                .ok_or_else(|| AppError::internal("period without its scheme"))?,
        )?;
        let facts = self.store.member_facts(kind, &range_of(period)).await?;
        let mut scores: Vec<MemberScore> = members
            .into_iter()
            .map(|(id, name)| {
                score_member(kind, id, name, &scheme.indicators, |i| {
                    facts
                        .get(&id)
                        .and_then(|f| f.get(&i).copied())
                        .unwrap_or_default()
                })
            })
            .collect();
        scores.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
        Ok(MembersView {
            period,
            period_id,
            kind,
            scores,
        })
    }

    /// The cases, findings or ratings behind one member's value, for a member in the actor's
    /// view.
    pub async fn member_drill(
        &self,
        actor: &Actor,
        period_id: i64,
        kind: MemberKind,
        member: i64,
        indicator: Indicator,
    ) -> Result<Vec<DrillRow>> {
        if !self
            .members_in_view(actor, kind)
            .await?
            .iter()
            .any(|(id, _)| *id == member)
        {
            return Err(AppError::of(codes::Performance::Unit));
        }
        let row = self.period_in_scope(actor, period_id).await?;
        if !kind.counts(indicator) {
            return Err(AppError::of(codes::Performance::Indicator));
        }
        let period = Period::parse(&row.period)?;
        let mut rows = self
            .store
            .member_drill(kind, member, indicator, &range_of(period), DRILL_LIMIT)
            .await?;
        for r in &mut rows {
            if r.kind == "rating" {
                if let Ok(n) = r.number.parse::<i64>() {
                    r.number = tongban_store::ratings::number_of(n);
                }
            }
        }
        Ok(rows)
    }
}
