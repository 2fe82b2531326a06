//! OPML, the format feed readers exchange subscription lists in.

use serde::Serialize;

/// One feed of an OPML list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpmlFeed {
    pub title: String,
    pub feed_url: String,
    pub site_url: Option<String>,
    /// The folder the feed was filed under, if any (the outermost one).
    pub category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an OPML file xinwen can read: {0}")]
pub struct OpmlError(String);

/// Every feed in an OPML document, folders flattened.
pub fn parse_opml(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let document = opml::OPML::from_str(text).map_err(|e| OpmlError(e.to_string()))?;
    let mut feeds = Vec::new();
    for outline in &document.body.outlines {
        collect(outline, None, &mut feeds);
    }
    Ok(feeds)
}

fn collect(outline: &opml::Outline, folder: Option<&str>, feeds: &mut Vec<OpmlFeed>) {
    if let Some(feed_url) = outline
        .xml_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        let title = outline
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&outline.text)
            .trim()
            .to_owned();
        feeds.push(OpmlFeed {
            title,
            feed_url: feed_url.to_owned(),
            // A site link that is not http(s) is dropped; the feed link is checked where the
            // source is added, which says why it refuses one.
            site_url: outline
                .html_url
                .as_deref()
                .filter(|u| xinwen_model::link::is_web_url(u))
                .map(|u| u.trim().to_owned()),
            category: folder
                .map(str::to_owned)
                .or_else(|| outline.category.clone()),
        });
    }
    let folder = folder.or(Some(outline.text.as_str()).filter(|t| !t.trim().is_empty()));
    for child in &outline.outlines {
        collect(child, folder, feeds);
    }
}

/// An OPML document listing `feeds`, grouped in folders by category.
pub fn write_opml(title: &str, feeds: &[OpmlFeed]) -> Result<String, OpmlError> {
    let mut document = opml::OPML {
        head: Some(opml::Head {
            title: Some(title.to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut folders: Vec<opml::Outline> = Vec::new();
    for feed in feeds {
        let outline = opml::Outline {
            text: feed.title.clone(),
            title: Some(feed.title.clone()),
            r#type: Some("rss".to_owned()),
            xml_url: Some(feed.feed_url.clone()),
            html_url: feed.site_url.clone(),
            ..Default::default()
        };
        match &feed.category {
            Some(category) => match folders.iter_mut().find(|f| &f.text == category) {
                Some(folder) => folder.outlines.push(outline),
                None => folders.push(opml::Outline {
                    text: category.clone(),
                    outlines: vec![outline],
                    ..Default::default()
                }),
            },
            None => document.body.outlines.push(outline),
        }
    }
    document.body.outlines.extend(folders);
    document.to_string().map_err(|e| OpmlError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opml_round_trips_with_folders() {
        let feeds = vec![
            OpmlFeed {
                title: "星河日报".into(),
                feed_url: "https://xinghe.example/rss.xml".into(),
                site_url: Some("https://xinghe.example/".into()),
                category: Some("社会".into()),
            },
            OpmlFeed {
                title: "远望国际".into(),
                feed_url: "https://yuanwang.example/atom.xml".into(),
                site_url: None,
                category: None,
            },
        ];
        let text = write_opml("xinwen sources", &feeds).unwrap();
        let mut back = parse_opml(&text).unwrap();
        back.sort_by(|a, b| a.title.cmp(&b.title));
        let mut expected = feeds.clone();
        expected.sort_by(|a, b| a.title.cmp(&b.title));
        assert_eq!(back, expected);
    }

    #[test]
    fn a_broken_opml_file_is_a_clear_error() {
        let err = parse_opml("<opml><body><outline").unwrap_err();
        assert!(err.to_string().starts_with("not an OPML file"), "{err}");
    }
}
