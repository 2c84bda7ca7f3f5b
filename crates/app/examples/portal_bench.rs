//! Set-up and app-level measurements for the portal benchmarks in bench/portal/ (issue 4).
//! Not part of the product: it drives the same library calls the web pages make.
//!
//!   cargo build --release -p app --examples
//!   portal_bench setup    --db URL [--accounts 64] [--tokens FILE] [--emails FILE]
//!   portal_bench logins   --db URL [--logins 400] [--concurrency 4]
//!   portal_bench sessions --db URL [--count 10000] [--tokens FILE] [--user EMAIL]
//!   portal_bench stats    --db URL
//!
//! `--db` defaults to DATABASE_URL (`sqlite://PATH?mode=rwc` or `postgres://...`); migrations
//! are applied first.
//!
//! - `setup`: creates N importer records and N trade portal accounts the way a company gets one:
//!   the application (`app::portal::apply::start`), the code mailed to the record's contact (read from
//!   the in-memory mailer), `verify`, a password (`set_password`, one Argon2id hash each) and
//!   the email second factor (`enrol_email_begin` / `enrol_email_confirm`). Enrolment ends in a
//!   full session; its token (the `ace_session` cookie value) is written one per line to
//!   `--tokens`, the users' emails to `--emails`. Every account uses its own made-up client
//!   address, as N companies would. The password of every user is `harbor crane lemon bench`.
//! - `logins`: the password step of a login (`app::portal::login::password`, which for these users
//!   also issues and mails a code) over all trade users in turn, `--concurrency` tasks on a
//!   current-thread runtime. Run it under `taskset -c 1` for a per-core figure. Also times
//!   `verify_password` alone in the same process and prints logins/s against 1/verify time.
//!   Each made-up client address makes at most 40 attempts, below the per-address limit of 50 per
//!   15 minutes (`app::rate`), which stays as it is.
//! - `sessions`: adds COUNT full sessions spread over the trade users, inserted directly with
//!   `store::sessions::insert` (the row `app::portal::auth` writes at the end of a login, without
//!   spending a login's Argon2 work per session), writes their tokens to `--tokens`, and prints
//!   the bytes the sessions table takes before and after.
//! - `stats`: sessions, how many were seen after they were created, and the bytes they take.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use app::portal::apply::{ApplyForm, Verified};
use app::portal::auth::Client;
use app::portal::login::AfterPassword;
use app::{App, Settings};
use store::sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use store::{Db, DbKind};

/// The password of every benchmark user.
const PASSWORD: &str = "harbor crane lemon bench";
/// A browser's user agent (its length matters for the bytes a session takes).
const USER_AGENT: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/// Attempts per made-up client address in `logins` (the limit is 50 per 15 minutes).
const LOGINS_PER_ADDRESS: usize = 40;

struct Args(HashMap<String, String>);

impl Args {
    fn parse(rest: &[String]) -> anyhow::Result<Args> {
        let mut map = HashMap::new();
        let mut it = rest.iter();
        while let Some(k) = it.next() {
            let Some(key) = k.strip_prefix("--") else { bail!("unexpected argument {k}") };
            let v = it.next().with_context(|| format!("--{key} needs a value"))?;
            map.insert(key.to_string(), v.clone());
        }
        Ok(Args(map))
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn num(&self, key: &str, default: usize) -> anyhow::Result<usize> {
        match self.0.get(key) {
            Some(v) => v.parse().with_context(|| format!("--{key} {v}: not a number")),
            None => Ok(default),
        }
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: portal_bench setup|logins|sessions|stats --db URL [--accounts N] [--tokens FILE] [--logins N] \
         [--concurrency N] [--count N] [--user EMAIL]"
    );
    std::process::exit(2)
}

fn main() -> anyhow::Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = argv.first().cloned() else { usage() };
    let args = Args::parse(&argv[1..])?;
    let url = match args.str("db") {
        Some(u) => u.to_string(),
        None => std::env::var("DATABASE_URL").context("--db or DATABASE_URL is needed")?,
    };
    // One thread: `logins` measures what one core does; the others do not care.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let mut db = Db::connect(&url).await?;
        db.migrate().await?;
        let mailer = mail::Mailer::new(mail::Transport::Memory, "ace-refunds <no-reply@ace-refunds.invalid>")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let app = App::new(db, Settings::default(), mailer);
        match cmd.as_str() {
            "setup" => setup(&app, &args).await,
            "logins" => logins(&app, &args).await,
            "sessions" => sessions(&app, &args).await,
            "stats" => stats(&app).await,
            _ => usage(),
        }
    })
}

