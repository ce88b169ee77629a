//! One repository on GitHub through octocrab: the service stack (TLS, per-attempt timeout,
//! retries, base address, token), the calls planhost makes, and what their refusals mean.

use std::time::Duration;

use http::header::{ACCEPT, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::service::middleware::extra_headers::ExtraHeadersLayer;
use octocrab::{AuthState, Octocrab, OctocrabBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tower::retry::RetryLayer;
use tower::timeout::TimeoutLayer;

use super::GitHubError;
use super::retry::{RetryPolicy, rate_limit_wait};

/// Where and as whom planhost talks to GitHub.
#[derive(Clone)]
pub struct GitHubConfig {
    /// The repository's owner (`GH_OWNER`).
    pub owner: String,
    /// The repository (`GH_REPO`).
    pub repo: String,
    /// The API's address (`GITHUB_API_URL`).
    pub api_url: String,
    /// The token (`GITHUB_TOKEN`).
    pub token: String,
    /// How long one attempt of one request may take.
    pub timeout: Duration,
    /// Retries of one request (rate limits and, for idempotent requests, 5xx).
    pub retries: usize,
    /// The longest rate-limit wait honoured.
    pub max_rate_limit_wait: Duration,
}

impl std::fmt::Debug for GitHubConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of every log and error.
        formatter
            .debug_struct("GitHubConfig")
            .field("owner", &self.owner)
            .field("repo", &self.repo)
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A status, the headers and the body of one answer.
pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// GitHub's `message` and the messages of its `errors` (where a 422 says what is wrong), or
    /// the body's start.
    pub fn message(&self) -> String {
        let Ok(body) = serde_json::from_str::<Value>(&self.body) else {
            return self.body.chars().take(200).collect();
        };
        let mut message = body.get("message").and_then(Value::as_str).unwrap_or("(no message)").to_string();
        let details = body.get("errors").and_then(Value::as_array).into_iter().flatten();
        for detail in details.filter_map(|error| error.get("message").and_then(Value::as_str)) {
            message.push_str(": ");
            message.push_str(detail);
        }
        message
    }

    pub fn json<T: DeserializeOwned>(&self, doing: &str) -> Result<T, GitHubError> {
        serde_json::from_str(&self.body).map_err(|source| GitHubError::Decode { doing: doing.to_string(), source })
    }
}

/// One repository on GitHub.
pub struct GitHub {
    client: Octocrab,
    config: GitHubConfig,
}

impl GitHub {
    /// A client for the repository `config` names. Nothing is sent yet.
    pub fn new(config: GitHubConfig) -> Result<GitHub, GitHubError> {
        let bad_url = |reason: String| GitHubError::ApiUrl { url: config.api_url.clone(), reason };
        let base: Uri = config.api_url.trim_end_matches('/').parse().map_err(|error: http::uri::InvalidUri| bad_url(error.to_string()))?;
        if !matches!(base.scheme_str(), Some("https" | "http")) || base.authority().is_none() {
            return Err(bad_url("it must be an http(s) address such as https://api.github.com".to_string()));
        }
        let token = HeaderValue::from_str(&format!("Bearer {}", config.token))
            .map_err(|_| GitHubError::Variable { variable: "GITHUB_TOKEN", problem: "holds characters an HTTP header cannot carry" })?;
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_provider_and_native_roots(provider.clone()) {
            Ok(builder) => builder,
            // Plain http (a test server, a proxy on the same host) needs no roots; a machine
            // without a CA bundle must not stop it.
            Err(_) if base.scheme_str() == Some("http") => {
                let tls = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|error| GitHubError::Tls(error.to_string()))?
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth();
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls)
            }
            Err(error) => return Err(GitHubError::Tls(format!("{error} (install the CA certificates, e.g. Debian's ca-certificates)"))),
        };
        let connector = builder.https_or_http().enable_http1().build();
        let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        let headers = vec![
            (USER_AGENT, HeaderValue::from_static(concat!("planhost/", env!("CARGO_PKG_VERSION")))),
            (ACCEPT, HeaderValue::from_static("application/vnd.github+json")),
            (http::HeaderName::from_static("x-github-api-version"), HeaderValue::from_static("2022-11-28")),
        ];
        let client = OctocrabBuilder::new_empty()
            .with_service(http)
            .with_layer(&TimeoutLayer::new(config.timeout))
            .with_layer(&RetryLayer::new(RetryPolicy::new(config.retries, Duration::from_millis(500), config.max_rate_limit_wait)))
            .with_layer(&BaseUriLayer::new(base.clone()))
            .with_layer(&ExtraHeadersLayer::new(std::sync::Arc::new(headers)))
            .with_layer(&AuthHeaderLayer::new(Some(token), base.clone(), base))
            .with_auth(AuthState::None)
            .build()
            .map_err(|never| match never {})?;
        Ok(GitHub { client, config })
    }

    /// `owner/repo`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.config.owner, self.config.repo)
    }

    /// The owner.
    pub fn owner(&self) -> &str {
        &self.config.owner
    }

    /// `/repos/{owner}/{repo}` followed by `path`.
    pub(super) fn route(&self, path: &str) -> String {
        format!("/repos/{}/{}{path}", encode(&self.config.owner), encode(&self.config.repo))
    }

    /// Sends one request; `doing` names it in errors. Only a transport failure or a timeout is
    /// an error here: every status comes back for the caller to judge.
    pub(super) async fn send(&self, method: Method, route: &str, body: Option<&impl Serialize>, doing: &str) -> Result<Answer, GitHubError> {
        let uri: Uri = route.parse().map_err(|_| GitHubError::Path { doing: doing.to_string(), route: route.to_string() })?;
        tracing::debug!(%method, route, "GitHub");
        let sent = match method {
            Method::GET => self.client._get(uri).await,
            Method::POST => self.client._post(uri, body).await,
            Method::PUT => self.client._put(uri, body).await,
            Method::PATCH => self.client._patch(uri, body).await,
            Method::DELETE => self.client._delete(uri, body).await,
            other => unreachable!("planhost sends no {other} request"),
        };
        let transport = |source| GitHubError::Transport { doing: doing.to_string(), source };
        let response = sent.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = self.client.body_to_string(response).await.map_err(transport)?;
        Ok(Answer { status, headers, body })
    }

    /// Sends one request and decodes a 2xx answer; anything else is the error it means.
    pub(super) async fn call<T: DeserializeOwned>(&self, method: Method, route: &str, body: Option<&impl Serialize>, doing: &str) -> Result<T, GitHubError> {
        let answer = self.send(method, route, body, doing).await?;
        if !answer.status.is_success() {
            return Err(self.refusal(&answer, doing));
        }
        answer.json(doing)
    }

    /// A GET whose 404 means "there is none".
    pub(super) async fn find<T: DeserializeOwned>(&self, route: &str, doing: &str) -> Result<Option<T>, GitHubError> {
        let answer = self.send(Method::GET, route, None::<&()>, doing).await?;
        match answer.status {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => answer.json(doing).map(Some),
            _ => Err(self.refusal(&answer, doing)),
        }
    }

    /// What a non-2xx answer means, naming the permission a refusal asks for.
    pub(super) fn refusal(&self, answer: &Answer, doing: &str) -> GitHubError {
        let message = answer.message();
        let doing = doing.to_string();
        match answer.status {
            StatusCode::UNAUTHORIZED => GitHubError::BadCredentials { message },
            StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS if rate_limit_wait(&answer.headers).is_some() => {
                let wait = rate_limit_wait(&answer.headers).unwrap_or_default();
                GitHubError::RateLimited { doing, seconds: wait.as_secs() }
            }
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
                // GitHub names the fine-grained permission a refused request needs; a classic
                // token's refusal does not, and a hidden repository answers 404.
                let accepted = answer.headers.get("x-accepted-github-permissions").and_then(|value| value.to_str().ok());
                match accepted {
                    Some(accepted) if answer.status == StatusCode::FORBIDDEN => GitHubError::Permission {
                        doing,
                        repository: self.repository(),
                        permission: readable_permissions(accepted),
                        message,
                    },
                    _ => GitHubError::Refused { doing, status: answer.status.as_u16(), message },
                }
            }
            status => GitHubError::Refused { doing, status: status.as_u16(), message },
        }
    }
}

/// `contents=write; pull_requests=write` → `contents:write or pull-requests:write`, as GitHub's
/// settings page names them.
fn readable_permissions(header: &str) -> String {
    header
        .split(';')
        .map(|grant| grant.trim().replace('=', ":").replace('_', "-"))
        .filter(|grant| !grant.is_empty())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Percent-encodes one path segment.
pub(super) fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-encodes a path of several segments (a file path, a ref), keeping its `/`.
pub(super) fn encode_path(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_permissions_as_the_settings_page_does() {
        assert_eq!(readable_permissions("contents=write"), "contents:write");
        assert_eq!(readable_permissions("issues=write; pull_requests=write"), "issues:write or pull-requests:write");
    }

    #[test]
    fn encodes_path_segments() {
        assert_eq!(encode_path("ops/plans/infra-scale/prod/plan.yaml"), "ops/plans/infra-scale/prod/plan.yaml");
        assert_eq!(encode("execute plan"), "execute%20plan");
        assert_eq!(encode("a/b"), "a%2Fb");
    }
}
