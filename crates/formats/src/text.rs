//! Small text helpers shared by the other modules: digit folding and removal of
//! invisible characters that come with pasted or scanned input.

/// Maps Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII digits;
/// every other character is returned unchanged.
pub fn fold_digit(c: char) -> char {
    match c {
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        _ => c,
    }
}

/// Replaces Persian and Arabic-Indic digits with ASCII digits.
pub fn normalize_digits(s: &str) -> String {
    s.chars().map(fold_digit).collect()
}

/// True for characters that carry no visible content and only get in the way
/// when comparing or storing: zero-width space and joiner, byte-order mark,
/// bidirectional marks, embeddings and isolates, soft hyphen, Arabic tatweel.
/// The zero-width non-joiner (U+200C) is not included: it is part of Persian
/// spelling; see [`clean_whitespace`].
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{200D}'
            | '\u{FEFF}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{00AD}'
            | '\u{0640}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Removes invisible characters, turns every kind of whitespace into one
/// ASCII space, trims, and keeps a zero-width non-joiner only between two
/// letters (where it is meaningful); Persian and Arabic digits become ASCII.
pub fn clean_whitespace(s: &str) -> String {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_digit)
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if c == '\u{200C}' {
            let prev_letter = i > 0 && chars[i - 1].is_alphabetic();
            let next_letter = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
            if !(prev_letter && next_letter) {
                continue;
            }
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_persian_and_arabic_digits() {
        assert_eq!(normalize_digits("۱۳۶۰/۰۵/۱۲"), "1360/05/12");
        assert_eq!(normalize_digits("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(normalize_digits("abc 42"), "abc 42");
    }

    #[test]
    fn cleans_whitespace_and_invisibles() {
        assert_eq!(
            clean_whitespace("  Ahmad\u{200B}\t\u{00A0}Shah \n"),
            "Ahmad Shah"
        );
        assert_eq!(clean_whitespace("\u{FEFF}\u{200F}احمد\u{200D}"), "احمد");
        assert_eq!(clean_whitespace("ـاحـمـد"), "احمد");
    }

    #[test]
    fn keeps_zwnj_only_inside_words() {
        assert_eq!(clean_whitespace("عبد\u{200C}الله"), "عبد\u{200C}الله");
        assert_eq!(
            clean_whitespace("\u{200C}احمد \u{200C}شاه\u{200C}"),
            "احمد شاه"
        );
    }
}
