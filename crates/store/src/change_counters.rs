//! Generation numbers the database keeps for cached views (migration m0005_change_counters
//! explains the triggers that move them).

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr};

/// The data behind the ACH Refund Authorization tab.
pub const ACH_TAB: &str = "ach_tab";

/// The counter's current value. Read it before the data it guards.
pub async fn generation(conn: &impl ConnectionTrait, name: &str) -> Result<i64, DbErr> {
    let stmt = Query::select()
        .column(Alias::new("value"))
        .from(Alias::new("change_counters"))
        .and_where(Expr::col(Alias::new("name")).eq(name))
        .to_owned();
    let row = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::RecordNotFound(format!("change counter {name}")))?;
    row.try_get("", "value")
}
