from rdec_portal.accounts.models import Agency
from rdec_portal.accounts.services import agencies_load


def test_reference_file_loads_every_bureau_and_the_38_district_offices(db):
    agencies_load()
    assert Agency.objects.filter(kind=Agency.Kind.DISTRICT).count() == 38
    rdec = Agency.objects.get(code="RDEC")
    assert rdec.name_zh == "高雄市政府研究發展考核委員會"
    assert rdec.name_en == "Research, Development and Evaluation Commission"
    assert rdec.parent.code == "KCG"
    assert Agency.objects.get(code="D-NAMAXIA").name_zh == "高雄市那瑪夏區公所"
    assert not Agency.objects.filter(name_en="").exists()


def test_loading_twice_changes_nothing(db):
    first = agencies_load()
    snapshot = list(Agency.objects.order_by("code").values_list("code", "name_zh", "parent__code"))
    assert agencies_load() == first
    assert (
        list(Agency.objects.order_by("code").values_list("code", "name_zh", "parent__code"))
        == snapshot
    )


def test_a_renamed_agency_is_updated_in_place(db):
    agencies_load()
    Agency.objects.filter(code="PWB").update(name_zh="舊名")
    agencies_load()
    assert Agency.objects.get(code="PWB").name_zh == "高雄市政府工務局"
