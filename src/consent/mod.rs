//! Cookie consent in the browser: the banner, the preferences dialog and the `/cookies`
//! page. The loader script (`consent/loader.js`) owns the cookie, gating and receipts, and
//! paints the banner's first view (rendered by the server from [`first_view`]); these
//! components draw the choice and hand it to the loader through [`bridge`].
pub mod bridge;
pub mod dialog;
#[cfg(feature = "ssr")]
pub mod first_view;
pub mod page;
pub mod ui;
