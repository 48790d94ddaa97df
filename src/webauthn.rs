//! Passkeys in the browser (WebAuthn): the server's options, which cross the API as JSON with
//! their binary fields in base64url, are turned into the objects `navigator.credentials`
//! takes, and the browser's answer back into that JSON. Plain wasm-bindgen: no script file, no
//! `eval` (the page's CSP allows neither). What the browser holds is read by name (`Reflect`),
//! so a field a browser lacks is a clear failure here, not a missing binding.
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, JSON};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// How a sign-in asks: the browser's own dialog, or quietly, offering the passkeys among the
/// login field's suggestions until one is picked (or the request is aborted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mediation {
    Modal,
    Conditional,
}

/// Why the browser gave no passkey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The person closed the dialog, or it timed out (`NotAllowedError`).
    Cancelled,
    /// The page aborted the request (`AbortError`): nothing to say.
    Aborted,
    /// Creating: this authenticator already holds one of the account's passkeys
    /// (`InvalidStateError`, from `excludeCredentials`).
    AlreadyRegistered,
    /// The page is not at the site passkeys are registered for, e.g. opened by IP address
    /// (`SecurityError`).
    WrongSite,
    /// This browser has no passkeys (no `PublicKeyCredential`, or an insecure page).
    NotSupported,
    /// Anything else: the error's name and message, for the console.
    Other(String),
}

impl Failure {
    /// The failure a `DOMException` of this name stands for; `creating`: at `create`.
    pub fn of_name(name: &str, creating: bool) -> Failure {
        match name {
            "NotAllowedError" => Failure::Cancelled,
            "AbortError" => Failure::Aborted,
            "InvalidStateError" if creating => Failure::AlreadyRegistered,
            "SecurityError" => Failure::WrongSite,
            "NotSupportedError" => Failure::NotSupported,
            other => Failure::Other(other.to_string()),
        }
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5), as WebAuthn's JSON writes bytes.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Reads base64url, with or without padding (and the standard alphabet's `+` and `/` too);
/// `None` for anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero, or the text is not what an encoder writes.
    (acc == 0).then_some(out)
}

/// Whether this browser can use passkeys at all.
pub fn supported() -> bool {
    let global = js_sys::global();
    let has = |target: &JsValue, key: &str| {
        Reflect::get(target, &key.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null())
    };
    let navigator = Reflect::get(&global, &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    has(&global, "PublicKeyCredential") && has(&navigator, "credentials")
}

/// Whether the browser can offer passkeys among a field's suggestions
/// (`PublicKeyCredential.isConditionalMediationAvailable()`); false where it cannot say.
pub async fn conditional_available() -> bool {
    if !supported() {
        return false;
    }
    let Ok(class) = Reflect::get(&js_sys::global(), &"PublicKeyCredential".into()) else {
        return false;
    };
    let Some(ask) = method(&class, "isConditionalMediationAvailable") else {
        return false;
    };
    let Ok(answer) = ask.call0(&class) else {
        return false;
    };
    match answer.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .is_ok_and(|v| v.as_bool() == Some(true)),
        Err(_) => false,
    }
}

/// Makes a new passkey: `options` is the server's `{"publicKey": CreationOptionsJSON}`; the
/// answer is the credential's JSON (`id`, `rawId`, `type`, `response.clientDataJSON`,
/// `response.attestationObject`), binary fields in base64url.
pub async fn create(options: &Value) -> Result<Value, Failure> {
    let public_key = public_key(options)?;
    binary(&public_key, "challenge")?;
    if let Ok(user) = Reflect::get(&public_key, &"user".into()) {
        binary(&user, "id")?;
    }
    binary_ids(&public_key, "excludeCredentials")?;
    let request = Object::new();
    set(&request, "publicKey", &public_key)?;
    let credential = call("create", &request, true).await?;
    let response = field(&credential, "response")?;
    Ok(serde_json::json!({
        "id": bytes(&credential, "rawId")?,
        "rawId": bytes(&credential, "rawId")?,
        "type": "public-key",
        "response": {
            "clientDataJSON": bytes(&response, "clientDataJSON")?,
            "attestationObject": bytes(&response, "attestationObject")?,
        },
    }))
}

