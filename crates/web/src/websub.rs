//! The site's WebSub hub (W3C Recommendation, 2018) for its own feeds: a feed reader
//! subscribes at `/websub` to the home page's, a channel's or a source's feed (RSS, Atom or
//! JSON Feed), and is sent the feed whenever it gains an article, instead of polling it.
//!
//! Subscribing follows the recommendation: the request is answered 202 at once; the hub then
//! verifies the subscriber's intent with a GET to its callback carrying a challenge, which the
//! callback must echo; only then is the subscription kept, for the lease asked (10 days by
//! default, 30 at most). Callbacks go through the fetch guard (no private or loopback host).
//! Pushes carry `Link` headers naming the hub and the topic, and `X-Hub-Signature:
//! sha256=HEX` (HMAC-SHA256 of the body) when the subscriber gave a secret.
//!
//! A task in the process that serves and fetches follows the store's change numbers and
//! pushes each changed feed once to its subscribers.
//!
//! The other way round, xinwen subscribes at the hubs its sources' feeds name (ingest does,
//! when the site has a public address): `/websub/callback/{source}` answers the hub's check
//! of that subscription, and a notice signed with its secret makes the source due at once;
//! polling goes on as before, so a hub that stops pushing costs only speed.

use crate::{AppError, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use xinwen_fetch::Fetcher;

/// The hub's path on the site.
pub const HUB_PATH: &str = "/websub";
/// A subscription request is a few fields; more is refused.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

const DEFAULT_LEASE: TimeDelta = TimeDelta::days(10);
const MAX_LEASE: TimeDelta = TimeDelta::days(30);
const MIN_LEASE: TimeDelta = TimeDelta::hours(1);
/// A secret longer than this is refused, as the recommendation allows.
const MAX_SECRET_BYTES: usize = 199;
/// How often the task looks for changed feeds.
const PUSH_EVERY: Duration = Duration::from_secs(10);
/// The feed files of a list, each a topic.
const FEED_FILES: &[&str] = &["/feed.xml", "/atom.xml", "/feed.json"];

/// The hub the site's feeds name: the external one the operator configured, else its own.
pub(crate) fn hub_url(state: &AppState) -> String {
    match &state.site().websub_hub {
        Some(hub) => hub.clone(),
        None => format!("{}{HUB_PATH}", state.site().base_url.trim_end_matches('/')),
    }
}

/// The list page a topic's feed belongs to (`""` for the home page, `/channel/keji`), when
/// the topic is one of the site's own feeds that the hub serves.
pub(crate) fn topic_list(state: &AppState, topic: &str) -> Option<String> {
    let base = state.site().base_url.trim_end_matches('/');
    let path = topic.strip_prefix(base)?;
    let file = FEED_FILES.iter().find(|f| path.ends_with(*f))?;
    let list = &path[..path.len() - file.len()];
    let slug_ok = |slug: &str| {
        !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match list {
        "" => Some(String::new()),
        _ => {
            let (kind, slug) = list.strip_prefix('/')?.split_once('/')?;
            (matches!(kind, "channel" | "source") && slug_ok(slug)).then(|| list.to_owned())
        }
    }
}

fn refuse(why: &str) -> Response {
    let mut response = (StatusCode::BAD_REQUEST, why.to_owned()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `POST /websub`: a subscription or its end, verified with the subscriber afterwards.
pub async fn hub(State(state): State<AppState>, body: Bytes) -> Response {
    let fields = crate::forms::Fields::parse(&body);
    let mode = fields.get("hub.mode");
    if !matches!(mode, "subscribe" | "unsubscribe") {
        return refuse("hub.mode must be subscribe or unsubscribe");
    }
    let topic = fields.get("hub.topic").to_owned();
    if topic_list(&state, &topic).is_none() {
        return refuse(
            "hub.topic must be one of this site's feeds: the home page's, a channel's or a source's (feed.xml, atom.xml or feed.json)",
        );
    }
    let Some(fetcher) = state.inner.services.fetcher.clone() else {
        return refuse("this server sends no requests, so it cannot verify subscribers");
    };
    let callback = match url::Url::parse(fields.get("hub.callback")) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => return refuse("hub.callback must be an http(s) URL"),
    };
    if let Err(e) = fetcher.check_url(&callback) {
        return refuse(&format!("hub.callback cannot be reached from here: {e}"));
    }
    let secret = Some(fields.get("hub.secret").to_owned()).filter(|s| !s.is_empty());
    if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET_BYTES) {
        return refuse("hub.secret must be shorter than 200 bytes");
    }
    let lease = fields
        .get("hub.lease_seconds")
        .parse::<i64>()
        .ok()
        .map_or(DEFAULT_LEASE, TimeDelta::seconds)
        .clamp(MIN_LEASE, MAX_LEASE);
    let subscribe = mode == "subscribe";
    tokio::spawn(async move {
        if let Err(why) = verify(
            &state, &fetcher, subscribe, &topic, &callback, lease, secret,
        )
        .await
        {
            tracing::info!(%topic, callback = %callback, %why, "a WebSub request was not verified");
        }
    });
    StatusCode::ACCEPTED.into_response()
}

/// Asks the callback to confirm, then keeps or ends the subscription.
async fn verify(
    state: &AppState,
    fetcher: &Fetcher,
    subscribe: bool,
    topic: &str,
    callback: &url::Url,
    lease: TimeDelta,
    secret: Option<String>,
) -> Result<(), String> {
    let challenge = xinwen_accounts::new_token().map_err(|e| e.to_string())?;
    let mut url = callback.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair(
                "hub.mode",
                if subscribe {
                    "subscribe"
                } else {
                    "unsubscribe"
                },
            )
            .append_pair("hub.topic", topic)
            .append_pair("hub.challenge", &challenge);
        if subscribe {
            query.append_pair("hub.lease_seconds", &lease.num_seconds().to_string());
        }
    }
    let request = xinwen_fetch::Request::new(url, "text/plain, */*;q=0.5").with_max_bytes(4096);
    let answered = match fetcher
        .fetch_as_asked(&request)
        .await
        .map_err(|e| e.to_string())?
    {
        xinwen_fetch::Outcome::Fetched(response) => response.body,
        xinwen_fetch::Outcome::NotModified { .. } => Bytes::new(),
    };
    if answered.as_ref() != challenge.as_bytes() {
        return Err("the callback did not echo the challenge".into());
    }
    let store = state.store();
    let result = if subscribe {
        store
            .websub_subscribe(
                topic,
                callback.as_str(),
                secret.as_deref(),
                Utc::now() + lease,
            )
            .await
    } else {
        store
            .websub_unsubscribe(topic, callback.as_str())
            .await
            .map(|_| ())
    };
    result.map_err(|e| e.to_string())
}

/// Starts the task that pushes changed feeds to their subscribers; none without a fetcher.
pub fn start_websub(state: AppState, holder: String) -> Option<tokio::task::JoinHandle<()>> {
    let fetcher: Arc<Fetcher> = state.inner.services.fetcher.clone()?;
    Some(tokio::spawn(async move {
        // A site's first holder begins with what changes after it starts: what came before
        // was never promised to anyone.
        if crate::holds_task(&state, WEBSUB_TASK, &holder).await == Some(0) {
            let begun = match state.store().latest_change_seq().await {
                Ok(seq) => state.store().set_task_mark(WEBSUB_TASK, &holder, seq).await,
                Err(e) => Err(e),
            };
            if let Err(e) = begun {
                tracing::warn!(error = %e, "WebSub pushing begins from the first change: the store could not be read");
            }
        }
        loop {
            tokio::time::sleep(PUSH_EVERY).await;
            let Some(since) = crate::holds_task(&state, WEBSUB_TASK, &holder).await else {
                continue;
            };
            match push_changes(&state, &fetcher, since).await {
                Ok(next) => {
                    if let Err(e) = state
                        .store()
                        .set_task_mark(WEBSUB_TASK, &holder, next)
                        .await
                    {
                        tracing::warn!(error = %e, "how far WebSub pushing got could not be kept");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "changed feeds could not be pushed"),
            }
        }
    }))
}

/// The lease one web node of a site holds to tell hubs and subscribers of changed feeds, going
/// on from the change number the last holder reached ([`crate::holds_task`]).
pub const WEBSUB_TASK: &str = "websub";

/// Pushes every feed that changed after change number `since`; returns the last seen.
async fn push_changes(state: &AppState, fetcher: &Fetcher, since: i64) -> Result<i64, AppError> {
    let store = state.store();
    // Nobody to tell: move the mark on without reading what changed.
    if state.site().websub_hub.is_none() && store.websub_count(Utc::now()).await? == 0 {
        return Ok(store.latest_change_seq().await?);
    }
    let changed = store.articles_changed_since(since, 1_000).await?;
    let Some(last) = changed.iter().map(|c| c.change_seq).max() else {
        return Ok(since);
    };
    let mut lists = BTreeSet::from([String::new()]);
    for c in &changed {
        lists.insert(format!("/channel/{}", c.channel_slug));
        lists.insert(format!("/source/{}", c.source_slug));
    }
    let base = state.site().base_url.trim_end_matches('/');
    let topics: Vec<String> = lists
        .iter()
        .flat_map(|list| {
            FEED_FILES
                .iter()
                .map(move |file| format!("{base}{list}{file}"))
        })
        .collect();
    if let Some(hub) = &state.site().websub_hub {
        ping_external_hub(fetcher, hub, &topics).await;
    }
    let now = Utc::now();
    let subscribers = store.websub_subscribers(&topics, now).await?;
    store.websub_prune(now).await?;
    // Rendered fresh, not from the page cache: a cached copy may predate the change.
    let mut rendered: Vec<(String, crate::cache::CachedPage)> = Vec::new();
    for sub in &subscribers {
        if !rendered.iter().any(|(t, _)| *t == sub.topic) {
            let Some(page) = crate::feeds::for_topic(state, &sub.topic).await? else {
                continue;
            };
            rendered.push((sub.topic.clone(), page));
        }
        let Some((_, page)) = rendered.iter().find(|(t, _)| *t == sub.topic) else {
            continue;
        };
        let error = push(state, fetcher, sub, page).await.err();
        store.websub_pushed(sub.id, error.as_deref()).await?;
    }
    Ok(last)
}

/// Tells an external hub which feeds changed (`hub.mode=publish`, one topic a request), so
/// that it fetches them and pushes them to its subscribers.
async fn ping_external_hub(fetcher: &Fetcher, hub: &str, topics: &[String]) {
    let Ok(hub_url) = url::Url::parse(hub) else {
        tracing::warn!(%hub, "the configured WebSub hub is not an address");
        return;
    };
    for topic in topics {
        let form: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "publish")
            .append_pair("hub.url", topic)
            .finish();
        let sent = fetcher
            .post(
                &hub_url,
                "application/x-www-form-urlencoded",
                &[],
                form.into_bytes().into(),
            )
            .await;
        match sent {
            Ok(status) if (200..300).contains(&status) => {}
            Ok(status) => tracing::info!(%hub, %topic, status, "the WebSub hub refused a ping"),
            Err(e) => tracing::info!(%hub, %topic, error = %e, "the WebSub hub was not reached"),
        }
    }
}

async fn push(
    state: &AppState,
    fetcher: &Fetcher,
    sub: &xinwen_store::Subscription,
    page: &crate::cache::CachedPage,
) -> Result<(), String> {
    let callback = url::Url::parse(&sub.callback).map_err(|e| e.to_string())?;
    let hub = hub_url(state);
    let mut headers = vec![(
        "link",
        format!("<{hub}>; rel=\"hub\", <{}>; rel=\"self\"", sub.topic),
    )];
    if let Some(secret) = &sub.secret {
        headers.push((
            "x-hub-signature",
            crate::webhooks::signature(secret, &page.body),
        ));
    }
    let content_type = page.content_type.to_str().unwrap_or("application/xml");
    let status = fetcher
        .post(&callback, content_type, &headers, page.body.clone())
        .await
        .map_err(|e| e.to_string())?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("the subscriber answered {status}"))
    }
}

