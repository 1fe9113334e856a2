//! Credentials and the access token: the self client's refresh-token grant against the
//! data centre's accounts server, or a ready token (`ZOHO_ACCESS_TOKEN`). Tokens live in
//! memory only, inside `Secret`, whose `Debug` and `Display` print nothing, so no log,
//! error or panic message can show one. The token is refreshed before it expires and
//! once when an API calls it invalid.

use super::http::{Http, Request, Service};
use std::fmt;
use std::time::Duration;

/// A credential. Prints as nothing; read it only with `expose` where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `s`; from here on it prints as nothing.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

/// What the environment gave (cli.md: never a flag).
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `ZOHO_CLIENT_ID`, `ZOHO_CLIENT_SECRET`, `ZOHO_REFRESH_TOKEN`.
    Refresh {
        /// `ZOHO_CLIENT_ID`.
        client_id: Secret,
        /// `ZOHO_CLIENT_SECRET`.
        client_secret: Secret,
        /// `ZOHO_REFRESH_TOKEN`.
        refresh_token: Secret,
    },
    /// `ZOHO_ACCESS_TOKEN`: used as it is, never refreshed.
    Ready(Secret),
}

/// Refresh when less than this is left of the token's life (a page can take a while).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The token state of one run.
#[derive(Debug)]
pub(crate) struct Auth {
    credentials: Credentials,
    accounts_url: String,
    token: Option<Secret>,
    /// Clock time when the token expires (`None`: unknown, as for a ready token).
    expires_at: Option<Duration>,
    /// Every token this run held (so none of them is ever written).
    held: Vec<Secret>,
    /// From the token response.
    pub api_domain: Option<String>,
    /// The scopes the token response granted (its `scope`, split); `None` for a ready token.
    pub scopes: Option<Vec<String>>,
}

/// Why no token could be had.
#[derive(Debug)]
pub(crate) enum AuthError {
    /// The accounts server answered, and said no.
    Refused(String),
    /// It could not be reached or kept failing.
    Unreachable(String),
}

impl Auth {
    pub(crate) fn new(credentials: Credentials, accounts_url: &str) -> Auth {
        let (token, held) = match &credentials {
            Credentials::Ready(t) => (Some(t.clone()), vec![t.clone()]),
            Credentials::Refresh { .. } => (None, Vec::new()),
        };
        Auth {
            credentials,
            accounts_url: accounts_url.trim_end_matches('/').to_string(),
            token,
            expires_at: None,
            held,
            api_domain: None,
            scopes: None,
        }
    }

    /// Whether a refused token can be replaced.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.credentials, Credentials::Refresh { .. })
    }

    /// A token good for a while: refreshed first when there is none or it is about to
    /// expire.
    pub(crate) fn token(&mut self, http: &mut Http) -> Result<Secret, AuthError> {
        if self.is_stale(http.clock.elapsed()) && self.can_refresh() {
            self.refresh(http)?;
        }
        self.token
            .clone()
            .ok_or_else(|| AuthError::Refused("no access token".to_string()))
    }

    /// Whether the token must be replaced at clock time `now`.
    fn is_stale(&self, now: Duration) -> bool {
        match (&self.token, self.expires_at) {
            (None, _) => true,
            (Some(_), Some(at)) => now + REFRESH_MARGIN >= at,
            (Some(_), None) => false,
        }
    }

    /// Asks the accounts server for a new access token.
    pub(crate) fn refresh(&mut self, http: &mut Http) -> Result<(), AuthError> {
        let Credentials::Refresh {
            client_id,
            client_secret,
            refresh_token,
        } = &self.credentials
        else {
            return Err(AuthError::Refused(
                "ZOHO_ACCESS_TOKEN was refused and cannot be refreshed".to_string(),
            ));
        };
        let url = format!("{}/oauth/v2/token", self.accounts_url);
        // The credentials go in the form body, never in the URL (URLs end up in logs).
        let req = Request {
            service: Service::Accounts,
            url: &url,
            query: Vec::new(),
            headers: Vec::new(),
            form: Some(vec![
                ("grant_type", "refresh_token".to_string()),
                ("client_id", client_id.expose().to_string()),
                ("client_secret", client_secret.expose().to_string()),
                ("refresh_token", refresh_token.expose().to_string()),
            ]),
        };
        let reply = http.send(&req, &mut |_| {}).map_err(|g| {
            AuthError::Unreachable(format!(
                "{url}: {} after {} tries",
                g.last.describe(),
                g.tries
            ))
        })?;
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
        let token = body.get("access_token").and_then(|t| t.as_str());
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            let why = body
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("no access_token in the answer");
            return Err(AuthError::Refused(format!(
                "{url} refused the refresh token (HTTP {}: {why}); check ZOHO_CLIENT_ID, \
                 ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN and that --dc names the data centre \
                 the self client was made in",
                reply.status
            )));
        };
        let token = Secret::new(token);
        let lifetime = body
            .get("expires_in")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(3600);
        self.expires_at = Some(http.clock.elapsed() + Duration::from_secs(lifetime));
        self.held.push(token.clone());
        self.token = Some(token);
        if let Some(d) = body.get("api_domain").and_then(|d| d.as_str()) {
            self.api_domain = Some(d.trim_end_matches('/').to_string());
        }
        if let Some(s) = body.get("scope").and_then(|s| s.as_str()) {
            self.scopes = Some(
                s.split([' ', ','])
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
        }
        Ok(())
    }

    /// Every credential of this run: none may appear in a file or a message.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.held.iter().map(Secret::expose).collect();
        if let Credentials::Refresh {
            client_secret,
            refresh_token,
            ..
        } = &self.credentials
        {
            out.push(client_secret.expose());
            out.push(refresh_token.expose());
        }
        // Too short to search for safely (an empty string would match everywhere).
        out.retain(|s| s.len() >= 8);
        out
    }
}

