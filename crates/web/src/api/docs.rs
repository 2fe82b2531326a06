//! The OpenAPI document and a page that shows it, written on the server from the same
//! document (the site's pages run no script).

use super::ApiDoc;
use crate::pages::{html, respond};
use crate::views::Layout;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::LazyLock;
use utoipa::OpenApi;

/// The document, built once from the handlers' attributes.
static DOCUMENT: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null));

/// The OpenAPI document, with this site as its server.
pub(crate) async fn document(State(state): State<AppState>) -> Response {
    let mut doc = DOCUMENT.clone();
    doc["servers"] = serde_json::json!([{ "url": state.site().base_url.trim_end_matches('/') }]);
    let body = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(super::JSON));
    response
}

pub(crate) struct Param {
    pub name: String,
    pub location: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

pub(crate) struct Reply {
    pub status: String,
    pub description: String,
    pub schema: String,
}

pub(crate) struct Operation {
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<Param>,
    pub responses: Vec<Reply>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub(crate) struct DocsPage {
    pub layout: Layout,
    pub title: String,
    pub description: String,
    pub openapi_version: String,
    pub operations: Vec<Operation>,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A schema's name (`ArticleList`) or type (`integer`).
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    }
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return found;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let params = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| Param {
                            name: text(&p["name"]),
                            location: text(&p["in"]),
                            kind: schema_name(&p["schema"]),
                            required: p["required"].as_bool().unwrap_or(false),
                            description: text(&p["description"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| Reply {
                            status: status.clone(),
                            description: text(&r["description"]),
                            schema: r["content"]
                                .as_object()
                                .and_then(|c| c.values().next())
                                .map(|media| schema_name(&media["schema"]))
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let method = method.to_uppercase();
            found.push(Operation {
                anchor: format!(
                    "{}-{}",
                    method.to_lowercase(),
                    path.replace(['/', '{', '}'], "-")
                ),
                summary: [text(&op["summary"]), text(&op["description"])]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                method,
                path: path.clone(),
                params,
                responses,
            });
        }
    }
    found
}

/// `/api/v1/docs`: the document as a page.
pub(crate) async fn page(State(state): State<AppState>, uri: Uri) -> Response {
    respond(&state, &uri, render(&state)).await
}

async fn render(state: &AppState) -> Result<crate::cache::CachedPage, AppError> {
    let channels = state.store().channels().await?;
    let doc = &*DOCUMENT;
    let page = DocsPage {
        layout: Layout::new(state, &channels, "API".into(), "/api/v1/docs"),
        title: text(&doc["info"]["title"]),
        description: text(&doc["info"]["description"]),
        openapi_version: text(&doc["openapi"]),
        operations: operations(doc),
    };
    html(StatusCode::OK, &page)
}
