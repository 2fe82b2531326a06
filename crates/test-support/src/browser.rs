//! A minimal headless-Chromium driver: open a page at a given width, run JavaScript in it,
//! collect console errors, take a screenshot.

use base64::Engine;
use serde_json::{Value, json};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// How long any one step (start, load, evaluate) may take before the test fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where Debian's package puts the browser, and the names it may have elsewhere.
pub fn find_chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("XINWEN_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|candidate| candidate.is_file())
            })
        })
}

pub struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts a fresh headless Chromium with an empty profile.
    pub fn launch(executable: &Path) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let child = Command::new(executable)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                // Without these Chromium tries to reach Google's servers, which this closed
                // network refuses, many connections at a time.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", executable.display()))?;
        // Chromium writes the port it chose and the browser's WebSocket path to this file.
        let port_file = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let endpoint = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break format!("ws://127.0.0.1:{port}{path}");
                }
            }
            if started.elapsed() > STEP_TIMEOUT {
                return Err("Chromium did not open its DevTools port".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let (socket, _) =
            tungstenite::connect(endpoint.as_str()).map_err(|e| format!("DevTools: {e}"))?;
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_millis(200)))
                .map_err(|e| e.to_string())?;
        }
        Ok(Browser {
            child,
            socket,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        })
    }

    /// Sends one command and waits for its answer, keeping the events that arrive meanwhile.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("{method}: {e}"))?;
        let started = Instant::now();
        loop {
            let Some(reply) = self.receive()? else {
                if started.elapsed() > STEP_TIMEOUT {
                    return Err(format!("{method}: no answer"));
                }
                continue;
            };
            if reply.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = reply.get("error") {
                    return Err(format!("{method}: {error}"));
                }
                return Ok(reply.get("result").cloned().unwrap_or(Value::Null));
            }
            self.events.push(reply);
        }
    }

    fn receive(&mut self) -> Result<Option<Value>, String> {
        match self.socket.read() {
            Ok(Message::Text(text)) => serde_json::from_str(text.as_str())
                .map(Some)
                .map_err(|e| e.to_string()),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(format!("DevTools connection: {e}")),
        }
    }

    /// Opens a new tab of the given size; `mobile` emulates a phone (touch, mobile viewport).
    pub fn new_page(&mut self, width: u32, height: u32, mobile: bool) -> Result<Page, String> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or("no target id")?
            .to_owned();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("no session")?
            .to_owned();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            self.call(Some(&session), domain, json!({}))?;
        }
        let page = Page {
            session,
            width,
            mobile,
        };
        self.resize(&page, height)?;
        Ok(page)
    }

    fn resize(&mut self, page: &Page, height: u32) -> Result<(), String> {
        self.call(
            Some(&page.session),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": page.width, "height": height, "deviceScaleFactor": 1, "mobile": page.mobile}),
        )?;
        Ok(())
    }

    /// Makes the page report `prefers-color-scheme: dark` (or light), as a system in dark mode
    /// does.
    pub fn prefer_dark(&mut self, page: &Page, dark: bool) -> Result<(), String> {
        let scheme = if dark { "dark" } else { "light" };
        self.call(
            Some(&page.session),
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        )?;
        Ok(())
    }

    /// Loads `url` and waits for its load event (images and stylesheets included).
    pub fn goto(&mut self, page: &Page, url: &str) -> Result<(), String> {
        self.events
            .retain(|e| e["sessionId"] != json!(page.session));
        self.call(Some(&page.session), "Page.navigate", json!({"url": url}))?;
        self.wait_for_load(page, url)
    }

    /// Runs `expression` (a click, a form submitted) and waits for the page it leads to.
    pub fn navigate_by(&mut self, page: &Page, expression: &str) -> Result<(), String> {
        self.events
            .retain(|e| e["sessionId"] != json!(page.session));
        self.eval(page, expression)?;
        self.wait_for_load(page, expression)
    }

    fn wait_for_load(&mut self, page: &Page, url: &str) -> Result<(), String> {
        let started = Instant::now();
        loop {
            let loaded = self.events.iter().any(|e| {
                e["sessionId"] == json!(page.session) && e["method"] == "Page.loadEventFired"
            });
            if loaded {
                return Ok(());
            }
            if started.elapsed() > STEP_TIMEOUT {
                return Err(format!("{url} did not finish loading"));
            }
            if let Some(event) = self.receive()? {
                self.events.push(event);
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value as JSON.
    pub fn eval(&mut self, page: &Page, expression: &str) -> Result<Value, String> {
        let reply = self.call(
            Some(&page.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(exception) = reply.get("exceptionDetails") {
            return Err(format!("{expression}: {exception}"));
        }
        Ok(reply["result"]["value"].clone())
    }

    /// Everything the page reported as an error: uncaught exceptions, console.error calls and
    /// failed loads (a missing image or stylesheet).
    pub fn errors(&mut self, page: &Page) -> Vec<String> {
        while let Ok(Some(event)) = self.receive() {
            self.events.push(event);
        }
        self.events
            .iter()
            .filter(|e| e["sessionId"] == json!(page.session))
            .filter_map(|e| match e["method"].as_str() {
                Some("Runtime.exceptionThrown") => {
                    Some(format!("exception: {}", e["params"]["exceptionDetails"]))
                }
                Some("Runtime.consoleAPICalled")
                    if matches!(e["params"]["type"].as_str(), Some("error" | "assert")) =>
                {
                    Some(format!("console.error: {}", e["params"]["args"]))
                }
                Some("Log.entryAdded") if e["params"]["entry"]["level"] == "error" => {
                    Some(format!(
                        "{}: {}",
                        e["params"]["entry"]["url"], e["params"]["entry"]["text"]
                    ))
                }
                _ => None,
            })
            .collect()
    }

    /// Saves a PNG of the whole page (up to 6000 pixels tall) to `path`.
    pub fn screenshot(&mut self, page: &Page, path: &Path) -> Result<(), String> {
        let height = self
            .eval(page, "document.documentElement.scrollHeight")?
            .as_u64()
            .unwrap_or(800)
            .clamp(200, 6000);
        self.resize(page, u32::try_from(height).unwrap_or(6000))?;
        let shot = self.call(
            Some(&page.session),
            "Page.captureScreenshot",
            json!({"format": "png"}),
        )?;
        let data = shot["data"].as_str().ok_or("no screenshot data")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| e.to_string())?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call(None, "Browser.close", json!({}));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tab, by its DevTools session.
pub struct Page {
    session: String,
    width: u32,
    mobile: bool,
}
