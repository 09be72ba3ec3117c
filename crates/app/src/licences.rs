//! The e-licence register (电子证照库): every permit decided becomes a licence, issued as a
//! sealed document of its own; holders see theirs, staff look them up within their region,
//! an application form offers a valid licence instead of an upload (免提交), and expiry is
//! reminded through the outbox and recorded as an act.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tongban_domain::case::{Case, FileRef, Outcome, PartyKind};
use tongban_domain::catalog::Item;
use tongban_domain::document::licence::{self, LicenceAct, LicenceStatus};
use tongban_domain::document::{Document, Field, Subject, SubjectKind};
use tongban_domain::org::{Actor, Role};
use tongban_store::cases::NotificationRow;
use tongban_store::licences::{LicenceEventRow, LicenceRow};

use crate::error::{invalid, AppError, Result};
use crate::App;

/// How a licence is referenced in an application's materials instead of a file.
pub const REFERENCE_PREFIX: &str = "licence:";

/// A licence as people see it (the holder's code masked).
#[derive(Debug, Clone, Serialize)]
pub struct LicenceView {
    pub number: String,
    pub type_name: String,
    pub holder_name: String,
    pub holder: String,
    pub fields: Vec<Field>,
    pub valid_from: String,
    pub valid_to: String,
    pub agency: String,
    pub status: LicenceStatus,
    pub status_label: String,
    pub usable: bool,
    pub document_number: Option<String>,
    pub events: Vec<LicenceEventRow>,
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

impl App {
    /// Whether `actor` may see a licence: its holder, or staff whose region covers it.
    pub fn sees_licence(&self, actor: &Actor, l: &LicenceRow) -> bool {
        match actor.role {
            Role::Applicant => l.holder_user_id == Some(actor.user_id),
            _ => tongban_domain::region::RegionCode::parse(&l.region)
                .is_ok_and(|r| actor.sees_region(&r)),
        }
    }

    async fn licence_view(&self, l: LicenceRow) -> Result<LicenceView> {
        let status = LicenceStatus::parse(&l.status).unwrap_or(LicenceStatus::Valid);
        let today = tongban_domain::time::local_date(self.now());
        let agency = self
            .store
            .department(l.department_id)
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        Ok(LicenceView {
            usable: licence::usable(status, day(&l.valid_from), day(&l.valid_to), today),
            holder: tongban_domain::mask::keep_ends(&l.holder_code, 6, 4),
            fields: serde_json::from_str(&l.fields).unwrap_or_default(),
            events: self.store.licence_events(l.id).await?,
            status_label: status.label_zh().into(),
            status,
            agency,
            number: l.number,
            type_name: l.type_name,
            holder_name: l.holder_name,
            valid_from: l.valid_from,
            valid_to: l.valid_to,
            document_number: l.document_number,
        })
    }

    /// After a permit is decided and its fees are settled: the licence, in the register and as
    /// a sealed document. Idempotent per case; a failure is logged, never undoing the decision.
    pub async fn register_licence_quietly(&self, case_id: i64, c: &Case, item: &Item) {
        if let Err(e) = self.register_licence(case_id, c, item).await {
            tracing::warn!(case = case_id, error = %e, "licence not registered");
        }
    }

