"""The one checker: types, ranges, choices, dates and unknown keys, for configs and levers alike.

Every check of a value against its declaration lives here, and everything that validates
input calls it: the typed configuration (:mod:`simspam.config.validate`), the command line's
overrides before Hydra composes them (:mod:`simspam.config.compose`), the levers of a scenario
(:func:`simspam.levers.base.build_lever`), the country table and country names
(:mod:`simspam.agents.world`), the dashboard's controls and the comparison's names.

A declaration is a dataclass field: its type hint says what kind of value it takes and its
metadata -- from ``P(...)`` in :mod:`simspam.config.schema` or ``choice(...)`` in
:mod:`simspam.levers.base` -- says the rest (``lo``, ``hi``, ``integer``, ``choices``,
``unit="date"``).  Values are converted the way OmegaConf converts them (its own node types:
``"0.5"`` is a number, ``yes`` is true), so the checker never rejects what composition
accepts, and then range-checked.  A failure is a :class:`~simspam.errors.ConfigError` that
names the key and what is allowed and, for a misspelt key or name, the closest valid one
(``did you mean ...?``): keys are suggested in full dotted form, names as names.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import math
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from omegaconf.errors import ValidationError
from omegaconf.nodes import BooleanNode, FloatNode, IntegerNode, StringNode

from ..errors import ConfigError

#: what :func:`field_at` returns for a key inside a free-form mapping (``scenario.levers.x``):
#: the schema says nothing there (a lever's data is checked by the lever builder)
FREE = object()

_NO_META: Mapping = {}


# ---------------------------------------------------------------------- names and suggestions
def suggest(word: Any, candidates: Iterable[Any], cutoff: float | None = None) -> str | None:
    """The candidate closest to ``word`` (difflib's ratio, ignoring case), or None if none is close.

    Close means a ratio of at least 0.7, or 0.6 for words of up to four letters (where one wrong
    letter already costs a third: ``USX`` -> ``USA``, ``CNH`` -> ``CHN``)."""
    word = str(word)
    cutoff = cutoff if cutoff is not None else (0.6 if len(word) <= 4 else 0.7)
    by_lower: dict[str, str] = {}
    for c in map(str, candidates):
        by_lower.setdefault(c.lower(), c)
    if word.lower() in by_lower and by_lower[word.lower()] != word:
        return by_lower[word.lower()]
    match = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[match[0]] if match and by_lower[match[0]] != word else None


def unknown_name(key: str, value: Any, known: Iterable[Any], what: str, allowed: str | None = None) -> ConfigError:
    """``KEY: unknown WHAT 'value' (did you mean ...? allowed: ...)``."""
    known = [str(k) for k in known]
    return ConfigError(key, f"unknown {what} {value!r}", allowed if allowed is not None else ", ".join(known),
                       suggest(value, known))


def check_name(key: str, value: Any, known: Iterable[Any], what: str = "name", allowed: str | None = None):
    """``value`` if it is one of ``known`` (a scenario, an option, a lever type, a country...)."""
    known = list(known)
    if value in known:
        return value
    raise unknown_name(key, value, known, what, allowed)


def check_choice(key: str, value: Any, choices: Iterable[Any], what: str | None = None):
    """``value`` if it is one of ``choices``, else ``KEY: 'x' is not a WHAT`` (or ``is not allowed``)."""
    choices = list(choices)
    if value in choices:
        return value
    problem = f"{value!r} is not a {what}" if what else f"{value!r} is not allowed"
    raise ConfigError(key, problem, ", ".join(map(str, choices)), suggest(value, choices))


# ---------------------------------------------------------------------- values
def _fmt(x) -> str:
    if isinstance(x, float) and (abs(x) >= 1e5 or (x != 0 and abs(x) < 1e-3)):
        return f"{x:g}"
    return str(x)


def _bound(x) -> Any:
    return None if x is None or (isinstance(x, float) and math.isinf(x)) else x


def describe_number(meta: Mapping, integer: bool = False) -> str:
    """``a number in [0.0, 1.0]``, ``an integer >= 1``, ``a year in [2004, 2012]``..."""
    kind = meta.get("what") or ("an integer" if integer or meta.get("integer") else "a number")
    lo, hi = _bound(meta.get("lo")), _bound(meta.get("hi"))
    if lo is not None and hi is not None:
        return f"{kind} in [{_fmt(lo)}, {_fmt(hi)}]"
    if lo is not None:
        return f"{kind} >= {_fmt(lo)}"
    if hi is not None:
        return f"{kind} <= {_fmt(hi)}"
    return kind


def _unwrap(hint) -> tuple[Any, bool]:
    """(the hint without ``| None``, whether None is allowed)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return (args[0] if len(args) == 1 else Any), len(args) < len(typing.get_args(hint))
    return hint, False


def describe(hint, meta: Mapping = _NO_META) -> str:
    """What a declaration allows, in words (the ``allowed`` of an error)."""
    hint, _ = _unwrap(hint)
    if meta.get("choices"):
        return ", ".join(map(str, meta["choices"]))
    if meta.get("unit") == "date":
        return "YYYY-MM-DD"
    origin = typing.get_origin(hint)
    if origin in (list, tuple):
        (elem,) = typing.get_args(hint)[:1] or (Any,)
        return "a list, each " + describe(elem, meta)
    if hint is bool:
        return "true or false"
    if hint in (int, float) or meta.get("lo") is not None or meta.get("hi") is not None:
        return describe_number(meta, hint is int)
    if hint is str:
        return "a string"
    if dataclasses.is_dataclass(hint):
        return "a mapping of " + ", ".join(fields_of(hint))
    if origin in (dict, Mapping) or hint is dict:
        return "a mapping"
    return "any value"


def check_number(key: str, value: Any, meta: Mapping = _NO_META, integer: bool = False, allowed: str | None = None,
                 ranges: bool = True):
    """A number (an integer if ``integer``), converted as OmegaConf converts it, within ``lo``..``hi``
    (``allowed``: the words for that range, if the caller has better ones than the numbers;
    ``ranges=False``: the conversion only)."""
    integer = integer or bool(meta.get("integer"))
    allowed = allowed or describe_number(meta, integer)
    node = IntegerNode if integer else FloatNode
    try:
        number = node(value, is_optional=False)._value()
    except ValidationError:
        raise ConfigError(key, f"{value!r} is not {meta.get('what') or ('an integer' if integer else 'a number')}",
                          allowed) from None
    lo, hi = _bound(meta.get("lo")), _bound(meta.get("hi"))
    if not ranges or (lo is None and hi is None):
        return number
    if isinstance(number, float) and not math.isfinite(number):
        raise ConfigError(key, f"{number!r} is not finite", allowed)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise ConfigError(key, f"{number!r} is out of range", allowed)
    return number


def check_date(key: str, value: Any, allowed: str = "YYYY-MM-DD", lo: dt.date | None = None,
               hi: dt.date | None = None) -> dt.date:
    """A calendar date (a ``date`` or its ISO text), between ``lo`` and ``hi`` if given."""
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(key, f"{value!r} is not a date", allowed) from None
    if (lo is not None and date < lo) or (hi is not None and date > hi):
        raise ConfigError(key, f"{value!r} is out of range", f"a date between {lo or 'any'} and {hi or 'any'}")
    return date


def check_shares(key: str, values: list[float], n: int | None = None) -> None:
    """Shares of a whole: ``n`` of them (if given), summing to 1."""
    if n is not None and len(values) != n:
        raise ConfigError(key, f"has {len(values)} entries", f"exactly {n} shares summing to 1")
    if abs(sum(values) - 1.0) > 1e-6:
        raise ConfigError(key, f"sums to {sum(values):.6g}", "shares summing to 1")


def is_interpolation(value: Any) -> bool:
    """``${...}``: resolved by OmegaConf later, and checked then."""
    return isinstance(value, str) and "${" in value


def check_value(key: str, value: Any, hint: Any = Any, meta: Mapping = _NO_META, *, one_as_list: bool = False,
                ranges: bool = True):
    """Check ``value`` against a declaration (type hint and field metadata); return it converted.

    Numbers, booleans and strings are converted as OmegaConf converts them; a list is checked
    element by element (``key[i]``; ``lo``/``hi`` and ``choices`` apply to each element), a
    scalar given for a list is a one-element list if ``one_as_list``; a mapping for a dataclass
    is checked key by key; ``unit="date"`` fields must hold a date (returned as ISO text).
    ``ranges=False`` checks the type only (what OmegaConf itself would refuse): no ``lo``/``hi``,
    no ``choices``, no dates."""
    hint, optional = _unwrap(hint)
    if value is None and optional:
        return None
    if meta.get("unit") == "date" and optional and value == "":
        return None
    origin = typing.get_origin(hint)
    if origin in (list, tuple) or hint is list:
        if one_as_list and isinstance(value, (str, int, float, bool)):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(key, f"{value!r} is not a list", describe(hint, meta))
        (elem,) = typing.get_args(hint)[:1] or (Any,)
        return [check_value(f"{key}[{i}]", v, elem, meta, ranges=ranges) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if isinstance(value, hint):
            if ranges:
                check_instance(value, key + ".")
            return value
        if not isinstance(value, Mapping):
            raise ConfigError(key, f"{value!r} is not a mapping", f"a mapping of the keys of {key}: "
                              + ", ".join(fields_of(hint)))
        return check_mapping(key, value, hint, ranges=ranges)
    if origin in (dict, Mapping) or hint is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(key, f"{value!r} is not a mapping", "a mapping of names to values")
        return value
    if hint is bool:
        try:
            return BooleanNode(value, is_optional=False)._value()
        except ValidationError:
            raise ConfigError(key, f"{value!r} is not true/false", "true or false") from None
    if hint in (int, float) or meta.get("lo") is not None or meta.get("hi") is not None:
        value = check_number(key, value, meta, integer=hint is int, ranges=ranges)
    elif hint is str:
        try:
            value = StringNode(value, is_optional=False)._value()
        except ValidationError:
            raise ConfigError(key, f"{value!r} is not a string", describe(hint, meta)) from None
    if ranges and meta.get("unit") == "date":
        value = check_date(key, value).isoformat()
    if ranges and meta.get("choices"):
        check_choice(key, value, meta["choices"])
    return value


# ---------------------------------------------------------------------- keys of declared structures
@functools.cache
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def fields_of(cls) -> dict[str, dataclasses.Field]:
    """The fields of a dataclass type, by name (declaration order)."""
    return {f.name: f for f in dataclasses.fields(cls)}


def hint_of(cls, name: str):
    return _hints(cls)[name]


def _section(cls) -> type | None:
    """The dataclass a hint declares a section of, if it does."""
    hint, _ = _unwrap(cls)
    return hint if dataclasses.is_dataclass(hint) and isinstance(hint, type) else None


def _free(hint) -> bool:
    hint, _ = _unwrap(hint)
    return hint is Any or hint is dict or typing.get_origin(hint) in (dict, Mapping)


def _section_at(root, parts: list[str]):
    cur = root
    for part in parts:
        cur = _section(hint_of(cur, part))
    return cur


def unknown_key(key: str, written: list[str], depth: int, root, prefix: str = "") -> ConfigError:
    """``written[depth]`` is not a key of its section (``root`` walked along ``written[:depth]``):
    the error lists that section's keys and suggests the closest full key, if there is one."""
    section = _section_at(root, written[:depth])
    path = prefix + ".".join(written[:depth])
    where = f"the keys of {path.rstrip('.')}" if path.rstrip(".") else "the keys of the top level"
    fixed = _repair(root, written)
    return ConfigError(key, "unknown key", f"{where}: " + ", ".join(fields_of(section)),
                       prefix + ".".join(fixed) if fixed else None)


def _repair(root, parts: list[str]) -> list[str] | None:
    """The declared key closest to ``parts``: the one key elsewhere with the same last segment
    (``params.spammers.response_rate`` -> ``params.consumers.response_rate``) if there is exactly
    one, else ``parts`` with each misspelt segment replaced by its closest key, if each has one."""
    same = [leaf for leaf in _leaves(root) if leaf[-1] == parts[-1] and len(leaf) == len(parts)]
    if len(same) == 1:
        return list(same[0])
    out: list[str] = []
    cur: Any = root
    for i, part in enumerate(parts):
        section = _section(cur)
        if section is None:
            return [*out, *parts[i:]] if _free(cur) else None
        names = fields_of(section)
        name = part if part in names else suggest(part, names)
        if name is None:
            return None
        out.append(name)
        cur = hint_of(section, name)
    return out if _section(cur) is None else None


@functools.cache
def _leaves(cls) -> tuple[tuple[str, ...], ...]:
    out = []
    for name in fields_of(cls):
        sub = _section(hint_of(cls, name))
        out += [(name, *rest) for rest in _leaves(sub)] if sub is not None else [(name,)]
    return tuple(out)


def field_at(cls, key: str, prefix: str = ""):
    """(type hint, metadata) of the declared key ``key`` (dotted) of dataclass ``cls``, or
    :data:`FREE` for a key inside a free-form mapping; an unknown key raises ConfigError with the
    closest valid key.  ``prefix`` is prepended to keys in messages (``fit.parameters.``)."""
    parts = key.split(".")
    cur: Any = cls
    meta: Mapping = _NO_META
    for i, part in enumerate(parts):
        section = _section(cur)
        if section is None:
            if _free(cur):
                return FREE
            hint, _ = _unwrap(cur)
            if typing.get_origin(hint) in (list, tuple) and part.isdigit():
                (cur,) = typing.get_args(hint)[:1] or (Any,)
                continue
            path = prefix + ".".join(parts[:i])
            raise ConfigError(prefix + key, f"unknown key: {path} is a value, not a section",
                              f"{path} itself: {describe(cur, meta)}")
        names = fields_of(section)
        if part not in names:
            raise unknown_key(prefix + key, parts, i, cls, prefix)
        meta = names[part].metadata or _NO_META
        cur = hint_of(section, part)
    return cur, meta


def check_key_value(cls, key: str, value: Any, prefix: str = "", ranges: bool = True):
    """Check a dotted ``key`` of ``cls`` and a ``value`` for it; return the converted value
    (unchanged inside free-form mappings).  ``ranges=False``: the value's type only."""
    target = field_at(cls, key, prefix)
    if target is FREE or is_interpolation(value):
        return value
    hint, meta = target
    return check_value(prefix + key, value, hint, meta, ranges=ranges)


def check_mapping(key: str, data: Mapping, cls, *, what: str = "key", listing: str | None = None,
                  exclude: Iterable[str] = (), one_as_list: bool = False, ranges: bool = True) -> dict:
    """Check plain data (a mapping) against dataclass ``cls``: unknown keys (with the closest
    one) and every value; return the converted values.  ``key`` is the mapping's own key;
    ``listing`` introduces the list of allowed keys (default ``the keys of KEY: ``)."""
    names = {n: f for n, f in fields_of(cls).items() if n not in set(exclude)}
    listing = f"the keys of {key}: " if listing is None else listing
    out = {}
    for k, v in data.items():
        k = str(k)
        if k not in names:
            close = suggest(k, names)
            raise ConfigError(f"{key}.{k}", f"unknown {what}", listing + ", ".join(names),
                              f"{key}.{close}" if close else None)
        out[k] = v if is_interpolation(v) else check_value(f"{key}.{k}", v, hint_of(cls, k), names[k].metadata or _NO_META,
                                                           one_as_list=one_as_list, ranges=ranges)
    return out


def check_keys(node: Mapping, cls, prefix: str = "", root=None) -> None:
    """Every key of a composed mapping (a DictConfig) is declared by ``cls``, recursively into
    its sections (free-form mappings such as a scenario's levers are left to their builders)."""
    root = cls if root is None else root
    names = fields_of(cls)
    for k in node.keys():
        if k not in names:
            written = [*(prefix[:-1].split(".") if prefix else []), str(k)]
            raise unknown_key(f"{prefix}{k}", written, len(written) - 1, root)
        sub = _section(hint_of(cls, k))
        if sub is not None and isinstance(node[k], Mapping):   # values are not read (nor resolved) here
            check_keys(node[k], sub, f"{prefix}{k}.", root)


def check_instance(obj, prefix: str = "") -> None:
    """Check every field of a dataclass instance against its declaration, recursively
    (ranges, choices, dates; types too, though OmegaConf has usually converted them)."""
    cls = type(obj)
    for name, f in fields_of(cls).items():
        value = getattr(obj, name)
        key = f"{prefix}{name}"
        if dataclasses.is_dataclass(value):
            check_instance(value, key + ".")
        elif not is_interpolation(value):
            check_value(key, value, hint_of(cls, name), f.metadata or _NO_META)
