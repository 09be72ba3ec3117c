//! The annual report on government-information disclosure (政府信息公开工作年度报告) in the
//! national format of 国办公开办函〔2021〕30号, computed from the requests themselves:
//!
//! * 三、收到和处理政府信息公开申请情况: rows [`ReportRow`] by applicant column
//!   [`ReportColumn`] (自然人; 法人或其他组织: 商业企业, 科研机构, 社会公益组织, 法律服务机构,
//!   其他) and 总计;
//! * 四、政府信息公开行政复议、行政诉讼情况: [`RemedyCell`]s.
//!
//! Every cell keeps the numbers of the requests it counts, so each figure drills down to them.
//!
//! How a request is counted for year `Y` (Shanghai dates):
//! * 本年新收: received (第三十一条's receipt) in `Y`; a request not yet confirmed as received is
//!   not counted;
//! * 上年结转: received before `Y` and still open on 1 January of `Y`;
//! * 本年度办理结果: closed in `Y` (replied, withdrawn or deemed withdrawn), in exactly one
//!   outcome row: 予以公开 (and 已主动公开, whose information is provided by pointing to it);
//!   部分公开 (区分处理的只计这一情形); 不予公开 by the ground of its first withheld part; 无法提供
//!   by its reason (不属于本机关负责公开 as 本机关不掌握相关政府信息); 不予处理 by its reason;
//!   其他处理: no 补正 in time, no fee in time, and 其他 (withdrawn by the applicant, or told to
//!   use another law's procedure);
//! * 结转下年度继续办理: received by the end of `Y` and still open then.
//!
//! So 新收 + 结转 = 总计 + 结转下年度, which [`AnnualReport::balanced`] checks.
//!
//! 复议 and 诉讼 are counted in the year they were filed, with their outcome if decided by the
//! end of that year (尚未审结 otherwise); a 诉讼 is 复议后起诉 when the same reply had a 复议
//! filed before it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::reply::{NotProcessedReason, ReplyKind, UnavailableReason, WithholdGround};
use super::request::{RemedyKind, RemedyOutcome, ReportColumn, Request, Status};
use crate::time::{local_date, start_of_day};

crate::closed_set! {
    /// The rows of table 三 of the national format, in order.
    #[derive(PartialOrd, Ord)]
    pub enum ReportRow {
        NewReceived = "new_received" => "一、本年新收政府信息公开申请数量",
        CarriedIn = "carried_in" => "二、上年结转政府信息公开申请数量",
        Disclosed = "disclosed" => "（一）予以公开",
        PartlyDisclosed = "partly_disclosed" => "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        WithheldStateSecret = "withheld_state_secret" => "（三）不予公开 1.属于国家秘密",
        WithheldLawForbids = "withheld_law_forbids" => "（三）不予公开 2.其他法律行政法规禁止公开",
        WithheldSecurity = "withheld_security" => "（三）不予公开 3.危及“三安全一稳定”",
        WithheldThirdParty = "withheld_third_party" => "（三）不予公开 4.保护第三方合法权益",
        WithheldInternal = "withheld_internal" => "（三）不予公开 5.属于三类内部事务信息",
        WithheldProcess = "withheld_process" => "（三）不予公开 6.属于四类过程性信息",
        WithheldEnforcementFile = "withheld_enforcement_file" => "（三）不予公开 7.属于行政执法案卷",
        WithheldQuery = "withheld_query" => "（三）不予公开 8.属于行政查询事项",
        UnavailableNotHeld = "unavailable_not_held" => "（四）无法提供 1.本机关不掌握相关政府信息",
        UnavailableNeedsCreation = "unavailable_needs_creation" => "（四）无法提供 2.没有现成信息需要另行制作",
        UnavailableStillUnclear = "unavailable_still_unclear" => "（四）无法提供 3.补正后申请内容仍不明确",
        NotProcessedPetition = "not_processed_petition" => "（五）不予处理 1.信访举报投诉类申请",
        NotProcessedRepeated = "not_processed_repeated" => "（五）不予处理 2.重复申请",
        NotProcessedPublication = "not_processed_publication" => "（五）不予处理 3.要求提供公开出版物",
        NotProcessedExcessive = "not_processed_excessive" => "（五）不予处理 4.无正当理由大量反复申请",
        NotProcessedConfirmation = "not_processed_confirmation" => "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
        OtherNoSupplement = "other_no_supplement" => "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        OtherNoFee = "other_no_fee" => "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        OtherOther = "other_other" => "（六）其他处理 3.其他",
        Total = "total" => "（七）总计",
        CarriedOut = "carried_out" => "四、结转下年度继续办理",
    }
}

