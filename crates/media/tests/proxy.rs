//! The proxy against a real image server on 127.0.0.1 and a real store.

use axum::Router;
use axum::http::{HeaderMap, header};
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use xinwen_fetch::{FetchConfig, Fetcher, Guard};
use xinwen_media::{MediaConfig, MediaError, MediaProxy, PROXY_PREFIX, Served, Signer};
use xinwen_store::Store;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake but well-typed";

fn split(path: &str) -> (String, String) {
    let rest = path.strip_prefix(PROXY_PREFIX).unwrap();
    let (signature, encoded) = rest.split_once('/').unwrap();
    (signature.to_owned(), encoded.to_owned())
}

#[tokio::test]
async fn images_are_fetched_once_checked_and_served_from_the_cache() {
    let hits = Arc::new(AtomicUsize::new(0));
    let referers = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (counter, seen) = (hits.clone(), referers.clone());
    let router = Router::new()
        .route(
            "/photo.png",
            get(move |headers: HeaderMap| {
                counter.fetch_add(1, Ordering::SeqCst);
                seen.lock().unwrap().push(
                    headers
                        .get(header::REFERER)
                        .map(|v| v.to_str().unwrap().to_owned()),
                );
                async { ([(header::CONTENT_TYPE, "image/png")], PNG) }
            }),
        )
        .route(
            "/fake.png",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/png")],
                    "<html><script>alert(1)</script></html>",
                )
            }),
        )
        .route(
            "/huge.png",
            get(|| async { [PNG, &vec![0u8; 64 * 1024]].concat() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })
    .unwrap();
    let signer = Signer::load_or_create(dir.path()).unwrap();
    let proxy = MediaProxy::new(
        signer.clone(),
        Arc::new(fetcher),
        store,
        MediaConfig {
            max_bytes: 16 * 1024,
            ..MediaConfig::default()
        },
    );

    let (signature, encoded) = split(&signer.proxy_path(&format!("http://{address}/photo.png")));
    for _ in 0..3 {
        match proxy.get(&signature, &encoded).await.unwrap() {
            Served::Image {
                bytes,
                content_type,
                ..
            } => {
                assert_eq!(&bytes[..], PNG);
                assert_eq!(content_type, "image/png");
            }
            Served::Failed { reason, .. } => panic!("the image failed: {reason}"),
            Served::Removed => panic!("nothing was removed"),
        }
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "fetched once, then served from disk"
    );
    assert_eq!(
        referers.lock().unwrap()[0],
        None,
        "no Referer is sent to ordinary hosts"
    );

    let (signature, encoded) = split(&signer.proxy_path(&format!("http://{address}/fake.png")));
    match proxy.get(&signature, &encoded).await.unwrap() {
        Served::Failed { original, reason } => {
            assert!(original.ends_with("/fake.png"));
            assert!(reason.contains("not an image"), "{reason}");
        }
        Served::Image { .. } | Served::Removed => {
            panic!("HTML served as an image must not pass")
        }
    }
    let (signature, encoded) = split(&signer.proxy_path(&format!("http://{address}/huge.png")));
    match proxy.get(&signature, &encoded).await.unwrap() {
        Served::Failed { reason, .. } => {
            assert!(reason.contains("is larger than the"), "{reason}");
        }
        Served::Image { .. } | Served::Removed => panic!("an image over the limit must not pass"),
    }

    // A takedown purges the image: the file goes, and the URL is neither served nor fetched.
    let photo = signer.proxy_path(&format!("http://{address}/photo.png"));
    let cached_files = || {
        walk(&dir.path().join("media-cache"))
            .into_iter()
            .filter(|p| p.extension().is_none())
            .count()
    };
    assert_eq!(cached_files(), 1);
    let not_ours = "https://elsewhere.example/x.png".to_owned();
    assert_eq!(proxy.purge(&[photo.clone(), not_ours]).await.unwrap(), 1);
    assert_eq!(cached_files(), 0, "the cached file is deleted");
    let (signature, encoded) = split(&photo);
    assert!(matches!(
        proxy.get(&signature, &encoded).await.unwrap(),
        Served::Removed
    ));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a removed image is not fetched again"
    );

    let (_, forged) = split(&signer.proxy_path("http://127.0.0.1/anything"));
    assert!(matches!(
        proxy.get(&signature, &forged).await,
        Err(MediaError::BadSignature)
    ));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
