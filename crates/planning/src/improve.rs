//! Construction and local search on a valid plan: every kept move strictly raises the
//! objective and keeps every rule, so the search ends and can stop at any time with a
//! valid plan.
//!
//! The move is "insert or upgrade a household, making room if needed": for a household
//! `g` and one of its (movement, hour) options, the room it lacks is made by
//! - moving households of the same gate hour to another hour of their own window (free),
//! - ejecting households of that gate hour or movement whose value is lower than what `g`
//!   brings (cost = a share of their value, see `DISCOUNT`).
//!
//! Ejected households are then put back wherever they still fit; if the move still does
//! not pay, it is undone. Together this finds short chains (a family moves to a later
//! flight so a larger or more urgent one takes its seats and gate hour).

use std::time::Instant;

use crate::lagrange::Prices;
use crate::model::Model;
use crate::state::{NONE, State};

/// Ejected households are often put back elsewhere, so a plan counts only this share of
/// their value as its cost; a move that then does not pay is undone.
const DISCOUNT: (i64, i64) = (1, 5);

fn discounted(cost: i64) -> i64 {
    cost * DISCOUNT.0 / DISCOUNT.1
}

/// The raw ejection value a discounted budget allows.
fn raw_budget(budget: i64) -> i64 {
    budget.saturating_mul(DISCOUNT.1) / DISCOUNT.0 + 1
}

/// Options per household for which room-making is planned, in falling value.
const PLANNED_OPTIONS: usize = 12;

#[derive(Debug, Clone, Copy)]
enum Action {
    Eject(u32),
    Reslot(u32, u32),
}

pub(crate) struct Search<'m> {
    pub m: &'m Model,
    pub st: State,
    deadline: Option<Instant>,
    actions: Vec<Action>,
    best_actions: Vec<Action>,
    cand: Vec<(i64, u32)>,
    pending: Vec<(usize, u64)>,
    pub moves: u64,
}

impl<'m> Search<'m> {
    pub fn new(m: &'m Model, st: State, deadline: Option<Instant>) -> Self {
        Search {
            m,
            st,
            deadline,
            actions: Vec::new(),
            best_actions: Vec::new(),
            cand: Vec::new(),
            pending: Vec::new(),
            moves: 0,
        }
    }

    pub fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// The fullest hour of window `lo..=hi` that still has room for `g` (best fit keeps
    /// large gaps open for large households), earliest on ties.
    fn free_slot(&self, g: usize, lo: u32, hi: u32) -> Option<u32> {
        let p = i64::from(self.m.persons[g]);
        (lo..=hi)
            .filter_map(|t| {
                let s = self.st.slack(self.m, g, t) - p;
                (s >= 0).then_some((s, t))
            })
            .min()
            .map(|(_, t)| t)
    }

    /// Puts unassigned `g` on its best option with direct room; returns whether it did.
    pub fn insert_direct(&mut self, g: usize) -> bool {
        let m = self.m;
        if !self.st.quota_allows(m, g) {
            return false;
        }
        for o in m.options(g) {
            if m.value(g, o.flight as usize) == 0 {
                break;
            }
            if self.st.seats_free[o.flight as usize] < i64::from(m.seats[g]) {
                continue;
            }
            if let Some(t) = self.free_slot(g, o.lo, o.hi) {
                self.st.assign(m, g, o.flight, t);
                return true;
            }
        }
        false
    }

    /// Builds a construction: households in `order`, each directly on its best option.
    pub fn construct(&mut self, order: &[usize]) {
        for &g in order {
            if !self.st.is_assigned(g) {
                self.insert_direct(g);
            }
        }
    }

    /// Construction guided by Lagrangian prices: households in `order`, each on the
    /// feasible (flight, hour) with the highest reduced profit, if positive; the rest are
    /// then placed by plain value wherever room is left.
    pub fn construct_priced(&mut self, order: &[usize], pr: &Prices) {
        // Prices are estimates: passes at falling prices place households the first pass
        // found just too dear, before plain value fills what is left.
        for scale in [1.0, 0.75, 0.5, 0.25] {
            self.place_priced(order, pr, scale);
        }
        self.construct(order);
    }

