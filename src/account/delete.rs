//! `/account/delete` (clause 5.2, «Удалить аккаунт»): what deleting means, the download offered
//! first, the password and an explicit "I understand"; then `/account/deleted` says it is
//! done. That page is outside the guard: the session is gone, and the guard would send the
//! user to sign in before they read it.
use fk_api::i18n::fill;
use fk_api::AccountMessages;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::auth::use_auth;
use super::fields::{FormAlert, PasswordField, SubmitButton};
use super::form::{Control, Form};
use crate::dom::{focus_id, set_title};
use crate::i18n::use_i18n;

/// The address the confirmation went to, from the deletion to the page that says so: only a
/// deletion made in this tab leads there. `/account/deleted` is the signed-out bundle's page,
/// a new page load, so the address waits in this tab's session storage, read once.
const DELETED_KEY: &str = "fk_account_deleted";

fn remember_deleted(email: &str) {
    if let Ok(Some(storage)) = window().session_storage() {
        let _ = storage.set_item(DELETED_KEY, email);
    }
}

fn take_deleted() -> Option<String> {
    if cfg!(feature = "ssr") {
        return None;
    }
    let storage = window().session_storage().ok().flatten()?;
    let email = storage.get_item(DELETED_KEY).ok().flatten();
    let _ = storage.remove_item(DELETED_KEY);
    email
}

#[component]
pub fn DeletePage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.lang.get().account().delete_title, i18n.t().app_name));
    let auth = use_auth();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let confirmed = RwSignal::new(false);
    let unconfirmed = RwSignal::new(false);
    let form = Form::new([Control::new("password", "delete-password")]);
    // Typed at all (the shared rule the server applies too); whether it is right, only the
    // server's answer says.
    let password_error = form.error("password", move || {
        password.with(|p| fk_api::account::password::entered(p, "password").err())
    });
    let form_level = form.alert();
    form.clear_on_change(move || password.track());
    Effect::new(move |_| {
        if confirmed.get() {
            unconfirmed.set(false);
        }
    });
    let delete =
        Action::new_local(|password: &String| crate::api::delete_account(password.clone()));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            let email = auth
                .session
                .with_untracked(|s| s.as_ref().map(|s| s.account.email.clone()));
            remember_deleted(&email.unwrap_or_default());
            password.set(String::new());
            navigate(
                "/account/deleted",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
        Some(Err(e)) => form.refused(e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit();
        // Every problem at once, each next to its field; the focus goes to the first.
        let no_password =
            password.with_untracked(|p| fk_api::account::password::entered(p, "password").is_err());
        let not_ticked = !confirmed.get_untracked();
        unconfirmed.set(not_ticked);
        if no_password {
            focus_id("delete-password");
        } else if not_ticked {
            focus_id("delete-confirm");
        }
        if no_password || not_ticked {
            return;
        }
        delete.dispatch(password.get_untracked());
    };
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    let consequences: [fn(&'static AccountMessages) -> &'static str; 4] = [
        |a| a.delete_erased,
        |a| a.delete_kept,
        |a| a.delete_services,
        |a| a.delete_letter,
    ];
    view! {
        <div class="page page--narrow">
            <h1>{a(|a| a.delete_title)}</h1>
            <p class="lead">{a(|a| a.delete_lead)}</p>
            <section class="card" aria-labelledby="delete-what-heading">
                <h2 id="delete-what-heading">{a(|a| a.delete_what_heading)}</h2>
                <ul>{consequences.into_iter().map(|item| view! { <li>{a(item)}</li> }).collect_view()}</ul>
            </section>
            <section class="card" aria-labelledby="delete-download-heading">
                <h2 id="delete-download-heading">{a(|a| a.delete_download_heading)}</h2>
                <p>{a(|a| a.delete_download_text)}</p>
                <p><a href="/account/data">{a(|a| a.data_title)}</a></p>
            </section>
            <section class="card card--danger" aria-labelledby="delete-form-heading">
                <h2 id="delete-form-heading">{a(|a| a.delete_form_heading)}</h2>
                <form class="account-form" method="post" novalidate on:submit=on_submit>
                    <PasswordField id="delete-password" label=a(|a| a.delete_password_label) value=password error=password_error/>
                    <div class="field field--check">
                        <div class="choice">
                            <input type="checkbox" id="delete-confirm" name="delete-confirm" required=true
                                aria-invalid=move || unconfirmed.get().to_string() aria-describedby="delete-confirm-error"
                                prop:checked=move || confirmed.get() on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                            <label for="delete-confirm">
                                {a(|a| a.delete_confirm_label)}
                                <span class="required" aria-hidden="true">" *"</span>
                            </label>
                        </div>
                        <p class="field-error" id="delete-confirm-error">
                            {move || unconfirmed.get().then(|| a(|a| a.delete_confirm_required).get())}
                        </p>
                    </div>
                    <FormAlert error=form_level/>
                    <SubmitButton id="delete-submit" class="button button--danger" label=a(|a| a.delete_submit) pending=delete.pending().into()/>
                </form>
            </section>
        </div>
    }
}

/// After a deletion made in this tab: it is done, and what happened to the data.
#[component]
pub fn DeletedPage() -> impl IntoView {
    let i18n = use_i18n();
    // It is done: the tab's title and the heading say so, no longer "delete account". This is
    // a new page load (the signed-out bundle): a screen reader starts with that title, so the
    // focus is left where a page load puts it.
    Effect::new(move |_| set_title(i18n.lang.get().account().delete_done, i18n.t().app_name));
    let auth = use_auth();
    let navigate = use_navigate();
    let email = take_deleted();
    let known = email.is_some();
    // After this render, when the page the deletion was made on (and the signed-in section around it) is gone.
    crate::dom::after_render(move || {
        if known {
            // The server has ended the session with the account: now the app knows it too.
            auth.signed_out();
        } else {
            navigate(
                "/account",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let a = move |key: fn(&'static AccountMessages) -> &'static str| i18n.account(key);
    view! {
        <div class="page page--narrow">
            <h1 id="deleted-heading">{a(|a| a.delete_done)}</h1>
            {email.map(|email| view! {
                <section class="notice notice--info" aria-labelledby="deleted-heading">
                    <p>{move || fill(i18n.lang.get().account().delete_done_text, &[("email", &email)])}</p>
                    <p>{a(|a| a.delete_done_kept)}</p>
                    <p><a href="/policy" rel="external">{a(|a| a.delete_done_policy)}</a></p>
                    <p><a href="/account/register">{a(|a| a.register_link)}</a></p>
                </section>
            })}
        </div>
    }
}
