//! Submissions, takedowns and the admin driven through the router, over the demo corpus in a
//! real SQLite file with a real (in-memory) search index: the security rules (CSRF, inert
//! script, throttled logins, roles, private addresses, sizes, rate limits) and a takedown
//! leaving every place an article shows up.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;
use xinwen_model::{ArticleSummary, Role, SubmissionStatus};
use xinwen_store::{ArticleFilter, Store};
use xinwen_web::{AppState, Services, SiteSettings, router};

const PASSWORD: &str = "correct horse battery";

struct Site {
    _dir: tempfile::TempDir,
    state: AppState,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
    let corpus = xinwen_demo::load().unwrap();
    for c in &corpus.channels {
        store.upsert_channel(c).await.unwrap();
    }
    for s in &corpus.sources {
        store.upsert_source(s).await.unwrap();
    }
    store.upsert_articles(&corpus.articles).await.unwrap();
    let hash = xinwen_accounts::hash_password(PASSWORD).unwrap();
    store.add_user("boss", &hash, Role::Admin).await.unwrap();
    store.add_user("ed", &hash, Role::Editor).await.unwrap();
    let index = xinwen_search::SearchIndex::in_memory(xinwen_text::Analyzer::new()).unwrap();
    index.catch_up(&store, |_| {}).await.unwrap();
    let mut settings = SiteSettings::for_data_dir(dir.path());
    settings.base_url = "https://news.example".into();
    let services = Services {
        search: Some(Arc::new(index)),
        ..Services::default()
    };
    Site {
        state: AppState::with_services(store, settings, services),
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    location: String,
    body: String,
}

/// A browser of sorts: keeps cookies, comes from one address, and can read a form's token.
struct Visitor<'a> {
    site: &'a Site,
    address: SocketAddr,
    cookies: HashMap<String, String>,
}

