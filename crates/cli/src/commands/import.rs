//! `muster import`: a staff or contractor list (CSV or XLSX) into cases.
//!
//! Reading, mapping and row validation are `formats::import`'s; this module
//! turns accepted rows into households, refuses what the store would refuse
//! (unknown scheme codes, details the domain rejects, a second principal),
//! writes every refused row beside the input, and stores the cases in one
//! transaction, so that a failed import stores nothing.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use domain::audit::Actor;
use domain::case::NewCase;
use domain::dates::{Calendar, DateOfBirth, Precision};
use domain::person::{
    Contact, ContactKind, Document, DocumentKind, PersonDetails, Relationship, Sex,
};
use domain::{OperationId, SchemeId};
use formats::date::PersonDate;
use formats::import::{
    ColumnMapping, Field, FieldError, RawRow, RejectedRow, Table, ValidatedRow, ValidationOptions,
    group_households, map_columns, parse_override, read_table, validate_table, write_rejected,
};

use crate::database::DatabaseArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The operation the cases belong to.
    #[arg(long)]
    pub operation: String,
    /// Where the list came from; cases are stored with source `import:NAME`.
    #[arg(long)]
    pub source: String,
    /// Maps a column to a field (`column=field`, or `column=ignore`); repeatable.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// Validate and write the rejected rows, but store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON summary object on stdout.
    #[arg(long)]
    pub json: bool,
    /// The list: CSV (any delimiter, UTF-8 or UTF-16 with a BOM) or XLSX.
    pub file: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let source = args.source.trim();
    anyhow::ensure!(!source.is_empty(), "--source must name the list");
    let overrides = args
        .maps
        .iter()
        .map(|m| parse_override(m).with_context(|| format!("--map {m}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let table =
        read_table(bytes).with_context(|| format!("cannot read {}", args.file.display()))?;
    let mapping = map_columns(&table.header, &overrides)?;
    // A column no field claims is not imported: say so rather than drop it quietly.
    let unmapped: Vec<&str> = mapping
        .unmapped()
        .into_iter()
        .map(|i| table.header[i].as_str())
        .filter(|h| !h.trim().is_empty())
        .collect();
    if !unmapped.is_empty() {
        eprintln!(
            "columns not imported (map them with --map COLUMN=FIELD): {}",
            unmapped.join(", ")
        );
    }

    let store = args.db.open().await?;
    let op_id = OperationId::parse(&args.operation)?;
    let operation = store
        .get_operation(&op_id)
        .await
        .with_context(|| format!("operation {op_id}"))?;
    let schemes: HashMap<String, SchemeId> = store
        .list_schemes(&op_id)
        .await?
        .into_iter()
        .map(|s| (s.code.to_uppercase(), s.id))
        .collect();

    // Validation runs before the write lock is taken, so other writers wait only
    // for the inserts.
    let options = ValidationOptions::afghan(chrono::Utc::now().date_naive());
    let plan = plan(&table, &mapping, &schemes, &options);
    let read = table.rows.len();
    let rejected = plan.rejected.len();
    let accepted: usize = plan.cases.iter().map(|c| c.members.len()).sum();
    // Nothing silently dropped: checked before anything is stored.
    anyhow::ensure!(
        read == accepted + rejected,
        "internal error: {read} rows read but {accepted} accepted and {rejected} rejected"
    );

    let rejected_path = rejected_path(&args.file);
    let file = std::fs::File::create(&rejected_path)
        .with_context(|| format!("cannot write {}", rejected_path.display()))?;
    write_rejected(std::io::BufWriter::new(file), &table.header, &plan.rejected)?;

    if !args.dry_run {
        // One transaction for the whole list: all of it is stored, or none.
        let mut tx = store.write(Actor::Console).await?;
        let source = format!("import:{source}");
        let progress = std::io::stderr().is_terminal();
        for (i, case) in plan.cases.iter().enumerate() {
            tx.create_case(&operation, case, &source).await?;
            if progress && (i % 100 == 99 || i + 1 == plan.cases.len()) {
                eprint!("\rstored {}/{} cases", i + 1, plan.cases.len());
            }
        }
        if progress && !plan.cases.is_empty() {
            eprintln!();
        }
        tx.commit().await?;
    }

    if args.json {
        // suspected_duplicates stays 0: matching imported people against the
        // registry belongs to the server's matching, a later issue.
        println!(
            "{{\"read\":{read},\"accepted\":{accepted},\"rejected\":{rejected},\"suspected_duplicates\":0}}"
        );
    } else {
        println!(
            "read {read} rows: {accepted} accepted in {} cases, {rejected} rejected",
            plan.cases.len()
        );
        if rejected > 0 {
            println!("rejected rows and reasons: {}", rejected_path.display());
        }
        if !plan.promoted.is_empty() {
            println!(
                "no principal given, first member made principal: {}",
                first_few(&plan.promoted)
            );
        }
        if !plan.follow_up.is_empty() {
            println!(
                "households with rejected rows, to follow up: {}",
                first_few(&plan.follow_up)
            );
        }
        if args.dry_run {
            println!("dry run: nothing stored");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Households named in the summary: a screenful, not the whole list.
fn first_few(labels: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = labels[..labels.len().min(SHOWN)].join(", ");
    if labels.len() > SHOWN {
        s.push_str(&format!(" and {} more", labels.len() - SHOWN));
    }
    s
}

/// `staff.csv` gives `staff.rejected.csv`, beside it.
fn rejected_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    input.with_file_name(format!("{stem}.rejected.csv"))
}

/// What an import will store and what it refuses.
struct Plan {
    cases: Vec<NewCase>,
    /// Every refused row, in file order.
    rejected: Vec<RejectedRow>,
    /// Households whose first member was made principal.
    promoted: Vec<String>,
    /// Households stored without some of their rows.
    follow_up: Vec<String>,
}

fn reject(field: Field, rule: &str, message: &str) -> FieldError {
    FieldError {
        field,
        rule: rule.into(),
        message: message.into(),
    }
}

fn plan(
    table: &Table,
    mapping: &ColumnMapping,
    schemes: &HashMap<String, SchemeId>,
    options: &ValidationOptions,
) -> Plan {
    let today = options.today;
    let mut v = validate_table(table, mapping, options);
    let raw: HashMap<u64, &RawRow> = table.rows.iter().map(|r| (r.line, r)).collect();
    let unknown_scheme = |code: Option<&str>| {
        code.is_some_and(|c| {
            !c.trim().is_empty() && !schemes.contains_key(&c.trim().to_uppercase())
        })
        .then(|| {
            reject(
                Field::Scheme,
                "known_scheme",
                "no scheme of the operation has this code",
            )
        })
    };
    // Rows refused already also learn about an unknown scheme code.
    if let Some(col) = mapping.column_of(Field::Scheme) {
        for r in &mut v.rejected {
            r.errors
                .extend(unknown_scheme(r.row.cells.get(col).map(String::as_str)));
        }
    }
    let mut persons: HashMap<u64, PersonDetails> = HashMap::new();
    for row in std::mem::take(&mut v.accepted) {
        let mut errors: Vec<FieldError> =
            unknown_scheme(row.scheme.as_deref()).into_iter().collect();
        let details = person(&row);
        if let Err(e) = details.check(today) {
            errors.extend(
                e.0.iter()
                    .map(|e| reject(field_of(&details, &e.field), &e.rule, &e.message)),
            );
        }
        if errors.is_empty() {
            persons.insert(row.line, details);
            v.accepted.push(row);
        } else {
            v.rejected.push(RejectedRow {
                row: raw[&row.line].clone(),
                errors,
            });
        }
    }

    let mut plan = Plan {
        cases: Vec::new(),
        rejected: Vec::new(),
        promoted: Vec::new(),
        follow_up: Vec::new(),
    };
    for household in group_households(&v, mapping) {
        let label = household
            .household_ref
            .clone()
            .unwrap_or_else(|| format!("line {}", household.members[0].line));
        let mut follow_up = household.needs_follow_up();
        let mut members: Vec<(&ValidatedRow, PersonDetails)> = Vec::new();
        for row in &household.members {
            let details = persons
                .remove(&row.line)
                .expect("accepted rows have details");
            let principal = details.relationship == Relationship::Principal;
            if principal
                && members
                    .iter()
                    .any(|(_, m)| m.relationship == Relationship::Principal)
            {
                // Which of two principals is right is for a person to decide.
                v.rejected.push(RejectedRow {
                    row: raw[&row.line].clone(),
                    errors: vec![reject(
                        Field::Relationship,
                        "one_principal",
                        "the household has a principal on an earlier line",
                    )],
                });
                follow_up = true;
            } else {
                members.push((row, details));
            }
        }
        if !members
            .iter()
            .any(|(_, m)| m.relationship == Relationship::Principal)
        {
            members[0].1.relationship = Relationship::Principal;
            plan.promoted.push(label.clone());
        }
        // The case's scheme is the principal's, else the first one given.
        let scheme_id = members
            .iter()
            .filter(|(_, m)| m.relationship == Relationship::Principal)
            .chain(members.iter())
            .find_map(|(r, _)| r.scheme.as_ref())
            .map(|code| schemes[&code.trim().to_uppercase()]);
        let case = NewCase {
            scheme_id,
            tier: None,
            special_needs: None,
            members: members.iter().map(|(_, m)| m.clone()).collect(),
        };
        // Household rules (e.g. at most 40 members) refuse the whole household.
        if let Err(e) = case.check(today) {
            let why: Vec<String> =
                e.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
            let rule = e.0.first().map_or("household", |e| e.rule.as_str());
            for (row, _) in &members {
                v.rejected.push(RejectedRow {
                    row: raw[&row.line].clone(),
                    errors: vec![reject(Field::HouseholdRef, rule, &why.join("; "))],
                });
            }
            continue;
        }
        if follow_up {
            plan.follow_up.push(label);
        }
        plan.cases.push(case);
    }
    v.rejected.sort_by_key(|r| r.row.line);
    plan.rejected = v.rejected;
    plan
}

/// The domain's field path (`documents[1].number`) back to the import column.
fn field_of(details: &PersonDetails, path: &str) -> Field {
    let head = path.split(['.', '[']).next().unwrap_or_default();
    let index = || {
        path.split_once('[')
            .and_then(|(_, rest)| rest.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok())
    };
    match head {
        "family_name" => Field::FamilyName,
        "father_name" => Field::FatherName,
        "full_name_native" => Field::FullNameNative,
        "date_of_birth" => Field::DateOfBirth,
        "nationalities" => Field::Nationality,
        "province" => Field::Province,
        "employer" => Field::Employer,
        "documents" => match index().and_then(|i| details.documents.get(i)) {
            Some(d) if d.kind == DocumentKind::Tazkira => Field::TazkiraNumber,
            Some(d) if d.kind == DocumentKind::Passport => Field::PassportNumber,
            _ => Field::Mrz,
        },
        "contacts" => match index().and_then(|i| details.contacts.get(i)) {
            Some(c) if c.kind == ContactKind::Email => Field::Email,
            _ => Field::Phone,
        },
        _ => Field::GivenName,
    }
}

fn relationship(word: Option<&str>) -> Relationship {
    let word = word.unwrap_or_default().trim().to_lowercase();
    match word.as_str() {
        "principal" | "self" | "head" | "head of household" | "head of family" => {
            Relationship::Principal
        }
        "spouse" | "wife" | "husband" => Relationship::Spouse,
        "child" | "son" | "daughter" => Relationship::Child,
        "parent" | "father" | "mother" => Relationship::Parent,
        "sibling" | "brother" | "sister" => Relationship::Sibling,
        _ => Relationship::OtherRelative,
    }
}

/// A date as given: its calendar and precision kept, a Solar Hijri date in
/// its own year, month and day.
fn date_of_birth(d: &PersonDate) -> DateOfBirth {
    // An age allows a year's span: the year holding most of it is `latest`'s.
    let day = if d.precision == Precision::Estimated {
        d.latest
    } else {
        d.earliest
    };
    let gregorian = DateOfBirth::gregorian(day);
    let (calendar, year, month, dd) = match (d.calendar, d.solar_hijri()) {
        (Calendar::SolarHijri, Some(sh)) => (Calendar::SolarHijri, sh.year(), sh.month(), sh.day()),
        _ => (
            Calendar::Gregorian,
            gregorian.year,
            gregorian.month.unwrap_or(1),
            gregorian.day.unwrap_or(1),
        ),
    };
    let (month, dd) = match d.precision {
        Precision::Day => (Some(month), Some(dd)),
        Precision::Month => (Some(month), None),
        Precision::Year | Precision::Estimated => (None, None),
    };
    DateOfBirth {
        calendar,
        year,
        month,
        day: dd,
        precision: d.precision,
    }
}

/// An accepted row as a household member (relationship as given).
fn person(row: &ValidatedRow) -> PersonDetails {
    let latin_first = |n: &formats::name::Name| n.latin.clone().or_else(|| n.native.clone());
    let mrz = row.mrz.as_ref();
    let mut documents = Vec::new();
    if let Some(t) = &row.tazkira_number {
        documents.push(Document {
            kind: DocumentKind::Tazkira,
            // Tazkira numbers are written with `/` or `.` as often as `-`.
            number: t.replace(['/', '.'], "-"),
            issuing_country: Some("AF".into()),
            expires_on: None,
        });
    }
    // A passport's MRZ (checked to agree with the number) adds its issuer and
    // expiry; another document's MRZ is a document of its own.
    let is_passport = |m: &&formats::mrz::Mrz| m.document_type.starts_with('P');
    let passport_mrz = mrz.filter(is_passport);
    let number = row
        .passport_number
        .clone()
        .or_else(|| passport_mrz.map(|m| m.document_number.clone()));
    if let Some(number) = number {
        documents.push(Document {
            kind: DocumentKind::Passport,
            number,
            issuing_country: passport_mrz
                .and_then(|m| m.issuing_country())
                .map(|c| c.alpha2().into()),
            expires_on: passport_mrz.and_then(|m| m.expiry_date),
        });
    }
    if let Some(m) = mrz.filter(|m| !is_passport(m)) {
        documents.push(Document {
            kind: if m.document_type.starts_with('V') {
                DocumentKind::Visa
            } else {
                DocumentKind::NationalId
            },
            number: m.document_number.clone(),
            issuing_country: m.issuing_country().map(|c| c.alpha2().into()),
            expires_on: m.expiry_date,
        });
    }
    let mut contacts = Vec::new();
    if let Some(p) = &row.phone {
        contacts.push(Contact {
            kind: ContactKind::Phone,
            value: p.e164.clone(),
        });
    }
    if let Some(e) = &row.email {
        contacts.push(Contact {
            kind: ContactKind::Email,
            value: e.clone(),
        });
    }
    let sex = row.sex.or(mrz.map(|m| m.sex));
    PersonDetails {
        relationship: relationship(row.relationship.as_deref()),
        given_name: row.given_name.as_ref().and_then(latin_first),
        family_name: row.family_name.as_ref().and_then(latin_first),
        father_name: row.father_name.as_ref().and_then(latin_first),
        full_name_native: row
            .full_name_native
            .as_ref()
            .and_then(|n| n.native.clone().or_else(|| n.latin.clone())),
        date_of_birth: row
            .date_of_birth
            .as_ref()
            .or(mrz.and_then(|m| m.birth_date.as_ref()))
            .map(date_of_birth),
        sex: match sex {
            Some(formats::sex::Sex::Female) => Sex::Female,
            Some(formats::sex::Sex::Male) => Sex::Male,
            Some(formats::sex::Sex::Unspecified) => Sex::Other,
            None => Sex::Unknown,
        },
        nationalities: row
            .nationality
            .or(mrz.and_then(|m| m.nationality_country()))
            .map(|c| vec![c.alpha2().to_string()])
            .unwrap_or_default(),
        documents,
        contacts,
        province: row.province.as_ref().map(|p| match p.province {
            Some(known) => known.name().to_string(),
            None => p.given.clone(),
        }),
        employer: row.employer.clone(),
    }
}
