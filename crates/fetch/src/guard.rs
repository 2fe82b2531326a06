//! The private-address guard: which addresses xinwen may connect to.
//!
//! Every URL xinwen fetches comes from outside (a feed, a page, a reader's submission), so a URL
//! is an attack surface: `http://169.254.169.254/` reads a cloud machine's credentials, and
//! `http://localhost:5432/` probes the operator's own network. The guard refuses every address
//! that is not on the public internet, unless the operator's allow-list names it.
//!
//! It is enforced where connections are made: the HTTP client resolves names only through
//! [`GuardedResolver`], which drops refused addresses, so a name that resolves to a public
//! address for the check and to a private one for the connection (DNS rebinding) cannot slip
//! through. Literal IP hosts skip resolution, so [`Guard::check_url`] checks them before every
//! request and every redirect hop.

use crate::FetchError;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use url::{Host, Url};

/// An address range in CIDR notation (`10.0.0.0/8`, `::1/128`, or a bare address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_matches(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_matches(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_matches(network: &[u8], ip: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if network[..full] != ip[..full] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    network[full] & mask == ip[full] & mask
}

/// An allow-list entry that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or range; write it like 127.0.0.1, 10.0.0.0/8 or ::1")]
pub struct BadCidr(String);

impl FromStr for Cidr {
    type Err = BadCidr;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadCidr(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { network, prefix })
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Why an address is not on the public internet, or `None` when it is.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, d] = ip.octets();
    Some(match (a, b, c) {
        _ if ip == Ipv4Addr::new(169, 254, 169, 254) => "the cloud metadata address",
        (0, _, _) => "an unspecified (\"this network\") address",
        (10, _, _) => "a private address",
        (100, 64..=127, _) => "a carrier-grade NAT (shared) address",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address",
        (172, 16..=31, _) => "a private address",
        (192, 0, 0) => "an IETF protocol-assignment address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (192, 88, 99) => "a 6to4 relay address",
        (192, 168, _) => "a private address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, _, _) => "a multicast address",
        (240..=255, _, _) if (a, b, c, d) == (255, 255, 255, 255) => "the broadcast address",
        (240..=255, _, _) => "a reserved address",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
    };
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    match segments {
        // IPv4-compatible (deprecated), IPv4-translated (::ffff:0:a.b.c.d, RFC 2765) and NAT64
        // addresses reach the IPv4 address they carry.
        [0, 0, 0, 0, 0, 0, high, low]
        | [0, 0, 0, 0, 0xffff, 0, high, low]
        | [0x64, 0xff9b, 0, 0, 0, 0, high, low] => {
            return v4_reason(embedded_v4(high, low));
        }
        // 6to4 embeds the IPv4 address in the second and third segments.
        [0x2002, high, low, ..] => return v4_reason(embedded_v4(high, low)),
        _ => {}
    }
    let first = segments[0];
    Some(match first {
        0x0064 if segments[1] == 0xff9b && segments[2] == 1 => "a local-use NAT64 address",
        0x0100 if segments[1..4] == [0, 0, 0] => "a discard-only address",
        0x2001 if segments[1] == 0x0db8 => "a documentation address",
        0x2001 if segments[1] < 0x0200 => "an IETF protocol-assignment address",
        0x3fff if segments[1] < 0x1000 => "a documentation address",
        _ if first & 0xfe00 == 0xfc00 => "a unique-local (private) address",
        _ if first & 0xffc0 == 0xfe80 => "a link-local address",
        _ if first & 0xffc0 == 0xfec0 => "a site-local address",
        _ if first & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    })
}

/// The guard's settings: the allow-list and fixed name resolutions.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    allow: Vec<Cidr>,
    /// Names answered without DNS, like curl's `--resolve`: the demo's invented sites live here.
    /// Their addresses still pass the allow-list check.
    overrides: HashMap<String, Vec<SocketAddr>>,
}

impl Guard {
    pub fn new(allow: Vec<Cidr>) -> Guard {
        Guard {
            allow,
            overrides: HashMap::new(),
        }
    }

    /// The same guard without the operator's allow-list, for links that readers give: what
    /// the operator lets ingest reach (a publisher on the local network, the demo's origin)
    /// is not for a reader to make the site fetch. Fixed resolutions stay, and still meet
    /// the public-address check.
    pub fn without_allow_list(&self) -> Guard {
        Guard {
            allow: Vec::new(),
            overrides: self.overrides.clone(),
        }
    }

    /// Answers `host` with `address` instead of asking DNS.
    pub fn resolve_to(&mut self, host: &str, address: SocketAddr) {
        self.overrides
            .entry(host.to_ascii_lowercase())
            .or_default()
            .push(address);
    }

