//! The policy viewer's server side: versions in the database, publishing, the HTTP API and
//! the no-JavaScript rendering.
pub mod current;
pub mod diff;
pub mod http;
pub mod markdown;
pub mod noscript;
pub mod store;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use fk_api::policy::PolicyDocument;
use fk_api::Lang;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::AppError;
use crate::AppState;
use store::VersionRow;

/// The language whose text prevails where translations differ: consent and acceptance refer
/// to its version, and a language without a text of its own is answered with it.
pub const PREVAILING: Lang = Lang::Ru;

/// The newest version that answers for `lang`: its own, else the prevailing text's.
pub async fn latest_for(db: &Db, lang: Lang) -> Result<Option<VersionRow>, sqlx::Error> {
    match store::latest(db, lang).await? {
        Some(row) => Ok(Some(row)),
        None if lang != PREVAILING => store::latest(db, PREVAILING).await,
        None => Ok(None),
    }
}

/// The newest version of the prevailing text, if any is published.
pub async fn prevailing(db: &Db) -> Result<Option<VersionRow>, sqlx::Error> {
    store::latest(db, PREVAILING).await
}

/// The version of the prevailing text in force (0 before any): the one a consent or an
/// acceptance refers to.
pub async fn prevailing_version(state: &AppState) -> Result<u32, AppError> {
    let version = prevailing(&state.db).await?.map_or(0, |r| r.version);
    state.current_policies.saw_ru(version);
    Ok(version)
}

/// The texts the first start publishes as version 1, built into the binary so a fresh
/// install needs nothing beside it.
pub const SEED: [(Lang, &str); 3] = [
    (Lang::Ru, include_str!("../../../policy/ru.md")),
    (Lang::En, include_str!("../../../policy/en.md")),
    (Lang::Kk, include_str!("../../../policy/kk.md")),
];

/// Parsed documents by version id. Versions are immutable, so an entry never goes stale and
/// the cache is bounded by the number of published versions.
#[derive(Clone, Default)]
pub struct Documents(Arc<RwLock<HashMap<i64, Arc<PolicyDocument>>>>);

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("policy version {0} is in the database but its text does not parse: {1}")]
    Corrupt(i64, markdown::ParseError),
    #[error("policy version {0} vanished")]
    Missing(i64),
}

impl Documents {
    pub async fn get(&self, db: &Db, row: &VersionRow) -> Result<Arc<PolicyDocument>, LoadError> {
        if let Some(doc) = self
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&row.id)
        {
            return Ok(doc.clone());
        }
        let body = store::body(db, row.id)
            .await?
            .ok_or(LoadError::Missing(row.id))?;
        let doc = Arc::new(markdown::parse(&body).map_err(|e| LoadError::Corrupt(row.id, e))?);
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(row.id, doc.clone());
        Ok(doc)
    }
}

/// Line endings and trailing blanks do not make a new text.
pub fn normalize(body: &str) -> String {
    let mut text = body
        .replace("\r\n", "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

pub fn content_hash(normalized: &str) -> String {
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the file is not valid UTF-8 text")]
    NotUtf8,
    #[error("the policy text is not valid: {0}")]
    Invalid(#[from] markdown::ParseError),
    #[error("this text is identical to the current version {0} ({1}); nothing was published")]
    Identical(u32, &'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Publishes `bytes` as the next version of `lang`, effective now.
pub async fn publish(db: &Db, lang: Lang, bytes: &[u8]) -> Result<VersionRow, PublishError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PublishError::NotUtf8)?;
    let body = normalize(text);
    markdown::parse(&body)?;
    let hash = content_hash(&body);
    if let Some(current) = store::latest(db, lang).await? {
        if current.content_hash == hash {
            return Err(PublishError::Identical(current.version, lang.code()));
        }
    }
    Ok(store::insert(db, lang, &body, &hash, crate::clock::now()).await?)
}

/// On the very first start, publishes the built-in texts as version 1 of each language.
pub async fn seed(db: &Db) -> Result<(), PublishError> {
    if store::count(db).await? > 0 {
        return Ok(());
    }
    for (lang, text) in SEED {
        match publish(db, lang, text.as_bytes()).await {
            Ok(row) => tracing::info!(
                lang = lang.code(),
                version = row.version,
                "seeded the policy"
            ),
            // Several instances starting at once on one database: another one seeded it first.
            Err(PublishError::Identical(..)) => {}
            Err(PublishError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_ignores_line_endings_and_trailing_blanks() {
        assert_eq!(normalize("a \r\nb\n\n\n"), "a\nb\n");
        assert_eq!(
            content_hash(&normalize("a\r\nb")),
            content_hash(&normalize("a\nb\n"))
        );
    }
}
