//! Subscriptions and privacy choices (clauses 2.1, 3.1, 7.1–7.2): what the user allows, the
//! history of every change, unsubscribe links in letters (RFC 8058 one-click) and the
//! newsletter that uses them. Every choice is off until the user turns it on; service mail
//! (recovery, security notices) is never a choice.
pub mod http;
pub mod newsletter;
pub mod store;
pub mod unsubscribe;
