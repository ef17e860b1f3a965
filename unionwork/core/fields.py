"""Model fields for personal information kept encrypted at rest (see core/crypto.py)."""

from django.core import checks
from django.db import models
from django.db.models import lookups

from . import crypto


class EncryptedTextField(models.TextField):
    """Text the application reads and writes as usual and the database holds encrypted.

    It cannot be filtered or ordered on (each value has its own nonce): look values up through a
    LookupHashField. max_length is checked on the plain value, by forms and model validation.
    """

    description = "Encrypted text"

    def __init__(self, *args, plain_max_length=None, **kwargs):
        self.plain_max_length = plain_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def get_lookup(self, lookup_name):
        # Each value has its own nonce: a filter on anything but emptiness would silently match nothing.
        if lookup_name not in ("exact", "isnull"):
            raise TypeError(f"{self.model.__name__}.{self.name} is encrypted: filter by its lookup hash, not "
                            f"__{lookup_name}")
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def formfield(self, **kwargs):
        # A one-line input, as the CharField it replaces had.
        from django import forms

        return models.Field.formfield(self, **{"form_class": forms.CharField, "max_length": self.plain_max_length,
                                               **kwargs})

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.plain_max_length and value and len(value) > self.plain_max_length:
            from django.core.exceptions import ValidationError

            raise ValidationError(f"最多 {self.plain_max_length} 个字符", code="max_length")


class LookupHashField(models.CharField):
    """The keyed hash of another (encrypted) field of the row, set whenever the row is saved or
    bulk-created: what the row is found by, and kept unique by."""

    def __init__(self, *args, source=None, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.source:
            errors.append(checks.Error("LookupHashField needs source=", obj=self))
        return errors

    def pre_save(self, model_instance, add):
        value = crypto.lookup_hash(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


@EncryptedTextField.register_lookup
class _EmptyOnlyExact(lookups.Exact):
    """field="" (is it empty?) works; field="<a value>" would compare with a fresh ciphertext: refused."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise TypeError(f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted: filter by its "
                            "lookup hash")
        return super().get_prep_lookup()
