//! The network policy: which addresses a fetch may reach.
//!
//! A feed link, a redirect or a DNS answer chosen by a remote site must not make us request a
//! page on the machine's own network (an admin page, a cloud metadata service). Loopback,
//! private, link-local and other non-public addresses are therefore refused unless allowed.
//! Names are checked after resolution, by the resolver the HTTP client connects with, so a
//! name re-bound to an intranet address between two requests is refused too; IP literals never
//! reach a resolver and are checked before each request.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// An address the policy refuses, and what kind of address it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{ip} is {kind} (set fetch.allow_private_networks = true to allow)")]
pub struct Refusal {
    pub ip: IpAddr,
    /// With its article: "a loopback address".
    pub kind: &'static str,
}

/// What kind of non-public address `ip` is, or `None` for a public one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

/// The refusal for `ip`, if it is not public.
pub fn check(ip: IpAddr) -> Result<(), Refusal> {
    match non_public(ip) {
        Some(kind) => Err(Refusal { ip, kind }),
        None => Ok(()),
    }
}

/// The address of a URL whose host is an IP literal; names are left to the resolver.
pub fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(_) => None,
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        // 0.0.0.0/8: "this network"; connecting to it reaches the local host on Linux.
        (0, _, _) => "an unspecified address",
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => "a private address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        (127, _, _) => "a loopback address",
        // 169.254/16 holds the cloud metadata service (169.254.169.254).
        (169, 254, _) => "a link-local address",
        (192, 0, 0) | (192, 88, 99) => "a reserved address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, _, _) => "a multicast address",
        // 240/4, with the broadcast address 255.255.255.255.
        (240..=255, _, _) => "a reserved address",
        _ => return None,
    })
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    // ::ffff:a.b.c.d reaches a.b.c.d: judge the IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_kind(v4);
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    Some(match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => "an unspecified address",
        [0, 0, 0, 0, 0, 0, 0, 1] => "a loopback address",
        // ::a.b.c.d, the deprecated IPv4-compatible form.
        [0, 0, 0, 0, 0, 0, _, _] => "a reserved address",
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that is reached.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] | [0x2002, hi, lo, ..] => return v4_kind(embedded(hi, lo)),
        // Local-use NAT64, discard-only, IETF protocol assignments (Teredo among them).
        [0x64, 0xff9b, 1, ..] | [0x100, 0, 0, 0, ..] | [0x2001, 0..=0x1ff, ..] => "a reserved address",
        [0x2001, 0xdb8, ..] => "a documentation address",
        [first, ..] if first & 0xfe00 == 0xfc00 => "a unique-local address",
        [first, ..] if first & 0xffc0 == 0xfe80 => "a link-local address",
        [first, ..] if first & 0xffc0 == 0xfec0 => "a site-local address",
        [first, ..] if first & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    })
}

/// Resolves names with the system resolver and keeps only public addresses; a name with
/// nothing else is refused with a [`Refusal`] in the connection error's causes.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved.iter().copied().filter(|a| non_public(a.ip()).is_none()).collect();
            if public.is_empty()
                && let Some(refused) = resolved.first()
            {
                check(refused.ip())?;
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(addrs)
        })
    }
}

/// The [`Refusal`] among an error's causes, if the policy is why it failed.
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(refusal) = e.downcast_ref::<Refusal>() {
            return Some(refusal.clone());
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ip: &str) -> Option<&'static str> {
        non_public(ip.parse().unwrap())
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "169.253.1.1",
            "192.169.0.1",
            "198.20.0.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn non_public_ipv4_addresses_are_named() {
        for (ip, expected) in [
            ("127.0.0.1", "a loopback address"),
            ("127.255.255.254", "a loopback address"),
            ("10.0.0.5", "a private address"),
            ("172.16.0.1", "a private address"),
            ("172.31.255.255", "a private address"),
            ("192.168.1.1", "a private address"),
            ("169.254.169.254", "a link-local address"),
            ("100.64.0.1", "a shared (carrier-grade NAT) address"),
            ("100.127.255.255", "a shared (carrier-grade NAT) address"),
            ("0.0.0.0", "an unspecified address"),
            ("0.1.2.3", "an unspecified address"),
            ("192.0.0.8", "a reserved address"),
            ("192.0.2.1", "a documentation address"),
            ("203.0.113.9", "a documentation address"),
            ("198.18.0.1", "a benchmarking address"),
            ("224.0.0.1", "a multicast address"),
            ("240.0.0.1", "a reserved address"),
            ("255.255.255.255", "a reserved address"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn non_public_ipv6_addresses_are_named() {
        for (ip, expected) in [
            ("::1", "a loopback address"),
            ("::", "an unspecified address"),
            ("::ffff:127.0.0.1", "a loopback address"),
            ("::ffff:7f00:1", "a loopback address"),
            ("::ffff:10.1.2.3", "a private address"),
            ("::ffff:169.254.169.254", "a link-local address"),
            ("::ffff:0.0.0.0", "an unspecified address"),
            ("::127.0.0.1", "a reserved address"),
            ("64:ff9b::7f00:1", "a loopback address"),
            ("64:ff9b::a9fe:a9fe", "a link-local address"),
            ("2002:c0a8:101::1", "a private address"),
            ("2002:7f00:1::", "a loopback address"),
            ("64:ff9b:1::1", "a reserved address"),
            ("100::1", "a reserved address"),
            ("2001::1", "a reserved address"),
            ("2001:db8::1", "a documentation address"),
            ("fc00::1", "a unique-local address"),
            ("fd12:3456:789a::1", "a unique-local address"),
            ("fe80::1", "a link-local address"),
            ("febf::1", "a link-local address"),
            ("fec0::1", "a site-local address"),
            ("ff02::1", "a multicast address"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn literal_hosts_in_every_spelling_are_seen() {
        for url in [
            "http://127.0.0.1/",
            "http://0x7f.1/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            let ip = literal_ip(&Url::parse(url).unwrap()).unwrap_or_else(|| panic!("{url}"));
            assert!(check(ip).is_err(), "{url}");
        }
        assert_eq!(literal_ip(&Url::parse("http://localhost/").unwrap()), None);
        assert_eq!(literal_ip(&Url::parse("http://example.org/").unwrap()), None);
    }

    #[test]
    fn the_refusal_says_how_to_allow_it() {
        let refusal = check("10.0.0.5".parse().unwrap()).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "10.0.0.5 is a private address (set fetch.allow_private_networks = true to allow)"
        );
    }

    #[tokio::test]
    async fn the_resolver_drops_non_public_addresses() {
        let name: Name = "localhost".parse().unwrap();
        let error = match PublicOnly.resolve(name).await {
            Ok(addrs) => panic!("localhost resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        let refusal = refusal_in(error.as_ref()).expect("a refusal");
        assert_eq!(refusal.kind, "a loopback address");
        let name: Name = "127.0.0.1".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
    }
}
