//! Benchmark helper for the ACH Refund Authorization figures (docs/performance.md, issue 5).
//!
//!   cargo build --release -p app --examples
//!   ach_bench setup     --db URL [--numbers 200] [--users 64] --tokens FILE --sub FILE
//!   ach_bench crypto    [--n 20000]
//!   ach_bench directory --db URL --file FEDACH_FILE [--lookups 20000]
//!   ach_bench miss      --db URL [--numbers 200] [--n 300]
//!   ach_bench contention --db URL [--companies 100] [--writers 50] [--numbers 10] [--seconds 20]
//!
//! `setup` makes one importer company through the real application flow, puts `--numbers`
//! importer numbers (5106 records) in its Importer sub-account (the first through the
//! application, the others linked directly: the emailed proof per number is not what is
//! measured), enrolls one bank account for all of them in one save, sends and verifies the
//! prenotes, designates a notify party for every tenth number, and opens `--users` full sessions
//! of account users (the TAO and invited Account Users with ACH Full Access), writing their cookie
//! values to `--tokens` and the sub-account id to `--sub`.
//!
//! `crypto` times sealing and opening one account number (AES-256-GCM with associated data) and
//! one blind index, the work an enrollment read or write adds. `directory` times loading the
//! FedACH file (parse + replace in one transaction) and single routing-number lookups.
//!
//! `miss` times what a page view costs when the tab's cache cannot serve it: the access check
//! and the tab's data read from the database (a fresh cache for every read), for one company with
//! `--numbers` enrolled numbers; and the tab's main statement alone (`store::enrollments::tab_rows`).
//!
//! `contention` makes `--companies` importer companies (each through the application flow, with
//! `--numbers` numbers and one bank account saved for them), then for `--seconds` the first
//! `--writers` companies each change the bank details of one of their numbers after another
//! (the real save: optimistic lock, new version, prenote, notices), while every other company's
//! TAO reads its own ACH tab (the real page's data path, cache included) as fast as it is
//! answered. It prints the writes per second with their p50/p99, the tab reads per second with
//! their p50/p99, and how many reads had to go to the database (the cache could not serve them).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::portal::apply::{ApplyForm, Verified};
use app::portal::auth::Client;
use app::{App, Settings};
use store::sea_orm::TransactionTrait;

const PASSWORD: &str = "harbor crane lemon bench";

struct Args(Vec<(String, String)>);

impl Args {
    fn parse(rest: &[String]) -> anyhow::Result<Args> {
        let mut out = Vec::new();
        let mut it = rest.iter();
        while let Some(k) = it.next() {
            let Some(key) = k.strip_prefix("--") else { bail!("unexpected argument {k}") };
            let v = it.next().with_context(|| format!("--{key} needs a value"))?;
            out.push((key.to_string(), v.clone()));
        }
        Ok(Args(out))
    }
    fn str(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn num(&self, key: &str, default: usize) -> anyhow::Result<usize> {
        match self.str(key) {
            Some(v) => v.parse().with_context(|| format!("--{key} {v}: not a number")),
            None => Ok(default),
        }
    }
}

fn main() -> anyhow::Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = argv.first().cloned() else { bail!("usage: ach_bench setup|crypto|directory ...") };
    let args = Args::parse(&argv[1..])?;
    // Two workers, as the server on these 2 cores; `contention` runs its tasks on both.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        if cmd == "crypto" {
            return crypto(&args);
        }
        let url = match args.str("db") {
            Some(u) => u.to_string(),
            None => std::env::var("DATABASE_URL").context("--db or DATABASE_URL is needed")?,
        };
        let mut db = store::Db::connect(&url).await?;
        db.migrate().await?;
        let mailer = mail::Mailer::new(mail::Transport::Memory, "ace <no-reply@ace.invalid>")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let app = App::new(db, Settings::default(), mailer);
        match cmd.as_str() {
            "setup" => setup(&app, &args).await,
            "directory" => directory(&app, &args).await,
            "miss" => miss(&app, &args).await,
            "contention" => contention(Arc::new(app), &args).await,
            _ => bail!("usage: ach_bench setup|crypto|directory|miss|contention ..."),
        }
    })
}

fn e(x: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("{x:?}")
}

fn last_code_to(app: &App, to: &str) -> anyhow::Result<String> {
    let sent = app.mailer.memory_sent();
    let mail = sent.iter().rev().find(|m| m.to == to).with_context(|| format!("no mail to {to}"))?;
    mail.rendered
        .text
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_string)
        .context("no code in the mail")
}

