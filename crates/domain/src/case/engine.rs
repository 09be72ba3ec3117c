//! The one engine every change to a case goes through: it checks the command against the item
//! version's process, the case's state and the actor's post and scope, and answers with the
//! events to append (already folded into the new state) and the documents they issue. A
//! command that does not fit is refused with a stable code and nothing happens.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::{Calendar, Counting, SpanCounting, SuspensionKind, WorkingDays};
use crate::catalog::{Delivery, Fee, Item, ServiceObject, StepKind};
use crate::error::{coded, DomainError};
use crate::org::{Actor, PostHolders, Role};
use crate::time::end_of_day;

use super::document::{self, DocKind, Document, Extra};
use super::event::{CaseEvent, OpenedStep};
use super::intake::{check_second_notice, left_out_of_notice, IntakeVerdict, MaterialCheck};
use super::model::*;
use super::offers::{permits, Action};
use super::{CaseNumber, ProcessRun, RunEnd, StepOutcome};
use crate::codes;

/// Local rules of the case engine: settings with documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRules {
    /// Working days a 容缺 material may follow acceptance.
    pub deferred_days: u32,
    /// Working days the 补正材料通知书 gives the applicant to supply what it lists.
    pub supplement_days: u32,
    /// Extension for a case handled by one department (行政许可法 第四十二条: 10).
    pub extension_days: u32,
    /// Extension for a joint case with a 45-day limit (第四十二条第二款: 15).
    pub joint_extension_days: u32,
    /// How a special procedure's days come off the clocks (第四十五条). The default takes off
    /// as many days as the procedure lasted, never one more in the authority's favour.
    pub special_counting: SpanCounting,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self {
            deferred_days: 5,
            supplement_days: 10,
            extension_days: 10,
            joint_extension_days: 15,
            special_counting: SpanCounting::StartDay,
        }
    }
}

/// A post of a department and who is on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub department_id: i64,
    pub name: String,
    pub holder: StaffRef,
    pub substitute: Option<StaffRef>,
    pub holder_away: bool,
}

impl Post {
    fn holders(&self) -> PostHolders {
        PostHolders {
            holder_id: self.holder.user_id,
            substitute_id: self.substitute.as_ref().map(|s| s.user_id),
            holder_away: self.holder_away,
        }
    }

    /// Who acts on the post now (同岗替代: the substitute while the holder is away).
    pub fn acting(&self) -> Option<StaffRef> {
        if self.holder_away {
            self.substitute.clone()
        } else {
            Some(self.holder.clone())
        }
    }
}

/// The posts of the departments a case runs through. A step names its post; a department
/// without a post of that name falls back to its general post for the step's kind.
#[derive(Debug, Clone, Default)]
pub struct PostBook(pub Vec<Post>);

impl PostBook {
    pub fn find(&self, department_id: i64, name: &str, kind: StepKind) -> Option<&Post> {
        let general = match kind {
            StepKind::Intake | StepKind::Delivery => "受理岗",
            StepKind::Review => "审核岗",
            StepKind::Decision => "决定岗",
        };
        let of = |n: &str| {
            self.0
                .iter()
                .find(|p| p.department_id == department_id && p.name == n)
        };
        of(name).or_else(|| of(general))
    }
}

/// Who acts: a signed-in person (staff, applicant or agent) or the system's clock.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Person(&'a Actor),
    System,
}

impl Who<'_> {
    fn staff_ref(&self) -> Option<StaffRef> {
        match self {
            Who::Person(a) => Some(StaffRef {
                user_id: a.user_id,
                name: a.name.clone(),
            }),
            Who::System => None,
        }
    }
}

/// Everything the engine reads besides the case.
pub struct Ctx<'a> {
    /// The case's own item version.
    pub item: &'a Item,
    pub cal: &'a Calendar,
    pub now: DateTime<Utc>,
    pub who: Who<'a>,
    pub posts: &'a PostBook,
    pub rules: &'a CaseRules,
}

/// A new application.
#[derive(Debug, Clone)]
pub struct Submission {
    pub applicant: Party,
    pub channel: Channel,
    pub intake_hall_id: Option<i64>,
    pub pickup_hall_id: Option<i64>,
    pub delivery: Delivery,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub form: BTreeMap<String, String>,
}

