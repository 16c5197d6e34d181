//! The server's matcher: every new or changed person is matched against the
//! operation's registry right behind the request that stored it, and
//! suspected duplicates go to the review queue.
//!
//! One background task owns an in-memory `matching::Index` per operation,
//! built at start (its model learnt by EM from the registry itself, or from
//! an even sample of a large one); the model is learnt again when the
//! registry has doubled, until it was learnt from enough persons. Requests
//! only tell it that an operation changed, so nothing on the request path
//! waits for matching; it then catches up with every case changed since it
//! last looked, whoever changed it (another server, `muster import`). Its
//! look-ups and learning run on background threads (`store::priority`), so
//! that in a surge an officer's request does not wait behind them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use domain::dates::{Calendar, DateOfBirth};
use domain::duplicate::{DuplicateReason, SuspectedDuplicate};
use domain::person::{ContactKind, DocumentKind, PersonDetails, Sex};
use domain::{CaseId, OperationId, PersonId};
use matching::{Config, Field, Index, Record, train_model};
use store::{RegistryPerson, Store};
use tokio::sync::{mpsc, oneshot};

/// Pairs at or above this probability are proposed: the model's own
/// posterior, "more likely the same person than not".
pub const THRESHOLD: f64 = 0.5;

enum Job {
    Changed(OperationId),
    /// The operation was burned: drop everything held about it.
    Forget(OperationId),
    Settled(oneshot::Sender<()>),
}

/// A handle on the matching task; cheap to clone.
#[derive(Clone)]
pub struct Matcher {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Matcher {
    /// Starts the matching task on the current runtime.
    pub fn start(store: Store) -> Self {
        let (jobs, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(store, rx));
        Self { jobs }
    }

    /// Persons of the operation were stored or changed.
    pub fn changed(&self, op: &OperationId) {
        // The task ends only with the server; a send to it cannot fail before.
        let _ = self.jobs.send(Job::Changed(op.clone()));
    }

    /// Drops the operation's registry from memory (after the burn).
    pub fn forget(&self, op: &OperationId) {
        let _ = self.jobs.send(Job::Forget(op.clone()));
    }

