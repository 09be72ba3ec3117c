//! The organisation: roles, halls, posts with their substitutes, and who may see what.

use serde::{Deserialize, Serialize};

use crate::region::{Level, RegionCode};

crate::closed_set! {
    /// What a signed-in person is. Staff roles act inside a department and a region subtree.
    pub enum Role {
        Applicant = "applicant" => "申请人",
        Agent = "agent" => "代办员",
        Clerk = "clerk" => "窗口人员",
        Approver = "approver" => "审批人员",
        DeptHead = "dept_head" => "部门负责人",
        Supervisor = "supervisor" => "监察人员",
        /// 法制审核人员: legal affairs, the catalog's second review (复审).
        Legal = "legal" => "法制审核人员",
        /// 中心领导: the centre's leadership, the catalog's final review (审定).
        Leader = "leader" => "中心领导",
        Admin = "admin" => "系统管理员",
        /// 12345话务员: takes calls, files tickets, answers 咨询 on the spot, dispatches, calls back.
        Operator = "operator" => "12345话务员",
        /// 12345中心人员: the hotline centre — dispatch, arbitration of returns, extensions.
        HotlineCentre = "hotline_centre" => "12345中心人员",
    }
}

impl Role {
    pub const STAFF: [Role; 10] = [
        Role::Agent,
        Role::Clerk,
        Role::Approver,
        Role::DeptHead,
        Role::Supervisor,
        Role::Legal,
        Role::Leader,
        Role::Admin,
        Role::Operator,
        Role::HotlineCentre,
    ];

    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }

    /// The 12345 centre's own staff (话务员 and 中心人员), who file, dispatch and call back.
    pub fn is_hotline(self) -> bool {
        matches!(self, Role::Operator | Role::HotlineCentre)
    }

    /// Roles whose work belongs to one department (their scope is that department).
    pub fn is_departmental(self) -> bool {
        matches!(self, Role::Clerk | Role::Approver | Role::DeptHead)
    }

    /// Who may open the 12345 desk (`/hotline`): the centre, the handling units' staff, and
    /// supervision (supervisors, leaders, administrators). Not agents, not applicants.
    pub fn uses_hotline(self) -> bool {
        self.is_hotline()
            || self.is_departmental()
            || matches!(self, Role::Supervisor | Role::Leader | Role::Admin)
    }

    /// Who watches the supervision centre (`/supervision`) over their region: supervisors,
    /// leaders and administrators.
    pub fn watches_board(self) -> bool {
        matches!(self, Role::Supervisor | Role::Leader | Role::Admin)
    }
}

crate::closed_set! {
    /// The kinds of service place in the four-level network.
    pub enum HallKind {
        Centre = "centre" => "政务服务中心",
        SubHall = "sub_hall" => "分厅",
        Township = "township" => "便民服务中心",
        Village = "village" => "代办点",
    }
}

impl HallKind {
    /// Centres and sub-halls serve cities and counties; the others sit at their own level.
    pub fn fits(self, level: Level) -> bool {
        match self {
            HallKind::Centre | HallKind::SubHall => matches!(level, Level::City | Level::County),
            HallKind::Township => level == Level::Township,
            HallKind::Village => level == Level::Village,
        }
    }
}

/// Who is acting, as the server knows them from the session — never from the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// The department of departmental roles and of agents attached to one.
    pub department_id: Option<i64>,
    /// The root of the region subtree a staff member works in. Applicants have none.
    pub region: Option<RegionCode>,
}

impl Actor {
    /// Whether this actor may see records of a region: staff and supervisors see their subtree.
    pub fn sees_region(&self, region: &RegionCode) -> bool {
        self.role.is_staff() && self.region.as_ref().is_some_and(|own| own.contains(region))
    }

    /// Whether this actor may act on the work of a department sitting in `region`.
    pub fn acts_for_department(&self, department_id: i64, region: &RegionCode) -> bool {
        match self.role {
            Role::Applicant => false,
            Role::Clerk | Role::Approver | Role::DeptHead => {
                self.department_id == Some(department_id) && self.sees_region(region)
            }
            Role::Agent => self.sees_region(region),
            Role::Supervisor | Role::Legal | Role::Leader | Role::Admin => self.sees_region(region),
            // The hotline's staff work on tickets, never on a department's cases.
            Role::Operator | Role::HotlineCentre => false,
        }
    }

    /// Whether this actor may read an applicant's own record. Applicants see only themselves;
    /// staff reach applicants through cases, never by browsing.
    pub fn sees_applicant(&self, applicant_id: i64) -> bool {
        match self.role {
            Role::Applicant => self.user_id == applicant_id,
            Role::Admin => true,
            _ => false,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A post (岗位) and the people on it. 同岗替代制: the substitute acts while the holder is away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostHolders {
    pub holder_id: i64,
    pub substitute_id: Option<i64>,
    pub holder_away: bool,
}

impl PostHolders {
    /// Who may act on the post now.
    pub fn acting(&self) -> Option<i64> {
        if self.holder_away {
            self.substitute_id
        } else {
            Some(self.holder_id)
        }
    }

    pub fn may_act(&self, user_id: i64) -> bool {
        self.acting() == Some(user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, dept: Option<i64>, region: &str) -> Actor {
        Actor {
            user_id: 7,
            name: "测试".into(),
            role,
            department_id: dept,
            region: Some(RegionCode::parse(region).unwrap()),
        }
    }

    #[test]
    fn departmental_staff_act_only_for_their_department_in_their_subtree() {
        let clerk = actor(Role::Clerk, Some(3), "361202");
        let here = RegionCode::parse("361202001000").unwrap();
        let elsewhere = RegionCode::parse("361203").unwrap();
        assert!(clerk.acts_for_department(3, &here));
        assert!(!clerk.acts_for_department(4, &here));
        assert!(!clerk.acts_for_department(3, &elsewhere));
    }

    #[test]
    fn supervisors_see_their_subtree_only() {
        let sup = actor(Role::Supervisor, None, "361202");
        assert!(sup.sees_region(&RegionCode::parse("361202001003").unwrap()));
        assert!(!sup.sees_region(&RegionCode::parse("361200").unwrap()));
        assert!(sup.acts_for_department(9, &RegionCode::parse("361202").unwrap()));
    }

    #[test]
    fn applicants_see_only_themselves() {
        let mut me = actor(Role::Applicant, None, "361200");
        me.region = None;
        assert!(me.sees_applicant(7));
        assert!(!me.sees_applicant(8));
        assert!(!me.sees_region(&RegionCode::parse("361200").unwrap()));
        assert!(!actor(Role::Clerk, Some(1), "361200").sees_applicant(8));
    }

    #[test]
    fn every_role_round_trips_through_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::STAFF.len() + 1, Role::ALL.len());
        assert!(Role::STAFF.iter().all(|r| r.is_staff()));
    }

    #[test]
    fn substitute_acts_only_while_the_holder_is_away() {
        let mut post = PostHolders {
            holder_id: 1,
            substitute_id: Some(2),
            holder_away: false,
        };
        assert!(post.may_act(1));
        assert!(!post.may_act(2));
        post.holder_away = true;
        assert!(!post.may_act(1));
        assert!(post.may_act(2));
    }

    #[test]
    fn hall_kinds_sit_at_their_levels() {
        assert!(HallKind::Centre.fits(Level::County));
        assert!(!HallKind::Centre.fits(Level::Village));
        assert!(HallKind::Village.fits(Level::Village));
        assert!(!HallKind::Township.fits(Level::City));
    }
}
