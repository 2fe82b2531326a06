//! Rewriting the images of a sanitized body to proxy URLs.

use crate::Signer;
use regex::{Captures, Regex};
use std::collections::HashMap;
use std::sync::LazyLock;

// The input is the sanitizer's own serialization, so attributes are always double-quoted and
// escaped the same way: a tag scanner is enough, no second HTML parse.
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)<(/?)(a|img)\b([^>]*)>"#).expect("valid regex"));
static SRC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)(\s)src="([^"]*)""#).expect("valid regex"));
static WIDTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\swidth=""#).expect("valid regex"));

impl Signer {
    /// The proxy path for an absolute http(s) image URL; anything else (already local, data:)
    /// is left as it is.
    pub fn proxied(&self, src: &str) -> Option<String> {
        let lower = src.trim_start().to_ascii_lowercase();
        (lower.starts_with("http://") || lower.starts_with("https://"))
            .then(|| self.proxy_path(src.trim()))
    }
}

/// Points every `<img>` of `html` at the proxy. An image not already inside a link is wrapped
/// in one to the original, so that a reader can still reach it when the proxy shows the
/// placeholder.
pub fn rewrite_images(html: &str, signer: &Signer) -> String {
    let mut link_depth = 0usize;
    TAG.replace_all(html, |caps: &Captures| {
        let whole = &caps[0];
        let closing = !caps[1].is_empty();
        if caps[2].eq_ignore_ascii_case("a") {
            if closing {
                link_depth = link_depth.saturating_sub(1);
            } else if !caps[3].trim_end().ends_with('/') {
                link_depth += 1;
            }
            return whole.to_owned();
        }
        let Some(src) = SRC.captures(whole) else {
            return whole.to_owned();
        };
        let original = unescape(&src[2]);
        let Some(proxied) = signer.proxied(&original) else {
            return whole.to_owned();
        };
        let tag = SRC
            .replace(whole, |c: &Captures| {
                format!("{}src=\"{}\"{}", &c[1], escape(&proxied), sizes(&proxied))
            })
            .into_owned();
        if link_depth > 0 {
            tag
        } else {
            format!(
                "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{tag}</a>",
                escape(&original)
            )
        }
    })
    .into_owned()
}

/// Gives the `<img>`s of a body that have no `width` the size the proxy read when it fetched
/// them (`sizes`, by `src` as the body prints it), so that the page keeps their room while
/// they load.
pub fn add_dimensions(html: &str, sizes: &HashMap<String, (u32, u32)>) -> String {
    if sizes.is_empty() {
        return html.to_owned();
    }
    TAG.replace_all(html, |caps: &Captures| {
        let whole = &caps[0];
        if !caps[2].eq_ignore_ascii_case("img") || WIDTH.is_match(whole) {
            return whole.to_owned();
        }
        let Some(src) = SRC.captures(whole) else {
            return whole.to_owned();
        };
        let Some((width, height)) = sizes.get(&unescape(&src[2])) else {
            return whole.to_owned();
        };
        let at = src.get(0).map_or(whole.len(), |m| m.end());
        format!(
            "{} width=\"{width}\" height=\"{height}\"{}",
            &whole[..at],
            &whole[at..]
        )
    })
    .into_owned()
}

/// The attributes that let a browser pick a smaller copy (`?w=`) for a phone, and load a
/// picture only when the reader comes near it. Bodies are at most 44rem wide.
fn sizes(proxied: &str) -> String {
    let [_, middle, widest] = crate::WIDTHS;
    let path = escape(proxied);
    format!(
        " srcset=\"{path}?w={middle} {middle}w, {path}?w={widest} {widest}w\" sizes=\"(min-width: 46rem) 44rem, 100vw\" loading=\"lazy\" decoding=\"async\""
    )
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_point_at_the_proxy_and_link_to_their_original() {
        let signer = Signer::new([1; 32]);
        let html = r#"<p>正文</p><figure><img src="https://mmbiz.qpic.cn/x/640?wx_fmt=png&amp;from=appmsg" alt="图"><figcaption>图说</figcaption></figure><p><a href="https://a.example/"><img src="https://a.example/b.jpg" alt=""></a></p><img src="/media/demo/local.svg" alt="">"#;
        let out = rewrite_images(html, &signer);
        let proxied = signer.proxy_path("https://mmbiz.qpic.cn/x/640?wx_fmt=png&from=appmsg");
        assert!(out.contains(&format!(
            "<a href=\"https://mmbiz.qpic.cn/x/640?wx_fmt=png&amp;from=appmsg\" rel=\"noopener noreferrer nofollow\"><img src=\"{proxied}\" srcset=\"{proxied}?w=480 480w, {proxied}?w=960 960w\" sizes=\"(min-width: 46rem) 44rem, 100vw\" loading=\"lazy\" decoding=\"async\" alt=\"图\"></a>"
        )), "{out}");
        // Inside a link already: rewritten, not wrapped again.
        let second = signer.proxy_path("https://a.example/b.jpg");
        assert!(
            out.contains(&format!(
                "<a href=\"https://a.example/\"><img src=\"{second}\" srcset=\"{second}?w=480 480w, {second}?w=960 960w\" sizes=\"(min-width: 46rem) 44rem, 100vw\" loading=\"lazy\" decoding=\"async\" alt=\"\"></a>"
            )),
            "{out}"
        );
        assert!(
            out.contains(r#"<img src="/media/demo/local.svg" alt="">"#),
            "local images stay"
        );
        assert!(
            !out.contains("src=\"https://"),
            "no image is hotlinked: {out}"
        );
    }

    #[test]
    fn images_get_the_size_the_proxy_read_unless_they_have_one() {
        let sizes = HashMap::from([("/media/p/a/b".to_owned(), (1080, 720))]);
        let html = r#"<img src="/media/p/a/b" alt="图"><img src="/media/p/a/b" width="300" alt=""><img src="/media/p/c/d" alt="">"#;
        let out = add_dimensions(html, &sizes);
        assert_eq!(
            out,
            r#"<img src="/media/p/a/b" width="1080" height="720" alt="图"><img src="/media/p/a/b" width="300" alt=""><img src="/media/p/c/d" alt="">"#
        );
    }
}