impl ReportRow {
    /// The rows of 三、本年度办理结果 that the 总计 adds up.
    pub fn is_outcome(self) -> bool {
        !matches!(
            self,
            ReportRow::NewReceived
                | ReportRow::CarriedIn
                | ReportRow::Total
                | ReportRow::CarriedOut
        )
    }

    fn withheld(g: WithholdGround) -> ReportRow {
        match g {
            WithholdGround::StateSecret => ReportRow::WithheldStateSecret,
            WithholdGround::LawForbids => ReportRow::WithheldLawForbids,
            WithholdGround::Security => ReportRow::WithheldSecurity,
            WithholdGround::ThirdParty => ReportRow::WithheldThirdParty,
            WithholdGround::Internal => ReportRow::WithheldInternal,
            WithholdGround::Process => ReportRow::WithheldProcess,
            WithholdGround::EnforcementFile => ReportRow::WithheldEnforcementFile,
            WithholdGround::Query => ReportRow::WithheldQuery,
        }
    }

    fn unavailable(r: UnavailableReason) -> ReportRow {
        match r {
            UnavailableReason::NotHeld => ReportRow::UnavailableNotHeld,
            UnavailableReason::NeedsCreation => ReportRow::UnavailableNeedsCreation,
            UnavailableReason::StillUnclear => ReportRow::UnavailableStillUnclear,
        }
    }

    fn not_processed(r: NotProcessedReason) -> ReportRow {
        match r {
            NotProcessedReason::Petition => ReportRow::NotProcessedPetition,
            NotProcessedReason::Repeated => ReportRow::NotProcessedRepeated,
            NotProcessedReason::Publication => ReportRow::NotProcessedPublication,
            NotProcessedReason::Excessive => ReportRow::NotProcessedExcessive,
            NotProcessedReason::Confirmation => ReportRow::NotProcessedConfirmation,
        }
    }
}

/// The outcome row a closed request is counted in; `None` while it is open.
pub fn outcome_row(req: &Request) -> Option<ReportRow> {
    match req.status {
        Status::Replied => {
            let r = req.reply.as_ref()?;
            Some(match r.kind {
                ReplyKind::Disclosed | ReplyKind::AlreadyPublic => ReportRow::Disclosed,
                ReplyKind::PartlyDisclosed => ReportRow::PartlyDisclosed,
                ReplyKind::Withheld => r
                    .withheld
                    .first()
                    .map_or(ReportRow::WithheldThirdParty, |w| {
                        ReportRow::withheld(w.ground)
                    }),
                ReplyKind::Unavailable => r
                    .unavailable
                    .map_or(ReportRow::UnavailableNotHeld, ReportRow::unavailable),
                ReplyKind::NotThisAgency => ReportRow::UnavailableNotHeld,
                ReplyKind::NotProcessed => r
                    .not_processed
                    .map_or(ReportRow::OtherOther, ReportRow::not_processed),
                ReplyKind::OtherRoute => ReportRow::OtherOther,
            })
        }
        Status::DeemedWithdrawn => Some(match &req.fee {
            Some(f) if f.paid_at.is_none() => ReportRow::OtherNoFee,
            _ => ReportRow::OtherNoSupplement,
        }),
        Status::Withdrawn => Some(ReportRow::OtherOther),
        _ => None,
    }
}

