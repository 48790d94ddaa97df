//! `/policy/versions`: every published version with its date, links to read each, and a form
//! to compare any two.
use fk_api::i18n::fill;
use fk_api::policy::{DiffRequest, PolicyVersionList};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::dom::{format_date, set_title};
use crate::i18n::{error_text, use_i18n};
use crate::layout::{ErrorPanel, Loading};

#[component]
pub fn VersionsPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().versions_title, i18n.t().app_name));
    let list = LocalResource::new(move || api::policy_versions(i18n.lang.get()));
    view! {
        <div class="page">
            <h1>{move || i18n.t().versions_title}</h1>
            <p class="lead">{move || i18n.t().versions_intro}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <VersionList list/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error retry=move |_| list.refetch()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn VersionList(list: PolicyVersionList) -> impl IntoView {
    let i18n = use_i18n();
    let latest = list.versions.first().map_or(0, |v| v.version);
    let items = list
        .versions
        .iter()
        .map(|v| {
            let version = v.version;
            let date = v.effective_at.clone();
            let when = move || fill(i18n.t().policy_effective, &[("date", &format_date(&date, i18n.lang.get()))]);
            view! {
                <li class="version">
                    <div class="version__head">
                        <a href=format!("/policy/versions/{version}")>
                            {move || fill(i18n.t().policy_version, &[("version", &version.to_string())])}
                        </a>
                        {(version == latest).then(|| view! { <span class="badge badge--ok">{move || i18n.t().versions_current}</span> })}
                    </div>
                    <p class="version__date">{when}</p>
                    {(version != latest).then(|| view! {
                        <a href=format!("/policy/compare?from={version}")>
                            {move || fill(i18n.t().versions_compare_current, &[("version", &version.to_string())])}
                        </a>
                    })}
                </li>
            }
        })
        .collect_view();
    let only_one = list.versions.len() < 2;
    view! {
        <ol class="versions" reversed>{items}</ol>
        {if only_one {
            view! { <p class="notice">{move || i18n.t().versions_only_one}</p> }.into_any()
        } else {
            view! { <CompareForm list/> }.into_any()
        }}
    }
}

#[component]
fn CompareForm(list: PolicyVersionList) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let from = RwSignal::new(list.versions.get(1).map_or(String::new(), |v| v.version.to_string()));
    let to = RwSignal::new(list.versions.first().map_or(String::new(), |v| v.version.to_string()));
    let error = RwSignal::new(None::<fk_api::ApiError>);
    let options = move |selected: RwSignal<String>| {
        list.versions
            .iter()
            .map(|v| {
                let value = v.version.to_string();
                let date = v.effective_at.clone();
                let version = v.version;
                let is_selected = { let value = value.clone(); move || selected.get() == value };
                view! {
                    <option value=value selected=is_selected>
                        {move || fill(i18n.t().versions_option, &[("version", &version.to_string()), ("date", &format_date(&date, i18n.lang.get()))])}
                    </option>
                }
            })
            .collect_view()
    };
    let (from_options, to_options) = (options(from), options(to));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match DiffRequest::parse(Some(&from.get()), Some(&to.get())) {
            Ok(request) => {
                error.set(None);
                navigate(&format!("/policy/compare?{}", request.query()), Default::default());
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let field_error = move |field: &'static str| {
        move || {
            error.get().filter(|e| e.field.as_deref() == Some(field)).map(|e| {
                view! { <p class="field-error" id=format!("compare-{field}-error")>{error_text(i18n.t(), e.code)}</p> }
            })
        }
    };
    let invalid = move |field: &'static str| move || error.get().is_some_and(|e| e.field.as_deref() == Some(field)).to_string();
    view! {
        <form class="compare-form card" on:submit=on_submit novalidate>
            <h2>{move || i18n.t().versions_compare_title}</h2>
            <div class="field">
                <label for="compare-from">{move || i18n.t().versions_from}</label>
                <select id="compare-from" aria-invalid=invalid("from") aria-describedby="compare-from-error"
                    on:change=move |ev| from.set(event_target_value(&ev))>{from_options}</select>
                {field_error("from")}
            </div>
            <div class="field">
                <label for="compare-to">{move || i18n.t().versions_to}</label>
                <select id="compare-to" aria-invalid=invalid("to") aria-describedby="compare-to-error"
                    on:change=move |ev| to.set(event_target_value(&ev))>{to_options}</select>
                {field_error("to")}
            </div>
            <button type="submit" class="button">{move || i18n.t().versions_compare_button}</button>
        </form>
    }
}