/// What someone asks of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Hand the 首问 responsibility to another member of staff.
    HandOver {
        to: StaffRef,
    },
    /// 一次性告知: everything missing or defective, each with what is wrong.
    NoticeSupplement {
        items: Vec<(String, String)>,
    },
    /// The applicant (or a clerk for them) hands in materials.
    AddMaterials {
        materials: BTreeMap<String, Vec<FileRef>>,
    },
    /// 受理 after checking the materials against the item's list.
    Accept {
        check: MaterialCheck,
    },
    /// 不予受理.
    NotAccept {
        reason: String,
    },
    /// 即办件: accept and decide on the spot.
    AcceptAndDecide {
        check: MaterialCheck,
    },
    Decide {
        step: String,
        approve: bool,
        opinion: String,
    },
    ReturnTo {
        step: String,
        to: String,
        reason: String,
    },
    /// 转办 to another member of staff of the step's department.
    Reassign {
        step: String,
        to: StaffRef,
        to_department: Option<i64>,
        reason: String,
    },
    /// 会审: a joint review meeting decides the open parallel group at once.
    Meeting {
        approve: bool,
        minutes: String,
    },
    StartSpecial {
        kind: SuspensionKind,
        reason: String,
        days: u32,
    },
    EndSpecial {
        note: String,
    },
    RequestExtension {
        reason: String,
    },
    DecideExtension {
        approve: bool,
        reason: String,
    },
    /// Assess some of the item's fees (all are assessed at acceptance by default).
    AssessFees {
        fees: Vec<Fee>,
    },
    PayFee {
        reference: String,
        amount_fen: u64,
    },
    RequestWaiver {
        reason: String,
    },
    DecideWaiver {
        approve: bool,
        reason: String,
    },
    Deliver {
        method: Delivery,
        note: String,
    },
    Withdraw {
        reason: String,
    },
    /// The clock's own work: acceptance by law, deemed approvals, 容缺 deadlines.
    Tick,
}

/// What a command produced: the events (in order), the documents issued, and the new state.
#[derive(Debug, Clone)]
pub struct Decided {
    pub events: Vec<CaseEvent>,
    pub documents: Vec<Document>,
    pub case: Case,
}

/// Builds the events of one command, folding each into the state as it goes.
struct Builder<'a, 'c> {
    ctx: &'c Ctx<'a>,
    case: Case,
    events: Vec<CaseEvent>,
    documents: Vec<Document>,
}

impl<'a, 'c> Builder<'a, 'c> {
    fn push(&mut self, event: CaseEvent) {
        let by = self.ctx.who.staff_ref();
        self.case.apply(&event, by.as_ref(), self.ctx.now);
        self.events.push(event);
    }

    fn doc(&mut self, kind: DocKind, extra: Extra) -> String {
        let nth = 1 + self
            .case
            .documents
            .iter()
            .chain(self.documents.iter().map(|d| &d.number))
            .filter(|n| n.starts_with(&document::number(kind, &self.case, 1)))
            .count();
        let number = document::number(kind, &self.case, nth);
        let doc = document::render(
            kind,
            number.clone(),
            &self.case,
            self.ctx.item,
            &extra,
            self.ctx.now,
        );
        self.documents.push(doc);
        number
    }

    fn done(self) -> Decided {
        Decided {
            events: self.events,
            documents: self.documents,
            case: self.case,
        }
    }

    /// After a step closes: open what follows, and decide the case when the run ends.
    fn settle(&mut self, opinion: &str) -> Result<(), DomainError> {
        let open: Vec<String> = self
            .case
            .open_steps()
            .iter()
            .filter(|s| s.opened_at.is_none() || s.outcome.is_some())
            .map(|s| s.key.clone())
            .collect();
        if !open.is_empty() {
            let steps = open
                .iter()
                .map(|key| OpenedStep {
                    key: key.clone(),
                    assignee: self.case.step(key).and_then(|s| {
                        self.ctx
                            .posts
                            .find(s.department_id, &s.post, s.kind)
                            .and_then(Post::acting)
                    }),
                })
                .collect();
            self.push(CaseEvent::StepsOpened { steps });
        }
        let end = self.case.run.as_ref().and_then(ProcessRun::end);
        let decision_pending = self.case.decision.is_none();
        let decision_step_passed = self.case.steps.values().any(|s| {
            s.kind == StepKind::Decision
                && matches!(
                    s.outcome,
                    Some(StepOutcome::Approve | StepOutcome::DeemedApprove)
                )
        });
        if decision_pending && end == Some(RunEnd::Failed) {
            let reason = if opinion.trim().is_empty() {
                "经审查不符合法定条件、标准".to_string()
            } else {
                opinion.trim().to_string()
            };
            let document = self.doc(
                DocKind::Refusal,
                Extra {
                    reason: reason.clone(),
                    ..Extra::default()
                },
            );
            self.push(CaseEvent::Decided {
                outcome: Outcome::Refused,
                reason: reason.clone(),
                document,
            });
            self.push(CaseEvent::NegativeFiled {
                what: "不予行政许可决定".into(),
                reason,
            });
        } else if decision_pending && (decision_step_passed || end == Some(RunEnd::Passed)) {
            let document = self.doc(
                DocKind::Approval,
                Extra {
                    reason: opinion.trim().to_string(),
                    ..Extra::default()
                },
            );
            self.push(CaseEvent::Decided {
                outcome: Outcome::Approved,
                reason: opinion.trim().to_string(),
                document,
            });
        }
        Ok(())
    }

