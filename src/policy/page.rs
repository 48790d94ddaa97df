//! `/policy` (the current version) and `/policy/versions/N` (any published one).
use fk_api::i18n::fill;
use fk_api::policy::parse_version;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::reader::{PolicyReader, Standing};
use crate::api;
use crate::boot::{use_boot, ShownPolicy};
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::{drawn_or_fetched, ErrorPanel, Loading};

#[component]
pub fn CurrentPolicyPage() -> impl IntoView {
    let rendered = use_boot()
        .policy
        .filter(|shown| shown.version.summary.version == shown.latest);
    drawn_or_fetched(
        rendered,
        |shown| {
            view! { <PolicyReader policy=shown.version standing=Standing::Current/> }.into_any()
        },
        || view! { <FetchedCurrentPolicy/> }.into_any(),
    )
}

#[component]
fn FetchedCurrentPolicy() -> impl IntoView {
    let i18n = use_i18n();
    let policy = LocalResource::new(move || api::current_policy(i18n.lang.get()));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match policy.await {
                    Ok(policy) => view! { <PolicyReader policy standing=Standing::Current/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=move |_| policy.refetch()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A numbered version as the server found it: its text, or none such.
#[derive(Clone)]
enum Found {
    Version(ShownPolicy),
    NoSuchVersion,
}

#[component]
pub fn VersionPage() -> impl IntoView {
    let params = use_params_map();
    let asked = params.read_untracked().get("version").unwrap_or_default();
    let boot = use_boot();
    let rendered = if boot.no_such_version {
        Some(Found::NoSuchVersion)
    } else {
        boot.policy
            .filter(|shown| shown.version.summary.version.to_string() == asked)
            .map(Found::Version)
    };
    drawn_or_fetched(
        rendered,
        move |found| match found {
            Found::Version(shown) => {
                let standing = standing(shown.version.summary.version, shown.latest);
                view! { <PolicyReader policy=shown.version standing/> }.into_any()
            }
            Found::NoSuchVersion => view! { <NoSuchVersion asked=asked.clone()/> }.into_any(),
        },
        || view! { <FetchedVersion/> }.into_any(),
    )
}

/// `/policy/versions/N` for a version that was never published (or not a number): the
/// not-found page of the policy, with the way to the list and to the current text. The server
/// answers it with status 404.
#[component]
pub fn NoSuchVersion(asked: String) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().policy_no_version_title, i18n.t().app_name));
    let asked: String = asked.chars().take(12).collect();
    view! {
        <div class="page page--narrow no-such-version">
            <h1>{i18n.text(|t| t.policy_no_version_title)}</h1>
            <p>{move || fill(i18n.t().policy_no_version_text, &[("version", &asked)])}</p>
            <ul class="link-list">
                <li><a href="/policy/versions">{i18n.text(|t| t.policy_all_versions)}</a></li>
                <li><a href="/policy">{i18n.text(|t| t.policy_open_current)}</a></li>
            </ul>
        </div>
    }
}

/// Whether `version` is the one in force, given the newest number.
fn standing(version: u32, latest: u32) -> Standing {
    if version == latest {
        Standing::Current
    } else {
        Standing::Old
    }
}

#[component]
fn FetchedVersion() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let asked = move || params.read().get("version").unwrap_or_default();
    let policy = LocalResource::new(move || {
        let lang = i18n.lang.get();
        let raw = asked();
        async move {
            let version = parse_version(&raw, "version")?;
            let policy = api::policy_version(lang, version).await?;
            let list = api::policy_versions(lang).await?;
            let latest = list.versions.first().map_or(version, |v| v.version);
            Ok::<_, fk_api::ApiError>((policy, latest))
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match policy.await {
                    Ok((policy, latest)) => {
                        let standing = standing(policy.summary.version, latest);
                        view! { <PolicyReader policy standing/> }.into_any()
                    }
                    Err(error) if no_such_version(&error) => {
                        view! { <NoSuchVersion asked=asked()/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error retry=move |_| policy.refetch()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Whether the API's answer means the version asked for does not exist (rather than that it
/// could not be read just now).
fn no_such_version(error: &fk_api::ApiError) -> bool {
    matches!(
        error.code,
        fk_api::ErrorCode::UnknownVersion | fk_api::ErrorCode::InvalidVersion
    ) && error.field.as_deref() == Some("version")
}
