//! Cases (办件): filing, every action on a case, what each person sees, and the clock's sweep.
//!
//! Each use case reads the case, asks the domain engine what the command does, and writes the
//! events with their projections in one transaction that only lands if the case has not moved
//! meanwhile. The engine decides; this layer loads what it needs and checks who sees what.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::calendar::{Calendar, PROVISIONAL_NOTE};
use tongban_domain::case::document::Document;
use tongban_domain::case::engine::step_due;
use tongban_domain::case::{
    self, Case, CaseEvent, CaseNumber, CaseStatus, Channel, Command, Ctx, Decided, FileRef, Offer,
    Party, PartyKind, Post, PostBook, StaffRef, Submission, Who,
};
use tongban_domain::catalog::{Delivery, Item};
use tongban_domain::codes;
use tongban_domain::identity::IdNumber;
use tongban_domain::org::{Actor, Role};
use tongban_domain::uscc::Uscc;
use tongban_store::cases::{
    CaseLine, CaseProjection, CaseWrite, Created, DocumentRow, EventRecord, EventRow, Idempotency,
    NegativeFiling, NegativeRow, NotificationRow, StepLine, StepRow, StoredCase,
};
use tongban_store::StoreError;

use crate::error::{invalid, AppError, Result};
use crate::App;

/// The parts of a filing that make it the same request, in a fixed order (materials by hash).
fn request_fields(new: &NewCase) -> String {
    let applicant = new
        .applicant
        .as_ref()
        .map(|a| serde_json::json!([a.kind.as_str(), a.name, a.id_code, a.phone, a.email]));
    let materials: BTreeMap<&String, Vec<&str>> = new
        .materials
        .iter()
        .map(|(k, files)| (k, files.iter().map(|f| f.hash.as_str()).collect()))
        .collect();
    serde_json::json!([
        applicant,
        new.village,
        new.pickup_hall_id,
        new.delivery.as_str(),
        materials,
        new.form,
    ])
    .to_string()
}

/// The SHA-256 of a filing's item and fields: a retry with the same idempotency key must
/// carry the same, or it is refused (`request.idempotency_mismatch`).
fn request_fingerprint(item: &str, fields: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{item}\n{fields}").as_bytes()))
}

/// The applicant as a clerk or agent types them in.
#[derive(Debug, Clone)]
pub struct ApplicantInput {
    pub kind: PartyKind,
    pub name: String,
    pub id_code: String,
    pub phone: String,
    pub email: Option<String>,
}

/// A new application from any channel.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub item_code: String,
    /// Required when staff or an agent files; an applicant files for themself.
    pub applicant: Option<ApplicantInput>,
    /// Filed at a village or community 代办点 (an agent), forwarded to the competent hall.
    pub village: bool,
    pub pickup_hall_id: Option<i64>,
    pub delivery: Delivery,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub form: BTreeMap<String, String>,
    pub idempotency_key: Option<String>,
}

/// A case with its item version, as the engine and the pages read it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub id: i64,
    pub version: i64,
    pub case: Case,
    pub item: Arc<Item>,
}

/// Everything a case page shows.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub view: CaseView,
    pub events: Vec<EventRecord>,
    pub documents: Vec<DocumentRow>,
    pub clocks: Vec<ClockLine>,
    pub next_action: String,
}

/// One deadline of a case with its plain explanation.
#[derive(Debug, Clone, Serialize)]
pub struct ClockLine {
    pub label: String,
    /// `None` when the deadline cannot be computed; `problem` then says why.
    pub due_at: Option<DateTime<Utc>>,
    pub problem: Option<String>,
    /// 正常, 黄灯预警 or 红灯超期 by the supervision settings.
    pub light: tongban_domain::supervision::Light,
    pub remaining_days: i64,
    pub overdue: bool,
    pub suspended: bool,
    pub explanation: Vec<String>,
    /// Set when the due date lies in a year not yet announced: [`PROVISIONAL_NOTE`].
    pub provisional: Option<String>,
}

/// What the public lookup shows: no names, no materials.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub number: String,
    pub item_name: String,
    pub status: String,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub next_action: String,
    pub timeline: Vec<(DateTime<Utc>, String)>,
}

/// What the public lookup keeps of one version of a case: everything but the due date, which
/// moves with the clock and the calendar and is computed on each lookup.
pub(crate) struct PublicCase {
    item_name: String,
    status: String,
    received_at: DateTime<Utc>,
    clock: Option<tongban_domain::calendar::StatutoryClock>,
    region: String,
    next_action: String,
    timeline: Vec<(DateTime<Utc>, String)>,
    phone_tail: String,
    id_tail: String,
}

/// A result document as its public verify page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedDocument {
    pub number: String,
    pub title: String,
    pub case_number: String,
    pub item_name: String,
    pub applicant: String,
    pub department_id: i64,
    pub issued_at: DateTime<Utc>,
    pub hash: String,
    /// The stored hash matches the stored text.
    pub intact: bool,
    pub outcome: String,
}

/// Kinds of file an applicant may upload, told by their first bytes rather than their name.
const MAGIC: &[(&[u8], &str, &str)] = &[
    (b"%PDF", "application/pdf", "PDF"),
    (b"\x89PNG", "image/png", "PNG"),
    (b"\xFF\xD8\xFF", "image/jpeg", "JPEG"),
    (b"PK\x03\x04", "application/ofd", "OFD"),
];

fn stale() -> AppError {
    AppError::of(codes::Case::Stale)
}