    /// Records the first member of staff who touches the case as its 首问责任人.
    fn first_responder(&mut self) {
        if self.case.first_responder.is_none() {
            if let Who::Person(a) = self.ctx.who {
                // Agents file for applicants; the 首问 duty sits with the hall's own staff.
                if a.role.is_departmental() {
                    let to = StaffRef {
                        user_id: a.user_id,
                        name: a.name.clone(),
                    };
                    self.push(CaseEvent::FirstResponder { to });
                }
            }
        }
    }
}

pub(super) fn actor<'a>(ctx: &Ctx<'a>) -> Result<&'a Actor, DomainError> {
    match ctx.who {
        Who::Person(a) => Ok(a),
        Who::System => Err(codes::Case::SystemOnly.with("该操作须由办理人员完成")),
    }
}

/// A clerk (or head) of the item's department within its region: intake, fees, delivery.
pub(super) fn require_window<'a>(ctx: &Ctx<'a>, case: &Case) -> Result<&'a Actor, DomainError> {
    let a = actor(ctx)?;
    let role_fits = matches!(a.role, Role::Clerk | Role::DeptHead);
    if role_fits && a.acts_for_department(case.item.department_id, &case.item.region) {
        Ok(a)
    } else {
        Err(codes::Case::NotYourWindow.err())
    }
}

pub(super) fn require_head<'a>(ctx: &Ctx<'a>, case: &Case) -> Result<&'a Actor, DomainError> {
    let a = actor(ctx)?;
    if a.role == Role::DeptHead && a.acts_for_department(case.lead_department(), &case.item.region)
    {
        Ok(a)
    } else {
        Err(codes::Case::HeadOnly.err())
    }
}

/// The applicant themself, the agent who filed, or a window clerk on their behalf.
pub(super) fn require_applicant_side<'a>(
    ctx: &Ctx<'a>,
    case: &Case,
) -> Result<&'a Actor, DomainError> {
    let a = actor(ctx)?;
    let own = case.applicant.user_id.is_some_and(|id| id == a.user_id);
    let agent = case
        .agent
        .as_ref()
        .is_some_and(|ag| ag.user_id == a.user_id);
    if own || agent || require_window(ctx, case).is_ok() {
        Ok(a)
    } else {
        Err(codes::Case::NotApplicant.err())
    }
}

/// The member of staff who has the step: its assignee, or whoever acts on its post now
/// (同岗替代), within the step's department.
pub(super) fn require_step<'a>(
    ctx: &Ctx<'a>,
    case: &Case,
    key: &str,
) -> Result<&'a Actor, DomainError> {
    let a = actor(ctx)?;
    let step = case
        .step(key)
        .ok_or_else(|| codes::Case::StepUnknown.with(format!("该事项版本没有环节“{key}”")))?;
    if !a.acts_for_department(step.department_id, &case.item.region) || !a.role.is_departmental() {
        return Err(
            codes::Case::NotYourStep.with(format!("环节“{}”由其他部门办理，你无权办理", step.name))
        );
    }
    let assignee = step
        .assignee
        .as_ref()
        .is_some_and(|s| s.user_id == a.user_id);
    let on_post = ctx
        .posts
        .find(step.department_id, &step.post, step.kind)
        .is_some_and(|p| p.holders().may_act(a.user_id));
    if assignee || on_post {
        Ok(a)
    } else {
        Err(codes::Case::NotYourStep.with(format!(
            "环节“{}”（{}）不在你的岗位上",
            step.name, step.post
        )))
    }
}

pub(super) fn require_status(
    case: &Case,
    allowed: &[CaseStatus],
    what: &str,
) -> Result<(), DomainError> {
    if allowed.contains(&case.status) {
        Ok(())
    } else {
        Err(codes::Case::WrongStatus
            .with(format!("办件当前为“{}”，不能{what}", case.status.label())))
    }
}

fn nonempty(text: &str, what: &str) -> Result<String, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        Err(codes::Case::ReasonRequired.with(format!("请填写{what}")))
    } else if t.chars().count() > 2000 {
        Err(codes::Case::ReasonTooLong.with(format!("{what}不能超过2000字")))
    } else {
        Ok(t.to_string())
    }
}

/// A material as people read it: its name, never its key.
fn material_name(item: &Item, key: &str) -> String {
    item.material(key)
        .map_or_else(|| "（该事项已无此材料）".to_string(), |m| m.name.clone())
}

fn material_names(item: &Item, keys: &[String]) -> Vec<String> {
    keys.iter().map(|k| material_name(item, k)).collect()
}

/// The steps of an item version as a case tracks them.
fn tracks(item: &Item) -> Vec<StepTrack> {
    item.steps
        .iter()
        .map(|s| StepTrack {
            key: s.key.clone(),
            name: s.name.clone(),
            kind: s.kind,
            department_id: s.department_id.unwrap_or(item.department_id),
            post: s.post.clone(),
            lead: s.lead,
            limit_days: s.limit_days,
            assignee: None,
            opened_at: None,
            clock: None,
            deemed_allowed: s.deemed_approval || item.deemed_approval,
            outcome: None,
            decided_by: None,
            decided_at: None,
            opinion: String::new(),
        })
        .collect()
}

