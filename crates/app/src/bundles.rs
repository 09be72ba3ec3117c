//! 一件事一次办 (国发〔2024〕3号): bundles of catalog items applied for once.
//!
//! A bundle is drafted by the centre (an administrator: it spans departments) and passes the
//! same three reviews as an item, by the same roles, with the same states; only then is it
//! public. Its guide, form and materials are made from its members' versions in force. Filing it
//! files one case per member through the case engine (`case::receive`), each under its own item,
//! workflow and statutory clock, in one transaction with the filing that links them.

use std::collections::BTreeMap;

use serde::Serialize;
use tongban_domain::bundle::{self, Bundle, BundleIssue, Guide, Progress};
use tongban_domain::case::{self, CaseNumber, CaseStatus, Channel, Ctx, FileRef, Submission, Who};
use tongban_domain::catalog::{self, Delivery, Item, ItemAction, ItemStatus};
use tongban_domain::codes;
use tongban_domain::org::{Actor, Role};
use tongban_store::bundles::{
    BundleCaseNew, BundleCaseRow, BundleCreated, BundleEvent, BundleSummary, BundleVersion,
    BundleWrite,
};
use tongban_store::cases::Idempotency;
use tongban_store::catalog::ItemSummary;

use crate::cases::ApplicantInput;
use crate::catalog::item_event_of;
use crate::error::{AppError, Detail, Result};
use crate::App;

fn broken(issues: Vec<BundleIssue>) -> AppError {
    let first = issues
        .first()
        .map(|i| i.message.clone())
        .unwrap_or_default();
    AppError::new(
        codes::Bundle::Invalid,
        format!("一件事有{}处不符合要求，首先：{first}", issues.len()),
    )
    .with_details(
        issues
            .into_iter()
            .map(|i| Detail {
                field: i.field,
                code: i.code.code(),
                message: i.message,
            })
            .collect(),
    )
}

/// A bundle with its versions and history, for the catalog's staff.
#[derive(Debug, Clone)]
pub struct BundleDetail {
    pub summary: BundleSummary,
    pub versions: Vec<BundleVersion>,
    pub events: Vec<BundleEvent>,
}

impl BundleDetail {
    /// The version being drafted or reviewed, if any.
    pub fn open(&self) -> Option<&BundleVersion> {
        self.versions.iter().find(|v| {
            matches!(
                v.status,
                ItemStatus::Draft
                    | ItemStatus::FirstReview
                    | ItemStatus::SecondReview
                    | ItemStatus::FinalReview
            )
        })
    }
}

/// A member of a published bundle: its summary, version in force and department.
#[derive(Debug, Clone)]
pub struct Member {
    pub summary: ItemSummary,
    pub version: i64,
    pub item: Item,
    pub department: String,
}

/// A published bundle as the public reads it: its version in force, members and one guide.
#[derive(Debug, Clone)]
pub struct PublicBundle {
    pub summary: BundleSummary,
    pub version: BundleVersion,
    pub members: Vec<Member>,
    pub guide: Guide,
}

/// A filing of a bundle from any channel. Materials are keyed by the bundle's own list
/// (`b1`, `b2`, …): a shared material is given once.
#[derive(Debug, Clone)]
pub struct NewBundleCase {
    pub bundle_code: String,
    /// Required when staff or an agent files; an applicant files for themself.
    pub applicant: Option<ApplicantInput>,
    pub village: bool,
    pub pickup_hall_id: Option<i64>,
    pub delivery: Delivery,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub form: BTreeMap<String, String>,
    pub idempotency_key: Option<String>,
}

/// One member case of a filed bundle as its progress page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberLine {
    pub case_number: String,
    pub item_name: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub decided: bool,
    /// The reader may open the case itself.
    pub visible: bool,
}

