//! Which hosts a data centre implies: its accounts server (where the self client lives),
//! the CRM API host (the token response's `api_domain` wins when it names one) and Zoho
//! Desk. `--accounts-url`, `--crm-url` and `--desk-url` override each (proxies, tests).

/// The data centres cli.md names, and their hosts.
const DATA_CENTRES: &[(&str, &str, &str, &str)] = &[
    // (dc, accounts, CRM api_domain, Desk)
    (
        "com",
        "https://accounts.zoho.com",
        "https://www.zohoapis.com",
        "https://desk.zoho.com",
    ),
    (
        "eu",
        "https://accounts.zoho.eu",
        "https://www.zohoapis.eu",
        "https://desk.zoho.eu",
    ),
    (
        "in",
        "https://accounts.zoho.in",
        "https://www.zohoapis.in",
        "https://desk.zoho.in",
    ),
    (
        "com.au",
        "https://accounts.zoho.com.au",
        "https://www.zohoapis.com.au",
        "https://desk.zoho.com.au",
    ),
    (
        "jp",
        "https://accounts.zoho.jp",
        "https://www.zohoapis.jp",
        "https://desk.zoho.jp",
    ),
    // Canada's data centre is on zohocloud.ca.
    (
        "ca",
        "https://accounts.zohocloud.ca",
        "https://www.zohoapis.ca",
        "https://desk.zohocloud.ca",
    ),
    (
        "sa",
        "https://accounts.zoho.sa",
        "https://www.zohoapis.sa",
        "https://desk.zoho.sa",
    ),
    (
        "uk",
        "https://accounts.zoho.uk",
        "https://www.zohoapis.uk",
        "https://desk.zoho.uk",
    ),
    (
        "com.cn",
        "https://accounts.zoho.com.cn",
        "https://www.zohoapis.com.cn",
        "https://desk.zoho.com.cn",
    ),
];

/// The names `--dc` accepts.
pub const NAMES: &[&str] = &[
    "com", "eu", "in", "com.au", "jp", "ca", "sa", "uk", "com.cn",
];

/// The hosts of one data centre, before overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hosts {
    /// The accounts server (OAuth tokens), as `https://host` without a trailing `/`.
    pub accounts: String,
    /// The CRM API host.
    pub crm: String,
    /// The Desk host.
    pub desk: String,
}

pub(crate) fn hosts(dc: &str) -> Option<Hosts> {
    DATA_CENTRES
        .iter()
        .find(|(name, ..)| *name == dc)
        .map(|(_, a, c, d)| Hosts {
            accounts: (*a).to_string(),
            crm: (*c).to_string(),
            desk: (*d).to_string(),
        })
}

/// A base URL as given, without a trailing slash; only http and https.
pub(crate) fn base_url(flag: &str, url: &str) -> Result<String, BaseUrlError> {
    let u = url.trim().trim_end_matches('/');
    if !(u.starts_with("https://") || u.starts_with("http://")) || u.contains('?') {
        return Err(BaseUrlError {
            flag: flag.to_owned(),
            url: url.to_owned(),
        });
    }
    Ok(u.to_string())
}

/// A `--*-url` flag whose value is not an http(s) base URL without a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrlError {
    /// The flag, e.g. `--crm-url`.
    pub flag: String,
    /// The value as given.
    pub url: String,
}

impl std::fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: give a base URL such as https://desk.zoho.jp (http or https, no query)",
            self.flag, self.url
        )
    }
}

impl std::error::Error for BaseUrlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_data_centre_has_hosts() {
        for dc in NAMES {
            let h = hosts(dc).expect(dc);
            assert!(h.accounts.starts_with("https://accounts.zoho"), "{h:?}");
            assert!(h.crm.starts_with("https://www.zohoapis."), "{h:?}");
            assert!(h.desk.starts_with("https://desk.zoho"), "{h:?}");
        }
        assert_eq!(hosts("jp").expect("jp").desk, "https://desk.zoho.jp");
        assert!(hosts("de").is_none());
    }

    #[test]
    fn a_base_url_loses_its_trailing_slash_and_must_be_http() {
        assert_eq!(
            base_url("--crm-url", "http://127.0.0.1:9/").expect("ok"),
            "http://127.0.0.1:9"
        );
        assert!(base_url("--crm-url", "ftp://x").is_err());
        assert!(base_url("--crm-url", "https://x/?a=1").is_err());
    }
}
