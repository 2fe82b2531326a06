//! A running `xinwen demo` read by a real HTTP client (reqwest, which decodes gzip and
//! brotli itself): compressed answers decode to the same bytes as uncompressed ones, and a
//! feed asked for again with its validator is a 304.

mod common;

use common::Server;

fn client(decompress: bool) -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::blocking::Client::builder();
    if !decompress {
        builder = builder.no_gzip().no_brotli();
    }
    builder.build().unwrap()
}

#[test]
fn compressed_pages_and_feeds_decode_to_what_is_sent_plain() {
    let server = Server::demo();
    let plain = client(false);
    let decoding = client(true);
    for path in ["/", "/feed.xml", "/feed.json", "/api/v1/articles?limit=5"] {
        let url = format!("{}{path}", server.url);
        let identity = plain.get(&url).send().unwrap();
        assert_eq!(identity.status(), 200, "{path}");
        assert!(identity.headers().get("content-encoding").is_none());
        let identity = identity.bytes().unwrap();

        for encoding in ["gzip", "br"] {
            let raw = plain
                .get(&url)
                .header("accept-encoding", encoding)
                .send()
                .unwrap();
            assert_eq!(raw.headers()["content-encoding"], encoding, "{path}");
            let wire = raw.bytes().unwrap();
            assert!(
                wire.len() < identity.len(),
                "{path} {encoding}: {} of {}",
                wire.len(),
                identity.len()
            );
        }
        // The client asks for both and decodes whichever comes.
        let decoded = decoding.get(&url).send().unwrap().bytes().unwrap();
        assert_eq!(decoded, identity, "{path}");
    }
}

#[test]
fn a_feed_asked_again_with_its_validator_is_a_304() {
    let server = Server::demo();
    let http = client(true);
    let url = format!("{}/feed.xml", server.url);
    let first = http.get(&url).send().unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let again = http
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().unwrap().is_empty());
}
