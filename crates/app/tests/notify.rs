//! The notification dispatcher against a fake SMTP server and a fake SMS gateway on loopback,
//! and with captured transports.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tongban_app::notify::{
    CapturedTransport, DispatchReport, Dispatcher, NotifyConfig, SendError, SmsConfig, SmtpConfig,
};
use tongban_store::outbox::{OutboxMessage, EMAIL, SMS};
use tongban_store::{Options, Store};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

async fn store() -> Store {
    let dir = std::env::temp_dir().join(format!(
        "tongban_notify_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let store = Store::open(dir.to_str().unwrap(), &Options::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store
}

async fn message(store: &Store, id: i64) -> OutboxMessage {
    store
        .outbox_recent(100)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.id == id)
        .unwrap()
}

// --- a fake SMTP server ----------------------------------------------------------------------

/// One SMTP conversation as the server saw it.
#[derive(Debug, Default, Clone)]
struct Session {
    commands: Vec<String>,
    /// The DATA payload with dot-stuffing undone, as a reader would get it.
    data: String,
}

/// Accepts connections one after another; answers RCPT TO with `rcpt_reply`.
async fn smtp_server(rcpt_reply: &'static str) -> (u16, Arc<Mutex<Vec<Session>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sessions = Arc::new(Mutex::new(Vec::new()));
    let record = sessions.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            // Recorded as it happens, so a client that hangs up early leaves nothing behind.
            let n = {
                let mut all = record.lock().unwrap();
                all.push(Session::default());
                all.len() - 1
            };
            let note = |f: &dyn Fn(&mut Session)| f(&mut record.lock().unwrap()[n]);
            let (read, mut write) = stream.into_split();
            let mut read = BufReader::new(read);
            if write.write_all(b"220 fake.smtp ESMTP\r\n").await.is_err() {
                continue;
            }
            let mut line = String::new();
            loop {
                line.clear();
                if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                let cmd = line.trim_end().to_string();
                note(&|s| s.commands.push(cmd.clone()));
                let upper = cmd.to_ascii_uppercase();
                let answer: &[u8] = if upper.starts_with("EHLO") {
                    b"250-fake.smtp greets you\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 1000000\r\n"
                } else if upper.starts_with("AUTH PLAIN") {
                    b"235 2.7.0 Authentication successful\r\n"
                } else if upper.starts_with("MAIL FROM") {
                    b"250 2.1.0 Ok\r\n"
                } else if upper.starts_with("RCPT TO") {
                    rcpt_reply.as_bytes()
                } else if upper == "DATA" {
                    let _ = write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await;
                    loop {
                        line.clear();
                        if read.read_line(&mut line).await.unwrap_or(0) == 0 || line == ".\r\n" {
                            break;
                        }
                        let unstuffed = line.strip_prefix('.').unwrap_or(&line).to_string();
                        note(&|s| s.data.push_str(&unstuffed));
                    }
                    b"250 2.0.0 Ok: queued\r\n"
                } else if upper == "QUIT" {
                    let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                    break;
                } else {
                    b"502 5.5.2 Error: command not recognized\r\n"
                };
                if write.write_all(answer).await.is_err() {
                    break;
                }
            }
        }
    });
    (port, sessions)
}

fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: "noreply@qingjiang.gov.cn".into(),
        username: Some("tongban".into()),
        password: Some("s3cret".into()),
        hello_name: "tongban.test".into(),
    }
}

// --- a fake SMS gateway ----------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Request {
    head: String,
    body: String,
}

/// Answers every request with `status` and records it.
async fn http_server(status: &'static str) -> (u16, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let record = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            let head_end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i;
                }
                let n = stream.read(&mut chunk).await.unwrap();
                assert!(n > 0, "request ended early");
                buf.extend_from_slice(&chunk[..n]);
            };
            let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .unwrap()
                .parse()
                .unwrap();
            let mut body = buf[head_end + 4..].to_vec();
            while body.len() < length {
                let n = stream.read(&mut chunk).await.unwrap();
                body.extend_from_slice(&chunk[..n]);
            }
            record.lock().unwrap().push(Request {
                head,
                body: String::from_utf8(body).unwrap(),
            });
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\ngateway!\n"
            );
            stream.write_all(answer.as_bytes()).await.unwrap();
        }
    });
    (port, requests)
}

fn sms_config(port: u16) -> SmsConfig {
    SmsConfig {
        url: format!("http://127.0.0.1:{port}/api/send"),
        token: Some("tok-123".into()),
    }
}

// --- decoding what arrived --------------------------------------------------------------------

