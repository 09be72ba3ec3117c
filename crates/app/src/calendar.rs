//! The working-day calendar in force, and how administrators keep it.
//!
//! The calendar is the years stored in the database; while none are stored, the notices shipped
//! with this build ([`Calendar::shipped`]). [`App::load_shipped_calendar`] stores the shipped years
//! (run it at start-up), and the first administrative change stores them too, so a change to one
//! year never hides the others.
//!
//! Every change is checked by the domain's validation before it is stored: the changed year is
//! rebuilt as a [`YearCalendar`] (names present, 调休上班 only on weekends…) and the loaded years
//! must stay contiguous, so the stored calendar can always be built.
//!
//! [`App::calendar`] reads the store on every call: the data is a few hundred rows. Caching it in
//! the [`App`] (invalidated by the writes here) is a later optimisation.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate};
use sha2::{Digest, Sha256};
use tongban_domain::calendar::{
    parse_holidays, Calendar, CalendarError, DayKind, DayRule, HolidayData, YearCalendar,
    PROVISIONAL_NOTE,
};
use tongban_domain::codes;
use tongban_domain::org::Actor;
use tongban_domain::time::local_date;
use tongban_store::StoreError;

use crate::error::{invalid, AppError, Result};
use crate::App;

/// The largest ICS file accepted (a year of holidays is a few kilobytes).
pub const MAX_ICS_BYTES: usize = 1 << 20;
/// The longest event accepted from an ICS file (the longest holiday runs are 8–9 days).
pub const MAX_ICS_EVENT_DAYS: i64 = 31;
const MAX_NOTICE_CHARS: usize = 100;
const MAX_NAME_CHARS: usize = 50;

/// How many years past the later of the last announced year and today are computed
/// provisionally: long enough for any running limit with its suspensions and extension.
pub const PROVISIONAL_YEARS_AHEAD: i32 = 3;

/// What a rule makes of its date, in words.
pub fn kind_label(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Holiday => "法定节假日放假",
        DayKind::MakeupWorkday => "调休上班",
        DayKind::LocalClosure => "本地停止办公",
        DayKind::ExtraWorkday => "本地额外工作日",
    }
}

/// A rule kind from a form: the stored name (`local_closure`) or the keyword of the data file
/// (`closure`).
pub fn parse_kind(s: &str) -> Option<DayKind> {
    let s = s.trim();
    tongban_store::calendar::parse_kind(s).or_else(|| DayKind::from_keyword(s))
}

/// A year's rules in the line format of the shipped data file, runs of days with the same kind
/// and name joined into ranges. [`App::calendar_put_year`] reads this text back unchanged, so an
/// editor can start from it.
pub fn rules_text(year: &YearCalendar) -> String {
    rules_text_with(year, DayKind::keyword)
}

/// The same lines with each kind written by `word`: [`DayKind::word`] gives the Chinese the
/// administrator's page shows (放假, 上班…), read back alike.
pub fn rules_text_with(year: &YearCalendar, word: fn(DayKind) -> &'static str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(first) = year.days.get(i) {
        let mut last = first;
        let mut j = i + 1;
        while let Some(next) = year.days.get(j) {
            if next.kind == first.kind
                && next.name == first.name
                && last.date.succ_opt() == Some(next.date)
            {
                last = next;
                j += 1;
            } else {
                break;
            }
        }
        if last.date == first.date {
            out.push_str(&format!(
                "{} {} {}\n",
                first.date,
                word(first.kind),
                first.name
            ));
        } else {
            out.push_str(&format!(
                "{}..{} {} {}\n",
                first.date,
                last.date,
                word(first.kind),
                first.name
            ));
        }
        i = j;
    }
    out
}

/// The version of a stored calendar: a digest of its content, so a due date computed with it can
/// be traced to exactly this data and any later correction yields a new version.
fn stored_version(years: &[YearCalendar]) -> String {
    let mut hash = Sha256::new();
    for y in years {
        hash.update(format!("year {} {}\n", y.year, y.notice).as_bytes());
        hash.update(rules_text(y).as_bytes());
    }
    let hex = hex::encode(hash.finalize());
    format!("db-{}", &hex[..12])
}

