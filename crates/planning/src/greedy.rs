//! The baseline the solver must never fall below: households by (tier, larger first,
//! fewer seats first, input order), each on the earliest-departing movement with room,
//! processed in the earliest gate hour with room. Same rule as the reference greedy in
//! the planning data set, so "vs greedy" figures compare like with like.

use crate::model::Model;
use crate::state::State;

pub(crate) fn greedy_state(m: &Model) -> State {
    let mut st = State::new(m);
    let mut order: Vec<usize> = (0..m.n_groups()).collect();
    order.sort_by_key(|&g| (m.tier[g], std::cmp::Reverse(m.persons[g]), m.seats[g], g));
    for g in order {
        if !st.quota_allows(m, g) {
            continue;
        }
        for o in m.options(g) {
            if st.seats_free[o.flight as usize] < i64::from(m.seats[g]) {
                continue;
            }
            let p = i64::from(m.persons[g]);
            if let Some(t) = (o.lo..=o.hi).find(|&t| st.slack(m, g, t) >= p) {
                st.assign(m, g, o.flight, t);
                break;
            }
        }
    }
    st
}