fn base64_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The subject header unfolded and its encoded words decoded.
fn subject_of(data: &str) -> String {
    let (head, _) = data.split_once("\r\n\r\n").unwrap();
    let unfolded = head.replace("\r\n ", " ");
    let value = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap();
    value
        .split(' ')
        .map(|w| {
            let inner = w
                .strip_prefix("=?UTF-8?B?")
                .and_then(|w| w.strip_suffix("?="))
                .unwrap();
            String::from_utf8(base64_decode(inner)).unwrap()
        })
        .collect()
}

fn body_of(data: &str) -> &str {
    data.split_once("\r\n\r\n").unwrap().1
}

// --- the tests -------------------------------------------------------------------------------

#[tokio::test]
async fn mail_and_sms_arrive_whole_in_chinese() {
    let store = store().await;
    let (smtp_port, sessions) = smtp_server("250 2.1.5 Ok\r\n").await;
    let (http_port, requests) = http_server("200 OK").await;
    let config = NotifyConfig {
        smtp: Some(smtp_config(smtp_port)),
        sms: Some(sms_config(http_port)),
        ..NotifyConfig::default()
    };
    let subject =
        "【清江市政务服务】您的办件“食品经营许可（新办）”已受理，请留意审批进度与后续通知";
    let body = "张三您好：\n您的申请已受理，办件编号 QJ-2026-000123。\n.这一行以句点开头\n..两个句点\n清江市政务服务中心";
    let mail = store
        .enqueue_notification(
            EMAIL,
            "Zhang.San@Example.cn",
            subject,
            body,
            Some("QJ-2026-000123"),
            t0(),
        )
        .await
        .unwrap();
    let sms = store
        .enqueue_notification(
            SMS,
            "138 1234 5678",
            "受理通知",
            "【清江政务】您的办件已受理，编号 QJ-2026-000123。",
            Some("QJ-2026-000123"),
            t0(),
        )
        .await
        .unwrap();

    let dispatcher = Dispatcher::new(store.clone(), config).unwrap();
    let now = t0() + Duration::seconds(5);
    let report = dispatcher.run_once(now).await.unwrap();
    assert_eq!(
        report,
        DispatchReport {
            sent: 2,
            ..DispatchReport::default()
        }
    );

    // The mail: the whole conversation, then the Chinese subject and body intact.
    let sessions = sessions.lock().unwrap().clone();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    let plain = String::from_utf8(base64_decode(
        s.commands[1].strip_prefix("AUTH PLAIN ").unwrap(),
    ))
    .unwrap();
    assert_eq!(plain, "\0tongban\0s3cret");
    assert_eq!(s.commands[0], "EHLO tongban.test");
    assert_eq!(
        s.commands[2],
        "MAIL FROM:<noreply@qingjiang.gov.cn> BODY=8BITMIME"
    );
    assert_eq!(s.commands[3], "RCPT TO:<zhang.san@example.cn>");
    assert_eq!(s.commands[4], "DATA");
    assert_eq!(s.commands.last().unwrap(), "QUIT");
    assert_eq!(subject_of(&s.data), subject);
    assert_eq!(
        body_of(&s.data),
        format!("{}\r\n", body.replace('\n', "\r\n"))
    );
    assert!(s.data.contains("From: noreply@qingjiang.gov.cn\r\n"));
    assert!(s.data.contains("To: zhang.san@example.cn\r\n"));
    assert!(s
        .data
        .contains("Content-Type: text/plain; charset=UTF-8\r\n"));
    assert!(s.data.contains("Content-Transfer-Encoding: 8bit\r\n"));
    // No header line breaks SMTP's length limit even with a long Chinese subject.
    assert!(s.data.lines().all(|l| l.len() <= 998));

    // The SMS: one POST with the bearer token and the JSON body.
    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert!(
        r.head.starts_with("POST /api/send HTTP/1.1\r\n"),
        "{}",
        r.head
    );
    assert!(r
        .head
        .lines()
        .any(|l| l == format!("Host: 127.0.0.1:{http_port}")));
    assert!(r.head.lines().any(|l| l == "Authorization: Bearer tok-123"));
    assert!(r.head.contains("Content-Type: application/json"));
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(json["phone"], "13812345678");
    assert_eq!(
        json["text"],
        "【清江政务】您的办件已受理，编号 QJ-2026-000123。"
    );

    // Both are recorded as sent and never go again.
    for id in [mail, sms] {
        let m = message(&store, id).await;
        assert_eq!(m.sent_at, Some(now));
        assert_eq!(m.attempts, 1);
    }
    assert_eq!(
        store.outbox_for_case("QJ-2026-000123").await.unwrap().len(),
        2
    );
    let later = dispatcher.run_once(now + Duration::days(1)).await.unwrap();
    assert_eq!(later, DispatchReport::default());
}

