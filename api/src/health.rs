//! `GET /api/health`: whether the server can do its work, and if not, which part is down.
use serde::{Deserialize, Serialize};

/// The body of `/api/health`, with 200 when `status` is `ok` and 503 otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: HealthStatus,
    pub database: DatabaseHealth,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum HealthStatus {
    Ok,
    /// Some part below is not `ok`: the server answers, but cannot do all of its work.
    Unavailable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DatabaseHealth {
    /// Reads and writes work.
    Ok,
    /// Reads work, writes do not: the SQLite file (or its disk) is not writable, or the
    /// PostgreSQL server is a read-only standby.
    ReadOnly,
    /// Out of reach: connection refused or lost, file missing.
    Down,
}

impl Health {
    pub fn of(database: DatabaseHealth) -> Health {
        let status = if database == DatabaseHealth::Ok {
            HealthStatus::Ok
        } else {
            HealthStatus::Unavailable
        };
        Health { status, database }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_api_documents_it() {
        let json = serde_json::to_string(&Health::of(DatabaseHealth::ReadOnly)).unwrap();
        assert_eq!(json, r#"{"status":"unavailable","database":"read-only"}"#);
        assert_eq!(
            serde_json::to_string(&Health::of(DatabaseHealth::Ok)).unwrap(),
            r#"{"status":"ok","database":"ok"}"#
        );
    }
}
