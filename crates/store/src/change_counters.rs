//! Generation numbers the database keeps for cached views: m0005_change_counters's shared
//! counters and m0007's per sub-account generation of the ACH tab (the migrations explain the
//! triggers that move them).

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, QueryStatementBuilder, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr};

use crate::schema::{AchTabGenerations, ChangeCounters};

/// The shared part of the ACH tab's data: the FedACH directory (every tab shows when it was loaded).
pub const ACH_TAB: &str = "ach_tab";

/// What certification's payee decisions read about importers (m0014): moves when an importer's
/// number or company type, its bank details or its notify party change.
pub const PAYEE_FACTS: &str = "payee_facts";

/// What the ACH tab's data of one sub-account is valid for: data read after both values were
/// read is current until either moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AchTabGeneration {
    /// [`ACH_TAB`]: moves when the FedACH directory is loaded.
    pub shared: i64,
    /// The sub-account's own: moves when its numbers, their bank details or names, or a notify
    /// party naming or named by one of them change (m0007).
    pub sub_account: i64,
}

fn select(name: &str) -> SelectStatement {
    Query::select()
        .column(ChangeCounters::Value)
        .from(ChangeCounters::Table)
        .and_where(Expr::col(ChangeCounters::Name).eq(name))
        .to_owned()
}

/// The counter's current value. Read it before the data it guards.
pub async fn generation(conn: &impl ConnectionTrait, name: &str) -> Result<i64, DbErr> {
    let row =
        conn.query_one(&select(name)).await?.ok_or_else(|| DbErr::RecordNotFound(format!("change counter {name}")))?;
    row.try_get("", "value")
}

/// The counter as a scalar subquery, for reading it in the statement of the data it guards.
pub(crate) fn generation_expr(name: &str) -> Expr {
    Expr::SubQuery(None, Box::new(select(name).into_sub_query_statement()))
}

/// A sub-account's own ACH tab generation as a scalar subquery (0 before its first change).
pub(crate) fn ach_tab_sub_account_expr(sub_account_id: i64) -> Expr {
    let own = Query::select()
        .column(AchTabGenerations::Value)
        .from(AchTabGenerations::Table)
        .and_where(Expr::col(AchTabGenerations::SubAccountId).eq(sub_account_id))
        .to_owned();
    Func::coalesce([Expr::SubQuery(None, Box::new(own.into_sub_query_statement())), Expr::val(0i64)]).into()
}

/// The ACH tab's generation of one sub-account. Read it before the data it guards.
pub async fn ach_tab_generation(conn: &impl ConnectionTrait, sub_account_id: i64) -> Result<AchTabGeneration, DbErr> {
    let stmt = Query::select()
        .expr_as(generation_expr(ACH_TAB), sea_orm::sea_query::Alias::new("shared"))
        .expr_as(ach_tab_sub_account_expr(sub_account_id), sea_orm::sea_query::Alias::new("own"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::RecordNotFound("ACH tab generation".into()))?;
    Ok(AchTabGeneration { shared: r.try_get("", "shared")?, sub_account: r.try_get("", "own")? })
}