/// Receives a new application: checks who files it, for whom, and with what.
pub fn receive(
    submission: Submission,
    number: CaseNumber,
    item_id: i64,
    item_version: i64,
    ctx: &Ctx<'_>,
) -> Result<Decided, DomainError> {
    let a = actor(ctx)?;
    let item = ctx.item;
    let s = submission;
    // Who may file through which channel.
    let (agent, fits) = match s.channel {
        Channel::Online => (
            None,
            a.role == Role::Applicant && s.applicant.user_id == Some(a.user_id),
        ),
        Channel::Window => (
            None,
            matches!(a.role, Role::Clerk | Role::DeptHead)
                && a.acts_for_department(item.department_id, &item.region),
        ),
        Channel::Agent | Channel::Village => (
            Some(StaffRef {
                user_id: a.user_id,
                name: a.name.clone(),
            }),
            a.role == Role::Agent,
        ),
    };
    if !fits {
        return Err(codes::Case::ChannelNotAllowed
            .with(format!("你的身份不能以“{}”方式提交申请", s.channel.label())));
    }
    let party_fits = match item.service_object {
        ServiceObject::Person => s.applicant.kind == PartyKind::Person,
        ServiceObject::Company => s.applicant.kind == PartyKind::Company,
        ServiceObject::Both => true,
    };
    if !party_fits {
        return Err(codes::Case::ApplicantKind
            .with(format!("本事项的服务对象为{}", item.service_object.label())));
    }
    if !item.delivery.contains(&s.delivery) {
        return Err(codes::Case::DeliveryNotOffered
            .with(format!("本事项不提供“{}”方式", s.delivery.label())));
    }
    for key in s.materials.keys() {
        if item.material(key).is_none() {
            return Err(codes::Case::MaterialUnknown.with(format!("该事项没有编号为“{key}”的材料")));
        }
    }
    let steps = tracks(item);
    let event = CaseEvent::Received {
        number: number.clone(),
        item: ItemRef {
            id: item_id,
            version: item_version,
            code: item.implementation_code.to_string(),
            basic_code: item.basic_code.to_string(),
            name: item.name.clone(),
            department_id: item.department_id,
            region: item.region.clone(),
            handling: item.handling,
            committed_days: item.committed_limit_days,
            statutory_days: item.statutory_limit_days,
            result_name: item.result_name.clone(),
        },
        applicant: s.applicant,
        channel: s.channel,
        agent,
        intake_hall_id: s.intake_hall_id,
        pickup_hall_id: s.pickup_hall_id,
        delivery: s.delivery,
        materials: s.materials,
        form: s.form,
        steps,
        run: ProcessRun::start(item),
    };
    let case = Case::from_received(&event, ctx.now).ok_or_else(|| codes::Case::Internal.err())?;
    let mut b = Builder {
        ctx,
        case,
        events: vec![event],
        documents: vec![],
    };
    b.first_responder();
    let lines = b
        .case
        .materials
        .iter()
        .map(|(k, files)| {
            let name = item.material(k).map_or(k.as_str(), |m| m.name.as_str());
            format!("{name}（{} 份文件）", files.len())
        })
        .collect();
    b.doc(
        DocKind::Receipt,
        Extra {
            lines,
            ..Extra::default()
        },
    );
    Ok(b.done())
}

