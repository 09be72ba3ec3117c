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
