//! The household form shared by self-registration, its correction and the
//! officer's new-case page: reading its fields into a `HouseholdInput` and
//! laying its inputs out with their values and errors.

use std::collections::HashMap;

use domain::FieldError;
use formats::province::Province;
use intake::{HouseholdInput, MemberInput};

use crate::i18n::Texts;

/// Blank member slots a fresh form offers after the principal.
pub const BLANK_MEMBERS: usize = 2;
/// The most member slots a form renders: a case's limit and a few to spare.
const MAX_SLOTS: usize = domain::case::MAX_MEMBERS + 5;

/// A posted form: the household and the control fields beside it.
#[derive(Debug, Default)]
pub struct PostedForm {
    pub household: HouseholdInput,
    pub controls: HashMap<String, String>,
}

fn set_member(m: &mut MemberInput, field: &str, value: String) -> bool {
    let slot = match field {
        "relationship" => &mut m.relationship,
        "given_name" => &mut m.given_name,
        "family_name" => &mut m.family_name,
        "father_name" => &mut m.father_name,
        "full_name_native" => &mut m.full_name_native,
        "date_of_birth" => &mut m.date_of_birth,
        "sex" => &mut m.sex,
        "nationality" => &mut m.nationality,
        "tazkira_number" => &mut m.tazkira_number,
        "passport_number" => &mut m.passport_number,
        "mrz" => &mut m.mrz,
        "employer" => &mut m.employer,
        "employer_nation" => &mut m.employer_nation,
        "years_of_service" => &mut m.years_of_service,
        "family_ties" => &mut m.family_ties,
        "at_risk" => &mut m.at_risk,
        "medical_need" => &mut m.medical_need,
        _ => return false,
    };
    *slot = Some(value);
    true
}

fn member_is_blank(m: &MemberInput) -> bool {
    m == &MemberInput::default()
}

/// Reads a form body (`application/x-www-form-urlencoded`) as its pairs.
pub fn pairs(body: &[u8]) -> Result<Vec<(String, String)>, crate::ApiError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| crate::ApiError::BadRequest("the form could not be read".into()))
}

/// Reads `application/x-www-form-urlencoded` pairs: `members[2].given_name`
/// and the household's fields; blank values are absent, wholly blank member
/// slots are dropped (that is how a form removes a member).
pub fn read(pairs: Vec<(String, String)>) -> PostedForm {
    let mut form = PostedForm::default();
    let mut members: Vec<MemberInput> = Vec::new();
    for (key, value) in pairs {
        let value = value.trim().to_owned();
        if let Some(rest) = key.strip_prefix("members[") {
            let Some((index, field)) = rest.split_once("].") else {
                continue;
            };
            let Ok(i) = index.parse::<usize>() else {
                continue;
            };
            if i >= MAX_SLOTS || value.is_empty() {
                continue;
            }
            if members.len() <= i {
                members.resize_with(i + 1, MemberInput::default);
            }
            set_member(&mut members[i], field, value);
            continue;
        }
        if value.is_empty() {
            continue;
        }
        let h = &mut form.household;
        match key.as_str() {
            "language" => h.language = Some(value),
            "scheme" => h.scheme = Some(value),
            "phone" => h.phone = Some(value),
            "email" => h.email = Some(value),
            "province" => h.province = Some(value),
            "special_needs" => h.special_needs = Some(value),
            _ => {
                form.controls.insert(key, value);
            }
        }
    }
    // The first slot is the principal's even when left blank, so that its
    // errors show where they belong.
    let principal = members.first().cloned().unwrap_or_default();
    form.household.members = std::iter::once(principal)
        .chain(members.into_iter().skip(1).filter(|m| !member_is_blank(m)))
        .collect();
    form
}

/// One input of the form.
pub struct Input {
    pub name: String,
    pub label: String,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    /// `text`, `email`, `tel`, `select`, `textarea`.
    pub kind: &'static str,
    pub options: Vec<Choice>,
    /// Names are typed in either script: let the browser pick the direction.
    pub auto_dir: bool,
    /// Codes and numbers are left to right in every language.
    pub ltr: bool,
    pub autocomplete: &'static str,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct MemberSlot {
    pub heading: String,
    pub inputs: Vec<Input>,
}