/// Signs in with a passkey: `options` is the server's `{"publicKey": RequestOptionsJSON, …}`
/// (its `mediation` is this call's to decide); `signal` aborts the request. The answer is the
/// assertion's JSON (`response.clientDataJSON`, `authenticatorData`, `signature`, and
/// `userHandle` or null), binary fields in base64url.
pub async fn get(
    options: &Value,
    mediation: Mediation,
    signal: Option<&AbortSignal>,
) -> Result<Value, Failure> {
    let public_key = public_key(options)?;
    binary(&public_key, "challenge")?;
    binary_ids(&public_key, "allowCredentials")?;
    let request = Object::new();
    set(&request, "publicKey", &public_key)?;
    if mediation == Mediation::Conditional {
        set(&request, "mediation", &"conditional".into())?;
    }
    if let Some(signal) = signal {
        set(&request, "signal", signal)?;
    }
    let credential = call("get", &request, false).await?;
    let response = field(&credential, "response")?;
    let user_handle = match Reflect::get(&response, &"userHandle".into()) {
        Ok(v) if v.is_object() => Value::String(encode_buffer(&v)),
        _ => Value::Null,
    };
    Ok(serde_json::json!({
        "id": bytes(&credential, "rawId")?,
        "rawId": bytes(&credential, "rawId")?,
        "type": "public-key",
        "response": {
            "clientDataJSON": bytes(&response, "clientDataJSON")?,
            "authenticatorData": bytes(&response, "authenticatorData")?,
            "signature": bytes(&response, "signature")?,
            "userHandle": user_handle,
        },
    }))
}

/// The options' `publicKey`, as a JavaScript object (`JSON.parse` of the server's JSON).
fn public_key(options: &Value) -> Result<JsValue, Failure> {
    let inner = options
        .get("publicKey")
        .ok_or_else(|| Failure::Other("the options have no publicKey".into()))?;
    let text =
        serde_json::to_string(&without_nulls(inner)).map_err(|e| Failure::Other(e.to_string()))?;
    JSON::parse(&text).map_err(|e| Failure::Other(describe(&e)))
}

/// `value` without the members that are `null`: WebAuthn's dictionaries have no null members,
/// and a browser reads one as a value (a `null` list is a `TypeError`, a `null` timeout 0).
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Replaces the base64url text at `target[key]` by its bytes; nothing when it is absent.
fn binary(target: &JsValue, key: &str) -> Result<(), Failure> {
    let Some(text) = Reflect::get(target, &key.into())
        .ok()
        .and_then(|v| v.as_string())
    else {
        return Ok(());
    };
    let bytes =
        base64url_decode(&text).ok_or_else(|| Failure::Other(format!("{key} is not base64url")))?;
    set(target, key, &Uint8Array::from(bytes.as_slice()))
}

/// The same for the `id` of each credential listed at `target[key]`.
fn binary_ids(target: &JsValue, key: &str) -> Result<(), Failure> {
    let Ok(list) = Reflect::get(target, &key.into()) else {
        return Ok(());
    };
    if !Array::is_array(&list) {
        return Ok(());
    }
    let list: Array = list.unchecked_into();
    for i in 0..list.length() {
        binary(&list.get(i), "id")?;
    }
    Ok(())
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), Failure> {
    Reflect::set(target, &key.into(), value)
        .map(drop)
        .map_err(|e| Failure::Other(describe(&e)))
}

fn field(target: &JsValue, key: &str) -> Result<JsValue, Failure> {
    match Reflect::get(target, &key.into()) {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(Failure::Other(format!("the browser's answer has no {key}"))),
    }
}

/// `target[key]`, an `ArrayBuffer` (or a view of one), in base64url.
fn bytes(target: &JsValue, key: &str) -> Result<String, Failure> {
    field(target, key).map(|v| encode_buffer(&v))
}

fn encode_buffer(buffer: &JsValue) -> String {
    base64url_encode(&Uint8Array::new(buffer).to_vec())
}

fn method(target: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(target, &name.into()).ok()?.dyn_into().ok()
}

