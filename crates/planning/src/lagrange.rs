//! Lagrangian relaxation: price seats (per flight), gate hours (per assembly point and
//! hour) and quotas, so each household alone picks its best (flight, hour) at those
//! prices. Subgradient steps move the prices towards the LP optimum; the dual value is an
//! upper bound on any plan, and the prices tell the construction which resources are
//! precious (a tier-1 family on a congested early gate hour may cost more than it brings).

use std::time::Instant;

use crate::model::Model;

#[derive(Clone, Debug)]
pub(crate) struct Prices {
    pub seat: Vec<f64>,
    /// Per bin `Model::bin` index.
    pub gate: Vec<f64>,
    pub quota_groups: Vec<f64>,
    pub quota_persons: Vec<f64>,
}

/// Suffix minima of gate prices over each flight's lead window, per assembly point, so the
/// cheapest hour of any option window (which always ends at the flight's last hour) is O(1).
struct WindowMin {
    start: Vec<usize>,
    /// (price, slot) per (ap, flight, offset in window).
    mins: Vec<(f64, u32)>,
}

impl WindowMin {
    fn new(m: &Model) -> WindowMin {
        let mut start = Vec::with_capacity(m.n_flights() + 1);
        let mut len = 0;
        for f in 0..m.n_flights() {
            start.push(len);
            len += (m.flight_hi[f] - m.flight_lo[f] + 1).max(0) as usize;
        }
        start.push(len);
        WindowMin {
            start,
            mins: vec![(0.0, 0); len * m.ap_cap.len()],
        }
    }

    fn update(&mut self, m: &Model, gate: &[f64]) {
        let total = self.start[m.n_flights()];
        for a in 0..m.ap_cap.len() {
            for f in 0..m.n_flights() {
                let (s, e) = (self.start[f], self.start[f + 1]);
                let mut best = (f64::INFINITY, 0u32);
                for k in (s..e).rev() {
                    let t = (m.flight_lo[f] + (k - s) as i64) as u32;
                    let p = gate[a * m.n_slots + t as usize];
                    if p <= best.0 {
                        best = (p, t);
                    }
                    self.mins[a * total + k] = best;
                }
            }
        }
    }

    /// Cheapest (price, slot) of assembly point `a` on flight `f` from slot `lo` on.
    fn get(&self, m: &Model, a: usize, f: usize, lo: u32) -> (f64, u32) {
        let total = self.start[m.n_flights()];
        self.mins[a * total + self.start[f] + (i64::from(lo) - m.flight_lo[f]) as usize]
    }
}

/// The household's best choice at `prices`: (flight, slot, reduced profit), if positive.
fn best_choice(m: &Model, pr: &Prices, wm: &WindowMin, g: usize) -> Option<(u32, u32, f64)> {
    let s = m.scheme[g] as usize;
    let p = f64::from(m.persons[g]);
    let fixed = pr.quota_groups[s] + pr.quota_persons[s] * p;
    let mut best: Option<(u32, u32, f64)> = None;
    for o in m.options(g) {
        let f = o.flight as usize;
        let v = m.value(g, f);
        // Options come in falling value and prices are >= 0, so v bounds every later profit.
        if v == 0 || v as f64 <= best.map_or(0.0, |b| b.2) {
            break;
        }
        let (mu, t) = wm.get(m, m.ap[g] as usize, f, o.lo);
        let rc = v as f64 - pr.seat[f] * f64::from(m.seats[g]) - mu * p - fixed;
        if rc > best.map_or(0.0, |b| b.2) {
            best = Some((o.flight, t, rc));
        }
    }
    best
}

/// What the households pick at the current prices: their reduced profit and the use they
/// make of every priced resource.
struct Usage {
    profit: f64,
    seat: Vec<f64>,
    gate: Vec<f64>,
    quota_groups: Vec<f64>,
    quota_persons: Vec<f64>,
}

impl Usage {
    fn new(m: &Model) -> Usage {
        Usage {
            profit: 0.0,
            seat: vec![0.0; m.n_flights()],
            gate: vec![0.0; m.ap_cap.len() * m.n_slots],
            quota_groups: vec![0.0; m.quota_groups.len()],
            quota_persons: vec![0.0; m.quota_persons.len()],
        }
    }

