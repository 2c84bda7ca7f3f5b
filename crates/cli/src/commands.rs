//! The operator commands (everything but `nacha`, which needs no database).

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use app::{App, AppError};
use clap::{Subcommand, ValueEnum};
use domain::{Actor, ImporterNumber, Role};

use crate::Command;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a CBP staff or broker user. The password is read from ACE_PASSWORD, or standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Broker users: the firm's 3-character filer code (the firm is created if new).
        #[arg(long)]
        filer_code: Option<String>,
        /// Broker users: the firm's name, when the firm is new.
        #[arg(long)]
        firm_name: Option<String>,
        /// Broker users: the firm's own importer number (its own 5106 record), when the firm is new.
        #[arg(long)]
        firm_importer_number: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    CbpStaff,
    Broker,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new API bearer token for a user (shown once; only its hash is stored).
    Create {
        #[arg(long)]
        email: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImporterCommand {
    /// Create or update 5106 records from a CSV file (columns: docs/importer-csv.md). Nothing is written
    /// when any line is bad; every bad line is listed with its number and reason.
    Import {
        file: PathBuf,
        /// Check everything and report what would change, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Act as this user (its role and broker firm apply). Default: the operator, with CBP staff rights.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Print one record as JSON.
    Show { number: String },
}

pub fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACE_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(format!("{},sqlx=warn,sea_orm=warn", cfg.log.level)))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _already =
        if cfg.log.format == crate::config::LogFormat::Json { builder.json().try_init() } else { builder.try_init() };
}

pub(crate) async fn open(cfg: &Config) -> anyhow::Result<App> {
    let mut db = store::Db::connect(&cfg.database_url()).await?;
    db.migrate().await.context("applying migrations")?;
    let transport = if cfg.mail.smtp_url.is_empty() {
        mail::Transport::Outbox(cfg.data_dir.join("outbox"))
    } else {
        mail::Transport::Smtp(cfg.mail.smtp_url.clone())
    };
    let mailer = mail::Mailer::new(transport, &cfg.mail.from).map_err(|e| anyhow::anyhow!("{e}"))?;
    let keys = data_keys(cfg)?;
    Ok(App::new(db, cfg.app_settings(), mailer).with_keys(keys))
}

/// The data key ring: `ACE_DATA_KEY` (or `ACE_DATA_KEY_FILE`), else `<data_dir>/data.key`, made on
/// first use with mode 0600. Several instances (PostgreSQL) must share one key: set it explicitly.
pub(crate) fn data_keys(cfg: &Config) -> anyhow::Result<app::vault::Keyring> {
    let parse = |text: &str, from: &str| app::vault::Keyring::parse(text).map_err(|e| anyhow::anyhow!("{from}: {e}"));
    if let Ok(text) = std::env::var("ACE_DATA_KEY") {
        return parse(&text, "ACE_DATA_KEY");
    }
    if let Ok(path) = std::env::var("ACE_DATA_KEY_FILE") {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read ACE_DATA_KEY_FILE={path}"))?;
        return parse(&text, &path);
    }
    let path = cfg.data_dir.join("data.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return parse(&text, &path.display().to_string());
    }
    std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("cannot create {}", cfg.data_dir.display()))?;
    let keys = app::vault::Keyring::generate();
    if let Err(e) = write_private(&path, &keys.to_text()) {
        // Another process made it first (create_new): use that one, never overwrite a key.
        if path.exists() {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            return parse(&text, &path.display().to_string());
        }
        return Err(e);
    }
    tracing::warn!(
        path = %path.display(),
        "generated a data key for secrets at rest; back it up with the database (without it they cannot be read), \
         and give every instance the same key with ACE_DATA_KEY_FILE"
    );
    Ok(keys)
}

#[cfg(unix)]
pub(crate) fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot create {}", path.display()))
}

/// Prints an application error the way a person can act on it.
pub(crate) fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(fe) => {
            anyhow::anyhow!(fe.0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("\n"))
        }
        AppError::Internal(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}

