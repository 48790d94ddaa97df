//! Talking to `window.fkConsent` (the loader): read the choice, record one, open the UI.
use fk_api::consent::Category;
use js_sys::{Array, Function, Object, Reflect};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

/// A valid stored choice, as the loader reports it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ConsentState {
    pub id: String,
    pub categories: Vec<String>,
    #[serde(rename = "policyVersion")]
    pub policy_version: u32,
    pub time: i64,
}

impl ConsentState {
    pub fn allows(&self, category: Category) -> bool {
        category == Category::Necessary || self.categories.iter().any(|c| c == category.code())
    }
}

/// The loader's API; none on the server, where no page runs.
fn loader() -> Option<Object> {
    if cfg!(feature = "ssr") {
        return None;
    }
    let window = web_sys::window()?;
    Reflect::get(&window, &"fkConsent".into())
        .ok()?
        .dyn_into::<Object>()
        .ok()
}

fn call(method: &str, args: &[JsValue]) -> Option<JsValue> {
    let fk = loader()?;
    let args: Array = args.iter().collect();
    let f = Reflect::get(&fk, &method.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    f.apply(&fk, &args).ok()
}

fn field(name: &str) -> Option<JsValue> {
    let fk: JsValue = loader()?.into();
    Reflect::get(&fk, &name.into()).ok()
}

/// Parses a state object from the loader (or `null`).
pub fn parse_state(value: &JsValue) -> Option<ConsentState> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    let json = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&json).ok()
}

pub fn get() -> Option<ConsentState> {
    parse_state(&call("get", &[])?)
}

/// Records a choice; the loader writes the cookie, deletes what is withdrawn and sends the receipt.
pub fn set(categories: &[Category]) -> Option<ConsentState> {
    let list: Array = categories
        .iter()
        .map(|c| JsValue::from_str(c.code()))
        .collect();
    parse_state(&call("set", &[list.into()])?)
}

pub fn show_preferences() -> bool {
    call("showPreferences", &[]).is_some()
}

pub fn gpc() -> bool {
    field("gpc").and_then(|v| v.as_bool()).unwrap_or(false)
}

/// Where the consent API and the policy live: the loader's API origin ("" on the same origin).
pub fn api_base() -> String {
    field("api").and_then(|v| v.as_string()).unwrap_or_default()
}
