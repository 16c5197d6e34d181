//! `muster demo`: loads Kabul, August 2021 into the database once, creates one
//! user per role, and serves it.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use domain::audit::Actor;
use domain::case::StatusChange;
use domain::{CaseStatus, OperationId, Role};
use rand::RngCore;
use store::{Store, StoreError};

use crate::database::DatabaseArgs;

/// Households in the demo registry.
pub const HOUSEHOLDS: usize = 3000;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The demo users' shared password (generated and printed when left out).
    #[arg(long, env = "MUSTER_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Load the demo and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub messaging: crate::commands::serve::MessagingArgs,
}

pub const USERS: [(&str, Role, Option<&str>); 6] = [
    ("hq", Role::HqAdmin, None),
    ("officer", Role::ConsularOfficer, None),
    ("caseworker", Role::CaseWorker, None),
    ("gate", Role::GateOfficer, None),
    ("liaison", Role::Liaison, Some("NATO")),
    ("auditor", Role::Auditor, None),
];

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = web::Config::default();
    args.messaging.apply(&mut config)?;
    let store = args.db.open().await?;
    load(&store, HOUSEHOLDS).await?;
    let password = args.password.clone().unwrap_or_else(|| {
        let mut b = [0u8; 9];
        rand::rng().fill_bytes(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
    });
    let created = add_users(&store, &password).await?;
    if created {
        println!("Demo users: hq, officer, caseworker, gate, liaison, auditor");
        if args.password.is_none() {
            println!("Their password: {password}");
        }
    } else {
        println!("Demo users exist already; their password is unchanged.");
    }
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    crate::commands::serve::serve(store, args.listen, config).await
}

/// Creates the demo users unless they exist; true when it created them.
pub async fn add_users(store: &Store, password: &str) -> anyhow::Result<bool> {
    if store.find_login(USERS[0].0).await?.is_some() {
        return Ok(false);
    }
    let op = OperationId::parse(demo::OPERATION_ID)?;
    for (name, role, nation) in USERS {
        crate::commands::user::add(
            store,
            name,
            role,
            Some(op.clone()),
            nation.map(str::to_owned),
            password,
        )
        .await?;
    }
    Ok(true)
}

/// Loads the demo operation in one transaction, unless it is there already.
pub async fn load(store: &Store, households: usize) -> anyhow::Result<()> {
    let id = OperationId::parse(demo::OPERATION_ID)?;
    match store.get_operation(&id).await {
        Ok(_) => return Ok(()),
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let started = Instant::now();
    eprintln!("Loading the demo operation {id} with {households} households ...");
    let data = demo::kabul_2021(households);
    let mut tx = store.write(Actor::Console).await?;
    let op = tx.create_operation(&data.operation).await?;
    for (post, changes) in &data.posts {
        let p = tx.create_post(&op.id, post).await?;
        for c in changes {
            tx.record_posture(p.id, c).await?;
        }
    }
    let mut schemes = Vec::new();
    for s in &data.schemes {
        let id = tx.create_scheme(&op.id, s).await?.id;
        if let Some(rules) = demo::scheme_rules(&s.code) {
            let compiled = rules
                .compile()
                .map_err(|e| anyhow::anyhow!("demo scheme {}: {e}", s.code))?;
            tx.set_scheme_rules(id, &compiled).await?;
        }
        schemes.push(id);
    }
    for point in demo::assembly_points() {
        tx.create_assembly_point(&op.id, &point).await?;
    }
    // The airlift's timetable, moved to start tomorrow, so that the demo's
    // households can be planned onto flights still to leave.
    let first = data.movements.iter().map(|m| m.movement.departs_at).min();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc());
    let shift = match (first, tomorrow) {
        (Some(first), Some(tomorrow)) => {
            tomorrow
                - first
                    .date_naive()
                    .and_hms_opt(0, 0, 0)
                    .map_or(first, |t| t.and_utc())
        }
        _ => chrono::Duration::zero(),
    };
    let mut movements = Vec::new();
    for m in &data.movements {
        let mut movement = m.movement.clone();
        movement.accepts_schemes = m.accepts.iter().map(|&i| schemes[i]).collect();
        movement.departs_at += shift;
        movements.push(tx.create_movement(&op.id, &movement).await?);
    }
    for (n, h) in data.households.iter().enumerate() {
        let mut case = h.case.clone();
        case.scheme_id = h.scheme.map(|i| schemes[i]);
        let case_id = tx
            .create_case(&op, &case, "demo")
            .await
            .context("demo household")?;
        for &to in &h.path {
            match to {
                // Scheduled means a seat and a processing hour, which the
                // pass is made from.
                CaseStatus::Scheduled => {
                    let seat = h.seat.context("a scheduled demo household has a seat")?;
                    let movement = &movements[seat.movement];
                    let slot =
                        movement.departs_at - chrono::Duration::hours(seat.hours_before.into());
                    tx.seat_case(case_id, movement.id, slot)
                        .await
                        .context("seating a demo household")?;
                }
                // A real signed pass, as an officer's call-forward gives;
                // no message is queued, since the demo's numbers are made up.
                CaseStatus::CalledForward => {
                    tx.call_forward(case_id)
                        .await
                        .context("calling a demo household forward")?;
                }
                _ => {
                    tx.change_status(
                        case_id,
                        &StatusChange {
                            to,
                            reason: "demo".into(),
                        },
                    )
                    .await?;
                }
            }
        }
        if (n + 1) % 1000 == 0 {
            eprintln!("  {} households", n + 1);
        }
    }
    tx.commit().await?;
    eprintln!("Demo loaded in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
