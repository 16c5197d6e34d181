//! Why a pair scored what it did: the prior and one contribution per compared field.

/// The evidence of one field, in bits (log2 of the Bayes factor m/u).
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub field: &'static str,
    pub level: &'static str,
    pub weight: f64,
    /// Whether the weight was adjusted for how common the shared value is.
    pub term_frequency: bool,
}

/// A pair's score decomposed. The alternative to "same person" that fits the pair best
/// (`against`: "relative" or "unrelated") is the yardstick of each field's contribution:
/// `weight = prior_weight + Σ contributions + other_alternative`, where the last term
/// (never positive) accounts for the other alternative; `probability = 2^weight / (1 + 2^weight)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub prior_weight: f64,
    pub against: &'static str,
    pub contributions: Vec<Contribution>,
    pub other_alternative: f64,
    pub weight: f64,
    pub probability: f64,
}

impl Explanation {
    /// One line for review queues and CSV: `name=exact(+9.1) date_of_birth=different(-4.2)`.
    pub fn summary(&self) -> String {
        self.contributions
            .iter()
            .filter(|c| c.level != "missing")
            .map(|c| {
                format!(
                    "{}={}{}({:+.1})",
                    c.field,
                    c.level,
                    if c.term_frequency { "*" } else { "" },
                    c.weight
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}
