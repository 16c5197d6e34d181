//! Exact repacking of one gate hour: given an (assembly point, hour) bin, choose which
//! households are processed in it, among those there now and the unassigned ones that
//! could be (window, scheme and seats allowing), to maximise their value: a 0/1 knapsack
//! over persons, solved by dynamic programming. The gate floor is one largest household,
//! so bins hold a handful of households and the greedy leaves persons of slack in many
//! of them; the LP bound counts that slack as filled, the knapsack recovers most of it.
//!
//! Seats and quotas are not in the knapsack; a choice that would break them is trimmed
//! (cheapest newcomers dropped) before it is compared with the bin as it stands.

use crate::improve::Search;
use crate::model::Model;

/// The knapsack pays only while an hour holds a handful of households (gates of 20/h on
/// the small instances: +0.1 to +0.3 % there); at 40+ persons an hour the packing waste is
/// small, the priced construction already leaves little, and the time is better spent on
/// household moves (measured on the 20,000 and 100,000 instances).
const MAX_CAP: usize = 40;

/// Per (flight, assembly point): the groups that may take that flight, by ready slot.
pub(crate) struct Candidates {
    n_ap: usize,
    by_flight_ap: Vec<Vec<u32>>,
    /// Slot → flights worth something whose lead window contains it.
    flights_at: Vec<Vec<u32>>,
}

impl Candidates {
    pub fn new(m: &Model) -> Candidates {
        let n_ap = m.ap_cap.len();
        let mut by_flight_ap = vec![Vec::new(); m.n_flights() * n_ap];
        for g in 0..m.n_groups() {
            for o in m.options(g) {
                by_flight_ap[o.flight as usize * n_ap + m.ap[g] as usize].push(g as u32);
            }
        }
        for list in &mut by_flight_ap {
            list.sort_by_key(|&g| (m.ready_slot[g as usize], g));
        }
        let mut flights_at = vec![Vec::new(); m.n_slots];
        for f in 0..m.n_flights() {
            if m.flight_hours[f] == 0 || m.flight_lo[f] > m.flight_hi[f] {
                continue;
            }
            for t in m.flight_lo[f]..=m.flight_hi[f] {
                flights_at[t as usize].push(f as u32);
            }
        }
        Candidates {
            n_ap,
            by_flight_ap,
            flights_at,
        }
    }
}

#[derive(Clone, Copy)]
struct Item {
    g: u32,
    flight: u32,
    persons: u32,
    value: i64,
    member: bool,
}

/// Scratch space reused across bins.
#[derive(Default)]
pub(crate) struct Packer {
    items: Vec<Item>,
    pool: Vec<Item>,
    take: Vec<bool>,
    best: Vec<i64>,
    chosen: Vec<usize>,
    /// Per group: the bin visit that last listed it (dedupes groups across flights).
    seen: Vec<u32>,
    visit: u32,
}

impl Packer {
    /// Repacks bin (`ap`, `t`); returns the objective gained (0 when the bin is kept).
    pub fn repack(&mut self, s: &mut Search<'_>, c: &Candidates, ap: usize, t: u32) -> i64 {
        let m = s.m;
        let cap = m.ap_cap[ap] as usize;
        let bin = ap * m.n_slots + t as usize;
        // Without processing (or with a huge gate) the hour is no bin worth packing.
        if !m.has_processing || cap == 0 || cap > MAX_CAP || c.flights_at[t as usize].is_empty() {
            return 0;
        }
        self.items.clear();
        if self.seen.len() != m.n_groups() {
            self.seen = vec![0; m.n_groups()];
        }
        self.visit += 1;
        let mut current = 0;
        for &h in &s.st.bins[bin] {
            let f = s.st.flight_of[h as usize];
            let v = m.value(h as usize, f as usize);
            current += v;
            self.seen[h as usize] = self.visit;
            self.items.push(Item {
                g: h,
                flight: f,
                persons: m.persons[h as usize],
                value: v,
                member: true,
            });
        }
        // Newcomers: unassigned groups whose window on a flight loading now contains t.
        self.pool.clear();
        for &f in &c.flights_at[t as usize] {
            let list = &c.by_flight_ap[f as usize * c.n_ap + ap];
            for &g in list {
                let gu = g as usize;
                if m.ready_slot[gu] > i64::from(t) {
                    break;
                }
                if s.st.is_assigned(gu) || m.persons[gu] as usize > cap || !s.st.quota_allows(m, gu)
                {
                    continue;
                }
                self.pool.push(Item {
                    g,
                    flight: f,
                    persons: m.persons[gu],
                    value: m.value(gu, f as usize),
                    member: false,
                });
            }
        }
        // No optimal packing uses more than cap/p items of size p, and among equal sizes
        // the more valuable ones (ties: fewer seats, lower id) dominate.
        self.pool.sort_unstable_by_key(|it| {
            (
                it.persons,
                std::cmp::Reverse(it.value),
                m.seats[it.g as usize],
                it.g,
                it.flight,
            )
        });
        let mut i = 0;
        while i < self.pool.len() {
            let p = self.pool[i].persons;
            let mut j = i;
            let limit = cap / p as usize;
            let mut kept = 0;
            while j < self.pool.len() && self.pool[j].persons == p {
                // A group may appear once per flight; keep its best flight only.
                let it = self.pool[j];
                if kept < limit && self.seen[it.g as usize] != self.visit {
                    self.seen[it.g as usize] = self.visit;
                    self.items.push(it);
                    kept += 1;
                }
                j += 1;
            }
            i = j;
        }
        if self.items.len() == self.items.iter().filter(|x| x.member).count() {
            return 0;
        }
        let gain = self.knapsack(cap);
        if gain <= current {
            return 0;
        }
        self.trim(s);
        let new_value: i64 = self.chosen.iter().map(|&k| self.items[k].value).sum();
        if new_value <= current {
            return 0;
        }
        let before = s.st.objective;
        let mut evicted = Vec::new();
        for k in 0..self.items.len() {
            let it = self.items[k];
            if it.member && !self.chosen.contains(&k) {
                s.st.unassign(m, it.g as usize);
                evicted.push(it.g as usize);
            }
        }
        for &k in &self.chosen {
            let it = self.items[k];
            if !it.member {
                s.st.assign(m, it.g as usize, it.flight, t);
            }
        }
        for g in evicted {
            s.insert_direct(g);
        }
        debug_assert!(s.st.load[bin] <= cap as u64);
        s.st.objective - before
    }

