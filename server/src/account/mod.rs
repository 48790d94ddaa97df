//! The personal section: registration and verification, the profile, devices, consents, the
//! data download and deletion. Signing in and sessions are `auth/`.
pub mod consents;
pub mod data;
pub mod devices;
pub mod holds;
pub mod profile;
pub mod registration;
pub mod store;

use crate::db::Db;
use crate::AppState;

/// `/api/account/…`: every route of the personal section and of signing in, merged here and
/// put behind the same-origin check and the session lookup once, in `app()`.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .merge(crate::auth::routes())
        .merge(registration::routes())
        .merge(profile::routes())
        .merge(devices::routes())
        .merge(consents::routes())
        .merge(data::routes())
}

/// An account whose address was never confirmed is erased this long after registration: it
/// holds someone's data (perhaps typed by a stranger) and keeps its login and address taken.
pub const UNVERIFIED_KEPT: i64 = 7 * 86_400;

/// Deletes what has expired: sessions, used or stale links, old throttle counts, accounts never
/// confirmed.
pub async fn housekeeping(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    let stale =
        data::stale_unconfirmed(&mut *db.acquire().await?, now - UNVERIFIED_KEPT, None).await?;
    for id in stale {
        let mut tx = crate::db::begin_write(db).await?;
        data::erase_unconfirmed(&mut tx, id).await?;
        tx.commit().await?;
    }
    sqlx::query("DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM second_steps WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM passkey_challenges WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    // A setup of two-step sign-in never confirmed: its secret is of no use to anyone.
    sqlx::query("DELETE FROM two_step WHERE enabled_at IS NULL AND created_at < $1")
        .bind(now - 86_400)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM email_tokens WHERE expires_at < $1")
        .bind(now - 7 * 86_400)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM mail_queue WHERE sent_at < $1")
        .bind(now - 7 * 86_400)
        .execute(db)
        .await?;
    // Letters given up on (every attempt failed) are not kept either: they name someone.
    sqlx::query(
        "DELETE FROM mail_queue WHERE sent_at IS NULL AND attempts >= $1 AND created_at < $2",
    )
    .bind(crate::mail::MAX_ATTEMPTS)
    .bind(now - 7 * 86_400)
    .execute(db)
    .await?;
    holds::prune(&mut *db.acquire().await?, now).await?;
    crate::auth::throttle::prune(&mut *db.acquire().await?, now).await?;
    // Whatever this and the last ten minutes deleted, gone from disk too (an erasure scrubs at
    // once; this catches what a busy moment kept it from).
    crate::db::scrub(db).await;
    Ok(())
}
