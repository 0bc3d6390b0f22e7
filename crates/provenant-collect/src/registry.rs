//! A read-only OCI distribution client: manifests, blobs, the referrers API.
//!
//! Written on reqwest rather than taken from oci-client: oci-client 0.18 reads manifest,
//! referrers and token responses whole (`Response::bytes`) with no size bound, which a hostile
//! registry turns into unbounded memory, and sends Basic credentials to whatever token realm the
//! registry names. Here every body is read chunk by chunk against a limit, credentials go only to
//! the registry's own host and to its realm, and on a redirect to another host reqwest drops the
//! `Authorization` header.
//!
//! - Plain HTTP only for loopback hosts (tried first there) or with `allow_insecure` (HTTPS is
//!   tried first).
//! - Requests share a semaphore ([`RegistryOptions::max_concurrency`]).
//! - 429, 5xx and connection errors are retried with exponential backoff (honouring a short
//!   `Retry-After`); 401 with a bearer token refreshes the token once.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use tokio::sync::{Mutex, Semaphore};

use provenant_formats::oci::{Descriptor, MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES};
use provenant_model::Digest;

use crate::auth::{lookup, CredentialSource, Credentials};
use crate::reference::{is_loopback_host, RegistryRef, Selector};
use crate::store::{check_digest, sha256_digest, Fetched};
use crate::CollectError;

/// Largest token-endpoint answer read.
pub const MAX_TOKEN_BYTES: u64 = 1024 * 1024;
/// Largest error body read (to quote in a message).
const MAX_ERROR_BODY: u64 = 16 * 1024;

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default wait for a registry's next bytes (the first included).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Allow plain HTTP to a non-loopback registry (`--allow-insecure-registry`).
    pub allow_insecure: bool,
    /// Where credentials come from.
    pub credentials: CredentialSource,
    /// Most requests in flight at once.
    pub max_concurrency: usize,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer (the first byte included): a registry that
    /// accepts the connection and never answers is given up after this.
    pub read_timeout: Duration,
    /// Whole-request timeout (a body trickled slowly is bounded by this).
    pub timeout: Duration,
    /// Retries after the first attempt, on 429, 5xx and connection errors; a timeout is retried
    /// at most once.
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Largest manifest read.
    pub max_manifest_bytes: u64,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            allow_insecure: false,
            credentials: CredentialSource::default(),
            max_concurrency: 8,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            timeout: Duration::from_secs(120),
            retries: 3,
            backoff: Duration::from_millis(200),
            max_manifest_bytes: MAX_MANIFEST_BYTES,
        }
    }
}

#[derive(Debug, Clone)]
enum AuthState {
    Anonymous,
    Basic,
    Bearer {
        token: String,
        realm: String,
        service: Option<String>,
    },
}

/// A client for one repository of one registry.
#[derive(Debug)]
pub struct RegistryClient {
    http: reqwest::Client,
    base: String,
    reference: RegistryRef,
    creds: Option<Credentials>,
    auth: Mutex<AuthState>,
    permits: Arc<Semaphore>,
    opts: RegistryOptions,
}

/// What the referrers endpoint said.
#[derive(Debug)]
pub enum ReferrersAnswer {
    /// The registry implements the API: these are the referrers.
    Listed(Vec<Descriptor>),
    /// The registry does not implement it (404/405/400): use the tag fallback.
    Unsupported,
}

fn unreachable(host: &str, e: impl std::fmt::Display) -> CollectError {
    CollectError::Unreachable(format!(
        "registry {host} could not be reached: {e}; check the address and network, or retry later"
    ))
}

/// Describe a reqwest error with its causes (reqwest's Display leaves them out).
fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// Parse a `WWW-Authenticate` challenge: scheme and parameters.
fn parse_challenge(h: &str) -> (String, Vec<(String, String)>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((k, after)) = rest.split_once('=') else {
            break;
        };
        let k = k.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (v, remain) = if let Some(q) = after.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => out.push(c),
                }
            }
            (out, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        params.push((k, v));
        rest = remain.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_ascii_lowercase(), params)
}