    fn clear(&mut self) {
        self.profit = 0.0;
        for v in [
            &mut self.seat,
            &mut self.gate,
            &mut self.quota_groups,
            &mut self.quota_persons,
        ] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
    }

    fn add(&mut self, o: &Usage) {
        self.profit += o.profit;
        for (a, b) in [
            (&mut self.seat, &o.seat),
            (&mut self.gate, &o.gate),
            (&mut self.quota_groups, &o.quota_groups),
            (&mut self.quota_persons, &o.quota_persons),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }

    fn take(&mut self, m: &Model, g: usize, f: u32, t: u32, rc: f64) {
        let p = f64::from(m.persons[g]);
        self.profit += rc;
        self.seat[f as usize] += f64::from(m.seats[g]);
        self.gate[m.bin(g, t)] += p;
        self.quota_groups[m.scheme[g] as usize] += 1.0;
        self.quota_persons[m.scheme[g] as usize] += p;
    }
}

/// Every household's best choice, fast and exact. Within a scheme's flight list (by
/// departure) lead windows open in order, so for a household ready at `r` the flights whose
/// whole window lies after `r` form a suffix. On that suffix the reduced profit depends
/// only on (scheme, gate, weight, persons, seats): one suffix maximum per such class and
/// step serves all its households; only the few flights whose window `r` cuts are priced
/// one by one. This turns O(options) per step into O(classes × flights + households).
struct Chooser {
    /// Households grouped by class (then by suffix start), so every table is read in order.
    members: Vec<Member>,
    /// Per class: its members' range, (scheme, assembly point, weight, persons, seats),
    /// the (assembly point, scheme) table it reads and the smallest suffix start of its
    /// members.
    classes: Vec<Class>,
    /// Per (assembly point, scheme) pair: per position of the scheme's flight list,
    /// (hours saved, seat price, cheapest full-window gate price, its slot), refreshed per step.
    pairs: Vec<(u32, u32)>,
    pair_rows: Vec<Vec<(f64, f64, f64, u32)>>,
    /// Where the classes split into two halves of about equal households: the halves are
    /// priced separately (in parallel when there are threads) and always added in the same
    /// order, so results do not depend on the number of threads.
    split: usize,
    /// Usage of the second half, merged into the first.
    second: Option<Usage>,
}

#[derive(Clone, Copy)]
struct Member {
    g: u32,
    suffix_from: u32,
    partial_from: u32,
}

struct Class {
    members: std::ops::Range<usize>,
    scheme: u32,
    weight: f64,
    persons: f64,
    seats: f64,
    pair: usize,
    min_suffix: usize,
}

impl Chooser {
    /// Over every `stride`-th household (all of them with stride 1).
    fn new(m: &Model, stride: usize) -> Chooser {
        let mut index = std::collections::HashMap::new();
        let mut keys = Vec::new();
        let mut members: Vec<(u32, Member)> = Vec::with_capacity(m.n_groups() / stride + 1);
        for g in (0..m.n_groups()).step_by(stride) {
            let key = (m.scheme[g], m.ap[g], m.weight[g], m.persons[g], m.seats[g]);
            let id = *index.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() as u32 - 1
            });
            let list = &m.scheme_flights[m.scheme[g] as usize];
            let r = m.ready_slot[g];
            let suffix_from = list.partition_point(|&f| m.flight_lo[f as usize] < r) as u32;
            let partial_from = list.partition_point(|&f| m.flight_hi[f as usize] < r) as u32;
            members.push((
                id,
                Member {
                    g: g as u32,
                    suffix_from,
                    partial_from,
                },
            ));
        }
        members.sort_by_key(|&(c, mb)| (c, mb.suffix_from, mb.g));
        let mut pair_index = std::collections::HashMap::new();
        let mut pairs = Vec::new();
        let mut classes = Vec::with_capacity(keys.len());
        let mut start = 0;
        for (ci, &(sc, a, w, p, s)) in keys.iter().enumerate() {
            let end = start + members[start..].partition_point(|&(c, _)| c as usize == ci);
            let pair = *pair_index.entry((a, sc)).or_insert_with(|| {
                pairs.push((a, sc));
                pairs.len() - 1
            });
            classes.push(Class {
                members: start..end,
                scheme: sc,
                weight: w as f64,
                persons: f64::from(p),
                seats: f64::from(s),
                pair,
                min_suffix: members[start].1.suffix_from as usize,
            });
            start = end;
        }
        let pair_rows = pairs
            .iter()
            .map(|&(_, sc)| vec![(0.0, 0.0, 0.0, 0); m.scheme_flights[sc as usize].len()])
            .collect();
        let split = classes.partition_point(|c| c.members.start < members.len() / 2);
        Chooser {
            members: members.into_iter().map(|(_, mb)| mb).collect(),
            classes,
            pairs,
            pair_rows,
            split,
            second: None,
        }
    }

    fn choose_all(
        &mut self,
        m: &Model,
        pr: &Prices,
        wm: &WindowMin,
        u: &mut Usage,
        threads: usize,
    ) {
        for (&(a, sc), row) in self.pairs.iter().zip(&mut self.pair_rows) {
            for (x, &f) in row.iter_mut().zip(&m.scheme_flights[sc as usize]) {
                let f = f as usize;
                *x = if m.flight_hours[f] > 0 && m.flight_lo[f] <= m.flight_hi[f] {
                    let (mu, t) = wm.get(m, a as usize, f, m.flight_lo[f] as u32);
                    (m.flight_hours[f] as f64, pr.seat[f], mu, t)
                } else {
                    (0.0, 0.0, f64::INFINITY, 0) // worth nothing: never chosen
                };
            }
        }
        let second = self.second.get_or_insert_with(|| Usage::new(m));
        second.clear();
        let (first_half, second_half) = self.classes.split_at(self.split);
        let (members, rows) = (&self.members, &self.pair_rows);
        if threads >= 2 {
            std::thread::scope(|sc| {
                let h = sc.spawn(|| price_classes(m, pr, wm, second_half, members, rows, second));
                price_classes(m, pr, wm, first_half, members, rows, u);
                h.join().expect("pricing worker panicked");
            });
        } else {
            price_classes(m, pr, wm, first_half, members, rows, u);
            price_classes(m, pr, wm, second_half, members, rows, second);
        }
        u.add(second);
    }
}

