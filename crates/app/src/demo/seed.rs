//! `ace-refunds demo seed`: the synthetic data set of [`super::synthetic`] written into the
//! database, fast enough for ten million refunds, for benchmarks and demos.
//!
//! Each part through a bulk path: the Form 5106 records (the CSV import's `BulkWriter`: one
//! transaction, one history entry for the run), then portal accounts, Trade Account Owners,
//! bank details (sealed with the app's key ring, as the ACH tab saves them), notify parties and
//! bills (multi-row inserts, `store::seed`, a transaction per 1,000 importers), then the refunds
//! (`RefundWriter`, one transaction: rusqlite on SQLite, binary `COPY` on PostgreSQL), generated on a thread of their own in chunks while the
//! previous chunk is written: memory stays flat whatever their number. Every refund is
//! Recorded with its interest computed as `refunds import` computes it; certification decides
//! them like any other.
//!
//! The seed refuses a database that has importer records or refunds (docs/decisions.md).

use std::time::Instant;

use domain::bank::{AccountNumber, RoutingNumber, blind_index_input};
use domain::refund::{Cents, RateTable, accrued_interest};
use store::importers_bulk::{BulkWriter, NewImporter, Stamp};
use store::refunds::NewRefund;
use store::refunds_bulk::RefundWriter;
use store::seed::{IdTable, NewDesignation, NewEnrollment, NewPortalAccount};
use time::Date;

use super::synthetic::{Bank, Synthetic};
use crate::App;
use crate::error::{AppError, AppResult};

/// Who the seeded rows say made them.
pub const SEED_ACTOR: &str = "demo seed";

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub importers: u64,
    pub refunds: u64,
    /// Refunds of the focus importer (the first); `None`: min(refunds / 100, 100,000).
    pub focus_refunds: Option<u64>,
    pub seed: u64,
    /// The last day of refund dates (today by default: never in the future).
    pub today: Date,
}

impl SeedOptions {
    pub fn new(importers: u64, refunds: u64, seed: u64) -> SeedOptions {
        SeedOptions { importers, refunds, focus_refunds: None, seed, today: crate::today() }
    }

    pub fn focus(&self) -> u64 {
        self.focus_refunds.unwrap_or((self.refunds / 100).min(100_000)).min(self.refunds)
    }
}

/// What the seed wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Seeded {
    pub importers: u64,
    pub accounts: u64,
    pub enrollments_active: u64,
    pub enrollments_pending: u64,
    pub designations: u64,
    pub bills: u64,
    pub refunds: u64,
    pub refunds_naming_party: u64,
    pub focus_refunds: u64,
    /// The focus importer: its number and its Trade Account Owner's email.
    pub focus_number: String,
    pub focus_tao_email: String,
    /// Whether the small `serve --demo` set (CBP staff and broker users) was loaded too.
    pub demo_users: bool,
    pub seconds: f64,
}

