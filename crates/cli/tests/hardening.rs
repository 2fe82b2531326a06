//! Faults and misuse, with the real binary: a crash between a takedown's commit and its purge,
//! a reader that closes the pipe, a port already taken, a database that cannot be written
//! or is damaged.

mod common;

use common::{BINARY, Server, Session, article_url, get};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `/media/p/...` images an article page shows.
fn proxied_images(html: &str) -> Vec<String> {
    html.split("src=\"/media/p/")
        .skip(1)
        .map(|rest| format!("/media/p/{}", &rest[..rest.find('"').unwrap()]))
        .collect()
}

#[test]
fn a_crash_between_a_takedowns_commit_and_its_purge_is_finished_at_the_next_start() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let mut server = Server::start(
        Command::new(BINARY)
            .args(["demo", "--port", "0", "--data"])
            .arg(&data)
            .env("XINWEN_CRASH_AT", "takedown-purge"),
    );
    server.data_dir = data.clone();
    common::add_user(&data, "ed", "editor", "a long editor password");
    let article = article_url(&server, "donghai-wanbao", "台风“白鹭”逼近南屿岛");
    let path = article.trim_start_matches(&server.url).to_owned();
    let id = path.trim_start_matches("/article/").to_owned();
    let (_, html) = get(&article);
    let images = proxied_images(&html);
    assert!(!images.is_empty(), "the article has images");
    for image in &images {
        // Fetched from the publisher into the media cache.
        assert_eq!(get(&format!("{}{image}", server.url)).0, 200, "{image}");
    }

    let mut holder = Session::new(&server.url);
    let sent = holder
        .submit(
            &format!("/takedown?article={id}"),
            "/takedown",
            &[
                ("claimant", "东海晚报社"),
                ("contact", "legal@donghai.example"),
                ("pages", &article),
                ("work", "本社记者采写的报道"),
                ("statement", "本社为著作权人，未授权转载。"),
                ("confirm", "yes"),
                ("website", ""),
            ],
        )
        .unwrap();
    // Answered with the receipt page's address (a reload there sends nothing again).
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(
        sent.location.starts_with("/takedown/received?receipt=T-"),
        "{}",
        sent.location
    );
    let mut editor = Session::new(&server.url);
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
    let queue = editor.get("/admin/takedowns").body;
    let at = queue
        .find("href=\"/admin/takedowns/")
        .expect("the request is queued")
        + "href=\"/admin/takedowns/".len();
    let takedown = &queue[at..at + queue[at..].find('"').unwrap()];
    let approved = editor.submit(
        &format!("/admin/takedowns/{takedown}"),
        &format!("/admin/takedowns/{takedown}/approve"),
        &[("article", &id), ("note", "核实无误"), ("confirm", "yes")],
    );
    assert!(
        approved.is_err(),
        "the process died before answering: {:?}",
        approved.map(|r| r.status)
    );
    let status = server
        .wait_exit(Duration::from_secs(30))
        .expect("the process died at the crash point");
    assert!(!status.success());

    // Started again, without the crash point and without the publishers.
    let server = Server::start(
        Command::new(BINARY)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-fetch", "--data"])
            .arg(&data),
    );
    assert_eq!(get(&format!("{}{path}", server.url)).0, 410);
    for image in &images {
        let (status, _) = get(&format!("{}{image}", server.url));
        assert_eq!(status, 410, "{image} is still served after the restart");
    }
    let (_, results) = get(&format!(
        "{}/search?q={}",
        server.url,
        url::form_urlencoded::byte_serialize("白鹭逼近南屿岛".as_bytes()).collect::<String>()
    ));
    assert!(!results.contains(&format!("href=\"{path}\"")), "{results}");
}

