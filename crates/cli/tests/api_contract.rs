//! The API of a running `xinwen demo` against its own OpenAPI document, checked by tools
//! that are not ours: Python's openapi-spec-validator for the document, and jsonschema for
//! every answer of every documented route, good requests and bad (`openapi_check.py`).
//!
//! The README's test command installs both into its virtual environment and points
//! XINWEN_PYTHON at it, with XINWEN_REQUIRE_PYTHON=1 so that there the test cannot skip.

mod common;

use common::{Server, required};
use serde_json::Value;
use std::process::Command;

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
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openapi_check.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(&server.url)
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
    // Good and bad values for each of the seven routes' parameters.
    assert!(report["calls"].as_u64().unwrap() >= 30, "{report}");
}
