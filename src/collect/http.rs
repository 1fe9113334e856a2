//! The HTTP client of `collect`: one request at a time (Zoho counts concurrent calls
//! against the org's limit), with 429, 5xx and transport errors retried under
//! exponential backoff with jitter, honouring `Retry-After` and `details.retry_after`,
//! bounded in tries and in total time per request. Every request sent, retries
//! included, is counted: each one costs API credits.
//!
//! Why ureq: a small blocking client is all a tool that sends one request at a time
//! needs; an async runtime would add a large dependency tree for nothing. It is built
//! with rustls (and webpki-roots), so no OpenSSL has to be found or linked on the
//! machines support staff run it on, and TLS behaves the same everywhere.

use super::clock::{Clock, jitter_fraction};
use std::time::Duration;

/// Which server a request goes to (requests are counted per service).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    Accounts,
    Crm,
    Desk,
}

pub(crate) struct Request<'a> {
    /// The server, for counting.
    pub service: Service,
    /// The URL without its query.
    pub url: &'a str,
    /// Query parameters, encoded when sent.
    pub query: Vec<(&'a str, String)>,
    /// Extra headers (the authorization, Desk's `orgId`).
    pub headers: Vec<(&'static str, String)>,
    /// A form body: sent as POST (only the token request); else GET.
    pub form: Option<Vec<(&'static str, String)>>,
}

/// An HTTP answer, whatever its status.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body as received (at most `MAX_BODY` bytes).
    pub body: Vec<u8>,
    /// `Retry-After` in seconds, when the server sent one.
    pub retry_after: Option<Duration>,
}

/// Retries used up: the last answer or transport error.
#[derive(Debug)]
pub(crate) struct GaveUp {
    /// The last answer or transport error.
    pub last: Attempt,
    /// The server asked to wait longer than a request may take in total (a quota that
    /// resets hours later, not a burst).
    pub wait_too_long: Option<Duration>,
    /// How many times the request was sent.
    pub tries: u32,
}

#[derive(Debug)]
pub(crate) enum Attempt {
    Status(Reply),
    Transport(String),
}

impl Attempt {
    pub(crate) fn describe(&self) -> String {
        match self {
            Attempt::Status(r) => format!("HTTP {}", r.status),
            Attempt::Transport(e) => e.clone(),
        }
    }
}

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    /// How many times one request may be sent, the first included.
    pub max_tries: u32,
    /// Total time one request may take, waits included.
    pub max_total: Duration,
    /// The first backoff; doubled on each retry.
    pub base: Duration,
    /// The longest backoff of our own (a server's wait may be longer, up to `max_total`).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_tries: 6,
            max_total: Duration::from_secs(600),
            base: Duration::from_secs(2),
            max_backoff: Duration::from_secs(120),
        }
    }
}

/// Requests sent, per service; `retried` counts the repeats among them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts {
    /// Requests to the accounts server.
    pub accounts: u64,
    /// Requests to the CRM API.
    pub crm: u64,
    /// Requests to the Desk API.
    pub desk: u64,
    /// Requests that repeated a failed one (counted under their service too).
    pub retried: u64,
}

/// A retry about to happen (for progress and stderr).
pub(crate) struct Retrying {
    /// What failed: `HTTP 503`, or the transport error.
    pub why: String,
    /// How long to wait before sending again.
    pub wait: Duration,
    /// How many attempts have failed so far (1 before the first retry).
    pub attempt: u32,
}

pub(crate) struct Http {
    agent: ureq::Agent,
    /// The clock waits and token lifetimes are measured on (virtual in tests).
    pub clock: Clock,
    policy: RetryPolicy,
    /// Requests sent so far.
    pub counts: Counts,
    salt: u64,
}

/// The most one response may hold: far above any Zoho page (200 records, or a module's
/// field metadata), low enough that a runaway body cannot fill the disk.
const MAX_BODY: u64 = 256 << 20;

