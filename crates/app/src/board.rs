//! The supervision centre's board (监察中心): a supervisor's region at a glance, from the
//! counters the case writes and the sweeper maintain (never a scan of the cases), with the
//! newest findings and warnings and a drill-down from any number to its cases.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tongban_domain::calendar::{Calendar, TimeLeft};
use tongban_domain::codes;
use tongban_domain::org::Actor;
use tongban_domain::region::RegionCode;
use tongban_domain::supervision::Light;
use tongban_store::findings::FindingRow;
use tongban_store::watch::{Count, LitClock, LitFilter, WarningRow};

use crate::error::{AppError, Result};
use crate::App;

/// Seed 000: 现场办结率 of 90 % or more.
pub const ON_THE_SPOT_TARGET: u32 = 90;

/// One set of figures: gauges now and tallies of the chosen day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub open: i64,
    pub yellow: i64,
    pub red: i64,
    pub received: i64,
    pub accepted: i64,
    pub decided: i64,
    /// Decided that day, of cases filed at a hall.
    pub decided_at_hall: i64,
    /// Of those, decided the day they were filed (现场办结).
    pub on_the_spot: i64,
}

impl Figures {
    fn add(&mut self, metric: &str, n: i64) {
        match metric {
            "open" => self.open += n,
            "yellow" => self.yellow += n,
            "red" => self.red += n,
            "received" => self.received += n,
            "accepted" => self.accepted += n,
            "decided" => self.decided += n,
            "decided_at_hall" => self.decided_at_hall += n,
            "on_the_spot" => self.on_the_spot += n,
            _ => {}
        }
    }

    /// Adds another set of figures (a subtree's, into its region's).
    fn absorb(&mut self, o: &Figures) {
        self.open += o.open;
        self.yellow += o.yellow;
        self.red += o.red;
        self.received += o.received;
        self.accepted += o.accepted;
        self.decided += o.decided;
        self.decided_at_hall += o.decided_at_hall;
        self.on_the_spot += o.on_the_spot;
    }

    /// 现场办结率 in percent, when anything filed at a hall was decided that day.
    pub fn on_the_spot_rate(&self) -> Option<f64> {
        (self.decided_at_hall > 0)
            .then(|| self.on_the_spot as f64 * 100.0 / self.decided_at_hall as f64)
    }

    pub fn light(&self) -> Light {
        if self.red > 0 {
            Light::Red
        } else if self.yellow > 0 {
            Light::Yellow
        } else {
            Light::Green
        }
    }
}

/// A named line of the board.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub id: i64,
    pub name: String,
    pub figures: Figures,
}

/// A region of the tree with its figures and colour.
#[derive(Debug, Clone, Serialize)]
pub struct RegionNode {
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub figures: Figures,
    pub light: Light,
}

/// What narrows the board.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub region: Option<RegionCode>,
    pub department_id: Option<i64>,
    pub hall_id: Option<i64>,
    /// The day of the tallies; today when `None`.
    pub day: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub region: String,
    pub day: NaiveDate,
    pub totals: Figures,
    pub departments: Vec<Line>,
    pub halls: Vec<Line>,
    pub regions: Vec<RegionNode>,
    pub on_the_spot_target: u32,
    pub findings: Vec<FindingRow>,
    pub warnings: Vec<WarningRow>,
    /// Shown while an open deadline of the region falls in a year whose holidays are not
    /// announced yet, so it is counted on the provisional calendar.
    pub provisional: Option<String>,
    pub at: DateTime<Utc>,
}

impl App {
    /// The region a supervisor may look at, narrowed by a filter to a region inside it.
    fn board_region(&self, actor: &Actor, wanted: Option<&RegionCode>) -> Result<RegionCode> {
        if !actor.role.watches_board() {
            return Err(AppError::forbidden());
        }
        let own = actor
            .region
            .clone()
            .ok_or_else(|| AppError::new(codes::Board::Region, "账号未设置所属地区"))?;
        match wanted {
            Some(r) if own.contains(r) => Ok(r.clone()),
            Some(_) => Err(AppError::new(
                codes::Board::Region,
                "只能查看本人所辖地区的监察数据",
            )),
            None => Ok(own),
        }
    }