/// Everything the template needs to lay the form out.
pub struct FormView {
    pub members: Vec<MemberSlot>,
    pub household: Vec<Input>,
    pub errors: bool,
}

/// What the form offers beyond the household itself.
pub struct FormOptions<'a> {
    /// The operation's schemes: code and name.
    pub schemes: &'a [(String, String)],
    /// The officer's form also takes a passport's MRZ.
    pub with_mrz: bool,
    /// Blank member slots to offer after those filled in.
    pub blank_members: usize,
}

struct Builder<'a> {
    t: Texts,
    errors: HashMap<&'a str, &'a FieldError>,
}

impl Builder<'_> {
    fn input(
        &self,
        name: String,
        label: &str,
        value: &Option<String>,
        kind: &'static str,
    ) -> Input {
        let error = self
            .errors
            .get(name.as_str())
            .map(|e| self.t.error(&e.rule));
        Input {
            label: self.t.get(label),
            value: value.clone().unwrap_or_default(),
            hint: None,
            error,
            kind,
            options: Vec::new(),
            auto_dir: false,
            ltr: false,
            autocomplete: "off",
            name,
        }
    }
}

impl Input {
    fn hint(mut self, t: &Texts, id: &str) -> Self {
        self.hint = Some(t.get(id));
        self
    }
    fn auto_dir(mut self) -> Self {
        self.auto_dir = true;
        self
    }
    fn ltr(mut self) -> Self {
        self.ltr = true;
        self
    }
    fn autocomplete(mut self, token: &'static str) -> Self {
        self.autocomplete = token;
        self
    }
    fn choices(mut self, blank: Option<String>, choices: Vec<(String, String)>) -> Self {
        let current = self.value.to_lowercase();
        self.options = blank
            .map(|label| (String::new(), label))
            .into_iter()
            .chain(choices)
            .map(|(value, label)| Choice {
                selected: value.to_lowercase() == current,
                value,
                label,
            })
            .collect();
        self
    }
}

const RELATIONSHIPS: [&str; 6] = [
    "spouse",
    "child",
    "parent",
    "sibling",
    "other_relative",
    "dependant",
];

