//! E-mail addresses: a plausibility check (one `@`, a sensible local part, a
//! domain of dot-separated labels), not a delivery test.

/// Why an address cannot be right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was given.
    #[error("e-mail address is empty")]
    Empty,
    /// Not exactly one `@`.
    #[error("e-mail address needs exactly one @")]
    At,
    /// Nothing before the `@`, or more than 64 characters.
    #[error("e-mail address has an empty or over-long local part")]
    LocalPart,
    /// Spaces, quotes, brackets or similar before the `@`, or dots misplaced.
    #[error("e-mail address has invalid characters before the @")]
    LocalCharacter,
    /// The domain has no dot (`name@localhost`, `name@gmail`).
    #[error("e-mail domain needs a dot")]
    DomainDot,
    /// A domain label is empty, too long, or has invalid characters.
    #[error("e-mail domain is invalid")]
    Domain,
    /// Longer than 254 characters.
    #[error("e-mail address is too long")]
    TooLong,
}

impl EmailError {
    /// A short, stable name of the rule that failed.
    pub fn rule(&self) -> &'static str {
        match self {
            EmailError::Empty => "empty",
            EmailError::At => "email_at",
            EmailError::LocalPart => "email_local_part",
            EmailError::LocalCharacter => "email_local_character",
            EmailError::DomainDot => "email_domain_dot",
            EmailError::Domain => "email_domain",
            EmailError::TooLong => "email_too_long",
        }
    }
}

/// Checks that an address is plausible and returns it trimmed, with the
/// domain in lower case (the local part is left as written).
pub fn parse_email(input: &str) -> Result<String, EmailError> {
    let s = crate::text::clean_whitespace(input);
    let s = s.strip_prefix("mailto:").unwrap_or(&s);
    if s.is_empty() {
        return Err(EmailError::Empty);
    }
    if s.chars().count() > 254 {
        return Err(EmailError::TooLong);
    }
    let (local, domain) = match s.split_once('@') {
        Some((l, d)) if !d.contains('@') => (l, d),
        _ => return Err(EmailError::At),
    };
    if local.is_empty() || local.chars().count() > 64 {
        return Err(EmailError::LocalPart);
    }
    let local_ok = local
        .chars()
        .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return Err(EmailError::LocalCharacter);
    }
    let domain = domain.to_lowercase();
    let domain = domain.strip_suffix('.').unwrap_or(&domain);
    if !domain.contains('.') {
        return Err(if domain.is_empty() {
            EmailError::Domain
        } else {
            EmailError::DomainDot
        });
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return Err(EmailError::Domain);
        }
    }
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if tld.chars().count() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(EmailError::Domain);
    }
    Ok(format!("{local}@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plausible_addresses() {
        for (input, out) in [
            ("ahmad@example.org", "ahmad@example.org"),
            (
                "  Ahmad.Shah+muster@Example.ORG ",
                "Ahmad.Shah+muster@example.org",
            ),
            ("mailto:a@b.af", "a@b.af"),
            ("x_y-z@mail.gov.af", "x_y-z@mail.gov.af"),
            ("zahra@bücher.de", "zahra@bücher.de"),
            ("a@b.co.", "a@b.co"),
        ] {
            assert_eq!(parse_email(input).as_deref(), Ok(out), "{input}");
        }
    }

    #[test]
    fn refuses_what_cannot_be_right() {
        let long_local = format!("{}@example.org", "a".repeat(65));
        let long = format!("a@{}.org", "b".repeat(260));
        let cases = [
            ("", EmailError::Empty),
            ("ahmad.example.org", EmailError::At),
            ("a@b@example.org", EmailError::At),
            ("@example.org", EmailError::LocalPart),
            (long_local.as_str(), EmailError::LocalPart),
            ("ah mad@example.org", EmailError::LocalCharacter),
            (".ahmad@example.org", EmailError::LocalCharacter),
            ("ah..mad@example.org", EmailError::LocalCharacter),
            ("ahmad@gmail", EmailError::DomainDot),
            ("ahmad@", EmailError::Domain),
            ("ahmad@example..org", EmailError::Domain),
            ("ahmad@-example.org", EmailError::Domain),
            ("ahmad@exa_mple.org", EmailError::Domain),
            ("ahmad@example.o", EmailError::Domain),
            ("ahmad@10.0.0.1", EmailError::Domain),
            (long.as_str(), EmailError::TooLong),
        ];
        for (input, e) in cases {
            assert_eq!(parse_email(input), Err(e), "{input}");
        }
        assert_eq!(EmailError::DomainDot.rule(), "email_domain_dot");
    }
}
