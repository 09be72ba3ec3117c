//! Signing in with an SMS code and resetting a forgotten password with one (issue 17 item 10),
//! on each backend: the code goes out through the outbox, works once, expires, allows a few
//! wrong tries, and a phone gets codes only so often. Time moves on the simulated clock.

use chrono::Duration;
use tongban_app::demo::DEMO_PASSWORD;
use tongban_app::phone_codes::CodePurpose;
use tongban_app::App;

mod common;
use common::*;

/// user05's phone in the demo city.
const PHONE: &str = "13936120005";

/// The code in the newest SMS to `phone`.
async fn code_sent(app: &App, phone: &str) -> String {
    let sms = app
        .store
        .outbox_recent(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == "sms" && m.recipient == phone)
        .max_by_key(|m| m.id)
        .expect("an SMS in the outbox");
    let at = sms
        .body
        .find("验证码为")
        .expect("the code is in the message")
        + "验证码为".len();
    sms.body[at..at + 6].to_string()
}

fn wrong(code: &str) -> String {
    if code == "000000" { "111111" } else { "000000" }.to_string()
}

#[tokio::test]
async fn a_code_sent_through_the_outbox_signs_in_once() {
    for app in apps().await {
        let sent = app
            .send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(sent.phone_masked, "139****0005");
        let code = code_sent(&app, PHONE).await;
        let refused = app
            .sign_in_with_code(&sent.ticket, &wrong(&code), "10.0.0.1")
            .await
            .unwrap_err();
        assert_eq!(refused.code.to_string(), "auth.code_wrong");
        let session = app
            .sign_in_with_code(&sent.ticket, &code, "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(session.user.login, "user05");
        let again = app
            .sign_in_with_code(&sent.ticket, &code, "10.0.0.1")
            .await
            .unwrap_err();
        assert_eq!(again.code.to_string(), "auth.code_expired", "single use");
        // A code for signing in does not reset a password.
        assert!(app
            .reset_password_with_code(&sent.ticket, &code, "Qz#8fKw2Lp!x", "10.0.0.1")
            .await
            .is_err());
    }
}

#[tokio::test]
async fn a_code_expires_and_dies_after_too_many_wrong_tries() {
    for app in apps().await {
        let rules = app.settings().sms_code;
        let sent = app
            .send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.2")
            .await
            .unwrap();
        let code = code_sent(&app, PHONE).await;
        app.clock.advance(rules.valid + Duration::seconds(1));
        let late = app
            .sign_in_with_code(&sent.ticket, &code, "10.0.0.2")
            .await
            .unwrap_err();
        assert_eq!(late.code.to_string(), "auth.code_expired");

        let sent = app
            .send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.2")
            .await
            .unwrap();
        let code = code_sent(&app, PHONE).await;
        for _ in 0..rules.max_tries {
            let _ = app
                .sign_in_with_code(&sent.ticket, &wrong(&code), "10.0.0.2")
                .await;
        }
        let dead = app
            .sign_in_with_code(&sent.ticket, &code, "10.0.0.2")
            .await
            .unwrap_err();
        assert_eq!(
            dead.code.to_string(),
            "auth.code_expired",
            "the right code, too late"
        );
    }
}

#[tokio::test]
async fn a_phone_gets_codes_only_so_often() {
    for app in apps().await {
        let rules = app.settings().sms_code;
        app.send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.3")
            .await
            .unwrap();
        let soon = app
            .send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.3")
            .await
            .unwrap_err();
        assert_eq!(soon.code.to_string(), "auth.code_too_soon");
        for _ in 1..rules.per_hour {
            app.clock.advance(rules.resend);
            app.send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.3")
                .await
                .unwrap();
        }
        app.clock.advance(rules.resend);
        let many = app
            .send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.3")
            .await
            .unwrap_err();
        assert_eq!(many.code.to_string(), "auth.code_throttled");
        app.clock.advance(Duration::hours(1));
        assert!(app
            .send_phone_code(PHONE, CodePurpose::SignIn, "10.0.0.3")
            .await
            .is_ok());
    }
}

#[tokio::test]
async fn an_unknown_phone_gets_the_same_answer_and_no_message() {
    for app in apps().await {
        let before = app.store.outbox_recent(1000).await.unwrap().len();
        let sent = app
            .send_phone_code("13700000000", CodePurpose::SignIn, "10.0.0.4")
            .await
            .unwrap();
        assert_eq!(sent.phone_masked, "137****0000");
        assert_eq!(app.store.outbox_recent(1000).await.unwrap().len(), before);
        assert!(app
            .sign_in_with_code(&sent.ticket, "123456", "10.0.0.4")
            .await
            .is_err());
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_code() {
    for app in apps().await {
        let session = app
            .sign_in("user05", DEMO_PASSWORD, "10.0.0.5")
            .await
            .unwrap();
        let sent = app
            .send_phone_code(PHONE, CodePurpose::Reset, "10.0.0.5")
            .await
            .unwrap();
        let code = code_sent(&app, PHONE).await;
        let weak = app
            .reset_password_with_code(&sent.ticket, &code, "short", "10.0.0.5")
            .await
            .unwrap_err();
        assert!(weak.code.to_string().starts_with("account.password"));
        let login = app
            .reset_password_with_code(&sent.ticket, &code, "Qz#8fKw2Lp!x", "10.0.0.5")
            .await
            .unwrap();
        assert_eq!(login, "user05");
        let user = app.store.user_by_login("user05").await.unwrap().unwrap();
        assert!(user.password_hash.starts_with("$argon2id$"));
        assert!(
            app.authenticate(&session.token).await.unwrap().is_none(),
            "sessions end"
        );
        assert!(app
            .sign_in("user05", DEMO_PASSWORD, "10.0.0.5")
            .await
            .is_err());
        assert!(app
            .sign_in("user05", "Qz#8fKw2Lp!x", "10.0.0.5")
            .await
            .is_ok());
        assert!(
            app.reset_password_with_code(&sent.ticket, &code, "Other#Pass9x", "10.0.0.5")
                .await
                .is_err(),
            "the code is used"
        );
    }
}
