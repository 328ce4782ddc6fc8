"""The two formats of GeoReport v2: the same data as JSON or as XML, and errors as `[{code, description}]`.

XML is built with ElementTree, which escapes `<` and `&`; characters XML 1.0 cannot carry at all
(control characters) are dropped, so that any text a citizen typed gives a well-formed document.
"""
from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from starlette.responses import Response

from backend.web import json_response

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(parent: ElementTree.Element, key: str, value: Any, item_tag: str) -> None:
    element = ElementTree.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(element, k, v, ROOTS.get(k, "item"))
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict):  # an element of the list, named by the list (attributes > attribute)
                child = ElementTree.SubElement(element, item_tag)
                for k, inner in v.items():
                    _fill(child, k, inner, ROOTS.get(k, "item"))
            else:
                _fill(element, item_tag, v, item_tag)
    else:
        element.text = _text(value)


# The spec's element names: a list's root and the name of each of its items.
ROOTS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


def to_xml(root: str, body: Any) -> bytes:
    element = ElementTree.Element(root)
    items = body if isinstance(body, list) else None
    if items is not None:
        for item in items:
            child = ElementTree.SubElement(element, ROOTS[root])
            for k, v in item.items():
                _fill(child, k, v, ROOTS.get(k, "item"))
    else:
        for k, v in body.items():
            _fill(element, k, v, ROOTS.get(k, "item"))
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(element, encoding="unicode").encode()


def answer(fmt: str, root: str, body: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, body), status_code=status, media_type="text/xml; charset=utf-8")
    return json_response(body, status)


class Open311Error(Exception):
    """An error in the spec's shape, in the format the client asked for."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def error_answer(fmt: str, status: int, description: str) -> Response:
    return answer(fmt, "errors", [{"code": status, "description": description}], status)
