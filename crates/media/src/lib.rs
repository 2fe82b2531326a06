//! The media proxy: article images served from our own `/media/p/...` URLs.
//!
//! Readers' browsers never load a publisher's images directly: WeChat's image host refuses
//! other sites' Referers, hotlinking leaks readers to third parties, and originals disappear.
//! Ingest rewrites every image of a body to a signed proxy URL ([`Signer::rewrite_html`]); the
//! web layer hands requests for those URLs to [`MediaProxy::get`], which fetches the original
//! once through the guarded fetcher, checks that it is an image of an acceptable size, and
//! keeps it on disk under its content hash.
//!
//! Smaller copies for lists and phones (`?w=`) are made from the kept original with `image`
//! (decoding and resampling in Rust, with limits against decompression bombs) and encoded as
//! lossy WebP with `webp` (libwebp: `image` writes WebP only losslessly, which for photos is
//! larger than the original JPEG).
//!
//! The signature (an HMAC of the original URL) is what keeps this from being an open proxy:
//! only URLs that xinwen itself wrote can be fetched through it. This crate owns the signing
//! key, the cache directory and the cache index rows; it must not render pages.

mod resize;
mod rewrite;

pub use resize::{WIDTHS, dimensions, smaller_copy};
pub use rewrite::{add_dimensions, rewrite_images};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use xinwen_fetch::{Fetcher, Outcome, Referer, Request};
use xinwen_store::{MediaRecord, Store};

/// The path prefix of proxied images on the site.
pub const PROXY_PREFIX: &str = "/media/p/";

/// Signs and checks proxy URLs.
#[derive(Clone)]
pub struct Signer {
    key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

/// The key file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the media signing key {path}: {source}")]
pub struct KeyError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl Signer {
    pub fn new(key: [u8; 32]) -> Signer {
        Signer { key: Arc::new(key) }
    }

    /// The key kept in `data_dir/media.key`, made on first use. Every process serving the same
    /// data directory signs alike; deployments on several machines copy this file.
    pub fn load_or_create(data_dir: &Path) -> Result<Signer, KeyError> {
        let path = data_dir.join("media.key");
        let error = |source| KeyError {
            path: path.clone(),
            source,
        };
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                return Ok(Signer::new(key));
            }
            Ok(_) => {
                return Err(error(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the file must hold exactly 32 bytes; delete it to make a new one (existing image links will change)",
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(error(e)),
        }
        let mut key = [0u8; 32];
        // The operating system's CSPRNG: whoever could guess this key could make the proxy
        // fetch any address.
        getrandom::fill(&mut key).map_err(|e| error(std::io::Error::other(e.to_string())))?;
        std::fs::create_dir_all(data_dir).map_err(error)?;
        // Written beside and renamed, so that two processes starting together agree on one key.
        let temp = data_dir.join(format!("media.key.{}", std::process::id()));
        std::fs::write(&temp, key).map_err(error)?;
        restrict_permissions(&temp);
        match std::fs::hard_link(&temp, &path) {
            Ok(()) => {
                let _ = std::fs::remove_file(&temp);
                Ok(Signer::new(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = std::fs::remove_file(&temp);
                Signer::load_or_create(data_dir)
            }
            Err(e) => Err(error(e)),
        }
    }

    fn signature(&self, url: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key[..]).expect("any key length works");
        mac.update(url.as_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
    }

    /// The proxy path for an image URL.
    pub fn proxy_path(&self, url: &str) -> String {
        format!(
            "{PROXY_PREFIX}{}/{}",
            self.signature(url),
            URL_SAFE_NO_PAD.encode(url.as_bytes())
        )
    }

    /// The original URL of a proxy path's two parts, if the signature is ours.
    pub fn verify(&self, signature: &str, encoded_url: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(encoded_url).ok()?;
        let url = String::from_utf8(bytes).ok()?;
        let expected = self.signature(&url);
        // Compared in constant time: a timing leak would let a patient attacker forge one.
        let equal = expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        equal.then_some(url)
    }

    /// The original URL behind a proxy path written by this signer, if it is one.
    pub fn original_of(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix(PROXY_PREFIX)?;
        let (signature, encoded) = rest.split_once('/')?;
        self.verify(signature, encoded)
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

/// Limits of the proxy.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub max_bytes: u64,
    /// How long a failed image is not asked for again.
    pub retry_failed_after: Duration,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            max_bytes: 8 * 1024 * 1024,
            retry_failed_after: Duration::from_secs(3600),
        }
    }
}

/// What the proxy answers.
#[derive(Debug, Clone)]
pub enum Served {
    Image {
        bytes: Bytes,
        content_type: String,
        /// The content hash, a perfect ETag.
        hash: String,
    },
    /// The image could not be had; the page shows a placeholder that links to `original`.
    Failed { original: String, reason: String },
    /// A takedown removed the article the image belonged to.
    Removed,
}

/// Why a proxy request is refused outright.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("not a media URL this site made")]
    BadSignature,
    #[error("the media cache failed: {0}")]
    Cache(String),
}

/// The proxy: signer, fetcher, store index and cache directory.
pub struct MediaProxy {
    signer: Signer,
    fetcher: Arc<Fetcher>,
    store: Store,
    dir: PathBuf,
    config: MediaConfig,
    /// Copies being made at once: resampling takes a core while it runs.
    resizing: Arc<tokio::sync::Semaphore>,
    /// How far this process has read the blocks made by others (see
    /// [`MediaProxy::remove_files_blocked_elsewhere`]).
    blocks_read: tokio::sync::Mutex<(i64, String)>,
}

/// Blocks are read again from this long before the last one seen: a block whose transaction
/// committed late, or whose node's clock is behind, bears an earlier time than blocks already
/// read.
const BLOCKS_OVERLAP_MS: i64 = 60_000;

/// Smaller copies made at the same time, at most.
const RESIZING_AT_ONCE: usize = 2;

impl MediaProxy {
    pub fn new(
        signer: Signer,
        fetcher: Arc<Fetcher>,
        store: Store,
        config: MediaConfig,
    ) -> MediaProxy {
        let dir = store.data_dir().join("media-cache");
        MediaProxy {
            signer,
            fetcher,
            store,
            dir,
            config,
            resizing: Arc::new(tokio::sync::Semaphore::new(RESIZING_AT_ONCE)),
            blocks_read: tokio::sync::Mutex::new((i64::MIN, String::new())),
        }
    }

    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Answers a request for `/media/p/{signature}/{encoded}?w={width}`: the image, or a
    /// smaller copy of it when `width` is one of [`WIDTHS`] and the image is wider.
    pub async fn get(
        &self,
        signature: &str,
        encoded: &str,
        width: Option<u32>,
    ) -> Result<Served, MediaError> {
        let served = self.original(signature, encoded).await?;
        match (served, width.filter(|w| WIDTHS.contains(w))) {
            (
                Served::Image {
                    bytes,
                    content_type,
                    hash,
                },
                Some(width),
            ) => Ok(self.copy(bytes, content_type, hash, width).await),
            (served, _) => Ok(served),
        }
    }