    /// Waits until every change sent so far has been matched.
    pub async fn settled(&self) {
        let (tx, rx) = oneshot::channel();
        if self.jobs.send(Job::Settled(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// The registry of one operation as the matcher holds it.
struct Registry {
    index: Index,
    /// Each indexed case: its group in the index (people of one household
    /// are not proposed as duplicates of each other, and a changed case's
    /// members are taken out together), and its change last indexed (a case
    /// read again unchanged, in the overlap, is not matched again).
    cases: HashMap<CaseId, Indexed>,
    next_group: u32,
    trained_on: usize,
    /// The model was learnt from a sample of the registry: it is kept, as one
    /// learnt from [`SETTLED`] persons is.
    settled: bool,
    /// The latest change indexed; catch-ups read from it, and now and then
    /// from a little before it (see [`OVERLAP`]).
    seen: Option<DateTime<Utc>>,
    /// When a catch-up last read the overlap before `seen`.
    overlap_read: Option<std::time::Instant>,
}

struct Indexed {
    group: u32,
    at: DateTime<Utc>,
}

impl Registry {
    fn new(model: matching::Model) -> Registry {
        Registry {
            index: Index::new(model, THRESHOLD),
            cases: HashMap::new(),
            next_group: 0,
            trained_on: 0,
            settled: false,
            seen: None,
            overlap_read: None,
        }
    }

    /// The case's group in the index, given to it on first sight.
    fn group(&mut self, case: CaseId) -> u32 {
        if let Some(c) = self.cases.get(&case) {
            return c.group;
        }
        let group = self.next_group;
        self.next_group += 1;
        self.cases.insert(
            case,
            Indexed {
                group,
                at: DateTime::<Utc>::MIN_UTC,
            },
        );
        group
    }
}

/// How far back a catch-up reads, now and then, before the latest change
/// seen: the commits of another server, whose clock may be behind, can land
/// out of time order. A writer takes the time of its change while it holds
/// the write lock (`store::WriteTx`), so one server's changes are in order,
/// and most catch-ups read from the latest change only: in a surge a catch-up
/// runs 23 to 35 times a second, and each read the whole overlap (6,500
/// cases at 1,300 registrations a second) to find the few new ones.
const OVERLAP: Duration = Duration::seconds(5);
/// How often a catch-up reads the overlap: a change committed late is
/// matched within this, or at the next catch-up after it.
const OVERLAP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// The fewest persons worth learning a model from; below it, the registry
/// is indexed with what it has and learnt again once it reaches this size.
const MIN_TRAINING: usize = 100;
/// The most persons a model is learnt from.
const MAX_TRAINING: usize = 100_000;
/// The most cases whose persons are read for learning: every case of a
/// registry up to this size, an even sample of a larger one. On the
/// generated Afghan registry (60,000 persons matched as the server does),
/// a model learnt from 10,000 persons gave F1 0.856, from 20,000 0.863, from
/// 30,000 0.866; learning from 30,000 takes about a second of both cores,
/// but reading and decrypting them in a surge takes far longer. A model
/// learnt from a sample is kept from then on.
const TRAINING_CASES: usize = 12_000;
/// A registry of up to this many cases is matched against itself when it is
/// built at start; a larger one's pairs were found as its cases came.
const SELF_MATCH_CASES: usize = 40_000;
/// How long a change may wait for matching before it is late: then its
/// chunk is matched at the requests' priority, not in the background
/// (`store::priority::spawn_blocking_late`). A duplicate is to be flagged
/// within a second of its registration; matching at background priority
/// fell 1.3 s behind a demo-sized surge of 5,200-5,600 registrations a
/// second; late after 400 ms, it kept within 0.74 s but the surge fell to
/// 4,700-4,800 a second; after 700 ms, within 0.95 s at 5,000-5,300 a
/// second (docs/BENCHMARKS.md).
const LATE_AFTER: Duration = Duration::milliseconds(700);
/// Cases matched at a time when catching up: the first of a surge's backlog
/// are flagged without waiting for the last.
const CATCH_UP_CHUNK: usize = 500;
/// Cases read, decrypted and indexed at a time when a registry is built:
/// a registry of a million persons is never held whole in memory.
const BUILD_CHUNK: usize = 2_000;
/// A model learnt from this many persons is kept: it is not learnt again as
/// the registry grows. Its weights are close to settled (see
/// [`TRAINING_CASES`]), and learning again in the middle of a surge did harm:
/// learnt again at 26,000 persons, most of them the surge's households, the
/// demo's model became one that is not credible (see
/// [`CREDIBLE_MATCH_RATE`]) and proposed 63,268 pairs in a surge of 20,000
/// households, where the model kept proposed 1,315.
const SETTLED: usize = 10_000;
/// The most duplicates per person a credible model expects. Learning went
/// wrong on registries with few duplicates until EM started from few (see
/// `matching::em`): a demo of 12,929 persons with 20,000 surge households gave
/// 21 per person, with a phonetic name worth 14 bits and a different date of
/// birth nothing, and 121,000 pairs proposed when that registry was matched
/// against itself; now 0.013 to 0.023. Models learnt from real lists and the
/// generated registry expect a few hundredths; the guard stays for a registry
/// on which learning still goes wrong.
const CREDIBLE_MATCH_RATE: f64 = 1.0;
/// When an even sample gives no credible model, it is learnt from this many
/// of the oldest cases instead.
const OLDEST_CASES: usize = 4_000;
/// Up to this many persons, a registry whose model is learnt again is also read,
/// indexed and matched against itself again under the new model (a model learnt from
/// a few hundred persons misses pairs that one learnt from a few thousand finds);
/// past it, the new model only scores what comes next.
const REMATCH_LIMIT: usize = 2 * SETTLED;

async fn run(store: Store, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut registries: HashMap<OperationId, Registry> = HashMap::new();
    // Learn every operation's registry at start, so that the first
    // registration after a restart is matched at once too.
    match store.list_operations().await {
        Ok(ops) => {
            for op in ops {
                catch_up_logged(&store, &mut registries, &op.id).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "matching could not list operations"),
    }
    while let Some(job) = rx.recv().await {
        match job {
            Job::Settled(done) => {
                let _ = done.send(());
            }
            Job::Forget(op) => {
                registries.remove(&op);
            }
            // The catch-up reads every change since the last one, whoever
            // made it; changes queued meanwhile are covered by one catch-up.
            Job::Changed(op) => {
                let mut ops = vec![op];
                let mut settled = Vec::new();
                while let Ok(job) = rx.try_recv() {
                    match job {
                        Job::Changed(op) if !ops.contains(&op) => ops.push(op),
                        Job::Changed(_) => {}
                        Job::Forget(op) => {
                            ops.retain(|o| *o != op);
                            registries.remove(&op);
                        }
                        Job::Settled(done) => settled.push(done),
                    }
                }
                for op in &ops {
                    catch_up_logged(&store, &mut registries, op).await;
                }
                for done in settled {
                    let _ = done.send(());
                }
            }
        }
    }
}

async fn catch_up_logged(
    store: &Store,
    registries: &mut HashMap<OperationId, Registry>,
    op: &OperationId,
) {
    match catch_up(store, registries, op).await {
        Ok(()) => {}
        // A burnt operation has nothing left to match.
        Err(MatchError::Store(store::StoreError::Burned)) => {
            registries.remove(op);
        }
        // Ids and error kinds only: no personal data in logs.
        Err(e) => tracing::error!(operation = %op, error = %e, "matching failed"),
    }
}

#[derive(Debug, thiserror::Error)]
enum MatchError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("matching task failed")]
    Task,
}

/// Matches and indexes what changed in an operation since the last catch-up
/// (builds the registry, the first time), and records the pairs found.
async fn catch_up(
    store: &Store,
    registries: &mut HashMap<OperationId, Registry>,
    op: &OperationId,
) -> Result<(), MatchError> {
    let Some(registry) = registries.remove(op) else {
        let registry = build(store, op).await?;
        registries.insert(op.clone(), registry);
        return Ok(());
    };
    let (registry, done) = catch_up_with(store, op, registry).await;
    if let Some(registry) = registry {
        registries.insert(op.clone(), registry);
    }
    done
}

/// Where a catch-up at `now` reads from, and whether it reads the overlap.
fn read_from(
    seen: Option<DateTime<Utc>>,
    overlap_read: Option<std::time::Instant>,
    now: std::time::Instant,
) -> (Option<DateTime<Utc>>, bool) {
    if overlap_read.is_none_or(|at| now.duration_since(at) >= OVERLAP_EVERY) {
        (seen.map(|t| t - OVERLAP), true)
    } else {
        (seen, false)
    }
}

/// [`catch_up`] of a registry built already. It comes back with the outcome:
/// a database error part way (a write that waited too long in a surge) keeps
/// what was indexed, and the next catch-up reads from the same point and
/// matches again the cases whose pairs were not stored.
async fn catch_up_with(
    store: &Store,
    op: &OperationId,
    registry: Registry,
) -> (Option<Registry>, Result<(), MatchError>) {
    let read_at = std::time::Instant::now();
    let (since, with_overlap) = read_from(registry.seen, registry.overlap_read, read_at);
    let changes = match store.registry_changes(op, since).await {
        Ok(changes) => changes,
        Err(e) => return (Some(registry), Err(e.into())),
    };
    // Only cases not yet indexed in their latest state: the overlap brings
    // back cases already matched, and their persons are not read again.
    let mut fresh: Vec<(CaseId, DateTime<Utc>)> = (changes.cases.into_iter())
        .filter(|(c, at)| registry.cases.get(c).map(|i| i.at) != Some(*at))
        .collect();
    // The oldest first: they have waited longest.
    fresh.sort_by_key(|(_, at)| *at);
    let (registry, done) =
        index_cases(store, op, registry, &fresh, Pairs::Find { on_time: true }).await;
    let Some(mut registry) = registry else {
        return (None, done);
    };
    if done.is_err() {
        return (Some(registry), done);
    }
    registry.seen = registry.seen.max(changes.latest);
    if with_overlap {
        registry.overlap_read = Some(read_at);
    }
    if !registry.settled
        && registry.trained_on < SETTLED
        && registry.index.len() >= (2 * registry.trained_on).max(MIN_TRAINING)
    {
        // The registry has doubled since the model was learnt: learn it again.
        if registry.index.len() <= REMATCH_LIMIT {
            match build(store, op).await {
                Ok(rebuilt) => registry = rebuilt,
                Err(e) => return (Some(registry), Err(e)),
            }
        } else {
            match relearn(store, op, registry).await {
                Ok(relearnt) => registry = relearnt,
                Err((kept, e)) => return (kept, Err(e)),
            }
        }
    }
    (Some(registry), Ok(()))
}

/// Learns the model of a grown registry again and scores with it from now on, keeping
/// what is indexed: the pairs already found stay, and the registry is not read,
/// indexed and matched against itself again (that took both cores for most of a surge).
async fn relearn(
    store: &Store,
    op: &OperationId,
    mut registry: Registry,
) -> Result<Registry, (Option<Registry>, MatchError)> {
    let started = std::time::Instant::now();
    let cases: Vec<CaseId> = registry.cases.keys().copied().collect();
    let learnt = match learn(store, op, &cases).await {
        Ok(learnt) if learnt.credible => learnt,
        // The model it has stays, and is kept.
        Ok(_) => {
            registry.settled = true;
            return Ok(registry);
        }
        Err(e) => return Err((Some(registry), e)),
    };
    let relearnt = store::priority::spawn_blocking(move || {
        registry.index.relearn(learnt.model);
        registry.trained_on = registry.index.len();
        registry.settled = !learnt.from_all;
        registry
    })
    .await
    .map_err(|_| (None, MatchError::Task))?;
    tracing::info!(
        operation = %op,
        persons = relearnt.index.len(),
        ms = started.elapsed().as_millis() as u64,
        "matching model learnt again"
    );
    Ok(relearnt)
}

struct Learnt {
    model: matching::Model,
    /// Every case was read and learnt from, not a sample.
    from_all: bool,
    /// Its match rate is at most [`CREDIBLE_MATCH_RATE`].
    credible: bool,
}

/// A model learnt from the persons of `cases`, or of an even sample of them when they
/// are many.
async fn learn(store: &Store, op: &OperationId, cases: &[CaseId]) -> Result<Learnt, MatchError> {
    let step = cases.len().div_ceil(TRAINING_CASES).max(1);
    let sample: Vec<CaseId> = cases.iter().step_by(step).copied().collect();
    let learnt = learn_from(store, op, &sample, step == 1).await?;
    if learnt.credible || cases.len() <= OLDEST_CASES {
        return Ok(learnt);
    }
    // Case ids grow with time: the oldest cases are the registry before the
    // latest surge.
    let mut oldest = cases.to_vec();
    oldest.sort_unstable();
    oldest.truncate(OLDEST_CASES);
    let fallback = learn_from(store, op, &oldest, false).await?;
    Ok(if fallback.credible { fallback } else { learnt })
}

/// A model learnt from the persons of `cases`.
async fn learn_from(
    store: &Store,
    op: &OperationId,
    cases: &[CaseId],
    from_all: bool,
) -> Result<Learnt, MatchError> {
    let mut records = Vec::new();
    for chunk in cases.chunks(BUILD_CHUNK) {
        let persons = store.registry_persons(op, Some(chunk)).await?;
        records.extend(persons.iter().map(record_of));
    }
    let n = records.len();
    let model = store::priority::spawn_blocking(move || {
        train_model(&training_sample(&records), &Config::default())
    })
    .await
    .map_err(|_| MatchError::Task)?;
    let credible = model.match_rate <= CREDIBLE_MATCH_RATE;
    // The model's own figures (no personal data).
    if credible {
        tracing::info!(
            operation = %op,
            persons = n,
            match_rate = model.match_rate,
            related_rate = model.related_rate,
            "matching model learnt"
        );
    } else {
        tracing::warn!(
            operation = %op,
            persons = n,
            match_rate = model.match_rate,
            "matching model not credible: it expects each person to have many duplicates"
        );
    }
    Ok(Learnt {
        model,
        from_all,
        credible,
    })
}

/// Learns the model of an operation's registry from its cases (an even
/// sample of a large one), then reads and indexes it a chunk at a time. A
/// registry of at most [`SELF_MATCH_CASES`] is also matched against itself;
/// a larger one's pairs were found as its cases came (each server matches
/// what it writes, `muster import` what it imports), and matching it again
/// took minutes and gigabytes at 1,000,000 persons.
async fn build(store: &Store, op: &OperationId) -> Result<Registry, MatchError> {
    let started = std::time::Instant::now();
    let changes = store.registry_changes(op, None).await?;
    let cases: Vec<CaseId> = changes.cases.iter().map(|(c, _)| *c).collect();
    let learnt = learn(store, op, &cases).await?;
    // A model not credible would propose most of the registry as pairs.
    let pairs = match cases.len() <= SELF_MATCH_CASES && learnt.credible {
        true => Pairs::Find { on_time: false },
        false => Pairs::Skip,
    };
    let mut registry = Registry::new(learnt.model);
    registry.settled = !learnt.from_all;
    let (registry, done) = index_cases(store, op, registry, &changes.cases, pairs).await;
    done?;
    let Some(mut registry) = registry else {
        return Err(MatchError::Task);
    };
    registry.trained_on = registry.index.len();
    registry.seen = changes.latest;
    tracing::info!(
        operation = %op,
        persons = registry.index.len(),
        self_matched = pairs != Pairs::Skip,
        ms = started.elapsed().as_millis() as u64,
        "registry indexed"
    );
    Ok(registry)
}

/// Whether [`index_cases`] matches the cases it indexes.
#[derive(Clone, Copy, PartialEq)]
enum Pairs {
    /// Index only.
    Skip,
    /// Match, then index; `on_time`: each registration's duplicates are due
    /// within a second of it (see [`LATE_AFTER`]), as they are not when a
    /// registry is built at start.
    Find { on_time: bool },
}

/// Reads, decrypts and indexes the persons of `cases` a chunk at a time (a
/// registry of a million persons, or the backlog of a surge, is never held
/// whole in memory), matching them first if asked, and records the pairs
/// found after each chunk. The registry comes back with the outcome, also
/// after a database error; a case counts as indexed in its latest state only
/// once its pairs are stored. It is lost only if matching itself failed.
async fn index_cases(
    store: &Store,
    op: &OperationId,
    mut registry: Registry,
    cases: &[(CaseId, DateTime<Utc>)],
    pairs: Pairs,
) -> (Option<Registry>, Result<(), MatchError>) {
    let find_pairs = pairs != Pairs::Skip;
    let on_time = pairs == Pairs::Find { on_time: true };
    let chunk = if on_time { CATCH_UP_CHUNK } else { BUILD_CHUNK };
    for chunk in cases.chunks(chunk) {
        let ids: Vec<CaseId> = chunk.iter().map(|(c, _)| *c).collect();
        let persons = match store.registry_persons(op, Some(&ids)).await {
            Ok(persons) => persons,
            Err(e) => return (Some(registry), Err(e.into())),
        };
        let oldest = chunk.iter().map(|(_, at)| *at).min();
        let late = on_time && oldest.is_some_and(|at| Utc::now() - at > LATE_AFTER);
        let matched = store::priority::spawn_blocking_late(late, move || {
            let found = update(&mut registry, ids, &persons, find_pairs);
            (registry, found)
        })
        .await;
        let found;
        (registry, found) = match matched {
            Ok(done) => done,
            Err(_) => return (None, Err(MatchError::Task)),
        };
        if let Err(e) = record(store, op, &found).await {
            return (Some(registry), Err(e.into()));
        }
        for (case, at) in chunk {
            if let Some(c) = registry.cases.get_mut(case) {
                c.at = *at;
            }
        }
        // How far matching ran behind the changes (their write times).
        if on_time && let Some(oldest) = oldest {
            tracing::debug!(
                operation = %op,
                cases = chunk.len(),
                behind_ms = (Utc::now() - oldest).num_milliseconds(),
                "matching caught up"
            );
        }
    }
    (Some(registry), Ok(()))
}

/// Pairs stored per write.
const RECORD_CHUNK: usize = 200;

/// Stores found pairs for review; returns how many are new.
pub async fn record(
    store: &Store,
    op: &OperationId,
    found: &[SuspectedDuplicate],
) -> Result<usize, store::StoreError> {
    if found.is_empty() {
        return Ok(0);
    }
    // Short writes, so that registrations waiting for the writer's lock in a
    // surge are not held up behind thousands of pairs.
    let mut new = 0;
    for chunk in found.chunks(RECORD_CHUNK) {
        let mut tx = store.write(domain::audit::Actor::System).await?;
        new += tx.suspect_duplicates(op, chunk).await?;
        tx.commit().await?;
    }
    tracing::info!(operation = %op, new, "suspected duplicates recorded");
    Ok(new)
}

/// The pairs that `new` persons (of an import) form with the registry and
/// with each other, with a model learnt from all of them. Used where the
/// server's own matcher is not running (`muster import`).
pub fn suspected(registry: &[RegistryPerson], new: &[RegistryPerson]) -> Vec<SuspectedDuplicate> {
    let records: Vec<Record> = registry.iter().chain(new).map(record_of).collect();
    let mut index = Registry::new(train_model(&records, &Config::default()));
    let cases =
        |persons: &[RegistryPerson]| -> Vec<CaseId> { persons.iter().map(|p| p.case_id).collect() };
    update(&mut index, cases(registry), registry, false);
    update(&mut index, cases(new), new, true)
}

/// At most [`MAX_TRAINING`] records, spread evenly over the registry.
fn training_sample(records: &[Record]) -> std::borrow::Cow<'_, [Record]> {
    if records.len() <= MAX_TRAINING {
        return records.into();
    }
    let step = records.len().div_ceil(MAX_TRAINING);
    records.iter().step_by(step).cloned().collect()
}

/// Indexes the persons of `cases` as they are now (a case indexed before
/// has its old members taken out first: a correction may drop one), and
/// matches them against the registry first if asked.
fn update(
    registry: &mut Registry,
    cases: impl IntoIterator<Item = CaseId>,
    persons: &[RegistryPerson],
    find_pairs: bool,
) -> Vec<SuspectedDuplicate> {
    for case in cases {
        let group = registry.group(case);
        registry.index.remove_group(group);
    }
    let mut found = Vec::new();
    for p in persons {
        let record = record_of(p);
        let group = registry.group(p.case_id);
        // A record the index cannot hold (its id twice) is simply not matched.
        let candidates = match find_pairs {
            true => registry.index.match_and_insert(&record, group),
            false => registry
                .index
                .insert_in(&record, group)
                .map(|()| Vec::new()),
        };
        for c in candidates.unwrap_or_default() {
            let Ok(other) = c.id.parse::<PersonId>() else {
                continue;
            };
            if c.group == Some(group) || c.probability < THRESHOLD {
                continue;
            }
            found.push(
                SuspectedDuplicate {
                    person_a: other,
                    person_b: p.id,
                    probability: c.probability,
                    reasons: c
                        .explanation
                        .contributions
                        .iter()
                        .filter(|r| r.level != "missing")
                        .map(|r| DuplicateReason {
                            field: r.field.to_owned(),
                            level: r.level.to_owned(),
                            weight: (r.weight * 10.0).round() / 10.0,
                            term_frequency: r.term_frequency,
                        })
                        .collect(),
                }
                .ordered(),
            );
        }
    }
    found
}

/// A date as the matcher reads it: `1981-03-21`, `SH:1360-05`, `SH:1360`.
fn date_for_matching(d: &DateOfBirth) -> String {
    let prefix = if d.calendar == Calendar::SolarHijri {
        "SH:"
    } else {
        ""
    };
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{prefix}{:04}-{m:02}-{day:02}", d.year),
        (Some(m), None) => format!("{prefix}{:04}-{m:02}", d.year),
        _ => format!("{prefix}{:04}", d.year),
    }
}

/// A registry person as a matching record, keyed by the person's id.
pub fn record_of(p: &RegistryPerson) -> Record {
    let d: &PersonDetails = &p.details;
    let mut r = Record::new(p.id.to_string());
    let mut set = |field: Field, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            r.set(field, v);
        }
    };
    set(Field::GivenName, d.given_name.as_deref());
    set(Field::FamilyName, d.family_name.as_deref());
    set(Field::FatherName, d.father_name.as_deref());
    set(Field::NativeName, d.full_name_native.as_deref());
    let dob = d.date_of_birth.as_ref().map(date_for_matching);
    set(Field::DateOfBirth, dob.as_deref());
    set(
        Field::Sex,
        match d.sex {
            Sex::Female => Some("f"),
            Sex::Male => Some("m"),
            _ => None,
        },
    );
    set(
        Field::Nationality,
        d.nationalities.first().map(String::as_str),
    );
    let document = |kind: DocumentKind| {
        d.documents
            .iter()
            .find(|x| x.kind == kind)
            .map(|x| x.number.as_str())
    };
    set(Field::NationalId, document(DocumentKind::Tazkira));
    set(Field::Passport, document(DocumentKind::Passport));
    let phone = d
        .contacts
        .iter()
        .find(|c| c.kind == ContactKind::Phone)
        .map(|c| c.value.as_str());
    set(Field::Phone, phone);
    set(Field::Province, d.province.as_deref());
    set(Field::Employer, d.employer.as_deref());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catch_up_reads_the_overlap_once_a_second() {
        let seen = Utc::now();
        let start = std::time::Instant::now();
        let later = |ms| start + std::time::Duration::from_millis(ms);
        // Never read yet: the overlap.
        assert_eq!(
            read_from(Some(seen), None, start),
            (Some(seen - OVERLAP), true)
        );
        assert_eq!(
            read_from(Some(seen), Some(start), later(999)),
            (Some(seen), false)
        );
        assert_eq!(
            read_from(Some(seen), Some(start), later(1_000)),
            (Some(seen - OVERLAP), true)
        );
        // A registry that has seen nothing reads everything.
        assert_eq!(read_from(None, Some(start), later(10)), (None, false));
    }

    #[test]
    fn a_large_registry_is_learnt_from_an_even_sample() {
        let records =
            |n: usize| -> Vec<Record> { (0..n).map(|i| Record::new(i.to_string())).collect() };
        assert_eq!(training_sample(&records(MAX_TRAINING)).len(), MAX_TRAINING);
        let all = records(2 * MAX_TRAINING + 1);
        let sample = training_sample(&all);
        assert!(sample.len() <= MAX_TRAINING && sample.len() > MAX_TRAINING * 2 / 3);
        // From the whole registry, not its first part.
        assert_eq!(
            sample.last().unwrap().id,
            (3 * (sample.len() - 1)).to_string()
        );
    }
}