/// Prices the households of `classes`: per class one suffix maximum over its scheme's
/// flights, then each member's few window-cut flights.
fn price_classes(
    m: &Model,
    pr: &Prices,
    wm: &WindowMin,
    classes: &[Class],
    members: &[Member],
    rows: &[Vec<(f64, f64, f64, u32)>],
    u: &mut Usage,
) {
    let mut suf: Vec<(f64, u32)> = Vec::new();
    for c in classes {
        let list = &m.scheme_flights[c.scheme as usize];
        let row = &rows[c.pair];
        suf.clear();
        suf.resize(list.len() + 1, (f64::NEG_INFINITY, u32::MAX));
        let mut run = (f64::NEG_INFINITY, u32::MAX);
        suf[list.len()] = run;
        let pw = c.persons * c.weight;
        for j in (c.min_suffix..list.len()).rev() {
            let (h, lam, mu, _) = row[j];
            let v = pw * h - c.seats * lam - c.persons * mu;
            // >= keeps the earlier (more valuable) flight on ties.
            if v >= run.0 {
                run = (v, j as u32);
            }
            suf[j] = run;
        }
        for mb in &members[c.members.clone()] {
            let g = mb.g as usize;
            let k = mb.suffix_from as usize;
            let r = m.ready_slot[g];
            let a = m.ap[g] as usize;
            let mut best = suf[k];
            let mut best_slot = (best.1 != u32::MAX).then(|| row[best.1 as usize].3);
            let mut best_flight = (best.1 != u32::MAX).then(|| list[best.1 as usize]);
            for &f in &list[mb.partial_from as usize..k] {
                let fu = f as usize;
                if m.flight_hours[fu] == 0 || r > m.flight_hi[fu] {
                    continue;
                }
                let (mu, t) = wm.get(m, a, fu, r as u32);
                let v = pw * m.flight_hours[fu] as f64 - c.seats * pr.seat[fu] - c.persons * mu;
                if v > best.0 {
                    best = (v, 0);
                    best_slot = Some(t);
                    best_flight = Some(f);
                }
            }
            let (Some(f), Some(t)) = (best_flight, best_slot) else {
                continue;
            };
            let rc = best.0
                - pr.quota_groups[c.scheme as usize]
                - pr.quota_persons[c.scheme as usize] * c.persons;
            if rc > 0.0 && best.0.is_finite() {
                u.take(m, g, f, t, rc);
            }
        }
    }
}

