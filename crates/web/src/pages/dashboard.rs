//! The dashboard: the pipeline by scheme, nation, province and tier, how it
//! moved over time, seats planned against seats flown, and every post's
//! posture over time. Counts only; each count of cases links to the case
//! list filtered to exactly those cases, for roles that may see cases
//! (auditors see the figures without links).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::OperationId;
use domain::access::{Action, role_may};
use domain::movement::MovementStatus;
use domain::operation::Operation;
use domain::pipeline::{Stage, daily_stages};
use domain::scheme::Scheme;
use serde::Deserialize;
use store::CaseCount;

use super::board::class as posture_class;
use super::render::{Nav, PageError, html};
use crate::access::{operation_for, require};
use crate::auth::PageUser;
use crate::charts::{self, Figure, Track};
use crate::filters::{CaseQuery, NONE};
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

/// A count of households (and the people in them), with its list.
pub struct Cell {
    pub households: i64,
    pub people: i64,
    pub href: Option<String>,
}

pub struct DimRow {
    pub label: String,
    pub cells: Vec<Cell>,
}

pub struct DimTable {
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<DimRow>,
}

pub struct MovementRow {
    pub designator: String,
    pub kind: &'static str,
    pub nation: String,
    pub departs: String,
    pub status: &'static str,
    pub seats: u32,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    operation: Operation,
    stages: Vec<&'static str>,
    totals: Vec<Cell>,
    tables: Vec<DimTable>,
    funnel: String,
    map_stage: &'static str,
    map_choices: Vec<(String, &'static str, bool)>,
    map: String,
    unknown_province: Cell,
    over_time: String,
    seats_planned: i64,
    people_booked: i64,
    seats_flown: i64,
    people_departed: i64,
    seats_chart: String,
    movements: Vec<MovementRow>,
    postures: String,
    links: bool,
    aggregates_csv: String,
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    map: Option<String>,
}

/// What the figures of one dimension add up from.
struct Dimension<'a> {
    label: &'a dyn Fn(&CaseCount) -> (String, String),
    query: &'a dyn Fn(&str, &mut CaseQuery),
}

fn list_link(op: &OperationId, q: &CaseQuery) -> String {
    format!("/operations/{op}/cases?{}", q.to_query())
}