fn tail(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

impl App {
    /// Now, to the millisecond the store keeps, so a case's state and its logged events agree.
    pub(crate) fn case_now(&self) -> DateTime<Utc> {
        let now = self.now();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }

    /// Whether `actor` may see a case: the applicant or their agent, the staff of any
    /// department the case runs through, and supervisors, leaders and administrators of its
    /// region. The legal reviewer (法制审核人员) reviews refusals: they see the cases of their
    /// region that were refused (不予受理 or 不予许可, the ones filed with supervision), no other.
    pub fn sees_case(&self, actor: &Actor, case: &Case) -> bool {
        match actor.role {
            Role::Applicant => case.applicant.user_id == Some(actor.user_id),
            Role::Agent => case
                .agent
                .as_ref()
                .is_some_and(|a| a.user_id == actor.user_id),
            Role::Clerk | Role::Approver | Role::DeptHead => {
                let depts = std::iter::once(case.item.department_id)
                    .chain(case.steps.values().map(|s| s.department_id));
                depts
                    .into_iter()
                    .any(|d| actor.acts_for_department(d, &case.item.region))
            }
            Role::Supervisor | Role::Leader | Role::Admin => actor.sees_region(&case.item.region),
            Role::Legal => case.is_negative() && actor.sees_region(&case.item.region),
            // The hotline's staff work on tickets; a case named in a complaint is read by
            // supervision, not by the centre.
            Role::Operator | Role::HotlineCentre => false,
        }
    }

    /// Stores an uploaded material after checking its size and kind.
    pub async fn upload_case_file(
        &self,
        actor: &Actor,
        name: &str,
        content: &[u8],
    ) -> Result<FileRef> {
        if !matches!(
            actor.role,
            Role::Applicant | Role::Agent | Role::Clerk | Role::DeptHead
        ) {
            return Err(AppError::forbidden());
        }
        let max = self.settings().max_upload_bytes;
        if content.is_empty() {
            return Err(AppError::of(codes::Case::FileEmpty));
        }
        if content.len() > max {
            return Err(AppError::new(
                codes::Case::FileTooLarge,
                format!("文件不能超过 {} MB", max / 1024 / 1024),
            ));
        }
        let (_, content_type, _) = MAGIC
            .iter()
            .find(|(magic, _, _)| content.starts_with(magic))
            .ok_or_else(|| AppError::of(codes::Case::FileType))?;
        let settings = self.settings();
        let used = self.store.uploaded_bytes(actor.user_id).await?;
        if used + content.len() as i64 > settings.upload_quota_bytes {
            return Err(AppError::of(codes::Case::UploadQuota));
        }
        let name: String = name.trim().chars().take(120).collect();
        let size = content.len();
        let hash = self
            .store
            .put_case_file(
                content_type,
                content,
                actor.user_id,
                |hash| {
                    self.entry(
                        actor,
                        "case.file_uploaded",
                        format!("file:{hash}"),
                        format!("上传材料“{name}”（{content_type}，{size} 字节）"),
                    )
                },
                self.now(),
            )
            .await?;
        Ok(FileRef {
            hash,
            name: if name.is_empty() {
                "材料".into()
            } else {
                name
            },
            size: content.len() as u64,
        })
    }

    /// A material of a case, for those who see the case; never by hash alone.
    pub async fn case_file(
        &self,
        actor: &Actor,
        number: &str,
        hash: &str,
    ) -> Result<tongban_store::cases::CaseFile> {
        let view = self.case_view(actor, number).await?;
        let listed = view
            .case
            .materials
            .values()
            .flatten()
            .any(|f| f.hash == hash);
        if !listed {
            return Err(AppError::not_found("该材料"));
        }
        self.store
            .case_file(hash)
            .await?
            .ok_or_else(|| AppError::not_found("该材料"))
    }

    /// Files a new application through the channel the actor's role implies.
    pub async fn submit_case(&self, actor: &Actor, new: NewCase) -> Result<CaseView> {
        let new_fields = request_fields(&new);
        let (summary, version) = self.public_item(&new.item_code).await?;
        let item = version.item;
        let today = tongban_domain::time::local_date(self.case_now());
        let (channel, applicant) = match actor.role {
            Role::Applicant if item.online_depth < 3 => {
                return Err(AppError::of(codes::Case::NotOnline))
            }
            Role::Applicant => (Channel::Online, self.party_of(actor).await?),
            Role::Clerk | Role::DeptHead => (Channel::Window, parse_party(new.applicant, today)?),
            Role::Agent if new.village => (Channel::Village, parse_party(new.applicant, today)?),
            Role::Agent => (Channel::Agent, parse_party(new.applicant, today)?),
            _ => return Err(AppError::forbidden()),
        };
        let intake_hall_id = match channel {
            Channel::Online => None,
            _ => self
                .store
                .user(actor.user_id)
                .await?
                .and_then(|u| u.hall_id),
        };
        if let Some(hall) = new.pickup_hall_id {
            if self.store.hall(hall).await?.is_none() {
                return Err(AppError::of(codes::Case::PickupHall));
            }
        }
        let mut materials = new.materials;
        // 免提交: a licence given by reference must be the applicant's, of the type the
        // material asks for, and in force; it then stands in the materials as a checked reference.
        for (key, files) in materials.iter_mut() {
            for f in files.iter_mut() {
                if let Some(number) = f.hash.strip_prefix(crate::licences::REFERENCE_PREFIX) {
                    let wanted = item
                        .material(key)
                        .and_then(|m| m.licence_type.clone())
                        .ok_or_else(|| {
                            AppError::new(
                                tongban_domain::codes::Licence::NotHeld,
                                "该材料不接受电子证照代替",
                            )
                        })?;
                    *f = self
                        .licence_reference(&applicant.id_code, &wanted, number)
                        .await?;
                }
            }
        }
        // A file is named by its hash; only its uploader may file it. Someone else's hash
        // answers as an unknown one, so the answer does not tell whether a file exists.
        self.check_own_files(actor, materials.values().flatten(), &[])
            .await?;
        // Online, nobody stands at a window to tell the applicant what is missing before it is
        // filed: every required material that is not 容缺 must be there. Checked when the case
        // is written, after its idempotency key: a retry of a filed request answers with that
        // case, and a key reused for another request is a mismatch, whatever it lacks.
        let online_refusal = match channel {
            Channel::Online => tongban_domain::case::intake::ApplicationGaps::of(&item, |k| {
                materials.get(k).is_some_and(|files| !files.is_empty())
            })
            .check_online(|k| {
                item.material(k)
                    .map_or_else(|| k.to_string(), |m| m.name.clone())
            })
            .err(),
            _ => None,
        };
        let key = match &new.idempotency_key {
            Some(k) if k.len() > 100 || k.trim().is_empty() => {
                return Err(AppError::of(codes::Case::IdempotencyKey))
            }
            Some(k) => Some(k.trim().to_string()),
            None => None,
        };
        let request_hash = request_fingerprint(&item.implementation_code.to_string(), &new_fields);
        let now = self.case_now();
        let cal = self.calendar_for(item.region.as_str()).await?;
        let posts = self.post_book(&item).await?;
        let rules = self.settings().case_rules.clone();
        let submission = Submission {
            applicant,
            channel,
            intake_hall_id,
            pickup_hall_id: new.pickup_hall_id,
            delivery: new.delivery,
            materials,
            form: new.form,
        };
        let region = item.region.clone();
        let day = tongban_domain::time::local_date(now);
        let ctx = Ctx {
            item: &item,
            cal: &cal,
            now,
            who: Who::Person(actor),
            posts: &posts,
            rules: &rules,
        };
        let soonest = std::sync::Mutex::new(None);
        let created = self
            .store
            .create_case(
                region.as_str(),
                day,
                key.as_deref().map(|k| Idempotency {
                    actor_id: actor.user_id,
                    key: k,
                    request_hash: &request_hash,
                }),
                now,
                |seq| -> Result<CaseWrite> {
                    if let Some(e) = &online_refusal {
                        return Err(e.clone().into());
                    }
                    let number = CaseNumber::new(&region, day, seq)?;
                    let decided =
                        case::receive(submission, number, summary.id, version.version, &ctx)?;
                    let w = self.write_of(&decided, actor_ref(Some(actor)), &cal, now, now)?;
                    if let Ok(mut s) = soonest.lock() {
                        *s = crate::wake::soonest(&w.watches);
                    }
                    Ok(w)
                },
            )
            .await??;
        if let Some(at) = soonest.into_inner().ok().flatten() {
            self.crossing_written_at(at);
        }
        let created_new = matches!(created, Created::New { .. });
        let number = match created {
            Created::New { number, .. } | Created::Repeat { number } => number,
            Created::Mismatch { .. } => {
                return Err(AppError::of(codes::Request::IdempotencyMismatch))
            }
        };
        let view = self.case_view(actor, &number).await?;
        if created_new {
            self.detect_quietly(view.id, &view.case).await;
        }
        Ok(view)
    }

    /// Runs the detectors after a change. The change has landed; a failure here is logged
    /// for the operators and never undoes or refuses it.
    pub(crate) async fn detect_quietly(&self, case_id: i64, case: &Case) {
        if let Err(e) = self.detect(case_id, case).await {
            tracing::warn!(case = case_id, error = %e, "supervision detectors failed");
        }
    }

    /// Reads a case the actor may see.
    pub async fn case_view(&self, actor: &Actor, number: &str) -> Result<CaseView> {
        let number = CaseNumber::parse(number)?;
        let stored = self
            .store
            .case_by_number(number.as_str())
            .await?
            .ok_or_else(|| AppError::not_found("该办件"))?;
        let view = self.load(stored).await?;
        if !self.sees_case(actor, &view.case) {
            // Someone else's case is as good as absent: no hint that the number exists.
            return Err(AppError::not_found("该办件"));
        }
        Ok(view)
    }

    /// The applicant's full ID number, phone and e-mail, for those whose work needs them: the
    /// staff of a department the case runs through (to check identity and reach the applicant)
    /// and the applicant. Every read by staff is audited (`case.applicant_read`).
    pub async fn case_applicant(&self, actor: &Actor, number: &str) -> Result<Party> {
        let view = self.case_view(actor, number).await?;
        match actor.role {
            Role::Applicant => {}
            Role::Clerk | Role::Approver | Role::DeptHead => {
                self.store
                    .record_event(
                        self.entry(
                            actor,
                            "case.applicant_read",
                            format!("case:{}", view.case.number),
                            "查看申请人完整身份信息".into(),
                        )
                        .in_region(&view.case.item.region),
                    )
                    .await?;
            }
            _ => return Err(AppError::forbidden()),
        }
        Ok(view.case.applicant)
    }

    /// The item version a case runs under, from memory after the first read.
    pub(crate) async fn case_item(&self, id: i64, version: i64) -> Result<Arc<Item>> {
        if let Some(item) = self
            .item_versions
            .read()
            .ok()
            .and_then(|m| m.get(&(id, version)).cloned())
        {
            return Ok(item);
        }
        let item = Arc::new(
            self.store
                .item_version(id, version)
                .await?
                .ok_or_else(|| AppError::internal(format!("item {id} v{version} is missing")))?
                .item,
        );
        if let Ok(mut m) = self.item_versions.write() {
            m.insert((id, version), item.clone());
        }
        Ok(item)
    }

    pub(crate) async fn load(&self, stored: StoredCase) -> Result<CaseView> {
        // A version is never rewritten: its parsed state is kept and cloned, not parsed again.
        let key = (stored.id, stored.version);
        let case: Case = match self.case_states.get(&key) {
            Some(case) => Case::clone(&case),
            None => {
                let case: Case = serde_json::from_str(&stored.state)
                    .map_err(|e| AppError::internal(format!("case {}: {e}", stored.number)))?;
                self.case_states.put(key, Arc::new(case.clone()));
                case
            }
        };
        let item = self.case_item(case.item.id, case.item.version).await?;
        Ok(CaseView {
            id: stored.id,
            version: stored.version,
            case,
            item,
        })
    }

    /// Everything the case page shows, including each deadline explained.
    /// Event payloads are masked here, for every reader (pages, API, exports).
    pub async fn case_detail(&self, actor: &Actor, number: &str) -> Result<CaseDetail> {
        let view = self.case_view(actor, number).await?;
        let mut events = self.store.case_events(view.id).await?;
        for e in &mut events {
            if let Ok(mut payload) = serde_json::from_str::<serde_json::Value>(&e.payload) {
                crate::masking::mask_json(&mut payload);
                e.payload = payload.to_string();
            }
        }
        let documents = self.store.case_documents(view.id).await?;
        let (clocks, next_action) = self.case_clocks(actor, &view).await?;
        Ok(CaseDetail {
            view,
            events,
            documents,
            clocks,
            next_action,
        })
    }

    /// A case's deadlines explained and the actor's next action, for a case already read.
    pub async fn case_clocks(
        &self,
        actor: &Actor,
        view: &CaseView,
    ) -> Result<(Vec<ClockLine>, String)> {
        let cal = self.calendar_for(view.case.item.region.as_str()).await?;
        Ok((
            clock_lines(&view.case, &cal, self.now(), &self.settings().warnings),
            next_action(&view.case, &view.item, actor),
        ))
    }

    /// Runs one command on a case. `expected_version`, when given, must match: a page that
    /// showed an older state cannot act on a newer one.
    pub async fn act_on_case(
        &self,
        actor: &Actor,
        number: &str,
        expected_version: Option<i64>,
        command: Command,
    ) -> Result<CaseView> {
        self.act_on_case_at(actor, number, expected_version, command, None)
            .await
    }

    /// Runs one command that staff record after the fact (补录): `occurred_at` is when it
    /// really happened, kept as the events' business time beside their entry time. It may not
    /// precede anything already on the case nor lie in the future. Supervision watches the gap
    /// (体外循环).
    pub async fn act_on_case_at(
        &self,
        actor: &Actor,
        number: &str,
        expected_version: Option<i64>,
        command: Command,
        occurred_at: Option<DateTime<Utc>>,
    ) -> Result<CaseView> {
        if matches!(command, Command::Tick) {
            return Err(AppError::forbidden());
        }
        let view = self.case_view(actor, number).await?;
        if expected_version.is_some_and(|v| v != view.version) {
            return Err(stale());
        }
        if let Some(at) = occurred_at {
            if !actor.role.is_departmental() {
                return Err(AppError::forbidden());
            }
            let last = self
                .store
                .case_events(view.id)
                .await?
                .iter()
                .map(|e| e.at)
                .max()
                .unwrap_or(0);
            if at > self.now() || at.timestamp_millis() < last {
                return Err(AppError::of(codes::Case::OccurredAt));
            }
        }
        let command = self.checked_command(actor, &view, command).await?;
        let decided = self
            .run_command(&view, Who::Person(actor), command, occurred_at)
            .await?;
        // The case as written, without reading it back; a change that moved it out of the
        // actor's sight (a reassignment) answers as a read would.
        if !self.sees_case(actor, &decided.case) {
            return Err(AppError::not_found("该办件"));
        }
        Ok(CaseView {
            id: view.id,
            version: view.version + i64::from(!decided.events.is_empty()),
            case: decided.case,
            item: view.item,
        })
    }

    /// Checks what the engine cannot know: that a reassignment goes to a real member of staff.
    /// Refuses any file not uploaded by `actor` (and not already on the case, `listed`), with
    /// the answer an unknown hash gets. Licence references are checked elsewhere.
    pub(crate) async fn check_own_files<'a>(
        &self,
        actor: &Actor,
        files: impl Iterator<Item = &'a FileRef>,
        listed: &[&str],
    ) -> Result<()> {
        for f in files {
            if f.hash.starts_with(crate::licences::REFERENCE_PREFIX)
                || listed.contains(&f.hash.as_str())
            {
                continue;
            }
            // Kept before the case names it, so the orphan sweep never takes a file a case
            // is about to hold; gone meanwhile, it is missing like any other.
            if !self.store.uploaded_by(&f.hash, actor.user_id).await?
                || !self.store.keep_upload(&f.hash).await?
            {
                return Err(AppError::new(
                    codes::Case::FileMissing,
                    format!("材料文件“{}”未上传成功，请重新上传", f.name),
                ));
            }
        }
        Ok(())
    }

    /// Removes the uploads no filing or supplement took up within `upload.orphan_days` of
    /// their last upload (their bytes and their uploaders' rows, which frees the quota), each
    /// with an audit record (`upload.orphan_removed`). Run by the server's sweeper.
    pub async fn remove_orphan_uploads(&self) -> Result<usize> {
        let days = self.settings().upload_orphan_days;
        let cutoff = self.now() - chrono::Duration::days(days);
        Ok(self
            .store
            .remove_orphan_uploads(cutoff, 500, |hash, size| {
                self.system_entry(
                    "upload.orphan_removed",
                    format!("file:{hash}"),
                    format!("上传 {days} 日内无办件引用，已删除（{size} 字节）"),
                )
            })
            .await?)
    }

    async fn checked_command(
        &self,
        actor: &Actor,
        view: &CaseView,
        command: Command,
    ) -> Result<Command> {
        match command {
            Command::AddMaterials { materials } => {
                let listed: Vec<&str> = view
                    .case
                    .materials
                    .values()
                    .flatten()
                    .map(|f| f.hash.as_str())
                    .collect();
                self.check_own_files(actor, materials.values().flatten(), &listed)
                    .await?;
                Ok(Command::AddMaterials { materials })
            }
            Command::Reassign {
                step, to, reason, ..
            } => {
                let user = self
                    .store
                    .user(to.user_id)
                    .await?
                    .filter(|u| u.role.is_departmental())
                    .ok_or_else(|| AppError::of(codes::Case::ReassignTo))?;
                let _ = view;
                Ok(Command::Reassign {
                    step,
                    to: StaffRef {
                        user_id: user.id,
                        name: user.name,
                    },
                    to_department: user.department_id,
                    reason,
                })
            }
            Command::HandOver { to } => {
                let user = self
                    .store
                    .user(to.user_id)
                    .await?
                    .filter(|u| u.role.is_departmental())
                    .ok_or_else(|| AppError::of(codes::Case::HandoverTo))?;
                Ok(Command::HandOver {
                    to: StaffRef {
                        user_id: user.id,
                        name: user.name,
                    },
                })
            }
            other => Ok(other),
        }
    }

    /// What `actor` may do to the case now, by the engine's own guards: the forms a page
    /// offers, never one the engine would refuse for who is acting.
    pub async fn case_offers(&self, actor: &Actor, view: &CaseView) -> Result<Vec<Offer>> {
        let cal = self.calendar_for(view.case.item.region.as_str()).await?;
        let posts = self.post_book(&view.item).await?;
        let rules = self.settings().case_rules.clone();
        let ctx = Ctx {
            item: &view.item,
            cal: &cal,
            now: self.case_now(),
            who: Who::Person(actor),
            posts: &posts,
            rules: &rules,
        };
        Ok(case::offers(&view.case, &ctx))
    }

    async fn run_command(
        &self,
        view: &CaseView,
        who: Who<'_>,
        command: Command,
        occurred_at: Option<DateTime<Utc>>,
    ) -> Result<Decided> {
        let now = self.case_now();
        // The engine judges the command at the instant it happened.
        let at = occurred_at
            .and_then(|t| DateTime::from_timestamp_millis(t.timestamp_millis()))
            .unwrap_or(now);
        let cal = self.calendar_for(view.case.item.region.as_str()).await?;
        let posts = self.post_book(&view.item).await?;
        let rules = self.settings().case_rules.clone();
        let ctx = Ctx {
            item: &view.item,
            cal: &cal,
            now: at,
            who,
            posts: &posts,
            rules: &rules,
        };
        let decided = case::handle(&view.case, command, &ctx)?;
        let actor = match who {
            Who::Person(a) => Some(a),
            Who::System => None,
        };
        let write = self.write_of(&decided, actor_ref(actor), &cal, at, now)?;
        if decided.events.is_empty() {
            // Nothing happened (a sweep that found nothing due): only the timer moves.
            self.store
                .set_case_timer(view.id, view.version, write.projection.next_timer_at)
                .await
                .map_err(map_stale)?;
            return Ok(decided);
        }
        self.store
            .update_case(view.id, view.version, &write, now)
            .await
            .map_err(map_stale)?;
        self.crossings_written(&write.watches);
        self.detect_quietly(view.id, &decided.case).await;
        // The licence (the result) is issued once the permit is decided and its fees are
        // settled, whichever comes last; the decision notice itself is served at once.
        if decided.events.iter().any(|e| {
            matches!(
                e,
                CaseEvent::Decided { .. }
                    | CaseEvent::FeePaid { .. }
                    | CaseEvent::WaiverDecided { approved: true, .. }
            )
        }) {
            self.register_licence_quietly(view.id, &decided.case, &view.item)
                .await;
        }
        if decided
            .events
            .iter()
            .any(|e| matches!(e, CaseEvent::Delivered { .. }))
        {
            self.stamp_delivery_quietly(view.id, &decided.case).await;
        }
        Ok(decided)
    }

    /// The clock's work: every case whose next timer has passed gets a tick (acceptance by
    /// law, deemed approvals, 容缺 deadlines). Returns how many cases changed.
    pub async fn sweep_cases(&self) -> Result<usize> {
        // Deadlines re-timed on a changed calendar first, so the ticks below see their timers.
        if let Err(e) = self.run_retime().await {
            tracing::warn!(error = %e, "re-timing after a calendar change failed");
        }
        let mut changed = self.escalate_orders().await?;
        // A case that cannot be ticked (say, its deadline runs into a year not loaded) keeps its
        // timer; each sweep tries it once, so such cases cannot hold the sweep in a loop.
        let mut tried = std::collections::HashSet::new();
        loop {
            let ids = self.store.due_case_timers(self.now(), 200).await?;
            let batch = ids.len();
            let fresh: Vec<i64> = ids.into_iter().filter(|id| tried.insert(*id)).collect();
            if fresh.is_empty() {
                break;
            }
            for id in fresh {
                for _attempt in 0..3 {
                    let Some(stored) = self.store.case_by_id(id).await? else {
                        break;
                    };
                    let view = self.load(stored).await?;
                    match self
                        .run_command(&view, Who::System, Command::Tick, None)
                        .await
                    {
                        Ok(d) => {
                            changed += usize::from(!d.events.is_empty());
                            break;
                        }
                        // Someone acted on the case meanwhile: read it again.
                        Err(e) if e.code == codes::Case::Stale => continue,
                        Err(e) => {
                            tracing::warn!(case = id, error = %e, "sweep could not tick a case");
                            break;
                        }
                    }
                }
            }
            if batch < 200 {
                break;
            }
        }
        // 12345 tickets whose call-back window passed close by timeout (the same sweep).
        match self.close_unvisited_tickets().await {
            Ok(n) if n > 0 => tracing::info!(tickets = n, "closed unvisited 12345 tickets"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "closing unvisited 12345 tickets failed"),
        }
        // Decided cases nobody rated in time count as 基本满意 (the same sweep).
        match self.default_ratings().await {
            Ok(n) if n > 0 => tracing::info!(ratings = n, "default ratings written"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "writing default ratings failed"),
        }
        // Ticks may have opened deadlines already due; the warnings sweep comes after them.
        self.sweep_warnings().await?;
        Ok(changed)
    }

    /// The posts of every department the item's steps run in.
    pub async fn post_book(&self, item: &Item) -> Result<PostBook> {
        let mut depts: Vec<i64> = item
            .steps
            .iter()
            .map(|s| s.department_id.unwrap_or(item.department_id))
            .collect();
        depts.sort_unstable();
        depts.dedup();
        let posts = self
            .store
            .posts_of(&depts)
            .await?
            .into_iter()
            .map(|p| Post {
                department_id: p.department_id,
                name: p.name,
                holder: StaffRef {
                    user_id: p.holder_id,
                    name: p.holder_name,
                },
                substitute: p.substitute_id.map(|id| StaffRef {
                    user_id: id,
                    name: p.substitute_name.unwrap_or_default(),
                }),
                holder_away: p.holder_away,
            })
            .collect();
        Ok(PostBook(posts))
    }

    /// The applicant's own party record from their account.
    pub(crate) async fn party_of(&self, actor: &Actor) -> Result<Party> {
        let user = self
            .store
            .user(actor.user_id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        let (kind, id_code) = match (&user.uscc, &user.id_number) {
            (Some(code), _) => (PartyKind::Company, code.clone()),
            (None, Some(id)) => (PartyKind::Person, id.clone()),
            (None, None) => return Err(AppError::of(codes::Case::ApplicantIdentity)),
        };
        Ok(Party {
            kind,
            name: user.name,
            id_code,
            phone: user.phone.unwrap_or_default(),
            email: user.email,
            user_id: Some(user.id),
        })
    }

    /// Builds the rows a decided command writes.
    /// `at` is when the command happened (its business time), `now` when it is written.
    pub(crate) fn write_of(
        &self,
        decided: &Decided,
        by: Option<(StaffRef, Role)>,
        cal: &Calendar,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<CaseWrite> {
        let c = &decided.case;
        let projection = project(c, cal, now);
        let open_steps = c
            .open_steps()
            .iter()
            .map(|s| StepRow {
                step: s.key.clone(),
                name: s.name.clone(),
                department_id: s.department_id,
                post: s.post.clone(),
                assignee_id: s.assignee.as_ref().map(|a| a.user_id),
                opened_at: s.opened_at.unwrap_or(now),
                due_at: step_due(s, cal, now),
            })
            .collect();
        let (actor_id, actor_name, role) = match &by {
            Some((s, r)) => (Some(s.user_id), s.name.clone(), r.as_str().to_string()),
            None => (None, "系统".to_string(), "system".to_string()),
        };
        let mut events = Vec::with_capacity(decided.events.len());
        let mut negative = Vec::new();
        let mut notifications = Vec::new();
        for e in &decided.events {
            let payload = serde_json::to_string(e).map_err(AppError::internal)?;
            let post = match e {
                CaseEvent::StepDecided { step, .. } | CaseEvent::StepReassigned { step, .. } => {
                    c.step(step).map(|s| s.post.clone())
                }
                CaseEvent::StepReturned { from, .. } => c.step(from).map(|s| s.post.clone()),
                _ => None,
            };
            events.push(EventRow {
                kind: e.kind().to_string(),
                payload,
                actor_id,
                actor_name: actor_name.clone(),
                role: role.clone(),
                post,
                hall_id: c.intake_hall_id,
                at,
                recorded_at: now,
            });
            if let CaseEvent::NegativeFiled { what, reason } = e {
                negative.push(NegativeRow {
                    what: what.clone(),
                    reason: reason.clone(),
                    actor_id,
                    actor_name: actor_name.clone(),
                    at,
                });
            }
            if let Some(text) = milestone(e) {
                notifications.extend(notify_applicant(c, text));
            }
        }
        let documents = decided
            .documents
            .iter()
            .map(document_row)
            .collect::<Result<Vec<_>>>()?;
        let summary = decided
            .events
            .iter()
            .map(CaseEvent::summary)
            .collect::<Vec<_>>()
            .join("；");
        // The audit record carries the hash of the events, so the log cannot be edited unseen.
        let events_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            events
                .iter()
                .map(|e| e.payload.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ));
        let action = decided.events.first().map_or("case.tick", |e| e.kind());
        let audit = tongban_domain::audit::AuditEntry {
            at: now,
            actor: by.as_ref().map_or("system".into(), |(s, _)| {
                format!("{}#{}", s.name, s.user_id)
            }),
            role,
            action: format!("case.{action}"),
            target: format!("case:{}", c.number),
            summary: format!("{summary}（事件摘要 {}）", &events_hash[..16]),
            region: Some(c.item.region.clone()),
        };
        Ok(CaseWrite {
            projection,
            state: serde_json::to_string(c).map_err(AppError::internal)?,
            events,
            documents,
            open_steps,
            negative,
            notifications,
            watches: tongban_domain::supervision::watches(
                c,
                cal,
                now,
                &self.settings().warnings_for(c.item.region.as_str()),
            ),
            audit,
        })
    }

    /// An applicant's own cases (an agent's filings).
    pub async fn my_cases(&self, actor: &Actor) -> Result<Vec<CaseLine>> {
        if !matches!(actor.role, Role::Applicant | Role::Agent) {
            return Err(AppError::forbidden());
        }
        Ok(self.store.cases_of_applicant(actor.user_id, 200).await?)
    }

    /// A window's queue: applications to check, supplements awaited, results to hand out.
    pub async fn window_queue(&self, actor: &Actor) -> Result<Vec<CaseLine>> {
        let dept = match (actor.role, actor.department_id) {
            (Role::Clerk | Role::DeptHead, Some(d)) => d,
            _ => return Err(AppError::forbidden()),
        };
        Ok(self
            .store
            .department_cases(dept, &["received", "awaiting_supplement", "decided"], 200)
            .await?)
    }

    /// Open steps of the actor (or, for a head, of the department), soonest due first.
    pub async fn my_steps(&self, actor: &Actor) -> Result<Vec<StepLine>> {
        match (actor.role, actor.department_id) {
            (Role::DeptHead, Some(d)) => Ok(self.store.steps_of_department(d, 200).await?),
            (Role::Approver | Role::Clerk, Some(_)) => {
                Ok(self.store.steps_of_assignee(actor.user_id, 200).await?)
            }
            _ => Err(AppError::forbidden()),
        }
    }

    /// Extensions and waivers waiting for a department head.
    pub async fn head_queue(&self, actor: &Actor) -> Result<Vec<CaseLine>> {
        match (actor.role, actor.department_id) {
            (Role::DeptHead, Some(d)) => Ok(self.store.head_queue(d, 200).await?),
            _ => Err(AppError::forbidden()),
        }
    }

    /// 否定报备 in the supervisor's (or legal reviewer's) region.
    pub async fn negative_filings(&self, actor: &Actor) -> Result<Vec<NegativeFiling>> {
        if !matches!(
            actor.role,
            Role::Supervisor | Role::Legal | Role::Leader | Role::Admin
        ) {
            return Err(AppError::forbidden());
        }
        let prefix = actor
            .region
            .as_ref()
            .map_or(String::new(), |r| r.prefix().to_string());
        Ok(self.store.negative_filings(&prefix, 200).await?)
    }

    /// The public lookup: a case number and the last four digits of the applicant's phone or
    /// ID number. A wrong pair and an unknown number answer the same.
    pub async fn public_case_status(
        &self,
        number: &str,
        tail4: &str,
        client: &str,
    ) -> Result<PublicStatus> {
        // Four digits can be guessed: an address that misses too often waits, as at sign-in.
        let key = format!("track:{client}");
        let limit = self.settings().ip_attempts_per_15min;
        let now = self.now();
        if let Ok(mut map) = self.attempts.lock() {
            map.retain(|_, (start, _)| now - *start < chrono::Duration::minutes(15));
            if map.get(&key).is_some_and(|(_, n)| *n >= limit) {
                return Err(AppError::of(codes::Case::LookupThrottled));
            }
        }
        let found = self.lookup_status(number, tail4).await;
        if found
            .as_ref()
            .is_err_and(|e| e.kind == crate::Kind::NotFound)
        {
            if let Ok(mut map) = self.attempts.lock() {
                map.entry(key).or_insert((now, 0)).1 += 1;
            }
        }
        found
    }

    async fn lookup_status(&self, number: &str, tail4: &str) -> Result<PublicStatus> {
        let not_found = || AppError::not_found("该办件（请核对办件编号和手机号或证件号后四位）");
        let number = CaseNumber::parse(number).map_err(|_| not_found())?;
        let tail4 = tail4.trim().to_ascii_uppercase();
        if tail4.chars().count() != 4 {
            return Err(AppError::of(codes::Case::LookupTail));
        }
        // One indexed read of two integers; what they name never changes, so the rest comes
        // from memory while the case stands still.
        let (id, version) = self
            .store
            .case_head(number.as_str())
            .await?
            .ok_or_else(not_found)?;
        let public = match self.public_cases.get(&(id, version)) {
            Some(p) => p,
            None => self.public_case(id).await?.ok_or_else(not_found)?,
        };
        if public.phone_tail != tail4 && public.id_tail != tail4 {
            return Err(not_found());
        }
        let due_at = match &public.clock {
            Some(k) => {
                let cal = self.calendar_for(&public.region).await?;
                k.status(&cal, self.now()).ok().map(|s| s.due_at)
            }
            None => None,
        };
        Ok(PublicStatus {
            number: number.to_string(),
            item_name: public.item_name.clone(),
            status: public.status.clone(),
            received_at: public.received_at,
            due_at,
            next_action: public.next_action.clone(),
            timeline: public.timeline.clone(),
        })
    }

    /// What the public lookup shows of a case, read and kept under the version read.
    async fn public_case(&self, id: i64) -> Result<Option<Arc<PublicCase>>> {
        let Some(stored) = self.store.case_by_id(id).await? else {
            return Ok(None);
        };
        let view = self.load(stored).await?;
        let c = &view.case;
        // Read after the state: a write in between can only make the timeline newer than the
        // version it is kept under, and the next lookup reads that newer version anyway.
        let events = self.store.case_events(view.id).await?;
        let timeline = events
            .iter()
            .filter_map(|e| {
                let ev: CaseEvent = serde_json::from_str(&e.payload).ok()?;
                let at = DateTime::from_timestamp_millis(e.at)?;
                public_line(&ev).then(|| (at, ev.summary()))
            })
            .collect();
        let public = Arc::new(PublicCase {
            item_name: c.item.name.clone(),
            status: c.status.label().to_string(),
            received_at: c.received_at,
            clock: c.clock.clone(),
            region: c.item.region.as_str().to_string(),
            next_action: applicant_next_action(c, &view.item),
            timeline,
            phone_tail: tail(&c.applicant.phone, 4),
            id_tail: tail(&c.applicant.id_code, 4).to_ascii_uppercase(),
        });
        self.public_cases
            .put((view.id, view.version), public.clone());
        Ok(Some(public))
    }

    /// The public verify page of a result document, by its number (the QR code carries it).
    ///
    /// The number alone is guessable (准/不 and the case number), so the check also needs the
    /// document's random verification code, printed beside its QR code and carried in it. A
    /// wrong pair and an unknown number answer the same; an address that misses
    /// `login.ip_attempts_per_15min` times in 15 minutes must wait, as at `/track`.
    pub async fn verify_document(
        &self,
        number: &str,
        code: &str,
        client: &str,
    ) -> Result<VerifiedDocument> {
        let not_found = || AppError::not_found("该文书（请核对文书编号和核验码）");
        let key = format!("verify:{client}");
        let limit = self.settings().ip_attempts_per_15min;
        let now = self.now();
        if let Ok(mut map) = self.attempts.lock() {
            map.retain(|_, (start, _)| now - *start < chrono::Duration::minutes(15));
            if map.get(&key).is_some_and(|(_, n)| *n >= limit) {
                return Err(AppError::of(codes::Case::LookupThrottled));
            }
        }
        let miss = || {
            if let Ok(mut map) = self.attempts.lock() {
                map.entry(key.clone()).or_insert((now, 0)).1 += 1;
            }
            not_found()
        };
        let number = number.trim();
        let code = code.trim().to_ascii_uppercase();
        if number.is_empty() || number.chars().count() > 64 || code.is_empty() {
            return Err(miss());
        }
        let row = match self.store.case_document(number).await? {
            Some(row) if !row.verify_code.is_empty() && row.verify_code == code => row,
            _ => return Err(miss()),
        };
        let kind = case::document::DocKind::parse(case_kind(&row.kind)).ok_or_else(not_found)?;
        if !kind.is_result() {
            return Err(not_found());
        }
        let stored = self
            .store
            .case_by_id(row.case_id)
            .await?
            .ok_or_else(not_found)?;
        let view = self.load(stored).await?;
        let paragraphs: Vec<String> =
            serde_json::from_str(&row.body).map_err(AppError::internal)?;
        let issued_at = DateTime::from_timestamp_millis(row.issued_at).ok_or_else(not_found)?;
        let recomputed = Document {
            number: row.number.clone(),
            kind,
            title: row.title.clone(),
            paragraphs,
            department_id: row.department_id,
            issued_at,
        }
        .content_hash();
        Ok(VerifiedDocument {
            number: row.number,
            title: row.title,
            case_number: view.case.number.to_string(),
            item_name: view.case.item.name.clone(),
            applicant: tongban_domain::mask::name(&view.case.applicant.name),
            department_id: row.department_id,
            issued_at,
            intact: recomputed == row.hash,
            hash: row.hash,
            outcome: match kind {
                case::document::DocKind::Approval => "准予".into(),
                _ => "不予".into(),
            },
        })
    }

    /// A document of a case, for those who see the case.
    pub async fn case_document(
        &self,
        actor: &Actor,
        doc_number: &str,
    ) -> Result<(DocumentRow, Vec<String>, CaseView)> {
        let row = self
            .store
            .case_document(doc_number.trim())
            .await?
            .ok_or_else(|| AppError::not_found("该文书"))?;
        let stored = self
            .store
            .case_by_id(row.case_id)
            .await?
            .ok_or_else(|| AppError::not_found("该文书"))?;
        let view = self.load(stored).await?;
        if !self.sees_case(actor, &view.case) {
            return Err(AppError::not_found("该文书"));
        }
        let paragraphs: Vec<String> =
            serde_json::from_str(&row.body).map_err(AppError::internal)?;
        Ok((row, paragraphs, view))
    }

    /// Staff of a department, for transfers and hand-overs.
    pub async fn department_staff(
        &self,
        actor: &Actor,
        department_id: i64,
    ) -> Result<Vec<StaffRef>> {
        // Staff lists stay within one's own department: transfers never leave it.
        if !actor.role.is_departmental() || actor.department_id != Some(department_id) {
            return Err(AppError::forbidden());
        }
        let users = self
            .store
            .users(&tongban_store::users::UserFilter {
                department_id: Some(department_id),
                ..Default::default()
            })
            .await?;
        Ok(users
            .into_iter()
            .filter(|u| u.role.is_departmental())
            .map(|u| StaffRef {
                user_id: u.id,
                name: u.name,
            })
            .collect())
    }
}

fn map_stale(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(c) if c == codes::Case::Stale => stale(),
        other => other.into(),
    }
}

