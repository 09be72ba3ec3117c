//! The organisation as its administrators and staff see it, scoped on the server.

use serde::Deserialize;
use tongban_domain::codes;
use tongban_domain::org::{Actor, HallKind, Role};
use tongban_domain::region::RegionCode;
use tongban_store::org::{Department, Hall, NewHall, Post, Region, Window};
use tongban_store::users::{User, UserFilter};

use crate::error::{invalid, AppError, Result};
use crate::App;

#[derive(Debug, Clone, Deserialize)]
pub struct NewRegionForm {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewHallForm {
    pub name: String,
    pub kind: HallKind,
    pub region_code: String,
    pub parent_hall_id: Option<i64>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub hours: String,
}

/// What one person may see of the organisation: the root of their region subtree and, for
/// departmental roles, their department.
#[derive(Debug, Clone)]
pub struct Scope {
    pub region: Option<RegionCode>,
    pub department_id: Option<i64>,
}

fn non_empty(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 100 {
        return Err(AppError::new(
            codes::Form::Required,
            format!("{field}不能为空，且不超过100个字"),
        ));
    }
    Ok(v.to_string())
}

impl App {
    /// The scope of an actor's organisation views. Applicants have none.
    pub fn scope(&self, actor: &Actor) -> Result<Scope> {
        if !actor.role.is_staff() || actor.region.is_none() {
            return Err(AppError::forbidden());
        }
        let department_id = if actor.role.is_departmental() {
            actor.department_id
        } else {
            None
        };
        Ok(Scope {
            region: actor.region.clone(),
            department_id,
        })
    }

