//! The short code: eight symbols to read out over a bad phone line, from an
//! alphabet without look-alikes (no 0/O, 1/I/L), the last one a check symbol
//! that catches any single wrong symbol and any swap of two neighbours.

use std::fmt;

/// 31 symbols: a prime count, so that the weighted check below catches
/// every single substitution and every adjacent transposition.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const DATA: usize = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a pass code is eight symbols (letters and digits 2-9, like ABCD-EFGH)")]
    Form,
    #[error("the pass code's last symbol does not match: a symbol was misheard")]
    Check,
}

/// A pass's short code, `ABCD-EFGH` when shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShortCode([u8; DATA + 1]);

fn check(values: &[u8]) -> u8 {
    let sum: u32 = (values.iter().enumerate())
        .map(|(i, &v)| (i as u32 + 1) * u32::from(v))
        .sum();
    (sum % 31) as u8
}

impl ShortCode {
    /// A code from seven random bytes (the caller's randomness).
    pub fn from_random(random: [u8; DATA]) -> Self {
        let mut values = [0u8; DATA + 1];
        for (v, r) in values.iter_mut().zip(random) {
            *v = r % 31;
        }
        values[DATA] = check(&values[..DATA]);
        Self(values)
    }

    /// Reads a code as people type it: any case, with or without the hyphen
    /// and spaces.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let mut values = [0u8; DATA + 1];
        let mut n = 0;
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let up = c.to_ascii_uppercase();
            let v = (CODE_ALPHABET.iter())
                .position(|&a| char::from(a) == up)
                .ok_or(CodeError::Form)?;
            *values.get_mut(n).ok_or(CodeError::Form)? = v as u8;
            n += 1;
        }
        if n != DATA + 1 {
            return Err(CodeError::Form);
        }
        if check(&values[..DATA]) != values[DATA] {
            return Err(CodeError::Check);
        }
        Ok(Self(values))
    }
}

impl fmt::Display for ShortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &v) in self.0.iter().enumerate() {
            if i == 4 {
                f.write_str("-")?;
            }
            write!(f, "{}", char::from(CODE_ALPHABET[usize::from(v)]))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_read_back_as_typed() {
        let code = ShortCode::from_random([0, 1, 2, 3, 4, 5, 6]);
        let shown = code.to_string();
        assert_eq!(shown.len(), 9);
        assert_eq!(&shown[4..5], "-");
        assert_eq!(ShortCode::parse(&shown).unwrap(), code);
        assert_eq!(
            ShortCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap(),
            code
        );
        assert_eq!(ShortCode::parse("ABCD-EFG"), Err(CodeError::Form));
        assert_eq!(ShortCode::parse("ABCD-EFGHJ"), Err(CodeError::Form));
        assert_eq!(ShortCode::parse("ABCD-EF0H"), Err(CodeError::Form));
    }

    proptest! {
        #[test]
        fn one_wrong_symbol_or_a_swap_is_caught(random in any::<[u8; 7]>(), at in 0usize..8, by in 1u8..31) {
            let code = ShortCode::from_random(random);
            let mut wrong = code.0;
            wrong[at] = (wrong[at] + by) % 31;
            prop_assert_eq!(ShortCode::parse(&ShortCode(wrong).to_string()), Err(CodeError::Check));
            if at < 7 && code.0[at] != code.0[at + 1] {
                let mut swapped = code.0;
                swapped.swap(at, at + 1);
                prop_assert_eq!(ShortCode::parse(&ShortCode(swapped).to_string()), Err(CodeError::Check));
            }
        }
    }
}
