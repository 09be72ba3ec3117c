//! The life of an item version: drafted, reviewed three times by three roles (三审: 初审 by the
//! centre, 复审 by legal affairs, 审定 by leadership), published, and later superseded by a new
//! version, or cancelled, transferred or delegated to a lower level — always with a reason.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::org::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Draft,
    FirstReview,
    SecondReview,
    FinalReview,
    Published,
    Superseded,
    Cancelled,
    Transferred,
    Delegated,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 9] = [
        ItemStatus::Draft,
        ItemStatus::FirstReview,
        ItemStatus::SecondReview,
        ItemStatus::FinalReview,
        ItemStatus::Published,
        ItemStatus::Superseded,
        ItemStatus::Cancelled,
        ItemStatus::Transferred,
        ItemStatus::Delegated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::FirstReview => "first_review",
            ItemStatus::SecondReview => "second_review",
            ItemStatus::FinalReview => "final_review",
            ItemStatus::Published => "published",
            ItemStatus::Superseded => "superseded",
            ItemStatus::Cancelled => "cancelled",
            ItemStatus::Transferred => "transferred",
            ItemStatus::Delegated => "delegated",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Draft => "草稿",
            ItemStatus::FirstReview => "待初审",
            ItemStatus::SecondReview => "待复审",
            ItemStatus::FinalReview => "待审定",
            ItemStatus::Published => "已发布",
            ItemStatus::Superseded => "已被新版本替代",
            ItemStatus::Cancelled => "已取消",
            ItemStatus::Transferred => "已转移",
            ItemStatus::Delegated => "已下放",
        }
    }

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

crate::parse_from_string!(ItemStatus);

/// The three reviews and who does each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    First,
    Second,
    Final,
}

impl ReviewStage {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStage::First => "初审（政务服务中心）",
            ReviewStage::Second => "复审（法制机构）",
            ReviewStage::Final => "审定（中心领导）",
        }
    }

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

/// What someone does to an item version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    Submit,
    Approve,
    Return,
    Cancel,
    Transfer,
    Delegate,
}

impl ItemAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemAction::Submit => "submit",
            ItemAction::Approve => "approve",
            ItemAction::Return => "return",
            ItemAction::Cancel => "cancel",
            ItemAction::Transfer => "transfer",
            ItemAction::Delegate => "delegate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemAction::Submit => "提交审核",
            ItemAction::Approve => "审核通过",
            ItemAction::Return => "退回修改",
            ItemAction::Cancel => "取消",
            ItemAction::Transfer => "转移",
            ItemAction::Delegate => "下放",
        }
    }

    pub fn parse(s: &str) -> Option<ItemAction> {
        [
            ItemAction::Submit,
            ItemAction::Approve,
            ItemAction::Return,
            ItemAction::Cancel,
            ItemAction::Transfer,
            ItemAction::Delegate,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

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

/// The status after `action` by someone in `role`, or why it is refused.
pub fn transition(
    status: ItemStatus,
    action: ItemAction,
    role: Role,
) -> Result<ItemStatus, DomainError> {
    let refuse = |msg: String| Err(DomainError::new("catalog.transition", msg));
    match (status, action) {
        (ItemStatus::Draft, ItemAction::Submit) if may_draft(role) => Ok(ItemStatus::FirstReview),
        (ItemStatus::Draft, ItemAction::Submit) => {
            refuse(format!("{}不能提交事项审核", role.label()))
        }
        (s, ItemAction::Approve | ItemAction::Return) if s.stage().is_some() => {
            let stage = s.stage().expect("matched");
            if role != stage.reviewer() {
                return Err(DomainError::new(
                    "catalog.wrong_reviewer",
                    format!(
                        "{}应由{}办理，您是{}",
                        stage.label(),
                        stage.reviewer().label(),
                        role.label()
                    ),
                ));
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
        assert_eq!(err.code, "catalog.wrong_reviewer");
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
