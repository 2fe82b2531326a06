//! The fetcher against real HTTP servers started on 127.0.0.1.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use url::Url;
use xinwen_fetch::{FetchConfig, FetchError, Fetcher, Guard, Outcome, Request};

async fn start(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

/// A fetcher allowed to reach 127.0.0.1 and nothing else private.
fn fetcher() -> Fetcher {
    Fetcher::new(FetchConfig {
        guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: Duration::ZERO,
        timeout: Duration::from_secs(5),
        ..FetchConfig::default()
    })
    .unwrap()
}

fn url(address: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{address}{path}")).unwrap()
}

fn body(outcome: Outcome) -> String {
    match outcome {
        Outcome::Fetched(response) => String::from_utf8(response.body.to_vec()).unwrap(),
        Outcome::NotModified { .. } => panic!("expected a body, got 304"),
    }
}

#[tokio::test]
async fn a_conditional_get_answered_304_reports_not_modified() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = Router::new().route(
        "/feed.xml",
        get(move |headers: HeaderMap| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if headers
                    .get(header::IF_NONE_MATCH)
                    .is_some_and(|v| v == "\"v1\"")
                {
                    return StatusCode::NOT_MODIFIED.into_response();
                }
                (
                    [
                        (header::ETAG, "\"v1\""),
                        (header::LAST_MODIFIED, "Wed, 25 Nov 2026 08:00:00 GMT"),
                    ],
                    "<rss/>",
                )
                    .into_response()
            }
        }),
    );
    let address = start(router).await;
    let fetcher = fetcher();
    let first = match fetcher
        .fetch(&Request::feed(url(address, "/feed.xml")))
        .await
        .unwrap()
    {
        Outcome::Fetched(response) => response,
        Outcome::NotModified { .. } => panic!("the first fetch has no validators"),
    };
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.last_modified.as_deref(),
        Some("Wed, 25 Nov 2026 08:00:00 GMT")
    );
    let again =
        Request::feed(url(address, "/feed.xml")).with_validators(first.etag, first.last_modified);
    assert!(matches!(
        fetcher.fetch(&again).await.unwrap(),
        Outcome::NotModified { .. }
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retry_after_is_reported_and_holds_the_host_back() {
    let router = Router::new()
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "2")],
                    "slow down",
                )
            }),
        )
        .route("/other", get(|| async { "ok" }));
    let address = start(router).await;
    let fetcher = fetcher();
    let err = fetcher
        .fetch(&Request::page(url(address, "/busy")))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert!(err.to_string().contains("429"), "{err}");
    assert!(err.to_string().contains("wait 2 s"), "{err}");
    let started = Instant::now();
    body(
        fetcher
            .fetch(&Request::page(url(address, "/other")))
            .await
            .unwrap(),
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "the next request to the host waited out the Retry-After ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn robots_txt_is_honoured_and_fetched_once() {
    let robots_hits = Arc::new(AtomicUsize::new(0));
    let counter = robots_hits.clone();
    let router = Router::new()
        .route(
            "/robots.txt",
            get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { "User-agent: *\nDisallow: /private/\n\nUser-agent: xinwen\nDisallow: /no-bots/\n" }
            }),
        )
        .route("/news/1.html", get(|| async { "news" }))
        .route("/no-bots/1.html", get(|| async { "secret" }));
    let address = start(router).await;
    let fetcher = fetcher();
    assert_eq!(
        body(
            fetcher
                .fetch(&Request::page(url(address, "/news/1.html")))
                .await
                .unwrap()
        ),
        "news"
    );
    let err = fetcher
        .fetch(&Request::page(url(address, "/no-bots/1.html")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::RobotsDisallowed { .. }), "{err}");
    assert!(err.to_string().contains("robots.txt"));
    assert_eq!(
        robots_hits.load(Ordering::SeqCst),
        1,
        "robots.txt is cached"
    );
}