#[test]
fn a_reader_that_closes_the_pipe_ends_a_listing_quietly() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    for n in 0..3 {
        common::run_with_data(
            &[
                "source",
                "add",
                &format!("https://site{n}.example/feed.xml"),
                "--name",
                &format!("来源{n}"),
                // Invented hosts, never read: the test is about printing the list.
                "--no-check",
            ],
            &data,
        );
    }
    for args in [vec!["source", "list"], vec!["source", "list", "--json"]] {
        let mut child = Command::new(BINARY)
            .args(&args)
            .arg("--data")
            .arg(&data)
            .env("XINWEN_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -0`: the reader is gone before anything is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
    }
}

#[test]
fn a_port_in_use_is_said_before_anything_slow() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let temp = tempfile::tempdir().unwrap();
    for args in [
        vec![
            "serve".to_owned(),
            "--listen".to_owned(),
            format!("127.0.0.1:{port}"),
        ],
        vec!["demo".to_owned(), "--port".to_owned(), port.to_string()],
    ] {
        let data = temp.path().join(&args[0]);
        let started = Instant::now();
        let out = Command::new(BINARY)
            .args(&args)
            .arg("--data")
            .arg(&data)
            .env("XINWEN_LOG", "error")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
            "{args:?}: {stderr}"
        );
        // Nothing was indexed or ingested first.
        assert!(!data.join("index").exists(), "{args:?}");
        assert!(!data.join("xinwen.db").exists(), "{args:?}");
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?}");
    }
    drop(taken);
}

#[test]
fn a_database_this_user_cannot_write_is_named_as_such() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    common::run_with_data(&["migrate"], &data);
    // Root writes whatever the permissions say: run as nobody instead, where the files are
    // readable but not writable.
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    for dir in [temp.path(), data.as_path()] {
        set_mode(dir, 0o755);
    }
    for entry in std::fs::read_dir(&data).unwrap() {
        set_mode(&entry.unwrap().path(), 0o444);
    }
    let mut command = if as_root {
        // A copy of the binary beside the data, where nobody can reach it whatever the
        // permissions of the folders holding the build.
        let binary = temp.path().join("xinwen");
        std::fs::copy(BINARY, &binary).unwrap();
        set_mode(&binary, 0o755);
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(binary);
        c
    } else {
        Command::new(BINARY)
    };
    let out = command
        .args(["source", "list", "--data"])
        .arg(&data)
        .env("XINWEN_LOG", "error")
        .output()
        .expect("setpriv (util-linux) runs the binary as another user");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("read-only for this user"), "{stderr}");
    assert!(!stderr.contains("index"), "{stderr}");
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_damaged_database_fails_the_health_check_while_pages_are_served() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    common::run_with_data(&["demo", "--load-only"], &data);
    // Served once, so that the search index is built, as on a site that has been running.
    let first = Server::start(
        Command::new(BINARY)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-fetch", "--data"])
            .arg(&data),
    );
    assert!(first.terminate().success());
    let db = data.join("xinwen.db");
    assert!(!data.join("xinwen.db-wal").exists(), "closed cleanly");
    let mut bytes = std::fs::read(&db).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let pages = bytes.len() / page_size;
    // A page of article text (mostly Chinese), far from the schema and the indexes that a
    // start reads: the middle one of the pages that hold such text.
    let chinese = |page: &[u8]| page.iter().filter(|b| (0xe4..=0xe9).contains(*b)).count();
    let text_pages: Vec<usize> = (1..pages)
        .filter(|n| chinese(&bytes[n * page_size..(n + 1) * page_size]) > page_size / 8)
        .collect();
    assert!(text_pages.len() > 10, "the demo's articles fill pages");
    let at = page_size * text_pages[text_pages.len() / 2];
    for (i, b) in bytes[at..at + page_size].iter_mut().enumerate() {
        *b = (i * 7 % 253) as u8;
    }
    std::fs::write(&db, &bytes).unwrap();
    let server = Server::start(
        Command::new(BINARY)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-fetch", "--data"])
            .arg(&data),
    );
    let started = Instant::now();
    loop {
        let (status, body) = get(&format!("{}/healthz", server.url));
        if status == 503 {
            assert!(body.contains("damaged"), "{body}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "/healthz still says {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
