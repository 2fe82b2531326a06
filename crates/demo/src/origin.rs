//! The demo origin: the invented publishers' web sites, served from 127.0.0.1.
//!
//! `xinwen demo` starts this server and ingests the corpus through the real pipeline, so the
//! demo exercises what production does: feeds in several formats (RSS with teasers or full
//! text, Atom, JSON Feed, one that does not parse), WeChat-style article pages with their
//! scripts and lazy images, cluttered portal pages with navigation, ads, hot lists and comments,
//! and pages in GBK. Each publisher keeps its own host name (`xinghe-ribao.example`...); the
//! fetcher is told to resolve those names to this server, and the server answers by Host.

use crate::{Corpus, DemoFeed, FeedStyle, MEDIA_PREFIX};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{FixedOffset, Utc};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use xinwen_model::{NewArticle, NewSource, Script, SourceKind};

/// The host WeChat-style accounts publish on, as all real ones share mp.weixin.qq.com.
pub const WECHAT_HOST: &str = "wx.example";

/// The running origin.
#[derive(Debug, Clone)]
pub struct Origin {
    pub address: SocketAddr,
    /// Every host name it serves; resolve them all to `address`.
    pub hosts: Vec<String>,
    /// Each source's address (its feed, list page or sitemap), by source slug.
    pub feed_urls: BTreeMap<String, String>,
    /// Each WeChat account's bridge feeds, the preferred first, by source slug.
    pub bridges: BTreeMap<String, Vec<String>>,
}

struct Resource {
    content_type: &'static str,
    body: Vec<u8>,
    /// Answers 502 once it has been asked this many times: a bridge that breaks while the
    /// demo runs.
    breaks_after: Option<usize>,
    asked: std::sync::atomic::AtomicUsize,
}

impl Resource {
    fn new(content_type: &'static str, body: Vec<u8>) -> Resource {
        Resource {
            content_type,
            body,
            breaks_after: None,
            asked: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

/// The preferred bridge of the demo's WeChat account with two, and its backup.
pub const BRIDGE_HOSTS: [&str; 2] = ["rsshub.example", "wewe-rss.example"];

type Resources = HashMap<(String, String), Resource>;

/// Starts the origin on a free port of 127.0.0.1. It runs until the process ends.
pub async fn start(corpus: &Corpus) -> std::io::Result<Origin> {
    let (resources, feed_urls, bridges) = build(corpus);
    let mut hosts: Vec<String> = resources.keys().map(|(host, _)| host.clone()).collect();
    hosts.sort();
    hosts.dedup();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let router = Router::new()
        .fallback(answer)
        .with_state(Arc::new(resources));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "the demo origin stopped");
        }
    });
    Ok(Origin {
        address,
        hosts,
        feed_urls,
        bridges,
    })
}

async fn answer(State(resources): State<Arc<Resources>>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let key = (host, uri.path().to_owned());
    match resources.get(&key) {
        Some(resource)
            if resource.breaks_after.is_some_and(|n| {
                resource
                    .asked
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    >= n
            }) =>
        {
            (StatusCode::BAD_GATEWAY, "502 公众号接口暂时不可用").into_response()
        }
        Some(resource) => (
            [(header::CONTENT_TYPE, resource.content_type)],
            resource.body.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "404 页面不存在").into_response(),
    }
}

/// Where a source lives: its homepage's host, or the shared WeChat host.
fn host_of(source: &NewSource) -> String {
    if source.kind == SourceKind::Wechat {
        return WECHAT_HOST.to_owned();
    }
    source
        .homepage
        .as_deref()
        .and_then(|h| h.split("://").nth(1))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("news.example")
        .to_ascii_lowercase()
}

/// Where a source's images are served: WeChat's image paths, or a site's own.
fn image_base(source: &NewSource, host: &str) -> String {
    if source.kind == SourceKind::Wechat {
        format!("http://{host}/mmbiz_png/")
    } else {
        format!("http://{host}/img/")
    }
}

fn path_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    match rest.find('/') {
        Some(at) => rest[at..].to_owned(),
        None => "/".to_owned(),
    }
}

type Built = (
    Resources,
    BTreeMap<String, String>,
    BTreeMap<String, Vec<String>>,
);

