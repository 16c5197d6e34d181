//! A phonetic key shared by Latin and Perso-Arabic script.
//!
//! Perso-Arabic writes consonants and long vowels; Latin transliterations write every vowel
//! but disagree on which (Mohammad, Muhammad, Mohammed). The key therefore keeps consonant
//! classes only, merging letters that one script writes with several (س ص ث = s,
//! ذ ز ض ظ = z, ق غ = q/gh), marks a word-initial vowel, drops the silent final h and
//! the article's l where Arabic assimilates it to the next consonant (Abdurrahman,
//! عبدالرحمن). The same rules apply to both scripts, so محمد and Mohammad share a key.
//!
//! Key alphabet: A (initial vowel), B P T D S Z X(kh) K(k/q/g/gh) H C(ch) J F L M N R
//! W Y V(sh).

/// One sound of a word: a consonant class, or a vowel that the key drops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sound {
    Vowel,
    /// A letter that is a consonant at the start of a word and a vowel inside it (w, y).
    Glide(u8),
    Cons(u8),
}

/// Phonetic key of one word token (already folded by [`crate::normalise::fold`]).
pub fn key(token: &str) -> String {
    let sounds = if token.chars().any(crate::normalise::is_arabic) {
        arabic(token)
    } else {
        latin(token)
    };
    finish(&sounds)
}

fn latin(token: &str) -> Vec<Sound> {
    let b: Vec<u8> = token.bytes().filter(u8::is_ascii_alphabetic).collect();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let digraph = match (b[i], next) {
            (b's', Some(b'h')) => Some(b'V'),
            (b'c', Some(b'h')) => Some(b'C'),
            (b'k', Some(b'h')) => Some(b'X'),
            (b'g', Some(b'h')) => Some(b'Q'),
            (b'z', Some(b'h')) => Some(b'J'),
            (b't', Some(b'h')) => Some(b'T'),
            (b'd', Some(b'h')) => Some(b'D'),
            (b'p', Some(b'h')) => Some(b'F'),
            (b'c', Some(b'k')) => Some(b'K'),
            (b'd', Some(b'j')) => Some(b'J'),
            _ => None,
        };
        if let Some(d) = digraph {
            out.push(Sound::Cons(d));
            i += 2;
            continue;
        }
        let s = match b[i] {
            b'a' | b'e' | b'i' | b'o' | b'u' => Sound::Vowel,
            b'y' => Sound::Glide(b'Y'),
            b'w' | b'v' => Sound::Glide(b'W'),
            // A final h is silent (Fatimah, Abdullah), as is the final heh in Perso-Arabic.
            b'h' if i + 1 == b.len() && i > 0 => Sound::Vowel,
            b'c' | b'k' => Sound::Cons(b'K'),
            b'x' => {
                out.push(Sound::Cons(b'K'));
                Sound::Cons(b'S')
            }
            c => Sound::Cons(c.to_ascii_uppercase()),
        };
        out.push(s);
        i += 1;
    }
    out
}

fn arabic(token: &str) -> Vec<Sound> {
    let chars: Vec<char> = token.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let s = match c {
            'ا' | 'ع' | 'ء' | 'ٰ' => Sound::Vowel,
            'ب' => Sound::Cons(b'B'),
            'پ' => Sound::Cons(b'P'),
            'ت' | 'ط' => Sound::Cons(b'T'),
            'ث' | 'س' | 'ص' => Sound::Cons(b'S'),
            'ج' | 'ژ' => Sound::Cons(b'J'),
            'چ' => Sound::Cons(b'C'),
            'ح' => Sound::Cons(b'H'),
            'خ' => Sound::Cons(b'X'),
            'د' => Sound::Cons(b'D'),
            'ذ' | 'ز' | 'ض' | 'ظ' => Sound::Cons(b'Z'),
            'ر' | 'ڑ' => Sound::Cons(b'R'),
            'ش' | 'ښ' => Sound::Cons(b'V'),
            'غ' | 'ق' => Sound::Cons(b'Q'),
            'ف' => Sound::Cons(b'F'),
            'ک' => Sound::Cons(b'K'),
            'گ' | 'ګ' => Sound::Cons(b'G'),
            'ل' => Sound::Cons(b'L'),
            'م' => Sound::Cons(b'M'),
            'ن' | 'ڼ' => Sound::Cons(b'N'),
            'ټ' => Sound::Cons(b'T'),
            'ډ' => Sound::Cons(b'D'),
            'ځ' | 'څ' => Sound::Cons(b'Z'),
            'و' => Sound::Glide(b'W'),
            'ی' | 'ې' | 'ۍ' | 'ئ' => Sound::Glide(b'Y'),
            'ه' if i + 1 == chars.len() && i > 0 => Sound::Vowel,
            'ه' => Sound::Cons(b'H'),
            _ => continue,
        };
        out.push(s);
    }
    out
}

