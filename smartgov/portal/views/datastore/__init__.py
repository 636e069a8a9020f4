"""Data-store pages (数据归集).

``deliveries``: deliver a file, one delivery and its rejection report, delivery history per
resource and across departments. ``data``: a resource's rows by version, versions, diffs and
exports. ``display``: how stored values are shown (masked), and the data section of the catalog
detail page.

Reads go through the data store's selectors, which restrict to the actor's scope; the one write
(a delivery) goes through ``services.deliver_file``. No permission lets a reader see clear values
on a page, so every value shown — rows, diffs, samples, rejected values — is masked per its
field's masking rule (GB/T 37964). Exports stream clear values to the readers the API serves
too, and each one is audited.
"""