/// A made-up client address for the n-th client (10.90.0.1, 10.90.0.2, ...).
fn address(prefix: u8, n: usize) -> String {
    format!("10.{prefix}.{}.{}", n / 250 % 250, n % 250 + 1)
}

fn client(ip: String) -> Client {
    Client { ip, user_agent: USER_AGENT.into(), device: String::new() }
}

/// The first run of exactly six digits in a mail (the code).
fn code_in(text: &str) -> anyhow::Result<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_string)
        .with_context(|| format!("no 6-digit code in the mail: {text}"))
}

fn last_code_to(app: &App, to: &str) -> anyhow::Result<String> {
    let sent = app.mailer.memory_sent();
    let mail = sent.iter().rev().find(|m| m.to == to).with_context(|| format!("no mail to {to}"))?;
    code_in(&mail.rendered.text)
}

async fn trade_users(app: &App) -> anyhow::Result<Vec<(i64, String)>> {
    let sql = "SELECT id, email FROM users WHERE account_id IS NOT NULL AND second_factor <> '' ORDER BY id";
    let rows = app.db.conn.query_all_raw(Statement::from_string(app.db.backend(), sql)).await?;
    rows.iter().map(|r| Ok((r.try_get("", "id")?, r.try_get("", "email")?))).collect()
}

