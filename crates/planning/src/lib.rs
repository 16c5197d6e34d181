//! Muster's movement planner.
//!
//! Assigns whole households to movements and to a processing hour at their assembly point
//! (see the planning FORMAT.md): never splitting a household, never overfilling a movement
//! or a gate hour, never overrunning a quota, only on movements that accept the household's
//! scheme and inside its lead window. The objective is people out, weighted by tier and by
//! how many hours before the horizon they leave.
//!
//! How (`solve`): the greedy baseline first (the floor: the result is never below it);
//! then Lagrangian prices for seats, gate hours and quotas by subgradient steps
//! (`lagrange`); a construction that places households by reduced profit at those prices
//! (`improve`); and local search: exact knapsack repacking of small gate hours (`binpack`)
//! and household moves with ejection chains (`improve`). Two searches run side by side; the
//! best plan wins. `score` is an independent validator of any plan.
//!
//! Pure: parses from readers, writes to writers, no files, network or wall clock. The only
//! time it looks at is a monotonic `Instant`, to honour `SolveOptions::time_budget`.

mod binpack;
mod error;
mod format;
mod greedy;
mod improve;
mod lagrange;
mod model;
mod score;
mod solve;
mod state;
mod time;

pub use error::{Error, Rule, Violation};
pub use format::{
    AssemblyPoint, Assignment, Flight, Group, Plan, Problem, Processing, Quota, read_plan,
    read_problem, write_plan,
};
pub use score::{Score, score};
pub use solve::{Solution, SolveOptions, Stats, greedy, solve};
