//! Reading and checking the audit chain: supervisors and administrators only.

use tongban_domain::audit::AuditRecord;
use tongban_domain::org::{Actor, Role};
use tongban_store::audit::Verified;

use crate::error::{AppError, Result};
use crate::App;

impl App {
    pub async fn audit_page(&self, actor: &Actor, before: Option<i64>) -> Result<Vec<AuditRecord>> {
        if !matches!(actor.role, Role::Admin | Role::Supervisor) {
            return Err(AppError::forbidden());
        }
        Ok(self.store.audit_page(before, 50).await?)
    }

    pub async fn audit_verify(&self) -> Result<Verified> {
        Ok(self.store.audit_verify().await?)
    }
}
