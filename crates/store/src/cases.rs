//! Cases and the people in them.

use std::collections::HashSet;

use domain::audit::AuditEntry;
use domain::case::{
    Case, CaseEvent, CaseSummary, CaseUpdate, NewCase, StatusChange, reference_for,
};
use domain::operation::Operation;
use domain::person::{Person, PersonDetails};
use domain::validation::ValidationErrors;
use domain::{CaseId, CaseStatus, MovementId, OperationId, PersonId, SchemeId};
use sqlx::Row;
use sqlx::any::AnyRow;
use zeroize::Zeroizing;

use crate::sealing::DataKey;
use crate::tx::parameter_list;
use crate::{Page, Paging, Store, StoreError, WriteTx, codec, name_index};

/// What the case list asks for. `name_words` are matched whole, all of them,
/// against any member's names in any script.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// Any of these statuses (a stage of the pipeline); empty for any.
    pub statuses: Vec<CaseStatus>,
    pub scheme_id: Option<SchemeId>,
    /// Only cases without a scheme.
    pub no_scheme: bool,
    /// The nation running the case's scheme.
    pub nation: Option<String>,
    /// An ISO 3166-2 code, or `""` for cases whose province is not known.
    pub province: Option<String>,
    /// A tier, or `0` for cases without one.
    pub tier: Option<u8>,
    pub name_words: Vec<String>,
}

impl CaseFilter {
    /// The order [`Store::list_cases`] gives: with name words the most
    /// recently registered first (their index holds the case ids, which grow
    /// with time), without them the most recently changed first.
    pub fn newest_registered_first(&self) -> bool {
        !self.name_words.is_empty()
    }
}

/// The province a household is counted under: its principal's, recognised
/// from what was given, as an ISO 3166-2 code; `""` when none is recognised.
pub(crate) fn province_code<'a>(members: impl IntoIterator<Item = &'a PersonDetails>) -> String {
    members
        .into_iter()
        .find(|m| m.relationship == domain::Relationship::Principal)
        .and_then(|m| m.province.as_deref())
        .and_then(formats::province::Province::recognise)
        .map(|p| p.code().to_owned())
        .unwrap_or_default()
}

/// Personal details are kept as one sealed record per person.
fn seal(key: &DataKey, op: &OperationId, details: &PersonDetails) -> Vec<u8> {
    let plain =
        Zeroizing::new(serde_json::to_vec(details).expect("serialising plain data cannot fail"));
    key.seal(op, &plain)
}

/// The refusal of a scheme id the operation does not have.
pub(crate) fn unknown_scheme() -> StoreError {
    StoreError::Invalid(ValidationErrors::single(
        "scheme_id",
        "known_scheme",
        "no such scheme in this operation",
    ))
}

/// A case to write, with where it came from.
pub(crate) struct NewCaseRow<'a> {
    pub new: &'a NewCase,
    /// `officer`, `self_registration`, `import:staff-list`.
    pub source: &'a str,
    pub access_code_hash: Option<&'a str>,
}

pub(crate) fn unseal(
    key: &DataKey,
    op: &OperationId,
    row: &AnyRow,
    col: &str,
) -> Result<PersonDetails, StoreError> {
    let bytes: Vec<u8> = row.try_get(col)?;
    let plain = Zeroizing::new(
        key.open(op, &bytes)
            .ok_or(StoreError::Corrupt { what: "person" })?,
    );
    serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt { what: "person" })
}

/// A sealed free-text column (special needs, reasons).
fn open_text(
    key: &DataKey,
    op: &OperationId,
    sealed: Option<String>,
) -> Result<Option<String>, StoreError> {
    sealed
        .map(|s| {
            key.open_text(op, &s).ok_or(StoreError::Corrupt {
                what: "sealed text",
            })
        })
        .transpose()
}

fn summary(key: &DataKey, op: &OperationId, row: &AnyRow) -> Result<CaseSummary, StoreError> {
    let principal: Option<Vec<u8>> = row.try_get("details")?;
    let principal_name = match principal {
        Some(_) => unseal(key, op, row, "details")?.display_name(),
        None => String::new(),
    };
    Ok(CaseSummary {
        id: codec::get_parsed(row, "id", "case id")?,
        reference: row.try_get("reference")?,
        status: codec::get_parsed(row, "status", "case status")?,
        scheme_id: codec::get_opt_parsed(row, "scheme_id", "scheme id")?,
        tier: tier(row)?,
        principal_name,
        household_size: codec::get_u32(row, "household_size")?,
        updated_at: codec::get_time(row, "updated_at")?,
    })
}

fn tier(row: &AnyRow) -> Result<Option<u8>, StoreError> {
    let t: Option<i64> = row.try_get("tier")?;
    t.map(|t| u8::try_from(t).map_err(|_| StoreError::Corrupt { what: "tier" }))
        .transpose()
}

