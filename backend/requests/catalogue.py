"""The service catalogue: what can be requested where, and the definitions of extra attributes."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from backend import exports
from backend.accounts import service as accounts
from backend.accounts.models import Organisation, Role
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.media import documents
from backend.requests import procedures, questions
from backend.requests.models import Service, ServiceKind
from backend.validation import to_number

# Open311's six, and the questions of online procedures (issue 17): a date, yes/no, an e-mail address, a phone
# number, a postal address, a file. Open311 clients see the latter as `string` (open311/service.py).
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist", "date", "boolean", "email",
             "phone", "address", "file")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9 ().\-/]{6,30}$")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MANAGERS = (Role.SERVICE_MANAGER, Role.ADMIN)


def today() -> date:
    """Today in the municipalities' time zone (TIME_ZONE): a date chosen there is in the past after its midnight."""
    return datetime.now(exports.zone()).date()


def check_attribute_definitions(attributes: Any) -> list[dict]:
    """Validates Open311-style attribute definitions and returns them normalised and ordered."""
    if not isinstance(attributes, list):
        raise ValidationFailed("attributes must be a list.", code="invalid_type", field="attributes")
    seen: set[str] = set()
    out = []
    for i, attr in enumerate(attributes):
        where = f"attributes[{i}]"
        if not isinstance(attr, dict) or not isinstance(attr.get("code"), str) or not CODE_RE.match(attr["code"]):
            raise ValidationFailed(f"{where}.code must be a short lowercase code.", code="invalid", field=where)
        if attr["code"] in seen:
            raise ValidationFailed(f"{where}.code is used twice.", code="invalid", field=where)
        seen.add(attr["code"])
        if attr.get("datatype") not in DATATYPES:
            raise ValidationFailed(f"{where}.datatype must be one of {', '.join(DATATYPES)}.", code="invalid",
                                   field=where)
        values = attr.get("values") or []
        if attr["datatype"].endswith("valuelist") and (
                not values or not all(isinstance(v, dict) and v.get("key") and v.get("name") for v in values)):
            raise ValidationFailed(f"{where}.values must list {{key, name}} pairs.", code="invalid", field=where)
        condition = _check_condition(attr.get("condition"), seen - {attr["code"]}, where)
        out.append({
            **({"condition": condition} if condition else {}),
            # Withdrawn by its manager: no longer asked, still read in the requests that answered it.
            **({"active": False} if attr.get("active") is False else {}),
            # A date from today on (a move, an appointment): one in the past is refused.
            **({"future": True} if attr.get("future") is True and attr["datatype"] in ("date", "datetime") else {}),
            "help": str(attr.get("help", ""))[:500], "help_en": str(attr.get("help_en", attr.get("help", "")))[:500],
            "code": attr["code"], "datatype": attr["datatype"], "required": bool(attr.get("required", False)),
            "order": int(attr.get("order", i + 1)), "description": str(attr.get("description", ""))[:500],
            "description_en": str(attr.get("description_en", attr.get("description", "")))[:500],
            "values": [{"key": str(v["key"]), "name": str(v["name"]), "name_en": str(v.get("name_en", v["name"])),
                        # Lost and found categories: how long the office keeps such an object, and whether it is
                        # never shown (identity documents, bank cards).
                        **({"holding_days": int(v["holding_days"])} if str(v.get("holding_days", "")).isdigit() else {}),
                        **({"sensitive": True} if v.get("sensitive") is True else {})}
                       for v in values],
        })
    return sorted(out, key=lambda a: a["order"])


def _check_condition(condition: Any, earlier: set[str], where: str) -> dict | None:
    """`{"code": an earlier question, "equals": value}` or `{"code": ..., "in": [values]}`: the question is asked
    only when that earlier answer says so."""
    if condition in (None, {}):
        return None
    if not isinstance(condition, dict) or condition.get("code") not in earlier \
            or ("equals" in condition) == ("in" in condition) \
            or ("in" in condition and not isinstance(condition["in"], list)):
        raise ValidationFailed(f"{where}.condition names an earlier question and `equals` a value or `in` a list.",
                               code="invalid", field=where)
    return {"code": condition["code"], **({"equals": condition["equals"]} if "equals" in condition
                                          else {"in": list(condition["in"])})}


def asked(definition: dict, answers: dict[str, Any]) -> bool:
    """Whether a question is asked, given the answers before it (a conditional one only when its condition holds)."""
    condition = definition.get("condition")
    if not condition:
        return True
    answer = answers.get(condition["code"])
    wanted = [condition["equals"]] if "equals" in condition else condition["in"]
    given = answer if isinstance(answer, list) else [answer]
    return any(w == g or str(w) == str(g) for w in wanted for g in given if g is not None)


