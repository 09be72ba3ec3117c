//! Reading and checking the audit chain: supervisors and administrators only.

use tongban_domain::audit::AuditRecord;
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::Level;
use tongban_store::audit::{AuditScope, Verified};

use crate::error::{AppError, Result};
use crate::App;

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

    pub async fn audit_verify(&self) -> Result<Verified> {
        Ok(self.store.audit_verify().await?)
    }
}
