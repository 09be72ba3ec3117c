//! The session check served from memory (`session.cache_seconds`), on each backend: what this
//! process revokes is refused at once, what another server revokes is refused once the entry
//! runs out, and no entry ever lets an expired session through. Time moves on the simulated
//! clock.

use chrono::Duration;
use tongban_app::demo::DEMO_PASSWORD;
use tongban_app::App;

mod common;
use common::*;

async fn signed_in(app: &App, login: &str) -> String {
    app.sign_in(login, DEMO_PASSWORD, "10.0.0.1")
        .await
        .unwrap()
        .token
}

async fn alive(app: &App, token: &str) -> bool {
    app.authenticate(token).await.unwrap().is_some()
}

#[tokio::test]
async fn a_session_this_server_revokes_is_refused_at_once() {
    for app in apps().await {
        // Sign-out.
        let token = signed_in(&app, "user01").await;
        assert!(alive(&app, &token).await, "a fresh session is alive");
        assert!(alive(&app, &token).await, "and served again");
        let who = app.authenticate(&token).await.unwrap().unwrap();
        app.sign_out(&token, &who).await.unwrap();
        assert!(!alive(&app, &token).await, "signed out: refused at once");

        // A password change ends every session of the account, the others too.
        let first = signed_in(&app, "user02").await;
        let second = signed_in(&app, "user02").await;
        assert!(alive(&app, &first).await && alive(&app, &second).await);
        let who = app.authenticate(&first).await.unwrap().unwrap();
        app.change_password(&who, DEMO_PASSWORD, "Qz#8fKw2Lp!x")
            .await
            .unwrap();
        assert!(!alive(&app, &first).await);
        assert!(!alive(&app, &second).await, "the other session ends too");

        // A lock starting changes the account the session carries: read afresh.
        let token = signed_in(&app, "user03").await;
        assert_eq!(
            app.authenticate(&token)
                .await
                .unwrap()
                .unwrap()
                .user
                .failed_logins,
            0
        );
        let max = app.settings().lockout.max_failures;
        for _ in 0..max {
            assert!(app
                .sign_in("user03", "Wrong#Pass1", "10.0.0.2")
                .await
                .is_err());
        }
        let seen = app.authenticate(&token).await.unwrap().unwrap().user;
        assert_eq!(seen.failed_logins, i64::from(max));
        assert!(seen.locked_until.is_some(), "the lock is seen at once");
    }
}

#[tokio::test]
async fn a_session_revoked_by_another_server_lasts_only_until_the_entry_runs_out() {
    for app in apps().await {
        let token = signed_in(&app, "user01").await;
        assert!(alive(&app, &token).await);
        // Another server signs it out: its row goes, this process is not told.
        let hash = tongban_app::accounts::token_hash(&token);
        app.store.delete_session(&hash, None).await.unwrap();
        assert!(
            alive(&app, &token).await,
            "served from memory within session.cache_seconds"
        );
        let ttl = app.settings().session_cache;
        assert!(ttl > Duration::zero());
        app.clock.advance(ttl);
        assert!(!alive(&app, &token).await, "refused once the entry ran out");
    }
}

#[tokio::test]
async fn the_memory_never_serves_an_expired_session() {
    for app in apps().await {
        let admin = who(&app, "admin").await;
        // The longest life an entry may have.
        app.set_setting(&admin, "session.cache_seconds", "60")
            .await
            .unwrap();
        let s = app.settings();
        assert!(s.session_cache == Duration::seconds(60));
        // The idle limit.
        let token = signed_in(&app, "user01").await;
        assert!(alive(&app, &token).await);
        app.clock.advance(s.session_idle + Duration::seconds(1));
        assert!(!alive(&app, &token).await, "idle: refused");

        // The absolute limit passes while the entry is fresh: requests keep the idle clock
        // moving until 10 seconds before the limit, the last one reads the row into memory,
        // and 20 seconds later (well within the entry's 60) the session has expired. The clock
        // is set from the session's start, since the test itself takes real time.
        let token = signed_in(&app, "user01").await;
        let hash = tongban_app::accounts::token_hash(&token);
        let started = app.store.session(&hash).await.unwrap().unwrap().created_at;
        let step = s.session_idle - Duration::minutes(1);
        let last = started + s.session_absolute - Duration::seconds(10);
        while app.now() + step < last {
            app.clock.advance(step);
            assert!(alive(&app, &token).await);
        }
        app.clock.set(last);
        assert!(alive(&app, &token).await, "10 seconds before the limit");
        app.clock.set(last + Duration::seconds(20));
        assert!(
            !alive(&app, &token).await,
            "past the absolute limit: refused though read 20 s ago"
        );

        // With the memory off, another server's sign-out is seen at once.
        app.set_setting(&admin, "session.cache_seconds", "0")
            .await
            .unwrap();
        let token = signed_in(&app, "user01").await;
        assert!(alive(&app, &token).await);
        let hash = tongban_app::accounts::token_hash(&token);
        app.store.delete_session(&hash, None).await.unwrap();
        assert!(!alive(&app, &token).await);
    }
}
