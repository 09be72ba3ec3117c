//! Notifications: the dispatcher that empties the outbox over SMS and e-mail.
//!
//! The case engine writes notices into the outbox in the same transaction as the change they
//! announce; the [`Dispatcher`] claims due ones under a lease, hands each to the [`Transport`]
//! of its channel, and records the outcome. A failed attempt is retried after 1, 2, 4, 8 …
//! minutes until `max_attempts` attempts were made; then the message is given up and keeps its
//! last error for an administrator to read. Delivery is at least once: if the process dies
//! mid-send, the message is sent again after its lease ends.
//!
//! A channel with no transport configured is not claimed at all: its messages stay pending,
//! untouched, and go out once the channel is configured and the server restarted. The
//! dispatcher logs once per channel that messages are waiting. Nothing is lost that way.
//!
//! The two network transports are deliberately small and speak plain TCP only: a minimal
//! SMTP client (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) and a minimal HTTP/1.1 POST. TLS is
//! expected to be terminated by a local relay (a Postfix smarthost, an stunnel) or by the SMS
//! gateway's local agent, so credentials never cross an untrusted network in clear.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tongban_domain::account::{Email, Phone};
use tongban_domain::codes;
use tongban_domain::mask;
use tongban_store::outbox::{OutboxMessage, EMAIL, SMS};
use tongban_store::Store;

use crate::{AppError, Result};

/// How often the spawned dispatcher looks at the outbox when it is idle.
const INTERVAL: StdDuration = StdDuration::from_secs(2);
/// The longest a single delivery may take, whatever the configuration says.
const MAX_TIMEOUT_SECS: u64 = 600;
/// The most messages claimed per round, whatever the configuration says.
const MAX_BATCH: usize = 1000;
/// The longest wait between two attempts, however many failed.
const MAX_BACKOFF_MINUTES: i64 = 24 * 60;

/// The `[notify]` section of the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// E-mail; without it e-mail waits in the outbox.
    pub smtp: Option<SmtpConfig>,
    /// SMS; without it SMS waits in the outbox.
    pub sms: Option<SmsConfig>,
    /// Attempts per message before it is given up (at least 1).
    pub max_attempts: u32,
    /// Messages claimed per round (1 to 1000).
    pub batch: usize,
    /// Seconds one delivery may take (connect, converse, answer) before it counts as failed
    /// (1 to 600).
    pub timeout_secs: u64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            sms: None,
            max_attempts: 5,
            batch: 20,
            timeout_secs: 30,
        }
    }
}

/// An SMTP server or relay reached over plain TCP.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// The envelope sender and `From:` address.
    pub from: String,
    /// AUTH PLAIN when both are set.
    pub username: Option<String>,
    pub password: Option<String>,
    /// The name given in EHLO and in Message-IDs.
    #[serde(default = "default_hello_name")]
    pub hello_name: String,
}

fn default_smtp_port() -> u16 {
    25
}

fn default_hello_name() -> String {
    "localhost".into()
}

// By hand so the password never reaches a log.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

/// An SMS gateway taking `POST {"phone": …, "text": …}` over plain HTTP.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// `http://host:port/path`.
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Why a delivery failed. A permanent failure (the recipient itself is refused or invalid) is
/// not retried; anything else is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// A way to deliver messages of one channel.
pub trait Transport: Send + Sync {
    fn send<'a>(&'a self, message: &'a OutboxMessage) -> SendFuture<'a>;
}

/// Records every message instead of sending it (tests, demos). Clones share the record. Set a
/// failure to make every send fail with it.
#[derive(Debug, Clone, Default)]
pub struct CapturedTransport {
    sent: Arc<Mutex<Vec<OutboxMessage>>>,
    failure: Arc<Mutex<Option<SendError>>>,
}

impl CapturedTransport {
    pub fn new() -> Self {
        Self::default()
    }