/// The slow, obviously right version (every option), for instances without processing.
fn choose_all_slow(m: &Model, pr: &Prices, wm: &WindowMin, u: &mut Usage) {
    for g in 0..m.n_groups() {
        if let Some((f, t, rc)) = best_choice(m, pr, wm, g) {
            u.take(m, g, f, t, rc);
        }
    }
}

/// Step-size rule of the subgradient method (Polyak steps towards a target value).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepRule {
    pub iterations: usize,
    /// Initial step multiplier, halved after `patience` steps without a better dual.
    pub theta: f64,
    pub patience: usize,
    /// Target = known plan's value × this; a little above 1 accounts for the greedy
    /// being a few per cent off the optimum, which keeps late steps from overshooting.
    pub target_factor: f64,
}

/// Runs subgradient steps (until `deadline` at the latest) from zero prices, with `target` (a known plan's value) for the
/// Polyak step; returns the prices of the best (lowest) dual value, that value (an upper
/// bound on every plan) and the steps taken.
pub(crate) fn subgradient(
    m: &Model,
    target: i64,
    cfg: StepRule,
    deadline: Instant,
    threads: usize,
) -> (Prices, f64, usize) {
    let n_bins = m.ap_cap.len() * m.n_slots;
    let zero = Prices {
        seat: vec![0.0; m.n_flights()],
        gate: vec![0.0; n_bins],
        quota_groups: vec![0.0; m.quota_groups.len()],
        quota_persons: vec![0.0; m.quota_persons.len()],
    };
    if !m.has_processing {
        return steps(m, None, (1.0, target as f64), cfg, deadline, zero, threads);
    }
    // On large instances most of the steps run on a sample of households against capacities
    // scaled to match: prices depend on the mix of demand, not its size, so the sample
    // settles them at a fraction of the cost. A few full steps then fit them to the whole.
    let stride = m.n_groups() / SAMPLE;
    if stride < 2 {
        return steps(
            m,
            Some(&mut Chooser::new(m, 1)),
            (1.0, target as f64),
            cfg,
            deadline,
            zero,
            threads,
        );
    }
    let scale = 1.0 / stride as f64;
    // The sample gets 70 % of the time left, the full refinement the rest.
    let now = Instant::now();
    let sample_deadline = now + deadline.saturating_duration_since(now).mul_f64(0.7);
    let mut sample = Chooser::new(m, stride);
    let (sampled, _, n1) = steps(
        m,
        Some(&mut sample),
        (scale, target as f64 * scale),
        cfg,
        sample_deadline,
        zero,
        threads,
    );
    drop(sample);
    let refine = StepRule {
        iterations: (cfg.iterations / 8).max(1),
        theta: cfg.theta / 4.0,
        ..cfg
    };
    let (pr, bound, n2) = steps(
        m,
        Some(&mut Chooser::new(m, 1)),
        (1.0, target as f64),
        refine,
        deadline,
        sampled,
        threads,
    );
    (pr, bound, n1 + n2)
}

/// Households priced per step on the sampled phase of large instances.
const SAMPLE: usize = 25_000;

