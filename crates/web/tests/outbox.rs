//! The outbox worker against real servers on loopback, started here: a small
//! SMTP server (EHLO, MAIL, RCPT, DATA, QUIT) and an HTTP SMS gateway (axum).
//! Every test runs on SQLite and on PostgreSQL, but for the call-forward
//! message, which goes through the whole application.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use domain::alert::{AlertKind, AlertTarget, AlertText, NewAlert};
use domain::audit::Actor;
use domain::case::NewCase;
use domain::operation::{NewOperation, Operation};
use domain::person::{Contact, ContactKind, PersonDetails, Relationship, Sex};
use domain::{AlertId, OperationId};
use store::{Channel, Store};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use web::outbox::{OutboxConfig, SmsGateway, Worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_household_called_forward_is_told_when_and_where_in_its_language() {
    let f = common::Fixture::with_config(web::Config {
        public_url: "https://muster.example.org/".into(),
        ..Default::default()
    })
    .await;
    let officer = f.sign_in("officer").await;
    let mut tx = f.store.write(Actor::Console).await.unwrap();
    let case = NewCase {
        scheme_id: Some(f.scheme),
        language: Some("fa".into()),
        members: vec![
            person(
                "Nabi",
                &[
                    (ContactKind::Phone, "+93701234567".into()),
                    (ContactKind::Email, "nabi@example.org".into()),
                ],
            ),
            // Reached through the principal: one message per channel.
            PersonDetails {
                relationship: Relationship::Spouse,
                ..person("Laila", &[(ContactKind::Email, "laila@example.org".into())])
            },
        ],
        ..Default::default()
    };
    let id = tx.create_case(&f.op, &case, "officer").await.unwrap();
    tx.commit().await.unwrap();
    let id = f.schedule(id).await;
    let res = f
        .send(common::json_request(
            "POST",
            &format!("/api/cases/{id}/call-forward"),
            Some(&officer),
            "{}",
        ))
        .await;
    assert_eq!(res.status(), 201);
    let issued = common::body_json(res).await;
    assert_eq!(issued["message"]["language"], "fa");
    assert_eq!(issued["message"]["queued"], 2);
    let pass_id = issued["pass_id"].as_str().unwrap().to_owned();
    let code = issued["code"].as_str().unwrap().to_owned();
    let link = format!(
        "https://muster.example.org{}",
        issued["page"].as_str().unwrap()
    );

    let (smtp, sms) = (SmtpServer::start(0).await, SmsServer::start(0).await);
    let worker = Worker::new(f.store.clone(), "w1".into(), config(&smtp, &sms)).unwrap();
    for _ in 0..200 {
        worker.run_once().await.unwrap();
        let counts = f
            .store
            .delivery_counts("call_forward", &pass_id)
            .await
            .unwrap();
        if counts.pending == 0 {
            assert_eq!((counts.delivered, counts.failed), (2, 0));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, ["nabi@example.org"]);
    assert!(mails[0].header("Subject").unwrap().contains("=?utf-8?"));
    let texts = sms.received();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].body["to"], "+93701234567");
    let text = texts[0].body["text"].as_str().unwrap();
    assert!(text.starts_with("نوبت حرکت شما رسیده است"), "{text}");
    assert!(
        text.contains("2021-08-19 20:00"),
        "the processing hour: {text}"
    );
    assert!(text.contains(&code), "the short code: {text}");
    assert!(text.contains(&link), "the pass page: {text}");
    for name in ["Nabi", "Laila", "Ahmadi"] {
        assert!(
            !text.contains(name),
            "a message names nobody, like the pass"
        );
    }
}