/// Applies one command to a case.
pub fn handle(case: &Case, command: Command, ctx: &Ctx<'_>) -> Result<Decided, DomainError> {
    let mut b = Builder {
        ctx,
        case: case.clone(),
        events: vec![],
        documents: vec![],
    };
    let item = ctx.item;
    match command {
        Command::HandOver { to } => {
            permits(Action::HandOver, None, case, ctx)?;
            b.push(CaseEvent::FirstResponder { to });
        }
        Command::NoticeSupplement { items } => {
            permits(Action::NoticeSupplement, None, case, ctx)?;
            if items.is_empty() {
                return Err(codes::Case::NoticeEmpty.err());
            }
            let mut keys = Vec::new();
            let mut lines = Vec::new();
            for (i, (key, why)) in items.iter().enumerate() {
                let m = item.material(key).ok_or_else(|| {
                    codes::Case::MaterialUnknown.with(format!("该事项没有编号为“{key}”的材料"))
                })?;
                let why = nonempty(why, &format!("“{}”需补正的内容", m.name))?;
                lines.push(format!("{}. {}：{}", i + 1, m.name, why));
                keys.push(key.clone());
            }
            if let Some(first) = case.notices.first() {
                let asked: Vec<String> = first.items.iter().map(|(k, _)| k.clone()).collect();
                check_second_notice(&asked, &keys, |k| material_name(item, k))?;
            } else {
                let left_out = left_out_of_notice(item, |k| case.has_material(k), &keys);
                if !left_out.is_empty() {
                    return Err(codes::Case::NoticeIncomplete.with(format!(
                        "一次性告知：补正通知还须列明尚未提交的必要材料：{}",
                        material_names(item, &left_out).join("、")
                    )));
                }
            }
            b.first_responder();
            let supply_by = ctx
                .cal
                .add_working_days(
                    ctx.now,
                    WorkingDays::new(ctx.rules.supplement_days.max(1)).map_err(coded)?,
                    Counting::NextWorkingDay,
                )
                .map_err(coded)?;
            let document = b.doc(
                DocKind::Supplement,
                Extra {
                    lines,
                    date: Some(supply_by),
                    days: ctx.rules.supplement_days.max(1),
                    ..Extra::default()
                },
            );
            b.push(CaseEvent::SupplementNoticed { items, document });
        }
        Command::AddMaterials { materials } => {
            permits(Action::AddMaterials, None, case, ctx)?;
            if materials.is_empty() {
                return Err(codes::Case::MaterialsEmpty.err());
            }
            for key in materials.keys() {
                if item.material(key).is_none() {
                    return Err(
                        codes::Case::MaterialUnknown.with(format!("该事项没有编号为“{key}”的材料"))
                    );
                }
            }
            if case.accepted.is_some() {
                let extra: Vec<&String> = materials
                    .keys()
                    .filter(|k| !case.deferred.contains(k))
                    .collect();
                if !extra.is_empty() {
                    return Err(codes::Case::MaterialsAfterAcceptance.err());
                }
            }
            b.push(CaseEvent::MaterialsAdded { materials });
        }
        Command::Accept { check } => {
            accept(&mut b, check, false)?;
        }
        Command::AcceptAndDecide { check } => {
            permits(Action::AcceptAndDecide, None, case, ctx)?;
            accept(&mut b, check, true)?;
        }
        Command::NotAccept { reason } => {
            permits(Action::NotAccept, None, case, ctx)?;
            let reason = nonempty(&reason, "不予受理的理由")?;
            b.first_responder();
            let document = b.doc(
                DocKind::NonAcceptance,
                Extra {
                    reason: reason.clone(),
                    ..Extra::default()
                },
            );
            b.push(CaseEvent::NotAccepted {
                reason: reason.clone(),
                document,
            });
            b.push(CaseEvent::NegativeFiled {
                what: "不予受理决定".into(),
                reason,
            });
        }
        Command::Decide {
            step,
            approve,
            opinion,
        } => {
            permits(Action::Decide, Some(&step), case, ctx)?;
            decide_step(&mut b, &step, approve, opinion, false)?;
        }
        Command::ReturnTo { step, to, reason } => {
            permits(Action::ReturnTo, Some(&step), case, ctx)?;
            let reason = nonempty(&reason, "退回理由")?;
            let mut run = case
                .run
                .clone()
                .ok_or_else(|| codes::Case::NotAccepted.err())?;
            run.return_to(&step, &to)?;
            if case.step(&to).is_some_and(|s| s.kind == StepKind::Intake) {
                return Err(codes::Case::ReturnToIntake.err());
            }
            b.push(CaseEvent::StepReturned {
                from: step,
                to,
                reason,
            });
            b.settle("")?;
        }
        Command::Reassign {
            step,
            to,
            to_department,
            reason,
        } => {
            permits(Action::Reassign, Some(&step), case, ctx)?;
            let track = case.step(&step).ok_or_else(|| {
                codes::Case::StepUnknown.with(format!("该事项版本没有环节“{step}”"))
            })?;
            if to_department != Some(track.department_id) {
                return Err(codes::Case::ReassignScope.err());
            }
            let reason = nonempty(&reason, "转办理由")?;
            b.push(CaseEvent::StepReassigned { step, to, reason });
        }
        Command::Meeting { approve, minutes } => {
            permits(Action::Meeting, None, case, ctx)?;
            let minutes = nonempty(&minutes, "会审纪要")?;
            let open: Vec<String> = case.open_steps().iter().map(|s| s.key.clone()).collect();
            let group = open
                .first()
                .and_then(|k| item.steps.iter().find(|s| &s.key == k))
                .and_then(|s| s.parallel_group.clone());
            if group.is_none() {
                return Err(codes::Case::MeetingNoGroup.err());
            }
            for key in open {
                if b.case.step(&key).is_some_and(|s| s.outcome.is_none())
                    && b.case.run.as_ref().and_then(|r| r.state(&key))
                        == Some(super::StepState::Open)
                {
                    let outcome = if approve {
                        StepOutcome::Approve
                    } else {
                        StepOutcome::Disagree
                    };
                    b.push(CaseEvent::StepDecided {
                        step: key,
                        outcome,
                        opinion: format!("会审：{minutes}"),
                        rule: None,
                        meeting: true,
                    });
                }
            }
            b.settle(&minutes)?;
        }
        Command::StartSpecial { kind, reason, days } => {
            permits(Action::StartSpecial, None, case, ctx)?;
            let allowed = item
                .special_procedures
                .iter()
                .find(|p| p.kind == kind)
                .ok_or_else(|| {
                    codes::Case::SpecialNotListed
                        .with(format!("本事项未列明“{}”特殊程序", kind.label()))
                })?;
            if days == 0 || days > allowed.max_days {
                return Err(codes::Case::SpecialDays
                    .with(format!("特殊程序时间应为1至{}个工作日", allowed.max_days)));
            }
            let reason = nonempty(&reason, "特殊程序的事由")?;
            let expected_end = ctx
                .cal
                .add_working_days(
                    ctx.now,
                    WorkingDays::new(days).map_err(coded)?,
                    Counting::NextWorkingDay,
                )
                .map_err(coded)?;
            let document = b.doc(
                DocKind::Special,
                Extra {
                    reason: format!("{}（{}）", kind.label(), reason),
                    days,
                    ..Extra::default()
                },
            );
            b.push(CaseEvent::SpecialStarted {
                kind,
                reason,
                days,
                expected_end,
                document,
                counting: ctx.rules.special_counting,
            });
        }
        Command::EndSpecial { note } => {
            permits(Action::EndSpecial, None, case, ctx)?;
            b.push(CaseEvent::SpecialEnded {
                note: note.trim().to_string(),
            });
        }
        Command::RequestExtension { reason } => {
            permits(Action::RequestExtension, None, case, ctx)?;
            let reason = nonempty(&reason, "延期理由")?;
            let joint = item.statutory_limit_days == 45
                && item
                    .steps
                    .iter()
                    .filter_map(|s| s.department_id)
                    .any(|d| d != item.department_id);
            let days = if joint {
                ctx.rules.joint_extension_days
            } else {
                ctx.rules.extension_days
            };
            b.push(CaseEvent::ExtensionRequested { days, reason });
        }
        Command::DecideExtension { approve, reason } => {
            permits(Action::DecideExtension, None, case, ctx)?;
            let req = case
                .extension_request
                .clone()
                .ok_or_else(|| codes::Case::NoExtension.err())?;
            let reason = if approve {
                req.reason.clone()
            } else {
                nonempty(&reason, "不批准的理由")?
            };
            let document = if approve {
                Some(b.doc(
                    DocKind::Extension,
                    Extra {
                        reason: req.reason.clone(),
                        days: req.days,
                        ..Extra::default()
                    },
                ))
            } else {
                None
            };
            b.push(CaseEvent::ExtensionDecided {
                approved: approve,
                days: req.days,
                reason,
                document,
            });
        }
        Command::AssessFees { fees } => {
            permits(Action::AssessFees, None, case, ctx)?;
            for fee in &fees {
                let listed = item
                    .fees
                    .iter()
                    .find(|f| f.name == fee.name)
                    .ok_or_else(|| {
                        codes::Case::FeeNotListed
                            .with(format!("“{}”不是本事项公布的收费项目", fee.name))
                    })?;
                if fee.amount_fen != listed.amount_fen {
                    return Err(codes::Case::FeeAmount.with(format!(
                        "“{}”的收费标准为{}",
                        listed.name,
                        crate::catalog::yuan(listed.amount_fen)
                    )));
                }
            }
            let listed: Vec<Fee> = item
                .fees
                .iter()
                .filter(|f| fees.iter().any(|x| x.name == f.name))
                .cloned()
                .collect();
            b.push(CaseEvent::FeesAssessed { fees: listed });
        }
        Command::PayFee {
            reference,
            amount_fen,
        } => {
            permits(Action::PayFee, None, case, ctx)?;
            if amount_fen != case.fees.total_fen() {
                return Err(codes::Case::FeeAmount.with(format!(
                    "应缴金额为{}，与录入金额{}不符",
                    crate::catalog::yuan(case.fees.total_fen()),
                    crate::catalog::yuan(amount_fen)
                )));
            }
            let reference = reference.trim().to_string();
            if reference.is_empty() || reference.chars().count() > 64 {
                return Err(codes::Case::FeeReference.err());
            }
            b.push(CaseEvent::FeePaid {
                reference,
                amount_fen,
            });
        }
        Command::RequestWaiver { reason } => {
            permits(Action::RequestWaiver, None, case, ctx)?;
            let reason = nonempty(&reason, "减免理由")?;
            b.push(CaseEvent::WaiverRequested { reason });
        }
        Command::DecideWaiver { approve, reason } => {
            permits(Action::DecideWaiver, None, case, ctx)?;
            let reason = if approve {
                reason.trim().to_string()
            } else {
                nonempty(&reason, "不批准的理由")?
            };
            b.push(CaseEvent::WaiverDecided {
                approved: approve,
                reason,
            });
        }
        Command::Deliver { method, note } => {
            permits(Action::Deliver, None, case, ctx)?;
            let approved = case
                .decision
                .as_ref()
                .is_some_and(|d| d.outcome == Outcome::Approved);
            if approved && !case.fees.settled() {
                return Err(codes::Case::FeeUnpaid.with(format!(
                    "尚未缴费（应缴{}），缴费后方可发放结果",
                    crate::catalog::yuan(case.fees.total_fen())
                )));
            }
            if approved && !case.deferred.is_empty() {
                return Err(codes::Case::DeferredMissing.err());
            }
            b.push(CaseEvent::Delivered {
                method,
                note: note.trim().to_string(),
            });
        }
        Command::Withdraw { reason } => {
            permits(Action::Withdraw, None, case, ctx)?;
            let reason = if reason.trim().is_empty() {
                "申请人主动撤回".to_string()
            } else {
                nonempty(&reason, "撤回原因")?
            };
            b.push(CaseEvent::Withdrawn { reason });
        }
        Command::Tick => tick(&mut b)?,
    }
    if b.events.is_empty() && !matches!(ctx.who, Who::System) {
        return Err(codes::Case::NothingToDo.err());
    }
    Ok(b.done())
}