crate::closed_set! {
    /// The 复议 and 诉讼 groups of table 四.
    #[derive(PartialOrd, Ord)]
    pub enum RemedyGroup {
        Reconsideration = "reconsideration" => "行政复议",
        DirectLitigation = "direct_litigation" => "行政诉讼（未经复议直接起诉）",
        LitigationAfterReconsideration = "litigation_after_reconsideration" => "行政诉讼（复议后起诉）",
    }
}

crate::closed_set! {
    /// The columns of each group of table 四.
    #[derive(PartialOrd, Ord)]
    pub enum RemedyColumn {
        Upheld = "upheld" => "结果维持",
        Corrected = "corrected" => "结果纠正",
        Other = "other" => "其他结果",
        Pending = "pending" => "尚未审结",
        Total = "total" => "总计",
    }
}

/// A cell of table 四 with the requests behind it.
pub type RemedyCell = (RemedyGroup, RemedyColumn);

/// A request as the report reads it.
pub struct Counted<'a> {
    pub number: &'a str,
    pub req: &'a Request,
}

/// The computed report of one year for one agency or a region's roll-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReport {
    pub year: i32,
    /// (row, column) → the request numbers; the 总计 column and row are included.
    pub requests: BTreeMap<(ReportRow, Option<ReportColumn>), Vec<String>>,
    /// (group, column) → the request numbers; the 总计 column is included.
    pub remedies: BTreeMap<RemedyCell, Vec<String>>,
}

fn in_year(at: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    at >= from && at < to
}

impl AnnualReport {
    /// Computes the report of `year` over `requests`.
    pub fn compute(year: i32, requests: &[Counted<'_>]) -> AnnualReport {
        let (Some(first), Some(next)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year + 1, 1, 1),
        ) else {
            return AnnualReport {
                year,
                requests: BTreeMap::new(),
                remedies: BTreeMap::new(),
            };
        };
        let (from, to) = (start_of_day(first), start_of_day(next));
        let mut cells: BTreeMap<(ReportRow, Option<ReportColumn>), Vec<String>> = BTreeMap::new();
        let mut remedies: BTreeMap<RemedyCell, Vec<String>> = BTreeMap::new();
        let mut add = |row: ReportRow, col: ReportColumn, number: &str| {
            for c in [Some(col), None] {
                cells.entry((row, c)).or_default().push(number.to_string());
            }
        };
        for c in requests {
            let req = c.req;
            let col = req.filing.applicant.report_column();
            if let Some(received) = req.received_at {
                let closed = req.closed_at.filter(|_| !req.status.is_open());
                let open_at = |t: DateTime<Utc>| received < t && closed.is_none_or(|x| x >= t);
                if in_year(received, from, to) {
                    add(ReportRow::NewReceived, col, c.number);
                } else if open_at(from) {
                    add(ReportRow::CarriedIn, col, c.number);
                }
                let counted = in_year(received, from, to) || open_at(from);
                if counted {
                    match closed {
                        Some(x) if in_year(x, from, to) => {
                            if let Some(row) = outcome_row(req) {
                                add(row, col, c.number);
                                add(ReportRow::Total, col, c.number);
                            }
                        }
                        _ if open_at(to) => add(ReportRow::CarriedOut, col, c.number),
                        _ => {}
                    }
                }
            }
            let recon_filed = req
                .remedies
                .iter()
                .find(|r| r.kind == RemedyKind::Reconsideration)
                .map(|r| r.filed_on);
            for r in &req.remedies {
                if r.filed_on < first || r.filed_on >= next {
                    continue;
                }
                let group = match r.kind {
                    RemedyKind::Reconsideration => RemedyGroup::Reconsideration,
                    RemedyKind::Litigation if recon_filed.is_some_and(|d| d <= r.filed_on) => {
                        RemedyGroup::LitigationAfterReconsideration
                    }
                    RemedyKind::Litigation => RemedyGroup::DirectLitigation,
                };
                let column = match (r.outcome, r.decided_on) {
                    (Some(o), Some(d)) if d < next => match o {
                        RemedyOutcome::Upheld => RemedyColumn::Upheld,
                        RemedyOutcome::Corrected => RemedyColumn::Corrected,
                        RemedyOutcome::Other => RemedyColumn::Other,
                    },
                    _ => RemedyColumn::Pending,
                };
                for col in [column, RemedyColumn::Total] {
                    remedies
                        .entry((group, col))
                        .or_default()
                        .push(c.number.to_string());
                }
            }
        }
        for v in cells.values_mut().chain(remedies.values_mut()) {
            v.sort();
        }
        AnnualReport {
            year,
            requests: cells,
            remedies,
        }
    }

