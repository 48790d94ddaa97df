//! Who is signed in, for every page of the personal section.
pub use fk_api::account::safe_next;
use fk_api::account::SessionView;
use leptos::prelude::*;

use crate::boot::Boot;

#[derive(Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Option<SessionView>>,
    /// Whether the server has answered who is signed in.
    pub known: RwSignal<bool>,
}

impl Auth {
    /// Who is signed in: asked of the server only when the page came with a live session (or
    /// was not rendered by the server); a visitor who is not signed in is not asked at all.
    pub fn provide(boot: &Boot) -> Auth {
        let signed_out = boot.signed_in == Some(false);
        let auth = Auth {
            session: RwSignal::new(None),
            known: RwSignal::new(signed_out),
        };
        provide_context(auth);
        if signed_out || cfg!(feature = "ssr") {
            return auth;
        }
        crate::dom::spawn(async move {
            let session = crate::api::session().await.ok();
            // A sign-in or a verification may have answered first: its session is newer.
            if !auth.known.get_untracked() {
                auth.session.set(session);
                auth.known.set(true);
            }
        });
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