fn accept(
    b: &mut Builder<'_, '_>,
    check: MaterialCheck,
    on_the_spot: bool,
) -> Result<(), DomainError> {
    let ctx = b.ctx;
    let case = b.case.clone();
    permits(Action::Accept, None, &case, ctx)?;
    let item = ctx.item;
    // A clerk can only tick what the applicant actually handed in.
    for key in &check.present {
        if item.material(key).is_some() && !case.has_material(key) {
            let name = item.material(key).map_or("", |m| m.name.as_str());
            return Err(codes::Case::MaterialNotReceived
                .with(format!("材料“{name}”未收到，不能勾选为已收")));
        }
    }
    let deferred = match check.verdict(item)? {
        IntakeVerdict::Complete => vec![],
        IntakeVerdict::Deferrable { later } => later,
        IntakeVerdict::Incomplete { missing } => {
            return Err(codes::Case::MaterialsIncomplete.with(format!(
                "申请材料不齐全：{}。请一次性告知申请人补正",
                material_names(item, &missing).join("、")
            )))
        }
    };
    if on_the_spot && !deferred.is_empty() {
        return Err(codes::Case::InstantNeedsAll.err());
    }
    let deferred_due = if deferred.is_empty() {
        None
    } else {
        Some(
            ctx.cal
                .add_working_days(
                    ctx.now,
                    WorkingDays::new(ctx.rules.deferred_days.max(1)).map_err(coded)?,
                    Counting::NextWorkingDay,
                )
                .map_err(coded)?,
        )
    };
    b.first_responder();
    let mut lines: Vec<String> = material_names(item, &deferred);
    if let Some(due) = deferred_due {
        lines = lines
            .into_iter()
            .map(|l| format!("{l}，{} 前补交", due.format("%Y年%m月%d日")))
            .collect();
    }
    let document = b.doc(
        DocKind::Acceptance,
        Extra {
            lines,
            date: committed_due(item, ctx.cal, ctx.now),
            ..Extra::default()
        },
    );
    b.push(CaseEvent::Accepted {
        by_law: false,
        from: ctx.now,
        deferred,
        deferred_due,
        fees: item.fees.clone(),
        document,
    });
    b.settle("")?;
    if on_the_spot {
        // Every remaining step is done here and now by the clerk who accepted.
        while let Some(key) = b.case.open_steps().first().map(|s| s.key.clone()) {
            if b.case
                .step(&key)
                .is_some_and(|s| s.kind == StepKind::Delivery)
            {
                break;
            }
            b.push(CaseEvent::StepDecided {
                step: key,
                outcome: StepOutcome::Approve,
                opinion: "即办件当场办结".into(),
                rule: None,
                meeting: false,
            });
            b.settle("即办件当场办结")?;
        }
    }
    Ok(())
}

