//! One reading of a case action for the pages and the API: the action's name and its fields,
//! turned into the engine's command. Both sides then call the same use case, so a page and a
//! client are held to the same rules.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tongban_app::AppError;
use tongban_domain::calendar::SuspensionKind;
use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::{Command, FileRef, StaffRef};
use tongban_domain::catalog::Delivery;
use tongban_domain::codes;
use utoipa::ToSchema;

/// An uploaded material as a case refers to it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileRefBody {
    /// SHA-256 of the content, as returned by `POST /api/v1/cases/files`.
    pub hash: String,
    pub name: String,
    pub size: u64,
}

impl From<FileRef> for FileRefBody {
    fn from(f: FileRef) -> Self {
        FileRefBody {
            hash: f.hash,
            name: f.name,
            size: f.size,
        }
    }
}

impl From<FileRefBody> for FileRef {
    fn from(f: FileRefBody) -> Self {
        FileRef {
            hash: f.hash,
            name: f.name,
            size: f.size,
        }
    }
}

/// A material with what is wrong with it (a supplement notice line, a defect).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MaterialNote {
    /// The material's key in the item, e.g. `m3`.
    pub key: String,
    pub reason: String,
}

/// One action on a case. `action` names it; the other fields are those the action needs.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActionBody {
    /// `accept`, `accept_instant`, `notice`, `not_accept`, `add_materials`, `decide`, `return`,
    /// `reassign`, `meeting`, `special_start`, `special_end`, `extension_request`,
    /// `extension_decide`, `pay`, `waiver_request`, `waiver_decide`, `deliver`, `withdraw` or
    /// `handover`.
    pub action: String,
    /// The case version the caller saw; an older one is refused with `case.stale` (409).
    pub version: Option<i64>,
    /// accept: keys of the materials handed in and in order.
    #[serde(default)]
    pub present: Vec<String>,
    /// accept: materials handed in but defective.
    #[serde(default)]
    pub defective: Vec<MaterialNote>,
    /// notice: every material to supplement, each with what is wrong (一次性告知).
    #[serde(default)]
    pub items: Vec<MaterialNote>,
    /// add_materials: uploaded files by material key.
    #[serde(default)]
    pub materials: BTreeMap<String, Vec<FileRefBody>>,
    /// decide, return, reassign: the step's key.
    #[serde(default)]
    pub step: String,
    /// return: the earlier step to go back to.
    #[serde(default)]
    pub to_step: String,
    /// reassign, handover: the member of staff to hand to.
    pub to_user: Option<i64>,
    /// decide, meeting, extension_decide, waiver_decide.
    pub approve: Option<bool>,
    /// decide: the opinion (required when not approving).
    #[serde(default)]
    pub opinion: String,
    /// meeting: the minutes.
    #[serde(default)]
    pub minutes: String,
    /// special_end, deliver: a note.
    #[serde(default)]
    pub note: String,
    /// Everything else that needs a reason.
    #[serde(default)]
    pub reason: String,
    /// special_start: `inspection`, `hearing`, `expert_review`, `testing`, `quarantine`,
    /// `appraisal`, `third_party_consultation` or `other`.
    #[serde(default)]
    pub kind: String,
    /// special_start: working days.
    pub days: Option<u32>,
    /// pay: the receipt number.
    #[serde(default)]
    pub reference: String,
    /// pay: the amount in fen.
    pub amount_fen: Option<u64>,
    /// deliver: `window`, `post` or `online`.
    #[serde(default)]
    pub method: String,
    /// When the action really happened, in RFC 3339 (`2026-03-02T09:30:00+08:00`), for staff
    /// recording it after the fact (补录); now when absent. It may not precede anything already
    /// on the case nor lie in the future. A gap over `supervision.backdate_hours` between it
    /// and the time of entry becomes a 体外循环 finding.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub occurred_at: Option<String>,
}

/// The codes and messages of a time that cannot be read.
const OCCURRED_AT_CODE: codes::Case = codes::Case::OccurredAtFormat;

/// A time typed into a page's `datetime-local` field, Beijing time: `2026-03-02T09:30`, with
/// seconds or a space also taken.
pub fn parse_local_time(s: &str) -> Result<DateTime<Utc>, AppError> {
    let bad = || {
        AppError::new(
            OCCURRED_AT_CODE,
            "实际办理时间格式不对，请按“年-月-日 时:分”填写北京时间，如 2026-03-02 09:30",
        )
    };
    let s = s.trim();
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .ok_or_else(bad)?;
    tongban_domain::time::shanghai()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(bad)
}

fn missing(code: codes::Case, what: &str) -> AppError {
    AppError::new(code, format!("请填写{what}"))
}

fn approve(b: &ActionBody) -> Result<bool, AppError> {
    b.approve
        .ok_or_else(|| AppError::of(codes::Case::ApproveRequired))
}

