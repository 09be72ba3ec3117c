//! What someone may do to a case now. Each action's guard — who is acting, and whether the case
//! is at a point where the action exists — is written once here: [`handle`](super::handle)
//! refuses what it refuses before looking at a command's content, and [`offers`] lists what it
//! allows, so a page offers exactly the actions the engine would take.

use serde::Serialize;

use crate::codes;
use crate::error::DomainError;
use crate::org::Role;

use super::engine::{
    actor, require_applicant_side, require_head, require_status, require_step, require_window, Ctx,
};
use super::model::{Case, CaseStatus};
use crate::catalog::HandlingKind;

crate::closed_set! {
    /// The actions on a case a person may take (the clock's tick is the system's, not offered).
    pub enum Action {
        HandOver = "hand_over" => "移交首问责任",
        NoticeSupplement = "notice_supplement" => "一次性告知补正",
        AddMaterials = "add_materials" => "补交材料",
        Accept = "accept" => "受理",
        AcceptAndDecide = "accept_and_decide" => "即办：受理并办结",
        NotAccept = "not_accept" => "不予受理",
        Decide = "decide" => "办理环节",
        ReturnTo = "return_to" => "退回",
        Reassign = "reassign" => "转办",
        Meeting = "meeting" => "会审",
        StartSpecial = "start_special" => "启动特殊程序",
        EndSpecial = "end_special" => "结束特殊程序",
        RequestExtension = "request_extension" => "申请延期",
        DecideExtension = "decide_extension" => "审批延期",
        AssessFees = "assess_fees" => "核定收费",
        PayFee = "pay_fee" => "缴费",
        RequestWaiver = "request_waiver" => "申请减免",
        DecideWaiver = "decide_waiver" => "审批减免",
        Deliver = "deliver" => "送达结果",
        Withdraw = "withdraw" => "撤回申请",
    }
}

impl Action {
    /// Whether the action is taken on one step of the process (and offered once per step).
    pub fn on_a_step(self) -> bool {
        matches!(self, Action::Decide | Action::ReturnTo | Action::Reassign)
    }
}

/// One action offered, with the step it is for when it is taken on a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub action: Action,
    pub step: Option<String>,
}

