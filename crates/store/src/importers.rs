//! Form 5106 importer rows.

use crate::schema::{Col, Importers};
use sea_orm::sea_query::{Alias, Asterisk, Cond, Expr, ExprTrait, Func, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use time::OffsetDateTime;

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

/// The address columns, mailing then physical, in [`ImporterRow`]'s order ([`ADDRESS_FIELDS`]).
pub(crate) const MAILING_COLUMNS: [Importers; 6] = [
    Importers::MailingLine1,
    Importers::MailingLine2,
    Importers::MailingCity,
    Importers::MailingState,
    Importers::MailingPostalCode,
    Importers::MailingCountry,
];
pub(crate) const PHYSICAL_COLUMNS: [Importers; 6] = [
    Importers::PhysicalLine1,
    Importers::PhysicalLine2,
    Importers::PhysicalCity,
    Importers::PhysicalState,
    Importers::PhysicalPostalCode,
    Importers::PhysicalCountry,
];

/// Columns written on insert, in order (everything but `id` and the import's provenance).
pub(crate) fn insert_columns() -> Vec<Importers> {
    use Importers::*;
    let mut cols = vec![Number, NumberKind, Name, NameSearch, Dba, CompanyType, NumberUses, CbpReasons];
    cols.extend(MAILING_COLUMNS);
    cols.extend(PHYSICAL_COLUMNS);
    cols.extend([Phone, Email, Status, FilerFirmId, CreatedBy, CreatedAt, UpdatedBy, UpdatedAt, Version]);
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
        let s = |c: Importers| r.col::<String>(c);
        let addr = |cols: [Importers; 6]| -> Result<[String; 6], DbErr> {
            let mut out: [String; 6] = Default::default();
            for (o, c) in out.iter_mut().zip(cols) {
                *o = s(c)?;
            }
            Ok(out)
        };
        Ok(ImporterRow {
            id: r.col(Importers::Id)?,
            number: s(Importers::Number)?,
            number_kind: s(Importers::NumberKind)?,
            name: s(Importers::Name)?,
            dba: s(Importers::Dba)?,
            company_type: s(Importers::CompanyType)?,
            number_uses: s(Importers::NumberUses)?,
            cbp_reasons: s(Importers::CbpReasons)?,
            mailing: addr(MAILING_COLUMNS)?,
            physical: addr(PHYSICAL_COLUMNS)?,
            phone: s(Importers::Phone)?,
            email: s(Importers::Email)?,
            status: s(Importers::Status)?,
            filer_firm_id: r.col(Importers::FilerFirmId)?,
            created_by: s(Importers::CreatedBy)?,
            created_at: r.col(Importers::CreatedAt)?,
            updated_by: s(Importers::UpdatedBy)?,
            updated_at: r.col(Importers::UpdatedAt)?,
            version: r.col(Importers::Version)?,
        })
    }
}

pub async fn insert(conn: &impl ConnectionTrait, row: &ImporterRow) -> Result<i64, DbErr> {
    let cols = insert_columns();
    let stmt = Query::insert()
        .into_table(Importers::Table)
        .columns(cols)
        .values_panic(row.values())
        .returning_col(Importers::Id)
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
    stmt.table(Importers::Table);
    for (c, v) in cols.into_iter().zip(vals) {
        if matches!(c, Importers::CreatedBy | Importers::CreatedAt | Importers::Number) {
            continue;
        }
        stmt.value(c, v);
    }
    stmt.and_where(Expr::col(Importers::Id).eq(row.id)).and_where(Expr::col(Importers::Version).eq(row.version - 1));
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

pub async fn by_number(conn: &impl ConnectionTrait, number: &str) -> Result<Option<ImporterRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(Importers::Table)
        .and_where(Expr::col(Importers::Number).eq(number))
        .to_owned();
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
            Expr::col(Importers::Number)
                .like(sea_orm::sea_query::LikeExpr::new(format!("{}%", escape_like(n))).escape('\\')),
        );
    }
    for w in &q.name_words {
        let pat = format!("%{}%", escape_like(w));
        cond = cond.add(
            Cond::any()
                .add(Expr::col(Importers::NameSearch).like(sea_orm::sea_query::LikeExpr::new(pat.clone()).escape('\\')))
                .add(
                    Expr::expr(Func::lower(Expr::col(Importers::Dba)))
                        .like(sea_orm::sea_query::LikeExpr::new(pat).escape('\\')),
                ),
        );
    }
    if let Some(e) = &q.email {
        cond = cond.add(Expr::col(Importers::Email).eq(e.clone()));
    }
    if let Some(s) = &q.status {
        cond = cond.add(Expr::col(Importers::Status).eq(s.clone()));
    }
    let count = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(Importers::Table)
        .cond_where(cond.clone())
        .to_owned();
    let total: i64 = match conn.query_one(&count).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    let stmt = Query::select()
        .column(Asterisk)
        .from(Importers::Table)
        .cond_where(cond)
        .order_by(Importers::NameSearch, Order::Asc)
        .order_by(Importers::Id, Order::Asc)
        .limit(limit)
        .offset(offset)
        .to_owned();
    let rows = conn.query_all(&stmt).await?.iter().map(ImporterRow::from_row).collect::<Result<_, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stmt = Query::select().expr_as(Expr::col(Asterisk).count(), Alias::new("n")).from(Importers::Table).to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<ImporterRow>, DbErr> {
    let stmt =
        Query::select().column(Asterisk).from(Importers::Table).and_where(Expr::col(Importers::Id).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| ImporterRow::from_row(&r)).transpose()
}