store::on_both_backends!(
    delivers_by_email_and_sms_in_the_recipient_s_language,
    retries_after_refusals_and_gives_up_at_the_limit,
    a_restarted_worker_sends_nothing_twice,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_sqlite_file_deliver_each_message_once() {
    let (a, b, _dir) = store::testing::sqlite_pair().await;
    two_workers_deliver_each_message_once(a, b).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_deliver_each_message_once() {
    let (a, b) = store::testing::postgres_pair().await;
    two_workers_deliver_each_message_once(a, b).await
}

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Mail {
    rcpt: Vec<String>,
    data: String,
}

impl Mail {
    fn header(&self, name: &str) -> Option<String> {
        self.data.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

struct SmtpServer {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// MAIL FROM commands still to refuse with 451.
    refuse: Arc<AtomicUsize>,
}

impl SmtpServer {
    async fn start(refuse: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicUsize::new(refuse));
        let (m, r) = (mails.clone(), refuse.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, m.clone(), r.clone()));
            }
        });
        Self {
            port,
            mails,
            refuse,
        }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
    refuse: Arc<AtomicUsize>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 test.invalid ESMTP ready\r\n").await;
    let mut rcpt = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-test.invalid\r\n250 8BITMIME\r\n",
            "HELO" | "RSET" | "NOOP" => b"250 OK\r\n",
            "MAIL" => {
                rcpt.clear();
                let refused = refuse
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if refused {
                    b"451 4.3.0 Try again later\r\n"
                } else {
                    b"250 OK\r\n"
                }
            }
            "RCPT" => {
                let to = line
                    .split_once(':')
                    .map(|(_, a)| a.trim().trim_matches(['<', '>']).to_owned());
                if to.as_deref().is_some_and(|a| a.starts_with("nobody@")) {
                    b"550 5.1.1 No such user\r\n"
                } else {
                    rcpt.extend(to);
                    b"250 OK\r\n"
                }
            }
            "DATA" => {
                let _ = write.write_all(b"354 End with <CRLF>.<CRLF>\r\n").await;
                let mut data = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    data.push_str(&l);
                    data.push('\n');
                }
                mails.lock().unwrap().push(Mail {
                    rcpt: std::mem::take(&mut rcpt),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 Bye\r\n").await;
                return;
            }
            _ => b"502 Command not implemented\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}

/// One request as the SMS gateway received it.
#[derive(Debug, Clone)]
struct Sms {
    idempotency_key: String,
    body: serde_json::Value,
}

struct SmsServer {
    url: String,
    received: Arc<Mutex<Vec<Sms>>>,
    /// Requests still to answer 503.
    refuse: Arc<AtomicUsize>,
}

impl SmsServer {
    async fn start(refuse: usize) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicUsize::new(refuse));
        let (r, f) = (received.clone(), refuse.clone());
        let app = axum::Router::new().route(
            "/send",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (r, f) = (r.clone(), f.clone());
                async move {
                    if f.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                    {
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    r.lock().unwrap().push(Sms {
                        idempotency_key: headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned(),
                        body: serde_json::from_str(&body).unwrap(),
                    });
                    StatusCode::ACCEPTED
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url,
            received,
            refuse,
        }
    }

    fn received(&self) -> Vec<Sms> {
        self.received.lock().unwrap().clone()
    }
}

fn config(smtp: &SmtpServer, sms: &SmsServer) -> OutboxConfig {
    OutboxConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port)),
        smtp_from: "Crisis Centre <crisis@example.org>".into(),
        sms: Some(SmsGateway {
            url: sms.url.clone(),
            method: "POST".into(),
            content_type: "application/json".into(),
            body_template: SmsGateway::DEFAULT_TEMPLATE.into(),
            authorization: Some("Bearer gateway-key".into()),
        }),
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
        max_attempts: 4,
        send_timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

fn person(given: &str, contacts: &[(ContactKind, String)]) -> PersonDetails {
    PersonDetails {
        relationship: Relationship::Principal,
        given_name: Some(given.into()),
        family_name: Some("Ahmadi".into()),
        father_name: None,
        full_name_native: None,
        date_of_birth: None,
        sex: Sex::Unknown,
        nationalities: vec!["AF".into()],
        documents: vec![],
        contacts: contacts
            .iter()
            .map(|(kind, value)| Contact {
                kind: *kind,
                value: value.clone(),
            })
            .collect(),
        province: None,
        employer: None,
        ..PersonDetails::named(Relationship::Principal, given)
    }
}

/// An operation with `people` households (language, principal) and an alert
/// sent to all of them, in English and Dari.
async fn alert_to(store: &Store, people: Vec<(&str, PersonDetails)>) -> (Operation, AlertId) {
    let mut tx = store.write(Actor::Console).await.unwrap();
    let op = tx
        .create_operation(&NewOperation {
            id: OperationId::parse("kabul-2021").unwrap(),
            name: "Kabul".into(),
            country: "AF".into(),
            time_zone: "Asia/Kabul".into(),
        })
        .await
        .unwrap();
    for (language, p) in people {
        let case = NewCase {
            language: Some(language.into()),
            members: vec![p],
            ..Default::default()
        };
        tx.create_case(&op, &case, "officer").await.unwrap();
    }
    let texts: BTreeMap<String, AlertText> = [
        ("en", "Go to the assembly point", "Gate 3, 06:00"),
        ("fa", "به محل تجمع بروید", "دروازه ۳، ساعت ۶"),
    ]
    .into_iter()
    .map(|(l, title, body)| {
        (
            l.to_owned(),
            AlertText {
                title: title.into(),
                body: body.into(),
            },
        )
    })
    .collect();
    let id = tx
        .create_alert(
            &op.id,
            &NewAlert {
                kind: AlertKind::Custom,
                texts: texts.clone(),
                target: AlertTarget::default(),
            },
        )
        .await
        .unwrap();
    tx.send_alert(id, &texts).await.unwrap();
    tx.commit().await.unwrap();
    (op, id)
}

/// Runs the worker until the outbox has nothing pending for it.
async fn drain(worker: &Worker, store: &Store, alert: AlertId) {
    for _ in 0..200 {
        worker.run_once().await.unwrap();
        if store
            .delivery_counts("alert", &alert.to_string())
            .await
            .unwrap()
            .pending
            == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the outbox did not drain");
}

async fn delivers_by_email_and_sms_in_the_recipient_s_language(store: Store) {
    let (smtp, sms) = (SmtpServer::start(0).await, SmsServer::start(0).await);
    let (_, alert) = alert_to(
        &store,
        vec![
            (
                "fa",
                person(
                    "Nabi",
                    &[
                        (ContactKind::Email, "nabi@example.org".into()),
                        (ContactKind::Phone, "+93701234567".into()),
                    ],
                ),
            ),
            (
                "de",
                person("Wali", &[(ContactKind::Phone, "+93707654321".into())]),
            ),
        ],
    )
    .await;
    let worker = Worker::new(store.clone(), "w1".into(), config(&smtp, &sms)).unwrap();
    drain(&worker, &store, alert).await;
    let messages = store
        .messages_of("alert", &alert.to_string())
        .await
        .unwrap();
    let email_id = messages
        .iter()
        .find(|m| m.channel == Channel::Email)
        .unwrap()
        .id;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, ["nabi@example.org"]);
    assert_eq!(
        mails[0].header("Message-ID").unwrap(),
        format!("<{email_id}@example.org>")
    );
    assert!(
        mails[0].header("Subject").unwrap().contains("=?utf-8?"),
        "Dari subject, encoded"
    );
    let texts = sms.received();
    assert_eq!(texts.len(), 2);
    let by_number: HashMap<String, &Sms> = texts
        .iter()
        .map(|s| (s.body["to"].as_str().unwrap().to_owned(), s))
        .collect();
    assert!(
        by_number["+93701234567"].body["text"]
            .as_str()
            .unwrap()
            .starts_with("به محل تجمع بروید")
    );
    // No German text: English, the fallback.
    assert!(
        by_number["+93707654321"].body["text"]
            .as_str()
            .unwrap()
            .starts_with("Go to the assembly point")
    );
    for s in &texts {
        assert_eq!(
            s.body["reference"],
            s.idempotency_key.as_str(),
            "the message id is the idempotency key"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.id.to_string() == s.idempotency_key)
        );
    }
    let counts = store
        .delivery_counts("alert", &alert.to_string())
        .await
        .unwrap();
    assert_eq!((counts.delivered, counts.failed, counts.pending), (3, 0, 0));
}

