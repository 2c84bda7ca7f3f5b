//! Trade portal accounts: top accounts, sub-accounts, the importer numbers an Importer
//! sub-account holds, portal roles and permissions, second factors, one-time codes and links,
//! account applications, rate-limit counters, login events and known devices.
//!
//! Broker firms from the foundation become top accounts with a Broker sub-account; the
//! earliest user of each firm becomes its Trade Account Owner.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use crate::schema::{
    AccountApplications, AccountImporters, BrokerFirms, Importers, KnownDevices, LoginEvents, OneTimeSecrets,
    RateLimits, RecoveryCodes, Sessions, SubAccounts, TopAccounts, UserPermissions, Users,
};

use super::schema::{big, big_null, fk, id, index, int0, text, ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_portal"
    }
}

/// SQLite adds one column per ALTER TABLE statement, so every column gets its own.
async fn add_column(m: &SchemaManager<'_>, table: impl IntoIden, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            id(TopAccounts::Table, TopAccounts::Id)
                .col(text(TopAccounts::Name))
                .col(text(TopAccounts::Status))
                .col(ts(TopAccounts::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id(SubAccounts::Table, SubAccounts::Id)
                .col(big(SubAccounts::AccountId))
                // importer, broker, carrier, filer, surety, ... (domain::SubAccountKind)
                .col(text(SubAccounts::Kind))
                // The broker firm (filer code) a Broker sub-account stands for.
                .col(big_null(SubAccounts::BrokerFirmId))
                .col(ts(SubAccounts::CreatedAt))
                .foreign_key(&mut fk(SubAccounts::Table, SubAccounts::AccountId, TopAccounts::Table, TopAccounts::Id))
                .foreign_key(&mut fk(
                    SubAccounts::Table,
                    SubAccounts::BrokerFirmId,
                    BrokerFirms::Table,
                    BrokerFirms::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(SubAccounts::Table, &[SubAccounts::AccountId, SubAccounts::Kind], true)).await?;

        m.create_table(
            id(AccountImporters::Table, AccountImporters::Id)
                .col(big(AccountImporters::SubAccountId))
                .col(big(AccountImporters::ImporterId))
                .col(ts(AccountImporters::AddedAt))
                .col(text(AccountImporters::AddedBy))
                .foreign_key(&mut fk(
                    AccountImporters::Table,
                    AccountImporters::SubAccountId,
                    SubAccounts::Table,
                    SubAccounts::Id,
                ))
                .foreign_key(&mut fk(
                    AccountImporters::Table,
                    AccountImporters::ImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .to_owned(),
        )
        .await?;
        // An importer number belongs to at most one portal account.
        m.create_index(index(AccountImporters::Table, &[AccountImporters::ImporterId], true)).await?;
        m.create_index(index(AccountImporters::Table, &[AccountImporters::SubAccountId], false)).await?;

        // Portal membership and sign-in state on the existing users table.
        add_column(m, Users::Table, big_null(Users::AccountId)).await?;
        // tao, proxy-tao, user; empty for CBP staff.
        add_column(m, Users::Table, text(Users::AccountRole)).await?;
        // email or totp; empty until the user has enrolled a second factor.
        add_column(m, Users::Table, text(Users::SecondFactor)).await?;
        add_column(m, Users::Table, text(Users::TotpSecret)).await?;
        // The last TOTP time step accepted: a code is never accepted twice.
        add_column(m, Users::Table, big_null(Users::TotpLastStep)).await?;
        add_column(m, Users::Table, ts_null(Users::LockedUntil)).await?;
        // Why the user is inactive: by-tao, inactivity, by-cbp.
        add_column(m, Users::Table, text(Users::DeactivatedReason)).await?;
        m.create_index(index(Users::Table, &[Users::AccountId], false)).await?;

        m.create_table(
            Table::create()
                .table(UserPermissions::Table)
                .if_not_exists()
                .col(big(UserPermissions::UserId))
                .col(big(UserPermissions::SubAccountId))
                // full, read-only, none
                .col(text(UserPermissions::Ach))
                .col(ColumnDef::new(UserPermissions::Reports).boolean().not_null().default(false))
                .col(ColumnDef::new(UserPermissions::NotifyParties).boolean().not_null().default(false))
                .primary_key(Index::create().col(UserPermissions::UserId).col(UserPermissions::SubAccountId))
                .foreign_key(&mut fk(UserPermissions::Table, UserPermissions::UserId, Users::Table, Users::Id))
                .foreign_key(&mut fk(
                    UserPermissions::Table,
                    UserPermissions::SubAccountId,
                    SubAccounts::Table,
                    SubAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id(RecoveryCodes::Table, RecoveryCodes::Id)
                .col(big(RecoveryCodes::UserId))
                .col(text(RecoveryCodes::CodeHash))
                .col(ts(RecoveryCodes::CreatedAt))
                .col(ts_null(RecoveryCodes::UsedAt))
                .foreign_key(&mut fk(RecoveryCodes::Table, RecoveryCodes::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(index(RecoveryCodes::Table, &[RecoveryCodes::UserId], false)).await?;

        // Codes and links sent by mail: application codes, login codes, invitations, resets.
        // Only a hash is stored; a new one for the same purpose and subject replaces the old.
        m.create_table(
            id(OneTimeSecrets::Table, OneTimeSecrets::Id)
                // application, login, invitation, reset
                .col(text(OneTimeSecrets::Purpose))
                // What the secret unlocks: an application id, a user id or a session hash.
                .col(text(OneTimeSecrets::Subject))
                .col(text(OneTimeSecrets::SecretHash))
                .col(int0(OneTimeSecrets::Attempts))
                .col(ts(OneTimeSecrets::CreatedAt))
                .col(ts(OneTimeSecrets::ExpiresAt))
                .col(ts_null(OneTimeSecrets::UsedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(OneTimeSecrets::Table, &[OneTimeSecrets::Purpose, OneTimeSecrets::Subject], false))
            .await?;
        m.create_index(index(OneTimeSecrets::Table, &[OneTimeSecrets::SecretHash], false)).await?;

        m.create_table(
            id(AccountApplications::Table, AccountApplications::Id)
                // new-account, importer-sub-account, add-number
                .col(text(AccountApplications::Kind))
                .col(big(AccountApplications::ImporterId))
                .col(big_null(AccountApplications::AccountId))
                .col(big_null(AccountApplications::RequestedByUserId))
                .col(text(AccountApplications::CompanyName))
                .col(text(AccountApplications::RequesterName))
                .col(text(AccountApplications::RequesterEmail))
                // code-sent, verified, completed
                .col(text(AccountApplications::Status))
                .col(text(AccountApplications::Ip))
                .col(ts(AccountApplications::CreatedAt))
                .col(ts_null(AccountApplications::VerifiedAt))
                .foreign_key(&mut fk(
                    AccountApplications::Table,
                    AccountApplications::ImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .to_owned(),
        )
        .await?;

        // Fixed-window counters shared by every server instance (login, codes, resets, applications).
        m.create_table(
            Table::create()
                .table(RateLimits::Table)
                .if_not_exists()
                .col(ColumnDef::new(RateLimits::Key).string().not_null().primary_key())
                .col(ts(RateLimits::WindowStart))
                .col(int0(RateLimits::Hits))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id(LoginEvents::Table, LoginEvents::Id)
                .col(big_null(LoginEvents::UserId))
                .col(ts(LoginEvents::At))
                // password-ok, password-failed, locked, second-factor-ok, second-factor-failed, ...
                .col(text(LoginEvents::Outcome))
                .col(text(LoginEvents::Ip))
                .col(text(LoginEvents::UserAgent))
                .to_owned(),
        )
        .await?;
        m.create_index(index(LoginEvents::Table, &[LoginEvents::UserId, LoginEvents::At], false)).await?;

        m.create_table(
            Table::create()
                .table(KnownDevices::Table)
                .if_not_exists()
                .col(big(KnownDevices::UserId))
                .col(ColumnDef::new(KnownDevices::DeviceHash).string().not_null())
                .col(ts(KnownDevices::FirstSeenAt))
                .col(ts(KnownDevices::LastSeenAt))
                .primary_key(Index::create().col(KnownDevices::UserId).col(KnownDevices::DeviceHash))
                .foreign_key(&mut fk(KnownDevices::Table, KnownDevices::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;

        // Sessions: a stage (password accepted, waiting for the second factor; or full) and
        // what the user sees in "your sessions".
        add_column(m, Sessions::Table, ColumnDef::new(Sessions::Stage).string().not_null().default("full").to_owned())
            .await?;
        add_column(m, Sessions::Table, text(Sessions::Ip)).await?;
        add_column(m, Sessions::Table, text(Sessions::UserAgent)).await?;

        let conn = m.get_connection();
        // Exactly one Trade Account Owner per top account: a partial unique index (both engines).
        // Written as SQL: sea-query's index builder has no WHERE clause.
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
    let firms = Query::select()
        .columns([BrokerFirms::Id, BrokerFirms::Name, BrokerFirms::CreatedAt])
        .from(BrokerFirms::Table)
        .order_by(BrokerFirms::Id, Order::Asc)
        .to_owned();
    for f in conn.query_all(&firms).await? {
        let firm_id: i64 = f.try_get("", "id")?;
        let name: String = f.try_get("", "name")?;
        let created_at: time::OffsetDateTime = f.try_get("", "created_at")?;
        let account = Query::insert()
            .into_table(TopAccounts::Table)
            .columns([TopAccounts::Name, TopAccounts::Status, TopAccounts::CreatedAt])
            .values_panic([name.into(), "active".into(), created_at.into()])
            .returning_col(TopAccounts::Id)
            .to_owned();
        let account_id = insert_returning_id(conn, account).await?;
        let sub = Query::insert()
            .into_table(SubAccounts::Table)
            .columns([SubAccounts::AccountId, SubAccounts::Kind, SubAccounts::BrokerFirmId, SubAccounts::CreatedAt])
            .values_panic([account_id.into(), "broker".into(), firm_id.into(), created_at.into()])
            .returning_col(SubAccounts::Id)
            .to_owned();
        let sub_id = insert_returning_id(conn, sub).await?;
        let users = Query::select()
            .column(Users::Id)
            .from(Users::Table)
            .and_where(Expr::col(Users::FirmId).eq(firm_id))
            .order_by(Users::CreatedAt, Order::Asc)
            .order_by(Users::Id, Order::Asc)
            .to_owned();
        for (i, u) in conn.query_all(&users).await?.iter().enumerate() {
            let user_id: i64 = u.try_get("", "id")?;
            let role = if i == 0 { "tao" } else { "user" };
            let member = Query::update()
                .table(Users::Table)
                .value(Users::AccountId, account_id)
                .value(Users::AccountRole, role)
                .and_where(Expr::col(Users::Id).eq(user_id))
                .to_owned();
            conn.execute(&member).await?;
            let grants = Query::insert()
                .into_table(UserPermissions::Table)
                .columns([
                    UserPermissions::UserId,
                    UserPermissions::SubAccountId,
                    UserPermissions::Ach,
                    UserPermissions::Reports,
                    UserPermissions::NotifyParties,
                ])
                .values_panic([user_id.into(), sub_id.into(), "none".into(), true.into(), false.into()])
                .to_owned();
            conn.execute(&grants).await?;
        }
    }
    Ok(())
}

async fn insert_returning_id(conn: &SchemaManagerConnection<'_>, stmt: InsertStatement) -> Result<i64, DbErr> {
    let row = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    row.try_get("", "id")
}