fn build(corpus: &Corpus) -> Built {
    let mut resources = Resources::new();
    let mut feed_urls = BTreeMap::new();
    let mut bridges = BTreeMap::new();
    let robots = || {
        Resource::new(
            "text/plain; charset=utf-8",
            b"User-agent: *\nDisallow: /private/\n".to_vec(),
        )
    };
    let channel_names: HashMap<&str, &str> = corpus
        .channels
        .iter()
        .map(|c| (c.slug.as_str(), c.name.as_str()))
        .collect();
    let images: HashMap<String, &[u8]> = corpus
        .media
        .iter()
        .filter_map(|m| {
            let name = m.path.strip_prefix(&format!("{MEDIA_PREFIX}/"))?;
            Some((name.to_owned(), m.bytes.as_slice()))
        })
        .collect();
    for feed in &corpus.feeds {
        let Some(source) = corpus.sources.iter().find(|s| s.slug == feed.source_slug) else {
            continue;
        };
        let host = host_of(source);
        resources.insert((host.clone(), "/robots.txt".to_owned()), robots());
        let mut articles: Vec<&NewArticle> = corpus
            .articles
            .iter()
            .filter(|a| a.source_slug == source.slug)
            .collect();
        articles.sort_by_key(|a| std::cmp::Reverse(a.published_at));
        let image_base = image_base(source, &host);
        for article in &articles {
            let channel_slug = article
                .channel_slug
                .as_deref()
                .or(source.channel_slug.as_deref())
                .unwrap_or_default();
            let channel = channel_names.get(channel_slug).copied().unwrap_or("新闻");
            let body = article
                .body_html
                .replace(&format!("/media/{MEDIA_PREFIX}/"), &image_base);
            for image in &article.images {
                let name = image.src.rsplit('/').next().unwrap_or_default();
                if let Some(bytes) = images.get(name) {
                    resources.insert(
                        (host.clone(), path_of(&format!("{image_base}{name}"))),
                        Resource::new("image/svg+xml", bytes.to_vec()),
                    );
                }
            }
            let page = if source.kind == SourceKind::Wechat {
                // A repost's 阅读原文 leads to what it copies, as on WeChat.
                let read_original = corpus
                    .reposts
                    .get(&article.canonical_url)
                    .unwrap_or(&article.canonical_url);
                wechat_page(article, source, &body, read_original)
            } else {
                portal_page(article, source, channel, &body, &articles, feed.gbk)
            };
            let (content_type, page) = if feed.gbk {
                ("text/html", encoding_rs::GBK.encode(&page).0.into_owned())
            } else {
                ("text/html; charset=utf-8", page.into_bytes())
            };
            resources.insert(
                (host.clone(), path_of(&article.canonical_url)),
                Resource::new(content_type, page),
            );
        }
        match feed.style {
            FeedStyle::ListPage => {
                for (path, page) in list_pages(source, &articles, feed.gbk) {
                    let (content_type, body) = if feed.gbk {
                        ("text/html", encoding_rs::GBK.encode(&page).0.into_owned())
                    } else {
                        ("text/html; charset=utf-8", page.into_bytes())
                    };
                    resources.insert((host.clone(), path), Resource::new(content_type, body));
                }
                feed_urls.insert(source.slug.clone(), format!("http://{host}{LIST_PATH}"));
            }
            FeedStyle::NewsSitemap => {
                let body = news_sitemap(source, &host, &articles);
                resources.insert(
                    (host.clone(), "/sitemap-news.xml".to_owned()),
                    Resource::new("application/xml; charset=utf-8", body.into_bytes()),
                );
                feed_urls.insert(
                    source.slug.clone(),
                    format!("http://{host}/sitemap-news.xml"),
                );
            }
            FeedStyle::Bridges => {
                // The same account through two bridges, both full text as RSSHub's WeChat
                // routes are; the preferred one breaks after the demo's first pass.
                let as_rss = DemoFeed {
                    style: FeedStyle::RssFull,
                    ..feed.clone()
                };
                let (_, content_type, body) =
                    feed_document(&as_rss, source, &host, &articles, &channel_names);
                let mut urls = Vec::new();
                for (i, bridge_host) in BRIDGE_HOSTS.iter().enumerate() {
                    let path = match i {
                        0 => format!("/wechat/mp/{}", source.slug),
                        _ => format!("/feeds/{}.xml", source.slug),
                    };
                    let mut resource = Resource::new(content_type, body.clone());
                    if i == 0 {
                        resource.breaks_after = Some(1);
                    }
                    resources.insert(((*bridge_host).to_owned(), path.clone()), resource);
                    resources.insert(
                        ((*bridge_host).to_owned(), "/robots.txt".to_owned()),
                        robots(),
                    );
                    urls.push(format!("http://{bridge_host}{path}"));
                }
                bridges.insert(source.slug.clone(), urls);
            }
            _ => {
                let (path, content_type, body) =
                    feed_document(feed, source, &host, &articles, &channel_names);
                feed_urls.insert(source.slug.clone(), format!("http://{host}{path}"));
                resources.insert((host, path), Resource::new(content_type, body));
            }
        }
    }
    (resources, feed_urls, bridges)
}

