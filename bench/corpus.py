"""Petition text that reads like the real thing, so word search meets realistic frequencies.

A subject is a place and the category's own name ("自由一路路燈故障"); a description is three to
five sentences from the topic's pool and a common pool, with house numbers and times. Road
names make the rare words (each about 1 % of cases), category names the common ones. No tab,
newline or backslash anywhere: the text goes into COPY's text format as it is.
"""

import random


def _words(text: str) -> list[str]:
    return text.split()


ROADS = _words(
    "自由一路 自由二路 自由三路 民族一路 民族二路 博愛一路 博愛二路 博愛三路 中華一路 中華二路 "
    "中華三路 中華四路 中華五路 中山一路 中山二路 中山三路 中山四路 中正一路 中正二路 中正三路 "
    "中正四路 建國一路 建國二路 建國三路 九如一路 九如二路 九如三路 十全一路 十全二路 十全三路 "
    "大順一路 大順二路 大順三路 河堤路 明誠一路 明誠二路 明誠三路 裕誠路 文自路 博愛四路 "
    "華夏路 翠華路 左營大路 軍校路 德民路 楠梓新路 加昌路 後昌路 鳳山光遠路 青年路 "
    "五甲一路 五甲二路 五甲三路 鳳南路 瑞隆路 凱旋一路 凱旋二路 凱旋三路 凱旋四路 一心一路 "
    "二聖一路 三多一路 三多二路 三多三路 四維一路 四維二路 四維三路 成功一路 成功二路 新光路 "
    "七賢一路 七賢二路 七賢三路 五福一路 五福二路 五福三路 五福四路 六合一路 六合二路 七賢路 "
    "沿海一路 沿海二路 中安路 宏平路 大業北路 岡山大仁路 維仁路 仁雄路 鳥松大埤路 美濃中山路 "
    "旗山中華路 大寮鳳林路 林園東林西路 路竹中山路 湖內中山路 茄萣濱海路 大社中山路 燕巢中民路"
)

PLACES = _words(
    "巷口 十字路口 公車站旁 國小門口 市場旁 公園入口 停車場出口 捷運站出口 便利商店前 "
    "社區大門 天橋下 地下道 人行道 騎樓 機車道 路口轉角 加油站旁 醫院附近 活動中心前 里辦公處旁"
)

# Sentences about each topic (the keys are the categories' topics).
TOPIC_SENTENCES = {
    "roads": [
        "路面破損已經有一段時間，機車經過時很容易打滑。",
        "下雨之後坑洞積水，晚上完全看不到。",
        "人孔蓋高低不平，汽車壓過去聲音很大。",
        "路燈時亮時不亮，晚上走路很暗。",
        "施工完成後路面沒有恢復平整。",
        "標線已經模糊不清，駕駛人常常走錯車道。",
    ],
    "water": [
        "排水溝被落葉和垃圾塞住，一下雨就淹水。",
        "每逢大雨這一段路積水到小腿。",
        "水溝散發惡臭，蚊蟲很多。",
        "河道有油汙漂浮，顏色很奇怪。",
    ],
    "traffic": [
        "號誌秒數太短，行人來不及通過。",
        "公車常常過站不停，班距也不準時。",
        "車輛經常違規停在紅線上，造成視線死角。",
        "這個路口常發生擦撞，希望能加裝反光鏡。",
        "交通標誌被樹枝遮住，看不清楚。",
    ],
    "environment": [
        "工廠夜間運轉的噪音很大，影響睡眠。",
        "附近有人露天燃燒廢棄物，空氣很差。",
        "垃圾車已經兩天沒有來收運。",
        "有人在空地亂倒廢棄家具和裝潢廢料。",
        "電線桿上貼滿小廣告，非常髒亂。",
        "路邊有動物屍體，味道很重。",
    ],
    "parks": [
        "行道樹枝葉過長，擋住路燈和號誌。",
        "颱風後樹木傾斜，隨時可能倒下。",
        "公園的遊具損壞，小朋友玩耍有危險。",
        "公園廁所髒亂，洗手台沒有水。",
    ],
    "safety": [
        "深夜常有人聚集喧嘩，擔心治安。",
        "逃生通道被雜物堵住，發生火災會很危險。",
        "懷疑有人在住宅內違法使用瓦斯桶。",
    ],
    "building": [
        "隔壁頂樓正在加蓋鐵皮屋，疑似違章建築。",
        "外牆磁磚剝落，掉到人行道上。",
        "地籍資料與現況不符，申請更正很久沒有結果。",
    ],
    "animals": [
        "附近流浪狗成群，會追咬機車騎士。",
        "鄰居長時間把狗關在籠子裡，沒有給水。",
        "屋簷下有一個很大的蜂窩，進出很危險。",
    ],
    "health": [
        "積水容器很多，擔心登革熱病媒蚊孳生。",
        "餐廳廚房衛生很差，吃完後腸胃不適。",
        "醫院掛號流程太複雜，長者無法使用。",
    ],
    "social": [
        "申請補助已經一個月，仍然沒有收到通知。",
        "公司積欠薪資兩個月，勞工求助無門。",
        "學校周邊上下學時段交通混亂。",
        "戶籍謄本申請流程希望可以線上辦理。",
    ],
    "city": [
        "建議增設遮陽設施，夏天中午太熱無法使用。",
        "希望市府網站的表單可以更簡單一些。",
        "稅單寄送地址錯誤，希望協助更正。",
        "觀光景點的指標不清楚，外地遊客常迷路。",
    ],
}

