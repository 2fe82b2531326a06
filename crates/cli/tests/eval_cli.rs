//! `xinwen eval related` and `xinwen eval dedup` on small data sets written here, whose
//! figures are worked out by hand: the metrics behind the published figures, tested.

mod common;

use std::process::Command;

fn eval(what: &str, dataset: &std::path::Path) -> String {
    let out = Command::new(common::BINARY)
        .args(["eval", what, "--dataset"])
        .arg(dataset)
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn related_reading_precision_is_counted_over_the_first_five_and_ten() {
    // Two topics with no words in common, six articles each: every article's five nearest
    // are its own topic's other five, so P@5 = 1; ten places hold only those five of its
    // topic, so P@10 = 5/10.
    let sports = [
        "青澜队在主场比赛中两球击败对手，教练赛后称赞球队的防守。",
        "足球联赛第十轮，青澜队前锋梅开二度，球队升至积分榜第二。",
        "青澜队教练宣布新赛季的首发阵容，两名年轻球员进入球队。",
        "联赛最后一轮比赛，青澜队客场逼平对手，教练对球员表示满意。",
        "青澜队球员在训练中受伤，教练说他将缺席下一场联赛比赛。",
        "球迷在主场为青澜队加油，比赛中球队两次攻破对手球门。",
    ];
    let finance = [
        "央行宣布下调存款利率，银行股当天上涨，投资者情绪回暖。",
        "股市连续三天下跌，投资者担心利率上升影响银行利润。",
        "多家银行调整贷款利率，分析师预计股市将迎来资金流入。",
        "投资者在股市震荡中转向银行理财产品，利率成为关注焦点。",
        "银行发布季度财报，利润增长带动股市上涨，投资者纷纷买入。",
        "利率下调后，股市成交量放大，银行板块领涨，投资者增多。",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for (label, texts) in [("体育", sports), ("财经", finance)] {
        for (i, text) in texts.iter().enumerate() {
            lines.push_str(
                &serde_json::json!({"id": format!("{label}{i}"), "label": label, "text": text})
                    .to_string(),
            );
            lines.push('\n');
        }
    }
    std::fs::write(dir.path().join("cnews.jsonl"), lines).unwrap();
    let said = eval("related", dir.path());
    assert!(said.contains("(12 articles)"), "{said}");
    assert!(said.contains("p_at_5=1.000 p_at_10=0.500"), "{said}");
}

#[test]
fn same_story_pairs_are_counted_by_hand() {
    // Story A: an original, a word-for-word repost with a credit line, and a rewrite in other
    // words (the same story to the labels, not a copy to the deduper); story B: one article.
    // True pairs: a1-a2, a1-a3, a2-a3 (3). Joined: a1-a2 (1), which is right.
    // Precision 1/1, recall 1/3, F1 2·1·(1/3)/(4/3) = 0.5.
    let a1 = "青澜市地铁五号线今天上午正式开通运营，全线共设十八座车站，连接城东新区和老城区。市交通局表示，开通初期列车间隔为六分钟，早晚高峰将缩短到四分钟，预计每天运送乘客二十万人次。";
    let a2 = format!("{a1}\n来源：青澜日报");
    let a3 = "从今天起，城东的居民可以坐地铁去老城了。新线路有十八个站，高峰期大约四分钟一趟车，交通部门估计每天会有二十万人乘坐。不少市民一早就赶来体验。";
    let b1 = "南屿岛今年的渔获量比去年增加了三成，渔民协会说这是休渔期延长的结果。岛上的冷库已经满负荷运转，部分海产品开始通过新建的码头运往内地。";
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        (
            "地铁五号线开通",
            a1.to_owned(),
            "2026-11-01T08:00:00+08:00",
            "A",
            "original",
        ),
        (
            "地铁五号线开通",
            a2,
            "2026-11-01T09:00:00+08:00",
            "A",
            "repost",
        ),
        (
            "城东坐地铁去老城",
            a3.to_owned(),
            "2026-11-01T10:00:00+08:00",
            "A",
            "rewrite",
        ),
        (
            "南屿岛渔获增加",
            b1.to_owned(),
            "2026-11-01T11:00:00+08:00",
            "B",
            "original",
        ),
    ];
    let lines: String = rows
        .iter()
        .map(|(title, text, at, story, variant)| {
            serde_json::json!({"title": title, "text": text, "published_at": at, "story": story, "variant": variant})
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("stories.jsonl"), lines).unwrap();
    let said = eval("dedup", dir.path());
    assert!(
        said.contains("pairs: 3 true, 1 predicted, 1 both"),
        "{said}"
    );
    assert!(
        said.contains("precision=1.0000 recall=0.3333 f1=0.5000"),
        "{said}"
    );
}
