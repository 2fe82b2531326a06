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
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
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
        match proxy.get(&signature, &encoded, None).await.unwrap() {
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
    match proxy.get(&signature, &encoded, None).await.unwrap() {
        Served::Failed { original, reason } => {
            assert!(original.ends_with("/fake.png"));
            assert!(reason.contains("not an image"), "{reason}");
        }
        Served::Image { .. } | Served::Removed => {
            panic!("HTML served as an image must not pass")
        }
    }
    let (signature, encoded) = split(&signer.proxy_path(&format!("http://{address}/huge.png")));
    match proxy.get(&signature, &encoded, None).await.unwrap() {
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
        proxy.get(&signature, &encoded, None).await.unwrap(),
        Served::Removed
    ));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a removed image is not fetched again"
    );

    let (_, forged) = split(&signer.proxy_path("http://127.0.0.1/anything"));
    assert!(matches!(
        proxy.get(&signature, &forged, None).await,
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

#[tokio::test]
async fn smaller_copies_are_made_once_kept_and_purged_with_the_original() {
    let picture = image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let original_size = png.len();
    let router = Router::new().route(
        "/big.png",
        get(move || {
            let png = png.clone();
            async move { ([(header::CONTENT_TYPE, "image/png")], png) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
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
        MediaConfig::default(),
    );
    let path = signer.proxy_path(&format!("http://{address}/big.png"));
    let (signature, encoded) = split(&path);
    for _ in 0..2 {
        match proxy.get(&signature, &encoded, Some(480)).await.unwrap() {
            Served::Image {
                bytes,
                content_type,
                hash,
            } => {
                assert_eq!(content_type, "image/webp");
                assert!(hash.ends_with("-w480"), "{hash}");
                assert!(bytes.len() < original_size / 4, "{} bytes", bytes.len());
                let copy = image::load_from_memory(&bytes).unwrap();
                assert_eq!((copy.width(), copy.height()), (480, 320));
            }
            other => panic!("{other:?}"),
        }
    }
    let copies = || {
        walk(&dir.path().join("media-cache"))
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with("-w480.webp"))
            .count()
    };
    assert_eq!(copies(), 1, "made once, kept");
    // A width that is not offered gets the original.
    match proxy.get(&signature, &encoded, Some(333)).await.unwrap() {
        Served::Image { content_type, .. } => assert_eq!(content_type, "image/png"),
        other => panic!("{other:?}"),
    }
    // The original's size was read when it was fetched, for the page's width and height.
    let sizes = proxy.sizes(std::slice::from_ref(&path)).await.unwrap();
    assert_eq!(sizes.get(&path), Some(&(1200, 800)));
    assert_eq!(proxy.purge(&[path]).await.unwrap(), 1);
    assert_eq!(copies(), 0, "a removed article's copies go with it");
}
