//! The interest-rate table in force: the quarters shipped with the binary, replaced or extended
//! by quarters operators load (`rates load`), which the database keeps.

use domain::Actor;
use domain::refund::{Percent, RateChange, RateRow, RateTable};
use serde::Serialize;

use crate::App;
use crate::error::{AppError, AppResult};

fn to_store(r: &RateRow) -> store::interest_rates::RateRow {
    store::interest_rates::RateRow {
        effective_from: r.effective_from.to_string(),
        overpayment_bp: r.overpayment.basis_points().into(),
        corporate_overpayment_bp: r.corporate_overpayment.basis_points().into(),
        underpayment_bp: r.underpayment.basis_points().into(),
    }
}

fn from_store(r: &store::interest_rates::RateRow) -> Option<RateRow> {
    let bp = |v: i64| u32::try_from(v).ok().map(Percent::from_basis_points);
    Some(RateRow {
        effective_from: domain::refund::dates::parse_iso_date(&r.effective_from)?,
        overpayment: bp(r.overpayment_bp)?,
        corporate_overpayment: bp(r.corporate_overpayment_bp)?,
        underpayment: bp(r.underpayment_bp)?,
    })
}

/// The table in force: shipped quarters, each replaced by a loaded quarter with the same start,
/// plus loaded quarters after the shipped ones.
pub async fn table(app: &App) -> AppResult<RateTable> {
    let loaded = store::interest_rates::all(&app.db.conn).await?;
    if loaded.is_empty() {
        return Ok(RateTable::builtin().clone());
    }
    let mut rows: Vec<RateRow> = RateTable::builtin().rows().to_vec();
    for l in &loaded {
        let r = from_store(l).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("stored interest rate for {} is unreadable", l.effective_from))
        })?;
        match rows.iter_mut().find(|x| x.effective_from == r.effective_from) {
            Some(x) => *x = r,
            None => rows.push(r),
        }
    }
    RateTable::from_rows(rows).map_err(|e| {
        let text = e.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("; ");
        AppError::Internal(anyhow::anyhow!("the stored interest rates do not form a table: {text}"))
    })
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Loaded {
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
}

/// Loads a rate file (header `effective_from,overpayment_pct,corporate_overpayment_pct,
/// underpayment_pct`): every problem is reported with its line; the table that results must
/// have no gap. All or nothing. CBP staff (and operators) only.
pub async fn load(app: &App, actor: &Actor, csv: &str) -> AppResult<Loaded> {
    if actor.role != domain::Role::CbpStaff {
        return Err(AppError::Forbidden("only CBP staff may change interest rates".into()));
    }
    let current = table(app).await?;
    let merge = current.merge_csv(csv).map_err(|e| AppError::Invalid(e.to_field_errors()))?;
    let mut out = Loaded::default();
    let mut write = Vec::new();
    for c in &merge.changes {
        match c {
            RateChange::Added(r) => {
                out.added += 1;
                write.push(to_store(r));
            }
            RateChange::Replaced { new, .. } => {
                out.replaced += 1;
                write.push(to_store(new));
            }
            RateChange::Unchanged(_) => out.unchanged += 1,
        }
    }
    store::interest_rates::upsert(&app.db.conn, &write, &actor.label, store::now()).await?;
    Ok(out)
}
