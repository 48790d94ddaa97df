//! Component tests of the personal section's part 2 in headless Chromium, with `fetch`
//! replaced by canned answers (no server): the overview's cards and plural forms, the policy
//! notice, the profile's stale-data conflict, e-mail change and device ending through
//! re-authentication, the download and its hourly limit, deletion and the goodbye page.
#![cfg(target_arch = "wasm32")]
use std::time::Duration;

use fk_api::account::{AccountView, Gender, SessionView};
use fk_api::Lang;
use fk_app::account::auth::{Auth, RequireSignIn};
use fk_app::account::policy_notice::PolicyState;
use fk_app::i18n::I18n;
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}
async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + Duration::from_secs(3).as_millis() as f64;
    while !check() {
        assert!(js_sys::Date::now() < deadline, "never happened: {what}");
        tick().await;
    }
}
fn count(root: &web_sys::HtmlElement, css: &str) -> u32 {
    root.query_selector_all(css).unwrap().length()
}
fn text(root: &web_sys::HtmlElement, css: &str) -> String {
    root.query_selector(css).unwrap().and_then(|e| e.text_content()).unwrap_or_default()
}
fn session() -> SessionView {
    SessionView {
        account: AccountView {
            login: "aigerim".into(), first_name: "Айгерим".into(), email: "a@example.kz".into(), email_verified: true,
            birth_year: 1990, gender: Gender::Female, lang: Lang::Ru, created_at: "2026-01-01T00:00:00Z".into(),
            phone: Some("+77012345678".into()), version: 3,
        },
        remember: false, started_at: "2026-01-01T00:00:00Z".into(), recent_auth_until: "2026-01-01T00:00:00Z".into(),
    }
}
fn mount(page: fn() -> AnyView) -> web_sys::HtmlElement {
    let root = container();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::Ru);
        let auth = Auth::provide();
        auth.signed_in(session());
        PolicyState::provide();
        view! { <Router><RequireSignIn>{page()}</RequireSignIn></Router> }
    }).forget();
    root
}
fn input(root: &web_sys::HtmlElement, css: &str, value: &str) {
    let el: web_sys::HtmlInputElement = root.query_selector(css).unwrap().unwrap().unchecked_into();
    el.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    el.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
}
fn click(root: &web_sys::HtmlElement, css: &str) {
    let el: web_sys::HtmlElement = root.query_selector(css).unwrap().unwrap_or_else(|| panic!("{css}")).unchecked_into();
    el.click();
}

#[wasm_bindgen_test]
async fn overview_renders() {
    let root = mount(|| view! { <fk_app::account::overview::Overview/> }.into_any());
    until("cards", || count(&root, ".overview-card") == 8).await;
    assert_eq!(count(&root, ".section-nav a"), 10);
    assert_eq!(text(&root, "main .lead, .lead"), "Здравствуйте, Айгерим!");
    assert!(root.query_selector("#sign-out-everywhere").unwrap().is_some());
    assert!(text(&root, ".facts").contains("+7 701 234 56 78"));
}

#[wasm_bindgen_test]
async fn profile_validates_and_submits() {
    mock("{}");
    let root = mount(|| view! { <fk_app::account::profile::ProfilePage/> }.into_any());
    until("form", || count(&root, "#profile-first-name") == 1).await;
    tick().await;
    let phone: web_sys::HtmlInputElement = root.query_selector("#profile-phone").unwrap().unwrap().unchecked_into();
    assert_eq!(phone.value(), "+7 701 234 56 78");
    let lang: web_sys::HtmlSelectElement = root.query_selector("#profile-lang").unwrap().unwrap().unchecked_into();
    assert_eq!(lang.value(), "ru");
    input(&root, "#profile-phone", "+1 555");
    click(&root, "#profile-save");
    until("phone error", || text(&root, "#profile-phone-error").contains("казахстанский")).await;
    input(&root, "#profile-phone", "87012345678");
    input(&root, "#profile-birth-year", "2015");
    click(&root, "#profile-save");
    until("guardian", || text(&root, "#profile-guardian-error").contains("родителя")).await;
    input(&root, "#profile-birth-year", "1990");
    click(&root, "#profile-save");
    until("network error shown", || !text(&root, ".form-alert").is_empty()).await;
    // e-mail section
    input(&root, "#email-new", "a@example.kz");
    click(&root, "#email-change");
    until("unchanged", || text(&root, "#email-new-error").contains("текущий")).await;
    click(&root, "#password-save");
    until("current pw", || text(&root, "#password-current-error") == "Неверный пароль.").await;
}

