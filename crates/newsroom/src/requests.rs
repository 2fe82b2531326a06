//! What the newsroom does with what readers and rights holders send: how many requests a form
//! takes in an hour, how a submission becomes an article, which articles a takedown request
//! names, and what an editor must have said before a takedown removes anything.
//!
//! The web layer's forms and the JSON API both apply these, so that the two cannot disagree.

use chrono::{DateTime, Utc};
use xinwen_model::{NewArticle, NewChannel, NewSource, Publisher, SourceKind, Submission};

/// The window over which the public forms' limits count requests.
pub const FORM_LIMIT_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// How many requests (submissions and takedown requests together) the public forms take per
/// [`FORM_LIMIT_WINDOW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormLimits {
    /// From one network address.
    pub per_address: u64,
    /// From everyone together: a flood cannot bury the editors.
    pub overall: u64,
}

/// Why a form was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitReached {
    /// This address sent as many as one address may; the limit is given.
    Address(u64),
    /// The site took as many as it takes from everyone.
    Site,
}

/// Whether one more request is taken, given how many were received in the window from its
/// address and from everyone.
pub fn within_form_limits(
    from_address: u64,
    from_everyone: u64,
    limits: FormLimits,
) -> Result<(), LimitReached> {
    if from_address >= limits.per_address {
        return Err(LimitReached::Address(limits.per_address));
    }
    if from_everyone >= limits.overall {
        return Err(LimitReached::Site);
    }
    Ok(())
}

/// The channel published submissions go to unless the editor picks another.
pub const READERS_CHANNEL: &str = "tougao";
/// The source every published submission is credited to.
pub const READERS_SOURCE: &str = "readers";

/// The readers' channel, created the first time a submission is published, placed after the
/// channels at `last_position`.
pub fn readers_channel(last_position: i64) -> NewChannel {
    NewChannel {
        slug: READERS_CHANNEL.into(),
        name: "读者投稿".into(),
        description: "读者提供的新闻线索和文章，经编辑审核后发布。".into(),
        position: last_position + 1,
    }
}

/// The readers' source: nothing to fetch, its articles are the readers' submissions.
pub fn readers_source() -> NewSource {
    NewSource {
        slug: READERS_SOURCE.into(),
        name: "读者投稿".into(),
        kind: SourceKind::Feed,
        publisher: Publisher::Readers,
        channel_slug: Some(READERS_CHANNEL.into()),
        description: "本站读者提供的新闻线索和文章。".into(),
        ..NewSource::default()
    }
}

/// What an editor decides when publishing a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub title: String,
    /// The byline; none when empty.
    pub author: String,
    /// The channel's slug; the readers' channel when `None`.
    pub channel_slug: Option<String>,
}

/// The article a submission becomes: the reader's text as escaped paragraphs, credited to the
/// readers' source, with an identity of its own that no fetched page can take.
pub fn article_from_submission(
    submission: &Submission,
    publication: Publication,
    now: DateTime<Utc>,
) -> NewArticle {
    let summary: String = submission
        .body
        .chars()
        .filter(|c| *c != '\n')
        .take(120)
        .collect();
    NewArticle {
        source_slug: READERS_SOURCE.into(),
        channel_slug: Some(
            publication
                .channel_slug
                .unwrap_or_else(|| READERS_CHANNEL.into()),
        ),
        title: publication.title,
        author: Some(publication.author).filter(|a| !a.is_empty()),
        original_url: submission.url.clone().unwrap_or_default(),
        // Not a web address: a submission has no page elsewhere that could be fetched again,
        // and this keeps its identity apart from any that does.
        canonical_url: format!("xinwen:submission:{}", submission.receipt),
        published_at: now,
        fetched_at: now,
        body_html: paragraphs_html(&submission.body),
        body_text: submission.body.clone(),
        summary,
        images: Vec::new(),
        script: crate::script_of(None, &submission.body),
        credited_source: None,
    }
}