impl Seeded {
    /// One line: counts per kind and seconds.
    pub fn summary(&self) -> String {
        format!(
            "seeded {} importers, {} portal accounts (TAOs), {} active + {} pending bank enrollments, {} notify \
             parties, {} bills, {} refunds ({} naming a notify party; {} for the focus importer) in {:.1} s",
            self.importers,
            self.accounts,
            self.enrollments_active,
            self.enrollments_pending,
            self.designations,
            self.bills,
            self.refunds,
            self.refunds_naming_party,
            self.focus_refunds,
            self.seconds
        )
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{what}: {e}"))
}

/// Seeds the database; `progress` gets a line now and then (the CLI prints it on stderr).
pub async fn seed(app: &App, o: &SeedOptions, progress: &mut (dyn FnMut(&str) + Send)) -> AppResult<Seeded> {
    let started = Instant::now();
    if store::seed::has_importers_or_refunds(&app.db.conn).await? {
        return Err(AppError::Conflict(
            "This database already has importer records or refunds: the seed writes only into a database \
             without them, so synthetic data never mixes with real records and seeded numbers never collide. \
             Seed a fresh database (a new SQLite file, or a new PostgreSQL database)."
                .into(),
        ));
    }
    if o.importers == 0 {
        return Err(AppError::field("importers", "seed at least one importer"));
    }
    let s = Synthetic::new(o.seed, o.importers, o.today);
    let mut out = Seeded { focus_number: s.number(0), focus_tao_email: s.tao(0).0, ..Default::default() };
    // The CBP staff and broker users of `serve --demo`, so the seeded data can be looked at as
    // CBP (their importer numbers are never generated).
    out.demo_users = super::load_if_empty(app).await?;

    importers(app, &s, &mut out, progress).await?;
    let ids = importer_ids(app, &s, progress).await?;
    accounts(app, &s, &ids, &mut out, progress).await?;
    refunds(app, &s, &ids, o.refunds, o.focus(), &mut out, progress).await?;
    store::seed::analyze(&app.db.conn, app.db.kind).await?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

async fn importers(
    app: &App,
    s: &Synthetic,
    out: &mut Seeded,
    progress: &mut (dyn FnMut(&str) + Send),
) -> AppResult<()> {
    let stamp = Stamp {
        at: store::now(),
        actor_user_id: None,
        actor_label: SEED_ACTOR.into(),
        filer_firm_id: None,
        source: SEED_ACTOR.into(),
    };
    let chunk_rows = BulkWriter::chunk_rows(app.db.kind);
    let mut writer = BulkWriter::begin(&app.db).await?;
    let mut chunk: Vec<NewImporter> = Vec::with_capacity(chunk_rows);
    for i in 0..s.importers() {
        let valid =
            s.draft(i).validate().map_err(|e| internal("a generated 5106 record is invalid", format!("{e:?}")))?;
        chunk.push(crate::registry::import_csv::parse::new_importer(valid, i + 1));
        if chunk.len() == chunk_rows {
            writer.create(&stamp, std::mem::take(&mut chunk)).await?;
            progress(&format!("importers: {} of {}", i + 1, s.importers()));
        }
    }
    writer.create(&stamp, chunk).await?;
    writer.commit().await?;
    out.importers = s.importers();
    progress(&format!("importers: {} written", s.importers()));
    Ok(())
}

/// The ids of the seeded records, by index.
async fn importer_ids(app: &App, s: &Synthetic, progress: &mut (dyn FnMut(&str) + Send)) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(s.importers() as usize);
    let mut i = 0;
    while i < s.importers() {
        let end = (i + 1_000).min(s.importers());
        let numbers: Vec<String> = (i..end).map(|k| s.number(k)).collect();
        let found = store::refunds::importers_by_numbers(&app.db.conn, &numbers).await?;
        let by_number: std::collections::HashMap<&str, i64> = found.iter().map(|f| (f.number.as_str(), f.id)).collect();
        for n in &numbers {
            ids.push(*by_number.get(n.as_str()).ok_or_else(|| internal("a seeded importer was not found", n))?);
        }
        i = end;
    }
    progress(&format!("importers: {} ids read", ids.len()));
    Ok(ids)
}

/// Portal accounts with their TAOs, bank details, notify parties and bills, a transaction per
/// 1,000 importers.
async fn accounts(
    app: &App,
    s: &Synthetic,
    ids: &[i64],
    out: &mut Seeded,
    progress: &mut (dyn FnMut(&str) + Send),
) -> AppResult<()> {
    // One Argon2 hash for every seeded user: hashing per user would take hours.
    let hash = crate::portal::users::hash_password_off_thread(super::DEMO_PASSWORD).await?;
    let at = store::now();
    let conn = &app.db.conn;
    let mut account_id = store::seed::next_id(conn, IdTable::TopAccounts).await?;
    let mut sub_id = store::seed::next_id(conn, IdTable::SubAccounts).await?;
    let mut user_id = store::seed::next_id(conn, IdTable::Users).await?;
    let mut enrollment_id = store::seed::next_id(conn, IdTable::BankEnrollments).await?;
    let effective = s.designations_effective().to_string();
    let step = 1_000u64;
    let mut i = 0;
    while i < s.importers() {
        let end = (i + step).min(s.importers());
        let mut portal = Vec::new();
        let mut banks = Vec::new();
        let mut designations = Vec::new();
        let mut bills = Vec::new();
        for k in i..end {
            let t = s.traits(k);
            let importer_id = ids[k as usize];
            let (tao_email, tao_name) = s.tao(k);
            if t.portal {
                portal.push(NewPortalAccount {
                    account_id,
                    sub_account_id: sub_id,
                    user_id,
                    importer_id,
                    name: s.name(k),
                    tao_email,
                    tao_name: tao_name.clone(),
                });
                if t.bank != Bank::None {
                    let b = s.bank(k);
                    let routing = RoutingNumber::parse(b.routing).map_err(|e| internal("routing", e))?;
                    let account = AccountNumber::parse(&b.account).map_err(|e| internal("account", e))?;
                    banks.push(NewEnrollment {
                        id: enrollment_id,
                        importer_id,
                        status: if t.bank == Bank::Active { "active" } else { "pending" },
                        routing: b.routing.into(),
                        bank_name: b.bank_name.into(),
                        account_type: b.account_type,
                        account_sealed: app
                            .keys
                            .seal(account.expose_for_ach_file(), &crate::ach::change::account_aad(enrollment_id))
                            .map_err(|e| internal("sealing an account number", e))?,
                        account_last4: account.last4().into(),
                        account_blind: app
                            .keys
                            .blind_index(&blind_index_input(&routing, &account))
                            .map_err(|e| internal("blind index", e))?,
                        holder_name: s.name(k),
                        created_by: user_id,
                        created_by_name: tao_name.clone(),
                    });
                    enrollment_id += 1;
                }
                account_id += 1;
                sub_id += 1;
                user_id += 1;
            }
            if let Some(p) = t.party {
                designations.push(NewDesignation {
                    importer_id,
                    party_importer_id: ids[p as usize],
                    effective_on: effective.clone(),
                    created_by_name: tao_name,
                });
            }
            if let Some(b) = s.bill(k) {
                bills.push(store::bills::NewBill {
                    bill_number: b.number,
                    importer_id,
                    amount_cents: b.amount_cents,
                    bill_date: b.date.to_string(),
                });
            }
        }
        // One transaction per 1,000 importers: PostgreSQL's ACH-tab triggers (m0007) run at commit
        // and remember the numbers and sub-accounts a transaction has bumped in a text list they
        // search for each row, so one transaction for 100,000 importers spent four minutes in
        // its commit (docs/performance.md, "demo seed").
        let txn = store::begin_write(conn).await?;
        store::seed::insert_portal_accounts(&txn, &portal, &hash, "email", at).await?;
        store::seed::insert_enrollments(&txn, &banks, at).await?;
        store::seed::insert_designations(&txn, &designations, at).await?;
        store::bills::insert(&txn, &bills, SEED_ACTOR, at).await?;
        txn.commit().await?;
        out.accounts += portal.len() as u64;
        out.enrollments_active += banks.iter().filter(|b| b.status == "active").count() as u64;
        out.enrollments_pending += banks.iter().filter(|b| b.status == "pending").count() as u64;
        out.designations += designations.len() as u64;
        out.bills += bills.len() as u64;
        i = end;
        if i % 20_000 == 0 || i == s.importers() {
            progress(&format!("accounts, bank details, notify parties, bills: {i} of {} importers", s.importers()));
        }
    }
    store::seed::after_explicit_ids(conn, app.db.kind).await?;
    Ok(())
}

/// A refund as `refunds import` records it: interest computed when the rates cover the period.
fn new_refund(table: &RateTable, s: &Synthetic, ids: &[i64], r: super::synthetic::SynthRefund) -> NewRefund {
    let corporation = s.traits(r.importer).corporation();
    let interest = match r.source.interest_basis(corporation) {
        None => Some(0),
        Some(basis) => accrued_interest(table, Cents::new(r.principal_cents), r.deposit, r.liquidation, basis)
            .ok()
            .map(|i| i.cents.get()),
    };
    NewRefund {
        refund_number: r.number,
        importer_id: ids[r.importer as usize],
        filer_code: r.entry.filer_code().to_string(),
        entry_number: r.entry.to_string(),
        source: r.source.code().into(),
        principal_cents: r.principal_cents,
        deposit_date: r.deposit.to_string(),
        liquidation_date: r.liquidation.to_string(),
        notify_party_id: r.notify_party.map(|p| ids[p as usize]),
        interest_cents: interest,
        created_source: SEED_ACTOR.into(),
    }
}

/// The refunds: generated (with interest) on a thread of their own, a chunk at a time, while
/// the writer sends the previous chunk.
async fn refunds(
    app: &App,
    s: &Synthetic,
    ids: &[i64],
    total: u64,
    focus: u64,
    out: &mut Seeded,
    progress: &mut (dyn FnMut(&str) + Send),
) -> AppResult<()> {
    if total == 0 {
        return Ok(());
    }
    let table = crate::refunds::rates::table(app).await?;
    let mut writer = RefundWriter::begin(&app.db).await?;
    let chunk_rows = writer.chunk_rows();
    // Two chunks in the channel, one being generated, one being written: memory is bounded.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<NewRefund>, u64)>(2);
    let (gen_s, gen_ids) = (s.clone(), ids.to_vec());
    let generator = std::thread::spawn(move || {
        let mut chunk = Vec::with_capacity(chunk_rows);
        let mut naming = 0;
        for r in gen_s.refunds(total, focus) {
            naming += u64::from(r.notify_party.is_some());
            chunk.push(new_refund(&table, &gen_s, &gen_ids, r));
            if chunk.len() == chunk_rows {
                if tx.blocking_send((std::mem::replace(&mut chunk, Vec::with_capacity(chunk_rows)), naming)).is_err() {
                    return;
                }
                naming = 0;
            }
        }
        let _ = tx.blocking_send((chunk, naming));
    });
    let at = store::now();
    let started = Instant::now();
    let mut last = Instant::now();
    let mut written = 0u64;
    while let Some((chunk, naming)) = rx.recv().await {
        written += chunk.len() as u64;
        out.refunds_naming_party += naming;
        if let Err(e) = writer.insert(chunk, SEED_ACTOR, at).await {
            drop(rx);
            let _ = generator.join();
            return Err(e.into());
        }
        if last.elapsed().as_secs_f64() >= 2.0 {
            last = Instant::now();
            let rate = written as f64 / started.elapsed().as_secs_f64();
            progress(&format!("refunds: {written} of {total} ({rate:.0}/s)"));
        }
    }
    generator.join().map_err(|_| internal("refund generation", "the generating thread panicked"))?;
    progress(&format!("refunds: {written} generated, committing"));
    writer.commit().await?;
    out.refunds = written;
    out.focus_refunds = focus;
    progress(&format!(
        "refunds: {written} written in {:.1} s ({:.0}/s)",
        started.elapsed().as_secs_f64(),
        written as f64 / started.elapsed().as_secs_f64()
    ));
    Ok(())
}
