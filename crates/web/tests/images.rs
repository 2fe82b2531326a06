//! Article pictures through the router and the real media proxy, against a picture served on
//! 127.0.0.1: smaller copies for lists and phones, and the size each picture takes on the page.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;
use xinwen_media::{MediaConfig, MediaProxy, Signer};
use xinwen_model::{Image, NewArticle, NewChannel, NewSource, Script, SourceKind};
use xinwen_store::Store;
use xinwen_web::{AppState, Services, SiteSettings, router};

async fn get(state: &AppState, path: &str) -> (StatusCode, String, Vec<u8>) {
    let request = Request::get(path)
        .header(header::HOST, "news.example")
        .body(Body::empty())
        .unwrap();
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, body.to_vec())
}

#[tokio::test]
async fn a_picture_gets_its_size_on_the_page_and_smaller_copies_for_small_screens() {
    let picture = image::RgbImage::from_fn(1280, 960, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/harbour.png",
        axum::routing::get(move || {
            let png = png.clone();
            async move { ([(header::CONTENT_TYPE, "image/png")], png) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
    store
        .upsert_channel(&NewChannel {
            slug: "shehui".into(),
            name: "社会".into(),
            description: String::new(),
            position: 0,
        })
        .await
        .unwrap();
    store
        .upsert_source(&NewSource {
            slug: "donghai".into(),
            name: "东海晚报".into(),
            kind: SourceKind::Feed,
            homepage: None,
            feed_url: None,
            follow_url: None,
            qr_image: None,
            channel_slug: Some("shehui".into()),
            description: String::new(),
            ..NewSource::default()
        })
        .await
        .unwrap();
    let signer = Signer::load_or_create(dir.path()).unwrap();
    let proxied = signer.proxy_path(&format!("http://{origin}/harbour.png"));
    let now = chrono::Utc::now();
    store
        .upsert_articles(&[NewArticle {
            source_slug: "donghai".into(),
            channel_slug: None,
            title: "青澜港新码头启用".into(),
            author: None,
            original_url: "https://donghai.example/1.html".into(),
            canonical_url: "https://donghai.example/1.html".into(),
            published_at: now,
            fetched_at: now,
            body_html: xinwen_media::rewrite_images(
                &format!("<p>新码头今天启用。</p><figure><img src=\"http://{origin}/harbour.png\" alt=\"码头\"></figure>"),
                &signer,
            ),
            body_text: "新码头今天启用。".into(),
            summary: "新码头今天启用。".into(),
            images: vec![Image {
                src: proxied.clone(),
                alt: "码头".into(),
                caption: String::new(),
            }],
            script: Script::Simplified,
            credited_source: None,
        }])
        .await
        .unwrap();
    let id = store
        .latest_articles(Default::default(), 1, 1, false)
        .await
        .unwrap()
        .items[0]
        .id;
    let fetcher = xinwen_fetch::Fetcher::new(xinwen_fetch::FetchConfig {
        guard: xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: std::time::Duration::ZERO,
        ..xinwen_fetch::FetchConfig::default()
    })
    .unwrap();
    let media = MediaProxy::new(
        signer,
        Arc::new(fetcher),
        store.clone(),
        MediaConfig::default(),
    );
    let state = AppState::with_services(
        store,
        SiteSettings::for_data_dir(dir.path()),
        Services {
            media: Some(Arc::new(media)),
            ..Services::default()
        },
    );

    // Before the picture was fetched its size is unknown; the page offers smaller copies.
    let (_, _, page) = get(&state, &format!("/article/{id}")).await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains(&format!(
            "srcset=\"{proxied}?w=480 480w, {proxied}?w=960 960w\""
        )),
        "{page}"
    );
    assert!(page.contains("loading=\"lazy\"") && !page.contains("width=\"1280\""));

    let (status, content_type, copy) = get(&state, &format!("{proxied}?w=480")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/webp")
    );
    let copy = image::load_from_memory(&copy).unwrap();
    assert_eq!((copy.width(), copy.height()), (480, 360));

    // Once fetched, the page gives the picture its size.
    state.invalidate_pages();
    let (_, _, page) = get(&state, &format!("/article/{id}")).await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("width=\"1280\" height=\"960\""), "{page}");
}
