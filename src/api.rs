//! The typed API client: one function per endpoint, errors decoded into the shared
//! [`ApiError`] (a failure to reach the server becomes `ErrorCode::Network`).
use fk_api::consent::ConsentConfig;
use fk_api::policy::{DiffRequest, PolicyDiff, PolicyVersion, PolicyVersionList};
use fk_api::{ApiError, ErrorCode, Lang};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;

fn network(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Network, e.to_string())
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let response = Request::get(url).send().await.map_err(network)?;
    if response.ok() {
        return response.json::<T>().await.map_err(network);
    }
    let status = response.status();
    Err(response.json::<ApiError>().await.unwrap_or_else(|_| {
        let code = if status >= 500 { ErrorCode::Internal } else { ErrorCode::NotFound };
        ApiError::new(code, format!("HTTP {status}"))
    }))
}

pub async fn current_policy(lang: Lang) -> Result<PolicyVersion, ApiError> {
    get(&format!("/api/policy/{}", lang.code())).await
}

pub async fn policy_version(lang: Lang, version: u32) -> Result<PolicyVersion, ApiError> {
    get(&format!("/api/policy/{}/versions/{version}", lang.code())).await
}

pub async fn policy_versions(lang: Lang) -> Result<PolicyVersionList, ApiError> {
    get(&format!("/api/policy/{}/versions", lang.code())).await
}

pub async fn policy_diff(lang: Lang, request: DiffRequest) -> Result<PolicyDiff, ApiError> {
    get(&format!("/api/policy/{}/diff?{}", lang.code(), request.query())).await
}

/// The cookie categories and tables; `base` is the consent API's origin ("" on this one).
pub async fn consent_config(base: String) -> Result<ConsentConfig, ApiError> {
    get(&format!("{base}/api/consent/config")).await
}