    /// The requests counted in a cell of table 三 (`None`: the 总计 column).
    pub fn cell(&self, row: ReportRow, col: Option<ReportColumn>) -> &[String] {
        self.requests.get(&(row, col)).map_or(&[], Vec::as_slice)
    }

    /// The requests counted in a cell of table 四.
    pub fn remedy_cell(&self, group: RemedyGroup, col: RemedyColumn) -> &[String] {
        self.remedies.get(&(group, col)).map_or(&[], Vec::as_slice)
    }

    /// 新收 + 结转 = 总计 + 结转下年度, in every column.
    pub fn balanced(&self) -> bool {
        let n = |row, col| self.cell(row, col).len();
        std::iter::once(None)
            .chain(ReportColumn::ALL.iter().copied().map(Some))
            .all(|col| {
                n(ReportRow::NewReceived, col) + n(ReportRow::CarriedIn, col)
                    == n(ReportRow::Total, col) + n(ReportRow::CarriedOut, col)
            })
    }
}

/// The date by which an agency publishes a year's report (第四十九条: 每年1月31日前), and the day its
/// reminder starts (1 January).
pub fn publication_window(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
        NaiveDate::from_ymd_opt(year + 1, 1, 31)?,
    ))
}

/// Whether `now` falls in the reminder window of `year`'s report.
pub fn publication_due(year: i32, now: DateTime<Utc>) -> bool {
    publication_window(year).is_some_and(|(from, to)| {
        let d = local_date(now);
        d >= from && d <= to
    })
}

crate::closed_set! {
    /// The narrative sections of the report, written by people (the tables are computed).
    pub enum NarrativeSection {
        Overview = "overview" => "一、总体情况",
        Proactive = "proactive" => "二、主动公开政府信息情况（说明）",
        Problems = "problems" => "五、存在的主要问题及改进情况",
        Other = "other" => "六、其他需要报告的事项",
    }
}

/// The longest narrative section, in characters.
pub const MAX_SECTION_CHARS: usize = 20_000;

/// The rows of table 二 (主动公开政府信息情况) of the national format: (article, content,
/// the figures asked for).
pub const PROACTIVE_ROWS: &[(&str, &str, &[&str])] = &[
    (
        "第二十条第（一）项",
        "规章",
        &["本年制发件数", "本年废止件数", "现行有效件数"],
    ),
    (
        "第二十条第（一）项",
        "行政规范性文件",
        &["本年制发件数", "本年废止件数", "现行有效件数"],
    ),
    ("第二十条第（五）项", "行政许可", &["本年处理决定数量"]),
    ("第二十条第（六）项", "行政处罚", &["本年处理决定数量"]),
    ("第二十条第（六）项", "行政强制", &["本年处理决定数量"]),
    (
        "第二十条第（八）项",
        "行政事业性收费",
        &["本年收费金额（单位：万元）"],
    ),
];
