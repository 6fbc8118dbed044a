"""Small corrections to the generated OpenAPI document, so it states every constraint the server enforces.

Litestar drops constraints on list items (``list[Annotated[int, Meta(ge=1)]]`` becomes ``items: {type: integer}``):
id lists get their bounds back here.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import OpenAPI, Schema
from litestar.openapi.spec.enums import OpenAPIType

from .routes.common import MAX_ID

ID_LIST_SUFFIX = "Ids"


def _fix_schema(schema: Schema) -> None:
    for name, prop in (schema.properties or {}).items():
        if not isinstance(prop, Schema) or not name.endswith(ID_LIST_SUFFIX):
            continue
        for candidate in [prop, *(prop.one_of or [])]:
            if isinstance(candidate, Schema) and candidate.type == OpenAPIType.ARRAY:
                candidate.items = Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_ID)
                if prop.max_items is not None and candidate is not prop:
                    candidate.max_items = prop.max_items


def fix_openapi(document: OpenAPI) -> OpenAPI:
    components = document.components
    schemas = components.schemas if components and components.schemas else {}
    for schema in schemas.values():
        if isinstance(schema, Schema):
            _fix_schema(schema)
    return document


def install(app: Litestar) -> None:
    """Fix the document once, now: Litestar caches it and serves the cached object."""
    fix_openapi(app.openapi_schema)
