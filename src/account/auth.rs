//! Who is signed in, for every page of the personal section; and the guard that sends a
//! signed-out visitor to sign in and back.
pub use fk_api::account::safe_next;
use fk_api::account::SessionView;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::nav::SectionNav;
use super::policy_notice::PolicyNotice;
use crate::layout::Loading;

#[derive(Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Option<SessionView>>,
    /// Whether the server has answered who is signed in.
    pub known: RwSignal<bool>,
}

impl Auth {
    pub fn provide() -> Auth {
        let auth = Auth {
            session: RwSignal::new(None),
            known: RwSignal::new(false),
        };
        leptos::task::spawn_local(async move {
            let session = crate::api::session().await.ok();
            // A sign-in or a verification may have answered first: its session is newer.
            if !auth.known.get_untracked() {
                auth.session.set(session);
                auth.known.set(true);
            }
        });
        provide_context(auth);
        auth
    }

    pub fn signed_in(&self, session: SessionView) {
        self.session.set(Some(session));
        self.known.set(true);
    }

    pub fn signed_out(&self) {
        self.session.set(None);
        self.known.set(true);
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Shows `children` to a signed-in user, with the section's navigation beside it and the
/// policy-change notice above it; sends anyone else to sign in, with the way back.
#[component]
pub fn RequireSignIn(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if auth.known.get() && auth.session.with(Option::is_none) {
            // The query too: `/account/orders?page=3` comes back to page 3.
            let search = window().location().search().unwrap_or_default();
            let here = format!("{}{search}", location.pathname.get_untracked());
            let next = js_sys::encode_uri_component(&here);
            navigate(
                &format!("/account/login?next={next}"),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // Only signing in or out re-renders the page: a changed profile or a renewed password
    // (a new `SessionView`) must not rebuild it under the user's hands.
    let signed_in = Memo::new(move |_| auth.session.with(Option::is_some));
    move || {
        if signed_in.get() {
            view! {
                <div class="section-layout">
                    <SectionNav/>
                    <div class="section-layout__page">
                        <PolicyNotice/>
                        {children()}
                    </div>
                </div>
            }
            .into_any()
        } else {
            view! { <Loading/> }.into_any()
        }
    }
}
