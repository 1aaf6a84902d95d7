"""Resolve CSAF product ids to full product descriptions.

A product id says little on its own; its meaning is spread over the branch path that leads
to it (vendor > product_family > product_name > product_version or product_version_range),
its ``product_identification_helper`` (cpe, purl, model numbers, SKUs, serial numbers,
hashes) and, for relationship products, the two products it combines. This module collects
all of that into :class:`~otvet.model.csaf.CsafProduct` values, iteratively (branch trees can be
deep) and without trusting types (the schema check reports them).
"""

from __future__ import annotations

from typing import Any

from otvet.model.csaf import CsafProduct

_PATH_KEYS = {
    "vendor": "vendor",
    "product_family": "product_family",
    "product_name": "product_name",
    "product_version": "version",
    "product_version_range": "version_range",
}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _product(raw: dict[str, Any], where: str, path: dict[str, str]) -> CsafProduct | None:
    pid = raw.get("product_id")
    if not isinstance(pid, str):
        return None
    helper = raw.get("product_identification_helper")
    helper = helper if isinstance(helper, dict) else {}
    hashes: list[tuple[str, str]] = []
    for item in helper.get("hashes") or []:
        for fh in (item.get("file_hashes") or []) if isinstance(item, dict) else []:
            if (
                isinstance(fh, dict)
                and isinstance(fh.get("algorithm"), str)
                and isinstance(fh.get("value"), str)
            ):
                hashes.append((fh["algorithm"], fh["value"]))
    cpe, purl = helper.get("cpe"), helper.get("purl")
    return CsafProduct(
        product_id=pid,
        name=str(raw.get("name") or pid),
        vendor=path.get("vendor"),
        product_family=path.get("product_family"),
        product_name=path.get("product_name"),
        version=path.get("version"),
        version_range=path.get("version_range"),
        cpe=cpe if isinstance(cpe, str) else None,
        purl=purl if isinstance(purl, str) else None,
        model_numbers=_strings(helper.get("model_numbers")),
        skus=_strings(helper.get("skus")),
        serial_numbers=_strings(helper.get("serial_numbers")),
        hashes=tuple(hashes),
        location=where,
    )


def resolve_products(doc: Any) -> dict[str, CsafProduct]:
    """Every product id of a CSAF document, resolved (first definition wins, as 6.1.2 requires)."""
    products: dict[str, CsafProduct] = {}
    tree = doc.get("product_tree") if isinstance(doc, dict) else None
    if not isinstance(tree, dict):
        return products
    stack: list[tuple[Any, str, dict[str, str]]] = [(tree.get("branches"), "/product_tree/branches", {})]
    while stack:
        items, base, path = stack.pop()
        for index, branch in enumerate(items if isinstance(items, list) else []):
            if not isinstance(branch, dict):
                continue
            here = dict(path)
            key = _PATH_KEYS.get(str(branch.get("category")))
            if key and isinstance(branch.get("name"), str):
                here[key] = branch["name"]
            where = f"{base}/{index}"
            if isinstance(branch.get("product"), dict):
                found = _product(branch["product"], f"{where}/product", here)
                if found is not None:
                    products.setdefault(found.product_id, found)
            if "branches" in branch:
                stack.append((branch["branches"], f"{where}/branches", here))
    for index, raw in enumerate(tree.get("full_product_names") or []):
        if isinstance(raw, dict):
            found = _product(raw, f"/product_tree/full_product_names/{index}", {})
            if found is not None:
                products.setdefault(found.product_id, found)
    for index, rel in enumerate(tree.get("relationships") or []):
        if not isinstance(rel, dict) or not isinstance(rel.get("full_product_name"), dict):
            continue
        found = _product(
            rel["full_product_name"], f"/product_tree/relationships/{index}/full_product_name", {}
        )
        if found is None:
            continue
        relation = (
            str(rel.get("category", "")),
            str(rel.get("product_reference", "")),
            str(rel.get("relates_to_product_reference", "")),
        )
        products.setdefault(
            found.product_id,
            CsafProduct(**{**found.__dict__, "relationship": relation}),
        )
    return products


def group_members(doc: Any) -> dict[str, tuple[str, ...]]:
    """Product group id -> its product ids."""
    groups: dict[str, tuple[str, ...]] = {}
    tree = doc.get("product_tree") if isinstance(doc, dict) else None
    for group in (tree.get("product_groups") or []) if isinstance(tree, dict) else []:
        if isinstance(group, dict) and isinstance(group.get("group_id"), str):
            groups[group["group_id"]] = _strings(group.get("product_ids"))
    return groups


def expand_ids(
    item: dict[str, Any], groups: dict[str, tuple[str, ...]], key: str = "product_ids"
) -> tuple[str, ...]:
    """Product ids of an item (remediation, flag, threat, score), with group ids expanded."""
    ids = list(_strings(item.get(key)))
    for gid in _strings(item.get("group_ids")):
        ids.extend(p for p in groups.get(gid, ()) if p not in ids)
    return tuple(dict.fromkeys(ids))