/// Subgradient steps from `pr` over the chooser's households, against capacities × `scale`;
/// returns the best prices, their dual value and the steps taken.
fn steps(
    m: &Model,
    mut chooser: Option<&mut Chooser>,
    (scale, target): (f64, f64),
    cfg: StepRule,
    deadline: Instant,
    mut pr: Prices,
    threads: usize,
) -> (Prices, f64, usize) {
    let n_bins = m.ap_cap.len() * m.n_slots;
    let mut wm = WindowMin::new(m);
    let mut best = (pr.clone(), f64::INFINITY);
    let mut steps = 0;
    let mut use_ = Usage::new(m);
    let mut theta = cfg.theta;
    let mut since_best = 0;
    let gate_cap = |b: usize| f64::from(m.ap_cap[b / m.n_slots].min(1 << 30)) * scale;
    for it in 0..cfg.iterations {
        // Checked every few steps only: a step is milliseconds, the clock is not free.
        if it % 8 == 0 && Instant::now() >= deadline {
            break;
        }
        steps = it + 1;
        wm.update(m, &pr.gate);
        use_.clear();
        match chooser.as_deref_mut() {
            Some(ch) => ch.choose_all(m, &pr, &wm, &mut use_, threads),
            None => choose_all_slow(m, &pr, &wm, &mut use_),
        }
        let dual = use_.profit + capacity_value(m, &pr) * scale;
        if dual < best.1 {
            best = (pr.clone(), dual);
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience {
                theta /= 2.0;
                since_best = 0;
            }
        }
        // Subgradient of the dual: capacity minus use, for every priced constraint.
        let mut sg_seat: Vec<f64> = (0..m.n_flights())
            .map(|f| f64::from(m.flight_seats[f]) * scale - use_.seat[f])
            .collect();
        let mut sg_gate: Vec<f64> = (0..n_bins).map(|b| gate_cap(b) - use_.gate[b]).collect();
        let mut sg_qg: Vec<f64> = (0..m.quota_groups.len())
            .map(|s| m.quota_groups[s].map_or(0.0, |q| f64::from(q) * scale - use_.quota_groups[s]))
            .collect();
        let mut sg_qp: Vec<f64> = (0..m.quota_persons.len())
            .map(|s| m.quota_persons[s].map_or(0.0, |q| q as f64 * scale - use_.quota_persons[s]))
            .collect();
        // Only components that can move count (a zero price with slack stays at zero).
        let mut norm = 0.0;
        let mut project = |price: &[f64], sg: &mut [f64]| {
            for (&l, g) in price.iter().zip(sg.iter_mut()) {
                if l <= 0.0 && *g > 0.0 {
                    *g = 0.0;
                }
                norm += *g * *g;
            }
        };
        project(&pr.seat, &mut sg_seat);
        project(&pr.gate, &mut sg_gate);
        project(&pr.quota_groups, &mut sg_qg);
        project(&pr.quota_persons, &mut sg_qp);
        if norm <= 0.0 {
            break; // complementary slackness holds: these prices are optimal
        }
        let tgt = target * cfg.target_factor;
        let step = theta * (dual - tgt).max(dual * 1e-4) / norm;
        let upd = |p: &mut [f64], sg: &[f64]| {
            for (x, g) in p.iter_mut().zip(sg) {
                *x = (*x - step * g).max(0.0);
            }
        };
        upd(&mut pr.seat, &sg_seat);
        upd(&mut pr.gate, &sg_gate);
        upd(&mut pr.quota_groups, &sg_qg);
        upd(&mut pr.quota_persons, &sg_qp);
    }
    (best.0, best.1, steps)
}

/// Σ price × capacity over every priced constraint (the constant part of the dual).
fn capacity_value(m: &Model, pr: &Prices) -> f64 {
    let mut dual = pr
        .seat
        .iter()
        .zip(&m.flight_seats)
        .map(|(l, &c)| l * f64::from(c))
        .sum::<f64>();
    dual += pr
        .gate
        .iter()
        .enumerate()
        .map(|(b, mu)| mu * f64::from(m.ap_cap[b / m.n_slots].min(1 << 30)))
        .sum::<f64>();
    for s in 0..m.quota_groups.len() {
        if let Some(q) = m.quota_groups[s] {
            dual += pr.quota_groups[s] * f64::from(q);
        }
        if let Some(q) = m.quota_persons[s] {
            dual += pr.quota_persons[s] * q as f64;
        }
    }
    dual
}

/// How a construction ranks households by their reduced profit `rc` on their best option
/// at the prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rank {
    /// Whole-household profit: favours the families that bring the most.
    Profit,
    /// Per seat: suits movements where seats, not the gate, run out.
    PerSeat,
    /// Per person (the gate counts persons), plus a fifth of the option's value per person,
    /// so that among households of about equal profit the more valuable go first.
    PerPersonValue,
}

