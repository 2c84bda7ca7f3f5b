//! Benchmark helper for the ACH Refund Authorization figures (docs/performance.md, issue 5).
//!
//!   cargo build --release -p app --examples
//!   ach_bench setup     --db URL [--numbers 200] [--users 64] --tokens FILE --sub FILE
//!   ach_bench crypto    [--n 20000]
//!   ach_bench directory --db URL --file FEDACH_FILE [--lookups 20000]
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

use std::time::Instant;

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
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
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
            _ => bail!("usage: ach_bench setup|crypto|directory ..."),
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
