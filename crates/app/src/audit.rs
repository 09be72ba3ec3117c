//! Reading and checking the audit chain: supervisors and administrators only.
//!
//! A record keeps its action and object as keys (`case.accepted`, `user:42`), which is what its
//! hash covers. A reader sees them in words: the action's label from the domain's
//! [`AuditAction`], and the object named (a case by its number and item, an account by its
//! holder's name) with the page that shows it.

use std::collections::HashMap;

use tongban_domain::audit::{AuditAction, AuditObject, AuditObjectKind, AuditRecord};
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::{Level, RegionCode};
use tongban_store::audit::{AuditScope, Verified};

use crate::error::{AppError, Result};
use crate::App;

/// One record as a person reads it.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub record: AuditRecord,
    /// Who acted, by name (the record's `name#id` without the id; 系统 for the system).
    pub actor_name: String,
    /// The actor's role in words.
    pub role_label: String,
    /// The action in words ([`AuditAction::label_of`]).
    pub action_label: &'static str,
    /// The object named, when the record is about one.
    pub object: Option<ObjectName>,
    /// The region's name, or 全市 for a deployment-level record.
    pub region_name: String,
}

/// An object of a record, named and linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectName {
    pub kind: AuditObjectKind,
    /// What the object is called: 办件 2026… · 个体工商户设立登记, 账号 张三, 部门 市场监管局.
    pub name: String,
    /// The page that shows it, when there is one.
    pub href: Option<String>,
}

/// Names already looked up while reading one page (a page of 50 records often names the same
/// case or account many times).
#[derive(Default)]
struct Names {
    seen: HashMap<String, Option<(String, Option<String>)>>,
}

impl App {
    /// The newest records this reader may read, 50 at a time. The administrator reads the whole
    /// deployment; a supervisor reads the records of his region's subtree, and the
    /// deployment-level ones (no region) only when his region is a whole city.
    pub async fn audit_page(&self, actor: &Actor, before: Option<i64>) -> Result<Vec<AuditRecord>> {
        let scope = match (actor.role, &actor.region) {
            (Role::Admin, _) => AuditScope::All,
            (Role::Supervisor, Some(region)) => AuditScope::Region {
                region,
                deployment: region.level() == Level::City,
            },
            _ => return Err(AppError::forbidden()),
        };
        Ok(self.store.audit_page_in(scope, before, 50).await?)
    }