COMMON_SENTENCES = [
    "已經反映過一次，但是沒有改善。",
    "希望相關單位盡快派員處理。",
    "附上現場照片供參考。",
    "這裡每天上下班時間車流量很大。",
    "附近住戶都很困擾。",
    "長輩和小孩經過時特別危險。",
    "請告知處理的進度，謝謝。",
    "懇請市府重視這個問題。",
    "如需要可以電話聯絡我。",
    "感謝市府同仁的辛勞。",
]

DURATIONS = ["三天", "一個星期", "兩個星期", "一個月", "半年", "好幾個月"]

REPLIES = [
    "您好，本案已派員至現場查看並完成改善，感謝您的來信。",
    "您好，經查現場已於本週完成修復，如仍有問題歡迎再與我們聯絡。",
    "您好，本案已列入近期施工計畫，預計於下個月完成，造成不便敬請見諒。",
    "您好，已請轄區同仁加強巡查並依法告發，感謝您提供資訊。",
    "您好，經查非屬本局權責，已協調主管機關處理，並副知台端。",
    "您好，本案已於現場稽查，將持續追蹤改善情形。",
]

FAMILY = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = "志明俊傑淑芬雅婷家豪怡君冠宇佳穎宗翰美玲建宏詩涵承恩欣怡"


def _pick(rng: random.Random, items):
    # random.choice is several times slower, and this runs tens of millions of times.
    return items[int(rng.random() * len(items))]


def _run_of(rng: random.Random, pool: list[str], most: int) -> str:
    """1..most consecutive sentences of the pool (wrapping): distinct, in a readable order."""
    start = int(rng.random() * len(pool))
    count = 1 + int(rng.random() * min(most, len(pool)))
    return "".join(pool[(start + i) % len(pool)] for i in range(count))


def subject(rng: random.Random, category_name: str) -> str:
    road = _pick(rng, ROADS)
    if rng.random() < 0.3:
        return f"{road}{_pick(rng, PLACES)}{category_name}"
    return f"{road}{category_name}"


def description(rng: random.Random, topic: str, category_name: str) -> str:
    opening = (
        f"{_pick(rng, ROADS)}{1 + int(rng.random() * 400)}號{_pick(rng, PLACES)}"
        f"的{category_name}問題，已經持續{_pick(rng, DURATIONS)}。"
    )
    body = _run_of(rng, TOPIC_SENTENCES.get(topic, COMMON_SENTENCES), 3)
    return opening + body + _run_of(rng, COMMON_SENTENCES, 2)


def person(rng: random.Random) -> str:
    given = int(rng.random() * (len(GIVEN) // 2))
    return _pick(rng, FAMILY) + GIVEN[2 * given : 2 * given + 2]


def address(rng: random.Random, district: str) -> str:
    return f"高雄市{district}{_pick(rng, ROADS)}{1 + int(rng.random() * 400)}號"
