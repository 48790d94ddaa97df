//! `/policy/compare?from=N[&to=M]`: what changed between two versions, clause by clause;
//! inserted words marked as inserted, deleted as deleted, unchanged clauses folded away.
//! Without `to` it compares with the current version ("what changed since N").
use fk_api::dates::format_date;
use fk_api::i18n::fill;
use fk_api::policy::{
    parse_version, ChangeKind, ClauseDiff, ClauseStatus, DiffRequest, PolicyDiff,
    PolicyVersionList, UnitKind,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::versions::CompareForm;
use crate::api;
use crate::dom::set_title;
use crate::i18n::use_i18n;
use crate::widgets::{ErrorPanel, Loading};

/// What the compare page shows for its query, given the published version numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Pick {
    /// Two different published versions: their differences.
    Diff(DiffRequest),
    /// Not two different published versions: the pickers, preset to `from` and `to`, with
    /// the reason.
    Choose {
        problem: Problem,
        from: Option<u32>,
        to: Option<u32>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Problem {
    /// No version, or not a number, to compare from (or to).
    Missing,
    /// The same version twice (`to` missing means the current one).
    Equal(u32),
    /// A number that was never published.
    Unknown(u32),
}

/// The rule of `/policy/compare?from=N[&to=M]`: `published` lists the numbers newest first.
pub fn pick(from: Option<&str>, to: Option<&str>, published: &[u32]) -> Pick {
    let latest = published.first().copied();
    let previous = published.get(1).copied();
    let exists = |n: u32| published.contains(&n);
    let request = match DiffRequest::parse(from, to) {
        Ok(request) => request,
        Err(_) => {
            let to = to.and_then(|raw| parse_version(raw, "to").ok());
            let from = from.and_then(|raw| parse_version(raw, "from").ok());
            return Pick::Choose {
                problem: Problem::Missing,
                from: from.filter(|n| exists(*n)).or(previous),
                to: to.filter(|n| exists(*n)).or(latest),
            };
        }
    };
    let to = request.to.or(latest);
    let unknown = [Some(request.from), request.to]
        .into_iter()
        .flatten()
        .find(|n| !exists(*n));
    if let Some(n) = unknown {
        return Pick::Choose {
            problem: Problem::Unknown(n),
            from: Some(request.from).filter(|n| exists(*n)).or(previous),
            to: request.to.filter(|n| exists(*n)).or(latest),
        };
    }
    if Some(request.from) == to {
        let from = if Some(request.from) == latest {
            previous
        } else {
            Some(request.from)
        };
        return Pick::Choose {
            problem: Problem::Equal(request.from),
            from,
            to: latest,
        };
    }
    Pick::Diff(request)
}

/// What the page has once loaded.
#[derive(Clone)]
enum Loaded {
    Diff(PolicyDiff),
    Choose {
        list: PolicyVersionList,
        problem: Problem,
        from: Option<u32>,
        to: Option<u32>,
    },
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_title(i18n.t().compare_title, i18n.t().app_name));
    let query = use_query_map();
    let loaded = LocalResource::new(move || {
        let lang = i18n.lang.get();
        let (from, to) = query.with(|q| (q.get("from"), q.get("to")));
        async move {
            let list = api::policy_versions(lang).await?;
            let published: Vec<u32> = list.versions.iter().map(|v| v.version).collect();
            match pick(from.as_deref(), to.as_deref(), &published) {
                Pick::Diff(request) => Ok(Loaded::Diff(api::policy_diff(lang, request).await?)),
                Pick::Choose { problem, from, to } => Ok::<_, fk_api::ApiError>(Loaded::Choose {
                    list,
                    problem,
                    from,
                    to,
                }),
            }
        }
    });
    view! {
        <div class="page">
            <p class="no-print"><a href="/policy/versions">"← " {i18n.text(|t| t.compare_back)}</a></p>
            <h1>{i18n.text(|t| t.compare_title)}</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(Loaded::Diff(diff)) => view! { <DiffView diff/> }.into_any(),
                        Ok(Loaded::Choose { list, problem, from, to }) => {
                            view! { <ChooseVersions list problem from to/> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error retry=move |_| loaded.refetch()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The page asked for no two different published versions: why, and the pickers.
#[component]
fn ChooseVersions(
    list: PolicyVersionList,
    problem: Problem,
    from: Option<u32>,
    to: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let why = move || {
        let t = i18n.t();
        match problem {
            Problem::Missing => t.compare_choose_missing.to_string(),
            Problem::Equal(n) => fill(t.compare_choose_equal, &[("version", &n.to_string())]),
            Problem::Unknown(n) => fill(t.compare_choose_unknown, &[("version", &n.to_string())]),
        }
    };
    let only_one = list.versions.len() < 2;
    // With a single version there is nothing to choose: that alone is the answer.
    let say_why = !only_one || matches!(problem, Problem::Unknown(_));
    view! {
        {say_why.then(|| view! { <p class="notice notice--warn compare-problem">{why}</p> })}
        {if only_one {
            view! {
                <p class="notice">{i18n.text(|t| t.versions_only_one)}</p>
                <p><a href="/policy">{i18n.text(|t| t.policy_open_current)}</a></p>
            }
            .into_any()
        } else {
            view! { <CompareForm list from to/> }.into_any()
        }}
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

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(problem: Problem, from: u32, to: u32) -> Pick {
        Pick::Choose {
            problem,
            from: Some(from),
            to: Some(to),
        }
    }

    #[test]
    fn two_different_published_versions_are_compared() {
        let published = [3, 2, 1];
        assert_eq!(
            pick(Some("1"), Some("3"), &published),
            Pick::Diff(DiffRequest {
                from: 1,
                to: Some(3)
            })
        );
        assert_eq!(
            pick(Some("2"), None, &published),
            Pick::Diff(DiffRequest { from: 2, to: None })
        );
    }

    #[test]
    fn anything_else_offers_the_pickers_with_its_reason() {
        let published = [3, 2, 1];
        assert_eq!(pick(None, None, &published), choose(Problem::Missing, 2, 3));
        assert_eq!(
            pick(Some("x"), Some("1"), &published),
            choose(Problem::Missing, 2, 1)
        );
        assert_eq!(
            pick(Some("1"), Some("zz"), &published),
            choose(Problem::Missing, 1, 3)
        );
        assert_eq!(
            pick(Some("2"), Some("2"), &published),
            choose(Problem::Equal(2), 2, 3)
        );
        assert_eq!(
            pick(Some("3"), None, &published),
            choose(Problem::Equal(3), 2, 3)
        );
        assert_eq!(
            pick(Some("3"), Some("3"), &published),
            choose(Problem::Equal(3), 2, 3)
        );
        assert_eq!(
            pick(Some("9"), None, &published),
            choose(Problem::Unknown(9), 2, 3)
        );
        assert_eq!(
            pick(Some("1"), Some("7"), &published),
            choose(Problem::Unknown(7), 1, 3)
        );
        assert_eq!(
            pick(Some("1"), None, &[1]),
            Pick::Choose {
                problem: Problem::Equal(1),
                from: None,
                to: Some(1)
            }
        );
    }
}
