//! The demo's decided cases: a few applications run through the engine from filing to
//! delivery, so the demo city has sealed decisions to download and verify and licences in the
//! register (corp01's 营业执照 is what its 食品经营许可 application can reuse).

use std::collections::{BTreeMap, BTreeSet};

use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::{CaseStatus, Command, FileRef};
use tongban_domain::catalog::Delivery;
use tongban_domain::org::{Actor, Role};

use crate::accounts::actor_of;
use crate::cases::NewCase;
use crate::error::{AppError, Result};
use crate::App;

/// (applicant, item basic code): each decided and delivered in the demo.
const DEMO_DECIDED: &[(&str, &str)] = &[
    ("corp01", "XK00101001"),
    ("corp02", "XK00101001"),
    ("user02", "QR00901001"),
];

impl App {
    pub(crate) async fn demo_actor(&self, login: &str) -> Result<Actor> {
        let u = self
            .store
            .user_by_login(login)
            .await?
            .ok_or_else(|| AppError::internal(format!("demo account {login} missing")))?;
        Ok(actor_of(&u))
    }

    async fn staff_of(&self, department_id: i64, role: Role) -> Result<Actor> {
        let users = self
            .store
            .users(&tongban_store::users::UserFilter {
                department_id: Some(department_id),
                role: Some(role),
                ..Default::default()
            })
            .await?;
        users.first().map(actor_of).ok_or_else(|| {
            AppError::internal(format!(
                "no {} in department {department_id}",
                role.as_str()
            ))
        })
    }

    /// Files, accepts, decides (every step approved by whoever holds it), pays and delivers
    /// one demo application; answers the case number.
    pub async fn demo_decided_case(&self, login: &str, basic_code: &str) -> Result<String> {
        self.demo_case_decided_after(login, basic_code, None).await
    }

    /// [`App::demo_decided_case`], the decision given `wait` after acceptance on a simulated
    /// clock (the demo's history decides some cases late).
    pub(crate) async fn demo_case_decided_after(
        &self,
        login: &str,
        basic_code: &str,
        wait: Option<chrono::Duration>,
    ) -> Result<String> {
        let applicant = self.demo_actor(login).await?;
        let (summary, version) = self.public_item(basic_code).await?;
        let item = version.item;
        let mut materials: BTreeMap<String, Vec<FileRef>> = BTreeMap::new();
        for m in item.materials.iter().filter(|m| m.required) {
            let content = format!("%PDF-1.4\n% 演示材料 {}\n%%EOF\n", m.name).into_bytes();
            let f = self
                .upload_case_file(&applicant, &format!("{}.pdf", m.name), &content)
                .await?;
            materials.insert(m.key.clone(), vec![f]);
        }
        let present: BTreeSet<String> = materials.keys().cloned().collect();
        let view = self
            .submit_case(
                &applicant,
                NewCase {
                    item_code: summary.implementation_code.clone(),
                    applicant: None,
                    village: false,
                    pickup_hall_id: None,
                    delivery: Delivery::Window,
                    materials,
                    form: BTreeMap::new(),
                    idempotency_key: None,
                },
            )
            .await?;
        let number = view.case.number.to_string();
        let clerk = self.staff_of(item.department_id, Role::Clerk).await?;
        self.act_on_case(
            &clerk,
            &number,
            None,
            Command::Accept {
                check: MaterialCheck {
                    present,
                    defective: vec![],
                },
            },
        )
        .await?;
        if let Some(wait) = wait {
            self.clock.advance(wait);
        }
        for _ in 0..20 {
            let case = self.case_view(&clerk, &number).await?.case;
            if case.status != CaseStatus::InProgress {
                break;
            }
            for step in case.open_steps() {
                let Some(who) = &step.assignee else { continue };
                let user = self
                    .store
                    .user(who.user_id)
                    .await?
                    .ok_or_else(|| AppError::internal("assignee missing"))?;
                self.act_on_case(
                    &actor_of(&user),
                    &number,
                    None,
                    Command::Decide {
                        step: step.key.clone(),
                        approve: true,
                        opinion: "材料齐全，符合法定条件".into(),
                    },
                )
                .await?;
            }
        }
        let case = self.case_view(&clerk, &number).await?.case;
        if case.status != CaseStatus::Decided {
            return Err(AppError::internal(format!(
                "demo case {number} not decided: {:?}",
                case.status
            )));
        }
        let fee = case.fees.total_fen();
        if fee > 0 {
            self.act_on_case(
                &clerk,
                &number,
                None,
                Command::PayFee {
                    reference: format!("FS{number}"),
                    amount_fen: fee,
                },
            )
            .await?;
        }
        self.act_on_case(
            &clerk,
            &number,
            None,
            Command::Deliver {
                method: Delivery::Window,
                note: "窗口领取".into(),
            },
        )
        .await?;
        Ok(number)
    }

    /// The demo's seals and decided cases: every department's key, a few delivered cases with
    /// their sealed documents and licences.
    pub async fn load_demo_documents(&self) -> Result<Vec<String>> {
        self.ensure_seal_keys().await?;
        let mut numbers = Vec::new();
        for (login, code) in DEMO_DECIDED {
            // A demo case that cannot run (an item changed) is told, not fatal to the demo.
            match self.demo_decided_case(login, code).await {
                Ok(n) => numbers.push(n),
                Err(e) => tracing::warn!(login, code, error = %e, "demo case not decided"),
            }
        }
        for _ in 0..10 {
            if self.store.unsealed_documents(1).await?.is_empty() {
                break;
            }
            self.seal_pending_documents(100).await?;
        }
        Ok(numbers)
    }
}