fn decide_step(
    b: &mut Builder<'_, '_>,
    step: &str,
    approve: bool,
    opinion: String,
    meeting: bool,
) -> Result<(), DomainError> {
    let track = b
        .case
        .step(step)
        .cloned()
        .ok_or_else(|| codes::Case::StepUnknown.with(format!("该事项版本没有环节“{step}”")))?;
    if track.kind == StepKind::Delivery {
        return Err(codes::Case::UseDelivery.err());
    }
    let opinion = if approve {
        opinion.trim().to_string()
    } else {
        nonempty(&opinion, "不同意的理由")?
    };
    let mut run = b
        .case
        .run
        .clone()
        .ok_or_else(|| codes::Case::NotAccepted.err())?;
    let outcome = if approve {
        StepOutcome::Approve
    } else {
        StepOutcome::Disagree
    };
    run.record(step, outcome)?;
    b.push(CaseEvent::StepDecided {
        step: step.to_string(),
        outcome,
        opinion: opinion.clone(),
        rule: None,
        meeting,
    });
    b.settle(&opinion)
}

/// The instant a step opened at `opened` is due, if it has a clock; on-the-spot steps are due
/// at the end of their opening day.
pub fn step_due(track: &StepTrack, cal: &Calendar, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let opened = track.opened_at?;
    match &track.clock {
        Some(clock) => clock.status(cal, now).ok().map(|s| s.due_at),
        None => Some(end_of_day(crate::time::local_date(opened))),
    }
}

