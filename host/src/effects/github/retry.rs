//! When a GitHub request is sent again, and when it is not.
//!
//! - A 403 or 429 that GitHub marks as a rate limit (`retry-after`, or `x-ratelimit-remaining: 0`
//!   with `x-ratelimit-reset`) was not carried out, so any request may wait and go again.
//!   octocrab's rate-limit-aware policy decides and waits; planhost only refuses waits longer
//!   than [`RetryPolicy::max_wait`], which then end as an error that says when to come back.
//! - A 5xx or a lost connection leaves unknown whether the request took effect. Only requests
//!   that mean the same the second time (GET, HEAD, PATCH, DELETE) are sent again, after a
//!   growing pause. A POST or PUT is never sent again here: the caller looks for what it may
//!   have made first (see `client::GitHub::create_checked`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method, Request, Response, StatusCode};
use octocrab::OctoBody;
use octocrab::service::middleware::retry::{RateLimitMetrics, RetryConfig};
use tower::retry::Policy;

/// The retry policy of every GitHub request planhost sends.
#[derive(Clone)]
pub struct RetryPolicy {
    rate_limits: RetryConfig,
    server_errors_left: usize,
    pause: Duration,
    max_wait: Duration,
}

impl RetryPolicy {
    /// Up to `retries` retries of each kind; the first pause after a 5xx is `pause`, doubling;
    /// a rate limit that asks for more than `max_wait` is not waited for.
    pub fn new(retries: usize, pause: Duration, max_wait: Duration) -> RetryPolicy {
        RetryPolicy {
            rate_limits: RetryConfig::HandleRateLimits {
                metrics: Arc::new(LoggedRateLimits),
                max_retries: retries,
                min_wait_seconds: 1,
                // A bare 403 is a refusal (a missing permission), not a rate limit.
                retry_on_forbidden: false,
            },
            server_errors_left: retries,
            pause,
            max_wait,
        }
    }

    fn after_pause(&mut self, method: &Method, why: &str) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        if self.server_errors_left == 0 {
            return None;
        }
        self.server_errors_left -= 1;
        let pause = self.pause;
        self.pause *= 2;
        tracing::warn!(%method, pause = ?pause, retries_left = self.server_errors_left, "GitHub: {why}; retrying");
        Some(Box::pin(tokio::time::sleep(pause)))
    }
}

/// Requests that GitHub treats the same however often they arrive.
fn idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PATCH | Method::DELETE)
}

/// How long a rate-limited answer asks to wait, if it is a rate limit at all.
pub fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<i64>().ok();
    if let Some(seconds) = number("retry-after") {
        return Some(Duration::from_secs(seconds.max(0).unsigned_abs()));
    }
    if number("x-ratelimit-remaining") == Some(0) {
        let reset = number("x-ratelimit-reset")?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        return Some(Duration::from_secs(reset.max(0).unsigned_abs().saturating_sub(now).max(1)));
    }
    None
}

impl<B, E> Policy<Request<OctoBody>, Response<B>, E> for RetryPolicy {
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(&mut self, request: &mut Request<OctoBody>, result: &mut Result<Response<B>, E>) -> Option<Self::Future> {
        match result {
            Ok(response) if matches!(response.status(), StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS) => {
                if rate_limit_wait(response.headers()).is_some_and(|wait| wait > self.max_wait) {
                    return None;
                }
                Policy::<Request<OctoBody>, Response<B>, E>::retry(&mut self.rate_limits, request, result)
            }
            Ok(response) if response.status().is_server_error() && idempotent(request.method()) => {
                let status = response.status();
                self.after_pause(request.method(), &format!("{status} from {}", request.uri().path()))
            }
            Err(_) if idempotent(request.method()) => {
                self.after_pause(request.method(), &format!("no answer from {}", request.uri().path()))
            }
            _ => None,
        }
    }

    fn clone_request(&mut self, request: &Request<OctoBody>) -> Option<Request<OctoBody>> {
        Policy::<Request<OctoBody>, Response<B>, E>::clone_request(&mut self.rate_limits, request)
    }
}

/// Rate-limit waits go to the log, so a slow run says why it is slow.
struct LoggedRateLimits;

impl RateLimitMetrics for LoggedRateLimits {
    fn retry_after_error(&self, request: &Request<OctoBody>, status: StatusCode, retries_left: usize) {
        tracing::debug!(method = %request.method(), path = request.uri().path(), %status, retries_left, "GitHub: not a rate limit");
    }

    fn rate_limited(&self, request: &Request<OctoBody>, status: StatusCode, retries_left: usize, waiting_seconds: u64) {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            %status,
            retries_left,
            "GitHub: rate limited; waiting {waiting_seconds} s as GitHub asks"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Result<Response<()>, ()> {
        let mut builder = Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        Ok(builder.body(()).expect("a valid response"))
    }

    fn retried(method: Method, result: &mut Result<Response<()>, ()>) -> bool {
        let mut policy = RetryPolicy::new(3, Duration::from_millis(1), Duration::from_secs(60));
        let mut request = Request::builder().method(method).uri("/repos/o/r/pulls").body(OctoBody::empty()).expect("a request");
        policy.retry(&mut request, result).is_some()
    }

    #[tokio::test]
    async fn a_create_is_never_sent_again_after_a_server_error_or_a_lost_answer() {
        assert!(!retried(Method::POST, &mut answer(500, &[])));
        assert!(!retried(Method::PUT, &mut answer(502, &[])));
        assert!(!retried(Method::POST, &mut Err(())));
        assert!(retried(Method::GET, &mut answer(500, &[])));
        assert!(retried(Method::PATCH, &mut answer(503, &[])));
        assert!(retried(Method::GET, &mut Err(())));
    }

    #[tokio::test]
    async fn a_rate_limit_is_waited_for_whatever_the_method_unless_it_asks_too_much() {
        assert!(retried(Method::POST, &mut answer(429, &[("retry-after", "1")])));
        assert!(retried(Method::POST, &mut answer(403, &[("retry-after", "1")])));
        assert!(!retried(Method::POST, &mut answer(429, &[("retry-after", "3600")])));
        // A 403 with no rate-limit header is a missing permission: asking again cannot help.
        assert!(!retried(Method::GET, &mut answer(403, &[])));
        assert!(!retried(Method::GET, &mut answer(404, &[])));
    }

    #[test]
    fn reads_both_kinds_of_rate_limit_header() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().expect("a header value"));
        assert_eq!(rate_limit_wait(&headers), Some(Duration::from_secs(7)));
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", "0".parse().expect("a header value"));
        headers.insert("x-ratelimit-reset", "1".parse().expect("a header value"));
        assert_eq!(rate_limit_wait(&headers), Some(Duration::from_secs(1)));
        headers.insert("x-ratelimit-remaining", "12".parse().expect("a header value"));
        assert_eq!(rate_limit_wait(&headers), None);
    }
}