#[wasm_bindgen_test]
async fn delete_asks_for_password_and_confirmation() {
    mock("{}");
    let root = mount(|| view! { <fk_app::account::delete::DeletePage/> }.into_any());
    until("form", || count(&root, "#delete-submit") == 1).await;
    click(&root, "#delete-submit");
    until("pw", || text(&root, "#delete-password-error") == "Неверный пароль.").await;
    input(&root, "#delete-password", "something long enough");
    click(&root, "#delete-submit");
    until("confirm", || text(&root, "#delete-confirm-error").contains("Отметьте")).await;
    click(&root, "#delete-confirm");
    click(&root, "#delete-submit");
    until("server error", || !text(&root, ".form-alert").is_empty()).await;
}

#[wasm_bindgen_test]
async fn devices_data_and_confirm_render() {
    mock("{}");
    let root = mount(|| view! { <fk_app::account::devices::DevicesPage/> }.into_any());
    until("error panel", || count(&root, ".notice--error") == 1).await;
    let root = mount(|| view! { <fk_app::account::data::DataPage/> }.into_any());
    until("button", || count(&root, "#export-download") == 1).await;
    click(&root, "#export-download");
    until("error", || !text(&root, ".form-alert").is_empty()).await;
    let root = container();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::En);
        Auth::provide();
        view! { <Router><fk_app::account::email_confirm::EmailConfirmPage/></Router> }
    }).forget();
    until("failed", || text(&root, "h2") == "The address could not be confirmed").await;
}