#[tokio::test]
async fn a_failing_gateway_leads_to_retries_with_backoff_then_gives_up() {
    let store = store().await;
    let (http_port, requests) = http_server("500 Internal Server Error").await;
    let config = NotifyConfig {
        sms: Some(sms_config(http_port)),
        max_attempts: 3,
        ..NotifyConfig::default()
    };
    let dispatcher = Dispatcher::new(store.clone(), config).unwrap();
    let id = store
        .enqueue_notification(SMS, "13812345678", "通知", "您的办件已办结。", None, t0())
        .await
        .unwrap();

    let first = dispatcher.run_once(t0()).await.unwrap();
    assert_eq!((first.sent, first.failed, first.gave_up), (0, 1, 0));
    let m = message(&store, id).await;
    assert_eq!(m.attempts, 1);
    assert_eq!(m.sent_at, None);
    assert_eq!(m.next_attempt_at, Some(t0() + Duration::minutes(1)));
    let error = m.last_error.unwrap();
    assert!(
        error.contains("500") && error.contains("gateway!"),
        "{error}"
    );

    // Not before the retry time; then again, and the wait doubles.
    let early = dispatcher
        .run_once(t0() + Duration::seconds(59))
        .await
        .unwrap();
    assert_eq!(early, DispatchReport::default());
    let second = t0() + Duration::minutes(1);
    assert_eq!(dispatcher.run_once(second).await.unwrap().failed, 1);
    let m = message(&store, id).await;
    assert_eq!(m.attempts, 2);
    assert_eq!(m.next_attempt_at, Some(second + Duration::minutes(2)));

    // The third attempt is the last.
    let third = second + Duration::minutes(2);
    let report = dispatcher.run_once(third).await.unwrap();
    assert_eq!((report.failed, report.gave_up), (1, 1));
    let m = message(&store, id).await;
    assert!(m.gave_up());
    assert_eq!(m.attempts, 3);
    assert_eq!(requests.lock().unwrap().len(), 3);
    let much_later = dispatcher
        .run_once(third + Duration::days(30))
        .await
        .unwrap();
    assert_eq!(much_later, DispatchReport::default());
}

#[tokio::test]
async fn refused_recipients_are_given_up_at_once() {
    let store = store().await;
    let (smtp_port, sessions) =
        smtp_server("550 5.1.1 <nobody@example.cn>: user unknown\r\n").await;
    let (http_port, requests) = http_server("200 OK").await;
    let config = NotifyConfig {
        smtp: Some(smtp_config(smtp_port)),
        sms: Some(sms_config(http_port)),
        ..NotifyConfig::default()
    };
    let dispatcher = Dispatcher::new(store.clone(), config).unwrap();
    let unknown = store
        .enqueue_notification(EMAIL, "nobody@example.cn", "通知", "正文", None, t0())
        .await
        .unwrap();
    let bad_phone = store
        .enqueue_notification(SMS, "12345", "通知", "正文", None, t0())
        .await
        .unwrap();
    let bad_mail = store
        .enqueue_notification(EMAIL, "张三@example.cn", "通知", "正文", None, t0())
        .await
        .unwrap();
    let report = dispatcher.run_once(t0()).await.unwrap();
    assert_eq!((report.sent, report.failed, report.gave_up), (0, 3, 3));
    let m = message(&store, unknown).await;
    assert!(m.gave_up());
    assert!(
        m.last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        m.last_error
    );
    assert!(message(&store, bad_phone)
        .await
        .last_error
        .unwrap()
        .contains("手机号码无效"));
    assert!(message(&store, bad_mail)
        .await
        .last_error
        .unwrap()
        .contains("收件地址无效"));
    // Neither invalid recipient reached a server; the refused one was said goodbye to.
    assert!(requests.lock().unwrap().is_empty());
    let sessions = sessions.lock().unwrap().clone();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].commands[3], "RCPT TO:<nobody@example.cn>");
}

#[tokio::test]
async fn a_silent_server_times_out_and_is_retried() {
    let store = store().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream); // accept and say nothing
        }
    });
    let config = NotifyConfig {
        smtp: Some(smtp_config(port)),
        timeout_secs: 1,
        ..NotifyConfig::default()
    };
    let dispatcher = Dispatcher::new(store.clone(), config).unwrap();
    let id = store
        .enqueue_notification(EMAIL, "a@example.cn", "通知", "正文", None, t0())
        .await
        .unwrap();
    let report = dispatcher.run_once(t0()).await.unwrap();
    assert_eq!((report.failed, report.gave_up), (1, 0));
    let m = message(&store, id).await;
    assert!(m.last_error.unwrap().contains("超时"));
    assert_eq!(m.next_attempt_at, Some(t0() + Duration::minutes(1)));
}