async fn retries_after_refusals_and_gives_up_at_the_limit(store: Store) {
    // The SMTP server refuses twice, the gateway three times; the limit is four attempts.
    let (smtp, sms) = (SmtpServer::start(2).await, SmsServer::start(3).await);
    let (_, alert) = alert_to(
        &store,
        vec![
            (
                "en",
                person("Nabi", &[(ContactKind::Email, "nabi@example.org".into())]),
            ),
            (
                "en",
                person("Wali", &[(ContactKind::Email, "nobody@example.org".into())]),
            ),
            (
                "en",
                person("Zia", &[(ContactKind::Phone, "+93701234567".into())]),
            ),
        ],
    )
    .await;
    let worker = Worker::new(store.clone(), "w1".into(), config(&smtp, &sms)).unwrap();
    drain(&worker, &store, alert).await;
    assert_eq!(smtp.mails().len(), 1, "delivered once after the refusals");
    assert_eq!(sms.received().len(), 1);
    assert_eq!(
        smtp.refuse.load(Ordering::SeqCst) + sms.refuse.load(Ordering::SeqCst),
        0
    );
    let messages = store
        .messages_of("alert", &alert.to_string())
        .await
        .unwrap();
    let mut histories = Vec::new();
    for m in &messages {
        let attempts = store.message_attempts(m.id).await.unwrap();
        assert!(
            attempts
                .windows(2)
                .all(|w| w[0].started_at <= w[1].started_at)
        );
        histories.push((
            m.status.clone(),
            attempts
                .iter()
                .map(|a| (a.outcome.clone(), a.error_class.clone()))
                .collect::<Vec<_>>(),
        ));
    }
    histories.sort();
    let retry = |c: &str| ("retry".to_owned(), Some(c.to_owned()));
    let done = || ("delivered".to_owned(), None);
    let delivered: Vec<_> = histories
        .iter()
        .filter(|(s, _)| s == "delivered")
        .cloned()
        .collect();
    assert_eq!(delivered.len(), 2);
    // The unknown mailbox is refused for good, without retries.
    let failed: Vec<_> = histories
        .iter()
        .filter(|(s, _)| s == "failed")
        .cloned()
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].1.last(),
        Some(&("failed".to_owned(), Some("smtp_permanent".to_owned())))
    );
    let sms_history = delivered
        .iter()
        .find(|(_, h)| {
            h.iter()
                .any(|(_, c)| c.as_deref() == Some("sms_gateway_busy"))
        })
        .unwrap();
    assert_eq!(
        sms_history.1,
        vec![
            retry("sms_gateway_busy"),
            retry("sms_gateway_busy"),
            retry("sms_gateway_busy"),
            done()
        ]
    );
    let transient: usize = histories
        .iter()
        .flat_map(|(_, h)| h)
        .filter(|(_, c)| c.as_deref() == Some("smtp_transient"))
        .count();
    assert_eq!(transient, 2, "two refusals of MAIL FROM recorded");
    // At the limit a message is given up: a gateway that keeps refusing.
    sms.refuse.store(100, Ordering::SeqCst);
    let mut tx = store.write(Actor::Console).await.unwrap();
    let texts: BTreeMap<String, AlertText> = [(
        "en".to_owned(),
        AlertText {
            title: "Stay".into(),
            body: "Stay inside".into(),
        },
    )]
    .into();
    let op = OperationId::parse("kabul-2021").unwrap();
    let again = tx
        .create_alert(
            &op,
            &NewAlert {
                kind: AlertKind::Custom,
                texts: texts.clone(),
                target: AlertTarget::default(),
            },
        )
        .await
        .unwrap();
    tx.send_alert(again, &texts).await.unwrap();
    tx.commit().await.unwrap();
    drain(&worker, &store, again).await;
    let states = store
        .messages_of("alert", &again.to_string())
        .await
        .unwrap();
    let sms_state = states.iter().find(|m| m.channel == Channel::Sms).unwrap();
    assert_eq!(
        (sms_state.status.as_str(), sms_state.attempts),
        ("failed", 4)
    );
}