def validate_attributes(service: Service, given: Any, *, max_text: int) -> dict[str, Any]:
    """Checks a request's attribute values against the service's definition, in the questions' order; unknown
    codes are refused, and so is an answer to a question its condition does not ask."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ValidationFailed("attributes must be an object.", code="invalid_type", field="attributes")
    definitions = {a["code"]: a for a in service.attributes if a.get("active", True)}
    unknown = sorted(set(given) - set(definitions))
    if unknown:
        raise ValidationFailed(f"Unknown attribute: {unknown[0]}.", code="unknown_field",
                               field=f"attributes.{unknown[0]}")
    out: dict[str, Any] = {}
    for code, definition in sorted(definitions.items(), key=lambda item: item[1].get("order", 0)):
        field = f"attributes.{code}"
        value = given.get(code)
        if not asked(definition, out):
            if value not in (None, "", []):
                raise ValidationFailed(f"{field} is not asked with the answers given before it.",
                                       code="not_applicable", field=field)
            continue
        if value in (None, "", []):
            if definition["required"]:
                raise ValidationFailed(f"{definition['description'] or code} is required.", code="required",
                                       field=field)
            continue
        out[code] = _attribute_value(definition, value, field, max_text)
    return out


def _attribute_value(definition: dict, value: Any, field: str, max_text: int) -> Any:
    kind = definition["datatype"]
    keys = {v["key"] for v in definition["values"]}
    if kind in ("string", "text"):
        if not isinstance(value, str):
            raise ValidationFailed(f"{field} must be text.", code="invalid_type", field=field)
        if len(value) > (max_text if kind == "text" else 200):
            raise ValidationFailed(f"{field} is too long.", code="too_long", field=field,
                                   params={"max": max_text if kind == "text" else 200})
        return value.strip()
    if kind == "number":
        return to_number(value, field)
    if kind == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed(f"{field} must be a date (YYYY-MM-DD).", code="invalid_type", field=field) from None
        if definition.get("future") and day < today():
            raise ValidationFailed(f"{field} cannot be in the past.", code="in_the_past", field=field)
        return day.isoformat()
    if kind == "file":
        if not isinstance(value, documents.CheckedDocument):
            raise ValidationFailed(f"{field} is a file: send it as the multipart part file.{definition['code']}.",
                                   code="invalid_type", field=field)
        return {"name": value.name, "type": documents.TYPES[value.kind], "bytes": len(value.data)}
    if kind == "boolean":
        if isinstance(value, bool) or value in ("true", "false"):
            return value in (True, "true")
        raise ValidationFailed(f"{field} is true or false.", code="invalid_type", field=field)
    if kind in ("email", "phone", "address"):
        lines = [" ".join(line.split()) for line in value.splitlines()] if isinstance(value, str) else None
        text = "\n".join(line for line in lines if line) if lines is not None else None  # an address keeps its lines
        limit = {"email": 254, "phone": 40, "address": 300}[kind]
        if text is None or len(text) > limit:
            raise ValidationFailed(f"{field} must be text of at most {limit} characters.", code="invalid_type",
                                   field=field, params={"max": limit})
        if kind == "email" and not EMAIL_RE.match(text):
            raise ValidationFailed(f"{field} must be an e-mail address.", code="invalid_email", field=field)
        if kind == "phone" and (not PHONE_RE.match(text) or sum(c.isdigit() for c in text) < 6):
            raise ValidationFailed(f"{field} must be a phone number.", code="invalid_phone", field=field)
        return text
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed(f"{field} must be a date and time (ISO 8601).", code="invalid_type",
                                   field=field) from None
        if definition.get("future") and moment.date() < today():
            raise ValidationFailed(f"{field} cannot be in the past.", code="in_the_past", field=field)
        return moment.isoformat()
    if kind == "singlevaluelist":
        if not isinstance(value, str) or value not in keys:
            raise ValidationFailed(f"{field} must be one of: {', '.join(sorted(keys))}.", code="invalid_choice",
                                   field=field)
        return value
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v in keys for v in values):
        raise ValidationFailed(f"{field} must be chosen from: {', '.join(sorted(keys))}.", code="invalid_choice",
                               field=field)
    return sorted(set(values))


async def services_of(organisation: Organisation, *, include_inactive: bool = False) -> list[Service]:
    query = Service.filter(organisation=organisation)
    if not include_inactive:
        query = query.filter(active=True)
    return await query.order_by("position", "group", "name_fr")


async def catalogue_at(lat: float, lon: float) -> tuple[Organisation, list[Service]]:
    """The organisation that serves the point and its active catalogue."""
    org = await accounts.organisation_at(lat, lon)
    return org, await services_of(org)


async def service_by_code(organisation: Organisation, code: str) -> Service:
    service = await Service.get_or_none(organisation=organisation, code=code, active=True)
    if service is None:
        raise NotFound(f"No service {code!r} here.", code="unknown_service", field="service")
    return service


def _require_manager(viewer: Any, organisation: Organisation, service_id: int | None = None) -> None:
    """The organisation's service managers (and, for one service, whoever manages that service by a right)."""
    viewer.require_user()
    if not viewer.has_role(organisation.id, *MANAGERS, service_id=service_id):
        raise Forbidden("Only the service managers of this organisation can change its catalogue.")


