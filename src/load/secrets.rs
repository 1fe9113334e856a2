//! Which keys hold credentials. The parser replaces their values with [`REDACTED`] while it
//! reads a file, so no rule, query or report can ever print a token that a `curl -o` saved
//! along with the data. Other layers may reuse [`is_secret_key`] (e.g. to scrub output).

/// What a secret's value becomes in the loaded document.
pub const REDACTED: &str = "[REDACTED]";

/// Words that make a key a credential wherever they stand in it (`client_secret`,
/// `aws_secret_access_key`, `password1`, `auth.bearer`, `Set-Cookie`). A key is read as
/// words: split at anything that is not a letter or digit, at a lower-to-upper case step
/// (`accessToken`) and between letters and digits, and lower-cased.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "credential",
    "credentials",
    "bearer",
    "authorization",
    "cookie",
    "cookies",
    "sessionid",
    "apikey",
    "privatekey",
    "signingkey",
];

/// Two words in a row that make a key a credential (`api_key`, `X-API-Key`, `signing_key`,
/// `session_id`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("signing", "key"),
    ("access", "key"),
    ("session", "id"),
];

/// Is `key` the name of a credential? Its words (see `SECRET_WORDS`) decide: a word that is
/// or ends in a credential word, anywhere, a credential pair of words, or a last word that is or ends in `token`
/// (`access_token`, `refreshToken`, `Zoho-oauthtoken`, `authtoken`; not `tokens`, not
/// `token_type`). `client_id` is no credential: it identifies an OAuth client, grants
/// nothing, and audits may need to show it. No length limit: a long key is read whole.
pub fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    let named: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    // A word that ends in a credential word counts too: keys written run together in
    // lower case are one word (`clientsecret`, `dbpassword`, `xapikey`, `setcookie`).
    named
        .iter()
        .any(|w| SECRET_WORDS.iter().any(|s| w.ends_with(s)))
        || named
            .windows(2)
            .any(|p| SECRET_PAIRS.contains(&(p[0], p[1])))
        || named.last().is_some_and(|w| w.ends_with("token"))
}

/// The words of a key, lower case (see `SECRET_WORDS`).
fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        let boundary = prev.is_some_and(|p| {
            (p.is_lowercase() && c.is_uppercase())
                || (p.is_alphabetic() && c.is_numeric())
                || (p.is_numeric() && c.is_alphabetic())
        });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
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
            "secret_key",
            "aws_secret_access_key",
            "signing_key",
            "pwd",
            "password1",
            "auth.bearer",
            "password ",
            "Bearer",
            "sessionId",
            "a_very_long_prefix_that_goes_on_and_on_past_sixty_four_bytes_before_the_refresh_token",
            "clientsecret",
            "apisecret",
            "dbpassword",
            "xapikey",
            "proxyauthorization",
            "setcookie",
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
            "secretary",
            "api_domain",
            "keywords",
            "is_passive",
        ] {
            assert!(!is_secret_key(key), "{key} should not be a secret");
        }
    }
}