/// Whether an error body says the access token itself is bad (expired, revoked), as
/// opposed to a token without the scope or a user without the permission: CRM answers
/// `INVALID_TOKEN` (also `AUTHENTICATION_FAILURE`), Desk `INVALID_OAUTH`.
pub(crate) fn is_invalid_token(body: &[u8]) -> bool {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let code = v
        .get("code")
        .or_else(|| v.get("errorCode"))
        .and_then(|c| c.as_str())
        .unwrap_or("");
    matches!(
        code,
        "INVALID_TOKEN" | "INVALID_OAUTH" | "AUTHENTICATION_FAILURE" | "UNAUTHORIZED"
    ) || code.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_prints_nothing_in_debug_or_display() {
        let s = Secret::new("1000.abcdef0123456789");
        assert_eq!(format!("{s}"), "");
        assert_eq!(format!("{s:?}"), "");
        let c = Credentials::Ready(s);
        assert!(!format!("{c:?}").contains("abcdef"), "{c:?}");
        let r = Credentials::Refresh {
            client_id: Secret::new("1000.CLIENTID"),
            client_secret: Secret::new("topsecret0001"),
            refresh_token: Secret::new("1000.refresh0002"),
        };
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("refresh0002"),
            "{shown}"
        );
    }

    #[test]
    fn only_token_errors_count_as_an_invalid_token() {
        assert!(is_invalid_token(
            br#"{"code":"INVALID_TOKEN","status":"error"}"#
        ));
        assert!(is_invalid_token(br#"{"errorCode":"INVALID_OAUTH"}"#));
        assert!(is_invalid_token(b""));
        assert!(!is_invalid_token(
            br#"{"code":"OAUTH_SCOPE_MISMATCH","status":"error"}"#
        ));
        assert!(!is_invalid_token(br#"{"errorCode":"SCOPE_MISMATCH"}"#));
    }

    #[test]
    fn a_token_is_stale_five_minutes_before_it_expires() {
        let refresh = Credentials::Refresh {
            client_id: Secret::new("1000.CLIENTID"),
            client_secret: Secret::new("topsecret0001"),
            refresh_token: Secret::new("1000.refresh0002"),
        };
        let mut a = Auth::new(refresh, "https://accounts.zoho.jp/");
        assert!(a.is_stale(Duration::ZERO), "no token yet");
        a.token = Some(Secret::new("1000.token0003"));
        a.expires_at = Some(Duration::from_secs(3600));
        assert!(!a.is_stale(Duration::from_secs(3299)));
        assert!(a.is_stale(Duration::from_secs(3300)));
        let ready = Auth::new(Credentials::Ready(Secret::new("ready-token-123")), "x");
        assert!(
            !ready.is_stale(Duration::from_secs(99_999)),
            "a ready token has no known expiry"
        );
        assert!(!ready.can_refresh());
    }
}