    fn place_priced(&mut self, order: &[usize], pr: &Prices, scale: f64) {
        let m = self.m;
        for &g in order {
            if self.st.is_assigned(g) || !self.st.quota_allows(m, g) {
                continue;
            }
            let s = m.scheme[g] as usize;
            let p = i64::from(m.persons[g]);
            let pf = p as f64;
            let fixed = (pr.quota_groups[s] + pr.quota_persons[s] * pf) * scale;
            let mut best: Option<(f64, u32, u32)> = None;
            for o in m.options(g) {
                let f = o.flight as usize;
                let v = m.value(g, f);
                if v == 0 || v as f64 <= best.map_or(0.0, |b| b.0) {
                    break;
                }
                if self.st.seats_free[f] < i64::from(m.seats[g]) {
                    continue;
                }
                let base = v as f64 - pr.seat[f] * scale * f64::from(m.seats[g]) - fixed;
                for t in o.lo..=o.hi {
                    if self.st.slack(m, g, t) < p {
                        continue;
                    }
                    let rc = base - pr.gate[m.bin(g, t)] * scale * pf;
                    if rc > best.map_or(0.0, |b| b.0) {
                        best = Some((rc, o.flight, t));
                    }
                }
            }
            if let Some((_, f, t)) = best {
                self.st.assign(m, g, f, t);
            }
        }
    }

    /// Another slot for assigned `h` (same flight) with room, ignoring slot `avoid`;
    /// `pending` holds load already promised to other moves of the plan being built.
    fn reslot_target(&self, h: usize, avoid: u32) -> Option<u32> {
        let m = self.m;
        let f = self.st.flight_of[h] as usize;
        let (lo, hi) = m.window(h, f);
        let p = i64::from(m.persons[h]);
        let mut best: Option<(i64, u32)> = None;
        for t in lo..=hi {
            let t = t as u32;
            if t == avoid {
                continue;
            }
            let b = m.bin(h, t);
            let extra = self
                .pending
                .iter()
                .filter(|&&(pb, _)| pb == b)
                .map(|&(_, x)| x as i64)
                .sum::<i64>();
            let s = self.st.slack(m, h, t) - extra - p;
            if s >= 0 && best.is_none_or(|(bs, _)| s < bs) {
                best = Some((s, t));
            }
        }
        best.map(|(_, t)| t)
    }

    /// Plans how to free `seat_def` seats on flight `f` by ejecting its cheapest households
    /// per seat; appends to `self.actions`, returns the cost or `None` if over `budget`.
    fn plan_seats(&mut self, f: usize, mut seat_def: i64, budget: i64) -> Option<i64> {
        let m = self.m;
        if seat_def <= 0 {
            return Some(0);
        }
        // Any set freeing `seat_def` seats costs at least seat_def × the lowest value per
        // seat on board: if that already reaches the budget, no plan can pay (and most
        // calls end here, before any sorting).
        let mut cheapest: Option<(i64, i64)> = None; // (value, seats) of lowest value per seat
        for &h in &self.st.on_flight[f] {
            let (v, s) = (m.value(h as usize, f), i64::from(m.seats[h as usize]));
            if cheapest.is_none_or(|(cv, cs)| v * cs < cv * s) {
                cheapest = Some((v, s));
            }
        }
        let (vmin, smin) = cheapest?;
        if i128::from(seat_def) * i128::from(vmin) >= i128::from(budget) * i128::from(smin) {
            return None;
        }
        self.cand.clear();
        for &h in &self.st.on_flight[f] {
            let h = h as usize;
            // value per seat, scaled to stay integral and deterministic
            let v = m.value(h, f);
            self.cand.push((v * 64 / i64::from(m.seats[h]), h as u32));
        }
        self.cand.sort_unstable();
        // Cheapest single household that frees enough on its own.
        let single = self.st.on_flight[f]
            .iter()
            .map(|&h| h as usize)
            .filter(|&h| i64::from(m.seats[h]) >= seat_def)
            .map(|h| (m.value(h, f), h as u32))
            .min();
        let mut cost = 0;
        let start = self.actions.len();
        for i in 0..self.cand.len() {
            if seat_def <= 0 || cost >= budget {
                break;
            }
            let h = self.cand[i].1 as usize;
            cost += m.value(h, f);
            seat_def -= i64::from(m.seats[h]);
            self.actions.push(Action::Eject(h as u32));
        }
        if let Some((sv, sh)) = single
            && (seat_def > 0 || sv < cost)
        {
            self.actions.truncate(start);
            self.actions.push(Action::Eject(sh));
            cost = sv;
            seat_def = 0;
        }
        (seat_def <= 0 && cost < budget).then_some(cost)
    }

