//! A plain HTTP/1.1 client over a TcpStream, enough to talk to the double.

use std::io::{Read, Write};
use std::net::TcpStream;

use planhost_github_double::GitHub;
use serde_json::Value;

/// What the double answered.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// Sends a request with exactly these headers (and Host, Content-Length, Connection: close).
pub fn send_raw(github: &GitHub, method: &str, path: &str, headers: &[(&str, String)], body: Option<&str>) -> Reply {
    let api_url = github.api_url();
    // An Enterprise double's address ends in its API path; `path` is the whole request path.
    let address = api_url.trim_start_matches("http://").split('/').next().expect("an address").to_owned();
    let mut stream = TcpStream::connect(&address).expect("the double listens");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("the request is sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("the answer is read");
    let text = String::from_utf8(raw).expect("the answer is UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("the answer has a head");
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|line| line.split(' ').nth(1)).and_then(|code| code.parse().ok()).expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    let body = if body.is_empty() { Value::Null } else { serde_json::from_str(body).expect("the answer's body is JSON") };
    Reply { status, headers, body }
}

/// Sends a request as a well-behaved client does: User-Agent, GitHub's media type, the token.
pub fn send(github: &GitHub, method: &str, path: &str, body: Option<Value>) -> Reply {
    let headers = [
        ("User-Agent", "planhost-github-double-tests".to_owned()),
        ("Accept", "application/vnd.github+json".to_owned()),
        ("Authorization", format!("Bearer {}", github.token())),
    ];
    let body = body.map(|body| body.to_string());
    send_raw(github, method, path, &headers, body.as_deref())
}
