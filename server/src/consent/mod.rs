//! Cookie consent's server side: the operator's configuration, proof of consent (append-only
//! receipts), the consent API other origins may call, and the loader script `/consent.js`.
pub mod config;
pub mod http;
pub mod loader;
pub mod store;
pub mod writer;