    /// The messages delivered so far, in order.
    pub fn messages(&self) -> Vec<OutboxMessage> {
        self.sent.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Makes every later send fail with `failure`, or succeed again with `None`.
    pub fn fail_with(&self, failure: Option<SendError>) {
        if let Ok(mut f) = self.failure.lock() {
            *f = failure;
        }
    }
}

impl Transport for CapturedTransport {
    fn send<'a>(&'a self, message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move {
            if let Some(err) = self.failure.lock().ok().and_then(|f| f.clone()) {
                return Err(err);
            }
            if let Ok(mut sent) = self.sent.lock() {
                sent.push(message.clone());
            }
            Ok(())
        })
    }
}

/// What one round of the dispatcher did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: usize,
    /// Failed attempts, including those given up.
    pub failed: usize,
    /// Of the failed, the messages given up for good.
    pub gave_up: usize,
    /// Due messages waiting for a channel that has no transport.
    pub held: usize,
}

/// Empties the outbox. See the module documentation.
pub struct Dispatcher {
    store: Store,
    config: NotifyConfig,
    sms: Option<Box<dyn Transport>>,
    email: Option<Box<dyn Transport>>,
    /// Channels already logged as holding messages, so the log says it once.
    warned: Mutex<HashSet<String>>,
}

impl Dispatcher {
    /// A dispatcher with the network transports `config` describes. Refuses a configuration it
    /// could not use (an `https://` gateway, a malformed sender address).
    pub fn new(store: Store, config: NotifyConfig) -> Result<Dispatcher> {
        let invalid = |m: String| AppError::new(codes::Notify::Config, m);
        let sms = match &config.sms {
            Some(c) => Some(Box::new(HttpSms::new(c).map_err(invalid)?) as Box<dyn Transport>),
            None => None,
        };
        let email = match &config.smtp {
            Some(c) => Some(Box::new(Smtp::new(c).map_err(invalid)?) as Box<dyn Transport>),
            None => None,
        };
        Ok(Self::with_transports(store, config, sms, email))
    }

    /// A dispatcher over the given transports (tests put [`CapturedTransport`]s here). The
    /// `smtp`/`sms` sections of `config` are not used.
    pub fn with_transports(
        store: Store,
        config: NotifyConfig,
        sms: Option<Box<dyn Transport>>,
        email: Option<Box<dyn Transport>>,
    ) -> Dispatcher {
        Dispatcher {
            store,
            config,
            sms,
            email,
            warned: Mutex::new(HashSet::new()),
        }
    }

    fn transport(&self, channel: &str) -> Option<&dyn Transport> {
        match channel {
            SMS => self.sms.as_deref(),
            EMAIL => self.email.as_deref(),
            _ => None,
        }
    }

    fn timeout(&self) -> StdDuration {
        StdDuration::from_secs(self.config.timeout_secs.clamp(1, MAX_TIMEOUT_SECS))
    }