    /// The `width`-wide copy of an image, made once and kept; the image itself when a copy
    /// would gain nothing or cannot be made.
    async fn copy(&self, bytes: Bytes, content_type: String, hash: String, width: u32) -> Served {
        let name = format!("{hash}-w{width}.webp");
        if let Ok(copy) = tokio::fs::read(self.path_of(&name)).await {
            return Served::Image {
                bytes: copy.into(),
                content_type: "image/webp".into(),
                hash: format!("{hash}-w{width}"),
            };
        }
        let original = Served::Image {
            bytes: bytes.clone(),
            content_type: content_type.clone(),
            hash: hash.clone(),
        };
        if content_type == "image/svg+xml" {
            return original;
        }
        let Ok(_permit) = self.resizing.acquire().await else {
            return original;
        };
        let made = tokio::task::spawn_blocking(move || smaller_copy(&bytes, width)).await;
        match made {
            Ok(Some(copy)) => {
                if let Err(e) = self.write_file(&name, &copy).await {
                    tracing::warn!(%hash, width, error = %e, "smaller copy not kept");
                }
                Served::Image {
                    bytes: copy.into(),
                    content_type: "image/webp".into(),
                    hash: format!("{hash}-w{width}"),
                }
            }
            _ => original,
        }
    }

    /// The original image behind a proxy URL, fetched once and kept.
    async fn original(&self, signature: &str, encoded: &str) -> Result<Served, MediaError> {
        let url = self
            .signer
            .verify(signature, encoded)
            .ok_or(MediaError::BadSignature)?;
        let url_hash = hex(&Sha256::digest(url.as_bytes()));
        let cache_error = |e: xinwen_store::Error| MediaError::Cache(e.to_string());
        if let Some(record) = self.store.media(&url_hash).await.map_err(cache_error)? {
            if record.blocked {
                return Ok(Served::Removed);
            }
            match (&record.content_hash, &record.content_type) {
                (Some(hash), Some(content_type)) => {
                    // A file gone missing (a cleaned disk) is fetched again below.
                    if let Ok(bytes) = tokio::fs::read(self.path_of(hash)).await {
                        return Ok(Served::Image {
                            bytes: bytes.into(),
                            content_type: content_type.clone(),
                            hash: hash.clone(),
                        });
                    }
                }
                _ => {
                    let age = (Utc::now() - record.fetched_at)
                        .to_std()
                        .unwrap_or_default();
                    if age < self.config.retry_failed_after {
                        return Ok(Served::Failed {
                            original: url,
                            reason: record.error.unwrap_or_default(),
                        });
                    }
                }
            }
        }
        let served = match self.fetch(&url).await {
            Ok((bytes, content_type)) => {
                let hash = hex(&Sha256::digest(&bytes));
                self.write_file(&hash, &bytes)
                    .await
                    .map_err(|e| MediaError::Cache(e.to_string()))?;
                let record = MediaRecord {
                    url: url.clone(),
                    content_hash: Some(hash.clone()),
                    content_type: Some(content_type.clone()),
                    size: Some(bytes.len() as u64),
                    fetched_at: Utc::now(),
                    error: None,
                    blocked: false,
                    dimensions: dimensions(&bytes),
                };
                self.store
                    .put_media(&url_hash, &record)
                    .await
                    .map_err(cache_error)?;
                Served::Image {
                    bytes,
                    content_type,
                    hash,
                }
            }
            Err(reason) => {
                tracing::info!(%url, %reason, "image not proxied");
                let record = MediaRecord {
                    url: url.clone(),
                    content_hash: None,
                    content_type: None,
                    size: None,
                    fetched_at: Utc::now(),
                    error: Some(reason.clone()),
                    blocked: false,
                    dimensions: None,
                };
                self.store
                    .put_media(&url_hash, &record)
                    .await
                    .map_err(cache_error)?;
                Served::Failed {
                    original: url,
                    reason,
                }
            }
        };
        Ok(served)
    }

