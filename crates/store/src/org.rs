//! The organisation: regions, departments, halls, windows and posts.

use serde::Serialize;
use tongban_domain::audit::AuditEntry;
use tongban_domain::org::HallKind;
use tongban_domain::region::{Level, RegionCode};

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Region {
    #[sqlx(try_from = "String")]
    pub code: RegionCode,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub level: Level,
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Department {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub region_code: RegionCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Hall {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: HallKind,
    #[sqlx(try_from = "String")]
    pub region_code: RegionCode,
    pub parent_hall_id: Option<i64>,
    pub address: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewHall {
    pub name: String,
    pub kind: HallKind,
    pub region_code: RegionCode,
    pub parent_hall_id: Option<i64>,
    pub address: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Window {
    pub id: i64,
    pub hall_id: i64,
    pub hall_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub number: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Post {
    pub id: i64,
    pub department_id: i64,
    pub name: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub holder_away: bool,
    pub substitute_id: Option<i64>,
    pub substitute_name: Option<String>,
}

/// `LIKE` pattern for a region subtree; `%` (everything) when there is no root.
fn subtree(root: Option<&RegionCode>) -> String {
    format!("{}%", root.map_or("", RegionCode::prefix))
}

const WINDOWS: &str = "SELECT w.id, w.hall_id, h.name AS hall_name, w.department_id,
        d.name AS department_name, w.number, w.name
    FROM windows w JOIN halls h ON h.id = w.hall_id JOIN departments d ON d.id = w.department_id";

const POSTS: &str = "SELECT p.id, p.department_id, p.name, p.holder_id, h.name AS holder_name,
        h.away AS holder_away, p.substitute_id, s.name AS substitute_name
    FROM posts p JOIN users h ON h.id = p.holder_id LEFT JOIN users s ON s.id = p.substitute_id";

impl Store {
    pub async fn create_region(&self, region: &Region, audit: AuditEntry) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4)",
            )
            .bind(region.code.as_str())
            .bind(&region.name)
            .bind(region.level.as_str())
            .bind(&region.parent_code)
            .execute(&mut *tx)
            .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn region(&self, code: &RegionCode) -> Result<Option<Region>> {
        Ok(read!(self, |db| {
            sqlx::query_as("SELECT code, name, level, parent_code FROM regions WHERE code = $1")
                .bind(code.as_str())
                .fetch_optional(db)
                .await?
        }))
    }

    /// Regions in a subtree (all when `root` is `None`), in code order.
    pub async fn regions(&self, root: Option<&RegionCode>) -> Result<Vec<Region>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT code, name, level, parent_code FROM regions WHERE code LIKE $1 ORDER BY code",
            )
            .bind(subtree(root))
            .fetch_all(db)
            .await?
        }))
    }

    pub async fn create_department(
        &self,
        name: &str,
        region: &RegionCode,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO departments (name, region_code) VALUES ($1, $2) RETURNING id",
            )
            .bind(name)
            .bind(region.as_str())
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("department:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    pub async fn department(&self, id: i64) -> Result<Option<Department>> {
        Ok(read!(self, |db| {
            sqlx::query_as("SELECT id, name, region_code FROM departments WHERE id = $1")
                .bind(id)
                .fetch_optional(db)
                .await?
        }))
    }

    pub async fn departments(&self, root: Option<&RegionCode>) -> Result<Vec<Department>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT id, name, region_code FROM departments WHERE region_code LIKE $1
                 ORDER BY region_code, id",
            )
            .bind(subtree(root))
            .fetch_all(db)
            .await?
        }))
    }

    pub async fn create_hall(&self, hall: &NewHall, audit: AuditEntry) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO halls (name, kind, region_code, parent_hall_id, address, hours)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&hall.name)
            .bind(hall.kind.as_str())
            .bind(hall.region_code.as_str())
            .bind(hall.parent_hall_id)
            .bind(&hall.address)
            .bind(&hall.hours)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("hall:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    pub async fn hall(&self, id: i64) -> Result<Option<Hall>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT id, name, kind, region_code, parent_hall_id, address, hours
                 FROM halls WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(db)
            .await?
        }))
    }

    pub async fn halls(&self, root: Option<&RegionCode>) -> Result<Vec<Hall>> {
        Ok(read!(self, |db| {
            sqlx::query_as(
                "SELECT id, name, kind, region_code, parent_hall_id, address, hours
                 FROM halls WHERE region_code LIKE $1 ORDER BY region_code, id",
            )
            .bind(subtree(root))
            .fetch_all(db)
            .await?
        }))
    }

    pub async fn create_window(
        &self,
        hall_id: i64,
        department_id: i64,
        number: &str,
        name: &str,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO windows (hall_id, department_id, number, name)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(hall_id)
            .bind(department_id)
            .bind(number)
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("window:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    /// Windows of halls in a subtree, optionally of one department.
    /// One window with its hall and department.
    pub async fn window(&self, id: i64) -> Result<Option<Window>> {
        let sql = format!("{WINDOWS} WHERE w.id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// The region code of a hall.
    pub async fn hall_region(&self, hall_id: i64) -> Result<Option<String>> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT region_code FROM halls WHERE id = $1"
        )
        .bind(hall_id)
        .fetch_optional(db)
        .await?))
    }

    pub async fn windows(
        &self,
        root: Option<&RegionCode>,
        department_id: Option<i64>,
    ) -> Result<Vec<Window>> {
        let sql = format!(
            "{WINDOWS} WHERE h.region_code LIKE $1 AND ($2 IS NULL OR w.department_id = $2)
             ORDER BY h.id, w.number"
        );
        Ok(read!(self, |db| {
            sqlx::query_as(&sql)
                .bind(subtree(root))
                .bind(department_id)
                .fetch_all(db)
                .await?
        }))
    }

    pub async fn create_post(
        &self,
        department_id: i64,
        name: &str,
        holder_id: i64,
        substitute_id: Option<i64>,
        audit: AuditEntry,
    ) -> Result<i64> {
        Ok(write!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO posts (department_id, name, holder_id, substitute_id)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(department_id)
            .bind(name)
            .bind(holder_id)
            .bind(substitute_id)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                self,
                tx,
                AuditEntry {
                    target: format!("post:{id}"),
                    ..audit
                }
            );
            id
        }))
    }

    pub async fn post(&self, id: i64) -> Result<Option<Post>> {
        let sql = format!("{POSTS} WHERE p.id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// Posts of one department, or of every department in a subtree.
    pub async fn posts(
        &self,
        root: Option<&RegionCode>,
        department_id: Option<i64>,
    ) -> Result<Vec<Post>> {
        let sql = format!(
            "{POSTS} JOIN departments d ON d.id = p.department_id
             WHERE d.region_code LIKE $1 AND ($2 IS NULL OR p.department_id = $2)
             ORDER BY p.department_id, p.id"
        );
        Ok(read!(self, |db| {
            sqlx::query_as(&sql)
                .bind(subtree(root))
                .bind(department_id)
                .fetch_all(db)
                .await?
        }))
    }

    /// The posts of several departments in one read (a case's steps span up to a handful).
    pub async fn posts_of(&self, department_ids: &[i64]) -> Result<Vec<Post>> {
        // A list bound as one text value works the same on both backends; the posts table is
        // small, so matching each row against it costs less than a query per department.
        let list = department_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "{POSTS} WHERE (',' || $1 || ',') LIKE ('%,' || CAST(p.department_id AS TEXT) || ',%')
             ORDER BY p.department_id, p.id"
        );
        Ok(read!(self, |db| {
            sqlx::query_as(&sql).bind(&list).fetch_all(db).await?
        }))
    }

    pub async fn set_post_substitute(
        &self,
        post_id: i64,
        substitute_id: Option<i64>,
        audit: AuditEntry,
    ) -> Result<()> {
        write!(self, |tx| {
            sqlx::query("UPDATE posts SET substitute_id = $1 WHERE id = $2")
                .bind(substitute_id)
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
            audit!(self, tx, audit);
        });
        Ok(())
    }
}
