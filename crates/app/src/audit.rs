//! Audit rows for portal accounts and users (the 5106 registry writes its own in importers.rs).
//! Every change to accounts, users, roles and permissions is recorded: who, when, what, with
//! personal values masked.

use store::audit::AuditRow;
use store::users::UserRow;

use crate::registry::history::Change;

/// One audited event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: &'static str,
    pub entity_id: Option<i64>,
    pub entity_key: String,
    pub changes: Vec<Change>,
}

impl Event {
    /// An event about a user, done by `by` (or by the user when `by` is None).
    pub fn user(target: &UserRow, by: Option<(i64, &str)>, action: &str, changes: Vec<(&str, &str, &str)>) -> Event {
        let (actor_user_id, actor_label) = match by {
            Some((id, label)) => (Some(id), label.to_string()),
            None => (Some(target.id), target.email.clone()),
        };
        Event {
            actor_user_id,
            actor_label,
            action: action.into(),
            entity_type: "user",
            entity_id: Some(target.id),
            entity_key: domain::mask::email(&target.email),
            changes: changes
                .into_iter()
                .map(|(field, old, new)| Change {
                    field: field.into(),
                    old: (!old.is_empty()).then(|| old.to_string()),
                    new: (!new.is_empty()).then(|| new.to_string()),
                })
                .collect(),
        }
    }

    pub fn account(account_id: i64, name: &str, by: (Option<i64>, &str), action: &str, changes: Vec<Change>) -> Event {
        Event {
            actor_user_id: by.0,
            actor_label: by.1.to_string(),
            action: action.into(),
            entity_type: "account",
            entity_id: Some(account_id),
            entity_key: name.to_string(),
            changes,
        }
    }
}

pub(crate) async fn record(conn: &impl store::sea_orm::ConnectionTrait, e: &Event) -> Result<(), store::DbErr> {
    store::audit::append(
        conn,
        &AuditRow {
            id: 0,
            at: store::now(),
            actor_user_id: e.actor_user_id,
            actor_label: e.actor_label.clone(),
            action: e.action.clone(),
            entity_type: e.entity_type.into(),
            entity_id: e.entity_id,
            entity_key: e.entity_key.clone(),
            changes: serde_json::to_string(&e.changes).unwrap_or_else(|_| "[]".into()),
        },
    )
    .await
}

/// `2026-11-25 14:03` (UTC).
pub fn when(t: &time::OffsetDateTime) -> String {
    format!("{}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}