/// A filed bundle with the state of each member and the one progress bar.
#[derive(Debug, Clone)]
pub struct BundleCaseView {
    pub row: BundleCaseRow,
    pub members: Vec<MemberLine>,
    pub progress: Progress,
}

/// The SHA-256 of a filing's request: a retry under the same key must carry the same.
fn fingerprint(code: &str, new: &NewBundleCase) -> String {
    use sha2::Digest;
    let applicant = new
        .applicant
        .as_ref()
        .map(|a| serde_json::json!([a.kind.as_str(), a.name, a.id_code, a.phone, a.email]));
    let materials: BTreeMap<&String, Vec<&str>> = new
        .materials
        .iter()
        .map(|(k, files)| (k, files.iter().map(|f| f.hash.as_str()).collect()))
        .collect();
    let fields = serde_json::json!([
        applicant,
        new.village,
        new.pickup_hall_id,
        new.delivery.as_str(),
        materials,
        new.form,
    ]);
    hex::encode(sha2::Sha256::digest(
        format!("bundle:{code}\n{fields}").as_bytes(),
    ))
}

impl App {
    /// Bundles span departments: the centre drafts them, through an administrator of a region
    /// that holds the bundle's.
    fn may_draft_bundle(&self, actor: &Actor, bundle: &Bundle) -> Result<()> {
        if actor.role == Role::Admin && actor.sees_region(&bundle.region) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// The versions in force of a bundle's members, in order (`None` where there is none).
    async fn member_items(&self, b: &Bundle) -> Result<Vec<Option<(ItemSummary, i64, Item)>>> {
        let mut out = Vec::with_capacity(b.members.len());
        for code in &b.members {
            out.push(match self.public_item(code).await {
                Ok((s, v)) => Some((s, v.version, v.item)),
                Err(e) if e.kind == crate::Kind::NotFound => None,
                Err(e) => return Err(e),
            });
        }
        Ok(out)
    }

    /// Every rule a bundle keeps: its own, and its members' being in force.
    async fn check_bundle(&self, b: &Bundle, with_members: bool) -> Result<()> {
        let mut issues = b.check();
        if with_members {
            let found = self.member_items(b).await?;
            let items: Vec<Option<&Item>> = found
                .iter()
                .map(|f| f.as_ref().map(|(_, _, i)| i))
                .collect();
            issues.extend(b.check_members(&items));
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(broken(issues))
        }
    }

    /// Drafts a new bundle (version 1).
    pub async fn create_bundle(&self, actor: &Actor, b: &Bundle) -> Result<i64> {
        self.may_draft_bundle(actor, b)?;
        self.check_bundle(b, false).await?;
        let event = item_event_of(actor, "create", "新建一件事");
        let entry = self
            .entry(
                actor,
                "bundle.create",
                String::new(),
                format!("新建一件事 {}（{}）", b.name, b.code),
            )
            .in_region(&b.region);
        self.store
            .create_bundle(b, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::new(
                    codes::Bundle::DuplicateCode,
                    format!("一件事编码 {} 已存在", b.code),
                ),
                other => other.into(),
            })
    }

    /// Saves a draft version. The code identifies the bundle and cannot change.
    pub async fn save_bundle(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        b: &Bundle,
    ) -> Result<()> {
        let current = self
            .store
            .bundle_version(id, version)
            .await?
            .ok_or_else(|| AppError::not_found("一件事版本"))?;
        self.may_draft_bundle(actor, &current.bundle)?;
        self.may_draft_bundle(actor, b)?;
        if !current.status.editable() {
            return Err(AppError::new(
                codes::Catalog::NotDraft,
                format!(
                    "该版本处于“{}”状态，不能修改；请新建版本",
                    current.status.label()
                ),
            ));
        }
        if b.code != current.bundle.code {
            return Err(AppError::new(
                codes::Catalog::CodeChanged,
                "一件事编码是它的身份，不能修改",
            ));
        }
        self.check_bundle(b, false).await?;
        let entry = self
            .entry(
                actor,
                "bundle.save",
                format!("bundle:{id}"),
                format!("修改一件事 {} 第{version}版草稿", b.name),
            )
            .in_region(&b.region);
        Ok(self
            .store
            .save_bundle_draft(id, version, b, self.now(), entry)
            .await?)
    }

