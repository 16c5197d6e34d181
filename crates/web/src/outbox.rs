//! The server's outbox worker: sends what the outbox holds by e-mail (SMTP)
//! and SMS (an HTTP gateway), retrying with exponential back-off up to a
//! limit, recording every attempt.
//!
//! Never twice: a message is claimed with a lease before it is sent (one
//! worker at a time, across servers) and its outcome recorded after. If a
//! worker dies between the gateway's acceptance and that record, the lease
//! runs out and the message is sent again: the only window left. The e-mail
//! then carries the same Message-ID (`<message id@sender's domain>`), which
//! mail systems and readers recognise as the same message, and the SMS
//! request the same `Idempotency-Key`, which a gateway that honours it
//! uses to drop the second. Logs name message ids and error classes, never
//! an address or a text.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use store::{Channel, ClaimedMessage, NewMessage, Outcome, Store};
use tokio::sync::Notify;

/// An HTTP SMS gateway: where and how to post one message.
#[derive(Debug, Clone)]
pub struct SmsGateway {
    pub url: String,
    /// `POST` unless told otherwise.
    pub method: String,
    /// `application/json` or `application/x-www-form-urlencoded`: says how
    /// the placeholders are escaped.
    pub content_type: String,
    /// The request body with `{to}`, `{text}` and `{id}` (the message id).
    pub body_template: String,
    /// Sent as the `Authorization` header when set.
    pub authorization: Option<String>,
}

impl SmsGateway {
    pub const DEFAULT_TEMPLATE: &str = r#"{"to":"{to}","text":"{text}","reference":"{id}"}"#;

    /// The body for one message, each value escaped for the content type.
    pub fn body(&self, id: &str, to: &str, text: &str) -> String {
        let json = self.content_type.contains("json");
        let esc = |v: &str| -> String {
            if json {
                let quoted = serde_json::to_string(v).expect("strings serialise");
                quoted[1..quoted.len() - 1].to_owned()
            } else {
                form_urlencoded::byte_serialize(v.as_bytes()).collect()
            }
        };
        // One pass, so that a placeholder inside a value is not replaced again.
        let mut out = String::with_capacity(self.body_template.len() + text.len());
        let mut rest = self.body_template.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let (value, len) = if tail.starts_with("{to}") {
                (Some(esc(to)), 4)
            } else if tail.starts_with("{text}") {
                (Some(esc(text)), 6)
            } else if tail.starts_with("{id}") {
                (Some(esc(id)), 4)
            } else {
                (None, 1)
            };
            match value {
                Some(v) => out.push_str(&v),
                None => out.push('{'),
            }
            rest = &tail[len..];
        }
        out.push_str(rest);
        out
    }
}

/// How the outbox sends and retries.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// `smtp://host:port` (plain, for a relay on the same host),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465`
    /// (implicit TLS); user and password may be given in the URL.
    pub smtp_url: Option<String>,
    /// The From address of e-mails; its domain also names Message-IDs.
    pub smtp_from: String,
    pub sms: Option<SmsGateway>,
    /// The shared secret an inbound SMS webhook must send (as a bearer token).
    pub sms_inbound_secret: Option<String>,
    /// The first retry waits this long; each next one twice as long.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Attempts before a message is given up.
    pub max_attempts: i64,
    /// How long a claim holds a message; longer than any one send may take.
    pub lease: Duration,
    /// How often the worker looks for due messages when not woken.
    pub poll: Duration,
    /// One send's time limit.
    pub send_timeout: Duration,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            smtp_from: "muster@localhost".into(),
            sms: None,
            sms_inbound_secret: None,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            max_attempts: 8,
            lease: Duration::from_secs(300),
            poll: Duration::from_secs(5),
            send_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("the SMTP URL is not valid: {0}")]
    SmtpUrl(String),
    #[error("the From address is not valid")]
    From,
    #[error("the SMS gateway method is not an HTTP method")]
    Method,
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

impl OutboxConfig {
    /// Refuses settings the worker could not use, before the server starts.
    pub fn check(&self) -> Result<(), OutboxError> {
        if let Some(url) = &self.smtp_url {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| OutboxError::SmtpUrl(e.to_string()))?;
        }
        self.smtp_from
            .parse::<Mailbox>()
            .map_err(|_| OutboxError::From)?;
        if let Some(g) = &self.sms {
            reqwest::Method::from_bytes(g.method.to_ascii_uppercase().as_bytes())
                .map_err(|_| OutboxError::Method)?;
        }
        Ok(())
    }
}

