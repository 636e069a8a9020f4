"""一件事 pages (Django test client): the list and its empty state, a bundle's items and merged
materials, applying with one merged form and deduplicated materials (found e-license: nothing
to upload), inline errors, the progress page and who may read it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartgov.services.bundle_models import BundleApplication
from tests.conftest import PASSWORD
from tests.services import bundle_helpers as helpers

sc_publisher = helpers.sc_publisher
item_a = helpers.item_a
item_b = helpers.item_b
manager = helpers.manager
bundle = helpers.bundle


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4 bundle", content_type="application/pdf")


def test_bundle_list_and_empty_state(client, db):
    html = client.get(reverse("portal:services_bundles")).content.decode()
    assert 'data-testid="empty-state"' in html and "暂无一件事" in html


def test_bundle_page_lists_items_and_merged_materials(client, bundle):
    listing = client.get(reverse("portal:services_bundles")).content.decode()
    assert "开办餐饮店一件事" in listing
    page = client.get(reverse("portal:services_bundle", args=[bundle.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "个体工商户登记" in html and "食品经营许可" in html
    # 营业场所证明 and the marriage e-license are asked once for both items.
    assert html.count('data-testid="bundle-material"') == 4
    assert client.get(reverse("portal:services_bundle", args=["NOPE"])).status_code == 404


@pytest.fixture
def apply_page(client, citizen, bundle, license):
    login(client, citizen)
    return client.get(reverse("portal:services_bundle_apply", args=[bundle.code]))


def test_bundle_apply_form_finds_the_license(apply_page):
    assert apply_page.status_code == 200
    html = apply_page.content.decode()
    assert "免提交：已调取电子证照 结婚证" in html
    form = apply_page.context["form"]
    assert len(form.material_names) == 3  # 申请书, 营业场所证明, 食品安全管理制度
    assert {"reason", "phone", "shop_name", "open_date"} <= set(form.fields)


def test_bundle_apply_errors_then_success(client, citizen, bundle, license, apply_page):
    keys = {m["name"]: m["key"] for m in apply_page.context["materials"] if not m.get("found")}
    url = reverse("portal:services_bundle_apply", args=[bundle.code])
    bad = client.post(url, {"reason": "x", "phone": "13800138000"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "reason" in errors and "shop_name" in errors
    assert any(name.startswith("material-") for name in errors)
    assert not BundleApplication.objects.exists()
    data = {"reason": "开办餐饮店", "phone": "13800138000", "shop_name": "张三面馆"}
    for name, key in keys.items():
        data[f"material-{key}"] = pdf(f"{name}.pdf")
    response = client.post(url, data)
    applied = BundleApplication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:services_bundle_application", args=[applied.number])
    html = client.get(response.url).content.decode()
    assert applied.number in html and html.count('data-testid="bundle-part"') == 2


def test_bundle_application_for_others_is_404(client, citizen, bundle, license, apply_page):
    from smartgov.accounts import services as account_services
    from smartgov.services import bundles

    applied = bundles.apply_bundle(
        actor=citizen,
        code=bundle.code,
        form_data=helpers.GOOD_FORM,
        uploads=helpers.uploads_for(bundle, "申请书", "营业场所证明", "食品安全管理制度"),
    )
    other = account_services.create_citizen(
        actor=None,
        username="lisi",
        real_name="李四",
        citizen_id="110105194912310038",
        password=PASSWORD,
    )
    client.logout()
    login(client, other)
    url = reverse("portal:services_bundle_application", args=[applied.number])
    assert client.get(url).status_code == 404
