"""Pages: the service hall, the guide, the staff list and editor; empty states; refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartgov.services import services
from smartgov.services.models import ItemStatus, ServiceItem
from tests.conftest import PASSWORD


@pytest.fixture
def published(make_item, publisher):
    item = make_item(
        materials=[
            {"name": "公司登记（备案）申请书"},
            {"name": "营业执照", "proof_source": "e_license", "license_type_code": "yyzz"},
        ]
    )
    return services.publish_item(actor=publisher, item_id=item.pk)


def test_hall_lists_and_searches(client, published):
    page = client.get(reverse("portal:services_hall"), {"q": "开公司"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "企业设立登记" in html and 'data-testid="hall-item"' in html
    empty = client.get(reverse("portal:services_hall"), {"q": "结婚登记"}).content.decode()
    assert 'data-testid="hall-item"' not in empty and "没有找到相关事项" in empty
    bad = client.get(reverse("portal:services_hall"), {"item_type": "nope"})
    assert bad.status_code == 200 and 'data-testid="hall-item"' not in bad.content.decode()


def test_hall_empty_state(client, db):
    html = client.get(reverse("portal:services_hall")).content.decode()
    assert 'data-testid="hall-item"' not in html
    assert 'data-testid="empty-state"' in html and "暂无事项" in html


def test_guide_shows_everything(client, published):
    html = client.get(
        reverse("portal:services_guide", args=[published.implementation_code])
    ).content.decode()
    for text in (
        "企业设立登记",
        "营业执照",
        "受理",
        "审查",
        "0571-12345",
        "93%",
        "西湖区行政服务中心",
    ):
        assert text in html, text
    assert html.count('data-testid="material-fetched"') == 1
    # A fully online item offers the online application from its guide.
    assert str(published.get_online_level_display()) in html
    assert reverse("portal:services_apply", args=[published.implementation_code]) in html
    assert client.get(reverse("portal:services_guide", args=["NOPE"])).status_code == 404


def test_staff_edit_and_publish(client, officer, publisher, make_item):
    item = make_item()
    client.login(username="item_officer", password=PASSWORD)
    assert "企业设立登记" in client.get(reverse("portal:services_staff_items")).content.decode()
    page = client.get(reverse("portal:services_staff_item", args=[item.pk]))
    assert page.status_code == 200 and 'data-testid="item-form"' in page.content.decode()
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(promised_days=30, is_free="on")
    response = client.post(reverse("portal:services_staff_item", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.promised_days == 30
    html = client.get(reverse("portal:services_staff_item", args=[item.pk])).content.decode()
    assert 'data-testid="item-problem"' in html
    # The officer may not publish: refused, nothing changed.
    client.post(reverse("portal:services_staff_publish", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    services.update_item(actor=officer, item_id=item.pk, changes={"promised_days": 2})
    client.logout()
    client.login(username="item_publisher", password=PASSWORD)
    response = client.post(reverse("portal:services_staff_publish", args=[item.pk]))
    assert response.status_code == 302
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.PUBLISHED


def test_staff_pages_need_the_permission(client, xihu_staff, officer):
    client.login(username="xihu_staff", password=PASSWORD)
    assert client.get(reverse("portal:services_staff_items")).status_code == 403
    client.logout()
    client.login(username="item_officer", password=PASSWORD)
    html = client.get(reverse("portal:services_staff_items")).content.decode()
    assert 'data-testid="item-row"' not in html
    response = client.post(
        reverse("portal:services_staff_item_new"),
        {"name": "", "implementation_code": "X"},
    )
    assert response.status_code == 200 and not ServiceItem.objects.exists()