#[tokio::test]
async fn a_failing_robots_txt_stops_fetching_for_now() {
    let router = Router::new()
        .route(
            "/robots.txt",
            get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        )
        .route("/news/1.html", get(|| async { "news" }));
    let address = start(router).await;
    let err = fetcher()
        .fetch(&Request::page(url(address, "/news/1.html")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::RobotsUnavailable { status: 503, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused() {
    let router = Router::new()
        .route(
            "/to-metadata",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")],
                )
            }),
        )
        .route(
            "/to-private",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, "http://[::ffff:10.0.0.1]:8080/")],
                )
            }),
        );
    let address = start(router).await;
    let fetcher = fetcher();
    let err = fetcher
        .fetch(&Request::page(url(address, "/to-metadata")))
        .await
        .unwrap_err();
    match &err {
        FetchError::Refused {
            address, reason, ..
        } => {
            assert_eq!(address.to_string(), "169.254.169.254");
            assert_eq!(*reason, "the cloud metadata address");
        }
        other => panic!("expected a refusal, got {other}"),
    }
    assert!(
        err.to_string().contains("169.254.169.254"),
        "the message names the address: {err}"
    );
    let err = fetcher
        .fetch(&Request::page(url(address, "/to-private")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err}");
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_at_connect_time() {
    let address = start(Router::new().route("/", get(|| async { "private" }))).await;
    // No allow-list: the default a public deployment runs with.
    let fetcher = Fetcher::new(FetchConfig::default()).unwrap();
    let target = Url::parse(&format!("http://localhost:{}/", address.port())).unwrap();
    let err = fetcher.fetch(&Request::page(target)).await.unwrap_err();
    match &err {
        FetchError::Refused {
            address, reason, ..
        } => {
            assert!(address.is_loopback(), "{address}");
            assert_eq!(*reason, "a loopback address");
        }
        other => panic!("expected a refusal, got {other}"),
    }
    // The literal address is refused too, before any connection.
    let err = fetcher
        .fetch(&Request::page(url(address, "/")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err}");
}

#[tokio::test]
async fn an_overridden_name_still_passes_the_guard() {
    let address = start(Router::new().route("/", get(|| async { "from the override" }))).await;
    let mut guard = Guard::new(vec!["127.0.0.1".parse().unwrap()]);
    guard.resolve_to("news.example", address);
    let fetcher = Fetcher::new(FetchConfig {
        guard,
        min_host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })
    .unwrap();
    let outcome = fetcher
        .fetch(&Request::page(Url::parse("http://news.example/").unwrap()))
        .await;
    assert_eq!(body(outcome.unwrap()), "from the override");

    let mut guard = Guard::default();
    guard.resolve_to("news.example", address);
    let fetcher = Fetcher::new(FetchConfig {
        guard,
        ..FetchConfig::default()
    })
    .unwrap();
    let err = fetcher
        .fetch(&Request::page(Url::parse("http://news.example/").unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err}");
}

#[tokio::test]
async fn limits_on_size_redirects_and_time_are_clear_errors() {
    let router = Router::new()
        .route("/huge", get(|| async { "x".repeat(2 * 1024 * 1024) }))
        .route(
            "/loop",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        );
    let address = start(router).await;
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: Duration::ZERO,
        max_body_bytes: 1024 * 1024,
        timeout: Duration::from_secs(1),
        ..FetchConfig::default()
    })
    .unwrap();
    let err = fetcher
        .fetch(&Request::page(url(address, "/huge")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    let err = fetcher
        .fetch(&Request::page(url(address, "/loop")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 5, .. }),
        "{err}"
    );
    let err = fetcher
        .fetch(&Request::page(url(address, "/slow")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
}

#[tokio::test]
async fn gzip_bodies_are_decoded_and_charset_reported() {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all("<p>新闻</p>".as_bytes()).unwrap();
    let gzipped = encoder.finish().unwrap();
    let router = Router::new().route(
        "/page",
        get(move || {
            let gzipped = gzipped.clone();
            async move {
                (
                    [
                        (header::CONTENT_ENCODING, "gzip"),
                        (header::CONTENT_TYPE, "text/html; charset=UTF-8"),
                    ],
                    gzipped,
                )
            }
        }),
    );
    let address = start(router).await;
    let Outcome::Fetched(response) = fetcher()
        .fetch(&Request::page(url(address, "/page")))
        .await
        .unwrap()
    else {
        panic!("expected a body");
    };
    assert_eq!(&response.body[..], "<p>新闻</p>".as_bytes());
    assert_eq!(response.content_type.as_deref(), Some("text/html"));
    assert_eq!(response.charset.as_deref(), Some("UTF-8"));
}

#[tokio::test]
async fn a_closed_port_is_a_network_error_naming_the_cause() {
    // Bound but not listening: the port stays ours (no other process can take it meanwhile)
    // and every connection to it is refused.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let err = fetcher()
        .fetch(&Request::page(url(address, "/")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Network { .. }), "{err}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
    drop(socket);
}

/// Places shared by fetchers as the store shares them between workers: one map for all.
#[derive(Default)]
struct SharedPlaces {
    held: std::sync::Mutex<std::collections::HashMap<(String, u32), String>>,
    taken: AtomicUsize,
    kept: AtomicUsize,
}

impl xinwen_fetch::SharedTurns for SharedPlaces {
    fn pause<'a>(
        &'a self,
        _host: &'a str,
        _pause: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async {})
    }

    fn enter<'a>(
        &'a self,
        host: &'a str,
        limit: usize,
        _hold: Duration,
        _spacing: Duration,
    ) -> xinwen_fetch::Entering<'a> {
        Box::pin(async move {
            let mut held = self.held.lock().unwrap();
            let place = (0..limit as u32).find(|p| !held.contains_key(&(host.to_owned(), *p)))?;
            let holder = format!("request-{}", self.taken.fetch_add(1, Ordering::SeqCst));
            held.insert((host.to_owned(), place), holder.clone());
            let place = xinwen_fetch::SharedPlace {
                host: host.to_owned(),
                place,
                holder,
            };
            Some((place, Duration::ZERO))
        })
    }

    fn reenter<'a>(
        &'a self,
        place: &'a xinwen_fetch::SharedPlace,
        _hold: Duration,
        _spacing: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Duration>> + Send + 'a>> {
        Box::pin(async move {
            let held = self.held.lock().unwrap();
            let still = held.get(&(place.host.clone(), place.place)) == Some(&place.holder);
            if still {
                self.kept.fetch_add(1, Ordering::SeqCst);
            }
            still.then_some(Duration::ZERO)
        })
    }

    fn leave(
        &self,
        place: xinwen_fetch::SharedPlace,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let mut held = self.held.lock().unwrap();
            if held.get(&(place.host.clone(), place.place)) == Some(&place.holder) {
                held.remove(&(place.host, place.place));
            }
        })
    }
}