async fn a_restarted_worker_sends_nothing_twice(store: Store) {
    let (smtp, sms) = (SmtpServer::start(0).await, SmsServer::start(0).await);
    let people = (0..5)
        .map(|i| {
            (
                "en",
                person(
                    &format!("P{i}"),
                    &[
                        (ContactKind::Email, format!("p{i}@example.org")),
                        (ContactKind::Phone, format!("+9370000000{i}")),
                    ],
                ),
            )
        })
        .collect();
    let (_, alert) = alert_to(&store, people).await;
    let first = Worker::new(store.clone(), "before-restart".into(), config(&smtp, &sms)).unwrap();
    // A worker that claims two messages and dies before sending them.
    let crashed = store
        .claim_messages("crashed", &[Channel::Email], Duration::from_millis(100), 2)
        .await
        .unwrap();
    assert_eq!(crashed.len(), 2);
    first.run_once().await.unwrap();
    drop(first);
    assert_eq!(
        smtp.mails().len() + sms.received().len(),
        8,
        "all but the two held by the dead worker"
    );
    // After the restart: the delivered are never sent again; the dead
    // worker's two go out once its lease has run out, with their own ids.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let second = Worker::new(store.clone(), "after-restart".into(), config(&smtp, &sms)).unwrap();
    drain(&second, &store, alert).await;
    for _ in 0..3 {
        assert_eq!(second.run_once().await.unwrap(), 0);
    }
    let mails = smtp.mails();
    assert_eq!(mails.len(), 5);
    let mut ids: Vec<String> = mails
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "no e-mail twice");
    for c in &crashed {
        assert!(
            ids.contains(&format!("<{}@example.org>", c.id)),
            "the resend carries the message's own Message-ID"
        );
        let attempts = store.message_attempts(c.id).await.unwrap();
        let outcomes: Vec<_> = attempts.iter().map(|a| a.outcome.as_str()).collect();
        assert_eq!(outcomes, ["interrupted", "delivered"]);
    }
    assert_eq!(sms.received().len(), 5);
}

