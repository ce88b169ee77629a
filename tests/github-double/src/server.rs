//! The HTTP side: a hyper server on its own thread and runtime, and the path every request takes
//! through it: routing, the description's checks, authentication, permissions, faults, the
//! operation itself, and the check of the answer.

use std::convert::Infallible;
use std::net::TcpListener;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, HeaderMap, USER_AGENT};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::description::{CheckedRequest, Description, Operation, Route};
use crate::operations::{self, Answer, Call};
use crate::permissions::TokenPermissions;
use crate::repository::{Actor, Repository};
use crate::{Fault, FaultKind, RecordedRequest};

const RATE_LIMIT: u64 = 5000;

/// A request as received, matched to its operation and checked against it.
struct Received<'r> {
    /// `METHOD /path?query`, for messages.
    request: &'r str,
    operation: &'r Operation,
    path: &'r str,
    route: &'r Route<'r>,
    query: &'r [(String, String)],
    headers: &'r HeaderMap,
    checked: &'r CheckedRequest,
}

/// Everything the server and the test share.
pub(crate) struct Shared {
    pub repository: Repository,
    /// The path the API is served under: empty, or `/api/v3` for GitHub Enterprise Server.
    base_path: String,
    pub token: String,
    pub permissions: TokenPermissions,
    pub faults: Vec<Fault>,
    pub violations: Vec<String>,
    pub requests: Vec<RecordedRequest>,
    rate_limit_used: u64,
    rate_limit_reset: u64,
}

impl Shared {
    pub(crate) fn new(repository: Repository, base_path: String, token: String) -> Shared {
        Shared {
            repository,
            base_path,
            token,
            permissions: TokenPermissions::all_write(),
            faults: Vec::new(),
            violations: Vec::new(),
            requests: Vec::new(),
            rate_limit_used: 0,
            rate_limit_reset: unix_now() + 3600,
        }
    }

    /// The next queued fault for `operation`, counted as fired.
    fn take_fault(&mut self, operation: &str) -> Option<FaultKind> {
        let index = self.faults.iter().position(|fault| fault.operation == operation)?;
        let fault = &mut self.faults[index];
        let kind = fault.kind.clone();
        fault.times -= 1;
        if fault.times == 0 {
            self.faults.remove(index);
        }
        Some(kind)
    }

    /// One request, start to end.
    fn exchange(&mut self, method: &str, path: &str, query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Answer {
        let path_and_query = match query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        };
        let request = format!("{method} {path_and_query}");
        let Some(path) = path.strip_prefix(self.base_path.as_str()).filter(|path| path.starts_with('/')) else {
            self.violations.push(format!("{request}: not under the API's path {}", self.base_path));
            return self.finish(None, path_and_query, method, Answer::unrouted());
        };
        let Some(route) = Description::get().route(method, path) else {
            self.violations.push(format!("{request}: no operation of GitHub's description matches"));
            return self.finish(None, path_and_query, method, Answer::unrouted());
        };
        let operation = route.operation;
        let query: Vec<(String, String)> =
            form_urlencoded::parse(query.unwrap_or_default().as_bytes()).map(|(name, value)| (name.into_owned(), value.into_owned())).collect();
        let mut checked = operation.check_request(&route.path_parameters, &query, body);
        if !headers.contains_key(USER_AGENT) {
            checked.problems.push("no User-Agent header (GitHub refuses such requests)".to_owned());
        }
        for problem in &checked.problems {
            self.violations.push(format!("{request} ({}): {problem}", operation.id));
        }
        let received = Received { request: &request, operation, path, route: &route, query: &query, headers, checked: &checked };
        let answer = self.answer(&received);
        self.finish(Some(operation.id.clone()), path_and_query, method, answer)
    }

    /// Holds an answer to a request the description allows to the operation's described
    /// responses. (An answer to a request outside the description is GitHub's refusal of it.)
    fn check_answer(&mut self, received: &Received, answer: &Answer) {
        if !received.checked.problems.is_empty() {
            return;
        }
        for problem in Description::get().check_response(received.operation, answer.status, answer.body.as_ref()) {
            self.violations.push(format!("the double's {} answer to {} ({}): {problem}", answer.status, received.request, received.operation.id));
        }
    }

    fn answer(&mut self, received: &Received) -> Answer {
        let operation = received.operation;
        let refusal = self.refusal(received);
        if let Some(refusal) = refusal {
            self.check_answer(received, &refusal);
            return refusal;
        }
        let fault = self.take_fault(&operation.id);
        let answer = match fault {
            Some(FaultKind::ServerError) => Answer::error(500, "Server Error", operation),
            Some(FaultKind::RateLimited { retry_after_secs }) => {
                Answer::error(429, &format!("API rate limit exceeded for user ID {}.", Actor::TokenUser.id()), operation)
                    .with_header("retry-after", retry_after_secs.to_string())
                    .with_header("x-ratelimit-remaining", "0".to_owned())
                    .with_header("x-ratelimit-used", RATE_LIMIT.to_string())
                    .with_header("x-ratelimit-reset", (unix_now() + retry_after_secs).to_string())
            }
            Some(FaultKind::SecondaryRateLimit { retry_after_secs }) => Answer::error(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. \
                 If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
                operation,
            )
            .with_header("retry-after", retry_after_secs.to_string()),
            None | Some(FaultKind::ServerErrorAfterApplying) => {
                let call = Call {
                    operation,
                    request_path: received.path,
                    parameters: &received.route.path_parameters,
                    query: received.query,
                    body: received.checked.body.as_ref(),
                };
                operations::answer(&call, &mut self.repository)
            }
        };
        self.check_answer(received, &answer);
        match fault {
            // The work is done and kept; only its answer is lost.
            Some(FaultKind::ServerErrorAfterApplying) => Answer::error(500, "Server Error", operation),
            _ => answer,
        }
    }