/// A delivery method by its stable name.
pub fn parse_delivery(s: &str) -> Result<Delivery, AppError> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string()))
        .map_err(|_| AppError::of(codes::Case::Delivery))
}

/// A special-procedure kind by its stable name.
pub fn parse_special(s: &str) -> Result<SuspensionKind, AppError> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string()))
        .map_err(|_| AppError::of(codes::Case::SpecialKind))
}

/// The stable name of a delivery method or special-procedure kind (its serde name).
pub fn plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A staff member named only by id: the use case fills in the name and department.
fn staff(id: Option<i64>, code: codes::Case, what: &str) -> Result<StaffRef, AppError> {
    id.map(|user_id| StaffRef {
        user_id,
        name: String::new(),
    })
    .ok_or_else(|| AppError::new(code, format!("请选择{what}")))
}

impl ActionBody {
    /// When the action really happened, if the caller says so (补录).
    pub fn occurred_at(&self) -> Result<Option<DateTime<Utc>>, AppError> {
        match self.occurred_at.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| {
                    AppError::new(
                        OCCURRED_AT_CODE,
                        "实际办理时间（occurred_at）格式不对，应为 RFC 3339，如 2026-03-02T09:30:00+08:00",
                    )
                }),
        }
    }

    /// The engine's command for this action.
    pub fn command(self) -> Result<Command, AppError> {
        let check = |b: &ActionBody| MaterialCheck {
            present: b.present.iter().cloned().collect::<BTreeSet<_>>(),
            defective: b
                .defective
                .iter()
                .map(|d| (d.key.clone(), d.reason.clone()))
                .collect(),
        };
        Ok(match self.action.trim() {
            "accept" => Command::Accept {
                check: check(&self),
            },
            "accept_instant" => Command::AcceptAndDecide {
                check: check(&self),
            },
            "notice" => Command::NoticeSupplement {
                items: self.items.into_iter().map(|i| (i.key, i.reason)).collect(),
            },
            "not_accept" => Command::NotAccept {
                reason: self.reason,
            },
            "add_materials" => Command::AddMaterials {
                materials: self
                    .materials
                    .into_iter()
                    .map(|(k, files)| (k, files.into_iter().map(FileRef::from).collect()))
                    .collect(),
            },
            "decide" => Command::Decide {
                approve: approve(&self)?,
                step: self.step,
                opinion: self.opinion,
            },
            "return" => {
                if self.to_step.trim().is_empty() {
                    return Err(missing(codes::Case::ReturnTo, "退回到哪个环节"));
                }
                Command::ReturnTo {
                    step: self.step,
                    to: self.to_step,
                    reason: self.reason,
                }
            }
            "reassign" => Command::Reassign {
                to: staff(self.to_user, codes::Case::ReassignTo, "要转交的工作人员")?,
                step: self.step,
                to_department: None,
                reason: self.reason,
            },
            "meeting" => Command::Meeting {
                approve: approve(&self)?,
                minutes: self.minutes,
            },
            "special_start" => Command::StartSpecial {
                kind: parse_special(&self.kind)?,
                days: self
                    .days
                    .ok_or_else(|| missing(codes::Case::SpecialDays, "特殊程序所需工作日数"))?,
                reason: self.reason,
            },
            "special_end" => Command::EndSpecial { note: self.note },
            "extension_request" => Command::RequestExtension {
                reason: self.reason,
            },
            "extension_decide" => Command::DecideExtension {
                approve: approve(&self)?,
                reason: self.reason,
            },
            "pay" => Command::PayFee {
                amount_fen: self
                    .amount_fen
                    .ok_or_else(|| missing(codes::Case::FeeAmount, "缴费金额"))?,
                reference: self.reference,
            },
            "waiver_request" => Command::RequestWaiver {
                reason: self.reason,
            },
            "waiver_decide" => Command::DecideWaiver {
                approve: approve(&self)?,
                reason: self.reason,
            },
            "deliver" => Command::Deliver {
                method: parse_delivery(&self.method)?,
                note: self.note,
            },
            "withdraw" => Command::Withdraw {
                reason: self.reason,
            },
            "handover" => Command::HandOver {
                to: staff(self.to_user, codes::Case::HandoverTo, "接手的工作人员")?,
            },
            _ => return Err(AppError::of(codes::Case::Action)),
        })
    }

    /// Reads a page's form fields. Check boxes repeat their name, so the fields come as pairs:
    /// `present=m1&present=m2`, `notice=m3&why_m3=…`, `approve=yes`, `amount_yuan=80.00`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<ActionBody, AppError> {
        let mut b = ActionBody::default();
        let mut noticed = Vec::new();
        let mut why = BTreeMap::new();
        let int = |v: &str, code: codes::Case, what: &str| -> Result<Option<i64>, AppError> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| AppError::new(code, format!("{what}应为整数")))
        };
        for (k, v) in pairs {
            match k.as_str() {
                "action" => b.action = v.clone(),
                "version" => b.version = int(v, codes::Case::Version, "版本")?,
                "present" => b.present.push(v.clone()),
                "notice" => noticed.push(v.clone()),
                "step" => b.step = v.clone(),
                "to_step" => b.to_step = v.clone(),
                "to_user" => b.to_user = int(v, codes::Case::ToUser, "工作人员")?,
                "approve" => {
                    b.approve = match v.as_str() {
                        "yes" | "true" | "1" => Some(true),
                        "no" | "false" | "0" => Some(false),
                        _ => None,
                    }
                }
                "opinion" => b.opinion = v.clone(),
                "minutes" => b.minutes = v.clone(),
                "note" => b.note = v.clone(),
                "reason" => b.reason = v.clone(),
                "kind" => b.kind = v.clone(),
                "days" => {
                    b.days = int(v, codes::Case::SpecialDays, "天数")?
                        .map(|d| u32::try_from(d).unwrap_or(0))
                }
                "reference" => b.reference = v.clone(),
                "amount_yuan" => b.amount_fen = Some(parse_yuan(v)?),
                "method" => b.method = v.clone(),
                "occurred_at" if !v.trim().is_empty() => {
                    b.occurred_at = Some(parse_local_time(v)?.to_rfc3339())
                }
                other => {
                    if let Some(key) = other.strip_prefix("why_") {
                        why.insert(key.to_string(), v.clone());
                    }
                }
            }
        }
        b.items = noticed
            .into_iter()
            .map(|key| MaterialNote {
                reason: why.get(&key).cloned().unwrap_or_default(),
                key,
            })
            .collect();
        Ok(b)
    }
}

