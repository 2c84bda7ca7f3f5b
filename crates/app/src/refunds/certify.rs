//! Certification: every recorded refund due by a date is decided (interest, offsets against
//! CBP bills, payee), and held refunds are released once their payee can be paid.
//!
//! One transaction per batch of refunds. A decision is written only if the refund is still at
//! the version read, and a bill is reduced only if that much is still open, so two
//! certifications running at once (two instances, or a release racing the daily run) can
//! neither decide a refund twice nor over-apply a bill: the loser's batch rolls back and is read
//! again.

use std::collections::{HashMap, HashSet};

use domain::ImporterNumber;
use domain::payee::{NotifyPartyOnFile, Payee, PayeeFacts, payee_for_refund};
use domain::refund::{Cents, InterestError, RateTable, RefundSource, RefundStatus, accrued_interest};
use serde::Serialize;
use store::refunds::{Application, DecidedBatch, Decision, ImporterFacts, NewEvent, RefundRow};
use store::refunds_decide_sqlite::SqliteDecider;
use time::Date;

use crate::App;
use crate::error::{AppError, AppResult};

/// Refunds decided per transaction through the pool: per decider on PostgreSQL (two write at
/// once, see `run`; a batch's cost there is the server's, per row, whatever its size), and for
/// releases on either engine.
const BATCH: u64 = 2_000;
/// Refunds decided per transaction on SQLite (one writer). Each commit writes every page the
/// batch dirtied, and a decision moves the refund's entry in the importer index to a page far
/// from the previous refund's: a batch of 2,000 dirtied nearly as many pages as it had refunds,
/// one of 20,000 shares most of them. 1,000,000 refunds: 83 s in batches of 2,000, 49 s in
/// batches of 20,000 (docs/performance.md, "Session 16"). A batch holds the write lock for about
/// a second, which other writers wait out (`busy_timeout`).
const BATCH_SQLITE: u64 = 20_000;
/// Attempts at a batch that lost a race before giving up (the next run takes it).
const ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Certified {
    /// Refunds looked at.
    pub examined: u64,
    pub payable: u64,
    pub held_ach_rejected: u64,
    pub funds_diverted: u64,
    /// Payable or held, with part of the money taken by a bill.
    pub partially_diverted: u64,
    /// Held refunds that became payable.
    pub released: u64,
    /// Refunds left recorded because a day of their period has no known interest rate.
    pub waiting_for_rate: u64,
    /// Notices that could not be sent (the refunds are decided all the same).
    pub notices_failed: u64,
}

/// Looks again at every held refund, then decides every refund recorded and due (liquidation
/// date on or before `today`). Idempotent: a second run the same day finds nothing new.
pub async fn certify(app: &App, actor_label: &str, today: Date) -> AppResult<Certified> {
    run(app, actor_label, today, None).await
}

/// The daily job's name in `job_runs`.
const JOB: &str = "certify";
/// A daily claim whose holder has not beaten for this long was left by an instance that died;
/// the next housekeeping tick of any instance takes the run over (a batch takes about a second).
const STALE: time::Duration = time::Duration::minutes(10);