    /// Plans how to free `gate_def` persons in `g`'s gate hour `t`: move households of that
    /// hour elsewhere in their own window (free), else eject the cheapest per person.
    fn plan_gate(&mut self, g: usize, t: u32, mut gate_def: i64, budget: i64) -> Option<i64> {
        let m = self.m;
        if gate_def <= 0 {
            return Some(0);
        }
        let b = m.bin(g, t);
        // Households already ejected for seats also leave this hour.
        for a in &self.actions {
            if let Action::Eject(h) = *a
                && self.st.slot_of[h as usize] == t
                && m.ap[h as usize] == m.ap[g]
            {
                gate_def -= i64::from(m.persons[h as usize]);
            }
        }
        if gate_def <= 0 {
            return Some(0);
        }
        let ejected = |acts: &[Action], h: u32| {
            acts.iter()
                .any(|a| matches!(a, Action::Eject(x) if *x == h))
        };
        self.pending.clear();
        self.cand.clear();
        for &h in &self.st.bins[b] {
            if !ejected(&self.actions, h) {
                let hu = h as usize;
                let v = m.value(hu, self.st.flight_of[hu] as usize);
                self.cand.push((v * 64 / i64::from(m.persons[hu]), h));
            }
        }
        // Free moves first, largest first; they cost nothing.
        let mut members = std::mem::take(&mut self.cand);
        members.sort_unstable_by_key(|&(_, h)| (std::cmp::Reverse(m.persons[h as usize]), h));
        let mut rest = Vec::new();
        for &(d, h) in &members {
            if gate_def <= 0 {
                break;
            }
            match self.reslot_target(h as usize, t) {
                Some(t2) => {
                    self.pending
                        .push((m.bin(h as usize, t2), u64::from(m.persons[h as usize])));
                    self.actions.push(Action::Reslot(h, t2));
                    gate_def -= i64::from(m.persons[h as usize]);
                }
                None => rest.push((d, h)),
            }
        }
        let mut cost = 0;
        if gate_def > 0 {
            rest.sort_unstable();
            let single = rest
                .iter()
                .filter(|&&(_, h)| i64::from(m.persons[h as usize]) >= gate_def)
                .map(|&(_, h)| {
                    (
                        m.value(h as usize, self.st.flight_of[h as usize] as usize),
                        h,
                    )
                })
                .min();
            let start = self.actions.len();
            for &(_, h) in &rest {
                if gate_def <= 0 || cost >= budget {
                    break;
                }
                cost += m.value(h as usize, self.st.flight_of[h as usize] as usize);
                gate_def -= i64::from(m.persons[h as usize]);
                self.actions.push(Action::Eject(h));
            }
            if let Some((sv, sh)) = single
                && (gate_def > 0 || sv < cost)
            {
                self.actions.truncate(start);
                self.actions.push(Action::Eject(sh));
                cost = sv;
                gate_def = 0;
            }
        }
        self.cand = members;
        (gate_def <= 0 && cost < budget).then_some(cost)
    }

