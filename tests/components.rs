//! Component tests in headless Chromium (`cargo xtask test` runs them through
//! wasm-bindgen-test-runner): the table of contents and search, and the parts of two-step
//! sign-in (the second step's form, the QR code, the recovery codes), mounted alone.
#![cfg(target_arch = "wasm32")]
use std::sync::Arc;
use std::time::Duration;

use fk_api::account::two_step::QrCode;
use fk_api::policy::{Block, Clause, PolicyDocument, Section, Span};
use fk_api::Lang;
use fk_app::account::auth::Auth;
use fk_app::account::recovery_codes::RecoveryCodesSheet;
use fk_app::account::second_step::SecondStepForm;
use fk_app::account::two_step_setup::QrImage;
use fk_app::i18n::I18n;
use fk_app::policy::body::PolicyBody;
use fk_app::policy::search::{searchable_texts, PolicySearch, SearchState};
use fk_app::policy::toc::PolicyToc;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn clause(number: &str, text: &str) -> Clause {
    Clause {
        id: number.into(),
        number: Some(number.into()),
        heading: None,
        blocks: vec![Block::Paragraph {
            spans: vec![Span::plain(text)],
        }],
    }
}

fn doc() -> Arc<PolicyDocument> {
    Arc::new(PolicyDocument {
        title: "Policy".into(),
        preamble: vec![],
        sections: vec![
            Section {
                number: 1,
                title: "First".into(),
                clauses: vec![
                    clause("1.1", "A cookie is small."),
                    clause("1.2", "Write to info@fortekassa.kz."),
                ],
            },
            Section {
                number: 2,
                title: "Cookies".into(),
                clauses: vec![Clause {
                    id: "2.1".into(),
                    number: Some("2.1".into()),
                    heading: None,
                    blocks: vec![
                        Block::Paragraph {
                            spans: vec![
                                Span::plain("Lists "),
                                Span {
                                    strong: true,
                                    ..Span::plain("COOKIE")
                                },
                            ],
                        },
                        Block::List {
                            items: vec![vec![Span::plain("no match")]],
                        },
                    ],
                }],
            },
        ],
    })
}

fn container() -> web_sys::HtmlElement {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

/// Yields to the browser so effects and renders run.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (up to two seconds) until `check` holds.
async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + Duration::from_secs(2).as_millis() as f64;
    while !check() {
        assert!(js_sys::Date::now() < deadline, "never happened: {what}");
        tick().await;
    }
}

fn count(root: &web_sys::HtmlElement, css: &str) -> u32 {
    root.query_selector_all(css).unwrap().length()
}

fn text(root: &web_sys::HtmlElement, css: &str) -> String {
    root.query_selector(css)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn contents_link_every_section() {
    let root = container();
    let doc = doc();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::En);
        view! { <PolicyToc doc=doc.clone() active=RwSignal::new(Some("section-2".into()))/> }
    })
    .forget();
    until("the contents render", || count(&root, ".toc a") == 2).await;
    assert_eq!(text(&root, "#toc-title"), "Contents");
    let first = root.query_selector(".toc a").unwrap().unwrap();
    assert_eq!(first.get_attribute("href").as_deref(), Some("#section-1"));
    assert_eq!(first.text_content().as_deref(), Some("1. First"));
    // The section being read, and only it, is marked.
    assert_eq!(first.get_attribute("aria-current"), None);
    let second = root
        .query_selector(".toc a[href='#section-2']")
        .unwrap()
        .unwrap();
    assert_eq!(
        second.get_attribute("aria-current").as_deref(),
        Some("location")
    );
    assert_eq!(
        root.query_selector("nav")
            .unwrap()
            .unwrap()
            .get_attribute("aria-labelledby")
            .as_deref(),
        Some("toc-title")
    );
}

fn key(input: &web_sys::HtmlInputElement, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn search_marks_counts_and_steps_through_matches() {
    let root = container();
    let doc = doc();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::En);
        let search = SearchState::new(Arc::new(searchable_texts(&doc)));
        view! {
            <PolicySearch search/>
            <PolicyBody doc=doc.clone() search/>
        }
    })
    .forget();
    until("the body renders", || count(&root, ".clause") == 3).await;
    assert_eq!(
        count(&root, "a[href='mailto:info@fortekassa.kz']"),
        1,
        "e-mail addresses become links"
    );
    assert_eq!(text(&root, ".clause-number"), "1.1.");

    let input: web_sys::HtmlInputElement = root
        .query_selector("#policy-search-input")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value("cookie");
    input
        .dispatch_event(
            &web_sys::Event::new_with_event_init_dict("input", &{
                let i = web_sys::EventInit::new();
                i.set_bubbles(true);
                i
            })
            .unwrap(),
        )
        .unwrap();
    // "Cookies" (section title), "cookie" (1.1), "COOKIE" (2.1, bold): case-insensitive.
    until("three marks", || count(&root, "mark") == 3).await;
    until("1 of 3", || {
        text(&root, ".policy-search__count") == "1 of 3"
    })
    .await;
    assert_eq!(
        root.query_selector("mark.current")
            .unwrap()
            .unwrap()
            .get_attribute("data-match")
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        count(&root, "strong mark"),
        1,
        "a match inside bold text stays bold"
    );

    key(&input, "Enter", false);
    until("2 of 3", || {
        text(&root, ".policy-search__count") == "2 of 3"
    })
    .await;
    assert_eq!(
        root.query_selector("mark.current")
            .unwrap()
            .unwrap()
            .get_attribute("data-match")
            .as_deref(),
        Some("1")
    );
    key(&input, "Enter", true);
    key(&input, "Enter", true);
    until("wraps to 3 of 3", || {
        text(&root, ".policy-search__count") == "3 of 3"
    })
    .await;

    key(&input, "Escape", false);
    until("cleared", || count(&root, "mark") == 0).await;
    assert_eq!(text(&root, ".policy-search__count"), "");
    assert_eq!(input.value(), "");
}

