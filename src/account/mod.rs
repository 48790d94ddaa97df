//! The personal section: its own bundle (`fk-account`), served for `/account/*`, so the policy
//! viewer's first visit does not download it.
pub mod auth;
pub mod form;
pub mod overview;
pub mod reauth;
pub mod recover;
pub mod register;
pub mod sign_in;
pub mod verify;
// Orders, promotions, subscriptions, privacy choices, consent history, unsubscribe (issue 5).
pub mod history;
pub mod orders;
pub mod privacy;
pub mod promotions;
pub mod subscriptions;
pub mod unsubscribe;
// Part 2, personal data: navigation, policy notice, profile, devices, download, deletion.
pub mod credentials;
pub mod data;
pub mod delete;
pub mod devices;
pub mod email_confirm;
pub mod format;
pub mod nav;
pub mod policy_notice;
pub mod profile;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::i18n::I18n;
use crate::layout::Shell;
use crate::pages::NotFound;
use auth::{Auth, RequireSignIn};

#[component]
pub fn AccountApp() -> impl IntoView {
    I18n::provide();
    Auth::provide();
    policy_notice::PolicyState::provide();
    view! {
        <Router>
            <Shell account=true>
                <Routes fallback=NotFound>
                    <Route path=path!("/account") view=|| view! { <RequireSignIn><overview::Overview/></RequireSignIn> }/>
                    <Route path=path!("/account/register") view=register::RegisterPage/>
                    <Route path=path!("/account/login") view=sign_in::SignInPage/>
                    <Route path=path!("/account/verify") view=verify::VerifyPage/>
                    <Route path=path!("/account/recover") view=recover::RecoverPage/>
                    <Route path=path!("/account/reset") view=recover::ResetPage/>
                    // Orders, promotions, subscriptions, privacy choices, consent history; the
                    // unsubscribe page works signed out (the link comes from a letter).
                    <Route path=path!("/account/orders") view=|| view! { <RequireSignIn><orders::OrdersPage/></RequireSignIn> }/>
                    <Route path=path!("/account/orders/:id") view=|| view! { <RequireSignIn><orders::OrderPage/></RequireSignIn> }/>
                    <Route path=path!("/account/promotions") view=|| view! { <RequireSignIn><promotions::PromotionsPage/></RequireSignIn> }/>
                    <Route path=path!("/account/subscriptions") view=|| view! { <RequireSignIn><subscriptions::SubscriptionsPage/></RequireSignIn> }/>
                    <Route path=path!("/account/privacy") view=|| view! { <RequireSignIn><privacy::PrivacyPage/></RequireSignIn> }/>
                    <Route path=path!("/account/history") view=|| view! { <RequireSignIn><history::HistoryPage/></RequireSignIn> }/>
                    <Route path=path!("/unsubscribe") view=unsubscribe::UnsubscribePage/>
                    // Part 2, personal data (SPA helper 1).
                    <Route path=path!("/account/profile") view=|| view! { <RequireSignIn><profile::ProfilePage/></RequireSignIn> }/>
                    <Route path=path!("/account/devices") view=|| view! { <RequireSignIn><devices::DevicesPage/></RequireSignIn> }/>
                    <Route path=path!("/account/data") view=|| view! { <RequireSignIn><data::DataPage/></RequireSignIn> }/>
                    <Route path=path!("/account/delete") view=|| view! { <RequireSignIn><delete::DeletePage/></RequireSignIn> }/>
                    <Route path=path!("/account/deleted") view=delete::DeletedPage/>
                    <Route path=path!("/account/email/confirm") view=email_confirm::EmailConfirmPage/>
                </Routes>
            </Shell>
        </Router>
    }
}

/// The `#token=…` of a link from an e-mail, taken out of the address bar at once so it stays
/// out of the history and of anything that reads the URL later.
pub fn take_link_token() -> Option<String> {
    let location = window().location();
    let hash = location.hash().ok()?;
    let token = hash.strip_prefix("#token=")?.to_string();
    let path = location.pathname().unwrap_or_default();
    let _ = window()
        .history()
        .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path)));
    fk_api::account::is_token(&token).then_some(token)
}