/// Replaces `fetch`: each "METHOD /path" answers its queued replies in turn (the last repeats).
fn mock(routes: &str) {
    let script = format!(r#"
        window.__routes = {routes};
        window.__calls = [];
        window.fetch = async (input, init) => {{
            const req = (input instanceof Request) ? input : new Request(input, init);
            const url = new URL(req.url);
            const key = req.method + ' ' + url.pathname;
            let body = null; try {{ body = await req.text(); }} catch (e) {{}}
            window.__calls.push(key + ' ' + body);
            const queue = window.__routes[key];
            if (!queue) return new Response('{{"code":"not_found","message":"x"}}', {{status: 404, headers: {{'content-type':'application/json'}}}});
            const r = queue.length > 1 ? queue.shift() : queue[0];
            const headers = Object.assign({{'content-type':'application/json'}}, r.headers || {{}});
            return new Response(r.status === 204 ? null : JSON.stringify(r.body), {{status: r.status, headers}});
        }};
    "#);
    js_sys::eval(&script).unwrap();
}
fn calls() -> String {
    js_sys::eval("JSON.stringify(window.__calls)").unwrap().as_string().unwrap()
}
const SESSION_JSON: &str = r#"{"account":{"login":"aigerim","first_name":"Айгерим","email":"a@example.kz","email_verified":true,"birth_year":1990,"gender":"female","lang":"ru","created_at":"2026-01-01T00:00:00Z","phone":"+77012345678","version":3},"remember":false,"started_at":"2026-01-01T00:00:00Z","recent_auth_until":"2030-01-01T00:00:00Z"}"#;

#[wasm_bindgen_test]
async fn mocked_flows() {
    let devices = r#"{"sessions":[
        {"id":1,"browser":"Chrome","os":"Linux","device":"computer","ip":"10.0.0.0","started_at":"2026-01-01T00:00:00Z","last_active_at":"2026-01-02T00:00:00Z","remember":false,"current":true},
        {"id":2,"browser":"Firefox","os":"Android","device":"phone","ip":"10.1.0.0","started_at":"2026-01-01T00:00:00Z","last_active_at":"2026-01-02T00:00:00Z","remember":true,"current":false}],
        "log":[{"event":"sign_in_failed","at":"2026-01-02T00:00:00Z","ip":"10.1.0.0","browser":"Firefox","os":"Android","device":"phone"}]}"#;
    let after = r#"{"sessions":[{"id":1,"browser":"Chrome","os":"Linux","device":"computer","ip":"10.0.0.0","started_at":"2026-01-01T00:00:00Z","last_active_at":"2026-01-02T00:00:00Z","remember":false,"current":true}],"log":[]}"#;
    let summary = r#"{"orders":2,"promotions_joined":1,"subscriptions_on":0,"privacy_on":2,"sessions":5,"history_entries":21,"next_export_at":null}"#;
    let policy = r#"{"accepted_version":1,"accepted_at":"2026-01-01T00:00:00Z","current_version":2,"current_published_at":"2026-03-01T00:00:00Z"}"#;
    let policy_ok = r#"{"accepted_version":2,"accepted_at":"2026-03-02T00:00:00Z","current_version":2,"current_published_at":"2026-03-01T00:00:00Z"}"#;
    let account2 = SESSION_JSON.replace("Айгерим", "Ерлан").replace("\"version\":3", "\"version\":4");
    let account_en = r#"{"login":"aigerim","first_name":"Ерлан","email":"a@example.kz","email_verified":true,"birth_year":1990,"gender":"female","lang":"en","created_at":"2026-01-01T00:00:00Z","phone":null,"version":5}"#;
    mock(&format!(r#"{{
        "GET /api/account/devices": [{{"status":200,"body":{devices}}}],
        "POST /api/account/devices/2/end": [{{"status":403,"body":{{"code":"reauth_required","message":"x"}}}}, {{"status":200,"body":{after}}}],
        "POST /api/account/reauth": [{{"status":200,"body":{SESSION_JSON}}}],
        "GET /api/account/summary": [{{"status":200,"body":{summary}}}],
        "GET /api/account/policy": [{{"status":200,"body":{policy}}}],
        "POST /api/account/policy/acknowledge": [{{"status":200,"body":{policy_ok}}}],
        "PUT /api/account/profile": [{{"status":409,"body":{{"code":"stale_data","message":"x"}}}}, {{"status":200,"body":{account_en}}}],
        "GET /api/account/session": [{{"status":200,"body":{account2}}}],
        "POST /api/account/export": [{{"status":200,"body":{{"generated_at":"x"}},"headers":{{"content-disposition":"attachment; filename=\"fortekassa-data-2026-11-24.json\""}}}}, {{"status":429,"body":{{"code":"too_many_requests","message":"x","retry_after":1800}}}}]
    }}"#));

    // Overview cards and the policy notice.
    let root = mount(|| view! { <fk_app::account::overview::Overview/> }.into_any());
    until("states", || text(&root, "a[href='/account/orders'] .overview-card__state") == "2 заказа").await;
    assert_eq!(text(&root, "a[href='/account/devices'] .overview-card__state"), "5 активных сеансов");
    assert_eq!(text(&root, "a[href='/account/history'] .overview-card__state"), "21 запись");
    assert_eq!(text(&root, "a[href='/account/subscriptions'] .overview-card__state"), "Все подписки выключены");
    assert_eq!(text(&root, "a[href='/account/privacy'] .overview-card__state"), "Разрешено 2 из 3");
    assert_eq!(text(&root, "a[href='/account/promotions'] .overview-card__state"), "Участвуете в 1 акции");
    assert_eq!(text(&root, "a[href='/account/data'] .overview-card__state"), "Можно скачать сейчас");
    until("notice", || count(&root, "#policy-notice") == 1).await;
    assert_eq!(root.query_selector("#policy-notice a[rel='external']").unwrap().unwrap().get_attribute("href").as_deref(), Some("/policy/compare?from=1&to=2"));
    click(&root, "#policy-ack");
    until("notice gone", || count(&root, "#policy-notice") == 0).await;
    until("thanks", || text(&root, "#policy-ack-done").starts_with("Спасибо")).await;
    root.remove();

    // Devices: end one, with the password asked first.
    let root = mount(|| view! { <fk_app::account::devices::DevicesPage/> }.into_any());
    until("sessions", || count(&root, ".device") == 2).await;
    assert_eq!(count(&root, "#end-session-1"), 0);
    assert_eq!(text(&root, ".log-table tbody th"), "Неудачная попытка входа");
    click(&root, "#end-session-2");
    until("reauth", || count(&root, "#reauth-password") == 1).await;
    input(&root, "#reauth-password", "пароль пароль пароль");
    click(&root, "form.reauth button[type='submit']");
    until("ended", || text(&root, "#devices-status") == "Сеанс завершён.").await;
    assert_eq!(count(&root, ".device"), 1);
    assert_eq!(count(&root, "#reauth-password"), 0);
    root.remove();

    // Profile: a stale save, reload, save again (switches the language).
    let root = mount(|| view! { <fk_app::account::profile::ProfilePage/> }.into_any());
    until("form", || count(&root, "#profile-save") == 1).await;
    tick().await;
    click(&root, "#profile-save");
    until("stale", || count(&root, "#profile-reload") == 1).await;
    click(&root, "#profile-reload");
    until("reloaded", || text(&root, "#profile-status").starts_with("Загружены")).await;
    let first: web_sys::HtmlInputElement = root.query_selector("#profile-first-name").unwrap().unwrap().unchecked_into();
    assert_eq!(first.value(), "Ерлан");
    click(&root, "#profile-save");
    until("saved in English", || text(&root, "#profile-status") == "Your changes are saved.").await;
    assert!(calls().contains(r#"\"version\":4"#), "{}", calls());
    root.remove();

    // Download, then the hourly limit.
    let root = mount(|| view! { <fk_app::account::data::DataPage/> }.into_any());
    until("button", || count(&root, "#export-download") == 1).await;
    click(&root, "#export-download");
    until("saved", || text(&root, "#export-status").contains("fortekassa-data-2026-11-24.json")).await;
    let button: web_sys::HtmlButtonElement = root.query_selector("#export-download").unwrap().unwrap().unchecked_into();
    assert!(button.disabled());
    root.remove();
    let root = mount(|| view! { <fk_app::account::data::DataPage/> }.into_any());
    until("button", || count(&root, "#export-download") == 1).await;
    click(&root, "#export-download");
    until("limit", || text(&root, "#export-status").contains("после")).await;
}

#[wasm_bindgen_test]
async fn delete_then_goodbye() {
    use leptos_router::components::{Route, Routes};
    use leptos_router::path;
    mock(r#"{"POST /api/account/delete": [{"status":204,"body":null}]}"#);
    window().history().unwrap().push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/account/delete")).unwrap();
    let root = container();
    let auth_out = std::rc::Rc::new(std::cell::Cell::new(None::<Auth>));
    let keep = auth_out.clone();
    leptos::mount::mount_to(root.clone(), move || {
        I18n::provide_with(Lang::Ru);
        let auth = Auth::provide();
        auth.signed_in(session());
        keep.set(Some(auth));
        PolicyState::provide();
        view! {
            <Router>
                <Routes fallback=|| "nothing">
                    <Route path=path!("/account/delete") view=|| view! { <RequireSignIn><fk_app::account::delete::DeletePage/></RequireSignIn> }/>
                    <Route path=path!("/account/deleted") view=fk_app::account::delete::DeletedPage/>
                    <Route path=path!("/account/login") view=|| view! { <p id="login-page">"login"</p> }/>
                </Routes>
            </Router>
        }
    }).forget();
    until("form", || count(&root, "#delete-submit") == 1).await;
    input(&root, "#delete-password", "пароль пароль пароль");
    click(&root, "#delete-confirm");
    click(&root, "#delete-submit");
    until("goodbye", || text(&root, "h2") == "Учётная запись удалена").await;
    assert!(text(&root, ".notice").contains("a@example.kz"));
    for _ in 0..10 { tick().await; }
    assert_eq!(window().location().pathname().unwrap(), "/account/deleted");
    assert_eq!(count(&root, "#login-page"), 0, "stays on the goodbye page");
    assert!(auth_out.get().unwrap().session.get_untracked().is_none(), "signed out");
    window().history().unwrap().push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/")).unwrap();
}

#[wasm_bindgen_test]
async fn email_and_password_changes() {
    mock(&format!(r#"{{
        "POST /api/account/email": [{{"status":403,"body":{{"code":"reauth_required","message":"x"}}}}, {{"status":202,"body":{{"email":"new@example.kz"}}}}],
        "POST /api/account/reauth": [{{"status":200,"body":{SESSION_JSON}}}],
        "POST /api/account/password": [{{"status":401,"body":{{"code":"invalid_credentials","message":"x","field":"current_password"}}}}, {{"status":204,"body":null}}]
    }}"#));
    let root = mount(|| view! { <fk_app::account::profile::ProfilePage/> }.into_any());
    until("form", || count(&root, "#email-change") == 1).await;
    input(&root, "#email-new", "new@example.kz");
    click(&root, "#email-change");
    until("reauth", || count(&root, "#reauth-password") == 1).await;
    input(&root, "#reauth-password", "пароль пароль пароль");
    click(&root, "form.reauth button[type='submit']");
    until("sent", || text(&root, "#email-status") == "Мы отправили ссылку на new@example.kz. Пока вы её не откроете, действует адрес a@example.kz.").await;
    assert_eq!(count(&root, "#reauth-password"), 0);
    input(&root, "#password-current", "старый пароль");
    input(&root, "#password-new", "совсем другой пароль 2026");
    click(&root, "#password-save");
    until("wrong", || text(&root, "#password-current-error") == "Неверный пароль.").await;
    input(&root, "#password-current", "старый пароль верный");
    until("cleared", || text(&root, "#password-current-error").is_empty()).await;
    click(&root, "#password-save");
    until("changed", || text(&root, "#password-status") == "Пароль изменён. Сеансы на остальных устройствах завершены.").await;
    assert!(calls().contains(r#"end_other_sessions\":true"#), "{}", calls());
}
