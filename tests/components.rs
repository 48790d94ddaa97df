//! Component tests in headless Chromium (`cargo xtask test` runs them through
//! wasm-bindgen-test-runner): the table of contents and search, mounted alone.
#![cfg(target_arch = "wasm32")]
use std::sync::Arc;
use std::time::Duration;

use fk_api::policy::{Block, Clause, PolicyDocument, Section, Span};
use fk_api::Lang;
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
        view! { <PolicyToc doc=doc.clone()/> }
    })
    .forget();
    until("the contents render", || count(&root, ".toc a") == 2).await;
    assert_eq!(text(&root, "#toc-title"), "Contents");
    let first = root.query_selector(".toc a").unwrap().unwrap();
    assert_eq!(first.get_attribute("href").as_deref(), Some("#section-1"));
    assert_eq!(first.text_content().as_deref(), Some("1. First"));
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
