//! Choices in the database: `account_choices` holds the current state (no row: off, never
//! changed), `choice_events` every change, for the consent history.
use fk_api::account::activity::{HistoryEntry, HistoryEvent};
use fk_api::account::choices::{Choice, ChoiceSource, ChoiceState, Choices};
use sqlx::{AnyConnection, Row};

use crate::clock::rfc3339;

/// Every choice of the account, in [`Choice::ALL`] order, and whether it has a phone (SMS).
pub async fn current(conn: &mut AnyConnection, account_id: i64) -> Result<Choices, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT choice, enabled, updated_at FROM account_choices WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        // A code this build does not know (a newer one wrote it) is left out, not an error.
        if let Some(choice) = Choice::from_code(&row.try_get::<String, _>("choice")?) {
            stored.push((
                choice,
                row.try_get::<i32, _>("enabled")? != 0,
                row.try_get::<i64, _>("updated_at")?,
            ));
        }
    }
    let choices = Choice::ALL
        .into_iter()
        .map(
            |choice| match stored.iter().find(|(c, _, _)| *c == choice) {
                Some(&(_, enabled, at)) => ChoiceState {
                    choice,
                    enabled,
                    updated_at: Some(rfc3339(at)),
                },
                None => ChoiceState {
                    choice,
                    enabled: false,
                    updated_at: None,
                },
            },
        )
        .collect();
    let phone = sqlx::query("SELECT phone FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?;
    let has_phone = match phone {
        Some(row) => row.try_get::<Option<String>, _>("phone")?.is_some(),
        None => false,
    };
    Ok(Choices { choices, has_phone })
}

/// Turns a choice on or off and records the change; `false` (and nothing written) when it
/// already was so. Call it inside a [`crate::db::begin_write`] transaction, so that the state
/// and its event land together. The caller checks the phone rule ([`Choice::needs_phone`]).
pub async fn set(
    conn: &mut AnyConnection,
    account_id: i64,
    choice: Choice,
    enabled: bool,
    source: ChoiceSource,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let row =
        sqlx::query("SELECT enabled FROM account_choices WHERE account_id = $1 AND choice = $2")
            .bind(account_id)
            .bind(choice.code())
            .fetch_optional(&mut *conn)
            .await?;
    let was = match row {
        Some(row) => row.try_get::<i32, _>("enabled")? != 0,
        None => false,
    };
    if was == enabled {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO account_choices (account_id, choice, enabled, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, choice) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(choice.code())
    .bind(i32::from(enabled))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO choice_events (account_id, choice, enabled, source, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(account_id)
        .bind(choice.code())
        .bind(i32::from(enabled))
        .bind(source.code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Every change of a choice, newest first, as lines of the consent history.
pub async fn history(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let rows = sqlx::query("SELECT choice, enabled, source, at FROM choice_events WHERE account_id = $1 ORDER BY at DESC, id DESC")
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let choice = Choice::from_code(&row.try_get::<String, _>("choice")?);
        let source = ChoiceSource::from_code(&row.try_get::<String, _>("source")?);
        if let (Some(choice), Some(source)) = (choice, source) {
            let enabled = row.try_get::<i32, _>("enabled")? != 0;
            entries.push(HistoryEntry {
                at: rfc3339(row.try_get("at")?),
                event: HistoryEvent::Choice {
                    choice,
                    enabled,
                    source,
                },
            });
        }
    }
    Ok(entries)
}
