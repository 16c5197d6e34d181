//! Group commit for self-registrations. In a surge thousands of households
//! register each second; a transaction each would spend the disk on as many
//! syncs. Registrations queue here instead, and one task writes whatever has
//! queued while the previous write was syncing into one transaction: one
//! sync for them all, and batches that grow with the load. An answer goes
//! back only after its commit, so what is acknowledged is durable.
//!
//! A batch the database refuses as a whole is written again one registration
//! at a time, so that one bad registration never costs the others theirs.
//!
//! Between batches the writer also merges the recent name words into the
//! case search's index, a part at a time, each part about once a second
//! (see `name_index`).

use std::time::{Duration, Instant};

use domain::audit::Actor;
use domain::case::NewCase;
use domain::operation::Operation;
use tokio::sync::{mpsc, oneshot};

use crate::name_index::PARTS;
use crate::{Registered, RegistrationRequest, Store, StoreError};

/// The most registrations written in one transaction: large enough to take
/// a surge in few syncs, small enough to keep each answer's wait short.
const MAX_BATCH: usize = 256;

/// The queue of registrations waiting for the next group commit.
#[derive(Clone)]
pub struct Registrar {
    queue: mpsc::Sender<Job>,
}

struct Job {
    op: Operation,
    case: NewCase,
    request: RegistrationRequest,
    answer: oneshot::Sender<Result<Registered, StoreError>>,
}

impl Registrar {
    /// Starts the writer on a thread of its own. In a surge the server's
    /// workers are all busy with requests, and a writer task among them waits
    /// its turn after every statement; on its own thread it goes on as soon
    /// as the database answers. It runs at the process's priority, not the
    /// background's (see `Backend::open_writer`). It ends when the last
    /// handle is dropped.
    pub fn start(store: Store) -> Self {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        let writer = std::thread::Builder::new()
            .name("muster-registrar".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(run(store, jobs)),
                    // The queue closes with `jobs`: registrations answer Unavailable.
                    Err(e) => tracing::error!(error = %e, "the registrar could not start"),
                }
            });
        if let Err(e) = writer {
            tracing::error!(error = %e, "the registrar's thread could not start");
        }
        Self { queue }
    }

    /// Registers a household as [`crate::WriteTx::register`] does, answering
    /// once the transaction that holds it has committed.
    pub async fn register(
        &self,
        op: Operation,
        case: NewCase,
        request: RegistrationRequest,
    ) -> Result<Registered, StoreError> {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            op,
            case,
            request,
            answer,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable)?;
        answered.await.map_err(|_| StoreError::Unavailable)?
    }
}

/// How often each part of the recent name words is merged into the search's
/// index: the parts in turn, each once a second.
const MERGE_EVERY: Duration = Duration::from_millis(1000 / PARTS as u64);

async fn run(store: Store, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    let mut merged_at = Instant::now();
    let mut part = 0;
    loop {
        let until_merge = MERGE_EVERY.saturating_sub(merged_at.elapsed());
        // `recv_many` is cancel-safe: a timeout loses no registration.
        match tokio::time::timeout(until_merge, queue.recv_many(&mut jobs, MAX_BATCH)).await {
            Ok(0) => break,
            Ok(_) => write(&store, std::mem::take(&mut jobs)).await,
            Err(_) => {}
        }
        if merged_at.elapsed() >= MERGE_EVERY {
            merge(&store, part).await;
            part = (part + 1) % PARTS;
            merged_at = Instant::now();
        }
    }
}

async fn merge(store: &Store, part: u8) {
    let started = Instant::now();
    match store.merge_recent_name_words_of(part).await {
        Ok(0) => {}
        Ok(words) => tracing::debug!(
            part,
            words,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "recent name words merged"
        ),
        // The words stay where the search finds them; the part's next turn retries.
        Err(e) => tracing::warn!(error = e.class(), "recent name words could not be merged"),
    }
}

/// Writes a batch and answers each of its registrations.
async fn write(store: &Store, batch: Vec<Job>) {
    let started = Instant::now();
    let written = write_together(store, &batch).await;
    tracing::debug!(
        size = batch.len(),
        ms = started.elapsed().as_secs_f64() * 1e3,
        "registration batch"
    );
    match written {
        Ok(answers) => {
            for (job, answer) in batch.into_iter().zip(answers) {
                // A client that went away still has its registration.
                let _ = job.answer.send(answer);
            }
        }
        Err(e) => {
            tracing::warn!(
                size = batch.len(),
                error = e.class(),
                "a registration batch failed; writing its registrations one at a time"
            );
            for job in batch {
                let answer = write_alone(store, &job).await;
                let _ = job.answer.send(answer);
            }
        }
    }
}

/// One transaction for the whole batch; refusals are answered one by one.
async fn write_together(
    store: &Store,
    batch: &[Job],
) -> Result<Vec<Result<Registered, StoreError>>, StoreError> {
    let mut tx = store.write(Actor::Applicant).await?;
    let mut answers: Vec<Option<Result<Registered, StoreError>>> =
        batch.iter().map(|_| None).collect();
    // Almost always one operation; several are written one after another.
    let mut operations: Vec<&Operation> = batch.iter().map(|j| &j.op).collect();
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    operations.dedup_by(|a, b| a.id == b.id);
    for op in operations {
        let of_op: Vec<usize> = (0..batch.len())
            .filter(|&i| batch[i].op.id == op.id)
            .collect();
        let items: Vec<(&NewCase, &RegistrationRequest)> = of_op
            .iter()
            .map(|&i| (&batch[i].case, &batch[i].request))
            .collect();
        let written = tx.register_batch(op, &items).await?;
        for (i, answer) in of_op.into_iter().zip(written) {
            answers[i] = Some(answer);
        }
    }
    tx.commit().await?;
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or(Err(StoreError::Unavailable)))
        .collect())
}

async fn write_alone(store: &Store, job: &Job) -> Result<Registered, StoreError> {
    let mut tx = store.write(Actor::Applicant).await?;
    let registered = tx.register(&job.op, &job.case, &job.request).await?;
    tx.commit().await?;
    Ok(registered)
}