async fn setup(app: &App, args: &Args) -> anyhow::Result<()> {
    let n = args.num("accounts", 64)?;
    let first = trade_users(app).await?.len();
    let operator = domain::Actor::operator();
    let started = Instant::now();
    let mut tokens = Vec::with_capacity(n);
    let mut emails = Vec::with_capacity(n);
    for i in first..first + n {
        let number = format!("77-{i:07}00");
        let company = format!("Bench Importer {i} Inc");
        let contact = format!("poc{i}@importer{i}.bench.example");
        let requester = format!("tao{i}@importer{i}.bench.example");
        let draft = domain::ImporterDraft {
            importer_number: number.clone(),
            name: company.clone(),
            company_type: "corporation".into(),
            number_uses: vec!["importer_of_record".into()],
            physical_address: Some(domain::Address {
                line1: format!("{} Commerce St", 100 + i),
                city: "Baltimore".into(),
                state: "MD".into(),
                postal_code: "21201".into(),
                ..Default::default()
            }),
            email: contact.clone(),
            ..Default::default()
        };
        app::registry::importers::create(app, &operator, &draft)
            .await
            .map_err(|e| anyhow::anyhow!("record {number}: {e}"))?;
        let c = client(address(90, i));
        let form = ApplyForm {
            company_name: company,
            importer_number: number,
            requester_name: format!("Bench Owner {i}"),
            requester_email: requester.clone(),
            honeypot: String::new(),
        };
        let sent = app::portal::apply::start(app, &form, &c).await.map_err(|e| anyhow::anyhow!("apply {i}: {e}"))?;
        let code = last_code_to(app, &contact)?;
        let Verified::NewAccount { token, .. } = app::portal::apply::verify(app, sent.application_id, &code, &c)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        else {
            bail!("application {i} did not create an account")
        };
        let enrol = app::portal::login::set_password(app, &token, PASSWORD, PASSWORD, &c)
            .await
            .map_err(|e| anyhow::anyhow!("set password {i}: {e}"))?
            .context("no enrolment step after the password")?;
        app::portal::login::enrol_email_begin(app, &enrol, &c).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let code = last_code_to(app, &requester)?;
        let done = app::portal::login::enrol_email_confirm(app, &enrol, &code, &c)
            .await
            .map_err(|e| anyhow::anyhow!("enrol {i}: {e}"))?;
        tokens.push(done.login.token);
        emails.push(requester);
    }
    if let Some(path) = args.str("tokens") {
        std::fs::write(path, tokens.join("\n") + "\n")?;
    }
    if let Some(path) = args.str("emails") {
        std::fs::write(path, emails.join("\n") + "\n")?;
    }
    eprintln!(
        "setup: {n} importer records and trade accounts with a full session each in {:.1} s ({} trade users in all)",
        started.elapsed().as_secs_f64(),
        first + n
    );
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn logins(app: &App, args: &Args) -> anyhow::Result<()> {
    let total = args.num("logins", 400)?;
    let concurrency = args.num("concurrency", 4)?.max(1);
    let users = Arc::new(trade_users(app).await?);
    if users.is_empty() {
        bail!("no trade users with a second factor: run `portal_bench setup` first");
    }
    // Where earlier runs on this database stopped, so no address goes over its limit.
    let offset = {
        let sql = "SELECT COUNT(*) AS n FROM login_events WHERE outcome = 'password-ok'";
        let row = app.db.conn.query_one_raw(Statement::from_string(app.db.backend(), sql)).await?;
        let done: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
        usize::try_from(done).unwrap_or(0).div_ceil(LOGINS_PER_ADDRESS) * LOGINS_PER_ADDRESS
    };

    // Argon2id alone, on the hash the users have, just before and just after the logins (the
    // machine is shared: a neighbour's load during one of them shows as a gap between the two).
    let hash = store::users::by_email(&app.db.conn, &users[0].1).await?.context("user")?.password_hash;
    assert!(app::portal::users::verify_password(PASSWORD, &hash), "benchmark users must have the benchmark password");
    let time_verify = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(app::portal::users::verify_password(PASSWORD, &hash));
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    };
    let mut before = time_verify(10);

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (app, users, next) = (app.clone(), users.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= total {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let email = &users[k % users.len()].1;
                let c = client(address(91, (offset + k) / LOGINS_PER_ADDRESS));
                let t = Instant::now();
                match app::portal::login::password(&app, email, PASSWORD, &c).await {
                    Ok(AfterPassword::SecondFactor { .. }) => latencies.push(t.elapsed().as_secs_f64() * 1000.0),
                    Ok(other) => bail!("login {k}: expected the second-factor step, got {other:?}"),
                    Err(e) => bail!("login {k} ({email}): {e}"),
                }
            }
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await??);
    }
    let wall = started.elapsed().as_secs_f64();
    let mut after = time_verify(10);
    let (verify_before, verify_after) = (median(&mut before), median(&mut after));
    let mut all = [before, after].concat();
    let verify = median(&mut all);
    latencies.sort_by(f64::total_cmp);
    let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let rate = total as f64 / wall;
    println!(
        "verify_password: median {verify:.1} ms (before {verify_before:.1}, after {verify_after:.1}) -> 1/verify = \
         {:.1} per s",
        1000.0 / verify
    );
    println!(
        "app-level password logins: {total} over {} users, {concurrency} tasks, one thread: {wall:.2} s, \
         {rate:.1} logins/s ({:.0}% of 1/verify), latency p50 {:.1} ms, p99 {:.1} ms",
        users.len(),
        rate * verify / 10.0,
        p(0.5),
        p(0.99)
    );
    Ok(())
}