/// Parses a year's rules written in the data file's line format (without `version` and `year`
/// lines; the year and notice are given apart). Line numbers in errors are the text's own.
fn parse_rules(year: i32, text: &str) -> Result<Vec<DayRule>> {
    for (i, raw) in text.lines().enumerate() {
        let head = raw
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next();
        if matches!(head, Some("version" | "year")) {
            return Err(invalid(CalendarError::Parse {
                line: i + 1,
                message: "规则中不能有 version 或 year 行（年份与通知文号另行填写）".into(),
            }));
        }
    }
    const HEADER_LINES: usize = 2;
    let full = format!("version admin\nyear {year} -\n{text}");
    let data = parse_holidays(&full).map_err(|e| match e {
        CalendarError::Parse { line, message } if line > HEADER_LINES => {
            invalid(CalendarError::Parse {
                line: line - HEADER_LINES,
                message,
            })
        }
        other => invalid(other),
    })?;
    Ok(data.years.into_iter().flat_map(|y| y.days).collect())
}

fn parse_date(s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| {
            let shown: String = s.chars().take(20).collect();
            AppError::new(
                codes::Calendar::Date,
                format!("日期应为 YYYY-MM-DD 格式，收到「{shown}」"),
            )
        })
}

fn notice_of(notice: &str) -> Result<String> {
    let n = notice.trim();
    if n == tongban_domain::calendar::provisional::PROVISIONAL_NOTICE {
        // That notice marks a computed year; an announced one has a 文号.
        return Err(AppError::new(
            codes::Calendar::Notice,
            "请填写国务院办公厅通知的文号，推算的年份无需保存",
        ));
    }
    if n.chars().count() > MAX_NOTICE_CHARS || n.chars().any(char::is_control) {
        return Err(AppError::new(
            codes::Calendar::Notice,
            format!("通知文号应为一行文字，不超过 {MAX_NOTICE_CHARS} 个字"),
        ));
    }
    Ok(n.to_string())
}

fn year_missing(year: i32) -> AppError {
    AppError::new(
        codes::Calendar::YearMissing,
        format!("{year} 年的节假日安排尚未载入：请先录入或导入该年的国务院办公厅通知"),
    )
}

