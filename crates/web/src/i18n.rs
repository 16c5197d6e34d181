//! The languages of the pages people reach without an account. Texts live in
//! Fluent catalogues (`locales/*.ftl`), one per language, compiled in; a
//! message missing from one falls back to English.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, header};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// A language Muster speaks to registrants in.
#[derive(Debug, PartialEq, Eq)]
pub struct Language {
    /// BCP 47 tag, also the `lang` query value and the case's language.
    pub code: &'static str,
    /// Written right to left: the whole layout is mirrored, not just text.
    pub rtl: bool,
    source: &'static str,
}

impl Language {
    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }
}

pub static LANGUAGES: [Language; 7] = [
    Language {
        code: "en",
        rtl: false,
        source: include_str!("../locales/en.ftl"),
    },
    Language {
        code: "fa",
        rtl: true,
        source: include_str!("../locales/fa.ftl"),
    },
    Language {
        code: "ps",
        rtl: true,
        source: include_str!("../locales/ps.ftl"),
    },
    Language {
        code: "de",
        rtl: false,
        source: include_str!("../locales/de.ftl"),
    },
    Language {
        code: "da",
        rtl: false,
        source: include_str!("../locales/da.ftl"),
    },
    Language {
        code: "nb",
        rtl: false,
        source: include_str!("../locales/nb.ftl"),
    },
    Language {
        code: "fi",
        rtl: false,
        source: include_str!("../locales/fi.ftl"),
    },
];

pub fn english() -> &'static Language {
    &LANGUAGES[0]
}

/// A tag as people's browsers and links write it (`fa-AF`, `prs`, `no`).
pub fn by_tag(tag: &str) -> Option<&'static Language> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let code = match primary.as_str() {
        // Dari is written `prs` by some systems; Norwegian comes as no, nb or nn.
        "prs" => "fa",
        "no" | "nn" => "nb",
        "pbu" | "pbt" => "ps",
        other => other,
    };
    LANGUAGES.iter().find(|l| l.code == code)
}

/// The language for a request: `?lang=` first, then the browser's
/// `Accept-Language` in order of preference, then English.
pub fn negotiate(explicit: Option<&str>, headers: &HeaderMap) -> &'static Language {
    if let Some(l) = explicit.and_then(by_tag) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut ranked: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked
        .into_iter()
        .find_map(|(_, _, tag)| by_tag(tag))
        .unwrap_or_else(english)
}

struct Catalogues {
    bundles: HashMap<&'static str, FluentBundle<FluentResource>>,
}

static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(|| {
    let bundles = LANGUAGES
        .iter()
        .map(|l| {
            let id: LanguageIdentifier = l.code.parse().expect("language codes are valid tags");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Numbers and references are wrapped in <bdi> by the templates instead.
            bundle.set_use_isolating(false);
            let resource =
                FluentResource::try_new(l.source.to_owned()).unwrap_or_else(|(_, errors)| {
                    panic!("catalogue {} does not parse: {errors:?}", l.code)
                });
            bundle
                .add_resource(resource)
                .unwrap_or_else(|errors| panic!("catalogue {} repeats ids: {errors:?}", l.code));
            (l.code, bundle)
        })
        .collect();
    Catalogues { bundles }
});

/// Texts in one language, for templates: `{{ t.get("submit") }}`.
#[derive(Clone, Copy)]
pub struct Texts {
    pub lang: &'static Language,
}

impl Texts {
    pub fn new(lang: &'static Language) -> Self {
        Self { lang }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        for code in [self.lang.code, "en"] {
            let bundle = &CATALOGUES.bundles[code];
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with one numeric argument (`member`, `too-many`).
    pub fn with(&self, id: &str, name: &str, value: i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), value);
        self.format(id, Some(&args))
    }

    /// A message with named arguments of any kind.
    pub fn with_args(&self, id: &str, args: &FluentArgs) -> String {
        self.format(id, Some(args))
    }

    /// The message for a field error's rule, in this language.
    pub fn error(&self, rule: &str) -> String {
        self.get(error_message_id(rule))
    }
}

/// Rules grouped into the messages a registrant can act on.
fn error_message_id(rule: &str) -> &'static str {
    match rule {
        "future_date" => "err-future-date",
        "unrecognised_date" | "impossible_date" | "two_digit_year" | "implausible_year"
        | "implausible_age" | "date_of_birth" => "err-date",
        r if r.starts_with("phone") || r == "e164" => "err-phone",
        r if r.starts_with("email") => "err-email",
        "unknown_country_code" | "unknown_country" | "iso_3166" => "err-country",
        "no_name" | "name_required" | "name_no_letters" => "err-name",
        "tazkira_format" => "err-tazkira",
        "passport_format" | "document_number" | "mrz_mismatch" => "err-passport",
        "relationship" | "required" => "err-relationship",
        "one_principal" => "err-one-principal",
        "max_members" => "err-max-members",
        "too_long" | "max_length" => "err-too-long",
        "sex" => "err-sex",
        "known_scheme" => "err-scheme",
        r if r.starts_with("mrz") || r.contains("check_digit") => "err-mrz",
        _ => "err-generic",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(v));
        h
    }

    #[test]
    fn the_browser_chooses_unless_the_link_does() {
        assert_eq!(
            negotiate(None, &accept("fa-AF,fa;q=0.9,en;q=0.5")).code,
            "fa"
        );
        assert_eq!(
            negotiate(None, &accept("fr, de;q=0.8, en;q=0.9")).code,
            "en"
        );
        assert_eq!(negotiate(None, &accept("nn-NO")).code, "nb");
        assert_eq!(negotiate(None, &accept("prs")).code, "fa");
        assert_eq!(negotiate(None, &accept("xx, ps;q=0.1")).code, "ps");
        assert_eq!(negotiate(Some("da"), &accept("fa")).code, "da");
        assert_eq!(negotiate(Some("zz"), &HeaderMap::new()).code, "en");
        assert!(by_tag("ps").unwrap().rtl && !by_tag("de").unwrap().rtl);
    }

    #[test]
    fn every_catalogue_has_every_message() {
        let english = FluentResource::try_new(english().source.to_owned()).unwrap();
        let ids: Vec<String> = english
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        assert!(ids.len() > 80);
        for lang in &LANGUAGES {
            let t = Texts::new(lang);
            for id in &ids {
                let bundle = &CATALOGUES.bundles[lang.code];
                assert!(bundle.has_message(id), "{} lacks {id}", lang.code);
            }
            assert!(!t.get("language-name").is_empty());
        }
        let fa = Texts::new(by_tag("fa").unwrap());
        assert_eq!(fa.with("member", "n", 2), "عضو خانواده 2");
        assert_eq!(
            fa.error("future_date"),
            "تاریخ تولد نمی‌تواند در آینده باشد."
        );
    }
}
