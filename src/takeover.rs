//! The app taking over the server's first view. The server sent the page already drawn by
//! these components (`crate::ssr`); when the WebAssembly has arrived the app draws the same
//! thing in its place, in one go, so no frame shows anything else. What the visitor did with
//! the first view meanwhile is carried over: what they typed or ticked, where the keyboard
//! focus was (and the caret in a field), how far they had scrolled, and a button they pressed
//! while the app was on its way (the page's loader holds it: `Trunk.toml`).
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// What focus can rest on, in document order; the same in both drawings of a page.
const FOCUSABLE: &str = "a[href], button, input, select, textarea, summary, [tabindex]";

/// Mounts the app into `<div id="app">` of its page, in place of the first view there. Not
/// into `<body>` itself: whatever the page appends at its end (the cookie banner's root,
/// painted before the app) stays after the app's content, in reading and focus order.
pub fn mount_app<N: IntoView + 'static>(app: fn() -> N) {
    let root = document()
        .get_element_by_id("app")
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let Some(root) = root else {
        leptos::mount::mount_to_body(app);
        return;
    };
    let kept = Kept::from(&root);
    root.set_inner_html("");
    leptos::mount::mount_to(root.clone(), app).forget();
    // The router draws the page's route in a task of its own, which has run by the next
    // frame; the frame is painted only after this callback, so nothing else is ever seen.
    request_animation_frame(move || {
        kept.restore(&root);
        // From here on the page answers: `<html data-app>` says so (to styles, to tests, and
        // to the loader, which stops holding buttons).
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-app", "");
            let _ = html.class_list().remove_1("fk-arriving");
        }
        press_held(&root);
    });
}

/// The state of the first view that was the visitor's doing.
struct Kept {
    /// Fields whose value or tick differs from what the server sent, by id.
    fields: Vec<(String, Typed)>,
    /// The focused element (by id, else by its place among the focusable ones), and its caret.
    focus: Option<(Place, Option<(u32, u32)>)>,
    /// Disclosures (`<details id>`) the visitor opened: the site's menu on a phone.
    opened: Vec<String>,
    scroll: (f64, f64),
}

enum Place {
    Id(String),
    Nth(usize),
}

enum Typed {
    Text(String),
    Ticked(bool),
}

impl Kept {
    fn from(root: &HtmlElement) -> Kept {
        let mut fields = Vec::new();
        for el in all(root, "input[id], textarea[id], select[id]") {
            if let Some(typed) = typed(&el) {
                fields.push((el.id(), typed));
            }
        }
        let active = document().active_element();
        let focus = active.and_then(|active| {
            let place = match active.id() {
                id if !id.is_empty() && root.contains(Some(&active)) => Place::Id(id),
                _ => Place::Nth(all(root, FOCUSABLE).iter().position(|el| *el == active)?),
            };
            let caret = active.dyn_ref::<HtmlInputElement>().and_then(|input| {
                Some((input.selection_start().ok()??, input.selection_end().ok()??))
            });
            Some((place, caret))
        });
        let opened = all(root, "details[open][id]")
            .iter()
            .map(Element::id)
            .collect();
        let scroll = (
            window().scroll_x().unwrap_or_default(),
            window().scroll_y().unwrap_or_default(),
        );
        Kept {
            fields,
            focus,
            opened,
            scroll,
        }
    }

    fn restore(self, root: &HtmlElement) {
        for (id, typed) in self.fields {
            let Some(el) = document().get_element_by_id(&id) else {
                continue;
            };
            // Through the element's own events, so the app's state takes the value too.
            let event = match typed {
                Typed::Text(value) => {
                    set_value(&el, &value);
                    "input"
                }
                Typed::Ticked(ticked) => {
                    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                        input.set_checked(ticked);
                    }
                    "change"
                }
            };
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(e) = web_sys::Event::new_with_event_init_dict(event, &init) {
                let _ = el.dispatch_event(&e);
            }
        }
        for id in self.opened {
            // Its `toggle` event tells the app's state, as a click would.
            if let Some(details) = document().get_element_by_id(&id) {
                let _ = details.set_attribute("open", "");
            }
        }
        if let Some((place, caret)) = self.focus {
            let el = match place {
                Place::Id(id) => document().get_element_by_id(&id),
                Place::Nth(n) => all(root, FOCUSABLE).into_iter().nth(n),
            };
            if let Some(el) = el {
                if let Some(el) = el.dyn_ref::<HtmlElement>() {
                    let _ = el.focus();
                }
                if let (Some(input), Some((start, end))) = (el.dyn_ref::<HtmlInputElement>(), caret)
                {
                    let _ = input.set_selection_range(start, end);
                }
            }
        }
        window().scroll_to_with_x_and_y(self.scroll.0, self.scroll.1);
    }
}

/// Presses in the app the button pressed before it took over (or submits the form sent), which
/// the loader noted as `window.fkEarly = { kind, id, nth, text }`: after the fields are
/// restored, so the app's handler sees what was typed. Only the same button: one found by its
/// place must also say the same, or the press is dropped rather than given to another button.
fn press_held(root: &HtmlElement) {
    let window = window();
    let Ok(held) = js_sys::Reflect::get(&window, &"fkEarly".into()) else {
        return;
    };
    if held.is_undefined() || held.is_null() {
        return;
    }
    let _ = js_sys::Reflect::delete_property(&window, &"fkEarly".into());
    let read = |key: &str| js_sys::Reflect::get(&held, &key.into()).ok();
    let kind = read("kind").and_then(|v| v.as_string()).unwrap_or_default();
    let id = read("id").and_then(|v| v.as_string()).unwrap_or_default();
    let nth = read("nth").and_then(|v| v.as_f64()).unwrap_or(-1.0);
    let text = read("text").and_then(|v| v.as_string()).unwrap_or_default();
    let tag = if kind == "submit" { "form" } else { "button" };
    let el = match id.as_str() {
        "" if nth >= 0.0 => all(root, tag)
            .into_iter()
            .nth(nth as usize)
            .filter(|el| el.text_content().unwrap_or_default().trim() == text),
        "" => None,
        id => document().get_element_by_id(id),
    };
    match (kind.as_str(), el) {
        ("submit", Some(form)) => {
            if let Some(form) = form.dyn_ref::<web_sys::HtmlFormElement>() {
                let _ = form.request_submit();
            }
        }
        ("click", Some(button)) => {
            if let Some(button) = button.dyn_ref::<HtmlElement>() {
                button.click();
            }
        }
        _ => {}
    }
}

/// What the visitor changed in a field, if anything.
fn typed(el: &Element) -> Option<Typed> {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        return match input.type_().as_str() {
            "checkbox" | "radio" => {
                (input.checked() != input.default_checked()).then(|| Typed::Ticked(input.checked()))
            }
            _ => (input.value() != input.default_value()).then(|| Typed::Text(input.value())),
        };
    }
    if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        let sent = area.default_value().unwrap_or_default();
        return (area.value() != sent).then(|| Typed::Text(area.value()));
    }
    let select = el.dyn_ref::<HtmlSelectElement>()?;
    Some(Typed::Text(select.value()))
}

fn set_value(el: &Element, value: &str) {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
    } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
        select.set_value(value);
    }
}

fn all(root: &HtmlElement, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}
