//! The typed API client: one function per endpoint, errors decoded into the shared
//! [`ApiError`] (a failure to reach the server becomes `ErrorCode::Network`).
use fk_api::account::activity::Devices;
use fk_api::account::data::{AcknowledgeRequest, DeleteRequest, PolicyStatus, Summary};
use fk_api::account::passkeys::{
    AddPasskeyRequest, PasskeyChallenge, PasskeyConfirmRequest, PasskeySignInRequest, PasskeyView,
    RenamePasskeyRequest,
};
use fk_api::account::profile::{EmailChangeRequest, PasswordChangeRequest, ProfileUpdate};
use fk_api::account::two_step::{
    RecoveryCodes, SecondStepRequest, SecurityView, SignInOutcome, TwoStepEnableRequest,
    TwoStepSetup,
};
use fk_api::account::{
    AccountView, CheckEmail, ReauthRequest, RecoverRequest, RegisterRequest, ResetRequest,
    SessionView, SignInRequest, VerifyAddressRequest, VerifyRequest,
};
use fk_api::consent::ConsentConfig;
use fk_api::policy::{DiffRequest, PolicyDiff, PolicyVersion, PolicyVersionList};
use fk_api::{ApiError, ErrorCode, Lang};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn network(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Network, e.to_string())
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    decode(Request::get(url).send().await.map_err(network)?).await
}

/// A JSON POST. The browser adds `Origin` and `Sec-Fetch-Site` itself, which is what the
/// server's CSRF check reads; the session cookie goes along (same origin).
async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    let request = Request::post(url).json(body).map_err(network)?;
    decode(request.send().await.map_err(network)?).await
}

/// A POST whose answer has no body worth reading (204).
async fn post_empty<B: Serialize>(url: &str, body: &B) -> Result<(), ApiError> {
    let request = Request::post(url).json(body).map_err(network)?;
    let response = request.send().await.map_err(network)?;
    if response.ok() {
        return Ok(());
    }
    Err(error_of(response).await)
}

async fn decode<T: DeserializeOwned>(response: gloo_net::http::Response) -> Result<T, ApiError> {
    if response.ok() {
        return response.json::<T>().await.map_err(network);
    }
    Err(error_of(response).await)
}

async fn error_of(response: gloo_net::http::Response) -> ApiError {
    let status = response.status();
    response.json::<ApiError>().await.unwrap_or_else(|_| {
        let code = if status >= 500 {
            ErrorCode::Internal
        } else {
            ErrorCode::NotFound
        };
        ApiError::new(code, format!("HTTP {status}"))
    })
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
    get(&format!(
        "/api/policy/{}/diff?{}",
        lang.code(),
        request.query()
    ))
    .await
}

/// The cookie categories and tables; `base` is the consent API's origin ("" on this one).
pub async fn consent_config(base: String) -> Result<ConsentConfig, ApiError> {
    get(&format!("{base}/api/consent/config")).await
}

/// The common-password list the password fields check against as the user types.
pub async fn common_passwords() -> Result<String, ApiError> {
    let response = Request::get("/api/account/common-passwords")
        .send()
        .await
        .map_err(network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response.text().await.map_err(network)
}

pub async fn register(form: &RegisterRequest) -> Result<CheckEmail, ApiError> {
    post("/api/account/register", form).await
}

/// Opens the verification link; `password` when the server asked for it (another browser).
pub async fn verify(token: String, password: Option<String>) -> Result<SessionView, ApiError> {
    post(
        "/api/account/verify",
        &VerifyAddressRequest { token, password },
    )
    .await
}

/// "Send the link again", from the browser that registered (its cookie says so).
pub async fn resend_verification() -> Result<CheckEmail, ApiError> {
    post("/api/account/verify/resend", &serde_json::json!({})).await
}

/// The password step: signed in (200), or, with two-step sign-in on, a code is needed next
/// (202; a cookie keeps the pending step in this browser for five minutes).
pub async fn sign_in(form: &SignInRequest) -> Result<SignInOutcome, ApiError> {
    post("/api/account/sign-in", form).await
}

/// The second step: the authenticator app's code or a recovery code; signs in (`next` is
/// `session`). After a password reset, the new password takes effect now.
pub async fn second_step(request: &SecondStepRequest) -> Result<SignInOutcome, ApiError> {
    post("/api/account/sign-in/second-step", request).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    post_empty("/api/account/sign-out", &serde_json::json!({})).await
}

pub async fn sign_out_everywhere() -> Result<(), ApiError> {
    post_empty("/api/account/sign-out-everywhere", &serde_json::json!({})).await
}

/// The signed-in account; `Unauthenticated` when nobody is.
pub async fn session() -> Result<SessionView, ApiError> {
    get("/api/account/session").await
}

pub async fn reauth(password: String) -> Result<SessionView, ApiError> {
    post("/api/account/reauth", &ReauthRequest { password }).await
}

/// Starts confirming with a passkey in place of the password: the options for
/// `navigator.credentials.get`, listing the account's passkeys; `NotFound` when it has none.
pub async fn reauth_passkey_options() -> Result<PasskeyChallenge, ApiError> {
    post(
        "/api/account/reauth/passkey/options",
        &serde_json::json!({}),
    )
    .await
}

/// Confirms with the browser's assertion, as [`reauth`] with the password (a new session
/// cookie is set).
pub async fn reauth_passkey(request: &PasskeyConfirmRequest) -> Result<SessionView, ApiError> {
    post("/api/account/reauth/passkey", request).await
}

pub async fn recover(form: &RecoverRequest) -> Result<CheckEmail, ApiError> {
    post("/api/account/recover", form).await
}

/// Whether a reset link still works (204), before the new password is typed.
pub async fn check_reset_link(token: String) -> Result<(), ApiError> {
    post_empty("/api/account/reset/check", &VerifyRequest { token }).await
}

/// The new password from a reset link; with two-step sign-in on, signing in then takes the
/// second step, as after the password on the sign-in page.
pub async fn reset(token: String, password: String) -> Result<SignInOutcome, ApiError> {
    post("/api/account/reset", &ResetRequest { token, password }).await
}

// --- The personal section. ---

/// A JSON PUT (same-origin, like `post`; the same request twice leaves the same state).
async fn put<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    let request = Request::put(url).json(body).map_err(network)?;
    decode(request.send().await.map_err(network)?).await
}