    /// [`App::audit_page`] in words: each action's label, each object named and linked.
    pub async fn audit_lines(&self, actor: &Actor, before: Option<i64>) -> Result<Vec<AuditLine>> {
        let records = self.audit_page(actor, before).await?;
        let mut names = Names::default();
        let mut regions: HashMap<String, String> = HashMap::new();
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let object = match AuditObject::parse(&record.entry.target) {
                Some(o) => Some(self.name_object(&o, &mut names).await?),
                None => None,
            };
            let region_name = match &record.entry.region {
                None => "全市".to_string(),
                Some(code) => match regions.get(code.as_str()) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self.region_name(code).await?;
                        regions.insert(code.as_str().to_string(), n.clone());
                        n
                    }
                },
            };
            let (actor_name, role_label) = actor_words(&record.entry.actor, &record.entry.role);
            out.push(AuditLine {
                action_label: AuditAction::label_of(&record.entry.action),
                actor_name,
                role_label,
                object,
                region_name,
                record,
            });
        }
        Ok(out)
    }

    async fn region_name(&self, code: &RegionCode) -> Result<String> {
        Ok(self
            .store
            .region(code)
            .await?
            .map_or_else(|| code.as_str().to_string(), |r| r.name))
    }

    /// Names one object; what cannot be found any more is named by its kind and key.
    async fn name_object(&self, o: &AuditObject, names: &mut Names) -> Result<ObjectName> {
        let cache_key = format!("{}:{}", o.kind.as_str(), o.key);
        let found = match names.seen.get(&cache_key) {
            Some(f) => f.clone(),
            None => {
                let f = self.look_up(o).await?;
                names.seen.insert(cache_key, f.clone());
                f
            }
        };
        let kind = o.kind.label();
        Ok(match found {
            Some((name, href)) => ObjectName {
                kind: o.kind,
                name: format!("{kind} {name}"),
                href: href.or_else(|| o.href()),
            },
            None => ObjectName {
                kind: o.kind,
                name: format!("{kind} {}", short_key(o)),
                href: o.href(),
            },
        })
    }

    /// The object's own name (and a better page than the kind's list, when there is one).
    async fn look_up(&self, o: &AuditObject) -> Result<Option<(String, Option<String>)>> {
        let id = o.key.parse::<i64>().ok();
        if let Some(kind) = o.subject_kind() {
            return Ok(self
                .store
                .subject(kind, &o.key)
                .await?
                .map(|s| (format!("{} · {}", s.number, s.title), None)));
        }
        Ok(match (o.kind, id) {
            (AuditObjectKind::User, Some(id)) => self.store.user(id).await?.map(|u| {
                let page = if u.role == Role::Applicant {
                    "/admin/applicants"
                } else {
                    "/admin/staff"
                };
                (
                    format!("{}（{}）", u.name, u.role.label()),
                    Some(page.to_string()),
                )
            }),
            (AuditObjectKind::Item, Some(id)) => self.store.item(id).await?.map(|i| (i.name, None)),
            (AuditObjectKind::Department, Some(id)) => {
                self.store.department(id).await?.map(|d| (d.name, None))
            }
            (AuditObjectKind::Hall, Some(id)) => self.store.hall(id).await?.map(|h| (h.name, None)),
            (AuditObjectKind::Window, Some(id)) => self
                .store
                .window(id)
                .await?
                .map(|w| (format!("{} {} 号窗口", w.hall_name, w.number), None)),
            (AuditObjectKind::Post, Some(id)) => self.store.post(id).await?.map(|p| (p.name, None)),
            // An order is named by what it is about, and leads there.
            (AuditObjectKind::Order, Some(id)) => match self.store.order(id).await? {
                Some(order) => {
                    let title = self
                        .store
                        .subject(order.subject_kind, &order.subject_number)
                        .await?
                        .map_or_else(String::new, |s| format!(" · {}", s.title));
                    Some((
                        format!(
                            "第 {id} 号：{} {}{title}",
                            order.subject_kind.label(),
                            order.subject_number
                        ),
                        Some(order.subject_kind.path(&order.subject_number)),
                    ))
                }
                None => None,
            },
            (AuditObjectKind::Admonition, Some(id)) => self
                .store
                .admonition(id)
                .await?
                .map(|a| (format!("第 {id} 号：{}", a.person_name), None)),
            (AuditObjectKind::Region, _) => match RegionCode::parse(&o.key) {
                Ok(code) => Some((self.region_name(&code).await?, None)),
                Err(_) => None,
            },
            (AuditObjectKind::Setting, _) => {
                let key = o.key.split('@').next().unwrap_or_default();
                crate::settings::DEFS
                    .iter()
                    .find(|d| d.key == key)
                    .map(|d| (d.label.to_string(), None))
            }
            _ => None,
        })
    }

    pub async fn audit_verify(&self) -> Result<Verified> {
        Ok(self.store.audit_verify().await?)
    }
}

/// An object that has no name of its own: its number, an id as 第 N 号, a file by the start of
/// its hash.
fn short_key(o: &AuditObject) -> String {
    match o.kind {
        AuditObjectKind::File => o.key.chars().take(12).collect(),
        _ if o.key.bytes().all(|b| b.is_ascii_digit()) => format!("第 {} 号", o.key),
        _ => o.key.clone(),
    }
}

/// `张三#42` and `clerk` → (张三, 窗口人员); the system's own records read 系统.
fn actor_words(actor: &str, role: &str) -> (String, String) {
    let name = match actor.rsplit_once('#') {
        Some((name, id)) if id.bytes().all(|b| b.is_ascii_digit()) => name.to_string(),
        _ => actor.to_string(),
    };
    let role = match Role::parse(role) {
        Some(r) => r.label().to_string(),
        None if role == "system" => "系统".to_string(),
        None if role == "public" => "公众".to_string(),
        None => String::new(),
    };
    let name = if name == "system" {
        "系统".to_string()
    } else {
        name
    };
    (name, role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_by_name() {
        assert_eq!(
            actor_words("张三#42", "clerk"),
            ("张三".to_string(), "窗口人员".to_string())
        );
        assert_eq!(
            actor_words("system", "system"),
            ("系统".to_string(), "系统".to_string())
        );
    }
}
