//! Generation numbers the database keeps for cached views (migration m0005_change_counters
//! explains the triggers that move them).

use sea_orm::sea_query::{Expr, ExprTrait, Query, QueryStatementBuilder, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr};

use crate::schema::ChangeCounters;

/// The data behind the ACH Refund Authorization tab.
pub const ACH_TAB: &str = "ach_tab";

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