    /// What GitHub answers before an operation runs, where it refuses the request.
    fn refusal(&mut self, received: &Received) -> Option<Answer> {
        let operation = received.operation;
        if !received.headers.contains_key(USER_AGENT) {
            return Some(Answer::error(
                403,
                "Request forbidden by administrative rules. Please make sure your request has a User-Agent header \
                 (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). \
                 Check https://developer.github.com for other possible causes.",
                operation,
            ));
        }
        let presented = received.headers.get(AUTHORIZATION).and_then(|value| value.to_str().ok()).and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token")).then(|| token.trim())
        });
        match presented {
            None => return Some(Answer::error(401, "Requires authentication", operation)),
            Some(token) if token != self.token => return Some(Answer::error(401, "Bad credentials", operation)),
            Some(_) => self.rate_limit_used += 1,
        }
        let path = &received.route.path_parameters;
        let names = |name: &str, actual: &str| path.get(name).is_some_and(|given| given.eq_ignore_ascii_case(actual));
        if !names("owner", &self.repository.owner) || !names("repo", &self.repository.name) {
            return Some(Answer::error(404, "Not Found", operation));
        }
        if let Some(accepted) = self.permissions.refusal(&operation.id) {
            return Some(
                Answer::error(403, "Resource not accessible by personal access token", operation)
                    .with_header("x-accepted-github-permissions", accepted),
            );
        }
        let checked = received.checked;
        if checked.unparsable_body {
            return Some(Answer::error(400, "Problems parsing JSON", operation));
        }
        if !checked.problems.is_empty() {
            return Some(Answer::error(422, &format!("Invalid request.\n\n{}", checked.problems.join("\n")), operation));
        }
        None
    }

    /// Records the exchange and adds the headers GitHub sends with every answer.
    fn finish(&mut self, operation_id: Option<String>, path_and_query: String, method: &str, mut answer: Answer) -> Answer {
        self.requests.push(RecordedRequest { method: method.to_owned(), path_and_query, operation_id, status: answer.status });
        let remaining = RATE_LIMIT.saturating_sub(self.rate_limit_used);
        let common = [
            ("x-ratelimit-limit", RATE_LIMIT.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", self.rate_limit_reset.to_string()),
            ("x-ratelimit-used", self.rate_limit_used.min(RATE_LIMIT).to_string()),
            ("x-ratelimit-resource", "core".to_owned()),
            ("x-github-media-type", "github.v3; format=json".to_owned()),
            ("x-github-api-version-selected", "2022-11-28".to_owned()),
            ("x-github-request-id", format!("0000:{:04X}", self.requests.len())),
        ];
        // An answer that set one of these itself (a rate limit running out) keeps its own.
        for (name, value) in common {
            if !answer.headers.iter().any(|(present, _)| *present == name) {
                answer.headers.push((name, value));
            }
        }
        answer
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

fn respond(shared: &Mutex<Shared>, request: hyper::http::request::Parts, body: &[u8]) -> Response<Full<Bytes>> {
    let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
    let method = request.method.as_str();
    let exchanged = catch_unwind(AssertUnwindSafe(|| shared.exchange(method, request.uri.path(), request.uri.query(), &request.headers, body)));
    let answer = exchanged.unwrap_or_else(|panic| {
        let reason = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()));
        shared.violations.push(format!("the double failed on {method} {}: {}", request.uri, reason.unwrap_or_default()));
        Answer { status: 500, body: Some(crate::bodies::basic_error("Server Error", "https://docs.github.com/rest", 500)), headers: Vec::new() }
    });
    let mut response = Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        response = response.header(*name, value);
    }
    let body = match &answer.body {
        Some(body) => {
            response = response.header("content-type", "application/json; charset=utf-8");
            Bytes::from(serde_json::to_vec(body).expect("a JSON value serialises"))
        }
        None => Bytes::new(),
    };
    response.body(Full::new(body)).expect("the answer's status and headers are valid")
}

/// The server thread, and the way to stop it.
pub(crate) struct Server {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` on a thread of its own until stopped.
    pub(crate) fn spawn(listener: TcpListener, shared: Arc<Mutex<Shared>>) -> Server {
        let (stop, stopped) = oneshot::channel::<()>();
        listener.set_nonblocking(true).expect("the listener can be made non-blocking");
        let thread = std::thread::Builder::new()
            .name("github-double".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().expect("a tokio runtime starts");
                runtime.block_on(serve(listener, shared, stopped));
            })
            .expect("the server thread starts");
        Server { stop: Some(stop), thread: Some(thread) }
    }
}

async fn serve(listener: TcpListener, shared: Arc<Mutex<Shared>>, mut stopped: oneshot::Receiver<()>) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("the listener joins the runtime");
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let shared = Arc::clone(&shared);
                async move {
                    let (parts, body) = request.into_parts();
                    let body = body.collect().await.map(|collected| collected.to_bytes()).unwrap_or_default();
                    Ok::<_, Infallible>(respond(&shared, parts, &body))
                }
            });
            // A client that hangs up mid-request is no concern of the double's.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
