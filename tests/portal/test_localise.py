from types import SimpleNamespace

from django.utils import translation

from rdec_portal.localise import localised, portal_language


def test_localised_reads_the_field_of_the_active_language_on_objects_and_dicts():
    obj = SimpleNamespace(name_zh="工務局", name_en="Public Works Bureau")
    data = {"text_zh": "燈號", "text_en": "Lamp number"}
    with translation.override("en"):
        assert localised(obj, "name") == "Public Works Bureau"
        assert localised(data, "text") == "Lamp number"
        assert portal_language() == "en"
    with translation.override("zh-hant"):
        assert localised(obj, "name") == "工務局"
        assert localised(data, "text") == "燈號"
        assert portal_language() == "zh-hant"