    /// Long enough for a whole batch to time out one message after another, so a slow round
    /// never loses its claim to another dispatcher mid-send.
    fn lease(&self) -> Duration {
        let secs = self.timeout().as_secs() * (self.batch() as u64 + 1);
        Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX).max(60))
    }

    fn batch(&self) -> usize {
        self.config.batch.clamp(1, MAX_BATCH)
    }

    /// One round: claims a batch of due messages, sends each and records the outcome.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<DispatchReport> {
        let mut report = DispatchReport::default();
        let channels: Vec<&str> = [SMS, EMAIL]
            .into_iter()
            .filter(|c| self.transport(c).is_some())
            .collect();
        let claimed = self
            .store
            .claim_outbox(now, self.batch(), self.lease(), &channels)
            .await?;
        for message in claimed {
            let outcome = match self.transport(&message.channel) {
                Some(t) => match tokio::time::timeout(self.timeout(), t.send(&message)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(SendError::transient(format!(
                        "发送超时（{} 秒）",
                        self.timeout().as_secs()
                    ))),
                },
                // Only configured channels are claimed; this guards a future change to that.
                None => Err(SendError::transient(unconfigured(&message.channel))),
            };
            let who = masked(&message);
            match outcome {
                Ok(()) => {
                    report.sent += 1;
                    tracing::info!(
                        id = message.id,
                        channel = %message.channel,
                        to = %who,
                        "notification sent"
                    );
                    if let Err(e) = self.store.mark_outbox_sent(message.id, now).await {
                        // It went out; the row comes back after its lease and goes out again.
                        tracing::error!(
                            id = message.id,
                            error = %e,
                            "cannot record a sent notification"
                        );
                    }
                }
                Err(err) => {
                    report.failed += 1;
                    let attempts = message.attempts.saturating_add(1);
                    let retry_at = (!err.permanent
                        && attempts < i64::from(self.config.max_attempts.max(1)))
                    .then(|| now + backoff(attempts));
                    if retry_at.is_none() {
                        report.gave_up += 1;
                    }
                    tracing::warn!(
                        id = message.id,
                        channel = %message.channel,
                        to = %who,
                        attempts,
                        retry_at = ?retry_at,
                        error = %err,
                        "notification failed"
                    );
                    if let Err(e) = self
                        .store
                        .mark_outbox_failed(message.id, now, &err.message, retry_at)
                        .await
                    {
                        tracing::error!(
                            id = message.id,
                            error = %e,
                            "cannot record a failed notification"
                        );
                    }
                }
            }
        }
        report.held = self.note_held(now, &channels).await;
        Ok(report)
    }

    /// Counts due messages no transport can take and logs each such channel once.
    async fn note_held(&self, now: DateTime<Utc>, channels: &[&str]) -> usize {
        let counts = match self.store.outbox_due_counts(now).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot count waiting notifications");
                return 0;
            }
        };
        let mut held = 0;
        for (channel, count) in counts {
            if channels.contains(&channel.as_str()) {
                continue;
            }
            held += usize::try_from(count).unwrap_or(0);
            let first = self
                .warned
                .lock()
                .map(|mut w| w.insert(channel.clone()))
                .unwrap_or(false);
            if first {
                tracing::warn!(
                    channel = %channel,
                    count,
                    "{}，消息保留在发件箱中待配置后发送",
                    unconfigured(&channel)
                );
            }
        }
        held
    }

    /// Runs rounds until the task is aborted: at once again after a full batch (a backlog),
    /// otherwise every two seconds. Time is read from `clock`, so a simulated clock moves
    /// retries too. Aborting mid-send is safe: the message is sent again after its lease.
    pub fn spawn<F>(self, clock: F) -> JoinHandle<()>
    where
        F: Fn() -> DateTime<Utc> + Send + Sync + 'static,
    {
        tokio::spawn(async move {
            loop {
                match self.run_once(clock()).await {
                    Ok(r) if r.sent + r.failed >= self.batch() => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "notification round failed"),
                }
                tokio::time::sleep(INTERVAL).await;
            }
        })
    }
}

/// The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes, at most a day.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    Duration::minutes((1_i64 << exp).min(MAX_BACKOFF_MINUTES))
}

fn unconfigured(channel: &str) -> String {
    match channel {
        SMS => "未配置短信网关".into(),
        EMAIL => "未配置邮件服务器".into(),
        other => format!("未知的通知渠道“{other}”"),
    }
}

fn masked(m: &OutboxMessage) -> String {
    match m.channel.as_str() {
        SMS => mask::phone(&m.recipient),
        _ => mask::email(&m.recipient),
    }
}

// ---------------------------------------------------------------------------------------------
// SMS over HTTP

/// `POST` to an SMS gateway over plain HTTP/1.1, one connection per message.
struct HttpSms {
    /// `host:port` to connect to.
    connect: String,
    /// The `Host:` header.
    host: String,
    path: String,
    token: Option<String>,
}

