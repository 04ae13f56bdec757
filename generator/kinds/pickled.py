"""Pickling the kinds' pydantic models compactly (``common.Model.__reduce__``).

The check cache keeps every document's model: ~150,000 models at 5,000 meetings,
all unpickled again by a warm check. Pydantic's own way (pydantic 2.14,
``BaseModel.__getstate__``/``__setstate__`` in ``pydantic/main.py``) pickles each
model as a dict of four entries (``__dict__``, ``__pydantic_extra__``,
``__pydantic_fields_set__``, ``__pydantic_private__``) and sets them back one by one
in a Python ``__setstate__``. Here a model is its class, its field values and its set
fields, a frozenset shared by the models with the same ones (pickle writes it once
per entry and refers back to it after). Rebuilt as pydantic's ``__setstate__`` and
``__copy__`` do: a bare instance and the four attributes set with
``object.__setattr__`` (no validation: the values were valid). A meeting's models
(~30) unpickle in ~25 % less time than pydantic's way.

A model with extra fields or private attributes (none of the kinds has them) is
pickled pydantic's way.
"""

from __future__ import annotations

from typing import Any

_set = object.__setattr__
_new = object.__new__  # what ``cls.__new__`` finds, without asking the metaclass

#: one frozenset per distinct set of set fields: pickled once per entry, then referred to
_SETS: dict[frozenset[str], frozenset[str]] = {}


def reduce(model: Any) -> tuple[Any, tuple[Any, ...]]:
    """``model.__reduce__()``: (``rebuild``, (class, field values, set fields)), or
    pydantic's state (``rebuild_state``) when that cannot say it all."""
    if model.__pydantic_extra__ is None and model.__pydantic_private__ is None:
        fields = frozenset(model.__pydantic_fields_set__)
        return rebuild, (type(model), model.__dict__, _SETS.setdefault(fields, fields))
    return rebuild_state, (type(model), model.__getstate__())


def rebuild(cls: type[Any], values: dict[str, Any], fields: frozenset[str]) -> Any:
    """A model from ``reduce``'s compact form, set as pydantic's ``__setstate__`` sets it.
    (A dict of the values, not a tuple zipped with the names: pickle builds the dict in
    C, with its keys written once per entry; zipping cost more than it saved.)"""
    model = _new(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(fields))  # its own: pydantic adds to it on assignment
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def rebuild_state(cls: type[Any], state: dict[str, Any]) -> Any:
    """A model from pydantic's own ``__getstate__``."""
    model = _new(cls)
    model.__setstate__(state)
    return model