#[tokio::test]
async fn the_limit_on_requests_in_flight_holds_across_fetchers_that_share_places() {
    // Two fetchers, as two workers, each allowed one request in flight per host: together
    // they must still have one at a time at the host, not two.
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now, peak) = (in_flight.clone(), most.clone());
    let router = Router::new().route(
        "/{page}",
        get(move || {
            let (now, peak) = (now.clone(), peak.clone());
            async move {
                let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(current, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(60)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                "<p>页</p>"
            }
        }),
    );
    let address = start(router).await;
    let places: Arc<dyn xinwen_fetch::SharedTurns> = Arc::new(SharedPlaces::default());
    let workers: Vec<Arc<Fetcher>> = (0..2)
        .map(|_| {
            Arc::new(
                Fetcher::new(FetchConfig {
                    guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
                    min_host_delay: Duration::ZERO,
                    per_host_concurrency: 1,
                    timeout: Duration::from_secs(5),
                    ..FetchConfig::default()
                })
                .unwrap()
                .with_shared_turns(places.clone()),
            )
        })
        .collect();
    let mut requests = Vec::new();
    for n in 0..8 {
        let worker = workers[n % 2].clone();
        let page = url(address, &format!("/{n}"));
        requests.push(tokio::spawn(async move {
            worker.fetch(&Request::page(page)).await
        }));
    }
    for request in requests {
        body(request.await.unwrap().unwrap());
    }
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "one request at a time at the host"
    );
}

#[tokio::test]
async fn a_worker_busy_at_a_host_keeps_its_place_and_gives_it_back_once_idle() {
    // Each request a worker makes in a row at one host goes on in the place the one before
    // held, instead of taking and giving back a place each time.
    let address = start(Router::new().route("/{page}", get(|| async { "<p>页</p>" }))).await;
    let places = Arc::new(SharedPlaces::default());
    fetch_in_turn(&places, Duration::ZERO, address, 5).await;
    // Six requests: robots.txt, then the five pages.
    assert_eq!(places.taken.load(Ordering::SeqCst), 1, "one place taken");
    assert_eq!(
        places.kept.load(Ordering::SeqCst),
        5,
        "and gone on in five times"
    );
    // Idle, the place goes back for other workers.
    let mut waited = Duration::ZERO;
    while !places.held.lock().unwrap().is_empty() {
        assert!(
            waited < Duration::from_secs(5),
            "the idle place is given back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
}

#[tokio::test]
async fn a_place_is_kept_across_the_spacing_a_host_asks_for() {
    // Requests a host wants 300 ms apart: the place outlasts the wait between them, so the
    // worker goes on in it rather than giving it back and taking it again each time.
    let address = start(Router::new().route("/{page}", get(|| async { "<p>页</p>" }))).await;
    let places = Arc::new(SharedPlaces::default());
    fetch_in_turn(&places, Duration::from_millis(300), address, 2).await;
    // Three requests: robots.txt, then the two pages.
    assert_eq!(places.taken.load(Ordering::SeqCst), 1, "one place taken");
    assert_eq!(places.kept.load(Ordering::SeqCst), 2);
}

/// Fetches `pages` pages of the server at `address` one after the other, by a fetcher that
/// shares `places` and spaces its requests to a host by `spacing`, one in flight at a time.
async fn fetch_in_turn(
    places: &Arc<SharedPlaces>,
    spacing: Duration,
    address: SocketAddr,
    pages: usize,
) {
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: spacing,
        per_host_concurrency: 1,
        ..FetchConfig::default()
    })
    .unwrap()
    .with_shared_turns(places.clone());
    for n in 0..pages {
        body(
            fetcher
                .fetch(&Request::page(url(address, &format!("/{n}"))))
                .await
                .unwrap(),
        );
    }
}
