//! What the scheme rules ask beyond identity: the employer's nation, years of
//! service, family ties abroad, risk and medical need, as a form gives them
//! (`NOR`, `Norway`, `2.5`, `yes`). A blank stays unknown, which the rules
//! tell apart from no.

use domain::person::PersonDetails;
use domain::validation::ValidationErrors;
use formats::country::Country;

use crate::household::MemberInput;

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn nation(word: &str) -> Option<String> {
    Country::parse_nationality(word)
        .ok()
        .map(|c| c.alpha3().to_owned())
}

/// Reads the member's circumstances into `details`; errors name the form's
/// fields (`members[0].years_of_service`).
pub(crate) fn apply(
    m: &MemberInput,
    i: usize,
    details: &mut PersonDetails,
    errors: &mut ValidationErrors,
) {
    let field = |name: &str| format!("members[{i}].{name}");
    if let Some(word) = given(&m.employer_nation) {
        match nation(word) {
            Some(code) => details.employer_nation = Some(code),
            None => errors.push(
                field("employer_nation"),
                "country",
                "must be a country's name or ISO 3166 code, such as Norway or NOR",
            ),
        }
    }
    if let Some(word) = given(&m.years_of_service) {
        match word.replace(',', ".").parse::<f32>() {
            Ok(y) if (0.0..=70.0).contains(&y) => details.years_of_service = Some(y),
            _ => errors.push(
                field("years_of_service"),
                "years_range",
                "must be a number of years from 0 to 70, such as 2 or 2.5",
            ),
        }
    }
    if let Some(list) = given(&m.family_ties) {
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match nation(word) {
                Some(code) if !details.family_ties.contains(&code) => {
                    details.family_ties.push(code)
                }
                Some(_) => {}
                None => errors.push(
                    field("family_ties"),
                    "country",
                    "list countries by name or ISO 3166 code, separated by commas",
                ),
            }
        }
    }
    for (name, value, slot) in [
        ("at_risk", &m.at_risk, &mut details.at_risk),
        ("medical_need", &m.medical_need, &mut details.medical_need),
    ] {
        match given(value) {
            None => {}
            Some("yes") => *slot = Some(true),
            Some("no") => *slot = Some(false),
            Some(_) => errors.push(field(name), "yes_no", "must be yes, no or left blank"),
        }
    }
}

/// The circumstances of a stored person as the form shows them.
pub(crate) fn show(d: &PersonDetails, m: &mut MemberInput) {
    let yes_no = |v: Option<bool>| v.map(|b| if b { "yes" } else { "no" }.to_owned());
    m.employer_nation = d.employer_nation.clone();
    m.years_of_service = d.years_of_service.map(|y| y.to_string());
    m.family_ties = (!d.family_ties.is_empty()).then(|| d.family_ties.join(", "));
    m.at_risk = yes_no(d.at_risk);
    m.medical_need = yes_no(d.medical_need);
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::person::Relationship;

    fn blank() -> PersonDetails {
        PersonDetails::named(Relationship::Principal, "Nabi")
    }

    #[test]
    fn typed_circumstances_become_facts_and_read_back_the_same() {
        let typed = MemberInput {
            employer_nation: Some("Norway".into()),
            years_of_service: Some("2,5".into()),
            family_ties: Some("FI, Sweden".into()),
            at_risk: Some("yes".into()),
            medical_need: Some("no".into()),
            ..MemberInput::default()
        };
        let mut d = blank();
        let mut errors = ValidationErrors::default();
        apply(&typed, 0, &mut d, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(d.employer_nation.as_deref(), Some("NOR"));
        assert_eq!(d.years_of_service, Some(2.5));
        assert_eq!(d.family_ties, ["FIN", "SWE"]);
        assert_eq!((d.at_risk, d.medical_need), (Some(true), Some(false)));
        let mut shown = MemberInput::default();
        show(&d, &mut shown);
        let mut again = blank();
        apply(&shown, 0, &mut again, &mut errors);
        assert_eq!(again, d);
    }

    #[test]
    fn blanks_stay_unknown_and_mistakes_name_their_field() {
        let typed = MemberInput {
            employer_nation: Some("Narnia".into()),
            years_of_service: Some("many".into()),
            at_risk: Some("maybe".into()),
            medical_need: Some(" ".into()),
            ..MemberInput::default()
        };
        let mut d = blank();
        let mut errors = ValidationErrors::default();
        apply(&typed, 1, &mut d, &mut errors);
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "members[1].employer_nation",
                "members[1].years_of_service",
                "members[1].at_risk"
            ]
        );
        assert_eq!(d.medical_need, None);
    }
}