/// `certify`, beating the daily claim of `day` after each batch when given.
///
/// One task reads refunds in id order and hands them to the deciders. On PostgreSQL two deciders
/// write at once, each in its own transaction: a batch's time is mostly the server updating rows
/// and indexes, which a second backend process does on the other core. Each decider takes the
/// refunds of its own importers (by id parity), so the two never wait for each other's locks on
/// the same CBP bills. On SQLite, which has one writer, one decider (the reading of the next
/// batch still overlaps the writing).
async fn run(app: &App, actor_label: &str, today: Date, claim: Option<&str>) -> AppResult<Certified> {
    let started = std::time::Instant::now();
    let table = &super::rates::table(app).await?;
    let deciders: usize = if app.db.kind == store::DbKind::Postgres { 2 } else { 1 };
    // SQLite: one connection of its own reads, another writes (see `refunds_decide_sqlite`).
    let sqlite = match app.db.kind {
        store::DbKind::Sqlite => Some((SqliteDecider::open(&app.db).await?, SqliteDecider::open(&app.db).await?)),
        store::DbKind::Postgres => None,
    };
    let (reader, writer) = match &sqlite {
        Some((r, w)) => (Some(r), Some(w)),
        None => (None, None),
    };
    let batch = if sqlite.is_some() { BATCH_SQLITE } else { BATCH * deciders as u64 };
    let mut out = Certified::default();
    let day = today.to_string();
    // One per decider, kept for both passes.
    let mut caches = [FactsCache::default(), FactsCache::default()];
    // Held refunds first, so those held by this run are not looked at twice.
    for (status, due_by) in [("held_ach_rejected", None), ("recorded", Some(day.as_str()))] {
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..deciders).map(|_| tokio::sync::mpsc::channel::<Vec<RefundRow>>(1)).unzip();
        let read = async move {
            let mut after = 0;
            loop {
                let rows = match reader {
                    Some(r) => r.read(status, due_by, after, batch).await?,
                    None => store::refunds::in_status(&app.db.conn, status, due_by, after, batch).await?,
                };
                let Some(last) = rows.last() else { break };
                after = last.id;
                let mut parts: Vec<Vec<RefundRow>> = vec![Vec::new(); deciders];
                for r in rows {
                    parts[r.importer_id.rem_euclid(deciders as i64) as usize].push(r);
                }
                for (tx, part) in senders.iter().zip(parts) {
                    if !part.is_empty() && tx.send(part).await.is_err() {
                        return Ok(()); // a decider stopped on an error, which it reports
                    }
                }
            }
            Ok::<(), AppError>(())
        };
        let mut receivers = receivers.into_iter();
        let [one, two] = &mut caches;
        let on = Deciding { app, actor: actor_label, today, table };
        let deciding = |rx, cache| decide_all(on, rx, cache, writer, claim);
        let (first, second) = (deciding(receivers.next(), one), deciding(receivers.next(), two));
        // A decider that fails drops its receiver: the reader's next send to it fails and the
        // reader stops, which ends the other decider's channel too.
        let (read, one, two) = tokio::join!(read, first, second);
        add(&mut out, &one?);
        add(&mut out, &two?);
        read?;
    }
    tracing::info!(
        examined = out.examined,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "certification: decided"
    );
    // This run's notices, and any an earlier run left unsent (killed, or mail down).
    out.notices_failed = super::notices::queue_pending(app).await;
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "certification: notices queued");
    Ok(out)
}

/// One decider: decides the batches `rx` brings (none when `rx` is `None`) until the reader
/// stops, beating the daily claim after each.
async fn decide_all(
    on: Deciding<'_>,
    rx: Option<tokio::sync::mpsc::Receiver<Vec<RefundRow>>>,
    cache: &mut FactsCache,
    writer: Option<&SqliteDecider>,
    claim: Option<&str>,
) -> AppResult<Certified> {
    let mut tally = Certified::default();
    let Some(mut rx) = rx else { return Ok(tally) };
    while let Some(rows) = rx.recv().await {
        decide_batch(on, rows, &mut tally, writer, cache).await?;
        if let Some(day) = claim {
            store::job_runs::beat(&on.app.db.conn, JOB, day, store::now()).await?;
        }
    }
    Ok(tally)
}

/// The daily run inside `serve`: the first instance to claim the day certifies; the others (and
/// later ticks of the same day) do nothing, unless the claim's holder died before finishing, in
/// which case the first tick after its heartbeat went stale finishes the run. `None` when this
/// instance did not run it.
pub async fn daily(app: &App, today: Date) -> AppResult<Option<Certified>> {
    let day = today.to_string();
    let now = store::now();
    if !store::job_runs::claim(&app.db.conn, JOB, &day, now, now - STALE).await? {
        return Ok(None);
    }
    let out = run(app, "ACE Refunds (daily certification)", today, Some(&day)).await?;
    store::job_runs::finish(&app.db.conn, JOB, &day, store::now()).await?;
    Ok(Some(out))
}

/// Looks again at the held refunds of these importers (as importer or named notify party):
/// called when bank details become Active, so a held refund is released without anyone asking.
pub async fn release_for(app: &App, importer_ids: &[i64], today: Date) -> AppResult<Certified> {
    let mut out = Certified::default();
    let rows = store::refunds::held_for(&app.db.conn, importer_ids).await?;
    if rows.is_empty() {
        return Ok(out);
    }
    let table = super::rates::table(app).await?;
    let mut cache = FactsCache::default();
    for chunk in rows.chunks(BATCH as usize) {
        let on = Deciding { app, actor: "ACE Refunds", today, table: &table };
        decide_batch(on, chunk.to_vec(), &mut out, None, &mut cache).await?;
    }
    out.notices_failed = super::notices::queue_pending(app).await;
    Ok(out)
}