/// One page of the user's orders, newest first (`page` from 1).
pub async fn orders(page: u32) -> Result<fk_api::account::commerce::OrderPage, ApiError> {
    get(&format!("/api/account/orders?page={page}")).await
}

/// One order of the user's; `NotFound` for an unknown id or someone else's.
pub async fn order(id: i64) -> Result<fk_api::account::commerce::OrderView, ApiError> {
    get(&format!("/api/account/orders/{id}")).await
}

/// Current promotions (texts in `lang`) and the user's past participation.
pub async fn promotions(lang: Lang) -> Result<fk_api::account::commerce::Promotions, ApiError> {
    get(&format!("/api/account/promotions?lang={}", lang.code())).await
}

/// Joins (`join`) or leaves a promotion; answers the promotions page anew. `lang` asks for the
/// answer's texts in the interface language, as the page's `GET` does.
pub async fn take_part(
    slug: String,
    join: bool,
    lang: Lang,
) -> Result<fk_api::account::commerce::Promotions, ApiError> {
    let what = if join { "join" } else { "leave" };
    let slug = String::from(js_sys::encode_uri_component(&slug));
    post(
        &format!("/api/account/promotions/{slug}/{what}?lang={}", lang.code()),
        &serde_json::json!({}),
    )
    .await
}

/// Every subscription and privacy choice, and whether an SMS subscription is possible.
pub async fn choices() -> Result<fk_api::account::choices::Choices, ApiError> {
    get("/api/account/choices").await
}

pub async fn set_choice(
    choice: fk_api::account::choices::Choice,
    enabled: bool,
) -> Result<fk_api::account::choices::Choices, ApiError> {
    put(
        &format!("/api/account/choices/{}", choice.code()),
        &fk_api::account::choices::ChoiceUpdate { enabled },
    )
    .await
}

/// The consent history, newest first.
pub async fn history() -> Result<fk_api::account::activity::History, ApiError> {
    get("/api/account/history").await
}

/// What a letter's unsubscribe link would change (works signed out).
pub async fn unsubscribe_preview(
    token: String,
) -> Result<fk_api::account::choices::UnsubscribeView, ApiError> {
    post("/api/unsubscribe/preview", &VerifyRequest { token }).await
}

/// Unsubscribes (`subscribed: false`) or undoes it (`true`) with a letter's token.
pub async fn unsubscribe(
    token: String,
    subscribed: bool,
) -> Result<fk_api::account::choices::UnsubscribeView, ApiError> {
    post(
        "/api/unsubscribe",
        &fk_api::account::choices::UnsubscribeRequest { token, subscribed },
    )
    .await
}

pub async fn summary() -> Result<Summary, ApiError> {
    get("/api/account/summary").await
}

/// Saves the profile; `stale_data` when another tab saved first.
pub async fn update_profile(form: &ProfileUpdate) -> Result<AccountView, ApiError> {
    put("/api/account/profile", form).await
}

/// Sends a confirmation link to the new address (`reauth_required` without a recent password).
pub async fn change_email(email: String) -> Result<CheckEmail, ApiError> {
    post("/api/account/email", &EmailChangeRequest { email }).await
}

/// The link from that letter: the new address takes over (works signed out too).
pub async fn confirm_email(token: String) -> Result<CheckEmail, ApiError> {
    post("/api/account/email/confirm", &VerifyRequest { token }).await
}

pub async fn change_password(form: &PasswordChangeRequest) -> Result<(), ApiError> {
    post_empty("/api/account/password", form).await
}

pub async fn policy_status() -> Result<PolicyStatus, ApiError> {
    get("/api/account/policy").await
}

pub async fn acknowledge_policy(version: u32) -> Result<PolicyStatus, ApiError> {
    post(
        "/api/account/policy/acknowledge",
        &AcknowledgeRequest { version },
    )
    .await
}

