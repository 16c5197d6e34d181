//! String similarity measures used by the comparisons.

/// Jaro-Winkler similarity of two byte strings (keys and folded text are ASCII). Strings
/// are cut at 64 bytes so that matched positions fit in one bit mask each.
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let (a, b) = (&a[..a.len().min(64)], &b[..b.len().min(64)]);
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    // Positions in b of each byte, by its low six bits (bytes sharing them are told apart
    // when a candidate is checked): each character of a then finds its partner, the first
    // unused equal character of b inside the window, with a few bit operations.
    let mut at = [0u64; 64];
    for (j, &c) in b.iter().enumerate() {
        at[usize::from(c & 63)] |= 1 << j;
    }
    let (mut a_used, mut b_used) = (0u64, 0u64);
    let mut matches = 0u32;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if lo >= hi {
            continue;
        }
        let inside = (u64::MAX >> (64 - (hi - lo))) << lo;
        let mut candidates = at[usize::from(ca & 63)] & inside & !b_used;
        while candidates != 0 {
            let j = candidates.trailing_zeros() as usize;
            if b[j] == ca {
                b_used |= 1 << j;
                a_used |= 1 << i;
                matches += 1;
                break;
            }
            candidates &= candidates - 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // Matched characters of both strings, taken in order: each disagreement is half a
    // transposition.
    let mut transpositions = 0u32;
    let (mut am, mut bm) = (a_used, b_used);
    while am != 0 {
        let (i, j) = (am.trailing_zeros() as usize, bm.trailing_zeros() as usize);
        transpositions += u32::from(a[i] != b[j]);
        am &= am - 1;
        bm &= bm - 1;
    }
    let m = f64::from(matches);
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - f64::from(transpositions) / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Optimal-string-alignment edit distance (insertions, deletions, substitutions and
/// adjacent transpositions), computed only up to `limit`: returns `limit + 1` beyond it.
pub fn edit_distance(a: &[u8], b: &[u8], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    if a == b {
        return 0;
    }
    // Identifiers are short: rows live on the stack.
    const MAX: usize = 48;
    if a.len() >= MAX || b.len() >= MAX {
        return if a == b { 0 } else { limit + 1 };
    }
    // Each edit changes the count of at most two symbols by one each, so half the summed
    // count differences is a lower bound: most unrelated numbers stop here.
    let mut counts = [0i8; 64];
    for &c in a {
        counts[usize::from(c & 63)] += 1;
    }
    for &c in b {
        counts[usize::from(c & 63)] -= 1;
    }
    let differ: usize = counts.iter().map(|c| c.unsigned_abs() as usize).sum();
    if differ > 2 * limit {
        return limit + 1;
    }
    let n = b.len();
    // Three rolling rows (two back for transpositions), indexed by row number mod 3.
    let mut rows = [[0u8; MAX]; 3];
    for (j, p) in rows[0].iter_mut().enumerate().take(n + 1) {
        *p = j as u8;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i as u8;
        let mut row_min = rows[cur][0];
        for j in 1..=n {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > limit {
            return limit + 1;
        }
    }
    usize::from(rows[a.len() % 3][n]).min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler(b"MARTHA", b"MARHTA") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"DIXON", b"DICKSONX") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler(b"abc", b"abc"), 1.0);
        assert_eq!(jaro_winkler(b"abc", b"xyz"), 0.0);
    }

    /// The textbook definition, character by character, to check the bit-parallel one.
    fn reference(a: &[u8], b: &[u8]) -> f64 {
        if a.is_empty() || b.is_empty() {
            return if a.is_empty() && b.is_empty() {
                1.0
            } else {
                0.0
            };
        }
        let window = (a.len().max(b.len()) / 2).saturating_sub(1);
        let (mut am, mut bm) = (vec![false; a.len()], vec![false; b.len()]);
        let mut m = 0.0;
        for i in 0..a.len() {
            let hi = (i + window + 1).min(b.len());
            for j in i.saturating_sub(window)..hi {
                if !bm[j] && a[i] == b[j] {
                    (am[i], bm[j]) = (true, true);
                    m += 1.0;
                    break;
                }
            }
        }
        if m == 0.0 {
            return 0.0;
        }
        let ra = (0..a.len()).filter(|&i| am[i]).map(|i| a[i]);
        let rb = (0..b.len()).filter(|&j| bm[j]).map(|j| b[j]);
        let t = ra.zip(rb).filter(|(x, y)| x != y).count() as f64;
        let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - t / 2.0) / m) / 3.0;
        let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
        jaro + prefix * 0.1 * (1.0 - jaro)
    }

    #[test]
    fn jaro_winkler_agrees_with_the_definition() {
        let words: [&[u8]; 12] = [
            b"MHMD",
            b"mohammad",
            b"muhammad",
            b"AHMDZY",
            b"ahmadzai",
            b"x",
            b"",
            "محمد".as_bytes(),
            "محمود".as_bytes(),
            b"abdulrahman",
            b"ABDLRHMN",
            b"aaaaabbbbb",
        ];
        for a in words {
            for b in words {
                assert_eq!(jaro_winkler(a, b), reference(a, b), "{a:?} {b:?}");
            }
        }
        // Bytes sharing their low six bits ('X' and the lead byte of Arabic letters).
        assert_eq!(
            jaro_winkler(b"XAX", &[0xd8, b'A', b'X']),
            reference(b"XAX", &[0xd8, b'A', b'X'])
        );
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance(b"1234567", b"1243567", 2), 1);
        assert_eq!(edit_distance(b"1234567", b"1234568", 2), 1);
        assert_eq!(edit_distance(b"1234567", b"7654321", 2), 3);
        assert_eq!(edit_distance(b"kitten", b"sitting", 3), 3);
        // Rotations differ in no digit count: the lower bound lets them through.
        assert_eq!(edit_distance(b"1234567", b"2345671", 2), 2);
        assert_eq!(edit_distance(b"0799123456", b"0700987654", 2), 3);
    }
}