pub async fn run(cmd: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Serve { listen, demo } => serve(cfg, listen, demo).await,
        Command::Migrate => {
            let mut db = store::Db::connect(&cfg.database_url()).await?;
            db.migrate().await?;
            println!("migrations applied to {}", store::db::redact_url(&cfg.database_url()));
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig => {
            print!("{}", cfg.redacted_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Create { email, name, role, filer_code, firm_name, firm_importer_number }) => {
            let password = read_password()?;
            let app = open(&cfg).await?;
            let role = match role {
                RoleArg::CbpStaff => Role::CbpStaff,
                RoleArg::Broker => Role::Broker,
            };
            let id = app::portal::users::create_user(
                &app,
                &app::portal::users::CreateUser {
                    email: &email,
                    name: &name,
                    role,
                    password: &password,
                    filer_code: filer_code.as_deref(),
                    firm_name: firm_name.as_deref(),
                    firm_importer_number: firm_importer_number.as_deref(),
                },
            )
            .await
            .map_err(explain)?;
            println!("created {} user {} (id {id})", role.code(), email.trim().to_ascii_lowercase());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let app = open(&cfg).await?;
            let token = app::portal::users::create_token(&app, &email, &name).await.map_err(explain)?;
            println!("{token}");
            eprintln!("Keep this token secret; it is shown only once. Use it as: Authorization: Bearer <token>");
            Ok(ExitCode::SUCCESS)
        }
        Command::Importer(ImporterCommand::Import { file, dry_run, as_user }) => {
            import(cfg, file, dry_run, as_user).await
        }
        Command::Importer(ImporterCommand::Show { number }) => {
            let number = ImporterNumber::parse(&number).map_err(|e| anyhow::anyhow!("importer number: {e}"))?;
            let app = open(&cfg).await?;
            let rec = app::registry::importers::get_by_number(&app, &number).await.map_err(explain)?;
            println!("{}", serde_json::to_string_pretty(&rec)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Routing(c) => crate::ach_cmd::routing(cfg, c).await,
        Command::Prenotes(c) => crate::ach_cmd::prenotes(cfg, c).await,
        Command::AchReplies(c) => crate::ach_cmd::replies(cfg, c).await,
        Command::Keys(c) => crate::ach_cmd::keys(cfg, c).await,
        Command::Refunds(c) => crate::refunds_cmd::refunds(cfg, c).await,
        Command::Rates(c) => crate::refunds_cmd::rates(cfg, c).await,
        Command::Bills(c) => crate::refunds_cmd::bills(cfg, c).await,
        Command::Demo(c) => crate::demo_cmd::demo(cfg, c).await,
        Command::Mail(c) => crate::mail_cmd::mail(cfg, c).await,
        Command::Nacha(_) | Command::Interest { .. } => unreachable!("handled before configuration is loaded"),
    }
}

/// ACE_PASSWORD, else a prompt on a terminal, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("ACE_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(p == again, "the two passwords differ");
        return Ok(p);
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.lines().next().unwrap_or("").to_string())
}

async fn serve(cfg: Config, listen: Option<String>, demo: bool) -> anyhow::Result<ExitCode> {
    let listen = listen.unwrap_or_else(|| cfg.http.listen.clone());
    let mut app = open(&cfg).await?;
    if demo && app::demo::load_if_empty(&app).await.map_err(explain)? {
        println!("Demo data loaded. Log in at the address below with either user:");
        println!("  CBP staff: {}", app::demo::STAFF_EMAIL);
        println!("  Broker:    {}", app::demo::BROKER_EMAIL);
        println!("  Password:  {}", app::demo::DEMO_PASSWORD);
        println!("Every login asks for a second factor; codes sent by email land in {}", outbox_hint(&cfg));
        println!("A demo importer without a portal account can apply at /apply: see docs/accounts.md.");
    } else if demo {
        println!("The database already has users: demo data not loaded. Demo password: {}", app::demo::DEMO_PASSWORD);
    }
    let listener =
        tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let public_url = if cfg.http.public_url.is_empty() {
        format!("http://{}", listener.local_addr()?)
    } else {
        cfg.http.public_url()
    };
    let web_cfg = web::WebConfig { public_url: public_url.clone(), listen: listen.clone(), ..cfg.http.clone() };
    // Links in mail point where people reach this server.
    app.settings.public_url = public_url.clone();
    let state = web::AppState::new(app.clone(), web_cfg)?;
    // Housekeeping hourly (expired sessions, old rate-limit windows, idle users); idempotent, so
    // several instances may all do it.
    // The mail sender: queued mail goes out within seconds (one instance at a time).
    tokio::spawn(app::mail_queue::run_sender(app.clone()));
    let sweeper = app.clone();
    tokio::spawn(async move {
        loop {
            match app::housekeeping::run(&sweeper).await {
                Ok(s) => tracing::debug!(?s, "housekeeping"),
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
    println!("ace-refunds listening on {public_url}");
    tracing::info!(%listen, database = %store::db::redact_url(&cfg.database_url()), "serving");
    web::serve(state, listener).await?;
    Ok(ExitCode::SUCCESS)
}

fn outbox_hint(cfg: &Config) -> String {
    if cfg.mail.smtp_url.is_empty() {
        format!("{} (readable .eml files)", cfg.data_dir.join("outbox").display())
    } else {
        "the mailboxes of the SMTP server configured in smtp_url".into()
    }
}

async fn import(cfg: Config, file: PathBuf, dry_run: bool, as_user: Option<String>) -> anyhow::Result<ExitCode> {
    let f = std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let app = open(&cfg).await?;
    let actor = match as_user {
        Some(email) => {
            let email = domain::Email::parse(&email).map_err(|m| anyhow::anyhow!("--as: {m}"))?;
            let u = store::users::by_email(&app.db.conn, email.as_str())
                .await?
                .ok_or_else(|| anyhow::anyhow!("--as: no user with this email"))?;
            app::portal::users::actor_of(&u)
        }
        None => Actor::operator(),
    };
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let source = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let reader = std::io::BufReader::with_capacity(1 << 20, f);
    let b = bar.clone();
    let report = app::registry::import_csv::import(
        &app,
        &actor,
        reader,
        &app::registry::import_csv::ImportOptions { dry_run, source: &source },
        &mut move |pos| b.set_position(pos),
    )
    .await
    .map_err(explain)?;
    bar.finish_and_clear();
    for e in &report.errors {
        eprintln!("line {}: {}", e.line, e.message);
    }
    if report.error_count > report.errors.len() as u64 {
        eprintln!("... and {} more bad lines", report.error_count - report.errors.len() as u64);
    }
    println!(
        "{} rows: {} to create, {} to update, {} unchanged, {} bad",
        report.rows, report.created, report.updated, report.unchanged, report.error_count
    );
    if report.written {
        println!("import committed");
        Ok(ExitCode::SUCCESS)
    } else if dry_run && report.error_count == 0 {
        println!("dry run: nothing written");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("nothing written: fix the lines above and run the import again");
        Ok(ExitCode::FAILURE)
    }
}