pub(crate) fn actor_ref(actor: Option<&Actor>) -> Option<(StaffRef, Role)> {
    actor.map(|a| {
        (
            StaffRef {
                user_id: a.user_id,
                name: a.name.clone(),
            },
            a.role,
        )
    })
}

/// Parses an applicant typed in by staff: the ID number or credit code must be valid.
pub(crate) fn parse_party(
    input: Option<ApplicantInput>,
    today: chrono::NaiveDate,
) -> Result<Party> {
    let a = input.ok_or_else(|| AppError::of(codes::Case::ApplicantRequired))?;
    let name = tongban_domain::account::PersonName::parse(&a.name).map_err(invalid)?;
    let id_code = match a.kind {
        PartyKind::Person => IdNumber::parse_on(&a.id_code, today)
            .map_err(invalid)?
            .as_str()
            .to_string(),
        PartyKind::Company => Uscc::parse(&a.id_code)
            .map_err(invalid)?
            .as_str()
            .to_string(),
    };
    let phone = tongban_domain::account::Phone::parse(&a.phone).map_err(invalid)?;
    let email = match a.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => Some(
            tongban_domain::account::Email::parse(e)
                .map_err(invalid)?
                .as_str()
                .to_string(),
        ),
        _ => None,
    };
    Ok(Party {
        kind: a.kind,
        name: name.as_str().to_string(),
        id_code,
        phone: phone.as_str().to_string(),
        email,
        user_id: None,
    })
}