impl RegistryClient {
    /// Connect to the registry of `reference`: choose the scheme, find credentials, and do the
    /// authentication handshake for pulling from its repository.
    pub async fn connect(
        reference: &RegistryRef,
        opts: RegistryOptions,
    ) -> Result<Self, CollectError> {
        let host = reference.api_host().to_owned();
        let loopback = is_loopback_host(&host);
        let insecure_ok = loopback || opts.allow_insecure;
        let http = build_http(&opts, loopback)?;
        let creds = lookup(&opts.credentials, &reference.registry).await?;
        let mut client = Self {
            http,
            base: format!("https://{host}"),
            reference: reference.clone(),
            creds,
            auth: Mutex::new(AuthState::Anonymous),
            permits: Arc::new(Semaphore::new(opts.max_concurrency.max(1))),
            opts,
        };
        // Which schemes to try, in order. HTTPS only, unless plain HTTP is allowed: then a
        // loopback registry is tried over HTTP first (a TLS handshake costs a fresh process
        // ~20 ms of entropy set-up in aws-lc, and loopback traffic never leaves the machine),
        // and an --allow-insecure-registry host over HTTPS first.
        let schemes: &[&str] = match (loopback, insecure_ok) {
            (true, _) => &["http", "https"],
            (false, true) => &["https", "http"],
            (false, false) => &["https"],
        };
        let mut last = None;
        let mut probe = None;
        for (i, scheme) in schemes.iter().enumerate() {
            client.base = format!("{scheme}://{host}");
            let more = i + 1 < schemes.len();
            match client.probe().await {
                // A registry answers /v2/ with 2xx, or 401 and a challenge; anything else from
                // the first scheme (a TLS server's "HTTP request to an HTTPS server") means
                // the other scheme is the one.
                Ok((status, ch))
                    if status.is_success() || status == StatusCode::UNAUTHORIZED || !more =>
                {
                    probe = Some((status, ch));
                    break;
                }
                Ok((status, _)) => {
                    last = Some(unreachable(
                        &host,
                        format!("GET /v2/ over {scheme} answered {status}"),
                    ))
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(probe) = probe else {
            let e = last.unwrap_or_else(|| unreachable(&host, "no scheme to try"));
            return Err(match e {
                CollectError::Unreachable(m) if !insecure_ok => CollectError::Unreachable(format!(
                    "{m} (over HTTPS; plain HTTP is used only for loopback hosts or with --allow-insecure-registry)"
                )),
                other => other,
            });
        };
        client.handshake(probe).await?;
        Ok(client)
    }

    /// Where this client points: `scheme://host/repository`.
    pub fn location(&self) -> String {
        format!("{}/{}", self.reference.registry, self.reference.repository)
    }

    /// The reference it was made for.
    pub fn reference(&self) -> &RegistryRef {
        &self.reference
    }

    /// GET /v2/, keeping the status and challenge.
    async fn probe(&self) -> Result<(StatusCode, Option<String>), CollectError> {
        let url = format!("{}/v2/", self.base);
        let res = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| unreachable(self.reference.api_host(), describe(&e)))?;
        let status = res.status();
        let challenge = res
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok((status, challenge))
    }

    async fn handshake(&self, probe: (StatusCode, Option<String>)) -> Result<(), CollectError> {
        let host = self.reference.api_host();
        let state = match probe {
            (s, _) if s.is_success() => AuthState::Anonymous,
            (StatusCode::UNAUTHORIZED, Some(ch)) => {
                let (scheme, params) = parse_challenge(&ch);
                match scheme.as_str() {
                    "bearer" => {
                        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                        let realm = get("realm").ok_or_else(|| {
                            CollectError::Auth(format!("registry {host} asked for a bearer token but named no realm"))
                        })?;
                        let service = get("service");
                        let token = self.fetch_token(&realm, service.as_deref()).await?;
                        AuthState::Bearer {
                            token,
                            realm,
                            service,
                        }
                    }
                    "basic" => {
                        if self.creds.is_none() {
                            return Err(CollectError::Auth(format!(
                                "registry {host} needs a username and password; add them with `docker login {}` (provenant reads the Docker config file)",
                                self.reference.registry
                            )));
                        }
                        AuthState::Basic
                    }
                    other => {
                        return Err(CollectError::Auth(format!(
                            "registry {host} asked for authentication scheme {other:.40?}, which provenant does not speak"
                        )))
                    }
                }
            }
            (StatusCode::UNAUTHORIZED, None) => {
                return Err(CollectError::Auth(format!(
                    "registry {host} answered 401 without a WWW-Authenticate challenge"
                )))
            }
            (s, _) if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                return Err(unreachable(host, format!("GET /v2/ answered {s}")))
            }
            (s, _) => {
                return Err(CollectError::Invalid(format!(
                    "registry {host} answered {s} to GET /v2/; is it an OCI distribution registry?"
                )))
            }
        };
        *self.auth.lock().await = state;
        Ok(())
    }

    async fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
    ) -> Result<String, CollectError> {
        let host = self.reference.api_host();
        let url = reqwest::Url::parse(realm).map_err(|e| {
            CollectError::Auth(format!(
                "registry {host} named token realm {realm:.200?}, not a URL: {e}"
            ))
        })?;
        let realm_host = url
            .host_str()
            .map(|h| match url.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
            .unwrap_or_default();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&realm_host) || self.opts.allow_insecure => {}
            _ => {
                return Err(CollectError::Auth(format!(
                    "registry {host} named token realm {realm:.200?}; only https realms are used (http only for loopback or with --allow-insecure-registry)"
                )))
            }
        }
        let scope = format!("repository:{}:pull", self.reference.repository);
        let mut url = url;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("scope", &scope);
            if let Some(s) = service {
                q.append_pair("service", s);
            }
        }
        let mut req = self.http.get(url);
        if let Some(c) = &self.creds {
            req = req.basic_auth(&c.username, Some(&c.secret));
        }
        let res = self.send_with_retries(req, &realm_host).await?;
        let status = res.status();
        let body = read_bounded(res, MAX_TOKEN_BYTES, "token response").await?;
        if !status.is_success() {
            return Err(CollectError::Auth(format!(
                "token realm {realm_host} refused (HTTP {status}){}",
                if self.creds.is_some() {
                    "; check the credentials in the Docker config file"
                } else {
                    "; log in with `docker login` if the repository is private"
                }
            )));
        }
        let v = provenant_formats::json::parse_strict(&body).map_err(|e| {
            CollectError::Auth(format!(
                "token realm {realm_host} answered invalid JSON: {e}"
            ))
        })?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                CollectError::Auth(format!("token realm {realm_host} answered without a token"))
            })
    }

    async fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &*self.auth.lock().await {
            AuthState::Anonymous => req,
            AuthState::Basic => match &self.creds {
                Some(c) => req.basic_auth(&c.username, Some(&c.secret)),
                None => req,
            },
            AuthState::Bearer { token, .. } => req.bearer_auth(token),
        }
    }

    /// Send with retries on 429, 5xx and connection errors.
    async fn send_with_retries(
        &self,
        req: reqwest::RequestBuilder,
        host: &str,
    ) -> Result<reqwest::Response, CollectError> {
        let mut attempt = 0u32;
        loop {
            let this = req
                .try_clone()
                .ok_or_else(|| CollectError::Invalid("request cannot be retried".into()))?;
            let outcome = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| CollectError::Unreachable("client closed".into()))?;
                this.send().await
            };
            let retry_after = match &outcome {
                Ok(r)
                    if r.status() == StatusCode::TOO_MANY_REQUESTS
                        || r.status().is_server_error() =>
                {
                    r.headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(10)))
                        .or(Some(Duration::ZERO))
                }
                Ok(_) => None,
                // A registry that timed out once is tried once more, not `retries` times:
                // each try may cost a whole timeout.
                Err(e) if e.is_timeout() && attempt >= 1 => None,
                Err(e) if e.is_connect() || e.is_timeout() || e.is_request() => {
                    Some(Duration::ZERO)
                }
                Err(_) => None,
            };
            match (outcome, retry_after) {
                (Ok(r), None) => return Ok(r),
                (Err(e), None) => return Err(unreachable(host, describe(&e))),
                (last, Some(wait)) => {
                    if attempt >= self.opts.retries {
                        return match last {
                            Ok(r) => Err(unreachable(
                                host,
                                format!("HTTP {} after {} attempts", r.status(), attempt + 1),
                            )),
                            Err(e) => Err(unreachable(host, describe(&e))),
                        };
                    }
                    let backoff = self.opts.backoff * 2u32.saturating_pow(attempt);
                    tokio::time::sleep(backoff.max(wait)).await;
                    attempt += 1;
                }
            }
        }
    }

    /// GET a registry path; `Ok(None)` on 404 and on the other `absent` statuses.
    async fn get(
        &self,
        path: &str,
        accept: &[&str],
        absent: &[StatusCode],
    ) -> Result<Option<reqwest::Response>, CollectError> {
        let host = self.reference.api_host().to_owned();
        let url = format!("{}/v2/{}/{}", self.base, self.reference.repository, path);
        let mut refreshed = false;
        loop {
            let mut req = self.http.get(&url);
            if !accept.is_empty() {
                req = req.header(ACCEPT, accept.join(", "));
            }
            let req = self.authorize(req).await;
            let res = self.send_with_retries(req, &host).await?;
            match res.status() {
                s if s.is_success() => return Ok(Some(res)),
                s if s == StatusCode::NOT_FOUND || absent.contains(&s) => return Ok(None),
                StatusCode::UNAUTHORIZED if !refreshed => {
                    // A bearer token may have expired: fetch a new one once.
                    let state = self.auth.lock().await.clone();
                    if let AuthState::Bearer { realm, service, .. } = state {
                        let token = self.fetch_token(&realm, service.as_deref()).await?;
                        *self.auth.lock().await = AuthState::Bearer {
                            token,
                            realm,
                            service,
                        };
                        refreshed = true;
                        continue;
                    }
                    return Err(CollectError::Auth(format!(
                        "registry {host} refused {path} (401); log in with `docker login {}`",
                        self.reference.registry
                    )));
                }
                s @ (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
                    return Err(CollectError::Auth(format!(
                        "registry {host} refused {path} ({s}); check your access to {}",
                        self.reference.repository
                    )))
                }
                s => {
                    let body = read_bounded(res, MAX_ERROR_BODY, "error body")
                        .await
                        .unwrap_or_default();
                    return Err(CollectError::Invalid(format!(
                        "registry {host} answered {s} to GET {path}: {}",
                        String::from_utf8_lossy(&body)
                            .chars()
                            .take(300)
                            .collect::<String>()
                    )));
                }
            }
        }
    }

    /// Fetch a manifest by tag or digest, bounded; `Ok(None)` when it does not exist.
    ///
    /// By digest, the body must hash to it. By tag, the digest is computed from the body, and a
    /// `Docker-Content-Digest` header that disagrees is refused.
    pub async fn manifest(&self, selector: &Selector) -> Result<Option<Fetched>, CollectError> {
        let (path, want) = match selector {
            Selector::Tag(t) => (format!("manifests/{t}"), None),
            Selector::Digest(d) => (format!("manifests/{d}"), Some(d)),
        };
        let Some(res) = self.get(&path, &MANIFEST_MEDIA_TYPES, &[]).await? else {
            return Ok(None);
        };
        let media_type = header(res.headers(), CONTENT_TYPE.as_str());
        let header_digest = header(res.headers(), "docker-content-digest");
        let what = format!(
            "manifest {}@{}",
            self.location(),
            path.trim_start_matches("manifests/")
        );
        let body = read_bounded(res, self.opts.max_manifest_bytes, &what).await?;
        let digest = match want {
            Some(d) => {
                check_digest(&body, d, &what)?;
                d.clone()
            }
            None => sha256_digest(&body),
        };
        if let Some(h) = header_digest {
            if h.starts_with(digest.algorithm().name()) && h != digest.to_string() {
                return Err(CollectError::Invalid(format!(
                    "{what}: the registry says its digest is {h:.100} but the content hashes to {digest}"
                )));
            }
        }
        Ok(Some(Fetched {
            digest,
            bytes: body,
            media_type,
            location: what,
        }))
    }

    /// Fetch a blob, bounded by `limit` and by the descriptor's size, checked against its digest.
    pub async fn blob(&self, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, CollectError> {
        let what = format!("blob {}@{}", self.location(), desc.digest);
        if desc.size > limit {
            return Err(CollectError::Invalid(format!(
                "{what} is declared {} bytes, over the {limit}-byte limit",
                desc.size
            )));
        }
        let Some(res) = self
            .get(&format!("blobs/{}", desc.digest), &[], &[])
            .await?
        else {
            return Err(CollectError::NotFound(format!(
                "{what} is not in the registry"
            )));
        };
        let body = read_bounded(res, desc.size, &what).await?;
        if body.len() as u64 != desc.size {
            return Err(CollectError::Invalid(format!(
                "{what} is {} bytes, but its descriptor says {}",
                body.len(),
                desc.size
            )));
        }
        check_digest(&body, &desc.digest, &what)?;
        Ok(body)
    }

    /// The OCI 1.1 referrers API for `digest`.
    pub async fn referrers(&self, digest: &Digest) -> Result<ReferrersAnswer, CollectError> {
        let path = format!("referrers/{digest}");
        // distribution 2.x answers 404 with an error body; others 405 or 400.
        let unsupported = [StatusCode::METHOD_NOT_ALLOWED, StatusCode::BAD_REQUEST];
        let Some(res) = self
            .get(&path, &[provenant_formats::oci::OCI_INDEX], &unsupported)
            .await?
        else {
            return Ok(ReferrersAnswer::Unsupported);
        };
        let what = format!("referrers of {}@{digest}", self.location());
        let body = read_bounded(res, self.opts.max_manifest_bytes, &what).await?;
        let m =
            provenant_formats::oci::parse_manifest(&body, Some(provenant_formats::oci::OCI_INDEX))
                .map_err(|e| CollectError::Invalid(format!("{what}: {e}")))?;
        if !m.is_index() {
            return Err(CollectError::Invalid(format!(
                "{what}: the answer is not an index"
            )));
        }
        Ok(ReferrersAnswer::Listed(m.entries().to_vec()))
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn build_http(opts: &RegistryOptions, loopback: bool) -> Result<reqwest::Client, CollectError> {
    let allow_http = opts.allow_insecure;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            return attempt.error("more than 5 redirects");
        }
        let scheme = attempt.url().scheme().to_owned();
        let host_ok = attempt.url().host_str().is_some_and(is_loopback_host);
        if scheme == "https" || (scheme == "http" && (allow_http || host_ok)) {
            attempt.follow()
        } else {
            attempt.error(format!("refused redirect to {scheme}"))
        }
    });
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("provenant/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(opts.connect_timeout)
        .read_timeout(opts.read_timeout)
        .timeout(opts.timeout)
        .redirect(policy);
    if loopback {
        // Never send loopback traffic through a proxy named in the environment.
        b = b.no_proxy();
    }
    b.build().map_err(|e| {
        CollectError::Unreachable(format!("cannot start the HTTP client: {}", describe(&e)))
    })
}

/// Read a response body chunk by chunk, refusing it once it passes `limit`.
pub(crate) async fn read_bounded(
    mut res: reqwest::Response,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, CollectError> {
    if let Some(len) = res.content_length() {
        if len > limit {
            return Err(CollectError::Invalid(format!(
                "{what} is {len} bytes, over the {limit}-byte limit; refused without reading it"
            )));
        }
    }
    let mut out = Vec::new();
    loop {
        let chunk = res.chunk().await.map_err(|e| {
            CollectError::Unreachable(format!(
                "{what}: the connection failed mid-body: {}",
                describe(&e)
            ))
        })?;
        let Some(chunk) = chunk else { break };
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(CollectError::Invalid(format!(
                "{what} is over the {limit}-byte limit; refused after reading {} bytes",
                out.len() + chunk.len()
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(
            p[0],
            ("realm".into(), "https://auth.docker.io/token".into())
        );
        assert_eq!(p[1].1, "registry.docker.io");
        assert_eq!(p.len(), 3);
        let (s, p) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!(s, "basic");
        assert_eq!(p[0].1, "Registry Realm");
    }
}
