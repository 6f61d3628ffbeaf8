"""form_schema.py — derives a JSON Schema (draft 7) from a policy pack's form.json, the way a
Django shop would describe the filing document to jsonschema.

Two schemas from one walk of the form:
  shape       what beian's shape check accepts (src/policy/schema.c): known sections and fields
              only, each value of its type, texts within max_length and their pattern, enums among
              their options, dates real days, lists within max_items, ids positive; null and ""
              mean "not filled" and pass. This is what the peer's PUT validates (a draft may be
              incomplete, as in beian).
  submission  the same plus completeness: required fields present and not blank, lists with at
              least max(min_items, 1) entries. Measured beside beian's full validation.

Run as a script it prints one of them:  python3 form_schema.py FORM.json [shape|submission]
"""
import json
import sys

def _text(field, filled):
    """A text; filled: required and not blank (white space alone counts as missing)."""
    schema = {"type": "string" if filled else ["string", "null"]}
    if "max_length" in field:
        schema["maxLength"] = field["max_length"]
    if "pattern" in field:
        schema["pattern"] = field["pattern"] if filled else "^$|" + field["pattern"]
    elif filled:
        schema["pattern"] = r"\S"
    return schema


def _enum(field, filled):
    values = [o["value"] for o in field["options"]]
    return {"enum": values if filled else [None, ""] + values}


def _typed(json_type, filled, **limits):
    return dict({"type": json_type if filled else [json_type, "null"]}, **limits)


def _date(filled):
    day = {"type": "string", "format": "date"}
    return day if filled else {"anyOf": [{"enum": [None, ""]}, day]}


def _list(field, item, complete):
    filled = complete and field.get("required")
    schema = _typed("array", filled, items=item)
    if "max_items" in field:
        schema["maxItems"] = field["max_items"]
    if filled:
        schema["minItems"] = max(field.get("min_items", 1), 1)
    return schema


def _value(field, complete):
    t = field["type"]
    filled = bool(complete and field.get("required"))
    if t == "text":
        return _text(field, filled)
    if t == "int":
        limits = {}
        if "min" in field:
            limits["minimum"] = field["min"]
        if "max" in field:
            limits["maximum"] = field["max"]
        return _typed("integer", filled, **limits)
    if t == "bool":
        return _typed("boolean", filled)
    if t == "date":
        return _date(filled)
    if t == "enum":
        return _enum(field, filled)
    if t in ("material", "org_ref", "evaluation_ref"):
        return _typed("integer", filled, minimum=1)
    if t == "object":
        return _object(field["fields"], complete, filled)
    # lists: their entries may be null (an empty row of the form), never required one by one
    if t == "enum[]":
        return _list(field, _enum(field, False), complete)
    if t == "text[]":
        return _list(field, _text(field, False), complete)
    if t == "material[]":
        return _list(field, _typed("integer", False, minimum=1), complete)
    if t == "list<object>":
        return _list(field, _object(field["fields"], complete, False), complete)
    raise ValueError("form.json: unknown field type %r" % t)


def _object(fields, complete, filled):
    schema = _typed("object", filled, properties={f["key"]: _value(f, complete) for f in fields},
                    additionalProperties=False)
    required = [f["key"] for f in fields if f.get("required")]
    if complete and required:
        schema["required"] = required
    return schema


def derive(form, complete=False):
    """The JSON Schema of a filing document for this form (complete: the submission schema)."""
    sections = {}
    required = []
    for s in form["sections"]:
        has_required = any(f.get("required") for f in s["fields"])
        filled = complete and has_required
        if filled:
            required.append(s["key"])
        sections[s["key"]] = _object(s["fields"], complete, filled)
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def load(path, complete=False):
    with open(path, encoding="utf-8") as f:
        return derive(json.load(f), complete)


if __name__ == "__main__":
    which = sys.argv[2] if len(sys.argv) > 2 else "shape"
    json.dump(load(sys.argv[1], which == "submission"), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