/// The clock's work on a case at `ctx.now`: acceptance by law, deemed approvals at timeout and
/// 容缺 deadlines. Produces nothing when nothing is due.
fn tick(b: &mut Builder<'_, '_>) -> Result<(), DomainError> {
    let ctx = b.ctx;
    if !matches!(ctx.who, Who::System) {
        return Err(codes::Case::SystemOnly.with("该操作由系统按时限自动执行"));
    }
    let now = ctx.now;
    // 行政许可法 第三十二条: no decision and no notice in 5 working days → accepted from receipt.
    if b.case.status == CaseStatus::Received && b.case.notices.is_empty() {
        let status = b.case.intake_clock.status(ctx.cal, now).map_err(coded)?;
        if status.overdue {
            let document = b.doc(
                DocKind::Acceptance,
                Extra {
                    by_law: true,
                    date: committed_due(ctx.item, ctx.cal, b.case.received_at),
                    ..Extra::default()
                },
            );
            b.push(CaseEvent::Accepted {
                by_law: true,
                from: b.case.received_at,
                deferred: vec![],
                deferred_due: None,
                fees: ctx.item.fees.clone(),
                document,
            });
            b.settle("")?;
        }
    }
    // 超时默认: a branch whose time ran out and whose rule says so is deemed approved.
    if b.case.status == CaseStatus::InProgress {
        let due: Vec<(String, DateTime<Utc>, u32)> = b
            .case
            .open_steps()
            .iter()
            .filter(|s| s.deemed_allowed && s.outcome.is_none() && s.opened_at.is_some())
            .filter_map(|s| step_due(s, ctx.cal, now).map(|d| (s.key.clone(), d, s.limit_days)))
            .filter(|(_, d, _)| now > *d)
            .collect();
        for (key, due_at, days) in due {
            if b.case.status != CaseStatus::InProgress {
                break;
            }
            b.push(CaseEvent::StepDecided {
                step: key,
                outcome: StepOutcome::DeemedApprove,
                opinion: "超时未答复，视为同意".into(),
                rule: Some(format!(
                    "超时默认：环节时限 {days} 个工作日，{} 到期未答复，依事项规定视为同意",
                    crate::time::format_local(due_at)
                )),
                meeting: false,
            });
            b.settle("")?;
        }
    }
    // 容缺: a deadline passed with materials still missing.
    if let Some(due) = b.case.deferred_due {
        if !b.case.deferred.is_empty()
            && !b.case.deferred_overdue
            && b.case.status.is_open()
            && now > end_of_day(due)
        {
            let missing = b.case.deferred.clone();
            b.push(CaseEvent::DeferredOverdue { missing });
        }
    }
    Ok(())
}

/// The next instant at which [`Command::Tick`] would do something, for the sweeper's index.
pub fn next_timer(case: &Case, cal: &Calendar, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut next: Option<DateTime<Utc>> = None;
    let mut consider = |t: DateTime<Utc>| {
        next = Some(next.map_or(t, |n| n.min(t)));
    };
    let just_after = |t: DateTime<Utc>| t + Duration::milliseconds(1);
    if case.status == CaseStatus::Received && case.notices.is_empty() {
        if let Ok(s) = case.intake_clock.status(cal, now) {
            consider(just_after(s.due_at));
        }
    }
    if case.status == CaseStatus::InProgress {
        for s in case.open_steps() {
            if s.deemed_allowed && s.outcome.is_none() {
                if let Some(d) = step_due(s, cal, now) {
                    consider(just_after(d));
                }
            }
        }
    }
    if let Some(due) = case.deferred_due {
        if !case.deferred.is_empty() && !case.deferred_overdue && case.status.is_open() {
            consider(just_after(end_of_day(due)));
        }
    }
    next
}

/// The committed due date of a case accepted at `from`, on the statutory clock the acceptance
/// starts (the one the case then runs on): what the 受理通知书 names as its date.
fn committed_due(item: &Item, cal: &Calendar, from: DateTime<Utc>) -> Option<NaiveDate> {
    let days = WorkingDays::new(item.committed_limit_days).ok()?;
    crate::calendar::StatutoryClock::new(from, days, crate::calendar::LimitKind::Committed)
        .due_date(cal, from)
        .ok()
}

/// Materials the item lists that the applicant has not handed in, required ones first.
pub fn missing_materials(case: &Case, item: &Item) -> Vec<String> {
    let have: BTreeSet<&String> = case.materials.keys().collect();
    item.materials
        .iter()
        .filter(|m| m.required && !have.contains(&m.key))
        .map(|m| m.key.clone())
        .collect()
}
