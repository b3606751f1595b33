"""WTForms' own messages ("Not a valid integer value.") from the portal's catalogs.

WTForms ships catalogs of its own, but not for Tibetan or Uyghur, and its Chinese is not
split into Simplified and Traditional. Every form therefore reads its built-in messages
through the portal's catalogs, where they are translated like any other string.
"""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l

# The built-in messages a portal form can show; listed so that extraction finds them.
MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
)


class CatalogTranslations:
    """The object WTForms asks for ``gettext``/``ngettext``: the active portal catalog,
    without formatting (WTForms fills the placeholders itself)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


def install() -> None:
    from flask_wtf import FlaskForm

    translations = CatalogTranslations()

    def get_translations_for(self, form):
        return translations

    FlaskForm.Meta.get_translations = get_translations_for
