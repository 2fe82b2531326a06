//! Logging in and out. Failed logins are counted per name and per address
//! (`xinwen_accounts::LoginLimits`): too many lock the name, or throttle the address, for a
//! while, and a correct password does not get through a lock.

use super::done;
use crate::auth::{self, Editor, SESSION_COOKIE, address_hash, connected, form_token};
use crate::forms::Fields;
use crate::pages::private_page;
use crate::{AppError, AppState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use xinwen_accounts::{LoginLimits, LoginVerdict};

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    site_name: String,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

/// Only a path of the admin itself: a login link must not send anyone elsewhere.
fn safe_next(next: &str) -> String {
    if next.starts_with("/admin") && !next.starts_with("/admin/login") && !next.contains("//") {
        next.to_owned()
    } else {
        "/admin".to_owned()
    }
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    if let Ok(Some(_)) = auth::editor_of(&state, &headers).await {
        return Redirect::to("/admin").into_response();
    }
    let next = safe_next(&super::query_value(&uri, "next").unwrap_or_default());
    match form_token(&state, &headers) {
        Ok((csrf, cookie)) => {
            let page = LoginPage {
                site_name: state.site().name.clone(),
                csrf,
                next,
                username: String::new(),
                error: None,
            };
            private_page(StatusCode::OK, &page, cookie)
        }
        Err(e) => crate::pages::error_response(&state, e).await,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    let username = fields.get("username").trim().to_owned();
    let password = fields.get("password").to_owned();
    let next = safe_next(fields.get("next"));
    let address = address_hash(&state, &headers, connected(&extensions));
    let again = |status: StatusCode, error: String| {
        let page = LoginPage {
            site_name: state.site().name.clone(),
            csrf: fields.get(auth::CSRF_FIELD).to_owned(),
            next: next.clone(),
            username: username.chars().take(64).collect(),
            error: Some(error),
        };
        private_page(status, &page, None)
    };
    match attempt(&state, &username, &password, &address).await {
        Ok(Attempt::Welcome(cookie)) => {
            let mut response = done(&next, "login");
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Ok(Attempt::Wrong) => again(StatusCode::UNAUTHORIZED, "用户名或密码不正确。".into()),
        Ok(Attempt::Wait(verdict)) => {
            let (minutes, what) = match verdict {
                LoginVerdict::AccountLocked { retry_after_secs } => (
                    (retry_after_secs + 59) / 60,
                    "这个账号登录失败次数过多，已暂时锁定",
                ),
                LoginVerdict::AddressThrottled { retry_after_secs } => (
                    (retry_after_secs + 59) / 60,
                    "来自您网络地址的登录失败次数过多",
                ),
                LoginVerdict::Allowed => (1, "请稍后再试"),
            };
            let mut response = again(
                StatusCode::TOO_MANY_REQUESTS,
                format!("{what}，请 {minutes} 分钟后再试。"),
            );
            if let Ok(value) = (minutes * 60).to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(e) => crate::pages::error_response(&state, e).await,
    }
}

enum Attempt {
    Welcome(axum::http::HeaderValue),
    Wrong,
    Wait(LoginVerdict),
}

async fn attempt(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<Attempt, AppError> {
    let store = state.store();
    let limits = LoginLimits::default();
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::seconds(limits.window_secs);
    // Counted as a failure before the password is checked, in the transaction that decided
    // it: concurrent guesses cannot all pass the check before any of them is recorded.
    let decided = store
        .begin_login_attempt(username, address, now, since, |by_user, by_address| {
            let verdict = limits.verdict(now.timestamp(), by_user, by_address);
            (verdict != LoginVerdict::Allowed).then_some(verdict)
        })
        .await?;
    let attempt_id = match decided {
        Ok(id) => id,
        Err(verdict) => {
            tracing::warn!(username, "login refused while throttled");
            return Ok(Attempt::Wait(verdict));
        }
    };
    let account = store.user_for_login(username).await?;
    let password = password.to_owned();
    // argon2 takes tens of milliseconds of CPU on purpose: off the async threads.
    let (user, verified) = tokio::task::spawn_blocking(move || match account {
        Some((user, hash)) => {
            let ok = xinwen_accounts::verify_password(&password, &hash);
            (Some(user), ok)
        }
        None => {
            xinwen_accounts::verify_nobody(&password);
            (None, false)
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let Some(user) = user.filter(|_| verified) else {
        // Already recorded when the attempt began.
        metrics::counter!("xinwen_login_failures_total").increment(1);
        tracing::info!(username, "failed login");
        return Ok(Attempt::Wrong);
    };
    store.login_succeeded(attempt_id, username).await?;
    let token = xinwen_accounts::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let csrf = xinwen_accounts::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let hours = state.site().session_hours.max(1);
    let lifetime = chrono::Duration::try_hours(hours)
        .and_then(|d| now.checked_add_signed(d).map(|end| (d, end)))
        .filter(|(d, _)| d.num_seconds() <= i64::from(i32::MAX));
    let Some((lifetime, expires)) = lifetime else {
        return Err(AppError::Internal(format!(
            "site.session_hours = {hours} is too large for a session's end date"
        )));
    };
    store
        .create_session(
            &xinwen_accounts::token_digest(&token),
            user.id,
            &csrf,
            expires,
        )
        .await?;
    store
        .record_audit(
            &xinwen_store::Actor::user(&user),
            "user.login",
            ("user", Some(user.id)),
            "",
        )
        .await?;
    let cookie = auth::set_cookie(
        state,
        SESSION_COOKIE,
        &token,
        "/admin",
        "Lax",
        lifetime.num_seconds(),
    );
    Ok(Attempt::Welcome(cookie))
}

pub async fn logout(editor: Editor, State(state): State<AppState>) -> Response {
    match auth::end_session(&state, &editor).await {
        Ok(cleared) => {
            let mut response = Redirect::to("/admin/login").into_response();
            response.headers_mut().append(header::SET_COOKIE, cleared);
            response
        }
        Err(e) => crate::pages::error_response(&state, e).await,
    }
}
