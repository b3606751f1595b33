"""The portal's roles. Every account is a resident; the others are granted."""

from flask_babel import lazy_gettext as _l

RESIDENT = "resident"
ORG_MEMBER = "organization_member"
STAFF = "staff"
MODERATOR = "moderator"
ADMIN = "administrator"

ALL = (RESIDENT, ORG_MEMBER, STAFF, MODERATOR, ADMIN)
GRANTABLE = (ORG_MEMBER, STAFF, MODERATOR, ADMIN)

LABELS = {
    RESIDENT: _l("Resident"),
    ORG_MEMBER: _l("Organization member"),
    STAFF: _l("Staff"),
    MODERATOR: _l("Moderator"),
    ADMIN: _l("Administrator"),
}
