//! The solver's indexed view of a `Problem`: integer ids, epoch-hour windows and, per
//! group, the list of movements it may take (its "options"), best value first.
//!
//! Building the model is also where an instance is checked: everything the solver relies
//! on (known tiers, valid timestamps, unique ids, sane sizes) is verified once here.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::time::{self, HOUR};
use crate::{Error, Problem};

/// One usable (group, movement) pair: the flight and the inclusive slot range (model slot indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Opt {
    pub flight: u32,
    pub lo: u32,
    pub hi: u32,
}

pub(crate) struct Model {
    pub has_processing: bool,
    pub group_ids: Vec<String>,
    pub persons: Vec<u32>,
    pub seats: Vec<u32>,
    pub tier: Vec<i64>,
    pub weight: Vec<i64>,
    pub ap: Vec<u32>,
    pub scheme: Vec<u32>,
    pub flight_ids: Vec<String>,
    pub flight_seats: Vec<u32>,
    pub flight_hours: Vec<i64>,
    pub ap_cap: Vec<u32>,
    /// Number of slot hours per assembly point; slot index `t` is epoch hour `base_hour + t`.
    pub n_slots: usize,
    pub base_hour: i64,
    /// Per scheme index: the quota limits, if any.
    pub quota_groups: Vec<Option<u32>>,
    pub quota_persons: Vec<Option<u64>>,
    /// First slot (model index, may be negative) each group can be processed in.
    pub ready_slot: Vec<i64>,
    /// Lead window of each flight in model slot indices (empty when lo > hi).
    pub flight_lo: Vec<i64>,
    pub flight_hi: Vec<i64>,
    /// Per scheme: the flights accepting it, by (departure, index); lead windows open and
    /// close in that order too.
    pub scheme_flights: Vec<Vec<u32>>,
    opt_start: Vec<u32>,
    opts: Vec<Opt>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Instance(msg.into())
}

fn ts(s: &str, what: impl FnOnce() -> String) -> Result<i64, Error> {
    time::parse(s).ok_or_else(|| bad(format!("{}: bad timestamp {s:?}", what())))
}

fn non_negative_u32(v: i64, what: impl FnOnce() -> String) -> Result<u32, Error> {
    u32::try_from(v).map_err(|_| {
        bad(format!(
            "{} must be an integer in 0..=2^32-1, got {v}",
            what()
        ))
    })
}

