//! `/policy/compare?from=N[&to=M]`: what changed between two versions, clause by clause;
//! inserted words marked as inserted, deleted as deleted, unchanged clauses folded away.
//! Without `to` it compares with the current version ("what changed since N").
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::policy::{ChangeKind, ClauseDiff, ClauseStatus, DiffRequest, PolicyDiff, UnitKind};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::{ErrorPanel, Loading};

#[component]
pub fn ComparePage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().compare_title, i18n.t().app_name));
    let query = use_query_map();
    let diff = LocalResource::new(move || {
        let lang = i18n.lang.get();
        let (from, to) = query.with(|q| (q.get("from"), q.get("to")));
        async move {
            let request = DiffRequest::parse(from.as_deref(), to.as_deref())?;
            api::policy_diff(lang, request).await
        }
    });
    view! {
        <div class="page">
            <p class="no-print"><a href="/policy/versions">"← " {i18n.text(|t| t.compare_back)}</a></p>
            <h1>{i18n.text(|t| t.compare_title)}</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match diff.await {
                        Ok(diff) => view! { <DiffView diff/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn DiffView(diff: PolicyDiff) -> impl IntoView {
    let i18n = use_i18n();
    let (from, to) = (diff.from.clone(), diff.to.clone());
    let between = move || {
        let lang = i18n.lang.get();
        fill(
            i18n.t().compare_between,
            &[
                ("from", &from.version.to_string()),
                ("from_date", &format_date(&from.effective_at, lang)),
                ("to", &to.version.to_string()),
                ("to_date", &format_date(&to.effective_at, lang)),
            ],
        )
    };
    let counts = [
        ClauseStatus::Changed,
        ClauseStatus::Added,
        ClauseStatus::Removed,
    ]
    .map(|s| diff.count(s).to_string());
    let title_changes = diff
        .units
        .iter()
        .any(|u| u.kind == UnitKind::SectionTitle && u.status != ClauseStatus::Unchanged);
    let no_changes = counts.iter().all(|c| c == "0") && !title_changes;
    let summary = move || {
        if no_changes {
            i18n.t().compare_no_changes.to_string()
        } else {
            fill(
                i18n.t().compare_summary,
                &[
                    ("changed", &counts[0]),
                    ("added", &counts[1]),
                    ("removed", &counts[2]),
                ],
            )
        }
    };
    view! {
        <p class="lead">{between}</p>
        <p class="notice notice--info" role="status">{summary}</p>
        <div class="diff">{groups(diff.units)}</div>
    }
}

/// Changed units stand alone; each run of unchanged ones folds into one `<details>`.
fn groups(units: Vec<ClauseDiff>) -> impl IntoView {
    let mut out = Vec::new();
    let mut run: Vec<ClauseDiff> = Vec::new();
    let flush = |run: &mut Vec<ClauseDiff>, out: &mut Vec<AnyView>| {
        if !run.is_empty() {
            out.push(unchanged_group(std::mem::take(run)).into_any());
        }
    };
    for unit in units {
        if unit.status == ClauseStatus::Unchanged {
            run.push(unit);
        } else {
            flush(&mut run, &mut out);
            out.push(change(unit).into_any());
        }
    }
    flush(&mut run, &mut out);
    out
}

fn unchanged_group(units: Vec<ClauseDiff>) -> impl IntoView {
    let i18n = use_i18n();
    let clauses: Vec<&ClauseDiff> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Clause)
        .collect();
    let count = clauses.len();
    let range = match (clauses.first(), clauses.last()) {
        (Some(a), Some(b)) if a.id != b.id => format!(" ({}–{})", a.label, b.label),
        (Some(a), _) => format!(" ({})", a.label),
        _ => String::new(),
    };
    let body = units.into_iter().map(unit_text).collect_view();
    view! {
        <details class="diff-unchanged">
            <summary>{move || fill(i18n.t().compare_unchanged, &[("count", &count.to_string())])}{range}</summary>
            {body}
        </details>
    }
}

fn change(unit: ClauseDiff) -> impl IntoView {
    let i18n = use_i18n();
    let status = unit.status;
    let badge = move || {
        let t = i18n.t();
        match status {
            ClauseStatus::Added => t.compare_added,
            ClauseStatus::Removed => t.compare_removed,
            _ => t.compare_changed,
        }
    };
    let class = match status {
        ClauseStatus::Added => "diff-change diff-change--added",
        ClauseStatus::Removed => "diff-change diff-change--removed",
        _ => "diff-change",
    };
    let heading = heading(&unit);
    view! {
        <section class=class data-unit=unit.id.clone()>
            <h2 class="diff-change__title">{heading} " " <span class="badge">{badge}</span></h2>
            <p class="diff-text">{segments(&unit)}</p>
        </section>
    }
}

fn heading(unit: &ClauseDiff) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let (kind, label) = (unit.kind, unit.label.clone());
    move || match kind {
        UnitKind::SectionTitle => fill(i18n.t().compare_section_title, &[("number", &label)]),
        UnitKind::Clause => label.clone(),
    }
}

fn unit_text(unit: ClauseDiff) -> impl IntoView {
    let heading = heading(&unit);
    view! {
        <div class="diff-unit" data-unit=unit.id.clone()>
            <h3 class="diff-unit__title">{heading}</h3>
            <p class="diff-text">{segments(&unit)}</p>
        </div>
    }
}

fn segments(unit: &ClauseDiff) -> impl IntoView + use<> {
    let i18n = use_i18n();
    unit.segments
        .iter()
        .map(|s| {
            let text = s.text.clone();
            match s.kind {
                ChangeKind::Equal => text.into_any(),
                ChangeKind::Insert => view! {
                    <ins><span class="sr-only">{i18n.text(|t| t.compare_inserted)} " "</span>{text}</ins>
                }
                .into_any(),
                ChangeKind::Delete => view! {
                    <del><span class="sr-only">{i18n.text(|t| t.compare_deleted)} " "</span>{text}</del>
                }
                .into_any(),
            }
        })
        .collect_view()
}
