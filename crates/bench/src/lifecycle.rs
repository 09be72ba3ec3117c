//! Durable case throughput: full lifecycles of 不动产转移登记 driven through the application
//! layer by concurrent clients — online submission, acceptance, three parallel departments,
//! the decision, payment and delivery (8 transitions, each one durable transaction).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tongban_app::accounts::actor_of;
use tongban_app::cases::NewCase;
use tongban_app::App;
use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::{Command, FileRef};
use tongban_domain::catalog::Delivery;
use tongban_domain::org::Actor;

use crate::report::quantile;
use crate::Res;

pub const ITEM: &str = "QR00701002";

pub struct Outcome {
    pub transitions: usize,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The seven steps after submission, each by the member of staff (demo login) who takes it.
pub const STEPS: [(&str, Step); 7] = [
    ("zrzy.clerk", Step::Accept),
    ("zrzy.approver", Step::Decide("s2a")),
    ("swj.approver", Step::Decide("s2b")),
    ("zjj.approver", Step::Decide("s2c")),
    ("zrzy.head", Step::Decide("s3")),
    ("zrzy.clerk", Step::Pay),
    ("zrzy.clerk", Step::Deliver),
];

/// The applicant's materials, all handed in and in order.
pub const MATERIALS: [&str; 4] = ["m1", "m2", "m3", "m4"];

#[derive(Debug, Clone, Copy)]
pub enum Step {
    Accept,
    Decide(&'static str),
    Pay,
    Deliver,
}

impl Step {
    /// The command for the application layer.
    pub fn command(self, number: &str) -> Command {
        match self {
            Step::Accept => Command::Accept {
                check: MaterialCheck {
                    present: MATERIALS.iter().map(|m| m.to_string()).collect(),
                    defective: vec![],
                },
            },
            Step::Decide(step) => Command::Decide {
                step: step.into(),
                approve: true,
                opinion: String::new(),
            },
            Step::Pay => Command::PayFee {
                reference: format!("B{number}"),
                amount_fen: 8000,
            },
            Step::Deliver => Command::Deliver {
                method: Delivery::Window,
                note: String::new(),
            },
        }
    }

    /// The same as the JSON API's action body.
    pub fn action(self, number: &str, version: i64) -> serde_json::Value {
        match self {
            Step::Accept => {
                serde_json::json!({"action": "accept", "version": version, "present": MATERIALS})
            }
            Step::Decide(step) => serde_json::json!({
                "action": "decide", "version": version, "step": step, "approve": true
            }),
            Step::Pay => serde_json::json!({
                "action": "pay", "version": version, "reference": format!("B{number}"),
                "amount_fen": 8000
            }),
            Step::Deliver => {
                serde_json::json!({"action": "deliver", "version": version, "method": "window"})
            }
        }
    }
}

/// The demo staff of [`STEPS`], signed in.
pub struct Cast {
    staff: Vec<Actor>,
    code: String,
}

impl Cast {
    pub async fn new(app: &App) -> Res<Cast> {
        let mut staff = Vec::new();
        for (login, _) in STEPS {
            staff.push(actor(app, login).await?);
        }
        Ok(Cast {
            staff,
            code: app.public_item(ITEM).await?.0.implementation_code,
        })
    }

    /// Carries a submitted case through the first `n` steps; each step's latency in ms.
    pub async fn advance(&self, app: &App, number: &str, n: usize) -> Res<Vec<f64>> {
        let mut lat = Vec::with_capacity(n);
        for (who, (_, step)) in self.staff.iter().zip(STEPS).take(n) {
            let t = Instant::now();
            app.act_on_case(who, number, None, step.command(number))
                .await?;
            lat.push(t.elapsed().as_secs_f64() * 1e3);
        }
        Ok(lat)
    }

    /// Files a case of [`ITEM`] online as `user`.
    pub async fn submit(
        &self,
        app: &App,
        user: &Actor,
        materials: &BTreeMap<String, Vec<FileRef>>,
    ) -> Res<tongban_app::cases::CaseView> {
        Ok(app
            .submit_case(
                user,
                NewCase {
                    item_code: self.code.clone(),
                    applicant: None,
                    village: false,
                    pickup_hall_id: None,
                    delivery: Delivery::Window,
                    materials: materials.clone(),
                    form: BTreeMap::new(),
                    idempotency_key: None,
                },
            )
            .await?)
    }
}

pub async fn actor(app: &App, login: &str) -> Res<Actor> {
    let user = app
        .store
        .user_by_login(login)
        .await?
        .ok_or_else(|| format!("demo user {login} is missing"))?;
    Ok(actor_of(&user))
}

/// One applicant's materials, uploaded once and reused by every case (content-addressed).
pub async fn materials(app: &App, user: &Actor) -> Res<BTreeMap<String, Vec<FileRef>>> {
    let mut out = BTreeMap::new();
    for k in MATERIALS {
        let f = app
            .upload_case_file(
                user,
                &format!("{k}.pdf"),
                format!("%PDF-1.4 {k}").as_bytes(),
            )
            .await?;
        out.insert(k.to_string(), vec![f]);
    }
    Ok(out)
}

/// Runs lifecycles from `clients` applicants at once for `dur` (finishing the lifecycles
/// started), returning transitions per second and the latency of one transition.
pub async fn run(app: Arc<App>, clients: usize, dur: Duration) -> Res<Outcome> {
    let cast = Arc::new(Cast::new(&app).await?);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let app = app.clone();
        let cast = cast.clone();
        tasks.push(tokio::spawn(async move {
            let user = actor(&app, &format!("user{:02}", c % 20 + 1)).await?;
            let materials = materials(&app, &user).await?;
            let mut lat = Vec::new();
            while started.elapsed() < dur {
                let t = Instant::now();
                let case = cast.submit(&app, &user, &materials).await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                lat.extend(
                    cast.advance(&app, case.case.number.as_str(), STEPS.len())
                        .await?,
                );
            }
            Res::Ok(lat)
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await??);
    }
    Ok(Outcome::of(lat, started.elapsed()))
}

impl Outcome {
    /// Latencies in ms of every transition in `elapsed`.
    pub fn of(mut lat: Vec<f64>, elapsed: Duration) -> Outcome {
        lat.sort_by(f64::total_cmp);
        Outcome {
            transitions: lat.len(),
            per_sec: lat.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: quantile(&lat, 0.5),
            p99_ms: quantile(&lat, 0.99),
        }
    }
}

/// One case filed online and accepted: the template the scale runs copy. Returns its id.
pub async fn accepted_case(app: &App) -> Res<i64> {
    let user = actor(app, "user01").await?;
    let materials = materials(app, &user).await?;
    let cast = Cast::new(app).await?;
    let case = cast.submit(app, &user, &materials).await?;
    cast.advance(app, case.case.number.as_str(), 1).await?;
    Ok(case.id)
}