/// A hub's notice is read up to this size; xinwen fetches the feed itself, so the body only
/// serves to check the signature.
pub const MAX_NOTICE_BYTES: usize = 5 * 1024 * 1024;

/// `GET /websub/callback/{source}`: a hub verifying the subscription xinwen asked for (echo
/// its challenge), or saying it refused it.
pub async fn callback_verify(
    State(state): State<AppState>,
    axum::extract::Path(source): axum::extract::Path<i64>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    let store = state.store();
    let outcome = match get("hub.mode") {
        "subscribe" => {
            let lease = get("hub.lease_seconds")
                .parse::<i64>()
                .map_or(DEFAULT_LEASE, TimeDelta::seconds);
            store
                .push_confirmed(source, get("hub.topic"), Utc::now() + lease)
                .await
                .map(|confirmed| confirmed.then(|| get("hub.challenge").to_owned()))
        }
        "denied" => store
            .push_denied(source, get("hub.topic"))
            .await
            .map(|()| Some(String::new())),
        // xinwen never asks to unsubscribe; anything else was not asked for.
        _ => Ok(None),
    };
    match outcome {
        Ok(Some(body)) => (StatusCode::OK, body).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// `POST /websub/callback/{source}`: the hub says the source's feed changed. A notice signed
/// with the subscription's secret makes the source due now; any other is ignored, and
/// answered 202 all the same, as the recommendation asks (a forger learns nothing).
pub async fn callback_notice(
    State(state): State<AppState>,
    axum::extract::Path(source): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let held = match state.store().source_push(source).await {
        Ok(held) => held,
        Err(e) => return AppError::from(e).into_response(),
    };
    let signed = headers
        .get("x-hub-signature")
        .and_then(|v| v.to_str().ok())
        .zip(held.as_ref())
        .is_some_and(|(given, push)| {
            push.state == "active" && signature_matches(&push.secret, &body, given)
        });
    if signed {
        if let Err(e) = state.store().fetch_soon(source).await {
            return AppError::from(e).into_response();
        }
        tracing::info!(
            source,
            "the source's hub says its feed changed; fetching it now"
        );
    } else {
        tracing::info!(
            source,
            "a WebSub notice without a valid signature was ignored"
        );
    }
    StatusCode::ACCEPTED.into_response()
}

/// Whether `given` (`sha256=HEX`, or sha384/sha512) is the HMAC of `body` with `secret`,
/// compared in constant time. SHA-1 signatures are refused.
fn signature_matches(secret: &str, body: &[u8], given: &str) -> bool {
    use hmac::{Hmac, Mac};
    let Some((method, hex)) = given.trim().split_once('=') else {
        return false;
    };
    let Some(digest) = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    match method {
        "sha256" => Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
            .map(|mut m| {
                m.update(body);
                m.verify_slice(&digest).is_ok()
            })
            .unwrap_or(false),
        "sha384" => Hmac::<sha2::Sha384>::new_from_slice(secret.as_bytes())
            .map(|mut m| {
                m.update(body);
                m.verify_slice(&digest).is_ok()
            })
            .unwrap_or(false),
        "sha512" => Hmac::<sha2::Sha512>::new_from_slice(secret.as_bytes())
            .map(|mut m| {
                m.update(body);
                m.verify_slice(&digest).is_ok()
            })
            .unwrap_or(false),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_checked_against_the_secret() {
        let body = b"<rss/>";
        let good = crate::webhooks::signature("secret", body);
        assert!(signature_matches("secret", body, &good));
        assert!(!signature_matches("other", body, &good));
        assert!(!signature_matches("secret", b"<rss>changed</rss>", &good));
        assert!(!signature_matches("secret", body, "sha1=0011"));
        assert!(!signature_matches("secret", body, "sha256=zz"));
        assert!(!signature_matches("secret", body, "garbage"));
    }
}
