//! A replay of the Zoho hosts on 127.0.0.1 (never the internet), for the tests that run
//! `collect` and the README's export recipe: three listeners (accounts, the CRM
//! api_domain, Desk), one HTTP/1.1 request per connection (the reply says
//! `Connection: close`), every request logged with the status it got. What each host
//! answers is the test's own `respond`; this is only the plumbing.

use serde_json::Value;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    Accounts,
    Crm,
    Desk,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub host: Host,
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body read as form fields (`application/x-www-form-urlencoded`).
    pub form: Vec<(String, String)>,
    /// The status the replay answered with.
    pub status: u16,
}

impl Request {
    /// A parameter of the query string only.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        find(&self.query, name)
    }
    /// A parameter of the query string, else of the form body.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query_param(name).or_else(|| find(&self.form, name))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A reply: status, extra headers, JSON body (none for a 204 or an empty body).
pub type Reply = (u16, Vec<(&'static str, String)>, Option<Value>);

/// What a test's state may keep of the server being started: the hosts' base URLs
/// (`http://127.0.0.1:<port>`; the CRM one is the `api_domain` a token grant names) and
/// the flag set when the test is over (a reply that waits on purpose ends then).
pub struct Started {
    pub accounts: String,
    pub crm: String,
    pub desk: String,
    pub stopping: Arc<AtomicBool>,
}

/// The running replay; dropping it stops the listeners.
pub struct Server<S> {
    pub accounts: String,
    pub crm: String,
    pub desk: String,
    /// What the test's `respond` reads and changes.
    pub state: Arc<S>,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl<S: Send + Sync + 'static> Server<S> {
    /// Binds the three hosts, builds the state and answers every request by `respond`.
    pub fn start(state: impl FnOnce(&Started) -> S, respond: fn(&Request, &S) -> Reply) -> Self {
        let bind = || TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let (a, c, d) = (bind(), bind(), bind());
        let url = |l: &TcpListener| format!("http://{}", l.local_addr().expect("addr"));
        let started = Started {
            accounts: url(&a),
            crm: url(&c),
            desk: url(&d),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        let state = Arc::new(state(&started));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = started.stopping;
        let threads = [(a, Host::Accounts), (c, Host::Crm), (d, Host::Desk)]
            .into_iter()
            .map(|(listener, host)| {
                let (state, log, stop) = (state.clone(), log.clone(), stop.clone());
                thread::spawn(move || {
                    serve(&listener, &stop, |stream| {
                        handle(stream, host, &log, |req| respond(req, &state));
                    });
                })
            })
            .collect();
        Server {
            accounts: started.accounts,
            crm: started.crm,
            desk: started.desk,
            state,
            log,
            stop,
            threads,
        }
    }
}

impl<S> Server<S> {
    /// Every request so far, in the order they were answered.
    pub fn log(&self) -> Vec<Request> {
        self.log.lock().expect("log").clone()
    }
}

impl<S> Drop for Server<S> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Accepts until told to stop (the test's end drops the server), and at most for 5 minutes.
fn serve(listener: &TcpListener, stop: &AtomicBool, mut handle: impl FnMut(TcpStream)) {
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + Duration::from_secs(300);
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => handle(stream),
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(1)),
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Reads one request (the head, at most 64 KiB, then `Content-Length` bytes of body),
/// answers it and logs it; a connection closed before the head's end gets no answer.
fn handle(
    mut stream: TcpStream,
    host: Host,
    log: &Mutex<Vec<Request>>,
    respond: impl FnOnce(&Request) -> Reply,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() >= 65_536 {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or("").split(' ');
    let method = start.next().unwrap_or("").to_string();
    let target = start.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = find(&headers, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut req = Request {
        host,
        method,
        path: path.to_string(),
        query: parse_query(query),
        headers,
        form: parse_query(&body),
        status: 0,
    };
    let (status, extra, body) = respond(&req);
    req.status = status;
    log.lock().expect("log").push(req);
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\n",
        reason(status)
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    if status != 204 {
        out.push_str(&format!(
            "Content-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// `a=1&b=x%20y` as pairs, percent- and `+`-decoded.
fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
