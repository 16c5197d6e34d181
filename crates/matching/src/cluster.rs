//! Clustering of scored pairs into people without chaining.
//!
//! Plain connected components let one bad link join two families. Here links are taken
//! strongest first, and two clusters merge only if the average match probability over all
//! their cross pairs (scored on demand, not only the linked pair) reaches the threshold:
//! average linkage, so a record that resembles one member of a cluster but not the others
//! stays out.

/// Largest cross product of two clusters considered for a merge.
const MAX_CROSS: usize = 4096;

/// `edges` are (a, b, probability); `score(a, b)` gives any pair's probability.
/// Returns a cluster label per record (the smallest record index of its cluster).
pub fn cluster(
    n: usize,
    edges: &[(u32, u32, f64)],
    threshold: f64,
    score: &(dyn Fn(u32, u32) -> f64 + Sync),
) -> Vec<u32> {
    let mut order: Vec<usize> = (0..edges.len())
        .filter(|&i| edges[i].2 >= threshold)
        .collect();
    order.sort_unstable_by(|&x, &y| edges[y].2.total_cmp(&edges[x].2).then(x.cmp(&y)));
    let mut label: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let lookup = |a: u32, b: u32| -> Option<f64> {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        edges_index(edges, a, b)
    };
    for i in order {
        let (a, b, _) = edges[i];
        let (ra, rb) = (label[a as usize], label[b as usize]);
        if ra == rb {
            continue;
        }
        let (ma, mb) = (&members[ra as usize], &members[rb as usize]);
        if ma.len() * mb.len() > MAX_CROSS {
            continue;
        }
        let mut total = 0.0;
        for &x in ma {
            for &y in mb {
                total += lookup(x, y).unwrap_or_else(|| score(x, y));
            }
        }
        if total / ((ma.len() * mb.len()) as f64) < threshold {
            continue;
        }
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        let moved = std::mem::take(&mut members[gone as usize]);
        for &m in &moved {
            label[m as usize] = keep;
        }
        members[keep as usize].extend(moved);
    }
    label
}

/// Edges are sorted by (a, b) with a < b, so a scored pair is found by binary search.
fn edges_index(edges: &[(u32, u32, f64)], a: u32, b: u32) -> Option<f64> {
    edges
        .binary_search_by(|e| (e.0, e.1).cmp(&(a, b)))
        .ok()
        .map(|i| edges[i].2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize, edges: &[(u32, u32, f64)]) -> Vec<u32> {
        let mut e = edges.to_vec();
        e.sort_by_key(|x| (x.0, x.1));
        cluster(n, &e, 0.5, &|_, _| 0.0)
    }

    #[test]
    fn one_bad_link_does_not_chain_two_people() {
        // 0-1-2 are one person, 3-4-5 another; 2-3 is a single spurious link above threshold.
        let edges = [
            (0, 1, 0.99),
            (0, 2, 0.98),
            (1, 2, 0.97),
            (3, 4, 0.99),
            (3, 5, 0.98),
            (4, 5, 0.97),
            (2, 3, 0.9),
        ];
        let l = run(6, &edges);
        assert_eq!(l[0], l[1]);
        assert_eq!(l[1], l[2]);
        assert_eq!(l[3], l[4]);
        assert_eq!(l[4], l[5]);
        assert_ne!(l[0], l[3]);
    }

    #[test]
    fn a_chain_of_weak_resemblances_is_not_one_cluster() {
        // a~b and b~c, but a and c are clearly different people.
        let l = run(3, &[(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.01)]);
        assert_eq!(l[0], l[1]);
        assert_ne!(l[1], l[2]);
    }

    #[test]
    fn a_true_cluster_with_one_unlinked_pair_still_forms() {
        let l = run(3, &[(0, 1, 0.99), (1, 2, 0.99), (0, 2, 0.4)]);
        assert!(l.iter().all(|&x| x == l[0]));
    }
}
