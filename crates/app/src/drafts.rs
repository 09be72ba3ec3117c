//! Application drafts: what a person typed and the files they uploaded on an application form,
//! kept between the form, the "check your answers" page and the filing. Every form post ends in
//! a redirect to a page that reads the draft (post/redirect/get), so a reload never posts again
//! and a refused file never makes the person choose the others again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tongban_domain::case::FileRef;
use tongban_domain::org::Actor;

use crate::{App, AppError, Result};

/// A form as last posted: its text fields, the files stored for each material, and the refusal
/// it met (code, message), shown once the page is read again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    pub item_code: String,
    pub fields: BTreeMap<String, String>,
    pub materials: BTreeMap<String, Vec<FileRef>>,
    pub error: Option<(String, String)>,
}

impl ApplicationDraft {
    pub fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    pub fn ticked(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_empty())
    }
}

/// A draft id is 32 hex digits, random.
fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

impl App {
    /// Saves a draft under `id` (a new one when `None`) and returns its id. Drafts live as long
    /// as a session may (`session.absolute_hours`); older ones are swept here.
    pub async fn save_draft(
        &self,
        actor: &Actor,
        id: Option<&str>,
        draft: &ApplicationDraft,
    ) -> Result<String> {
        let id = match id {
            Some(id) if valid_id(id) => id.to_string(),
            _ => format!("{:032x}", rand::random::<u128>()),
        };
        let payload = serde_json::to_string(draft).map_err(AppError::internal)?;
        let now = self.now();
        let keep = self.settings().session_absolute;
        self.store
            .save_draft(&id, actor.user_id, &payload, now, now - keep)
            .await?;
        Ok(id)
    }

    /// The actor's own draft; anyone else's, an expired or an unknown one is "not found".
    pub async fn draft(&self, actor: &Actor, id: &str) -> Result<ApplicationDraft> {
        let missing = || AppError::not_found("申请草稿（可能已提交或已过期，请重新填写）");
        if !valid_id(id) {
            return Err(missing());
        }
        let payload = self
            .store
            .draft(id, actor.user_id)
            .await?
            .ok_or_else(missing)?;
        serde_json::from_str(&payload).map_err(AppError::internal)
    }

    pub async fn discard_draft(&self, actor: &Actor, id: &str) -> Result<()> {
        if valid_id(id) {
            self.store.delete_draft(id, actor.user_id).await?;
        }
        Ok(())
    }
}
