//! The personal section's pages end to end (issue 5): the release server and SPA, headless
//! Chromium, real e-mails in the outbox, the operator CLI for orders, promotions, newsletters
//! and policy editions. Every page is also checked with axe-core.
use fk_e2e::ui::{api, click, fill, focused, no_axe_violations};
use fk_e2e::{Browser, Server};
use serde_json::Value;

const PASSWORD: &str = "тёплый ветер над степью";

/// Registers through the API and opens the verification link from the e-mail, which signs
/// this browser in. The cookie banner is answered first, as a returning visitor has.
async fn signed_up(server: &Server, b: &Browser, email: &str, login: &str) {
    b.goto(&server.url("/account/login")).await;
    b.answer_banner("reject").await;
    let form = serde_json::json!({
        "first_name": "Айгерим", "email": email, "birth_year": 1990, "gender": "female", "login": login,
        "password": PASSWORD, "accept_policy": true, "policy_version": 1, "lang": "ru"
    });
    let (status, body) = api(b, "POST", "/api/account/register", form).await;
    assert_eq!(status, 202, "{body}");
    let mail = server.mail(email, "/account/verify#token=").await;
    b.goto(&mail.link(&server.url("/account/verify#token=")))
        .await;
    b.text_until("main h2", |t| t.starts_with("Адрес подтверждён"))
        .await;
}