/// Bytes of the sessions table with its indexes (SQLite: `dbstat` pages after a WAL checkpoint;
/// PostgreSQL: `pg_total_relation_size`), and of the whole database.
async fn session_bytes(app: &App) -> anyhow::Result<(i64, i64)> {
    let q = |sql: &str| Statement::from_string(app.db.backend(), sql.to_string());
    let one = |row: Option<store::sea_orm::QueryResult>| -> anyhow::Result<i64> {
        Ok(row.context("no row")?.try_get::<Option<i64>>("", "n")?.unwrap_or(0))
    };
    match app.db.kind {
        DbKind::Sqlite => {
            app.db.conn.execute_raw(q("PRAGMA wal_checkpoint(TRUNCATE)")).await?;
            let table = one(app
                .db
                .conn
                .query_one_raw(q("SELECT SUM(pgsize) AS n FROM dbstat WHERE name = 'sessions' OR name IN \
                         (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions')"))
                .await?)?;
            let pages = one(app.db.conn.query_one_raw(q("SELECT page_count AS n FROM pragma_page_count()")).await?)?;
            let size = one(app.db.conn.query_one_raw(q("SELECT page_size AS n FROM pragma_page_size()")).await?)?;
            Ok((table, pages * size))
        }
        DbKind::Postgres => {
            let table = one(app.db.conn.query_one_raw(q("SELECT pg_total_relation_size('sessions') AS n")).await?)?;
            let db =
                one(app.db.conn.query_one_raw(q("SELECT pg_database_size(current_database())::bigint AS n")).await?)?;
            Ok((table, db))
        }
    }
}

async fn sessions(app: &App, args: &Args) -> anyhow::Result<()> {
    let count = args.num("count", 10_000)?;
    let mut users = trade_users(app).await?;
    // --user EMAIL: every session is that user's (e.g. the Refunds tab of one importer).
    if let Some(email) = args.str("user") {
        users.retain(|(_, e)| e == email);
        if users.is_empty() {
            bail!("no trade user with the email {email}");
        }
    }
    if users.is_empty() {
        bail!("no trade users: run `portal_bench setup` first");
    }
    let before_rows = store::sessions::count(&app.db.conn).await?;
    let (before, db_before) = session_bytes(app).await?;
    let now = store::now();
    let expires = now + time::Duration::hours(app.settings.session.absolute_hours);
    let mut tokens = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(1000) {
        let txn = app.db.conn.begin().await?;
        for &k in chunk {
            let token = app::secrets::random_token();
            let ip = address(92, k);
            store::sessions::insert(
                &txn,
                &store::sessions::NewSession {
                    id_hash: &app::secrets::hash_token(&token),
                    user_id: users[k % users.len()].0,
                    stage: store::sessions::FULL,
                    ip: &ip,
                    user_agent: USER_AGENT,
                    at: now,
                    expires_at: expires,
                },
            )
            .await?;
            tokens.push(token);
        }
        txn.commit().await?;
    }
    if let Some(path) = args.str("tokens") {
        std::fs::write(path, tokens.join("\n") + "\n")?;
    }
    if app.db.kind == DbKind::Postgres {
        app.db.conn.execute_unprepared("VACUUM ANALYZE sessions").await?;
    }
    let (after, db_after) = session_bytes(app).await?;
    let rows = store::sessions::count(&app.db.conn).await?;
    println!(
        "sessions: {before_rows} -> {rows} rows; sessions table with indexes {before} -> {after} bytes: {:.0} bytes \
         per added session; whole database {db_before} -> {db_after} bytes: {:.0} bytes per added session",
        (after - before) as f64 / count as f64,
        (db_after - db_before) as f64 / count as f64
    );
    Ok(())
}

async fn stats(app: &App) -> anyhow::Result<()> {
    let sql = "SELECT COUNT(*) AS n FROM sessions WHERE stage = 'full' AND last_seen_at > created_at";
    let row = app.db.conn.query_one_raw(Statement::from_string(app.db.backend(), sql)).await?;
    let seen: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
    let rows = store::sessions::count(&app.db.conn).await?;
    let (table, db) = session_bytes(app).await?;
    println!(
        "sessions: {rows} rows, {seen} full sessions seen after creation; sessions table with indexes {table} bytes \
         ({:.0} per row), whole database {db} bytes",
        table as f64 / rows.max(1) as f64
    );
    Ok(())
}
