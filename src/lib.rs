// The server renders these components to HTML (`ssr`), where type-erased views keep their
// whole nested type in an async block: deeper than the default limit allows.
#![recursion_limit = "256"]
//! The ForteKassa Privacy Center SPA: app shell and routes, a typed API client, and one
//! module per part of the product: the policy viewer, cookie consent, the personal section.
pub mod account;
pub mod api;
pub mod app;
pub mod boot;
pub mod bundle;
pub mod consent;
pub mod dom;
pub mod i18n;
pub mod layout;
pub mod pages;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod takeover;
pub mod webauthn;
pub mod widgets;
