"""The kinds' models go through the check cache as ``kinds.pickled`` pickles them:
what comes back must be the same model, field for field and set field for set field."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Iterator

from pydantic import PrivateAttr

from generator import registry
from generator.kinds import pickled
from generator.kinds.common import Link, Model
from generator.load import load_yaml_kinds

REPO = Path(__file__).resolve().parent.parent


def models(value: Any) -> Iterator[Model]:
    """Every model in ``value``, nested ones included."""
    if isinstance(value, Model):
        yield value
        value = value.__dict__
    if isinstance(value, dict):
        for item in value.values():
            yield from models(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from models(item)


def test_every_model_of_the_demo_round_trips_equal() -> None:
    docs, _problems = load_yaml_kinds(REPO, registry.KINDS)
    loaded = [d.model for ds in docs.values() for d in ds if d.model is not None]
    assert {type(m).__name__ for m in loaded} >= {"Meeting", "Rule", "Community"}
    back = pickle.loads(pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
    pairs = list(zip(models(loaded), models(back), strict=True))
    assert len(pairs) > len(loaded)  # nested models too
    for before, after in pairs:
        assert type(after) is type(before)
        assert after == before
        assert after.model_dump() == before.model_dump()
        assert after.model_fields_set == before.model_fields_set
        assert after.model_fields_set is not before.model_fields_set
        assert after.__pydantic_extra__ is None and after.__pydantic_private__ is None
        assert before.__reduce__()[0] is pickled.rebuild  # the compact form, not pydantic's


def test_rebuilt_models_do_not_share_their_set_fields() -> None:
    """Models with the same set fields share one frozenset in the pickle, never one set."""
    one, two = pickle.loads(pickle.dumps([Link(title="a", url="/a"), Link(title="b", url="/b")]))
    one.title = "c"
    assert one.model_fields_set == two.model_fields_set == {"title", "url"}
    assert one.model_fields_set is not two.model_fields_set
    assert two.title == "b" and one == Link(title="c", url="/a")


class _WithPrivate(Model):
    name: str
    _seen: int = PrivateAttr(default=0)


def test_a_model_with_private_attributes_is_pickled_pydantics_way() -> None:
    model = _WithPrivate(name="x")
    model._seen = 3
    assert model.__reduce__()[0] is pickled.rebuild_state
    back = pickle.loads(pickle.dumps(model))
    assert back == model and back._seen == 3 and back.model_fields_set == {"name"}