    fn require_admin_of(&self, actor: &Actor, region: &RegionCode) -> Result<()> {
        if actor.is_admin() && actor.sees_region(region) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    pub async fn regions(&self, actor: &Actor) -> Result<Vec<Region>> {
        let scope = self.scope(actor)?;
        Ok(self.store.regions(scope.region.as_ref()).await?)
    }

    /// Adds a region below an existing one. Its parent is implied by its code.
    pub async fn create_region(&self, actor: &Actor, form: &NewRegionForm) -> Result<()> {
        let code = RegionCode::parse(&form.code).map_err(invalid)?;
        let name = non_empty("区划名称", &form.name)?;
        let parent = code.parent().ok_or_else(|| {
            AppError::new(codes::Region::Parent, "市级区划由系统初始化，不能在此添加")
        })?;
        self.require_admin_of(actor, &parent)?;
        if self.store.region(&parent).await?.is_none() {
            return Err(AppError::new(
                codes::Region::Parent,
                format!("上级区划 {parent} 尚未建立，请先添加上级区划"),
            ));
        }
        let region = Region {
            level: code.level(),
            parent_code: Some(parent.to_string()),
            code: code.clone(),
            name: name.clone(),
        };
        let entry = self
            .entry(
                actor,
                "region.create",
                format!("region:{code}"),
                format!("新建区划 {name}（{}）", code.level().label()),
            )
            .in_region(&code);
        Ok(self.store.create_region(&region, entry).await?)
    }

    pub async fn departments(&self, actor: &Actor) -> Result<Vec<Department>> {
        let scope = self.scope(actor)?;
        let all = self.store.departments(scope.region.as_ref()).await?;
        Ok(all
            .into_iter()
            .filter(|d| scope.department_id.is_none_or(|id| id == d.id))
            .collect())
    }

    pub async fn create_department(&self, actor: &Actor, name: &str, region: &str) -> Result<i64> {
        let region = RegionCode::parse(region).map_err(invalid)?;
        let name = non_empty("部门名称", name)?;
        self.require_admin_of(actor, &region)?;
        if self.store.region(&region).await?.is_none() {
            return Err(AppError::of(codes::Region::Missing));
        }
        let entry = self
            .entry(
                actor,
                "department.create",
                String::new(),
                format!("新建部门 {name}"),
            )
            .in_region(&region);
        Ok(self.store.create_department(&name, &region, entry).await?)
    }

    pub async fn halls(&self, actor: &Actor) -> Result<Vec<Hall>> {
        let scope = self.scope(actor)?;
        Ok(self.store.halls(scope.region.as_ref()).await?)
    }

    /// Adds a service place. Its kind must fit its region's level (a 代办点 in a village, a
    /// 便民服务中心 in a township); a sub-hall hangs under a centre.
    pub async fn create_hall(&self, actor: &Actor, form: &NewHallForm) -> Result<i64> {
        let region = RegionCode::parse(&form.region_code).map_err(invalid)?;
        self.require_admin_of(actor, &region)?;
        if !form.kind.fits(region.level()) {
            return Err(AppError::new(
                codes::Hall::Level,
                format!(
                    "{}不能设在{}一级",
                    form.kind.label(),
                    region.level().label()
                ),
            ));
        }
        if self.store.region(&region).await?.is_none() {
            return Err(AppError::of(codes::Region::Missing));
        }
        let parent = match (form.kind, form.parent_hall_id) {
            (HallKind::SubHall, None) => {
                return Err(AppError::new(
                    codes::Hall::Parent,
                    "分厅须指定所属的政务服务中心",
                ))
            }
            (_, Some(id)) => {
                let p = self
                    .store
                    .hall(id)
                    .await?
                    .ok_or_else(|| AppError::not_found("上级大厅"))?;
                if p.kind != HallKind::Centre || !actor.sees_region(&p.region_code) {
                    return Err(AppError::of(codes::Hall::Parent));
                }
                Some(id)
            }
            (_, None) => None,
        };
        let hall = NewHall {
            name: non_empty("大厅名称", &form.name)?,
            kind: form.kind,
            region_code: region,
            parent_hall_id: parent,
            address: form.address.trim().to_string(),
            hours: form.hours.trim().to_string(),
        };
        let entry = self
            .entry(
                actor,
                "hall.create",
                String::new(),
                format!("新建{} {}", hall.kind.label(), hall.name),
            )
            .in_region(&hall.region_code);
        Ok(self.store.create_hall(&hall, entry).await?)
    }

    pub async fn windows(&self, actor: &Actor) -> Result<Vec<Window>> {
        let scope = self.scope(actor)?;
        Ok(self
            .store
            .windows(scope.region.as_ref(), scope.department_id)
            .await?)
    }

    /// Stations a department's window in a hall. Both must be in the administrator's region.
    pub async fn create_window(
        &self,
        actor: &Actor,
        hall_id: i64,
        department_id: i64,
        number: &str,
        name: &str,
    ) -> Result<i64> {
        let hall = self
            .store
            .hall(hall_id)
            .await?
            .ok_or_else(|| AppError::not_found("大厅"))?;
        let dept = self
            .store
            .department(department_id)
            .await?
            .ok_or_else(|| AppError::not_found("部门"))?;
        self.require_admin_of(actor, &hall.region_code)?;
        self.require_admin_of(actor, &dept.region_code)?;
        let number = non_empty("窗口编号", number)?;
        let name = non_empty("窗口名称", name)?;
        let entry = self
            .entry(
                actor,
                "window.create",
                String::new(),
                format!("{} 设窗口 {number} {name}（{}）", hall.name, dept.name),
            )
            .in_region(&hall.region_code);
        Ok(self
            .store
            .create_window(hall_id, department_id, &number, &name, entry)
            .await?)
    }

    pub async fn posts(&self, actor: &Actor) -> Result<Vec<Post>> {
        let scope = self.scope(actor)?;
        Ok(self
            .store
            .posts(scope.region.as_ref(), scope.department_id)
            .await?)
    }

    /// Creates a post with its holder and substitute (同岗替代): both from the post's
    /// department, and never the same person.
    pub async fn create_post(
        &self,
        actor: &Actor,
        department_id: i64,
        name: &str,
        holder_id: i64,
        substitute_id: Option<i64>,
    ) -> Result<i64> {
        let dept = self
            .store
            .department(department_id)
            .await?
            .ok_or_else(|| AppError::not_found("部门"))?;
        self.require_admin_of(actor, &dept.region_code)?;
        let name = non_empty("岗位名称", name)?;
        if substitute_id == Some(holder_id) {
            return Err(AppError::of(codes::Post::SubstituteSelf));
        }
        for id in std::iter::once(holder_id).chain(substitute_id) {
            let u = self
                .store
                .user(id)
                .await?
                .ok_or_else(|| AppError::not_found("人员"))?;
            if u.department_id != Some(department_id) {
                return Err(AppError::new(
                    codes::Post::Department,
                    format!("{} 不属于{}", u.name, dept.name),
                ));
            }
        }
        let entry = self
            .entry(
                actor,
                "post.create",
                String::new(),
                format!("{} 新建岗位 {name}", dept.name),
            )
            .in_region(&dept.region_code);
        Ok(self
            .store
            .create_post(department_id, &name, holder_id, substitute_id, entry)
            .await?)
    }

    /// Staff the actor may see: an administrator or supervisor their region, a department
    /// member their department.
    pub async fn staff(&self, actor: &Actor) -> Result<Vec<User>> {
        let scope = self.scope(actor)?;
        let filter = UserFilter {
            region: scope.region,
            department_id: scope.department_id,
            role: None,
            staff_only: true,
        };
        Ok(self.store.users(&filter).await?)
    }

    /// Applicants, for administrators only (to unlock an account); staff reach applicants
    /// through their cases.
    pub async fn applicants(&self, actor: &Actor) -> Result<Vec<User>> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        let filter = UserFilter {
            role: Some(Role::Applicant),
            ..UserFilter::default()
        };
        Ok(self.store.users(&filter).await?)
    }
}
