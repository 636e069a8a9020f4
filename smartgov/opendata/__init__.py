"""Open data (数据开放): the public portal, developer keys, CKAN Action API, DCAT."""