/// What a batch reads about its importers before deciding.
#[derive(Default)]
struct Facts {
    importers: HashMap<i64, ImporterFacts>,
    /// importer id -> statuses of its live bank-detail versions.
    enrollments: HashMap<i64, Vec<String>>,
    /// importer id -> the notify party in force.
    parties: HashMap<i64, i64>,
}

/// The facts a decider has read during a run, kept from batch to batch: a batch of 20,000
/// refunds names most of the importers, and reading them all again for every batch was a third
/// of certification's reads (docs/performance.md, "Session 17"). Valid while the database's
/// `payee_facts` generation stays where it was when they were read (m0014's triggers move it
/// whenever an importer's number or company type, bank details or notify party change); when
/// it moves, everything is read again. Open bills are not kept: they are read per batch.
#[derive(Default)]
struct FactsCache {
    generation: Option<i64>,
    facts: Facts,
    /// Importers whose record and bank details are in `facts`.
    known: HashSet<i64>,
    /// Importers whose notify party in force was looked up (most have none).
    parties_known: HashSet<i64>,
}

impl FactsCache {
    /// Brings the facts `rows` need into the cache (reading only what is missing) and returns
    /// them.
    async fn facts_for(
        &mut self,
        conn: &impl store::sea_orm::ConnectionTrait,
        rows: &[RefundRow],
        day: &str,
    ) -> AppResult<&Facts> {
        // The generation first: facts read after it are at least that new.
        let generation = store::change_counters::generation(conn, store::change_counters::PAYEE_FACTS).await?;
        if self.generation != Some(generation) {
            *self = FactsCache { generation: Some(generation), ..FactsCache::default() };
        }
        let missing = |known: &HashSet<i64>, ids: &mut dyn Iterator<Item = i64>| -> Vec<i64> {
            ids.filter(|id| !known.contains(id)).collect::<HashSet<_>>().into_iter().collect()
        };
        let ask = missing(&self.parties_known, &mut rows.iter().map(|r| r.importer_id));
        if !ask.is_empty() {
            self.facts.parties.extend(store::refunds::notify_parties_on(conn, &ask, day).await?);
            self.parties_known.extend(ask);
        }
        let parties = &self.facts.parties;
        let ask = missing(
            &self.known,
            &mut rows
                .iter()
                .flat_map(|r| [Some(r.importer_id), parties.get(&r.importer_id).copied(), r.notify_party_id])
                .flatten(),
        );
        if !ask.is_empty() {
            self.facts
                .importers
                .extend(store::refunds::importers_by_ids(conn, &ask).await?.into_iter().map(|i| (i.id, i)));
            for (id, status) in store::refunds::live_enrollments(conn, &ask).await? {
                self.facts.enrollments.entry(id).or_default().push(status);
            }
            self.known.extend(ask);
        }
        Ok(&self.facts)
    }
}

fn active(f: &Facts, id: i64) -> bool {
    f.enrollments.get(&id).is_some_and(|s| s.iter().any(|s| s == "active"))
}

/// Why an importer's bank details cannot be paid into, in words.
fn enrollment_state(f: &Facts, id: i64) -> &'static str {
    match f.enrollments.get(&id) {
        None => "no bank details are on file",
        Some(s) if s.iter().any(|s| s == "pending") => {
            "its bank details are waiting for verification (a test deposit, a few banking days)"
        }
        Some(_) => "its bank details were rejected by the bank; enter new ones",
    }
}

/// What every batch of a run is decided with.
#[derive(Clone, Copy)]
struct Deciding<'a> {
    app: &'a App,
    /// Who the events name.
    actor: &'a str,
    today: Date,
    table: &'a RateTable,
}

