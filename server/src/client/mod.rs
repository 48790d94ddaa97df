//! Who is asking: the client's address (as stored, as shown, as throttles count it) and what
//! its User-Agent says, read once per request by the [`Client`] extractor.
pub mod agent;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::AppState;
pub use agent::Agent;

/// Who is asking: address, user agent and what it says about the browser and device
/// (clause 2.1's automatically collected data), for sessions, receipts and the security log.
#[derive(Clone, Debug)]
pub struct Client {
    /// The address, or "unknown".
    pub ip: String,
    /// The address as per-address throttles count it ([`address_key`]).
    pub address_key: String,
    pub user_agent: String,
    pub agent: Agent,
}

impl Client {
    pub fn from_parts(state: &AppState, parts: &Parts) -> Client {
        let user_agent = user_agent(&parts.headers);
        let ip = client_ip(state, parts);
        Client {
            ip: ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
            address_key: address_key(ip),
            agent: agent::parse(&user_agent),
            user_agent,
        }
    }

    /// The address with its host part gone ([`truncate_ip`]), or "unknown".
    pub fn ip_truncated(&self) -> String {
        shown_ip(&self.ip)
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Client::from_parts(state, parts))
    }
}

/// The visitor's address: the peer, or behind a trusted proxy the last address it appended.
fn client_ip(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    let forwarded = state
        .trust_proxy
        .then(|| {
            parts
                .headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .flatten();
    forwarded.or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    })
}

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(400)
        .collect()
}

/// What per-address throttles count: an IPv4 address, or the /64 an IPv6 address is in (one
/// subscriber's network, which hands its devices any address of it: counting whole IPv6
/// addresses would give one visitor 2^64 buckets). An IPv4-mapped IPv6 address is its IPv4.
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_string(),
    }
}

/// The address with its host part zeroed: IPv4 keeps /24, IPv6 keeps /48. Enough to tell a
/// network, not enough to tell a person.
pub fn truncate_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => truncate_ip(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::", s[0], s[1], s[2])
            }
        },
    }
}

/// A stored address as the personal section shows it: the network, not the machine.
pub fn shown_ip(ip: &str) -> String {
    ip.parse().map_or_else(|_| ip.to_string(), truncate_ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_count_ipv4_addresses_and_ipv6_networks() {
        let key = |s: &str| address_key(Some(s.parse().unwrap()));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(
            key("::ffff:203.0.113.7"),
            "203.0.113.7",
            "an IPv4-mapped address is its IPv4"
        );
        assert_eq!(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff::9"),
            "one /64, one bucket"
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(address_key(None), "unknown");
    }

    #[test]
    fn addresses_lose_their_host_part() {
        assert_eq!(truncate_ip("203.0.113.77".parse().unwrap()), "203.0.113.0");
        assert_eq!(
            truncate_ip("2001:db8:abcd:12:1:2:3:4".parse().unwrap()),
            "2001:db8:abcd::"
        );
        assert_eq!(
            truncate_ip("::ffff:198.51.100.9".parse().unwrap()),
            "198.51.100.0"
        );
    }
}
