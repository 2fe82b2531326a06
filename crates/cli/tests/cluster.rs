//! Several processes on one PostgreSQL, as an operator runs xinwen past one machine: web nodes
//! (`serve --no-fetch`) and fetch workers (`fetch`), each with a data directory of its own,
//! started for real on 127.0.0.1 against a throwaway database of the test server
//! (`xinwen_test_support::postgres_database`; skipped, saying so, without one).
//!
//! The publishers are an origin of the test's own serving the demo corpus as full-text RSS
//! feeds, one per source, and counting what it is asked for.

mod common;

use common::{BINARY, Server, Session};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use xinwen_model::{NewSource, SourceKind};
use xinwen_store::Store;

/// A publisher for the test: fixed paths, each answered after `delay`, every request counted.
struct Origin {
    base: String,
    asked: Arc<Mutex<HashMap<String, usize>>>,
    /// The most requests it was answering at one moment.
    most_at_once: Arc<AtomicUsize>,
}

impl Origin {
    /// Listens, then serves what `pages` makes of its own address.
    fn start(pages: impl FnOnce(&str) -> HashMap<String, String>, delay: Duration) -> Origin {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let asked: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let pages = Arc::new(pages(&base));
        let counter = asked.clone();
        let most_at_once = Arc::new(AtomicUsize::new(0));
        let (most, at_once) = (most_at_once.clone(), Arc::new(AtomicUsize::new(0)));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (pages, counter) = (pages.clone(), counter.clone());
                let (most, at_once) = (most.clone(), at_once.clone());
                std::thread::spawn(move || {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let request = String::from_utf8_lossy(&request);
                    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    *counter.lock().unwrap().entry(path.clone()).or_default() += 1;
                    most.fetch_max(at_once.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                    std::thread::sleep(delay);
                    let reply = match pages.get(&path) {
                        Some(body) => format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        ),
                        None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_owned(),
                    };
                    let _ = stream.write_all(reply.as_bytes());
                    at_once.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Origin {
            base,
            asked,
            most_at_once,
        }
    }

    fn asked(&self, path: &str) -> usize {
        self.asked.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    fn feeds_asked(&self) -> usize {
        self.asked
            .lock()
            .unwrap()
            .iter()
            .filter(|(path, _)| path.starts_with("/feeds/"))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The demo corpus as a site of full-text feeds on an origin: its pages, and the sources that
/// read them (every one a feed at `base`).
fn demo_feeds(base: &str) -> (HashMap<String, String>, Vec<NewSource>, usize) {
    let corpus = xinwen_demo::load().unwrap();
    let mut pages = HashMap::new();
    // The first article shows a picture of the publisher's own, which web nodes proxy.
    pages.insert(PICTURE.to_owned(), PICTURE_SVG.to_owned());
    let mut sources = Vec::new();
    let mut items_total = 0;
    for source in &corpus.sources {
        let mut items = String::new();
        for (n, article) in corpus
            .articles
            .iter()
            .filter(|a| a.source_slug == source.slug)
            .enumerate()
        {
            let link = format!("{base}/{}/{n}.html", source.slug);
            items.push_str(&format!(
                "<item><title>{}</title><link>{link}</link><guid>{link}</guid><pubDate>{}</pubDate>\
                 <content:encoded><![CDATA[{}]]></content:encoded></item>\n",
                escape(&article.title),
                article.published_at.to_rfc2822(),
                picture_for(article, &corpus.articles[0], base)
                    + &article.body_html.replace("]]>", "]]]]><![CDATA[>"),
            ));
            items_total += 1;
        }
        let path = format!("/feeds/{}.xml", source.slug);
        pages.insert(
            path.clone(),
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
                 xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
                 <title>{}</title><link>{base}/</link><description>test</description>\n{items}</channel></rss>",
                escape(&source.name)
            ),
        );
        let mut source = source.clone();
        source.kind = SourceKind::Feed;
        source.feed_url = Some(format!("{base}{path}"));
        source.homepage = Some(format!("{base}/"));
        source.bridges = Vec::new();
        source.link_selector = None;
        source.link_pattern = None;
        sources.push(source);
    }
    (pages, sources, items_total)
}

/// Where the origin keeps the picture the first article shows, and the picture.
const PICTURE: &str = "/images/harbour.svg";
const PICTURE_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#36c\"/></svg>";

fn picture_for(
    article: &xinwen_model::NewArticle,
    first: &xinwen_model::NewArticle,
    base: &str,
) -> String {
    if std::ptr::eq(article, first) {
        format!("<p><img src=\"{base}{PICTURE}\" alt=\"港口\"></p>")
    } else {
        String::new()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The settings every process of the test runs with: the origin on 127.0.0.1 may be fetched,
/// quickly, and a dead worker's sources go to another after two seconds.
fn config_file(dir: &Path) -> PathBuf {
    config_file_with(dir, "min_host_delay_ms = 20\n", "")
}

/// [`config_file`] with more `[fetch]` and `[ingest]` settings.
fn config_file_with(dir: &Path, fetch: &str, ingest: &str) -> PathBuf {
    let path = dir.join("xinwen.toml");
    std::fs::write(
        &path,
        // A killed worker's places at the origin free themselves after a request's longest
        // time: short here, so that the test does not wait long for them.
        format!(
            "[fetch]\nallow = [\"127.0.0.1/32\"]\n\
             timeout_secs = 5\nconnect_timeout_secs = 2\n{fetch}\n\
             [ingest]\nlease_secs = 2\n{ingest}"
        ),
    )
    .unwrap();
    path
}

/// Writes the channels and `sources` into the store at `database_url` (SQLite in `data` when
/// `None`), as an operator adding them would.
fn seed(data: &Path, database_url: Option<&str>, sources: &[NewSource]) {
    runtime().block_on(async {
        let store = Store::connect(data, database_url).await.unwrap();
        for channel in xinwen_demo::load().unwrap().channels {
            store.upsert_channel(&channel).await.unwrap();
        }
        for source in sources {
            store.upsert_source(source).await.unwrap();
        }
        store.close().await;
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `xinwen ARGS…` on the shared database, with the test's settings.
fn xinwen(args: &[&str], config: &Path, data: &Path, database_url: &str) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .arg("--config")
        .arg(config)
        .arg("--database-url")
        .arg(database_url)
        .arg("--data")
        .arg(data)
        .env("XINWEN_LOG", "error");
    command
}

/// A fetch worker process, killed when dropped (a failed test leaves none behind).
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fetch worker: `xinwen fetch`, the scheduler without a web server.
fn worker(config: &Path, data: &Path, database_url: &str) -> Worker {
    Worker(
        Command::new(BINARY)
            .args(["fetch", "--config"])
            .arg(config)
            .arg("--database-url")
            .arg(database_url)
            .arg("--data")
            .arg(data)
            .env("XINWEN_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("a fetch worker starts"),
    )
}

/// A web node: `xinwen serve --no-fetch` on a free port.
fn web_node(config: &Path, data: &Path, database_url: &str) -> Server {
    Server::start(
        Command::new(BINARY)
            .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0", "--config"])
            .arg(config)
            .arg("--database-url")
            .arg(database_url)
            .arg("--data")
            .arg(data),
    )
}

/// Every article's canonical URL, grouped by story: what two stores are compared by (story
/// ids are article ids, which differ between stores that met the articles in another order).
async fn stories_of(store: &Store) -> BTreeSet<BTreeSet<String>> {
    let mut by_story: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    let mut after = i64::MIN;
    loop {
        let rows = store.articles_changed_since(after, 500).await.unwrap();
        let Some(last) = rows.last() else { break };
        after = last.change_seq;
        for row in rows {
            let article = store.article(row.id).await.unwrap().unwrap();
            by_story
                .entry(row.story_id.unwrap_or(-row.id))
                .or_default()
                .insert(article.canonical_url);
        }
    }
    by_story.into_values().collect()
}

/// What follows the origin's address in `url`; the canonical URL may have another scheme than
/// the link the feed gave.
fn path_of(url: &str, base: &str) -> String {
    let host = base.trim_start_matches("http://");
    match url.split_once(host) {
        Some((_, path)) => path.to_owned(),
        None => url.to_owned(),
    }
}

/// The stored article whose canonical URL ends in `path` on the origin.
async fn article_at(store: &Store, path: &str) -> xinwen_model::Article {
    let rows = store
        .articles_changed_since(i64::MIN, 100_000)
        .await
        .unwrap();
    for row in rows {
        if let Some(article) = store.article(row.id).await.unwrap()
            && article.canonical_url.ends_with(path)
        {
            return article;
        }
    }
    panic!("{path} is not stored");
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn article_count(data: &Path, database_url: Option<&str>) -> u64 {
    runtime().block_on(async {
        let store = Store::connect(data, database_url).await.unwrap();
        let n = store.article_count().await.unwrap();
        store.close().await;
        n
    })
}

/// The demo corpus's feeds on an origin answering after `delay`, with the sources reading them.
fn demo_origin(delay: Duration) -> (Origin, Vec<NewSource>, usize) {
    let mut sources = Vec::new();
    let mut items = 0;
    let origin = Origin::start(
        |base| {
            let (pages, made, count) = demo_feeds(base);
            (sources, items) = (made, count);
            pages
        },
        delay,
    );
    (origin, sources, items)
}

/// Two web nodes and two fetch workers on one PostgreSQL: the corpus is stored once, each feed
/// fetched once, in the same stories a single SQLite process makes; a login and a takedown on
/// one node hold on the other at once.
#[test]
fn two_web_nodes_and_two_workers_share_one_postgresql() {
    if !xinwen_test_support::postgres_available() {
        return;
    }
    let database_url = runtime().block_on(xinwen_test_support::postgres_database());
    let temp = tempfile::tempdir().unwrap();
    let dir = |name: &str| temp.path().join(name);
    let config = config_file(temp.path());
    let (origin, sources, items) = demo_origin(Duration::ZERO);
    seed(&dir("seed"), Some(&database_url), &sources);

    let _workers = [
        worker(&config, &dir("worker-1"), &database_url),
        worker(&config, &dir("worker-2"), &database_url),
    ];
    let node_1 = web_node(&config, &dir("node-1"), &database_url);
    let node_2 = web_node(&config, &dir("node-2"), &database_url);
    wait_for("every feed fetched", Duration::from_secs(90), || {
        sources
            .iter()
            .all(|s| origin.asked(&format!("/feeds/{}.xml", s.slug)) > 0)
    });
    // The last batch's articles are written after its feed was read.
    wait_for("every article stored", Duration::from_secs(60), || {
        article_count(&dir("seed"), Some(&database_url)) as usize >= items
    });
    std::thread::sleep(Duration::from_secs(1));
    for source in &sources {
        assert_eq!(
            origin.asked(&format!("/feeds/{}.xml", source.slug)),
            1,
            "{} was fetched by one worker, once",
            source.slug
        );
    }
    assert_eq!(
        article_count(&dir("seed"), Some(&database_url)) as usize,
        items,
        "every article once"
    );

    // The same feeds read by one process on SQLite make the same stories.
    let (alone, alone_sources, _) = demo_origin(Duration::ZERO);
    seed(&dir("sqlite"), None, &alone_sources);
    let out = Command::new(BINARY)
        .args(["fetch", "--once", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir("sqlite"))
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(alone.feeds_asked(), sources.len());
    let (shared, single) = runtime().block_on(async {
        let shared = Store::connect(&dir("seed"), Some(&database_url))
            .await
            .unwrap();
        let single = Store::connect(&dir("sqlite"), None).await.unwrap();
        // By path: the two origins listen on different ports.
        let relative =
            |groups: BTreeSet<BTreeSet<String>>, base: &str| -> BTreeSet<BTreeSet<String>> {
                groups
                    .into_iter()
                    .map(|g| g.into_iter().map(|u| path_of(&u, base)).collect())
                    .collect()
            };
        (
            relative(stories_of(&shared).await, &origin.base),
            relative(stories_of(&single).await, &alone.base),
        )
    });
    assert!(
        shared.iter().any(|story| story.len() >= 2),
        "the corpus tells some stories more than once"
    );
    assert_eq!(shared, single, "the same stories as one SQLite process");

    // A login on node 1 is valid on node 2.
    let mut child = xinwen(
        &["user", "add", "ed", "--role", "editor", "--password-stdin"],
        &config,
        &dir("node-1"),
        &database_url,
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    writeln!(child.stdin.take().unwrap(), "a long editor password").unwrap();
    assert!(child.wait().unwrap().success());
    let mut editor = Session::new(&node_1.url);
    let login = editor
        .submit(
            "/admin/login",
            "/admin/login",
            &[
                ("username", "ed"),
                ("password", "a long editor password"),
                ("next", "/admin"),
            ],
        )
        .unwrap();
    assert_eq!(login.status, 303, "{}", login.body);
    editor.base = node_2.url.clone();
    assert_eq!(
        editor.get("/admin").status,
        200,
        "the session holds on node 2"
    );
    editor.base = node_1.url.clone();

    // A takedown approved through node 1 is gone from node 2's pages and search within 2 s.
    let corpus = xinwen_demo::load().unwrap();
    let taken = &corpus.articles[0];
    let (article, takedown) = runtime().block_on(async {
        let store = Store::connect(&dir("seed"), Some(&database_url))
            .await
            .unwrap();
        let link = format!("/{}/0.html", taken.source_slug);
        let article = article_at(&store, &link).await;
        let takedown = store
            .add_takedown(
                &xinwen_store::NewTakedown {
                    claimant: "东海晚报社".into(),
                    contact: "legal@donghai.example".into(),
                    pages: format!("{}/article/{}", node_1.url, article.id),
                    work: "本报记者稿件".into(),
                    statement: "本社是该文的著作权人。".into(),
                    address_hash: "h".into(),
                },
                "T-CLUSTER-0001",
            )
            .await
            .unwrap();
        store.close().await;
        (article, takedown)
    });
    let page = format!("/article/{}", article.id);
    let query: String = url::form_urlencoded::byte_serialize(taken.title.as_bytes()).collect();
    let search = format!("/search?q={query}");
    let mut reader = Session::new(&node_2.url);
    wait_for(
        "node 2's index has the article",
        Duration::from_secs(10),
        || {
            reader
                .get(&search)
                .body
                .contains(&format!("href=\"{page}\""))
        },
    );
    // Node 2 serves the article's picture from a copy on its own disk.
    let shown = reader.get(&page);
    assert_eq!(shown.status, 200);
    let picture = proxied_picture(&shown.body).expect("the article shows its picture");
    assert_eq!(reader.get(&picture).status, 200);
    let node_2_cache = dir("node-2").join("media-cache");
    assert_eq!(files_in(&node_2_cache), 1, "node 2 keeps the picture");
    let approved = editor
        .submit(
            &format!("/admin/takedowns/{takedown}"),
            &format!("/admin/takedowns/{takedown}/approve"),
            &[
                ("article", &article.id.to_string()),
                ("note", "核实无误"),
                ("confirm", "yes"),
            ],
        )
        .unwrap();
    assert_eq!(approved.status, 303, "{}", approved.body);
    let approved_at = Instant::now();
    wait_for("node 2 answers 410", Duration::from_secs(2), || {
        reader.get(&page).status == 410
    });
    wait_for(
        "node 2's search drops it",
        Duration::from_secs(2) - approved_at.elapsed().min(Duration::from_secs(2)),
        || {
            !reader
                .get(&search)
                .body
                .contains(&format!("href=\"{page}\""))
        },
    );
    wait_for(
        "node 2 deletes its copy of the picture",
        Duration::from_secs(2) - approved_at.elapsed().min(Duration::from_secs(2)),
        || files_in(&node_2_cache) == 0,
    );
    assert_eq!(reader.get(&picture).status, 410);
}

/// The first proxied image an article page shows, as a path on the site.
fn proxied_picture(page: &str) -> Option<String> {
    let start = page.find("/media/p/")?;
    let end = page[start..].find(['"', '?', ' '])?;
    Some(page[start..start + end].to_owned())
}

/// Files below `dir`, in every subdirectory.
fn files_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { files_in(&path) } else { 1 }
        })
        .sum()
}

/// A worker killed in the middle of a pass: the sources it held are fetched by the other once
/// its leases run out, and nothing is lost or stored twice.
#[test]
fn a_killed_workers_sources_go_to_another_after_its_lease() {
    if !xinwen_test_support::postgres_available() {
        return;
    }
    let database_url = runtime().block_on(xinwen_test_support::postgres_database());
    let temp = tempfile::tempdir().unwrap();
    let dir = |name: &str| temp.path().join(name);
    let config = config_file(temp.path());
    // Slow feeds, so that the first worker is still in its pass when it is killed.
    let (origin, sources, items) = demo_origin(Duration::from_millis(1500));
    seed(&dir("seed"), Some(&database_url), &sources);

    let first = worker(&config, &dir("worker-1"), &database_url);
    wait_for("the first worker fetching", Duration::from_secs(30), || {
        origin.feeds_asked() >= 1
    });
    let _second = worker(&config, &dir("worker-2"), &database_url);
    std::thread::sleep(Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-KILL", &first.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    drop(first);
    let asked_when_killed = origin.feeds_asked();
    assert!(
        asked_when_killed < sources.len(),
        "the first worker was killed in the middle of its pass ({asked_when_killed} of {} feeds asked)",
        sources.len()
    );

    wait_for("every article stored", Duration::from_secs(90), || {
        article_count(&dir("seed"), Some(&database_url)) as usize >= items
    });
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        article_count(&dir("seed"), Some(&database_url)) as usize,
        items,
        "nothing lost or stored twice"
    );
    for source in &sources {
        assert!(origin.asked(&format!("/feeds/{}.xml", source.slug)) >= 1);
    }
}

/// A SQLite site moved with `xinwen store copy` serves from PostgreSQL the pages it served
/// from SQLite.
#[test]
fn a_store_copied_to_postgresql_serves_the_same_pages() {
    if !xinwen_test_support::postgres_available() {
        return;
    }
    let database_url = runtime().block_on(xinwen_test_support::postgres_database());
    let temp = tempfile::tempdir().unwrap();
    let sqlite = temp.path().join("sqlite");
    let out = Command::new(BINARY)
        .args(["demo", "--load-only", "--data"])
        .arg(&sqlite)
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BINARY)
        .args(["store", "copy", "--to", &database_url, "--data"])
        .arg(&sqlite)
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("every table matches"), "{said}");
    assert!(said.contains("articles"), "{said}");

    let serve = |extra: &[&str], data: &Path| {
        Server::start(
            Command::new(BINARY)
                .args(["serve", "--no-fetch", "--listen", "127.0.0.1:0"])
                .args(extra)
                .arg("--data")
                .arg(data),
        )
    };
    let before = serve(&[], &sqlite);
    let after = serve(
        &["--database-url", &database_url],
        &temp.path().join("node"),
    );
    let mut paths = vec![
        "/".to_owned(),
        "/hot".to_owned(),
        "/channel/guoji".to_owned(),
        "/source/xinghe-ribao".to_owned(),
        "/feed.xml".to_owned(),
        "/search?q=%E5%8F%B0%E9%A3%8E".to_owned(),
    ];
    let (_, home) = common::get(&format!("{}/", before.url));
    for piece in home.split("href=\"/article/").skip(1).take(5) {
        paths.push(format!("/article/{}", &piece[..piece.find('"').unwrap()]));
    }
    for path in &paths {
        let (status_before, page_before) = common::get(&format!("{}{path}", before.url));
        let (status_after, page_after) = common::get(&format!("{}{path}", after.url));
        assert_eq!(status_before, 200, "{path}");
        assert_eq!(status_after, status_before, "{path}");
        assert_eq!(
            page_after.replace(&after.url, "SITE"),
            page_before.replace(&before.url, "SITE"),
            "{path} reads the same from PostgreSQL"
        );
    }
}

/// Two workers fetching sources of one publisher at once: the publisher's limit on requests in
/// flight holds across both, as it would in one worker.
#[test]
fn the_limit_on_requests_at_a_host_holds_across_workers() {
    if !xinwen_test_support::postgres_available() {
        return;
    }
    let database_url = runtime().block_on(xinwen_test_support::postgres_database());
    let temp = tempfile::tempdir().unwrap();
    let dir = |name: &str| temp.path().join(name);
    // One request at a time at a host, no spacing; each worker fetches one source at a time
    // and takes four at once, so that both have the origin's sources in hand together.
    let config = config_file_with(
        temp.path(),
        "per_host_concurrency = 1\nmin_host_delay_ms = 0\n",
        "source_concurrency = 1\n",
    );
    let (origin, sources, _) = demo_origin(Duration::from_millis(150));
    let _workers = [
        worker(&config, &dir("worker-1"), &database_url),
        worker(&config, &dir("worker-2"), &database_url),
    ];
    // Both workers are up, and find the sources due together.
    std::thread::sleep(Duration::from_millis(500));
    seed(&dir("seed"), Some(&database_url), &sources);
    wait_for("every feed fetched", Duration::from_secs(60), || {
        sources
            .iter()
            .all(|s| origin.asked(&format!("/feeds/{}.xml", s.slug)) > 0)
    });
    assert_eq!(
        origin.most_at_once.load(Ordering::SeqCst),
        1,
        "one request at a time at the origin, from either worker"
    );
}
