"""Every GET endpoint of the simulator answers what the vendor's OpenAPI 3.3.1 spec declares.

The spec is Swagger 2.0: its `definitions` become JSON Schema (draft 4) with three readings
of the vendor's conventions: `x-alternatives` means anyOf; an enum entry such as
`{"value": {"allowUnknown": true}}` means "any other string too" (the enum is dropped); and
`GET /specification/format` declares a bare "string" (a doc-generator artefact) while the
simulator serves format objects (Model35), which is what is checked. Objects are validated
strictly (no property the spec does not declare) so the simulator invents no field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import jsonschema
import pytest

import etl.simulators.grandshooting as grandshooting
from etl.simulators.grandshooting import Catalog

SPEC_PATH = Path(grandshooting.__file__).with_name("openapi-3.3.1.json")
SPEC: dict[str, Any] = json.loads(SPEC_PATH.read_text())
DELEGATED = 101


def _name(ref: str) -> str:
    section, _, name = ref.removeprefix("#/").partition("/")
    return f"#/{section}/{unquote(name).replace(' ', '_')}"


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "x-alternatives" in node:
        return {"anyOf": [_convert(alt) for alt in node["x-alternatives"]]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = _name(value)
        elif key == "enum" and any(isinstance(entry, dict) for entry in value):
            continue  # {"value": {"allowUnknown": true}}: any other value is allowed
        elif key == "properties":
            out[key] = {name: _convert(schema) for name, schema in value.items()}
        elif key.startswith("x-") or key == "example":
            continue
        else:
            out[key] = _convert(value)
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


def _definitions(section: str) -> dict[str, Any]:
    return {
        unquote(name).replace(" ", "_"): _convert(schema)
        for name, schema in SPEC.get(section, {}).items()
    }


DEFINITIONS = _definitions("definitions")
ALT_DEFINITIONS = _definitions("x-alt-definitions")
MODEL35 = {"$ref": "#/definitions/Model35"}
# The spec's "string" for formats, read as the format objects it describes elsewhere.
OVERRIDES = {
    "/specification/format": {"type": "array", "items": MODEL35},
    "/specification/format/{format_id}": MODEL35,
}


def _schema(template: str) -> dict[str, Any]:
    if template in OVERRIDES:
        schema = OVERRIDES[template]
    else:
        responses = SPEC["paths"][template]["get"]["responses"]
        schema = _convert((responses.get("200") or responses["default"])["schema"])
    return {"definitions": DEFINITIONS, "x-alt-definitions": ALT_DEFINITIONS, **schema}


def _check(body: Any, template: str) -> None:
    validator = jsonschema.Draft4Validator(_schema(template))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{template}: {errors[0].message} at {list(errors[0].absolute_path)}"


def _cases(catalog: Catalog, account_id: int) -> list[tuple[str, str, dict[str, str]]]:
    """(spec path, concrete path, params) for every GET endpoint the simulator serves."""
    benches = catalog.records("benches", account_id)
    look = catalog.records("looks", account_id)[0]
    picture = catalog.records("pictures", account_id)[-1]
    reference = catalog.records("references", account_id)[0]
    category = catalog.records("specification_categories", account_id)[0]
    root, bench = benches[1]["root_id"], benches[1]["bench_id"]
    return [
        ("/picture", "/picture", {"sort_by": "-date_mod"}),
        ("/picture/aggregate", "/picture/aggregate", {"group_by_field": "view_type_code"}),
        ("/picture/aggregate", "/picture/aggregate", {"group_by_field": "looks"}),
        ("/picture/{picture_id}", f"/picture/{picture['picture_id']}", {}),
        ("/reference", "/reference", {"sort_by": "-date_mod"}),
        ("/reference/{reference_id}", f"/reference/{reference['reference_id']}", {}),
        ("/production", "/production", {"archived": "true"}),
        ("/production", "/production", {}),
        ("/production/{bench_root_id}/bench", f"/production/{root}/bench", {}),
        ("/production/{bench_root_id}/bench/{bench_id}", f"/production/{root}/bench/{bench}", {}),
        ("/shootingmethod", "/shootingmethod", {}),
        ("/style/folder", "/style/folder", {}),
        ("/style/folder/{folder_id}", f"/style/folder/{look['folder_id']}", {}),
        ("/style/look", "/style/look", {}),
        ("/style/look/{look_id}", f"/style/look/{look['look_id']}", {}),
        ("/style/look/{look_id}/reference", f"/style/look/{look['look_id']}/reference", {}),
        ("/specification/format", "/specification/format", {}),
        ("/specification/format/{format_id}", "/specification/format/1", {}),
        ("/specification/category", "/specification/category", {}),
        (
            "/specification/category/{category_id}",
            f"/specification/category/{category['category_id']}",
            {},
        ),
    ]


@pytest.mark.parametrize("account_id", [0, DELEGATED])
def test_spec_every_endpoint_validates(
    api: httpx.Client, shared_catalog: Catalog, account_id: int
) -> None:
    served = set()
    for template, path, params in _cases(shared_catalog, account_id):
        assert "get" in SPEC["paths"][template], template
        if account_id:
            params = {**params, "account_id": str(account_id)}
        response = api.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        assert response.json(), path
        _check(response.json(), template)
        served.add(template)
    routed = {route.pattern.pattern for route in grandshooting.api.ROUTES}
    assert len(served) == len(routed)


def test_spec_every_picture_and_reference_validates(
    api: httpx.Client, shared_catalog: Catalog
) -> None:
    for path, key in (("/picture", "picture_id"), ("/reference", "reference_id")):
        last, pages = 0, 0
        while True:
            rows = api.get(path, params={key: f"gt:{last}", "sort_by": key}).json()
            if not rows:
                break
            _check(rows, path)
            last, pages = rows[-1][key], pages + 1
        assert pages > 1


def test_spec_mutated_rows_still_validate(catalog: Catalog) -> None:
    catalog.add_pictures(2)
    catalog.add_references(2)
    _check(catalog.records("pictures")[-2:], "/picture")
    _check(catalog.records("references")[-2:], "/reference")


def test_spec_strict_check_catches_invented_fields(shared_catalog: Catalog) -> None:
    picture = {**shared_catalog.records("pictures")[0], "invented": 1}
    with pytest.raises(AssertionError, match="invented"):
        _check([picture], "/picture")
    with pytest.raises(AssertionError):
        _check([{"picture_id": "not a number"}], "/picture")
