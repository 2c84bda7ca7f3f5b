//! Named leases (m0015): one holder at a time, until the lease runs out. The mail sender takes
//! `mail_sender` before delivering and renews it as it goes; a holder that dies leaves a lease
//! that runs out, and the next instance to ask takes it.

use sea_orm::sea_query::{Cond, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::schema::Leases as L;

/// Takes or renews `name` for `holder` until `until`: true when `holder` has it now (it was
/// free, had run out at `now`, or was already this holder's).
pub async fn take(
    conn: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<bool, DbErr> {
    let insert = Query::insert()
        .into_table(L::Table)
        .columns([L::Name, L::Holder, L::Until])
        .values_panic([name.into(), holder.into(), until.into()])
        .on_conflict(OnConflict::column(L::Name).do_nothing().to_owned())
        .to_owned();
    if conn.execute(&insert).await?.rows_affected() == 1 {
        return Ok(true);
    }
    let renew = Query::update()
        .table(L::Table)
        .values([(L::Holder, holder.into()), (L::Until, until.into())])
        .and_where(Expr::col(L::Name).eq(name))
        .cond_where(Cond::any().add(Expr::col(L::Holder).eq(holder)).add(Expr::col(L::Until).lt(now)))
        .to_owned();
    Ok(conn.execute(&renew).await?.rows_affected() == 1)
}

/// Gives `name` back if `holder` has it, so another instance need not wait for it to run out.
pub async fn release(conn: &impl ConnectionTrait, name: &str, holder: &str) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(L::Table)
        .value(L::Until, OffsetDateTime::UNIX_EPOCH)
        .and_where(Expr::col(L::Name).eq(name))
        .and_where(Expr::col(L::Holder).eq(holder))
        .to_owned();
    conn.execute(&stmt).await.map(|_| ())
}
