//! Durable case throughput: full lifecycles of 不动产转移登记 driven through the application
//! layer by concurrent clients — online submission, acceptance, three parallel departments,
//! the decision, payment and delivery (8 transitions, each one durable transaction).

use std::collections::{BTreeMap, BTreeSet};
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

struct Cast {
    clerk: Actor,
    zrzy: Actor,
    swj: Actor,
    zjj: Actor,
    head: Actor,
    code: String,
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
async fn materials(app: &App, user: &Actor) -> Res<BTreeMap<String, Vec<FileRef>>> {
    let mut out = BTreeMap::new();
    for k in ["m1", "m2", "m3", "m4"] {
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
    let cast = Arc::new(Cast {
        clerk: actor(&app, "zrzy.clerk").await?,
        zrzy: actor(&app, "zrzy.approver").await?,
        swj: actor(&app, "swj.approver").await?,
        zjj: actor(&app, "zjj.approver").await?,
        head: actor(&app, "zrzy.head").await?,
        code: app.public_item(ITEM).await?.0.implementation_code,
    });
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
                lifecycle(&app, &cast, &user, &materials, &mut lat).await?;
            }
            Res::Ok(lat)
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    Ok(Outcome {
        transitions: lat.len(),
        per_sec: lat.len() as f64 / secs,
        p50_ms: quantile(&lat, 0.5),
        p99_ms: quantile(&lat, 0.99),
    })
}

async fn lifecycle(
    app: &App,
    cast: &Cast,
    user: &Actor,
    materials: &BTreeMap<String, Vec<FileRef>>,
    lat: &mut Vec<f64>,
) -> Res<()> {
    let t = Instant::now();
    let case = app
        .submit_case(
            user,
            NewCase {
                item_code: cast.code.clone(),
                applicant: None,
                village: false,
                pickup_hall_id: None,
                delivery: Delivery::Window,
                materials: materials.clone(),
                form: BTreeMap::new(),
                idempotency_key: None,
            },
        )
        .await?;
    lat.push(t.elapsed().as_secs_f64() * 1e3);
    let n = case.case.number.to_string();
    let decide = |step: &str| Command::Decide {
        step: step.into(),
        approve: true,
        opinion: String::new(),
    };
    let present: BTreeSet<String> = materials.keys().cloned().collect();
    let steps: [(&Actor, Command); 7] = [
        (
            &cast.clerk,
            Command::Accept {
                check: MaterialCheck {
                    present,
                    defective: vec![],
                },
            },
        ),
        (&cast.zrzy, decide("s2a")),
        (&cast.swj, decide("s2b")),
        (&cast.zjj, decide("s2c")),
        (&cast.head, decide("s3")),
        (
            &cast.clerk,
            Command::PayFee {
                reference: format!("B{n}"),
                amount_fen: 8000,
            },
        ),
        (
            &cast.clerk,
            Command::Deliver {
                method: Delivery::Window,
                note: String::new(),
            },
        ),
    ];
    for (who, cmd) in steps {
        let t = Instant::now();
        app.act_on_case(who, &n, None, cmd).await?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(())
}

/// One case filed online and accepted: the template the scale runs copy. Returns its id.
pub async fn accepted_case(app: &App) -> Res<i64> {
    let user = actor(app, "user01").await?;
    let clerk = actor(app, "zrzy.clerk").await?;
    let materials = materials(app, &user).await?;
    let code = app.public_item(ITEM).await?.0.implementation_code;
    let case = app
        .submit_case(
            &user,
            NewCase {
                item_code: code,
                applicant: None,
                village: false,
                pickup_hall_id: None,
                delivery: Delivery::Window,
                materials: materials.clone(),
                form: BTreeMap::new(),
                idempotency_key: None,
            },
        )
        .await?;
    let n = case.case.number.to_string();
    app.act_on_case(
        &clerk,
        &n,
        None,
        Command::Accept {
            check: MaterialCheck {
                present: materials.keys().cloned().collect(),
                defective: vec![],
            },
        },
    )
    .await?;
    Ok(case.id)
}