/// Whether the actor in `ctx` may take `action` on `case` now (for a step action, on `step`).
/// The refusal is the one [`handle`](super::handle) gives.
pub fn permits(
    action: Action,
    step: Option<&str>,
    case: &Case,
    ctx: &Ctx<'_>,
) -> Result<(), DomainError> {
    let step = || step.ok_or_else(|| codes::Case::StepUnknown.with("未指明环节"));
    match action {
        Action::HandOver => {
            let a = actor(ctx)?;
            let holder = case.first_responder.as_ref().map(|s| s.user_id);
            if holder != Some(a.user_id) && require_head(ctx, case).is_err() {
                return Err(codes::Case::NotFirstResponder.err());
            }
            if !case.status.is_open() {
                return Err(codes::Case::Closed.err());
            }
        }
        Action::NoticeSupplement => {
            require_window(ctx, case)?;
            require_status(case, &[CaseStatus::Received], "发出补正通知")?;
        }
        Action::AddMaterials => {
            require_applicant_side(ctx, case)?;
            require_status(
                case,
                &[
                    CaseStatus::Received,
                    CaseStatus::AwaitingSupplement,
                    CaseStatus::InProgress,
                    CaseStatus::Suspended,
                ],
                "补交材料",
            )?;
        }
        Action::Accept | Action::AcceptAndDecide => {
            if action == Action::AcceptAndDecide && ctx.item.handling != HandlingKind::Instant {
                return Err(codes::Case::NotInstant.err());
            }
            require_window(ctx, case)?;
            require_status(case, &[CaseStatus::Received], "受理")?;
        }
        Action::NotAccept => {
            require_window(ctx, case)?;
            require_status(
                case,
                &[CaseStatus::Received, CaseStatus::AwaitingSupplement],
                "作出不予受理决定",
            )?;
        }
        Action::Decide | Action::ReturnTo => {
            let what = if action == Action::Decide {
                "办理环节"
            } else {
                "退回"
            };
            require_status(case, &[CaseStatus::InProgress], what)?;
            require_step(ctx, case, step()?)?;
        }
        Action::Reassign => {
            require_status(
                case,
                &[CaseStatus::InProgress, CaseStatus::Suspended],
                "转办",
            )?;
            let key = step()?;
            let track = case.step(key).ok_or_else(|| {
                codes::Case::StepUnknown.with(format!("该事项版本没有环节“{key}”"))
            })?;
            if track.outcome.is_some() || track.opened_at.is_none() {
                return Err(codes::Case::StepNotOpen.with("只能转办正在办理的环节"));
            }
            let a = actor(ctx)?;
            let head = a.role == Role::DeptHead
                && a.acts_for_department(track.department_id, &case.item.region);
            if !head {
                require_step(ctx, case, key)?;
            }
        }
        Action::Meeting => {
            require_status(case, &[CaseStatus::InProgress], "会审")?;
            require_head(ctx, case)?;
        }
        Action::StartSpecial => {
            require_status(case, &[CaseStatus::InProgress], "启动特殊程序")?;
            actor(ctx)?;
            if !on_an_open_step(case, ctx) && require_head(ctx, case).is_err() {
                return Err(codes::Case::NotYourStep.with("只有当前环节的办理人可以启动特殊程序"));
            }
        }
        Action::EndSpecial => {
            let Some(special) = &case.special else {
                return Err(codes::Case::NoSpecial.err());
            };
            let a = actor(ctx)?;
            if special.by.user_id != a.user_id && require_head(ctx, case).is_err() {
                return Err(
                    codes::Case::NotYourStep.with("只有启动人或主办部门负责人可以结束特殊程序")
                );
            }
        }
        Action::RequestExtension => {
            require_status(
                case,
                &[CaseStatus::InProgress, CaseStatus::Suspended],
                "申请延期",
            )?;
            if !on_an_open_step(case, ctx) {
                return Err(codes::Case::NotYourStep.with("只有当前环节的办理人可以申请延期"));
            }
            if case.extension_request.is_some() {
                return Err(codes::Case::ExtensionPending.err());
            }
            if case.extensions_granted > 0 {
                return Err(codes::Case::ExtensionUsed.err());
            }
        }
        Action::DecideExtension => {
            require_head(ctx, case)?;
            if case.extension_request.is_none() {
                return Err(codes::Case::NoExtension.err());
            }
        }
        Action::AssessFees => {
            require_window(ctx, case)?;
            if case.fees.paid.is_some() {
                return Err(codes::Case::FeePaid.err());
            }
        }
        Action::PayFee => {
            require_window(ctx, case)?;
            if case.accepted.is_none() || !case.status.is_open() {
                return Err(codes::Case::WrongStatus.with("办件当前不能缴费"));
            }
            if case.fees.total_fen() == 0 {
                return Err(codes::Case::NoFee.with("本件无需缴费"));
            }
            if case.fees.paid.is_some() || case.fees.waived.is_some() {
                return Err(codes::Case::FeeSettled.err());
            }
        }
        Action::RequestWaiver => {
            require_window(ctx, case)?;
            if case.fees.total_fen() == 0 || case.fees.paid.is_some() {
                return Err(codes::Case::NoFee.err());
            }
            if case.fees.waiver_requested.is_some() || case.fees.waived.is_some() {
                return Err(codes::Case::WaiverPending.err());
            }
        }
        Action::DecideWaiver => {
            require_head(ctx, case)?;
            if case.fees.waiver_requested.is_none() {
                return Err(codes::Case::NoWaiver.err());
            }
        }
        Action::Deliver => {
            require_window(ctx, case)?;
            require_status(case, &[CaseStatus::Decided], "送达结果")?;
        }
        Action::Withdraw => {
            require_applicant_side(ctx, case)?;
            if !case.status.before_decision() {
                return Err(codes::Case::WrongStatus.with("已作出决定的办件不能撤回"));
            }
        }
    }
    Ok(())
}

/// Whether the actor holds one of the case's open steps.
fn on_an_open_step(case: &Case, ctx: &Ctx<'_>) -> bool {
    case.open_steps()
        .iter()
        .any(|s| require_step(ctx, case, &s.key).is_ok())
}

/// Every action the actor in `ctx` may take on `case` now; step actions once per open step.
pub fn offers(case: &Case, ctx: &Ctx<'_>) -> Vec<Offer> {
    let mut out = Vec::new();
    for action in Action::ALL {
        if action.on_a_step() {
            for s in case.open_steps() {
                if permits(action, Some(&s.key), case, ctx).is_ok() {
                    out.push(Offer {
                        action,
                        step: Some(s.key.clone()),
                    });
                }
            }
        } else if permits(action, None, case, ctx).is_ok() {
            out.push(Offer { action, step: None });
        }
    }
    out
}
