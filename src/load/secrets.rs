//! Which keys hold credentials. The parser replaces their values with [`REDACTED`] while it
//! reads a file, so no rule, query or report can ever print a token that a `curl -o` saved
//! along with the data. Other layers may reuse [`is_secret_key`] (e.g. to scrub output).

/// What a secret's value becomes in the loaded document.
pub const REDACTED: &str = "[REDACTED]";

/// Credential-like key names, lower case, with `-` and `_` left out: a key is compared
/// in lower case without them, so `access_token`, `Access-Token` and `accessToken` are the
/// same key. `client_id` is deliberately absent: it identifies an OAuth client but grants
/// nothing, and audits may need to show it.
const SECRET_KEYS: &[&str] = &["credential", "credentials", "sessionid"];

/// Endings that make a key a credential whatever comes before them (`access_token`,
/// `refreshToken`, `client_secret`, `crm_password`, `x-api-key`, `Proxy-Authorization`,
/// `Set-Cookie`, `Zoho-oauthtoken`). `tokens`, `token_type` and `secretary` do not end so.
const SECRET_ENDINGS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "apikey",
    "privatekey",
    "authorization",
    "cookie",
];

/// Is `key` the name of a credential (case-insensitive; `-` and `_` ignored)?
pub fn is_secret_key(key: &str) -> bool {
    // Keys are short; a long one cannot be a credential's name and is not worth folding.
    if key.len() > 64 {
        return false;
    }
    let folded: String = key
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_KEYS.contains(&folded.as_str()) || SECRET_ENDINGS.iter().any(|e| folded.ends_with(e))
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
            "accessToken",
            "refreshToken",
            "clientSecret",
            "Zoho-oauthtoken",
            "crm_password",
            "X-API-Key",
            "Proxy-Authorization",
            "id_token",
            "private_key",
            "credentials",
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
            "expires_in",
            "status",
            "configured_by",
            "associatedDepartmentIds",
        ] {
            assert!(!is_secret_key(key), "{key} should not be a secret");
        }
    }
}