impl Model {
    pub fn build<'p>(p: &'p Problem) -> Result<Model, Error> {
        let horizon = ts(&p.horizon_end, || "horizon_end".into())?;
        let mut weights = HashMap::new();
        for (k, &w) in &p.weights {
            let tier: i64 = k
                .parse()
                .map_err(|_| bad(format!("weights key {k:?} is not a tier number")))?;
            if w < 0 {
                return Err(bad(format!("weight of tier {k} is negative")));
            }
            weights.insert(tier, w);
        }
        // Processing applies only when both parts are present (FORMAT.md, no-processing mode).
        let processing = match (&p.assembly_points, &p.processing) {
            (Some(aps), Some(pr)) => {
                if pr.min_hours_before_departure < 0
                    || pr.max_hours_before_departure < pr.min_hours_before_departure + 1
                {
                    return Err(bad(
                        "processing needs 0 <= min_hours_before_departure < max_hours_before_departure",
                    ));
                }
                Some((aps, *pr))
            }
            _ => None,
        };
        let mut ap_index = HashMap::new();
        let mut ap_cap = Vec::new();
        match processing {
            Some((aps, _)) => {
                for a in aps {
                    if ap_index
                        .insert(a.id.as_str(), ap_cap.len() as u32)
                        .is_some()
                    {
                        return Err(bad(format!("duplicate assembly point {}", a.id)));
                    }
                    ap_cap.push(non_negative_u32(a.persons_per_hour, || {
                        format!("assembly point {} persons_per_hour", a.id)
                    })?);
                }
            }
            // Without processing every group shares one virtual gate with unlimited throughput.
            None => ap_cap.push(u32::MAX),
        }

        let mut scheme_index: BTreeMap<&str, u32> = BTreeMap::new();
        let mut intern = |s: &'p str| -> u32 {
            let n = scheme_index.len() as u32;
            *scheme_index.entry(s).or_insert(n)
        };

        let mut flight_ids = Vec::with_capacity(p.flights.len());
        let mut flight_seats = Vec::with_capacity(p.flights.len());
        let mut flight_hours = Vec::with_capacity(p.flights.len());
        let mut dep = Vec::with_capacity(p.flights.len());
        let mut window = Vec::with_capacity(p.flights.len());
        let mut accepts: Vec<Vec<u32>> = Vec::new();
        let mut seen = HashSet::new();
        for f in &p.flights {
            if !seen.insert(f.id.as_str()) {
                return Err(bad(format!("duplicate flight id {}", f.id)));
            }
            let d = ts(&f.departs_at, || format!("flight {} departs_at", f.id))?;
            flight_ids.push(f.id.clone());
            flight_seats.push(non_negative_u32(f.seats, || {
                format!("flight {} seats", f.id)
            })?);
            flight_hours.push(((horizon - d).div_euclid(HOUR)).max(0));
            dep.push(d);
            window.push(match processing {
                Some((_, pr)) => (
                    time::ceil_hour(d - pr.max_hours_before_departure * HOUR),
                    (d - pr.min_hours_before_departure * HOUR - HOUR).div_euclid(HOUR),
                ),
                None => (0, 0),
            });
            let mut acc: Vec<u32> = f.accepts.iter().map(|s| intern(s)).collect();
            acc.sort_unstable();
            acc.dedup();
            for s in acc {
                if accepts.len() <= s as usize {
                    accepts.resize(s as usize + 1, Vec::new());
                }
                accepts[s as usize].push(flight_ids.len() as u32 - 1);
            }
        }
        let usable: Vec<usize> = (0..window.len())
            .filter(|&f| window[f].0 <= window[f].1)
            .collect();
        let base_hour = usable.iter().map(|&f| window[f].0).min().unwrap_or(0);
        let last_hour = usable.iter().map(|&f| window[f].1).max().unwrap_or(0);
        let n_slots = usize::try_from(last_hour - base_hour + 1)
            .unwrap_or(1)
            .max(1);
        if n_slots > 1_000_000 {
            return Err(bad("flights span more than a million hours"));
        }

        let n = p.groups.len();
        let mut m = Model {
            has_processing: processing.is_some(),
            group_ids: Vec::with_capacity(n),
            persons: Vec::with_capacity(n),
            seats: Vec::with_capacity(n),
            tier: Vec::with_capacity(n),
            weight: Vec::with_capacity(n),
            ap: Vec::with_capacity(n),
            scheme: Vec::with_capacity(n),
            flight_ids,
            flight_seats,
            flight_hours,
            ap_cap,
            n_slots,
            base_hour,
            quota_groups: Vec::new(),
            quota_persons: Vec::new(),
            ready_slot: Vec::with_capacity(n),
            flight_lo: window.iter().map(|w| w.0 - base_hour).collect(),
            flight_hi: window.iter().map(|w| w.1 - base_hour).collect(),
            scheme_flights: Vec::new(),
            opt_start: Vec::with_capacity(n + 1),
            opts: Vec::new(),
        };
        seen.clear();
        let mut ready = Vec::with_capacity(n);
        for g in &p.groups {
            if !seen.insert(g.id.as_str()) {
                return Err(bad(format!("duplicate group id {}", g.id)));
            }
            if g.persons < 1
                || g.seats < 1
                || g.seats > g.persons
                || g.persons > i64::from(u32::MAX)
            {
                return Err(bad(format!("group {}: needs 1 <= seats <= persons", g.id)));
            }
            let w = *weights
                .get(&g.tier)
                .ok_or_else(|| bad(format!("group {}: tier {} has no weight", g.id, g.tier)))?;
            let ap = match processing {
                Some(_) => {
                    let a = g.assembly.as_deref().unwrap_or_default();
                    *ap_index.get(a).ok_or_else(|| {
                        bad(format!("group {}: unknown assembly point {a:?}", g.id))
                    })?
                }
                None => 0,
            };
            ready.push(ts(&g.ready_at, || format!("group {} ready_at", g.id))?);
            m.group_ids.push(g.id.clone());
            m.persons.push(g.persons as u32);
            m.seats.push(g.seats as u32);
            m.tier.push(g.tier);
            m.weight.push(w);
            m.ap.push(ap);
            m.scheme.push(intern(&g.scheme));
        }
        let n_schemes = scheme_index.len();
        accepts.resize(n_schemes, Vec::new());
        m.quota_groups = vec![None; n_schemes];
        m.quota_persons = vec![None; n_schemes];
        let mut quota_seen = HashSet::new();
        for q in &p.quotas {
            if !quota_seen.insert(q.scheme.as_str()) {
                return Err(bad(format!("duplicate quota for scheme {}", q.scheme)));
            }
            // A quota on a scheme nobody has binds nothing.
            let Some(&s) = scheme_index.get(q.scheme.as_str()) else {
                continue;
            };
            if let Some(v) = q.max_principals {
                m.quota_groups[s as usize] = Some(non_negative_u32(v, || {
                    format!("quota {} max_principals", q.scheme)
                })?);
            }
            if let Some(v) = q.max_persons {
                m.quota_persons[s as usize] = Some(u64::from(non_negative_u32(v, || {
                    format!("quota {} max_persons", q.scheme)
                })?));
            }
        }

        // Options: flights accepting the scheme, earliest departure (= highest value) first.
        for list in &mut accepts {
            list.sort_by_key(|&f| (dep[f as usize], f));
        }
        for g in 0..n {
            m.opt_start.push(m.opts.len() as u32);
            let r = time::ceil_hour(ready[g]);
            m.ready_slot
                .push(if m.has_processing { r - base_hour } else { 0 });
            for &f in &accepts[m.scheme[g] as usize] {
                let (lo_f, hi_f) = window[f as usize];
                let (lo, hi) = if m.has_processing {
                    (r.max(lo_f), hi_f)
                } else {
                    (0, 0)
                };
                let ok = if m.has_processing {
                    lo <= hi
                } else {
                    ready[g] <= dep[f as usize]
                };
                if ok {
                    m.opts.push(Opt {
                        flight: f,
                        lo: (lo - base_hour) as u32,
                        hi: (hi - base_hour) as u32,
                    });
                }
            }
        }
        m.opt_start.push(m.opts.len() as u32);
        m.scheme_flights = accepts;
        if m.opts.len() > u32::MAX as usize / 2 {
            return Err(bad("too many usable (group, flight) pairs"));
        }
        Ok(m)
    }

    pub fn n_groups(&self) -> usize {
        self.persons.len()
    }

    pub fn n_flights(&self) -> usize {
        self.flight_seats.len()
    }

    /// The usable movements of group `g`, earliest departure first.
    pub fn options(&self, g: usize) -> &[Opt] {
        &self.opts[self.opt_start[g] as usize..self.opt_start[g + 1] as usize]
    }

    /// Score contribution of group `g` on flight `f`.
    pub fn value(&self, g: usize, f: usize) -> i64 {
        i64::from(self.persons[g]) * self.weight[g] * self.flight_hours[f]
    }

    /// Inclusive slot range of group `g` on flight `f` (empty if lo > hi).
    pub fn window(&self, g: usize, f: usize) -> (i64, i64) {
        (self.ready_slot[g].max(self.flight_lo[f]), self.flight_hi[f])
    }

    /// Index into per-(assembly point, slot) arrays.
    pub fn bin(&self, g: usize, t: u32) -> usize {
        self.ap[g] as usize * self.n_slots + t as usize
    }

    pub fn slot_string(&self, t: u32) -> String {
        time::format((self.base_hour + i64::from(t)) * HOUR)
    }
}