/// Yuan as typed at a window (`80`, `80.5`, `80.00`) to fen, exactly.
pub fn parse_yuan(s: &str) -> Result<u64, AppError> {
    let bad = || AppError::new(codes::Case::FeeAmount, "金额应为元，最多两位小数，如 80.00");
    let s = s.trim().trim_start_matches('¥').trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 9
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let frac: u64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(whole * 100 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_to_fen() {
        assert_eq!(parse_yuan("80").ok(), Some(8000));
        assert_eq!(parse_yuan("80.5").ok(), Some(8050));
        assert_eq!(parse_yuan(" 80.00 ").ok(), Some(8000));
        assert_eq!(parse_yuan("0.07").ok(), Some(7));
        for bad in ["", "8.001", "-1", "1e3", "八十", ".5"] {
            assert!(parse_yuan(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_occurred_time_is_beijing_time_on_a_page_and_rfc_3339_in_the_api() {
        let pairs = |v: &str| -> Vec<(String, String)> {
            vec![
                ("action".to_string(), "accept".to_string()),
                ("occurred_at".to_string(), v.to_string()),
            ]
        };
        let at = |v: &str| ActionBody::from_pairs(&pairs(v)).and_then(|b| b.occurred_at());
        let nine = Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).single();
        assert_eq!(at("2026-03-02T09:30").ok().flatten(), nine);
        assert_eq!(at("2026-03-02 09:30:00").ok().flatten(), nine);
        assert_eq!(at("").ok().flatten(), None, "blank: now");
        for bad in ["2026-03-02", "09:30", "2026-02-30T09:30", "明天上午"] {
            assert_eq!(
                at(bad).err().map(|e| e.code),
                Some(OCCURRED_AT_CODE.code()),
                "{bad}"
            );
        }
        let api = |v: &str| {
            ActionBody {
                occurred_at: Some(v.into()),
                ..ActionBody::default()
            }
            .occurred_at()
        };
        assert_eq!(api("2026-03-02T09:30:00+08:00").ok().flatten(), nine);
        assert_eq!(api("2026-03-02T01:30:00Z").ok().flatten(), nine);
        assert_eq!(
            api("2026-03-02 09:30").err().map(|e| e.code),
            Some(OCCURRED_AT_CODE.code())
        );
    }

    #[test]
    fn form_pairs_make_a_notice_listing_each_ticked_material_with_its_reason() {
        let pairs: Vec<(String, String)> = [
            ("action", "notice"),
            ("version", "3"),
            ("notice", "m3"),
            ("why_m3", "未提交"),
            ("why_m4", "not ticked, so not asked"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let b = ActionBody::from_pairs(&pairs).ok();
        assert_eq!(b.as_ref().and_then(|b| b.version), Some(3));
        match b.map(ActionBody::command) {
            Some(Ok(Command::NoticeSupplement { items })) => {
                assert_eq!(items, vec![("m3".to_string(), "未提交".to_string())])
            }
            other => panic!("{other:?}"),
        }
    }
}
