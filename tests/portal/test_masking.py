"""The core masking of personal data in citizens' free text: a corpus of how people in Taiwan
write their contact details, what must stay readable, and a linear-time check."""

import time

import pytest

from rdec_portal.masking import MASK, PersonalDataMask, mask_personal_data

NAME, EMAIL, PHONE = "張志明", "chiming.chang@example.com", "0922-333-444"
POSTAL = "高雄市苓雅區四維三路2號5樓"

# (text, the personal detail that must disappear)
CONTACT = [
    # Mobile numbers, half- and full-width, with every separator people type.
    ("電話0912345678", "0912345678"),
    ("手機 0912-345-678 請聯絡", "0912-345-678"),
    ("手機：0912 345 678", "0912 345 678"),
    ("手機 0912_345_678", "0912_345_678"),
    ("手機0912.345.678", "0912.345.678"),
    ("手機 09-12-34-56-78", "09-12-34-56-78"),
    ("手機：０９１２３４５６７８", "０９１２３４５６７８"),
    ("手機：０９１２－３４５－６７８，謝謝", "０９１２－３４５－６７８"),
    ("手機　０９１２　３４５　６７８", "０９１２　３４５　６７８"),
    ("+886 912 345 678", "886 912 345 678"),
    ("+886-912-345-678", "886-912-345-678"),
    ("＋８８６９１２３４５６７８", "８８６９１２３４５６７８"),
    ("0912—345—678", "0912—345—678"),
    # Landlines.
    ("市話(07)123-4567", "123-4567"),
    ("市話 07-1234567", "07-1234567"),
    ("家裡電話 07 123 4567", "07 123 4567"),
    ("台北 02-2345-6789 分機 12", "02-2345-6789"),
    ("（０７）１２３４５６７", "１２３４５６７"),
    ("+886-7-123-4567", "886-7-123-4567"),
    ("+886 (0)7 123 4567", "886 (0)7 123 4567"),
    ("馬祖0836-22345", "0836-22345"),
    # E-mail addresses, also written to dodge spam robots.
    ("email chiming@gmail.com", "chiming@gmail.com"),
    ("信箱：chiming.chang+kh@mail.kh.edu.tw。", "chiming.chang+kh@mail.kh.edu.tw"),
    ("信箱 chiming[at]gmail.com", "chiming[at]gmail.com"),
    ("信箱 chiming(at)gmail(dot)com", "chiming(at)gmail(dot)com"),
    ("信箱 chiming [at] gmail [dot] com", "chiming [at] gmail [dot] com"),
    ("mail me: chiming at gmail dot com", "chiming at gmail dot com"),
    ("信箱 chiming at gmail.com", "chiming at gmail.com"),
    ("信箱ｃｈｉｍｉｎｇ＠ｇｍａｉｌ．ｃｏｍ", "ｃｈｉｍｉｎｇ＠ｇｍａｉｌ．ｃｏｍ"),
    ("信箱chiming＠gmail.com", "chiming＠gmail.com"),
    ("CHIMING@GMAIL.COM", "CHIMING@GMAIL.COM"),
    # National ID and resident certificate numbers.
    ("身分證 E123456789", "E123456789"),
    ("身分證字號：e123456789", "e123456789"),
    ("身分證 A 123456789", "A 123456789"),
    ("身分證 A-123-456-789", "A-123-456-789"),
    ("身分證：Ａ１２３４５６７８９", "Ａ１２３４５６７８９"),
    ("居留證 AC01234567", "AC01234567"),
    ("新式居留證 A800000014", "A800000014"),
    # LINE ids.
    ("LINE: chiming123", "chiming123"),
    ("line id：chiming_88", "chiming_88"),
    ("Line ID chiming.88", "chiming.88"),
    ("LINE：@kaohsiung99", "@kaohsiung99"),
    ("賴：chiming88", "chiming88"),
    ("加賴 id：chiming88", "chiming88"),
    ("ＬＩＮＥ：ｃｈｉｍｉｎｇ８８", "ｃｈｉｍｉｎｇ８８"),
]

# What must stay readable: it is the case, not the citizen.
PLAIN = [
    "案號1151126-0001，請協助",
    "115年12月8日晚上路燈不亮",
    "2026-12-08 09:30 發現",
    "罰款NT$1,500元",
    "金額 12,345,678 元",
    "中正四路211號前的人行道破損",
    "民生一路56巷3弄口積水",
    "建國二路100巷7弄12號旁",
    "郵遞區號802",
    "路燈編號 KH-0123",
    "統一編號12345678",
    "距離約0.5公里",
    "大約 3 點到 5 點",
    "the light at the corner is out",
    "meet me at 3.5 km north",
    "第1、2、3、4盞路燈",
    "電話是1999市民專線",
]


@pytest.mark.parametrize(("text", "detail"), CONTACT)
def test_contact_details_are_masked(text, detail):
    masked = mask_personal_data(text)
    assert detail not in masked
    assert MASK in masked


@pytest.mark.parametrize("text", PLAIN)
def test_what_is_not_personal_stays_readable(text):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("路燈不亮，電話0912-345-678，謝謝。", f"路燈不亮，電話{MASK}，謝謝。"),
        ("LINE：chiming88，晚上聯絡", f"LINE：{MASK}，晚上聯絡"),
        ("信箱 abc@gmail.com。", f"信箱 {MASK}。"),
    ],
)
def test_only_the_detail_is_masked_and_the_punctuation_kept(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我是張志明，住在這裡",
        "請寄到 chiming.chang@example.com",
        "CHIMING.CHANG@EXAMPLE.COM",
        "電話0922333444",
        "我家在苓雅區四維三路2號5樓",
        "我家四維三路2號門口",
        "我家四維三路２號門口",
    ],
)
def test_the_petitioners_own_details_are_masked(text):
    mask = PersonalDataMask(name=NAME, email=EMAIL, phone=PHONE, address=POSTAL)
    masked = mask(text)
    assert MASK in masked
    for detail in (NAME, "chiming", "CHIMING", "0922333444", "四維三路2號", "四維三路２號"):
        assert detail not in masked


def test_another_address_is_not_the_petitioners():
    mask = PersonalDataMask(name=NAME, address=POSTAL)
    assert mask("中正四路211號前坑洞") == "中正四路211號前坑洞"
    assert mask("四維三路口的紅綠燈") == "四維三路口的紅綠燈"


def test_a_one_character_name_masks_nothing():
    assert mask_personal_data("王先生說路燈不亮", name="王") == "王先生說路燈不亮"


def _best_of(function, text, runs=5):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "crafted",
    [
        "a." * 2000,
        "a" * 4000,
        "a" * 3999 + "@",
        "a." * 1999 + "a@",
        "x@" + "a" * 3998,
        "x@" + "a." * 1999,
        "1-" * 2000,
        "0-" * 2000,
        "@" * 4000,
        "a@" * 2000,
        "a.b@" * 1000,
        "a at " * 800,
        "a [at] b" * 500,
        "A 1" * 1334,
        "(0" * 2000,
        "line:" * 800,
        "+886" * 1000,
    ],
)
def test_masking_is_linear_in_the_text(crafted):
    """A crafted text costs about what a plain one of the same length does (no backtracking)."""
    plain = ("路燈不亮，請盡快派人修理，謝謝。The lamp is out at 中正四路211號. " * 200)[
        : len(crafted)
    ]
    mask = PersonalDataMask(name=NAME, email=EMAIL, phone=PHONE, address=POSTAL)
    assert len(crafted) >= 4000
    ratio = _best_of(mask, crafted) / _best_of(mask, plain)
    assert ratio < 5