/// A portal's ranking (热门排行): numbered links to its articles.
fn ranked_list<'a>(articles: impl Iterator<Item = &'a NewArticle>) -> String {
    articles
        .enumerate()
        .map(|(i, a)| {
            format!(
                "<li><em>{}</em><a href=\"{}\">{}</a></li>",
                i + 1,
                escape(&path_of(&a.canonical_url)),
                escape(&a.title)
            )
        })
        .collect()
}

/// Where a portal without a feed lists its articles.
const LIST_PATH: &str = "/news/";
const LIST_PAGE_SIZE: usize = 4;

/// A portal's section pages, newest first, `LIST_PAGE_SIZE` articles a page, with what such
/// pages carry besides: navigation, ads, a ranking, pagination and a footer full of links.
fn list_pages(source: &NewSource, articles: &[&NewArticle], gbk: bool) -> Vec<(String, String)> {
    let pages: Vec<&[&NewArticle]> = articles.chunks(LIST_PAGE_SIZE).collect();
    let path_of_page = |n: usize| match n {
        0 => LIST_PATH.to_owned(),
        n => format!("{LIST_PATH}index_{}.html", n + 1),
    };
    let ranking = ranked_list(articles.iter().rev().take(5).copied());
    let charset = if gbk { "gbk" } else { "utf-8" };
    let mut out = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let items: String = page
            .iter()
            .map(|a| {
                format!(
                    "<li><a href=\"{}\" target=\"_blank\">{}</a><span class=\"time\">{}</span><p>{}</p></li>",
                    escape(&path_of(&a.canonical_url)),
                    escape(&a.title),
                    china_time(a).format("%m-%d %H:%M"),
                    escape(&a.summary)
                )
            })
            .collect();
        let mut pager = String::new();
        if n > 0 {
            pager.push_str(&format!("<a href=\"{}\">上一页</a> ", path_of_page(n - 1)));
        }
        for i in 0..pages.len() {
            if i == n {
                pager.push_str(&format!("<span>{}</span> ", i + 1));
            } else {
                pager.push_str(&format!("<a href=\"{}\">{}</a> ", path_of_page(i), i + 1));
            }
        }
        if n + 1 < pages.len() {
            pager.push_str(&format!("<a href=\"{}\">下一页</a>", path_of_page(n + 1)));
        }
        let name = escape(&source.name);
        out.push((
            path_of_page(n),
            format!(
                r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>要闻_{name}</title></head>
<body>
<div class="topbar"><a href="/">{name}首页</a> | <a href="/login">登录</a> | <a href="/app/">下载客户端</a></div>
<div id="nav"><ul><li><a href="/news/">要闻</a></li><li><a href="/stock/">股市</a></li><li><a href="/fund/">基金</a></li><li><a href="/bank/">银行</a></li><li><a href="/topic/2026-year-end/">年终专题</a></li></ul></div>
<div class="ad-banner"><a href="https://ads.example/click?id=20261201"><img src="/img/ad-banner.gif" alt="开户送好礼"></a>
 <a href="/ad/2026/12/01/990001.html">理财节限时福利 新客专享年化收益率加码</a></div>
<div class="wrap"><div class="main">
 <h1>要闻</h1>
 <ul class="news-list">{items}</ul>
 <div class="pages">{pager}</div>
</div>
<div class="side">
 <div class="box"><h3>24小时热门排行</h3><ol class="rank">{ranking}</ol></div>
 <div class="box"><h3>合作伙伴</h3><a href="https://partner-bank.example/">合作银行</a> <a href="https://partner-fund.example/">合作基金</a></div>
</div></div>
<div class="footer">
 <a href="/about.html">关于我们</a> | <a href="/contact.html">联系我们</a> | <a href="/jobs.html">招聘信息</a> | <a href="/ads.html">广告服务</a> |
 <a href="/2026/legal/copyright-notice-2026.html">版权声明</a> | <a href="/sitemap.html">网站地图</a> |
 <a href="https://beian.example/">沪ICP备00000000号-1</a> <a href="https://police-beian.example/">沪公网安备 00000000000000号</a>
 <p>本站所载文章仅代表作者观点，投资有风险，入市需谨慎。</p>
</div>
</body></html>"#
            ),
        ));
    }
    out
}

