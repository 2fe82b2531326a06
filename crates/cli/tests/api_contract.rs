//! The API of a running `xinwen demo` against its own OpenAPI document, checked by tools
//! that are not ours: Python's openapi-spec-validator for the document, and jsonschema for
//! every answer of every documented reading route, good requests and bad
//! (`openapi_check.py`); and a token made with `xinwen token add` writing through it.
//!
//! The README's test command installs both into its virtual environment and points
//! XINWEN_PYTHON at it, with XINWEN_REQUIRE_PYTHON=1 so that there the test cannot skip.

mod common;

use common::{Server, required};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// `xinwen token ARGS --data DIR`: what it printed, after checking that it succeeded.
fn token(args: &[&str], data: &Path) -> String {
    let out = Command::new(common::BINARY)
        .arg("token")
        .args(args)
        .arg("--data")
        .arg(data)
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xinwen token {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn send(method: reqwest::Method, url: &str, bearer: Option<&str>, body: &str) -> (u16, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut request = reqwest::blocking::Client::new()
        .request(method, url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let text = response.text().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn python_with_validators() -> Option<String> {
    let python = std::env::var("XINWEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let ready = Command::new(&python)
        .args([
            "-c",
            "import openapi_spec_validator, jsonschema, referencing",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if ready {
        return Some(python);
    }
    assert!(
        !required("XINWEN_REQUIRE_PYTHON"),
        "XINWEN_REQUIRE_PYTHON=1 but {python} lacks openapi-spec-validator or jsonschema"
    );
    eprintln!("SKIPPED: {python} lacks openapi-spec-validator and jsonschema");
    None
}

#[test]
fn every_documented_route_answers_as_documented() {
    let Some(python) = python_with_validators() else {
        return;
    };
    let server = Server::demo();
    let editor = token(
        &["add", "contract-check", "--role", "editor"],
        &server.data_dir,
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openapi_check.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(&server.url)
        .arg(editor.trim())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value =
        serde_json::from_str(stdout.lines().last().unwrap_or("{}")).unwrap_or_else(|_| {
            panic!(
                "the check printed no report:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let failures = report["failures"].as_array().unwrap();
    assert!(
        failures.is_empty() && out.status.success(),
        "{} of the API's answers differ from its document:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Good and bad values for each reading route's parameters, and the queues'.
    assert!(report["calls"].as_u64().unwrap() >= 40, "{report}");
}

#[test]
fn a_token_made_at_the_command_line_writes_through_the_api_until_revoked() {
    let server = Server::demo();
    let made = token(
        &["add", "newsroom-bot", "--role", "editor"],
        &server.data_dir,
    );
    let secret = made.trim();
    assert!(secret.starts_with("xw_"), "{made}");
    let listed = token(&["list", "--json"], &server.data_dir);
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["name"], "newsroom-bot");
    assert!(
        !listed.to_string().contains(secret),
        "the list never shows the token"
    );

    let (_, page) = send(
        reqwest::Method::GET,
        &format!("{}/api/v1/articles?limit=1", server.url),
        None,
        "",
    );
    let id = page["items"][0]["id"].as_i64().unwrap();
    let hide = format!("{}/api/v1/articles/{id}/hide", server.url);
    let (status, _) = send(reqwest::Method::POST, &hide, None, "");
    assert_eq!(status, 401);
    let (status, hidden) = send(reqwest::Method::POST, &hide, Some(secret), "");
    assert_eq!(status, 200, "{hidden}");
    assert_eq!(hidden["hidden"], true);
    let (status, _) = common::get(&format!("{}/article/{id}", server.url));
    assert_eq!(status, 410, "the reader's page is gone at once");

    // An article added by its link, from a page on another site.
    let page = format!(
        "<html><head><title>青澜湾跨海大桥合龙</title></head><body><article><h1>青澜湾跨海大桥合龙</h1>{}</article></body></html>",
        "<p>青澜湾跨海大桥今天上午顺利合龙，预计明年五月通车，届时从青澜到南屿岛的车程将由两小时缩短到四十分钟。</p>".repeat(4)
    );
    let origin = common::origin(vec![("/bridge.html", "text/html; charset=utf-8", page)]);
    let add = format!("{}/api/v1/articles", server.url);
    let link = format!(r#"{{"url": "http://{origin}/bridge.html", "source": "rebo-kuaixun"}}"#);
    let (status, added) = send(reqwest::Method::POST, &add, Some(secret), &link);
    assert_eq!(status, 201, "{added}");
    let id = added["id"].as_i64().unwrap();
    let (_, article) = send(
        reqwest::Method::GET,
        &format!("{}/api/v1/articles/{id}", server.url),
        None,
        "",
    );
    assert_eq!(article["title"], "青澜湾跨海大桥合龙");
    assert_eq!(article["source"]["slug"], "rebo-kuaixun");
    let nowhere = r#"{"url": "http://127.0.0.1:1/none.html", "source": "no-such-source"}"#;
    let (status, _) = send(reqwest::Method::POST, &add, Some(secret), nowhere);
    assert_eq!(status, 404);
    let private = r#"{"url": "http://10.9.8.7/a.html", "source": "rebo-kuaixun"}"#;
    let (status, problem) = send(reqwest::Method::POST, &add, Some(secret), private);
    assert_eq!(status, 400, "{problem}");

    let revoked = token(&["revoke", "newsroom-bot"], &server.data_dir);
    assert!(revoked.contains("Revoked"), "{revoked}");
    let restore = format!("{}/api/v1/articles/{id}/restore", server.url);
    let (status, _) = send(reqwest::Method::POST, &restore, Some(secret), "");
    assert_eq!(status, 401, "a revoked token is refused at once");
}
