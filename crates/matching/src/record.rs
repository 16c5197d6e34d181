//! Input records and the mapping of spreadsheet columns onto the fields the matcher knows.

use crate::Error;

/// A field the matcher knows how to compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    GivenName,
    FamilyName,
    FatherName,
    /// A whole name in one column, in any order.
    FullName,
    /// A name in Perso-Arabic script, possibly with "ولد"/"بنت" and the father's name.
    NativeName,
    DateOfBirth,
    Sex,
    Nationality,
    NationalId,
    Passport,
    SocialSecurity,
    Phone,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    Postcode,
    State,
    Province,
    Employer,
}

impl Field {
    pub const ALL: [Field; 20] = [
        Field::GivenName,
        Field::FamilyName,
        Field::FatherName,
        Field::FullName,
        Field::NativeName,
        Field::DateOfBirth,
        Field::Sex,
        Field::Nationality,
        Field::NationalId,
        Field::Passport,
        Field::SocialSecurity,
        Field::Phone,
        Field::StreetNumber,
        Field::Address1,
        Field::Address2,
        Field::Suburb,
        Field::Postcode,
        Field::State,
        Field::Province,
        Field::Employer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::FatherName => "father_name",
            Field::FullName => "full_name",
            Field::NativeName => "native_name",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::NationalId => "national_id",
            Field::Passport => "passport",
            Field::SocialSecurity => "social_security",
            Field::Phone => "phone",
            Field::StreetNumber => "street_number",
            Field::Address1 => "address_1",
            Field::Address2 => "address_2",
            Field::Suburb => "suburb",
            Field::Postcode => "postcode",
            Field::State => "state",
            Field::Province => "province",
            Field::Employer => "employer",
        }
    }

    /// The field a column header stands for, by its usual names (FEBRL, the Afghan registry,
    /// common spreadsheet headers).
    pub fn from_column(header: &str) -> Option<Field> {
        let h: String = header
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let f = match h.as_str() {
            "given_name" | "first_name" | "given" | "forename" | "firstname" | "givenname" => {
                Field::GivenName
            }
            "family_name" | "surname" | "last_name" | "lastname" | "familyname" => {
                Field::FamilyName
            }
            "father_name" | "fathers_name" | "father" | "fathername" => Field::FatherName,
            "full_name" | "name" | "fullname" => Field::FullName,
            "full_name_native" | "native_name" | "name_native" | "name_dari" | "name_pashto" => {
                Field::NativeName
            }
            "date_of_birth" | "dob" | "birth_date" | "birthdate" | "born" => Field::DateOfBirth,
            "sex" | "gender" => Field::Sex,
            "nationality" | "citizenship" => Field::Nationality,
            "tazkira_number" | "tazkira" | "national_id" | "nid" | "id_number" => Field::NationalId,
            "passport_number" | "passport" | "passport_no" => Field::Passport,
            "soc_sec_id" | "ssn" | "social_security" | "social_security_number" => {
                Field::SocialSecurity
            }
            "phone" | "phone_number" | "mobile" | "telephone" | "tel" => Field::Phone,
            "street_number" | "house_number" => Field::StreetNumber,
            "address_1" | "address1" | "address" | "street" => Field::Address1,
            "address_2" | "address2" => Field::Address2,
            "suburb" | "city" | "town" | "district" => Field::Suburb,
            "postcode" | "postal_code" | "zip" => Field::Postcode,
            "state" => Field::State,
            "province" | "region" => Field::Province,
            "employer" | "organisation" | "organization" => Field::Employer,
            _ => return None,
        };
        Some(f)
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .or_else(|| Field::from_column(name))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One row to be matched: an identifier and the values of the fields it has.
///
/// Values live in one string with an end offset per field: a million records must fit in
/// memory beside everything derived from them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    text: String,
    /// End of each field's value in `text`; a field's value starts where the previous ends.
    ends: [u32; 20],
}

impl Record {
    pub fn new(id: impl Into<String>) -> Record {
        Record {
            id: id.into(),
            text: String::new(),
            ends: [0; 20],
        }
    }

    /// Set a field; blank values are stored as missing. Setting a field twice (two columns
    /// mapped onto one field, e.g. address lines) keeps both values, space-separated.
    pub fn set(&mut self, field: Field, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        let i = field.index();
        let (start, end) = self.span(i);
        let mut joined = String::with_capacity(end - start + v.len() + 1);
        joined.push_str(&self.text[start..end]);
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(v);
        let grow = (joined.len() - (end - start)) as u32;
        self.text.replace_range(start..end, &joined);
        for e in &mut self.ends[i..] {
            *e += grow;
        }
    }

    pub fn with(mut self, field: Field, value: &str) -> Record {
        self.set(field, value);
        self
    }

    fn span(&self, i: usize) -> (usize, usize) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        (start, self.ends[i] as usize)
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        let (start, end) = self.span(field.index());
        (end > start).then(|| &self.text[start..end])
    }
}

/// Which input column feeds which field. Columns it does not name are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    overrides: Vec<(String, Option<Field>)>,
}

impl ColumnMapping {
    /// Recognise columns by their names only.
    pub fn auto() -> ColumnMapping {
        ColumnMapping::default()
    }

    /// Map `column` onto `field` (or ignore the column with field `ignore`/`none`),
    /// as written on the command line: `column=field`.
    pub fn with_override(mut self, spec: &str) -> Result<ColumnMapping, Error> {
        let (column, field) = spec
            .split_once('=')
            .ok_or_else(|| Error::BadMapping(spec.to_string()))?;
        let field = match field.trim() {
            "ignore" | "none" | "" => None,
            f => Some(Field::parse(f).ok_or_else(|| Error::UnknownField(f.to_string()))?),
        };
        self.overrides.push((column.trim().to_string(), field));
        Ok(self)
    }

    /// The field of one column header.
    pub fn field_of(&self, header: &str) -> Option<Field> {
        match self.overrides.iter().rev().find(|(c, _)| c == header) {
            Some((_, f)) => *f,
            None => Field::from_column(header),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keeps_each_field_apart() {
        let r = Record::new("1")
            .with(Field::FamilyName, "Karimi")
            .with(Field::GivenName, " Nadia ")
            .with(Field::Address1, "Street 1")
            .with(Field::Address1, "Block 2")
            .with(Field::Phone, "   ");
        assert_eq!(r.get(Field::GivenName), Some("Nadia"));
        assert_eq!(r.get(Field::FamilyName), Some("Karimi"));
        assert_eq!(r.get(Field::Address1), Some("Street 1 Block 2"));
        assert_eq!(r.get(Field::Phone), None);
        assert_eq!(r.get(Field::Employer), None);
    }

    #[test]
    fn recognises_benchmark_columns() {
        let m = ColumnMapping::auto();
        assert_eq!(m.field_of("surname"), Some(Field::FamilyName));
        assert_eq!(m.field_of("soc_sec_id"), Some(Field::SocialSecurity));
        assert_eq!(m.field_of("full_name_native"), Some(Field::NativeName));
        assert_eq!(m.field_of("tazkira_number"), Some(Field::NationalId));
        assert_eq!(m.field_of("record_id"), None);
        let m = m
            .with_override("nom=family_name")
            .unwrap()
            .with_override("surname=ignore")
            .unwrap();
        assert_eq!(m.field_of("nom"), Some(Field::FamilyName));
        assert_eq!(m.field_of("surname"), None);
        assert!(ColumnMapping::auto().with_override("x=nonsense").is_err());
    }
}
