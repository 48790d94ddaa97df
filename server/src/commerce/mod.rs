//! Orders and promotions (clause 2.1: "the quantity, cost, time and order of orders", "taking
//! part in promotions"). Orders arrive from the commerce system through the internal API (a
//! service token, never a user session); promotions are managed with the CLI.
pub mod cli;
pub mod demo;
pub mod http;
pub mod orders;
pub mod promotions;
