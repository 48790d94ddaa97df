//! `/policy` (the current version) and `/policy/versions/N` (any published one).
use fk_api::policy::parse_version;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::reader::{PolicyReader, Standing};
use crate::api;
use crate::boot::use_boot;
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

#[component]
pub fn VersionPage() -> impl IntoView {
    let params = use_params_map();
    let asked = params.read_untracked().get("version").unwrap_or_default();
    let rendered = use_boot()
        .policy
        .filter(|shown| shown.version.summary.version.to_string() == asked);
    drawn_or_fetched(
        rendered,
        |shown| {
            let standing = standing(shown.version.summary.version, shown.latest);
            view! { <PolicyReader policy=shown.version standing/> }.into_any()
        },
        || view! { <FetchedVersion/> }.into_any(),
    )
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
    let policy = LocalResource::new(move || {
        let lang = i18n.lang.get();
        let raw = params.read().get("version").unwrap_or_default();
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
                    Err(error) => view! { <ErrorPanel error retry=move |_| policy.refetch()/> }.into_any(),
                }
            })}
        </Transition>
    }
}