/// A news sitemap of every article, as a site without a feed publishes one. `lastmod` is
/// when the demo's site was built (now), so that its entries count as recent whatever day the
/// demo runs; the publication dates are the articles' own.
fn news_sitemap(source: &NewSource, host: &str, articles: &[&NewArticle]) -> String {
    let built = chrono::Utc::now().to_rfc3339();
    let urls: String = articles
        .iter()
        .map(|a| {
            format!(
                "  <url>\n    <loc>http://{host}{path}</loc>\n    <lastmod>{built}</lastmod>\n    <news:news>\n      <news:publication><news:name>{name}</news:name><news:language>zh</news:language></news:publication>\n      <news:publication_date>{published}</news:publication_date>\n      <news:title>{title}</news:title>\n    </news:news>\n  </url>\n",
                path = escape(&path_of(&a.canonical_url)),
                name = escape(&source.name),
                published = china_time(a).to_rfc3339(),
                title = escape(&a.title),
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n{urls}</urlset>\n"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn china_time(article: &NewArticle) -> chrono::DateTime<FixedOffset> {
    article
        .published_at
        .with_timezone(&xinwen_model::china_offset())
}

/// The article's link as the feed gives it. A teaser feed links to the page to fetch: plain
/// http on the publisher's host (the origin speaks no TLS), with a tracking parameter as real
/// feeds add, and the page's own canonical link says https without it. A full-text feed is
/// read without fetching the page, so it links to the canonical address itself.
fn feed_link(host: &str, article: &NewArticle, full_text: bool) -> String {
    if full_text {
        article.canonical_url.clone()
    } else {
        format!("http://{host}{}?from=rss", path_of(&article.canonical_url))
    }
}

fn feed_document(
    feed: &DemoFeed,
    source: &NewSource,
    host: &str,
    articles: &[&NewArticle],
    channel_names: &HashMap<&str, &str>,
) -> (String, &'static str, Vec<u8>) {
    let wechat = source.kind == SourceKind::Wechat;
    let base = if wechat {
        format!("/feed/{}", source.slug)
    } else {
        "/rss".to_owned()
    };
    let site = source
        .homepage
        .clone()
        .unwrap_or_else(|| format!("https://{host}/"));
    let category = |a: &NewArticle| {
        let slug = a
            .channel_slug
            .as_deref()
            .or(source.channel_slug.as_deref())
            .unwrap_or_default();
        channel_names
            .get(slug)
            .copied()
            .unwrap_or_default()
            .to_owned()
    };
    let full = matches!(feed.style, FeedStyle::RssFull | FeedStyle::JsonFull);
    let images = image_base(source, host);
    let text_of = |a: &NewArticle| {
        if full {
            a.body_html
                .replace(&format!("/media/{MEDIA_PREFIX}/"), &images)
        } else {
            format!("<p>{}</p>", escape(&a.summary))
        }
    };
    match feed.style {
        FeedStyle::Broken => (
            format!("{base}.xml"),
            "application/rss+xml; charset=utf-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>{}</title><item><title>稿件系统升级中",
                escape(&source.name)
            )
            .into_bytes(),
        ),
        FeedStyle::JsonFull => {
            let items: Vec<serde_json::Value> = articles
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "id": a.canonical_url,
                        "url": feed_link(host, a, full),
                        "title": a.title,
                        "content_html": text_of(a),
                        "date_published": china_time(a).to_rfc3339(),
                        "authors": a.author.iter().map(|name| serde_json::json!({"name": name})).collect::<Vec<_>>(),
                        "tags": [category(a)],
                    })
                })
                .collect();
            let document = serde_json::json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": source.name,
                "home_page_url": site,
                "items": items,
            });
            (format!("{base}.json"), "application/feed+json", document.to_string().into_bytes())
        }
        FeedStyle::AtomSummary => {
            let updated = articles
                .first()
                .map_or_else(|| Utc::now().to_rfc3339(), |a| china_time(a).to_rfc3339());
            let entries: String = articles
                .iter()
                .map(|a| {
                    format!(
                        "<entry><id>{id}</id><title>{title}</title><link rel=\"alternate\" href=\"{link}\"/>\
                         <published>{time}</published><updated>{time}</updated>{author}\
                         <category term=\"{category}\"/><summary type=\"html\">{summary}</summary></entry>",
                        id = escape(&a.canonical_url),
                        title = escape(&a.title),
                        link = escape(&feed_link(host, a, full)),
                        time = china_time(a).to_rfc3339(),
                        author = a
                            .author
                            .as_deref()
                            .map(|n| format!("<author><name>{}</name></author>", escape(n)))
                            .unwrap_or_default(),
                        category = escape(&category(a)),
                        summary = escape(&text_of(a)),
                    )
                })
                .collect();
            let document = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
                 <title>{}</title><id>{}</id><link href=\"{}\"/><updated>{updated}</updated>{entries}</feed>",
                escape(&source.name),
                escape(&site),
                escape(&site)
            );
            ("/atom.xml".to_owned(), "application/atom+xml; charset=utf-8", document.into_bytes())
        }
        // The kinds without a feed are served by `build`; asked for one, they give plain RSS.
        FeedStyle::RssSummary
        | FeedStyle::RssFull
        | FeedStyle::ListPage
        | FeedStyle::NewsSitemap
        | FeedStyle::Bridges => {
            let items: String = articles
                .iter()
                .map(|a| {
                    format!(
                        "<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>\
                         <pubDate>{date}</pubDate>{author}<category>{category}</category>\
                         <description><![CDATA[<p>{teaser}</p>]]></description>{content}</item>",
                        title = escape(&a.title),
                        link = escape(&feed_link(host, a, full)),
                        guid = escape(&a.canonical_url),
                        date = china_time(a).to_rfc2822(),
                        author = a
                            .author
                            .as_deref()
                            .map(|n| format!("<author>{}</author>", escape(n)))
                            .unwrap_or_default(),
                        category = escape(&category(a)),
                        teaser = escape(&a.summary),
                        content = if full {
                            format!("<content:encoded><![CDATA[{}]]></content:encoded>", text_of(a).replace("]]>", "]]&gt;"))
                        } else {
                            String::new()
                        },
                    )
                })
                .collect();
            let encoding = if feed.gbk { "GBK" } else { "UTF-8" };
            let document = format!(
                "<?xml version=\"1.0\" encoding=\"{encoding}\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
                 <title>{}</title><link>{}</link><description>{}</description><language>zh-cn</language>{items}</channel></rss>",
                escape(&source.name),
                escape(&site),
                escape(&source.description)
            );
            let body = if feed.gbk {
                encoding_rs::GBK.encode(&document).0.into_owned()
            } else {
                document.into_bytes()
            };
            (format!("{base}.xml"), "application/rss+xml", body)
        }
    }
}