fn require_admin(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// A year must give at least one day off: an empty upload would silently turn every holiday of
/// the year into a working day.
fn require_holidays(year: &YearCalendar) -> Result<()> {
    if year.days.iter().any(|r| r.kind == DayKind::Holiday) {
        Ok(())
    } else {
        Err(AppError::new(
            codes::Calendar::NoHolidays,
            format!(
                "{} 年的安排中没有任何放假日，请检查内容是否完整、年份是否正确",
                year.year
            ),
        ))
    }
}

impl App {
    /// The calendar in force: the stored years (or the shipped ones while none are stored),
    /// followed by provisional years computed by law up to three years past the later of the
    /// last loaded year and today, so no deadline goes blind while a notice is awaited. A due
    /// date in a provisional year carries [`PROVISIONAL_NOTE`]; a region may refuse provisional
    /// counting ([`App::calendar_for`]).
    pub async fn calendar(&self) -> Result<Arc<Calendar>> {
        let today_year = local_date(self.now()).year();
        // Every deadline, guide and calculator asks; the data changes only through the writes
        // below, which invalidate it. A generation guards against caching a read that a
        // concurrent write has already made stale. Shared, not copied: a request that only
        // reads a due date costs no copy of the day table.
        let generation = self.calendar_generation.load(Ordering::SeqCst);
        if let Ok(cache) = self.calendar_cache.read() {
            if let Some((_, _, cal)) = cache
                .as_ref()
                .filter(|(g, y, _)| *g == generation && *y == today_year)
            {
                return Ok(cal.clone());
            }
        }
        let cal = self.official_calendar().await?;
        let through = cal.last_year().max(today_year) + PROVISIONAL_YEARS_AHEAD;
        let cal = Arc::new(cal.with_provisional_through(through));
        if let Ok(mut cache) = self.calendar_cache.write() {
            if self.calendar_generation.load(Ordering::SeqCst) == generation {
                *cache = Some((generation, today_year, cal.clone()));
            }
        }
        Ok(cal)
    }

    /// The announced years only: the stored ones, or the shipped ones while none are stored.
    pub async fn official_calendar(&self) -> Result<Calendar> {
        let years = self.store.calendar_years().await?;
        Ok(if years.is_empty() {
            Calendar::shipped()
        } else {
            let version = stored_version(&years);
            Calendar::from_data(HolidayData { version, years }).map_err(invalid)?
        })
    }

    /// The calendar the deadlines of a region's matters run on: [`App::calendar`], without its
    /// provisional years where the setting `calendar.provisional` is 0 for the region.
    pub async fn calendar_for(&self, region: &str) -> Result<Arc<Calendar>> {
        let cal = self.calendar().await?;
        Ok(if self.settings().provisional_for(region) {
            cal
        } else {
            Arc::new(cal.without_provisional())
        })
    }

    /// Marks the cached calendar stale after a write.
    fn calendar_changed(&self) {
        self.calendar_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Stores every shipped year not stored yet, as the system; returns how many were added.
    /// Stored years are never overwritten (an administrator may have corrected them).
    pub async fn load_shipped_calendar(&self) -> Result<usize> {
        let shipped = Calendar::shipped();
        let version = shipped.version().unwrap_or("unknown");
        let stored: BTreeSet<i32> = self
            .store
            .calendar_years()
            .await?
            .iter()
            .map(|y| y.year)
            .collect();
        let mut added = 0;
        for year in shipped.years().iter().filter(|y| !stored.contains(&y.year)) {
            let entry = self.system_entry(
                "calendar.load_shipped",
                format!("calendar:{}", year.year),
                format!(
                    "载入随版本发布的 {} 年节假日安排（{}，数据版本 {version}）",
                    year.year, year.notice
                ),
            );
            let source = format!("shipped:{version}");
            self.store
                .put_calendar_year(year, &source, self.now(), entry)
                .await?;
            self.calendar_changed();
            added += 1;
        }
        if added > 0 {
            self.queue_retime(format!("载入随版本发布的节假日安排（数据版本 {version}）"))
                .await?;
        }
        Ok(added)
    }

    /// The stored years, storing the shipped ones first if none are: an administrator's first
    /// change must not hide the shipped years the calendar in force was built from.
    async fn calendar_years_for_change(&self) -> Result<Vec<YearCalendar>> {
        let years = self.store.calendar_years().await?;
        if !years.is_empty() {
            return Ok(years);
        }
        self.load_shipped_calendar().await?;
        Ok(self.store.calendar_years().await?)
    }

    /// Adds or replaces the rule of one date (administrators only): a local closure (台风停工), a
    /// local extra working day, or a correction of the notice. The year must be loaded.
    pub async fn calendar_set_day(
        &self,
        actor: &Actor,
        date: &str,
        kind: &str,
        name: &str,
    ) -> Result<()> {
        require_admin(actor)?;
        let date = parse_date(date)?;
        let kind = parse_kind(kind).ok_or_else(|| AppError::of(codes::Calendar::Kind))?;
        let name = name.trim().to_string();
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::new(
                codes::Calendar::Name,
                format!("名称或原因不超过 {MAX_NAME_CHARS} 个字"),
            ));
        }
        let years = self.calendar_years_for_change().await?;
        let Some(current) = years.into_iter().find(|y| y.year == date.year()) else {
            return Err(year_missing(date.year()));
        };
        let old = current.rule(date).cloned();
        let rule = DayRule { date, kind, name };
        let mut days: Vec<DayRule> = current
            .days
            .into_iter()
            .filter(|r| r.date != date)
            .collect();
        days.push(rule.clone());
        YearCalendar::new(current.year, current.notice, days).map_err(invalid)?;
        let was = old
            .map(|o| format!("（原为{}：{}）", kind_label(o.kind), o.name))
            .unwrap_or_default();
        let entry = self.entry(
            actor,
            "calendar.set_day",
            format!("calendar:{date}"),
            format!("将 {date} 设为{}：{}{was}", kind_label(kind), rule.name),
        );
        self.store
            .upsert_calendar_day(date.year(), &rule, entry)
            .await?;
        self.calendar_changed();
        self.queue_retime(format!("{date} 设为{}：{}", kind_label(kind), rule.name))
            .await?;
        Ok(())
    }

    /// Removes the rule of one date (administrators only); the date becomes an ordinary weekday
    /// or weekend day.
    pub async fn calendar_remove_day(&self, actor: &Actor, date: &str) -> Result<()> {
        require_admin(actor)?;
        let date = parse_date(date)?;
        let years = self.calendar_years_for_change().await?;
        let Some(year) = years.iter().find(|y| y.year == date.year()) else {
            return Err(year_missing(date.year()));
        };
        let not_found = || AppError::not_found(&format!("{date} 的节假日安排"));
        let old = year.rule(date).ok_or_else(not_found)?;
        let entry = self.entry(
            actor,
            "calendar.remove_day",
            format!("calendar:{date}"),
            format!(
                "删除 {date} 的安排（{}：{}）",
                kind_label(old.kind),
                old.name
            ),
        );
        self.store
            .delete_calendar_day(date, entry)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => not_found(),
                other => AppError::from(other),
            })?;
        self.calendar_changed();
        self.queue_retime(format!("删除 {date} 的安排")).await?;
        Ok(())
    }

    /// Replaces (or adds) a whole year (administrators only) from rules in the data file's line
    /// format, e.g. `2027-02-06..2027-02-13 off 春节` and `2027-02-14 work 春节调休上班`.
    pub async fn calendar_put_year(
        &self,
        actor: &Actor,
        year: i32,
        notice: &str,
        rules_text: &str,
    ) -> Result<YearCalendar> {
        require_admin(actor)?;
        let notice = notice_of(notice)?;
        let days = parse_rules(year, rules_text)?;
        let cal = YearCalendar::new(year, notice, days).map_err(invalid)?;
        self.replace_year(actor, cal, "admin", "calendar.put_year", "录入")
            .await
    }

    /// Replaces (or adds) a whole year (administrators only) from an iCalendar file: the days of
    /// its all-day events that fall in `year` (see [`parse_ics`] and [`ics_rules`]).
    pub async fn calendar_import_ics(
        &self,
        actor: &Actor,
        year: i32,
        notice: &str,
        ics_text: &str,
    ) -> Result<YearCalendar> {
        require_admin(actor)?;
        let notice = notice_of(notice)?;
        if ics_text.len() > MAX_ICS_BYTES {
            return Err(AppError::of(codes::Calendar::Ics));
        }
        let events =
            parse_ics(ics_text).map_err(|e| AppError::new(codes::Calendar::Ics, e.to_string()))?;
        let cal = YearCalendar::new(year, notice, ics_rules(&events, year)).map_err(invalid)?;
        self.replace_year(actor, cal, "ics", "calendar.import_ics", "从 ICS 文件导入")
            .await
    }

    async fn replace_year(
        &self,
        actor: &Actor,
        year: YearCalendar,
        source: &str,
        action: &str,
        how: &str,
    ) -> Result<YearCalendar> {
        require_holidays(&year)?;
        let mut years = self.calendar_years_for_change().await?;
        let replaced = years.iter().any(|y| y.year == year.year);
        years.retain(|y| y.year != year.year);
        years.push(year.clone());
        // The loaded years must stay contiguous, or spans across the hole could not be counted.
        Calendar::new(years).map_err(invalid)?;
        let entry = self.entry(
            actor,
            action,
            format!("calendar:{}", year.year),
            format!(
                "{how} {} 年节假日安排（{}，{} 条规则{}）",
                year.year,
                year.notice,
                year.days.len(),
                if replaced {
                    "，替换原有安排"
                } else {
                    ""
                }
            ),
        );
        self.store
            .put_calendar_year(&year, source, self.now(), entry)
            .await?;
        self.calendar_changed();
        self.queue_retime(format!(
            "{how} {} 年节假日安排（{}）",
            year.year, year.notice
        ))
        .await?;
        Ok(year)
    }

    /// A warning for administrators when the calendar is running out: the current year not
    /// loaded (working days cannot be counted at all), or, from 1 November (Shanghai), next
    /// year not loaded yet.
    pub async fn calendar_next_year_warning(&self) -> Result<Option<String>> {
        let today = local_date(self.now());
        let official = self.official_calendar().await?;
        let cal = self.calendar().await?;
        let year = today.year();
        if official.year(year).is_none() {
            if cal.year(year).is_some() {
                return Ok(Some(format!(
                    "{year} 年的国务院节假日安排尚未载入：办理时限暂{PROVISIONAL_NOTE}。通知发布后请录入或导入，在办件的时限将自动重新计算。"
                )));
            }
            return Ok(Some(format!(
                "{year} 年的节假日安排尚未载入：工作日与办理时限无法计算，请尽快录入或导入国务院办公厅通知。"
            )));
        }
        if today.month() >= 11 && official.year(year + 1).is_none() {
            return Ok(Some(format!(
                "{} 年的节假日安排尚未载入：跨入该年的办理时限暂{PROVISIONAL_NOTE}。请在国务院办公厅通知发布后录入或导入，在办件的时限将自动重新计算。",
                year + 1
            )));
        }
        Ok(None)
    }
}

