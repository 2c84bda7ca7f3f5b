//! Key rotation: every value sealed under an older data key is opened and sealed again under the
//! current one, and blind indexes are recomputed with it. Idempotent: a second run finds nothing
//! to do. Each row is rewritten in its own short transaction, so a large table does not hold a
//! long lock; a crash midway leaves rows under either key, both of which the ring still opens.

use domain::bank::{AccountNumber, RoutingNumber, blind_index_input};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::vault::Keyring;
use store::schema::BankEnrollments;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rotated {
    pub account_numbers: usize,
    pub totp_secrets: usize,
    pub already_current: usize,
}

pub async fn rotate(app: &App) -> AppResult<Rotated> {
    let keys = &app.keys;
    let current = keys.current_version();
    let mut out = Rotated::default();
    let internal = |e: crate::vault::VaultError| AppError::Internal(anyhow::anyhow!("key rotation: {e}"));
    for v in store::enrollments::all(&app.db.conn).await? {
        let blind_current = v.account_blind.starts_with(&format!("b{current}:"));
        if Keyring::version_of(&v.account_sealed) == Some(current) && blind_current {
            out.already_current += 1;
            continue;
        }
        let aad = super::change::account_aad(v.id);
        let plain = keys.open(&v.account_sealed, &aad).map_err(internal)?;
        let sealed = keys.seal(&plain, &aad).map_err(internal)?;
        let input = match (RoutingNumber::parse(&v.routing), AccountNumber::parse(&plain)) {
            (Ok(r), Ok(a)) => blind_index_input(&r, &a),
            // Same shape as blind_index_input, for a value a bank correction wrote unusually.
            _ => format!("{}:{plain}", v.routing),
        };
        let blind = keys.blind_index(&input).map_err(internal)?;
        store::enrollments::set(
            &app.db.conn,
            v.id,
            vec![(BankEnrollments::AccountSealed, sealed.into()), (BankEnrollments::AccountBlind, blind.into())],
        )
        .await?;
        out.account_numbers += 1;
    }
    out.totp_secrets = crate::portal::login::reseal_totp_secrets(app).await?;
    tracing::info!(
        key_version = current,
        account_numbers = out.account_numbers,
        totp_secrets = out.totp_secrets,
        "data key rotation done"
    );
    Ok(out)
}