    pub async fn board(&self, actor: &Actor, f: &BoardFilter) -> Result<Board> {
        let region = self.board_region(actor, f.region.as_ref())?;
        let now = self.now();
        let day = f
            .day
            .unwrap_or_else(|| tongban_domain::time::local_date(now));
        let counts: Vec<Count> = self
            .store
            .board_counts(region.prefix(), &day.format("%Y%m%d").to_string())
            .await?
            .into_iter()
            .filter(|c| f.department_id.is_none_or(|d| d == c.department_id))
            .filter(|c| f.hall_id.is_none_or(|h| h == c.hall_id))
            .collect();
        let mut totals = Figures::default();
        let mut by_dept: BTreeMap<i64, Figures> = BTreeMap::new();
        let mut by_hall: BTreeMap<i64, Figures> = BTreeMap::new();
        let mut by_region: BTreeMap<String, Figures> = BTreeMap::new();
        for c in &counts {
            totals.add(&c.metric, c.n);
            by_dept
                .entry(c.department_id)
                .or_default()
                .add(&c.metric, c.n);
            by_hall.entry(c.hall_id).or_default().add(&c.metric, c.n);
            by_region
                .entry(c.region.clone())
                .or_default()
                .add(&c.metric, c.n);
        }
        let departments = self.store.departments(Some(&region)).await?;
        let halls = self.store.halls(Some(&region)).await?;
        let dept_name = |id: i64| match id {
            // A 12345 ticket's deadline while it sits at the centre, which is no department.
            tongban_domain::hotline::CENTRE => "12345热线中心".to_string(),
            _ => departments
                .iter()
                .find(|d| d.id == id)
                .map_or(format!("部门 {id}"), |d| d.name.clone()),
        };
        let hall_name = |id: i64| match id {
            0 => "网上申请".to_string(),
            _ => halls
                .iter()
                .find(|h| h.id == id)
                .map_or(format!("大厅 {id}"), |h| h.name.clone()),
        };
        let mut departments_out: Vec<Line> = by_dept
            .into_iter()
            .map(|(id, figures)| Line {
                id,
                name: dept_name(id),
                figures,
            })
            .collect();
        departments_out.sort_by_key(|l| {
            (
                std::cmp::Reverse(l.figures.red),
                std::cmp::Reverse(l.figures.yellow),
                l.name.clone(),
            )
        });
        let halls_out = by_hall
            .into_iter()
            .map(|(id, figures)| Line {
                id,
                name: hall_name(id),
                figures,
            })
            .collect();
        let regions = self.region_tree(&region, &by_region).await?;
        let prefix = region.prefix().to_string();
        let findings = self.store.findings(&prefix, Some("open"), 10).await?;
        let warnings = self.store.open_warnings(&prefix, 10).await?;
        let provisional = self.provisional_banner(&prefix).await?;
        Ok(Board {
            region: region.to_string(),
            day,
            totals,
            departments: departments_out,
            halls: halls_out,
            regions,
            on_the_spot_target: ON_THE_SPOT_TARGET,
            findings,
            warnings,
            provisional,
            at: now,
        })
    }

    /// The board's banner while any open deadline in the region lies in a year the State
    /// Council has not announced: from the first day after the last announced year.
    async fn provisional_banner(&self, prefix: &str) -> Result<Option<String>> {
        let official = self.official_calendar().await?;
        let Some(last) = official.years().iter().map(|y| y.year).max() else {
            return Ok(None);
        };
        let first = NaiveDate::from_ymd_opt(last + 1, 1, 1)
            .map(tongban_domain::time::start_of_day)
            .ok_or_else(|| AppError::internal("calendar year"))?;
        Ok(self.store.any_deadline_from(prefix, first).await?.then(|| {
            format!(
                "部分在办期限落在 {} 年及以后：国务院尚未公布该年节假日安排，这些期限{}。",
                last + 1,
                tongban_domain::calendar::PROVISIONAL_NOTE
            )
        }))
    }

    /// The region tree under `root`, each node summing its subtree.
    async fn region_tree(
        &self,
        root: &RegionCode,
        by_region: &BTreeMap<String, Figures>,
    ) -> Result<Vec<RegionNode>> {
        let mut regions = self.store.regions(Some(root)).await?;
        regions.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
        let root_depth = root.level() as usize;
        Ok(regions
            .into_iter()
            .map(|r| {
                let mut figures = Figures::default();
                for (code, f) in by_region {
                    let inside = RegionCode::parse(code).is_ok_and(|c| r.code.contains(&c));
                    if inside {
                        figures.absorb(f);
                    }
                }
                RegionNode {
                    code: r.code.to_string(),
                    name: r.name,
                    depth: (r.level as usize).saturating_sub(root_depth),
                    light: figures.light(),
                    figures,
                }
            })
            .collect())
    }

