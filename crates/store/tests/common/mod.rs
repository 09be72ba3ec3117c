//! The two-backend harness every store suite shares: SQLite always, PostgreSQL when
//! `TONGBAN_TEST_DATABASE_URL` is set, each test in a fresh database or schema.
#![allow(dead_code)]

use tongban_store::{Kind, Options, Store};

/// A store under test and a side door to its database for tampering.
pub struct TestDb {
    pub store: Store,
    pub target: String,
    pub schema: Option<String>,
}

impl TestDb {
    /// Runs SQL behind the store's back (to tamper with evidence, or break a table).
    pub async fn exec_raw(&self, sql: &str) {
        match self.store.kind() {
            Kind::Sqlite => {
                let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.target);
                let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Kind::Postgres => {
                let pool = sqlx::PgPool::connect(&self.target).await.unwrap();
                let sql = format!(
                    "SET search_path TO {}; {sql}",
                    self.schema.as_deref().unwrap()
                );
                sqlx::raw_sql(&sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), rand::random::<u32>())
}

/// A fresh, migrated store on every backend there is.
pub async fn backends() -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(unique("tongban_store"));
    let path = dir.join("tongban.db");
    let store = Store::open(dir.to_str().unwrap(), &Options::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    out.push(TestDb {
        store,
        target: path.to_string_lossy().into_owned(),
        schema: None,
    });
    if let Ok(url) = std::env::var("TONGBAN_TEST_DATABASE_URL") {
        let schema = unique("t");
        let opts = Options {
            pg_schema: Some(schema.clone()),
            ..Options::default()
        };
        let store = Store::open(&url, &opts).await.unwrap();
        store.migrate().await.unwrap();
        out.push(TestDb {
            store,
            target: url,
            schema: Some(schema),
        });
    }
    out
}

/// A fresh store on every backend, migrated only up to (not including) `version`, to test a
/// migration over rows written before it.
pub async fn backends_before(version: i64) -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(unique("tongban_store"));
    let path = dir.join("tongban.db");
    let store = Store::open(dir.to_str().unwrap(), &Options::default())
        .await
        .unwrap();
    out.push(TestDb {
        store,
        target: path.to_string_lossy().into_owned(),
        schema: None,
    });
    if let Ok(url) = std::env::var("TONGBAN_TEST_DATABASE_URL") {
        let schema = unique("t");
        let opts = Options {
            pg_schema: Some(schema.clone()),
            ..Options::default()
        };
        let store = Store::open(&url, &opts).await.unwrap();
        out.push(TestDb {
            store,
            target: url,
            schema: Some(schema),
        });
    }
    for db in &out {
        let mut sql = String::from(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);\n",
        );
        for &(v, name, sqlite, pg) in tongban_store::MIGRATIONS {
            if v >= version {
                break;
            }
            sql.push_str(match db.store.kind() {
                Kind::Sqlite => sqlite,
                Kind::Postgres => pg,
            });
            sql.push_str(&format!(
                ";\nINSERT INTO schema_migrations (version, name, applied_at) VALUES ({v}, '{name}', 0);\n"
            ));
        }
        db.exec_raw(&sql).await;
    }
    out
}
