//! The app: language in context, the shell, and every route.
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::boot::Boot;
use crate::bundle::{Bundle, NotHere};
use crate::consent::page::CookiesPage;
use crate::i18n::I18n;
use crate::layout::Shell;
use crate::policy::compare::ComparePage;
use crate::policy::page::{CurrentPolicyPage, VersionPage};
use crate::policy::versions::VersionsPage;

#[component]
pub fn App() -> impl IntoView {
    let boot = Boot::provide();
    I18n::provide(&boot);
    view! {
        <Router>
            <Shell bundle=Bundle::PolicyViewer>
                <Routes fallback=|| view! { <NotHere this=Bundle::PolicyViewer/> }>
                    <Route path=path!("/") view=|| view! { <Redirect path="/policy"/> }/>
                    <Route path=path!("/policy") view=CurrentPolicyPage/>
                    <Route path=path!("/policy/versions") view=VersionsPage/>
                    <Route path=path!("/policy/versions/:version") view=VersionPage/>
                    <Route path=path!("/policy/compare") view=ComparePage/>
                    <Route path=path!("/cookies") view=CookiesPage/>
                </Routes>
            </Shell>
        </Router>
    }
}
