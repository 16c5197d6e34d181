//! Work that can wait yields the cores to officers. In a surge the server's
//! cores are busy with registrations, and an officer's search waited for a
//! core behind them. The work that can fall behind without anyone waiting
//! on it (the matcher, SQLite's checkpoints) runs at a lower scheduling
//! priority: whenever an officer's request and that work both want a core,
//! the request gets it; when no officer asks, the work has the cores as
//! before. The registrar and SQLite's writer do not: every registration
//! waits on them (see `Backend::open_writer`).
//!
//! Work that can wait only so long ([`spawn_blocking_late`]) runs at the
//! process's priority once it is late: the matcher, when a duplicate would
//! otherwise be flagged more than a second after its registration.
//!
//! Linux only, where a nice value belongs to one thread and the threads it
//! starts inherit it; elsewhere these run at the process's own priority.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

/// How much lower than the process: at a nice value 10 above another, a
/// thread gets about a tenth of a core the other also wants.
pub const BACKGROUND_NICENESS: i32 = 10;

/// Lowers the calling thread's priority by [`BACKGROUND_NICENESS`]. It
/// cannot be raised again without privileges, so call it only on threads
/// that do background work for good.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        let lowered = getpriority_process(me)
            .and_then(|now| setpriority_process(me, (now + BACKGROUND_NICENESS).min(19)));
        // Running at the process's priority is only slower for officers.
        if let Err(e) = lowered {
            tracing::debug!(error = %e, "a background thread kept the process's priority");
        }
    }
}

/// The runtime whose threads all run at background priority: its one
/// worker, and the threads of its blocking pool, which end after a few idle
/// seconds like those of the server's own pool and hand their memory back.
/// None if the system refused its threads: the work then runs on the
/// caller's runtime, at the process's priority.
fn runtime() -> Option<&'static Runtime> {
    static BACKGROUND: OnceLock<Option<Runtime>> = OnceLock::new();
    BACKGROUND
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("muster-background")
                .on_thread_start(lower_this_thread)
                .enable_all()
                .build()
                .inspect_err(|e| tracing::warn!(error = %e, "no background threads"))
                .ok()
        })
        .as_ref()
}

/// Runs CPU-heavy work that can wait on a background thread.
pub fn spawn_blocking<F, R>(work: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match runtime() {
        Some(background) => background.spawn_blocking(work),
        None => tokio::task::spawn_blocking(work),
    }
}

/// [`spawn_blocking`], unless the work is `late`: then it runs on the
/// caller's runtime, at the process's priority, beside the requests.
pub fn spawn_blocking_late<F, R>(late: bool, work: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    if late {
        tokio::task::spawn_blocking(work)
    } else {
        spawn_blocking(work)
    }
}

/// Runs `task` on the background runtime's worker, so that the threads it
/// starts (a SQLite connection's own) inherit the background priority.
pub(crate) fn spawn<F>(task: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match runtime() {
        Some(background) => background.spawn(task),
        None => tokio::spawn(task),
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::collections::HashSet;

    use rustix::process::{Pid, getpriority_process};

    use crate::backend::{Backend, sqlite_url_for_dir};

    fn niceness_of(thread: Option<Pid>) -> i32 {
        getpriority_process(thread).expect("a thread's priority")
    }

    fn mine() -> i32 {
        niceness_of(Some(rustix::thread::gettid()))
    }

    fn background() -> i32 {
        (mine() + super::BACKGROUND_NICENESS).min(19)
    }

    /// This process's SQLite connection threads (sqlx names them).
    fn connection_threads() -> HashSet<i32> {
        std::fs::read_dir("/proc/self/task")
            .expect("the process's threads")
            .filter_map(|t| {
                let t = t.ok()?.path();
                let name = std::fs::read_to_string(t.join("comm")).ok()?;
                let tid = t.file_name()?.to_str()?.parse().ok()?;
                name.starts_with("sqlx-sqlite").then_some(tid)
            })
            .collect()
    }

    #[tokio::test]
    async fn background_work_runs_below_the_threads_that_asked_for_it() {
        let ours = mine();
        let theirs = super::spawn_blocking(mine).await.expect("ran");
        assert_eq!(theirs, background());
        assert_eq!(mine(), ours, "the asking thread keeps its priority");
    }

    #[tokio::test]
    async fn late_work_runs_at_the_priority_of_the_threads_that_asked_for_it() {
        let ours = mine();
        let on_time = super::spawn_blocking_late(false, mine).await.expect("ran");
        assert_eq!(on_time, background());
        let late = super::spawn_blocking_late(true, mine).await.expect("ran");
        assert_eq!(late, ours);
    }

    #[tokio::test]
    async fn the_sqlite_checkpointers_connection_runs_at_background_priority() {
        let dir = tempfile::tempdir().expect("a directory");
        let url = sqlite_url_for_dir(dir.path());
        let before = connection_threads();
        let checkpointer = Backend::Sqlite
            .open_checkpointer(&url)
            .await
            .expect("opened");
        assert!(checkpointer.is_some(), "SQLite has a checkpointer");
        // Other tests open connections meanwhile, at their own priority.
        let started: Vec<i32> = connection_threads().difference(&before).copied().collect();
        let lowered = started
            .iter()
            .filter(|&&t| niceness_of(Some(Pid::from_raw(t).expect("a thread id"))) == background())
            .count();
        assert_ne!(lowered, 0, "threads started: {started:?}");
    }
}