/// A reader's plain text as article markup: blank lines part paragraphs, a single line break
/// stays one, and nothing the reader typed becomes markup.
pub fn paragraphs_html(text: &str) -> String {
    text.split("\n\n")
        .filter_map(|block| {
            let lines: Vec<String> = block
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(escape_text)
                .collect();
            (!lines.is_empty()).then(|| format!("<p>{}</p>", lines.join("<br>")))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The articles a takedown request's lines name: this site's own article addresses by id
/// (whatever the host, since the site may be reached under several), anything else by the
/// address the article was published at, as written and in canonical form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedPages {
    pub article_ids: Vec<i64>,
    pub urls: Vec<String>,
}

/// Reads a takedown request's pages, one address per line; lines that are not addresses are
/// left for the editor to read.
pub fn pages_named(pages: &str) -> NamedPages {
    let mut named = NamedPages::default();
    for line in pages.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Ok(url) = url::Url::parse(line) else {
            continue;
        };
        let ours = url
            .path()
            .strip_prefix("/article/")
            .and_then(|rest| rest.trim_end_matches('/').parse::<i64>().ok());
        match ours {
            Some(id) => named.article_ids.push(id),
            None => {
                named.urls.push(line.to_owned());
                named.urls.push(xinwen_model::link::canonical_url(line));
            }
        }
    }
    named
}

/// Why an editor's approval of a takedown was not carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalRefused {
    /// The editor did not confirm that the claimant's identity and rights were checked.
    NotConfirmed,
    /// No article was chosen; a request that should remove nothing is rejected instead.
    NothingChosen,
}

/// The articles an approval removes: those the editor ticked (`chosen`, ids as the form sends
/// them) and any further ids typed into `more` (a repost the request did not name), once each;
/// only after the editor `confirmed` the claimant's identity and rights.
pub fn articles_to_remove(
    chosen: &[&str],
    more: &str,
    confirmed: bool,
) -> Result<Vec<i64>, RemovalRefused> {
    if !confirmed {
        return Err(RemovalRefused::NotConfirmed);
    }
    let mut ids: Vec<i64> = chosen
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    ids.extend(
        more.split(|c: char| !c.is_ascii_digit())
            .filter_map(|v| v.parse::<i64>().ok()),
    );
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(RemovalRefused::NothingChosen);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinwen_model::{SubmissionKind, SubmissionStatus};

    #[test]
    fn an_address_at_its_limit_is_refused_before_the_site_is() {
        let limits = FormLimits {
            per_address: 5,
            overall: 200,
        };
        assert_eq!(within_form_limits(4, 199, limits), Ok(()));
        assert_eq!(
            within_form_limits(5, 300, limits),
            Err(LimitReached::Address(5))
        );
        assert_eq!(within_form_limits(0, 200, limits), Err(LimitReached::Site));
    }

    fn submission(body: &str) -> Submission {
        Submission {
            id: 7,
            receipt: "R7".into(),
            kind: SubmissionKind::Article,
            title: "读者来稿".into(),
            body: body.into(),
            url: None,
            author: None,
            contact: None,
            status: SubmissionStatus::Pending,
            created_at: DateTime::UNIX_EPOCH,
            decided_at: None,
            decided_by: None,
            article_id: None,
        }
    }

    #[test]
    fn a_published_submission_keeps_the_readers_text_and_none_of_its_markup() {
        let now = DateTime::UNIX_EPOCH + chrono::TimeDelta::days(20_000);
        let article = article_from_submission(
            &submission("第一段<script>x</script>\n第二行\n\n\n第二段 & 结束"),
            Publication {
                title: "编辑改过的标题".into(),
                author: String::new(),
                channel_slug: None,
            },
            now,
        );
        assert_eq!(
            article.body_html,
            "<p>第一段&lt;script&gt;x&lt;/script&gt;<br>第二行</p>\n<p>第二段 &amp; 结束</p>"
        );
        assert_eq!(article.source_slug, READERS_SOURCE);
        assert_eq!(article.channel_slug.as_deref(), Some(READERS_CHANNEL));
        assert_eq!(article.author, None);
        assert_eq!(article.canonical_url, "xinwen:submission:R7");
        assert!(!article.summary.contains('\n'));
        assert_eq!(article.published_at, now);
    }

    #[test]
    fn a_request_names_our_articles_by_id_and_others_by_address() {
        let named = pages_named(
            "https://xinwen.example/article/42/\n  \nnot an address\nhttps://news.example/a/1.html?utm_source=x\n",
        );
        assert_eq!(named.article_ids, vec![42]);
        assert_eq!(
            named.urls,
            vec![
                "https://news.example/a/1.html?utm_source=x".to_owned(),
                xinwen_model::link::canonical_url("https://news.example/a/1.html?utm_source=x"),
            ]
        );
    }

    #[test]
    fn nothing_is_removed_unconfirmed_or_unchosen_and_each_article_once() {
        assert_eq!(
            articles_to_remove(&["3"], "", false),
            Err(RemovalRefused::NotConfirmed)
        );
        assert_eq!(
            articles_to_remove(&["x"], " ", true),
            Err(RemovalRefused::NothingChosen)
        );
        assert_eq!(
            articles_to_remove(&["3", "1"], "5，3 和 12", true),
            Ok(vec![1, 3, 5, 12])
        );
    }
}