impl HttpSms {
    fn new(c: &SmsConfig) -> std::result::Result<HttpSms, String> {
        let rest = c.url.strip_prefix("http://").ok_or_else(|| {
            format!(
                "短信网关地址应以 http:// 开头（TLS 由本机网关代理终止），收到“{}”",
                c.url
            )
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let bad = |s: &str| has_control(s) || s.contains(' ');
        if authority.is_empty() || bad(authority) || authority.contains('@') || bad(path) {
            return Err(format!("短信网关地址无效：“{}”", c.url));
        }
        // A port is present unless the authority ends in a bare host (or a bracketed IPv6).
        let has_port = authority.rsplit_once(':').is_some_and(|(h, p)| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.is_empty()
        });
        let connect = if has_port {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        if let Some(t) = &c.token {
            if has_control(t) {
                return Err("短信网关令牌含有控制字符".into());
            }
        }
        Ok(HttpSms {
            connect,
            host: authority.to_string(),
            path: path.to_string(),
            token: c.token.clone(),
        })
    }

    async fn post(&self, phone: &str, text: &str) -> Result<(), SendError> {
        let body = serde_json::json!({ "phone": phone, "text": text }).to_string();
        let mut request = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n",
            self.path,
            self.host,
            body.len()
        );
        if let Some(token) = &self.token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        let mut stream = TcpStream::connect(&self.connect)
            .await
            .map_err(|e| SendError::transient(format!("无法连接短信网关 {}：{e}", self.connect)))?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| SendError::transient(format!("向短信网关发送失败：{e}")))?;
        let (status, reason, body) = read_response(&mut stream)
            .await
            .map_err(|e| SendError::transient(format!("短信网关应答无效：{e}")))?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            let body: String = body.chars().take(200).collect();
            Err(SendError::transient(format!(
                "短信网关返回 {status} {reason}：{}",
                body.trim()
            )))
        }
    }
}

impl Transport for HttpSms {
    fn send<'a>(&'a self, message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move {
            let phone = Phone::parse(&message.recipient)
                .map_err(|e| SendError::permanent(format!("手机号码无效：{e}")))?;
            self.post(phone.as_str(), &message.body).await
        })
    }
}