    /// The sizes of the images among `srcs` (proxy paths as bodies print them) that have been
    /// fetched and could be read, by `src`.
    pub async fn sizes(&self, srcs: &[String]) -> Result<HashMap<String, (u32, u32)>, MediaError> {
        let hashes: Vec<(String, String)> = srcs
            .iter()
            .filter_map(|src| {
                let url = self.signer.original_of(src)?;
                Some((src.clone(), hex(&Sha256::digest(url.as_bytes()))))
            })
            .collect();
        let wanted: Vec<String> = hashes.iter().map(|(_, h)| h.clone()).collect();
        let known = self
            .store
            .media_dimensions(&wanted)
            .await
            .map_err(|e| MediaError::Cache(e.to_string()))?;
        Ok(hashes
            .into_iter()
            .filter_map(|(src, hash)| known.get(&hash).map(|size| (src, *size)))
            .collect())
    }

    /// Takes the images of removed articles out of the cache and blocks their proxy URLs, so
    /// that they are neither served nor fetched again. `srcs` are the images' `src` values
    /// as bodies print them; anything that is not a proxy path is skipped. Returns how many
    /// were blocked.
    pub async fn purge(&self, srcs: &[String]) -> Result<usize, MediaError> {
        let mut blocked = 0;
        for src in srcs {
            let Some(url) = self.signer.original_of(src) else {
                continue;
            };
            let url_hash = hex(&Sha256::digest(url.as_bytes()));
            let file = self
                .store
                .block_media(&url_hash, &url)
                .await
                .map_err(|e| MediaError::Cache(e.to_string()))?;
            if let Some(hash) = file {
                self.remove_files(&hash).await?;
            }
            blocked += 1;
        }
        Ok(blocked)
    }

    /// Deletes this process's cached files of images blocked since it last looked, on any
    /// node: each web node keeps its media cache on its own disk, and a takedown approved
    /// through one must not leave the pictures on the others. (They are never served meanwhile:
    /// every request reads the block in the store first.) Returns how many blocked images'
    /// files were looked for.
    pub async fn remove_files_blocked_elsewhere(&self) -> Result<usize, MediaError> {
        const PAGE: i64 = 500;
        let mut read = self.blocks_read.lock().await;
        let mut after = (read.0.saturating_sub(BLOCKS_OVERLAP_MS), String::new());
        let mut removed = 0;
        loop {
            let files = self
                .store
                .blocked_media_files(&after, PAGE)
                .await
                .map_err(|e| MediaError::Cache(e.to_string()))?;
            for file in &files {
                self.remove_files(&file.content_hash).await?;
            }
            removed += files.len();
            match files.last() {
                Some(last) if files.len() as i64 == PAGE => after = last.position.clone(),
                Some(last) => {
                    after = last.position.clone();
                    break;
                }
                None => break,
            }
        }
        if after.0 > read.0 {
            *read = after;
        }
        Ok(removed)
    }

