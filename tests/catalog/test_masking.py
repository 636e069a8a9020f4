import pytest

from smartgov.catalog.masking import mask_value


@pytest.mark.parametrize(
    ("rule", "value", "masked"),
    [
        ("none", "张三", "张三"),
        ("citizen_id", "11010519491231002X", "110105********002X"),
        ("name", "欧阳明", "欧**"),
        ("phone", "13800138000", "138****8000"),
        ("address", "浙江省杭州市西湖区文三路90号", "浙江省杭州市*********"),
        ("full", "秘密", "**"),
        ("unknown", "abc", "***"),
        ("name", "", ""),
        ("phone", None, None),
    ],
)
def test_mask_value(rule, value, masked):
    assert mask_value(rule, value) == masked