/// The pipeline of every value of a dimension, in the order of `order` (keys).
fn table(
    op: &OperationId,
    counts: &[CaseCount],
    dim: &Dimension<'_>,
    order: &[String],
    links: bool,
) -> Vec<DimRow> {
    // key -> (label, per stage (households, people))
    let mut rows: BTreeMap<String, (String, [(i64, i64); 7])> = BTreeMap::new();
    for c in counts {
        let (key, label) = (dim.label)(c);
        let e = rows.entry(key).or_insert_with(|| (label, [(0, 0); 7]));
        for (i, stage) in Stage::ALL.iter().enumerate() {
            if stage.contains(c.status) {
                e.1[i].0 += c.households;
                e.1[i].1 += c.persons;
            }
        }
    }
    let mut keys: Vec<String> = rows.keys().cloned().collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
    keys.into_iter()
        .map(|key| {
            let (label, figures) = &rows[&key];
            DimRow {
                label: label.clone(),
                cells: Stage::ALL
                    .iter()
                    .zip(figures)
                    .map(|(stage, (h, p))| {
                        let mut q = CaseQuery {
                            stage: Some(stage.as_str().to_owned()),
                            ..Default::default()
                        };
                        (dim.query)(&key, &mut q);
                        Cell {
                            households: *h,
                            people: *p,
                            href: links.then(|| list_link(op, &q)),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

fn stage_total(
    counts: &[CaseCount],
    stage: Stage,
    keep: impl Fn(&CaseCount) -> bool,
) -> (i64, i64) {
    counts
        .iter()
        .filter(|c| stage.contains(c.status) && keep(c))
        .fold((0, 0), |(h, p), c| (h + c.households, p + c.persons))
}

fn province_label(code: &str) -> String {
    formats::province::Province::all()
        .find(|p| p.code() == code)
        .map_or_else(|| "Not known".to_owned(), |p| p.name().to_owned())
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewAggregates).await?;
    let map_stage: Stage = match q.map.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.parse().map_err(|_| {
            ApiError::Validation(vec![domain::FieldError::new(
                "map",
                "known_stage",
                "unknown pipeline stage",
            )])
        })?,
        None => Stage::InCountry,
    };
    let links = role_may(me.user.role, Action::ViewCases);
    let id = &operation.id;
    let counts = state.store.case_counts(id).await?;
    let schemes = state.store.list_schemes(id).await?;
    let scheme_of =
        |c: &CaseCount| -> Option<&Scheme> { schemes.iter().find(|s| Some(s.id) == c.scheme_id) };

    let totals: Vec<Cell> = Stage::ALL
        .iter()
        .map(|stage| {
            let (h, p) = stage_total(&counts, *stage, |_| true);
            let q = CaseQuery {
                stage: Some(stage.as_str().to_owned()),
                ..Default::default()
            };
            Cell {
                households: h,
                people: p,
                href: links.then(|| list_link(id, &q)),
            }
        })
        .collect();
    let funnel = charts::bars(
        "Households at each stage of the pipeline",
        &Stage::ALL
            .iter()
            .zip(&totals)
            .map(|(s, c)| Figure {
                label: s.label().to_owned(),
                value: c.households,
                href: c.href.clone(),
            })
            .collect::<Vec<_>>(),
    );

    let scheme_order: Vec<String> = schemes
        .iter()
        .map(|s| s.id.to_string())
        .chain([NONE.to_owned()])
        .collect();
    let by_scheme = table(
        id,
        &counts,
        &Dimension {
            label: &|c| match scheme_of(c) {
                Some(s) => (s.id.to_string(), format!("{} ({})", s.code, s.nation)),
                None => (NONE.to_owned(), "No scheme".to_owned()),
            },
            query: &|k, q| q.scheme = Some(k.to_owned()),
        },
        &scheme_order,
        links,
    );
    let mut nations: Vec<String> = schemes.iter().map(|s| s.nation.clone()).collect();
    nations.sort();
    nations.dedup();
    nations.push(NONE.to_owned());
    let by_nation = table(
        id,
        &counts,
        &Dimension {
            label: &|c| match scheme_of(c) {
                Some(s) => (s.nation.clone(), s.nation.clone()),
                None => (NONE.to_owned(), "No scheme".to_owned()),
            },
            query: &|k, q| q.nation = Some(k.to_owned()),
        },
        &nations,
        links,
    );
    let province_order: Vec<String> = formats::province::Province::all()
        .map(|p| p.code().to_owned())
        .chain([NONE.to_owned()])
        .collect();
    let by_province = table(
        id,
        &counts,
        &Dimension {
            label: &|c| {
                if c.province.is_empty() {
                    (NONE.to_owned(), "Not known".to_owned())
                } else {
                    (c.province.clone(), province_label(&c.province))
                }
            },
            query: &|k, q| q.province = Some(k.to_owned()),
        },
        &province_order,
        links,
    );
    let tier_order: Vec<String> = ["1", "2", "3", "4", NONE].map(str::to_owned).to_vec();
    let by_tier = table(
        id,
        &counts,
        &Dimension {
            label: &|c| match c.tier {
                Some(t) => (t.to_string(), format!("Tier {t}")),
                None => (NONE.to_owned(), "No tier".to_owned()),
            },
            query: &|k, q| q.tier = Some(k.to_owned()),
        },
        &tier_order,
        links,
    );

    let map_link = |province: &str| {
        let q = CaseQuery {
            stage: Some(map_stage.as_str().to_owned()),
            province: Some(province.to_owned()),
            ..Default::default()
        };
        links.then(|| list_link(id, &q))
    };
    let map = charts::cartogram(
        &format!("Households by province: {}", map_stage.label()),
        |p| {
            let (h, _) = stage_total(&counts, map_stage, |c| c.province == p.code());
            (h, map_link(p.code()))
        },
    );
    let (uh, up) = stage_total(&counts, map_stage, |c| c.province.is_empty());
    let unknown_province = Cell {
        households: uh,
        people: up,
        href: map_link(NONE),
    };

    let events = state.store.status_events(id).await?;
    let days = daily_stages(events.iter().map(|e| (e.case, e.at.date_naive(), e.to)));
    let over_time = charts::lines(
        "Households at each stage, day by day",
        &Stage::ALL.map(Stage::label),
        &days
            .into_iter()
            .map(|(d, v)| (d, v.to_vec()))
            .collect::<Vec<_>>(),
    );

    let movements = state.store.list_movements(id, None).await?;
    let seats_planned: i64 = movements
        .iter()
        .filter(|m| m.status != MovementStatus::Cancelled)
        .map(|m| i64::from(m.seats))
        .sum();
    let seats_flown: i64 = movements
        .iter()
        .filter(|m| m.status == MovementStatus::Departed)
        .map(|m| i64::from(m.seats))
        .sum();
    // People the approved plan has put on movements still to leave or gone.
    let loads = state.store.movement_loads(id).await?;
    let people_booked: i64 = (movements.iter())
        .filter(|m| m.status != MovementStatus::Cancelled)
        .filter_map(|m| loads.get(&m.id))
        .map(|(_, persons)| i64::from(*persons))
        .sum();
    let people_departed = stage_total(&counts, Stage::Departed, |_| true).1;
    let departed_link = totals[Stage::ALL
        .iter()
        .position(|s| *s == Stage::Departed)
        .unwrap_or(5)]
    .href
    .clone();
    let seats_chart = charts::bars(
        "Seats planned, people booked, seats flown, people departed",
        &[
            Figure {
                label: "Seats planned".into(),
                value: seats_planned,
                href: None,
            },
            Figure {
                label: "People booked by the plan".into(),
                value: people_booked,
                href: None,
            },
            Figure {
                label: "Seats flown".into(),
                value: seats_flown,
                href: None,
            },
            Figure {
                label: "People departed".into(),
                value: people_departed,
                href: departed_link,
            },
        ],
    );
    let movements = movements
        .into_iter()
        .map(|m| MovementRow {
            designator: m.designator,
            kind: match m.kind {
                domain::movement::MovementKind::Flight => "Flight",
                domain::movement::MovementKind::Convoy => "Convoy",
            },
            nation: m.nation,
            departs: m.departs_at.format("%Y-%m-%d %H:%M").to_string(),
            status: match m.status {
                MovementStatus::Planned => "Planned",
                MovementStatus::Boarding => "Boarding",
                MovementStatus::Departed => "Departed",
                MovementStatus::Cancelled => "Cancelled",
            },
            seats: m.seats,
        })
        .collect();

    let board = state.store.posture_board(id).await?;
    let last = board
        .iter()
        .flat_map(|(_, h)| h.iter().map(|e| e.effective_at))
        .max()
        .unwrap_or_else(chrono::Utc::now);
    let tracks: Vec<Track> = board
        .into_iter()
        .map(|(post, history)| Track {
            label: format!("{} · {}", post.nation, post.name),
            spans: history
                .iter()
                .map(|e| {
                    (
                        e.effective_at,
                        e.posture.label(),
                        posture_class(Some(e.posture)),
                    )
                })
                .collect(),
        })
        .collect();
    let postures = charts::timeline(
        "Every post's posture over time",
        &tracks,
        last + chrono::Duration::days(1),
    );

    let page = DashboardPage {
        nav: Some(Nav::new(&me, id)),
        stages: Stage::ALL.iter().map(|s| s.label()).collect(),
        totals,
        tables: vec![
            DimTable {
                id: "by-scheme",
                title: "By scheme",
                rows: by_scheme,
            },
            DimTable {
                id: "by-nation",
                title: "By nation running the scheme",
                rows: by_nation,
            },
            DimTable {
                id: "by-province",
                title: "By province",
                rows: by_province,
            },
            DimTable {
                id: "by-tier",
                title: "By priority tier",
                rows: by_tier,
            },
        ],
        funnel,
        map_stage: map_stage.label(),
        map_choices: Stage::ALL
            .iter()
            .map(|s| {
                (
                    format!("/operations/{id}/dashboard?map={}", s.as_str()),
                    s.label(),
                    *s == map_stage,
                )
            })
            .collect(),
        map,
        unknown_province,
        over_time,
        seats_planned,
        people_booked,
        seats_flown,
        people_departed,
        seats_chart,
        movements,
        postures,
        links,
        aggregates_csv: format!("/api/operations/{id}/exports/aggregates.csv"),
        operation,
    };
    Ok(html(&page))
}

pub struct OverviewRow {
    pub operation: Operation,
    pub cells: Vec<i64>,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    nav: Option<Nav>,
    stages: Vec<&'static str>,
    rows: Vec<OverviewRow>,
}

/// `/dashboard`: the pipeline of every operation the user may see, side by side.
pub async fn overview(
    State(state): State<AppState>,
    PageUser(me): PageUser,
) -> Result<Response, PageError> {
    require(&me.user, Action::ViewOverview, None)?;
    let mut rows = Vec::new();
    for operation in state.store.list_operations().await? {
        if me
            .user
            .operation_id
            .as_ref()
            .is_some_and(|o| *o != operation.id)
        {
            continue;
        }
        let counts = state.store.case_counts(&operation.id).await?;
        rows.push(OverviewRow {
            cells: Stage::ALL
                .iter()
                .map(|s| stage_total(&counts, *s, |_| true).0)
                .collect(),
            operation,
        });
    }
    let nav = rows.first().map(|r| Nav::new(&me, &r.operation.id));
    Ok(html(&OverviewPage {
        nav,
        stages: Stage::ALL.iter().map(|s| s.label()).collect(),
        rows,
    }))
}