/// Reads an HTTP/1.1 response: status code, reason, and up to 4 KiB of body (for the error
/// message; a success needs no body).
async fn read_response<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> std::result::Result<(u16, String, String), String> {
    const MAX_HEAD: usize = 16 * 1024;
    const MAX_BODY: usize = 4 * 1024;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err("应答头过长".into());
        }
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("连接在应答头之前关闭".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|_| version.starts_with("HTTP/1."))
        .ok_or_else(|| format!("状态行无效：“{status_line}”"))?;
    let reason = parts.next().unwrap_or_default().to_string();
    if (200..300).contains(&status) {
        return Ok((status, reason, String::new()));
    }
    let length = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let want = length.unwrap_or(MAX_BODY).min(MAX_BODY);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < want {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(want);
    Ok((status, reason, String::from_utf8_lossy(&body).into_owned()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

// ---------------------------------------------------------------------------------------------
// E-mail over SMTP

/// A minimal SMTP client, one connection per message.
struct Smtp {
    config: SmtpConfig,
}

impl Smtp {
    fn new(c: &SmtpConfig) -> std::result::Result<Smtp, String> {
        if c.host.is_empty() || has_control(&c.host) {
            return Err("邮件服务器地址无效".into());
        }
        let from = mailbox(&c.from).map_err(|e| format!("发件地址 from 无效：{e}"))?;
        if c.hello_name.is_empty()
            || c.hello_name
                .contains(|ch: char| ch.is_whitespace() || ch.is_control())
        {
            return Err(format!("hello_name 无效：“{}”", c.hello_name));
        }
        let creds = [&c.username, &c.password];
        if creds
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| s.contains('\0')))
        {
            return Err("SMTP 用户名或密码含有空字符".into());
        }
        Ok(Smtp {
            config: SmtpConfig { from, ..c.clone() },
        })
    }

    async fn deliver(&self, to: &str, message: &OutboxMessage) -> Result<(), SendError> {
        let c = &self.config;
        let stream = TcpStream::connect((c.host.as_str(), c.port))
            .await
            .map_err(|e| {
                SendError::transient(format!("无法连接邮件服务器 {}:{}：{e}", c.host, c.port))
            })?;
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);

        let outcome = async {
            expect(reply(&mut read, "问候").await?, "问候", &[220])?;
            let ehlo = command(
                &mut write,
                &mut read,
                &format!("EHLO {}", c.hello_name),
                "EHLO",
                &[250],
            )
            .await?;
            let eight_bit = ehlo.lines.iter().any(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case("8BITMIME"))
            });
            if let (Some(user), Some(pass)) = (&c.username, &c.password) {
                let token = base64(format!("\0{user}\0{pass}").as_bytes());
                command(
                    &mut write,
                    &mut read,
                    &format!("AUTH PLAIN {token}"),
                    "AUTH",
                    &[235],
                )
                .await?;
            }
            let (payload, eight_bit_body) = build_email(c, to, message, eight_bit);
            let body_param = if eight_bit_body { " BODY=8BITMIME" } else { "" };
            command(
                &mut write,
                &mut read,
                &format!("MAIL FROM:<{}>{body_param}", c.from),
                "MAIL FROM",
                &[250],
            )
            .await?;
            let rcpt = command(
                &mut write,
                &mut read,
                &format!("RCPT TO:<{to}>"),
                "RCPT TO",
                &[250, 251],
            )
            .await;
            if let Err(mut e) = rcpt {
                // A 5xx here refuses this recipient for good (no such mailbox, bad address); a
                // failure of the server itself would have shown before RCPT.
                e.error.permanent = e.code.is_some_and(|code| (500..600).contains(&code));
                return Err(e.error);
            }
            command(&mut write, &mut read, "DATA", "DATA", &[354]).await?;
            let mut data = dot_stuff(&payload);
            data.push_str(".\r\n");
            write
                .write_all(data.as_bytes())
                .await
                .map_err(|e| SendError::transient(format!("向邮件服务器发送失败：{e}")))?;
            expect(reply(&mut read, "正文").await?, "正文", &[250])?;
            Ok(())
        }
        .await;
        if outcome.is_err() {
            // Leave politely; the server's answer no longer matters.
            let _ = write.write_all(b"QUIT\r\n").await;
            return outcome;
        }
        // The mail is accepted; how the goodbye goes changes nothing.
        let _ = command(&mut write, &mut read, "QUIT", "QUIT", &[221]).await;
        Ok(())
    }
}

impl Transport for Smtp {
    fn send<'a>(&'a self, message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move {
            let to = mailbox(&message.recipient)
                .map_err(|e| SendError::permanent(format!("收件地址无效：{e}")))?;
            self.deliver(&to, message).await
        })
    }
}

/// A reply: its code and the text of each line.
struct Reply {
    code: u16,
    lines: Vec<String>,
}

/// Reads one (possibly multi-line) reply.
async fn reply<R: AsyncBufReadExt + Unpin>(read: &mut R, step: &str) -> Result<Reply, SendError> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = read
            .read_line(&mut line)
            .await
            .map_err(|e| SendError::transient(format!("读取邮件服务器应答失败（{step}）：{e}")))?;
        if n == 0 {
            return Err(SendError::transient(format!(
                "邮件服务器断开了连接（{step}）"
            )));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| {
                SendError::transient(format!("邮件服务器应答无效（{step}）：“{line}”"))
            })?;
        lines.push(line.get(4..).unwrap_or_default().to_string());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(Reply { code, lines });
        }
    }
}

/// Checks a reply's code is one of `ok`.
fn expect(r: Reply, step: &str, ok: &[u16]) -> Result<Reply, SendError> {
    if ok.contains(&r.code) {
        Ok(r)
    } else {
        Err(SendError::transient(format!(
            "邮件服务器拒绝 {step}：{} {}",
            r.code,
            r.lines.join(" ")
        )))
    }
}