async fn decide_batch(
    on: Deciding<'_>,
    rows: Vec<RefundRow>,
    out: &mut Certified,
    sqlite: Option<&SqliteDecider>,
    cache: &mut FactsCache,
) -> AppResult<()> {
    let Deciding { app, actor, today, table } = on;
    for attempt in 1..=ATTEMPTS {
        // After a lost race, read the rows again: some may be decided already.
        let rows = if attempt == 1 { rows.clone() } else { reread(app, &rows).await? };
        let mut tally = Certified::default();
        let written = match sqlite {
            // SQLite: the facts are read through the pool (WAL: the last committed state), the
            // batch written on certification's own connection; its conditional writes refuse
            // the batch if anything it relied on moved in between.
            Some(w) => {
                let batch = read_and_plan(&app.db.conn, today, table, &rows, &mut tally, cache).await?;
                w.write(batch, actor, store::now()).await?
            }
            None => {
                let txn = store::begin_write(&app.db.conn).await?;
                match decide_in(&txn, today, table, &rows, &mut tally, actor, cache).await {
                    Ok(true) => {
                        txn.commit().await?;
                        true
                    }
                    Ok(false) => {
                        txn.rollback().await?;
                        false
                    }
                    // Two deciders (or two instances) reaching the same bills in opposite
                    // orders: the server picks one to fail; it starts over like any batch that
                    // lost a race.
                    Err(AppError::Internal(e)) if e.downcast_ref::<store::DbErr>().is_some_and(store::is_conflict) => {
                        txn.rollback().await?;
                        false
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if written {
            add(out, &tally);
            return Ok(());
        }
    }
    tracing::warn!("certification: a batch kept losing races to another writer; the next run takes it");
    Ok(())
}

/// Reads, decides and writes `rows` inside `txn`; false when another writer got to a refund or
/// a bill first.
async fn decide_in(
    txn: &store::DatabaseTransaction,
    today: Date,
    table: &RateTable,
    rows: &[RefundRow],
    tally: &mut Certified,
    actor: &str,
    cache: &mut FactsCache,
) -> AppResult<bool> {
    let batch = read_and_plan(txn, today, table, rows, tally, cache).await?;
    Ok(store::refunds::write_decided(txn, &batch, actor, store::now()).await?)
}

/// Reads through `conn` what deciding `rows` needs (importers, bank details, notify parties,
/// open bills) and decides them.
async fn read_and_plan(
    conn: &impl store::sea_orm::ConnectionTrait,
    today: Date,
    table: &RateTable,
    rows: &[RefundRow],
    tally: &mut Certified,
    cache: &mut FactsCache,
) -> AppResult<DecidedBatch> {
    let mut bills = open_bills(conn, rows).await?;
    let f = cache.facts_for(conn, rows, &today.to_string()).await?;
    plan(f, &mut bills, today, table, rows, tally)
}

/// The open bills of the batch's importers, oldest first per importer.
async fn open_bills(
    conn: &impl store::sea_orm::ConnectionTrait,
    rows: &[RefundRow],
) -> AppResult<HashMap<i64, Vec<store::bills::BillRow>>> {
    let importer_ids: Vec<i64> = rows.iter().map(|r| r.importer_id).collect::<HashSet<_>>().into_iter().collect();
    let mut bills: HashMap<i64, Vec<store::bills::BillRow>> = HashMap::new();
    for b in store::bills::open_of(conn, &importer_ids).await? {
        bills.entry(b.importer_id).or_default().push(b);
    }
    Ok(bills)
}

async fn reread(app: &App, rows: &[RefundRow]) -> AppResult<Vec<RefundRow>> {
    let numbers: Vec<String> = rows.iter().map(|r| r.refund_number.clone()).collect();
    let mut fresh = store::refunds::by_numbers(&app.db.conn, &numbers).await?;
    fresh.retain(|r| r.status == "recorded" || r.status == "held_ach_rejected");
    fresh.sort_by_key(|r| r.id);
    Ok(fresh)
}

fn add(out: &mut Certified, t: &Certified) {
    out.examined += t.examined;
    out.payable += t.payable;
    out.held_ach_rejected += t.held_ach_rejected;
    out.funds_diverted += t.funds_diverted;
    out.partially_diverted += t.partially_diverted;
    out.released += t.released;
    out.waiting_for_rate += t.waiting_for_rate;
}

/// What to write for `rows`, given what was read about their importers and the open bills
/// (reduced here as they are applied, so the next refund of the batch sees what is left). Pure:
/// the caller writes it in one transaction, which refuses it if a refund or a bill moved since.
fn plan(
    f: &Facts,
    bills: &mut HashMap<i64, Vec<store::bills::BillRow>>,
    today: Date,
    table: &RateTable,
    rows: &[RefundRow],
    tally: &mut Certified,
) -> AppResult<DecidedBatch> {
    let day = today.to_string();
    let mut applications = Vec::new();
    let mut events = Vec::new();
    // Mailed after the commit, one mail per payee (see `notices`); written with the decisions so
    // a run killed after its commit still owes them.
    let mut notices = Vec::new();
    // Written together at the end of the batch, one statement per chunk.
    let mut decisions = Vec::with_capacity(rows.len());
    for r in rows {
        tally.examined += 1;
        let importer = f
            .importers
            .get(&r.importer_id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("refund {} has no importer", r.refund_number)))?;
        // Interest, once: computed at recording when the rates were known, else now.
        let interest = match r.interest_cents {
            Some(c) => c,
            None => match interest_of(table, r, importer) {
                Ok(c) => c,
                Err(InterestError::NoRate { day }) => {
                    let reason = format!(
                        "waiting for the interest rate of the quarter including {day}; it is decided once that rate is loaded"
                    );
                    if r.held_reason != reason {
                        decisions.push(Decision { held_reason: reason, ..unchanged(r) });
                    }
                    tally.waiting_for_rate += 1;
                    continue;
                }
                Err(e) => return Err(AppError::Internal(anyhow::anyhow!("interest of {}: {e}", r.refund_number))),
            },
        };
        let gross = r.principal_cents.checked_add(interest).ok_or_else(|| overflow(r))?;
        let mut offset = r.offset_cents;
        let mut remaining = gross - offset;
        let mut diverted_now = Vec::new();
        if let Some(open) = bills.get_mut(&r.importer_id) {
            for b in open.iter_mut().filter(|b| b.open_cents > 0) {
                if remaining == 0 {
                    break;
                }
                let take = remaining.min(b.open_cents);
                applications.push(Application { bill_id: b.id, refund_id: r.id, amount_cents: take });
                b.open_cents -= take;
                remaining -= take;
                offset += take;
                diverted_now.push((b.bill_number.clone(), take));
            }
        }
        let from = RefundStatus::from_code(&r.status).unwrap_or(RefundStatus::Recorded);
        let first = from == RefundStatus::Recorded;
        let mut d = Decision {
            interest_cents: Some(interest),
            offset_cents: offset,
            net_cents: Some(remaining),
            refund_date: r.refund_date.clone().or_else(|| Some(day.clone())),
            secondary_status: if offset > 0 && remaining > 0 { "partially_diverted".into() } else { String::new() },
            ..unchanged(r)
        };
        let (to, reason) = if remaining == 0 {
            d.status = RefundStatus::FundsDiverted.code().into();
            d.held_reason = String::new();
            d.payee_importer_id = None;
            d.payee_kind = String::new();
            (RefundStatus::FundsDiverted, format!("applied in full to CBP bill(s) {}", bill_list(&diverted_now)))
        } else {
            match payee(f, r, importer) {
                Ok((payee_id, kind, why)) => {
                    d.status = RefundStatus::Payable.code().into();
                    d.held_reason = String::new();
                    d.payee_importer_id = Some(payee_id);
                    d.payee_kind = kind.into();
                    (RefundStatus::Payable, why)
                }
                Err(why) => {
                    d.status = RefundStatus::HeldAchRejected.code().into();
                    d.held_reason = why.clone();
                    d.payee_importer_id = Some(r.importer_id);
                    d.payee_kind = "importer".into();
                    (RefundStatus::HeldAchRejected, why)
                }
            }
        };
        // A held refund that is still held with the same reason and took nothing from a bill
        // needs no new event.
        if !first && to == from && diverted_now.is_empty() && d.held_reason == r.held_reason {
            continue;
        }
        let reason = if !diverted_now.is_empty() && to != RefundStatus::FundsDiverted {
            format!(
                "{reason}; {} applied to CBP bill(s) {}",
                Cents::new(offset - r.offset_cents),
                bill_list(&diverted_now)
            )
        } else {
            reason
        };
        decisions.push(d.clone());
        events.push(NewEvent {
            refund_id: r.id,
            from_status: from.code().into(),
            to_status: to.code().into(),
            reason: reason.clone(),
        });
        match to {
            RefundStatus::Payable if from == RefundStatus::HeldAchRejected => tally.released += 1,
            _ => {}
        }
        match to {
            RefundStatus::Payable => tally.payable += 1,
            RefundStatus::HeldAchRejected => tally.held_ach_rejected += 1,
            RefundStatus::FundsDiverted => tally.funds_diverted += 1,
            _ => {}
        }
        if d.secondary_status == "partially_diverted" && !diverted_now.is_empty() {
            tally.partially_diverted += 1;
        }
        let notice_to = d.payee_importer_id.unwrap_or(r.importer_id);
        if to == RefundStatus::HeldAchRejected && to != from {
            notices.push(super::notices::held(r, notice_to, remaining, &reason));
        }
        if !diverted_now.is_empty() {
            notices.push(super::notices::diverted(r, r.importer_id, offset - r.offset_cents, &diverted_now));
        }
    }
    Ok(DecidedBatch { applications, decisions, events, notices })
}

fn overflow(r: &RefundRow) -> AppError {
    AppError::Internal(anyhow::anyhow!("refund {}: amount overflow", r.refund_number))
}

fn bill_list(b: &[(String, i64)]) -> String {
    b.iter().map(|(n, c)| format!("{n} ({})", Cents::new(*c))).collect::<Vec<_>>().join(", ")
}

/// The decision that changes nothing (the fields a decision does not set keep their values).
fn unchanged(r: &RefundRow) -> Decision {
    Decision {
        id: r.id,
        version: r.version,
        status: r.status.clone(),
        secondary_status: r.secondary_status.clone(),
        held_reason: r.held_reason.clone(),
        interest_cents: r.interest_cents,
        offset_cents: r.offset_cents,
        net_cents: r.net_cents,
        payee_importer_id: r.payee_importer_id,
        payee_kind: r.payee_kind.clone(),
        refund_date: r.refund_date.clone(),
    }
}

/// The interest of a recorded refund, in cents (zero for sources that bear none).
pub(crate) fn interest_of(table: &RateTable, r: &RefundRow, importer: &ImporterFacts) -> Result<i64, InterestError> {
    let source = RefundSource::from_code(&r.source).unwrap_or(RefundSource::Other);
    let Some(basis) = source.interest_basis(importer.company_type == "corporation") else { return Ok(0) };
    // Stored dates were checked when recorded; an unreadable one means a damaged row, reported
    // as an error the caller turns into an internal error (never a guessed interest).
    let (Some(deposit), Some(liq)) = (
        domain::refund::dates::parse_iso_date(&r.deposit_date),
        domain::refund::dates::parse_iso_date(&r.liquidation_date),
    ) else {
        return Err(InterestError::Overflow);
    };
    accrued_interest(table, Cents::new(r.principal_cents), deposit, liq, basis).map(|i| i.cents.get())
}

/// Who is paid, by the payee rule: `(importer id, "importer" | "notify_party", why)`, or why
/// nobody can be.
fn payee(f: &Facts, r: &RefundRow, importer: &ImporterFacts) -> Result<(i64, &'static str, String), String> {
    let number = |id: i64| f.importers.get(&id).and_then(|i| ImporterNumber::parse(&i.number).ok());
    let Some(importer_number) = ImporterNumber::parse(&importer.number).ok() else {
        return Err("the importer number on file is unreadable; CBP staff must correct the 5106 record".into());
    };
    let party_id = f.parties.get(&r.importer_id).copied();
    let on_file = party_id.and_then(|p| number(p).map(|n| NotifyPartyOnFile { party: n, active: true }));
    let reference = r.notify_party_id.and_then(number);
    let payee = payee_for_refund(&PayeeFacts {
        importer: &importer_number,
        importer_enrollment_active: active(f, r.importer_id),
        notify_party: on_file.as_ref(),
        entry_reference: reference.as_ref(),
        party_enrollment_active: party_id.is_some_and(|p| active(f, p)),
    });
    match &payee {
        Payee::NotifyParty(_) => Ok((party_id.unwrap_or(r.importer_id), "notify_party", payee.reason())),
        Payee::Importer(..) => Ok((r.importer_id, "importer", payee.reason())),
        Payee::Nobody(n) => Err(format!(
            "ACH Rejected: importer {} cannot be paid: {}. Enroll bank details on the ACH Refund Authorization tab; \
             the refund is released by itself once they are Active ({})",
            importer_number.masked(),
            enrollment_state(f, r.importer_id),
            n.party_not_used.explain()
        )),
    }
}

#[cfg(test)]
mod tests {
    use domain::refund::RefundStatus;

    /// The Refunds tab reads one arm per status from the store's list of codes: a status added to
    /// the domain and not there would never be listed.
    #[test]
    fn the_store_lists_every_status() {
        let domain: Vec<&str> = RefundStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(domain, store::refunds::STATUSES);
    }
}