pub async fn devices() -> Result<Devices, ApiError> {
    get("/api/account/devices").await
}

pub async fn end_session(id: i64) -> Result<Devices, ApiError> {
    post(
        &format!("/api/account/devices/{id}/end"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn end_other_sessions() -> Result<Devices, ApiError> {
    post("/api/account/devices/end-others", &serde_json::json!({})).await
}

/// The export as the server wrote it, to be saved byte for byte, with the file name from its
/// `Content-Disposition` (if readable).
#[derive(Clone)]
pub struct ExportFile {
    pub name: Option<String>,
    pub text: String,
}

/// Everything held about the user, as one JSON file or one page to read (`format`);
/// `too_many_requests` with `retry_after` within an hour of the last one received.
pub async fn export_data(
    format: fk_api::account::data::ExportFormat,
) -> Result<ExportFile, ApiError> {
    let request = Request::post(&format!("/api/account/export?format={}", format.code()))
        .json(&serde_json::json!({}))
        .map_err(network)?;
    let response = request.send().await.map_err(network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let name = response
        .headers()
        .get("content-disposition")
        .as_deref()
        .and_then(attachment_name);
    let text = response.text().await.map_err(network)?;
    Ok(ExportFile { name, text })
}

/// The whole file of the download just made is saved in this browser: the hour until the
/// next one counts from now.
pub async fn export_received() -> Result<(), ApiError> {
    post_empty("/api/account/export/received", &serde_json::json!({})).await
}

/// `attachment; filename="x.json"` → `x.json` (only plain names: nothing with a path in it).
fn attachment_name(header: &str) -> Option<String> {
    let name = header
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename="))?
        .trim_matches('"');
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    plain.then(|| name.to_string())
}

/// Whether two-step sign-in is on, since when, and how many recovery codes are left.
pub async fn security() -> Result<SecurityView, ApiError> {
    get("/api/account/security").await
}

/// A new secret for the authenticator app (`reauth_required` without a recent password); not
/// in use until [`two_step_enable`] confirms a code from it.
pub async fn two_step_setup() -> Result<TwoStepSetup, ApiError> {
    post("/api/account/two-step/setup", &serde_json::json!({})).await
}

/// Turns two-step sign-in on with a code from the app; answers the recovery codes, once.
pub async fn two_step_enable(code: String) -> Result<RecoveryCodes, ApiError> {
    post(
        "/api/account/two-step/enable",
        &TwoStepEnableRequest { code },
    )
    .await
}

/// Turns two-step sign-in off (204; needs a recent password).
pub async fn two_step_disable() -> Result<(), ApiError> {
    post_empty("/api/account/two-step/disable", &serde_json::json!({})).await
}

/// New recovery codes in place of the old ones (needs a recent password).
pub async fn renew_recovery_codes() -> Result<RecoveryCodes, ApiError> {
    post("/api/account/recovery-codes", &serde_json::json!({})).await
}

/// `/api/account/passkeys/{id}`, the id as one path segment.
fn passkey_url(id: &str) -> String {
    format!(
        "/api/account/passkeys/{}",
        String::from(js_sys::encode_uri_component(id))
    )
}

/// Starts adding a passkey (`reauth_required` without a recent password): the options for
/// `navigator.credentials.create`, and the ceremony's ID.
pub async fn passkey_options() -> Result<PasskeyChallenge, ApiError> {
    post("/api/account/passkeys/options", &serde_json::json!({})).await
}

/// Finishes adding a passkey with the browser's new credential (201).
pub async fn add_passkey(request: &AddPasskeyRequest) -> Result<PasskeyView, ApiError> {
    post("/api/account/passkeys", request).await
}

pub async fn rename_passkey(id: &str, name: String) -> Result<PasskeyView, ApiError> {
    let request = Request::patch(&passkey_url(id))
        .json(&RenamePasskeyRequest { name })
        .map_err(network)?;
    decode(request.send().await.map_err(network)?).await
}

/// Removes a passkey (204; needs a recent password).
pub async fn remove_passkey(id: &str) -> Result<(), ApiError> {
    let response = Request::delete(&passkey_url(id))
        .send()
        .await
        .map_err(network)?;
    if response.ok() {
        return Ok(());
    }
    Err(error_of(response).await)
}

/// Starts signing in with a passkey (signed out): the options for `navigator.credentials.get`.
pub async fn passkey_sign_in_options() -> Result<PasskeyChallenge, ApiError> {
    post(
        "/api/account/sign-in/passkey/options",
        &serde_json::json!({}),
    )
    .await
}

/// Signs in with the browser's assertion; the session cookie is set, as after the password.
pub async fn passkey_sign_in(request: &PasskeySignInRequest) -> Result<SignInOutcome, ApiError> {
    post("/api/account/sign-in/passkey", request).await
}

/// Erases the account (204; the session cookie is cleared).
pub async fn delete_account(password: String) -> Result<(), ApiError> {
    post_empty("/api/account/delete", &DeleteRequest { password }).await
}