/// A failed command, with the server's code when it answered.
struct Refused {
    code: Option<u16>,
    error: SendError,
}

impl From<Refused> for SendError {
    fn from(r: Refused) -> Self {
        r.error
    }
}

/// Sends one command line and checks the reply.
async fn command<W, R>(
    write: &mut W,
    read: &mut R,
    line: &str,
    step: &str,
    ok: &[u16],
) -> Result<Reply, Refused>
where
    W: AsyncWrite + Unpin,
    R: AsyncBufReadExt + Unpin,
{
    let refused = |error| Refused { code: None, error };
    write
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(|e| {
            refused(SendError::transient(format!(
                "向邮件服务器发送失败（{step}）：{e}"
            )))
        })?;
    let r = reply(read, step).await.map_err(refused)?;
    let code = r.code;
    expect(r, step, ok).map_err(|error| Refused {
        code: Some(code),
        error,
    })
}

/// A plain ASCII `local@domain` fit for an SMTP envelope and a header.
fn mailbox(address: &str) -> std::result::Result<String, String> {
    let parsed = Email::parse(address).map_err(|e| e.to_string())?;
    let s = parsed.as_str();
    if !s.is_ascii() || s.contains(['<', '>', '(', ')', ',', ';', '"', '\\']) || has_control(s) {
        return Err(format!("“{address}”不是可投递的地址"));
    }
    Ok(s.to_string())
}

/// The message as sent after DATA (before dot-stuffing), and whether its body is 8-bit.
/// The body goes as 8bit when the server takes 8BITMIME and every line fits SMTP's 998-octet
/// limit; otherwise as base64, which any server takes.
fn build_email(c: &SmtpConfig, to: &str, m: &OutboxMessage, server_8bit: bool) -> (String, bool) {
    let lines: Vec<&str> = split_lines(&m.body);
    let short = lines.iter().all(|l| l.len() <= 998);
    let (encoding, body, eight_bit) = if m.body.is_ascii() && short {
        ("7bit", lines.join("\r\n"), false)
    } else if server_8bit && short {
        ("8bit", lines.join("\r\n"), true)
    } else {
        let b64 = base64(lines.join("\r\n").as_bytes());
        let wrapped: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|ch| std::str::from_utf8(ch).unwrap_or_default())
            .collect();
        ("base64", wrapped.join("\r\n"), false)
    };
    let headers = [
        format!("Date: {}", m.created_at.to_rfc2822()),
        format!(
            "Message-ID: <tongban.outbox.{}.{}@{}>",
            m.id,
            m.created_at.timestamp_millis(),
            c.hello_name
        ),
        format!("From: {}", c.from),
        format!("To: {to}"),
        format!("Subject: {}", encode_subject(&m.subject)),
        "MIME-Version: 1.0".to_string(),
        "Content-Type: text/plain; charset=UTF-8".to_string(),
        format!("Content-Transfer-Encoding: {encoding}"),
    ];
    (
        format!("{}\r\n\r\n{body}\r\n", headers.join("\r\n")),
        eight_bit,
    )
}

