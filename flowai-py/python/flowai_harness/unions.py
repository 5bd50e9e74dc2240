"""Discriminated unions of Pydantic models with a readable shorthand (python-api §10)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, create_model

__all__ = ["TaggedUnion"]


def TaggedUnion(*models: type[BaseModel], discriminator: str = "kind") -> Any:  # noqa: N802
    """Build `Annotated[Union[...], Field(discriminator=...)]` over `models`.

    A variant may declare its tag as `kind: Literal["a"]` or with the shorthand
    `kind: str = "a"`; the shorthand is rewritten into a subclass (same name)
    whose tag is a required `Literal`, so input must carry the tag.

    Example:
        >>> class Add(BaseModel):
        ...     kind: Literal["add"] = "add"
        ...     value: int
        >>> class Reset(BaseModel):
        ...     kind: str = "reset"
        >>> Change = TaggedUnion(Add, Reset)

    Args:
        *models: two or more Pydantic model classes.
        discriminator: the name of the tag field.

    Raises:
        ValueError: fewer than two models, a missing or malformed tag, or a
            duplicate tag value.
        TypeError: a variant that is not a Pydantic model class.
    """
    if len(models) < 2:
        raise ValueError("TaggedUnion requires at least two Pydantic models")
    variants: list[type[BaseModel]] = []
    owners: dict[str, str] = {}
    for model in models:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError("TaggedUnion variants must be Pydantic BaseModel classes")
        tag, variant = _tagged_variant(model, discriminator)
        if tag in owners:
            raise ValueError(
                f"duplicate discriminator value `{tag}` for {owners[tag]} and {model.__name__}"
            )
        owners[tag] = model.__name__
        variants.append(variant)
    return Annotated[Union[tuple(variants)], Field(discriminator=discriminator)]  # noqa: UP007


def _tagged_variant(model: type[BaseModel], discriminator: str) -> tuple[str, type[BaseModel]]:
    field = model.model_fields.get(discriminator)
    if field is None:
        raise ValueError(f"{model.__name__} is missing discriminator field `{discriminator}`")
    if get_origin(field.annotation) is Literal:
        values = get_args(field.annotation)
        if len(values) != 1 or not isinstance(values[0], str) or not values[0]:
            raise ValueError(
                f"{model.__name__}.{discriminator} must be a single non-empty string Literal"
            )
        return values[0], model
    tag = field.default
    if not isinstance(tag, str) or not tag:
        raise ValueError(
            f"{model.__name__}.{discriminator} must be a string Literal "
            "or have a non-empty string default"
        )
    variant = create_model(
        model.__name__,
        __base__=model,
        __module__=model.__module__,
        **{discriminator: (Literal[tag], ...)},  # type: ignore[call-overload]
    )
    variant.__qualname__ = model.__qualname__
    return tag, variant
