//! The password asked again, inline, before a sensitive operation when the last sign-in is
//! older than ten minutes; the operation then goes on by itself.
use fk_api::ApiError;
use leptos::prelude::*;

use super::auth::use_auth;
use super::fields::{FormAlert, PasswordField, SubmitButton};
use crate::dom::focus_id;
use crate::i18n::use_i18n;

#[component]
pub fn ReauthPrompt(
    #[prop(into)] on_done: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let field_error = Signal::derive(move || error.get().filter(|e| e.field.is_some()));
    let form_error = Signal::derive(move || error.get().filter(|e| e.field.is_none()));
    let confirm = Action::new_local(move |password: &String| {
        let password = password.clone();
        async move { crate::api::reauth(password).await }
    });
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(session)) => {
            auth.signed_in(session);
            on_done.run(());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    // The prompt appears where the user acted: put the cursor in it.
    Effect::new(move |_| focus_id("reauth-password"));
    let a = move |key: fn(&'static fk_api::AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <form class="reauth card" method="post" novalidate aria-labelledby="reauth-title"
            on:submit=move |ev| { ev.prevent_default(); error.set(None); confirm.dispatch(password.get_untracked()); }
            on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h2 id="reauth-title">{a(|a| a.reauth_title)}</h2>
            <p>{a(|a| a.reauth_text)}</p>
            <PasswordField id="reauth-password" label=a(|a| a.password_label) value=password error=field_error/>
            <FormAlert error=form_error/>
            <div class="button-row">
                <SubmitButton label=a(|a| a.reauth_submit) pending=confirm.pending().into()/>
                <button type="button" class="button button--quiet" on:click=move |_| on_cancel.run(())>{a(|a| a.cancel)}</button>
            </div>
        </form>
    }
}