/// The query columns of a case.
pub(crate) fn project(c: &Case, cal: &Calendar, now: DateTime<Utc>) -> CaseProjection {
    let due_at = c
        .clock
        .as_ref()
        .and_then(|k| k.status(cal, now).ok())
        .map(|s| s.due_at);
    CaseProjection {
        number: c.number.to_string(),
        item_id: c.item.id,
        item_version: c.item.version,
        basic_code: c.item.basic_code.clone(),
        item_name: c.item.name.clone(),
        department_id: c.item.department_id,
        region: c.item.region.to_string(),
        applicant_user_id: c.applicant.user_id,
        applicant_name: c.applicant.name.clone(),
        applicant_id_code: c.applicant.id_code.clone(),
        phone_tail: tail(&c.applicant.phone, 4),
        id_tail: tail(&c.applicant.id_code, 4),
        agent_id: c.agent.as_ref().map(|a| a.user_id),
        intake_hall_id: c.intake_hall_id,
        pickup_hall_id: c.pickup_hall_id,
        channel: serde_plain(&c.channel),
        status: c.status.as_str().to_string(),
        first_responder_id: c.first_responder.as_ref().map(|s| s.user_id),
        awaiting_head: c.extension_request.is_some() || c.fees.waiver_requested.is_some(),
        received_at: c.received_at,
        accepted_at: c.accepted.as_ref().map(|a| a.at),
        decided_at: c.decision.as_ref().map(|d| d.at),
        closed_at: c.delivered.as_ref().map(|d| d.at),
        due_at,
        next_timer_at: case::next_timer(c, cal, now),
    }
}

