//! The signed-in part of the personal section, the parent route of its pages: a signed-in user
//! sees the page with the section's navigation beside it and the policy-change notice above
//! it; anyone else is sent to sign in, with the way back.
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::auth::use_auth;
use super::nav::SectionNav;
use super::policy_notice::PolicyNotice;
use crate::widgets::Loading;

#[component]
pub fn SignedInSection() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if auth.known.get() && auth.session.with(Option::is_none) {
            // The query too: `/account/orders?page=3` comes back to page 3.
            let search = window().location().search().unwrap_or_default();
            let here = format!("{}{search}", location.pathname.get_untracked());
            navigate(
                &fk_api::account::sign_in_to(&here),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // Only signing in or out re-renders the section: a changed profile or a renewed password
    // (a new `SessionView`) must not rebuild the page under the user's hands.
    let signed_in = Memo::new(move |_| auth.session.with(Option::is_some));
    move || {
        if signed_in.get() {
            view! {
                <div class="section-layout">
                    <SectionNav/>
                    <div class="section-layout__page">
                        // A notice of its own for each page: the thanks for "I have read it"
                        // belong to the page where it was said.
                        {move || {
                            location.pathname.track();
                            view! { <PolicyNotice/> }
                        }}
                        <Outlet/>
                    </div>
                </div>
            }
            .into_any()
        } else {
            view! { <Loading/> }.into_any()
        }
    }
}
