//! Which keys hold credentials. The parser replaces their values with [`REDACTED`] while it
//! reads a file, so no rule, query or report can ever print a token that a `curl -o` saved
//! along with the data. Other layers may reuse [`is_secret_key`] (e.g. to scrub output).

/// What a secret's value becomes in the loaded document.
pub const REDACTED: &str = "[REDACTED]";

/// Credential-like key names, lower case, with `_` standing for `_` or `-`
/// (`Set-Cookie` and `set_cookie` are the same key). `client_id` is deliberately absent:
/// it identifies an OAuth client but grants nothing, and audits may need to show it.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "authtoken",
    "token",
    "client_secret",
    "secret",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "x_api_key",
    "private_key",
    "authorization",
    "cookie",
    "set_cookie",
];

/// Is `key` the name of a credential (case-insensitive; `-` and `_` are interchangeable)?
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|s| same_key(s, key))
}

fn same_key(listed: &str, key: &str) -> bool {
    listed.len() == key.len()
        && listed.bytes().zip(key.bytes()).all(|(l, k)| {
            let k = if k == b'-' {
                b'_'
            } else {
                k.to_ascii_lowercase()
            };
            l == k
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys_match_in_any_case_and_with_dashes_or_underscores() {
        for key in [
            "access_token",
            "Refresh_Token",
            "CLIENT_SECRET",
            "authtoken",
            "Authorization",
            "Set-Cookie",
            "password",
            "api-key",
        ] {
            assert!(is_secret_key(key), "{key} should be a secret");
        }
    }

    #[test]
    fn ordinary_keys_and_client_id_are_not_secrets() {
        for key in [
            "client_id",
            "tokens",
            "email",
            "id",
            "secretary",
            "token_type",
        ] {
            assert!(!is_secret_key(key), "{key} should not be a secret");
        }
    }
}
