//! A partial plan under construction, with the running usage of every capacity
//! (seats per flight, persons per gate hour, quotas) so moves are checked in O(1).

use crate::model::Model;

pub(crate) const NONE: u32 = u32::MAX;

#[derive(Clone)]
pub(crate) struct State {
    pub flight_of: Vec<u32>,
    pub slot_of: Vec<u32>,
    pub seats_free: Vec<i64>,
    /// Persons processed per (assembly point, slot): index `Model::bin`.
    pub load: Vec<u64>,
    /// Groups processed per (assembly point, slot).
    pub bins: Vec<Vec<u32>>,
    pub on_flight: Vec<Vec<u32>>,
    pub quota_groups_used: Vec<u32>,
    pub quota_persons_used: Vec<u64>,
    pub objective: i64,
}

impl State {
    pub fn new(m: &Model) -> State {
        let n_bins = m.ap_cap.len() * m.n_slots;
        State {
            flight_of: vec![NONE; m.n_groups()],
            slot_of: vec![NONE; m.n_groups()],
            seats_free: m.flight_seats.iter().map(|&s| i64::from(s)).collect(),
            load: vec![0; n_bins],
            bins: vec![Vec::new(); n_bins],
            on_flight: vec![Vec::new(); m.n_flights()],
            quota_groups_used: vec![0; m.quota_groups.len()],
            quota_persons_used: vec![0; m.quota_persons.len()],
            objective: 0,
        }
    }

    pub fn is_assigned(&self, g: usize) -> bool {
        self.flight_of[g] != NONE
    }

    /// Free gate capacity (persons) in the bin of group `g`'s assembly point at slot `t`.
    pub fn slack(&self, m: &Model, g: usize, t: u32) -> i64 {
        let b = m.bin(g, t);
        let cap = u64::from(m.ap_cap[m.ap[g] as usize]);
        cap.saturating_sub(self.load[b]).min(i64::MAX as u64) as i64
    }

    /// Whether the quota of `g`'s scheme has room for `g`.
    pub fn quota_allows(&self, m: &Model, g: usize) -> bool {
        let s = m.scheme[g] as usize;
        m.quota_groups[s].is_none_or(|q| self.quota_groups_used[s] < q)
            && m.quota_persons[s]
                .is_none_or(|q| self.quota_persons_used[s] + u64::from(m.persons[g]) <= q)
    }

    pub fn assign(&mut self, m: &Model, g: usize, f: u32, t: u32) {
        debug_assert!(!self.is_assigned(g));
        let s = m.scheme[g] as usize;
        self.flight_of[g] = f;
        self.slot_of[g] = t;
        self.seats_free[f as usize] -= i64::from(m.seats[g]);
        let b = m.bin(g, t);
        self.load[b] += u64::from(m.persons[g]);
        self.bins[b].push(g as u32);
        self.on_flight[f as usize].push(g as u32);
        self.quota_groups_used[s] += 1;
        self.quota_persons_used[s] += u64::from(m.persons[g]);
        self.objective += m.value(g, f as usize);
    }

    pub fn unassign(&mut self, m: &Model, g: usize) {
        let f = self.flight_of[g];
        let t = self.slot_of[g];
        debug_assert!(f != NONE);
        let s = m.scheme[g] as usize;
        self.flight_of[g] = NONE;
        self.slot_of[g] = NONE;
        self.seats_free[f as usize] += i64::from(m.seats[g]);
        let b = m.bin(g, t);
        self.load[b] -= u64::from(m.persons[g]);
        remove_item(&mut self.bins[b], g as u32);
        remove_item(&mut self.on_flight[f as usize], g as u32);
        self.quota_groups_used[s] -= 1;
        self.quota_persons_used[s] -= u64::from(m.persons[g]);
        self.objective -= m.value(g, f as usize);
    }

    /// Moves an assigned group to another slot of the same flight.
    pub fn reslot(&mut self, m: &Model, g: usize, t: u32) {
        let old = m.bin(g, self.slot_of[g]);
        let new = m.bin(g, t);
        let p = u64::from(m.persons[g]);
        self.load[old] -= p;
        remove_item(&mut self.bins[old], g as u32);
        self.load[new] += p;
        self.bins[new].push(g as u32);
        self.slot_of[g] = t;
    }
}

/// Removes one occurrence; order inside bins and flights carries no meaning.
fn remove_item(v: &mut Vec<u32>, x: u32) {
    if let Some(i) = v.iter().position(|&y| y == x) {
        v.swap_remove(i);
    }
}