    /// The deadlines behind a number on the board: yellow and red ones, filtered.
    pub async fn board_cases(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        mut filter: LitFilter,
    ) -> Result<Vec<LitClock>> {
        let region = self.board_region(actor, region)?;
        filter.region_prefix = region.prefix().to_string();
        Ok(self.store.lit_clocks(&filter, 1000).await?)
    }

    /// What the board's live stream sends after the last warning and finding it sent.
    pub async fn board_news(
        &self,
        actor: &Actor,
        after_warning: i64,
        after_finding: i64,
    ) -> Result<(Vec<WarningRow>, Vec<FindingRow>)> {
        let region = self.board_region(actor, None)?;
        let prefix = region.prefix();
        Ok((
            self.store
                .warnings(prefix, Some(after_warning), 100)
                .await?,
            self.store
                .findings_after(prefix, after_finding, 100)
                .await?,
        ))
    }

    /// The newest warning and finding ids in the supervisor's region (0 when none): where a
    /// live stream that has sent nothing yet starts.
    pub async fn board_cursor(&self, actor: &Actor) -> Result<(i64, i64)> {
        let region = self.board_region(actor, None)?;
        let prefix = region.prefix();
        let warning = self.store.warnings(prefix, None, 1).await?;
        let finding = self.store.findings(prefix, None, 1).await?;
        Ok((
            warning.first().map_or(0, |w| w.id),
            finding.iter().map(|f| f.id).max().unwrap_or(0),
        ))
    }

    /// Warnings in the supervisor's region after `after` (the board's live stream), or the
    /// newest ones.
    pub async fn warnings_feed(
        &self,
        actor: &Actor,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<WarningRow>> {
        let region = self.board_region(actor, None)?;
        Ok(self
            .store
            .warnings(region.prefix(), after, limit.clamp(1, 500))
            .await?)
    }
}

/// What the drill-down adds to a lit deadline: who answers for it and how far past it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LitMark {
    /// The deadline's assignee by name; for a deadline nobody is assigned (acceptance, the
    /// case as a whole), the department's heads.
    pub responsible: String,
    /// Time left or past, in working days and hours on the calendar of the subject's region:
    /// the same calendar its clock counts on.
    pub left: Option<TimeLeft>,
}

impl App {
    /// The [`LitMark`] of each line of [`App::board_cases`], in order.
    pub async fn lit_marks(&self, rows: &[LitClock]) -> Result<Vec<LitMark>> {
        let now = self.now();
        let mut people: HashMap<i64, String> = HashMap::new();
        let mut heads: HashMap<i64, String> = HashMap::new();
        let mut calendars: HashMap<String, std::sync::Arc<Calendar>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let responsible = match r.assignee_id {
                Some(id) => match people.get(&id) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self
                            .store
                            .user(id)
                            .await?
                            .map_or_else(|| "（人员已不存在）".to_string(), |u| u.name);
                        people.insert(id, n.clone());
                        n
                    }
                },
                None => match heads.get(&r.department_id) {
                    Some(n) => n.clone(),
                    None => {
                        let names: Vec<String> = self
                            .heads_of(r.department_id)
                            .await?
                            .into_iter()
                            .map(|u| u.name)
                            .collect();
                        let n = if names.is_empty() {
                            "（未指定）".to_string()
                        } else {
                            format!("{}（部门负责人）", names.join("、"))
                        };
                        heads.insert(r.department_id, n.clone());
                        n
                    }
                },
            };
            let cal = match calendars.get(&r.region) {
                Some(c) => c.clone(),
                None => {
                    let c = self.calendar_for(&r.region).await?;
                    calendars.insert(r.region.clone(), c.clone());
                    c
                }
            };
            // The index keeps the instant the clock turns red; the deadline is the one before.
            let left = DateTime::from_timestamp_millis(r.red_at - 1)
                .and_then(|due| TimeLeft::at(&cal, now, due).ok());
            out.push(LitMark { responsible, left });
        }
        Ok(out)
    }
}