/// One all-day event of an iCalendar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// The line of its `BEGIN:VEVENT`.
    pub line: usize,
    pub start: NaiveDate,
    /// Exclusive, as in iCalendar: a one-day event ends the next day.
    pub end: NaiveDate,
    pub summary: String,
}

/// Why an iCalendar file could not be read; `line` is the physical line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for IcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ICS 文件第 {} 行有误：{}", self.line, self.message)
    }
}

impl std::error::Error for IcsError {}

#[derive(Default)]
struct Draft {
    line: usize,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    days: Option<i64>,
    summary: Option<String>,
    cancelled: bool,
}

/// RFC 5545 TEXT unescaping (`\,` `\;` `\\` `\n`); a line break in a name becomes a space.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push(' '),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn ics_date(params: &[String], value: &str) -> Result<NaiveDate, String> {
    let v = value.trim();
    if params.iter().any(|p| p == "VALUE=DATE-TIME") || v.contains('T') {
        return Err("只支持全天事件（VALUE=DATE，形如 20270206），不支持带时刻的时间".into());
    }
    if v.len() != 8 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "日期应为 8 位数字 YYYYMMDD，收到「{}」",
            v.chars().take(20).collect::<String>()
        ));
    }
    NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| format!("日期「{v}」不存在"))
}