    pub async fn register_licence(
        &self,
        case_id: i64,
        c: &Case,
        item: &Item,
    ) -> Result<Option<String>> {
        let Some(decision) = &c.decision else {
            return Ok(None);
        };
        if decision.outcome != Outcome::Approved || item.result_name.trim().is_empty() {
            return Ok(None);
        }
        // No result before payment (乱收费's other face): the decision notice is served, the
        // licence waits for the fee or its waiver.
        if !c.fees.settled() {
            return Ok(None);
        }
        let type_name = licence::type_name(&item.result_name);
        let from = tongban_domain::time::local_date(decision.at);
        let years = self.settings().licence_valid_years;
        let to = from
            .with_year(from.year() + years as i32)
            .unwrap_or(from)
            .pred_opt()
            .unwrap_or(from);
        let number = format!("{}-{}", item.basic_code, c.number);
        let fields = vec![
            Field {
                label: "证照名称".into(),
                value: type_name.clone(),
            },
            Field {
                label: "证照编号".into(),
                value: number.clone(),
            },
            Field {
                label: "持证主体".into(),
                value: c.applicant.name.clone(),
            },
            Field {
                label: match c.applicant.kind {
                    PartyKind::Company => "统一社会信用代码".into(),
                    PartyKind::Person => "身份证件号码".into(),
                },
                value: tongban_domain::mask::keep_ends(&c.applicant.id_code, 6, 4),
            },
            Field {
                label: "许可事项".into(),
                value: item.name.clone(),
            },
            Field {
                label: "有效期限".into(),
                value: format!(
                    "{} 至 {}",
                    from.format("%Y年%m月%d日"),
                    to.format("%Y年%m月%d日")
                ),
            },
            Field {
                label: "办件编号".into(),
                value: c.number.to_string(),
            },
        ];
        let row = LicenceRow {
            id: 0,
            number: number.clone(),
            type_name: type_name.clone(),
            holder_kind: match c.applicant.kind {
                PartyKind::Company => "company".into(),
                PartyKind::Person => "person".into(),
            },
            holder_code: c.applicant.id_code.clone(),
            holder_name: c.applicant.name.clone(),
            holder_user_id: c.applicant.user_id,
            holder_phone: c.applicant.phone.clone(),
            holder_email: c.applicant.email.clone(),
            fields: serde_json::to_string(&fields).map_err(AppError::internal)?,
            valid_from: from.format("%Y-%m-%d").to_string(),
            valid_to: to.format("%Y-%m-%d").to_string(),
            department_id: item.department_id,
            region: item.region.to_string(),
            status: "valid".into(),
            case_id: Some(case_id),
            document_number: Some(format!("证{number}")),
            issued_at: decision.at.timestamp_millis(),
            reminded_at: None,
        };
        let entry = self
            .system_entry(
                "licence.register",
                format!("case:{}", c.number),
                format!("{type_name} {number} 入库"),
            )
            .in_region_str(Some(&row.region));
        let Some(id) = self.store.register_licence(&row, entry).await? else {
            return Ok(None);
        };
        let agency = self
            .store
            .department(item.department_id)
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        let doc = Document {
            number: format!("证{number}"),
            kind: "licence.certificate".into(),
            title: type_name.clone(),
            paragraphs: vec![
                format!("{}：", c.applicant.name),
                format!("经审查，准予“{}”，特发此证。本电子证照与纸质证照具有同等法律效力，可在本平台核验。", item.name),
                tongban_domain::time::local_date(decision.at).format("%Y年%m月%d日").to_string(),
            ],
            fields,
            department_id: item.department_id,
            agency,
            subject: Subject { kind: SubjectKind::Licence, id, reference: number.clone() },
            issued_at: decision.at,
        };
        self.issue_document(None, &doc).await?;
        Ok(Some(number))
    }

    /// The actor's own licences (an applicant).
    pub async fn my_licences(&self, actor: &Actor) -> Result<Vec<LicenceView>> {
        if actor.role != Role::Applicant {
            return Err(AppError::forbidden());
        }
        let mut out = Vec::new();
        for l in self
            .store
            .licences_of_holder(Some(actor.user_id), None)
            .await?
        {
            out.push(self.licence_view(l).await?);
        }
        Ok(out)
    }

    /// Staff look licences up by number or holder code within their region (their
    /// department's own when no query is given).
    pub async fn find_licences(&self, actor: &Actor, query: &str) -> Result<Vec<LicenceView>> {
        if !actor.role.is_staff() {
            return Err(AppError::forbidden());
        }
        let prefix = actor
            .region
            .as_ref()
            .map_or(String::new(), |r| r.prefix().to_string());
        let q = query.trim().to_ascii_uppercase();
        let dept = if q.is_empty() && actor.role.is_departmental() {
            actor.department_id
        } else {
            None
        };
        let mut out = Vec::new();
        for l in self.store.find_licences(&prefix, &q, dept).await? {
            out.push(self.licence_view(l).await?);
        }
        Ok(out)
    }

    /// One licence for someone who may see it.
    pub async fn licence(&self, actor: &Actor, number: &str) -> Result<LicenceView> {
        let l = self
            .store
            .licence(number.trim())
            .await?
            .ok_or_else(|| AppError::not_found("该证照"))?;
        if !self.sees_licence(actor, &l) {
            return Err(AppError::not_found("该证照"));
        }
        self.licence_view(l).await
    }

    /// The holder's licences usable today of a type, for the application form (免提交).
    pub async fn usable_licences(
        &self,
        actor: &Actor,
        type_name: &str,
    ) -> Result<Vec<LicenceView>> {
        if actor.role != Role::Applicant {
            return Ok(Vec::new());
        }
        Ok(self
            .my_licences(actor)
            .await?
            .into_iter()
            .filter(|l| l.usable && l.type_name == type_name)
            .collect())
    }

