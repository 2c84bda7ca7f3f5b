//! Form 5106 importer rows.

use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, Func, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// One stored record, flat as in the table. Addresses are six columns each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImporterRow {
    pub id: i64,
    pub number: String,
    pub number_kind: String,
    pub name: String,
    pub dba: String,
    pub company_type: String,
    /// Comma-separated `NumberUse` codes.
    pub number_uses: String,
    pub cbp_reasons: String,
    /// line1, line2, city, state, postal_code, country.
    pub mailing: [String; 6],
    pub physical: [String; 6],
    pub phone: String,
    pub email: String,
    pub status: String,
    pub filer_firm_id: Option<i64>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_by: String,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

pub const ADDRESS_FIELDS: [&str; 6] = ["line1", "line2", "city", "state", "postal_code", "country"];

/// Columns written on insert, in order (everything but `id`).
pub(crate) fn insert_columns() -> Vec<String> {
    let mut cols: Vec<String> =
        ["number", "number_kind", "name", "name_search", "dba", "company_type", "number_uses", "cbp_reasons"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for p in ["mailing", "physical"] {
        for f in ADDRESS_FIELDS {
            cols.push(format!("{p}_{f}"));
        }
    }
    for c in
        ["phone", "email", "status", "filer_firm_id", "created_by", "created_at", "updated_by", "updated_at", "version"]
    {
        cols.push(c.to_string());
    }
    cols
}

impl ImporterRow {
    fn values(&self) -> Vec<SimpleExpr> {
        let mut v: Vec<Value> = vec![
            self.number.clone().into(),
            self.number_kind.clone().into(),
            self.name.clone().into(),
            self.name.to_lowercase().into(),
            self.dba.clone().into(),
            self.company_type.clone().into(),
            self.number_uses.clone().into(),
            self.cbp_reasons.clone().into(),
        ];
        for s in self.mailing.iter().chain(self.physical.iter()) {
            v.push(s.clone().into());
        }
        v.extend([
            self.phone.clone().into(),
            self.email.clone().into(),
            self.status.clone().into(),
            self.filer_firm_id.into(),
            self.created_by.clone().into(),
            self.created_at.into(),
            self.updated_by.clone().into(),
            self.updated_at.into(),
            self.version.into(),
        ]);
        v.into_iter().map(SimpleExpr::from).collect()
    }

    pub(crate) fn from_row(r: &QueryResult) -> Result<Self, DbErr> {
        let s = |c: &str| r.try_get::<String>("", c);
        let addr = |p: &str| -> Result<[String; 6], DbErr> {
            let mut out: [String; 6] = Default::default();
            for (i, f) in ADDRESS_FIELDS.iter().enumerate() {
                out[i] = s(&format!("{p}_{f}"))?;
            }
            Ok(out)
        };
        Ok(ImporterRow {
            id: r.try_get("", "id")?,
            number: s("number")?,
            number_kind: s("number_kind")?,
            name: s("name")?,
            dba: s("dba")?,
            company_type: s("company_type")?,
            number_uses: s("number_uses")?,
            cbp_reasons: s("cbp_reasons")?,
            mailing: addr("mailing")?,
            physical: addr("physical")?,
            phone: s("phone")?,
            email: s("email")?,
            status: s("status")?,
            filer_firm_id: r.try_get("", "filer_firm_id")?,
            created_by: s("created_by")?,
            created_at: r.try_get("", "created_at")?,
            updated_by: s("updated_by")?,
            updated_at: r.try_get("", "updated_at")?,
            version: r.try_get("", "version")?,
        })
    }
}

pub async fn insert(conn: &impl ConnectionTrait, row: &ImporterRow) -> Result<i64, DbErr> {
    let cols = insert_columns();
    let stmt = Query::insert()
        .into_table(a("importers"))
        .columns(cols.iter().map(|c| a(c)))
        .values_panic(row.values())
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// Optimistic update: succeeds only when the stored version is `row.version - 1`, so two
/// editors cannot silently overwrite each other. Returns whether the row was updated.
pub async fn update(conn: &impl ConnectionTrait, row: &ImporterRow) -> Result<bool, DbErr> {
    let cols = insert_columns();
    let vals = row.values();
    let mut stmt = Query::update();
    stmt.table(a("importers"));
    for (c, v) in cols.iter().zip(vals) {
        if c == "created_by" || c == "created_at" || c == "number" {
            continue;
        }
        stmt.value(a(c), v);
    }
    stmt.and_where(Expr::col(a("id")).eq(row.id)).and_where(Expr::col(a("version")).eq(row.version - 1));
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

pub async fn by_number(conn: &impl ConnectionTrait, number: &str) -> Result<Option<ImporterRow>, DbErr> {
    let stmt =
        Query::select().column(Asterisk).from(a("importers")).and_where(Expr::col(a("number")).eq(number)).to_owned();
    conn.query_one(&stmt).await?.map(|r| ImporterRow::from_row(&r)).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Canonical number or its beginning.
    pub number_prefix: Option<String>,
    /// Lower-cased words that must all appear in the name or DBA.
    pub name_words: Vec<String>,
    pub email: Option<String>,
    pub status: Option<String>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub async fn search(
    conn: &impl ConnectionTrait,
    q: &Search,
    limit: u64,
    offset: u64,
) -> Result<(Vec<ImporterRow>, u64), DbErr> {
    let mut cond = Cond::all();
    if let Some(n) = &q.number_prefix {
        cond = cond.add(
            Expr::col(a("number")).like(sea_orm::sea_query::LikeExpr::new(format!("{}%", escape_like(n))).escape('\\')),
        );
    }
    for w in &q.name_words {
        let pat = format!("%{}%", escape_like(w));
        cond = cond.add(
            Cond::any()
                .add(Expr::col(a("name_search")).like(sea_orm::sea_query::LikeExpr::new(pat.clone()).escape('\\')))
                .add(
                    Expr::expr(Func::lower(Expr::col(a("dba"))))
                        .like(sea_orm::sea_query::LikeExpr::new(pat).escape('\\')),
                ),
        );
    }
    if let Some(e) = &q.email {
        cond = cond.add(Expr::col(a("email")).eq(e.clone()));
    }
    if let Some(s) = &q.status {
        cond = cond.add(Expr::col(a("status")).eq(s.clone()));
    }
    let count = Query::select()
        .expr_as(Expr::col(Asterisk).count(), a("n"))
        .from(a("importers"))
        .cond_where(cond.clone())
        .to_owned();
    let total: i64 = match conn.query_one(&count).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("importers"))
        .cond_where(cond)
        .order_by(a("name_search"), Order::Asc)
        .order_by(a("id"), Order::Asc)
        .limit(limit)
        .offset(offset)
        .to_owned();
    let rows = conn.query_all(&stmt).await?.iter().map(ImporterRow::from_row).collect::<Result<_, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stmt = Query::select().expr_as(Expr::col(Asterisk).count(), a("n")).from(a("importers")).to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<ImporterRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("importers")).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| ImporterRow::from_row(&r)).transpose()
}