    /// Submits, reviews or returns a version: the item's states, roles and rules. Submitting
    /// and publishing need at least two members in force.
    pub async fn bundle_action(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        action: ItemAction,
        comment: &str,
    ) -> Result<ItemStatus> {
        let v = self
            .store
            .bundle_version(id, version)
            .await?
            .ok_or_else(|| AppError::not_found("一件事版本"))?;
        match action {
            ItemAction::Submit => self.may_draft_bundle(actor, &v.bundle)?,
            ItemAction::Approve | ItemAction::Return if actor.sees_region(&v.bundle.region) => {}
            // Cancelling, transferring or delegating are for items; a bundle is revised.
            ItemAction::Approve | ItemAction::Return => return Err(AppError::forbidden()),
            _ => return Err(AppError::of(codes::Catalog::Transition)),
        }
        let to = catalog::transition(v.status, action, actor.role).map_err(AppError::from)?;
        if action.needs_reason() && comment.trim().is_empty() {
            return Err(AppError::new(
                codes::Catalog::ReasonRequired,
                format!("{}须写明理由", action.label()),
            ));
        }
        if action == ItemAction::Submit || to == ItemStatus::Published {
            self.check_bundle(&v.bundle, true).await?;
        }
        if action == ItemAction::Approve {
            let events = self.store.bundle_events(id).await?;
            if events.iter().any(|e| {
                e.version == version && e.action == "approve" && e.actor_id == Some(actor.user_id)
            }) {
                return Err(AppError::of(codes::Catalog::SameReviewer));
            }
        }
        let event = item_event_of(actor, action.as_str(), comment);
        let entry = self
            .entry(
                actor,
                &format!("bundle.{}", action.as_str()),
                format!("bundle:{id}"),
                format!(
                    "一件事 {} 第{version}版：{} → {}{}",
                    v.bundle.name,
                    v.status.label(),
                    to.label(),
                    if comment.trim().is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", comment.trim())
                    }
                ),
            )
            .in_region(&v.bundle.region);
        self.store
            .transition_bundle(id, version, v.status, to, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::of(codes::Bundle::Changed),
                other => other.into(),
            })?;
        Ok(to)
    }

    /// Opens a new version of a published bundle; the published one stays in force meanwhile.
    pub async fn new_bundle_version(&self, actor: &Actor, id: i64) -> Result<i64> {
        let s = self
            .store
            .bundle(id)
            .await?
            .ok_or_else(|| AppError::not_found("一件事"))?;
        let from = s
            .published_version
            .ok_or_else(|| AppError::of(codes::Catalog::NotPublished))?;
        let current = self
            .store
            .bundle_version(id, from)
            .await?
            .ok_or_else(|| AppError::not_found("一件事版本"))?;
        self.may_draft_bundle(actor, &current.bundle)?;
        let event = item_event_of(actor, "new_version", "新建修订版本");
        let entry = self
            .entry(
                actor,
                "bundle.new_version",
                format!("bundle:{id}"),
                format!("一件事 {} 新建修订版本", s.name),
            )
            .in_region(&current.bundle.region);
        self.store
            .new_bundle_version(id, from, &event, self.now(), entry)
            .await
            .map_err(|e| match e {
                tongban_store::StoreError::Conflict(_) => AppError::of(codes::Catalog::OpenVersion),
                other => other.into(),
            })
    }

    /// Bundles a member of the catalog's staff works on or reviews, in their region.
    pub async fn staff_bundles(&self, actor: &Actor) -> Result<Vec<BundleSummary>> {
        if !catalog::sees_drafts(actor.role) {
            return Err(AppError::forbidden());
        }
        let scope = self.scope(actor)?;
        Ok(self.store.bundles(scope.region.as_ref(), None).await?)
    }

    /// A bundle with its versions and history, for the catalog's staff of its region.
    pub async fn bundle_detail(&self, actor: &Actor, id: i64) -> Result<BundleDetail> {
        if !catalog::sees_drafts(actor.role) {
            return Err(AppError::forbidden());
        }
        let summary = self
            .store
            .bundle(id)
            .await?
            .ok_or_else(|| AppError::not_found("一件事"))?;
        let region = tongban_domain::region::RegionCode::parse(&summary.region_code)
            .map_err(AppError::internal)?;
        if !actor.sees_region(&region) {
            return Err(AppError::not_found("一件事"));
        }
        Ok(BundleDetail {
            versions: self.store.bundle_versions(id).await?,
            events: self.store.bundle_events(id).await?,
            summary,
        })
    }

    /// Bundle versions waiting for the actor's review stage.
    pub async fn bundle_review_queue(&self, actor: &Actor) -> Result<Vec<BundleVersion>> {
        let status = match actor.role {
            Role::Supervisor => ItemStatus::FirstReview,
            Role::Legal => ItemStatus::SecondReview,
            Role::Leader => ItemStatus::FinalReview,
            _ => return Ok(vec![]),
        };
        Ok(self
            .store
            .bundle_versions_in_status(status, actor.region.as_ref())
            .await?)
    }

    /// The published bundles, by code.
    pub async fn public_bundles(&self) -> Result<Vec<BundleSummary>> {
        Ok(self
            .store
            .bundles(None, Some(ItemStatus::Published))
            .await?)
    }

    /// A published bundle with its members in force and its one guide. A bundle whose member
    /// has left the catalog since is not offered ("没有纳入目录的一律不得实施").
    pub async fn public_bundle(&self, code: &str) -> Result<PublicBundle> {
        let code = code.trim().to_ascii_uppercase();
        let not_published = || AppError::not_found("该一件事（未发布的一件事不予公开）");
        let summary = self
            .store
            .bundle_by_code(&code)
            .await?
            .filter(|s| s.status == ItemStatus::Published)
            .ok_or_else(not_published)?;
        let v = summary.published_version.ok_or_else(not_published)?;
        let version = self
            .store
            .bundle_version(summary.id, v)
            .await?
            .ok_or_else(not_published)?;
        let mut members = Vec::new();
        for found in self.member_items(&version.bundle).await? {
            let (s, v, item) = found.ok_or_else(|| {
                AppError::new(
                    codes::Bundle::MemberUnpublished,
                    format!("“{}”的成员事项已不在目录中，暂停办理", summary.name),
                )
            })?;
            let department = self.department_name(item.department_id).await?;
            members.push(Member {
                summary: s,
                version: v,
                item,
                department,
            });
        }
        let items: Vec<Item> = members.iter().map(|m| m.item.clone()).collect();
        Ok(PublicBundle {
            guide: bundle::guide(&items),
            summary,
            version,
            members,
        })
    }

    /// Files a bundle: one case per member through the case engine, each under its own item,
    /// workflow and clock, written in one transaction with the filing that links them (all or
    /// nothing). Idempotent on the submission key like a single case. Returns its number.
    pub async fn submit_bundle(&self, actor: &Actor, new: NewBundleCase) -> Result<String> {
        let pb = self.public_bundle(&new.bundle_code).await?;
        let code = pb.summary.code.clone();
        let today = tongban_domain::time::local_date(self.case_now());
        let (channel, applicant) = match actor.role {
            Role::Applicant if !pb.guide.online => {
                return Err(AppError::of(codes::Bundle::NotOnline))
            }
            Role::Applicant => (Channel::Online, self.party_of(actor).await?),
            Role::Clerk | Role::DeptHead => (
                Channel::Window,
                crate::cases::parse_party(new.applicant.clone(), today)?,
            ),
            Role::Agent if new.village => (
                Channel::Village,
                crate::cases::parse_party(new.applicant.clone(), today)?,
            ),
            Role::Agent => (
                Channel::Agent,
                crate::cases::parse_party(new.applicant.clone(), today)?,
            ),
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
        let request_hash = fingerprint(&code, &new);
        let key = match &new.idempotency_key {
            Some(k) if k.len() > 100 || k.trim().is_empty() => {
                return Err(AppError::of(codes::Case::IdempotencyKey))
            }
            Some(k) => Some(k.trim().to_string()),
            None => None,
        };
        let mut given = new.materials.clone();
        // 免提交 references are checked against the applicant's licences, as for one case.
        for (key, files) in given.iter_mut() {
            for f in files.iter_mut() {
                if let Some(number) = f.hash.strip_prefix(crate::licences::REFERENCE_PREFIX) {
                    let wanted = pb
                        .guide
                        .materials
                        .iter()
                        .find(|m| &m.key == key)
                        .and_then(|m| m.licence_type.clone())
                        .ok_or_else(|| {
                            AppError::new(codes::Licence::NotHeld, "该材料不接受电子证照代替")
                        })?;
                    *f = self
                        .licence_reference(&applicant.id_code, &wanted, number)
                        .await?;
                }
            }
        }
        self.check_own_files(actor, given.values().flatten(), &[])
            .await?;
        let per_member = bundle::split(&pb.guide, pb.members.len(), &given)?;
        // Online, every required material that is not 容缺 must be there, named from the
        // bundle's one list. Checked inside the write, after the key: a retry answers with its
        // filing whatever it lacks.
        let online_refusal = match channel {
            Channel::Online => {
                let missing: Vec<String> = pb
                    .guide
                    .materials
                    .iter()
                    .filter(|m| m.required && !m.deferrable)
                    .filter(|m| given.get(&m.key).is_none_or(|f| f.is_empty()))
                    .map(|m| m.name.clone())
                    .collect();
                (!missing.is_empty()).then(|| {
                    AppError::new(
                        codes::Case::OnlineMaterialsMissing,
                        format!(
                            "缺少必要材料（{}），不能在网上提交；请补齐后再提交，或到窗口办理",
                            missing.join("、")
                        ),
                    )
                })
            }
            _ => None,
        };
        let now = self.case_now();
        let rules = self.settings().case_rules.clone();
        let mut cals = Vec::new();
        let mut posts = Vec::new();
        for m in &pb.members {
            cals.push(self.calendar_for(m.item.region.as_str()).await?);
            posts.push(self.post_book(&m.item).await?);
        }
        let regions: Vec<String> = pb
            .members
            .iter()
            .map(|m| m.item.region.to_string())
            .collect();
        let filing = BundleCaseNew {
            bundle_id: pb.summary.id,
            bundle_version: pb.version.version,
            bundle_name: pb.summary.name.clone(),
            region: pb.version.bundle.region.to_string(),
            applicant_user_id: applicant.user_id,
            agent_id: (actor.role == Role::Agent).then_some(actor.user_id),
            filed_by: actor.user_id,
        };
        let soonest = std::sync::Mutex::new(None::<chrono::DateTime<chrono::Utc>>);
        let created = self
            .store
            .create_bundle_case(
                &filing,
                today,
                &regions,
                key.as_deref().map(|k| Idempotency {
                    actor_id: actor.user_id,
                    key: k,
                    request_hash: &request_hash,
                }),
                now,
                |own, seqs| -> Result<BundleWrite> {
                    if let Some(e) = &online_refusal {
                        return Err(e.clone());
                    }
                    let number = bundle::filing_number(&pb.version.bundle.region, today, own)?;
                    let mut cases = Vec::with_capacity(pb.members.len());
                    for (i, m) in pb.members.iter().enumerate() {
                        let seq = *seqs.get(i).ok_or_else(|| AppError::internal("sequence"))?;
                        let case_number = CaseNumber::new(&m.item.region, today, seq)?;
                        // The applicant's delivery where the member offers it, else its first.
                        let delivery = if m.item.delivery.contains(&new.delivery) {
                            new.delivery
                        } else {
                            m.item.delivery.first().copied().unwrap_or(new.delivery)
                        };
                        let mut form = new.form.clone();
                        form.insert("一件事".into(), format!("{}（{number}）", pb.summary.name));
                        let submission = Submission {
                            applicant: applicant.clone(),
                            channel,
                            intake_hall_id,
                            pickup_hall_id: new.pickup_hall_id,
                            delivery,
                            materials: per_member.get(i).cloned().unwrap_or_default(),
                            form,
                        };
                        let ctx = Ctx {
                            item: &m.item,
                            cal: &cals[i],
                            now,
                            who: Who::Person(actor),
                            posts: &posts[i],
                            rules: &rules,
                        };
                        let decided =
                            case::receive(submission, case_number, m.summary.id, m.version, &ctx)?;
                        let w = self.write_of(
                            &decided,
                            crate::cases::actor_ref(Some(actor)),
                            &cals[i],
                            now,
                            now,
                        )?;
                        if let (Ok(mut s), Some(at)) =
                            (soonest.lock(), crate::wake::soonest(&w.watches))
                        {
                            *s = Some(s.map_or(at, |x| x.min(at)));
                        }
                        cases.push(w);
                    }
                    let audit = self
                        .entry(
                            actor,
                            "bundle.filed",
                            String::new(),
                            format!(
                                "申报一件事“{}”（{number}），同时生成{}件办件：{}",
                                pb.summary.name,
                                cases.len(),
                                cases
                                    .iter()
                                    .map(|c| c.projection.number.clone())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                        )
                        .in_region(&pb.version.bundle.region);
                    Ok(BundleWrite {
                        number,
                        cases,
                        audit,
                    })
                },
            )
            .await??;
        if let Some(at) = soonest.into_inner().ok().flatten() {
            self.crossing_written_at(at);
        }
        let number = match created {
            BundleCreated::New { number, .. } => {
                // The detectors look at each new member case, as after a single filing.
                if let Some((_, members)) = self.store.bundle_case(&number).await? {
                    for m in members {
                        if let Some(stored) = self.store.case_by_number(&m.case_number).await? {
                            let view = self.load(stored).await?;
                            self.detect_quietly(view.id, &view.case).await;
                        }
                    }
                }
                number
            }
            BundleCreated::Repeat { number } => number,
            BundleCreated::Mismatch { .. } => {
                return Err(AppError::of(codes::Request::IdempotencyMismatch))
            }
        };
        Ok(number)
    }

    /// A filed bundle for whoever may follow it: its applicant, the agent who filed it, and
    /// anyone who sees one of its member cases. Everyone else gets "not found".
    pub async fn bundle_case_view(&self, actor: &Actor, number: &str) -> Result<BundleCaseView> {
        let number = bundle::parse_filing_number(number)?;
        let missing = || AppError::not_found("该一件事办件");
        let (row, members) = self.store.bundle_case(&number).await?.ok_or_else(missing)?;
        let own = match actor.role {
            Role::Applicant => row.applicant_user_id == Some(actor.user_id),
            Role::Agent => row.agent_id == Some(actor.user_id),
            _ => false,
        };
        let mut lines = Vec::with_capacity(members.len());
        for m in members {
            let stored = self
                .store
                .case_by_number(&m.case_number)
                .await?
                .ok_or_else(|| AppError::internal(format!("case {} missing", m.case_number)))?;
            let view = self.load(stored).await?;
            let visible = self.sees_case(actor, &view.case);
            lines.push(MemberLine {
                case_number: m.case_number,
                item_name: view.case.item.name.clone(),
                status: view.case.status,
                status_label: view.case.status.label().to_string(),
                decided: bundle::has_outcome(view.case.status),
                visible,
            });
        }
        if !own && !lines.iter().any(|l| l.visible) {
            return Err(missing());
        }
        let progress = Progress::of(lines.iter().map(|l| l.status));
        Ok(BundleCaseView {
            row,
            members: lines,
            progress,
        })
    }

    /// The filed bundle a case belongs to, if any: (its number, the bundle's name). For the
    /// case page of someone who already sees the case.
    pub async fn bundle_of_case(&self, case_id: i64) -> Result<Option<(String, String)>> {
        Ok(self.store.bundle_of_case(case_id).await?)
    }

    /// The bundles an applicant filed, newest first.
    pub async fn my_bundle_cases(&self, actor: &Actor) -> Result<Vec<BundleCaseRow>> {
        Ok(self.store.bundle_cases_of(actor.user_id).await?)
    }
}

/// The demo's bundles, each by its members' basic codes: 开办餐饮店, 失业一件事 and 新生儿出生.
pub const DEMO: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "YJS0001",
        "开办餐饮店",
        "开一家餐馆：营业执照和食品经营许可一次申请、一套材料，同时办理。",
        "开办企业",
        &["XK00101001", "XK00601001"],
    ),
    (
        "YJS0002",
        "失业一件事",
        "失业后登记失业并申领失业保险金，一次申请，身份证明只交一次。",
        "就业",
        &["GG00302001", "JF00301001"],
    ),
    (
        "YJS0003",
        "新生儿出生",
        "孩子出生后的出生医学证明、生育登记和社会保障卡，一次告知、一套材料。",
        "生育",
        &["GG00210001", "GG00651001", "GG00301001"],
    ),
];

