//! Who is signed in, for every page of the personal section.
pub use fk_api::account::safe_next;
use fk_api::account::SessionView;
use leptos::prelude::*;

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
