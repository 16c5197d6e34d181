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
    let (mut a_used, mut b_used) = (0u64, 0u64);
    let mut matches = 0u32;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if b_used & (1 << j) == 0 && cb == ca {
                b_used |= 1 << j;
                a_used |= 1 << i;
                matches += 1;
                break;
            }
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

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance(b"1234567", b"1243567", 2), 1);
        assert_eq!(edit_distance(b"1234567", b"1234568", 2), 1);
        assert_eq!(edit_distance(b"1234567", b"7654321", 2), 3);
        assert_eq!(edit_distance(b"kitten", b"sitting", 3), 3);
    }
}