/// A case filter as SQL over `cases c`, its values numbered from `$2` (`$1`
/// is the operation).
pub(crate) struct FilterSql {
    /// The conditions on the case's own columns.
    pub cond: String,
    pub binds: Vec<String>,
    /// With name words: a query of the ids of the cases that have them all,
    /// looked up by their blind indexes.
    pub words: Option<String>,
    /// The same ids, found by walking the driving word's cases and asking
    /// each for the others: in the order of the ids, so that a page of a
    /// name found many times is read from the newest end of the driving
    /// word's cases and stops when it is full.
    pub driven: Option<String>,
    /// Nothing but the operation and the words: the words' ids are the cases.
    pub words_only: bool,
}

impl FilterSql {
    /// Every condition, the name words included.
    pub fn all(&self) -> String {
        match &self.words {
            Some(words) => format!("{} AND c.id IN ({words})", self.cond),
            None => self.cond.clone(),
        }
    }
}

/// Past how many cases of the driving word (the rarest) the words' cases are
/// merged rather than the driving word's asked for the others. On 1,000,000
/// persons (417,782 cases) two words of 19,165 and 113,029 cases took 1 ms to
/// the floor merged, where asking each case of the first for the second took
/// 4 to 22.
const MERGED_PAST: i64 = 2_500;

/// A filter's name words as blind indexes, each once, in a fixed order (for
/// [`Store::rarest_first`] to reorder).
fn blind_words(key: &DataKey, filter: &CaseFilter) -> Vec<String> {
    let mut words: Vec<String> = filter.name_words.iter().map(|w| key.blind(w)).collect();
    words.sort();
    words.dedup();
    words
}

impl Store {
    /// A filter as SQL, its name words ordered so that the rarest drives.
    pub(crate) async fn filter_sql(
        &self,
        key: &DataKey,
        op: &OperationId,
        filter: &CaseFilter,
    ) -> Result<FilterSql, StoreError> {
        let mut words = blind_words(key, filter);
        let rarest_found = self.rarest_first(op, &mut words).await?;
        Ok(filter_sql(filter, &words, rarest_found))
    }
}

/// `filter` as SQL, with its name `words` (blind indexes), of which the first
/// drives the search and has `rarest_found` cases.
fn filter_sql(filter: &CaseFilter, words: &[String], rarest_found: Option<i64>) -> FilterSql {
    const OPERATION: &str = "c.operation_id = $1";
    let mut sql = String::from(OPERATION);
    let mut binds = Vec::new();
    if let Some(s) = filter.status {
        binds.push(s.as_str().to_owned());
        sql.push_str(&format!(" AND c.status = ${}", binds.len() + 1));
    }
    if let Some(s) = filter.scheme_id {
        binds.push(s.to_string());
        sql.push_str(&format!(" AND c.scheme_id = ${}", binds.len() + 1));
    }
    if !filter.statuses.is_empty() {
        let list = parameter_list(binds.len() + 2, filter.statuses.len());
        binds.extend(filter.statuses.iter().map(|s| s.as_str().to_owned()));
        sql.push_str(&format!(" AND c.status IN ({list})"));
    }
    if filter.no_scheme {
        sql.push_str(" AND c.scheme_id IS NULL");
    }
    if let Some(n) = &filter.nation {
        binds.push(n.clone());
        sql.push_str(&format!(
            " AND c.scheme_id IN (SELECT id FROM schemes WHERE operation_id = $1 AND nation = ${})",
            binds.len() + 1
        ));
    }
    if let Some(p) = &filter.province {
        binds.push(p.clone());
        sql.push_str(&format!(
            " AND COALESCE(c.province, '') = ${}",
            binds.len() + 1
        ));
    }
    match filter.tier {
        Some(0) => sql.push_str(" AND c.tier IS NULL"),
        // Bound as text like the others; both backends compare the cast.
        Some(t) => sql.push_str(&format!(" AND c.tier = {}", i64::from(t))),
        None => {}
    }
    let first_word = binds.len() + 2;
    binds.extend(words.iter().cloned());
    let words_at = || (first_word..).zip(words);
    let common = words.len() > 1 && rarest_found.is_some_and(|n| n > MERGED_PAST);
    // The first word drives: the cases with it are asked for the others.
    let driven = words_at().next().map(|(driver, word)| {
        let cases = name_index::cases_with_word_sql(driver, name_index::part_of(word));
        let others: Vec<String> = words_at()
            .skip(1)
            .map(|(i, word)| name_index::has_word_sql("w.case_id", i, name_index::part_of(word)))
            .collect();
        if others.is_empty() {
            cases
        } else {
            format!(
                "SELECT w.case_id FROM ({cases}) w WHERE {}",
                others.join(" AND ")
            )
        }
    });
    // A case's words are in one of the two tables, never in both, and each
    // word once.
    let words_sql = if common {
        // Every word is common: their cases are merged in the order of their
        // ids, in each table.
        let indexed: Vec<String> = words_at()
            .map(|(i, _)| name_index::indexed_cases_sql(i))
            .collect();
        let recent: Vec<String> = words_at()
            .map(|(i, word)| name_index::recent_cases_sql(i, name_index::part_of(word)))
            .collect();
        Some(format!(
            "SELECT case_id FROM ({} ORDER BY 1) merged UNION ALL SELECT case_id FROM ({}) fresh",
            indexed.join(" INTERSECT "),
            recent.join(" INTERSECT ")
        ))
    } else {
        driven.clone()
    };
    FilterSql {
        // Cases are never deleted but all together (a burn takes their words
        // too), and a case's words carry its operation.
        words_only: sql == OPERATION && words_sql.is_some(),
        cond: sql,
        binds,
        words: words_sql,
        driven,
    }
}