// --- Two-step sign-in: the second step's form, the QR code, the recovery codes. ---

fn input(root: &web_sys::HtmlElement, css: &str) -> Option<web_sys::HtmlInputElement> {
    root.query_selector(css)
        .unwrap()
        .map(|e| e.unchecked_into::<web_sys::HtmlInputElement>())
}

fn click(root: &web_sys::HtmlElement, css: &str) {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

fn focused_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_second_step_asks_for_the_apps_code_or_a_recovery_code() {
    let root = container();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::En);
        view! { <SecondStepForm on_done=|_| {} on_expired=|| {} on_restart=|| {}/> }
    })
    .forget();
    until("the code field", || {
        input(&root, "#second-step-code").is_some()
    })
    .await;
    let code = input(&root, "#second-step-code").unwrap();
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        code.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    until("the code field has the focus", || {
        focused_id() == "second-step-code"
    })
    .await;

    // Five digits: the shared rule answers under the field, and nothing is sent.
    code.set_value("12345");
    code.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    click(&root, "#second-step-submit");
    until("the rule's answer", || {
        text(&root, "#second-step-code-error") == "The code from the app is 6 digits."
    })
    .await;
    assert_eq!(code.get_attribute("aria-invalid").as_deref(), Some("true"));

    // A recovery code instead, and back.
    click(&root, "#second-step-switch");
    until("the recovery-code field, focused", || {
        input(&root, "#second-step-recovery").is_some() && focused_id() == "second-step-recovery"
    })
    .await;
    assert!(input(&root, "#second-step-code").is_none());
    assert_eq!(
        text(&root, "#second-step-recovery-error"),
        "",
        "a field just shown has nothing wrong yet"
    );
    click(&root, "#second-step-submit");
    until("an empty recovery code is asked for", || {
        text(&root, "#second-step-recovery-error") == "Enter a recovery code."
    })
    .await;
    assert_eq!(
        text(&root, "#second-step-switch"),
        "Sign in with a code from the app"
    );
    click(&root, "#second-step-switch");
    until("the code field again", || {
        input(&root, "#second-step-code").is_some() && focused_id() == "second-step-code"
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_qr_code_is_dark_on_white_with_its_quiet_zone() {
    let root = container();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::En);
        let qr = QrCode {
            size: 21,
            path: "M0 0h7v1h-7z".into(),
        };
        view! { <QrImage qr label=Signal::derive(|| "QR code for the authenticator app")/> }
    })
    .forget();
    until("the code", || count(&root, "svg.qr") == 1).await;
    let svg = root.query_selector("svg.qr").unwrap().unwrap();
    assert_eq!(svg.get_attribute("viewBox").as_deref(), Some("0 0 29 29"));
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(
        svg.get_attribute("aria-label").as_deref(),
        Some("QR code for the authenticator app")
    );
    let rect = svg.query_selector("rect").unwrap().unwrap();
    assert_eq!(rect.get_attribute("fill").as_deref(), Some("#fff"));
    assert_eq!(rect.get_attribute("width").as_deref(), Some("29"));
    let path = svg.query_selector("path").unwrap().unwrap();
    assert_eq!(path.get_attribute("d").as_deref(), Some("M0 0h7v1h-7z"));
    assert_eq!(path.get_attribute("fill").as_deref(), Some("#000"));
    assert_eq!(
        path.get_attribute("transform").as_deref(),
        Some("translate(4 4)")
    );
}

#[wasm_bindgen_test]
async fn recovery_codes_are_listed_in_order_with_their_heading_focused() {
    let root = container();
    let codes: Vec<String> = (0..10).map(|n| format!("abcde-fghj{n}")).collect();
    let shown = codes.clone();
    let done = RwSignal::new(false);
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::En);
        provide_context(Auth {
            session: RwSignal::new(None),
            known: RwSignal::new(true),
        });
        view! { <RecoveryCodesSheet codes=shown.clone() on_done=move || done.set(true)/> }
    })
    .forget();
    until("ten codes", || count(&root, ".recovery-codes li") == 10).await;
    let listed: Vec<String> = (0..10)
        .map(|n| {
            text(
                &root,
                &format!(".recovery-codes li:nth-child({}) code", n + 1),
            )
        })
        .collect();
    assert_eq!(listed, codes);
    until("the heading has the focus", || {
        focused_id() == "recovery-heading"
    })
    .await;
    click(&root, "#recovery-done");
    until("done", || done.get_untracked()).await;
}