/// Two workers, each on its own store (its own connection pool), as two
/// servers sharing one database.
async fn two_workers_deliver_each_message_once(store: Store, other: Store) {
    let (smtp, sms) = (SmtpServer::start(0).await, SmsServer::start(0).await);
    let people = (0..20)
        .map(|i| {
            (
                "en",
                person(
                    &format!("P{i}"),
                    &[
                        (ContactKind::Email, format!("p{i}@example.org")),
                        (ContactKind::Phone, format!("+937000000{i:02}")),
                    ],
                ),
            )
        })
        .collect();
    let (_, alert) = alert_to(&store, people).await;
    let run = |name: &'static str, store: Store| {
        let config = config(&smtp, &sms);
        tokio::spawn(async move {
            let worker = Worker::new(store.clone(), name.into(), config).unwrap();
            drain(&worker, &store, alert).await;
        })
    };
    let (a, b) = (run("server-a", store.clone()), run("server-b", other));
    a.await.unwrap();
    b.await.unwrap();
    let mut ids: Vec<String> = smtp
        .mails()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(ids.len(), 20);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "each e-mail once");
    let mut keys: Vec<String> = sms
        .received()
        .iter()
        .map(|s| s.idempotency_key.clone())
        .collect();
    assert_eq!(keys.len(), 20);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 20, "each SMS once");
    let counts = store
        .delivery_counts("alert", &alert.to_string())
        .await
        .unwrap();
    assert_eq!(counts.delivered, 40);
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every attempt is logged with the message id and an error class; no
/// address, number, name or text reaches the logs, whatever happens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_logs_ids_and_error_classes_only() {
    use tracing_subscriber::util::SubscriberInitExt;
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || LogSink(sink.clone()))
        .finish()
        .try_init()
        .expect("the only subscriber of this test binary");
    let (store, _dir) = store::testing::sqlite().await;
    let (smtp, sms) = (SmtpServer::start(1).await, SmsServer::start(1).await);
    let (_, alert) = alert_to(
        &store,
        vec![
            (
                "fa",
                person(
                    "Nabi",
                    &[
                        (ContactKind::Email, "nabi@example.org".into()),
                        (ContactKind::Phone, "+93701234567".into()),
                    ],
                ),
            ),
            (
                "en",
                person("Wali", &[(ContactKind::Email, "nobody@example.org".into())]),
            ),
        ],
    )
    .await;
    let worker = Worker::new(store.clone(), "logged".into(), config(&smtp, &sms)).unwrap();
    drain(&worker, &store, alert).await;
    let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("message delivered")
            && logs.contains("smtp_transient")
            && logs.contains("smtp_permanent"),
        "{logs}"
    );
    for secret in [
        "nabi@",
        "nobody@",
        "+93701234567",
        "93701234567",
        "Nabi",
        "Wali",
        // The message's own words (a migration's SQL may say "assembly").
        "Go to the assembly point",
        "Gate 3",
        "تجمع",
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}