/// One worker: claims, sends, records.
pub struct Worker {
    store: Store,
    name: String,
    config: OutboxConfig,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    http: reqwest::Client,
    sms_method: reqwest::Method,
}

/// What a failed send says about trying again.
struct SendError {
    class: &'static str,
    transient: bool,
}

impl Worker {
    /// A worker named `name` (unique per process: it owns its leases).
    pub fn new(store: Store, name: String, config: OutboxConfig) -> Result<Self, OutboxError> {
        let smtp = config
            .smtp_url
            .as_deref()
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|b| b.timeout(Some(config.send_timeout)).build())
                    .map_err(|e| OutboxError::SmtpUrl(e.to_string()))
            })
            .transpose()?;
        let from: Mailbox = config.smtp_from.parse().map_err(|_| OutboxError::From)?;
        let http = reqwest::Client::builder()
            .timeout(config.send_timeout)
            .build()
            .map_err(|e| OutboxError::Client(e.to_string()))?;
        let sms_method = match &config.sms {
            Some(g) => reqwest::Method::from_bytes(g.method.to_ascii_uppercase().as_bytes())
                .map_err(|_| OutboxError::Method)?,
            None => reqwest::Method::POST,
        };
        Ok(Self {
            store,
            name,
            config,
            smtp,
            from,
            http,
            sms_method,
        })
    }

    fn channels(&self) -> Vec<Channel> {
        let mut c = Vec::new();
        if self.smtp.is_some() {
            c.push(Channel::Email);
        }
        if self.config.sms.is_some() {
            c.push(Channel::Sms);
        }
        c
    }

    /// Claims and sends one batch; returns how many messages it handled.
    pub async fn run_once(&self) -> Result<usize, store::StoreError> {
        let batch = self
            .store
            .claim_messages(&self.name, &self.channels(), self.config.lease, 20)
            .await?;
        for claimed in &batch {
            let outcome = self.attempt(claimed).await;
            match &outcome {
                Outcome::Delivered => {
                    tracing::info!(message = %claimed.id, attempt = claimed.attempt, "message delivered")
                }
                Outcome::Retry { class, .. } => {
                    tracing::warn!(message = %claimed.id, attempt = claimed.attempt, error = %class, "message will be retried")
                }
                Outcome::Failed { class } => {
                    tracing::warn!(message = %claimed.id, attempt = claimed.attempt, error = %class, "message given up")
                }
            }
            if !self
                .store
                .record_outcome(&self.name, claimed, &outcome)
                .await?
            {
                tracing::warn!(message = %claimed.id, "lease lost before the outcome was recorded");
            }
        }
        Ok(batch.len())
    }

    async fn attempt(&self, claimed: &ClaimedMessage) -> Outcome {
        let Some(message) = &claimed.message else {
            return Outcome::Failed {
                class: "burned".into(),
            };
        };
        let result = match message.channel {
            Channel::Email => self.send_email(claimed, message).await,
            Channel::Sms => self.send_sms(claimed, message).await,
        };
        match result {
            Ok(()) => Outcome::Delivered,
            Err(e) if e.transient && claimed.attempt < self.config.max_attempts => Outcome::Retry {
                class: e.class.into(),
                at: Utc::now() + self.backoff(claimed.attempt),
            },
            Err(e) => Outcome::Failed {
                class: e.class.into(),
            },
        }
    }

    /// `base * 2^(attempt-1)`, at most `retry_max`.
    fn backoff(&self, attempt: i64) -> chrono::Duration {
        let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let wait = self
            .config
            .retry_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.config.retry_max);
        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
    }

    async fn send_email(&self, claimed: &ClaimedMessage, m: &NewMessage) -> Result<(), SendError> {
        let Some(smtp) = &self.smtp else {
            return Err(SendError {
                class: "no_transport",
                transient: true,
            });
        };
        let to: Mailbox = m.to.parse().map_err(|_| SendError {
            class: "bad_address",
            transient: false,
        })?;
        let domain = self.from.email.domain().to_owned();
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            // Stable across attempts: a resend is recognisably the same message.
            .message_id(Some(format!("<{}@{domain}>", claimed.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(m.text.clone())
            .map_err(|_| SendError {
                class: "bad_message",
                transient: false,
            })?;
        smtp.send(email).await.map(|_| ()).map_err(|e| {
            let (class, transient) = if e.is_permanent() {
                ("smtp_permanent", false)
            } else if e.is_transient() {
                ("smtp_transient", true)
            } else if e.is_timeout() {
                ("smtp_timeout", true)
            } else if e.is_tls() {
                ("smtp_tls", true)
            } else {
                ("smtp_connection", true)
            };
            SendError { class, transient }
        })
    }

    async fn send_sms(&self, claimed: &ClaimedMessage, m: &NewMessage) -> Result<(), SendError> {
        let Some(gateway) = &self.config.sms else {
            return Err(SendError {
                class: "no_transport",
                transient: true,
            });
        };
        let text = if m.subject.is_empty() {
            m.text.clone()
        } else {
            format!("{}\n{}", m.subject, m.text)
        };
        let id = claimed.id.to_string();
        let mut req = self
            .http
            .request(self.sms_method.clone(), &gateway.url)
            .header(reqwest::header::CONTENT_TYPE, &gateway.content_type)
            .header("Idempotency-Key", &id)
            .body(gateway.body(&id, &m.to, &text));
        if let Some(auth) = &gateway.authorization {
            req = req.header(reqwest::header::AUTHORIZATION, auth);
        }
        let res = req.send().await.map_err(|e| SendError {
            class: if e.is_timeout() {
                "sms_timeout"
            } else {
                "sms_connection"
            },
            transient: true,
        })?;
        let status = res.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
        {
            Err(SendError {
                class: "sms_gateway_busy",
                transient: true,
            })
        } else {
            Err(SendError {
                class: "sms_refused",
                transient: false,
            })
        }
    }

    /// Sends until the process ends: a batch whenever woken, or at the poll
    /// interval.
    pub async fn run(self, wake: Arc<Notify>) {
        if self.channels().is_empty() {
            tracing::warn!("no SMTP server or SMS gateway configured: messages wait in the outbox");
            return;
        }
        loop {
            match self.run_once().await {
                // A full batch: there may be more at once.
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox worker could not read the outbox"),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll) => {}
            }
        }
    }
}

/// The server's handle on its worker; cheap to clone.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// Starts a worker on the current runtime (none without a transport).
    pub fn start(store: Store, config: OutboxConfig) -> Result<Self, OutboxError> {
        let wake = Arc::new(Notify::new());
        let name = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let worker = Worker::new(store, name, config)?;
        tokio::spawn(worker.run(wake.clone()));
        Ok(Self { wake })
    }

    /// New messages are in the outbox: look now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_cannot_work_are_refused_before_the_server_starts() {
        let ok = OutboxConfig {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        for url in [
            "smtps://relay.example.org:465",
            "smtp://relay.example.org:587?tls=required",
        ] {
            let tls = OutboxConfig {
                smtp_url: Some(url.into()),
                ..Default::default()
            };
            assert!(tls.check().is_ok(), "{url}");
        }
        let bad_url = OutboxConfig {
            smtp_url: Some("http://relay".into()),
            ..Default::default()
        };
        assert!(matches!(bad_url.check(), Err(OutboxError::SmtpUrl(_))));
        let bad_from = OutboxConfig {
            smtp_from: "not an address".into(),
            ..Default::default()
        };
        assert!(matches!(bad_from.check(), Err(OutboxError::From)));
    }

    #[test]
    fn placeholders_are_escaped_for_the_body_s_type() {
        let mut g = SmsGateway {
            url: "http://127.0.0.1/sms".into(),
            method: "POST".into(),
            content_type: "application/json".into(),
            body_template: SmsGateway::DEFAULT_TEMPLATE.into(),
            authorization: None,
        };
        let body = g.body("m1", "+4512345678", "Say \"{to}\"\nnow");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["to"], "+4512345678");
        assert_eq!(v["text"], "Say \"{to}\"\nnow");
        assert_eq!(v["reference"], "m1");
        g.content_type = "application/x-www-form-urlencoded".into();
        g.body_template = "number={to}&message={text}".into();
        assert_eq!(g.body("m1", "+45 1", "a&b"), "number=%2B45+1&message=a%26b");
    }
}
