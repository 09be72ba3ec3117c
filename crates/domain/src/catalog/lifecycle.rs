//! The life of an item version: drafted, reviewed three times by three roles (三审: 初审 by the
//! centre, 复审 by legal affairs, 审定 by leadership), published, and later superseded by a new
//! version, or cancelled, transferred or delegated to a lower level — always with a reason.

use crate::codes;
use crate::error::DomainError;
use crate::org::Role;

crate::closed_set! {
    pub enum ItemStatus {
        Draft = "draft" => "草稿",
        FirstReview = "first_review" => "待初审",
        SecondReview = "second_review" => "待复审",
        FinalReview = "final_review" => "待审定",
        Published = "published" => "已发布",
        Superseded = "superseded" => "已被新版本替代",
        Cancelled = "cancelled" => "已取消",
        Transferred = "transferred" => "已转移",
        Delegated = "delegated" => "已下放",
    }
}

impl ItemStatus {
    /// The review waiting on this version, if any.
    pub fn stage(self) -> Option<ReviewStage> {
        match self {
            ItemStatus::FirstReview => Some(ReviewStage::First),
            ItemStatus::SecondReview => Some(ReviewStage::Second),
            ItemStatus::FinalReview => Some(ReviewStage::Final),
            _ => None,
        }
    }

    /// Only a draft may be edited; every other state is fixed evidence.
    pub fn editable(self) -> bool {
        self == ItemStatus::Draft
    }
}

crate::closed_set! {
    /// The three reviews and who does each.
    pub enum ReviewStage {
        First = "first" => "初审（政务服务中心）",
        Second = "second" => "复审（法制机构）",
        Final = "final" => "审定（中心领导）",
    }
}

impl ReviewStage {
    pub fn reviewer(self) -> Role {
        match self {
            ReviewStage::First => Role::Supervisor,
            ReviewStage::Second => Role::Legal,
            ReviewStage::Final => Role::Leader,
        }
    }

    fn after_approval(self) -> ItemStatus {
        match self {
            ReviewStage::First => ItemStatus::SecondReview,
            ReviewStage::Second => ItemStatus::FinalReview,
            ReviewStage::Final => ItemStatus::Published,
        }
    }
}

crate::closed_set! {
    /// What someone does to an item version.
    pub enum ItemAction {
        Submit = "submit" => "提交审核",
        Approve = "approve" => "审核通过",
        Return = "return" => "退回修改",
        Cancel = "cancel" => "取消",
        Transfer = "transfer" => "转移",
        Delegate = "delegate" => "下放",
    }
}

impl ItemAction {
    /// Actions that must carry a reason (returns and every end of an item's life).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            ItemAction::Return | ItemAction::Cancel | ItemAction::Transfer | ItemAction::Delegate
        )
    }
}

/// Roles that draft and submit items: the implementing department's approvers and head, and
/// the platform's administrators.
pub fn may_draft(role: Role) -> bool {
    matches!(role, Role::Approver | Role::DeptHead | Role::Admin)
}

/// Roles that may read the catalog's working side (drafts, reviews, versions, history): the
/// staff of the implementing department (their own department's items only), the three
/// reviewers and administrators. Agents and applicants read published guides only.
pub fn sees_drafts(role: Role) -> bool {
    matches!(
        role,
        Role::Clerk
            | Role::Approver
            | Role::DeptHead
            | Role::Supervisor
            | Role::Legal
            | Role::Leader
            | Role::Admin
    )
}

/// The status after `action` by someone in `role`, or why it is refused.
pub fn transition(
    status: ItemStatus,
    action: ItemAction,
    role: Role,
) -> Result<ItemStatus, DomainError> {
    let refuse = |msg: String| Err(codes::Catalog::Transition.with(msg));
    match (status, action) {
        (ItemStatus::Draft, ItemAction::Submit) if may_draft(role) => Ok(ItemStatus::FirstReview),
        (ItemStatus::Draft, ItemAction::Submit) => {
            refuse(format!("{}不能提交事项审核", role.label()))
        }
        (s, ItemAction::Approve | ItemAction::Return) if s.stage().is_some() => {
            let stage = s.stage().expect("matched");
            if role != stage.reviewer() {
                return Err(codes::Catalog::WrongReviewer.with(format!(
                    "{}应由{}办理，您是{}",
                    stage.label(),
                    stage.reviewer().label(),
                    role.label()
                )));
            }
            Ok(if action == ItemAction::Approve {
                stage.after_approval()
            } else {
                ItemStatus::Draft
            })
        }
        (
            ItemStatus::Published,
            ItemAction::Cancel | ItemAction::Transfer | ItemAction::Delegate,
        ) if role == Role::Admin => Ok(match action {
            ItemAction::Cancel => ItemStatus::Cancelled,
            ItemAction::Transfer => ItemStatus::Transferred,
            _ => ItemStatus::Delegated,
        }),
        (s, a) => refuse(format!("处于“{}”状态的事项不能{}", s.label(), a.label())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_reviews_by_three_roles_publish_an_item() {
        let mut s = transition(ItemStatus::Draft, ItemAction::Submit, Role::DeptHead).unwrap();
        assert_eq!(s, ItemStatus::FirstReview);
        for role in [Role::Supervisor, Role::Legal, Role::Leader] {
            s = transition(s, ItemAction::Approve, role).unwrap();
        }
        assert_eq!(s, ItemStatus::Published);
    }

    #[test]
    fn each_review_belongs_to_its_role() {
        let err =
            transition(ItemStatus::FirstReview, ItemAction::Approve, Role::Leader).unwrap_err();
        assert_eq!(err.code, codes::Catalog::WrongReviewer);
        assert!(transition(
            ItemStatus::SecondReview,
            ItemAction::Approve,
            Role::Supervisor
        )
        .is_err());
        assert!(transition(ItemStatus::FinalReview, ItemAction::Approve, Role::Legal).is_err());
        assert!(transition(ItemStatus::Draft, ItemAction::Submit, Role::Clerk).is_err());
    }

    #[test]
    fn any_review_may_return_the_draft() {
        for (s, role) in [
            (ItemStatus::FirstReview, Role::Supervisor),
            (ItemStatus::SecondReview, Role::Legal),
            (ItemStatus::FinalReview, Role::Leader),
        ] {
            assert_eq!(
                transition(s, ItemAction::Return, role).unwrap(),
                ItemStatus::Draft
            );
        }
        assert!(ItemAction::Return.needs_reason());
    }

    #[test]
    fn only_a_published_item_ends_and_only_by_an_administrator() {
        assert_eq!(
            transition(ItemStatus::Published, ItemAction::Delegate, Role::Admin).unwrap(),
            ItemStatus::Delegated
        );
        assert!(transition(ItemStatus::Published, ItemAction::Cancel, Role::DeptHead).is_err());
        assert!(transition(ItemStatus::Draft, ItemAction::Cancel, Role::Admin).is_err());
        assert!(
            transition(ItemStatus::Published, ItemAction::Submit, Role::Admin).is_err(),
            "a published version changes only through a new version"
        );
    }
}
