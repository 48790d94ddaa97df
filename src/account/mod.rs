//! The personal section, as two bundles (`crate::bundle`): the pages a signed-out visitor
//! reaches ([`SignedOutApp`]) and the signed-in section ([`AccountApp`]). Neither is downloaded
//! by a reader of the policy, and signing in does not download the signed-in pages.
// Pages a signed-out visitor reaches: signing up, in and back, and the links of letters.
pub mod email_confirm;
pub mod recover;
pub mod register;
pub mod second_step;
pub mod sign_in;
pub mod unsubscribe;
pub mod verify;
// The signed-in section: its parent route, navigation, policy notice and pages.
pub mod credentials;
pub mod data;
pub mod delete;
pub mod devices;
pub mod history;
pub mod nav;
pub mod orders;
pub mod overview;
pub mod passkeys;
pub mod policy_notice;
pub mod privacy;
pub mod profile;
pub mod promotions;
pub mod recovery_codes;
pub mod section;
pub mod security;
pub mod subscriptions;
pub mod two_step_setup;
// What the pages share.
pub mod auth;
pub mod errors;
pub mod fields;
pub mod form;
pub mod format;
pub mod reauth;
pub mod widgets;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::boot::Boot;
use crate::bundle::{Bundle, NotHere};
use crate::i18n::I18n;
use crate::layout::Shell;
use crate::widgets::Loading;
use auth::Auth;
use section::SignedInSection;

/// Signing up, in and back in, and the pages of letters' links.
#[component]
pub fn SignedOutApp() -> impl IntoView {
    let boot = Boot::provide();
    I18n::provide(&boot);
    Auth::provide(&boot);
    view! {
        <Router>
            <Shell bundle=Bundle::SignedOut>
                <Routes fallback=|| view! { <NotHere this=Bundle::SignedOut/> }>
                    <Route path=path!("/account/register") view=register::RegisterPage/>
                    <Route path=path!("/account/login") view=sign_in::SignInPage/>
                    <Route path=path!("/account/verify") view=from_letter(verify::VerifyPage)/>
                    <Route path=path!("/account/recover") view=recover::RecoverPage/>
                    <Route path=path!("/account/reset") view=from_letter(recover::ResetPage)/>
                    <Route path=path!("/account/deleted") view=delete::DeletedPage/>
                    <Route path=path!("/account/email/confirm") view=from_letter(email_confirm::EmailConfirmPage)/>
                    // Works signed out: the link comes from a letter.
                    <Route path=path!("/unsubscribe") view=from_letter(unsubscribe::UnsubscribePage)/>
                </Routes>
            </Shell>
        </Router>
    }
}

/// The signed-in section: a visitor who is not signed in is sent to sign in.
#[component]
pub fn AccountApp() -> impl IntoView {
    let boot = Boot::provide();
    I18n::provide(&boot);
    Auth::provide(&boot);
    policy_notice::PolicyState::provide();
    view! {
        <Router>
            <Shell bundle=Bundle::PersonalSection>
                <Routes fallback=|| view! { <NotHere this=Bundle::PersonalSection/> }>
                    <ParentRoute path=path!("/account") view=SignedInSection>
                        <Route path=path!("") view=overview::Overview/>
                        <Route path=path!("profile") view=profile::ProfilePage/>
                        <Route path=path!("orders") view=orders::OrdersPage/>
                        <Route path=path!("orders/:id") view=orders::OrderPage/>
                        <Route path=path!("promotions") view=promotions::PromotionsPage/>
                        <Route path=path!("subscriptions") view=subscriptions::SubscriptionsPage/>
                        <Route path=path!("privacy") view=privacy::PrivacyPage/>
                        <Route path=path!("history") view=history::HistoryPage/>
                        <Route path=path!("security") view=security::SecurityPage/>
                        <Route path=path!("devices") view=devices::DevicesPage/>
                        <Route path=path!("data") view=data::DataPage/>
                        <Route path=path!("delete") view=delete::DeletePage/>
                    </ParentRoute>
                </Routes>
            </Shell>
        </Router>
    }
}

/// A page opened from a letter's link shows what the link's token decides, and the token is in
/// the part of the address no server sees: the server's first view of it is the loading sign.
fn from_letter<V: IntoView + 'static>(
    page: fn() -> V,
) -> impl Fn() -> AnyView + Clone + Send + Sync + 'static {
    move || {
        if cfg!(feature = "ssr") {
            view! { <Loading/> }.into_any()
        } else {
            page().into_any()
        }
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