fn draft(number: &str, name: &str, email: &str) -> domain::ImporterDraft {
    domain::ImporterDraft {
        importer_number: number.into(),
        name: name.into(),
        company_type: "corporation".into(),
        number_uses: vec!["importer_of_record".into()],
        physical_address: Some(domain::Address {
            line1: "1 Harbor Way".into(),
            city: "Baltimore".into(),
            state: "MD".into(),
            postal_code: "21201".into(),
            ..Default::default()
        }),
        email: email.into(),
        ..Default::default()
    }
}

async fn setup(app: &App, args: &Args) -> anyhow::Result<()> {
    let numbers = args.num("numbers", 200)?.max(1);
    let users = args.num("users", 64)?.max(1);
    let started = Instant::now();
    let operator = domain::Actor::operator();
    let name = "Harbor Bench Imports Inc";
    let contact = "treasury@harbor.bench.example";
    let owner = "owner@harbor.bench.example";
    let c = Client { ip: "10.80.0.1".into(), user_agent: "ach_bench".into(), device: String::new() };
    app::registry::importers::create(app, &operator, &draft("31-313131300", name, contact)).await.map_err(e)?;
    let form = ApplyForm {
        company_name: name.into(),
        importer_number: "31-313131300".into(),
        requester_name: "Bench Owner".into(),
        requester_email: owner.into(),
        honeypot: String::new(),
    };
    let sent = app::portal::apply::start(app, &form, &c).await.map_err(e)?;
    let code = last_code_to(app, contact)?;
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(app, sent.application_id, &code, &c).await.map_err(e)?
    else {
        bail!("no account made")
    };
    let enrol =
        app::portal::login::set_password(app, &token, PASSWORD, PASSWORD, &c).await.map_err(e)?.context("enrol")?;
    app::portal::login::enrol_email_begin(app, &enrol, &c).await.map_err(e)?;
    let code = last_code_to(app, owner)?;
    let tao = app::portal::login::enrol_email_confirm(app, &enrol, &code, &c).await.map_err(e)?.login;
    let sub = app::portal::accounts::overview(app, &tao.user).await.map_err(e)?.sub_accounts[0].id;

    // The other numbers: suffixes of the same EIN (A1..), linked straight to the sub-account.
    let suffixes: Vec<String> = ('A'..='Y')
        .filter(|c| !matches!(c, 'I' | 'O'))
        .flat_map(|a| ('1'..='9').map(move |d| format!("{a}{d}")))
        .collect();
    let mut ids = Vec::new();
    for s in suffixes.iter().take(numbers - 1) {
        let n = format!("31-3131313{s}");
        ids.push(app::registry::importers::create(app, &operator, &draft(&n, name, contact)).await.map_err(e)?.id);
    }
    let txn = app.db.conn.begin().await?;
    for id in ids {
        store::accounts::add_importer(&txn, sub, id, "ach_bench", store::now()).await?;
    }
    txn.commit().await?;
    let view = app::portal::accounts::sub_account(app, &tao.user, sub).await.map_err(e)?;
    anyhow::ensure!(view.numbers.len() == numbers, "expected {numbers} numbers, found {}", view.numbers.len());

    // One account for all numbers, verified; a notify party on every tenth number.
    let form = app::ach::change::BankForm {
        targets: view.numbers.iter().map(|n| (n.importer_id, 0)).collect(),
        routing: "021000021".into(),
        account: "000123456789".into(),
        account_confirm: "000123456789".into(),
        account_type: "checking".into(),
        holder_name: name.into(),
        holder_confirmed: false,
    };
    app::ach::change::save(app, &tao.user, sub, &form).await.map_err(e)?;
    let dir = std::env::temp_dir().join(format!("ach-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("prenotes.ach");
    let _ = std::fs::remove_file(&file);
    app::ach::prenotes::export(app, &file, "ach_bench").await.map_err(e)?;
    let later = domain::calendar::add_banking_days(app::today(), 10);
    app::ach::prenotes::promote(app, later).await.map_err(e)?;
    app::registry::importers::create(
        app,
        &operator,
        &draft("32-323232300", "Bench Notify Party LLC", "np@bench.example"),
    )
    .await
    .map_err(e)?;
    for n in view.numbers.iter().step_by(10) {
        app::ach::notify_parties::designate(app, &tao.user, sub, n.importer_id, "32-323232300", "").await.map_err(e)?;
    }

    // Sessions: the TAO and invited Account Users with Full Access, one session each.
    let mut tokens = vec![tao.token.clone()];
    let full = domain::portal::Grants { ach: domain::portal::AchAccess::Full, reports: true, notify_parties: true };
    for i in 1..users {
        let email = format!("clerk{i}@harbor.bench.example");
        let inv = app::portal::members::Invite {
            email: email.clone(),
            name: format!("Clerk {i}"),
            role: domain::portal::AccountRole::User,
            grants: vec![(sub, full)],
        };
        app::portal::members::invite(app, &tao.user, &inv).await.map_err(e)?;
        let link = {
            let sent = app.mailer.memory_sent();
            let m = sent.iter().rev().find(|m| m.to == email).context("no invitation")?;
            let text = &m.rendered.text;
            let at = text.find("/invitation/").context("no link")? + "/invitation/".len();
            text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>()
        };
        let ip = format!("10.81.{}.{}", i / 250, i % 250 + 1);
        let cc = Client { ip: ip.clone(), user_agent: "ach_bench".into(), device: String::new() };
        let pending = app::portal::login::redeem_link(app, "invitation", &link, &cc).await.map_err(e)?;
        let next = app::portal::login::set_password(app, &pending, PASSWORD, PASSWORD, &cc)
            .await
            .map_err(e)?
            .context("enrol")?;
        app::portal::login::enrol_email_begin(app, &next, &cc).await.map_err(e)?;
        let code = last_code_to(app, &email)?;
        tokens.push(app::portal::login::enrol_email_confirm(app, &next, &code, &cc).await.map_err(e)?.login.token);
    }
    std::fs::write(args.str("tokens").context("--tokens FILE is needed")?, tokens.join("\n") + "\n")?;
    std::fs::write(args.str("sub").context("--sub FILE is needed")?, format!("{sub}\n"))?;
    let tab = app::ach::tab::tab(app, &tao.user, sub).await.map_err(e)?;
    anyhow::ensure!(tab.data.rows.iter().all(|r| r.current.as_ref().is_some_and(|c| c.status.pays())), "all Active");
    eprintln!(
        "setup: 1 account, {numbers} importer numbers enrolled and Active, {} notify parties, {} sessions in {:.1} s",
        numbers.div_ceil(10),
        tokens.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn crypto(args: &Args) -> anyhow::Result<()> {
    let n = args.num("n", 20_000)?;
    let keys = app::vault::Keyring::generate();
    let account = "000123456789";
    let (mut seal, mut open, mut blind) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let aad = format!("bank_enrollments.account:{i}");
        let t = Instant::now();
        let sealed = keys.seal(account, &aad).map_err(e)?;
        seal.push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        let plain = keys.open(&sealed, &aad).map_err(e)?;
        open.push(t.elapsed().as_nanos() as f64);
        anyhow::ensure!(plain == account);
        let t = Instant::now();
        std::hint::black_box(keys.blind_index(&format!("021000021:{account}")).map_err(e)?);
        blind.push(t.elapsed().as_nanos() as f64);
    }
    for (what, v) in [("seal", &mut seal), ("open", &mut open), ("blind index", &mut blind)] {
        println!(
            "{what}: median {:.2} µs, p99 {:.2} µs ({n} runs)",
            percentile(v, 0.5) / 1e3,
            percentile(v, 0.99) / 1e3
        );
    }
    Ok(())
}

async fn directory(app: &App, args: &Args) -> anyhow::Result<()> {
    let file = args.str("file").context("--file FEDACH_FILE is needed")?;
    let text = std::fs::read_to_string(file)?;
    let t = Instant::now();
    let (participants, bad) = domain::fedach::parse_directory(&text);
    let parse = t.elapsed();
    let t = Instant::now();
    let s = app::ach::directory::load(app, &text, "bench", "ach_bench").await.map_err(e)?;
    let load = t.elapsed();
    println!(
        "directory: {} participants ({} bad lines): parse {:.1} ms; parse + load into the database {:.0} ms",
        participants.len(),
        bad.len(),
        parse.as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3
    );
    anyhow::ensure!(s.participants > 0);
    let n = args.num("lookups", 20_000)?;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let p = &participants[(i * 7919) % participants.len()];
        let t = Instant::now();
        let found = app::ach::directory::lookup(app, &p.routing).await.map_err(e)?;
        times.push(t.elapsed().as_nanos() as f64);
        anyhow::ensure!(matches!(found, app::ach::directory::Lookup::Found { .. }));
    }
    println!(
        "lookup: median {:.1} µs, p99 {:.1} µs ({n} lookups of listed numbers)",
        percentile(&mut times, 0.5) / 1e3,
        percentile(&mut times, 0.99) / 1e3
    );
    Ok(())
}

/// One importer company made through the application flow: its TAO's session user, its Importer
/// sub-account with `numbers` numbers (EIN `PP-BBBBBBB` with suffixes 00, A1, A2, ...), and one
/// bank account saved for all of them. `c` makes every name, number, address and account unique.
async fn company(
    app: &App,
    c: usize,
    numbers: usize,
) -> anyhow::Result<(app::portal::auth::SessionUser, i64, Vec<i64>)> {
    let operator = domain::Actor::operator();
    let name = format!("Contention {c} Imports Inc");
    let contact = format!("treasury{c}@contention.bench.example");
    let owner = format!("owner{c}@contention.bench.example");
    let ein = format!("{:02}-{:07}", 40 + c / 1_000_000, c % 1_000_000 + 1_000_000);
    let ip = format!("10.90.{}.{}", c / 250, c % 250 + 1);
    let cl = Client { ip, user_agent: "ach_bench".into(), device: String::new() };
    app::registry::importers::create(app, &operator, &draft(&format!("{ein}00"), &name, &contact)).await.map_err(e)?;
    let form = ApplyForm {
        company_name: name.clone(),
        importer_number: format!("{ein}00"),
        requester_name: format!("Owner {c}"),
        requester_email: owner.clone(),
        honeypot: String::new(),
    };
    let sent = app::portal::apply::start(app, &form, &cl).await.map_err(e)?;
    let code = last_code_to(app, &contact)?;
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(app, sent.application_id, &code, &cl).await.map_err(e)?
    else {
        bail!("no account made")
    };
    let enrol =
        app::portal::login::set_password(app, &token, PASSWORD, PASSWORD, &cl).await.map_err(e)?.context("enrol")?;
    app::portal::login::enrol_email_begin(app, &enrol, &cl).await.map_err(e)?;
    let code = last_code_to(app, &owner)?;
    let tao = app::portal::login::enrol_email_confirm(app, &enrol, &code, &cl).await.map_err(e)?.login;
    let sub = app::portal::accounts::overview(app, &tao.user).await.map_err(e)?.sub_accounts[0].id;
    // Suffixes A1..Y9 without I and O (and Z), as `setup`'s.
    let suffixes: Vec<String> = ('A'..='Y')
        .filter(|c| !matches!(c, 'I' | 'O'))
        .flat_map(|a| ('1'..='9').map(move |d| format!("{a}{d}")))
        .collect();
    let mut ids = Vec::new();
    for s in suffixes.iter().take(numbers - 1) {
        let n = format!("{ein}{s}");
        ids.push(app::registry::importers::create(app, &operator, &draft(&n, &name, &contact)).await.map_err(e)?.id);
    }
    let txn = app.db.conn.begin().await?;
    for id in &ids {
        store::accounts::add_importer(&txn, sub, *id, "ach_bench", store::now()).await?;
    }
    txn.commit().await?;
    let view = app::portal::accounts::sub_account(app, &tao.user, sub).await.map_err(e)?;
    let ids: Vec<i64> = view.numbers.iter().map(|n| n.importer_id).collect();
    anyhow::ensure!(ids.len() == numbers, "expected {numbers} numbers, found {}", ids.len());
    app::ach::change::save(
        app,
        &tao.user,
        sub,
        &bank_form(&name, &ids.iter().map(|i| (*i, 0)).collect::<Vec<_>>(), c, 0),
    )
    .await
    .map_err(e)?;
    Ok((tao.user, sub, ids))
}

/// Bank details for `targets`; `c` and `turn` pick the account number, so each company has its
/// own (no "same account at an unrelated importer" flags) and each change differs from the last.
fn bank_form(holder: &str, targets: &[(i64, i32)], c: usize, turn: usize) -> app::ach::change::BankForm {
    let account = format!("{:06}{:06}", c + 1, turn % 2 + 1);
    app::ach::change::BankForm {
        targets: targets.to_vec(),
        routing: "021000021".into(),
        account: account.clone(),
        account_confirm: account,
        account_type: "checking".into(),
        holder_name: holder.into(),
        holder_confirmed: false,
    }
}

async fn miss(app: &App, args: &Args) -> anyhow::Result<()> {
    let numbers = args.num("numbers", 200)?.max(1);
    let n = args.num("n", 300)?.max(1);
    let (user, sub, _) = company(app, 0, numbers).await?;
    let (mut page, mut rows) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        // A new App has an empty cache: every read goes to the database.
        let fresh = App::new(app.db.clone(), Settings::default(), app.mailer.clone());
        let t = Instant::now();
        let tab = app::ach::tab::tab(&fresh, &user, sub).await.map_err(e)?;
        page.push(t.elapsed().as_nanos() as f64);
        anyhow::ensure!(tab.data.rows.len() == numbers);
        let t = Instant::now();
        let r = store::enrollments::tab_rows(&app.db.conn, sub).await?;
        rows.push(t.elapsed().as_nanos() as f64);
        anyhow::ensure!(r.len() == numbers);
    }
    println!(
        "uncached tab ({numbers} numbers): median {:.2} ms, p99 {:.2} ms; tab_rows alone: median {:.2} ms, p99 {:.2} ms ({n} reads)",
        percentile(&mut page, 0.5) / 1e6,
        percentile(&mut page, 0.99) / 1e6,
        percentile(&mut rows, 0.5) / 1e6,
        percentile(&mut rows, 0.99) / 1e6
    );
    Ok(())
}

async fn contention(app: Arc<App>, args: &Args) -> anyhow::Result<()> {
    let companies = args.num("companies", 100)?.max(2);
    let writers = args.num("writers", 50)?.clamp(1, companies - 1);
    let numbers = args.num("numbers", 10)?.max(1);
    let seconds = args.num("seconds", 20)?.max(1) as u64;
    let started = Instant::now();
    let mut made = Vec::with_capacity(companies);
    for c in 0..companies {
        made.push(company(&app, c, numbers).await?);
    }
    eprintln!(
        "contention: {companies} companies of {numbers} numbers set up in {:.1} s; {writers} write, {} read",
        started.elapsed().as_secs_f64(),
        companies - writers
    );
    // Every reader's cache filled once before the clock starts.
    for (user, sub, _) in &made[writers..] {
        app::ach::tab::tab(&app, user, *sub).await.map_err(e)?;
    }
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for (c, (user, sub, ids)) in made.into_iter().enumerate() {
        let app = Arc::clone(&app);
        if c < writers {
            tasks.spawn(async move {
                let name = format!("Contention {c} Imports Inc");
                let mut revisions: Vec<i32> = vec![1; ids.len()];
                let mut times = Vec::new();
                let mut turn = 1;
                while Instant::now() < until {
                    let k = turn % ids.len();
                    let form = bank_form(&name, &[(ids[k], revisions[k])], c, turn);
                    let t = Instant::now();
                    app::ach::change::save(&app, &user, sub, &form).await.map_err(e)?;
                    times.push(t.elapsed().as_nanos() as f64);
                    revisions[k] += 1;
                    turn += 1;
                }
                anyhow::Ok((true, times, 0usize))
            });
        } else {
            tasks.spawn(async move {
                let mut times = Vec::new();
                let mut last: Option<Arc<app::ach::tab::TabData>> = None;
                let mut reread = 0;
                while Instant::now() < until {
                    let t = Instant::now();
                    let tab = app::ach::tab::tab(&app, &user, sub).await.map_err(e)?;
                    times.push(t.elapsed().as_nanos() as f64);
                    // The cache hands out the same Arc until it reads the data again.
                    if last.as_ref().is_some_and(|l| !Arc::ptr_eq(l, &tab.data)) {
                        reread += 1;
                    }
                    last = Some(tab.data);
                }
                anyhow::Ok((false, times, reread))
            });
        }
    }
    let (mut writes, mut reads, mut rereads) = (Vec::new(), Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (writer, times, reread) = done??;
        if writer {
            writes.extend(times)
        } else {
            reads.extend(times)
        }
        rereads += reread;
    }
    let secs = seconds as f64;
    println!(
        "writes: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms ({} in {seconds} s)",
        writes.len() as f64 / secs,
        percentile(&mut writes, 0.5) / 1e6,
        percentile(&mut writes, 0.99) / 1e6,
        writes.len()
    );
    println!(
        "tab reads: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms ({} in {seconds} s, {rereads} read from the database)",
        reads.len() as f64 / secs,
        percentile(&mut reads, 0.5) / 1e6,
        percentile(&mut reads, 0.99) / 1e6,
        reads.len()
    );
    Ok(())
}
