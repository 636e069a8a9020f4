"""The open catalog as DCAT-AP (JSON-LD and Turtle), built as an rdflib graph.

One dcat:Catalog; a dcat:Dataset per open resource (dct:title and dct:description in zh,
dct:identifier = the resource code, dct:publisher = the provider as a foaf:Agent, dcat:theme =
the topic as a skos:Concept, dcat:keyword = tags, dct:accrualPeriodicity from the EU frequency
vocabulary, dct:license, dct:accessRights public / restricted); a dcat:Distribution per
download format with dcat:accessURL (the portal page) and dcat:downloadURL, dct:format and
dcat:mediaType. Only open fields ever reach the downloads (see selectors).
"""

from __future__ import annotations

from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from smartgov.catalog.models import OpenType, Resource, UpdateCycle
from smartgov.opendata import selectors
from smartgov.opendata.models import LICENSE_URLS, License

FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
IANA = Namespace("https://www.iana.org/assignments/media-types/")

ACCRUAL = {
    UpdateCycle.REALTIME: FREQ.UPDATE_CONT,
    UpdateCycle.DAILY: FREQ.DAILY,
    UpdateCycle.WEEKLY: FREQ.WEEKLY,
    UpdateCycle.MONTHLY: FREQ.MONTHLY,
    UpdateCycle.QUARTERLY: FREQ.QUARTERLY,
    UpdateCycle.YEARLY: FREQ.ANNUAL,
    UpdateCycle.IRREGULAR: FREQ.IRREG,
}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "parquet": "PARQUET"}
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "xsd": str(XSD),
}


def _bind(graph: Graph) -> None:
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("freq", FREQ),
    ):
        graph.bind(prefix, namespace)


def _add_dataset(graph: Graph, resource: Resource, absolute) -> URIRef:
    name = selectors.package_name(resource)
    page = absolute(reverse("portal:open_detail", args=[name]))
    dataset = URIRef(page + "#dataset")
    add = graph.add
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.identifier, Literal(resource.code)))
    add((dataset, DCTERMS.title, Literal(resource.name, lang="zh")))
    if resource.summary:
        add((dataset, DCTERMS.description, Literal(resource.summary, lang="zh")))
    add((dataset, DCAT.landingPage, URIRef(page)))
    add((dataset, DCTERMS.issued, Literal(resource.created_at.isoformat(), datatype=XSD.dateTime)))
    add(
        (dataset, DCTERMS.modified, Literal(resource.updated_at.isoformat(), datatype=XSD.dateTime))
    )
    publisher = URIRef(absolute(reverse("portal:open_list")) + f"?provider={resource.provider_id}")
    add((dataset, DCTERMS.publisher, publisher))
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, FOAF.name, Literal(resource.provider.name, lang="zh")))
    add((dataset, DCTERMS.accrualPeriodicity, ACCRUAL.get(resource.update_cycle, FREQ.UNKNOWN)))
    add(
        (
            dataset,
            DCTERMS.accessRights,
            ACCESS.PUBLIC if resource.open_type == OpenType.OPEN else ACCESS.RESTRICTED,
        )
    )
    pub = selectors.publication(resource)
    license_id = pub.license if pub else License.CC_BY
    license_ref = URIRef(LICENSE_URLS.get(license_id) or absolute("/open/licenses/" + license_id))
    add((dataset, DCTERMS.license, license_ref))
    if pub is not None:
        if pub.topic is not None:
            theme = URIRef(absolute(reverse("portal:open_list")) + f"?topic={pub.topic.code}")
            add((dataset, DCAT.theme, theme))
            add((theme, RDF.type, SKOS.Concept))
            add((theme, SKOS.prefLabel, Literal(pub.topic.name, lang="zh")))
        for tag in pub.tags.all():
            add((dataset, DCAT.keyword, Literal(tag.name, lang="zh")))
    if resource.holds_records:
        for fmt in selectors.DOWNLOAD_FORMATS:
            distribution = URIRef(page + f"#distribution-{fmt}")
            add((dataset, DCAT.distribution, distribution))
            add((distribution, RDF.type, DCAT.Distribution))
            label = f"{resource.name}（{selectors.FORMAT_LABELS[fmt]}）"
            add((distribution, DCTERMS.title, Literal(label, lang="zh")))
            add((distribution, DCAT.accessURL, URIRef(page)))
            download = absolute(reverse("portal:open_download", args=[name, fmt]))
            add((distribution, DCAT.downloadURL, URIRef(download)))
            add((distribution, DCAT.mediaType, IANA[MEDIA_TYPES[fmt]]))
            add((distribution, DCTERMS["format"], FILE_TYPE[FILE_TYPES[fmt]]))
            add((distribution, DCTERMS.license, license_ref))
    return dataset


def _resources(names: list[str] | None = None):
    queryset = (
        selectors.open_resources()
        .select_related("provider", "publication__topic")
        .prefetch_related("publication__tags")
        .order_by("code")
    )
    if names is not None:
        queryset = queryset.filter(code__in=[selectors.code_of(n) for n in names])
    return queryset


def catalog_graph(absolute) -> Graph:
    """The whole open catalog; ``absolute(path)`` makes an absolute URL."""
    graph = Graph()
    _bind(graph)
    catalog = URIRef(absolute(reverse("portal:open_dcat", args=["ttl"])) + "#catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("smartgov 公共数据开放目录", lang="zh")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal("城市各部门无条件开放和有条件开放的公共数据资源。", lang="zh"),
        )
    )
    graph.add((catalog, FOAF.homepage, URIRef(absolute(reverse("portal:open_list")))))
    graph.add((catalog, DCTERMS.language, Literal("zh")))
    publisher = BNode()
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("杭州市数据资源管理局", lang="zh")))
    for resource in _resources().iterator(chunk_size=500):
        graph.add((catalog, DCAT.dataset, _add_dataset(graph, resource, absolute)))
    return graph


def dataset_graph(resource: Resource, absolute) -> Graph:
    graph = Graph()
    _bind(graph)
    _add_dataset(graph, resource, absolute)
    return graph


def serialize(graph: Graph, fmt: str) -> str:
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context=CONTEXT, indent=2)
    return graph.serialize(format="turtle")