/// A page shaped like a WeChat public-account article: the body waits hidden in `#js_content`
/// with lazy `data-src` images, the metadata sits in inline scripts, and the page ends with the
/// 阅读原文 link, reading counts and the QR prompt.
fn wechat_page(
    article: &NewArticle,
    source: &NewSource,
    body: &str,
    read_original: &str,
) -> String {
    let time = china_time(article);
    let body = body
        .replace("<img src=", "<img class=\"rich_pages wxw-img\" data-type=\"svg\" data-src=")
        .replace("<p>", "<section><p style=\"margin: 0 8px 24px;line-height: 1.75em;\"><span style=\"font-size: 15px;letter-spacing: 1px;\">")
        .replace("</p>", "</span></p></section>");
    let author = article
        .author
        .as_deref()
        .map(|a| {
            format!(
                "<span class=\"rich_media_meta rich_media_meta_text\">{}</span>",
                escape(a)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0">
<meta property="og:title" content="{title}"><meta property="og:url" content="{url}"><meta property="og:type" content="article">
<meta property="og:description" content="{summary}"><meta name="description" content="{summary}">
<title>{title}</title>
<script>var biz = "MzA{slug_len}ODk2MA=="; var msg_title = '{title_js}'; var nickname = "{account}"; var ct = "{timestamp}"; var msg_link = "{url}"; var user_name = "gh_{slug}";</script>
<link rel="stylesheet" href="//res.wx.example/open/libs/weui/weui.min.css"></head>
<body id="activity-detail" class="zh_CN wx_wap_page">
<div class="rich_media_wrp" id="js_article_wrp"><div id="js_article" class="rich_media">
<div id="js_top_ad_area" class="top_banner"></div>
<div class="rich_media_inner"><div id="page-content" class="rich_media_area_primary">
<h1 class="rich_media_title" id="activity-name">{title}</h1>
<div id="meta_content" class="rich_media_meta_list">{author}
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" id="js_name">{account}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">{date}</em></div>
<div class="rich_media_content js_underline_content" id="js_content" style="visibility: hidden;">{body}</div>
<div class="rich_media_tool" id="js_toobar3"><a class="media_tool_meta meta_primary" id="js_view_source" href="{read_original}">阅读原文</a>
<div class="media_tool_meta">阅读 <span id="readNum3">1.2万</span></div><div class="media_tool_meta">在看 <span id="likeNum3">318</span></div></div>
<div class="rich_media_extra"><div id="js_sponsor_ad_area" class="sponsor_ad"></div><div class="weui-loadmore">正在加载</div>
<div class="discuss_container" id="js_cmt_area"><p class="discuss_title">留言</p><ul class="discuss_list"><li class="discuss_item">写得很好，转发了</li><li class="discuss_item">关注很久了</li></ul></div></div>
</div></div>
<div id="js_pc_qr_code" class="qr_code_pc_outer"><div class="qr_code_pc"><img id="js_pc_qr_code_img" class="qr_code_pc_img" alt="二维码"><p>微信扫一扫<br>关注该公众号</p></div></div>
</div></div>
<script src="//res.wx.example/mmbizwap/zh_CN/htmledition/js/appmsg.js"></script>
<script>document.getElementById("js_content").style.visibility = "visible";</script>
</body></html>"#,
        title = escape(&article.title),
        title_js = article.title.replace('\\', "\\\\").replace('\'', "\\'"),
        url = escape(&article.canonical_url),
        summary = escape(&article.summary),
        slug = source.slug.replace('-', "_"),
        slug_len = source.slug.len(),
        account = escape(&source.name),
        timestamp = article.published_at.timestamp(),
        date = time.format("%Y-%m-%d %H:%M"),
        read_original = escape(read_original),
    )
}

/// A page shaped like a Chinese news portal's: top bar, navigation, banner ad, breadcrumbs,
/// the article with its byline, share buttons and editor line, then related news, comments,
/// a hot list and the footer.
fn portal_page(
    article: &NewArticle,
    source: &NewSource,
    channel: &str,
    body: &str,
    siblings: &[&NewArticle],
    gbk: bool,
) -> String {
    let time = china_time(article);
    let others: Vec<&&NewArticle> = siblings
        .iter()
        .filter(|a| a.canonical_url != article.canonical_url)
        .collect();
    let related: String = others
        .iter()
        .take(5)
        .map(|a| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&path_of(&a.canonical_url)),
                escape(&a.title)
            )
        })
        .collect();
    let hot = ranked_list(others.iter().rev().take(8).map(|a| **a));
    let lang = if article.script == Script::Traditional {
        "zh-TW"
    } else {
        "zh-CN"
    };
    let byline = article
        .author
        .as_deref()
        .map(|a| format!("<span class=\"author\">记者：{}</span>", escape(a)))
        .unwrap_or_default();
    let meta_author = article
        .author
        .as_deref()
        .map(|a| format!("<meta name=\"author\" content=\"{}\">", escape(a)))
        .unwrap_or_default();
    let site = escape(&source.name);
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}">
<title>{title}_{channel}_{site}</title>
<meta name="keywords" content="{channel},{site},新闻"><meta name="description" content="{summary}">{meta_author}
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{iso}">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/css/main.css"><script src="/static/js/jquery.min.js"></script><script src="/static/js/ad.js"></script></head>
<body>
<div class="topbar"><div class="w1200"><a href="/">{site}首页</a> | <a href="/m/">手机版</a> | <a href="/app/">下载客户端</a><span class="login"><a href="/login">登录</a> <a href="/reg">注册</a></span></div></div>
<div class="header w1200"><div class="logo"><a href="/">{site}</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">要闻</a></li><li><a href="/local/">本地</a></li><li><a href="/world/">国际</a></li><li><a href="/finance/">财经</a></li><li><a href="/tech/">科技</a></li><li><a href="/sports/">体育</a></li><li><a href="/video/">视频</a></li></ul>
<form class="search" action="/search"><input name="q" placeholder="搜索新闻"><button>搜索</button></form></div>
<div class="ad ad-banner w1200"><a href="/ad/click?id=1001" target="_blank"><img src="/ads/banner-1200x90.gif" alt="广告"></a><span>广告</span></div>
<div class="crumbs w1200">当前位置：<a href="/">首页</a> &gt; <a href="/news/">{channel}</a> &gt; 正文</div>
<div class="main w1200"><div class="left">
<div class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info"><span class="time">{date}</span> <span class="source">来源：{site}</span> {byline} <span class="views">阅读：2318</span></div>
<div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a><a class="qz">QQ空间</a></div>
<div class="article-content" id="content">{body}</div>
<div class="editor">（责任编辑：陈静）</div>
<div class="statement">声明：本网站所刊载信息，不代表本站观点。</div>
</div>
<div class="related"><h3>相关新闻</h3><ul>{related}</ul></div>
<div class="comments" id="comments"><h3>网友评论</h3>
<div class="comment"><span class="user">网友“青澜老张”</span>：说得对，希望早日落实。<span class="up">赞(36)</span></div>
<div class="comment"><span class="user">网友“小鹿”</span>：已转发给家里人看。<span class="up">赞(12)</span></div>
<form class="comment-form"><textarea placeholder="文明上网，理性发言"></textarea><button>发表评论</button></form></div>
</div>
<div class="right"><div class="hot"><h3>热点排行</h3><ol>{hot}</ol></div>
<div class="ad ad-side"><a href="/ad/click?id=1002">广告位招租 联系电话 0571-0000000</a></div>
<div class="follow"><h3>关注我们</h3><p>扫描二维码关注{site}官方微信</p></div></div></div>
<div class="footer"><p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | <a href="/ads/">广告服务</a> | <a href="/sitemap/">网站地图</a></p>
<p>Copyright © 2026 {site} 版权所有 未经书面授权禁止转载</p><p>违法和不良信息举报电话：0571-0000001</p></div>
</body></html>"#,
        charset = if gbk { "gbk" } else { "utf-8" },
        title = escape(&article.title),
        channel = escape(channel),
        summary = escape(&article.summary),
        iso = time.to_rfc3339(),
        url = escape(&article.canonical_url),
        date = time.format("%Y-%m-%d %H:%M"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_a_feed_and_every_article_a_page() {
        let corpus = crate::load().unwrap();
        let (resources, feed_urls, bridges) = build(&corpus);
        assert_eq!(feed_urls.len() + bridges.len(), corpus.sources.len());
        for article in &corpus.articles {
            let source = corpus
                .sources
                .iter()
                .find(|s| s.slug == article.source_slug)
                .unwrap();
            let key = (host_of(source), path_of(&article.canonical_url));
            assert!(
                resources.contains_key(&key),
                "no page for {}",
                article.canonical_url
            );
        }
        let gbk = corpus.feeds.iter().find(|f| f.gbk).unwrap();
        let source = corpus
            .sources
            .iter()
            .find(|s| s.slug == gbk.source_slug)
            .unwrap();
        let page = corpus
            .articles
            .iter()
            .find(|a| a.source_slug == source.slug)
            .unwrap();
        let bytes = &resources[&(host_of(source), path_of(&page.canonical_url))].body;
        assert!(
            std::str::from_utf8(bytes).is_err(),
            "GBK pages are not UTF-8"
        );
        let (text, _, errors) = encoding_rs::GBK.decode(bytes);
        assert!(!errors && text.contains(&page.title));
    }
}