    /// Whether xinwen may connect to `ip`: public, or on the allow-list.
    pub fn permits(&self, ip: IpAddr) -> Result<(), &'static str> {
        match non_public_reason(ip) {
            None => Ok(()),
            Some(_) if self.allow.iter().any(|range| range.contains(ip)) => Ok(()),
            Some(reason) => Err(reason),
        }
    }

    /// Checks what can be checked without DNS: the scheme, and the host when it is a literal
    /// address (those never reach the resolver).
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        match url.scheme() {
            "http" | "https" => {}
            other => {
                return Err(FetchError::Scheme {
                    url: url.to_string(),
                    scheme: other.to_owned(),
                });
            }
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) => return Ok(()),
            None => {
                return Err(FetchError::InvalidUrl {
                    url: url.to_string(),
                    reason: "it has no host".to_owned(),
                });
            }
        };
        self.permits(ip).map_err(|reason| FetchError::Refused {
            url: url.to_string(),
            address: ip,
            reason,
        })
    }

    fn lookup_override(&self, host: &str) -> Option<Vec<SocketAddr>> {
        self.overrides.get(&host.to_ascii_lowercase()).cloned()
    }
}

/// The refusal as it travels through the HTTP client's error chain, to be found again by
/// [`refusal_in`].
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to refused addresses: {address} is {reason}")]
pub(crate) struct ResolveRefused {
    pub host: String,
    pub address: IpAddr,
    pub reason: &'static str,
}

/// Finds a [`ResolveRefused`] anywhere in an error's chain of causes.
pub(crate) fn refusal_in<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a ResolveRefused> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(refused) = error.downcast_ref::<ResolveRefused>() {
            return Some(refused);
        }
        current = error.source();
    }
    None
}

/// The only name resolver the HTTP client uses: it answers overrides, asks the system
/// otherwise, and drops every address the guard refuses.
pub(crate) struct GuardedResolver {
    pub guard: Arc<Guard>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.guard.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> = match guard.lookup_override(&host) {
                Some(addresses) => addresses,
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let mut first_refusal = None;
            let allowed: Vec<SocketAddr> = addresses
                .into_iter()
                .filter(|address| match guard.permits(address.ip()) {
                    Ok(()) => true,
                    Err(reason) => {
                        first_refusal.get_or_insert((address.ip(), reason));
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                if let Some((address, reason)) = first_refusal {
                    return Err(Box::new(ResolveRefused {
                        host,
                        address,
                        reason,
                    })
                        as Box<dyn std::error::Error + Send + Sync>);
                }
                return Err(format!("{host} has no address").into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> Option<&'static str> {
        non_public_reason(text.parse().unwrap())
    }

    #[test]
    fn every_non_public_range_is_refused() {
        for address in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.9",
            "169.254.169.254",
            "169.254.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(reason(address).is_some(), "{address} must be refused");
        }
        assert_eq!(
            reason("169.254.169.254"),
            Some("the cloud metadata address")
        );
        assert_eq!(reason("::ffff:127.0.0.1"), Some("a loopback address"));
        // IPv4-translated: ::ffff:0:a.b.c.d carries a.b.c.d too.
        assert_eq!(reason("::ffff:0:127.0.0.1"), Some("a loopback address"));
        assert_eq!(reason("::ffff:0:10.1.2.3"), Some("a private address"));
        assert_eq!(reason("::ffff:0:8.8.8.8"), None);
    }

    #[test]
    fn public_addresses_pass() {
        for address in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "192.169.0.1",
            "223.5.5.5",
            "2400:3200::1",
            "2606:4700::1111",
            "64:ff9b::808:808",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(reason(address), None, "{address} is public");
        }
    }

    #[test]
    fn the_allow_list_is_the_only_way_through() {
        let guard = Guard::new(vec![
            "127.0.0.1".parse().unwrap(),
            "10.8.0.0/16".parse().unwrap(),
        ]);
        assert!(guard.permits("127.0.0.1".parse().unwrap()).is_ok());
        assert!(guard.permits("::ffff:127.0.0.1".parse().unwrap()).is_ok());
        assert!(guard.permits("10.8.200.1".parse().unwrap()).is_ok());
        assert!(guard.permits("127.0.0.2".parse().unwrap()).is_err());
        assert!(guard.permits("10.9.0.1".parse().unwrap()).is_err());
        assert!(guard.permits("::1".parse().unwrap()).is_err());
    }

    #[test]
    fn allow_list_entries_parse_or_say_how_to_write_them() {
        assert_eq!(
            "10.0.0.0/8".parse::<Cidr>().unwrap().prefix,
            8,
            "a range keeps its prefix"
        );
        assert_eq!("::1".parse::<Cidr>().unwrap().prefix, 128);
        let err = "localhost".parse::<Cidr>().unwrap_err();
        assert!(err.to_string().contains("127.0.0.1"), "{err}");
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
    }

    #[test]
    fn literal_addresses_and_other_schemes_are_checked_before_any_request() {
        let guard = Guard::default();
        let check = |url: &str| guard.check_url(&Url::parse(url).unwrap());
        assert!(matches!(
            check("http://169.254.169.254/latest/meta-data/"),
            Err(FetchError::Refused { .. })
        ));
        assert!(matches!(
            check("http://[::ffff:7f00:1]/"),
            Err(FetchError::Refused { .. })
        ));
        assert!(matches!(
            check("file:///etc/passwd"),
            Err(FetchError::Scheme { .. })
        ));
        assert!(matches!(
            check("gopher://example.com/"),
            Err(FetchError::Scheme { .. })
        ));
        assert!(check("https://example.com/feed.xml").is_ok());
        let err = check("http://10.0.0.1/").unwrap_err().to_string();
        assert!(err.contains("10.0.0.1") && err.contains("private"), "{err}");
    }
}
