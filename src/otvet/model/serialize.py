"""A small, typed codec between model dataclasses and JSON-compatible values.

One traversal of the type hints serves three purposes: writing (``to_jsonable``), reading
back (``from_jsonable``, e.g. assessment files given to ``otvet compare``) and publishing the
JSON Schema of the output (``json_schema``), so the three cannot drift apart.

Reading is permissive about unknown keys (a newer otvet may add fields, python-tuf ADR 0008)
and strict about types: a wrong type raises ``ValueError`` naming the JSON path.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")

_NONE_TYPE = type(None)


def to_jsonable(value: Any) -> Any:
    """Convert a model value (dataclasses, enums, dates, tuples, mappings) to JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__}")


def from_jsonable(cls: type[T], data: Any, path: str = "$") -> T:
    """Build ``cls`` from JSON values; ``ValueError`` names the JSON path of the first error."""
    return cast(T, _decode(cls, data, path))


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, data: Any, path: str) -> Any:
    if tp is Any:
        return data
    supertype = getattr(tp, "__supertype__", None)
    if supertype is not None:  # NewType
        return _decode(supertype, data, path)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if data is None and _NONE_TYPE in args:
            return None
        errors = []
        for arg in args:
            if arg is _NONE_TYPE:
                continue
            try:
                return _decode(arg, data, path)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors) or f"{path}: null not allowed")
    if origin is tuple:
        _expect(data, list, path)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise ValueError(f"{path}: expected {len(args)} items, got {len(data)}")
        return tuple(_decode(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, data, strict=True)))
    if origin in (frozenset, set):
        _expect(data, list, path)
        return frozenset(_decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(data))
    if origin in (list,):
        _expect(data, list, path)
        return [_decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(data)]
    if origin in (dict, Mapping) or tp is dict:
        _expect(data, dict, path)
        key_tp, val_tp = args or (str, Any)
        return {_decode(key_tp, k, f"{path}.{k}"): _decode(val_tp, v, f"{path}.{k}") for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        _expect(data, dict, path)
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _decode(hints[f.name], data[f.name], f"{path}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ValueError(f"{path}: missing required field '{f.name}'")
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(data)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in tp)
            raise ValueError(f"{path}: {data!r} is not one of {allowed}") from None
    if tp is datetime:
        _expect(data, str, path)
        try:
            return datetime.fromisoformat(data)
        except ValueError:
            raise ValueError(f"{path}: {data!r} is not an ISO 8601 date-time") from None
    if tp is date:
        _expect(data, str, path)
        try:
            return date.fromisoformat(data)
        except ValueError:
            raise ValueError(f"{path}: {data!r} is not an ISO 8601 date") from None
    if tp is Path:
        _expect(data, str, path)
        return Path(data)
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise ValueError(f"{path}: expected a number, got {type(data).__name__}")
        return float(data)
    if tp in (str, int, bool):
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise ValueError(f"{path}: expected {tp.__name__}, got {type(data).__name__}")
        return data
    raise TypeError(f"{path}: unsupported type {tp!r}")


def _expect(data: Any, kind: type, path: str) -> None:
    if not isinstance(data, kind):
        raise ValueError(f"{path}: expected {kind.__name__}, got {type(data).__name__}")


def json_schema(cls: type, *, title: str, schema_id: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of what :func:`to_jsonable` writes for ``cls``."""
    defs: dict[str, Any] = {}
    root = _schema(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any:
        return {}
    supertype = getattr(tp, "__supertype__", None)
    if supertype is not None:
        return _schema(supertype, defs)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_schema(a, defs) for a in args if a is not _NONE_TYPE]
        if _NONE_TYPE in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _schema(args[0], defs)}
        return {
            "type": "array",
            "prefixItems": [_schema(a, defs) for a in args],
            "minItems": len(args),
            "maxItems": len(args),
        }
    if origin in (frozenset, set, list):
        return {"type": "array", "items": _schema(args[0], defs)}
    if origin in (dict, Mapping) or tp is dict:
        value = _schema(args[1], defs) if args else {}
        return {"type": "object", "additionalProperties": value}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = _hints(tp)
            fields = dataclasses.fields(tp)
            defs[name] = {
                "type": "object",
                "description": (tp.__doc__ or "").strip().splitlines()[0],
                "properties": {f.name: _schema(hints[f.name], defs) for f in fields},
                "required": [f.name for f in fields],
            }
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"enum": [m.value for m in tp]}
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if tp is date:
        return {"type": "string", "format": "date"}
    if tp in (str, Path):
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    raise TypeError(f"unsupported type {tp!r}")
