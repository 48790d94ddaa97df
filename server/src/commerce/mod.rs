//! Orders and promotions (clause 2.1: "the quantity, cost, time and order of orders", "taking
//! part in promotions"). Orders arrive from the commerce system through the internal API (a
//! service token, never a user session); promotions are managed with the CLI.
pub mod cli;
pub mod demo;
pub mod http;
pub mod orders;
pub mod promotions;

use std::process::ExitCode;

/// Bad input from the operator: the process exits with 2, as clap does for bad arguments.
const BAD_INPUT: u8 = 2;

fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}