/// Households by falling key (see `Rank`) at `pr` (those with no profitable option last).
pub(crate) fn priority_order(m: &Model, pr: &Prices, rank: Rank) -> Vec<usize> {
    let mut wm = WindowMin::new(m);
    wm.update(m, &pr.gate);
    let mut keyed: Vec<(f64, usize)> = (0..m.n_groups())
        .map(|g| {
            let Some((f, _, rc)) = best_choice(m, pr, &wm, g) else {
                return (f64::NEG_INFINITY, g);
            };
            let key = match rank {
                Rank::Profit => rc,
                Rank::PerSeat => rc / f64::from(m.seats[g]),
                Rank::PerPersonValue => {
                    (rc + 0.2 * m.value(g, f as usize) as f64) / f64::from(m.persons[g])
                }
            };
            (key, g)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AssemblyPoint, Flight, Group, Problem, Processing};

    /// A small deterministic pseudo-random instance (no external RNG needed).
    fn instance(seed: u64, n_groups: usize, n_flights: usize) -> Problem {
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        let ts = |h: u64, m: u64| format!("2021-08-{:02}T{:02}:{:02}:00Z", 17 + h / 24, h % 24, m);
        let schemes = ["US-SIV", "DE-LES", "NO-CIT"];
        let groups = (0..n_groups)
            .map(|i| {
                let persons = 1 + next(12) as i64;
                Group {
                    id: format!("G{i}"),
                    persons,
                    seats: (persons - next(3) as i64).max(1),
                    tier: 1 + next(4) as i64,
                    scheme: schemes[next(3) as usize].into(),
                    ready_at: ts(next(300), 15 * next(4)),
                    assembly: Some(format!("A{}", next(2))),
                }
            })
            .collect();
        let flights = (0..n_flights)
            .map(|i| Flight {
                id: format!("F{i}"),
                seats: 20 + next(80) as i64,
                departs_at: ts(6 + next(320), 5 * next(12)),
                accepts: schemes
                    .iter()
                    .filter(|_| next(2) == 0)
                    .map(|s| s.to_string())
                    .collect(),
            })
            .collect();
        Problem {
            horizon_end: "2021-08-31T00:00:00Z".into(),
            weights: [("1", 8), ("2", 4), ("3", 2), ("4", 1)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            groups,
            flights,
            assembly_points: Some(
                (0..2)
                    .map(|a| AssemblyPoint {
                        id: format!("A{a}"),
                        persons_per_hour: 25,
                    })
                    .collect(),
            ),
            processing: Some(Processing {
                min_hours_before_departure: 3,
                max_hours_before_departure: 12,
            }),
            quotas: Vec::new(),
        }
    }

    /// The class/suffix evaluation must give exactly the dual of pricing every option.
    #[test]
    fn fast_choice_equals_every_option() {
        for seed in 0..20 {
            let m = Model::build(&instance(seed, 200, 25)).unwrap();
            let mut x = seed + 7;
            let mut rnd = || {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                ((x >> 40) % 1000) as f64
            };
            let pr = Prices {
                seat: (0..m.n_flights()).map(|_| rnd() / 3.0).collect(),
                gate: (0..m.ap_cap.len() * m.n_slots)
                    .map(|_| rnd() / 10.0)
                    .collect(),
                quota_groups: vec![0.0; m.quota_groups.len()],
                quota_persons: vec![0.0; m.quota_persons.len()],
            };
            let mut wm = WindowMin::new(&m);
            wm.update(&m, &pr.gate);
            let mut slow = Usage::new(&m);
            choose_all_slow(&m, &pr, &wm, &mut slow);
            assert!(
                slow.profit > 0.0,
                "seed {seed}: prices leave nothing to compare"
            );
            for threads in [1, 2] {
                let mut fast = Usage::new(&m);
                Chooser::new(&m, 1).choose_all(&m, &pr, &wm, &mut fast, threads);
                assert!(
                    (fast.profit - slow.profit).abs() < 1e-6 * slow.profit.max(1.0),
                    "seed {seed}: {} vs {}",
                    fast.profit,
                    slow.profit
                );
            }
        }
    }
}