fn serde_plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A case document's own kind from the register's `case.…`.
pub fn case_kind(kind: &str) -> &str {
    kind.strip_prefix("case.").unwrap_or(kind)
}

fn document_row(d: &Document) -> Result<DocumentRow> {
    Ok(DocumentRow {
        number: d.number.clone(),
        case_id: 0,
        kind: format!("case.{}", d.kind.as_str()),
        title: d.title.clone(),
        body: serde_json::to_string(&d.paragraphs).map_err(AppError::internal)?,
        department_id: d.department_id,
        hash: d.content_hash(),
        issued_at: d.issued_at.timestamp_millis(),
        verify_code: crate::documents::new_verify_code(),
    })
}

/// Events the applicant is told about, and how.
fn milestone(e: &CaseEvent) -> Option<String> {
    match e {
        CaseEvent::Received { .. }
        | CaseEvent::SupplementNoticed { .. }
        | CaseEvent::Accepted { .. }
        | CaseEvent::NotAccepted { .. }
        | CaseEvent::SpecialStarted { .. }
        | CaseEvent::SpecialEnded { .. }
        | CaseEvent::ExtensionDecided { approved: true, .. }
        | CaseEvent::DeferredOverdue { .. }
        | CaseEvent::Decided { .. }
        | CaseEvent::Delivered { .. }
        | CaseEvent::Withdrawn { .. } => Some(e.summary()),
        _ => None,
    }
}