async fn cli_ok(server: &Server, args: &[&str]) -> String {
    let out = server.cli(args).await;
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An amount as the page shows it: `12 500 ₸` (no-break spaces read as spaces).
fn is_tenge(text: &str) -> bool {
    let text = text.replace('\u{a0}', " ");
    let Some(number) = text.strip_suffix(" ₸") else {
        return false;
    };
    let whole = number.split(',').next().unwrap_or_default();
    let groups: Vec<&str> = whole.split(' ').collect();
    !groups.is_empty()
        && (1..=3).contains(&groups[0].len())
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3)
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_orders_promotions_and_subscriptions() {
    let server = Server::start().await;
    let b = Browser::start().await;
    signed_up(&server, &b, "aigerim@example.kz", "aigerim").await;

    // The profile: edited, saved, and still there after a reload.
    b.goto(&server.url("/account/profile")).await;
    b.until("document.getElementById('profile-first-name') && document.getElementById('profile-first-name').value === 'Айгерим'").await;
    no_axe_violations(&b, "/account/profile").await;
    fill(&b, "#profile-first-name", "Жанар").await;
    fill(&b, "#profile-phone", "8 (701) 234-56-78").await;
    click(&b, "#profile-save").await;
    b.text_until("#profile-status", |t| !t.is_empty()).await;
    b.goto("about:blank").await;
    b.goto(&server.url("/account/profile")).await;
    b.until("document.getElementById('profile-first-name') && document.getElementById('profile-first-name').value === 'Жанар'").await;
    b.until("document.getElementById('profile-phone').value === '+7 701 234 56 78'")
        .await;

    // Orders loaded by the operator's demonstration command, totals in tenge.
    cli_ok(&server, &["orders", "demo", "--login", "aigerim"]).await;
    b.goto(&server.url("/account/orders")).await;
    b.find("article.order").await;
    let totals = b
        .js("return [...document.querySelectorAll('.order-total')].map(e => e.textContent.trim())")
        .await;
    let totals: Vec<String> = totals
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        !totals.is_empty() && totals.iter().all(|t| is_tenge(t)),
        "{totals:?}"
    );
    assert!(
        totals
            .iter()
            .any(|t| t.replace('\u{a0}', " ").matches(' ').count() >= 2),
        "a total of thousands has a group: {totals:?}"
    );
    no_axe_violations(&b, "/account/orders").await;
    click(&b, "article.order a").await;
    b.until("location.pathname.startsWith('/account/orders/')")
        .await;
    b.text_until("table .order-total", |t| is_tenge(t.trim()))
        .await;
    no_axe_violations(&b, "/account/orders/:id").await;

    // Promotions from the operator's command: join one.
    cli_ok(&server, &["promotion", "demo"]).await;
    b.goto(&server.url("/account/promotions")).await;
    let join = b.find("button[id^='join-']").await;
    let slug = join
        .attr("id")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("join-")
        .to_string();
    join.click().await.unwrap();
    b.find(&format!("#leave-{slug}")).await;
    no_axe_violations(&b, "/account/promotions").await;

    // A subscription switched on stays on.
    b.goto(&server.url("/account/subscriptions")).await;
    click(&b, "#choice-news_email").await;
    b.text_until("#choice-news_email-status", |t| !t.is_empty())
        .await;
    b.goto("about:blank").await;
    b.goto(&server.url("/account/subscriptions")).await;
    b.find("#choice-news_email").await;
    b.until("document.getElementById('choice-news_email').checked === true")
        .await;
    no_axe_violations(&b, "/account/subscriptions").await;
    b.goto(&server.url("/account/privacy")).await;
    b.find("#choice-analytics").await;
    no_axe_violations(&b, "/account/privacy").await;
    b.goto(&server.url("/account/history")).await;
    b.find("li.history-entry[data-kind='choice']").await;
    no_axe_violations(&b, "/account/history").await;
    b.goto(&server.url("/account")).await;
    b.text_until("main .lead", |t| t.contains("Жанар")).await;
    no_axe_violations(&b, "/account with cards").await;

    // Every page above ran under the strict CSP without a violation; and a violation would be
    // seen: an inline script injected now is blocked and reported.
    assert_eq!(server.csp_violations(), Vec::<String>::new());
    let blocked = b.js("const s = document.createElement('script'); s.textContent = 'window.fkInjected = 1'; document.body.appendChild(s); return window.fkInjected === undefined").await;
    assert_eq!(blocked, Value::Bool(true), "an inline script does not run");
    fk_e2e::wait_for(|| async { (!server.csp_violations().is_empty()).then_some(()) })
        .await
        .expect("the blocked inline script is reported");

    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newsletter_link_unsubscribes_while_signed_out() {
    let server = Server::start().await;
    let b = Browser::start().await;
    let email = "aigerim@example.kz";
    signed_up(&server, &b, email, "aigerim").await;
    let (status, _) = api(
        &b,
        "PUT",
        "/api/account/choices/news_email",
        serde_json::json!({ "enabled": true }),
    )
    .await;
    assert_eq!(status, 200);

    let body = server.dir.path().join("news.txt");
    std::fs::write(&body, "В ноябре в ForteKassa появились чеки по QR-коду.").unwrap();
    cli_ok(
        &server,
        &[
            "newsletter",
            "send",
            "--list",
            "news",
            "--subject",
            "Новости ForteKassa",
            "--body-file",
            body.to_str().unwrap(),
        ],
    )
    .await;
    let letter = server.mail(email, "/unsubscribe?token=").await;
    assert!(
        letter.text.contains("info@fortekassa.kz"),
        "the policy's alternative (7.2): {}",
        letter.text
    );
    let link = letter.link(&server.url("/unsubscribe?token="));

    // Signed out, in a browser that never saw the account.
    b.client.delete_all_cookies().await.unwrap();
    b.goto(&link).await;
    b.answer_banner("reject").await;
    b.find("#unsubscribe-confirm").await;
    b.text_until("main", |t| t.contains("a•••@example.kz"))
        .await;
    b.until("location.search === ''").await;
    no_axe_violations(&b, "/unsubscribe").await;
    click(&b, "#unsubscribe-confirm").await;
    b.find("#unsubscribe-done").await;
    no_axe_violations(&b, "/unsubscribe, done").await;
    click(&b, "#unsubscribe-undo").await;
    b.find("#unsubscribe-resubscribed").await;

    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_policy_edition_is_announced_and_acknowledged() {
    let server = Server::start().await;
    let b = Browser::start().await;
    signed_up(&server, &b, "aigerim@example.kz", "aigerim").await;
    b.goto(&server.url("/account")).await;
    b.text_until("main .lead", |t| t.contains("Айгерим")).await;
    assert_eq!(
        b.count("#policy-ack").await,
        0,
        "no notice while the accepted edition is current"
    );

    let edition = server.dir.path().join("ru-2.md");
    let text = format!(
        "{}\n\nАдминистратор уведомляет об изменениях по электронной почте.\n",
        include_str!("../../../policy/ru.md").trim_end()
    );
    std::fs::write(&edition, text).unwrap();
    cli_ok(
        &server,
        &[
            "policy",
            "publish",
            "--lang",
            "ru",
            edition.to_str().unwrap(),
        ],
    )
    .await;

    b.goto("about:blank").await;
    b.goto(&server.url("/account/orders")).await;
    b.find("#policy-ack").await;
    let compare = b.js("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href')).find(h => h && h.includes('/policy/compare'))").await;
    let compare = compare
        .as_str()
        .expect("a link to the compare view")
        .to_string();
    assert!(
        compare.contains('1') && compare.contains('2'),
        "from the accepted edition to the current one: {compare}"
    );
    assert!(
        b.count("a[href='/account/delete']").await > 0,
        "the policy's remedy: delete the account"
    );
    no_axe_violations(&b, "a page with the policy notice").await;
    click(&b, "#policy-ack").await;
    b.until("!document.getElementById('policy-ack')").await;
    b.goto(&server.url("/account/history")).await;
    b.find("li.history-entry[data-kind='policy']").await;
    assert_eq!(
        b.count("li.history-entry[data-kind='policy']").await,
        2,
        "registration and acknowledgement"
    );

    b.stop().await;
    server.stop().await;
}

/// Under 18 in the profile: the notice comes right below the year as it is typed, the
/// permission is required once, and once on record it is not asked again. A notice in the
/// form keeps its distance from the save button.
#[tokio::test(flavor = "multi_thread")]
async fn under_18_in_the_profile_is_asked_once() {
    let server = Server::start().await;
    let b = Browser::start().await;
    signed_up(&server, &b, "teen@example.kz", "teen").await;
    b.goto(&server.url("/account/profile")).await;
    b.until("document.getElementById('profile-birth-year') && document.getElementById('profile-birth-year').value === '1990'")
        .await;
    let year = b
        .js("return new Date().getFullYear()")
        .await
        .as_i64()
        .unwrap();
    fill(&b, "#profile-birth-year", &(year - 15).to_string()).await;
    b.text_until("[role='note'] h3", |t| {
        t == "Вам нет 18 лет: нужно разрешение родителей"
    })
    .await;
    assert_eq!(
        b.js("return document.getElementById('profile-birth-year').closest('.field').nextElementSibling.querySelector('#profile-guardian') !== null")
            .await,
        true,
        "right below the year"
    );
    click(&b, "#profile-save").await;
    b.text_until("#profile-guardian-error", |t| !t.is_empty())
        .await;
    focused(&b, "profile-guardian").await;
    no_axe_violations(&b, "/account/profile, under 18").await;

    // Saved elsewhere meanwhile: the "reload" notice stands clear of the save button.
    let (_, session) = api(&b, "GET", "/api/account/session", Value::Null).await;
    let version = session["account"]["version"].as_i64().unwrap();
    let (status, _) = api(
        &b,
        "PUT",
        "/api/account/profile",
        serde_json::json!({ "first_name": "Айгерим", "birth_year": 1990, "lang": "ru", "version": version }),
    )
    .await;
    assert_eq!(status, 200);
    b.find("#profile-guardian").await.click().await.unwrap();
    click(&b, "#profile-save").await;
    b.find("#profile-reload").await;
    let gap = b
        .js("const n = document.getElementById('profile-reload').closest('.notice').getBoundingClientRect(); \
             return Math.round(document.getElementById('profile-save').getBoundingClientRect().top - n.bottom)")
        .await
        .as_i64()
        .unwrap();
    assert!(gap >= 12, "the save button touches the notice: {gap} px");
    click(&b, "#profile-reload").await;
    b.until("document.getElementById('profile-birth-year').value === '1990'")
        .await;

    // Given once, saved, and not asked again, even with the year changed back.
    fill(&b, "#profile-birth-year", &(year - 15).to_string()).await;
    b.find("#profile-guardian").await.click().await.unwrap();
    click(&b, "#profile-save").await;
    b.text_until("#profile-status", |t| !t.is_empty()).await;
    b.until("!document.getElementById('profile-guardian')")
        .await;
    b.goto("about:blank").await;
    b.goto(&server.url("/account/profile")).await;
    b.until(&format!("document.getElementById('profile-birth-year') && document.getElementById('profile-birth-year').value === '{}'", year - 15))
        .await;
    assert_eq!(
        b.js("return document.getElementById('profile-guardian') === null")
            .await,
        true,
        "the permission on record is not asked again"
    );
    fill(&b, "#profile-birth-year", &(year - 16).to_string()).await;
    click(&b, "#profile-save").await;
    b.text_until("#profile-status", |t| !t.is_empty()).await;
    assert_eq!(
        b.js("return document.getElementById('profile-guardian') === null")
            .await,
        true
    );
    // The consent history has the permission, once.
    b.goto(&server.url("/account/history")).await;
    let line = "В профиле подтверждено разрешение родителя или законного представителя.";
    b.text_until(".history-entry[data-kind='guardian'] .history-what", |t| {
        t == line
    })
    .await;
    assert_eq!(b.count(".history-entry[data-kind='guardian']").await, 1);

    b.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_device_is_signed_out_from_the_devices_page() {
    let server = Server::start().await;
    let here = Browser::start().await;
    let there = Browser::start().await;
    signed_up(&server, &here, "aigerim@example.kz", "aigerim").await;
    there.goto(&server.url("/account/login")).await;
    there.answer_banner("reject").await;
    fill(&there, "#login", "aigerim").await;
    fill(&there, "#password", PASSWORD).await;
    click(&there, "form.account-form button[type='submit']").await;
    there
        .text_until("main .lead", |t| t.contains("Айгерим"))
        .await;

    here.goto(&server.url("/account/devices")).await;
    here.find("button[id^='end-session-']").await;
    assert_eq!(
        here.count("button[id^='end-session-']").await,
        1,
        "one other device; this one is ended by signing out"
    );
    no_axe_violations(&here, "/account/devices").await;
    // On a phone the security log is a list of cards: nothing scrolls sideways, and each value
    // says which column it is.
    here.client.set_window_size(390, 844).await.unwrap();
    here.until("window.innerWidth <= 390").await;
    here.until("getComputedStyle(document.querySelector('.log-table tr')).display === 'block'")
        .await;
    let layout = here
        .js("const r = document.querySelector('.table-scroll'); \
             const td = document.querySelector('.log-table tbody td'); \
             return [r.scrollWidth <= r.clientWidth, document.documentElement.scrollWidth <= innerWidth, \
                     getComputedStyle(td, '::before').content]")
        .await;
    assert_eq!(
        layout,
        serde_json::json!([true, true, "\"Время: \""]),
        "the log at 390 px"
    );
    no_axe_violations(&here, "/account/devices at 390 px").await;
    here.client.set_window_size(1280, 900).await.unwrap();
    click(&here, "button[id^='end-session-']").await;
    here.until("!document.querySelector(\"button[id^='end-session-']\")")
        .await;

    there.goto("about:blank").await;
    there.goto(&server.url("/account/profile")).await;
    there.until("location.pathname === '/account/login'").await;

    here.stop().await;
    there.stop().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_data_is_downloaded_and_the_account_deleted() {
    let server = Server::start().await;
    let b = Browser::start().await;
    let email = "aigerim@example.kz";
    signed_up(&server, &b, email, "aigerim").await;

    b.goto(&server.url("/account/data")).await;
    no_axe_violations(&b, "/account/data").await;
    click(&b, "#export-format-json").await;
    click(&b, "#export-download").await;
    let (name, bytes) = b.downloaded("fortekassa-data-").await;
    assert!(name.ends_with(".json"), "{name}");
    let data: Value = serde_json::from_slice(&bytes).expect("the download is JSON");
    for section in [
        "profile",
        "orders",
        "promotions",
        "choices",
        "consents",
        "cookie_receipts",
        "sessions",
        "security_log",
        "letters",
    ] {
        assert!(
            !data[section].is_null(),
            "the download has {section}: {data}"
        );
    }
    assert_eq!(data["profile"]["login"], "aigerim");

    b.goto(&server.url("/account/delete")).await;
    no_axe_violations(&b, "/account/delete").await;
    fill(&b, "#delete-password", PASSWORD).await;
    click(&b, "#delete-confirm").await;
    click(&b, "#delete-submit").await;
    let goodbye = server.mail(email, "5.2").await;
    assert!(goodbye.subject.contains("удалена"), "{}", goodbye.subject);
    b.until("!document.getElementById('delete-submit')").await;

    b.goto(&server.url("/account/login")).await;
    fill(&b, "#login", "aigerim").await;
    fill(&b, "#password", PASSWORD).await;
    click(&b, "form.account-form button[type='submit']").await;
    b.text_until(".form-alert", |t| {
        t.starts_with("Неверный логин или пароль.")
    })
    .await;

    b.stop().await;
    server.stop().await;
}

/// Issue 17, items 14 and 7: the data as a page to read (the choice offered, HTML first), and
/// the deletion form's errors all at once, each in its own words, and a title that says the
/// account is gone.
#[tokio::test(flavor = "multi_thread")]
async fn the_readable_download_and_the_deletion_forms_errors() {
    let server = Server::start().await;
    let b = Browser::start().await;
    signed_up(&server, &b, "aigerim@example.kz", "aigerim").await;

    b.goto(&server.url("/account/data")).await;
    b.until("document.getElementById('export-format-html').checked === true")
        .await;
    assert_eq!(
        b.js("return document.getElementById('export-format-json').checked")
            .await,
        Value::Bool(false)
    );
    no_axe_violations(&b, "/account/data").await;
    click(&b, "#export-download").await;
    let (name, bytes) = b.downloaded("fortekassa-data-").await;
    assert!(name.ends_with(".html"), "{name}");
    let html = String::from_utf8(bytes).expect("UTF-8");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..80.min(html.len())]
    );
    assert!(html.contains("Ваши данные в ForteKassa"));
    assert!(html.contains("aigerim@example.kz"));
    assert!(!html.to_lowercase().contains("<script"));
    // Delivered: the next one is an hour away, and the page says so.
    b.text_until("#export-status", |t| {
        t.contains(&name) && t.contains("Следующий файл")
    })
    .await;
    assert_eq!(
        b.js("return document.getElementById('export-download').disabled")
            .await,
        Value::Bool(true)
    );

    // Nothing typed, nothing ticked: both said at once, the password's as "enter it".
    b.goto(&server.url("/account/delete")).await;
    click(&b, "#delete-submit").await;
    b.text_until("#delete-password-error", |t| t == "Введите пароль.")
        .await;
    b.text_until("#delete-confirm-error", |t| !t.is_empty())
        .await;
    focused(&b, "delete-password").await;
    assert_eq!(
        b.js("return [document.getElementById('delete-password').getAttribute('aria-invalid'), document.getElementById('delete-confirm').getAttribute('aria-invalid')]")
            .await,
        serde_json::json!(["true", "true"])
    );
    no_axe_violations(&b, "/account/delete with errors").await;
    // The password typed: only the box is left to fix, and the focus goes there.
    fill(&b, "#delete-password", PASSWORD).await;
    b.text_until("#delete-password-error", str::is_empty).await;
    click(&b, "#delete-submit").await;
    focused(&b, "delete-confirm").await;
    b.text_until("#delete-confirm-error", |t| !t.is_empty())
        .await;
    click(&b, "#delete-confirm").await;
    b.text_until("#delete-confirm-error", str::is_empty).await;
    click(&b, "#delete-submit").await;

    // Done: the tab's title and the heading say the account is deleted, not "delete account".
    b.until("location.pathname === '/account/deleted'").await;
    b.text_until("main h1", |t| t == "Учётная запись удалена")
        .await;
    b.until("document.title.startsWith('Учётная запись удалена')")
        .await;
    no_axe_violations(&b, "/account/deleted").await;

    b.stop().await;
    server.stop().await;
}