    /// Checks a licence offered in place of an upload: it must be the applicant's, of the type
    /// the material asks for, and in force. Answers the reference to keep in the materials.
    pub async fn licence_reference(
        &self,
        holder_code: &str,
        type_name: &str,
        number: &str,
    ) -> Result<FileRef> {
        let not_held = || {
            AppError::new(
                tongban_domain::codes::Licence::NotHeld,
                "所选证照不属于申请人，或不是本材料要求的证照",
            )
        };
        let l = self
            .store
            .licence(number.trim())
            .await?
            .ok_or_else(not_held)?;
        if l.holder_code != holder_code || l.type_name != type_name {
            return Err(not_held());
        }
        let status = LicenceStatus::parse(&l.status).unwrap_or(LicenceStatus::Valid);
        let today = tongban_domain::time::local_date(self.now());
        if !licence::usable(status, day(&l.valid_from), day(&l.valid_to), today) {
            return Err(AppError::new(
                tongban_domain::codes::Licence::NotUsable,
                format!("证照{}，不能用于免提交", status.label_zh()),
            ));
        }
        Ok(FileRef {
            hash: format!("{REFERENCE_PREFIX}{}", l.number),
            name: format!("电子证照：{}（{}）", l.type_name, l.number),
            size: 0,
        })
    }

    /// Cancels (注销) or revokes (吊销) a licence: staff of the issuing department's head, or
    /// an administrator; recorded with its reason.
    pub async fn act_on_licence(
        &self,
        actor: &Actor,
        number: &str,
        act: LicenceAct,
    ) -> Result<LicenceView> {
        let l = self
            .store
            .licence(number.trim())
            .await?
            .ok_or_else(|| AppError::not_found("该证照"))?;
        let allowed = actor.is_admin()
            || (actor.role == Role::DeptHead && actor.department_id == Some(l.department_id));
        if !allowed {
            return Err(AppError::forbidden());
        }
        let status = LicenceStatus::parse(&l.status).unwrap_or(LicenceStatus::Valid);
        let today = tongban_domain::time::local_date(self.now());
        let to = licence::apply(status, day(&l.valid_to), &act, today).map_err(invalid)?;
        let reason = match &act {
            LicenceAct::Cancel { reason } | LicenceAct::Revoke { reason } => {
                reason.trim().to_string()
            }
            LicenceAct::Expire => "有效期届满".into(),
        };
        let entry = self
            .entry(
                actor,
                &format!("licence.{}", act.as_str()),
                format!("licence:{}", l.number),
                reason.clone(),
            )
            .in_region_str(Some(&l.region));
        self.store
            .licence_act(
                l.id,
                &l.status,
                to.as_str(),
                act.as_str(),
                &reason,
                (Some(actor.user_id), &actor.name),
                self.now(),
                entry,
            )
            .await?;
        self.licence(actor, number).await
    }

    /// The licences' daily work: reminders of coming expiry through the outbox, and the
    /// 过期 act the day after the last valid day. Returns how many licences it touched.
    pub async fn sweep_licences(&self) -> Result<usize> {
        let now = self.now();
        let today = tongban_domain::time::local_date(now);
        let mut touched = 0;
        let yesterday = today
            .pred_opt()
            .unwrap_or(today)
            .format("%Y-%m-%d")
            .to_string();
        for l in self.store.licences_due(&yesterday, false, 200).await? {
            let entry = self
                .system_entry(
                    "licence.expire",
                    format!("licence:{}", l.number),
                    "有效期届满".into(),
                )
                .in_region_str(Some(&l.region));
            if self
                .store
                .licence_act(
                    l.id,
                    "valid",
                    "expired",
                    "expire",
                    "有效期届满",
                    (None, "系统"),
                    now,
                    entry,
                )
                .await?
            {
                touched += 1;
            }
        }
        let days = self.settings().licence_reminder_days;
        let horizon = (today + chrono::Days::new(u64::from(days)))
            .format("%Y-%m-%d")
            .to_string();
        for l in self.store.licences_due(&horizon, true, 200).await? {
            let link = format!("{}/licences/{}", self.public_url(), l.number);
            let text = format!(
                "【通办】您的{}（编号 {}）将于{}到期，请及时办理延续。详情：{link}",
                l.type_name, l.number, l.valid_to
            );
            let mut messages = Vec::new();
            if !l.holder_phone.is_empty() {
                messages.push(NotificationRow {
                    channel: "sms".into(),
                    recipient: l.holder_phone.clone(),
                    subject: format!("{}即将到期", l.type_name),
                    body: text.clone(),
                });
            }
            if let Some(email) = &l.holder_email {
                messages.push(NotificationRow {
                    channel: "email".into(),
                    recipient: email.clone(),
                    subject: format!("{}即将到期", l.type_name),
                    body: text.clone(),
                });
            }
            if self.store.remind_licence(l.id, &messages, now).await? {
                touched += 1;
            }
        }
        Ok(touched)
    }
}