fn notify_applicant(c: &Case, what: String) -> Vec<NotificationRow> {
    let subject = format!("办件 {} 进度：{what}", c.number);
    let body = format!(
        "【通办】您申请的“{}”（办件编号 {}）：{what}。请登录通办或凭办件编号查询详情。",
        c.item.name, c.number
    );
    let mut out = Vec::new();
    if !c.applicant.phone.is_empty() {
        out.push(NotificationRow {
            channel: "sms".into(),
            recipient: c.applicant.phone.clone(),
            subject: subject.clone(),
            body: body.clone(),
        });
    }
    if let Some(email) = &c.applicant.email {
        out.push(NotificationRow {
            channel: "email".into(),
            recipient: email.clone(),
            subject,
            body,
        });
    }
    out
}

/// Lines of the timeline the public may see (no internal reassignments or opinions).
fn public_line(e: &CaseEvent) -> bool {
    !matches!(
        e,
        CaseEvent::StepReassigned { .. }
            | CaseEvent::FirstResponder { .. }
            | CaseEvent::NegativeFiled { .. }
            | CaseEvent::StepsOpened { .. }
    )
}

/// Each deadline of the case, explained day by day.
pub fn clock_lines(
    c: &Case,
    cal: &Calendar,
    now: DateTime<Utc>,
    rules: &tongban_domain::supervision::WarningRules,
) -> Vec<ClockLine> {
    tongban_domain::supervision::deadlines(c)
        .into_iter()
        .filter_map(|d| {
            let clock = d.clock?;
            let label = d.label();
            Some(match clock.status(cal, now) {
                Ok(s) => {
                    let explanation = clock
                        .explain(cal, now)
                        .map(|e| e.lines().iter().map(|l| l.text.clone()).collect())
                        .unwrap_or_default();
                    ClockLine {
                        label,
                        due_at: Some(s.due_at),
                        problem: None,
                        light: tongban_domain::supervision::light(&s, now, rules),
                        remaining_days: s.remaining_days,
                        overdue: s.overdue,
                        suspended: s.suspended,
                        explanation,
                        provisional: cal
                            .is_provisional(s.due_date)
                            .then(|| PROVISIONAL_NOTE.to_string()),
                    }
                }
                // A deadline that cannot be computed (a year not loaded) is shown as such,
                // never dropped: the administrator must load the year.
                Err(e) => ClockLine {
                    label,
                    due_at: None,
                    problem: Some(e.to_string()),
                    light: tongban_domain::supervision::Light::Green,
                    remaining_days: 0,
                    overdue: false,
                    suspended: clock.is_suspended(now),
                    explanation: vec![],
                    provisional: None,
                },
            })
        })
        .collect()
}