/// `navigator.credentials[name](request)`, awaited.
async fn call(name: &str, request: &Object, creating: bool) -> Result<JsValue, Failure> {
    if !supported() {
        return Err(Failure::NotSupported);
    }
    let navigator =
        Reflect::get(&js_sys::global(), &"navigator".into()).map_err(|_| Failure::NotSupported)?;
    let container =
        Reflect::get(&navigator, &"credentials".into()).map_err(|_| Failure::NotSupported)?;
    let run = method(&container, name).ok_or(Failure::NotSupported)?;
    let failed = |e: JsValue| {
        let name = Reflect::get(&e, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        match Failure::of_name(&name, creating) {
            Failure::Other(_) => Failure::Other(describe(&e)),
            known => known,
        }
    };
    let promise: Promise = run
        .call1(&container, request)
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| Failure::Other(format!("credentials.{name} gave no promise")))?;
    let credential = JsFuture::from(promise).await.map_err(failed)?;
    if credential.is_null() || credential.is_undefined() {
        return Err(Failure::Other(format!("credentials.{name} gave nothing")));
    }
    Ok(credential)
}

/// An exception as "Name: message", for the console.
fn describe(e: &JsValue) -> String {
    let read = |key: &str| {
        Reflect::get(e, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    format!("{}: {}", read("name"), read("message"))
}

/// Whether this page is at the origin passkeys work at (unknown: assume so).
pub fn opened_at(origin: &str) -> bool {
    origin.is_empty()
        || leptos::prelude::window()
            .location()
            .origin()
            .is_ok_and(|here| here == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url_encode(&bytes);
            assert!(!text.contains(['=', '+', '/']), "{text}");
            assert_eq!(text.len(), (len * 4).div_ceil(3), "{len}");
            assert_eq!(
                base64url_decode(&text).as_deref(),
                Some(&bytes[..]),
                "{len}"
            );
        }
    }

    #[test]
    fn base64url_matches_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), coded);
            assert_eq!(base64url_decode(coded).unwrap(), plain.as_bytes());
        }
        // The characters that differ from standard base64.
        assert_eq!(base64url_encode(&[0xfb, 0xff, 0xbf]), "-_-_");
        assert_eq!(base64url_decode("-_-_").unwrap(), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn base64url_reads_padding_and_refuses_what_is_not_it() {
        assert_eq!(base64url_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64url_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64url_decode("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        for bad in ["Z", "Zm9vY", "Zm 9v", "Zm9v!", "Zh", "Zm9"] {
            assert_eq!(base64url_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn null_members_are_left_out_of_the_options() {
        let options = serde_json::json!({
            "challenge": "Zm9v",
            "timeout": null,
            "user": {"id": "YmFy", "name": "aliya", "displayName": null},
            "excludeCredentials": [{"type": "public-key", "id": "eHl6", "transports": null}],
            "hints": null,
        });
        assert_eq!(
            without_nulls(&options),
            serde_json::json!({
                "challenge": "Zm9v",
                "user": {"id": "YmFy", "name": "aliya"},
                "excludeCredentials": [{"type": "public-key", "id": "eHl6"}],
            })
        );
    }

    #[test]
    fn browser_errors_say_what_happened() {
        assert_eq!(
            Failure::of_name("NotAllowedError", false),
            Failure::Cancelled
        );
        assert_eq!(
            Failure::of_name("NotAllowedError", true),
            Failure::Cancelled
        );
        assert_eq!(Failure::of_name("AbortError", false), Failure::Aborted);
        assert_eq!(
            Failure::of_name("InvalidStateError", true),
            Failure::AlreadyRegistered
        );
        assert_eq!(
            Failure::of_name("InvalidStateError", false),
            Failure::Other("InvalidStateError".into())
        );
        assert_eq!(Failure::of_name("SecurityError", true), Failure::WrongSite);
        assert_eq!(
            Failure::of_name("NotSupportedError", false),
            Failure::NotSupported
        );
        assert_eq!(
            Failure::of_name("TypeError", false),
            Failure::Other("TypeError".into())
        );
    }
}
