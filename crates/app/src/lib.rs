//! Tongban's use cases. Each takes the acting person (an [`Actor`] the server built from the
//! session, never from the request) and checks what that person may see and do before it reads
//! or writes. The web layer and the command line both call these; neither holds rules of its own.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use chrono::{DateTime, Utc};
use tongban_domain::audit::AuditEntry;
use tongban_domain::codes;
use tongban_domain::org::Actor;
use tongban_store::Store;

pub mod accounts;
pub mod admonitions;
pub mod audit;
pub mod board;
pub mod bundles;
pub mod calendar;
pub mod case_search;
pub mod cases;
pub mod catalog;
pub mod catalog_io;
pub mod clock;
pub mod demo;
pub mod demo_catalog;
pub mod demo_disclosure;
pub mod demo_disclosure_catalog;
pub mod demo_documents;
pub mod demo_hotline;
pub mod demo_opengov;
pub mod demo_opengov_public;
pub mod demo_performance;
pub mod demo_ratings;
pub mod disclosure;
pub mod disclosure_catalog;
pub mod disclosure_report;
pub mod documents;
pub mod drafts;
pub mod error;
pub mod hotline;
pub mod hotline_report;
pub mod licences;
pub mod masking;
mod memo;
pub mod notify;
pub mod open311;
pub mod opengov;
pub mod org;
pub mod password;
pub mod performance;
pub mod phone_codes;
pub mod portal;
pub mod ratings;
pub mod retime;
pub mod sessions;
pub mod settings;
pub mod supervision;
pub mod survey;
pub mod wake;
pub mod warnings;

pub use clock::Clock;
pub use error::{AppError, Kind, Result};
pub use settings::Settings;

/// The application: the store, the clock and the settings in force.
pub struct App {
    pub store: Store,
    pub clock: Clock,
    /// Shared, not copied: most requests read a setting or two.
    settings: RwLock<std::sync::Arc<Settings>>,
    /// Full-text index of the published catalog. The database is the truth; the index follows
    /// every publish and is rebuilt from the database at start.
    search: tongban_search::CatalogIndex,
    /// Full-text index of the proactive-disclosure catalog's published entries (主动公开目录),
    /// by the same crate; it follows every write and is rebuilt from the database at start.
    catalog_search: tongban_search::CatalogIndex,
    /// Computed annual disclosure reports by (scope, year, the requests' fingerprint): a write
    /// to any request of the scope changes the fingerprint, so a stale report is never read.
    disclosure_reports: memo::Memo<
        (String, i32, i64, i64),
        std::sync::Arc<tongban_domain::disclosure::report::AnnualReport>,
    >,
    /// The calendar in force with the generation it was read at (see `App::calendar`).
    /// (generation, the Shanghai year it was extended for, the calendar).
    calendar_cache: RwLock<Option<(u64, i32, std::sync::Arc<tongban_domain::calendar::Calendar>)>>,
    calendar_generation: std::sync::atomic::AtomicU64,
    /// Sign-in attempts per client address in the current 15-minute window.
    attempts: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
    /// Item versions cases run under. A version never changes once written, so every case
    /// command can read it from memory instead of parsing its document again.
    item_versions: RwLock<HashMap<(i64, i64), std::sync::Arc<tongban_domain::catalog::Item>>>,
    /// The document service's keys and configuration.
    docs: documents::DocumentState,
    /// Runs the demo city (`serve --demo`): its shared password may then be set again.
    demo_mode: std::sync::atomic::AtomicBool,
    /// Sessions checked recently (`session.cache_seconds`).
    sessions: sessions::SessionCache,
    /// Wakes the warning sweeper at the next crossing (see `wake`).
    wake: wake::SweepWake,
    /// Parsed case states by (case id, version): a version is never rewritten.
    case_states: memo::Memo<(i64, i64), std::sync::Arc<tongban_domain::case::Case>>,
    /// The public lookup's view of a case by (case id, version).
    public_cases: memo::Memo<(i64, i64), std::sync::Arc<cases::PublicCase>>,
}

/// Parsed case states kept in memory.
const CASE_STATES: usize = 4_096;
/// Public lookups kept in memory.
const PUBLIC_CASES: usize = 16_384;
/// Computed annual disclosure reports kept in memory.
const DISCLOSURE_REPORTS: usize = 64;

