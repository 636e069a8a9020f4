"""DCAT-AP export: parse the JSON-LD and Turtle with rdflib and check the triples."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from smartgov.opendata import services
from smartgov.opendata.dcat import FREQ
from smartgov.opendata.models import Topic

pytestmark = pytest.mark.django_db

AIR = "308001001-000001"


@pytest.fixture
def filed(resources, data_admin):
    Topic.objects.create(code="environment", name="生态环境")
    services.file_publication(
        actor=data_admin, resource_id=resources["air"].pk, topic_code="environment", tags=["空气"]
    )
    return resources


def _parse(client, url, fmt) -> Graph:
    response = client.get(url)
    assert response.status_code == 200
    graph = Graph()
    graph.parse(data=response.content.decode(), format=fmt)
    return graph


@pytest.mark.parametrize(("suffix", "fmt"), [("jsonld", "json-ld"), ("ttl", "turtle")])
def test_catalog_graph(client, filed, suffix, fmt):
    graph = _parse(client, f"/open/catalog.{suffix}", fmt)
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    datasets = set(graph.objects(catalogs[0], DCAT.dataset))
    assert len(datasets) == 2  # the open and the conditional one, not the closed one
    air = next(d for d in datasets if str(d).endswith(f"/open/{AIR}/#dataset"))
    titles = list(graph.objects(air, DCTERMS.title))
    assert titles[0].language == "zh" and str(titles[0]) == "环境空气质量监测站点信息"
    assert (air, DCTERMS.accrualPeriodicity, FREQ.DAILY) in graph
    publisher = graph.value(air, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == filed["air"].provider.name
    assert graph.value(air, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    theme = graph.value(air, DCAT.theme)
    assert theme is not None
    distributions = list(graph.objects(air, DCAT.distribution))
    assert len(distributions) == 4
    downloads = {str(graph.value(d, DCAT.downloadURL)) for d in distributions}
    assert any(u.endswith(f"/open/{AIR}/download/parquet") for u in downloads)
    for d in distributions:
        assert (d, RDF.type, DCAT.Distribution) in graph
        assert graph.value(d, DCAT.accessURL) is not None


def test_dataset_graph(client, filed):
    graph = _parse(client, f"/open/{AIR}/dataset.ttl", "turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1
    assert client.get("/open/301010001-000001/dataset.ttl").status_code == 404