impl Http {
    pub(crate) fn new(clock: Clock, policy: RetryPolicy) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // Statuses are data here: an error body is saved, a 429 retried.
            .http_status_as_error(false)
            // A redirect would drop the Authorization header; Zoho's APIs do not redirect.
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(20)))
            .timeout_global(Some(Duration::from_secs(180)))
            .user_agent(concat!("crmdesk-audit/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http {
            agent,
            clock,
            policy,
            counts: Counts::default(),
            salt: u64::from(std::process::id()),
        }
    }

    /// Sends `req` until it gets an answer that is not 429 or 5xx, or the policy's
    /// bounds are reached.
    pub(crate) fn send(
        &mut self,
        req: &Request,
        on_retry: &mut dyn FnMut(&Retrying),
    ) -> Result<Reply, GaveUp> {
        let started = self.clock.elapsed();
        let mut tries = 0u32;
        loop {
            tries += 1;
            match req.service {
                Service::Accounts => self.counts.accounts += 1,
                Service::Crm => self.counts.crm += 1,
                Service::Desk => self.counts.desk += 1,
            }
            if tries > 1 {
                self.counts.retried += 1;
            }
            let (last, server_wait) = match self.once(req) {
                Ok(reply) if reply.status == 429 || reply.status >= 500 => {
                    let wait = reply.retry_after.or_else(|| body_retry_after(&reply.body));
                    (Attempt::Status(reply), wait)
                }
                Ok(reply) => return Ok(reply),
                Err(e) => (Attempt::Transport(transport_message(&e)), None),
            };
            if let Some(w) = server_wait.filter(|w| *w > self.policy.max_total) {
                return Err(GaveUp {
                    last,
                    wait_too_long: Some(w),
                    tries,
                });
            }
            let wait = server_wait.unwrap_or_default().max(self.backoff(tries));
            let spent = self.clock.elapsed().saturating_sub(started);
            if tries >= self.policy.max_tries || spent + wait > self.policy.max_total {
                return Err(GaveUp {
                    last,
                    wait_too_long: None,
                    tries,
                });
            }
            on_retry(&Retrying {
                why: last.describe(),
                wait,
                attempt: tries,
            });
            self.clock.sleep(wait);
        }
    }

    /// The backoff before try `tries + 1`: base * 2^(tries-1), capped, with "equal
    /// jitter" (between half and all of it).
    fn backoff(&mut self, tries: u32) -> Duration {
        let exp = self
            .policy
            .base
            .saturating_mul(1u32 << tries.saturating_sub(1).min(16));
        let capped = exp.min(self.policy.max_backoff);
        self.salt = self.salt.wrapping_add(0x9e37_79b9_7f4a_7c15);
        capped.mul_f64(0.5 + 0.5 * jitter_fraction(self.salt))
    }

    fn once(&self, req: &Request) -> Result<Reply, ureq::Error> {
        let result = match &req.form {
            Some(form) => {
                let mut r = self.agent.post(req.url);
                for (k, v) in &req.headers {
                    r = r.header(*k, v.as_str());
                }
                for (k, v) in &req.query {
                    r = r.query(*k, v.as_str());
                }
                r.send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
            }
            None => {
                let mut r = self.agent.get(req.url);
                for (k, v) in &req.headers {
                    r = r.header(*k, v.as_str());
                }
                for (k, v) in &req.query {
                    r = r.query(*k, v.as_str());
                }
                r.call()
            }
        };
        let mut response = result?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = if status == 204 {
            Vec::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()?
        };
        Ok(Reply {
            status,
            body,
            retry_after,
        })
    }
}

/// ureq's message, which names no credential: tokens travel in headers and the form
/// body, never in a URL.
fn transport_message(e: &ureq::Error) -> String {
    format!("transport error: {e}")
}

/// `details.retry_after` of a Zoho error body: seconds to wait, or (when it is this
/// large) a Unix time in milliseconds to wait until.
fn body_retry_after(body: &[u8]) -> Option<Duration> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let n = v.get("details")?.get("retry_after")?.as_f64()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    if n > 1e12 {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3);
        return Some(Duration::from_secs_f64(((n - now_ms) / 1e3).max(0.0)));
    }
    Some(Duration::from_secs_f64(n.min(1e9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_after_in_the_body_is_read_as_seconds() {
        let b = br#"{"code":"TOO_MANY_REQUESTS","details":{"retry_after":7},"status":"error"}"#;
        assert_eq!(body_retry_after(b), Some(Duration::from_secs(7)));
        assert_eq!(body_retry_after(b"not json"), None);
        assert_eq!(body_retry_after(br#"{"details":{}}"#), None);
    }

    #[test]
    fn backoff_doubles_stays_capped_and_is_jittered_within_half() {
        let mut h = Http::new(Clock::virtual_(), RetryPolicy::default());
        for tries in 1..12 {
            let full = Duration::from_secs(2)
                .saturating_mul(1 << (tries - 1))
                .min(Duration::from_secs(120));
            let got = h.backoff(tries);
            assert!(
                got >= full / 2 && got <= full,
                "{tries}: {got:?} of {full:?}"
            );
        }
    }
}