/// Lays out a household form with its values and the errors of its last
/// submission, in the reader's language.
pub fn view(
    t: Texts,
    input: &HouseholdInput,
    errors: &[FieldError],
    options: &FormOptions<'_>,
) -> FormView {
    let b = Builder {
        t,
        errors: errors.iter().rev().map(|e| (e.field.as_str(), e)).collect(),
    };
    let blank = MemberInput::default();
    let slots = input.members.len().max(1) + options.blank_members;
    let members = (0..slots)
        .map(|i| {
            let m = input.members.get(i).unwrap_or(&blank);
            let f = |field: &str| format!("members[{i}].{field}");
            let mut inputs = Vec::new();
            if i > 0 {
                let choices = RELATIONSHIPS
                    .iter()
                    .map(|r| ((*r).to_owned(), t.get(&format!("rel-{r}"))))
                    .collect();
                inputs.push(
                    b.input(f("relationship"), "relationship", &m.relationship, "select")
                        .choices(Some(String::new()), choices),
                );
            }
            inputs.extend([
                b.input(f("given_name"), "given-name", &m.given_name, "text")
                    .auto_dir()
                    .autocomplete(if i == 0 { "given-name" } else { "off" }),
                b.input(f("family_name"), "family-name", &m.family_name, "text")
                    .auto_dir()
                    .autocomplete(if i == 0 { "family-name" } else { "off" }),
                b.input(f("father_name"), "father-name", &m.father_name, "text")
                    .auto_dir(),
                b.input(
                    f("full_name_native"),
                    "full-name-native",
                    &m.full_name_native,
                    "text",
                )
                .auto_dir(),
                b.input(
                    f("date_of_birth"),
                    "date-of-birth",
                    &m.date_of_birth,
                    "text",
                )
                .hint(&t, "date-hint")
                .auto_dir(),
                b.input(f("sex"), "sex", &m.sex, "select").choices(
                    Some(String::new()),
                    ["female", "male", "other"]
                        .iter()
                        .map(|s| ((*s).to_owned(), t.get(&format!("sex-{s}"))))
                        .collect(),
                ),
                b.input(f("nationality"), "nationality", &m.nationality, "text")
                    .hint(&t, "nationality-hint")
                    .auto_dir(),
                b.input(f("tazkira_number"), "tazkira", &m.tazkira_number, "text")
                    .ltr(),
                b.input(f("passport_number"), "passport", &m.passport_number, "text")
                    .ltr(),
            ]);
            if options.with_mrz {
                inputs.push(b.input(f("mrz"), "mrz", &m.mrz, "textarea").ltr());
            }
            if i == 0 {
                inputs.extend([
                    b.input(f("employer"), "employer", &m.employer, "text")
                        .auto_dir()
                        .autocomplete("organization"),
                    b.input(
                        f("employer_nation"),
                        "employer-nation",
                        &m.employer_nation,
                        "text",
                    )
                    .hint(&t, "nationality-hint")
                    .auto_dir(),
                    b.input(
                        f("years_of_service"),
                        "years-of-service",
                        &m.years_of_service,
                        "text",
                    )
                    .ltr(),
                    b.input(f("family_ties"), "family-ties", &m.family_ties, "text")
                        .hint(&t, "family-ties-hint")
                        .auto_dir(),
                ]);
            }
            // Unknown is a third answer: the rules ask for it rather than guess.
            let yes_no = || {
                ["yes", "no"]
                    .iter()
                    .map(|v| ((*v).to_owned(), t.get(&format!("answer-{v}"))))
                    .collect::<Vec<_>>()
            };
            inputs.extend([
                b.input(f("at_risk"), "at-risk", &m.at_risk, "select")
                    .choices(Some(String::new()), yes_no()),
                b.input(f("medical_need"), "medical-need", &m.medical_need, "select")
                    .choices(Some(String::new()), yes_no()),
            ]);
            MemberSlot {
                heading: if i == 0 {
                    t.get("you")
                } else {
                    t.with("member", "n", i as i64)
                },
                inputs,
            }
        })
        .collect();
    let provinces = Province::all()
        .map(|p| {
            let label = if t.lang.rtl { p.dari_name() } else { p.name() };
            (p.name().to_owned(), label.to_owned())
        })
        .collect();
    let schemes = options
        .schemes
        .iter()
        .map(|(code, name)| (code.clone(), format!("{code}: {name}")))
        .collect();
    let household = vec![
        b.input("phone".into(), "phone", &input.phone, "tel")
            .hint(&t, "phone-hint")
            .ltr()
            .autocomplete("tel"),
        b.input("email".into(), "email", &input.email, "email")
            .ltr()
            .autocomplete("email"),
        b.input("province".into(), "province", &input.province, "select")
            .choices(Some(t.get("province-choose")), provinces),
        b.input("scheme".into(), "scheme", &input.scheme, "select")
            .choices(Some(t.get("scheme-none")), schemes),
        b.input(
            "special_needs".into(),
            "special-needs",
            &input.special_needs,
            "textarea",
        )
        .hint(&t, "special-needs-hint")
        .auto_dir(),
    ];
    FormView {
        members,
        household,
        errors: !errors.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn blank_member_slots_are_dropped_and_controls_kept() {
        let f = read(pairs(&[
            ("members[0].given_name", "Nabi"),
            ("members[1].relationship", ""),
            ("members[1].given_name", " "),
            ("members[2].relationship", "child"),
            ("members[2].given_name", "Omid"),
            ("members[99].given_name", "too far"),
            ("phone", "0701234567"),
            ("idempotency_key", "k1"),
        ]));
        assert_eq!(f.household.members.len(), 2);
        assert_eq!(f.household.members[1].given_name.as_deref(), Some("Omid"));
        assert_eq!(f.household.phone.as_deref(), Some("0701234567"));
        assert_eq!(f.controls["idempotency_key"], "k1");
        // An empty form still has the principal's slot.
        assert_eq!(read(vec![]).household.members.len(), 1);
    }
}