    /// Deletes the cached original named `hash` and every smaller copy of it.
    async fn remove_files(&self, hash: &str) -> Result<(), MediaError> {
        // Names this process writes are hex; anything else read back is not a path to follow.
        if hash.len() < 2 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(());
        }
        let copies = WIDTHS.iter().map(|w| format!("{hash}-w{w}.webp"));
        for name in std::iter::once(hash.to_owned()).chain(copies) {
            match tokio::fs::remove_file(self.path_of(&name)).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(MediaError::Cache(e.to_string())),
            }
        }
        Ok(())
    }

    async fn fetch(&self, url: &str) -> Result<(Bytes, String), String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        let referer = if is_wechat_image_host(&parsed) {
            Referer::OwnOrigin
        } else {
            Referer::None
        };
        let request = Request::image(parsed)
            .with_referer(referer)
            .with_max_bytes(self.config.max_bytes);
        let response = match self
            .fetcher
            .fetch(&request)
            .await
            .map_err(|e| e.to_string())?
        {
            Outcome::Fetched(response) => response,
            Outcome::NotModified { .. } => {
                return Err("the server answered 304 to a plain GET".into());
            }
        };
        let content_type = sniff_image_type(&response.body)
            .ok_or_else(|| {
                format!(
                    "not an image (served as {})",
                    response.content_type.as_deref().unwrap_or("nothing")
                )
            })?
            .to_owned();
        Ok((response.body, content_type))
    }

    fn path_of(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2]).join(hash)
    }

    async fn write_file(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path_of(hash);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        let parent = path.parent().expect("cache paths have a parent");
        tokio::fs::create_dir_all(parent).await?;
        let temp = parent.join(format!("{hash}.{}.tmp", fastrand::u32(..)));
        tokio::fs::write(&temp, bytes).await?;
        tokio::fs::rename(&temp, &path).await
    }
}

/// WeChat's image hosts accept their own origin as Referer and refuse everyone else's.
fn is_wechat_image_host(url: &url::Url) -> bool {
    url.host_str().is_some_and(|host| {
        host == "mmbiz.qpic.cn" || host.ends_with(".qpic.cn") || host.ends_with(".qlogo.cn")
    })
}

/// The image type of `bytes` by their first bytes, never by what the server claims: a
/// "image/png" that is really HTML must not be served from our origin.
pub fn sniff_image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && (&bytes[8..12] == b"avif" || &bytes[8..12] == b"avis")
    {
        return Some("image/avif");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if (head.starts_with("<svg") || head.starts_with("<?xml") || head.starts_with("<!--"))
        && head.contains("<svg")
    {
        return Some("image/svg+xml");
    }
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The placeholder shown for an image that could not be fetched.
pub const PLACEHOLDER_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360"><rect width="640" height="360" fill="#eef0f3"/><path d="M270 210l40-50 30 36 20-24 40 38z" fill="#c3c8d0"/><circle cx="290" cy="150" r="14" fill="#c3c8d0"/><text x="320" y="270" text-anchor="middle" font-family="sans-serif" font-size="20" fill="#6b7280">图片暂时无法显示，点击查看原图</text></svg>"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_we_signed_verify() {
        let signer = Signer::new([7; 32]);
        let path = signer.proxy_path("https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg");
        assert!(path.starts_with(PROXY_PREFIX));
        assert_eq!(
            signer.original_of(&path).as_deref(),
            Some("https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg")
        );
        let rest = path.strip_prefix(PROXY_PREFIX).unwrap();
        let (signature, _) = rest.split_once('/').unwrap();
        let forged = URL_SAFE_NO_PAD.encode("http://169.254.169.254/");
        assert_eq!(
            signer.verify(signature, &forged),
            None,
            "a signature does not carry over"
        );
        let other = Signer::new([8; 32]);
        assert_eq!(
            other.original_of(&path),
            None,
            "another key does not verify"
        );
        assert_eq!(signer.verify("", "%%%"), None);
    }

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = Signer::load_or_create(dir.path()).unwrap();
        let again = Signer::load_or_create(dir.path()).unwrap();
        let path = first.proxy_path("https://a.example/1.png");
        assert_eq!(
            again.original_of(&path).as_deref(),
            Some("https://a.example/1.png")
        );
        std::fs::write(dir.path().join("media.key"), b"short").unwrap();
        let err = Signer::load_or_create(dir.path()).unwrap_err();
        assert!(err.to_string().contains("32 bytes"), "{err}");
    }

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(
            sniff_image_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(
            sniff_image_type(&[0xff, 0xd8, 0xff, 0xe0]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(
            sniff_image_type(b"RIFF\0\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(
            sniff_image_type(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff_image_type(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff_image_type(b""), None);
    }
}