fn member(key: &DataKey, op: &OperationId, row: &AnyRow) -> Result<Person, StoreError> {
    Ok(Person {
        id: codec::get_parsed(row, "id", "person id")?,
        details: unseal(key, op, row, "details")?,
    })
}

pub(crate) fn case(key: &DataKey, row: &AnyRow, members: Vec<Person>) -> Result<Case, StoreError> {
    let op: OperationId = codec::get_parsed(row, "operation_id", "operation id")?;
    Ok(Case {
        id: codec::get_parsed(row, "id", "case id")?,
        special_needs: open_text(key, &op, row.try_get("special_needs")?)?,
        reference: row.try_get("reference")?,
        status: codec::get_parsed(row, "status", "case status")?,
        scheme_id: codec::get_opt_parsed(row, "scheme_id", "scheme id")?,
        tier: tier(row)?,
        tier_overridden: row.try_get::<i64, _>("tier_overridden")? != 0,
        language: row.try_get("language")?,
        follow_up: row.try_get("follow_up")?,
        source: row.try_get("source")?,
        members,
        movement_id: codec::get_opt_parsed(row, "movement_id", "movement id")?,
        processing_slot: codec::get_opt_time(row, "processing_slot")?,
        version: row.try_get("version")?,
        created_at: codec::get_time(row, "created_at")?,
        updated_at: codec::get_time(row, "updated_at")?,
        operation_id: op,
    })
}

impl Store {
    pub async fn get_case(&self, id: CaseId) -> Result<Case, StoreError> {
        let row = sqlx::query("SELECT * FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("case"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let key = self.data_key(&op).await?;
        let members =
            sqlx::query("SELECT id, details FROM persons WHERE case_id = $1 ORDER BY position")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| member(&key, &op, r))
                .collect::<Result<Vec<_>, StoreError>>()?;
        case(&key, &row, members)
    }

    /// Every case of the operation at one of `statuses`, whole: for the
    /// planner, which needs each member's age and province. Two queries.
    pub async fn cases_at(
        &self,
        op: &OperationId,
        statuses: &[CaseStatus],
    ) -> Result<Vec<Case>, StoreError> {
        self.cases_where(op, statuses, None).await
    }

    /// The households holding a seat on `movement`, whole: its manifest.
    pub async fn cases_on_movement(
        &self,
        op: &OperationId,
        movement: MovementId,
    ) -> Result<Vec<Case>, StoreError> {
        let seated: Vec<CaseStatus> = (CaseStatus::ALL.into_iter())
            .filter(|s| s.has_seat())
            .collect();
        self.cases_where(op, &seated, Some(movement)).await
    }