impl<'a> Visitor<'a> {
    fn new(site: &'a Site, address: &str) -> Visitor<'a> {
        Visitor {
            site,
            address: format!("{address}:40000").parse().unwrap(),
            cookies: HashMap::new(),
        }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Reply {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = request
            .header(header::HOST, "news.example")
            .header(header::COOKIE, cookie)
            .body(body)
            .unwrap();
        request.extensions_mut().insert(ConnectInfo(self.address));
        let response = router(self.site.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&mut self, uri: &str) -> Reply {
        self.send(Request::get(uri), Body::empty()).await
    }

    async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Posts a form with the token the page at `form_page` carries. A public form answers a
    /// sent form with a 303 to its receipt page, which is followed as a browser would.
    async fn submit(&mut self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let page = self.get(form_page).await;
        let token = csrf_of(&page.body);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let reply = self.post(action, &all).await;
        if reply.status == StatusCode::SEE_OTHER && reply.location.contains("/received") {
            let location = reply.location.clone();
            return self.get(&location).await;
        }
        reply
    }

    async fn log_in(&mut self, username: &str) {
        let reply = self
            .submit(
                "/admin/login",
                "/admin/login",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("next", "/admin"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert!(self.cookies.contains_key("xinwen_session"));
    }
}

fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field in {html}"))
        + "name=\"csrf\" value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn receipt_of(html: &str) -> String {
    let start = html.find("id=\"receipt\">").expect("a receipt") + "id=\"receipt\">".len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

async fn find(site: &Site, title_part: &str) -> ArticleSummary {
    site.state
        .store()
        .latest_articles(ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.title.contains(title_part))
        .unwrap_or_else(|| panic!("no article titled {title_part}"))
}

async fn requests(site: &Site) -> u64 {
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    site.state
        .store()
        .requests_since(None, day_ago)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_form_without_the_right_token_or_from_another_site_is_refused() {
    let site = site().await;
    let mut reader = Visitor::new(&site, "203.0.113.5");
    let tip = [("kind", "tip"), ("body", "青岚湖边新开了一家书店")];
    let missing = reader.post("/submit", &tip).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("校验码"), "{}", missing.body);
    reader.get("/submit").await;
    let mut wrong = vec![("csrf", "not-the-token")];
    wrong.extend_from_slice(&tip);
    assert_eq!(
        reader.post("/submit", &wrong).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(requests(&site).await, 0, "nothing stored");

    // The right token, but the browser says the form was on another site.
    let token = csrf_of(&reader.get("/submit").await.body);
    let mut fields = vec![("csrf", token.as_str())];
    fields.extend_from_slice(&tip);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let cross = reader
        .send(
            Request::post("/submit")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "https://evil.example"),
            Body::from(body.clone()),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let cross = reader
        .send(
            Request::post("/submit")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site"),
            Body::from(body.clone()),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let same = reader
        .send(
            Request::post("/submit")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "https://news.example"),
            Body::from(body),
        )
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER, "{}", same.body);
    assert_eq!(requests(&site).await, 1);

    // An editor's action needs the session's own token, not the public form's.
    let mut editor = Visitor::new(&site, "198.51.100.7");
    editor.log_in("ed").await;
    let id = find(&site, "寒潮周末到来").await.id;
    let public_token = csrf_of(&editor.get("/submit").await.body);
    let hide = format!("/admin/articles/{id}/hide");
    assert_eq!(editor.post(&hide, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        editor.post(&hide, &[("csrf", &public_token)]).await.status,
        StatusCode::FORBIDDEN
    );
    let hidden = editor.submit("/admin/articles", &hide, &[]).await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    assert_eq!(
        editor.get(&format!("/article/{id}")).await.status,
        StatusCode::GONE
    );
    // Logging out needs the token too, and ends the session.
    assert_eq!(
        editor.post("/admin/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let out = editor.submit("/admin", "/admin/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = editor.get("/admin").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.location.starts_with("/admin/login"),
        "{}",
        after.location
    );
}

#[tokio::test]
async fn script_in_every_field_stays_text_for_editors_and_readers() {
    let site = site().await;
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut reader = Visitor::new(&site, "203.0.113.5");
    let sent = reader
        .submit(
            "/submit",
            "/submit",
            &[
                ("kind", "article"),
                ("title", evil),
                ("body", &format!("第一段{evil}\n\n第二段")),
                ("author", evil),
                (
                    "url",
                    "https://news.example/a?x=\"><script>alert(3)</script>",
                ),
                ("contact", evil),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let receipt = receipt_of(&sent.body);
    let sent = reader
        .submit(
            "/takedown",
            "/takedown",
            &[
                ("claimant", evil),
                ("contact", evil),
                ("pages", "https://news.example/article/1"),
                ("work", evil),
                ("statement", evil),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

    let mut editor = Visitor::new(&site, "198.51.100.7");
    editor.log_in("ed").await;
    let queue = site
        .state
        .store()
        .submissions(SubmissionStatus::Pending, 1, 10)
        .await
        .unwrap();
    let id = queue.items[0].id;
    let takedown = site
        .state
        .store()
        .takedowns(xinwen_model::TakedownStatus::Pending, 1, 10)
        .await
        .unwrap()
        .items[0]
        .id;
    let inert = |html: &str| {
        assert!(!html.contains("<script>alert"), "raw script in {html}");
        assert!(!html.contains("<img src=x"), "raw tag in {html}");
    };
    for page in [
        "/admin/submissions".to_owned(),
        format!("/admin/submissions/{id}"),
        "/admin/takedowns".to_owned(),
        format!("/admin/takedowns/{takedown}"),
        "/admin/audit".to_owned(),
    ] {
        let reply = editor.get(&page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        inert(&reply.body);
    }
    let detail = editor.get(&format!("/admin/submissions/{id}")).await.body;
    let at = detail.find("alert(1)").unwrap();
    assert!(
        detail[..at].ends_with("&#60;script&#62;"),
        "shown as text: {}",
        &detail[at - 40..at + 40]
    );
    let approved = editor
        .submit(
            &format!("/admin/submissions/{id}"),
            &format!("/admin/submissions/{id}/approve"),
            &[("title", evil), ("author", evil), ("channel", "")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let published = site
        .state
        .store()
        .submission(id)
        .await
        .unwrap()
        .unwrap()
        .article_id
        .unwrap();
    let article = reader.get(&format!("/article/{published}")).await;
    assert_eq!(article.status, StatusCode::OK);
    inert(&article.body);
    assert!(article.body.contains("读者投稿"), "attributed");
    // Readers' submissions are no publisher to follow, and lists name them once.
    assert!(
        !article.body.contains("class=\"follow\""),
        "{}",
        article.body
    );
    let channel = reader.get("/channel/tougao").await.body;
    assert!(
        channel.contains("/article/") && !channel.contains("读者投稿</a> · <a"),
        "{channel}"
    );
    assert!(
        article.body.contains("<p>第一段&lt;script&gt;"),
        "the body is escaped text"
    );
    for page in ["/", "/channel/tougao", "/feed.xml", "/search?q=第一段"] {
        inert(&reader.get(page).await.body);
    }
    let status = reader
        .get(&format!(
            "/submit/status?receipt={}",
            receipt.to_lowercase()
        ))
        .await;
    assert!(status.body.contains("已采用"), "{}", status.body);
    assert!(status.body.contains(&format!("/article/{published}")));
}

#[tokio::test]
async fn repeated_bad_logins_lock_the_name_then_the_address() {
    let site = site().await;
    let mut guesser = Visitor::new(&site, "203.0.113.66");
    for _ in 0..5 {
        let reply = guesser
            .submit(
                "/admin/login",
                "/admin/login",
                &[("username", "ed"), ("password", "guess-guess")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("用户名或密码不正确"));
    }
    // Now even the right password, from anywhere, waits.
    let mut owner = Visitor::new(&site, "198.51.100.1");
    let locked = owner
        .submit(
            "/admin/login",
            "/admin/login",
            &[("username", "ed"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("暂时锁定"), "{}", locked.body);
    assert!(!owner.cookies.contains_key("xinwen_session"));
    // Another account is not locked by this one's failures.
    owner.log_in("boss").await;

    // One address trying many names is throttled as a whole.
    let mut sprayer = Visitor::new(&site, "203.0.113.99");
    for i in 0..20 {
        let name = format!("user{i}");
        let reply = sprayer
            .submit(
                "/admin/login",
                "/admin/login",
                &[("username", &name), ("password", "x")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = sprayer
        .submit(
            "/admin/login",
            "/admin/login",
            &[("username", "boss"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("网络地址"));
}

#[tokio::test]
async fn an_editor_cannot_do_what_only_admins_may() {
    let site = site().await;
    let source = site.state.store().sources().await.unwrap()[0].clone();
    let mut editor = Visitor::new(&site, "198.51.100.7");
    editor.log_in("ed").await;
    let token = csrf_of(&editor.get("/admin/sources").await.body);
    let denied = [
        (
            format!("/admin/sources/{}/delete", source.id),
            vec![("with_articles", "yes")],
        ),
        (
            format!("/admin/sources/{}", source.id),
            vec![("name", "改名")],
        ),
        (
            "/admin/sources".to_owned(),
            vec![("name", "新来源"), ("slug", "xin")],
        ),
        (
            "/admin/pages/contact".to_owned(),
            vec![("markdown", "# 联系")],
        ),
    ];
    for (action, fields) in &denied {
        let mut all = vec![("csrf", token.as_str())];
        all.extend(fields.iter().copied());
        let reply = editor.post(action, &all).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{action}");
        assert!(
            reply.body.contains("只有管理员"),
            "{action}: {}",
            reply.body
        );
    }
    assert_eq!(
        editor.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor
            .get(&format!("/admin/sources/{}", source.id))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        site.state
            .store()
            .source_by_id(source.id)
            .await
            .unwrap()
            .is_some()
    );
    // What editors may do: pause a source.
    let paused = editor
        .post(
            &format!("/admin/sources/{}/pause", source.id),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER);
    assert!(
        site.state
            .store()
            .source_by_id(source.id)
            .await
            .unwrap()
            .unwrap()
            .paused
    );

    let mut admin = Visitor::new(&site, "198.51.100.8");
    admin.log_in("boss").await;
    let saved = admin
        .submit(
            "/admin/pages/contact",
            "/admin/pages/contact",
            &[("markdown", "# 联系我们\n\n请写信给编辑部。")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/contact").await.body.contains("请写信给编辑部"));
    assert_eq!(admin.get("/admin/users").await.status, StatusCode::OK);
    let audit = admin.get("/admin/audit").await.body;
    // In the editors' words, each object a link to its page.
    assert!(
        audit.contains("<td data-label=\"操作\">修改页面</td>")
            && audit.contains("<td data-label=\"操作\">暂停抓取</td>"),
        "{audit}"
    );
    assert!(audit.contains("<a href=\"/admin/sources/"), "{audit}");
    assert!(
        !audit.contains("source.pause") && !audit.contains("user.login"),
        "{audit}"
    );

    // An admin deletes a source with its articles: they leave search too.
    let victim = find(&site, "寒潮周末到来").await;
    let owner = site
        .state
        .store()
        .source_by_slug(&victim.source_slug)
        .await
        .unwrap()
        .unwrap();
    let query = format!(
        "/search?q={}",
        url::form_urlencoded::byte_serialize("寒潮".as_bytes()).collect::<String>()
    );
    let link = format!("/article/{}\"", victim.id);
    assert!(admin.get(&query).await.body.contains(&link));
    let delete = format!("/admin/sources/{}/delete", owner.id);
    let edit = format!("/admin/sources/{}", owner.id);
    let unconfirmed = admin
        .submit(&edit, &delete, &[("with_articles", "yes")])
        .await;
    assert_eq!(
        unconfirmed.status,
        StatusCode::BAD_REQUEST,
        "not without the box ticked"
    );
    assert!(
        unconfirmed.body.contains("确认删除"),
        "{}",
        unconfirmed.body
    );
    let refused = admin.submit(&edit, &delete, &[("confirm", "yes")]).await;
    assert_eq!(
        refused.status,
        StatusCode::CONFLICT,
        "not without its articles unless asked"
    );
    let deleted = admin
        .submit(
            &edit,
            &delete,
            &[("with_articles", "yes"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert!(!admin.get(&query).await.body.contains(&link));
    let page = format!("/article/{}", victim.id);
    assert_eq!(admin.get(&page).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn links_to_private_addresses_are_refused_with_the_reason() {
    let site = site().await;
    let mut reader = Visitor::new(&site, "203.0.113.5");
    for (url, shown) in [
        ("http://127.0.0.1:8080/admin", "127.0.0.1"),
        ("http://10.20.30.40/internal", "10.20.30.40"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://[::1]/", "::1"),
    ] {
        let reply = reader
            .submit(
                "/submit",
                "/submit",
                &[("kind", "tip"), ("body", "一条线索"), ("url", url)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(reply.body.contains("本站不会访问"), "{url}: {}", reply.body);
        assert!(reply.body.contains(shown), "{url} names the address");
        assert!(reply.body.contains("一条线索"), "what was typed is kept");
    }
    assert_eq!(requests(&site).await, 0);
}

#[tokio::test]
async fn oversized_submissions_get_a_clear_error_and_lose_nothing() {
    let site = site().await;
    let articles_before = site.state.store().article_count().await.unwrap();
    let mut reader = Visitor::new(&site, "203.0.113.5");
    reader
        .submit(
            "/submit",
            "/submit",
            &[("kind", "tip"), ("body", "先前的一条线索")],
        )
        .await;
    assert_eq!(requests(&site).await, 1);

    // Over a field's limit: the form comes back with the text and says by how much.
    let long = "字".repeat(5_001);
    let reply = reader
        .submit("/submit", "/submit", &[("kind", "tip"), ("body", &long)])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("5001 个字"),
        "{}",
        &reply.body[..2000.min(reply.body.len())]
    );
    assert!(reply.body.contains(&long), "the text is given back");

    // Over the body limit: refused before any handler, with the site's page.
    let huge = "字".repeat(400_000);
    let reply = reader
        .submit(
            "/submit",
            "/submit",
            &[("kind", "article"), ("title", "大"), ("body", &huge)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("上限"), "{}", reply.body);

    assert_eq!(
        requests(&site).await,
        1,
        "the earlier submission is still there, alone"
    );
    assert_eq!(
        site.state.store().article_count().await.unwrap(),
        articles_before
    );
    let later = reader
        .submit(
            "/submit",
            "/submit",
            &[("kind", "tip"), ("body", "之后的一条线索")],
        )
        .await;
    assert_eq!(later.status, StatusCode::OK, "the site goes on working");
}

#[tokio::test]
async fn bots_and_floods_are_held_off() {
    let site = site().await;
    let mut bot = Visitor::new(&site, "203.0.113.5");
    let honeypot = bot
        .submit(
            "/submit",
            "/submit",
            &[
                ("kind", "tip"),
                ("body", "买药"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(honeypot.status, StatusCode::OK, "told nothing");
    assert!(honeypot.body.contains("已收到") && !honeypot.body.contains("id=\"receipt\""));
    assert_eq!(requests(&site).await, 0, "but nothing stored");

    let mut reader = Visitor::new(&site, "203.0.113.6");
    for i in 0..5 {
        let body = format!("第{i}条线索");
        let reply = reader
            .submit("/submit", "/submit", &[("kind", "tip"), ("body", &body)])
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let sixth = reader
        .submit(
            "/submit",
            "/submit",
            &[("kind", "tip"), ("body", "第六条线索")],
        )
        .await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(sixth.body.contains("每小时最多提交 5 次"));
    assert!(sixth.body.contains("第六条线索"), "kept for later");
    let mut neighbour = Visitor::new(&site, "203.0.113.7");
    let other = neighbour
        .submit(
            "/takedown",
            "/takedown",
            &[
                ("claimant", "甲"),
                ("contact", "a@example.com"),
                ("pages", "https://news.example/article/1"),
                ("work", "作品"),
                ("statement", "声明"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::OK,
        "another address is not limited"
    );
}

#[tokio::test]
async fn an_approved_takedown_is_gone_from_every_list_search_and_related_reading() {
    let site = site().await;
    // An article that some other article offers as related reading, with a title of its own,
    // so that its leaving related reading, and every list, can be seen.
    let index = site.state.search().unwrap();
    let live = site
        .state
        .store()
        .latest_articles(ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items;
    let offered_by = |id: i64| -> Vec<i64> {
        live.iter()
            .map(|a| a.id)
            .filter(|other| index.related(*other, 8).unwrap().iter().any(|r| r.id == id))
            .collect()
    };
    let mut reader = Visitor::new(&site, "203.0.113.5");
    let feed = reader.get("/feed.xml").await.body;
    let (target, neighbours) = live
        .iter()
        .filter(|a| live.iter().filter(|b| b.title == a.title).count() == 1)
        // In the feed by its own item alone (another article's text may name it).
        .filter(|a| feed.matches(&a.title).count() == 1)
        .map(|a| (a.clone(), offered_by(a.id)))
        .find(|(_, by)| !by.is_empty())
        .expect("some article is offered as related reading");
    let path = format!("/article/{}", target.id);
    // Before: on its page, in the feeds, the sitemap, search, and someone's related reading.
    let page = reader.get(&path).await.body;
    assert!(
        page.contains(&format!("/takedown?article={}", target.id)),
        "a report link"
    );
    assert!(page.contains("href=\"/submit\""), "a submission link");
    let query = format!(
        "/search?q={}",
        url::form_urlencoded::byte_serialize(target.title.as_bytes()).collect::<String>()
    );
    assert!(reader.get(&query).await.body.contains(&path));
    assert!(reader.get("/sitemap.xml").await.body.contains(&path));

    let form = reader
        .get(&format!("/takedown?article={}", target.id))
        .await;
    assert!(
        form.body.contains(&format!("https://news.example{path}")),
        "prefilled"
    );
    let sent = reader
        .submit(
            &format!("/takedown?article={}", target.id),
            "/takedown",
            &[
                ("claimant", "星河日报社"),
                ("contact", "legal@xinghe.example"),
                ("pages", &format!("https://news.example{path}")),
                ("work", "本社原创报道"),
                ("statement", "本社为著作权人，未授权转载。"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let receipt = receipt_of(&sent.body);

    let mut editor = Visitor::new(&site, "198.51.100.7");
    editor.log_in("ed").await;
    let takedown = site
        .state
        .store()
        .takedown_by_receipt(&receipt)
        .await
        .unwrap()
        .unwrap();
    let review = editor
        .get(&format!("/admin/takedowns/{}", takedown.id))
        .await
        .body;
    assert!(
        review.contains(&format!("name=\"article\" value=\"{}\"", target.id)),
        "the page named is matched"
    );
    let id = target.id.to_string();
    let unconfirmed = editor
        .submit(
            &format!("/admin/takedowns/{}", takedown.id),
            &format!("/admin/takedowns/{}/approve", takedown.id),
            &[("article", &id), ("note", "核实无误")],
        )
        .await;
    assert_eq!(
        unconfirmed.status,
        StatusCode::BAD_REQUEST,
        "a box to tick first"
    );
    assert_eq!(
        reader.get(&path).await.status,
        StatusCode::OK,
        "nothing removed yet"
    );
    let approved = editor
        .submit(
            &format!("/admin/takedowns/{}", takedown.id),
            &format!("/admin/takedowns/{}/approve", takedown.id),
            &[("article", &id), ("note", "核实无误"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);

    let gone = reader.get(&path).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("应权利人要求"));
    assert!(gone.body.contains(&receipt));
    assert!(!gone.body.contains(&target.title));
    for list in ["/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/hot"] {
        let body = reader.get(list).await.body;
        let at = body.find(&path).or(body.find(&target.title));
        assert!(
            at.is_none(),
            "{list} still has it: {}",
            body[at.unwrap_or(0)..]
                .chars()
                .take(120)
                .collect::<String>()
        );
    }
    // The search page repeats the query, which is the title: the link is what must be gone.
    assert!(
        !reader.get(&query).await.body.contains(&path),
        "search still finds it"
    );
    for id in &neighbours {
        assert!(
            !index
                .related(*id, 8)
                .unwrap()
                .iter()
                .any(|r| r.id == target.id),
            "related reading of {id} still offers it"
        );
        assert!(
            !reader
                .get(&format!("/article/{id}"))
                .await
                .body
                .contains(&path)
        );
    }
    let status = reader
        .get(&format!("/takedown/status?receipt={receipt}"))
        .await
        .body;
    assert!(
        status.contains("已删除相关文章") && status.contains("核实无误"),
        "{status}"
    );
    let report = reader.get("/transparency").await.body;
    // The month the decision was made in, not the month the test reads the report in.
    let decided = site
        .state
        .store()
        .takedown_by_receipt(&receipt)
        .await
        .unwrap()
        .unwrap()
        .decided_at
        .unwrap();
    let month = decided
        .with_timezone(&xinwen_model::china_offset())
        .format("%Y-%m")
        .to_string();
    assert!(report.contains(&month), "{report}");
    let audit = editor.get("/admin/audit").await.body;
    assert!(
        audit.contains("批准删除请求") && audit.contains("下架文章"),
        "{audit}"
    );
    assert!(
        audit.contains("公众（网站表单）"),
        "the request came from the public form"
    );
}

/// A site whose preview fetcher reaches a local origin under public-looking names: `allowed`
/// decides whether the origin's address (127.0.0.1) is on the operator's allow-list.
async fn site_with_fetcher(allowed: bool) -> (Site, SocketAddr) {
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/story.html",
        get(|| async {
            axum::response::Html(
                "<html><head><title>东湖樱花提前开放 - 东湖观察</title></head><body><nav>首页 新闻</nav>\
                 <article><h1>东湖樱花提前开放</h1><p>青澜市东湖公园的樱花今年比往年早开了一周，周末游客明显增多，园方增派了志愿者在入口处引导。</p>\
                 <p>园方提醒游客不要攀折花枝，并建议错峰出行，乘坐公共交通前往。</p><script>alert('page script')</script></article></body></html>",
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut guard = if allowed {
        xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()])
    } else {
        xinwen_fetch::Guard::new(Vec::new())
    };
    guard.resolve_to("tips.example", origin);
    let fetcher = xinwen_fetch::Fetcher::new(xinwen_fetch::FetchConfig {
        guard,
        min_host_delay: std::time::Duration::ZERO,
        ..xinwen_fetch::FetchConfig::default()
    })
    .unwrap();
    let base = site().await;
    let services = Services {
        fetcher: Some(Arc::new(fetcher)),
        ..Services::default()
    };
    let state = AppState::with_services(
        base.state.store().clone(),
        base.state.site().clone(),
        services,
    );
    (
        Site {
            state,
            _dir: base._dir,
        },
        origin,
    )
}

/// A reader sends a tip with `url`; an editor previews the link. Returns the preview page.
async fn preview_of_tip(site: &Site, body: &str, url: &str) -> Reply {
    let mut reader = Visitor::new(site, "203.0.113.5");
    let sent = reader
        .submit(
            "/submit",
            "/submit",
            &[("kind", "tip"), ("body", body), ("url", url)],
        )
        .await;
    assert_eq!(
        sent.status,
        StatusCode::OK,
        "a public-looking name is accepted: {}",
        sent.body
    );
    let id = site
        .state
        .store()
        .submissions(SubmissionStatus::Pending, 1, 1)
        .await
        .unwrap()
        .items[0]
        .id;
    let mut editor = Visitor::new(site, "198.51.100.7");
    editor.log_in("ed").await;
    let preview = editor
        .submit(
            &format!("/admin/submissions/{id}"),
            &format!("/admin/submissions/{id}/preview"),
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    preview
}

#[tokio::test]
async fn an_editor_previews_a_submitted_link_through_the_guard() {
    for allowed in [true, false] {
        let (site, _) = site_with_fetcher(allowed).await;
        let preview = preview_of_tip(&site, "东湖樱花开了", "http://tips.example/story.html").await;
        assert!(!preview.body.contains("alert('page script')"), "text only");
        if allowed {
            assert!(preview.body.contains("id=\"preview\""), "{}", preview.body);
            assert!(preview.body.contains("东湖樱花提前开放"));
            assert!(preview.body.contains("园方增派了志愿者"));
            assert!(
                !preview.body.contains("首页 新闻"),
                "extracted, not the whole page"
            );
        } else {
            // The name resolves to a loopback address the operator has not allowed.
            assert!(
                preview.body.contains("id=\"preview-error\""),
                "{}",
                preview.body
            );
            assert!(preview.body.contains("127.0.0.1"), "{}", preview.body);
        }
    }
}

#[tokio::test]
async fn concurrent_guesses_meet_the_login_limit_one_at_a_time() {
    let site = site().await;
    // Forty-one browsers, each with its form token, send their guess at the same moment;
    // one of the guesses is right.
    let mut visitors = Vec::new();
    for i in 0..41 {
        let mut visitor = Visitor::new(&site, &format!("198.51.100.{}", i + 1));
        let form = visitor.get("/admin/login").await;
        let token = csrf_of(&form.body);
        visitors.push((visitor, token));
    }
    let guesses = visitors
        .iter_mut()
        .enumerate()
        .map(|(i, (visitor, token))| {
            let password = if i == 20 {
                PASSWORD.to_owned()
            } else {
                format!("wrong guess {i}")
            };
            let token = token.clone();
            async move {
                visitor
                    .post(
                        "/admin/login",
                        &[
                            ("csrf", token.as_str()),
                            ("username", "ed"),
                            ("password", password.as_str()),
                            ("next", "/admin"),
                        ],
                    )
                    .await
                    .status
            }
        });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| matches!(**s, StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER))
        .count();
    let held = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked, 5,
        "only the limit's five guesses had their password checked: {statuses:?}"
    );
    assert_eq!(held, 36, "{statuses:?}");
}

#[tokio::test]
async fn a_reader_s_link_is_never_fetched_from_a_private_host_even_one_the_operator_allowed() {
    use axum::routing::get;
    // The operator allows 127.0.0.1 (a publisher on the local network, as the demo does); a
    // reader's link to a name that resolves there, and a redirect there, must still be refused.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route(
            "/secret.html",
            get(|| async { axum::response::Html("<html><body><article><p>内部网络的机密内容，绝不能被读者看到。这是一段足够长的正文。</p></article></body></html>") }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut guard = xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()]);
    guard.resolve_to("intranet.example", origin);
    let operators = xinwen_fetch::FetchConfig {
        guard,
        min_host_delay: std::time::Duration::ZERO,
        ..xinwen_fetch::FetchConfig::default()
    };
    let fetcher = xinwen_fetch::Fetcher::new(operators.for_readers_links()).unwrap();
    let base = site().await;
    let site = Site {
        state: AppState::with_services(
            base.state.store().clone(),
            base.state.site().clone(),
            Services {
                fetcher: Some(Arc::new(fetcher)),
                ..Services::default()
            },
        ),
        _dir: base._dir,
    };
    let preview = preview_of_tip(&site, "内部消息", "http://intranet.example/secret.html").await;
    assert!(
        !preview.body.contains("机密内容"),
        "the private page was fetched: {}",
        preview.body
    );
    assert!(
        preview.body.contains("id=\"preview-error\""),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("127.0.0.1"), "{}", preview.body);
}

#[tokio::test]
async fn a_login_link_keeps_the_admin_page_it_came_from() {
    let site = site().await;
    let mut visitor = Visitor::new(&site, "198.51.100.9");
    let reply = visitor.get("/admin/submissions?status=pending").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.location,
        "/admin/login?next=%2Fadmin%2Fsubmissions%3Fstatus%3Dpending"
    );
    let login = visitor.get(&reply.location).await;
    assert!(
        login
            .body
            .contains("name=\"next\" value=\"/admin/submissions?status=pending\""),
        "{}",
        login.body
    );
    let done = visitor
        .submit(
            &reply.location,
            "/admin/login",
            &[
                ("username", "ed"),
                ("password", PASSWORD),
                ("next", "/admin/submissions?status=pending"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(
        done.location
            .starts_with("/admin/submissions?status=pending"),
        "{}",
        done.location
    );
}

#[tokio::test]
async fn a_source_needs_a_channel_that_exists() {
    let site = site().await;
    let mut admin = Visitor::new(&site, "198.51.100.10");
    admin.log_in("boss").await;
    for channel in ["", "no-such-channel"] {
        let reply = admin
            .submit(
                "/admin/sources",
                "/admin/sources",
                &[
                    ("name", "无频道来源"),
                    ("slug", "no-channel"),
                    ("kind", "news_site"),
                    ("feed_url", "https://no-channel.example/feed.xml"),
                    ("channel", channel),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{channel:?}");
        assert!(reply.body.contains("默认频道"), "{}", reply.body);
    }
    assert!(site.state.store().find_source("no-channel").await.is_err());
}

#[tokio::test]
async fn a_stored_script_link_is_printed_as_a_dead_link() {
    // A row written before links were checked where they enter: printing checks again.
    let site = site().await;
    let article = find(&site, "台风").await;
    let path = format!("/article/{}", article.id);
    let mut reader = Visitor::new(&site, "203.0.113.9");
    let before = reader.get(&path).await.body;
    assert!(
        before.contains("class=\"original\" href=\"https://"),
        "{before}"
    );
    let corpus = xinwen_demo::load().unwrap();
    let mut row = corpus
        .articles
        .into_iter()
        .find(|a| a.title == article.title)
        .unwrap();
    // The store keeps what it is given; the same canonical URL makes this an update.
    row.original_url = "javascript:alert(document.cookie)".into();
    site.state.store().upsert_articles(&[row]).await.unwrap();
    site.state.invalidate_pages();
    let after = reader.get(&path).await.body;
    assert!(!after.contains("javascript:"), "{after}");
    assert!(after.contains("class=\"original\" href=\"#\""), "{after}");
}

#[tokio::test]
async fn a_sent_form_leads_to_a_receipt_page_that_reloads_without_sending_again() {
    let site = site().await;
    let mut reader = Visitor::new(&site, "203.0.113.9");
    for (form, fields) in [
        (
            "/submit",
            vec![("kind", "tip"), ("body", "渡口的候船亭漏雨了")],
        ),
        (
            "/takedown",
            vec![
                ("claimant", "东海晚报社"),
                ("contact", "rights@donghai.example"),
                ("pages", "https://news.example/article/1"),
                ("work", "本报原创稿件"),
                ("statement", "未经授权转载"),
                ("confirm", "yes"),
            ],
        ),
    ] {
        let page = reader.get(form).await;
        let token = csrf_of(&page.body);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(&fields);
        let sent = reader.post(form, &all).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{form}: {}", sent.body);
        assert!(
            sent.location
                .starts_with(&format!("{form}/received?receipt=")),
            "{}",
            sent.location
        );
        let before = requests(&site).await;
        let mut receipts = Vec::new();
        for _ in 0..2 {
            let shown = reader.get(&sent.location).await;
            assert_eq!(shown.status, StatusCode::OK);
            receipts.push(receipt_of(&shown.body));
        }
        assert_eq!(receipts[0], receipts[1]);
        assert!(sent.location.ends_with(&receipts[0]), "{}", sent.location);
        assert_eq!(
            requests(&site).await,
            before,
            "{form}: a reload sends nothing"
        );
        // A receipt that is not on record is thanked without a number.
        let unknown = reader.get(&format!("{form}/received?receipt=S-NOPE")).await;
        assert!(!unknown.body.contains("id=\"receipt\""), "{}", unknown.body);
    }
}

#[tokio::test]
async fn the_dashboard_and_a_source_page_draw_their_charts_without_script() {
    let site = site().await;
    let store = site.state.store();
    let sources = store.sources().await.unwrap();
    let now = chrono::Utc::now();
    let success = xinwen_store::FetchSuccess {
        etag: None,
        last_modified: None,
        articles_added: 4,
        publish_interval_secs: None,
        next_check_at: now,
        read_note: None,
    };
    for _ in 0..3 {
        store
            .record_fetch_success(sources[0].id, now, &success)
            .await
            .unwrap();
    }
    store
        .record_fetch_failure(sources[1].id, now, "超时", now)
        .await
        .unwrap();
    let mut admin = Visitor::new(&site, "198.51.100.8");
    admin.log_in("boss").await;
    let home = admin.get("/admin").await;
    assert_eq!(home.status, StatusCode::OK);
    for id in [
        "chart-channels",
        "chart-sources",
        "chart-fetches",
        "chart-queues",
    ] {
        assert!(
            home.body
                .contains(&format!("<svg class=\"chart\" id=\"{id}\"")),
            "{id}"
        );
    }
    assert!(!home.body.contains("<script"), "drawn on the server");
    let today = now
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%m/%d")
        .to_string();
    assert!(
        home.body
            .contains(&format!("<title>{today} 成功：3</title>")),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains(&format!("<title>{today} 失败：1</title>"))
    );
    let name = &sources[0].name;
    assert!(
        home.body
            .contains(&format!("<title>{today} {name}：12</title>")),
        "articles added, by source"
    );
    let page = admin
        .get(&format!("/admin/sources/{}", sources[0].id))
        .await;
    assert!(page.body.contains("id=\"chart-source-fetches\""));
    assert!(
        page.body
            .contains(&format!("<title>{today} 新收文章：12</title>"))
    );
}

#[tokio::test]
async fn an_admin_sees_the_api_tokens_and_revokes_one_and_the_log_names_it() {
    let site = site().await;
    let store = site.state.store();
    store
        .add_api_token(
            "newsroom-bot",
            Role::Editor,
            &xinwen_accounts::token_digest("xw_bot"),
            &xinwen_store::Actor::operator(),
        )
        .await
        .unwrap();
    let mut editor = Visitor::new(&site, "198.51.100.7");
    editor.log_in("ed").await;
    let refused = editor
        .submit(
            "/admin",
            "/admin/tokens/newsroom-bot/revoke",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let mut owner = Visitor::new(&site, "198.51.100.8");
    owner.log_in("boss").await;
    let page = owner.get("/admin/users").await;
    assert!(page.body.contains("newsroom-bot"), "{}", page.body);
    assert!(page.body.contains("未使用"));
    let done = owner
        .submit(
            "/admin/users",
            "/admin/tokens/newsroom-bot/revoke",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        store
            .api_token_by_digest(&xinwen_accounts::token_digest("xw_bot"))
            .await
            .unwrap()
            .is_none()
    );
    let log = owner.get("/admin/audit").await;
    assert!(log.body.contains("作废接口令牌"), "{}", log.body);
    let page = owner.get("/admin/users").await;
    assert!(page.body.contains("作废"), "{}", page.body);
}

/// What a webhook receiver was sent: path, headers, body.
type Received = Arc<std::sync::Mutex<Vec<(String, axum::http::HeaderMap, String)>>>;

/// A receiver on 127.0.0.1 that records everything: `/ok` answers 200, `/broken` 500.
async fn receiver() -> (SocketAddr, Received) {
    use axum::extract::State as Shared;
    let received: Received = Arc::default();
    let record = |status: StatusCode| {
        move |Shared(log): Shared<Received>,
              uri: axum::http::Uri,
              headers: axum::http::HeaderMap,
              body: String| async move {
            log.lock()
                .unwrap()
                .push((uri.path().to_owned(), headers, body));
            status
        }
    };
    let app = axum::Router::new()
        .route("/ok", axum::routing::post(record(StatusCode::OK)))
        .route(
            "/broken",
            axum::routing::post(record(StatusCode::INTERNAL_SERVER_ERROR)),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, received)
}

#[tokio::test]
async fn webhooks_are_told_of_decisions_and_hot_stories_signed_and_failures_are_retried() {
    use hmac::Mac;
    let (receiver_at, received) = receiver().await;
    let fetcher = xinwen_fetch::Fetcher::new(xinwen_fetch::FetchConfig {
        guard: xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: std::time::Duration::ZERO,
        ..xinwen_fetch::FetchConfig::default()
    })
    .unwrap();
    let base = site().await;
    let state = AppState::with_services(
        base.state.store().clone(),
        base.state.site().clone(),
        Services {
            fetcher: Some(Arc::new(fetcher)),
            ..Services::default()
        },
    );
    let site = Site {
        state,
        _dir: base._dir,
    };
    let store = site.state.store().clone();

    // Registered by an admin, through the guard.
    let mut owner = Visitor::new(&site, "198.51.100.8");
    owner.log_in("boss").await;
    let refused = owner
        .submit(
            "/admin/webhooks",
            "/admin/webhooks",
            &[("url", "http://10.1.2.3/hook"), ("event", "story.hot")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("非公网地址 10.1.2.3"),
        "{}",
        refused.body
    );
    let ok_url = format!("http://{receiver_at}/ok");
    let broken_url = format!("http://{receiver_at}/broken");
    for (url, events) in [
        (
            &ok_url,
            vec!["story.hot", "submission.published", "takedown.decided"],
        ),
        (&broken_url, vec!["takedown.decided"]),
    ] {
        let mut fields = vec![("url", url.as_str())];
        fields.extend(events.iter().map(|e| ("event", *e)));
        let added = owner
            .submit("/admin/webhooks", "/admin/webhooks", &fields)
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let hooks = store.webhooks().await.unwrap();
    assert_eq!(hooks.len(), 2);

    // A story two sources tell, hot at once; a submission published; a takedown rejected.
    let live = store
        .latest_articles(ArticleFilter::default(), 1, 100, false)
        .await
        .unwrap()
        .items;
    let first = &live[0];
    let second = live
        .iter()
        .find(|a| a.source_slug != first.source_slug)
        .unwrap();
    for id in [first.id, second.id] {
        store
            .assign_story(id, 1, None, (&[], 0, 0, &[]))
            .await
            .unwrap();
    }
    let submission = store
        .add_submission(
            &xinwen_store::NewSubmission {
                kind: xinwen_model::SubmissionKind::Tip,
                title: "东湖樱花提前开放".into(),
                body: "东湖公园的樱花今年提前一周开放，周末游客明显增多。".into(),
                url: None,
                author: None,
                contact: None,
                address_hash: "h".into(),
            },
            "S-HOOK-0001",
        )
        .await
        .unwrap();
    let takedown = store
        .add_takedown(
            &xinwen_store::NewTakedown {
                claimant: "东海晚报社".into(),
                contact: "legal@donghai.example".into(),
                pages: "https://news.example/article/1".into(),
                work: "稿件".into(),
                statement: "本社是著作权人。".into(),
                address_hash: "h".into(),
            },
            "T-HOOK-0001",
        )
        .await
        .unwrap();
    let mut editor = Visitor::new(&site, "198.51.100.7");
    editor.log_in("ed").await;
    let published = editor
        .submit(
            &format!("/admin/submissions/{submission}"),
            &format!("/admin/submissions/{submission}/approve"),
            &[("title", "东湖樱花提前开放 游客增多")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let rejected = editor
        .submit(
            &format!("/admin/takedowns/{takedown}"),
            &format!("/admin/takedowns/{takedown}/reject"),
            &[("note", "请求中的链接不是本站文章。")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);

    // Two web nodes on one store: the one holding the task sends, each delivery once.
    let workers = [
        xinwen_web::start_webhooks(site.state.clone(), "node-1".into()).unwrap(),
        xinwen_web::start_webhooks(site.state.clone(), "node-2".into()).unwrap(),
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let count = received.lock().unwrap().len();
        if count >= 4 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Long enough for a second sender's first round to show.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for worker in workers {
        worker.abort();
    }

    let log = received.lock().unwrap().clone();
    let secret_of = |url: &str| hooks.iter().find(|h| h.url == url).unwrap().secret.clone();
    let mut events: Vec<(String, String)> = Vec::new();
    for (path, headers, body) in &log {
        let secret = secret_of(&format!("http://{receiver_at}{path}"));
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            headers["x-xinwen-signature"].to_str().unwrap(),
            format!("sha256={expected}"),
            "signed with the webhook's own secret"
        );
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["event"], headers["x-xinwen-event"].to_str().unwrap());
        events.push((path.clone(), json["event"].as_str().unwrap().to_owned()));
        if json["event"] == "submission.published" {
            assert_eq!(json["data"]["submission_id"], submission);
            assert!(json["data"]["url"].as_str().unwrap().contains("/article/"));
        }
        if json["event"] == "story.hot" {
            assert_eq!(json["data"]["story_id"], 1);
            assert_eq!(json["data"]["source_count"], 2);
        }
        if json["event"] == "takedown.decided" {
            assert_eq!(json["data"]["decision"], "rejected");
        }
    }
    events.sort();
    assert_eq!(
        events,
        [
            ("/broken".to_owned(), "takedown.decided".to_owned()),
            ("/ok".to_owned(), "story.hot".to_owned()),
            ("/ok".to_owned(), "submission.published".to_owned()),
            ("/ok".to_owned(), "takedown.decided".to_owned()),
        ]
    );

    // The receiver that failed is tried again later, and the admin says so.
    let broken = hooks.iter().find(|h| h.url == broken_url).unwrap();
    let deliveries = store.webhook_deliveries(broken.id, 10).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].attempts, 1);
    assert_eq!(deliveries[0].last_status, Some(500));
    assert!(deliveries[0].next_attempt_at.unwrap() > chrono::Utc::now());
    let page = owner.get("/admin/webhooks").await;
    assert!(page.body.contains("重试"), "{}", page.body);
    assert!(
        page.body.contains("the receiver answered 500"),
        "{}",
        page.body
    );
    assert!(page.body.contains("已送达"), "{}", page.body);
}

/// A site whose fetcher and ingester reach a portal without a feed, served on 127.0.0.1 as
/// `portal.example`.
async fn site_with_portal() -> Site {
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = listener.local_addr().unwrap();
    let article = |n: usize| {
        let body: String = (1..=5)
            .map(|p| format!("<p>第{p}段：青澜港今天迎来冬季第一批远洋渔船，码头工人连夜卸货，鱼市的批发价格随之回落，市民可以在周末的早市上买到新鲜的带鱼和鲳鱼。</p>"))
            .collect();
        axum::response::Html(format!(
            "<html><head><title>渔港新闻第{n}篇 - 青澜港讯</title><meta property=\"article:published_time\" content=\"2026-12-01T08:00:00+08:00\"></head>\
             <body><div id=\"nav\"><a href=\"/\">首页</a></div><div class=\"article\"><h1>渔港新闻第{n}篇</h1>{body}</div></body></html>"
        ))
    };
    let app = axum::Router::new()
        .route(
            "/news/",
            get(|| async {
                axum::response::Html(
                    "<html><head><title>要闻 - 青澜港讯</title></head><body><div id=\"nav\"><a href=\"/\">首页</a></div>\
                     <ul class=\"list\"><li><a href=\"/2026/12/a00002.html\">渔港新闻第2篇：冬季第一批远洋渔船靠港</a></li>\
                     <li><a href=\"/2026/12/a00001.html\">渔港新闻第1篇：鱼市批发价格回落</a></li></ul></body></html>",
                )
            }),
        )
        .route("/2026/12/a00001.html", get(move || async move { article(1) }))
        .route("/2026/12/a00002.html", get(move || async move { article(2) }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut guard = xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()]);
    guard.resolve_to("portal.example", origin);
    let fetcher = Arc::new(
        xinwen_fetch::Fetcher::new(xinwen_fetch::FetchConfig {
            guard,
            min_host_delay: std::time::Duration::ZERO,
            ..xinwen_fetch::FetchConfig::default()
        })
        .unwrap(),
    );
    let base = site().await;
    let ingester = xinwen_ingest::Ingester::new(
        base.state.store().clone(),
        fetcher.clone(),
        xinwen_media::Signer::load_or_create(base._dir.path()).unwrap(),
        xinwen_ingest::IngestConfig::default(),
    );
    let services = Services {
        fetcher: Some(fetcher),
        ingester: Some(Arc::new(ingester)),
        ..Services::default()
    };
    let state = AppState::with_services(
        base.state.store().clone(),
        base.state.site().clone(),
        services,
    );
    Site {
        state,
        _dir: base._dir,
    }
}

#[tokio::test]
async fn an_admin_adds_a_feedless_portal_after_previewing_what_it_gives() {
    let site = site_with_portal().await;
    let mut admin = Visitor::new(&site, "198.51.100.11");
    admin.log_in("boss").await;
    let preview = admin
        .submit(
            "/admin/sources",
            "/admin/sources/preview",
            &[
                ("feed_url", "http://portal.example/news/"),
                ("kind", ""),
                ("channel", "shehui"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let body = &preview.body;
    assert!(body.contains("没有订阅源，将作为列表页读取"), "{body}");
    assert!(body.contains("将收录的文章链接（2 条）"), "{body}");
    assert!(
        body.contains("http://portal.example/2026/12/a00002.html"),
        "{body}"
    );
    assert!(
        body.contains("<dd>渔港新闻第2篇</dd>"),
        "the first article extracted: {body}"
    );
    assert!(
        body.contains("value=\"要闻 - 青澜港讯\""),
        "named by the page: {body}"
    );
    assert!(body.contains("<option value=\"page\" selected>"), "{body}");
    assert!(
        site.state.store().find_source("portal").await.is_err(),
        "nothing stored yet"
    );

    let saved = admin
        .submit(
            "/admin/sources",
            "/admin/sources",
            &[
                ("name", "青澜港讯"),
                ("slug", "gangxun"),
                ("kind", "page"),
                ("feed_url", "http://portal.example/news/"),
                ("link_selector", ".list"),
                ("publisher", "official"),
                ("channel", "shehui"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let source = site.state.store().find_source("gangxun").await.unwrap();
    assert_eq!(source.kind, xinwen_model::SourceKind::Page);
    assert_eq!(source.publisher, xinwen_model::Publisher::Official);
    assert_eq!(source.link_selector.as_deref(), Some(".list"));

    // What cannot be read says why, and offers the form back.
    let bad = admin
        .submit(
            "/admin/sources",
            "/admin/sources/preview",
            &[
                ("feed_url", "http://portal.example/news/"),
                ("kind", "page"),
                ("link_pattern", "(unclosed"),
                ("channel", "shehui"),
            ],
        )
        .await;
    assert!(
        bad.body.contains("not a regular expression"),
        "{}",
        bad.body
    );
    assert!(
        !bad.body.contains("id=\"save-source-button\""),
        "{}",
        bad.body
    );
    // A WeChat account without a bridge is refused.
    let refused = admin
        .submit(
            "/admin/sources",
            "/admin/sources",
            &[
                ("name", "无桥接"),
                ("slug", "no-bridge"),
                ("kind", "wechat"),
                ("channel", "shehui"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("桥接"), "{}", refused.body);
}

#[tokio::test]
async fn an_editor_adds_one_article_by_its_link_and_readers_see_its_source_type() {
    let site = site_with_portal().await;
    let mut editor = Visitor::new(&site, "198.51.100.12");
    editor.log_in("ed").await;
    let added = editor
        .submit(
            "/admin/sources",
            "/admin/articles/add",
            &[
                ("url", "http://portal.example/2026/12/a00001.html"),
                ("source", "xinghe-ribao"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(
        added.location.starts_with("/article/"),
        "{}",
        added.location
    );
    let page = editor.get(&added.location).await;
    assert!(page.body.contains("渔港新闻第1篇"), "{}", page.body);
    assert!(
        page.body
            .contains("<span class=\"source-type\" title=\"来源类型\">官方媒体</span>"),
        "星河日报 is official media: {}",
        page.body
    );
    // An address that is not public is refused before anything is fetched.
    let refused = editor
        .submit(
            "/admin/sources",
            "/admin/articles/add",
            &[
                ("url", "http://127.0.0.1/x.html"),
                ("source", "xinghe-ribao"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
}
