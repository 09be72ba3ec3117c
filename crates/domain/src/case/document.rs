//! The documents the law requires a case to produce, rendered from templates when issued and
//! then frozen: what was handed to the applicant never changes, and its hash proves it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::{yuan, Item};
use crate::time::{format_local, local_date};

use super::model::{Case, Outcome};

crate::closed_set! {
    pub enum DocKind {
        /// 收件凭证
        Receipt = "receipt" => "申请材料收件凭证",
        /// 补正材料通知书 (一次性告知)
        Supplement = "supplement" => "补正材料通知书",
        /// 受理通知书
        Acceptance = "acceptance" => "受理通知书",
        /// 不予受理决定书
        NonAcceptance = "non_acceptance" => "不予受理决定书",
        /// 特殊程序告知书
        Special = "special" => "特殊程序告知书",
        /// 延长办理期限告知书
        Extension = "extension" => "延长办理期限告知书",
        /// 准予行政许可决定书 (the result)
        Approval = "approval" => "准予行政许可决定书",
        /// 不予行政许可决定书
        Refusal = "refusal" => "不予行政许可决定书",
    }
}

impl DocKind {
    /// The prefix of the document's number; the case number follows it.
    fn prefix(self) -> &'static str {
        match self {
            DocKind::Receipt => "收",
            DocKind::Supplement => "补",
            DocKind::Acceptance => "受",
            DocKind::NonAcceptance => "不受",
            DocKind::Special => "特",
            DocKind::Extension => "延",
            DocKind::Approval => "准",
            DocKind::Refusal => "不准",
        }
    }

    /// A result of the case (verifiable on the public page), as opposed to a notice.
    pub fn is_result(self) -> bool {
        matches!(self, DocKind::Approval | DocKind::Refusal)
    }
}

/// One issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub number: String,
    pub kind: DocKind,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub department_id: i64,
    pub issued_at: DateTime<Utc>,
}

