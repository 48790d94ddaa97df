//! `/policy/versions`: every published version with its date, links to read each, and a form
//! to compare any two.
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::policy::{DiffRequest, PolicyVersionList};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::boot::use_boot;
use crate::dom::set_title;
use crate::i18n::{error_text, use_i18n};
use crate::widgets::{drawn_or_fetched, ErrorPanel, Loading};

#[component]
pub fn VersionsPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().versions_title, i18n.t().app_name));
    view! {
        <div class="page">
            <h1>{i18n.text(|t| t.versions_title)}</h1>
            <p class="lead">{i18n.text(|t| t.versions_intro)}</p>
            {drawn_or_fetched(
                use_boot().versions,
                |list| view! { <VersionList list/> }.into_any(),
                || view! { <FetchedVersionList/> }.into_any(),
            )}
        </div>
    }
}

#[component]
fn FetchedVersionList() -> impl IntoView {
    let i18n = use_i18n();
    let list = LocalResource::new(move || api::policy_versions(i18n.lang.get()));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <VersionList list/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=move |_| list.refetch()/> }.into_any(),
                }
            })}
        </Transition>
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
                        {(version == latest).then(|| view! { <span class="badge badge--ok">{i18n.text(|t| t.versions_current)}</span> })}
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
            view! { <p class="notice">{i18n.text(|t| t.versions_only_one)}</p> }.into_any()
        } else {
            view! { <CompareForm list from=None to=None/> }.into_any()
        }}
    }
}

/// Two pickers and "Compare"; preset to `from` and `to` when given, else to the two newest.
#[component]
pub fn CompareForm(list: PolicyVersionList, from: Option<u32>, to: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let from = RwSignal::new(
        from.or_else(|| list.versions.get(1).map(|v| v.version))
            .map_or(String::new(), |v| v.to_string()),
    );
    let to = RwSignal::new(
        to.or_else(|| list.versions.first().map(|v| v.version))
            .map_or(String::new(), |v| v.to_string()),
    );
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
        match DiffRequest::choose(&from.get(), &to.get()) {
            Ok(request) => {
                error.set(None);
                navigate(
                    &format!("/policy/compare?{}", request.query()),
                    Default::default(),
                );
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let field = move |field: &'static str,
                      label: fn(&'static fk_api::Messages) -> &'static str,
                      value: RwSignal<String>,
                      options| {
        let id = format!("compare-{field}");
        let error_id = format!("compare-{field}-error");
        let message = move || {
            error
                .get()
                .filter(|e| e.field.as_deref() == Some(field))
                .map(|e| error_text(i18n.t(), e.code))
        };
        view! {
            <div class="field">
                <label for=id.clone()>{move || label(i18n.t())}</label>
                <select id=id aria-invalid=move || message().is_some().to_string() aria-describedby=error_id.clone()
                    on:change=move |ev| value.set(event_target_value(&ev))>{options}</select>
                {move || message().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
            </div>
        }
    };
    view! {
        <form class="compare-form card" on:submit=on_submit novalidate>
            <h2>{i18n.text(|t| t.versions_compare_title)}</h2>
            {field("from", |t| t.versions_from, from, from_options)}
            {field("to", |t| t.versions_to, to, to_options)}
            <button type="submit" class="button">{i18n.text(|t| t.versions_compare_button)}</button>
        </form>
    }
}
