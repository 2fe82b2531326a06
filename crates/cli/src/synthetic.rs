//! Synthetic Chinese text for the benchmarks: words drawn with a Zipf distribution (as word
//! frequencies in any language fall) from common news words and made-up two- to
//! four-character names, which no dictionary knows, as real news is full of. Deterministic:
//! the same seed gives the same text, so runs compare.

/// Common words, most frequent first by rough news usage.
pub(crate) const COMMON: &[&str] = &[
    "我们",
    "发展",
    "经济",
    "中国",
    "工作",
    "问题",
    "企业",
    "市场",
    "政府",
    "建设",
    "北京",
    "国家",
    "城市",
    "记者",
    "今天",
    "表示",
    "市民",
    "项目",
    "部门",
    "情况",
    "服务",
    "交通",
    "计划",
    "公司",
    "投资",
    "学校",
    "学生",
    "医院",
    "居民",
    "社区",
    "文化",
    "科技",
    "创新",
    "环境",
    "保护",
    "气温",
    "台风",
    "地铁",
    "线路",
    "开通",
    "运营",
    "乘客",
    "车站",
    "大桥",
    "港口",
    "渡轮",
    "航班",
    "旅客",
    "比赛",
    "球队",
    "冠军",
    "教练",
    "球迷",
    "体育",
    "马拉松",
    "博物馆",
    "展览",
    "文物",
    "图书馆",
    "芯片",
    "产线",
    "晶圆",
    "卫星",
    "发射",
    "数据",
    "平台",
    "用户",
    "手机",
    "网络",
    "人工智能",
    "价格",
    "消费",
    "基金",
    "股票",
    "银行",
    "利率",
    "贷款",
    "房价",
    "租金",
    "就业",
    "工资",
    "补贴",
    "会议",
    "代表",
    "谈判",
    "协议",
    "签署",
    "合作",
    "国际",
    "外交",
    "渔业",
    "海域",
    "边境",
    "选举",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "天津",
    "重庆",
    "西安",
    "长江大桥",
    "新能源汽车",
    "气象台",
    "预警",
    "暴雨",
    "降温",
    "疫苗",
    "教育",
    "高考",
    "大学",
    "研究",
    "实验室",
    "改革",
    "政策",
    "法律",
    "法院",
    "警方",
    "调查",
    "事故",
    "安全",
    "消防",
    "救援",
    "志愿者",
    "捐款",
    "电影",
    "音乐",
    "演出",
    "票房",
    "导演",
    "演员",
    "小说",
    "作家",
    "书店",
    "读者",
    "节目",
    "直播",
    "农业",
    "粮食",
    "收成",
    "农民",
    "乡村",
    "旅游",
    "景区",
    "游客",
    "酒店",
    "餐厅",
    "美食",
    "特产",
    "预计",
    "明年",
    "上午",
    "下午",
    "目前",
    "同时",
    "此外",
    "但是",
    "因为",
    "所以",
    "如果",
    "已经",
    "一个",
    "一些",
    "他们",
    "这个",
    "可以",
    "需要",
    "应该",
    "通过",
    "对于",
    "关于",
    "进行",
    "相关",
];

/// Characters the made-up names are built from.
const NAME_CHARS: &str = "安柏辰丹德芳峰冠海翰浩宏华辉佳嘉杰锦俊凯岚磊林玲龙路曼铭楠宁鹏琪泉然瑞森善舒涛婷彤维文熙祥潇欣鑫轩雅扬怡逸瑛雨远云泽哲振志卓子澜屿湾港岭坪溪湖滩洲矶浦渚汀岗岙墩埠岑";

pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub(crate) struct Vocabulary {
    pub(crate) words: Vec<String>,
    /// Cumulative Zipf weights, for sampling by binary search.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    pub(crate) fn new(rng: &mut Rng, made_up: usize) -> Vocabulary {
        let chars: Vec<char> = NAME_CHARS.chars().collect();
        let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < COMMON.len() + made_up {
            let length = 2 + rng.below(3);
            let word: String = (0..length).map(|_| chars[rng.below(chars.len())]).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        // Interleave common and made-up words down the ranks, so that every part of the
        // frequency curve has both.
        let (common, names) = words.split_at(COMMON.len());
        let mut ranked = Vec::with_capacity(words.len());
        let mut names = names.iter();
        for word in common {
            ranked.push(word.clone());
            for name in names.by_ref().take(3) {
                ranked.push(name.clone());
            }
        }
        ranked.extend(names.cloned());
        let mut total = 0.0;
        let cumulative = (1..=ranked.len())
            .map(|rank| {
                total += 1.0 / (rank as f64).powf(1.07);
                total
            })
            .collect();
        Vocabulary {
            words: ranked,
            cumulative,
        }
    }

    /// The index of a word drawn by its Zipf weight.
    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let target = rng.unit() * self.cumulative.last().copied().unwrap_or(1.0);
        self.cumulative
            .partition_point(|c| *c < target)
            .min(self.words.len() - 1)
    }
}

const PUNCTUATION: [&str; 4] = ["，", "。", "、", "；"];

impl Vocabulary {
    /// `words` words drawn by their weights, with punctuation every nine and a full stop at
    /// the end; `on_word` hears the index of each word drawn.
    pub(crate) fn text(
        &self,
        rng: &mut Rng,
        words: usize,
        mut on_word: impl FnMut(usize),
    ) -> String {
        let mut out = String::new();
        for n in 0..words {
            let index = self.sample(rng);
            on_word(index);
            out.push_str(&self.words[index]);
            if n % 9 == 8 {
                out.push_str(PUNCTUATION[rng.below(PUNCTUATION.len())]);
            }
        }
        out.push('。');
        out
    }

    /// One word drawn by its weight.
    pub(crate) fn word(&self, rng: &mut Rng) -> &str {
        &self.words[self.sample(rng)]
    }
}