impl Document {
    /// SHA-256 over the number, title and text: what a verifier recomputes.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.number.as_bytes());
        h.update([0]);
        h.update(self.title.as_bytes());
        for p in &self.paragraphs {
            h.update([0]);
            h.update(p.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// The number of the `nth` (1-based) document of a kind on a case.
pub fn number(kind: DocKind, case: &Case, nth: usize) -> String {
    if nth <= 1 {
        format!("{}{}", kind.prefix(), case.number)
    } else {
        format!("{}{}-{nth}", kind.prefix(), case.number)
    }
}

/// What a template needs beyond the case.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub reason: String,
    pub days: u32,
    pub lines: Vec<String>,
    /// 受理通知书 of an acceptance by operation of law (行政许可法 第三十二条第一款第（四）项):
    /// no examination took place, and acceptance dates from the day of receipt.
    pub by_law: bool,
    /// The date the notice names: the 受理通知书's committed due date, the 补正材料通知书's
    /// last day to supply.
    pub date: Option<NaiveDate>,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// Where and how to reach the issuing office, from the item's guide: every notice ends with it.
fn contact(item: &Item) -> Option<String> {
    let mut parts = Vec::new();
    if !item.place.trim().is_empty() {
        parts.push(format!("办理地点：{}", item.place.trim()));
    }
    if !item.hours.trim().is_empty() {
        parts.push(format!("办公时间：{}", item.hours.trim()));
    }
    if !item.consult_phone.trim().is_empty() {
        parts.push(format!("联系电话：{}", item.consult_phone.trim()));
    }
    (!parts.is_empty()).then(|| format!("{}。", parts.join("；")))
}

const REMEDY: &str = "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。";

/// Renders a document from its template.
pub fn render(
    kind: DocKind,
    number: String,
    case: &Case,
    item: &Item,
    extra: &Extra,
    at: DateTime<Utc>,
) -> Document {
    let who = format!("{}：", case.applicant.name);
    let date = local_date(at).format("%Y年%m月%d日").to_string();
    let received = format_local(case.received_at);
    let mut p: Vec<String> = vec![who];
    match kind {
        DocKind::Receipt => {
            p.push(format!(
                "本机关于{received}收到你（单位）提交的“{}”申请材料，办件编号 {}。",
                item.name, case.number
            ));
            p.push("已收材料：".into());
            p.extend(extra.lines.iter().cloned());
            p.push(
                "本机关将在五个工作日内作出是否受理的决定或者一次性告知需要补正的全部内容。可凭办件编号及手机号后四位查询进度。"
                    .into(),
            );
        }
        DocKind::Supplement => {
            p.push(format!(
                "你（单位）于{received}提交的“{}”申请（办件编号 {}），申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，现一次性告知需要补正的全部内容如下：",
                item.name, case.number
            ));
            p.extend(extra.lines.iter().cloned());
            match extra.date {
                Some(by) => p.push(format!(
                    "请于{}前（收到本通知之日起 {} 个工作日内）按上述要求补正后提交。本机关自收到全部补正材料之日起受理。",
                    day(by),
                    extra.days
                )),
                None => p.push(
                    "请按上述要求补正后重新提交。本机关自收到全部补正材料之日起受理。".into(),
                ),
            }
        }
        DocKind::Acceptance if extra.by_law => {
            let received_day = local_date(case.received_at)
                .format("%Y年%m月%d日")
                .to_string();
            p.push(format!(
                "你（单位）于{received_day}提交的“{}”申请（办件编号 {}），本机关未在收到申请材料之日起五个工作日内作出是否受理的决定，也未告知需要补正的内容。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，该申请自收到申请材料之日即{received_day}起依法视为受理。",
                item.name, case.number
            ));
            p.push(format!(
                "本机关承诺在受理之日（{received_day}）起 {} 个工作日内作出决定（法定期限 {} 个工作日）{}。",
                item.committed_limit_days,
                item.statutory_limit_days,
                extra
                    .date
                    .map(|d| format!("，即最迟于{}作出决定", day(d)))
                    .unwrap_or_default()
            ));
            if !item.fees.is_empty() {
                p.push(format!(
                    "本事项依法收费 {}，请到窗口缴纳，缴费后方可领取结果。",
                    yuan(item.total_fee_fen())
                ));
            }
            // The notice states the acceptance that the law fixed, so it bears that date; the
            // register keeps the instant it was issued.
            p.extend(contact(item));
            p.push(format!("受理日期：{received_day}"));
            p.push(format!("本通知书出具日期：{date}"));
            return Document {
                number,
                kind,
                title: kind.label().into(),
                paragraphs: p,
                department_id: item.department_id,
                issued_at: at,
            };
        }
        DocKind::Acceptance => {
            p.push(format!(
                "你（单位）提交的“{}”申请（办件编号 {}），经审查，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
                item.name, case.number
            ));
            if !extra.lines.is_empty() {
                p.push("以下材料为容缺受理，请在期限内补交，逾期未补交的将中止办理：".into());
                p.extend(extra.lines.iter().cloned());
            }
            p.push(format!(
                "本机关承诺在受理之日起 {} 个工作日内作出决定（法定期限 {} 个工作日）{}。",
                item.committed_limit_days,
                item.statutory_limit_days,
                extra
                    .date
                    .map(|d| format!("，即最迟于{}作出决定", day(d)))
                    .unwrap_or_default()
            ));
            if !item.fees.is_empty() {
                p.push(format!(
                    "本事项依法收费 {}，请到窗口缴纳，缴费后方可领取结果。",
                    yuan(item.total_fee_fen())
                ));
            }
        }
        DocKind::NonAcceptance => {
            p.push(format!(
                "你（单位）提交的“{}”申请（办件编号 {}），经审查，决定不予受理。理由：{}",
                item.name, case.number, extra.reason
            ));
            p.push(REMEDY.into());
        }
        DocKind::Special => {
            p.push(format!(
                "你（单位）申请的“{}”（办件编号 {}）需要进行特殊程序：{}。预计需要 {} 个工作日，所需时间依法不计算在办理期限内。",
                item.name, case.number, extra.reason, extra.days
            ));
        }
        DocKind::Extension => {
            p.push(format!(
                "你（单位）申请的“{}”（办件编号 {}），因{}，经本机关负责人批准，办理期限延长 {} 个工作日。",
                item.name, case.number, extra.reason, extra.days
            ));
        }
        DocKind::Approval => {
            p.push(format!(
                "你（单位）申请的“{}”（办件编号 {}），经审查，符合法定条件、标准，根据{}的规定，决定准予行政许可，发给《{}》。",
                item.name,
                case.number,
                item.legal_basis
                    .iter()
                    .map(|b| format!("{}{}", b.title, b.article))
                    .collect::<Vec<_>>()
                    .join("、"),
                item.result_name
            ));
            if !extra.reason.is_empty() {
                p.push(format!("审查意见：{}", extra.reason));
            }
            // The decision is served at once; the licence waits for the fee (no result before
            // payment), and the notice says so.
            if !case.fees.settled() {
                p.push(format!(
                    "本事项依法收费 {}，《{}》在缴清费用（或经批准减免）后发放。",
                    yuan(case.fees.total_fen()),
                    item.result_name
                ));
            }
        }
        DocKind::Refusal => {
            p.push(format!(
                "你（单位）申请的“{}”（办件编号 {}），经审查，决定不予行政许可。理由：{}",
                item.name, case.number, extra.reason
            ));
            p.push(REMEDY.into());
        }
    }
    p.extend(contact(item));
    p.push(date);
    Document {
        number,
        kind,
        title: kind.label().into(),
        paragraphs: p,
        department_id: item.department_id,
        issued_at: at,
    }
}

/// The document kind of a decision's result.
pub fn result_kind(outcome: Outcome) -> DocKind {
    match outcome {
        Outcome::Approved => DocKind::Approval,
        Outcome::Refused => DocKind::Refusal,
    }
}
