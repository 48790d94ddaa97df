//! The policy viewer: read the current policy, jump to a clause, search it, see past
//! versions and what changed between two of them, print it.
pub mod bar;
pub mod body;
pub mod compare;
pub mod page;
pub mod reader;
pub mod search;
pub mod toc;
pub mod versions;
