//! A registration surge against a running Muster on loopback: households made
//! from the synthetic Afghan registry (names, scripts, Solar Hijri dates and
//! phone formats as people type them) registered through the public API by
//! many clients at once, while officers search names and open cases. Reports
//! acknowledged registrations per second and latency percentiles per kind of
//! request, as JSON.
//!
//! With `--database`, the same run then measures the physical limit (see
//! `physical.rs`) and reports Muster's rate as a fraction of it.
//!
//! ```text
//! muster-load --base http://127.0.0.1:8080 --operation kabul-2021 \
//!     --people ../shared/data/afghan_names/dev/people.csv \
//!     --officer officer --password PW --registrations 20000 --concurrency 64 \
//!     --database sqlite://DIR/muster.db
//! ```

mod physical;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Parser, Debug, Clone)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    base: String,
    #[arg(long, default_value = "kabul-2021")]
    operation: String,
    /// people.csv of ../shared/data/afghan_names (any size from its gen.py).
    #[arg(long)]
    people: String,
    /// An officer account for the searches and case views.
    #[arg(long, default_value = "officer")]
    officer: String,
    #[arg(long, env = "MUSTER_LOAD_PASSWORD")]
    password: String,
    /// Households to register (the run stops at this count or the duration).
    #[arg(long, default_value_t = 10_000)]
    registrations: usize,
    /// Seconds at most.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Clients sending at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// One officer request (a name search, then the case) every N registrations.
    #[arg(long, default_value_t = 20)]
    officer_every: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The server's database (sqlite://PATH or postgres://...): measure the
    /// physical limit on it after the surge.
    #[arg(long)]
    database: Option<String>,
    /// Households per commit in the physical-limit runs; the ratio is taken
    /// against the last (the most favourable to the database).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 256])]
    groups: Vec<usize>,
}

/// One row of people.csv, as the registry's lists give it.
#[derive(Debug, Clone, Deserialize)]
struct Row {
    given_name: String,
    family_name: String,
    father_name: String,
    full_name_native: String,
    date_of_birth: String,
    sex: String,
    nationality: String,
    tazkira_number: String,
    phone: String,
    province: String,
    employer: String,
}

fn opt(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Null
    } else {
        Value::String(s.to_owned())
    }
}

/// The registry's rows with an index of family names, from which households
/// are drawn.
struct Registry {
    rows: Vec<Row>,
    /// Row numbers by family name (lowercase; rows without one are not in it).
    by_family: HashMap<String, Vec<usize>>,
}

impl Registry {
    fn new(rows: Vec<Row>) -> Registry {
        let mut by_family: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let family = r.family_name.trim().to_lowercase();
            if !family.is_empty() {
                by_family.entry(family).or_default().push(i);
            }
        }
        Registry { rows, by_family }
    }

    /// Another person of the principal's family name: a row of its own, so
    /// that the member's names agree with each other in both scripts. Rows
    /// with the principal's given name may be the principal again (the
    /// registry holds people up to four times) and are passed over.
    fn relative(&self, principal: usize, rng: &mut SmallRng) -> Option<usize> {
        let p = &self.rows[principal];
        let family = self.by_family.get(&p.family_name.trim().to_lowercase())?;
        let given = p.given_name.trim().to_lowercase();
        (0..8)
            .map(|_| family[rng.random_range(0..family.len())])
            .find(|&i| i != principal && self.rows[i].given_name.trim().to_lowercase() != given)
    }
}

/// A household: a principal from one row and up to four members, as families
/// register together. Members are rows of the principal's family name, so that each
/// member's names agree with each other in both scripts; where the registry has none
/// (no family name, or a rare one), a member is another row given the principal's
/// family name, without the native-script name that would then name someone else.
fn household(registry: &Registry, rng: &mut SmallRng, n: usize) -> Value {
    let rows = &registry.rows;
    let p = rng.random_range(0..rows.len());
    let principal = &rows[p];
    let size = match rng.random_range(0..100) {
        0..30 => 1,
        30..55 => 2,
        55..75 => 3,
        75..90 => 4,
        _ => 5,
    };
    let mut members = vec![member(principal, "principal")];
    for _ in 1..size {
        let relationship = if members.len() == 1 {
            "spouse"
        } else {
            "child"
        };
        let m = match registry.relative(p, rng) {
            Some(r) => member(&rows[r], relationship),
            None => {
                let mut m = member(&rows[rng.random_range(0..rows.len())], relationship);
                m["family_name"] = opt(&principal.family_name);
                m["full_name_native"] = Value::Null;
                m
            }
        };
        members.push(m);
    }
    // Numbers unique per household, so that resends are the only replays.
    json!({
        "language": if rng.random_bool(0.7) { "fa" } else { "en" },
        "phone": if principal.phone.trim().is_empty() { json!(format!("+93 70 {:07}", n % 10_000_000)) } else { opt(&principal.phone) },
        "province": opt(&principal.province),
        "members": members,
    })
}

fn member(r: &Row, relationship: &str) -> Value {
    json!({
        "relationship": relationship,
        "given_name": opt(&r.given_name),
        "family_name": opt(&r.family_name),
        "father_name": opt(&r.father_name),
        "full_name_native": opt(&r.full_name_native),
        "date_of_birth": opt(&r.date_of_birth),
        "sex": opt(&r.sex),
        "nationality": opt(&r.nationality),
        "tazkira_number": opt(&r.tazkira_number),
        "employer": opt(&r.employer),
    })
}

