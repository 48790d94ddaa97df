//! What the SPA and the server agree on: request/response types, error shape, languages,
//! UI strings and the validation rules. Serde only, so it compiles for the browser and the host.
pub mod account;
pub mod consent;
pub mod dates;
pub mod error;
pub mod health;
pub mod i18n;
pub mod lang;
pub mod policy;
pub mod text;

pub use error::{ApiError, ErrorCode};
pub use i18n::{AccountMessages, Messages};
pub use lang::Lang;

/// The address users write to about their data: the site's footer, the letters' footers and
/// their "not you?" advice name it.
pub const CONTACT_EMAIL: &str = "info@fortekassa.kz";
