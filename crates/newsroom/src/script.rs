//! Telling simplified from traditional Chinese.

use xinwen_model::Script;

/// Frequent characters written differently in the two scripts: (traditional, simplified).
const PAIRS: &[(char, char)] = &[
    ('們', '们'),
    ('個', '个'),
    ('這', '这'),
    ('來', '来'),
    ('時', '时'),
    ('為', '为'),
    ('說', '说'),
    ('國', '国'),
    ('會', '会'),
    ('對', '对'),
    ('學', '学'),
    ('發', '发'),
    ('過', '过'),
    ('經', '经'),
    ('與', '与'),
    ('後', '后'),
    ('種', '种'),
    ('開', '开'),
    ('關', '关'),
    ('長', '长'),
    ('實', '实'),
    ('問', '问'),
    ('點', '点'),
    ('還', '还'),
    ('頭', '头'),
    ('邊', '边'),
    ('體', '体'),
    ('萬', '万'),
    ('東', '东'),
    ('車', '车'),
    ('現', '现'),
    ('動', '动'),
    ('機', '机'),
    ('業', '业'),
    ('區', '区'),
    ('華', '华'),
    ('報', '报'),
    ('記', '记'),
    ('灣', '湾'),
    ('話', '话'),
    ('愛', '爱'),
    ('場', '场'),
    ('將', '将'),
    ('無', '无'),
    ('從', '从'),
    ('價', '价'),
    ('碼', '码'),
    ('島', '岛'),
    ('濟', '济'),
    ('議', '议'),
    ('選', '选'),
    ('員', '员'),
    ('達', '达'),
    ('雲', '云'),
    ('風', '风'),
    ('氣', '气'),
    ('貨', '货'),
];

/// The script of an article: from its declared language when that says (zh-TW, zh-Hant...),
/// otherwise from which form of the frequent differing characters its text uses.
pub fn script_of(lang: Option<&str>, text: &str) -> Script {
    if let Some(lang) = lang.map(str::to_ascii_lowercase) {
        if ["zh-hant", "zh-tw", "zh-hk", "zh-mo"]
            .iter()
            .any(|t| lang.starts_with(t))
        {
            return Script::Traditional;
        }
        if ["zh-hans", "zh-cn", "zh-sg"]
            .iter()
            .any(|t| lang.starts_with(t))
        {
            return Script::Simplified;
        }
    }
    let (mut traditional, mut simplified) = (0usize, 0usize);
    for c in text.chars().take(20_000) {
        for (t, s) in PAIRS {
            if c == *t {
                traditional += 1;
            } else if c == *s {
                simplified += 1;
            }
        }
    }
    if traditional > simplified {
        Script::Traditional
    } else {
        Script::Simplified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_follows_the_declared_language_then_the_text() {
        assert_eq!(script_of(Some("zh-TW"), "中文"), Script::Traditional);
        assert_eq!(script_of(Some("zh-CN"), "這個國家"), Script::Simplified);
        assert_eq!(
            script_of(None, "颱風過後，港區的貨櫃碼頭恢復作業。"),
            Script::Traditional
        );
        assert_eq!(
            script_of(Some("zh"), "台风过后，港区的货柜码头恢复作业。"),
            Script::Simplified
        );
        assert_eq!(script_of(None, ""), Script::Simplified);
    }
}
