//! Starting the real `xinwen` binary for end-to-end tests.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_xinwen");

/// A running `xinwen` process serving on a free port of 127.0.0.1.
pub struct Server {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// `xinwen demo --port 0` on a fresh data directory.
    pub fn demo() -> Server {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = temp.path().join("data");
        let mut server = Server::start(
            Command::new(BINARY)
                .args(["demo", "--port", "0", "--data"])
                .arg(&data_dir),
        );
        server.data_dir = data_dir;
        server._temp = Some(temp);
        server
    }

    /// Starts `command` and waits for the line that says where it serves.
    pub fn start(command: &mut Command) -> Server {
        let mut child = command
            .env("XINWEN_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the xinwen binary starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("xinwen is serving on ") {
                    let _ = sender.send(rest.trim_end_matches('/').to_owned());
                }
            }
        });
        let url = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("xinwen printed the address it serves on");
        Server {
            child,
            url,
            data_dir: PathBuf::new(),
            _temp: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the process to end by itself; `None` if it is still running.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "xinwen did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn get(url: &str) -> (u16, String) {
    // reqwest is built without a default TLS provider (the product installs ring itself).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
        .get(url)
        .send()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().unwrap())
}

/// The id of the article whose title contains `title_part`, found through the site's own
/// source page, as a reader would.
pub fn article_url(server: &Server, source: &str, title_part: &str) -> String {
    let (_, html) = get(&format!("{}/source/{source}", server.url));
    let at = html
        .find(title_part)
        .unwrap_or_else(|| panic!("{title_part} is not listed on /source/{source}"));
    let before = &html[..at];
    let href = before.rfind("href=\"/article/").unwrap() + "href=\"".len();
    let end = href + before[href..].find('"').unwrap();
    format!("{}{}", server.url, &before[href..end])
}

/// Where tests leave files for people to look at (screenshots).
pub fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/test-artifacts")
        .to_path_buf()
}

/// Whether a test that needs an external program must fail rather than skip without it: the
/// README's test command sets the variable, so CI never skips silently.
pub fn required(variable: &str) -> bool {
    xinwen_test_support::required(variable)
}

/// Adds an account to a site's data directory (running or not), as an operator would.
pub fn add_user(data: &Path, name: &str, role: &str, password: &str) {
    use std::io::Write as _;
    let mut child = Command::new(BINARY)
        .args([
            "user",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "--data",
        ])
        .arg(data)
        .env("XINWEN_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    assert!(child.wait().unwrap().success(), "xinwen user add {name}");
}

/// Runs `xinwen ARGS... --data DATA` quietly to completion and returns what it printed on
/// standard output; a failure fails the test with what it printed on standard error.
pub fn run_with_data(args: &[&str], data: &Path) -> String {
    let out = Command::new(BINARY)
        .args(args)
        .arg("--data")
        .arg(data)
        .env("XINWEN_LOG", "error")
        .output()
        .expect("the xinwen binary runs");
    assert!(
        out.status.success(),
        "xinwen {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A visitor over HTTP without a browser: keeps its cookies, follows no redirects, and reads
/// the CSRF token of the forms it is shown.
pub struct Session {
    client: reqwest::blocking::Client,
    cookies: std::collections::BTreeMap<String, String>,
    pub base: String,
}

pub struct Reply {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Session {
    pub fn new(base: &str) -> Session {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Session {
            client: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            cookies: Default::default(),
            base: base.to_owned(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn read(&mut self, response: reqwest::blocking::Response) -> Reply {
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Reply {
            status,
            location,
            body: response.text().unwrap_or_default(),
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        self.read(response)
    }

    /// Posts `fields` with the token of the form on `form_page`; `Err` when the connection
    /// ended without an answer.
    pub fn submit(
        &mut self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        let page = self.get(form_page);
        let marker = "name=\"csrf\" value=\"";
        let start = page
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no form token on {form_page}: {}", page.body))
            + marker.len();
        let token = page.body[start..start + page.body[start..].find('"').unwrap()].to_owned();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let response = self
            .client
            .post(format!("{}{action}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()?;
        Ok(self.read(response))
    }
}

/// A minimal origin on 127.0.0.1 answering fixed paths (anything else is 404), in a thread of
/// its own: a publisher for tests that run the real binary. Returns its address.
pub fn origin(pages: Vec<(&'static str, &'static str, String)>) -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
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
            let reply = match pages.iter().find(|(p, _, _)| *p == path) {
                Some((_, content_type, body)) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned(),
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    address
}