#[tokio::test]
async fn captured_transport_records_and_unconfigured_channels_wait() {
    let store = store().await;
    let mail = CapturedTransport::new();
    let dispatcher = Dispatcher::with_transports(
        store.clone(),
        NotifyConfig::default(),
        None,
        Some(Box::new(mail.clone())),
    );
    let e1 = store
        .enqueue_notification(
            EMAIL,
            "a@example.cn",
            "补正通知",
            "请补正材料。",
            Some("QJ-9"),
            t0(),
        )
        .await
        .unwrap();
    let s1 = store
        .enqueue_notification(
            SMS,
            "13812345678",
            "补正通知",
            "请补正材料。",
            Some("QJ-9"),
            t0(),
        )
        .await
        .unwrap();

    let report = dispatcher.run_once(t0()).await.unwrap();
    assert_eq!(
        report,
        DispatchReport {
            sent: 1,
            held: 1,
            ..DispatchReport::default()
        }
    );
    let got = mail.messages();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id, got[0].subject.as_str()), (e1, "补正通知"));

    // The SMS has no gateway: it is left exactly as it was, to go once one is configured.
    let waiting = message(&store, s1).await;
    assert_eq!(
        (waiting.attempts, waiting.last_error, waiting.sent_at),
        (0, None, None)
    );
    assert_eq!(
        dispatcher
            .run_once(t0() + Duration::days(1))
            .await
            .unwrap()
            .held,
        1
    );
    let sms = CapturedTransport::new();
    let configured = Dispatcher::with_transports(
        store.clone(),
        NotifyConfig::default(),
        Some(Box::new(sms.clone())),
        Some(Box::new(mail.clone())),
    );
    let report = configured.run_once(t0() + Duration::days(1)).await.unwrap();
    assert_eq!((report.sent, report.held), (1, 0));
    assert_eq!(sms.messages()[0].id, s1);

    // A transient failure is retried; a permanent one is not.
    mail.fail_with(Some(SendError::transient("relay busy")));
    let e2 = store
        .enqueue_notification(EMAIL, "b@example.cn", "通知", "正文", None, t0())
        .await
        .unwrap();
    let at = t0() + Duration::days(2);
    assert_eq!(configured.run_once(at).await.unwrap().failed, 1);
    assert_eq!(
        message(&store, e2).await.next_attempt_at,
        Some(at + Duration::minutes(1))
    );
    mail.fail_with(Some(SendError::permanent("no such mailbox")));
    let report = configured
        .run_once(at + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((report.failed, report.gave_up), (1, 1));
    assert!(message(&store, e2).await.gave_up());
    mail.fail_with(None);
    assert_eq!(mail.messages().len(), 1);
}

#[tokio::test]
async fn unusable_configurations_are_refused() {
    let store = store().await;
    let https = NotifyConfig {
        sms: Some(SmsConfig {
            url: "https://sms.example.cn/send".into(),
            token: None,
        }),
        ..NotifyConfig::default()
    };
    let err = Dispatcher::new(store.clone(), https).err().unwrap();
    assert!(err.message.contains("http://"), "{err}");
    let mut smtp = smtp_config(25);
    smtp.from = "not an address".into();
    let bad_from = NotifyConfig {
        smtp: Some(smtp),
        ..NotifyConfig::default()
    };
    assert!(Dispatcher::new(store, bad_from).is_err());

    let parsed: NotifyConfig = serde_json::from_value(serde_json::json!({
        "smtp": {"host": "127.0.0.1", "from": "noreply@qingjiang.gov.cn"},
        "max_attempts": 8
    }))
    .unwrap();
    let smtp = parsed.smtp.unwrap();
    assert_eq!((smtp.port, smtp.hello_name.as_str()), (25, "localhost"));
    assert_eq!(
        (parsed.max_attempts, parsed.batch, parsed.timeout_secs),
        (8, 20, 30)
    );
    assert!(serde_json::from_value::<NotifyConfig>(serde_json::json!({"retries": 3})).is_err());
}

#[tokio::test]
async fn spawned_dispatcher_follows_the_clock() {
    let store = store().await;
    let mail = CapturedTransport::new();
    let dispatcher = Dispatcher::with_transports(
        store.clone(),
        NotifyConfig::default(),
        None,
        Some(Box::new(mail.clone())),
    );
    store
        .enqueue_notification(EMAIL, "a@example.cn", "通知", "正文", None, t0())
        .await
        .unwrap();
    let handle = dispatcher.spawn(|| t0() + Duration::seconds(1));
    for _ in 0..100 {
        if !mail.messages().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    handle.abort();
    assert_eq!(mail.messages().len(), 1);
}
