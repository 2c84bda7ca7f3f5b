//! Trade portal accounts: top accounts, sub-accounts, the importer numbers an Importer
//! sub-account holds, portal roles and permissions, second factors, one-time codes and links,
//! account applications, rate-limit counters, login events and known devices.
//!
//! Broker firms from the foundation become top accounts with a Broker sub-account; the
//! earliest user of each firm becomes its Trade Account Owner.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

use super::schema::{a, fk, id, index, text, ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_portal"
    }
}

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().not_null().to_owned()
}

fn big_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().null().to_owned()
}

fn int0(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).integer().not_null().default(0).to_owned()
}

/// SQLite adds one column per ALTER TABLE statement, so every column gets its own.
async fn add_column(m: &SchemaManager<'_>, table: &str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(a(table)).add_column(col).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(id("top_accounts").col(text("name")).col(text("status")).col(ts("created_at")).to_owned())
            .await?;

        m.create_table(
            id("sub_accounts")
                .col(big("account_id"))
                // importer, broker, carrier, filer, surety, ... (domain::SubAccountKind)
                .col(text("kind"))
                // The broker firm (filer code) a Broker sub-account stands for.
                .col(big_null("broker_firm_id"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("sub_accounts", "account_id", "top_accounts"))
                .foreign_key(&mut fk("sub_accounts", "broker_firm_id", "broker_firms"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sub_accounts", &["account_id", "kind"], true)).await?;

        m.create_table(
            id("account_importers")
                .col(big("sub_account_id"))
                .col(big("importer_id"))
                .col(ts("added_at"))
                .col(text("added_by"))
                .foreign_key(&mut fk("account_importers", "sub_account_id", "sub_accounts"))
                .foreign_key(&mut fk("account_importers", "importer_id", "importers"))
                .to_owned(),
        )
        .await?;
        // An importer number belongs to at most one portal account.
        m.create_index(index("account_importers", &["importer_id"], true)).await?;
        m.create_index(index("account_importers", &["sub_account_id"], false)).await?;

        // Portal membership and sign-in state on the existing users table.
        add_column(m, "users", big_null("account_id")).await?;
        // tao, proxy-tao, user; empty for CBP staff.
        add_column(m, "users", text("account_role")).await?;
        // email or totp; empty until the user has enrolled a second factor.
        add_column(m, "users", text("second_factor")).await?;
        add_column(m, "users", text("totp_secret")).await?;
        // The last TOTP time step accepted: a code is never accepted twice.
        add_column(m, "users", big_null("totp_last_step")).await?;
        add_column(m, "users", ts_null("locked_until")).await?;
        // Why the user is inactive: by-tao, inactivity, by-cbp.
        add_column(m, "users", text("deactivated_reason")).await?;
        m.create_index(index("users", &["account_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(a("user_permissions"))
                .if_not_exists()
                .col(big("user_id"))
                .col(big("sub_account_id"))
                // full, read-only, none
                .col(text("ach"))
                .col(ColumnDef::new(a("reports")).boolean().not_null().default(false))
                .col(ColumnDef::new(a("notify_parties")).boolean().not_null().default(false))
                .primary_key(Index::create().col(a("user_id")).col(a("sub_account_id")))
                .foreign_key(&mut fk("user_permissions", "user_id", "users"))
                .foreign_key(&mut fk("user_permissions", "sub_account_id", "sub_accounts"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id("recovery_codes")
                .col(big("user_id"))
                .col(text("code_hash"))
                .col(ts("created_at"))
                .col(ts_null("used_at"))
                .foreign_key(&mut fk("recovery_codes", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recovery_codes", &["user_id"], false)).await?;

        // Codes and links sent by mail: application codes, login codes, invitations, resets.
        // Only a hash is stored; a new one for the same purpose and subject replaces the old.
        m.create_table(
            id("one_time_secrets")
                // application, login, invitation, reset
                .col(text("purpose"))
                // What the secret unlocks: an application id, a user id or a session hash.
                .col(text("subject"))
                .col(text("secret_hash"))
                .col(int0("attempts"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts_null("used_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("one_time_secrets", &["purpose", "subject"], false)).await?;
        m.create_index(index("one_time_secrets", &["secret_hash"], false)).await?;

        m.create_table(
            id("account_applications")
                // new-account, importer-sub-account, add-number
                .col(text("kind"))
                .col(big("importer_id"))
                .col(big_null("account_id"))
                .col(big_null("requested_by_user_id"))
                .col(text("company_name"))
                .col(text("requester_name"))
                .col(text("requester_email"))
                // code-sent, verified, completed
                .col(text("status"))
                .col(text("ip"))
                .col(ts("created_at"))
                .col(ts_null("verified_at"))
                .foreign_key(&mut fk("account_applications", "importer_id", "importers"))
                .to_owned(),
        )
        .await?;

        // Fixed-window counters shared by every server instance (login, codes, resets, applications).
        m.create_table(
            Table::create()
                .table(a("rate_limits"))
                .if_not_exists()
                .col(ColumnDef::new(a("key")).string().not_null().primary_key())
                .col(ts("window_start"))
                .col(int0("hits"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id("login_events")
                .col(big_null("user_id"))
                .col(ts("at"))
                // password-ok, password-failed, locked, second-factor-ok, second-factor-failed, ...
                .col(text("outcome"))
                .col(text("ip"))
                .col(text("user_agent"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("login_events", &["user_id", "at"], false)).await?;

        m.create_table(
            Table::create()
                .table(a("known_devices"))
                .if_not_exists()
                .col(big("user_id"))
                .col(ColumnDef::new(a("device_hash")).string().not_null())
                .col(ts("first_seen_at"))
                .col(ts("last_seen_at"))
                .primary_key(Index::create().col(a("user_id")).col(a("device_hash")))
                .foreign_key(&mut fk("known_devices", "user_id", "users"))
                .to_owned(),
        )
        .await?;

        // Sessions: a stage (password accepted, waiting for the second factor; or full) and
        // what the user sees in "your sessions".
        add_column(m, "sessions", ColumnDef::new(a("stage")).string().not_null().default("full").to_owned()).await?;
        add_column(m, "sessions", text("ip")).await?;
        add_column(m, "sessions", text("user_agent")).await?;

        let conn = m.get_connection();
        // Exactly one Trade Account Owner per top account: a partial unique index (both engines).
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS ix_users_one_tao ON users (account_id) WHERE account_role = 'tao'",
        )
        .await?;
        migrate_broker_firms(conn).await
    }
}

/// Each broker firm becomes a top account with a Broker sub-account; its users join the account,
/// the earliest becoming TAO and the others Account Users.
async fn migrate_broker_firms(conn: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let firms = conn
        .query_all_raw(Statement::from_string(backend, "SELECT id, name, created_at FROM broker_firms ORDER BY id"))
        .await?;
    for f in firms {
        let firm_id: i64 = f.try_get("", "id")?;
        let name: String = f.try_get("", "name")?;
        let created_at: time::OffsetDateTime = f.try_get("", "created_at")?;
        let account_id = insert_returning_id(
            conn,
            backend,
            "INSERT INTO top_accounts (name, status, created_at) VALUES ($1, 'active', $2) RETURNING id",
            vec![name.into(), created_at.into()],
        )
        .await?;
        let sub_id = insert_returning_id(
            conn,
            backend,
            "INSERT INTO sub_accounts (account_id, kind, broker_firm_id, created_at) \
             VALUES ($1, 'broker', $2, $3) RETURNING id",
            vec![account_id.into(), firm_id.into(), created_at.into()],
        )
        .await?;
        let users = conn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql(backend, "SELECT id FROM users WHERE firm_id = $1 ORDER BY created_at, id"),
                [firm_id.into()],
            ))
            .await?;
        for (i, u) in users.iter().enumerate() {
            let user_id: i64 = u.try_get("", "id")?;
            let role = if i == 0 { "tao" } else { "user" };
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                sql(backend, "UPDATE users SET account_id = $1, account_role = $2 WHERE id = $3"),
                [account_id.into(), role.into(), user_id.into()],
            ))
            .await?;
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                sql(
                    backend,
                    "INSERT INTO user_permissions (user_id, sub_account_id, ach, reports, notify_parties) \
                     VALUES ($1, $2, 'none', $3, FALSE)",
                ),
                [user_id.into(), sub_id.into(), true.into()],
            ))
            .await?;
        }
    }
    Ok(())
}

async fn insert_returning_id(
    conn: &SchemaManagerConnection<'_>,
    backend: DbBackend,
    q: &str,
    values: Vec<sea_orm::Value>,
) -> Result<i64, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql(backend, q), values))
        .await?
        .ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    row.try_get("", "id")
}

/// `$n` placeholders for PostgreSQL, `?` for SQLite.
fn sql(backend: DbBackend, q: &str) -> String {
    match backend {
        DbBackend::Postgres => q.to_string(),
        _ => {
            let mut out = String::with_capacity(q.len());
            let mut chars = q.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}