fn ics_duration_days(value: &str) -> Option<i64> {
    let v = value.trim().strip_prefix('P')?;
    let (n, per) = match (v.strip_suffix('D'), v.strip_suffix('W')) {
        (Some(n), _) => (n, 1),
        (_, Some(n)) => (n, 7),
        _ => return None,
    };
    let n: i64 = n.parse().ok().filter(|n| (1..=1000).contains(n))?;
    Some(n * per)
}

/// Reads the all-day events of a minimal iCalendar file: `VEVENT`s with `DTSTART;VALUE=DATE`,
/// an optional exclusive `DTEND;VALUE=DATE` (or `DURATION:PnD`/`PnW`; one day if neither) and a
/// `SUMMARY`. Folded lines are unfolded; other properties and components (VTIMEZONE, VALARM) are
/// ignored; cancelled events are skipped. Timed events and recurrences are refused, never guessed.
pub fn parse_ics(text: &str) -> Result<Vec<IcsEvent>, IcsError> {
    let err = |line: usize, message: &str| IcsError {
        line,
        message: message.to_string(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    // Unfold: a line starting with a space or tab continues the previous one.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match lines.last_mut() {
                Some((_, line)) => line.push_str(rest),
                None => return Err(err(i + 1, "文件以续行开头")),
            }
        } else if !raw.trim().is_empty() {
            lines.push((i + 1, raw.to_string()));
        }
    }

    let mut events = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut draft: Option<Draft> = None;
    let mut last_line = 0;
    for (line_no, line) in lines {
        last_line = line_no;
        let at = |message: &str| err(line_no, message);
        let (head, value) = line
            .split_once(':')
            .ok_or_else(|| at("应为「名称:值」的格式"))?;
        let mut parts = head.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_uppercase();
        let params: Vec<String> = parts.map(|p| p.trim().to_ascii_uppercase()).collect();
        match name.as_str() {
            "BEGIN" => {
                let comp = value.trim().to_ascii_uppercase();
                match (stack.len(), comp.as_str()) {
                    (0, "VCALENDAR") => {}
                    (0, _) => return Err(at("文件应以 BEGIN:VCALENDAR 开头")),
                    (1, "VEVENT") => {
                        draft = Some(Draft {
                            line: line_no,
                            ..Draft::default()
                        })
                    }
                    (_, "VEVENT") => return Err(at("VEVENT 只能直接放在 VCALENDAR 中")),
                    (_, "VCALENDAR") => return Err(at("VCALENDAR 不能嵌套")),
                    _ => {}
                }
                stack.push(comp);
            }
            "END" => {
                let comp = value.trim().to_ascii_uppercase();
                match stack.pop() {
                    Some(open) if open == comp => {}
                    Some(open) => {
                        return Err(at(&format!("END:{comp} 与前面的 BEGIN:{open} 不对应")))
                    }
                    None => return Err(at(&format!("END:{comp} 之前没有对应的 BEGIN"))),
                }
                if comp == "VEVENT" && stack.len() == 1 {
                    if let Some(event) = draft.take().map(finish).transpose()?.flatten() {
                        events.push(event);
                    }
                }
            }
            _ if stack.is_empty() => return Err(at("文件应以 BEGIN:VCALENDAR 开头")),
            _ => {
                // Only the event's own properties: not those of a VALARM inside it.
                let in_event = stack.len() == 2 && stack[1] == "VEVENT";
                let Some(d) = draft.as_mut().filter(|_| in_event) else {
                    continue;
                };
                let once = |set: bool| {
                    if set {
                        Err(at(&format!("{name} 重复出现")))
                    } else {
                        Ok(())
                    }
                };
                match name.as_str() {
                    "DTSTART" => {
                        once(d.start.is_some())?;
                        d.start = Some(ics_date(&params, value).map_err(|m| at(&m))?);
                    }
                    "DTEND" => {
                        once(d.end.is_some())?;
                        d.end = Some(ics_date(&params, value).map_err(|m| at(&m))?);
                    }
                    "DURATION" => {
                        once(d.days.is_some())?;
                        d.days = Some(
                            ics_duration_days(value)
                                .ok_or_else(|| at("DURATION 只支持按天或按周（如 P3D、P1W）"))?,
                        );
                    }
                    "SUMMARY" => {
                        once(d.summary.is_some())?;
                        d.summary = Some(unescape(value).trim().to_string());
                    }
                    "STATUS" => d.cancelled = value.trim().eq_ignore_ascii_case("CANCELLED"),
                    "RRULE" | "RDATE" => {
                        return Err(at("不支持重复事件（RRULE/RDATE），请逐日列出"));
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(last_line, &format!("文件不完整：缺少 END:{open}")));
    }
    if events.is_empty() && last_line == 0 {
        return Err(err(1, "文件是空的"));
    }
    Ok(events)
}

/// Checks a finished event; `None` for a cancelled one.
fn finish(d: Draft) -> Result<Option<IcsEvent>, IcsError> {
    let err = |message: &str| IcsError {
        line: d.line,
        message: message.to_string(),
    };
    if d.cancelled {
        return Ok(None);
    }
    let start = d.start.ok_or_else(|| err("该事件缺少 DTSTART"))?;
    let summary = d
        .summary
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| err("该事件缺少 SUMMARY"))?;
    let end = match (d.end, d.days) {
        (Some(_), Some(_)) => return Err(err("该事件同时有 DTEND 和 DURATION")),
        (Some(end), None) => end,
        (None, Some(days)) => start + Duration::days(days.min(MAX_ICS_EVENT_DAYS + 1)),
        (None, None) => start + Duration::days(1),
    };
    if end <= start {
        return Err(err(
            "该事件的 DTEND 应晚于 DTSTART（DTEND 是不含在内的结束日）",
        ));
    }
    if (end - start).num_days() > MAX_ICS_EVENT_DAYS {
        return Err(err(&format!("该事件跨度超过 {MAX_ICS_EVENT_DAYS} 天")));
    }
    Ok(Some(IcsEvent {
        line: d.line,
        start,
        end,
        summary,
    }))
}

/// A holiday's name from an event summary: 「春节假期」「春节放假」「春节 休」 → 春节.
fn holiday_name(summary: &str) -> String {
    let s = summary.trim();
    for suffix in ["放假", "假期", "休息", "休"] {
        if let Some(name) = s.strip_suffix(suffix).map(str::trim) {
            if !name.is_empty() {
                return name.to_string();
            }
        }
    }
    s.to_string()
}

/// The day rules of `year` the events give: an event whose summary mentions 班 (上班, 补班) is a
/// make-up working day named by its summary; any other event makes every day it covers a
/// holiday. Days outside `year` are left out (feeds often span several years).
pub fn ics_rules(events: &[IcsEvent], year: i32) -> Vec<DayRule> {
    let mut rules = Vec::new();
    for ev in events {
        let (kind, name) = if ev.summary.contains('班') {
            (DayKind::MakeupWorkday, ev.summary.clone())
        } else {
            (DayKind::Holiday, holiday_name(&ev.summary))
        };
        for date in ev
            .start
            .iter_days()
            .take_while(|d| *d < ev.end)
            .filter(|d| d.year() == year)
        {
            rules.push(DayRule {
                date,
                kind,
                name: name.clone(),
            });
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//CN\r\n\
BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270214\r\n\
SUMMARY:春节 休\r\nBEGIN:VALARM\r\nSUMMARY:提醒\r\nDTSTART:20270101\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270214\r\nSUMMARY:春节补\r\n 班\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20261231\r\nDURATION:P3D\r\nSUMMARY:元旦假期\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270405\r\nSUMMARY:取消\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn ics_events_are_read_with_folding_and_alarms_ignored() {
        let events = parse_ics(FEED).unwrap();
        assert_eq!(
            events,
            [
                IcsEvent {
                    line: 4,
                    start: d(2027, 2, 6),
                    end: d(2027, 2, 14),
                    summary: "春节 休".into()
                },
                IcsEvent {
                    line: 14,
                    start: d(2027, 2, 14),
                    end: d(2027, 2, 15),
                    summary: "春节补班".into()
                },
                IcsEvent {
                    line: 19,
                    start: d(2026, 12, 31),
                    end: d(2027, 1, 3),
                    summary: "元旦假期".into()
                },
            ]
        );
    }

    #[test]
    fn ics_rules_split_holidays_and_makeup_days_by_year() {
        let rules = ics_rules(&parse_ics(FEED).unwrap(), 2027);
        let cal = YearCalendar::new(2027, "n", rules).unwrap();
        assert_eq!(cal.days.len(), 8 + 1 + 2);
        assert_eq!(
            cal.rule(d(2027, 2, 6)).map(|r| (r.kind, r.name.as_str())),
            Some((DayKind::Holiday, "春节"))
        );
        assert_eq!(
            cal.rule(d(2027, 2, 13)).map(|r| r.kind),
            Some(DayKind::Holiday)
        );
        assert_eq!(
            cal.rule(d(2027, 2, 14)).map(|r| (r.kind, r.name.as_str())),
            Some((DayKind::MakeupWorkday, "春节补班"))
        );
        assert_eq!(
            cal.rule(d(2027, 1, 1)).map(|r| r.name.as_str()),
            Some("元旦")
        );
        assert!(
            cal.rule(d(2027, 4, 5)).is_none(),
            "cancelled events are skipped"
        );
        // The 2026 part of the 元旦 event belongs to 2026.
        assert_eq!(ics_rules(&parse_ics(FEED).unwrap(), 2026).len(), 1);
    }

    #[test]
    fn ics_errors_name_the_line() {
        let wrap = |body: &str| {
            format!("BEGIN:VCALENDAR\nBEGIN:VEVENT\n{body}END:VEVENT\nEND:VCALENDAR\n")
        };
        let cases: Vec<(String, usize, &str)> = vec![
            (
                wrap("DTSTART;VALUE=DATE:2027026\nSUMMARY:x\n"),
                3,
                "8 位数字",
            ),
            (
                wrap("DTSTART;VALUE=DATE:20270230\nSUMMARY:x\n"),
                3,
                "不存在",
            ),
            (wrap("DTSTART:20270206T000000Z\nSUMMARY:x\n"), 3, "全天事件"),
            (wrap("SUMMARY:x\n"), 2, "DTSTART"),
            (wrap("DTSTART;VALUE=DATE:20270206\n"), 2, "SUMMARY"),
            (
                wrap("DTSTART;VALUE=DATE:20270206\nDTEND;VALUE=DATE:20270206\nSUMMARY:x\n"),
                2,
                "晚于",
            ),
            (
                wrap("DTSTART;VALUE=DATE:20270101\nDTEND;VALUE=DATE:20270301\nSUMMARY:x\n"),
                2,
                "31 天",
            ),
            (
                wrap("DTSTART;VALUE=DATE:20270206\nRRULE:FREQ=YEARLY\nSUMMARY:x\n"),
                4,
                "RRULE",
            ),
            (
                wrap("DTSTART;VALUE=DATE:20270206\nDTSTART;VALUE=DATE:20270207\n"),
                4,
                "重复",
            ),
            (
                wrap("DTSTART;VALUE=DATE:20270206\nDURATION:PT1H\nSUMMARY:x\n"),
                4,
                "DURATION",
            ),
            (
                wrap("DTSTART;VALUE=DATE:20270206\nDURATION:P3天\nSUMMARY:x\n"),
                4,
                "DURATION",
            ),
            (wrap("no colon here\n"), 3, "名称:值"),
            ("SUMMARY:x\n".into(), 1, "BEGIN:VCALENDAR"),
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n".into(),
                3,
                "不对应",
            ),
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n".into(),
                3,
                "缺少 END:VEVENT",
            ),
            (" folded\n".into(), 1, "续行"),
            (String::new(), 1, "空"),
        ];
        for (text, line, needle) in cases {
            let e = parse_ics(&text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
            assert!(e
                .to_string()
                .starts_with(&format!("ICS 文件第 {line} 行有误：")));
        }
    }

    #[test]
    fn text_values_are_unescaped() {
        assert_eq!(
            unescape(r"国庆节\, 中秋节\;休\\x\n"),
            r"国庆节, 中秋节;休\x "
        );
        assert_eq!(holiday_name("国庆节放假"), "国庆节");
        assert_eq!(holiday_name("休"), "休");
        assert_eq!(holiday_name("清明节"), "清明节");
    }

    #[test]
    fn rules_text_round_trips_the_shipped_years() {
        for year in Calendar::shipped().years() {
            let text = rules_text(year);
            let days = parse_rules(year.year, &text).unwrap();
            assert_eq!(
                YearCalendar::new(year.year, year.notice.clone(), days).as_ref(),
                Ok(year)
            );
        }
        let y2026 = Calendar::shipped().year(2026).cloned().unwrap();
        assert!(
            rules_text(&y2026).contains("2026-02-15..2026-02-23 off 春节\n"),
            "{}",
            rules_text(&y2026)
        );
    }

    #[test]
    fn rule_text_errors_use_the_texts_own_lines() {
        let e = parse_rules(2027, "2027-01-01 off 元旦\n2027-13-01 off 元旦\n").unwrap_err();
        assert_eq!(e.code, codes::Calendar::Parse);
        assert!(e.message.contains("第 2 行"), "{}", e.message);
        let e = parse_rules(2027, "# c\nyear 2028 x\n").unwrap_err();
        assert!(e.message.contains("第 2 行"), "{}", e.message);
        let e = parse_rules(2027, "2027-02-15 work 调休\n").unwrap_err();
        assert_eq!(e.code, codes::Calendar::MakeupNotWeekend);
        let e = parse_rules(2027, "2026-12-31 off 元旦\n").unwrap_err();
        assert_eq!(e.code, codes::Calendar::DateOutsideYear);
    }

    #[test]
    fn kinds_are_read_from_stored_names_and_keywords() {
        assert_eq!(parse_kind("local_closure"), Some(DayKind::LocalClosure));
        assert_eq!(parse_kind(" closure "), Some(DayKind::LocalClosure));
        assert_eq!(parse_kind("work"), Some(DayKind::MakeupWorkday));
        assert_eq!(parse_kind("weekend"), None);
    }
}

/// A due date as the public calculator and the API answer it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadlineAnswer {
    pub start: chrono::NaiveDate,
    pub days: u32,
    pub due: chrono::NaiveDate,
    pub explanation: tongban_domain::calendar::Explanation,
    /// Which calendar data answered (the shipped version or a hash of the stored years).
    pub calendar_version: String,
    /// Set when the due date lies in a year not yet announced: [`PROVISIONAL_NOTE`].
    pub provisional: Option<String>,
}

impl App {
    /// The due date `days` working days after `start`, with its day-by-day explanation. Anyone
    /// may ask: it is the same clock every deadline in the system uses.
    pub async fn deadline(
        &self,
        start: &str,
        days: &str,
        include_start: bool,
    ) -> Result<DeadlineAnswer> {
        use tongban_domain::calendar::{Counting, WorkingDays};
        let start = parse_date(start)?;
        let days: WorkingDays = days.parse().map_err(crate::error::invalid)?;
        let counting = if include_start {
            Counting::IncludingStartDay
        } else {
            Counting::NextWorkingDay
        };
        let cal = self.calendar().await?;
        let explanation = cal
            .explain_due(start, days, counting)
            .map_err(crate::error::invalid)?;
        Ok(DeadlineAnswer {
            start,
            days: days.get(),
            due: explanation.due_date,
            calendar_version: cal.version().unwrap_or("shipped").to_string(),
            provisional: cal
                .is_provisional(explanation.due_date)
                .then(|| PROVISIONAL_NOTE.to_string()),
            explanation,
        })
    }

    /// Working days after `from` up to and including `to`.
    pub async fn workdays_between(&self, from: &str, to: &str) -> Result<u32> {
        let (from, to) = (parse_date(from)?, parse_date(to)?);
        let cal = self.calendar().await?;
        cal.working_days_between(from, to)
            .map_err(crate::error::invalid)
    }
}
