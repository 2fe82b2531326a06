//! Markdown article bodies to sanitized HTML, plain text and the list of images.

use xinwen_model::Image;

pub struct Rendered {
    pub html: String,
    pub text: String,
    /// The text of the paragraphs alone, without captions and sub-headings: what a summary
    /// is cut from.
    pub lead: String,
    pub images: Vec<Image>,
}

/// Renders a Markdown body. A line holding only an image, `![alt](file "caption")`, becomes a
/// `<figure>` with its caption, the way news pages show photos; `media_base` is put before
/// relative image paths. The HTML is sanitized before it is returned, like every body we store.
pub fn markdown_to_html(markdown: &str, media_base: &str) -> Rendered {
    let mut images = Vec::new();
    let mut source = String::with_capacity(markdown.len() + 256);
    let mut paragraphs_only = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        if parse_image_line(line.trim()).is_none() && !line.starts_with('#') {
            paragraphs_only.push_str(line);
            paragraphs_only.push('\n');
        }
        match parse_image_line(line.trim()) {
            Some((alt, src, caption)) => {
                let src = if src.contains("://") || src.starts_with('/') {
                    src.to_owned()
                } else {
                    format!("{media_base}{src}")
                };
                source.push_str(&format!(
                    "\n<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n\n",
                    escape(&src),
                    escape(alt),
                    escape(caption)
                ));
                images.push(Image {
                    src,
                    alt: alt.to_owned(),
                    caption: caption.to_owned(),
                });
            }
            None => {
                source.push_str(line);
                source.push('\n');
            }
        }
    }
    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&source));
    let html = xinwen_extract::sanitize_html(&html);
    let text = xinwen_extract::html_to_text(&html);
    let mut lead_html = String::new();
    pulldown_cmark::html::push_html(
        &mut lead_html,
        pulldown_cmark::Parser::new(&paragraphs_only),
    );
    let lead = xinwen_extract::html_to_text(&xinwen_extract::sanitize_html(&lead_html));
    Rendered {
        html,
        text,
        lead,
        images,
    }
}

fn parse_image_line(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("![")?;
    let (alt, rest) = rest.split_once("](")?;
    let inner = rest.strip_suffix(')')?;
    match inner.split_once(' ') {
        Some((src, caption)) => {
            let caption = caption.trim().strip_prefix('"')?.strip_suffix('"')?;
            Some((alt, src, caption))
        }
        None => Some((alt, inner, "")),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_line_becomes_a_figure_with_its_caption() {
        let r = markdown_to_html(
            "第一段。\n\n![江边的新桥](bridge.svg \"新桥夜景。摄影 本报记者\")\n\n## 小标题\n\n第二段。",
            "/media/demo/",
        );
        assert!(r.html.contains(r#"<figure><img src="/media/demo/bridge.svg" alt="江边的新桥"><figcaption>新桥夜景。摄影 本报记者</figcaption></figure>"#), "{}", r.html);
        assert!(r.html.contains("<h2>小标题</h2>"));
        assert_eq!(r.images.len(), 1);
        assert_eq!(r.images[0].caption, "新桥夜景。摄影 本报记者");
        assert_eq!(
            r.text,
            "第一段。\n新桥夜景。摄影 本报记者\n小标题\n第二段。"
        );
        assert_eq!(r.lead, "第一段。\n第二段。");
    }

    #[test]
    fn markup_in_the_markdown_is_sanitized() {
        let r = markdown_to_html(
            "正文<script>alert(1)</script>\n\n![x\" onerror=\"alert(1)](a.svg)",
            "/m/",
        );
        assert!(!r.html.contains("<script"));
        // The quote is escaped, so the handler stays inside the alt text, inert.
        assert!(!r.html.contains(" onerror=\""), "{}", r.html);
    }

    #[test]
    fn summaries_end_at_a_sentence_when_they_can() {
        use xinwen_extract::summarize;
        let text = "第一句话已经说完了。第二句话比较长，一直说下去，没有停下来的意思，直到最后";
        assert_eq!(summarize(text, 20), "第一句话已经说完了。");
        assert_eq!(summarize("短。", 20), "短。");
        assert_eq!(summarize("一二三四五六七八九十", 5), "一二三四五…");
    }
}
