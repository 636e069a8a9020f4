"""Chinese full-text search: tokens, ranking, filters, visibility."""

import pytest

from smartgov.catalog import search, selectors, services
from smartgov.catalog.selectors import CatalogFilter
from smartgov.core.errors import PermissionDeniedError
from tests.catalog.conftest import POPULATION_FIELDS, field


def names(results):
    return [resource.name for resource in results[0 : len(results)]]


@pytest.fixture
def catalog(officer, other_officer, data_admin, org, make_resource, publish):
    """Three published resources in two districts and one draft."""
    population = publish(
        make_resource(
            officer,
            name="杭州市户籍人口基本信息",
            summary="全市户籍登记人口的基本情况。",
            classification="base",
            base_resource="population",
            code="101001001/000001",
            update_cycle="realtime",
            fields=POPULATION_FIELDS,
        ),
        officer,
        data_admin,
    )
    licences = publish(
        make_resource(
            other_officer,
            provider=org["shangcheng_bureau"],
            name="企业营业执照信息",
            summary="企业营业执照登记事项，含法定代表人和住所。",
            share_type="conditional",
            share_conditions="用于政务服务办理",
            open_type="open",
            fields=[
                field(
                    "credit_code", "统一社会信用代码", "credit_code", is_key=True, grade="general"
                )
            ],
        ),
        other_officer,
        data_admin,
    )
    # Mentions 人口 only in its summary: must rank below the resource named after it.
    flows = publish(
        make_resource(
            officer,
            name="流动人员居住登记",
            summary="外来流动人口的居住登记与居住证办理情况。",
            fields=[field("permit_no", "居住证编号", is_key=True, grade="core")],
        ),
        officer,
        data_admin,
    )
    draft = make_resource(officer, name="户籍迁移草稿", fields=POPULATION_FIELDS)
    return {"population": population, "licences": licences, "flows": flows, "draft": draft}


def test_tokens_are_jieba_search_mode_words():
    assert set(search.tokens("杭州市户籍人口基本信息").split()) >= {
        "杭州市",
        "户籍",
        "人口",
        "信息",
    }
    assert search.query_groups("户籍人口") == [["户籍"], ["人口"]]
    assert search.query_groups("  ，。 ") == []


@pytest.mark.parametrize(
    "query",
    [
        "户籍",
        "人口",
        "户籍人口",
        "公民身份号码",
        "身份",
        "citizen_id",
        "101001001/000001",
        "杭州市户籍人口基本信息",
    ],
)
def test_found_by_name_code_and_field_label(catalog, xihu_staff, query):
    results = selectors.search_resources(xihu_staff, query=query)
    assert "杭州市户籍人口基本信息" in names(results)


def test_name_match_ranks_above_summary_match(catalog, xihu_staff):
    results = names(selectors.search_resources(xihu_staff, query="人口"))
    assert results == ["杭州市户籍人口基本信息", "流动人员居住登记"]


def test_every_word_must_match(catalog, xihu_staff):
    assert names(selectors.search_resources(xihu_staff, query="人口 营业执照")) == []
    assert names(selectors.search_resources(xihu_staff, query="营业执照 法定代表人")) == [
        "企业营业执照信息"
    ]
    assert names(selectors.search_resources(xihu_staff, query="不存在的词汇")) == []


def test_query_syntax_is_not_interpreted(catalog, xihu_staff):
    for query in ['"', "人口 OR", "NOT 户籍", "* ^ ( )", '户籍" OR "企业', "a:b"]:
        selectors.search_resources(xihu_staff, query=query)  # no error


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CatalogFilter(base_resource="population"), ["杭州市户籍人口基本信息"]),
        (CatalogFilter(share_type="conditional"), ["企业营业执照信息"]),
        (CatalogFilter(open_type="open"), ["企业营业执照信息"]),
        (CatalogFilter(update_cycle="realtime"), ["杭州市户籍人口基本信息"]),
        (CatalogFilter(grade="core"), ["流动人员居住登记"]),
        (CatalogFilter(grade="important"), ["杭州市户籍人口基本信息"]),
        (CatalogFilter(classification="base"), ["杭州市户籍人口基本信息"]),
    ],
)
def test_filters(catalog, xihu_staff, filters, expected):
    assert names(selectors.search_resources(xihu_staff, filters=filters)) == expected


def test_provider_filter_takes_the_department_subtree(catalog, xihu_staff, org):
    in_xihu = CatalogFilter(provider_id=org["xihu"].pk)
    assert names(selectors.search_resources(xihu_staff, filters=in_xihu)) == [
        "杭州市户籍人口基本信息",
        "流动人员居住登记",
    ]
    assert (
        names(
            selectors.search_resources(
                xihu_staff, query="人口", filters=CatalogFilter(provider_id=org["shangcheng"].pk)
            )
        )
        == []
    )


def test_empty_query_lists_by_name(catalog, xihu_staff):
    assert names(selectors.search_resources(xihu_staff)) == sorted(
        ["杭州市户籍人口基本信息", "企业营业执照信息", "流动人员居住登记"]
    )


def test_drafts_are_visible_to_their_provider_and_the_data_bureau_only(
    catalog, officer, other_officer, data_admin, xihu_staff
):
    assert "户籍迁移草稿" in names(selectors.search_resources(officer, query="户籍"))
    assert "户籍迁移草稿" in names(selectors.search_resources(data_admin, query="户籍"))
    assert "户籍迁移草稿" not in names(selectors.search_resources(other_officer, query="户籍"))
    assert "户籍迁移草稿" not in names(selectors.search_resources(xihu_staff, query="户籍"))
    assert names(selectors.search_resources(officer, filters=CatalogFilter(status="draft"))) == [
        "户籍迁移草稿"
    ]


def test_citizens_cannot_read_the_catalog(catalog, citizen):
    with pytest.raises(PermissionDeniedError):
        selectors.search_resources(citizen, query="户籍")


def test_index_follows_edits(catalog, officer, xihu_staff, data_admin):
    resource = catalog["population"]
    services.withdraw_resource(actor=officer, resource_id=resource.pk, reason="改名")
    services.update_resource(
        actor=officer, resource_id=resource.pk, changes={"name": "常住人口信息"}
    )
    services.set_fields(
        actor=officer, resource_id=resource.pk, fields=[field("person_no", "人员编号", is_key=True)]
    )
    services.submit_resource(actor=officer, resource_id=resource.pk)
    services.approve_resource(actor=data_admin, resource_id=resource.pk)
    assert "常住人口信息" in names(selectors.search_resources(xihu_staff, query="常住"))
    assert "常住人口信息" in names(selectors.search_resources(xihu_staff, query="人员编号"))
    assert "常住人口信息" not in names(selectors.search_resources(xihu_staff, query="公民身份号码"))