    /// 0/1 knapsack over persons; fills `self.chosen`, returns the best value.
    fn knapsack(&mut self, cap: usize) -> i64 {
        let n = self.items.len();
        let w = cap + 1;
        self.best.clear();
        self.best.resize(w, 0);
        self.take.clear();
        self.take.resize(n * w, false);
        for (k, it) in self.items.iter().enumerate() {
            let p = it.persons as usize;
            // A group listed twice (member and newcomer) is prevented above; sizes > cap skipped.
            for c in (p..w).rev() {
                let v = self.best[c - p] + it.value;
                if v > self.best[c] {
                    self.best[c] = v;
                    self.take[k * w + c] = true;
                }
            }
        }
        self.chosen.clear();
        let mut c = cap;
        for k in (0..n).rev() {
            if self.take[k * w + c] {
                self.chosen.push(k);
                c -= self.items[k].persons as usize;
            }
        }
        self.best[cap]
    }

    /// Drops chosen newcomers (cheapest first) until seats and quotas hold. One pass is
    /// enough: members alone were feasible, so dropping every newcomer of a flight or scheme
    /// would always restore it.
    fn trim(&mut self, s: &Search<'_>) {
        let m = s.m;
        let items = &self.items;
        let mut in_chosen = vec![false; items.len()];
        for &k in &self.chosen {
            in_chosen[k] = true;
        }
        // Seats left per flight and quota use per scheme after the repack, for those touched.
        let mut seats: Vec<(u32, i64)> = Vec::new();
        let mut quota: Vec<(u32, u32, u64)> = Vec::new();
        let seat_entry = |seats: &mut Vec<(u32, i64)>, f: u32| -> usize {
            seats.iter().position(|x| x.0 == f).unwrap_or_else(|| {
                seats.push((f, s.st.seats_free[f as usize]));
                seats.len() - 1
            })
        };
        let quota_entry = |quota: &mut Vec<(u32, u32, u64)>, sc: u32| -> usize {
            quota.iter().position(|x| x.0 == sc).unwrap_or_else(|| {
                quota.push((
                    sc,
                    s.st.quota_groups_used[sc as usize],
                    s.st.quota_persons_used[sc as usize],
                ));
                quota.len() - 1
            })
        };
        for (k, x) in items.iter().enumerate() {
            let sign: i64 = match (x.member, in_chosen[k]) {
                (true, false) => 1,
                (false, true) => -1,
                _ => continue,
            };
            let i = seat_entry(&mut seats, x.flight);
            seats[i].1 += sign * i64::from(m.seats[x.g as usize]);
            let q = quota_entry(&mut quota, m.scheme[x.g as usize]);
            if sign > 0 {
                quota[q].1 -= 1;
                quota[q].2 -= u64::from(x.persons);
            } else {
                quota[q].1 += 1;
                quota[q].2 += u64::from(x.persons);
            }
        }
        self.chosen
            .sort_unstable_by_key(|&k| (items[k].member, items[k].value, items[k].g));
        self.chosen.retain(|&k| {
            let x = items[k];
            if x.member {
                return true;
            }
            let i = seats
                .iter()
                .position(|e| e.0 == x.flight)
                .expect("touched flight");
            let sc = m.scheme[x.g as usize];
            let q = quota
                .iter()
                .position(|e| e.0 == sc)
                .expect("touched scheme");
            let over_quota = m.quota_groups[sc as usize].is_some_and(|lim| quota[q].1 > lim)
                || m.quota_persons[sc as usize].is_some_and(|lim| quota[q].2 > lim);
            if seats[i].1 < 0 || over_quota {
                seats[i].1 += i64::from(m.seats[x.g as usize]);
                quota[q].1 -= 1;
                quota[q].2 -= u64::from(x.persons);
                false
            } else {
                true
            }
        });
    }
}