/// What the applicant must do next, in one sentence.
pub fn applicant_next_action(c: &Case, item: &Item) -> String {
    let name = |k: &str| {
        item.material(k)
            .map_or_else(|| k.to_string(), |m| m.name.clone())
    };
    match c.status {
        CaseStatus::Received => "材料已收到，等待窗口审查受理，无需操作。".into(),
        CaseStatus::AwaitingSupplement => {
            let items: Vec<String> = c
                .notices
                .last()
                .map(|n| {
                    n.items
                        .iter()
                        .map(|(k, why)| format!("{}：{why}", name(k)))
                        .collect()
                })
                .unwrap_or_default();
            format!("请按补正材料通知书补交：{}。", items.join("；"))
        }
        CaseStatus::InProgress if !c.deferred.is_empty() => format!(
            "请在 {} 前补交容缺材料：{}。",
            c.deferred_due
                .map(|d| d.format("%Y年%m月%d日").to_string())
                .unwrap_or_default(),
            c.deferred
                .iter()
                .map(|k| name(k))
                .collect::<Vec<_>>()
                .join("、")
        ),
        CaseStatus::InProgress => "正在审查办理，无需操作。".into(),
        CaseStatus::Suspended if c.deferred_overdue => {
            format!(
                "容缺材料逾期未补交，办理已中止，请尽快补交：{}。",
                c.deferred
                    .iter()
                    .map(|k| name(k))
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
        CaseStatus::Suspended => match &c.special {
            Some(s) => format!(
                "正在进行特殊程序（{}），预计 {} 结束，期间不计入办理时限。",
                s.kind.label(),
                s.expected_end.format("%Y年%m月%d日")
            ),
            None => "办理已中止计时。".into(),
        },
        CaseStatus::Decided if !c.fees.settled() => format!(
            "已作出决定，请到窗口缴纳费用 {} 后领取结果。",
            tongban_domain::catalog::yuan(c.fees.total_fen())
        ),
        CaseStatus::Decided => format!(
            "已作出决定，请按选择的方式领取结果（{}）。",
            c.delivery.label()
        ),
        CaseStatus::Closed => "已办结。欢迎对本次服务作出评价。".into(),
        CaseStatus::NotAccepted => {
            "申请不予受理，理由见不予受理决定书；如有异议可依法申请复议或诉讼。".into()
        }
        CaseStatus::Withdrawn => "申请已撤回。".into(),
    }
}

/// What the person looking at the case should do next.
pub fn next_action(c: &Case, item: &Item, actor: &Actor) -> String {
    match actor.role {
        Role::Applicant | Role::Agent => applicant_next_action(c, item),
        _ => match c.status {
            CaseStatus::Received => {
                "核对材料：齐全则受理，不齐全则一次性告知补正，不符合则不予受理（须写明理由）。"
                    .into()
            }
            CaseStatus::AwaitingSupplement => "等待申请人补正材料。".into(),
            CaseStatus::InProgress | CaseStatus::Suspended => {
                let open: Vec<String> = c
                    .open_steps()
                    .iter()
                    .map(|s| {
                        format!(
                            "{}（{}）",
                            s.name,
                            s.assignee.as_ref().map_or("未分配", |a| a.name.as_str())
                        )
                    })
                    .collect();
                let mut line = format!("当前环节：{}。", open.join("、"));
                if c.extension_request.is_some() {
                    line.push_str("有延期申请待部门负责人审批。");
                }
                line
            }
            CaseStatus::Decided if !c.fees.settled() => {
                "待缴费：在窗口录入缴款凭证后方可发放结果。".into()
            }
            CaseStatus::Decided => "送达结果并办结。".into(),
            CaseStatus::Closed => "已办结。".into(),
            CaseStatus::NotAccepted => "已不予受理并报备电子监察。".into(),
            CaseStatus::Withdrawn => "申请人已撤回。".into(),
        },
    }
}
