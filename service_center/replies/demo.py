"""Demo reply templates: a city-wide one and one of the street-light category's agency."""

from service_center.petitions.models import Category
from service_center.replies.models import ReplyTemplate

CITY_WIDE = (
    "一般回覆",
    "您好：\n"
    "有關您於{received_date}提出的陳情案件（案號 {number}，{category}），{agency}處理情形說明如下：\n"
    "一、處理情形：\n"
    "二、法令依據：\n"
    "三、後續作為：\n"
    "如仍有疑問，歡迎來電洽詢。感謝您的寶貴意見。",
)
STREET_LIGHT = (
    "路燈已修復",
    "您好：\n"
    "有關您於{received_date}反映的路燈問題（案號 {number}），本局已派員至現場檢修，"
    "路燈已恢復正常照明。\n"
    "如仍有不亮情形，歡迎再次反映。感謝您的協助。",
)


def seed_reply_templates(*, stdout) -> None:
    """Idempotent: a template already there (by agency and title) is left as it is."""
    made = 0
    title, body = CITY_WIDE
    made += ReplyTemplate.objects.get_or_create(agency=None, title=title, defaults={"body": body})[
        1
    ]
    street_light = Category.objects.filter(code="street-light").select_related("agency").first()
    if street_light is not None:
        title, body = STREET_LIGHT
        made += ReplyTemplate.objects.get_or_create(
            agency=street_light.agency,
            title=title,
            defaults={"body": body, "category": street_light},
        )[1]
    stdout.write(f"service_center: {made} reply templates.")