impl App {
    /// Builds the application over a migrated store, loads its settings and indexes the
    /// published catalog for search.
    pub async fn new(store: Store, clock: Clock) -> Result<App> {
        let settings = Settings::from_pairs(&store.settings().await?)?;
        let search = tongban_search::CatalogIndex::in_memory().map_err(AppError::internal)?;
        let catalog_search =
            tongban_search::CatalogIndex::in_memory().map_err(AppError::internal)?;
        let app = App {
            store,
            clock,
            settings: RwLock::new(std::sync::Arc::new(settings)),
            search,
            catalog_search,
            disclosure_reports: memo::Memo::new(DISCLOSURE_REPORTS),
            calendar_cache: RwLock::new(None),
            calendar_generation: std::sync::atomic::AtomicU64::new(0),
            attempts: Mutex::new(HashMap::new()),
            demo_mode: std::sync::atomic::AtomicBool::new(false),
            item_versions: RwLock::new(HashMap::new()),
            docs: documents::DocumentState::ephemeral(),
            sessions: sessions::SessionCache::default(),
            wake: wake::SweepWake::default(),
            case_states: memo::Memo::new(CASE_STATES),
            public_cases: memo::Memo::new(PUBLIC_CASES),
        };
        app.rebuild_search_index().await?;
        app.rebuild_catalog_search().await?;
        if app.store.watch_rebuild_pending().await? {
            let n = app.rewatch("").await?;
            app.store.watch_rebuild_done().await?;
            tracing::info!(cases = n, "indexed the deadlines of cases already open");
        }
        Ok(app)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn settings(&self) -> std::sync::Arc<Settings> {
        self.settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|_| std::sync::Arc::new(Settings::default()))
    }

    /// An audit entry for something `actor` did now. It is filed under the actor's own region
    /// (a staff member acts only inside it; applicants have none, so theirs are
    /// deployment-level); a use case that acts on an object of a narrower region names it with
    /// [`AuditEntry::in_region`], so that region's readers see it.
    pub fn entry(
        &self,
        actor: &Actor,
        action: &str,
        target: String,
        summary: String,
    ) -> AuditEntry {
        AuditEntry {
            at: self.now(),
            actor: format!("{}#{}", actor.name, actor.user_id),
            role: actor.role.as_str().to_string(),
            action: action.to_string(),
            target,
            summary,
            region: actor.region.clone(),
        }
    }

    /// An audit entry for something the system did itself (demo loading, a lock by time).
    pub fn system_entry(&self, action: &str, target: String, summary: String) -> AuditEntry {
        AuditEntry {
            at: self.now(),
            actor: "system".into(),
            role: "system".into(),
            action: action.to_string(),
            target,
            summary,
            region: None,
        }
    }

    /// Marks this server as running the demo (`serve --demo`).
    pub fn set_demo_mode(&self, on: bool) {
        self.demo_mode
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn demo_mode(&self) -> bool {
        self.demo_mode.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets a local rule (administrators only) and puts it in force at once.
    pub async fn set_setting(&self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        let n = settings::parse_value(key, value)?;
        let entry = self.entry(
            actor,
            "setting.set",
            format!("setting:{key}"),
            format!("{key} = {n}"),
        );
        self.store.set_setting(key, &n.to_string(), entry).await?;
        let fresh = Settings::from_pairs(&self.store.settings().await?)?;
        if let Ok(mut s) = self.settings.write() {
            *s = std::sync::Arc::new(fresh);
        }
        // New warning rules move the crossings of every open case they cover.
        if key.starts_with("supervision.yellow_") {
            let prefix = key
                .split_once('@')
                .and_then(|(_, r)| tongban_domain::region::RegionCode::parse(r).ok())
                .map_or(String::new(), |r| r.prefix().to_string());
            self.rewatch(&prefix).await?;
            self.sweep_warnings().await?;
        }
        Ok(())
    }

    /// Moves a simulated clock forward (administrators only; refused on a real clock). Every
    /// deadline, lock and session follows it.
    pub async fn advance_clock(
        &self,
        actor: &Actor,
        by: chrono::Duration,
    ) -> Result<DateTime<Utc>> {
        self.advance_clock_keeping(actor, by, None).await
    }

    /// [`App::advance_clock`], except for the session of the administrator who moved it
    /// (`keep`, the raw session token): it starts afresh at the new time, so the clock page does
    /// not sign its own user out.
    pub async fn advance_clock_keeping(
        &self,
        actor: &Actor,
        by: chrono::Duration,
        keep: Option<&str>,
    ) -> Result<DateTime<Utc>> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        if by < chrono::Duration::zero() {
            return Err(AppError::of(codes::Clock::Backwards));
        }
        let now = self
            .clock
            .advance(by)
            .ok_or_else(|| AppError::of(codes::Clock::NotSimulated))?;
        let entry = self.entry(
            actor,
            "clock.advance",
            "clock".into(),
            format!(
                "模拟时钟拨快 {} 分钟，现为 {}",
                by.num_minutes(),
                tongban_domain::time::format_local(now)
            ),
        );
        self.store.record_event(entry).await?;
        if let Some(token) = keep {
            let hash = accounts::token_hash(token);
            self.store.renew_session(&hash, now).await?;
            self.sessions.forget(&hash);
        }
        // Deadlines that the move crossed take effect at once, and the warning sweeper plans
        // again on the new time.
        self.clock_moved();
        self.sweep_cases().await?;
        self.sweep_disclosures().await?;
        self.remove_orphan_uploads().await?;
        Ok(now)
    }
}