    async fn cases_where(
        &self,
        op: &OperationId,
        statuses: &[CaseStatus],
        movement: Option<MovementId>,
    ) -> Result<Vec<Case>, StoreError> {
        let key = self.data_key(op).await?;
        let list: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let mut within = format!("operation_id = $1 AND status IN ({})", list.join(", "));
        if movement.is_some() {
            within.push_str(" AND movement_id = $2");
        }
        let cases_sql = format!("SELECT * FROM cases WHERE {within} ORDER BY number");
        let mut cases = sqlx::query(&cases_sql).bind(op.as_str());
        let persons_sql = format!(
            "SELECT case_id, id, details FROM persons WHERE case_id IN (SELECT id FROM cases WHERE {within}) \
             ORDER BY case_id, position"
        );
        let mut persons = sqlx::query(&persons_sql).bind(op.as_str());
        if let Some(m) = movement {
            cases = cases.bind(m.to_string());
            persons = persons.bind(m.to_string());
        }
        let rows = cases.fetch_all(&self.pool).await?;
        let persons = persons.fetch_all(&self.pool).await?;
        let mut members: std::collections::HashMap<String, Vec<Person>> =
            std::collections::HashMap::new();
        for r in &persons {
            let case_id: String = r.try_get("case_id")?;
            members
                .entry(case_id)
                .or_default()
                .push(member(&key, op, r)?);
        }
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                case(&key, row, members.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    pub async fn case_history(&self, id: CaseId) -> Result<Vec<CaseEvent>, StoreError> {
        let op: OperationId = match sqlx::query("SELECT operation_id FROM cases WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
        {
            Some(r) => codec::get_parsed(&r, "operation_id", "operation id")?,
            None => return Err(StoreError::not_found("case")),
        };
        let key = self.data_key(&op).await?;
        let rows = sqlx::query("SELECT * FROM case_events WHERE case_id = $1 ORDER BY id")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseEvent {
                    at: codec::get_time(r, "at")?,
                    actor: codec::get_opt_parsed(r, "actor", "user id")?,
                    from: codec::get_opt_parsed(r, "from_status", "case status")?,
                    to: codec::get_parsed(r, "to_status", "case status")?,
                    reason: open_text(&key, &op, r.try_get("reason")?)?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Most recently changed first; with name words, most recently
    /// registered first ([`CaseFilter::newest_registered_first`]).
    pub async fn list_cases(
        &self,
        op: &OperationId,
        filter: &CaseFilter,
        paging: Paging,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let key = self.data_key(op).await?;
        let f = self.filter_sql(&key, op, filter).await?;
        // With name words, the count starts from the words (CROSS JOIN keeps
        // SQLite to that order), so that a rare name costs what it finds, and
        // stops at COUNTED_UP_TO, so that a common one does not cost a pass
        // over a large part of the registry. Without other conditions the
        // words alone are counted, from their index.
        let count_sql = match &f.words {
            Some(words) if f.words_only => format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ({words}) w LIMIT {}) counted",
                Page::<CaseSummary>::COUNTED_UP_TO + 1
            ),
            Some(words) => format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ({words}) w CROSS JOIN cases c \
                 WHERE c.id = w.case_id AND {} LIMIT {}) counted",
                f.cond,
                Page::<CaseSummary>::COUNTED_UP_TO + 1
            ),
            None => format!("SELECT COUNT(*) AS n FROM cases c WHERE {}", f.cond),
        };
        let mut count = sqlx::query(&count_sql).bind(op.as_str());
        for b in &f.binds {
            count = count.bind(b.as_str());
        }
        let counted: i64 = count.fetch_one(&self.pool).await?.try_get("n")?;
        let more = f.words.is_some() && counted > Page::<CaseSummary>::COUNTED_UP_TO;
        let total = if more {
            Page::<CaseSummary>::COUNTED_UP_TO
        } else {
            counted
        };
        let n = f.binds.len() + 1;
        let (limit, offset) = (n + 1, n + 2);
        let sql = match &f.words {
            // With name words, the newest cases first (ids grow with time),
            // read from the words: a few found are sorted; of many, the
            // driving word's are walked from the newest and asked for the
            // others, until the page is full. Its cases' other conditions
            // are asked of each in the same walk.
            Some(words) => {
                let words = match &f.driven {
                    Some(driven) if more => driven,
                    _ => words,
                };
                let cond = if f.words_only {
                    String::new()
                } else {
                    format!(
                        " WHERE (SELECT COUNT(*) FROM cases c WHERE c.id = w.case_id AND {}) > 0",
                        f.cond
                    )
                };
                format!(
                    "SELECT c.id, c.reference, c.status, c.scheme_id, c.tier, c.household_size, c.updated_at, p.details \
                     FROM (SELECT w.case_id FROM ({words}) w{cond} ORDER BY w.case_id DESC LIMIT ${limit} OFFSET ${offset}) found \
                     CROSS JOIN cases c \
                     LEFT JOIN persons p ON p.case_id = c.id AND p.relationship = 'principal' \
                     WHERE c.id = found.case_id ORDER BY c.id DESC"
                )
            }
            // The page is cut before the principals are joined, so that
            // sorting many found cases neither looks up nor carries their
            // sealed details.
            None => format!(
                "SELECT c.id, c.reference, c.status, c.scheme_id, c.tier, c.household_size, c.updated_at, p.details \
                 FROM (SELECT c.id, c.reference, c.status, c.scheme_id, c.tier, c.household_size, c.updated_at \
                 FROM cases c WHERE {} ORDER BY c.updated_at DESC, c.id LIMIT ${limit} OFFSET ${offset}) c \
                 LEFT JOIN persons p ON p.case_id = c.id AND p.relationship = 'principal' \
                 ORDER BY c.updated_at DESC, c.id",
                f.cond
            ),
        };
        let mut q = sqlx::query(&sql).bind(op.as_str());
        for b in &f.binds {
            q = q.bind(b.as_str());
        }
        let rows = q
            .bind(i64::from(paging.per_page))
            .bind(paging.offset())
            .fetch_all(&self.pool)
            .await?;
        let items = rows
            .iter()
            .map(|r| summary(&key, op, r))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            more,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// How many cases stand at each status.
    pub async fn count_cases_by_status(
        &self,
        op: &OperationId,
    ) -> Result<Vec<(CaseStatus, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM cases WHERE operation_id = $1 GROUP BY status",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut counts: Vec<(CaseStatus, i64)> = rows
            .iter()
            .map(|r| {
                Ok((
                    codec::get_parsed(r, "status", "case status")?,
                    r.try_get("n")?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        counts.sort_by_key(|(s, _)| *s);
        Ok(counts)
    }
}

impl WriteTx {
    async fn check_scheme(
        &mut self,
        op: &OperationId,
        scheme: Option<SchemeId>,
    ) -> Result<(), StoreError> {
        let Some(id) = scheme else { return Ok(()) };
        let found = sqlx::query("SELECT id FROM schemes WHERE id = $1 AND operation_id = $2")
            .bind(id.to_string())
            .bind(op.as_str())
            .fetch_optional(self.conn())
            .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(unknown_scheme()),
        }
    }

    /// Writes the members of a case (all new rows) and its name words.
    async fn insert_members(
        &mut self,
        op: &OperationId,
        case: CaseId,
        members: &[(PersonId, &PersonDetails)],
    ) -> Result<(), StoreError> {
        self.insert_households(op, &[(case, members)]).await
    }

    /// Writes the members of several cases (all new rows) and their name
    /// words, in as few statements as the parameter limits allow.
    async fn insert_households(
        &mut self,
        op: &OperationId,
        households: &[(CaseId, &[(PersonId, &PersonDetails)])],
    ) -> Result<(), StoreError> {
        let key = self.data_key(op).await?;
        let persons: Vec<(CaseId, i64, PersonId, &PersonDetails)> = households
            .iter()
            .flat_map(|(case, members)| {
                (members.iter().enumerate())
                    .map(|(position, (id, d))| (*case, position as i64, *id, *d))
            })
            .collect();
        self.insert_rows(
            "persons",
            &[
                "id",
                "case_id",
                "operation_id",
                "position",
                "relationship",
                "details",
            ],
            &persons,
            |r, _, (case, position, id, details)| {
                r.bind(id.to_string())
                    .bind(case.to_string())
                    .bind(op.as_str())
                    .bind(*position)
                    .bind(details.relationship.as_str())
                    .bind(seal(&key, op, details));
            },
        )
        .await?;
        let mut tokens: Vec<(String, CaseId)> = Vec::new();
        for (case, members) in households {
            let words: HashSet<String> = members
                .iter()
                .flat_map(|(_, d)| d.name_tokens())
                .map(|w| key.blind(&w))
                .collect();
            tokens.extend(words.into_iter().map(|w| (w, *case)));
        }
        // Appended to the recent words, merged into the index behind (see the
        // migration that made the table).
        self.insert_rows(
            "name_tokens_recent",
            &["part", "case_id", "token", "operation_id"],
            &tokens,
            |r, _, (t, case)| {
                r.bind(name_index::part_of(t))
                    .bind(case.to_string())
                    .bind(t.as_str())
                    .bind(op.as_str());
            },
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn add_case_event(
        &mut self,
        op: &OperationId,
        case: CaseId,
        from: Option<CaseStatus>,
        to: CaseStatus,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.add_case_events(op, &[(case, from, to, reason)]).await
    }

    /// Records steps of cases' histories (case, from, to, reason).
    async fn add_case_events(
        &mut self,
        op: &OperationId,
        events: &[(CaseId, Option<CaseStatus>, CaseStatus, &str)],
    ) -> Result<(), StoreError> {
        // Officers' reasons are free text and may name people: sealed.
        let key = self.data_key(op).await?;
        let now = codec::time(self.now());
        let actor = self.actor().user_id().map(|u| u.to_string());
        self.insert_rows(
            "case_events",
            &[
                "case_id",
                "at",
                "actor",
                "from_status",
                "to_status",
                "reason",
            ],
            events,
            |r, _, (case, from, to, reason)| {
                r.bind(case.to_string())
                    .bind(now.clone())
                    .bind(actor.clone())
                    .bind(from.map(|s| s.as_str()))
                    .bind(to.as_str())
                    .bind(key.seal_text(op, reason.trim()));
            },
        )
        .await?;
        Ok(())
    }

    /// The next `n` case references for a country code, counted across the
    /// operations that leave that country (references are unique overall).
    async fn next_references(
        &mut self,
        country: &str,
        n: usize,
    ) -> Result<Vec<String>, StoreError> {
        let prefix = country.to_uppercase();
        let bumped = sqlx::query(
            "UPDATE reference_counters SET last = last + $2 WHERE prefix = $1 RETURNING last",
        )
        .bind(&prefix)
        .bind(n as i64)
        .fetch_optional(self.conn())
        .await?;
        let last: i64 = match bumped {
            Some(row) => row.try_get("last")?,
            None => {
                sqlx::query("INSERT INTO reference_counters (prefix, last) VALUES ($1, $2)")
                    .bind(&prefix)
                    .bind(n as i64)
                    .execute(self.conn())
                    .await?;
                n as i64
            }
        };
        let first = last - n as i64 + 1;
        Ok((first..=last).map(|k| reference_for(&prefix, k)).collect())
    }

    /// Registers a household. `source` says where it came from (`officer`,
    /// `self_registration`, `import:staff-list`).
    pub async fn create_case(
        &mut self,
        op: &Operation,
        new: &NewCase,
        source: &str,
    ) -> Result<CaseId, StoreError> {
        Ok(self.insert_case(op, new, source).await?.0)
    }

    /// Writes a new case and returns its id and reference. A refusal (an
    /// unknown scheme, a burned operation) comes before anything is written.
    async fn insert_case(
        &mut self,
        op: &Operation,
        new: &NewCase,
        source: &str,
    ) -> Result<(CaseId, String), StoreError> {
        self.check_scheme(&op.id, new.scheme_id).await?;
        let row = NewCaseRow {
            new,
            source,
            access_code_hash: None,
        };
        let mut written = self.insert_cases(op, &[row]).await?;
        Ok(written.remove(0))
    }

    /// Writes new cases, their members, first events and audit events in a
    /// fixed number of statements however many there are (self-registration's
    /// group commit writes hundreds at once). Their schemes must have been
    /// checked. Returns each case's id and reference, in order.
    pub(crate) async fn insert_cases(
        &mut self,
        op: &Operation,
        rows: &[NewCaseRow<'_>],
    ) -> Result<Vec<(CaseId, String)>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.data_key(&op.id).await?;
        let now = codec::time(self.now());
        // Safe without a sequence: writers are serialised by the write transaction.
        let first_number: i64 = sqlx::query(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM cases WHERE operation_id = $1",
        )
        .bind(op.id.as_str())
        .fetch_one(self.conn())
        .await?
        .try_get("n")?;
        let references = self.next_references(&op.country, rows.len()).await?;
        let ids: Vec<CaseId> = rows.iter().map(|_| CaseId::new()).collect();
        self.insert_rows(
            "cases",
            &[
                "id",
                "operation_id",
                "number",
                "reference",
                "status",
                "scheme_id",
                "tier",
                "special_needs",
                "source",
                "household_size",
                "version",
                "created_at",
                "updated_at",
                "language",
                "follow_up",
                "province",
                "access_code_hash",
            ],
            rows,
            |r, n, row| {
                let new = row.new;
                r.bind(ids[n].to_string())
                    .bind(op.id.as_str())
                    .bind(first_number + n as i64)
                    .bind(references[n].as_str())
                    .bind(CaseStatus::Registered.as_str())
                    .bind(new.scheme_id.map(|s| s.to_string()))
                    .bind(new.tier.map(i64::from))
                    .bind(
                        new.special_needs
                            .as_deref()
                            .map(|t| key.seal_text(&op.id, t.trim())),
                    )
                    .bind(row.source)
                    .bind(new.members.len() as i64)
                    .bind(1_i64)
                    .bind(now.clone())
                    .bind(now.clone())
                    .bind(new.language.as_deref())
                    .bind(new.follow_up.as_deref().map(str::trim))
                    .bind(province_code(&new.members))
                    .bind(row.access_code_hash);
            },
        )
        .await?;
        let members: Vec<Vec<(PersonId, &PersonDetails)>> = rows
            .iter()
            .map(|r| r.new.members.iter().map(|m| (PersonId::new(), m)).collect())
            .collect();
        let households: Vec<(CaseId, &[(PersonId, &PersonDetails)])> = ids
            .iter()
            .copied()
            .zip(members.iter().map(Vec::as_slice))
            .collect();
        self.insert_households(&op.id, &households).await?;
        let events: Vec<(CaseId, Option<CaseStatus>, CaseStatus, &str)> = ids
            .iter()
            .map(|&id| (id, None, CaseStatus::Registered, "registered"))
            .collect();
        self.add_case_events(&op.id, &events).await?;
        let entries: Vec<AuditEntry> = ids
            .iter()
            .zip(rows)
            .map(|(id, row)| {
                AuditEntry::new("case.create", "case", *id).detail(format!(
                    "operation {} source {} members {}",
                    op.id,
                    row.source,
                    row.new.members.len()
                ))
            })
            .collect();
        self.audit_all(entries).await?;
        Ok(ids.into_iter().zip(references).collect())
    }

    /// Moves a case one step along the pipeline.
    pub async fn change_status(
        &mut self,
        id: CaseId,
        change: &StatusChange,
    ) -> Result<CaseStatus, StoreError> {
        self.step(id, change, "case.status", "").await
    }

    /// One step along the pipeline, audited as `action`. Entering the quota
    /// takes a place if one is left; leaving the seated statuses gives the
    /// seat back.
    pub(crate) async fn step(
        &mut self,
        id: CaseId,
        change: &StatusChange,
        action: &'static str,
        detail: &str,
    ) -> Result<CaseStatus, StoreError> {
        let row = sqlx::query(
            "SELECT status, operation_id, scheme_id, household_size FROM cases WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("case"))?;
        let from: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let scheme: Option<SchemeId> = codec::get_opt_parsed(&row, "scheme_id", "scheme id")?;
        let to = from.transition(change.to).map_err(|e| {
            StoreError::Invalid(ValidationErrors::single(
                "to",
                "status_transition",
                e.to_string(),
            ))
        })?;
        // Off called-forward other than to the gate (re-planned, dropped,
        // withdrawn, revoked): the pass no longer holds.
        if from == CaseStatus::CalledForward && to != CaseStatus::CheckedIn {
            self.revoke_case_passes(&op, id, &change.reason).await?;
        }
        if let Some(scheme) = scheme
            && to.holds_place()
            && !from.holds_place()
        {
            let persons = codec::get_u32(&row, "household_size")?;
            self.check_quota(scheme, id, persons).await?;
        }
        sqlx::query(
            "UPDATE cases SET status = $2, version = version + 1, updated_at = $3, \
             movement_id = CASE WHEN $4 = 1 THEN movement_id ELSE NULL END, \
             processing_slot = CASE WHEN $4 = 1 THEN processing_slot ELSE NULL END WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(to.as_str())
        .bind(codec::time(self.now()))
        .bind(i64::from(to.has_seat()))
        .execute(self.conn())
        .await?;
        self.add_case_event(&op, id, Some(from), to, &change.reason)
            .await?;
        let detail = format!("status {from}->{to}{detail}");
        self.audit(AuditEntry::new(action, "case", id).detail(detail))
            .await?;
        Ok(to)
    }

    /// Applies an update written against `update.version`.
    pub async fn update_case(&mut self, id: CaseId, update: &CaseUpdate) -> Result<(), StoreError> {
        let row = sqlx::query(
            "SELECT operation_id, version, status, scheme_id, household_size FROM cases WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("case"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let version: i64 = row.try_get("version")?;
        if version != update.version {
            return Err(StoreError::Conflict(format!(
                "the case changed since it was read (version {} is now {version}); reload it and apply the change again",
                update.version
            )));
        }
        if let Some(scheme) = update.scheme_id {
            self.check_scheme(&op, scheme).await?;
        }
        // A case holding a place keeps within its (maybe new) scheme's quota
        // when it changes scheme or grows.
        let status: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
        let scheme: Option<SchemeId> = match update.scheme_id {
            Some(new) => new,
            None => codec::get_opt_parsed(&row, "scheme_id", "scheme id")?,
        };
        let size = update
            .members
            .as_ref()
            .map_or(codec::get_u32(&row, "household_size")?, |m| m.len() as u32);
        if let Some(scheme) = scheme
            && status.holds_place()
        {
            self.check_quota(scheme, id, size).await?;
        }
        let mut detail = Vec::new();
        if let Some(members) = &update.members {
            let existing: HashSet<PersonId> =
                sqlx::query("SELECT id FROM persons WHERE case_id = $1")
                    .bind(id.to_string())
                    .fetch_all(self.conn())
                    .await?
                    .iter()
                    .map(|r| codec::get_parsed(r, "id", "person id"))
                    .collect::<Result<_, _>>()?;
            let mut errors = ValidationErrors::default();
            for (i, m) in members.iter().enumerate() {
                if m.id.is_some_and(|pid| !existing.contains(&pid)) {
                    errors.push(
                        format!("members[{i}].id"),
                        "member_of_case",
                        "no such member in this case",
                    );
                }
            }
            errors.into_result().map_err(StoreError::Invalid)?;
            // Members are rewritten whole, keeping the identity of those that stay.
            sqlx::query("DELETE FROM name_tokens WHERE case_id = $1")
                .bind(id.to_string())
                .execute(self.conn())
                .await?;
            // Naming the parts lets the key find the case's words in each.
            sqlx::query(&format!(
                "DELETE FROM name_tokens_recent WHERE part IN ({}) AND case_id = $1",
                name_index::all_parts_sql()
            ))
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
            sqlx::query("DELETE FROM persons WHERE case_id = $1")
                .bind(id.to_string())
                .execute(self.conn())
                .await?;
            let rows: Vec<(PersonId, &PersonDetails)> = members
                .iter()
                .map(|m| (m.id.unwrap_or_else(PersonId::new), &m.details))
                .collect();
            self.insert_members(&op, id, &rows).await?;
            sqlx::query("UPDATE cases SET province = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(province_code(members.iter().map(|m| &m.details)))
                .execute(self.conn())
                .await?;
            let kept = members.iter().filter(|m| m.id.is_some()).count();
            detail.push(format!(
                "members {}->{} kept {kept}",
                existing.len(),
                members.len()
            ));
        }
        let members_len = update.members.as_ref().map(|m| m.len() as i64);
        let key = self.data_key(&op).await?;
        sqlx::query(
            "UPDATE cases SET \
             scheme_id = CASE WHEN $2 = 1 THEN $3 ELSE scheme_id END, \
             tier = CASE WHEN $4 = 1 THEN $5 ELSE tier END, \
             special_needs = CASE WHEN $6 = 1 THEN $7 ELSE special_needs END, \
             household_size = COALESCE($8, household_size), \
             version = version + 1, updated_at = $9, \
             language = CASE WHEN $10 = 1 THEN $11 ELSE language END, \
             follow_up = CASE WHEN $12 = 1 THEN $13 ELSE follow_up END WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(i64::from(update.scheme_id.is_some()))
        .bind(update.scheme_id.flatten().map(|s| s.to_string()))
        .bind(i64::from(update.tier.is_some()))
        .bind(update.tier.flatten().map(i64::from))
        .bind(i64::from(update.special_needs.is_some()))
        .bind(
            update
                .special_needs
                .clone()
                .flatten()
                .map(|n| key.seal_text(&op, n.trim())),
        )
        .bind(members_len)
        .bind(codec::time(self.now()))
        .bind(i64::from(update.language.is_some()))
        .bind(update.language.clone().flatten())
        .bind(i64::from(update.follow_up.is_some()))
        .bind(
            update
                .follow_up
                .clone()
                .flatten()
                .map(|s| s.trim().to_owned()),
        )
        .execute(self.conn())
        .await?;
        for (field, changed) in [
            ("scheme", update.scheme_id.is_some()),
            ("tier", update.tier.is_some()),
            ("special_needs", update.special_needs.is_some()),
            ("language", update.language.is_some()),
            ("follow_up", update.follow_up.is_some()),
        ] {
            if changed {
                detail.push(field.to_owned());
            }
        }
        self.audit(AuditEntry::new("case.update", "case", id).detail(detail.join(" ")))
            .await
    }
}

#[cfg(test)]
mod tests {
    use domain::audit::Actor;

    use super::*;

    #[tokio::test]
    async fn common_words_are_found_by_merging_their_cases() {
        let (store, _dir) = crate::testing::sqlite().await;
        let op = OperationId::parse("op-words").expect("an operation id");
        let mut tx = store.write(Actor::System).await.expect("a write");
        // "aa" and "cc" on cases 0 to 2,999, "bb" on 2,993 to 5,999: seven
        // cases have "aa" and "bb" in the index, and one more among the
        // recent words.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 5999) \
             INSERT INTO name_tokens (operation_id, token, case_id) \
             SELECT 'op-words', 'aa', printf('case-%05d', i) FROM n WHERE i < 3000 \
             UNION ALL SELECT 'op-words', 'cc', printf('case-%05d', i) FROM n WHERE i < 3000 \
             UNION ALL SELECT 'op-words', 'bb', printf('case-%05d', i) FROM n WHERE i >= 2993",
        )
        .execute(tx.conn())
        .await
        .expect("indexed words");
        for word in ["aa", "bb"] {
            sqlx::query(
                "INSERT INTO name_tokens_recent (part, case_id, token, operation_id) \
                 VALUES ($1, 'case-new', $2, 'op-words')",
            )
            .bind(name_index::part_of(word))
            .bind(word)
            .execute(tx.conn())
            .await
            .expect("a recent word");
        }
        tx.commit().await.expect("committed");
        let count = |words: [&'static str; 2]| {
            let store = store.clone();
            let op = op.clone();
            async move {
                let words = words.map(String::from);
                let f = filter_sql(&CaseFilter::default(), &words, Some(3_000));
                let sql = format!("SELECT COUNT(*) AS n FROM ({}) w", f.words.expect("words"));
                let mut q = sqlx::query(&sql).bind(op.as_str());
                for w in &f.binds {
                    q = q.bind(w.as_str());
                }
                let n: i64 = q
                    .fetch_one(&store.pool)
                    .await
                    .expect("counted")
                    .try_get("n")
                    .expect("n");
                (n, sql.contains("INTERSECT"))
            }
        };
        assert_eq!(count(["aa", "bb"]).await, (8, true));
        assert_eq!(count(["aa", "cc"]).await, (3_000, true));
        let words = ["aa".to_string(), "bb".into()];
        let f = filter_sql(&CaseFilter::default(), &words, Some(MERGED_PAST));
        let asked = f.words.expect("words");
        assert!(
            !asked.contains("INTERSECT"),
            "a word read from its cases asks"
        );
    }
}