/// Lines of `text` whatever its line endings.
fn split_lines(text: &str) -> Vec<&str> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// The subject as RFC 2047 encoded words (`=?UTF-8?B?…?=`, each at most 75 characters, folded
/// onto continuation lines). Always encoded, so no subject can inject a header.
fn encode_subject(subject: &str) -> String {
    // 45 bytes of UTF-8 make 60 characters of base64, which with `=?UTF-8?B?` and `?=` is 72.
    const CHUNK: usize = 45;
    let clean: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (i, ch) in clean.char_indices() {
        if i + ch.len_utf8() - start > CHUNK {
            words.push(&clean[start..end]);
            start = i;
        }
        end = i + ch.len_utf8();
    }
    words.push(&clean[start..end]);
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", base64(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// SMTP transparency (RFC 5321 4.5.2): a line starting with a dot gets another dot.
fn dot_stuff(payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() + 16);
    for line in payload.split_inclusive("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    out
}

/// Standard base64 with padding (RFC 4648).
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
        assert_eq!(base64("受理".as_bytes()), "5Y+X55CG");
    }

    #[test]
    fn subjects_become_short_encoded_words_on_character_boundaries() {
        assert_eq!(encode_subject("受理"), "=?UTF-8?B?5Y+X55CG?=");
        let long = "您的办件已受理，请留意后续通知。".repeat(4);
        let encoded = encode_subject(&long);
        let words: Vec<&str> = encoded.split("\r\n ").collect();
        assert!(words.len() > 1);
        assert!(words
            .iter()
            .all(|w| w.len() <= 75 && w.starts_with("=?UTF-8?B?")));
        // Line breaks cannot smuggle a header in.
        assert!(!encode_subject("a\r\nBcc: x@y.cn").contains("\r\n"));
    }

    #[test]
    fn dots_are_stuffed_at_line_starts_only() {
        assert_eq!(dot_stuff(".a\r\nb.c\r\n..\r\n"), "..a\r\nb.c\r\n...\r\n");
    }

    #[test]
    fn backoff_doubles_from_a_minute_up_to_a_day() {
        let mins: Vec<i64> = (1..=5).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(mins, vec![1, 2, 4, 8, 16]);
        assert_eq!(backoff(40).num_minutes(), MAX_BACKOFF_MINUTES);
        assert_eq!(backoff(0).num_minutes(), 1);
    }

    #[test]
    fn bodies_fall_back_to_base64_without_8bitmime() {
        let c = SmtpConfig {
            host: "relay".into(),
            port: 25,
            from: "noreply@qingjiang.gov.cn".into(),
            username: None,
            password: None,
            hello_name: "tongban.local".into(),
        };
        let m = OutboxMessage {
            id: 7,
            channel: EMAIL.into(),
            recipient: "a@b.cn".into(),
            subject: "通知".into(),
            body: "您好\n.第二行".into(),
            case_number: None,
            created_at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
            attempts: 0,
            next_attempt_at: None,
            sent_at: None,
            last_error: None,
        };
        let (eight, is8) = build_email(&c, "a@b.cn", &m, true);
        assert!(is8);
        assert!(eight.contains("Content-Transfer-Encoding: 8bit\r\n\r\n您好\r\n.第二行\r\n"));
        let (plain, is8) = build_email(&c, "a@b.cn", &m, false);
        assert!(!is8);
        assert!(plain.contains("Content-Transfer-Encoding: base64\r\n\r\n"));
        assert!(plain.contains(&base64("您好\r\n.第二行".as_bytes())));
        assert!(plain.contains("Message-ID: <tongban.outbox.7.1772413200000@tongban.local>"));
        assert!(plain.contains("Date: Mon, 2 Mar 2026 01:00:00 +0000"));
    }

    #[test]
    fn configurations_that_cannot_work_are_refused() {
        let sms = |url: &str| {
            HttpSms::new(&SmsConfig {
                url: url.into(),
                token: None,
            })
        };
        assert!(sms("https://sms.example.cn/send").is_err());
        assert!(sms("http://user@gateway/send").is_err());
        assert!(sms("http://gateway/send\r\nX-Evil: 1").is_err());
        let ok = sms("http://127.0.0.1:9000/api/send").unwrap();
        assert_eq!(
            (ok.connect.as_str(), ok.path.as_str()),
            ("127.0.0.1:9000", "/api/send")
        );
        let bare = sms("http://gateway").unwrap();
        assert_eq!(
            (bare.connect.as_str(), bare.path.as_str()),
            ("gateway:80", "/")
        );
        assert!(mailbox("张三@example.cn").is_err());
        assert!(mailbox("a@b.cn>\r\nRCPT TO:<c@d.cn").is_err());
        assert_eq!(mailbox(" Zhang@Example.cn ").unwrap(), "zhang@example.cn");
    }
}