async def create_service(*, viewer: Any, organisation: Organisation, fields: dict[str, Any]) -> Service:
    """A service manager adds a service to their organisation's catalogue."""
    _require_manager(viewer, organisation)
    if not CODE_RE.match(fields["code"]):
        raise ValidationFailed("code must be lowercase letters, digits, - or _.", code="invalid", field="code")
    fields["attributes"] = check_attribute_definitions(fields.get("attributes") or [])
    fields["info"] = procedures.check_info(fields.get("info"))
    try:
        return await Service.create(organisation=organisation, **fields)
    except IntegrityError:
        raise Conflict(f"A service {fields['code']!r} already exists here.", code="service_exists",
                       field="code") from None


async def update_service(*, viewer: Any, organisation: Organisation, code: str, fields: dict[str, Any]) -> Service:
    service = await Service.get_or_none(organisation=organisation, code=code)
    _require_manager(viewer, organisation, service.id if service else None)
    if service is None:
        raise NotFound(f"No service {code!r} here.", code="unknown_service")
    if "attributes" in fields:  # a new version of the questions (questions.py); the requests keep theirs
        await questions.change(viewer=viewer, service=service,
                               attributes=check_attribute_definitions(fields.pop("attributes")))
    if "info" in fields:
        fields["info"] = procedures.check_info(fields["info"])
    for key, value in fields.items():
        setattr(service, key, value)
    if fields:  # only what was changed: the questions were saved with their version above
        await service.save(update_fields=[*fields, "updated_at"])
    return service


async def editable(*, viewer: Any, organisation: Organisation, code: str) -> Service:
    """A service of the catalogue, active or not, for those who may change it."""
    service = await Service.get_or_none(organisation=organisation, code=code)
    _require_manager(viewer, organisation, service.id if service else None)
    if service is None:
        raise NotFound(f"No service {code!r} here.", code="unknown_service")
    return service


def localised(obj: Any, name: str, language: str) -> str:
    return getattr(obj, f"{name}_{language}", "") or getattr(obj, f"{name}_fr", "")


def dump_service(service: Service, language: str) -> dict:
    return {
        "code": service.code,
        "name": localised(service, "name", language),
        "description": localised(service, "description", language),
        "kind": service.kind.value if isinstance(service.kind, ServiceKind) else service.kind,
        "group": service.group,
        "group_name": (service.group_en if language == "en" else "") or service.group,
        "icon": service.icon,
        "team": service.team,  # the team its requests go to, which the queue filters by
        "urgent": service.urgent,
        "emergency_message": localised(service, "emergency_message", language) if service.urgent else "",
        "emergency_phone": service.emergency_phone if service.urgent else "",
        "due_hours": service.due_hours,
        "active": service.active,
        "attributes": [
            {
                "code": a["code"], "datatype": a["datatype"], "required": a["required"], "order": a["order"],
                "description": a["description_en"] if language == "en" else a["description"],
                "help": (a.get("help_en") if language == "en" else a.get("help")) or "",
                **({"condition": a["condition"]} if a.get("condition") else {}),
                **({"future": True} if a.get("future") else {}),
                "values": [{"key": v["key"], "name": v["name_en"] if language == "en" else v["name"]}
                           for v in a["values"]],
            }
            for a in service.attributes if a.get("active", True)
        ],
    }


def answers(service: Service, given: dict, language: str, definitions: list[dict] | None = None) -> list[dict]:
    """A request's answers as words, in the order of its questions (`definitions`, the version it was answered
    with; the service's own by default): the question, and the answer (a choice's name, not its key); what was
    not answered is left out."""
    out = []
    for a in sorted(service.attributes if definitions is None else definitions, key=lambda a: a.get("order", 0)):
        value = (given or {}).get(a["code"])
        if value in (None, "", []):
            continue
        out.append({"code": a["code"], "question": question_text(a, language), "answer": answer_text(a, value, language),
                    "datatype": a["datatype"]})
    return out


def question_text(definition: dict, language: str) -> str:
    return (definition.get("description_en") if language == "en" else None) or definition.get("description") \
        or definition["code"]


def answer_text(definition: dict, value: Any, language: str) -> Any:
    """An answer in words: a choice's name rather than its key, yes or no, a list joined; other values as they are."""
    if value in (None, "", []):
        return ""
    names = {v["key"]: (v.get("name_en") if language == "en" else None) or v["name"]
             for v in definition.get("values") or []}
    if definition.get("datatype") == "file" and isinstance(value, dict):
        return value.get("name", "")
    if isinstance(value, bool):
        return ("Yes" if value else "No") if language == "en" else ("Oui" if value else "Non")
    if isinstance(value, list):
        return ", ".join(names.get(str(v), str(v)) for v in value)
    return names.get(str(value), value)