    /// Tries to raise the objective by (re)placing `g`; returns the gain made (0 if none).
    pub fn improve_group(&mut self, g: usize) -> i64 {
        let m = self.m;
        let before = self.st.objective;
        let cur = (self.st.flight_of[g], self.st.slot_of[g]);
        let v_cur = if cur.0 == NONE {
            0
        } else {
            m.value(g, cur.0 as usize)
        };
        let opts = m.options(g);
        // Quick exit: no option is worth more than what g has now.
        if opts
            .first()
            .is_none_or(|o| m.value(g, o.flight as usize) <= v_cur)
        {
            return 0;
        }
        if cur.0 != NONE {
            self.st.unassign(m, g);
        }
        if !self.st.quota_allows(m, g) {
            if cur.0 != NONE {
                self.st.assign(m, g, cur.0, cur.1);
            }
            return 0;
        }
        let p = i64::from(m.persons[g]);
        let mut best: Option<(i64, u32, u32)> = None; // (gain, flight, slot)
        let mut planned = 0;
        for o in opts {
            let f = o.flight as usize;
            let v = m.value(g, f);
            let best_gain = best.map_or(0, |b| b.0);
            if v - v_cur <= best_gain {
                break;
            }
            // Direct room needs no plan at all.
            if self.st.seats_free[f] >= i64::from(m.seats[g])
                && let Some(t) = self.free_slot(g, o.lo, o.hi)
            {
                best = Some((v - v_cur, o.flight, t));
                self.best_actions.clear();
                break;
            }
            // Making room is the costly part; the best gains sit in the first few options
            // (value falls with each), so only that many are planned for.
            planned += 1;
            if planned > PLANNED_OPTIONS {
                break;
            }
            self.actions.clear();
            let budget = v - v_cur - best_gain;
            let seat_def = i64::from(m.seats[g]) - self.st.seats_free[f];
            let Some(seat_cost) = self.plan_seats(f, seat_def, raw_budget(budget)) else {
                continue;
            };
            let seat_len = self.actions.len();
            for t in o.lo..=o.hi {
                self.moves += 1;
                self.actions.truncate(seat_len);
                let best_gain = best.map_or(0, |b| b.0);
                let budget = v - v_cur - best_gain - discounted(seat_cost);
                if budget <= 0 {
                    break;
                }
                let gate_def = p - self.st.slack(m, g, t);
                if let Some(gate_cost) = self.plan_gate(g, t, gate_def, raw_budget(budget)) {
                    let gain = v - v_cur - discounted(seat_cost + gate_cost);
                    if gain > best_gain {
                        best = Some((gain, o.flight, t));
                        std::mem::swap(&mut self.best_actions, &mut self.actions);
                        self.actions.clear();
                        self.actions.extend_from_slice(
                            &self.best_actions[..seat_len.min(self.best_actions.len())],
                        );
                    }
                }
            }
        }
        let Some((_, f, t)) = best else {
            if cur.0 != NONE {
                self.st.assign(m, g, cur.0, cur.1);
            }
            return 0;
        };
        let acts = std::mem::take(&mut self.best_actions);
        // (household, flight, slot) before the move, to undo it if it does not pay.
        let mut ejected = Vec::new();
        let mut reslotted = Vec::new();
        for a in &acts {
            match *a {
                Action::Eject(h) => {
                    let h = h as usize;
                    if self.st.is_assigned(h) {
                        ejected.push((h, self.st.flight_of[h], self.st.slot_of[h]));
                        self.st.unassign(m, h);
                    }
                }
                Action::Reslot(h, t2) => {
                    reslotted.push((h as usize, self.st.slot_of[h as usize]));
                    self.st.reslot(m, h as usize, t2);
                }
            }
        }
        debug_assert!(self.st.seats_free[f as usize] >= i64::from(m.seats[g]));
        debug_assert!(self.st.slack(m, g, t) >= p);
        self.st.assign(m, g, f, t);
        for &(h, ..) in &ejected {
            self.insert_direct(h);
        }
        self.best_actions = acts;
        self.best_actions.clear();
        let gain = self.st.objective - before;
        if gain <= 0 {
            // The discount bet on putting the ejected back elsewhere and lost: restore.
            self.st.unassign(m, g);
            for &(h, ..) in &ejected {
                if self.st.is_assigned(h) {
                    self.st.unassign(m, h);
                }
            }
            for &(h, t0) in reslotted.iter().rev() {
                self.st.reslot(m, h, t0);
            }
            for &(h, hf, ht) in &ejected {
                self.st.assign(m, h, hf, ht);
            }
            if cur.0 != NONE {
                self.st.assign(m, g, cur.0, cur.1);
            }
            debug_assert_eq!(self.st.objective, before);
            return 0;
        }
        gain
    }

    /// One improving pass over `order` (stops early on time); returns the gain.
    pub fn pass(&mut self, order: &[usize]) -> i64 {
        let mut gained = 0;
        for (i, &g) in order.iter().enumerate() {
            if i % 256 == 0 && self.out_of_time() {
                break;
            }
            gained += self.improve_group(g);
        }
        gained
    }
}