fn finish(sounds: &[Sound]) -> String {
    let mut cons: Vec<u8> = Vec::with_capacity(sounds.len());
    for (i, s) in sounds.iter().enumerate() {
        match *s {
            Sound::Vowel if i == 0 => cons.push(b'A'),
            Sound::Glide(g) if i == 0 => cons.push(g),
            Sound::Vowel | Sound::Glide(_) => {}
            // q, k and g are one class: Latin writes ق as k as often as q (Tariq, Tarik),
            // and گ, غ as g or gh (Gul, Ghul).
            Sound::Cons(b'Q' | b'G') => cons.push(b'K'),
            Sound::Cons(c) => cons.push(c),
        }
    }
    cons.dedup();
    // The article's l before a "sun" consonant is assimilated in speech and in most Latin
    // spellings (Abdurrahman, Nasiruddin) but always written in Perso-Arabic.
    let mut out: Vec<u8> = Vec::with_capacity(cons.len());
    for (i, &c) in cons.iter().enumerate() {
        let sun_next = matches!(
            cons.get(i + 1),
            Some(b'T' | b'D' | b'S' | b'Z' | b'R' | b'N' | b'V')
        );
        if c == b'L' && i > 0 && sun_next {
            continue;
        }
        out.push(c);
    }
    out.dedup();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::name_tokens;

    fn k(s: &str) -> String {
        name_tokens(s)
            .iter()
            .map(|t| key(t))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn one_key_for_mohammad_in_every_spelling() {
        let want = k("Mohammad");
        for v in [
            "محمد", "Muhammad", "Mohammed", "Mohd", "MOHAMAD", "Muhamad", "Mohd.",
        ] {
            assert_eq!(k(v), want, "{v}");
        }
    }

    #[test]
    fn compounds_agree_in_both_scripts() {
        let want = k("Abdul Rahman");
        for v in [
            "Abdulrahman",
            "Abdurrahman",
            "Abdurahman",
            "عبدالرحمن",
            "عبد الرحمن",
        ] {
            assert_eq!(k(v), want, "{v}");
        }
        assert_eq!(k("Zabihullah"), k("ذبیح الله"));
        assert_eq!(k("Nasir ud Din"), k("نصیرالدین"));
        assert_eq!(k("Abdul Qadir"), k("Abdolghader"));
    }

    #[test]
    fn transliteration_variants_share_a_key() {
        for group in [
            &["Hussain", "Hosain", "Hussein", "Husayn", "حسین"][..],
            &["Fatima", "Fatema", "Fatimah", "فاطمه"],
            &["Rashid", "Rasheed", "Rashed", "رشید"],
            &["Aisha", "Ayisha", "Aysha", "عایشه"],
            &["Qurbani", "قربانی"],
            &["Yusuf", "Yousef", "یوسف"],
            &["Ahmad", "Ahmed", "احمد"],
            &["Najib", "Nadjib", "نجیب"],
            &["Tariq", "Tarik", "طارق"],
        ] {
            for v in group {
                assert_eq!(k(v), k(group[0]), "{v}");
            }
        }
        assert_ne!(k("Ahmad"), k("Hamid"));
        assert_ne!(k("Karim"), k("Rahim"));
    }
}
