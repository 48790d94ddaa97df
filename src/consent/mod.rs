//! Cookie consent in the browser: the banner, the preferences dialog and the `/cookies`
//! page. The loader script (`consent/loader.js`) owns the cookie, gating and receipts; these
//! components only draw the choice and hand it to the loader through [`bridge`].
pub mod bridge;
pub mod dialog;
pub mod page;
pub mod ui;