impl App {
    /// Loads the demo's three bundles: drafted by the administrator and taken through the three
    /// reviews, so they are published and show on the public site.
    pub async fn load_demo_bundles(&self) -> Result<usize> {
        let actor = |login: &'static str| async move {
            let user = self
                .store
                .user_by_login(login)
                .await?
                .ok_or_else(|| AppError::internal(format!("demo account {login} missing")))?;
            Ok::<_, AppError>(crate::accounts::actor_of(&user))
        };
        let admin = actor("admin").await?;
        let reviewers = [
            (actor("jiancha").await?, "成员事项均已发布，材料合并无误"),
            (actor("fazhi").await?, "各事项依据不变，同意"),
            (actor("lingdao").await?, "同意发布"),
        ];
        let region =
            tongban_domain::region::RegionCode::parse("361200").map_err(crate::error::invalid)?;
        for (code, name, summary, theme, members) in DEMO {
            let mut codes = Vec::new();
            let mut objects = Vec::new();
            for basic in *members {
                let (s, v) = self.public_item(basic).await?;
                codes.push(s.implementation_code);
                objects.push(v.item.service_object);
            }
            use tongban_domain::catalog::ServiceObject;
            let service_object = if objects.iter().all(|o| *o == ServiceObject::Person) {
                ServiceObject::Person
            } else if objects.iter().all(|o| !o.serves_person()) {
                ServiceObject::Company
            } else {
                ServiceObject::Both
            };
            let b = Bundle {
                code: (*code).into(),
                name: (*name).into(),
                summary: (*summary).into(),
                region: region.clone(),
                service_object,
                themes: vec![(*theme).into()],
                members: codes,
            };
            let id = self.create_bundle(&admin, &b).await?;
            self.bundle_action(&admin, id, 1, ItemAction::Submit, "申报一件事，请审核")
                .await?;
            for (who, comment) in &reviewers {
                self.bundle_action(who, id, 1, ItemAction::Approve, comment)
                    .await?;
            }
        }
        Ok(DEMO.len())
    }
}
