//! The rules the server enforces that a JSON Schema can state, written into the API document
//! from the constants the checks themselves use, so that a client generated from the document
//! sends only what the server takes and the two cannot drift apart. `fk-api` checks the
//! patterns by hand (the web app carries no regex engine); its `tests/patterns.rs` holds each
//! check and its pattern to the same verdicts.
//!
//! The promise, which the contract test holds the server to: a request that fits the document
//! is never answered 400, and one that breaks a stated rule is always refused. Refused how: 400
//! for the shape and for identifiers, versions and pages; 422 where the same check also covers
//! what the document cannot state (a birth year's minimum shares its code with "not after this
//! year", a password's length with "not a common one"); 404 for a link token, well-formed or not,
//! that opens nothing. What is not stated at all, because a schema cannot say it or the server is
//! more lenient than a pattern could follow (names in any script, trimmed logins and addresses,
//! a version that must be published), is a 422 with the field named, declared on every
//! operation with a body.
use fk_api::account::commerce::{
    ORDER_ITEMS_MAX, ORDER_NUMBER_PATTERN, ORDER_PRICE_MAX_TIYN, ORDER_QUANTITY_MAX,
};
use fk_api::account::password::{MAX_LEN, MIN_LEN};
use fk_api::account::rules::BIRTH_YEAR_MIN;
use fk_api::account::TOKEN_PATTERN;
use fk_api::consent::{Category, REVISION_PATTERN, UUID_V4_PATTERN};
use fk_api::policy::MAX_VERSION;
use serde_json::{json, Map, Value};

/// Adds every stated rule to the document. A rule whose place is missing (a type or route
/// renamed) is a bug: it panics, and the server's tests build the document.
pub fn state(doc: &mut Value) {
    let version = json!({ "minimum": 1, "maximum": MAX_VERSION });
    let token = json!({ "pattern": TOKEN_PATTERN });
    let new_password = json!({ "minLength": MIN_LEN, "maxLength": MAX_LEN });

    property(
        doc,
        "ConsentRequest",
        "consent_id",
        json!({ "pattern": UUID_V4_PATTERN }),
    );
    property(
        doc,
        "ConsentRequest",
        "config_revision",
        json!({ "pattern": REVISION_PATTERN }),
    );
    property(doc, "ConsentRequest", "policy_version", version.clone());
    property(
        doc,
        "ConsentRequest",
        "categories",
        json!({
            "items": { "enum": Category::ALL.map(Category::code) },
            "uniqueItems": true,
            "contains": { "const": Category::Necessary.code() },
        }),
    );
    parameter(
        doc,
        "/api/consent/{id}",
        "id",
        json!({ "pattern": UUID_V4_PATTERN }),
    );

    parameter(
        doc,
        "/api/policy/{lang}/versions/{version}",
        "version",
        version.clone(),
    );
    parameter(doc, "/api/policy/{lang}/diff", "from", version.clone());
    parameter(doc, "/api/policy/{lang}/diff", "to", version.clone());
    property(doc, "AcknowledgeRequest", "version", version.clone());
    property(doc, "RegisterRequest", "policy_version", version);

    for schema in [
        "VerifyRequest",
        "VerifyAddressRequest",
        "ResetRequest",
        "UnsubscribeRequest",
    ] {
        property(doc, schema, "token", token.clone());
    }
    // The one-click POST, not `GET /unsubscribe`: that is the page, which shows any link.
    parameter_in(doc, Some("post"), "/unsubscribe", "token", token);

    property(doc, "RegisterRequest", "password", new_password.clone());
    property(doc, "ResetRequest", "password", new_password.clone());
    property(doc, "PasswordChangeRequest", "new_password", new_password);
    property(
        doc,
        "RegisterRequest",
        "accept_policy",
        json!({ "const": true }),
    );
    property(
        doc,
        "RegisterRequest",
        "birth_year",
        json!({ "minimum": BIRTH_YEAR_MIN }),
    );
    property(
        doc,
        "ProfileUpdate",
        "birth_year",
        json!({ "minimum": BIRTH_YEAR_MIN }),
    );
    property(
        doc,
        "ProfileUpdate",
        "lang",
        json!({ "enum": fk_api::Lang::ALL.map(|l| l.code()) }),
    );

    parameter(
        doc,
        "/api/internal/orders/{number}",
        "number",
        json!({ "pattern": ORDER_NUMBER_PATTERN }),
    );
    property(
        doc,
        "OrderPush",
        "items",
        json!({ "minItems": 1, "maxItems": ORDER_ITEMS_MAX }),
    );
    property(
        doc,
        "OrderPush",
        "placed_at",
        json!({ "format": "date-time" }),
    );
    property(
        doc,
        "OrderItem",
        "quantity",
        json!({ "minimum": 1, "maximum": ORDER_QUANTITY_MAX }),
    );
    property(
        doc,
        "OrderItem",
        "unit_price_tiyn",
        json!({ "minimum": 0, "maximum": ORDER_PRICE_MAX_TIYN }),
    );
}

fn merge(target: &mut Value, rules: Value, place: &str) {
    let target = target
        .as_object_mut()
        .unwrap_or_else(|| panic!("{place} is not a schema object"));
    let Value::Object(rules) = rules else {
        unreachable!("rules are objects")
    };
    target.extend(rules);
}

/// Rules on one property of a named schema.
fn property(doc: &mut Value, schema: &str, name: &str, rules: Value) {
    let place = format!("/components/schemas/{schema}/properties/{name}");
    let target = doc
        .pointer_mut(&place)
        .unwrap_or_else(|| panic!("the API document has no {place}"));
    merge(target, rules, &place);
}

/// Rules on a path or query parameter, in every operation of `path` that has it but the CORS
/// preflight (`OPTIONS` answers the handshake for any path alike).
fn parameter(doc: &mut Value, path: &str, name: &str, rules: Value) {
    parameter_in(doc, None, path, name, rules);
}

/// [`parameter`], in the operation of `method` only when given.
fn parameter_in(doc: &mut Value, method: Option<&str>, path: &str, name: &str, rules: Value) {
    let item = doc
        .pointer_mut(&format!(
            "/paths/{}",
            path.replace('~', "~0").replace('/', "~1")
        ))
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("the API document has no path {path}"));
    let mut found = false;
    let chosen = |m: &str| method.map_or(m != "options", |wanted| m == wanted);
    for (_, operation) in item.iter_mut().filter(|(m, _)| chosen(m)) {
        let Some(operation) = operation.as_object_mut() else {
            continue;
        };
        let parameters = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten();
        for parameter in parameters.filter(|p| p["name"] == name) {
            let schema = parameter.as_object_mut().map(|p| {
                p.entry("schema")
                    .or_insert_with(|| Value::Object(Map::new()))
            });
            merge(
                schema.unwrap_or_else(|| panic!("{path} {name}")),
                rules.clone(),
                &format!("{path} {name}"),
            );
            found = true;
        }
    }
    assert!(found, "the API document has no parameter {name} in {path}");
}
