//! The same lifecycles through the JSON API over HTTP, as a client program would drive them:
//! every client signs in as the applicant and as each member of staff (a keep-alive connection
//! per session), uploads the materials once, then files cases and carries each through the
//! seven steps, sending the version it last saw.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::Value;
use tongban_app::demo::DEMO_PASSWORD;

use crate::lifecycle::{Outcome, ITEM, MATERIALS, STEPS};
use crate::reads::Client;
use crate::Res;

/// A signed-in connection.
struct Session {
    client: Client,
    csrf: String,
}

impl Session {
    async fn open(addr: SocketAddr, login: &str) -> Res<Session> {
        let mut client = Client::new(addr);
        let body = serde_json::json!({"login": login, "password": DEMO_PASSWORD}).to_string();
        let (status, answer) = client
            .request(
                "POST",
                "/api/v1/session",
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
            .await?;
        let v = expect(status, 200, &answer, "sign-in")?;
        let csrf = v["csrf"]
            .as_str()
            .ok_or("sign-in without csrf")?
            .to_string();
        Ok(Session { client, csrf })
    }

    async fn post_json(&mut self, path: &str, body: &Value, want: u16) -> Res<Value> {
        let csrf = self.csrf.clone();
        let (status, answer) = self
            .client
            .request(
                "POST",
                path,
                &[
                    ("Content-Type", "application/json"),
                    ("X-CSRF-Token", &csrf),
                ],
                body.to_string().as_bytes(),
            )
            .await?;
        expect(status, want, &answer, path)
    }

    /// Uploads one material file; its reference as the API returns it.
    async fn upload(&mut self, name: &str, body: &[u8]) -> Res<Value> {
        let csrf = self.csrf.clone();
        let (status, answer) = self
            .client
            .request(
                "POST",
                "/api/v1/cases/files",
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("X-File-Name", name),
                    ("X-CSRF-Token", &csrf),
                ],
                body,
            )
            .await?;
        expect(status, 201, &answer, "upload")
    }
}

fn expect(status: u16, want: u16, body: &[u8], what: &str) -> Res<Value> {
    if status != want {
        return Err(format!(
            "{what} answered {status}: {}",
            String::from_utf8_lossy(body)
        )
        .into());
    }
    Ok(serde_json::from_slice(body)?)
}

/// Lifecycles by `clients` API clients at once for `dur` against the server at `addr`.
pub async fn run(addr: SocketAddr, clients: usize, dur: Duration) -> Res<Outcome> {
    // Sign-ins (argon2id, deliberately slow) happen before the clock starts.
    let mut casts = Vec::new();
    for c in 0..clients {
        let mut applicant = Session::open(addr, &format!("user{:02}", c % 20 + 1)).await?;
        let mut staff = Vec::new();
        for (login, _) in STEPS {
            staff.push(Session::open(addr, login).await?);
        }
        let mut materials = BTreeMap::new();
        for k in MATERIALS {
            let file = applicant
                .upload(&format!("{k}.pdf"), format!("%PDF-1.4 {k}").as_bytes())
                .await?;
            materials.insert(k, vec![file]);
        }
        casts.push((applicant, staff, materials));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (mut applicant, mut staff, materials) in casts {
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let filing = serde_json::json!({
                "item_code": ITEM, "delivery": "window", "materials": materials
            });
            while started.elapsed() < dur {
                let t = Instant::now();
                let case = applicant.post_json("/api/v1/cases", &filing, 201).await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                let number = case["number"].as_str().ok_or("case without number")?;
                let path = format!("/api/v1/cases/{number}/actions");
                let mut version = case["version"].as_i64().ok_or("case without version")?;
                for (session, (_, step)) in staff.iter_mut().zip(STEPS) {
                    let t = Instant::now();
                    let after = session
                        .post_json(&path, &step.action(number, version), 200)
                        .await?;
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                    version = after["version"].as_i64().ok_or("case without version")?;
                }
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