#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    statuses: BTreeMap<String, usize>,
    case_ids: Vec<String>,
}

impl Tally {
    fn record(&mut self, kind: &'static str, took: Duration, status: u16) {
        self.latencies.entry(kind).or_default().push(took);
        *self.statuses.entry(format!("{kind} {status}")).or_default() += 1;
    }
}

#[derive(Serialize)]
struct KindReport {
    count: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn sign_in(client: &reqwest::Client, args: &Args) -> anyhow::Result<String> {
    let res = client
        .post(format!("{}/api/session", args.base))
        .json(&json!({"username": args.officer, "password": args.password}))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("signing in as {} answered {}", args.officer, res.status());
    }
    let cookie = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .context("no session cookie")?
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok(cookie)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rows: Vec<Row> = csv::Reader::from_path(&args.people)
        .with_context(|| format!("reading {}", args.people))?
        .deserialize()
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        bail!("{} has no rows", args.people);
    }
    let registry = Arc::new(Registry::new(rows));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let cookie = Arc::new(sign_in(&client, &args).await?);
    let host = args
        .base
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .to_owned();
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration);
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let (client, registry, next, tally, cookie, args, host) = (
            client.clone(),
            registry.clone(),
            next.clone(),
            tally.clone(),
            cookie.clone(),
            args.clone(),
            host.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut rng = SmallRng::seed_from_u64(args.seed * 1_000 + w as u64);
            let url = format!(
                "{}/api/operations/{}/registrations",
                args.base, args.operation
            );
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= args.registrations || Instant::now() >= deadline {
                    break;
                }
                let body = household(&registry, &mut rng, n);
                let t = Instant::now();
                let res = client
                    .post(&url)
                    .header("Idempotency-Key", format!("load-{}-{n}", args.seed))
                    .json(&body)
                    .send()
                    .await;
                let took = t.elapsed();
                let (status, id) = match res {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        (s, v["case_id"].as_str().map(str::to_owned))
                    }
                    Err(_) => (0, None),
                };
                {
                    let mut t = tally.lock().await;
                    t.record("registration", took, status);
                    if let Some(id) = id {
                        t.case_ids.push(id);
                    }
                }
                if args.officer_every > 0 && n % args.officer_every == 0 {
                    officer(
                        &client,
                        &args,
                        &host,
                        &cookie,
                        &registry.rows,
                        &mut rng,
                        &tally,
                    )
                    .await;
                }
            }
        }));
    }
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut tally = Arc::try_unwrap(tally)
        .ok()
        .context("workers still hold the tally")?
        .into_inner();
    let acknowledged = tally.statuses.get("registration 201").copied().unwrap_or(0);
    let mut kinds = BTreeMap::new();
    for (kind, l) in &mut tally.latencies {
        l.sort();
        kinds.insert(
            *kind,
            KindReport {
                count: l.len(),
                p50_ms: percentile(l, 0.50),
                p99_ms: percentile(l, 0.99),
                max_ms: l.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            },
        );
    }
    let rate = acknowledged as f64 / elapsed;
    let mut report = json!({
        "seconds": elapsed,
        "concurrency": args.concurrency,
        "acknowledged_registrations": acknowledged,
        "registrations_per_second": rate,
        "kinds": kinds,
        "statuses": tally.statuses,
    });
    eprintln!("surge: {acknowledged} acknowledged in {elapsed:.1} s, {rate:.0}/s");
    if let Some(url) = &args.database {
        let limits = physical::measure(url, &tally.case_ids, &args.groups).await?;
        if let Some(best) = limits.last() {
            report["ratio_to_physical_limit"] = json!(rate / best.households_per_second);
        }
        report["physical_limit"] = json!(limits);
    }
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// An officer's look: a name search, then the first case it finds (or one
/// just registered).
async fn officer(
    client: &reqwest::Client,
    args: &Args,
    host: &str,
    cookie: &str,
    rows: &[Row],
    rng: &mut SmallRng,
    tally: &Mutex<Tally>,
) {
    let row = &rows[rng.random_range(0..rows.len())];
    let name = if row.given_name.trim().is_empty() {
        &row.family_name
    } else {
        &row.given_name
    };
    let t = Instant::now();
    let res = client
        .post(format!("{}/api/cases/search", args.base))
        .header(reqwest::header::COOKIE, cookie)
        .header(reqwest::header::ORIGIN, format!("http://{host}"))
        .json(&json!({"operation": args.operation, "name": name}))
        .send()
        .await;
    let took = t.elapsed();
    let (status, found) = match res {
        Ok(r) => {
            let s = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            (s, v["items"][0]["id"].as_str().map(str::to_owned))
        }
        Err(_) => (0, None),
    };
    let id = {
        let mut t = tally.lock().await;
        t.record("search", took, status);
        found.or_else(|| t.case_ids.last().cloned())
    };
    let Some(id) = id else { return };
    let t = Instant::now();
    let status = client
        .get(format!("{}/api/cases/{id}", args.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16());
    tally.lock().await.record("case", t.elapsed(), status);
}
